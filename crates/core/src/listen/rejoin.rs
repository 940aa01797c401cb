//! The app-level rejoin: after the engine gave up reconnecting a room, join it again from
//! scratch a few times, with the supervisor's mix carried over.

use super::record::{Record, REJOIN_DELAYS};
use super::shared::{guard, send_state, Records, Sink};
use crate::api::ServerApi;
use crate::listen::engine::{EndReason, ListenState, Listener};
use earshot_protocol::listen::RoomKey;
use std::time::Instant;

/// After the engine gave up: wait, then join again from scratch, while the room shows as
/// rejoining; gives the room up (Ended with the last error) after the last attempt.
pub(super) async fn app_rejoin(
    key: RoomKey,
    target: ServerApi,
    first_attempt: u32,
    records: Records,
    sink: Sink,
    engine: std::sync::Weak<Listener>,
) {
    attempts(&key, target, first_attempt, &records, sink, engine).await;
    if let Some(record) = guard(&records).get_mut(&key) {
        record.rejoining = false;
    }
}

async fn attempts(
    key: &RoomKey,
    target: ServerApi,
    first_attempt: u32,
    records: &Records,
    sink: Sink,
    engine: std::sync::Weak<Listener>,
) {
    let room = key.room.as_str();
    // Changes the room's record (unless the supervisor left it) and reports its new state.
    let update = |change: &dyn Fn(&mut Record) -> ListenState| -> bool {
        let mut records = guard(records);
        let Some(record) = records.get_mut(key).filter(|r| !r.stopping) else {
            return false;
        };
        let state = change(record);
        drop(records);
        send_state(&sink, key, state);
        true
    };
    let mut attempt = first_attempt;
    loop {
        if !update(&|r| r.start_rejoin_attempt(attempt, Instant::now())) {
            return;
        }
        tracing::info!(%room, attempt = attempt + 1, "listen: app-level rejoin");
        tokio::time::sleep(REJOIN_DELAYS[attempt as usize]).await;
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let mix = match guard(records).get(key) {
            Some(record) if !record.stopping => record.mix.clone(),
            _ => return,
        };
        match engine.listen_with(&target, key.clone(), mix).await {
            Ok(()) => {
                update(&|r| r.enter(ListenState::Live, Instant::now()));
                return;
            }
            Err(err) if err.is_transient() && (attempt as usize + 1) < REJOIN_DELAYS.len() => {
                tracing::warn!(%room, error = %err, "listen: rejoin failed, trying again");
                attempt += 1;
            }
            Err(err) => {
                tracing::warn!(%room, error = %err, "listen: giving the room up");
                let ended = ListenState::Ended {
                    reason: EndReason::ConnectionLost { error: err.into() },
                };
                update(&|r| r.enter(ended.clone(), Instant::now()));
                return;
            }
        }
    }
}
