//! What the wallboard's pollers and room views see, as history writes. Pollers: each room
//! listed (its start from the server's creation time, participants now, recording), each
//! room gone (its end, as the poll that noticed it), and each participant lookup (kinds, and joins with the
//! server's join time). A room watched without webhooks still gets a call with start, end
//! and peak; with webhooks too, the store keeps the earliest start and end (see
//! [`earshot_journal::history`]). Room views: joins and leaves as the view's roster
//! changes, keyed by participant sid like a webhook's, so each is stored once.

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

/// What a room view adds: joins and leaves as its roster changes (`known` holds the
/// roster of the previous view, by participant sid), and the call's participants and
/// kinds now. Nothing for a view that does not know its room's sid.
pub fn view_changed(
    known: &mut std::collections::BTreeMap<String, String>,
    view: &earshot_protocol::room_view::RoomView,
) -> Vec<HistoryOp> {
    use earshot_protocol::room_view::RoomViewState;
    if view.room_sid.is_empty() {
        return Vec::new();
    }
    let live = matches!(view.state, RoomViewState::Live);
    let now: std::collections::BTreeMap<String, String> = if live {
        view.participants
            .iter()
            .map(|p| (p.sid.clone(), p.identity.clone()))
            .collect()
    } else {
        // An ended view says nothing about who left: the room may go on without it.
        return Vec::new();
    };
    let event = |kind: &str, sid: &str, identity: &str, ts_ms: i64| {
        HistoryOp::Event(RoomEvent {
            project: view.project.clone(),
            room_sid: view.room_sid.clone(),
            ts_ms,
            kind: kind.into(),
            identity: Some(identity.to_owned()),
            subject: sid.to_owned(),
            detail: "{}".into(),
        })
    };
    let mut ops = vec![HistoryOp::Call(CallSeen {
        project: view.project.clone(),
        room: view.room.clone(),
        room_sid: view.room_sid.clone(),
        started_ms: view.at_ms,
        ended_ms: None,
        participants: view.participants.len() as u32,
        kinds: view
            .participants
            .iter()
            .fold(0, |k, p| k | kind_bit(p.kind)),
        recording: false,
        source: CallSource::RoomView,
    })];
    for p in view
        .participants
        .iter()
        .filter(|p| !known.contains_key(&p.sid))
    {
        let ts = if p.joined_at_ms > 0 {
            p.joined_at_ms
        } else if p.joined_at > 0 {
            p.joined_at * 1000
        } else {
            view.at_ms
        };
        ops.push(event("participant_joined", &p.sid, &p.identity, ts));
    }
    for (sid, identity) in known.iter().filter(|(sid, _)| !now.contains_key(*sid)) {
        ops.push(event("participant_left", sid, identity, view.at_ms));
    }
    *known = now;
    ops
}
