//! Deleting the newest entries leaves every remaining link intact; the chain head kept
//! outside the database ([`Journal::head`], the app keeps it in the keychain) shows it,
//! while the journal runs and after a restart. Both stores; rows deleted with SQL.

use anyhow::{Context, Result};
use earshot_journal::{AuditAction, ChainKey, ChainState, Head, Journal, NewEntry};
use earshot_protocol::audit::BreakReason;

mod common;
use common::Bed;

both_stores!(deleted_newest_rows_are_caught, a_clean_restart_verifies);

fn entry(i: usize) -> NewEntry {
    let mut e = NewEntry::new(AuditAction::RoomCreate);
    e.room = Some(format!("room-{i}"));
    e
}

async fn state(j: &Journal) -> Result<ChainState> {
    Ok(j.verify_chain(j.installation()).await?.state)
}

fn head(j: &Journal) -> Result<Head> {
    j.head().borrow().clone().context("a head once written")
}

async fn deleted_newest_rows_are_caught(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    for i in 0..10 {
        j.record(entry(i));
    }
    j.flush().await?;
    assert_eq!(state(&j).await?, ChainState::Intact);
    let kept = head(&j)?;
    assert_eq!(kept.seq, 10);

    // While it runs: the last two rows deleted.
    j.tamper("DELETE FROM audit_entries WHERE seq >= 9").await?;
    let s = state(&j).await?;
    assert!(
        matches!(
            s,
            ChainState::Broken {
                seq: 10,
                reason: BreakReason::Truncated,
                ..
            }
        ),
        "{s:?}"
    );
    j.close().await;

    // After a restart, with the head kept outside: still caught, also once new entries
    // reuse the deleted positions, and the head given out stays the old one.
    let j = bed.open("inst-a", &key).await?;
    j.expect_head(kept.clone()).await?;
    for i in 10..15 {
        j.record(entry(i));
    }
    j.flush().await?;
    let s = state(&j).await?;
    assert!(
        matches!(
            s,
            ChainState::Broken {
                seq: 10,
                reason: BreakReason::Truncated,
                ..
            }
        ),
        "{s:?}"
    );
    assert_eq!(
        j.head().borrow().clone(),
        Some(kept),
        "the outside copy keeps the evidence"
    );
    Ok(())
}

async fn a_clean_restart_verifies(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    for i in 0..5 {
        j.record(entry(i));
    }
    j.flush().await?;
    let kept = head(&j)?;
    j.close().await;
    let j = bed.open("inst-a", &key).await?;
    j.expect_head(kept).await?;
    j.record(entry(5));
    j.flush().await?;
    assert_eq!(state(&j).await?, ChainState::Intact);
    assert_eq!(head(&j)?.seq, 6, "the head moves on with the chain");
    Ok(())
}
