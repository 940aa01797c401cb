//! Listen-in as the app uses it: projects resolved to listener targets, one engine for the
//! whole app, the UI's sinks for audio and events, a record of every listened room for pages
//! that open later, and the app-level rejoin after the engine gives up reconnecting.

use crate::earshot::AppResult;
use crate::listener::token::{ROLE_ATTRIBUTE, SUPERVISOR_ATTRIBUTE};
use crate::listener::{
    AudibleSet, EndReason, ListenEvent, ListenState, Listener, ListenerConfig, MixSettings,
    OwnIdentities, ServerTarget,
};
use crate::Earshot;
use earshot_protocol::admin::name_field;
use earshot_protocol::listen::{HiddenParticipant, ListenRoom, ListenStatus, SpeakerChange};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Where the listener's output goes (the shell implements it with Tauri channels).
pub trait ListenSink: Send + Sync {
    /// One mixed 20 ms frame, encoded by [`earshot_protocol::listen::encode_audio_frame`];
    /// `false` when the sink is gone.
    fn audio(&self, frame: String) -> bool;
    /// A state, speakers or meters event; `false` when the sink is gone.
    fn event(&self, event: &ListenEvent) -> bool;
}

/// Delays before each app-level rejoin once the engine's own reconnecting gave up.
const REJOIN_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(3),
    Duration::from_secs(7),
];

/// A room that stays live this long has its rejoin streak forgiven: a long session that
/// drops now and then must not run out of rejoins.
const REJOIN_RESET: Duration = Duration::from_secs(30);

struct Record {
    view: ListenRoom,
    target: ServerTarget,
    /// Set when the supervisor leaves, so the final `Ended` is not taken for a failure.
    stopping: bool,
    /// Whether the first join succeeded. A failed first join is reported to the caller, and
    /// the engine's `Ended` that follows it must not start a rejoin.
    joined: bool,
    /// App-level rejoins in a row, without the room staying live [`REJOIN_RESET`] between.
    streak: u32,
    /// When the room last became live (`None` while it is not).
    live_since: Option<Instant>,
    /// The supervisor's gain, mute and solo, carried into a rejoin's fresh room state.
    mix: MixSettings,
    /// An app-level rejoin runs for the room and owns its state.
    rejoining: bool,
}

/// What to do with a state the engine reported for a room.
#[derive(Debug, PartialEq)]
enum Next {
    Forward,
    /// Not the room's state as the supervisor should see it.
    Drop,
    /// Start an app-level rejoin at this attempt (0-based) instead of reporting the end.
    Rejoin(u32),
}

impl Record {
    fn new(view: ListenRoom, target: ServerTarget) -> Self {
        Self {
            view,
            target,
            stopping: false,
            joined: false,
            streak: 0,
            live_since: None,
            mix: MixSettings::default(),
            rejoining: false,
        }
    }

    /// Takes in a state the engine reported.
    fn on_engine_state(&mut self, state: &ListenState, now: Instant) -> Next {
        let ended = matches!(state, ListenState::Ended { .. });
        // A failed rejoin attempt connects and ends in the engine; the room stays rejoining.
        if self.rejoining && (ended || *state == ListenState::Connecting) {
            return Next::Drop;
        }
        // The engine's end of the last failed attempt, after the rejoin gave the room up.
        if ended && matches!(self.view.state, ListenState::Ended { .. }) {
            return Next::Drop;
        }
        self.view.state = state.clone();
        self.track(state, now);
        if let ListenState::Ended { reason } = state {
            if let Some(attempt) = self.rejoin_attempt(reason) {
                self.rejoining = true;
                return Next::Rejoin(attempt);
            }
        }
        Next::Forward
    }

    /// Follows the room's state for the rejoin streak.
    fn track(&mut self, state: &ListenState, now: Instant) {
        if *state == ListenState::Live {
            self.live_since.get_or_insert(now);
        } else if let Some(since) = self.live_since.take() {
            if now.saturating_duration_since(since) >= REJOIN_RESET {
                self.streak = 0;
            }
        }
    }

