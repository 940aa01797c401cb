//! Live transcripts and agent state from a room's hidden connection: text streams on
//! `lk.transcription` reassembled ([`stream`]) into speaker-attributed lines, and the
//! `lk.agent.state` participant attribute.

pub mod stream;

use earshot_protocol::rooms::ParticipantKind;
use earshot_protocol::transcript::{AgentState, AgentStatus, TranscriptLine};
use std::collections::{HashMap, VecDeque};

/// The participant attribute agents publish their state in.
pub const AGENT_STATE: &str = "lk.agent.state";

/// Lines kept per room (older ones are forgotten; the UI keeps what it showed).
const KEPT_LINES: usize = 200;

/// The room's transcript: the latest version of each segment, in order of first sight.
#[derive(Default)]
pub struct Transcript {
    lines: HashMap<String, TranscriptLine>,
    order: VecDeque<String>,
}

impl Transcript {
    /// Takes a segment in; the line to show (new, or replacing its segment's earlier one).
    /// `speaker` names the sender's name and kind when it is in the room. A final line is
    /// not replaced by a late interim one.
    pub fn apply(
        &mut self,
        seg: stream::Segment,
        speaker: Option<(String, ParticipantKind)>,
        now_ms: i64,
    ) -> Option<TranscriptLine> {
        let (speaker_name, speaker_kind) = match speaker {
            Some((name, kind)) => (name, Some(kind)),
            None => (String::new(), None),
        };
        let first_ms = match self.lines.get(&seg.segment_id) {
            Some(old) if old.is_final && !seg.is_final => return None,
            Some(old) => old.first_ms,
            None => {
                self.order.push_back(seg.segment_id.clone());
                if self.order.len() > KEPT_LINES {
                    if let Some(old) = self.order.pop_front() {
                        self.lines.remove(&old);
                    }
                }
                now_ms
            }
        };
        let line = TranscriptLine {
            segment_id: seg.segment_id.clone(),
            speaker_identity: seg.sender,
            speaker_name,
            speaker_kind,
            track_id: seg.track_id,
            text: seg.text,
            is_final: seg.is_final,
            first_ms,
            at_ms: now_ms,
        };
        self.lines.insert(seg.segment_id, line.clone());
        Some(line)
    }

    /// The lines in order of first sight.
    pub fn lines(&self) -> Vec<TranscriptLine> {
        self.order
            .iter()
            .filter_map(|id| self.lines.get(id).cloned())
            .collect()
    }
}

/// The agent status after attributes `attributes` arrive: kept (with its start) while the
/// state is unchanged, `None` without a known state.
pub fn agent_status(
    previous: Option<AgentStatus>,
    attributes: &HashMap<String, String>,
    now_ms: i64,
) -> Option<AgentStatus> {
    let state = attributes
        .get(AGENT_STATE)
        .and_then(|v| AgentState::parse(v))?;
    match previous {
        Some(p) if p.state == state => Some(p),
        _ => Some(AgentStatus {
            state,
            since_ms: now_ms,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(id: &str, text: &str, is_final: bool) -> stream::Segment {
        stream::Segment {
            stream_id: format!("ST_{text}"),
            sender: "caller".into(),
            segment_id: id.into(),
            track_id: "TR".into(),
            text: text.into(),
            is_final,
            complete: true,
        }
    }

    #[test]
    fn interim_lines_are_replaced_by_segment_and_final_stays() {
        let mut t = Transcript::default();
        let who = || Some(("Caller".to_owned(), ParticipantKind::Sip));
        t.apply(seg("A", "hel", false), who(), 1).expect("line");
        t.apply(seg("B", "other", true), None, 2).expect("line");
        let fin = t.apply(seg("A", "hello", true), who(), 3).expect("line");
        assert_eq!((fin.first_ms, fin.at_ms, fin.is_final), (1, 3, true));
        assert_eq!(fin.speaker_kind, Some(ParticipantKind::Sip));
        assert_eq!(t.apply(seg("A", "late interim", false), who(), 4), None);
        let lines = t.lines();
        assert_eq!(
            lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["hello", "other"]
        );
        assert_eq!(lines[1].speaker_kind, None);
    }

    #[test]
    fn the_transcript_keeps_a_bounded_tail() {
        let mut t = Transcript::default();
        for i in 0..KEPT_LINES + 10 {
            t.apply(seg(&i.to_string(), "x", true), None, i as i64);
        }
        let lines = t.lines();
        assert_eq!(lines.len(), KEPT_LINES);
        assert_eq!(lines[0].segment_id, "10");
    }

    #[test]
    fn agent_state_keeps_its_start_until_it_changes() {
        let attrs = |s: &str| HashMap::from([(AGENT_STATE.to_owned(), s.to_owned())]);
        let a = agent_status(None, &attrs("listening"), 10).expect("state");
        let same = agent_status(Some(a), &attrs("listening"), 20).expect("state");
        assert_eq!(same.since_ms, 10);
        let next = agent_status(Some(same), &attrs("thinking"), 30).expect("state");
        assert_eq!((next.state, next.since_ms), (AgentState::Thinking, 30));
        assert_eq!(agent_status(Some(next), &attrs("dancing"), 40), None);
        assert_eq!(agent_status(None, &HashMap::new(), 40), None);
    }
}
