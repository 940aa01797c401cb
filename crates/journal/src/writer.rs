//! The writer task: takes queued entries in batches, links them into this installation's
//! chain and writes each batch in one transaction. The chain head advances when a row is
//! hashed; a batch that fails to write is kept and retried (in order) before newer ones.

use crate::chain::{row_hash, Row};
use crate::history::HistoryOp;
use crate::store::Store;
use crate::{ChainKey, Counters, JournalError, Msg, NewEntry, BATCH};
use earshot_protocol::audit::AuditAction;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub(crate) struct Writer {
    pub store: Arc<Store>,
    pub key: ChainKey,
    pub installation: String,
    /// The last chained entry's seq and hash.
    pub head: (i64, Vec<u8>),
    pub rx: mpsc::Receiver<Msg>,
    pub counters: Arc<Counters>,
}

impl Writer {
    fn link(&mut self, e: NewEntry) -> Row {
        let mut row = Row {
            id: 0,
            installation: self.installation.clone(),
            seq: self.head.0 + 1,
            ts_ms: e.ts_ms,
            action: e.action.as_str().to_owned(),
            outcome: e.outcome,
            project: e.project,
            server_url: e.server_url,
            room: e.room,
            supervisor: e.supervisor,
            os_user: e.os_user,
            identity: e.identity,
            detail: e.detail.to_string(),
            prev_hash: self.head.1.clone(),
            hash: Vec::new(),
        };
        row.hash = row_hash(&self.key, &row).to_vec();
        self.head = (row.seq, row.hash.clone());
        row
    }
}

pub(crate) async fn run(mut w: Writer) {
    let mut msgs = Vec::with_capacity(BATCH);
    let mut pending: Vec<Row> = Vec::new();
    let mut history: Vec<HistoryOp> = Vec::new();
    let mut reported_drops = 0u64;
    loop {
        let got = if pending.is_empty() && history.is_empty() {
            w.rx.recv_many(&mut msgs, BATCH).await
        } else {
            // Retry the failed batch within a second even if nothing new comes.
            match tokio::time::timeout(Duration::from_secs(1), w.rx.recv_many(&mut msgs, BATCH))
                .await
            {
                Ok(n) => n,
                Err(_) => usize::MAX,
            }
        };
        let closed = got == 0;
        let mut flushes = Vec::new();
        for m in msgs.drain(..) {
            match m {
                Msg::Entry(e) => pending.push(w.link(*e)),
                Msg::History(op) => history.push(*op),
                Msg::Flush(done) => flushes.push(done),
            }
        }
        let dropped = w.counters.dropped.load(Ordering::Relaxed);
        if dropped > reported_drops {
            let mut e = NewEntry::new(AuditAction::JournalOverflow);
            e.detail = serde_json::json!({ "dropped": dropped - reported_drops });
            pending.push(w.link(e));
            reported_drops = dropped;
        }
        let mut result = Ok(());
        if !pending.is_empty() {
            let n = pending.len() as u64;
            match w.store.append(pending.clone()).await {
                Ok(()) => {
                    pending.clear();
                    w.counters.written.fetch_add(n, Ordering::Relaxed);
                    if let Ok(mut g) = w.counters.last_error.lock() {
                        *g = None;
                    }
                }
                Err(e) => {
                    tracing::error!("journal: a batch of {n} entries could not be written: {e}");
                    if let Ok(mut g) = w.counters.last_error.lock() {
                        *g = Some(e.to_string());
                    }
                    result = Err(e);
                }
            }
        }
        if !history.is_empty() && result.is_ok() {
            // After the audit batch, so a failing store is reported once per round.
            match w.store.history(history.clone()).await {
                Ok(()) => history.clear(),
                Err(e) => {
                    tracing::error!(
                        "journal: {} history writes could not be written: {e}",
                        history.len()
                    );
                    if let Ok(mut g) = w.counters.last_error.lock() {
                        *g = Some(e.to_string());
                    }
                    result = Err(e);
                }
            }
        }
        for done in flushes {
            let _ = done.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(JournalError::Store(e.to_string())),
            });
        }
        if closed && ((pending.is_empty() && history.is_empty()) || result.is_err()) {
            // Closing: one last attempt was made; what failed stays unwritten (reported).
            break;
        }
    }
}
