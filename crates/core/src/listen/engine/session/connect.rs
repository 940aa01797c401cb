//! Opening a room connection: check the room exists, mint a token, join over the signal
//! connection with auto-subscribe off, set up the subscriber PeerConnection and subscribe
//! the audio tracks. Every network step has its own deadline.

use super::params::RoomParams;
use super::peer::{PcEvent, Subscriber};
use super::roster::{Roster, RosterChange};
use crate::api::RetryPolicy;
use crate::listen::engine::audio::{lock, SharedAudio};
use crate::listen::engine::error::{ListenError, ListenResult};
use crate::listen::engine::token::mint_listener_token;
use livekit_protocol as proto;
use livekit_signaling::{SignalClient, SignalEvents, SignalOptions};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use webrtc::peer_connection::RTCPeerConnectionState;

/// Deadline of the room lookup before the first join; with the signal deadline it keeps a
/// failing first join under 10 s.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// Deadline of writing one signal request.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);
/// Deadline of one signal connect (WebSocket + JoinResponse).
const SIGNAL_TIMEOUT: Duration = Duration::from_secs(5);
/// Deadline of one rejoin attempt. Shorter: a server that just came back can leave the
/// first join hanging, and the next attempt (after backoff) is the faster way in.
const REJOIN_TIMEOUT: Duration = Duration::from_millis(2500);

/// One live connection to a room.
pub(crate) struct Connection {
    pub(crate) signal: SignalClient,
    pub(crate) signal_events: SignalEvents,
    pub(crate) sub: Subscriber,
    pub(crate) pc_events: mpsc::UnboundedReceiver<PcEvent>,
    pub(crate) pc_state: RTCPeerConnectionState,
    pub(crate) roster: Roster,
    pub(crate) readers: Vec<JoinHandle<()>>,
}

impl Connection {
    /// Leaves the room politely and stops all media tasks.
    pub(crate) async fn close(self) {
        let _ = timeout(Duration::from_secs(2), async {
            self.signal
                .send(proto::signal_request::Message::Leave(proto::LeaveRequest {
                    reason: proto::DisconnectReason::ClientInitiated as i32,
                    ..Default::default()
                }))
                .await;
            self.signal.close().await;
            self.sub.close().await;
        })
        .await;
        for reader in self.readers {
            reader.abort();
        }
    }

    /// Applies participant infos: subscribe new audio tracks, drop gone ones.
    pub(crate) async fn apply_roster(
        &mut self,
        infos: &[proto::ParticipantInfo],
        audio: &SharedAudio,
    ) -> RosterChange {
        let change = self.roster.apply(infos);
        {
            let mut audio = lock(audio);
            for sid in &change.gone {
                audio.remove_track(sid);
            }
            for (_, track_sid) in &change.subscribe {
                if let Some(identity) = self.roster.identity_of_track(track_sid) {
                    audio.add_track(track_sid, &identity);
                }
            }
        }
        self.subscribe(&change.subscribe).await;
        change
    }

    /// Asks the server for these audio tracks (never video: we only ever name audio sids).
    pub(crate) async fn subscribe(&self, tracks: &[(String, String)]) {
        if tracks.is_empty() {
            return;
        }
        let mut by_participant: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for (psid, tsid) in tracks {
            by_participant.entry(psid).or_default().push(tsid.clone());
        }
        let update = proto::UpdateSubscription {
            track_sids: tracks.iter().map(|(_, t)| t.clone()).collect(),
            subscribe: true,
            participant_tracks: by_participant
                .into_iter()
                .map(|(psid, track_sids)| proto::ParticipantTracks {
                    participant_sid: psid.to_owned(),
                    track_sids,
                })
                .collect(),
        };
        self.send(proto::signal_request::Message::Subscription(update))
            .await;
    }

    /// Sends a request to the server. A send waits for the socket write, so it is bounded:
    /// a stalled connection must not stall the room; the ping timeout then reports it.
    pub(crate) async fn send(&self, message: proto::signal_request::Message) {
        if timeout(SEND_TIMEOUT, self.signal.send(message))
            .await
            .is_err()
        {
            tracing::warn!("a signal request was not written within {SEND_TIMEOUT:?}");
        }
    }
}

/// Fails with `RoomNotFound` unless the room exists, so joining never creates a room.
async fn check_room(params: &RoomParams) -> ListenResult<()> {
    let rooms = params
        .server
        .with_timeout(LOOKUP_TIMEOUT)
        .list_rooms_named(vec![params.room.clone()], RetryPolicy::NONE)
        .await
        .map_err(|e| ListenError::from_api(&params.server.endpoint().url, &e))?;
    if rooms.iter().any(|r| r.name == params.room) {
        Ok(())
    } else {
        Err(ListenError::RoomNotFound(params.room.clone()))
    }
}

/// Joins the room. `first` adds the existence check (a rejoin must not fail because a room
/// was recreated, and it would just end as empty).
pub(crate) async fn connect(
    params: &RoomParams,
    audio: &SharedAudio,
    first: bool,
) -> ListenResult<Connection> {
    if first {
        check_room(params).await?;
    }
    let endpoint = params.server.endpoint();
    let token = mint_listener_token(
        &endpoint.api_key,
        endpoint.api_secret.expose(),
        &params.room,
        &params.supervisor,
        params.token_ttl,
    )?;
    params.own_identities.insert(&token.identity);
    let mut options = SignalOptions::default();
    options.auto_subscribe = false;
    // Self-hosted servers have no regions; a failover loop would only delay the error.
    options.region_failover = false;
    let deadline = if first {
        SIGNAL_TIMEOUT
    } else {
        REJOIN_TIMEOUT
    };
    options.connect_timeout = deadline;
    let (signal, join, signal_events) = timeout(
        deadline + Duration::from_millis(500),
        SignalClient::connect(&endpoint.url, &token.jwt, options, None),
    )
    .await
    .map_err(|_| ListenError::Timeout {
        what: "joining the room",
        seconds: deadline.as_secs_f64().ceil() as u64 + 1,
    })?
    .map_err(|e| ListenError::from_signal(&endpoint.url, &e, deadline))?;
    let me = join
        .participant
        .as_ref()
        .map(|p| p.sid.clone())
        .unwrap_or_default();
    let (sub, pc_events) = match Subscriber::new(&join.ice_servers, &endpoint.url, false).await {
        Ok(ok) => ok,
        Err(e) => {
            signal.close().await;
            return Err(e);
        }
    };
    let mut conn = Connection {
        signal,
        signal_events,
        sub,
        pc_events,
        pc_state: RTCPeerConnectionState::New,
        roster: Roster::new(&me),
        readers: Vec::new(),
    };
    lock(audio).clear_tracks();
    conn.apply_roster(&join.other_participants, audio).await;
    tracing::info!(room = %params.room, identity = %token.identity, "listening");
    Ok(conn)
}
