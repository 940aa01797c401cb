//! The writer task: takes queued entries in batches, links them into this installation's
//! chain and writes each batch in one transaction. The chain head advances when a row is
//! hashed; a batch that fails to write (full disk, locked database, lost server) is held in
//! memory and retried (in order, with what came since) once per [`RETRY`] until it goes
//! in. At most [`HOLD`] entries are held: beyond that new ones are dropped and counted, so
//! a long outage costs bounded memory and the drop is journaled once the store is back.

use crate::chain::{row_hash, Head, Row};
use crate::history::HistoryOp;
use crate::store::Store;
use crate::{ChainKey, Counters, JournalError, Msg, NewEntry, BATCH, QUEUE};
use earshot_protocol::audit::AuditAction;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a failing store is left alone before the held batch is tried again: retrying
/// on every new entry would spin on a full disk (each try fails at once).
pub const RETRY: Duration = Duration::from_secs(1);
/// Entries held in memory while the store fails (about 30 MB at a typical entry size).
pub const HOLD: usize = QUEUE;

pub(crate) struct Writer {
    pub store: Arc<Store>,
    pub key: ChainKey,
    pub installation: String,
    /// The last chained entry's seq and hash.
    pub head: (i64, Vec<u8>),
    pub rx: mpsc::Receiver<Msg>,
    pub counters: Arc<Counters>,
    /// The newest written entry, for whoever keeps it outside the database.
    pub written_head: Arc<tokio::sync::watch::Sender<Option<Head>>>,
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
    // When the last write failed, and why (answered to flushes until the next try).
    let mut failing: Option<(Instant, String)> = None;
    loop {
        let got = match &failing {
            None => w.rx.recv_many(&mut msgs, BATCH).await,
            Some((at, _)) => {
                // Retry the held batch when due even if nothing new comes.
                let wait = RETRY.saturating_sub(at.elapsed());
                match tokio::time::timeout(wait, w.rx.recv_many(&mut msgs, BATCH)).await {
                    Ok(n) => n,
                    Err(_) => usize::MAX,
                }
            }
        };
        let closed = got == 0;
        let mut flushes = Vec::new();
        for m in msgs.drain(..) {
            match m {
                Msg::Entry(_) if pending.len() >= HOLD => {
                    w.counters.dropped.fetch_add(1, Ordering::Relaxed);
                }
                Msg::Entry(e) => pending.push(w.link(*e)),
                Msg::History(_) if history.len() >= HOLD => {
                    w.counters.history_dropped.fetch_add(1, Ordering::Relaxed);
                }
                Msg::History(op) => history.push(*op),
                Msg::Flush(done) => flushes.push(done),
            }
        }
        let dropped = w.counters.dropped.load(Ordering::Relaxed);
        if dropped > reported_drops && pending.len() < HOLD {
            let mut e = NewEntry::new(AuditAction::JournalOverflow);
            e.detail = serde_json::json!({ "dropped": dropped - reported_drops });
            pending.push(w.link(e));
            reported_drops = dropped;
        }
        let due = closed || failing.as_ref().is_none_or(|(at, _)| at.elapsed() >= RETRY);
        let result = if due {
            let r = write(&w, &mut pending, &mut history).await;
            failing = r.as_ref().err().map(|e| (Instant::now(), e.clone()));
            r
        } else {
            Err(failing.as_ref().map(|(_, e)| e.clone()).unwrap_or_default())
        };
        w.counters
            .held
            .store((pending.len() + history.len()) as u64, Ordering::Relaxed);
        for done in flushes {
            let _ = done.send(result.clone().map_err(JournalError::Store));
        }
        if closed && ((pending.is_empty() && history.is_empty()) || result.is_err()) {
            // Closing: one last attempt was made; what failed stays unwritten (reported).
            break;
        }
    }
}

/// One attempt at the held audit batch, then the history writes; the error as shown.
async fn write(
    w: &Writer,
    pending: &mut Vec<Row>,
    history: &mut Vec<HistoryOp>,
) -> Result<(), String> {
    if !pending.is_empty() {
        let n = pending.len() as u64;
        match w.store.append(pending.clone()).await {
            Ok(()) => {
                let frozen = w.counters.head_frozen.load(Ordering::Relaxed);
                if let Some(last) = pending.last().filter(|_| !frozen) {
                    let head = Head {
                        seq: last.seq,
                        hash: last.hash.clone(),
                    };
                    w.written_head.send_if_modified(|h| {
                        let newer = h.as_ref().is_none_or(|h| h.seq < head.seq);
                        if newer {
                            *h = Some(head);
                        }
                        newer
                    });
                }
                pending.clear();
                w.counters.written.fetch_add(n, Ordering::Relaxed);
                w.counters.set_error(None);
            }
            Err(e) => {
                tracing::error!("journal: a batch of {n} entries could not be written: {e}");
                w.counters.set_error(Some(e.to_string()));
                return Err(e.to_string());
            }
        }
    }
    if !history.is_empty() {
        // After the audit batch, so a failing store is reported once per round.
        match w.store.history(history.clone()).await {
            Ok(()) => {
                history.clear();
                w.counters.set_error(None);
            }
            Err(e) => {
                tracing::error!(
                    "journal: {} history writes could not be written: {e}",
                    history.len()
                );
                w.counters.set_error(Some(e.to_string()));
                return Err(e.to_string());
            }
        }
    }
    Ok(())
}
