//! The real-time room view's connection: joins a room hidden and turns participant updates,
//! active speakers, connection quality and mutes into [`RoomView`]s as they arrive. Leaves
//! when the view closes or the room empties; a dropped connection is rejoined with backoff.
//!
//! LiveKit sends speaker and quality updates only to subscribers of a participant's tracks
//! (measured: a signal-only connection gets joins, leaves and mutes but no speakers), so the
//! view subscribes the audio tracks on a receive-only PeerConnection and pauses them at once
//! (`UpdateTrackSettings { disabled }`): they stay subscribed, the SFU sends no media, and
//! the server's own speaker detection is used.
//! The server announces speaker *changes* (set or quantized level), and livekit-server
//! v1.13.3 never wires the hook meant to tell a new subscriber who speaks right now
//! (`onSubscribeStatusChanged`): someone already talking shows up at their next change —
//! within moments for speech, never for a perfectly steady tone.
//! The same connection reads the data channels the server opens on it: agents' transcripts
//! (`lk.transcription` text streams) become lines sent one by one, and their state
//! (`lk.agent.state`) rides on the participants.

mod heard;
mod roster;

use crate::api::{RetryPolicy, ServerApi};
use crate::clock::unix_millis;
use crate::listen::engine::session::peer::{PcEvent, Subscriber};
use crate::listen::engine::token::{Supervisor, ROLE_ATTRIBUTE, SUPERVISOR_ATTRIBUTE};
use crate::projects::ProjectHandle;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::{RoomView, RoomViewState};
use earshot_protocol::rooms::TrackKind;
use earshot_protocol::transcript::{TranscriptDrops, TranscriptLine};
use earshot_protocol::{AppError, ErrorCode};
use heard::Heard;
use livekit_api::access_token::AccessToken;
use livekit_protocol as proto;
use livekit_signaling::{SignalClient, SignalEvent, SignalEvents, SignalOptions};
use roster::Roster;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout, Instant};
use webrtc::peer_connection::RTCPeerConnectionState;

/// RTP packets all room views of this process received (they subscribe paused audio, so
/// this stays near zero; a test and the debug log watch it).
static MEDIA_PACKETS: AtomicU64 = AtomicU64::new(0);

/// How many media packets room views have received in this process so far.
pub fn media_packets_received() -> u64 {
    MEDIA_PACKETS.load(Ordering::Relaxed)
}

/// Whether room views pause the audio they subscribe (always, outside tests).
static PAUSE_AUDIO: AtomicBool = AtomicBool::new(true);

/// Test control: views opened after `false` leave their audio running, so a test can show
/// that [`media_packets_received`] counts what arrives (a paused view's low count then
/// means something).
#[doc(hidden)]
pub fn pause_audio_in_new_views(pause: bool) {
    PAUSE_AUDIO.store(pause, Ordering::Relaxed);
}

/// Where views go; `false` when the receiver is gone (the view then closes).
pub trait RoomViewSink: Send + Sync {
    fn view(&self, view: &RoomView) -> bool;
    /// Called every second with the current view (for rules about durations, like "nobody
    /// spoke for 30 s", which no event announces).
    fn tick(&self, _view: &RoomView) {}
    /// A new or replaced transcript line of view `session`, with what was ignored so far;
    /// `false` when the receiver is gone.
    fn transcript(&self, _session: u64, _line: &TranscriptLine, _drops: TranscriptDrops) -> bool {
        true
    }
}

const JOIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Deadline of writing one signal request.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);
/// Leave this long after the last visible participant left.
const EMPTY_GRACE: Duration = Duration::from_secs(3);
/// Rejoin attempts after a drop, with these pauses before each.
const REJOIN_PAUSES: [Duration; 4] = [
    Duration::from_millis(300),
    Duration::from_secs(1),
    Duration::from_secs(3),
    Duration::from_secs(7),
];
/// ViewConnection tokens live this long; rejoins mint new ones.
const TOKEN_TTL: Duration = Duration::from_secs(120);

/// Session ids of room views, unique in the app's lifetime (0 is never one).
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// A running room view.
pub(crate) struct ViewConnection {
    pub task: JoinHandle<()>,
    /// Ends the view, with the reason it shows.
    stop: Option<oneshot::Sender<String>>,
    /// The view's [`RoomView::session`].
    pub session: u64,
    /// The project's credentials number the view joined with.
    pub credentials: u64,
    /// The hidden identity it joined with (a rejoin mints another).
    pub identity: String,
}

