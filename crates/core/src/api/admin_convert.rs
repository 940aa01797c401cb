//! Conversions between livekit-protocol's room and participant messages and Earshot's DTOs,
//! and applying a permission edit to the permission the server holds.

use earshot_protocol::admin::{
    ParticipantDetail, Permission, PermissionChanges, RoomDetail, TrackDetail,
};
use earshot_protocol::agents::AgentDispatchInfo;
use earshot_protocol::AppError;
use livekit_protocol as proto;

pub(crate) fn source_name(source: i32) -> &'static str {
    match proto::TrackSource::try_from(source) {
        Ok(proto::TrackSource::Camera) => "camera",
        Ok(proto::TrackSource::Microphone) => "microphone",
        Ok(proto::TrackSource::ScreenShare) => "screen_share",
        Ok(proto::TrackSource::ScreenShareAudio) => "screen_share_audio",
        _ => "unknown",
    }
}

fn source_value(name: &str) -> Option<i32> {
    Some(match name {
        "camera" => proto::TrackSource::Camera,
        "microphone" => proto::TrackSource::Microphone,
        "screen_share" => proto::TrackSource::ScreenShare,
        "screen_share_audio" => proto::TrackSource::ScreenShareAudio,
        _ => return None,
    } as i32)
}

/// `current` with the edited flags of `changes` applied; every other flag, including ones
/// this app does not know, is kept as the server has it.
pub(crate) fn apply_permission(
    mut current: proto::ParticipantPermission,
    changes: &PermissionChanges,
) -> proto::ParticipantPermission {
    let set = |field: &mut bool, value: Option<bool>| {
        if let Some(v) = value {
            *field = v;
        }
    };
    set(&mut current.can_subscribe, changes.can_subscribe);
    set(&mut current.can_publish, changes.can_publish);
    set(&mut current.can_publish_data, changes.can_publish_data);
    set(
        &mut current.can_update_metadata,
        changes.can_update_metadata,
    );
    set(&mut current.hidden, changes.hidden);
    if let Some(sources) = &changes.can_publish_sources {
        current.can_publish_sources = sources.iter().filter_map(|s| source_value(s)).collect();
    }
    current
}

/// The room's fields as the detail shows them; `turn_password` is a secret and stays here.
pub(crate) fn room_detail(
    info: proto::Room,
    agent_dispatches: Result<Vec<AgentDispatchInfo>, AppError>,
    participants: Vec<proto::ParticipantInfo>,
) -> RoomDetail {
    let enabled_codecs = info
        .enabled_codecs
        .iter()
        .map(|c| {
            if c.fmtp_line.is_empty() {
                c.mime.clone()
            } else {
                format!("{} {}", c.mime, c.fmtp_line)
            }
        })
        .collect();
    RoomDetail {
        empty_timeout: info.empty_timeout,
        departure_timeout: info.departure_timeout,
        max_participants: info.max_participants,
        creation_time_ms: if info.creation_time_ms > 0 {
            info.creation_time_ms
        } else {
            info.creation_time.saturating_mul(1000)
        },
        enabled_codecs,
        agent_dispatches,
        room: super::rooms::room_summary(info),
        participants: participants.into_iter().map(participant_detail).collect(),
    }
}

// Newer servers describe simulcast layers per codec; older ones in the deprecated fields.
#[allow(deprecated)]
pub(crate) fn track_detail(t: proto::TrackInfo) -> TrackDetail {
    let mut layers: Vec<&proto::VideoLayer> =
        t.codecs.iter().flat_map(|c| c.layers.iter()).collect();
    if layers.is_empty() {
        layers = t.layers.iter().collect();
    }
    let layers: Vec<String> = layers
        .into_iter()
        .map(|l| {
            let quality = proto::VideoQuality::try_from(l.quality)
                .map(|q| q.as_str_name().to_ascii_lowercase())
                .unwrap_or_else(|_| "unknown".into());
            format!("{quality} {}x{}", l.width, l.height)
        })
        .collect();
    let kind = match proto::TrackType::try_from(t.r#type) {
        Ok(proto::TrackType::Audio) => "audio",
        Ok(proto::TrackType::Video) => "video",
        Ok(proto::TrackType::Data) => "data",
        Err(_) => "unknown",
    };
    TrackDetail {
        kind: kind.to_owned(),
        source: source_name(t.source).to_owned(),
        simulcast: t.simulcast || layers.len() > 1,
        layers,
        sid: t.sid,
        name: t.name,
        muted: t.muted,
        mime_type: t.mime_type,
        width: t.width,
        height: t.height,
    }
}

/// The participant as the room detail shows it.
// `recorder` and `agent` are deprecated in the protocol (the participant kind replaces
// them) but servers still report them.
#[allow(deprecated)]
pub fn participant_detail(p: proto::ParticipantInfo) -> ParticipantDetail {
    let kind = match proto::participant_info::Kind::try_from(p.kind) {
        Ok(proto::participant_info::Kind::Ingress) => "ingress",
        Ok(proto::participant_info::Kind::Egress) => "egress",
        Ok(proto::participant_info::Kind::Sip) => "sip",
        Ok(proto::participant_info::Kind::Agent) => "agent",
        _ => "standard",
    };
    let state = super::rooms::state_name(p.state);
    let permission = p
        .permission
        .as_ref()
        .map(|perm| Permission {
            can_subscribe: perm.can_subscribe,
            can_publish: perm.can_publish,
            can_publish_data: perm.can_publish_data,
            can_update_metadata: perm.can_update_metadata,
            can_publish_sources: perm
                .can_publish_sources
                .iter()
                .map(|s| source_name(*s).to_owned())
                .collect(),
            hidden: perm.hidden,
            recorder: perm.recorder,
            agent: perm.agent,
            can_subscribe_metrics: perm.can_subscribe_metrics,
        })
        .unwrap_or_default();
    ParticipantDetail {
        kind: kind.to_owned(),
        state: state.to_owned(),
        permission,
        attributes: p.attributes.into_iter().collect(),
        tracks: p.tracks.into_iter().map(track_detail).collect(),
        sid: p.sid,
        identity: p.identity,
        name: p.name,
        joined_at: p.joined_at,
        metadata: p.metadata,
    }
}
