//! Watching many projects at once: one poller per watched project (never more than one
//! request in flight each, adaptive intervals, backoff on errors and 429, stop on 401), the
//! board they keep, the diffs sent to the UI, and the alert rules evaluated on them.

pub mod alerts;
pub mod board;
pub mod follow;
pub mod observer;
mod poller;
pub mod schedule;
pub mod synthetic;

use crate::earshot::AppResult;
use crate::Earshot;
use alerts::Alerts;
use board::Board;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::wallboard::{self, Alert, AlertRule, ProjectHealth, WallEvent, WallSnapshot};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Where wallboard events go (the shell: a Tauri channel and desktop notifications).
pub trait WallSink: Send + Sync {
    /// A delta or an alert for the UI; `false` when the sink is gone.
    fn event(&self, event: &WallEvent) -> bool;
    /// Shows an alert outside the window (a desktop notification).
    fn notify(&self, alert: &Alert);
}

pub(crate) struct PollerHandle {
    task: JoinHandle<()>,
    poke: Arc<Notify>,
}

/// Shared by the pollers.
#[derive(Default)]
pub(crate) struct Shared {
    pub board: Mutex<Board>,
    pub health: Mutex<HashMap<ProjectId, ProjectHealth>>,
    pub alerts: Mutex<Alerts>,
    pub sink: RwLock<Option<Arc<dyn WallSink>>>,
}

pub(crate) fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn send(&self, event: WallEvent) {
        let sink = self.sink.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            if let WallEvent::Alert(alert) = &event {
                sink.notify(alert);
            }
            sink.event(&event);
        }
    }
}

/// The wallboard's state on [`Earshot`].
pub struct Monitor {
    pub(crate) shared: Arc<Shared>,
    pollers: Mutex<HashMap<ProjectId, PollerHandle>>,
    /// `None`: every project.
    watched: Mutex<Option<Vec<ProjectId>>>,
    pub(crate) schedule: schedule::Schedule,
    /// The core, once the wallboard is attached, so project changes restart pollers.
    core: Mutex<Option<Weak<Earshot>>>,
    /// Open real-time room views, by room name.
    observers: observer::Observers,
    /// Wallboard rooms followed live.
    pub(crate) followed: Mutex<follow::Followed>,
}

impl Monitor {
    pub(crate) fn new(settings: &dyn crate::settings::SettingsStore) -> Self {
        let shared = Shared {
            alerts: Mutex::new(Alerts::load(settings)),
            ..Default::default()
        };
        Self {
            shared: Arc::new(shared),
            pollers: Mutex::new(HashMap::new()),
            watched: Mutex::new(None),
            schedule: schedule::Schedule::default(),
            core: Mutex::new(None),
            observers: Default::default(),
            followed: Default::default(),
        }
    }

    /// Everything the wallboard shows now.
    pub fn snapshot(&self) -> WallSnapshot {
        let mut rooms = guard(&self.shared.board).rooms();
        rooms.sort_by(|a, b| (&a.project, &a.room.name).cmp(&(&b.project, &b.room.name)));
        let mut health: Vec<_> = guard(&self.shared.health).values().cloned().collect();
        health.sort_by(|a, b| a.name.cmp(&b.name));
        WallSnapshot {
            rooms,
            health,
            watched: guard(&self.watched).clone(),
        }
    }

    /// Polls `project` now (and restarts a poller stopped by a refused key).
    pub fn poke(&self, project: &str) -> AppResult<()> {
        match guard(&self.pollers).get(project) {
            Some(p) => {
                p.poke.notify_one();
                Ok(())
            }
            None => Err(AppError::new(
                ErrorCode::NotFound,
                "That project is not on the wallboard.",
            )),
        }
    }

    /// A project was added, edited or removed: pollers follow (an edited project's poller
    /// restarts with its new URL and name).
    pub(crate) fn projects_changed(&self, edited: Option<&str>) {
        if let Some(id) = edited {
            if let Some(p) = guard(&self.pollers).remove(id) {
                p.task.abort();
            }
        }
        let core = guard(&self.core).as_ref().and_then(Weak::upgrade);
        if let Some(core) = core {
            core.reconcile_pollers();
        }
    }