/// Why a view ends when the supervisor (or the wallboard scrolling on) closes it.
const CLOSED: &str = "the view was closed";

impl ViewConnection {
    /// Asks the connection to leave (it says goodbye to the server, then ends).
    pub fn stop(self) {
        self.stop_because(CLOSED);
    }

    /// Leaves, showing `reason` as the view's end.
    pub fn stop_because(mut self, reason: &str) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(reason.to_owned());
        }
    }
}

fn token(target: &ServerApi, room: &str, supervisor: &Supervisor) -> Result<String, AppError> {
    let identity = format!(
        "earshot-observer:{}:{}",
        supervisor.name,
        uuid::Uuid::new_v4()
    );
    supervisor.own.insert(&identity);
    let supervisor = supervisor.name.as_str();
    AccessToken::with_api_key(
        &target.endpoint().api_key,
        target.endpoint().api_secret.expose(),
    )
    .with_identity(&identity)
    .with_name(&format!("Earshot room view ({supervisor})"))
    .with_ttl(TOKEN_TTL)
    .with_grants(crate::grants::listener(room))
    .with_attributes([
        (ROLE_ATTRIBUTE, "observer"),
        (SUPERVISOR_ATTRIBUTE, supervisor),
    ])
    .to_jwt()
    .map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("could not sign the token: {e}"),
        )
    })
}

/// One live connection: signal plus the receive-only PeerConnection.
struct Link {
    signal: SignalClient,
    events: SignalEvents,
    sub: Subscriber,
    pc_events: mpsc::UnboundedReceiver<PcEvent>,
    /// Tasks draining subscribed tracks (the packets only keep the subscription alive).
    drains: Vec<JoinHandle<()>>,
    subscribed: HashSet<String>,
}

impl Link {
    async fn send(&self, message: proto::signal_request::Message) {
        let _ = timeout(SEND_TIMEOUT, self.signal.send(message)).await;
    }

    /// Subscribes audio tracks not subscribed yet (so the server reports their speakers).
    async fn subscribe_audio(&mut self, roster: &Roster) {
        let mut by_participant: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in roster.people.values() {
            for t in p.tracks.iter().filter(|t| t.kind == TrackKind::Audio) {
                if self.subscribed.insert(t.sid.clone()) {
                    by_participant
                        .entry(p.sid.clone())
                        .or_default()
                        .push(t.sid.clone());
                }
            }
        }
        if by_participant.is_empty() {
            return;
        }
        let update = proto::UpdateSubscription {
            track_sids: by_participant.values().flatten().cloned().collect(),
            subscribe: true,
            participant_tracks: by_participant
                .into_iter()
                .map(|(participant_sid, track_sids)| proto::ParticipantTracks {
                    participant_sid,
                    track_sids,
                })
                .collect(),
        };
        // Paused at once: the subscription is what the server scopes speaker and quality
        // updates by, and a paused track stays subscribed while the SFU sends no media.
        let paused = proto::UpdateTrackSettings {
            track_sids: update.track_sids.clone(),
            disabled: true,
            ..Default::default()
        };
        self.send(proto::signal_request::Message::Subscription(update))
            .await;
        if PAUSE_AUDIO.load(Ordering::Relaxed) {
            self.send(proto::signal_request::Message::TrackSetting(paused))
                .await;
        }
    }

    async fn close(self) {
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
        for d in self.drains {
            d.abort();
        }
    }
}

async fn join(
    target: &ServerApi,
    room: &str,
    supervisor: &Supervisor,
) -> Result<(Link, Roster), AppError> {
    let jwt = token(target, room, supervisor)?;
    let mut options = SignalOptions::default();
    options.auto_subscribe = false;
    options.region_failover = false;
    options.connect_timeout = JOIN_TIMEOUT;
    let joined = timeout(
        JOIN_TIMEOUT + Duration::from_millis(500),
        SignalClient::connect(&target.endpoint().url, &jwt, options, None),
    )
    .await
    .map_err(|_| {
        AppError::new(
            ErrorCode::Timeout,
            "Joining the room view took longer than 5 s.",
        )
    })?;
    let (signal, join, events) = joined.map_err(|e| {
        let err = crate::listen::engine::ListenError::from_signal(
            &target.endpoint().url,
            &e,
            JOIN_TIMEOUT,
        );
        AppError::from(err)
    })?;
    let (sub, pc_events) =
        match Subscriber::new(&join.ice_servers, &target.endpoint().url, true).await {
            Ok(ok) => ok,
            Err(e) => {
                signal.close().await;
                return Err(e.into());
            }
        };
    let me = join
        .participant
        .as_ref()
        .map(|p| p.sid.clone())
        .unwrap_or_default();
    let mut roster = Roster::new(&me);
    roster.room_sid = join
        .room
        .as_ref()
        .map(|r| r.sid.clone())
        .unwrap_or_default();
    roster.identity = join
        .participant
        .as_ref()
        .map(|p| p.identity.clone())
        .unwrap_or_default();
    roster.apply(&join.other_participants);
    let mut link = Link {
        signal,
        events,
        sub,
        pc_events,
        drains: Vec::new(),
        subscribed: HashSet::new(),
    };
    link.subscribe_audio(&roster).await;
    Ok((link, roster))
}

