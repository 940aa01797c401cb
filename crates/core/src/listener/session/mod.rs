//! One listened room's connection lifecycle: join, follow participants and offers, and when
//! the connection drops resume first, then rejoin with full-jitter backoff, like the official
//! SDK's `rtc_session.rs`. Leaves on its own when the room empties or is deleted.

mod connect;
pub(crate) mod peer;
mod reconnect;
mod roster;

use crate::listener::audio::{lock, SharedAudio};
use crate::listener::error::ListenResult;
use connect::{connect, Connection};
use earshot_protocol::listen::{EndReason, ListenEvent, ListenState, SpeakerInfo};
use livekit_protocol as proto;
use livekit_signaling::SignalEvent;
use peer::PcEvent;
use reconnect::reconnect;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout, Instant};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::RTCPeerConnectionState;

/// How long a resume may take (signal + ICE restart) before we rejoin instead.
const RESUME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a PeerConnection may stay `Disconnected` before we treat it as lost.
const PC_DISCONNECT_GRACE: Duration = Duration::from_secs(3);

/// Everything a room task needs to (re)join.
#[derive(Clone)]
pub(crate) struct RoomParams {
    pub url: String,
    pub api_key: String,
    pub api_secret: String,
    pub room: String,
    pub supervisor: String,
    pub token_ttl: Duration,
    pub empty_grace: Duration,
    pub empty_on_join_grace: Duration,
    pub reconnect_budget: Duration,
    pub own_identities: crate::listener::token::OwnIdentities,
}

/// Requests from the listener to a room task.
pub(crate) enum RoomCommand {
    Leave,
    /// Drop the signal connection as a network failure would (tests the resume path, like the
    /// official SDK's `SimulateScenario::SignalReconnect`).
    SimulateSignalDrop,
}

/// Where a room task reports; also keeps the latest state for the listener to read.
#[derive(Clone)]
pub(crate) struct RoomEvents {
    /// The room's key in the listener (its name, or what the app keys it by).
    pub room: String,
    pub tx: mpsc::UnboundedSender<ListenEvent>,
    pub state: Arc<Mutex<ListenState>>,
}

impl RoomEvents {
    fn state(&self, state: ListenState) {
        if let Ok(mut current) = self.state.lock() {
            *current = state.clone();
        }
        let _ = self.tx.send(ListenEvent::State {
            project: String::new(),
            room: self.room.clone(),
            state,
        });
    }

    fn speakers(&self, speakers: Vec<SpeakerInfo>) {
        let _ = self.tx.send(ListenEvent::Speakers {
            project: String::new(),
            room: self.room.clone(),
            speakers,
        });
    }
}

/// How a connection ended.
enum Outcome {
    End(EndReason),
    /// Lost; `resume` says whether the session may still be resumed.
    Lost {
        resume: bool,
    },
}

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

/// Handles one server message; `Some` ends the connection.
async fn on_signal(
    conn: &mut Connection,
    message: proto::signal_response::Message,
    audio: &SharedAudio,
    events: &RoomEvents,
) -> Option<Outcome> {
    use proto::signal_response::Message;
    match message {
        Message::Offer(offer) => {
            tracing::debug!(id = offer.id, tracks = ?offer.mid_to_track_id, "subscriber offer");
            let answer = timeout(RESUME_TIMEOUT, conn.sub.answer(&offer)).await;
            match answer {
                Ok(Ok(answer)) => {
                    // livekit-server v1.13.3 offers opus and red; the answer takes opus (red
                    // is not registered), so plain Opus arrives, from RED publishers too.
                    tracing::debug!(
                        offered = ?peer::audio_codecs(&offer.sdp),
                        answered = ?peer::audio_codecs(&answer.sdp),
                        "subscriber audio codecs"
                    );
                    conn.send(proto::signal_request::Message::Answer(answer))
                        .await;
                }
                Ok(Err(e)) => {
                    tracing::warn!("answering the subscriber offer failed: {e}");
                    return Some(Outcome::Lost { resume: false });
                }
                Err(_) => return Some(Outcome::Lost { resume: false }),
            }
        }
        Message::Trickle(trickle)
            if {
                tracing::debug!(candidate = %trickle.candidate_init, target = trickle.target, "remote candidate");
                true
            } && trickle.target == proto::SignalTarget::Subscriber as i32 =>
        {
            conn.sub.add_remote_candidate(&trickle.candidate_init).await;
        }
        Message::Update(update) => {
            let change = conn.apply_roster(&update.participants, audio).await;
            tracing::debug!(?change, "participant update");
            if change.speakers_changed {
                events.speakers(conn.roster.speakers());
            }
        }
        Message::Leave(leave) => return Some(on_leave(&leave)),
        _ => {}
    }
    None
}

fn on_leave(leave: &proto::LeaveRequest) -> Outcome {
    use proto::leave_request::Action;
    use proto::DisconnectReason as Why;
    let action = Action::try_from(leave.action).unwrap_or(Action::Disconnect);
    let reason = Why::try_from(leave.reason).unwrap_or(Why::UnknownReason);
    match (action, reason) {
        (Action::Resume, _) => Outcome::Lost { resume: true },
        (Action::Reconnect, _) => Outcome::Lost { resume: false },
        (_, Why::RoomDeleted | Why::RoomClosed) => Outcome::End(EndReason::RoomDeleted),
        (_, Why::ParticipantRemoved | Why::DuplicateIdentity) => Outcome::End(EndReason::Removed),
        // A shutting-down or migrating server: another node (or the restarted one) takes us.
        (_, Why::ServerShutdown | Why::Migration | Why::SignalClose) => {
            Outcome::Lost { resume: false }
        }
        _ if leave.can_reconnect => Outcome::Lost { resume: false },
        _ => Outcome::End(EndReason::Removed),
    }
}

/// Handles one PeerConnection event; returns a new connection state if there is one.
async fn on_pc(
    conn: &mut Connection,
    event: PcEvent,
    audio: &SharedAudio,
) -> Option<RTCPeerConnectionState> {
    match event {
        PcEvent::Candidate(candidate_init) => {
            tracing::debug!(%candidate_init, "local candidate");
            conn.send(proto::signal_request::Message::Trickle(
                proto::TrickleRequest {
                    candidate_init,
                    target: proto::SignalTarget::Subscriber as i32,
                    ..Default::default()
                },
            ))
            .await;
            None
        }
        PcEvent::State(state) => {
            tracing::debug!(?state, "subscriber connection state");
            conn.pc_state = state;
            Some(state)
        }
        PcEvent::Track(track) => {
            let track_sid = track.track_id().await;
            tracing::debug!(%track_sid, "track arrived");
            match conn.roster.identity_of_track(&track_sid) {
                Some(identity) => {
                    lock(audio).add_track(&track_sid, &identity);
                    conn.readers
                        .push(tokio::spawn(read_rtp(track, track_sid, audio.clone())));
                }
                None => tracing::warn!(%track_sid, "ignoring a track we did not ask for"),
            }
            None
        }
    }
}

/// Moves RTP packets of one track into its jitter buffer until the track ends.
async fn read_rtp(track: Arc<dyn TrackRemote>, track_sid: String, audio: SharedAudio) {
    while let Some(event) = track.poll().await {
        if let TrackRemoteEvent::OnRtpPacket(packet) = event {
            let arrival = std::time::Instant::now();
            lock(&audio).push_rtp(
                &track_sid,
                packet.header.sequence_number,
                packet.header.timestamp,
                &packet.payload,
                arrival,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