    /// The rejoin attempt (0-based, within the streak) to start after the engine ended the
    /// room, or `None` when it must not be rejoined.
    fn rejoin_attempt(&self, reason: &EndReason) -> Option<u32> {
        let lost = matches!(reason, EndReason::ConnectionLost { .. });
        (lost && self.joined && !self.stopping && (self.streak as usize) < REJOIN_DELAYS.len())
            .then_some(self.streak)
    }
}

type Records = Arc<Mutex<BTreeMap<String, Record>>>;
type Sink = Arc<RwLock<Option<Arc<dyn ListenSink>>>>;

/// The app's listener and what the pages need to know about it.
pub struct ListenHub {
    supervisor: String,
    /// Identities of this app's listeners and room views.
    own: OwnIdentities,
    engine: OnceCell<Arc<Listener>>,
    sink: Sink,
    records: Records,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ListenHub {
    /// A hub whose listeners name `supervisor` (':' is not allowed in it and is replaced).
    pub fn new(supervisor: &str) -> Self {
        let supervisor: String = supervisor
            .trim()
            .chars()
            .map(|c| if c == ':' || c.is_control() { '-' } else { c })
            .take(64)
            .collect();
        Self {
            supervisor: if supervisor.is_empty() {
                "supervisor".into()
            } else {
                supervisor
            },
            own: OwnIdentities::default(),
            engine: OnceCell::new(),
            sink: Arc::new(RwLock::new(None)),
            records: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// The supervisor name listeners carry in their attributes.
    pub fn supervisor(&self) -> &str {
        &self.supervisor
    }

    /// Where the identities of this app's listeners and room views are recorded.
    pub fn own_identities(&self) -> &OwnIdentities {
        &self.own
    }

    /// The engine, started on first use (it needs a running tokio runtime).
    async fn engine(&self) -> Arc<Listener> {
        self.engine
            .get_or_init(|| async {
                let (listener, output) = Listener::new(ListenerConfig {
                    supervisor: self.supervisor.clone(),
                    own_identities: self.own.clone(),
                    ..Default::default()
                });
                let listener = Arc::new(listener);
                tokio::spawn(forward_audio(output.frames, self.sink.clone()));
                tokio::spawn(forward_events(
                    output.events,
                    self.sink.clone(),
                    self.records.clone(),
                    Arc::downgrade(&listener),
                ));
                listener
            })
            .await
            .clone()
    }

    /// Routes output to `sink` from now on, replacing the previous one.
    pub fn attach(&self, sink: Arc<dyn ListenSink>) {
        *self.sink.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }

    /// Every listened room, what is heard and how many frames playback dropped.
    pub fn status(&self) -> ListenStatus {
        let rooms = guard(&self.records)
            .values()
            .map(|r| r.view.clone())
            .collect();
        let (audible, dropped_frames) = match self.engine.get() {
            Some(engine) => (engine.audible(), engine.dropped_frames()),
            None => (AudibleSet::None, 0),
        };
        ListenStatus {
            rooms,
            audible,
            dropped_frames,
        }
    }

    async fn start(
        &self,
        project: (String, String),
        target: ServerTarget,
        room: &str,
        hear: bool,
    ) -> AppResult<ListenRoom> {
        name_field(room, "room", "room name")?;
        let engine = self.engine().await;
        {
            let mut records = guard(&self.records);
            if let Some(existing) = records.get(room) {
                if !matches!(existing.view.state, ListenState::Ended { .. }) {
                    let message = if existing.view.project == project.0 {
                        format!("Already listening to '{room}'.")
                    } else {
                        format!(
                            "Already listening to a room named '{room}' in project '{}'; leave it first.",
                            existing.view.project_name
                        )
                    };
                    return Err(AppError::new(ErrorCode::AlreadyExists, message));
                }
            }
            let view = ListenRoom {
                room: room.to_owned(),
                project: project.0,
                project_name: project.1,
                state: ListenState::Connecting,
                speakers: Vec::new(),
                started_at_ms: crate::earshot::unix_millis(),
                rejoins: 0,
            };
            records.insert(room.to_owned(), Record::new(view, target.clone()));
        }
        let before = engine.audible();
        if hear {
            engine.set_audible(AudibleSet::Focus(room.to_owned()));
        }
        tracing::info!(%room, hear, "listen: joining");
        match engine.listen(&target, room).await {
            Ok(()) => {
                let mut records = guard(&self.records);
                let record = records.get_mut(room).ok_or_else(|| {
                    AppError::new(ErrorCode::Internal, "the room was left while joining")
                })?;
                record.joined = true;
                if record.view.state == ListenState::Connecting {
                    record.view.state = ListenState::Live;
                }
                let state = record.view.state.clone();
                record.track(&state, Instant::now());
                Ok(record.view.clone())
            }
            Err(err) => {
                guard(&self.records).remove(room);
                if hear {
                    engine.set_audible(before);
                }
                tracing::warn!(%room, error = %err, "listen: could not join");
                Err(err.into())
            }
        }
    }

    /// Leaves `room`, or dismisses it if it already ended.
    pub async fn stop(&self, room: &str) -> AppResult<()> {
        let known = match guard(&self.records).get_mut(room) {
            Some(record) => {
                record.stopping = true;
                true
            }
            None => false,
        };
        let left = match self.engine.get() {
            Some(engine) => {
                let left = engine.stop(room).await.is_ok();
                let audible = match engine.audible() {
                    AudibleSet::Focus(r) if r == room => AudibleSet::None,
                    AudibleSet::Mix(rooms) => {
                        AudibleSet::Mix(rooms.into_iter().filter(|r| r != room).collect())
                    }
                    other => other,
                };
                engine.set_audible(audible);
                left
            }
            None => false,
        };
        guard(&self.records).remove(room);
        if !known && !left {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("Not listening to '{room}'."),
            ));
        }
        tracing::info!(%room, "listen: left");
        Ok(())
    }

    /// Chooses what is heard; every named room must be one listened to.
    pub fn set_audible(&self, set: AudibleSet) -> AppResult<()> {
        let rooms: Vec<&String> = match &set {
            AudibleSet::None => Vec::new(),
            AudibleSet::Focus(room) => vec![room],
            AudibleSet::Mix(rooms) => rooms.iter().collect(),
        };
        {
            let records = guard(&self.records);
            if let Some(missing) = rooms.iter().find(|r| !records.contains_key(r.as_str())) {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("Not listening to '{missing}'."),
                ));
            }
        }
        if let Some(engine) = self.engine.get() {
            engine.set_audible(set);
        }
        Ok(())
    }

    /// Changes one speaker's gain, mute or solo.
    pub fn set_speaker(&self, room: &str, identity: &str, change: SpeakerChange) -> AppResult<()> {
        let engine = self.engine.get().ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, format!("Not listening to '{room}'."))
        })?;
        match change {
            SpeakerChange::Gain(gain) if !(0.0..=4.0).contains(&gain) => {
                return Err(AppError::field(
                    ErrorCode::InvalidInput,
                    "gain",
                    "The volume must be between 0 % and 400 %.",
                ))
            }
            SpeakerChange::Gain(gain) => engine.set_gain(room, identity, gain)?,
            SpeakerChange::Muted(muted) => engine.set_muted(room, identity, muted)?,
            SpeakerChange::Solo(solo) => engine.set_solo(room, identity, solo)?,
        }
        let mix = engine.mix_settings(room);
        if let (Some(record), Ok(mix)) = (guard(&self.records).get_mut(room), mix) {
            record.mix = mix;
        }
        Ok(())
    }
}

