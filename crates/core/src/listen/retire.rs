//! Ends listens whose project was removed or whose server, key or secret changed: each one
//! holds a copy of the credentials it was started with (its rejoins mint tokens with them),
//! and those must stop being used the moment they no longer belong to the project.

use super::record::Record;
use super::session_audit;
use super::shared::{guard, send_state, Records, Sink};
use crate::audit::Audit;
use crate::listen::engine::{EndReason, ListenState, Listener};
use crate::projects::{still_valid, ProjectEntry};
use earshot_protocol::listen::RoomKey;
use std::sync::Weak;
use tokio::sync::watch;

/// Follows the project list until the registry is gone.
pub(super) async fn follow(
    mut changes: watch::Receiver<Vec<ProjectEntry>>,
    records: Records,
    engine: Weak<Listener>,
    sink: Sink,
    audit: Audit,
) {
    while changes.changed().await.is_ok() {
        let now = changes.borrow_and_update().clone();
        let stale: Vec<RoomKey> = guard(&records)
            .iter()
            .filter(|(key, record)| {
                !ended(record) && !still_valid(&now, &key.project, record.credentials)
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            tracing::info!(room = %key.room, "listen: the project changed; leaving");
            end(
                &key,
                EndReason::ProjectChanged,
                &records,
                &engine,
                &sink,
                &audit,
            )
            .await;
        }
    }
}

fn ended(record: &Record) -> bool {
    matches!(record.view.state, ListenState::Ended { .. })
}

/// Ends the listen of `key` for a reason the hub decided (not the engine), reporting and
/// auditing it as `reason`.
pub(super) async fn end(
    key: &RoomKey,
    reason: EndReason,
    records: &Records,
    engine: &Weak<Listener>,
    sink: &Sink,
    audit: &Audit,
) {
    match guard(records).get_mut(key) {
        Some(record) => {
            // `stopping` also ends a rejoin between its attempts.
            record.stopping = true;
            record.end_as = Some(reason.clone());
        }
        None => return,
    }
    if let Some(engine) = engine.upgrade() {
        // A connected room's own end comes back through the hub's events, reported with
        // `end_as`; a room between rejoin attempts has no connection to end.
        let _ = engine.stop(key).await;
        engine.set_audible(engine.audible().without(key));
    }
    let state = ListenState::Ended {
        reason: reason.clone(),
    };
    let mut records_now = guard(records);
    let Some(record) = records_now.get_mut(key).filter(|r| !ended(r)) else {
        return;
    };
    record.set_state(state.clone());
    session_audit::session_ended(audit, record, &reason);
    drop(records_now);
    send_state(sink, key, state);
}