    pub fn alert_rules(&self) -> Vec<AlertRule> {
        guard(&self.shared.alerts).rules()
    }

    pub fn alerts(&self) -> Vec<Alert> {
        guard(&self.shared.alerts).raised()
    }

    pub fn clear_alerts(&self) {
        guard(&self.shared.alerts).clear();
    }
}

/// Forwards room views to the UI and evaluates the duration rules on them each second.
struct AlertingSink {
    inner: Arc<dyn observer::RoomViewSink>,
    shared: Arc<Shared>,
}

impl observer::RoomViewSink for AlertingSink {
    fn view(&self, view: &earshot_protocol::observe::RoomView) -> bool {
        self.inner.view(view)
    }

    fn tick(&self, view: &earshot_protocol::observe::RoomView) {
        raise_duration_alerts(&self.shared, view);
    }
}

/// Evaluates the rules about durations (poor quality, silence) on a room's current view.
/// A room open in a view and followed on the wallboard is evaluated twice a second; the
/// rules' episodes are per room and participant, so it still fires once.
pub(crate) fn raise_duration_alerts(shared: &Shared, view: &earshot_protocol::observe::RoomView) {
    let alerts = guard(&shared.alerts).on_view(view, crate::earshot::unix_millis());
    for alert in alerts {
        tracing::info!(rule = %alert.rule_name, room = %alert.room, "alert: {}", alert.text);
        shared.send(WallEvent::Alert(alert));
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        for (_, p) in guard(&self.pollers).drain() {
            p.task.abort();
        }
    }
}

impl Earshot {
    /// Starts watching (idempotent) and routes events to `sink`; returns the current board.
    pub fn wallboard_attach(self: &Arc<Self>, sink: Arc<dyn WallSink>) -> WallSnapshot {
        *self
            .monitor
            .shared
            .sink
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(sink);
        *guard(&self.monitor.core) = Some(Arc::downgrade(self));
        self.reconcile_pollers();
        self.monitor.snapshot()
    }

    /// Chooses the watched projects (`None`: all); pollers start and stop to match.
    pub fn wallboard_watch(
        self: &Arc<Self>,
        projects: Option<Vec<ProjectId>>,
    ) -> AppResult<WallSnapshot> {
        if let Some(ids) = &projects {
            for id in ids {
                self.resolve(Some(id))?;
            }
        }
        *guard(&self.monitor.watched) = projects;
        self.reconcile_pollers();
        Ok(self.monitor.snapshot())
    }

    /// Starts pollers for watched projects that have none, stops the others (and forgets
    /// their rooms). Called on attach, on watch changes and when projects change.
    pub fn reconcile_pollers(self: &Arc<Self>) {
        let projects: Vec<(ProjectId, String)> = self
            .list_projects()
            .projects
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let watched = guard(&self.monitor.watched).clone();
        let mut wanted: Vec<(ProjectId, String)> = projects
            .into_iter()
            .filter(|(id, _)| watched.as_ref().is_none_or(|w| w.contains(id)))
            .collect();
        let synthetic_rooms = synthetic::rooms_from_env();
        if synthetic_rooms.is_some() {
            wanted.push((synthetic::SYNTHETIC_ID.into(), "SYNTHETIC".into()));
        }
        let mut pollers = guard(&self.monitor.pollers);
        let stale: Vec<ProjectId> = pollers
            .keys()
            .filter(|id| !wanted.iter().any(|(w, _)| w == *id))
            .cloned()
            .collect();
        for id in stale {
            if let Some(p) = pollers.remove(&id) {
                p.task.abort();
            }
            let gone = guard(&self.monitor.shared.board).forget(&id);
            guard(&self.monitor.shared.health).remove(&id);
            self.monitor
                .shared
                .send(WallEvent::Delta(wallboard::WallDelta {
                    project: id.clone(),
                    upserts: Vec::new(),
                    removed: gone.into_iter().map(|r| r.room.sid).collect(),
                    health: poller::initial_health(
                        &id,
                        "",
                        earshot_protocol::wallboard::PollState::Stopped,
                    ),
                    at_ms: crate::earshot::unix_millis(),
                }));
        }
        for (id, name) in wanted {
            if pollers.contains_key(&id) {
                continue;
            }
            guard(&self.monitor.shared.health).insert(
                id.clone(),
                poller::initial_health(&id, &name, wallboard::PollState::Starting),
            );
            let poke = Arc::new(Notify::new());
            if let (synthetic::SYNTHETIC_ID, Some(rooms)) = (id.as_str(), synthetic_rooms) {
                tracing::warn!(rooms, "SYNTHETIC wallboard rooms (benchmark mode)");
                let task = tokio::spawn(synthetic::run(self.monitor.shared.clone(), rooms));
                pollers.insert(id, PollerHandle { task, poke });
                continue;
            }
            let task = tokio::spawn(poller::run(
                Arc::downgrade(self) as Weak<Earshot>,
                self.monitor.shared.clone(),
                id.clone(),
                name,
                self.monitor.schedule.clone(),
                poke.clone(),
            ));
            pollers.insert(id, PollerHandle { task, poke });
        }
    }