async fn forward_audio(
    mut frames: tokio::sync::mpsc::Receiver<crate::listener::AudioFrame>,
    sink: Sink,
) {
    while let Some(frame) = frames.recv().await {
        let current = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(current) = current {
            let wire = earshot_protocol::listen::encode_audio_frame(&frame.samples);
            if !current.audio(wire) {
                tracing::debug!("listen: audio sink closed");
            }
        }
    }
}

async fn forward_events(
    mut events: tokio::sync::mpsc::UnboundedReceiver<ListenEvent>,
    sink: Sink,
    records: Records,
    engine: std::sync::Weak<Listener>,
) {
    while let Some(event) = events.recv().await {
        let mut rejoin = None;
        match &event {
            ListenEvent::State { room, state } => {
                let mut records = guard(&records);
                if let Some(record) = records.get_mut(room) {
                    if let ListenState::Ended { reason } = state {
                        tracing::info!(%room, ?reason, "listen: ended");
                    }
                    match record.on_engine_state(state, Instant::now()) {
                        Next::Forward => {}
                        Next::Drop => continue,
                        Next::Rejoin(attempt) => {
                            rejoin = Some((room.clone(), record.target.clone(), attempt));
                        }
                    }
                }
            }
            ListenEvent::Speakers { room, speakers } => {
                if let Some(record) = guard(&records).get_mut(room) {
                    record.view.speakers = speakers.clone();
                }
            }
            ListenEvent::Meters(_) => {}
        }
        if let Some((room, target, attempt)) = rejoin {
            tokio::spawn(app_rejoin(
                room,
                target,
                attempt,
                records.clone(),
                sink.clone(),
                engine.clone(),
            ));
            // The UI hears about the rejoin instead of the end.
            continue;
        }
        let current = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(current) = current {
            current.event(&event);
        }
    }
}