struct Context {
    project: String,
    room: String,
    session: u64,
    sink: Arc<dyn RoomViewSink>,
    /// When the project's time limit closes the view, and how it was set.
    limit: Option<TimeLimit>,
}

/// A view's time limit: its end as a wall-clock time (for the UI) and as a timer.
#[derive(Clone, Copy)]
struct TimeLimit {
    at_ms: i64,
    deadline: Instant,
    minutes: u64,
}

impl TimeLimit {
    fn starting_now(limit: Duration) -> Self {
        Self {
            at_ms: unix_millis()
                .saturating_add(i64::try_from(limit.as_millis()).unwrap_or(i64::MAX)),
            deadline: Instant::now() + limit,
            minutes: limit.as_secs() / 60,
        }
    }

    fn reason(&self) -> String {
        format!(
            "the project's time limit of {} min was reached",
            self.minutes
        )
    }
}

impl Context {
    fn tick(&self, roster: &Roster) {
        self.sink.tick(&RoomView {
            project: self.project.clone(),
            room: self.room.clone(),
            room_sid: roster.room_sid.clone(),
            session: self.session,
            state: RoomViewState::Live,
            participants: roster.people.values().cloned().collect(),
            at_ms: unix_millis(),
            limit_at_ms: self.limit.map(|l| l.at_ms),
        });
    }

    fn send(&self, state: RoomViewState, roster: &Roster) -> bool {
        self.sink.view(&RoomView {
            project: self.project.clone(),
            room: self.room.clone(),
            room_sid: roster.room_sid.clone(),
            session: self.session,
            state,
            participants: roster.people.values().cloned().collect(),
            at_ms: unix_millis(),
            limit_at_ms: self.limit.map(|l| l.at_ms),
        })
    }
}

/// Opens a room view of `room`, closed after `limit` if one is given. The room must exist:
/// joining would otherwise create it.
pub(crate) async fn open(
    project: &ProjectHandle,
    room: &str,
    supervisor: &Supervisor,
    sink: Arc<dyn RoomViewSink>,
    limit: Option<Duration>,
) -> Result<(ViewConnection, RoomView), AppError> {
    earshot_protocol::fields::name_field(room, "room", "room name")?;
    let found = project
        .api
        .list_rooms_named(vec![room.to_owned()], RetryPolicy::READS)
        .await?;
    if found.is_empty() {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("There is no active room named '{room}'."),
        ));
    }
    let (id, api) = (project.id.clone(), project.api.clone());
    let limit = limit.map(TimeLimit::starting_now);
    let (mut obs, view) =
        observe(id, api, room.to_owned(), supervisor.clone(), sink, limit).await?;
    obs.credentials = project.credentials;
    Ok((obs, view))
}

/// Joins `room` and starts following it. Returns the first view, or why joining failed.
async fn observe(
    project: String,
    target: ServerApi,
    room: String,
    supervisor: Supervisor,
    sink: Arc<dyn RoomViewSink>,
    limit: Option<TimeLimit>,
) -> Result<(ViewConnection, RoomView), AppError> {
    let (link, roster) = join(&target, &room, &supervisor).await?;
    let session = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let first = RoomView {
        project: project.clone(),
        room: room.clone(),
        room_sid: roster.room_sid.clone(),
        session,
        state: RoomViewState::Live,
        participants: roster.people.values().cloned().collect(),
        at_ms: unix_millis(),
        limit_at_ms: limit.map(|l| l.at_ms),
    };
    let (stop_tx, stop_rx) = oneshot::channel();
    let ctx = Context {
        project,
        room,
        session,
        sink,
        limit,
    };
    let identity = roster.identity.clone();
    let task = tokio::spawn(run(ctx, target, supervisor, link, roster, stop_rx));
    Ok((
        ViewConnection {
            task,
            stop: Some(stop_tx),
            session,
            credentials: 0,
            identity,
        },
        first,
    ))
}

