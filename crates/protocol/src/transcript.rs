//! Live transcripts and agent state of a room, as a room view's hidden connection learns them:
//! agents publish speech as `lk.transcription` text streams and their state in the
//! participant attribute `lk.agent.state`.

use crate::rooms::ParticipantKind;
use serde::{Deserialize, Serialize};

/// What an agent says it is doing (`lk.agent.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    Initializing,
    Idle,
    Listening,
    Thinking,
    Speaking,
}

impl AgentState {
    /// The state from its attribute value; `None` for a value this app does not know.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "initializing" => Self::Initializing,
            "idle" => Self::Idle,
            "listening" => Self::Listening,
            "thinking" => Self::Thinking,
            "speaking" => Self::Speaking,
            _ => return None,
        })
    }

    /// The state as the UI shows it (the attribute's own word).
    pub fn label(self) -> &'static str {
        match self {
            Self::Initializing => "initializing",
            Self::Idle => "idle",
            Self::Listening => "listening",
            Self::Thinking => "thinking",
            Self::Speaking => "speaking",
        }
    }
}

/// An agent's state and since when it holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub state: AgentState,
    /// Unix time in milliseconds when this connection saw the state begin.
    pub since_ms: i64,
}

/// One transcript segment: interim until `is_final`; a later line with the same
/// `segment_id` replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// The segment (`lk.segment_id`); lines are replaced by segment.
    pub segment_id: String,
    /// Who spoke: the text stream's sender identity (the caller for the caller's speech).
    pub speaker_identity: String,
    /// The speaker's name, empty when unknown or unset.
    pub speaker_name: String,
    /// `None` when the speaker is not (or no longer) in the room.
    pub speaker_kind: Option<ParticipantKind>,
    /// The transcribed track (`lk.transcribed_track_id`), empty when not given.
    pub track_id: String,
    pub text: String,
    /// `lk.transcription_final` was `true`.
    pub is_final: bool,
    /// Unix time in milliseconds when the segment was first seen.
    pub first_ms: i64,
    /// Unix time in milliseconds of this version of the segment.
    pub at_ms: i64,
}

/// Text streams a connection ignored, by why (counted, never kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptDrops {
    /// Packets that were not a decodable `DataPacket`.
    pub undecodable: u64,
    /// Streams past the per-stream byte cap, or refused by the per-room caps.
    pub oversized: u64,
    /// Streams with no trailer before the idle timeout.
    pub unterminated: u64,
    /// Chunks out of order or for no open stream, and headers reusing an open stream id.
    pub interleaved: u64,
    /// Text streams on a topic other than `lk.transcription`.
    pub unknown_topic: u64,
    /// Text that is not UTF-8 (or compressed data that does not inflate).
    pub non_utf8: u64,
    /// Transcription streams without `lk.segment_id`.
    pub missing_attributes: u64,
}

impl TranscriptDrops {
    /// All ignored streams and packets.
    pub fn total(&self) -> u64 {
        self.undecodable
            + self.oversized
            + self.unterminated
            + self.interleaved
            + self.unknown_topic
            + self.non_utf8
            + self.missing_attributes
    }
}

/// The most words or phrases one transcript alert listens for.
pub const MAX_SAID_ENTRIES: usize = 20;
/// The longest word or phrase (characters).
pub const MAX_SAID_CHARS: usize = 60;

/// What a transcript alert listens for: a comma-separated list of words or phrases, matched
/// case-insensitively on whole words; `*` stands for any letters within a word (`cancel*`
/// matches "cancelled"). Punctuation in the line is ignored ("Lawyer!" says "lawyer").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaidWords {
    /// Each entry as typed (trimmed), with its lowercase words.
    entries: Vec<(String, Vec<String>)>,
}

/// A line's or an entry's words, lowercase (`*` kept in entries).
fn words(text: &str, keep_star: bool) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || (keep_star && c == '*')))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether one word matches an entry's word (`*` = any run of characters within it).
fn word_matches(pattern: &str, word: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == word;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if word.len() < first.len() + last.len() || !word.starts_with(first) || !word.ends_with(last) {
        return false;
    }
    let mut rest = &word[first.len()..word.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

impl SaidWords {
    /// Parses the list; the error says what to fix, in a sentence.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry.chars().count() > MAX_SAID_CHARS {
                return Err(format!(
                    "“{entry}” is longer than {MAX_SAID_CHARS} characters."
                ));
            }
            if let Some(bad) = entry
                .chars()
                .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '\'' | '*' | '-')))
            {
                return Err(format!(
                    "“{entry}” has “{}”: use letters, digits, spaces, - ' and * only.",
                    bad.escape_default()
                ));
            }
            let parsed = words(entry, true);
            if !parsed.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
                return Err(format!(
                    "“{entry}” would match any line: give at least one letter or digit."
                ));
            }
            entries.push((entry.to_owned(), parsed));
        }
        if entries.is_empty() {
            return Err("Enter the words or phrases to listen for, separated by commas.".into());
        }
        if entries.len() > MAX_SAID_ENTRIES {
            return Err(format!(
                "At most {MAX_SAID_ENTRIES} words or phrases ({} given).",
                entries.len()
            ));
        }
        Ok(Self { entries })
    }

    /// The first entry (as typed) that `text` says, if any.
    pub fn find(&self, text: &str) -> Option<&str> {
        let said = words(text, false);
        self.entries.iter().find_map(|(typed, phrase)| {
            said.windows(phrase.len())
                .any(|w| w.iter().zip(phrase).all(|(word, p)| word_matches(p, word)))
                .then_some(typed.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn said_words_match_whole_words_in_any_case() {
        let said = SaidWords::parse(" cancel* , speak to a supervisor,lawyer").expect("valid");
        assert_eq!(said.find("I want to CANCEL my order"), Some("cancel*"));
        assert_eq!(said.find("It was cancelled."), Some("cancel*"));
        assert_eq!(
            said.find("Can I speak to a  Supervisor?"),
            Some("speak to a supervisor")
        );
        assert_eq!(
            said.find("My lawyer's number"),
            None,
            "lawyer's is another word"
        );
        assert_eq!(said.find("Lawyer!"), Some("lawyer"));
        assert_eq!(said.find("a supervisor please"), None, "the whole phrase");
        assert_eq!(said.find("uncancel"), None, "whole words");
        let inner = SaidWords::parse("re*fund").expect("valid");
        assert_eq!(inner.find("a refund"), Some("re*fund"));
        assert_eq!(inner.find("re-fund"), None);
    }

    #[test]
    fn said_words_refuse_bad_lists_with_what_to_fix() {
        for (list, needle) in [
            ("", "Enter the words"),
            (" , ,", "Enter the words"),
            ("*", "any line"),
            ("cancel, * *", "any line"),
            ("what?", "letters, digits"),
            ("a\u{7}b", "letters, digits"),
        ] {
            let err = SaidWords::parse(list).expect_err(list);
            assert!(err.contains(needle), "{list:?}: {err}");
        }
        let long = "x".repeat(MAX_SAID_CHARS + 1);
        assert!(SaidWords::parse(&long)
            .expect_err("long")
            .contains("longer"));
        let many = vec!["w"; MAX_SAID_ENTRIES + 1].join(",");
        assert!(SaidWords::parse(&many)
            .expect_err("many")
            .contains("At most"));
    }
}
