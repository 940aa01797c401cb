//! The journal's suite, run over both stores: SQLite in a temp dir and a real PostgreSQL
//! from the test bed. Tampering is done with SQL straight on the database.

use anyhow::{bail, Context, Result};
use earshot_journal::{
    AuditAction, AuditFilter, ChainKey, ChainState, DbPassword, Journal, JournalConfig, Location,
    NewEntry,
};
use earshot_protocol::audit::BreakReason;
use std::io::BufRead;
use std::time::{Duration, Instant};

mod common;
use common::Bed;

both_stores!(
    records_filters_and_pages,
    edited_row_is_caught,
    deleted_row_is_caught,
    inserted_row_is_caught,
    reordered_rows_are_caught,
    another_key_does_not_verify,
    retention_keeps_the_chain_verifiable,
    reopened_journal_continues_its_chain,
    two_installations_share_one_store,
    recording_never_waits,
);

fn entry(i: usize) -> NewEntry {
    let mut e = NewEntry::new(if i.is_multiple_of(2) {
        AuditAction::RoomCreate
    } else {
        AuditAction::ListenSession
    });
    e.ts_ms = 1_000_000 + i as i64;
    e.project = Some(format!("project-{}", i % 3));
    e.room = Some(format!("room-{}", i % 5));
    e.supervisor = Some(if i.is_multiple_of(4) { "ann" } else { "bob" }.into());
    e.detail = serde_json::json!({ "i": i });
    e
}

async fn journal_with(bed: &Bed, n: usize) -> Result<(Journal, ChainKey)> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    for i in 0..n {
        j.record(entry(i));
    }
    j.flush().await?;
    Ok((j, key))
}

async fn state(j: &Journal) -> Result<ChainState> {
    let reports = j.verify().await?;
    let mine = reports
        .into_iter()
        .find(|r| r.installation == j.installation())
        .context("no report for this installation")?;
    Ok(mine.state)
}

fn broken(seq: i64, reason: BreakReason, s: &ChainState) -> bool {
    matches!(s, ChainState::Broken { seq: got, reason: r, .. } if *got == seq && *r == reason)
}

async fn records_filters_and_pages(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 60).await?;
    let all = j
        .query(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await?;
    assert_eq!(all.entries.len(), 60);
    assert!(!all.more);
    assert_eq!(all.entries[0].seq, 60, "newest first");
    let e = &all.entries[59];
    assert_eq!(
        (e.seq, e.action, e.project.as_deref(), e.detail.as_str()),
        (1, AuditAction::RoomCreate, Some("project-0"), "{\"i\":0}")
    );
    let f = AuditFilter {
        project: Some("project-1".into()),
        room: Some("room-1".into()),
        supervisor: Some("bob".into()),
        action: Some(AuditAction::ListenSession),
        from_ms: Some(1_000_010),
        to_ms: Some(1_000_050),
        limit: 1000,
        ..Default::default()
    };
    let want: Vec<i64> = (10..50)
        .filter(|i| i % 3 == 1 && i % 5 == 1 && i % 4 != 0 && i % 2 == 1)
        .rev()
        .map(|i| i + 1)
        .collect();
    let got: Vec<i64> = j.query(&f).await?.entries.iter().map(|e| e.seq).collect();
    assert_eq!(got, want);
    // Paging: 25 at a time, keyed on the last id.
    let mut seen = 0;
    let mut before = None;
    loop {
        let page = j
            .query(&AuditFilter {
                limit: 25,
                before_id: before,
                ..Default::default()
            })
            .await?;
        seen += page.entries.len();
        before = page.entries.last().map(|e| e.id);
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, 60);
    assert_eq!(state(&j).await?, ChainState::Intact);
    j.close().await;
    Ok(())
}

async fn edited_row_is_caught(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 10).await?;
    assert_eq!(state(&j).await?, ChainState::Intact);
    j.tamper("UPDATE audit_entries SET room = 'elsewhere' WHERE seq = 4")
        .await?;
    let s = state(&j).await?;
    assert!(broken(4, BreakReason::HashMismatch, &s), "{s:?}");
    Ok(())
}

async fn deleted_row_is_caught(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 10).await?;
    j.tamper("DELETE FROM audit_entries WHERE seq = 4").await?;
    let s = state(&j).await?;
    assert!(broken(4, BreakReason::Gap, &s), "{s:?}");
    Ok(())
}

