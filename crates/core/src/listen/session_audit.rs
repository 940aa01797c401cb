//! The audit entry of a listen session, written once when it ends: when it was asked for,
//! joined and ended, how long it lasted (from the join), why it ended, and the hidden identity it joined as.

use super::record::Record;
use crate::audit::Audit;
use crate::clock::unix_millis;
use earshot_journal::NewEntry;
use earshot_protocol::audit::AuditAction;
use earshot_protocol::listen::EndReason;

/// Writes `record`'s session entry unless it was written already.
pub(super) fn session_ended(audit: &Audit, record: &mut Record, reason: &EndReason) {
    if record.audited {
        return;
    }
    record.audited = true;
    let outcome = match reason {
        EndReason::ConnectionLost { error } => crate::audit::code_name(error.code),
        _ => "ok".into(),
    };
    let reason = match reason {
        EndReason::Stopped => "stopped",
        EndReason::RoomEmpty => "room_empty",
        EndReason::RoomDeleted => "room_deleted",
        EndReason::Removed => "removed",
        EndReason::ConnectionLost { .. } => "connection_lost",
        EndReason::ProjectChanged => "project_changed",
        EndReason::TimeLimit { .. } => "time_limit",
        EndReason::AppClosed => "app_closed",
    };
    audit.record(entry(record, reason, outcome));
}

/// Writes the entry of a session whose first join failed.
pub(super) fn join_failed(audit: &Audit, record: &mut Record, code: String) {
    record.audited = true;
    audit.record(entry(record, "join_failed", code));
}

fn entry(record: &Record, reason: &str, outcome: String) -> NewEntry {
    let ended = unix_millis();
    let view = &record.view;
    let mut e = NewEntry::new(AuditAction::ListenSession);
    e.ts_ms = ended;
    e.outcome = outcome;
    e.project = Some(view.project_name.clone());
    e.server_url = Some(record.target.endpoint().url.clone());
    e.room = Some(view.room.clone());
    e.identity = record.identity.clone();
    // The session runs from the completed join (the request's time if it never joined).
    let started = record.joined_ms.unwrap_or(view.started_at_ms);
    e.detail = serde_json::json!({
        "project_id": view.project,
        "requested_at_ms": view.started_at_ms,
        "started_at_ms": started,
        "ended_at_ms": ended,
        "duration_ms": (ended - started).max(0),
        "end_reason": reason,
        "rejoins": view.rejoins,
    });
    e
}
