//! Call history and room timelines: what each source saw of a call, queued like audit
//! entries ([`crate::Journal::history`] never waits) and merged in the store by room sid.
//!
//! Merging is done by the upsert itself so sources may report in any order: the earliest
//! start and the earliest end win (a poller notices an end late, a webhook has the true
//! time), the highest participant count is the peak, kinds, sources and recording add up.
//! Timeline events are unique per (room sid, kind, subject), so a join reported by a
//! webhook and by a room view is stored once.

use earshot_protocol::audit::{AuditAction, AuditFilter, MAX_PAGE};
use earshot_protocol::history::{
    kinds_from_bits, CallCursor, CallDetail, CallFilter, CallPage, CallSource, CallSummary,
    TimelineEvent, MAX_CALLS_PAGE, MAX_TIMELINE,
};

/// What a source saw of a call at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSeen {
    pub project: String,
    pub room: String,
    pub room_sid: String,
    /// When the room was created (or when first seen, if unknown).
    pub started_ms: i64,
    /// When it ended, if it did.
    pub ended_ms: Option<i64>,
    /// Participants present now (the peak is the highest reported).
    pub participants: u32,
    /// Participant kinds seen, as bits ([`earshot_protocol::history::kind_bit`]).
    pub kinds: i64,
    pub recording: bool,
    pub source: CallSource,
}

/// One thing that happened in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomEvent {
    pub project: String,
    pub room_sid: String,
    pub ts_ms: i64,
    pub kind: String,
    pub identity: Option<String>,
    /// What makes this event unique within its kind (a participant's sid, a track's sid);
    /// empty for room-wide events.
    pub subject: String,
    /// A JSON object; never a secret or a token.
    pub detail: String,
}

/// A write the history takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryOp {
    Call(CallSeen),
    Event(RoomEvent),
}

/// The upsert merging one [`CallSeen`] into `calls` (placeholders `$1`..`$9`).
pub(crate) const UPSERT_CALL: &str = "INSERT INTO calls (project, room, room_sid, started_ms, \
     ended_ms, peak_participants, kinds, recording, sources) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (project, room_sid) DO UPDATE SET \
     started_ms = CASE WHEN excluded.started_ms < calls.started_ms \
         THEN excluded.started_ms ELSE calls.started_ms END, \
     ended_ms = CASE WHEN calls.ended_ms IS NULL THEN excluded.ended_ms \
         WHEN excluded.ended_ms IS NULL THEN calls.ended_ms \
         WHEN excluded.ended_ms < calls.ended_ms THEN excluded.ended_ms \
         ELSE calls.ended_ms END, \
     peak_participants = CASE WHEN excluded.peak_participants > calls.peak_participants \
         THEN excluded.peak_participants ELSE calls.peak_participants END, \
     kinds = calls.kinds | excluded.kinds, \
     recording = calls.recording | excluded.recording, \
     sources = calls.sources | excluded.sources";

/// The insert of one [`RoomEvent`], skipped if already stored (placeholders `$1`..`$7`).
pub(crate) const INSERT_EVENT: &str = "INSERT INTO room_events (project, room_sid, ts_ms, \
     kind, identity, subject, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (project, room_sid, kind, subject) DO NOTHING";

/// The columns of `calls` in the order [`CallRow`] is read.
pub(crate) const CALL_COLS: &str = "id, project, room, room_sid, started_ms, ended_ms, \
     peak_participants, kinds, recording, sources";

/// A `calls` row as stored.
#[derive(Debug, Clone)]
pub(crate) struct CallRow {
    pub id: i64,
    pub project: String,
    pub room: String,
    pub room_sid: String,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub peak: i64,
    pub kinds: i64,
    pub recording: i64,
    pub sources: i64,
}

impl From<CallRow> for CallSummary {
    fn from(r: CallRow) -> Self {
        CallSummary {
            id: r.id,
            project: r.project,
            room: r.room,
            room_sid: r.room_sid,
            started_ms: r.started_ms,
            ended_ms: r.ended_ms,
            peak_participants: r.peak.clamp(0, i64::from(u32::MAX)) as u32,
            kinds: kinds_from_bits(r.kinds),
            recording: r.recording != 0,
            sources: CallSource::from_bits(r.sources),
        }
    }
}

