//! Earshot's journal: one durable store behind every page that needs the past, and first
//! the tamper-evident audit in it.
//!
//! - **Stores**: SQLite in the app data dir by default (WAL, created and migrated on
//!   start, migrations in `migrations/`), or one PostgreSQL server a team shares (same
//!   queries, same tests). See [`store`].
//! - **Writes never block**: [`Journal::record`] puts the entry on a bounded queue
//!   (`try_send`) and returns; a writer task hashes and writes batches of up to
//!   [`BATCH`] entries in one transaction. A full queue drops the entry and counts it; the
//!   writer then journals how many were dropped ([`AuditAction::JournalOverflow`]). A
//!   failing write (full disk, locked database, lost server) is retried and reported in
//!   [`Journal::health`]; the batch stays in memory meanwhile. Call history and room
//!   timelines ([`history`]) take the same queue and writer, in their own transaction.
//! - **Tamper evidence**: one hash chain per installation, keyed ([`chain`]); [`Journal::verify`]
//!   reports each chain's first broken link. Retention prunes a chain's front behind a
//!   signed anchor, so what is left still verifies. Deleting the newest entries leaves no
//!   broken link inside the database, so the chain head ([`Head`]) is also kept outside it
//!   (the app keeps it in the keychain: [`Journal::head`], [`Journal::expect_head`]).
#![forbid(unsafe_code)]

pub mod chain;
pub mod export;
pub mod history;
pub mod store;
mod writer;

pub use chain::{ChainKey, Head};
pub use earshot_protocol::audit::{
    AuditAction, AuditEntry, AuditFilter, AuditPage, ChainReport, ChainState, JournalHealth,
};

use chain::{Anchor, Row, Verifier};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use store::Store;
use tokio::sync::{mpsc, oneshot};
use zeroize::Zeroizing;

/// Entries the writer takes from its queue per transaction.
pub const BATCH: usize = 4096;
/// Entries that may wait for the writer; beyond that `record` drops and counts.
pub const QUEUE: usize = 65_536;
/// Rows read per round trip while verifying.
const VERIFY_CHUNK: i64 = 20_000;

/// What can go wrong with the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal could not be opened: {0}")]
    Open(String),
    #[error("the journal's disk is full")]
    DiskFull,
    #[error("the journal's database is locked by another program")]
    Locked,
    #[error("the journal's database is corrupt: {0}")]
    Corrupt(String),
    #[error("the journal's database reported an error: {0}")]
    Store(String),
    #[error("the journal is closed")]
    Closed,
}

/// Result alias for the journal.
pub type JournalResult<T> = Result<T, JournalError>;

/// A database password: `Debug` prints `<redacted>`, no `Serialize`, wiped on drop.
#[derive(Clone)]
pub struct DbPassword(Zeroizing<String>);

impl DbPassword {
    /// Wraps a password (from the keychain).
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DbPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbPassword(<redacted>)")
    }
}

/// Where the journal lives.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite file (the default: `<app data dir>/journal.sqlite`).
    Sqlite(PathBuf),
    /// A team's PostgreSQL server; the password, if any, is kept apart from the URL.
    Postgres {
        url: String,
        password: Option<DbPassword>,
    },
}

impl Location {
    /// How the location is shown: a path, or the server without a password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("sqlite:{}", p.display()),
            Location::Postgres { url, .. } => store::postgres::display_url(url),
        }
    }
}

/// How to open a journal.
#[derive(Debug, Clone)]
pub struct JournalConfig {
    pub location: Location,
    /// This installation's id: its own chain in a shared store.
    pub installation: String,
    /// The chain key (from the keychain).
    pub key: ChainKey,
    /// Audit retention in days; 0 keeps everything.
    pub retention_days: u32,
}

