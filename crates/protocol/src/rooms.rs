//! Rooms and participants as listed by the RoomService.

use crate::projects::ProjectId;
use serde::{Deserialize, Serialize};

/// One row of the rooms page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub sid: String,
    pub name: String,
    /// Participants the server counts (hidden ones are not counted).
    pub num_participants: u32,
    pub num_publishers: u32,
    /// Unix time in seconds when the room was created.
    pub creation_time: i64,
    pub active_recording: bool,
    pub metadata: String,
}

/// A rooms listing at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsSnapshot {
    pub project_id: ProjectId,
    pub rooms: Vec<RoomSummary>,
    /// Unix time in milliseconds when the server answered.
    pub fetched_at_ms: i64,
    pub round_trip_ms: u32,
}

/// A participant in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSummary {
    pub sid: String,
    pub identity: String,
    pub name: String,
    /// `joining`, `joined`, `active` or `disconnected`.
    pub state: String,
    /// Unix time in seconds.
    pub joined_at: i64,
    pub hidden: bool,
    pub tracks: u32,
}