/// A query parameter of the calls page.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// The calls page query (placeholders `$N`) and its parameters; reads one row more than
/// the page to tell whether more match.
pub(crate) fn calls_query(filter: &CallFilter) -> (String, Vec<Arg>, usize) {
    let limit = filter.limit.clamp(1, MAX_CALLS_PAGE) as usize;
    let mut args = vec![Arg::Text(filter.project.clone())];
    let mut sql = format!("SELECT {CALL_COLS} FROM calls c WHERE c.project = $1");
    if let Some(s) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        args.push(Arg::Text(like_pattern(s)));
        let n = args.len();
        sql.push_str(&format!(
            " AND (lower(c.room) LIKE ${n} ESCAPE '\\' OR EXISTS (SELECT 1 FROM room_events e \
             WHERE e.project = c.project AND e.room_sid = c.room_sid \
             AND lower(e.identity) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    if let Some(CallCursor { started_ms, id }) = filter.before {
        args.push(Arg::Int(started_ms));
        args.push(Arg::Int(id));
        let (a, b) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (c.started_ms < ${a} OR (c.started_ms = ${a} AND c.id < ${b}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY c.started_ms DESC, c.id DESC LIMIT {}",
        limit + 1
    ));
    (sql, args, limit)
}

/// `%text%` in lower case with `%`, `_` and `\` escaped.
fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for ch in s.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// One call's timeline, in order (placeholders `$1` project, `$2` room sid).
pub(crate) fn timeline_query() -> String {
    format!(
        "SELECT ts_ms, kind, identity, detail FROM room_events WHERE project = $1 \
         AND room_sid = $2 ORDER BY ts_ms, id LIMIT {MAX_TIMELINE}"
    )
}

/// A `room_events` row as the timeline shows it.
pub(crate) fn event(
    ts_ms: i64,
    kind: String,
    identity: Option<String>,
    detail: String,
) -> TimelineEvent {
    TimelineEvent {
        ts_ms,
        kind,
        identity,
        detail,
    }
}

impl crate::Journal {
    /// Queues a history write; never waits. Dropped (and counted) if the queue is full.
    pub fn history(&self, op: HistoryOp) {
        let tx = self.inner.tx.lock().ok().and_then(|g| g.clone());
        let sent = tx.is_some_and(|tx| tx.try_send(crate::Msg::History(Box::new(op))).is_ok());
        if !sent {
            self.inner
                .counters
                .history_dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// History writes dropped so far (the queue was full or the journal closed).
    pub fn history_dropped(&self) -> u64 {
        self.inner
            .counters
            .history_dropped
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A page of one project's calls, newest first.
    pub async fn calls(&self, filter: &CallFilter) -> crate::JournalResult<CallPage> {
        let (mut calls, limit) = self.inner.store.calls(filter).await?;
        let more = calls.len() > limit;
        calls.truncate(limit);
        Ok(CallPage { calls, more })
    }

    /// One call with its timeline and the listens on its room while it ran (from the audit).
    pub async fn call_detail(&self, id: i64) -> crate::JournalResult<Option<CallDetail>> {
        let Some(call) = self.inner.store.call(id).await? else {
            return Ok(None);
        };
        let timeline = self
            .inner
            .store
            .timeline(&call.project, &call.room_sid)
            .await?;
        // A listen is journaled when it ends, so one that ran in this call ends after its
        // start and, for an ended call, shortly after its end.
        let listens = self
            .query(&AuditFilter {
                project: Some(call.project.clone()),
                room: Some(call.room.clone()),
                action: Some(AuditAction::ListenSession),
                from_ms: Some(call.started_ms),
                to_ms: call.ended_ms.map(|e| e + LISTEN_GRACE_MS),
                limit: MAX_PAGE,
                ..AuditFilter::default()
            })
            .await?
            .entries;
        Ok(Some(CallDetail {
            call,
            timeline,
            listens,
        }))
    }
}

/// How long after a call ends a listen on it may still be journaled (its hub notices the
/// room is gone, then writes the entry).
const LISTEN_GRACE_MS: i64 = 120_000;
