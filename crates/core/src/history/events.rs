//! A verified LiveKit webhook event turned into history writes: the call's row (start,
//! end, participants, kinds, recording) and a timeline event.
//!
//! Times: webhook events carry `created_at` in whole seconds. Where the payload has a
//! millisecond time it is used (a room's `creation_time_ms`, a participant's
//! `joined_at_ms`); otherwise the receive time is used, clamped into the event's second,
//! so a leave sorts after a join in the same second while staying within that second of
//! the truth however late the request came.

use crate::api::rooms_convert::{participant_kind, track_kind};
use earshot_journal::history::{CallSeen, HistoryOp, RoomEvent};
use earshot_protocol::history::{kind_bit, CallSource};
use livekit_protocol as proto;
use std::collections::{HashMap, HashSet};

/// Rooms whose participants are tracked at once; past this the oldest entries go (a
/// server sending joins for rooms that never finish must not grow memory without end).
const MAX_ROOMS: usize = 10_000;

/// The participants in each live room as the webhooks told it, for the peak count.
#[derive(Default)]
pub struct Presence {
    rooms: HashMap<(String, String), HashSet<String>>,
}

impl Presence {
    fn joined(&mut self, key: (String, String), participant: &str) -> u32 {
        if self.rooms.len() >= MAX_ROOMS && !self.rooms.contains_key(&key) {
            self.rooms.clear();
        }
        let set = self.rooms.entry(key).or_default();
        set.insert(participant.to_owned());
        set.len() as u32
    }

    fn left(&mut self, key: &(String, String), participant: &str) -> u32 {
        match self.rooms.get_mut(key) {
            Some(set) => {
                set.remove(participant);
                set.len() as u32
            }
            None => 0,
        }
    }

    fn finished(&mut self, key: &(String, String)) {
        self.rooms.remove(key);
    }
}

/// The history writes for `ev`, received at `now_ms`, for `project`.
pub fn ops(
    project: &str,
    ev: &proto::WebhookEvent,
    now_ms: i64,
    presence: &mut Presence,
) -> Vec<HistoryOp> {
    let at = event_time(ev.created_at, now_ms);
    let (room_name, room_sid) = match (&ev.room, &ev.egress_info) {
        (Some(r), _) if !r.sid.is_empty() => (r.name.clone(), r.sid.clone()),
        (_, Some(e)) if !e.room_id.is_empty() => (e.room_name.clone(), e.room_id.clone()),
        _ => return Vec::new(),
    };
    let key = (project.to_owned(), room_sid.clone());
    let started_ms = ev
        .room
        .as_ref()
        .map(|r| match r.creation_time_ms {
            0 => r.creation_time * 1000,
            ms => ms,
        })
        .filter(|ms| *ms > 0)
        .unwrap_or(at);
    let mut call = CallSeen {
        project: project.to_owned(),
        room: room_name,
        room_sid: room_sid.clone(),
        started_ms,
        ended_ms: None,
        participants: ev.room.as_ref().map_or(0, |r| r.num_participants),
        kinds: 0,
        recording: ev.room.as_ref().is_some_and(|r| r.active_recording),
        source: CallSource::Webhook,
    };
    let mut event = RoomEvent {
        project: project.to_owned(),
        room_sid,
        ts_ms: at,
        kind: ev.event.clone(),
        identity: None,
        subject: String::new(),
        detail: "{}".into(),
    };
    let p = ev.participant.as_ref();
    if let Some(p) = p {
        event.identity = Some(p.identity.clone());
        event.subject = p.sid.clone();
        call.kinds = kind_bit(participant_kind(p.kind));
    }
    match ev.event.as_str() {
        "room_started" => event.ts_ms = started_ms,
        "room_finished" => {
            call.ended_ms = Some(at);
            presence.finished(&key);
        }
        "participant_joined" => {
            if let Some(p) = p {
                if p.joined_at_ms > 0 {
                    event.ts_ms = p.joined_at_ms;
                }
                let here = presence.joined(key, &p.sid);
                call.participants = call.participants.max(here);
                event.detail = serde_json::json!({
                    "name": p.name,
                    "kind": participant_kind(p.kind).label(),
                })
                .to_string();
            }
        }
        "participant_left" | "participant_connection_aborted" => {
            if let Some(p) = p {
                presence.left(&key, &p.sid);
            }
            // The room's count in a leave still includes the one leaving.
            call.participants = 0;
        }
        "track_published" | "track_unpublished" => {
            if let Some(t) = &ev.track {
                event.subject = t.sid.clone();
                event.detail = serde_json::json!({
                    "track": t.sid,
                    "name": t.name,
                    "kind": track_kind(t.r#type).label(),
                })
                .to_string();
            }
        }
        "egress_started" | "egress_updated" | "egress_ended" => {
            if let Some(e) = &ev.egress_info {
                let status = proto::EgressStatus::try_from(e.status)
                    .map(|s| s.as_str_name().to_owned())
                    .unwrap_or_else(|_| e.status.to_string());
                event.subject = format!("{}:{status}", e.egress_id);
                event.detail =
                    serde_json::json!({ "egress": e.egress_id, "status": status }).to_string();
                call.recording = true;
            }
        }
        // Ingress and agent-job events name a room too; their time in the timeline is kept.
        _ => event.subject = ev.id.clone(),
    }
    vec![HistoryOp::Call(call), HistoryOp::Event(event)]
}

/// The receive time clamped into the event's second (see the module docs).
fn event_time(created_at_s: i64, now_ms: i64) -> i64 {
    if created_at_s <= 0 {
        return now_ms;
    }
    now_ms.clamp(created_at_s * 1000, created_at_s * 1000 + 999)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receive_time_stays_in_the_events_second() {
        assert_eq!(event_time(10, 10_250), 10_250);
        assert_eq!(event_time(10, 99_000), 10_999, "late delivery");
        assert_eq!(event_time(10, 9_000), 10_000, "clock behind");
        assert_eq!(event_time(0, 5), 5);
    }

    #[test]
    fn joins_count_toward_the_peak_and_leaves_do_not() {
        let room = proto::Room {
            sid: "RM_1".into(),
            name: "r".into(),
            creation_time_ms: 1_000,
            ..Default::default()
        };
        let mut presence = Presence::default();
        let mut ev = proto::WebhookEvent {
            event: "participant_joined".into(),
            room: Some(room),
            created_at: 2,
            ..Default::default()
        };
        let mut peak = 0;
        for sid in ["PA_a", "PA_b", "PA_a"] {
            ev.participant = Some(proto::ParticipantInfo {
                sid: sid.into(),
                identity: sid.into(),
                ..Default::default()
            });
            if let HistoryOp::Call(c) = &ops("p", &ev, 2_100, &mut presence)[0] {
                peak = peak.max(c.participants);
                assert_eq!(c.started_ms, 1_000);
            }
        }
        assert_eq!(peak, 2, "a repeated join is one participant");
    }
}