enum Outcome {
    End(String),
    Lost,
}

async fn run(
    ctx: Context,
    target: ServerApi,
    supervisor: Supervisor,
    mut link: Link,
    mut roster: Roster,
    mut stop: oneshot::Receiver<String>,
) {
    let mut heard = Heard::new();
    loop {
        let reason = match follow(&ctx, &mut link, &mut roster, &mut heard, &mut stop).await {
            Outcome::End(reason) => reason,
            Outcome::Lost => {
                link.close().await;
                match rejoin(&ctx, &target, &supervisor, &mut roster, &mut stop).await {
                    Ok(next) => {
                        link = next;
                        heard.reconnected();
                        if ctx.send(RoomViewState::Live, &roster) {
                            continue;
                        }
                        "the view was closed".into()
                    }
                    Err(reason) => {
                        ctx.send(RoomViewState::Ended { reason }, &roster);
                        return;
                    }
                }
            }
        };
        link.close().await;
        tracing::info!(room = %ctx.room, %reason, "room view ended");
        ctx.send(RoomViewState::Ended { reason }, &roster);
        return;
    }
}

async fn rejoin(
    ctx: &Context,
    target: &ServerApi,
    supervisor: &Supervisor,
    roster: &mut Roster,
    stop: &mut oneshot::Receiver<String>,
) -> Result<Link, String> {
    let mut last = String::new();
    for (n, pause) in REJOIN_PAUSES.iter().enumerate() {
        if !ctx.send(
            RoomViewState::Reconnecting {
                attempt: n as u32 + 1,
            },
            roster,
        ) {
            return Err("the view was closed".into());
        }
        if let Some(limit) = ctx.limit.filter(|l| l.deadline <= Instant::now() + *pause) {
            return Err(limit.reason());
        }
        tokio::select! {
            _ = tokio::time::sleep(*pause) => {}
            reason = &mut *stop => return Err(reason.unwrap_or_else(|_| CLOSED.into())),
        }
        match join(target, &ctx.room, supervisor).await {
            Ok((link, fresh)) => {
                *roster = fresh;
                return Ok(link);
            }
            Err(err) if err.code == ErrorCode::NotFound => {
                return Err("the room was deleted".into())
            }
            Err(err) => last = err.message,
        }
    }
    Err(format!("connection lost: {last}"))
}

