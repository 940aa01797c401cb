//! How a room task answers what the server and the PeerConnection say: offers, trickle,
//! speaker updates, leave requests, new tracks (whose RTP it reads into the audio).

use super::connect::Connection;
use super::params::{Outcome, RoomEvents, RESUME_TIMEOUT};
use super::peer::{self, PcEvent};
use crate::listen::engine::audio::{lock, SharedAudio};
use earshot_protocol::listen::EndReason;
use livekit_protocol as proto;
use std::sync::Arc;
use tokio::time::timeout;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::RTCPeerConnectionState;

/// Handles one server message; `Some` ends the connection.
pub(super) async fn on_signal(
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

pub(super) fn on_leave(leave: &proto::LeaveRequest) -> Outcome {
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
pub(super) async fn on_pc(
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
        // Not forwarded for the listener (see `Subscriber::new`): it plays audio only.
        PcEvent::Data(_) => None,
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
