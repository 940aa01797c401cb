//! The real-time room view: what a hidden, media-free signal connection learns about a room
//! as it happens (joins and leaves, active speakers, connection quality, track mutes), and
//! what agents in it say and do (transcript lines, agent state).

use crate::projects::ProjectId;
use crate::rooms::{ConnectionQuality, ParticipantKind, TrackKind};
use crate::transcript::{AgentStatus, TranscriptDrops, TranscriptLine};
use serde::{Deserialize, Serialize};

/// A published track as the room view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomViewTrack {
    pub sid: String,
    pub kind: TrackKind,
    pub muted: bool,
}

/// A visible participant in the room view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomViewParticipant {
    pub sid: String,
    pub identity: String,
    pub name: String,
    pub kind: ParticipantKind,
    /// Unix time in seconds.
    pub joined_at: i64,
    /// Unix time in milliseconds when the server gives it (0 otherwise): two joins in one
    /// second keep their order.
    #[serde(default)]
    pub joined_at_ms: i64,
    /// Among the server's active speakers now.
    pub speaking: bool,
    /// The server's audio level for the speaker (0–1).
    pub level: f32,
    /// `Unknown` until the server reports it.
    pub quality: ConnectionQuality,
    pub tracks: Vec<RoomViewTrack>,
    /// The agent state it publishes (`lk.agent.state`); `None` when it publishes none.
    #[serde(default)]
    pub agent: Option<AgentStatus>,
}

/// Where the room view's connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoomViewState {
    Connecting,
    Live,
    Reconnecting {
        attempt: u32,
    },
    /// Over: the view was closed, the room emptied or was deleted, or the connection was lost.
    Ended {
        reason: String,
    },
}

/// The whole room view, sent again on every change (one room is small).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomView {
    pub project: ProjectId,
    pub room: String,
    /// The room's sid as the view's connection joined it (a room recreated under the same
    /// name is another call); empty where unknown.
    #[serde(default)]
    pub room_sid: String,
    /// The view session (one per open view): [`crate::command::CloseRoomView`] closes it by
    /// this id, so a close that arrives late never ends a newer view of the same room.
    #[serde(default)]
    pub session: u64,
    pub state: RoomViewState,
    pub participants: Vec<RoomViewParticipant>,
    /// Unix time in milliseconds of this view.
    pub at_ms: i64,
    /// Unix time in milliseconds when the project's time limit closes this view; `None`
    /// without a limit (and for the wallboard's followed rows).
    #[serde(default)]
    pub limit_at_ms: Option<i64>,
}

/// What a room view's channel carries: the whole view on every roster change, and transcript
/// lines one by one (a transcript grows; resending it with every speaker change would not
/// scale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RoomViewEvent {
    View(RoomView),
    /// A new or replaced transcript line of view `session`.
    Transcript {
        session: u64,
        line: TranscriptLine,
        /// What the connection ignored so far.
        drops: TranscriptDrops,
    },
}
