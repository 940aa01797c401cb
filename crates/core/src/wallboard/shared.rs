//! What the wallboard's tasks share: the board, each project's health, the alert rules and
//! the sink events go to (a leaf of the wallboard: its siblings import it, it imports them
//! not).

use super::alerts::Alerts;
use super::board::{Board, Diff};
use crate::audit::Audit;
use crate::clock::unix_millis;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::RoomView;
use earshot_protocol::transcript::TranscriptLine;
use earshot_protocol::wallboard::{Alert, ProjectHealth, WallDelta, WallEvent, WallRoom};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Where wallboard events go (the shell: a Tauri channel and desktop notifications).
pub trait WallSink: Send + Sync {
    /// A delta or an alert for the UI; `false` when the sink is gone.
    fn event(&self, event: &WallEvent) -> bool;
    /// Shows an alert outside the window (a desktop notification).
    fn notify(&self, alert: &Alert);
}

/// Shared by the pollers, the followed rooms and the room views.
#[derive(Default)]
pub(crate) struct Shared {
    pub board: Mutex<Board>,
    pub health: Mutex<HashMap<ProjectId, ProjectHealth>>,
    pub alerts: Mutex<Alerts>,
    pub sink: RwLock<Option<Arc<dyn WallSink>>>,
    /// Where what the pollers see goes into call history (the journal behind the audit).
    pub history: Option<Audit>,
}

pub(crate) fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// Queues history writes (never waits; see [`crate::history::record`]).
    pub fn history(&self, ops: impl IntoIterator<Item = earshot_journal::history::HistoryOp>) {
        if let Some(audit) = &self.history {
            for op in ops {
                crate::history::record(audit, op);
            }
        }
    }

    pub fn send(&self, event: WallEvent) {
        let sink = self.sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            if let WallEvent::Alert(alert) = &event {
                sink.notify(alert);
            }
            sink.event(&event);
        }
    }

    /// Applies a poller's answer to the board, unless its project left the wallboard.
    pub fn apply(&self, project: &ProjectId, fresh: Vec<WallRoom>) -> Option<Diff> {
        let health = guard(&self.health);
        let diff = health
            .contains_key(project)
            .then(|| guard(&self.board).apply(project, fresh));
        drop(health);
        diff
    }

    /// Sends a poller's delta and records its health, unless its project left the wallboard
    /// meanwhile (a poller being aborted can still finish a poll): the health lock is held
    /// across the check and the send, and [`Shared::gone`] takes it too, so no delta of a
    /// project follows its `Gone`.
    pub fn report(&self, delta: WallDelta) {
        let mut health = guard(&self.health);
        let Some(current) = health.get_mut(&delta.project) else {
            return;
        };
        *current = delta.health.clone();
        self.send(WallEvent::Delta(delta));
    }

    /// A project left the wallboard: its rooms and health go and the UI is told.
    pub fn gone(&self, project: &ProjectId) {
        let mut health = guard(&self.health);
        guard(&self.board).forget(project);
        health.remove(project);
        self.send(WallEvent::Gone {
            project: project.clone(),
        });
    }

    /// Evaluates the rules about durations (poor quality, silence, agents) on a room's current
    /// view. A room open in a view and followed on the wallboard is evaluated twice a
    /// second; the rules' episodes are per room and participant, so it still fires once.
    pub fn raise_duration_alerts(&self, view: &RoomView) {
        let alerts = guard(&self.alerts).on_view(view, unix_millis());
        self.raise(alerts);
    }

    /// Evaluates the rules on what is said against a transcript line of `room`.
    pub fn raise_line_alerts(&self, project: &ProjectId, room: &str, line: &TranscriptLine) {
        let alerts = guard(&self.alerts).on_line(project, room, line, unix_millis());
        self.raise(alerts);
    }

    fn raise(&self, alerts: Vec<Alert>) {
        for alert in alerts {
            tracing::info!(rule = %alert.rule_name, room = %alert.room, "alert: {}", alert.text);
            self.send(WallEvent::Alert(alert));
        }
    }
}