async fn follow(
    ctx: &Context,
    link: &mut Link,
    roster: &mut Roster,
    heard: &mut Heard,
    stop: &mut oneshot::Receiver<String>,
) -> Outcome {
    use proto::signal_response::Message;
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut empty_at = if roster.people.is_empty() {
        Instant::now() + EMPTY_GRACE * 3
    } else {
        far
    };
    let limit_at = ctx.limit.map_or(far, |l| l.deadline);
    loop {
        let changed = tokio::select! {
            reason = &mut *stop => return Outcome::End(reason.unwrap_or_else(|_| CLOSED.into())),
            _ = sleep_until(limit_at) => {
                let reason = ctx.limit.map(|l| l.reason()).unwrap_or_default();
                tracing::info!(room = %ctx.room, "room view: time limit reached; leaving");
                return Outcome::End(reason);
            }
            _ = sleep_until(empty_at) => return Outcome::End("everyone left the room".into()),
            _ = clock.tick() => {
                heard.tick();
                ctx.tick(roster);
                false
            }
            event = link.pc_events.recv() => match event {
                Some(PcEvent::Candidate(candidate_init)) => {
                    link.send(proto::signal_request::Message::Trickle(proto::TrickleRequest {
                        candidate_init,
                        target: proto::SignalTarget::Subscriber as i32,
                        ..Default::default()
                    }))
                    .await;
                    false
                }
                Some(PcEvent::Track(track)) => {
                    // Paused tracks carry next to nothing; whatever arrives is read, counted
                    // and dropped.
                    link.drains.push(tokio::spawn(async move {
                        while track.poll().await.is_some() {
                            MEDIA_PACKETS.fetch_add(1, Ordering::Relaxed);
                        }
                    }));
                    false
                }
                Some(PcEvent::Data(bytes)) => {
                    if let Some(line) = heard.data(&bytes, roster) {
                        if !ctx.sink.transcript(ctx.session, &line, heard.drops()) {
                            return Outcome::End("the view was closed".into());
                        }
                    }
                    false
                }
                Some(PcEvent::State(RTCPeerConnectionState::Failed)) | None => return Outcome::Lost,
                Some(PcEvent::State(_)) => false,
            },
            event = link.events.recv() => {
                let Some(SignalEvent::Message(message)) = event else {
                    return Outcome::Lost;
                };
                match *message {
                    Message::Offer(offer) => {
                        match timeout(JOIN_TIMEOUT, link.sub.answer(&offer)).await {
                            Ok(Ok(answer)) => link.send(proto::signal_request::Message::Answer(answer)).await,
                            _ => return Outcome::Lost,
                        }
                        false
                    }
                    Message::Trickle(t) if t.target == proto::SignalTarget::Subscriber as i32 => {
                        link.sub.add_remote_candidate(&t.candidate_init).await;
                        false
                    }
                    Message::Update(update) => {
                        roster.apply(&update.participants);
                        link.subscribe_audio(roster).await;
                        true
                    }
                    Message::SpeakersChanged(s) => { roster.speakers(&s.speakers); true }
                    Message::ConnectionQuality(q) => { roster.quality(&q.updates); true }
                    Message::Leave(leave) => {
                        let reason = match proto::DisconnectReason::try_from(leave.reason) {
                            Ok(proto::DisconnectReason::RoomDeleted) => "the room was deleted",
                            Ok(proto::DisconnectReason::ParticipantRemoved) => "the server removed the view",
                            Ok(proto::DisconnectReason::RoomClosed) => "the room closed",
                            _ => "the server ended the connection",
                        };
                        return Outcome::End(reason.into());
                    }
                    _ => false,
                }
            }
        };
        if changed {
            if !ctx.send(RoomViewState::Live, roster) {
                return Outcome::End("the view was closed".into());
            }
            empty_at = if roster.people.is_empty() {
                if empty_at == far {
                    Instant::now() + EMPTY_GRACE
                } else {
                    empty_at
                }
            } else {
                far
            };
        }
    }
}

/// The wallboard keeps one view per room.
/// The open room views by (project id, room name): two projects may have rooms of one name.
pub(crate) type OpenViews = std::sync::Mutex<BTreeMap<(ProjectId, String), ViewConnection>>;

/// Why views end whose project was removed or changed its server, key or secret.
pub(crate) const PROJECT_CHANGED: &str =
    "the project was removed or its server or credentials changed";

/// Ends the views whose project is gone from `now` or has other credentials than they joined
/// with: they hold a copy of the old secret (their rejoins mint tokens with it).
pub(crate) fn retire(views: &OpenViews, now: &[crate::projects::ProjectEntry]) {
    let mut map = views.lock().unwrap_or_else(|p| p.into_inner());
    let stale: Vec<_> = map
        .iter()
        .filter(|((project, _), obs)| !crate::projects::still_valid(now, project, obs.credentials))
        .map(|(key, _)| key.clone())
        .collect();
    for key in stale {
        if let Some(obs) = map.remove(&key) {
            tracing::info!(room = %key.1, "room view: the project changed; leaving");
            obs.stop_because(PROJECT_CHANGED);
        }
    }
}

/// Drops views whose task ended.
/// Why views end when the app closes.
pub(crate) const APP_CLOSED: &str = "the app closed";

/// Asks every connection in `views` to leave and waits (at most `within`) until all have said
/// goodbye to the server, so their rooms do not keep a departed listener until it times out.
pub(crate) async fn leave_all(views: Vec<ViewConnection>, within: Duration) {
    let tasks: Vec<JoinHandle<()>> = views
        .into_iter()
        .map(|mut v| {
            if let Some(stop) = v.stop.take() {
                let _ = stop.send(APP_CLOSED.to_owned());
            }
            v.task
        })
        .collect();
    let all = async {
        for task in tasks {
            let _ = task.await;
        }
    };
    if tokio::time::timeout(within, all).await.is_err() {
        tracing::warn!("room views still leaving when the app closed");
    }
}

pub(crate) fn prune(views: &OpenViews) {
    let mut map = views.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, o| !o.task.is_finished());
}