    /// Saves an alert rule after checking it; returns it with its id.
    pub fn save_alert_rule(&self, rule: AlertRule) -> AppResult<AlertRule> {
        if let Some(err) = wallboard::alert_rule(&rule).into_iter().next() {
            return Err(err);
        }
        if let Some(project) = &rule.project {
            self.resolve(Some(project))?;
        }
        Ok(guard(&self.monitor.shared.alerts).save(self.settings_store(), rule)?)
    }

    /// Deletes an alert rule.
    pub fn delete_alert_rule(&self, id: &str) -> AppResult<()> {
        if guard(&self.monitor.shared.alerts).delete(self.settings_store(), id)? {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::NotFound, "No such alert rule."))
        }
    }

    /// Opens the real-time view of `room` (replacing an open one); its views go to `sink`.
    pub async fn observe_room(
        &self,
        project: Option<&str>,
        room: &str,
        sink: Arc<dyn observer::RoomViewSink>,
    ) -> AppResult<earshot_protocol::observe::RoomView> {
        let sink = Arc::new(AlertingSink {
            inner: sink,
            shared: self.monitor.shared.clone(),
        });
        let (obs, view) = self.open_observer(project, room, sink).await?;
        observer::prune(&self.monitor.observers);
        let key = (view.project.clone(), room.to_owned());
        if let Some(old) = guard(&self.monitor.observers).insert(key, obs) {
            old.stop();
        }
        tracing::info!(%room, session = view.session, "room view opened");
        Ok(view)
    }

    /// Joins `room` hidden for a room view. The room must exist: joining would otherwise
    /// create it.
    pub(crate) async fn open_observer(
        &self,
        project: Option<&str>,
        room: &str,
        sink: Arc<dyn observer::RoomViewSink>,
    ) -> AppResult<(observer::Observer, earshot_protocol::observe::RoomView)> {
        earshot_protocol::fields::name_field(room, "room", "room name")?;
        let id = self.resolve(project)?;
        let api = self.api(&id).await?;
        if api
            .list_rooms_named(vec![room.to_owned()], crate::api::RetryPolicy::READS)
            .await?
            .is_empty()
        {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("There is no active room named '{room}'."),
            ));
        }
        let endpoint = self.endpoint(&id).await?;
        let target = crate::listener::ServerTarget {
            url: endpoint.url,
            api_key: endpoint.api_key,
            api_secret: endpoint.api_secret.expose().to_owned(),
        };
        let supervisor = observer::Supervisor {
            name: self.listen().supervisor().to_owned(),
            own: self.listen().own_identities().clone(),
        };
        observer::observe(id, target, room.to_owned(), supervisor, sink).await
    }

    /// Closes the room view `session`. A session that a newer view of its room replaced
    /// (or that ended) is `NotFound`: the newer view stays open.
    pub fn stop_observing(&self, session: u64) -> AppResult<()> {
        observer::prune(&self.monitor.observers);
        let mut observers = guard(&self.monitor.observers);
        let key = observers
            .iter()
            .find(|(_, obs)| obs.session == session)
            .map(|(key, _)| key.clone());
        match key.and_then(|key| observers.remove(&key)) {
            Some(obs) => {
                obs.stop();
                Ok(())
            }
            None => Err(AppError::new(
                ErrorCode::NotFound,
                "That room view is no longer open.",
            )),
        }
    }

    /// The wallboard.
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }
}
