//! A real SQLite file in trouble: another program holding its write lock, and a database
//! that cannot grow (`PRAGMA max_page_count`, a real SQLITE_FULL). In both, recording goes
//! on without waiting, the health names the condition, what was written stays, and the
//! held batch goes in once the condition clears.

use anyhow::{bail, Result};
use earshot_journal::{
    AuditAction, AuditFilter, ChainKey, ChainState, Journal, JournalConfig, Location, NewEntry,
};
use std::path::Path;
use std::time::{Duration, Instant};

fn entry(i: usize, detail_len: usize) -> NewEntry {
    let mut e = NewEntry::new(AuditAction::ListenSession);
    e.room = Some(format!("room-{i}"));
    e.detail = serde_json::json!({ "i": i, "pad": "x".repeat(detail_len) });
    e
}

async fn open(path: &Path) -> Result<Journal> {
    Ok(Journal::open(JournalConfig {
        location: Location::Sqlite(path.to_owned()),
        installation: "inst-a".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await?)
}

/// Records `range`, asserting no call waits (a waiting call would take a write's time).
fn record_without_waiting(j: &Journal, range: std::ops::Range<usize>, detail_len: usize) {
    for i in range {
        let t = Instant::now();
        j.record(entry(i, detail_len));
        let took = t.elapsed();
        assert!(
            took < Duration::from_millis(50),
            "record {i} waited {took:?}"
        );
    }
}

/// Waits until the health shows an error containing `needle`.
async fn failing_with(j: &Journal, needle: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(e) = j.health().last_error {
            if e.contains(needle) {
                return Ok(e);
            }
        }
        if Instant::now() > deadline {
            bail!("health never reported {needle:?}: {:?}", j.health());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the health shows `n` entries held in memory.
async fn holding(j: &Journal, n: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = j.health();
        if h.held == n && h.last_error.is_some() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{n} entries were not held: {h:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `n` entries are written and the error is gone.
async fn recovered(j: &Journal, n: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = j.health();
        if h.last_error.is_none() && h.written == n && h.held == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the held batch was not written: {h:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn rooms(j: &Journal) -> Result<Vec<String>> {
    let page = j
        .query(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await?;
    Ok(page
        .entries
        .into_iter()
        .rev()
        .filter_map(|e| e.room)
        .collect())
}

fn rooms_upto(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("room-{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_database_holds_the_batch_until_released() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("journal.sqlite");
    let j = open(&path).await?;
    record_without_waiting(&j, 0..10, 10);
    j.flush().await?;

    // Another program takes the write lock and keeps it.
    let other = rusqlite::Connection::open(&path)?;
    other.execute_batch("BEGIN EXCLUSIVE")?;
    record_without_waiting(&j, 10..30, 10);
    let err = failing_with(&j, "locked").await?;
    assert!(err.contains("locked by another program"), "{err}");
    holding(&j, 20).await?;
    assert!(j.flush().await.is_err(), "a flush reports the failure");
    // More keeps coming while it is locked; what was written is still readable.
    record_without_waiting(&j, 30..40, 10);
    assert_eq!(rooms(&j).await?, rooms_upto(10));

    other.execute_batch("COMMIT")?;
    drop(other);
    recovered(&j, 40).await?;
    assert_eq!(rooms(&j).await?, rooms_upto(40), "each once, in order");
    let report = j.verify_chain("inst-a").await?;
    assert_eq!((report.checked, report.state), (40, ChainState::Intact));
    j.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_database_holds_the_batch_until_it_can_grow() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("journal.sqlite");
    let j = open(&path).await?;
    record_without_waiting(&j, 0..10, 10);
    j.flush().await?;

    // The writer's connection may not grow the file past its present size: the next
    // batch needs new pages and SQLite answers SQLITE_FULL, as on a full disk.
    j.tamper("PRAGMA max_page_count = 1").await?;
    record_without_waiting(&j, 10..60, 4000);
    let err = failing_with(&j, "full").await?;
    assert!(err.contains("disk is full"), "{err}");
    holding(&j, 50).await?;
    record_without_waiting(&j, 60..70, 10);
    assert_eq!(rooms(&j).await?, rooms_upto(10), "nothing written is lost");

    // Space again (as when the user frees some): the held batch goes in.
    j.tamper("PRAGMA max_page_count = 1073741823").await?;
    recovered(&j, 70).await?;
    assert_eq!(rooms(&j).await?, rooms_upto(70), "each once, in order");
    let report = j.verify_chain("inst-a").await?;
    assert_eq!((report.checked, report.state), (70, ChainState::Intact));
    j.close().await;
    drop(j);

    // And the file, opened afresh, holds all of it.
    let again = rusqlite::Connection::open(&path)?;
    let n: i64 = again.query_row("SELECT count(*) FROM audit_entries", [], |r| r.get(0))?;
    assert_eq!(n, 70);
    Ok(())
}
