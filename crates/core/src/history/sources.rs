//! What the wallboard's pollers see, as history writes: each room listed (its start from
//! the server's creation time, participants now, recording), each room gone (its end, as
//! the poll that noticed it), and each participant lookup (kinds, and joins with the
//! server's join time). A room watched without webhooks still gets a call with start, end
//! and peak; with webhooks too, the store keeps the earliest start and end (see
//! [`earshot_journal::history`]).

use earshot_journal::history::{CallSeen, HistoryOp, RoomEvent};
use earshot_protocol::admin::ParticipantDetail;
use earshot_protocol::history::{kind_bit, CallSource};
use earshot_protocol::rooms::RoomSummary;

fn seen(project: &str, r: &RoomSummary, now_ms: i64) -> CallSeen {
    CallSeen {
        project: project.to_owned(),
        room: r.name.clone(),
        room_sid: r.sid.clone(),
        started_ms: if r.creation_time > 0 {
            r.creation_time * 1000
        } else {
            now_ms
        },
        ended_ms: None,
        participants: r.num_participants,
        kinds: 0,
        recording: r.active_recording,
        source: CallSource::Poller,
    }
}

/// A room a poll listed.
pub fn room_listed(project: &str, r: &RoomSummary, now_ms: i64) -> HistoryOp {
    HistoryOp::Call(seen(project, r, now_ms))
}

/// A room a poll no longer lists: it ended at the latest now.
pub fn room_gone(project: &str, r: &RoomSummary, now_ms: i64) -> HistoryOp {
    let mut c = seen(project, r, now_ms);
    c.participants = 0;
    c.ended_ms = Some(now_ms);
    HistoryOp::Call(c)
}

/// A room's participants as a lookup found them: the kinds seen and each one's join.
pub fn people_seen(
    project: &str,
    r: &RoomSummary,
    people: &[ParticipantDetail],
    now_ms: i64,
) -> Vec<HistoryOp> {
    let mut c = seen(project, r, now_ms);
    // Hidden participants (listeners, room views) are Earshot's own, not the call's.
    let visible = || people.iter().filter(|p| !p.permission.hidden);
    c.kinds = visible().fold(0, |k, p| k | kind_bit(p.kind));
    let mut ops = vec![HistoryOp::Call(c)];
    ops.extend(visible().map(|p| {
        HistoryOp::Event(RoomEvent {
            project: project.to_owned(),
            room_sid: r.sid.clone(),
            ts_ms: if p.joined_at > 0 {
                p.joined_at * 1000
            } else {
                now_ms
            },
            kind: "participant_joined".into(),
            identity: Some(p.identity.clone()),
            // The participant's sid, as a webhook's join has: one join stored for both.
            subject: p.sid.clone(),
            detail: serde_json::json!({ "name": p.name, "kind": p.kind.label() }).to_string(),
        })
    }));
    ops
}
