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
    /// The project was removed, or its server, key or secret changed: the connection was
    /// made with credentials that no longer belong to it.
    ProjectChanged,
    /// The project's listen time limit (in minutes) was reached.
    TimeLimit { minutes: u32 },
    /// The app closed (window closed, quit, or a termination signal) while listening.
    AppClosed,
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

/// A listened room. Room names are unique per project only, so two projects may each have a
/// room of one name, and both can be listened to at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RoomKey {
    pub project: ProjectId,
    pub room: String,
}

impl RoomKey {
    pub fn new(project: impl Into<ProjectId>, room: impl Into<String>) -> Self {
        Self {
            project: project.into(),
            room: room.into(),
        }
    }
}

/// A room of the bare listener engine, known by its name alone (no project).
impl From<&str> for RoomKey {
    fn from(room: &str) -> Self {
        RoomKey::new(ProjectId::new(), room)
    }
}

/// A room of the bare listener engine, known by its name alone (no project).
impl From<String> for RoomKey {
    fn from(room: String) -> Self {
        RoomKey::new(ProjectId::new(), room)
    }
}

/// A room of the bare listener engine, known by its name alone (no project).
impl From<&String> for RoomKey {
    fn from(room: &String) -> Self {
        RoomKey::from(room.as_str())
    }
}

impl From<&RoomKey> for RoomKey {
    fn from(key: &RoomKey) -> Self {
        key.clone()
    }
}

/// The meters of one room, sent at most 30 times per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomMeters {
    /// The room's project (empty from the bare listener engine).
    #[serde(default)]
    pub project: ProjectId,
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

/// Which rooms are heard: none, one focused room, or several mixed together. The app names
/// rooms by [`RoomKey`], and so does the listener engine inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "rooms", rename_all = "snake_case")]
pub enum AudibleSet<K = RoomKey> {
    #[default]
    None,
    Focus(K),
    Mix(Vec<K>),
}

impl<K: PartialEq> AudibleSet<K> {
    /// Whether `room` is heard under this set.
    pub fn contains<Q: ?Sized>(&self, room: &Q) -> bool
    where
        K: PartialEq<Q>,
    {
        match self {
            AudibleSet::None => false,
            AudibleSet::Focus(r) => r == room,
            AudibleSet::Mix(rooms) => rooms.iter().any(|r| r == room),
        }
    }

    /// The same set with every room mapped (dropping the ones `f` refuses).
    pub fn map<T>(&self, mut f: impl FnMut(&K) -> Option<T>) -> AudibleSet<T> {
        match self {
            AudibleSet::None => AudibleSet::None,
            AudibleSet::Focus(r) => f(r).map_or(AudibleSet::None, AudibleSet::Focus),
            AudibleSet::Mix(rooms) => AudibleSet::Mix(rooms.iter().filter_map(f).collect()),
        }
    }

    /// The set without `room`.
    pub fn without(&self, room: &K) -> AudibleSet<K>
    where
        K: Clone,
    {
        self.map(|r| (r != room).then(|| r.clone()))
    }
}

/// What the listener reports besides audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ListenEvent {
    /// A room's connection changed state.
    State {
        /// The room's project (empty from a bare engine).
        #[serde(default)]
        project: ProjectId,
        room: String,
        state: ListenState,
    },
    /// The speakers of a room changed (joined, left, published, muted).
    Speakers {
        #[serde(default)]
        project: ProjectId,
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
    /// Unix time in milliseconds when listening ended (the time listened stops there);
    /// `None` while it goes on.
    #[serde(default)]
    pub ended_at_ms: Option<i64>,
    /// App-level rejoins after the listener gave up reconnecting (0 normally).
    pub rejoins: u32,
    /// Unix time in milliseconds when the project's time limit ends this listen; `None`
    /// without a limit.
    #[serde(default)]
    pub limit_at_ms: Option<i64>,
}

/// Everything the Listen page needs when it opens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListenStatus {
    pub rooms: Vec<ListenRoom>,
    pub audible: AudibleSet,
    /// Mixed frames dropped because playback did not keep up.
    pub dropped_frames: u64,
}

/// What a hidden connection is to Earshot, from its `earshot.role` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarshotRole {
    /// An Earshot listener.
    Listener,
    /// An Earshot room view (it only watches).
    Observer,
    /// Any other hidden client.
    #[serde(other)]
    Other,
}

impl EarshotRole {
    /// The role an `earshot.role` attribute value names.
    pub fn from_attribute(value: Option<&str>) -> Self {
        match value {
            Some("listener") => Self::Listener,
            Some("observer") => Self::Observer,
            _ => Self::Other,
        }
    }

    /// The role as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Listener => "listener",
            Self::Observer => "observer",
            Self::Other => "client",
        }
    }
}

/// A hidden participant of a room: a colleague listening in (or another hidden client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenParticipant {
    pub identity: String,
    pub name: String,
    /// The supervisor named in an Earshot listener's attributes.
    pub supervisor: Option<String>,
    pub role: EarshotRole,
    /// Unix time in seconds.
    pub joined_at: i64,
    /// Whether this is one of this app's own connections (its listener or a room view),
    /// told by identity, not by supervisor name.
    pub is_me: bool,
}

/// Samples in one audio message: 20 ms at 48 kHz, mono.
pub const FRAME_SAMPLES: usize = 960;

/// One 20 ms frame as it crosses the IPC: base64 of 960 little-endian 16-bit samples, a
/// 2,560-character JSON string. Tauri evaluates a message that small straight into the page;
/// a binary one (over 1 KiB) takes an extra fetch round trip per frame, which measurably
/// added delivery jitter (ring-buffer overruns and underruns).
pub fn encode_audio_frame(samples: &[f32]) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = samples
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * i16::MAX as f32) as i16).to_le_bytes())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The samples of an encoded frame (full scale ±1.0), or `None` if it is not one.
pub fn decode_audio_frame(text: &str) -> Option<Vec<f32>> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    if bytes.len() != FRAME_SAMPLES * 2 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / f32::from(i16::MAX))
            .collect(),
    )
}

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
        let frame: Vec<f32> = (0..FRAME_SAMPLES)
            .map(|i| (i as f32 / 100.0).sin() * 0.5)
            .collect();
        let wire = encode_audio_frame(&frame);
        assert_eq!(wire.len(), 2560);
        let back = decode_audio_frame(&wire).expect("decodes");
        assert!(frame.iter().zip(&back).all(|(a, b)| (a - b).abs() < 1e-4));
        assert!(decode_audio_frame("not base64!").is_none());
        let set: AudibleSet<String> = AudibleSet::Mix(vec!["a".into(), "b".into()]);
        assert!(set.contains("b") && !set.contains("c"));
        // The app's sets name rooms by project too: one name in two projects is two rooms.
        let (a, b) = (RoomKey::new("p1", "call"), RoomKey::new("p2", "call"));
        let focus = AudibleSet::Focus(a.clone());
        assert!(focus.contains(&a) && !focus.contains(&b));
        assert_eq!(
            AudibleSet::Mix(vec![a.clone(), b.clone()]).without(&a),
            AudibleSet::Mix(vec![b])
        );
        assert_eq!(focus.without(&a), AudibleSet::None);
        let json = serde_json::to_string(&focus).unwrap();
        assert_eq!(
            json,
            r#"{"mode":"focus","rooms":{"project":"p1","room":"call"}}"#
        );
    }
}
