//! The chain head kept in the keychain: written as the chain grows (coalesced), and checked
//! on the next start, so rows deleted from the end of the database while the app was closed
//! are reported by verify. The keychain here is the vault's in-memory store (the real one
//! is covered by `audit::the_chain_key_lives_in_the_keychain`).

use earshot_core::audit::journal::{
    AuditAction, ChainKey, ChainState, Journal, JournalConfig, Location, NewEntry,
};
use earshot_core::audit::{head_account, keep_head, HEAD_EVERY};
use earshot_core::protocol::audit::BreakReason;
use earshot_core::vault::{MemoryStore, Vault};
use std::time::{Duration, Instant};

async fn open(path: &std::path::Path, key: &ChainKey) -> Journal {
    Journal::open(JournalConfig {
        location: Location::Sqlite(path.to_owned()),
        installation: "head".into(),
        key: key.clone(),
        retention_days: 0,
    })
    .await
    .expect("journal")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_deleted_from_the_end_while_closed_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.sqlite");
    let key = ChainKey::generate();
    let vault = Vault::new(MemoryStore::default());

    let j = open(&path, &key).await;
    keep_head(&j, vault.clone()).await.expect("keep head");
    for i in 0..8 {
        let mut e = NewEntry::new(AuditAction::RoomCreate);
        e.room = Some(format!("room-{i}"));
        j.record(e);
    }
    j.flush().await.expect("flush");
    // The head reaches the keychain within the coalescing interval.
    let account = head_account(&j);
    let deadline = Instant::now() + HEAD_EVERY * 3;
    let stored = loop {
        let got = vault.get(&account).await.expect("vault");
        if let Some(s) = got.filter(|s| s.expose().starts_with("8:")) {
            break s.expose().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "the head never reached the keychain"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(stored.len(), 2 + 64, "{stored}");
    assert_eq!(
        j.verify_chain("head").await.expect("verify").state,
        ChainState::Intact
    );
    j.close().await;
    drop(j);

    // While the app is closed, someone deletes the newest rows.
    let deleted = delete_newest(&path).await;
    assert_eq!(deleted, 3);

    let j = open(&path, &key).await;
    keep_head(&j, vault.clone()).await.expect("keep head");
    let s = j.verify_chain("head").await.expect("verify").state;
    assert!(
        matches!(
            s,
            ChainState::Broken {
                seq: 8,
                reason: BreakReason::Truncated,
                ..
            }
        ),
        "{s:?}"
    );
    // Another installation sharing the keychain keeps its own head: a fresh journal in
    // another file verifies intact beside this one.
    let other = open(&dir.path().join("other.sqlite"), &key).await;
    keep_head(&other, vault.clone()).await.expect("keep head");
    other.record(NewEntry::new(AuditAction::RoomCreate));
    other.flush().await.expect("flush");
    assert_eq!(
        other.verify_chain("head").await.expect("verify").state,
        ChainState::Intact
    );
    // New entries do not overwrite the evidence in the keychain.
    j.record(NewEntry::new(AuditAction::RoomDelete));
    j.flush().await.expect("flush");
    tokio::time::sleep(HEAD_EVERY + Duration::from_millis(500)).await;
    let kept = vault.get(&account).await.expect("vault");
    assert_eq!(kept.map(|s| s.expose().to_owned()), Some(stored));
}

/// Deletes the three newest rows the way someone editing the file would (the journal's own
/// raw access, on a journal opened only for that and closed again); returns how many went.
async fn delete_newest(path: &std::path::Path) -> u64 {
    let j = open(path, &ChainKey::generate()).await;
    let n = j
        .tamper("DELETE FROM audit_entries WHERE seq > 5")
        .await
        .expect("delete");
    j.close().await;
    n
}
