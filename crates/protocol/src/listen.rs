//! Hidden listen-in: the connection state of each listened room, its speakers and their
//! level meters, as the backend reports them to the UI (audio itself travels as binary).

use crate::error::AppError;
use crate::projects::ProjectId;
use serde::{Deserialize, Serialize};

/// Why listening to a room stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EndReason {
    /// The supervisor stopped listening.
    Stopped,
    /// Every visible participant left, so there is nothing left to hear.
    RoomEmpty,
    /// The room was deleted on the server.
    RoomDeleted,
    /// The server removed the listener (e.g. an admin kicked it).
    Removed,
    /// Reconnecting failed for too long; the error says why the last attempt failed.
    ConnectionLost { error: AppError },
}

/// Where a listened room's connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ListenState {
    /// Joining the room (first join only).
    Connecting,
    /// Joined; audio flows as soon as someone speaks.
    Live,
    /// The connection dropped; resuming or rejoining (`attempt` counts from 1).
    Reconnecting { attempt: u32 },
    /// The listener gave up reconnecting; the app joins the room again from scratch
    /// (`attempt` counts from 1, a few attempts with growing pauses).
    Rejoining { attempt: u32 },
    /// Listening is over; the room is no longer in the listener.
    Ended { reason: EndReason },
}

/// Levels of one signal over the last meter period, linear full scale (0.0–1.0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub rms: f32,
    pub peak: f32,
}

/// One speaker (a participant with at least one audio track) and how it is mixed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerMeter {
    /// The participant's identity, the key for gain/mute/solo.
    pub identity: String,
    /// The participant's input level before gain/mute/solo (so silent-in-mix speakers still
    /// show that they talk).
    pub level: Level,
    /// Linear gain applied in the mix (1.0 = unchanged).
    pub gain: f32,
    /// Muted by the supervisor (in this mix only; the participant is not told).
    pub muted: bool,
    /// Soloed by the supervisor.
    pub solo: bool,
    /// Whether what the speaker contributes is audible in the mix right now.
    pub audible: bool,
}

/// The meters of one room, sent at most 30 times per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomMeters {
    pub room: String,
    pub speakers: Vec<SpeakerMeter>,
    /// The room's mix after gain/mute/solo.
    pub master: Level,
}

/// A speaker as the listener knows it (from the room's participant updates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerInfo {
    pub identity: String,
    pub name: String,
    /// Audio track sids the listener subscribed to.
    pub tracks: Vec<String>,
    /// Whether the participant muted all of its audio tracks themselves.
    pub publisher_muted: bool,
}

/// Which rooms are heard: none, one focused room, or several mixed together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "rooms", rename_all = "snake_case")]
pub enum AudibleSet {
    #[default]
    None,
    Focus(String),
    Mix(Vec<String>),
}

impl AudibleSet {
    /// Whether `room` is heard under this set.
    pub fn contains(&self, room: &str) -> bool {
        match self {
            AudibleSet::None => false,
            AudibleSet::Focus(r) => r == room,
            AudibleSet::Mix(rooms) => rooms.iter().any(|r| r == room),
        }
    }
}

/// What the listener reports besides audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ListenEvent {
    /// A room's connection changed state.
    State { room: String, state: ListenState },
    /// The speakers of a room changed (joined, left, published, muted).
    Speakers {
        room: String,
        speakers: Vec<SpeakerInfo>,
    },
    /// Level meters of a room.
    Meters(RoomMeters),
}

/// A change to how one speaker is mixed (for the supervisor only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "control", content = "value", rename_all = "snake_case")]
pub enum SpeakerChange {
    /// Linear gain, 0.0–4.0.
    Gain(f32),
    Muted(bool),
    Solo(bool),
}

/// One room the supervisor listens to (or just stopped hearing, until dismissed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListenRoom {
    pub room: String,
    pub project: ProjectId,
    pub project_name: String,
    pub state: ListenState,
    pub speakers: Vec<SpeakerInfo>,
    /// Unix time in milliseconds when listening started.
    pub started_at_ms: i64,
    /// App-level rejoins after the listener gave up reconnecting (0 normally).
    pub rejoins: u32,
}

/// Everything the Listen page needs when it opens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListenStatus {
    pub rooms: Vec<ListenRoom>,
    pub audible: AudibleSet,
    /// Mixed frames dropped because playback did not keep up.
    pub dropped_frames: u64,
}

/// A hidden participant of a room: a colleague listening in (or another hidden client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenParticipant {
    pub identity: String,
    pub name: String,
    /// The supervisor named in an Earshot listener's attributes.
    pub supervisor: Option<String>,
    /// `listener` for Earshot listeners, `observer` for its room views, else empty.
    pub role: String,
    /// Unix time in seconds.
    pub joined_at: i64,
    /// Whether this is this app's own listener.
    pub is_me: bool,
}

/// Bytes in one binary audio message: 960 little-endian f32 samples (20 ms at 48 kHz, mono).
pub const AUDIO_FRAME_BYTES: usize = 960 * 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialize_with_a_tag() {
        let ended = ListenState::Ended {
            reason: EndReason::RoomEmpty,
        };
        let json = serde_json::to_string(&ended).expect("serialize");
        assert_eq!(json, r#"{"state":"ended","reason":{"kind":"room_empty"}}"#);
        let set = AudibleSet::Mix(vec!["a".into(), "b".into()]);
        assert!(set.contains("b") && !set.contains("c"));
    }
}
