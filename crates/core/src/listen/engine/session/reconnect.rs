//! Getting a dropped room connection back: resume the session first (new signal
//! connection, ICE restart on the same PeerConnection), then full rejoins with full-jitter
//! backoff, until the reconnect budget is spent.

use super::connect::{connect, Connection};
use super::handlers::{on_pc, on_signal};
use super::params::{RoomCommand, RoomEvents, RoomParams, RESUME_TIMEOUT};
use crate::listen::engine::audio::SharedAudio;
use crate::listen::engine::error::{ListenError, ListenResult};
use earshot_protocol::listen::{EndReason, ListenState};
use livekit_protocol as proto;
use livekit_signaling::SignalEvent;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep, sleep_until, timeout, Instant};
use webrtc::peer_connection::RTCPeerConnectionState;

/// First reconnect backoff ceiling; doubles per attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(300);
/// Backoff ceiling.
const BACKOFF_CAP: Duration = Duration::from_secs(7);

/// Full-jitter backoff: uniformly random up to `base * 2^attempt`, capped.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    ceiling.mul_f64(rand::random::<f64>())
}

/// Resumes or rejoins until live again, or gives up after the reconnect budget.
pub(super) async fn reconnect(
    conn: Connection,
    resume: bool,
    params: &RoomParams,
    audio: &SharedAudio,
    events: &RoomEvents,
    cmds: &mut mpsc::UnboundedReceiver<RoomCommand>,
) -> Result<Connection, EndReason> {
    let started = Instant::now();
    let mut old = Some(conn);
    let mut last_error = ListenError::Unreachable {
        url: params.server.endpoint().url.clone(),
        detail: "the connection dropped".into(),
    };
    for attempt in 1u32.. {
        tracing::info!(room = %params.room, attempt, resume, "reconnecting");
        events.state(ListenState::Reconnecting { attempt });
        if attempt > 1 {
            // Never sleep past the budget: giving up late is as bad as giving up early.
            let left = params.reconnect_budget.saturating_sub(started.elapsed());
            let wait = backoff(attempt - 2).min(left);
            tokio::select! {
                _ = sleep(wait) => {}
                cmd = cmds.recv() => {
                    if matches!(cmd, Some(RoomCommand::Leave) | None) {
                        if let Some(conn) = old.take() {
                            conn.close().await;
                        }
                        return Err(EndReason::Stopped);
                    }
                }
            }
        }
        if attempt == 1 && resume {
            if let Some(conn) = old.as_mut() {
                match try_resume(conn, audio).await {
                    Ok(()) => return old.ok_or(EndReason::Stopped),
                    Err(e) => {
                        tracing::info!(room = %params.room, "resume failed ({e}), rejoining");
                        last_error = e;
                    }
                }
            }
            continue;
        }
        if let Some(conn) = old.take() {
            conn.close().await;
        }
        match connect(params, audio, false).await {
            Ok(conn) => return Ok(conn),
            Err(e) if !e.is_transient() => {
                return Err(EndReason::ConnectionLost { error: e.into() })
            }
            Err(e) => {
                tracing::info!(room = %params.room, attempt, "rejoin failed: {e}");
                last_error = e;
            }
        }
        if started.elapsed() > params.reconnect_budget {
            break;
        }
    }
    Err(EndReason::ConnectionLost {
        error: last_error.into(),
    })
}

/// Resumes the session on a new signal connection and waits for the subscriber
/// PeerConnection to be connected again (answering the server's ICE-restart offer).
async fn try_resume(conn: &mut Connection, audio: &SharedAudio) -> ListenResult<()> {
    let restart = timeout(
        RESUME_TIMEOUT,
        conn.signal
            .restart(proto::ReconnectReason::RrSignalDisconnected),
    )
    .await
    .map_err(|_| ListenError::Timeout {
        what: "resuming",
        seconds: RESUME_TIMEOUT.as_secs(),
    })?;
    restart.map_err(|e| ListenError::from_signal(&conn.signal.url(), &e, RESUME_TIMEOUT))?;
    let deadline = Instant::now() + RESUME_TIMEOUT;
    // A signal-only drop leaves the media path up; nothing to wait for then.
    while conn.pc_state != RTCPeerConnectionState::Connected {
        tokio::select! {
            event = conn.signal_events.recv() => {
                let Some(SignalEvent::Message(message)) = event else {
                    return Err(ListenError::Server("the signal connection closed while resuming".into()));
                };
                let ignore_events = RoomEvents {
                    // Events go nowhere here: the key is never read.
                    key: earshot_protocol::listen::RoomKey::from(""),
                    tx: mpsc::unbounded_channel().0,
                    state: Arc::new(Mutex::new(ListenState::Connecting)),
                };
                if on_signal(conn, *message, audio, &ignore_events).await.is_some() {
                    return Err(ListenError::Server("the server refused the resume".into()));
                }
            }
            event = conn.pc_events.recv() => {
                let Some(event) = event else {
                    return Err(ListenError::Media("the PeerConnection ended".into()));
                };
                if on_pc(conn, event, audio).await == Some(RTCPeerConnectionState::Failed) {
                    return Err(ListenError::Media("ICE restart failed".into()));
                }
            }
            _ = sleep_until(deadline) => {
                return Err(ListenError::Timeout { what: "the media reconnect", seconds: RESUME_TIMEOUT.as_secs() });
            }
        }
    }
    // Releases the requests queued while resuming; a stalled socket must not hang us here.
    let _ = timeout(Duration::from_secs(2), conn.signal.set_reconnected()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        // Ceilings written out, not recomputed: 300 ms doubling per attempt, capped at 7 s.
        let ceilings_ms = [300, 600, 1200, 2400, 4800, 7000, 7000, 7000, 7000, 7000];
        for (attempt, ceiling_ms) in (0u32..).zip(ceilings_ms) {
            let ceiling = Duration::from_millis(ceiling_ms);
            let samples: Vec<Duration> = (0..200).map(|_| backoff(attempt)).collect();
            let max = samples.iter().max().copied().unwrap_or_default();
            let min = samples.iter().min().copied().unwrap_or_default();
            // Full jitter spreads over [0, ceiling]: a fixed or zero delay fails here
            // (chance of a false failure with 200 uniform samples: 2 * 0.8^200, about 1e-19).
            assert!(max <= ceiling, "attempt {attempt}: {max:?} > {ceiling:?}");
            assert!(max > ceiling.mul_f64(0.8), "attempt {attempt}: max {max:?}");
            assert!(min < ceiling.mul_f64(0.2), "attempt {attempt}: min {min:?}");
        }
        assert!(backoff(30) <= Duration::from_secs(7));
    }
}
