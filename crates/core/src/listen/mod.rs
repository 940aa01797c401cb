//! Listen-in as the app uses it: the hub joins rooms of a [`ProjectHandle`] through one
//! [`engine`] for the whole app, keeps a record of every listened room (by [`RoomKey`]) for
//! pages that open later, forwards audio and events to the shell's sink, and rejoins at the
//! app level after the engine gives up reconnecting.

use crate::audit::Audit;
use crate::clock::unix_millis;
use crate::listen::engine::token::{Supervisor, ROLE_ATTRIBUTE, SUPERVISOR_ATTRIBUTE};
use crate::listen::engine::{
    AudibleSet, EndReason, ListenEvent, ListenState, Listener, ListenerConfig, OwnIdentities,
};
use crate::projects::{ProjectEntry, ProjectHandle};
use crate::result::AppResult;
use earshot_protocol::fields::name_field;
use earshot_protocol::listen::{
    EarshotRole, HiddenParticipant, ListenRoom, ListenStatus, RoomKey, SpeakerChange,
};
use earshot_protocol::{AppError, ErrorCode};
use record::{Next, Record};
use shared::{guard, not_listening, Records, Sink};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::{watch, OnceCell};

pub mod engine;
mod limits;
mod record;
mod rejoin;
mod retire;
mod session_audit;
mod shared;

pub use shared::ListenSink;

/// The app's listener and what the pages need to know about it.
pub struct ListenHub {
    supervisor: String,
    /// Identities of this app's listeners and room views.
    own: OwnIdentities,
    engine: OnceCell<Arc<Listener>>,
    /// How long the engine reconnects before the app-level rejoin takes over (tests shorten
    /// it; read when the engine starts).
    reconnect_budget: Mutex<Option<std::time::Duration>>,
    /// A time limit for every project's listens instead of their own (tests use seconds).
    time_limit: Mutex<Option<std::time::Duration>>,
    sink: Sink,
    records: Records,
    /// Where each session's entry goes when it ends.
    audit: Audit,
    /// The project list, followed from the first listen on to end listens whose project
    /// went away or changed credentials.
    projects: Mutex<Option<watch::Receiver<Vec<ProjectEntry>>>>,
}

