//! What listening costs on the real app: CPU of every Earshot process (the shell and its
//! WebKit web and network processes) while listening to 2 rooms × 2 tone speakers with the
//! Listen page shown, and while idle on the Rooms page. Read from /proc (utime + stime of
//! each process, summed) over a fixed window; the test harness's own processes
//! (tauri-driver, WebKitWebDriver) and the Python callers are left out and named.
//!
//! `cargo bench -p earshot-e2e --bench listen_ui` inside a display and D-Bus session, as
//! scripts/bench.sh runs it. The app is the debug build `./scripts/run.sh` runs, logging at
//! its default level.

#[path = "../tests/common/mod.rs"]
mod common;

use anyhow::{Context, Result};
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long each figure is averaged over (seconds; `EARSHOT_BENCH_WINDOW_S` changes it).
fn window() -> Duration {
    let secs = std::env::var("EARSHOT_BENCH_WINDOW_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(secs)
}
/// Infrastructure that drives the window, not part of the app.
const HARNESS: [&str; 2] = ["tauri-driver", "WebKitWebDriver"];

/// Clock ticks per second for /proc times (USER_HZ; 100 on Linux everywhere we run).
const TICKS: f64 = 100.0;

fn cpu_ticks(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1.to_owned();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ")": state(0) ppid(1) … utime(11) stime(12).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Percent of one core per process name over [`window`], and the app's total RSS (MiB).
async fn measure(app: &App, what: &str) -> Result<()> {
    let pids: Vec<u32> = app.processes();
    let before: BTreeMap<u32, (String, u64)> = pids
        .iter()
        .filter_map(|p| cpu_ticks(*p).map(|t| (*p, t)))
        .collect();
    eprintln!("measuring {what}: processes {pids:?}");
    let t0 = Instant::now();
    tokio::time::sleep(window()).await;
    let secs = t0.elapsed().as_secs_f64();
    let mut by_name: BTreeMap<String, f64> = BTreeMap::new();
    let mut rss = 0;
    for (pid, (name, start)) in &before {
        let Some((_, end)) = cpu_ticks(*pid) else {
            continue;
        };
        let pct = (end.saturating_sub(*start)) as f64 / TICKS / secs * 100.0;
        *by_name.entry(name.clone()).or_default() += pct;
        if !HARNESS.contains(&name.as_str()) {
            rss += rss_kib(*pid);
        }
    }
    let app_total: f64 = by_name
        .iter()
        .filter(|(n, _)| !HARNESS.contains(&n.as_str()))
        .map(|(_, p)| p)
        .sum();
    let parts: Vec<String> = by_name
        .iter()
        .filter(|(n, _)| !HARNESS.contains(&n.as_str()))
        .map(|(n, p)| format!("{n} {p:.1} %"))
        .collect();
    let harness: Vec<String> = by_name
        .iter()
        .filter(|(n, _)| HARNESS.contains(&n.as_str()))
        .map(|(n, p)| format!("{n} {p:.1} %"))
        .collect();
    println!(
        "{what}: all Earshot processes {app_total:.1} % of one core over {secs:.0} s ({}), RSS {} MiB; harness, not counted: {}",
        parts.join(", "),
        rss / 1024,
        harness.join(", ")
    );
    Ok(())
}

fn tone(hz: f64) -> PeerOptions {
    PeerOptions {
        tone_hz: Some(hz),
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let bed = livekit();
    let rooms = [unique_room("bench-cpu-a"), unique_room("bench-cpu-b")];
    let mut peers = Vec::new();
    for (i, room) in rooms.iter().enumerate() {
        let base = 300.0 + 200.0 * i as f64;
        peers.push(Peer::join(bed, room, "alice", tone(base))?);
        peers.push(Peer::join(bed, room, "bob", tone(base + 110.0))?);
    }
    let app = App::with_bed_project_logging(bed, "info").await?;

    app.click("[data-testid=nav-rooms]").await?;
    for room in &rooms {
        app.wait_css(&format!("[data-testid=room-row][data-room='{room}']"))
            .await?;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    measure(
        &app,
        "idle on the Rooms page (2 live rooms listed, not listening)",
    )
    .await?;

    for room in &rooms {
        app.click("[data-testid=nav-rooms]").await?;
        app.click(&format!(
            "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
        ))
        .await?;
        app.wait_css(&format!(
            "[data-testid=listen-room-card][data-room='{room}'] [data-testid=listen-state][data-state=live]"
        ))
        .await
        .with_context(|| format!("listening to {room}"))?;
    }
    // Hear both: add the first room to the mix beside the focused second one.
    app.click(&format!(
        "[data-testid=listen-room-card][data-room='{}'] [data-testid=listen-mix]",
        rooms[0]
    ))
    .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    measure(
        &app,
        "listening to 2 rooms × 2 speakers, both heard, Listen page shown",
    )
    .await?;

    app.click("[data-testid=nav-rooms]").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    measure(&app, "listening to the same 2 rooms, Rooms page shown").await?;

    app.close().await?;
    drop(peers);
    Ok(())
}
