//! The team store: one PostgreSQL database shared by every installation of a team. The
//! password comes from the caller (the keychain), never from the URL shown or logged.
//! Migrations run under an advisory lock, so installations starting together migrate once.

use super::{filter_sql, page_limit, Param, COLS};
use crate::chain::{Anchor, Row};
use crate::{DbPassword, JournalError, JournalResult};
use earshot_protocol::audit::AuditFilter;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_audit.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_history.sql"),
    ),
];
/// The advisory lock key migrations hold ("earshot" in ASCII).
const MIGRATION_LOCK: i64 = 0x0065_6172_7368_6f74;

/// The PostgreSQL store: a writer connection (transactions) and a reader connection.
pub struct PgStore {
    pub(super) write: tokio::sync::Mutex<Client>,
    pub(super) read: Client,
}

/// The URL as shown to people: user, host, port and database, never a password.
pub fn display_url(url: &str) -> String {
    match url.parse::<Config>() {
        Ok(c) => {
            let host = c
                .get_hosts()
                .first()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(s) => s.clone(),
                    // Unix sockets exist only there: Windows' Host has no such variant.
                    #[cfg(unix)]
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .unwrap_or_default();
            let port = c.get_ports().first().copied().unwrap_or(5432);
            format!(
                "postgres://{}@{host}:{port}/{}",
                c.get_user().unwrap_or(""),
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://(unparsable URL)".into(),
    }
}

impl PgStore {
    /// Connects twice and migrates.
    pub async fn open(url: &str, password: Option<&DbPassword>) -> JournalResult<Self> {
        let mut config: Config = url
            .parse()
            .map_err(|e| JournalError::Open(format!("the PostgreSQL URL is invalid: {e}")))?;
        if let Some(pw) = password {
            config.password(pw.expose());
        }
        let connect = |config: Config| async move {
            let (client, conn) = config.connect(NoTls).await.map_err(pg_err)?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::warn!("journal: PostgreSQL connection ended: {e}");
                }
            });
            Ok::<_, JournalError>(client)
        };
        let mut write = connect(config.clone()).await?;
        let read = connect(config).await?;
        migrate(&mut write).await?;
        Ok(Self {
            write: tokio::sync::Mutex::new(write),
            read,
        })
    }

    pub async fn append(&self, rows: Vec<Row>) -> JournalResult<()> {
        // One statement per batch: columns as arrays, unnested server-side.
        let mut inst = Vec::with_capacity(rows.len());
        let mut seq = Vec::with_capacity(rows.len());
        let mut ts = Vec::with_capacity(rows.len());
        let mut action = Vec::with_capacity(rows.len());
        let mut outcome = Vec::with_capacity(rows.len());
        let mut opt: [Vec<Option<String>>; 6] = Default::default();
        let mut detail = Vec::with_capacity(rows.len());
        let mut prev = Vec::with_capacity(rows.len());
        let mut hash = Vec::with_capacity(rows.len());
        for r in rows {
            inst.push(r.installation);
            seq.push(r.seq);
            ts.push(r.ts_ms);
            action.push(r.action);
            outcome.push(r.outcome);
            for (col, v) in opt.iter_mut().zip([
                r.project,
                r.server_url,
                r.room,
                r.supervisor,
                r.os_user,
                r.identity,
            ]) {
                col.push(v);
            }
            detail.push(r.detail);
            prev.push(r.prev_hash);
            hash.push(r.hash);
        }
        let client = self.write.lock().await;
        client
            .execute(
                "INSERT INTO audit_entries (installation, seq, ts_ms, action, outcome, project, \
                 server_url, room, supervisor, os_user, identity, detail, prev_hash, hash) \
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], \
                 $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
                 $11::text[], $12::text[], $13::bytea[], $14::bytea[]) ORDER BY 2",
                &[
                    &inst, &seq, &ts, &action, &outcome, &opt[0], &opt[1], &opt[2], &opt[3],
                    &opt[4], &opt[5], &detail, &prev, &hash,
                ],
            )
            .await
            .map_err(pg_err)?;
        Ok(())
    }

    pub async fn page(&self, filter: &AuditFilter) -> JournalResult<Vec<Row>> {
        let (wh, params) = filter_sql(filter, |n| format!("${n}"));
        let sql = format!(
            "SELECT {COLS} FROM audit_entries {wh} ORDER BY id DESC LIMIT {}",
            page_limit(filter) + 1
        );
        let boxed: Vec<Box<dyn ToSql + Sync + Send>> = params
            .into_iter()
            .map(|p| -> Box<dyn ToSql + Sync + Send> {
                match p {
                    Param::Text(s) => Box::new(s),
                    Param::Int(i) => Box::new(i),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = boxed
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let rows = self.read.query(&sql, &refs).await.map_err(pg_err)?;
        rows.iter().map(read_row).collect()
    }

    pub async fn chain(
        &self,
        installation: &str,
        after: (i64, i64),
        limit: i64,
    ) -> JournalResult<Vec<Row>> {
        let rows = self
            .read
            .query(
                &format!(
                    "SELECT {COLS} FROM audit_entries WHERE installation = $1 \
                     AND (seq > $2 OR (seq = $2 AND id > $3)) ORDER BY seq, id LIMIT $4"
                ),
                &[&installation, &after.0, &after.1, &limit],
            )
            .await
            .map_err(pg_err)?;
        rows.iter().map(read_row).collect()
    }

    pub async fn last(&self, installation: &str) -> JournalResult<Option<Row>> {
        let row = self
            .read
            .query_opt(
                &format!(
                    "SELECT {COLS} FROM audit_entries WHERE installation = $1 \
                     ORDER BY seq DESC, id DESC LIMIT 1"
                ),
                &[&installation],
            )
            .await
            .map_err(pg_err)?;
        row.as_ref().map(read_row).transpose()
    }

    pub async fn anchor(&self, installation: &str) -> JournalResult<Option<Anchor>> {
        let row = self
            .read
            .query_opt(
                "SELECT installation, seq, hash, ts_ms, mac FROM audit_anchors WHERE installation = $1",
                &[&installation],
            )
            .await
            .map_err(pg_err)?;
        row.map(|r| {
            Ok(Anchor {
                installation: r.try_get(0).map_err(pg_err)?,
                seq: r.try_get(1).map_err(pg_err)?,
                hash: r.try_get(2).map_err(pg_err)?,
                ts_ms: r.try_get(3).map_err(pg_err)?,
                mac: r.try_get(4).map_err(pg_err)?,
            })
        })
        .transpose()
    }

    pub async fn installations(&self) -> JournalResult<Vec<String>> {
        let rows = self
            .read
            .query(
                "SELECT DISTINCT installation FROM audit_entries UNION \
                 SELECT installation FROM audit_anchors ORDER BY 1",
                &[],
            )
            .await
            .map_err(pg_err)?;
        rows.iter().map(|r| r.try_get(0).map_err(pg_err)).collect()
    }

    pub async fn prune_point(
        &self,
        installation: &str,
        before_ms: i64,
    ) -> JournalResult<Option<Row>> {
        let row = self
            .read
            .query_opt(
                &format!(
                    "SELECT {COLS} FROM audit_entries WHERE installation = $1 AND ts_ms < $2 \
                     ORDER BY seq DESC LIMIT 1"
                ),
                &[&installation, &before_ms],
            )
            .await
            .map_err(pg_err)?;
        row.as_ref().map(read_row).transpose()
    }

    pub async fn prune(&self, a: Anchor) -> JournalResult<u64> {
        let mut client = self.write.lock().await;
        let tx = client.transaction().await.map_err(pg_err)?;
        let n = tx
            .execute(
                "DELETE FROM audit_entries WHERE installation = $1 AND seq <= $2",
                &[&a.installation, &a.seq],
            )
            .await
            .map_err(pg_err)?;
        tx.execute(
            "INSERT INTO audit_anchors (installation, seq, hash, ts_ms, mac) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (installation) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
             ts_ms = excluded.ts_ms, mac = excluded.mac",
            &[&a.installation, &a.seq, &a.hash, &a.ts_ms, &a.mac],
        )
        .await
        .map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        Ok(n)
    }

    pub async fn size_bytes(&self) -> JournalResult<u64> {
        let row = self
            .read
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await
            .map_err(pg_err)?;
        let n: i64 = row.try_get(0).map_err(pg_err)?;
        Ok(n.max(0) as u64)
    }

    pub async fn execute_raw(&self, sql: &str) -> JournalResult<u64> {
        let client = self.write.lock().await;
        client.batch_execute(sql).await.map_err(pg_err)?;
        Ok(0)
    }
}

async fn migrate(client: &mut Client) -> JournalResult<()> {
    let tx = client.transaction().await.map_err(pg_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
    )
    .await
    .map_err(pg_err)?;
    let current: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).await.map_err(pg_err)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
            &[version, &crate::now_ms()],
        )
        .await
        .map_err(pg_err)?;
    }
    tx.commit().await.map_err(pg_err)
}

