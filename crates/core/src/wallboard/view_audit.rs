//! The audit entry of a room-view session — one the supervisor opened, or a wallboard row
//! followed live (the action tells them apart): written once, when the view's connection ends — that is when the last holder of its sink lets go (the view's
//! task on leaving, or the open call itself when joining failed).

use crate::audit::Audit;
use crate::clock::unix_millis;
use earshot_journal::NewEntry;
use earshot_protocol::audit::AuditAction;
use earshot_protocol::room_view::{RoomView, RoomViewState};
use std::sync::Mutex;

/// One room-view session, journaled on drop.
pub(super) struct ViewSession {
    audit: Audit,
    action: AuditAction,
    project: String,
    server_url: String,
    room: String,
    /// When opening was asked for.
    requested_ms: i64,
    /// Filled once known: the observer identity after joining, the end reason from the
    /// last view, the error code when opening failed.
    late: Mutex<Late>,
}

#[derive(Default)]
struct Late {
    identity: Option<String>,
    end_reason: Option<String>,
    failed: Option<String>,
    session: Option<u64>,
    /// When joining completed: the session's start.
    joined_ms: Option<i64>,
}

impl ViewSession {
    pub(super) fn new(
        audit: Audit,
        action: AuditAction,
        project: String,
        server_url: String,
        room: String,
    ) -> Self {
        Self {
            audit,
            action,
            project,
            server_url,
            room,
            requested_ms: unix_millis(),
            late: Mutex::new(Late::default()),
        }
    }

    fn late(&self) -> std::sync::MutexGuard<'_, Late> {
        self.late.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes the view's end reason when it ends.
    pub(super) fn seen(&self, view: &RoomView) {
        if let RoomViewState::Ended { reason } = &view.state {
            self.late().end_reason = Some(reason.clone());
        }
    }

    /// Notes the joined session's identity and number.
    pub(super) fn joined(&self, identity: Option<String>, session: u64) {
        let mut late = self.late();
        late.identity = identity;
        late.session = Some(session);
        late.joined_ms = Some(unix_millis());
    }

    /// Notes that opening failed with `code`.
    pub(super) fn failed(&self, code: String) {
        self.late().failed = Some(code);
    }
}

impl Drop for ViewSession {
    fn drop(&mut self) {
        let late = std::mem::take(&mut *self.late());
        let ended = unix_millis();
        let mut e = NewEntry::new(self.action);
        e.ts_ms = ended;
        e.outcome = late.failed.clone().unwrap_or_else(|| "ok".into());
        e.project = Some(self.project.clone());
        e.server_url = Some(self.server_url.clone());
        e.room = Some(self.room.clone());
        e.identity = late.identity;
        let reason = match (&late.failed, late.end_reason) {
            (Some(_), _) => "open_failed".to_owned(),
            (None, Some(r)) => r,
            (None, None) => "closed".to_owned(),
        };
        let started = late.joined_ms.unwrap_or(self.requested_ms);
        e.detail = serde_json::json!({
            "session": late.session,
            "requested_at_ms": self.requested_ms,
            "started_at_ms": started,
            "ended_at_ms": ended,
            "duration_ms": (ended - started).max(0),
            "end_reason": reason,
        });
        self.audit.record(e);
    }
}
