//! What the server reports about a room, as the room detail lists it: timeouts, limits,
//! creation time, codecs and agent dispatches, and which CreateRoom options it does not
//! report at all (so nobody mistakes a missing line for "not set").

use crate::state::{human_duration, now_ms};
use earshot_protocol::admin::RoomDetail;
use earshot_protocol::tokens::utc_text;
use sycamore::prelude::*;

fn fact(key: &'static str, label: &'static str, value: String) -> View {
    view! {
        div(class="fact", data-testid="room-fact", data-fact=key) {
            span(class="muted") { (label) } " " span(class="mono") { (value) }
        }
    }
}

/// The settings block of the room detail.
pub fn room_settings(d: &RoomDetail) -> View {
    let created_ms = if d.creation_time_ms > 0 {
        d.creation_time_ms
    } else {
        d.room.creation_time * 1000
    };
    let age = human_duration(((now_ms() as i64) - created_ms) / 1000);
    let seconds = |s: u32| {
        if s == 0 {
            "server default".to_owned()
        } else {
            format!("{s} s")
        }
    };
    let agents = match &d.agent_dispatches {
        Ok(list) if list.is_empty() => "none".to_owned(),
        Ok(list) => list
            .iter()
            .map(|a| {
                let name = if a.agent_name.is_empty() {
                    "(any agent)"
                } else {
                    &a.agent_name
                };
                if a.metadata.is_empty() {
                    name.to_owned()
                } else {
                    format!("{name} (metadata {})", a.metadata)
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => format!("could not be listed: {}", e.message),
    };
    let codecs = if d.enabled_codecs.is_empty() {
        "not reported".to_owned()
    } else {
        d.enabled_codecs.join(", ")
    };
    let facts = vec![
        fact("sid", "Room id", d.room.sid.clone()),
        fact(
            "created",
            "Created",
            format!("{} ({age} ago)", utc_text(created_ms / 1000)),
        ),
        fact("participants", "Participants", participants_text(d)),
        fact(
            "max_participants",
            "Max participants",
            if d.max_participants == 0 {
                "unlimited".to_owned()
            } else {
                d.max_participants.to_string()
            },
        ),
        fact("empty_timeout", "Empty timeout", seconds(d.empty_timeout)),
        fact(
            "departure_timeout",
            "Departure timeout",
            seconds(d.departure_timeout),
        ),
        fact(
            "recording",
            "Recording",
            if d.room.active_recording { "yes" } else { "no" }.to_owned(),
        ),
        fact("codecs", "Enabled codecs", codecs),
        fact("agents", "Agent dispatches", agents),
    ];
    view! {
        div(class="facts", data-testid="room-settings") {
            (facts)
            p(class="muted small") {
                "Playout delay, sync streams, auto-egress and the node a room is pinned to are kept by the server but not reported back (ListRooms returns none of them)."
            }
        }
    }
}

/// The room's visible participants (core counts them), and the hidden ones listed below
/// beside them, so the table's extra rows are explained.
fn participants_text(d: &RoomDetail) -> String {
    let visible = d.room.num_participants;
    let hidden = d
        .participants
        .iter()
        .filter(|p| p.permission.hidden)
        .count();
    match hidden {
        0 => visible.to_string(),
        n => format!("{visible} (and {n} hidden)"),
    }
}
