//! Journal figures on both stores (printed, no pass/fail): audit insert rate through the
//! writer (batched), a filtered Audit page at 1,000,000 stored events, the database size
//! per million events, and a full verify. `EARSHOT_JOURNAL_BENCH_EVENTS` changes the count;
//! `EARSHOT_JOURNAL_BENCH_STORES=sqlite` (or `postgres`) runs one store.

use anyhow::Result;
use earshot_journal::{
    AuditAction, AuditFilter, ChainKey, Journal, JournalConfig, Location, NewEntry,
};
use std::time::Instant;

fn entry(i: usize) -> NewEntry {
    const ACTIONS: [AuditAction; 6] = [
        AuditAction::ListenSession,
        AuditAction::RoomViewSession,
        AuditAction::TokenBuild,
        AuditAction::ParticipantMute,
        AuditAction::RoomCreate,
        AuditAction::DataMessage,
    ];
    let mut e = NewEntry::new(ACTIONS[i % ACTIONS.len()]);
    e.ts_ms = 1_700_000_000_000 + (i as i64) * 250;
    e.project = Some(format!("project-{}", i % 20));
    e.server_url = Some(format!("wss://project-{}.example.com", i % 20));
    e.room = Some(format!("support-{}", i % 5000));
    e.supervisor = Some(format!("supervisor-{}", i % 50));
    e.os_user = Some("agent".into());
    e.identity = Some(format!("earshot-listener:supervisor-{}:{i:016x}", i % 50));
    e.detail = serde_json::json!({ "duration_ms": i % 600_000, "end_reason": "left" });
    e
}

async fn run(name: &str, location: Location, events: usize) -> Result<()> {
    let j = Journal::open(JournalConfig {
        location,
        installation: "bench".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await?;
    let t = Instant::now();
    let mut i = 0;
    while i < events {
        // Half the queue at a time, so nothing is dropped and the writer stays busy.
        let end = (i + earshot_journal::QUEUE / 2).min(events);
        for k in i..end {
            j.record(entry(k));
        }
        j.flush().await?;
        i = end;
    }
    let secs = t.elapsed().as_secs_f64();
    let h = j.health();
    println!(
        "{name}: insert {:.0} events/s ({events} events in {secs:.1} s, {} dropped)",
        events as f64 / secs,
        h.dropped
    );
    let filters = [
        (
            "project+action, newest 50",
            AuditFilter {
                project: Some("project-8".into()),
                action: Some(AuditAction::ListenSession),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "room, newest 50",
            AuditFilter {
                room: Some("support-1234".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "supervisor + one hour, 50",
            AuditFilter {
                supervisor: Some("supervisor-3".into()),
                from_ms: Some(1_700_000_000_000 + (events as i64 / 2) * 250),
                to_ms: Some(1_700_000_000_000 + (events as i64 / 2) * 250 + 3_600_000),
                limit: 50,
                ..Default::default()
            },
        ),
    ];
    for (label, f) in filters {
        j.query(&f).await?; // warm
        let runs = 20;
        let t = Instant::now();
        let mut rows = 0;
        for _ in 0..runs {
            rows = j.query(&f).await?.entries.len();
        }
        println!(
            "{name}: page '{label}': {:.2} ms ({rows} rows, mean of {runs})",
            t.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    }
    let size = j.size_bytes().await?;
    println!(
        "{name}: size {:.0} MB per million events ({:.1} MB for {events})",
        size as f64 / 1e6 * 1e6 / events as f64,
        size as f64 / 1e6
    );
    let t = Instant::now();
    let report = j.verify_chain("bench").await?;
    println!(
        "{name}: verify {} entries in {:.1} s: {:?}",
        report.checked,
        t.elapsed().as_secs_f64(),
        report.state
    );
    j.close().await;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let events: usize = std::env::var("EARSHOT_JOURNAL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let stores = std::env::var("EARSHOT_JOURNAL_BENCH_STORES").unwrap_or_default();
    let wanted = |s: &str| stores.is_empty() || stores.split(',').any(|w| w.trim() == s);
    let dir = tempfile::tempdir()?;
    if wanted("sqlite") {
        run(
            "sqlite",
            Location::Sqlite(dir.path().join("journal.sqlite")),
            events,
        )
        .await?;
    }
    if wanted("postgres") {
        let url = earshot_testbed::postgres().fresh_database("bench")?;
        run(
            "postgres",
            Location::Postgres {
                url,
                password: None,
            },
            events,
        )
        .await?;
    }
    Ok(())
}
