//! livekit-protocol's room, participant and track messages as Earshot's DTOs (and the
//! closed sets inside them), and a permission edit applied to the permission the server
//! holds. A leaf: the RoomService calls, agent dispatch and the room view all convert here.

use earshot_protocol::admin::{
    ParticipantDetail, Permission, PermissionChanges, RoomDetail, TrackDetail,
};
use earshot_protocol::agents::AgentDispatchInfo;
use earshot_protocol::rooms::{
    ConnectionQuality, ParticipantKind, ParticipantState, RoomSummary, TrackKind, TrackSource,
};
use earshot_protocol::AppError;
use livekit_protocol as proto;

/// A room as ListRooms reports it: its `num_participants` still counts hidden participants
/// (see [`crate::api::census`], which takes them out).
pub(crate) fn room_summary(room: proto::Room) -> RoomSummary {
    RoomSummary {
        sid: room.sid,
        name: room.name,
        num_participants: room.num_participants,
        num_publishers: room.num_publishers,
        creation_time: room.creation_time,
        active_recording: room.active_recording,
        metadata: room.metadata,
    }
}

pub(crate) fn participant_state(state: i32) -> ParticipantState {
    use proto::participant_info::State;
    match State::try_from(state) {
        Ok(State::Joining) => ParticipantState::Joining,
        Ok(State::Joined) => ParticipantState::Joined,
        Ok(State::Active) => ParticipantState::Active,
        Ok(State::Disconnected) => ParticipantState::Disconnected,
        Err(_) => ParticipantState::Unknown,
    }
}

pub(crate) fn participant_kind(kind: i32) -> ParticipantKind {
    use proto::participant_info::Kind;
    match Kind::try_from(kind) {
        Ok(Kind::Standard) => ParticipantKind::Standard,
        Ok(Kind::Ingress) => ParticipantKind::Ingress,
        Ok(Kind::Egress) => ParticipantKind::Egress,
        Ok(Kind::Sip) => ParticipantKind::Sip,
        Ok(Kind::Agent) => ParticipantKind::Agent,
        _ => ParticipantKind::Other,
    }
}

pub(crate) fn track_kind(kind: i32) -> TrackKind {
    match proto::TrackType::try_from(kind) {
        Ok(proto::TrackType::Audio) => TrackKind::Audio,
        Ok(proto::TrackType::Video) => TrackKind::Video,
        Ok(proto::TrackType::Data) => TrackKind::Data,
        Err(_) => TrackKind::Unknown,
    }
}

pub(crate) fn connection_quality(quality: i32) -> ConnectionQuality {
    match proto::ConnectionQuality::try_from(quality) {
        Ok(proto::ConnectionQuality::Excellent) => ConnectionQuality::Excellent,
        Ok(proto::ConnectionQuality::Good) => ConnectionQuality::Good,
        Ok(proto::ConnectionQuality::Poor) => ConnectionQuality::Poor,
        Ok(proto::ConnectionQuality::Lost) => ConnectionQuality::Lost,
        _ => ConnectionQuality::Unknown,
    }
}

fn track_source(source: i32) -> TrackSource {
    match proto::TrackSource::try_from(source) {
        Ok(proto::TrackSource::Camera) => TrackSource::Camera,
        Ok(proto::TrackSource::Microphone) => TrackSource::Microphone,
        Ok(proto::TrackSource::ScreenShare) => TrackSource::ScreenShare,
        Ok(proto::TrackSource::ScreenShareAudio) => TrackSource::ScreenShareAudio,
        _ => TrackSource::Unknown,
    }
}

fn source_value(source: TrackSource) -> Option<i32> {
    Some(match source {
        TrackSource::Camera => proto::TrackSource::Camera,
        TrackSource::Microphone => proto::TrackSource::Microphone,
        TrackSource::ScreenShare => proto::TrackSource::ScreenShare,
        TrackSource::ScreenShareAudio => proto::TrackSource::ScreenShareAudio,
        TrackSource::Unknown => return None,
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
        current.can_publish_sources = sources.iter().filter_map(|s| source_value(*s)).collect();
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
    let participants: Vec<ParticipantDetail> =
        participants.into_iter().map(participant_detail).collect();
    let (empty_timeout, departure_timeout, max_participants) = (
        info.empty_timeout,
        info.departure_timeout,
        info.max_participants,
    );
    let creation_time_ms = if info.creation_time_ms > 0 {
        info.creation_time_ms
    } else {
        info.creation_time.saturating_mul(1000)
    };
    let mut room = room_summary(info);
    // The count from the list at hand, not ListRooms' (which counts hidden participants).
    room.num_participants = visible_count(&participants);
    RoomDetail {
        empty_timeout,
        departure_timeout,
        max_participants,
        creation_time_ms,
        enabled_codecs,
        agent_dispatches,
        room,
        participants,
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
    TrackDetail {
        kind: track_kind(t.r#type),
        source: track_source(t.source),
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

/// The participant as ListParticipants reports it.
// `recorder` and `agent` are deprecated in the protocol (the participant kind replaces
// them) but servers still report them.
#[allow(deprecated)]
pub(crate) fn participant_detail(p: proto::ParticipantInfo) -> ParticipantDetail {
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
                .map(|s| track_source(*s))
                .collect(),
            hidden: perm.hidden,
            recorder: perm.recorder,
            agent: perm.agent,
            can_subscribe_metrics: perm.can_subscribe_metrics,
        })
        .unwrap_or_default();
    ParticipantDetail {
        kind: participant_kind(p.kind),
        state: participant_state(p.state),
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

/// Whether ListRooms' `num_participants` includes `p` (livekit-server leaves out agents
/// and recorders, which depend on the room, and nothing else).
fn server_counts(p: &ParticipantDetail) -> bool {
    let dependent = matches!(p.kind, ParticipantKind::Agent | ParticipantKind::Egress)
        || p.permission.agent
        || p.permission.recorder;
    !dependent
}

/// Hidden participants that ListRooms' `num_participants` counts anyway: Earshot's
/// listeners and room views, a colleague's, a hidden `lk` join. Nobody in the room sees
/// them, so they are no participants a supervisor should count.
pub(crate) fn hidden_counted(people: &[ParticipantDetail]) -> u32 {
    people
        .iter()
        .filter(|p| p.permission.hidden && server_counts(p))
        .count() as u32
}

/// The participants a room's count shows: the ones the server counts, without hidden ones.
pub(crate) fn visible_count(people: &[ParticipantDetail]) -> u32 {
    people
        .iter()
        .filter(|p| !p.permission.hidden && server_counts(p))
        .count() as u32
}
