//! The embedded store: one SQLite file in WAL mode (a reader never waits for the writer;
//! with `synchronous=NORMAL` a committed batch survives the process being killed). A file
//! SQLite cannot read is moved aside, never overwritten, and the move is reported.

use super::{filter_sql, page_limit, Param, COLS};
use crate::chain::{Anchor, Row};
use crate::{JournalError, JournalResult};
use earshot_protocol::audit::AuditFilter;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_audit.sql")),
    (2, include_str!("../../migrations/sqlite/0002_history.sql")),
];

/// The SQLite store: a writer connection and a reader connection.
pub struct SqliteStore {
    pub(super) write: Arc<Mutex<Connection>>,
    pub(super) read: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating and migrating) the database at `path`. A corrupt file is renamed to
    /// `<name>.corrupt-<ms>` with its WAL, a new one is created, and the new path of the
    /// old file is returned beside the store.
    pub fn open(path: &Path) -> JournalResult<(Self, Option<PathBuf>)> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| JournalError::Open(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut moved = None;
        let write = match open_checked(path) {
            Ok(c) => c,
            Err(e) if is_corrupt(&e) => {
                let aside = move_aside(path)?;
                tracing::error!(path = %path.display(), aside = %aside.display(), "journal database unreadable ({e}); moved aside");
                moved = Some(aside);
                open_checked(path).map_err(sqlite_err)?
            }
            Err(e) => return Err(sqlite_err(e)),
        };
        let read = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite_err)?;
        read.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite_err)?;
        Ok((
            Self {
                write: Arc::new(Mutex::new(write)),
                read: Arc::new(Mutex::new(read)),
            },
            moved,
        ))
    }

    pub(super) async fn with<T: Send + 'static>(
        conn: &Arc<Mutex<Connection>>,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> JournalResult<T> {
        let conn = conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| JournalError::Store("sqlite connection poisoned".into()))?;
            f(&mut guard).map_err(sqlite_err)
        })
        .await
        .map_err(|e| JournalError::Store(format!("sqlite task failed: {e}")))?
    }

    pub async fn append(&self, rows: Vec<Row>) -> JournalResult<()> {
        Self::with(&self.write, move |c| {
            let tx = c.transaction()?;
            {
                let mut st = tx.prepare_cached(
                    "INSERT INTO audit_entries (installation, seq, ts_ms, action, outcome, \
                     project, server_url, room, supervisor, os_user, identity, detail, \
                     prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?;
                for r in &rows {
                    st.execute(params![
                        r.installation,
                        r.seq,
                        r.ts_ms,
                        r.action,
                        r.outcome,
                        r.project,
                        r.server_url,
                        r.room,
                        r.supervisor,
                        r.os_user,
                        r.identity,
                        r.detail,
                        r.prev_hash,
                        r.hash
                    ])?;
                }
            }
            tx.commit()
        })
        .await
    }

    pub async fn page(&self, filter: &AuditFilter) -> JournalResult<Vec<Row>> {
        let (wh, params) = filter_sql(filter, |n| format!("?{n}"));
        let sql = format!(
            "SELECT {COLS} FROM audit_entries {wh} ORDER BY id DESC LIMIT {}",
            page_limit(filter) + 1
        );
        Self::with(&self.read, move |c| {
            let mut st = c.prepare(&sql)?;
            let vals = params.into_iter().map(|p| match p {
                Param::Text(s) => rusqlite::types::Value::Text(s),
                Param::Int(i) => rusqlite::types::Value::Integer(i),
            });
            let rows = st.query_map(rusqlite::params_from_iter(vals), read_row)?;
            rows.collect()
        })
        .await
    }

    pub async fn chain(
        &self,
        installation: &str,
        after: (i64, i64),
        limit: i64,
    ) -> JournalResult<Vec<Row>> {
        let inst = installation.to_owned();
        Self::with(&self.read, move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM audit_entries WHERE installation = ?1 \
                 AND (seq > ?2 OR (seq = ?2 AND id > ?3)) ORDER BY seq, id LIMIT ?4"
            ))?;
            let rows = st.query_map(params![inst, after.0, after.1, limit], read_row)?;
            rows.collect()
        })
        .await
    }

    pub async fn last(&self, installation: &str) -> JournalResult<Option<Row>> {
        let inst = installation.to_owned();
        Self::with(&self.read, move |c| {
            c.query_row(
                &format!(
                    "SELECT {COLS} FROM audit_entries WHERE installation = ?1 \
                     ORDER BY seq DESC, id DESC LIMIT 1"
                ),
                params![inst],
                read_row,
            )
            .optional()
        })
        .await
    }

    pub async fn anchor(&self, installation: &str) -> JournalResult<Option<Anchor>> {
        let inst = installation.to_owned();
        Self::with(&self.read, move |c| {
            c.query_row(
                "SELECT installation, seq, hash, ts_ms, mac FROM audit_anchors WHERE installation = ?1",
                params![inst],
                |r| {
                    Ok(Anchor {
                        installation: r.get(0)?,
                        seq: r.get(1)?,
                        hash: r.get(2)?,
                        ts_ms: r.get(3)?,
                        mac: r.get(4)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub async fn installations(&self) -> JournalResult<Vec<String>> {
        Self::with(&self.read, |c| {
            let mut st = c.prepare(
                "SELECT DISTINCT installation FROM audit_entries UNION \
                 SELECT installation FROM audit_anchors ORDER BY 1",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    pub async fn prune_point(
        &self,
        installation: &str,
        before_ms: i64,
    ) -> JournalResult<Option<Row>> {
        let inst = installation.to_owned();
        Self::with(&self.read, move |c| {
            c.query_row(
                &format!(
                    "SELECT {COLS} FROM audit_entries WHERE installation = ?1 AND ts_ms < ?2 \
                     ORDER BY seq DESC LIMIT 1"
                ),
                params![inst, before_ms],
                read_row,
            )
            .optional()
        })
        .await
    }

    pub async fn prune(&self, a: Anchor) -> JournalResult<u64> {
        Self::with(&self.write, move |c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "DELETE FROM audit_entries WHERE installation = ?1 AND seq <= ?2",
                params![a.installation, a.seq],
            )?;
            tx.execute(
                "INSERT INTO audit_anchors (installation, seq, hash, ts_ms, mac) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (installation) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
                 ts_ms = excluded.ts_ms, mac = excluded.mac",
                params![a.installation, a.seq, a.hash, a.ts_ms, a.mac],
            )?;
            tx.commit()?;
            Ok(n as u64)
        })
        .await
    }

    pub async fn size_bytes(&self) -> JournalResult<u64> {
        Self::with(&self.read, |c| {
            c.query_row(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .await
        .map(|n| n.max(0) as u64)
    }

    pub async fn execute_raw(&self, sql: &str) -> JournalResult<u64> {
        let sql = sql.to_owned();
        Self::with(&self.write, move |c| {
            c.execute_batch(&sql)?;
            Ok(c.changes())
        })
        .await
    }
}

fn open_checked(path: &Path) -> rusqlite::Result<Connection> {
    let mut c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_secs(5))?;
    // Reading the schema is what fails on a file that is not a database.
    c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    // The Audit page's filter indexes take each batch's rows at thousands of places (a
    // room index over 5,000 rooms in the bench). With SQLite's default 2 MB page cache
    // their leaf pages are read back from the OS on every batch once the file outgrows it:
    // inserts fell from 22,000/s at 300k stored events to 8,700-15,000/s at 1M. The
    // writer keeps 64 MiB of pages; pages never used cost nothing.
    c.pragma_update(None, "cache_size", -65_536)?;
    // Each batch dirties thousands of those index pages; checkpointing every 4 MB of WAL
    // (the default) copied the same hot pages into the file again and again. Every 64 MB
    // writes each once per checkpoint; the WAL is reset after each.
    c.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    migrate(&mut c)?;
    Ok(c)
}

fn migrate(c: &mut Connection) -> rusqlite::Result<()> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
    )?;
    let current: i64 = tx.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)",
            params![version, crate::now_ms()],
        )?;
    }
    tx.commit()
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn move_aside(path: &Path) -> JournalResult<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal.sqlite".into());
    let aside = path.with_file_name(format!("{name}.corrupt-{}", crate::now_ms()));
    std::fs::rename(path, &aside).map_err(|e| {
        JournalError::Open(format!(
            "the journal {} is unreadable and could not be moved aside: {e}",
            path.display()
        ))
    })?;
    for ext in ["-wal", "-shm"] {
        let side = path.with_file_name(format!("{name}{ext}"));
        if side.exists() {
            let _ = std::fs::rename(
                &side,
                aside.with_file_name(format!("{}{ext}", aside.display())),
            );
        }
    }
    Ok(aside)
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        installation: r.get(1)?,
        seq: r.get(2)?,
        ts_ms: r.get(3)?,
        action: r.get(4)?,
        outcome: r.get(5)?,
        project: r.get(6)?,
        server_url: r.get(7)?,
        room: r.get(8)?,
        supervisor: r.get(9)?,
        os_user: r.get(10)?,
        identity: r.get(11)?,
        detail: r.get(12)?,
        prev_hash: r.get(13)?,
        hash: r.get(14)?,
    })
}

pub(super) fn sqlite_err(e: rusqlite::Error) -> JournalError {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DiskFull) => JournalError::DiskFull,
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => JournalError::Locked,
        Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => JournalError::Corrupt(e.to_string()),
        _ => JournalError::Store(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The insert rate at 1M stored events rests on these (see `open_checked`); the bench
    /// measures it, this keeps them from being dropped unnoticed.
    #[test]
    fn the_writer_keeps_its_index_pages_cached() {
        let dir = tempfile::tempdir().expect("temp dir");
        let c = open_checked(&dir.path().join("j.sqlite")).expect("open");
        let get = |p: &str| -> i64 { c.pragma_query_value(None, p, |r| r.get(0)).expect(p) };
        assert_eq!(get("cache_size"), -65_536);
        assert_eq!(get("wal_autocheckpoint"), 16_384);
        assert_eq!(get("synchronous"), 1, "NORMAL");
    }
}