/// An action to record. `ts_ms` is when it happened (the writer may run later).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub ts_ms: i64,
    pub action: AuditAction,
    /// `ok` or an error code.
    pub outcome: String,
    pub project: Option<String>,
    pub server_url: Option<String>,
    pub room: Option<String>,
    pub supervisor: Option<String>,
    pub os_user: Option<String>,
    pub identity: Option<String>,
    /// A JSON object; never a secret or a token.
    pub detail: serde_json::Value,
}

impl NewEntry {
    /// An entry for `action` happening now, outcome `ok`, nothing else set.
    pub fn new(action: AuditAction) -> Self {
        Self {
            ts_ms: now_ms(),
            action,
            outcome: "ok".into(),
            project: None,
            server_url: None,
            room: None,
            supervisor: None,
            os_user: None,
            identity: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }
}

enum Msg {
    Entry(Box<NewEntry>),
    History(Box<history::HistoryOp>),
    Flush(oneshot::Sender<JournalResult<()>>),
}

#[derive(Default)]
struct Counters {
    written: AtomicU64,
    dropped: AtomicU64,
    /// History writes dropped because the queue was full (not audit: no overflow entry).
    history_dropped: AtomicU64,
    /// Entries and history writes held in memory because the store is failing.
    held: AtomicU64,
    /// Set once the newest entries were found deleted: the head given out stays the one
    /// that proves it.
    head_frozen: std::sync::atomic::AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl Counters {
    fn set_error(&self, e: Option<String>) {
        if let Ok(mut g) = self.last_error.lock() {
            *g = e;
        }
    }
}

struct Inner {
    store: Arc<Store>,
    key: ChainKey,
    installation: String,
    location: String,
    retention_days: u32,
    moved_aside: Option<PathBuf>,
    tx: Mutex<Option<mpsc::Sender<Msg>>>,
    /// The newest entry written (or the head kept outside, if further on).
    head: Arc<tokio::sync::watch::Sender<Option<Head>>>,
    /// The head kept outside when the database no longer holds it: the newest entries were
    /// deleted. Kept for the process's life (the outside copy is not overwritten).
    truncated: Mutex<Option<Head>>,
    writer: Mutex<Option<tokio::task::JoinHandle<()>>>,
    counters: Arc<Counters>,
}

/// The journal: cheap to clone, shared by every feature that records.
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

impl Journal {
    /// Opens (creating and migrating) the store and starts the writer. A corrupt SQLite
    /// file is moved aside and reported in [`Journal::health`].
    pub async fn open(config: JournalConfig) -> JournalResult<Self> {
        let location = config.location.display();
        let (store, moved_aside) = match &config.location {
            Location::Sqlite(path) => {
                let path = path.clone();
                let (s, moved) =
                    tokio::task::spawn_blocking(move || store::sqlite::SqliteStore::open(&path))
                        .await
                        .map_err(|e| JournalError::Open(format!("open task failed: {e}")))??;
                (Store::Sqlite(s), moved)
            }
            Location::Postgres { url, password } => (
                Store::Postgres(Box::new(
                    store::postgres::PgStore::open(url, password.as_ref()).await?,
                )),
                None,
            ),
        };
        let store = Arc::new(store);
        let head = match store.last(&config.installation).await? {
            Some(r) => (r.seq, r.hash),
            None => match store.anchor(&config.installation).await? {
                Some(a) => (a.seq, a.hash),
                None => (0, chain::GENESIS.to_vec()),
            },
        };
        let counters = Arc::new(Counters::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        let written_head = Arc::new(tokio::sync::watch::Sender::new(None));
        let writer = tokio::spawn(writer::run(writer::Writer {
            store: store.clone(),
            key: config.key.clone(),
            installation: config.installation.clone(),
            head,
            rx,
            counters: counters.clone(),
            written_head: written_head.clone(),
        }));
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                key: config.key,
                installation: config.installation,
                location,
                retention_days: config.retention_days,
                moved_aside,
                tx: Mutex::new(Some(tx)),
                head: written_head,
                truncated: Mutex::new(None),
                writer: Mutex::new(Some(writer)),
                counters,
            }),
        })
    }

    /// Queues an entry; never waits. Dropped (and counted) if the queue is full or the
    /// journal closed.
    pub fn record(&self, entry: NewEntry) {
        let tx = self.inner.tx.lock().ok().and_then(|g| g.clone());
        let sent = tx.is_some_and(|tx| tx.try_send(Msg::Entry(Box::new(entry))).is_ok());
        if !sent {
            self.inner.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until everything recorded before is written (or the write failed).
    pub async fn flush(&self) -> JournalResult<()> {
        let tx = self
            .inner
            .tx
            .lock()
            .ok()
            .and_then(|g| g.clone())
            .ok_or(JournalError::Closed)?;
        let (done, wait) = oneshot::channel();
        tx.send(Msg::Flush(done))
            .await
            .map_err(|_| JournalError::Closed)?;
        wait.await.map_err(|_| JournalError::Closed)?
    }

    /// The newest written entry of this installation's chain, as it changes: to keep
    /// outside the database. It stops changing once a truncation was found, so the copy
    /// outside keeps the evidence.
    pub fn head(&self) -> tokio::sync::watch::Receiver<Option<Head>> {
        self.inner.head.subscribe()
    }

    /// Checks the head kept outside the database (from the last run) against it. If the
    /// database no longer holds that entry, the newest entries were deleted: every verify
    /// reports it from now on. Call once after opening, before recording.
    pub async fn expect_head(&self, head: Head) -> JournalResult<()> {
        let inst = &self.inner.installation;
        let held = self
            .inner
            .store
            .chain(inst, (head.seq - 1, i64::MAX), 1)
            .await?;
        let pruned = self
            .inner
            .store
            .anchor(inst)
            .await?
            .is_some_and(|a| a.seq >= head.seq);
        let found = held
            .first()
            .is_some_and(|r| r.seq == head.seq && r.hash == head.hash);
        if found || pruned {
            self.inner.head.send_if_modified(|h| {
                let newer = h.as_ref().is_none_or(|h| h.seq < head.seq);
                if newer {
                    *h = Some(head);
                }
                newer
            });
        } else {
            tracing::error!(
                seq = head.seq,
                "journal: the newest audit entries were deleted"
            );
            self.inner
                .counters
                .head_frozen
                .store(true, Ordering::Relaxed);
            self.inner.head.send_replace(Some(head.clone()));
            if let Ok(mut t) = self.inner.truncated.lock() {
                *t = Some(head);
            }
        }
        Ok(())
    }

    /// Writes what is queued and stops the writer.
    pub async fn close(&self) {
        let tx = self.inner.tx.lock().ok().and_then(|mut g| g.take());
        drop(tx);
        let writer = self.inner.writer.lock().ok().and_then(|mut g| g.take());
        if let Some(w) = writer {
            let _ = w.await;
        }
    }

    /// A filtered page of entries, newest first.
    pub async fn query(&self, filter: &AuditFilter) -> JournalResult<AuditPage> {
        let limit = store::page_limit(filter) as usize;
        let mut rows = self.inner.store.page(filter).await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        Ok(AuditPage {
            entries: rows.into_iter().map(to_entry).collect(),
            more,
        })
    }

    /// Verifies every installation's chain in the store (one shared key in team mode).
    pub async fn verify(&self) -> JournalResult<Vec<ChainReport>> {
        let mut reports = Vec::new();
        for inst in self.inner.store.installations().await? {
            reports.push(self.verify_chain(&inst).await?);
        }
        Ok(reports)
    }

    /// Verifies one installation's chain.
    pub async fn verify_chain(&self, installation: &str) -> JournalResult<ChainReport> {
        let anchor = self.inner.store.anchor(installation).await?;
        let mut v = Verifier::new(&self.inner.key, anchor.as_ref());
        let mut after = (anchor.as_ref().map_or(0, |a| a.seq), 0);
        // This installation's head kept outside the database: the chain must reach it.
        let (head, truncated) = if installation == self.inner.installation {
            (
                self.inner.head.borrow().clone(),
                self.inner.truncated.lock().ok().and_then(|t| t.clone()),
            )
        } else {
            (None, None)
        };
        let mut head_seen = head.as_ref().is_none_or(|h| h.seq <= after.0);
        'chunks: loop {
            let rows = self
                .inner
                .store
                .chain(installation, after, VERIFY_CHUNK)
                .await?;
            for r in &rows {
                if !v.feed(r) {
                    break 'chunks;
                }
                if let Some(h) = head.as_ref().filter(|h| h.seq == r.seq) {
                    head_seen = h.hash == r.hash;
                }
                after = (r.seq, r.id);
            }
            if (rows.len() as i64) < VERIFY_CHUNK {
                break;
            }
        }
        let mut state = v.state();
        if state == ChainState::Intact {
            let missing = match (truncated, head) {
                (Some(t), _) => Some(t.seq),
                (None, Some(h)) if !head_seen => Some(h.seq),
                _ => None,
            };
            if let Some(seq) = missing {
                state = ChainState::Broken {
                    seq,
                    id: None,
                    reason: earshot_protocol::audit::BreakReason::Truncated,
                };
            }
        }
        Ok(ChainReport {
            installation: installation.to_owned(),
            checked: v.checked,
            pruned: v.pruned,
            state,
        })
    }

    /// Prunes this installation's entries older than `before_ms` behind a signed anchor;
    /// returns how many went.
    pub async fn prune_before(&self, before_ms: i64) -> JournalResult<u64> {
        self.flush().await?;
        let inst = &self.inner.installation;
        let Some(last) = self.inner.store.prune_point(inst, before_ms).await? else {
            return Ok(0);
        };
        let mac = chain::anchor_mac(&self.inner.key, inst, last.seq, &last.hash);
        self.inner
            .store
            .prune(Anchor {
                installation: inst.clone(),
                seq: last.seq,
                hash: last.hash,
                ts_ms: last.ts_ms,
                mac: mac.to_vec(),
            })
            .await
    }

    /// Applies the configured retention now (0 days: nothing).
    pub async fn prune_by_retention(&self) -> JournalResult<u64> {
        match self.inner.retention_days {
            0 => Ok(0),
            days => {
                self.prune_before(now_ms() - i64::from(days) * 86_400_000)
                    .await
            }
        }
    }

    /// Where the journal lives and how it is doing.
    pub fn health(&self) -> JournalHealth {
        let c = &self.inner.counters;
        JournalHealth {
            location: self.inner.location.clone(),
            installation: self.inner.installation.clone(),
            written: c.written.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            held: c.held.load(Ordering::Relaxed),
            last_error: c.last_error.lock().ok().and_then(|g| g.clone()),
            moved_aside: self
                .inner
                .moved_aside
                .as_ref()
                .map(|p| p.display().to_string()),
            retention_days: self.inner.retention_days,
        }
    }

    /// The database's size on disk in bytes (SQLite: pages in use; PostgreSQL: the database).
    pub async fn size_bytes(&self) -> JournalResult<u64> {
        self.inner.store.size_bytes().await
    }

    /// This installation's id.
    pub fn installation(&self) -> &str {
        &self.inner.installation
    }

    /// Runs SQL on the store directly, bypassing the chain: only for tests that tamper.
    #[doc(hidden)]
    pub async fn tamper(&self, sql: &str) -> JournalResult<u64> {
        self.inner.store.execute_raw(sql).await
    }
}

fn to_entry(r: Row) -> AuditEntry {
    AuditEntry {
        id: r.id,
        installation: r.installation,
        seq: r.seq,
        ts_ms: r.ts_ms,
        action: AuditAction::from_name(&r.action),
        outcome: r.outcome,
        project: r.project,
        server_url: r.server_url,
        room: r.room,
        supervisor: r.supervisor,
        os_user: r.os_user,
        identity: r.identity,
        detail: r.detail,
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
