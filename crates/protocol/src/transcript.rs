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
