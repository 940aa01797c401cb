//! A SYNTHETIC wallboard source for benchmarks: with `EARSHOT_SYNTHETIC_WALLBOARD=<rooms>`
//! (e.g. `10000`) a pseudo-project "SYNTHETIC" joins the wallboard whose rooms (5
//! participants each) are generated in memory, not polled from any server; every 2 s about
//! 1 % of them change. It exists to measure the UI's refresh and render path at scale.

use super::shared::{guard, Shared};
use crate::clock::unix_millis;
use earshot_protocol::wallboard::{PollState, ProjectHealth, WallDelta, WallEvent, WallRoom};
use std::sync::Arc;
use std::time::Duration;

/// The pseudo-project's id (no real project can have it: real ids are hex UUIDs).
pub const SYNTHETIC_ID: &str = "synthetic";
const PER_ROOM: u32 = 5;

/// The number of synthetic rooms asked for, if any.
pub fn rooms_from_env() -> Option<usize> {
    std::env::var("EARSHOT_SYNTHETIC_WALLBOARD")
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn answer(rooms: usize, tick: usize) -> Vec<WallRoom> {
    let step = 100;
    (0..rooms)
        .map(|i| {
            let extra = if i % step == tick % step {
                1 + (tick % 2) as u32
            } else {
                0
            };
            let mut room = super::board::synthetic_room(SYNTHETIC_ID, i, PER_ROOM + extra);
            room.listeners = Some(u32::from(i % 17 == 0));
            room
        })
        .collect()
}

/// Feeds the board like a poller would, from generated answers.
pub(crate) async fn run(shared: Arc<Shared>, rooms: usize) {
    let mut health = ProjectHealth {
        project: SYNTHETIC_ID.into(),
        name: format!("SYNTHETIC ({rooms} rooms)"),
        state: PollState::Ok,
        rtt_ms: Some(0),
        last_error: None,
        last_ok_ms: None,
        next_in_ms: 2000,
        requests: 0,
        failures: 0,
    };
    let mut tick = 0usize;
    loop {
        let diff = guard(&shared.board).apply(SYNTHETIC_ID, answer(rooms, tick));
        health.requests += 1;
        health.last_ok_ms = Some(unix_millis());
        guard(&shared.health).insert(SYNTHETIC_ID.into(), health.clone());
        shared.send(WallEvent::Delta(WallDelta {
            project: SYNTHETIC_ID.into(),
            upserts: diff
                .added
                .into_iter()
                .chain(diff.changed.into_iter().map(|(_, r)| r))
                .collect(),
            removed: diff.removed.into_iter().map(|r| r.room.sid).collect(),
            health: health.clone(),
            at_ms: unix_millis(),
        }));
        tick += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
