//! Call history: every call a project had while Earshot could see it, and each call's
//! timeline, kept in the journal ([`earshot_journal::history`]). Three sources feed it,
//! merged by room sid: the wallboard's pollers (start, end, peak of rooms on the board),
//! room views (who joined and left), and signed webhooks from the server ([`webhook`]), so
//! rooms nobody watched still have a history.

mod events;
mod service;
pub mod sources;
pub mod webhook;

use crate::audit::Audit;
use crate::result::AppResult;
use earshot_journal::history::HistoryOp;
use earshot_protocol::history::{CallDetail, CallFilter, CallPage};
use earshot_protocol::{AppError, ErrorCode};

pub use earshot_journal::history::{CallSeen, RoomEvent};
pub use service::{Webhooks, SETTINGS_KEY};

/// Queues a history write; never waits. Before the journal opens (the first seconds of a
/// start) or when it could not, the write is dropped: history is best effort, the audit
/// is not.
pub fn record(audit: &Audit, op: HistoryOp) {
    if let Some(journal) = audit.journal() {
        journal.history(op);
    }
}

/// A page of one project's calls, newest first.
pub async fn list_calls(audit: &Audit, filter: &CallFilter) -> AppResult<CallPage> {
    let journal = open_journal(audit)?;
    journal.calls(filter).await.map_err(store_error)
}

/// One call with its timeline and who listened.
pub async fn call_detail(audit: &Audit, id: i64) -> AppResult<CallDetail> {
    let journal = open_journal(audit)?;
    journal
        .call_detail(id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "That call is not in the history."))
}

fn open_journal(audit: &Audit) -> AppResult<earshot_journal::Journal> {
    audit.journal().ok_or_else(|| {
        let why = audit
            .open_error()
            .unwrap_or_else(|| "it is still opening".into());
        AppError::new(
            ErrorCode::JournalError,
            format!("Call history is kept in the journal, which is not open: {why}"),
        )
    })
}

fn store_error(e: earshot_journal::JournalError) -> AppError {
    AppError::new(
        ErrorCode::JournalError,
        format!("Call history could not be read: {e}"),
    )
}
