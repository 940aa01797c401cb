//! Listen-in as the app uses it: projects resolved to listener targets, one engine for the
//! whole app, the UI's sinks for audio and events, a record of every listened room for pages
//! that open later, and the app-level rejoin after the engine gives up reconnecting.

use crate::earshot::AppResult;
use crate::listener::token::{ROLE_ATTRIBUTE, SUPERVISOR_ATTRIBUTE};
use crate::listener::{
    AudibleSet, EndReason, ListenEvent, ListenState, Listener, ListenerConfig, ServerTarget,
};
use crate::Earshot;
use earshot_protocol::admin::name_field;
use earshot_protocol::listen::{HiddenParticipant, ListenRoom, ListenStatus, SpeakerChange};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
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

struct Record {
    view: ListenRoom,
    target: ServerTarget,
    /// Set when the supervisor leaves, so the final `Ended` is not taken for a failure.
    stopping: bool,
}

type Records = Arc<Mutex<BTreeMap<String, Record>>>;
type Sink = Arc<RwLock<Option<Arc<dyn ListenSink>>>>;

/// The app's listener and what the pages need to know about it.
pub struct ListenHub {
    supervisor: String,
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
            engine: OnceCell::new(),
            sink: Arc::new(RwLock::new(None)),
            records: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// The supervisor name listeners carry in their attributes.
    pub fn supervisor(&self) -> &str {
        &self.supervisor
    }

    /// The engine, started on first use (it needs a running tokio runtime).
    async fn engine(&self) -> Arc<Listener> {
        self.engine
            .get_or_init(|| async {
                let (listener, output) = Listener::new(ListenerConfig {
                    supervisor: self.supervisor.clone(),
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
            records.insert(
                room.to_owned(),
                Record {
                    view: ListenRoom {
                        room: room.to_owned(),
                        project: project.0,
                        project_name: project.1,
                        state: ListenState::Connecting,
                        speakers: Vec::new(),
                        started_at_ms: crate::earshot::unix_millis(),
                        rejoins: 0,
                    },
                    target: target.clone(),
                    stopping: false,
                },
            );
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
                if record.view.state == ListenState::Connecting {
                    record.view.state = ListenState::Live;
                }
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
        Ok(())
    }

    /// Whether this app listens to `room` now.
    fn listening_to(&self, room: &str) -> bool {
        guard(&self.records)
            .get(room)
            .is_some_and(|r| !matches!(r.view.state, ListenState::Ended { .. }))
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
                    record.view.state = state.clone();
                    if let ListenState::Ended { reason } = state {
                        tracing::info!(%room, ?reason, "listen: ended");
                        let lost = matches!(reason, EndReason::ConnectionLost { .. });
                        if lost
                            && !record.stopping
                            && (record.view.rejoins as usize) < REJOIN_DELAYS.len()
                        {
                            rejoin =
                                Some((room.clone(), record.target.clone(), record.view.rejoins));
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
    let set_state = |state: ListenState, rejoins: Option<u32>| -> bool {
        let mut records = guard(&records);
        let Some(record) = records.get_mut(&room).filter(|r| !r.stopping) else {
            return false;
        };
        record.view.state = state.clone();
        if let Some(n) = rejoins {
            record.view.rejoins = n;
        }
        drop(records);
        let current = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(current) = current {
            current.event(&ListenEvent::State {
                room: room.clone(),
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
        if guard(&records).get(&room).is_none_or(|r| r.stopping) {
            return;
        }
        match engine.listen(&target, &room).await {
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

    /// Who listens to `room` unseen: its hidden participants, ours marked.
    pub async fn hidden_participants(
        &self,
        project: Option<&str>,
        room: &str,
    ) -> AppResult<Vec<HiddenParticipant>> {
        let api = self.api(&self.resolve(project)?).await?;
        let detail = api.room_detail(room).await?;
        let ours = self.listen.listening_to(room);
        let supervisor = self.listen.supervisor().to_owned();
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
                    is_me: ours && role == "listener" && who.as_deref() == Some(&supervisor),
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
