//! The two stores behind one set of queries: SQLite (embedded, the default) and PostgreSQL
//! (team mode). The SQL text is shared; only placeholders (`?N` / `$N`) and the batch
//! insert differ.

mod pg_history;
pub mod postgres;
pub mod sqlite;
mod sqlite_history;

use crate::chain::{Anchor, Row};
use crate::history::HistoryOp;
use crate::JournalResult;
use earshot_protocol::audit::{AuditFilter, MAX_PAGE};
use earshot_protocol::history::{CallFilter, CallSummary, TimelineEvent};

/// The columns of `audit_entries` in the order [`Row`] is read.
pub const COLS: &str = "id, installation, seq, ts_ms, action, outcome, project, server_url, \
     room, supervisor, os_user, identity, detail, prev_hash, hash";

/// A bound query parameter.
#[derive(Debug, Clone)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// `WHERE …` for an Audit page filter, with its parameters numbered by `ph`.
pub fn filter_sql(filter: &AuditFilter, ph: fn(usize) -> String) -> (String, Vec<Param>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let mut add = |clause: &str, p: Param| {
        params.push(p);
        clauses.push(clause.replace('?', &ph(params.len())));
    };
    let text = |v: &Option<String>| v.as_ref().filter(|s| !s.is_empty()).cloned();
    if let Some(v) = text(&filter.project) {
        add("project = ?", Param::Text(v));
    }
    if let Some(v) = text(&filter.room) {
        add("room = ?", Param::Text(v));
    }
    if let Some(v) = text(&filter.supervisor) {
        add("supervisor = ?", Param::Text(v));
    }
    if let Some(a) = filter.action {
        add("action = ?", Param::Text(a.as_str().into()));
    }
    if let Some(v) = filter.from_ms {
        add("ts_ms >= ?", Param::Int(v));
    }
    if let Some(v) = filter.to_ms {
        add("ts_ms < ?", Param::Int(v));
    }
    if let Some(v) = filter.before_id {
        add("id < ?", Param::Int(v));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

/// The page size asked for, within bounds; one more row is read to tell if more match.
pub fn page_limit(filter: &AuditFilter) -> i64 {
    i64::from(filter.limit.clamp(1, MAX_PAGE))
}

/// One of the two stores.
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

impl Store {
    /// Appends hashed rows in one transaction (all or nothing).
    pub async fn append(&self, rows: Vec<Row>) -> JournalResult<()> {
        match self {
            Store::Sqlite(s) => s.append(rows).await,
            Store::Postgres(s) => s.append(rows).await,
        }
    }

    /// A filtered page, newest first (at most `limit + 1` rows).
    pub async fn page(&self, filter: &AuditFilter) -> JournalResult<Vec<Row>> {
        match self {
            Store::Sqlite(s) => s.page(filter).await,
            Store::Postgres(s) => s.page(filter).await,
        }
    }

    /// Up to `limit` rows of a chain with `(seq, id)` after the given pair, in chain order.
    pub async fn chain(
        &self,
        installation: &str,
        after: (i64, i64),
        limit: i64,
    ) -> JournalResult<Vec<Row>> {
        match self {
            Store::Sqlite(s) => s.chain(installation, after, limit).await,
            Store::Postgres(s) => s.chain(installation, after, limit).await,
        }
    }

    /// The last row of a chain (highest seq).
    pub async fn last(&self, installation: &str) -> JournalResult<Option<Row>> {
        match self {
            Store::Sqlite(s) => s.last(installation).await,
            Store::Postgres(s) => s.last(installation).await,
        }
    }

    /// The pruning anchor of a chain.
    pub async fn anchor(&self, installation: &str) -> JournalResult<Option<Anchor>> {
        match self {
            Store::Sqlite(s) => s.anchor(installation).await,
            Store::Postgres(s) => s.anchor(installation).await,
        }
    }

    /// Every installation with entries or an anchor.
    pub async fn installations(&self) -> JournalResult<Vec<String>> {
        match self {
            Store::Sqlite(s) => s.installations().await,
            Store::Postgres(s) => s.installations().await,
        }
    }

    /// The highest seq of a chain whose entry is older than `before_ms`.
    pub async fn prune_point(
        &self,
        installation: &str,
        before_ms: i64,
    ) -> JournalResult<Option<Row>> {
        match self {
            Store::Sqlite(s) => s.prune_point(installation, before_ms).await,
            Store::Postgres(s) => s.prune_point(installation, before_ms).await,
        }
    }

    /// Deletes a chain's entries up to `anchor.seq` and records the anchor, in one transaction.
    pub async fn prune(&self, anchor: Anchor) -> JournalResult<u64> {
        match self {
            Store::Sqlite(s) => s.prune(anchor).await,
            Store::Postgres(s) => s.prune(anchor).await,
        }
    }

    /// The database's size on disk in bytes.
    pub async fn size_bytes(&self) -> JournalResult<u64> {
        match self {
            Store::Sqlite(s) => s.size_bytes().await,
            Store::Postgres(s) => s.size_bytes().await,
        }
    }

    /// Runs SQL directly (tests tamper with rows through it).
    pub async fn execute_raw(&self, sql: &str) -> JournalResult<u64> {
        match self {
            Store::Sqlite(s) => s.execute_raw(sql).await,
            Store::Postgres(s) => s.execute_raw(sql).await,
        }
    }

    /// Applies history writes in one transaction (all or nothing).
    pub async fn history(&self, ops: Vec<HistoryOp>) -> JournalResult<()> {
        match self {
            Store::Sqlite(s) => s.history(ops).await,
            Store::Postgres(s) => s.history(ops).await,
        }
    }

    /// A page of calls, newest first (at most the limit + 1), and the limit used.
    pub async fn calls(&self, filter: &CallFilter) -> JournalResult<(Vec<CallSummary>, usize)> {
        match self {
            Store::Sqlite(s) => s.calls(filter).await,
            Store::Postgres(s) => s.calls(filter).await,
        }
    }

    /// One call by id.
    pub async fn call(&self, id: i64) -> JournalResult<Option<CallSummary>> {
        match self {
            Store::Sqlite(s) => s.call(id).await,
            Store::Postgres(s) => s.call(id).await,
        }
    }

    /// One call's timeline in order.
    pub async fn timeline(
        &self,
        project: &str,
        room_sid: &str,
    ) -> JournalResult<Vec<TimelineEvent>> {
        match self {
            Store::Sqlite(s) => s.timeline(project, room_sid).await,
            Store::Postgres(s) => s.timeline(project, room_sid).await,
        }
    }
}
