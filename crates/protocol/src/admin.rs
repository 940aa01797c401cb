//! Room and participant administration: what the rooms page's create / edit / detail views
//! send and show, and the input rules shared by the UI (inline) and the backend.

use crate::agents::AgentDispatchInfo;
use crate::fields::{attributes_field, json_field, metadata_field, name_field};
use crate::rooms::{ParticipantKind, ParticipantState, RoomSummary, TrackKind, TrackSource};
use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest data message payload Earshot sends (bytes); reliable messages above ~15 KiB
/// are split by the server, lossy ones are dropped.
pub const MAX_DATA_BYTES: usize = 15_000;

/// Every option of CreateRoom. Empty / `None` means "server default".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomOptions {
    pub name: String,
    /// Seconds an empty room stays open before the server closes it.
    pub empty_timeout: Option<u32>,
    /// Seconds the room stays open after the last participant left.
    pub departure_timeout: Option<u32>,
    pub max_participants: Option<u32>,
    pub metadata: String,
    /// Playout delay bounds in milliseconds.
    pub min_playout_delay: Option<u32>,
    pub max_playout_delay: Option<u32>,
    pub sync_streams: bool,
    /// Pin the room to a node (self-hosted multi-node setups).
    pub node_id: String,
    /// `RoomEgress` as JSON (LiveKit's field names), empty for none.
    pub egress_json: String,
    /// A JSON array of `RoomAgentDispatch` (`[{"agent_name": "...", "metadata": "..."}]`).
    pub agents_json: String,
}

/// A room with everything the server reports about it, and everyone in it.
///
/// livekit-server keeps CreateRoom's playout delays, sync streams, auto-egress and node
/// pinning internally: ListRooms returns none of them, so neither can this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomDetail {
    pub room: RoomSummary,
    pub empty_timeout: u32,
    pub departure_timeout: u32,
    pub max_participants: u32,
    /// Unix milliseconds; 0 when the server does not say.
    pub creation_time_ms: i64,
    /// The codecs the room allows, `mime` or `mime fmtp` (empty: the server did not say).
    pub enabled_codecs: Vec<String>,
    /// The room's agent dispatches (CreateRoom's `agents` and any added later), or why
    /// they could not be listed; the rest of the detail does not depend on them.
    pub agent_dispatches: Result<Vec<AgentDispatchInfo>, AppError>,
    pub participants: Vec<ParticipantDetail>,
}

/// What a participant may do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub can_subscribe: bool,
    pub can_publish: bool,
    pub can_publish_data: bool,
    pub can_update_metadata: bool,
    /// Empty means all.
    pub can_publish_sources: Vec<TrackSource>,
    pub hidden: bool,
    pub recorder: bool,
    pub agent: bool,
    /// May subscribe to the room's metrics.
    #[serde(default)]
    pub can_subscribe_metrics: bool,
}

/// A participant as ListParticipants reports it: the rooms page, the room detail and the
/// wallboard's listener count all read this one shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantDetail {
    pub sid: String,
    pub identity: String,
    pub name: String,
    pub state: ParticipantState,
    pub kind: ParticipantKind,
    /// Unix time in seconds.
    pub joined_at: i64,
    pub metadata: String,
    pub attributes: BTreeMap<String, String>,
    pub permission: Permission,
    pub tracks: Vec<TrackDetail>,
}

/// A published track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackDetail {
    pub sid: String,
    pub name: String,
    pub kind: TrackKind,
    pub source: TrackSource,
    pub muted: bool,
    pub mime_type: String,
    pub width: u32,
    pub height: u32,
    pub simulcast: bool,
    /// Simulcast layers as `quality widthxheight`.
    pub layers: Vec<String>,
}

/// Changes to a participant; `None` leaves a field as it is.
///
/// livekit-server reads an empty name or metadata as "leave unchanged", so neither can be
/// cleared: [`participant_changes`] refuses `Some("")` rather than report a no-op as done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantChanges {
    pub name: Option<String>,
    pub metadata: Option<String>,
    /// Keys mapped to `""` are removed, as the server does.
    pub attributes: Option<BTreeMap<String, String>>,
    pub permission: Option<PermissionChanges>,
}

