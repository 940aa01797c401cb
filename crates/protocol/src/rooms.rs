//! Rooms as listed by the RoomService, and the closed sets that describe participants and
//! their tracks (state, kind, source, connection quality).

use crate::projects::ProjectId;
use serde::{Deserialize, Serialize};

/// One row of the rooms page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub sid: String,
    pub name: String,
    /// Visible participants: hidden ones (listeners, room views) are not counted. ListRooms'
    /// own count includes them; core takes them off (`earshot_core::api::census`).
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

/// Where a participant is in joining a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantState {
    Joining,
    Joined,
    Active,
    Disconnected,
    /// A state this app does not know (a newer server).
    #[serde(other)]
    Unknown,
}

impl ParticipantState {
    /// The state as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Joining => "joining",
            Self::Joined => "joined",
            Self::Active => "active",
            Self::Disconnected => "disconnected",
            Self::Unknown => "unknown",
        }
    }
}

/// What kind of client a participant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    /// A person's client (or a server SDK).
    Standard,
    Ingress,
    Egress,
    Sip,
    Agent,
    /// A kind this app does not know (a newer server).
    #[serde(other)]
    Other,
}

impl ParticipantKind {
    /// The kind as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Ingress => "ingress",
            Self::Egress => "egress",
            Self::Sip => "sip",
            Self::Agent => "agent",
            Self::Other => "other",
        }
    }
}

/// What a track carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackKind {
    Audio,
    Video,
    Data,
    #[serde(other)]
    Unknown,
}

impl TrackKind {
    /// The kind as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Data => "data",
            Self::Unknown => "unknown",
        }
    }
}

/// Where a track comes from; also what a permission lets a participant publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackSource {
    Camera,
    Microphone,
    ScreenShare,
    ScreenShareAudio,
    /// Not said, or a source this app does not know.
    #[serde(other)]
    Unknown,
}

impl TrackSource {
    /// The sources a permission or a token may name.
    pub const PUBLISHABLE: [TrackSource; 4] = [
        Self::Camera,
        Self::Microphone,
        Self::ScreenShare,
        Self::ScreenShareAudio,
    ];

    /// The source LiveKit's `name` (`screen_share`) stands for; `Unknown` for any other.
    pub fn from_label(name: &str) -> Self {
        Self::PUBLISHABLE
            .into_iter()
            .find(|s| s.label() == name)
            .unwrap_or(Self::Unknown)
    }

    /// LiveKit's name of the source (`screen_share`), as tokens and the UI spell it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Camera => "camera",
            Self::Microphone => "microphone",
            Self::ScreenShare => "screen_share",
            Self::ScreenShareAudio => "screen_share_audio",
            Self::Unknown => "unknown",
        }
    }
}

/// A participant's connection quality as the server rates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionQuality {
    Excellent,
    Good,
    Poor,
    Lost,
    /// Not reported yet (or a rating this app does not know).
    #[serde(other)]
    Unknown,
}

impl ConnectionQuality {
    /// The quality as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Poor => "poor",
            Self::Lost => "lost",
            Self::Unknown => "unknown",
        }
    }

    /// Poor or lost: what the alerts and the wallboard flag.
    pub fn is_poor(self) -> bool {
        matches!(self, Self::Poor | Self::Lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_sets_travel_in_snake_case_and_tolerate_new_values() {
        let json = serde_json::to_string(&TrackSource::ScreenShareAudio).expect("serialize");
        assert_eq!(json, r#""screen_share_audio""#);
        let newer: TrackSource = serde_json::from_str(r#""hologram""#).expect("deserialize");
        assert_eq!(newer, TrackSource::Unknown);
        let kind: ParticipantKind = serde_json::from_str(r#""connector""#).expect("deserialize");
        assert_eq!(kind, ParticipantKind::Other);
        assert_eq!(TrackSource::from_label("camera"), TrackSource::Camera);
        assert_eq!(TrackSource::from_label("webcam"), TrackSource::Unknown);
        assert!(ConnectionQuality::Lost.is_poor() && !ConnectionQuality::Unknown.is_poor());
    }
}