/// After the engine gave up: wait, then join again from scratch, while the room shows as
/// rejoining; gives the room up (Ended with the last error) after the last attempt.
async fn app_rejoin(
    room: String,
    target: ServerTarget,
    first_attempt: u32,
    records: Records,
    sink: Sink,
    engine: std::sync::Weak<Listener>,
) {
    rejoin_attempts(&room, target, first_attempt, &records, sink, engine).await;
    if let Some(record) = guard(&records).get_mut(&room) {
        record.rejoining = false;
    }
}

async fn rejoin_attempts(
    room: &str,
    target: ServerTarget,
    first_attempt: u32,
    records: &Records,
    sink: Sink,
    engine: std::sync::Weak<Listener>,
) {
    let set_state = |state: ListenState, streak: Option<u32>| -> bool {
        let mut records = guard(records);
        let Some(record) = records.get_mut(room).filter(|r| !r.stopping) else {
            return false;
        };
        record.view.state = state.clone();
        record.track(&state, Instant::now());
        if let Some(n) = streak {
            record.streak = n;
            record.view.rejoins += 1;
        }
        drop(records);
        let current = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(current) = current {
            current.event(&ListenEvent::State {
                room: room.to_owned(),
                state,
            });
        }
        true
    };
    let mut attempt = first_attempt;
    loop {
        let rejoining = ListenState::Rejoining {
            attempt: attempt + 1,
        };
        if !set_state(rejoining, Some(attempt + 1)) {
            return;
        }
        tracing::info!(%room, attempt = attempt + 1, "listen: app-level rejoin");
        tokio::time::sleep(REJOIN_DELAYS[attempt as usize]).await;
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let mix = match guard(records).get(room) {
            Some(record) if !record.stopping => record.mix.clone(),
            _ => return,
        };
        match engine.listen_with(&target, room, mix).await {
            Ok(()) => {
                set_state(ListenState::Live, None);
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
                set_state(ended, None);
                return;
            }
        }
    }
}

impl Earshot {
    /// Joins `room` of `project` (current when `None`) hidden; with `hear`, focuses it.
    pub async fn listen_start(
        &self,
        project: Option<&str>,
        room: &str,
        hear: bool,
    ) -> AppResult<ListenRoom> {
        let id = self.resolve(project)?;
        let name = self.project_name(&id)?;
        let endpoint = self.endpoint(&id).await?;
        let target = ServerTarget {
            url: endpoint.url,
            api_key: endpoint.api_key,
            api_secret: endpoint.api_secret.expose().to_owned(),
        };
        self.listen.start((id, name), target, room, hear).await
    }

