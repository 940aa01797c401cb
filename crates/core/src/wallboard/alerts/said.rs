//! Rules on what is said: a final transcript line that says one of a rule's words or
//! phrases raises one alert naming the line (evaluated by [`super::Alerts::on_line`]). A line is fired once per rule even when two
//! connections see it (a room open in a view and followed on the wallboard), and a final
//! line sent again with the same segment id is not a new episode.

use earshot_protocol::projects::ProjectId;
use earshot_protocol::transcript::{SaidWords, TranscriptLine};
use std::collections::{HashSet, VecDeque};

/// Lines remembered as fired; the oldest are forgotten past this (a segment id repeated
/// after thousands of other lines is taken as new).
const REMEMBERED_LINES: usize = 4096;
/// How much of the line an alert quotes (characters).
const QUOTED_CHARS: usize = 200;

/// (rule, project, room, segment) of a line that fired.
pub(super) type LineKey = (String, ProjectId, String, String);

/// The lines that fired, bounded.
#[derive(Debug, Default)]
pub(super) struct FiredLines {
    seen: HashSet<LineKey>,
    order: VecDeque<LineKey>,
}

impl FiredLines {
    /// Whether `key` is new (and remembers it).
    pub(super) fn first(&mut self, key: LineKey) -> bool {
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > REMEMBERED_LINES {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// The line as an alert quotes it: trimmed, cut on a character.
fn quote(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > QUOTED_CHARS {
        let cut: String = text.chars().take(QUOTED_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        text.to_owned()
    }
}

/// The alert text when final `line` of `room` says one of `words`, naming the line and the
/// entry it matched; `None` when it says none (or `words`, checked when saved, no longer
/// parses: such a stored rule is skipped).
pub(super) fn alert_text(words: &str, room: &str, line: &TranscriptLine) -> Option<String> {
    let said = SaidWords::parse(words).ok()?;
    let matched = said.find(&line.text)?;
    let speaker = if line.speaker_name.is_empty() {
        &line.speaker_identity
    } else {
        &line.speaker_name
    };
    Some(format!(
        "{speaker} said “{}” in {room} (matched “{matched}”).",
        quote(&line.text)
    ))
}