async fn inserted_row_is_caught(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 10).await?;
    // A replayed copy of a genuine row (its own hash is valid) inserted after it.
    j.tamper(
        "INSERT INTO audit_entries (installation, seq, ts_ms, action, outcome, project, \
         server_url, room, supervisor, os_user, identity, detail, prev_hash, hash) \
         SELECT installation, seq, ts_ms, action, outcome, project, server_url, room, \
         supervisor, os_user, identity, detail, prev_hash, hash FROM audit_entries WHERE seq = 4",
    )
    .await?;
    let s = state(&j).await?;
    assert!(broken(5, BreakReason::PrevMismatch, &s), "{s:?}");
    Ok(())
}

async fn reordered_rows_are_caught(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 10).await?;
    j.tamper(
        "UPDATE audit_entries SET seq = CASE seq WHEN 4 THEN 5 ELSE 4 END WHERE seq IN (4, 5)",
    )
    .await?;
    let s = state(&j).await?;
    assert!(broken(4, BreakReason::HashMismatch, &s), "{s:?}");
    Ok(())
}

async fn another_key_does_not_verify(bed: Bed) -> Result<()> {
    let (j, _) = journal_with(&bed, 3).await?;
    j.close().await;
    // Whoever edits the rows and recomputes hashes without the key is in this position.
    let other = bed.open("inst-a", &ChainKey::generate()).await?;
    let s = state(&other).await?;
    assert!(broken(1, BreakReason::HashMismatch, &s), "{s:?}");
    Ok(())
}

async fn retention_keeps_the_chain_verifiable(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    let old = earshot_journal::now_ms() - 100 * 86_400_000;
    for i in 0..30 {
        let mut e = entry(i);
        e.ts_ms = old + i as i64;
        j.record(e);
    }
    for i in 30..40 {
        let mut e = entry(i);
        e.ts_ms = earshot_journal::now_ms();
        j.record(e);
    }
    j.flush().await?;
    assert_eq!(j.prune_by_retention().await?, 30);
    let reports = j.verify().await?;
    assert_eq!(reports.len(), 1);
    assert_eq!((reports[0].pruned, reports[0].checked), (30, 10));
    assert_eq!(reports[0].state, ChainState::Intact);
    // Entries written after pruning link on, also after a restart.
    j.record(entry(40));
    j.close().await;
    let j = bed.open("inst-a", &key).await?;
    j.record(entry(41));
    j.flush().await?;
    assert_eq!(state(&j).await?, ChainState::Intact);
    // A forged anchor (claiming fewer pruned) is caught.
    j.tamper("UPDATE audit_anchors SET seq = 29").await?;
    let s = state(&j).await?;
    assert!(broken(29, BreakReason::AnchorInvalid, &s), "{s:?}");
    Ok(())
}

