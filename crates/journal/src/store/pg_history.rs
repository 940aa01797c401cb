//! Call history on PostgreSQL: a batch of history writes in one transaction, and the
//! History page's reads on the reader connection.

use super::postgres::{pg_err, PgStore};
use crate::history::{self, Arg, CallRow, HistoryOp};
use crate::JournalResult;
use earshot_protocol::history::{CallFilter, CallSummary, TimelineEvent};
use tokio_postgres::types::ToSql;

impl PgStore {
    pub async fn history(&self, ops: Vec<HistoryOp>) -> JournalResult<()> {
        let mut client = self.write.lock().await;
        let tx = client.transaction().await.map_err(pg_err)?;
        let call = tx.prepare(history::UPSERT_CALL).await.map_err(pg_err)?;
        let event = tx.prepare(history::INSERT_EVENT).await.map_err(pg_err)?;
        for op in &ops {
            match op {
                HistoryOp::Call(s) => {
                    tx.execute(
                        &call,
                        &[
                            &s.project,
                            &s.room,
                            &s.room_sid,
                            &s.started_ms,
                            &s.ended_ms,
                            &i64::from(s.participants),
                            &s.kinds,
                            &i64::from(s.recording),
                            &s.source.bit(),
                        ],
                    )
                    .await
                    .map_err(pg_err)?;
                }
                HistoryOp::Event(e) => {
                    tx.execute(
                        &event,
                        &[
                            &e.project,
                            &e.room_sid,
                            &e.ts_ms,
                            &e.kind,
                            &e.identity,
                            &e.subject,
                            &e.detail,
                        ],
                    )
                    .await
                    .map_err(pg_err)?;
                }
            }
        }
        tx.commit().await.map_err(pg_err)
    }

    pub async fn calls(&self, filter: &CallFilter) -> JournalResult<(Vec<CallSummary>, usize)> {
        let (sql, args, limit) = history::calls_query(filter);
        let boxed: Vec<Box<dyn ToSql + Sync + Send>> = args
            .into_iter()
            .map(|a| -> Box<dyn ToSql + Sync + Send> {
                match a {
                    Arg::Text(s) => Box::new(s),
                    Arg::Int(i) => Box::new(i),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = boxed
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let rows = self.read.query(&sql, &refs).await.map_err(pg_err)?;
        let calls = rows
            .iter()
            .map(|r| read_call(r).map(Into::into))
            .collect::<JournalResult<Vec<_>>>()?;
        Ok((calls, limit))
    }

    pub async fn call(&self, id: i64) -> JournalResult<Option<CallSummary>> {
        let sql = format!("SELECT {} FROM calls WHERE id = $1", history::CALL_COLS);
        let row = self.read.query_opt(&sql, &[&id]).await.map_err(pg_err)?;
        row.as_ref()
            .map(|r| read_call(r).map(Into::into))
            .transpose()
    }

    pub async fn timeline(
        &self,
        project: &str,
        room_sid: &str,
    ) -> JournalResult<Vec<TimelineEvent>> {
        let rows = self
            .read
            .query(&history::timeline_query(), &[&project, &room_sid])
            .await
            .map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                Ok(history::event(
                    r.try_get(0).map_err(pg_err)?,
                    r.try_get(1).map_err(pg_err)?,
                    r.try_get(2).map_err(pg_err)?,
                    r.try_get(3).map_err(pg_err)?,
                ))
            })
            .collect()
    }
}

fn read_call(r: &tokio_postgres::Row) -> JournalResult<CallRow> {
    Ok(CallRow {
        id: r.try_get(0).map_err(pg_err)?,
        project: r.try_get(1).map_err(pg_err)?,
        room: r.try_get(2).map_err(pg_err)?,
        room_sid: r.try_get(3).map_err(pg_err)?,
        started_ms: r.try_get(4).map_err(pg_err)?,
        ended_ms: r.try_get(5).map_err(pg_err)?,
        peak: r.try_get(6).map_err(pg_err)?,
        kinds: r.try_get(7).map_err(pg_err)?,
        recording: r.try_get(8).map_err(pg_err)?,
        sources: r.try_get(9).map_err(pg_err)?,
    })
}