    /// Who listens to `room` unseen: its hidden participants, this app's own listeners and
    /// room views marked (by identity: a colleague may share the supervisor name).
    pub async fn hidden_participants(
        &self,
        project: Option<&str>,
        room: &str,
    ) -> AppResult<Vec<HiddenParticipant>> {
        let api = self.api(&self.resolve(project)?).await?;
        let detail = api.room_detail(room).await?;
        let own = self.listen.own_identities();
        Ok(detail
            .participants
            .into_iter()
            .filter(|p| p.permission.hidden)
            .map(|p| {
                let role = p
                    .attributes
                    .get(ROLE_ATTRIBUTE)
                    .cloned()
                    .unwrap_or_default();
                let who = p.attributes.get(SUPERVISOR_ATTRIBUTE).cloned();
                HiddenParticipant {
                    is_me: own.contains(&p.identity),
                    identity: p.identity,
                    name: p.name,
                    supervisor: who,
                    role,
                    joined_at: p.joined_at,
                }
            })
            .collect())
    }

    /// The app's listen-in hub.
    pub fn listen(&self) -> &ListenHub {
        &self.listen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        let view = ListenRoom {
            room: "r".into(),
            project: "p".into(),
            project_name: "P".into(),
            state: ListenState::Connecting,
            speakers: Vec::new(),
            started_at_ms: 0,
            rejoins: 0,
        };
        let target = ServerTarget {
            url: "ws://127.0.0.1:1".into(),
            api_key: "k".into(),
            api_secret: "s".into(),
        };
        Record::new(view, target)
    }

    fn lost() -> ListenState {
        ListenState::Ended {
            reason: EndReason::ConnectionLost {
                error: AppError::new(ErrorCode::Unreachable, "gone"),
            },
        }
    }

    #[test]
    fn a_failed_first_join_never_rejoins() {
        let mut r = record();
        let now = Instant::now();
        assert_eq!(
            r.on_engine_state(&ListenState::Connecting, now),
            Next::Forward
        );
        assert_eq!(r.on_engine_state(&lost(), now), Next::Forward);
        assert!(!r.rejoining);
    }

    #[test]
    fn rejoins_run_out_in_a_row_but_come_back_after_a_live_spell() {
        let mut r = record();
        r.joined = true;
        let t0 = Instant::now();
        r.on_engine_state(&ListenState::Live, t0);
        for attempt in 0..REJOIN_DELAYS.len() as u32 {
            let at = t0 + Duration::from_secs(attempt as u64);
            assert_eq!(r.on_engine_state(&lost(), at), Next::Rejoin(attempt));
            // While the rejoin runs, its failed attempts' states are not the room's.
            assert_eq!(r.on_engine_state(&ListenState::Connecting, at), Next::Drop);
            assert_eq!(r.on_engine_state(&lost(), at), Next::Drop);
            // The rejoin succeeds (as `rejoin_attempts` records it), then drops again soon.
            r.rejoining = false;
            r.streak = attempt + 1;
            r.view.state = ListenState::Live;
            r.track(&ListenState::Live, at);
        }
        let soon = t0 + Duration::from_secs(5);
        assert_eq!(
            r.on_engine_state(&lost(), soon),
            Next::Forward,
            "streak spent"
        );

        // Live for longer than REJOIN_RESET: the next loss is rejoined from the first attempt.
        let mut r = record();
        r.joined = true;
        r.streak = REJOIN_DELAYS.len() as u32;
        r.on_engine_state(&ListenState::Live, t0);
        let later = t0 + REJOIN_RESET + Duration::from_secs(1);
        assert_eq!(
            r.on_engine_state(&ListenState::Reconnecting { attempt: 1 }, later),
            Next::Forward
        );
        assert_eq!(r.on_engine_state(&lost(), later), Next::Rejoin(0));
    }

    #[test]
    fn an_end_after_giving_up_or_leaving_is_not_rejoined() {
        let mut r = record();
        r.joined = true;
        r.view.state = lost();
        assert_eq!(r.on_engine_state(&lost(), Instant::now()), Next::Drop);
        let mut r = record();
        r.joined = true;
        r.stopping = true;
        assert_eq!(r.on_engine_state(&lost(), Instant::now()), Next::Forward);
        let stopped = ListenState::Ended {
            reason: EndReason::Stopped,
        };
        let mut r = record();
        r.joined = true;
        assert_eq!(r.on_engine_state(&stopped, Instant::now()), Next::Forward);
    }
}