async fn reopened_journal_continues_its_chain(bed: Bed) -> Result<()> {
    let (j, key) = journal_with(&bed, 5).await?;
    j.close().await;
    let j = bed.open("inst-a", &key).await?;
    j.record(entry(5));
    j.flush().await?;
    let page = j
        .query(&AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await?;
    assert_eq!(page.entries.len(), 6);
    assert_eq!(page.entries[0].seq, 6);
    assert_eq!(state(&j).await?, ChainState::Intact);
    Ok(())
}

async fn two_installations_share_one_store(bed: Bed) -> Result<()> {
    // A team shares one chain key (each member's keychain holds it); each installation
    // writes its own chain, so nobody contends for a chain head.
    let key = ChainKey::generate();
    let a = bed.open("inst-a", &key).await?;
    let b = bed.open("inst-b", &key).await?;
    for i in 0..20usize {
        if i.is_multiple_of(2) { &a } else { &b }.record(entry(i));
    }
    a.flush().await?;
    b.flush().await?;
    let reports = b.verify().await?;
    let names: Vec<_> = reports.iter().map(|r| r.installation.as_str()).collect();
    assert_eq!(names, ["inst-a", "inst-b"]);
    for r in &reports {
        assert_eq!((r.checked, &r.state), (10, &ChainState::Intact), "{r:?}");
    }
    let page = a
        .query(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await?;
    assert_eq!(page.entries.len(), 20);
    Ok(())
}

async fn recording_never_waits(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    let total = 150_000usize;
    let mut took = Vec::with_capacity(total);
    for i in 0..total {
        let t = Instant::now();
        j.record(entry(i));
        took.push(t.elapsed());
    }
    took.sort();
    // The OS may preempt any call; what matters is that calls do not wait for the
    // writer (a waiting send would take as long as a batch write, ~ms, for most calls).
    let p999 = took[total * 999 / 1000];
    j.flush().await?;
    let h = j.health();
    // More than the queue holds, as fast as possible: some may be dropped, none lost
    // silently; the drop is itself journaled.
    let overflow = j
        .query(&AuditFilter {
            action: Some(AuditAction::JournalOverflow),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    let reported: u64 = overflow
        .entries
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .filter_map(|d| d["dropped"].as_u64())
        .sum();
    assert_eq!(reported, h.dropped, "every drop is journaled");
    assert_eq!(
        h.written,
        (total as u64 - h.dropped) + overflow.entries.len() as u64
    );
    assert!(
        p999 < Duration::from_millis(1),
        "99.9 % of records within {p999:?}"
    );
    assert_eq!(state(&j).await?, ChainState::Intact);
    Ok(())
}

#[tokio::test]
async fn corrupt_sqlite_file_is_moved_aside() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("journal.sqlite");
    let garbage = vec![0x5au8; 8192];
    std::fs::write(&path, &garbage)?;
    let j = Journal::open(JournalConfig {
        location: Location::Sqlite(path.clone()),
        installation: "inst-a".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await?;
    let aside = j.health().moved_aside.context("the move is reported")?;
    assert_eq!(
        std::fs::read(&aside)?,
        garbage,
        "the old file is kept as it was"
    );
    j.record(entry(0));
    j.flush().await?;
    assert_eq!(state(&j).await?, ChainState::Intact);
    Ok(())
}

#[tokio::test]
async fn password_never_shows() -> Result<()> {
    let pw = DbPassword::new("hunter2");
    let loc = Location::Postgres {
        url: "postgres://team:hunter2@db.example:5433/earshot".into(),
        password: Some(pw),
    };
    let shown = format!("{} {loc:?}", loc.display());
    assert!(
        shown.contains("postgres://team@db.example:5433/earshot"),
        "{shown}"
    );
    assert!(!shown.contains("hunter2") || shown.matches("hunter2").count() == 1);
    // The URL given in the clear is the caller's to avoid; the password field never prints.
    assert!(format!("{:?}", DbPassword::new("s3cret")).contains("redacted"));
    Ok(())
}

// ---- crash safety: a child process writes, is SIGKILLed mid-batch, the parent checks.

const CHILD_ENV: &str = "EARSHOT_JOURNAL_CRASH_CHILD";

/// The writer process of the crash tests (does nothing unless started by them).
#[tokio::test]
async fn crash_child() -> Result<()> {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return Ok(());
    };
    let (loc, key) = spec.split_once('|').context("bad child spec")?;
    let location = match loc.strip_prefix("sqlite:") {
        Some(p) => Location::Sqlite(p.into()),
        None => Location::Postgres {
            url: loc.into(),
            password: None,
        },
    };
    let j = Journal::open(JournalConfig {
        location,
        installation: "crashy".into(),
        key: ChainKey::from_hex(key).context("bad key")?,
        retention_days: 0,
    })
    .await?;
    let mut i = 0usize;
    loop {
        // Flushed batches are reported; then more is recorded without waiting.
        for _ in 0..2_000 {
            j.record(entry(i));
            i += 1;
        }
        j.flush().await?;
        println!("flushed {i}");
        for _ in 0..500 {
            j.record(entry(i));
            i += 1;
        }
        tokio::task::yield_now().await;
    }
}

async fn killed_mid_batch(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let loc = match &bed.location {
        Location::Sqlite(p) => format!("sqlite:{}", p.display()),
        Location::Postgres { url, .. } => url.clone(),
    };
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{loc}|{}", key.to_hex().as_str()))
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut flushed = 0u64;
    let mut reports = 0;
    while reports < 5 {
        let Some(line) = lines.next() else {
            bail!("the writer exited early");
        };
        if let Some(n) = line?.strip_prefix("flushed ") {
            flushed = n.trim().parse()?;
            reports += 1;
        }
    }
    child.kill()?; // SIGKILL
    child.wait()?;
    let j = bed.open("crashy", &key).await?;
    let report = j.verify_chain("crashy").await?;
    assert_eq!(report.state, ChainState::Intact);
    // Everything flushed is there; at most what was queued after it is missing.
    assert!(
        report.checked >= flushed,
        "{} rows, {flushed} were flushed",
        report.checked
    );
    // The journal opened after the crash continues the same chain.
    j.record(entry(0));
    j.flush().await?;
    assert_eq!(j.verify_chain("crashy").await?.state, ChainState::Intact);
    Ok(())
}

both_stores!(killed_mid_batch);