impl ListenHub {
    /// A hub whose listeners name `supervisor` (':' is not allowed in it and is replaced),
    /// journaling each session in `audit`, ending listens when `projects` says their
    /// project's credentials changed.
    pub fn new(
        supervisor: &str,
        audit: Audit,
        projects: watch::Receiver<Vec<ProjectEntry>>,
    ) -> Self {
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
            reconnect_budget: Mutex::new(None),
            time_limit: Mutex::new(None),
            sink: Arc::new(RwLock::new(None)),
            records: Arc::new(Mutex::new(BTreeMap::new())),
            audit,
            projects: Mutex::new(Some(projects)),
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

    /// Who this app's hidden connections say they are, for the room views to join as.
    pub fn supervisor_info(&self) -> Supervisor {
        Supervisor {
            name: self.supervisor.clone(),
            own: self.own.clone(),
        }
    }

    /// Shortens the engine's reconnecting, so tests reach the app-level rejoin quickly; only
    /// before the first listen.
    #[doc(hidden)]
    pub fn set_reconnect_budget(&self, budget: std::time::Duration) {
        *guard(&self.reconnect_budget) = Some(budget);
    }

    /// Replaces every project's listen time limit (tests need seconds, not minutes).
    #[doc(hidden)]
    pub fn set_time_limit(&self, limit: std::time::Duration) {
        *guard(&self.time_limit) = Some(limit);
    }

    /// The engine, started on first use (it needs a running tokio runtime).
    async fn engine(&self) -> Arc<Listener> {
        self.engine
            .get_or_init(|| async {
                let defaults = ListenerConfig::default();
                let (listener, output) = Listener::new(ListenerConfig {
                    supervisor: self.supervisor.clone(),
                    own_identities: self.own.clone(),
                    reconnect_budget: guard(&self.reconnect_budget)
                        .unwrap_or(defaults.reconnect_budget),
                    ..defaults
                });
                let listener = Arc::new(listener);
                if let Some(changes) = guard(&self.projects).take() {
                    tokio::spawn(retire::follow(
                        changes,
                        self.records.clone(),
                        Arc::downgrade(&listener),
                        self.sink.clone(),
                        self.audit.clone(),
                    ));
                }
                tokio::spawn(forward_audio(output.frames, self.sink.clone()));
                tokio::spawn(forward_events(
                    output.events,
                    self.sink.clone(),
                    self.records.clone(),
                    Arc::downgrade(&listener),
                    self.audit.clone(),
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

    async fn join(&self, handle: &ProjectHandle, room: &str, hear: bool) -> AppResult<ListenRoom> {
        let target = handle.api.clone();
        let project = (handle.id.clone(), handle.name.clone(), handle.credentials);
        name_field(room, "room", "room name")?;
        limits::check_open(&self.records)?;
        let cap = handle.guardrails.max_monitors_per_room;
        if cap > 0 {
            // Counted on the server, so colleagues' installations count too. A room that does
            // not exist has nobody listening; joining then says what is wrong.
            match self.hidden_participants(handle, room).await {
                Ok(hidden) => limits::check_monitors(room, cap, &hidden)?,
                Err(err) if err.code == ErrorCode::NotFound => {}
                Err(err) => return Err(err),
            }
        }
        let limit = limits::time_limit(handle, *guard(&self.time_limit));
        let engine = self.engine().await;
        let key = RoomKey::new(project.0.clone(), room);
        {
            let mut records = guard(&self.records);
            if let Some(existing) = records.get(&key) {
                if !matches!(existing.view.state, ListenState::Ended { .. }) {
                    return Err(AppError::new(
                        ErrorCode::AlreadyExists,
                        format!("Already listening to '{room}'."),
                    ));
                }
            }
            let view = ListenRoom {
                room: room.to_owned(),
                project: project.0,
                project_name: project.1,
                state: ListenState::Connecting,
                speakers: Vec::new(),
                started_at_ms: unix_millis(),
                ended_at_ms: None,
                rejoins: 0,
                limit_at_ms: None,
            };
            records.insert(key.clone(), Record::new(view, target.clone(), project.2));
        }
        let before = engine.audible();
        if hear {
            engine.set_audible(AudibleSet::Focus(key.clone()));
        }
        tracing::info!(%room, hear, "listen: joining");
        match engine
            .listen_with(&target, key.clone(), Default::default())
            .await
        {
            Ok(()) => {
                let mut records = guard(&self.records);
                let record = records.get_mut(&key).ok_or_else(|| {
                    AppError::new(ErrorCode::Internal, "the room was left while joining")
                })?;
                record.joined = true;
                record.joined_ms = Some(unix_millis());
                record.identity = self
                    .own
                    .latest(&format!("earshot-listener:{}:", self.supervisor));
                if record.view.state == ListenState::Connecting {
                    record.view.state = ListenState::Live;
                }
                let state = record.view.state.clone();
                record.track(&state, Instant::now());
                if let Some(limit) = limit {
                    let joined = record.joined_ms.unwrap_or_else(unix_millis);
                    let limit_ms = i64::try_from(limit.as_millis()).unwrap_or(i64::MAX);
                    record.view.limit_at_ms = Some(joined.saturating_add(limit_ms));
                    tokio::spawn(limits::enforce(
                        key.clone(),
                        record.view.started_at_ms,
                        limit,
                        self.records.clone(),
                        Arc::downgrade(&engine),
                        self.sink.clone(),
                        self.audit.clone(),
                    ));
                }
                Ok(record.view.clone())
            }
            Err(err) => {
                tracing::warn!(%room, error = %err, "listen: could not join");
                let err: AppError = err.into();
                if let Some(mut record) = guard(&self.records).remove(&key) {
                    let code = crate::audit::code_name(err.code);
                    session_audit::join_failed(&self.audit, &mut record, code);
                }
                if hear {
                    engine.set_audible(before);
                }
                Err(err)
            }
        }
    }

    /// Leaves the room, or dismisses it if it already ended.
    pub async fn stop(&self, key: &RoomKey) -> AppResult<()> {
        let known = match guard(&self.records).get_mut(key) {
            Some(record) => {
                record.stopping = true;
                true
            }
            None => false,
        };
        let left = match self.engine.get() {
            Some(engine) => {
                let left = engine.stop(key).await.is_ok();
                engine.set_audible(engine.audible().without(key));
                left
            }
            None => false,
        };
        if let Some(mut record) = guard(&self.records).remove(key) {
            session_audit::session_ended(&self.audit, &mut record, &EndReason::Stopped);
        }
        if !known && !left {
            return Err(not_listening(key));
        }
        tracing::info!(room = %key.room, "listen: left");
        Ok(())
    }

    /// Leaves every listened room at once as the app closes (each leave waits at most 3 s),
    /// journaling each session as ended by `app_closed`: without it a closed app's listens
    /// would go unrecorded, and their rooms would keep a departed listener until it times out.
    pub async fn stop_all(&self) {
        let keys: Vec<RoomKey> = {
            let mut records = guard(&self.records);
            records.values_mut().for_each(|r| {
                r.stopping = true;
                r.end_as = Some(EndReason::AppClosed);
            });
            records.keys().cloned().collect()
        };
        if let Some(engine) = self.engine.get() {
            let mut leaving = tokio::task::JoinSet::new();
            for key in keys.clone() {
                let engine = engine.clone();
                leaving.spawn(async move { engine.stop(key).await });
            }
            while leaving.join_next().await.is_some() {}
        }
        for key in keys {
            if let Some(mut record) = guard(&self.records).remove(&key) {
                session_audit::session_ended(&self.audit, &mut record, &EndReason::AppClosed);
            }
        }
    }

    /// Chooses what is heard; every named room must be one listened to.
    pub fn set_audible(&self, set: AudibleSet) -> AppResult<()> {
        let missing = {
            let records = guard(&self.records);
            let mut missing = None;
            set.map(|key| {
                if !records.contains_key(key) {
                    missing.get_or_insert_with(|| key.clone());
                }
                Some(())
            });
            missing
        };
        if let Some(key) = missing {
            return Err(not_listening(&key));
        }
        if let Some(engine) = self.engine.get() {
            engine.set_audible(set);
        }
        Ok(())
    }

    /// Changes one speaker's gain, mute or solo.
    pub fn set_speaker(
        &self,
        key: &RoomKey,
        identity: &str,
        change: SpeakerChange,
    ) -> AppResult<()> {
        let engine = self.engine.get().ok_or_else(|| not_listening(key))?;
        let room = key;
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
        if let (Some(record), Ok(mix)) = (guard(&self.records).get_mut(key), mix) {
            record.mix = mix;
        }
        Ok(())
    }
}

async fn forward_audio(
    mut frames: tokio::sync::mpsc::Receiver<crate::listen::engine::AudioFrame>,
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
    audit: Audit,
) {
    while let Some(mut event) = events.recv().await {
        // The engine names rooms as the UI does: by project and room.
        let (ListenEvent::State { project, room, .. }
        | ListenEvent::Speakers { project, room, .. }
        | ListenEvent::Meters(earshot_protocol::listen::RoomMeters { project, room, .. })) = &event;
        let key = RoomKey::new(project.clone(), room.clone());
        // An end the hub decided (the project changed) is reported as such, not as "you left".
        if let ListenEvent::State {
            state: ListenState::Ended { reason },
            ..
        } = &mut event
        {
            if let Some(own) = guard(&records).get(&key).and_then(|r| r.end_as.clone()) {
                *reason = own;
            }
        }
        let mut rejoin = None;
        match &event {
            ListenEvent::State { room, state, .. } => {
                let mut records = guard(&records);
                if let Some(record) = records.get_mut(&key) {
                    if let ListenState::Ended { reason } = state {
                        tracing::info!(%room, ?reason, "listen: ended");
                    }
                    match record.on_engine_state(state, Instant::now()) {
                        Next::Forward => {
                            if let ListenState::Ended { reason } = state {
                                session_audit::session_ended(&audit, record, reason);
                            }
                        }
                        Next::Drop => continue,
                        Next::Rejoin(attempt) => {
                            rejoin = Some((record.target.clone(), attempt));
                        }
                    }
                }
            }
            ListenEvent::Speakers { speakers, .. } => {
                if let Some(record) = guard(&records).get_mut(&key) {
                    record.view.speakers = speakers.clone();
                }
            }
            ListenEvent::Meters(_) => {}
        }
        if let Some((target, attempt)) = rejoin {
            tokio::spawn(rejoin::app_rejoin(
                key,
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

impl ListenHub {
    /// Joins `room` of `project` hidden; with `hear`, focuses it.
    pub async fn start(
        &self,
        project: &ProjectHandle,
        room: &str,
        hear: bool,
    ) -> AppResult<ListenRoom> {
        self.join(project, room, hear).await
    }

    /// Who listens to `room` unseen: its hidden participants, this app's own listeners and
    /// room views marked (by identity: a colleague may share the supervisor name).
    pub async fn hidden_participants(
        &self,
        project: &ProjectHandle,
        room: &str,
    ) -> AppResult<Vec<HiddenParticipant>> {
        let detail = project.api.room_detail(room).await?;
        let own = &self.own;
        Ok(detail
            .participants
            .into_iter()
            .filter(|p| p.permission.hidden)
            .map(|p| {
                let role = EarshotRole::from_attribute(
                    p.attributes.get(ROLE_ATTRIBUTE).map(String::as_str),
                );
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
}
