//! Call history on SQLite: a batch of history writes in one transaction, and the History
//! page's reads on the reader connection.

use super::sqlite::SqliteStore;
use crate::history::{self, Arg, CallRow, HistoryOp};
use crate::JournalResult;
use earshot_protocol::history::{CallFilter, CallSummary, TimelineEvent};
use rusqlite::{params, OptionalExtension};

/// The shared SQL with SQLite's numbered placeholders (`?N` for `$N`).
fn q(sql: &str) -> String {
    sql.replace('$', "?")
}

impl SqliteStore {
    pub async fn history(&self, ops: Vec<HistoryOp>) -> JournalResult<()> {
        Self::with(&self.write, move |c| {
            let tx = c.transaction()?;
            {
                let mut call = tx.prepare_cached(&q(history::UPSERT_CALL))?;
                let mut event = tx.prepare_cached(&q(history::INSERT_EVENT))?;
                for op in &ops {
                    match op {
                        HistoryOp::Call(s) => {
                            call.execute(params![
                                s.project,
                                s.room,
                                s.room_sid,
                                s.started_ms,
                                s.ended_ms,
                                i64::from(s.participants),
                                s.kinds,
                                i64::from(s.recording),
                                s.source.bit()
                            ])?;
                        }
                        HistoryOp::Event(e) => {
                            event.execute(params![
                                e.project, e.room_sid, e.ts_ms, e.kind, e.identity, e.subject,
                                e.detail
                            ])?;
                        }
                    }
                }
            }
            tx.commit()
        })
        .await
    }

    pub async fn calls(&self, filter: &CallFilter) -> JournalResult<(Vec<CallSummary>, usize)> {
        let (sql, args, limit) = history::calls_query(filter);
        let sql = q(&sql);
        let rows = Self::with(&self.read, move |c| {
            let mut st = c.prepare(&sql)?;
            let vals = args.into_iter().map(|a| match a {
                Arg::Text(s) => rusqlite::types::Value::Text(s),
                Arg::Int(i) => rusqlite::types::Value::Integer(i),
            });
            let rows = st.query_map(rusqlite::params_from_iter(vals), read_call)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
        Ok((rows.into_iter().map(Into::into).collect(), limit))
    }

    pub async fn call(&self, id: i64) -> JournalResult<Option<CallSummary>> {
        let sql = format!("SELECT {} FROM calls WHERE id = ?1", history::CALL_COLS);
        let row = Self::with(&self.read, move |c| {
            c.query_row(&sql, params![id], read_call).optional()
        })
        .await?;
        Ok(row.map(Into::into))
    }

    pub async fn timeline(
        &self,
        project: &str,
        room_sid: &str,
    ) -> JournalResult<Vec<TimelineEvent>> {
        let (p, s) = (project.to_owned(), room_sid.to_owned());
        let sql = q(&history::timeline_query());
        Self::with(&self.read, move |c| {
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(params![p, s], |r| {
                Ok(history::event(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect()
        })
        .await
    }
}

fn read_call(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRow> {
    Ok(CallRow {
        id: r.get(0)?,
        project: r.get(1)?,
        room: r.get(2)?,
        room_sid: r.get(3)?,
        started_ms: r.get(4)?,
        ended_ms: r.get(5)?,
        peak: r.get(6)?,
        kinds: r.get(7)?,
        recording: r.get(8)?,
        sources: r.get(9)?,
    })
}