fn read_row(r: &tokio_postgres::Row) -> JournalResult<Row> {
    Ok(Row {
        id: r.try_get(0).map_err(pg_err)?,
        installation: r.try_get(1).map_err(pg_err)?,
        seq: r.try_get(2).map_err(pg_err)?,
        ts_ms: r.try_get(3).map_err(pg_err)?,
        action: r.try_get(4).map_err(pg_err)?,
        outcome: r.try_get(5).map_err(pg_err)?,
        project: r.try_get(6).map_err(pg_err)?,
        server_url: r.try_get(7).map_err(pg_err)?,
        room: r.try_get(8).map_err(pg_err)?,
        supervisor: r.try_get(9).map_err(pg_err)?,
        os_user: r.try_get(10).map_err(pg_err)?,
        identity: r.try_get(11).map_err(pg_err)?,
        detail: r.try_get(12).map_err(pg_err)?,
        prev_hash: r.try_get(13).map_err(pg_err)?,
        hash: r.try_get(14).map_err(pg_err)?,
    })
}

pub(super) fn pg_err(e: tokio_postgres::Error) -> JournalError {
    // The server's message where there is one (e.g. "password authentication failed").
    match e.as_db_error() {
        Some(db) => JournalError::Store(format!(
            "PostgreSQL: {} ({})",
            db.message(),
            db.code().code()
        )),
        None => JournalError::Store(format!("PostgreSQL: {e}")),
    }
}