impl ParticipantChanges {
    /// "name, metadata and permissions": what the update carries, for its result line.
    pub fn summary(&self) -> String {
        let parts: Vec<&str> = [
            (self.name.is_some(), "name"),
            (self.metadata.is_some(), "metadata"),
            (self.attributes.is_some(), "attributes"),
            (self.permission.is_some(), "permissions"),
        ]
        .into_iter()
        .filter_map(|(on, what)| on.then_some(what))
        .collect();
        match parts.as_slice() {
            [] => "nothing".to_owned(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// The permission flags to change; `None` keeps the participant's current value. The
/// backend applies these to the permission the server holds now, so flags no form shows
/// (recorder, agent, metrics, ones newer than this app) survive an edit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionChanges {
    pub can_subscribe: Option<bool>,
    pub can_publish: Option<bool>,
    pub can_publish_data: Option<bool>,
    pub can_update_metadata: Option<bool>,
    /// Empty means all sources.
    pub can_publish_sources: Option<Vec<TrackSource>>,
    pub hidden: Option<bool>,
}

impl PermissionChanges {
    /// The fields of `new` that differ from `old`.
    pub fn between(old: &Permission, new: &Permission) -> Self {
        let diff = |o: bool, n: bool| (o != n).then_some(n);
        let mut old_sources = old.can_publish_sources.clone();
        let mut new_sources = new.can_publish_sources.clone();
        old_sources.sort();
        new_sources.sort();
        Self {
            can_subscribe: diff(old.can_subscribe, new.can_subscribe),
            can_publish: diff(old.can_publish, new.can_publish),
            can_publish_data: diff(old.can_publish_data, new.can_publish_data),
            can_update_metadata: diff(old.can_update_metadata, new.can_update_metadata),
            can_publish_sources: (old_sources != new_sources).then_some(new_sources),
            hidden: diff(old.hidden, new.hidden),
        }
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Every error of a participant update (empty when valid).
pub fn participant_changes(c: &ParticipantChanges) -> Vec<AppError> {
    let mut errors = Vec::new();
    match c.name.as_deref() {
        Some("") => errors.push(invalid(
            "name",
            "LiveKit treats an empty name as \"leave unchanged\", so a name cannot be cleared; \
             enter a new name or put the old one back.",
        )),
        Some(n) if n.chars().any(char::is_control) || n.chars().count() > 256 => {
            errors.push(invalid(
                "name",
                "The name must be at most 256 characters, without control characters.",
            ))
        }
        _ => {}
    }
    match c.metadata.as_deref() {
        Some("") => errors.push(invalid(
            "metadata",
            "LiveKit treats empty metadata as \"leave unchanged\", so metadata cannot be \
             cleared; enter new metadata (for example {}) or put the old one back.",
        )),
        Some(m) => {
            if let Err(e) = metadata_field(m, "metadata") {
                errors.push(e);
            }
        }
        None => {}
    }
    if let Some(a) = &c.attributes {
        if let Err(e) = attributes_field(a, "attributes") {
            errors.push(e);
        }
    }
    let sources = c
        .permission
        .as_ref()
        .and_then(|p| p.can_publish_sources.as_ref());
    if sources.is_some_and(|s| s.contains(&TrackSource::Unknown)) {
        errors.push(invalid(
            "can_publish_sources",
            "A permission can name only camera, microphone, screen_share and screen_share_audio.",
        ));
    }
    errors
}

/// A data message to send into a room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataMessage {
    pub topic: String,
    /// Sent as UTF-8 bytes.
    pub payload: String,
    pub reliable: bool,
    /// Empty means everyone in the room.
    pub destination_identities: Vec<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(ErrorCode::InvalidInput, field, message)
}

/// Every error of a create-room form (empty when valid).
pub fn room_options(o: &RoomOptions) -> Vec<AppError> {
    let mut errors = Vec::new();
    let mut check = |r: Result<(), AppError>| {
        if let Err(e) = r {
            errors.push(e);
        }
    };
    check(name_field(&o.name, "name", "room name"));
    check(metadata_field(&o.metadata, "metadata"));
    check(json_field(&o.egress_json, "egress_json", false));
    check(json_field(&o.agents_json, "agents_json", true));
    if let (Some(min), Some(max)) = (o.min_playout_delay, o.max_playout_delay) {
        if min > max {
            check(Err(invalid(
                "max_playout_delay",
                "The maximum playout delay is below the minimum.",
            )));
        }
    }
    if o.node_id.trim() != o.node_id {
        check(Err(invalid(
            "node_id",
            "The node id has surrounding spaces.",
        )));
    }
    errors
}

/// Every error of a data message (empty when valid).
pub fn data_message(m: &DataMessage) -> Vec<AppError> {
    let mut errors = Vec::new();
    if m.payload.is_empty() {
        errors.push(invalid("payload", "Enter the message to send."));
    } else if m.payload.len() > MAX_DATA_BYTES {
        errors.push(invalid(
            "payload",
            format!(
                "The message is {} bytes; at most {MAX_DATA_BYTES}.",
                m.payload.len()
            ),
        ));
    }
    if m.topic.chars().any(char::is_control) {
        errors.push(invalid("topic", "The topic contains a control character."));
    }
    for id in &m.destination_identities {
        if let Err(e) = name_field(id, "destination_identities", "destination identity") {
            errors.push(e);
            break;
        }
    }
    errors
}

#[cfg(test)]
#[path = "admin_tests.rs"]
mod tests;
