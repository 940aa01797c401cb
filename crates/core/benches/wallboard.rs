//! Wallboard benchmark: refresh + diff at 10,000 rooms / 50,000 participants from a
//! SYNTHETIC ListRooms generator (no server involved), then a real-server run with 200 rooms
//! the bench creates on the test-bed livekit-server.
//!
//! `cargo bench -p earshot-core --bench wallboard` (the real-server part needs the test bed:
//! livekit-server and redis from scripts/setup.sh).

use earshot_core::protocol::admin::RoomOptions;
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::rooms::RoomSummary;
use earshot_core::protocol::wallboard::{WallDelta, WallEvent, WallRoom};
use earshot_core::protocol::SecretInput;
use earshot_core::settings::MemorySettings;
use earshot_core::vault::{MemoryStore, Vault};
use earshot_core::wallboard::board::{synthetic_room, Board};
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROOMS: usize = 10_000;
const PARTICIPANTS_PER_ROOM: u32 = 5;
const RUNS: usize = 30;

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// A synthetic answer: every room with 5 participants, except that in run `run` one room in
/// every `ROOMS / changed` has 1 or 2 more (alternating by run, so each run differs from the
/// last in about `changed` to `2 × changed` rooms).
fn synthetic_answer(run: usize, changed: usize) -> Vec<WallRoom> {
    let step = ROOMS / changed.max(1);
    (0..ROOMS)
        .map(|i| {
            let extra = if changed > 0 && i % step == run % step {
                1 + (run % 2) as u32
            } else {
                0
            };
            synthetic_room("synthetic", i, PARTICIPANTS_PER_ROOM + extra)
        })
        .collect()
}

fn synthetic(label: &str, changed: usize) {
    let mut board = Board::default();
    board.apply("synthetic", synthetic_answer(0, 0));
    let mut times = Vec::new();
    let mut bytes = 0;
    for run in 1..=RUNS {
        let fresh = synthetic_answer(run, changed);
        let started = Instant::now();
        let diff = board.apply("synthetic", fresh);
        // What travels to the UI: the delta as JSON.
        let delta = WallEvent::Delta(WallDelta {
            project: "synthetic".into(),
            upserts: diff
                .added
                .iter()
                .cloned()
                .chain(diff.changed.iter().map(|(_, r)| r.clone()))
                .collect(),
            removed: diff.removed.iter().map(|r| r.room.sid.clone()).collect(),
            health: earshot_core::protocol::wallboard::ProjectHealth {
                project: "synthetic".into(),
                name: "synthetic".into(),
                state: earshot_core::protocol::wallboard::PollState::Ok,
                rtt_ms: Some(1),
                last_error: None,
                last_ok_ms: Some(0),
                next_in_ms: 2000,
                requests: run as u64,
                failures: 0,
            },
            at_ms: 0,
        });
        let json = serde_json::to_string(&delta).expect("json");
        times.push(started.elapsed());
        bytes = json.len();
    }
    times.sort();
    println!(
        "synthetic {ROOMS} rooms / {} participants, {label}: refresh + diff + delta JSON p50 {:?} p95 {:?} max {:?} (target <= 200 ms; delta {bytes} B)",
        ROOMS as u32 * PARTICIPANTS_PER_ROOM,
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1],
    );
}

fn main() -> anyhow::Result<()> {
    synthetic("nothing changed", 0);
    synthetic("100-200 rooms changed", 100);
    synthetic("every room changed", ROOMS);

    // Real server: 200 rooms, polled by the real poller path (ListRooms + diff).
    let bed = livekit();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let app = Earshot::new(
            Arc::new(MemorySettings::default()),
            Vault::new(MemoryStore::default()),
        );
        app.projects()
            .add_project(
                ProjectInput {
                    name: "bed".into(),
                    url: bed.ws_url.clone(),
                    api_key: bed.api_key.clone(),
                    api_secret: SecretInput::new(bed.api_secret.clone()),
                    allow_plaintext: false,
                    guardrails: Default::default(),
                },
                true,
            )
            .await?;
        let prefix = unique_room("bench-wall");
        let created = Instant::now();
        for i in 0..200 {
            earshot_core::admin::create_room(
                &app.projects().default_handle().await.expect("project"),
                &RoomOptions {
                    name: format!("{prefix}-{i:03}"),
                    empty_timeout: Some(120),
                    ..Default::default()
                },
            )
            .await?;
        }
        println!("real server: created 200 rooms in {:?}", created.elapsed());
        let api = app.projects().default_handle().await?.api;
        let mut board = Board::default();
        let mut times = Vec::new();
        let mut counts = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let rooms = api.list_rooms(earshot_core::api::RetryPolicy::NONE).await?;
            let fresh: Vec<WallRoom> = rooms
                .into_iter()
                .map(|r| WallRoom {
                    project: "bed".into(),
                    room: RoomSummary {
                        metadata: String::new(),
                        ..r
                    },
                    listeners: None,
                })
                .collect();
            counts.push(fresh.len());
            board.apply("bed", fresh);
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "real server, {} rooms: ListRooms + diff p50 {:?} p95 {:?}",
            counts[0],
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        for i in 0..200 {
            let _ = earshot_core::admin::delete_room(
                &app.projects().default_handle().await.expect("project"),
                &format!("{prefix}-{i:03}"),
            )
            .await;
        }
        anyhow::Ok(())
    })
}
