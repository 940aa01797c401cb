//! One listened room's connection lifecycle: join, follow participants and offers, and when
//! the connection drops resume first, then rejoin with full-jitter backoff, like the official
//! SDK's `rtc_session.rs`. Leaves on its own when the room empties or is deleted.

mod connect;
mod handlers;
mod params;
pub(crate) mod peer;
mod reconnect;
mod roster;

pub(crate) use params::{RoomCommand, RoomEvents, RoomParams};

use crate::listen::engine::audio::{lock, SharedAudio};
use crate::listen::engine::error::ListenResult;
use connect::{connect, Connection};
use earshot_protocol::listen::{EndReason, ListenState};
use handlers::{on_pc, on_signal};
use livekit_signaling::SignalEvent;
use params::{Outcome, PC_DISCONNECT_GRACE};
use reconnect::reconnect;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};
use webrtc::peer_connection::RTCPeerConnectionState;

/// Starts the room task; `ready` gets the first join's result.
pub(crate) fn spawn(
    params: RoomParams,
    audio: SharedAudio,
    events: RoomEvents,
    cmds: mpsc::UnboundedReceiver<RoomCommand>,
    ready: oneshot::Sender<ListenResult<()>>,
) -> JoinHandle<()> {
    tokio::spawn(run(params, audio, events, cmds, ready))
}

async fn run(
    params: RoomParams,
    audio: SharedAudio,
    events: RoomEvents,
    mut cmds: mpsc::UnboundedReceiver<RoomCommand>,
    ready: oneshot::Sender<ListenResult<()>>,
) {
    events.state(ListenState::Connecting);
    let mut conn = match connect(&params, &audio, true).await {
        Ok(conn) => conn,
        Err(e) => {
            let _ = ready.send(Err(e.clone()));
            events.state(ListenState::Ended {
                reason: EndReason::ConnectionLost { error: e.into() },
            });
            return;
        }
    };
    let _ = ready.send(Ok(()));
    events.speakers(conn.roster.speakers());
    events.state(ListenState::Live);
    loop {
        let outcome = drive(&mut conn, &params, &audio, &events, &mut cmds).await;
        match outcome {
            Outcome::End(reason) => {
                conn.close().await;
                lock(&audio).clear_tracks();
                events.state(ListenState::Ended { reason });
                return;
            }
            Outcome::Lost { resume } => {
                match reconnect(conn, resume, &params, &audio, &events, &mut cmds).await {
                    Ok(next) => {
                        conn = next;
                        events.speakers(conn.roster.speakers());
                        events.state(ListenState::Live);
                    }
                    Err(reason) => {
                        lock(&audio).clear_tracks();
                        events.state(ListenState::Ended { reason });
                        return;
                    }
                }
            }
        }
    }
}

/// Runs a live connection until it ends or drops.
async fn drive(
    conn: &mut Connection,
    params: &RoomParams,
    audio: &SharedAudio,
    events: &RoomEvents,
    cmds: &mut mpsc::UnboundedReceiver<RoomCommand>,
) -> Outcome {
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    // Found empty on (re)join: wait longer than after a leave, because after a server
    // restart the publishers rejoin too, maybe after us.
    let mut empty_at = if conn.roster.visible() == 0 {
        Instant::now() + params.empty_on_join_grace
    } else {
        far
    };
    let mut pc_lost_at = far;
    loop {
        tokio::select! {
            cmd = cmds.recv() => match cmd {
                Some(RoomCommand::Leave) | None => return Outcome::End(EndReason::Stopped),
                Some(RoomCommand::SimulateSignalDrop) => conn.signal.close().await,
            },
            event = conn.signal_events.recv() => {
                let Some(SignalEvent::Message(message)) = event else {
                    return Outcome::Lost { resume: true };
                };
                if let Some(outcome) = on_signal(conn, *message, audio, events).await {
                    return outcome;
                }
                if conn.roster.visible() == 0 {
                    if empty_at == far {
                        empty_at = Instant::now() + params.empty_grace;
                    }
                } else {
                    empty_at = far;
                }
            }
            event = conn.pc_events.recv() => {
                let Some(event) = event else {
                    return Outcome::Lost { resume: false };
                };
                match on_pc(conn, event, audio).await {
                    Some(RTCPeerConnectionState::Failed) => return Outcome::Lost { resume: true },
                    Some(RTCPeerConnectionState::Disconnected) => {
                        pc_lost_at = Instant::now() + PC_DISCONNECT_GRACE;
                    }
                    Some(RTCPeerConnectionState::Connected) => pc_lost_at = far,
                    _ => {}
                }
            }
            _ = sleep_until(empty_at) => return Outcome::End(EndReason::RoomEmpty),
            _ = sleep_until(pc_lost_at) => return Outcome::Lost { resume: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::handlers::on_leave;
    use super::*;
    use livekit_protocol as proto;

    #[test]
    fn leave_requests_map_to_outcomes() {
        use proto::leave_request::Action;
        use proto::DisconnectReason as Why;
        let leave = |action: Action, reason: Why| proto::LeaveRequest {
            action: action as i32,
            reason: reason as i32,
            ..Default::default()
        };
        assert!(matches!(
            on_leave(&leave(Action::Disconnect, Why::RoomDeleted)),
            Outcome::End(EndReason::RoomDeleted)
        ));
        assert!(matches!(
            on_leave(&leave(Action::Resume, Why::UnknownReason)),
            Outcome::Lost { resume: true }
        ));
        assert!(matches!(
            on_leave(&leave(Action::Disconnect, Why::ServerShutdown)),
            Outcome::Lost { resume: false }
        ));
    }
}
