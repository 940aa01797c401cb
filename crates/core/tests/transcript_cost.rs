//! The cost of following transcripts in 20 rooms at once (16 followed wallboard rows, the
//! most there may be, and 4 open room views): this process's CPU and RSS while each room's
//! agent (a Python SDK peer) sends a final line every 500 ms, against the same window with
//! nothing followed. Ignored by default (20 peers are heavy on a shared machine); run with
//! `cargo test -p earshot-core --test transcript_cost -- --ignored --nocapture`.

mod common;

use earshot_core::protocol::room_view::RoomView;
use earshot_core::protocol::transcript::{TranscriptDrops, TranscriptLine};
use earshot_core::protocol::wallboard::{Alert, WallEvent, WallRoomRef, MAX_FOLLOWED};
use earshot_core::room_view::RoomViewSink;
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counts the lines that came out of core, from rows and views alike.
#[derive(Default)]
struct Lines(AtomicU64);

impl WallSink for Lines {
    fn event(&self, event: &WallEvent) -> bool {
        if matches!(event, WallEvent::Live(l) if l.last_line.is_some()) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        true
    }
    fn notify(&self, _alert: &Alert) {}
}

impl RoomViewSink for Lines {
    fn view(&self, _view: &RoomView) -> bool {
        true
    }
    fn transcript(&self, _session: u64, _line: &TranscriptLine, _drops: TranscriptDrops) -> bool {
        self.0.fetch_add(1, Ordering::Relaxed);
        true
    }
}

/// (CPU seconds used by this process so far, RSS in MiB).
fn usage() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    (ticks / 100.0, rss_kib / 1024.0)
}

/// Runs the agents' lines for `window` and returns this process's CPU share and RSS.
async fn measure(agents: &mut [Peer], window: Duration) -> (f64, f64) {
    let (cpu0, _) = usage();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < window {
        for (i, agent) in agents.iter_mut().enumerate() {
            let line = json!({
                "op": "stream",
                "attributes": {"lk.segment_id": format!("SG_{i}_{n}"), "lk.transcription_final": "true"},
                "chunks": [format!("agent {i} says line {n} of the measurement")],
            });
            tokio::task::block_in_place(|| agent.command(line)).expect("line");
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (cpu1, rss) = usage();
    ((cpu1 - cpu0) / started.elapsed().as_secs_f64() * 100.0, rss)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "20 Python peers: run on its own (see the module docs)"]
async fn following_transcripts_in_20_rooms_costs() {
    let bed = livekit();
    let app = Arc::new(common::bed_app().await);
    let project = app.projects().list_projects().projects[0].id.clone();
    let handle = app.projects().default_handle().await.expect("project");
    let lines = Arc::new(Lines::default());
    app.wallboard().attach(lines.clone());
    let rooms: Vec<String> = (0..20).map(|_| unique_room("cost")).collect();
    let mut agents = Vec::new();
    for room in &rooms {
        let agent = tokio::task::block_in_place(|| {
            Peer::join(
                bed,
                room,
                "agent",
                PeerOptions {
                    agent: true,
                    commands: true,
                    attributes: vec![("lk.agent.state".into(), "listening".into())],
                    ..Default::default()
                },
            )
        })
        .expect("agent");
        agents.push(agent);
    }
    let window = Duration::from_secs(10);
    let (idle_cpu, idle_rss) = measure(&mut agents, window).await;
    app.wallboard()
        .follow(
            rooms[..MAX_FOLLOWED]
                .iter()
                .map(|room| WallRoomRef {
                    project: project.clone(),
                    room: room.clone(),
                })
                .collect(),
        )
        .expect("follow");
    for room in &rooms[MAX_FOLLOWED..] {
        app.wallboard()
            .open_room_view(&handle, room, lines.clone())
            .await
            .expect("view");
    }
    while app.wallboard().followed().len() < MAX_FOLLOWED {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = lines.0.load(Ordering::Relaxed);
    let (cpu, rss) = measure(&mut agents, window).await;
    let got = lines.0.load(Ordering::Relaxed) - before;
    println!(
        "20 rooms, a final line each every 500 ms: {got} events with a line out of core in {window:?} (debug build); \
         CPU {cpu:.1} % of one core (nothing followed: {idle_cpu:.1} %), \
         RSS {rss:.0} MiB (nothing followed: {idle_rss:.0} MiB)"
    );
    assert!(got >= 20 * 15, "lines came out of core: {got}");
}
