//! The wallboard: watching many projects at once. One poller per watched project (never
//! more than one request in flight each, adaptive intervals, backoff on errors and 429,
//! stop on 401) keeps the board; the UI gets diffs; alert rules are evaluated on them; the
//! rows in view are followed live, and real-time room views are opened here too.
//!
//! The wallboard takes the project registry and follows its changes on a `watch` channel:
//! nothing calls back into the app.

pub mod alerts;
pub mod board;
mod fleet;
pub mod follow;
mod poller;
pub mod schedule;
mod shared;
pub mod synthetic;
mod view_audit;

pub use shared::WallSink;

use crate::audit::Audit;
use crate::listen::engine::token::Supervisor;
use crate::projects::{ProjectHandle, Projects};
use crate::result::AppResult;
use crate::room_view;
use crate::settings::SettingsStore;
use alerts::Alerts;
use earshot_protocol::guardrails::MAX_OPEN_ROOM_VIEWS;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::RoomView;
use earshot_protocol::wallboard::{self, Alert, AlertRule, WallRoomRef, WallSnapshot};
use earshot_protocol::{AppError, ErrorCode};
use fleet::Fleet;
use follow::Follower;
use shared::{guard, Shared};
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// The wallboard's state (see the module docs).
pub struct Wallboard {
    shared: Arc<Shared>,
    settings: Arc<dyn SettingsStore>,
    projects: Arc<Projects>,
    supervisor: Supervisor,
    fleet: Arc<Fleet>,
    /// The task following the project registry, once the wallboard is attached.
    following: Mutex<Option<JoinHandle<()>>>,
    /// Open real-time room views, by project and room.
    views: Arc<room_view::OpenViews>,
    /// Wallboard rooms followed live.
    follower: Arc<Follower>,
    /// Where room-view sessions the supervisor opens are journaled.
    audit: Audit,
    /// A time limit for every project's room views instead of their own (tests use seconds).
    view_time_limit: Mutex<Option<std::time::Duration>>,
}

impl Wallboard {
    /// A wallboard over `projects`; room views and followed rows join as `supervisor`; room
    /// views the supervisor opens are journaled in `audit`.
    pub(crate) fn new(
        settings: Arc<dyn SettingsStore>,
        projects: Arc<Projects>,
        supervisor: Supervisor,
        audit: Audit,
    ) -> Self {
        let shared = Arc::new(Shared {
            alerts: Mutex::new(Alerts::load(&*settings)),
            history: Some(audit.clone()),
            ..Default::default()
        });
        Self {
            fleet: Arc::new(Fleet::new(shared.clone(), projects.clone())),
            follower: Arc::new(Follower::new(
                shared.clone(),
                projects.clone(),
                supervisor.clone(),
                audit.clone(),
            )),
            shared,
            settings,
            projects,
            supervisor,
            following: Mutex::new(None),
            views: Default::default(),
            audit,
            view_time_limit: Mutex::new(None),
        }
    }

    /// Replaces every project's time limit of room views (tests need seconds, not minutes).
    #[doc(hidden)]
    pub fn set_view_time_limit(&self, limit: std::time::Duration) {
        *guard(&self.view_time_limit) = Some(limit);
    }

    /// Starts watching (idempotent) and routes events to `sink`; returns the current board.
    /// Needs a tokio runtime (the pollers are tasks).
    pub fn attach(&self, sink: Arc<dyn WallSink>) -> WallSnapshot {
        *self.shared.sink.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
        let mut following = guard(&self.following);
        if following.is_none() {
            // The first reconcile runs before the snapshot below is taken.
            let changes = self.projects.subscribe();
            let list = changes.borrow().clone();
            self.fleet.reconcile(&list);
            *following = Some(tokio::spawn(follow_projects(
                self.fleet.clone(),
                self.follower.clone(),
                self.views.clone(),
                changes,
            )));
        }
        drop(following);
        self.snapshot()
    }

    /// Chooses the watched projects (`None`: all); pollers start and stop to match.
    pub fn watch(&self, projects: Option<Vec<ProjectId>>) -> AppResult<WallSnapshot> {
        self.fleet.set_watched(projects)?;
        let list = self.projects.subscribe().borrow().clone();
        self.fleet.reconcile(&list);
        Ok(self.snapshot())
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
            watched: self.fleet.watched(),
        }
    }

    /// Polls `project` now (and restarts a poller stopped by a refused key).
    pub fn poke(&self, project: &str) -> AppResult<()> {
        self.fleet.poke(project)
    }

    /// Follows exactly `rooms` live (see [`follow`]).
    pub fn follow(&self, rooms: Vec<WallRoomRef>) -> AppResult<()> {
        self.follower.follow(rooms)
    }

    /// The rooms followed live now (connections up).
    pub fn followed(&self) -> Vec<WallRoomRef> {
        self.follower.followed()
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

    /// Saves an alert rule after checking it; returns it with its id.
    pub fn save_alert_rule(&self, rule: AlertRule) -> AppResult<AlertRule> {
        if let Some(err) = wallboard::alert_rule(&rule).into_iter().next() {
            return Err(err);
        }
        if let Some(project) = &rule.project {
            self.projects.require(project)?;
        }
        Ok(guard(&self.shared.alerts).save(&*self.settings, rule)?)
    }

    /// Deletes an alert rule.
    pub fn delete_alert_rule(&self, id: &str) -> AppResult<()> {
        if guard(&self.shared.alerts).delete(&*self.settings, id)? {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::NotFound, "No such alert rule."))
        }
    }

    /// Opens the real-time view of `room` (replacing an open one); its views go to `sink`.
    pub async fn open_room_view(
        &self,
        project: &ProjectHandle,
        room: &str,
        sink: Arc<dyn room_view::RoomViewSink>,
    ) -> AppResult<RoomView> {
        let session = Arc::new(view_audit::ViewSession::new(
            self.audit.clone(),
            earshot_protocol::audit::AuditAction::RoomViewSession,
            project.name.clone(),
            project.endpoint().url.clone(),
            room.to_owned(),
        ));
        let sink = Arc::new(AlertingSink {
            inner: sink,
            project: project.id.clone(),
            room: room.to_owned(),
            shared: self.shared.clone(),
            session: Some(session.clone()),
            roster: Mutex::new(Default::default()),
        });
        room_view::prune(&self.views);
        let open = guard(&self.views).len();
        let replacing = guard(&self.views).contains_key(&(project.id.clone(), room.to_owned()));
        if open >= MAX_OPEN_ROOM_VIEWS && !replacing {
            return Err(AppError::new(
                ErrorCode::LimitReached,
                format!(
                    "{open} room views are open, the most one app may hold. Close one before \
                     opening another."
                ),
            ));
        }
        let limit = guard(&self.view_time_limit).or_else(|| project.guardrails.time_limit());
        let opened = room_view::open(project, room, &self.supervisor, sink, limit).await;
        let (obs, view) = match opened {
            Ok(opened) => opened,
            Err(err) => {
                session.failed(crate::audit::code_name(err.code));
                return Err(err);
            }
        };
        let prefix = format!("earshot-observer:{}:", self.supervisor.name);
        session.joined(self.supervisor.own.latest(&prefix), view.session);
        room_view::prune(&self.views);
        let key = (view.project.clone(), room.to_owned());
        if let Some(old) = guard(&self.views).insert(key, obs) {
            old.stop();
        }
        tracing::info!(%room, session = view.session, "room view opened");
        Ok(view)
    }

    /// Closes the room view `session`. A session that a newer view of its room replaced
    /// (or that ended) is `NotFound`: the newer view stays open.
    /// Closes every room view and followed row as the app closes, waiting (at most
    /// `within`) until each has left its room.
    pub async fn close_all(&self, within: std::time::Duration) {
        let mut all: Vec<_> = std::mem::take(&mut *guard(&self.views))
            .into_values()
            .collect();
        all.extend(self.follower.take_all());
        room_view::leave_all(all, within).await;
    }

    pub fn close_room_view(&self, session: u64) -> AppResult<()> {
        room_view::prune(&self.views);
        let mut views = guard(&self.views);
        let key = views
            .iter()
            .find(|(_, obs)| obs.session == session)
            .map(|(key, _)| key.clone());
        match key.and_then(|key| views.remove(&key)) {
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
}

/// Follows the registry until the task is aborted: each change of the project list after
/// `changes` was made reconciles the pollers and ends the room views and followed rows whose
/// project went away or changed credentials.
async fn follow_projects(
    fleet: Arc<Fleet>,
    follower: Arc<Follower>,
    views: Arc<room_view::OpenViews>,
    mut changes: tokio::sync::watch::Receiver<Vec<crate::projects::ProjectEntry>>,
) {
    // The list as it was when `changes` was made is reconciled by whoever attached.
    while changes.changed().await.is_ok() {
        let list = changes.borrow_and_update().clone();
        fleet.reconcile(&list);
        room_view::retire(&views, &list);
        follower.retire(&list);
    }
}

/// Forwards room views to the UI and evaluates the duration rules on them each second, and
/// the rules on what is said on each transcript line.
struct AlertingSink {
    inner: Arc<dyn room_view::RoomViewSink>,
    /// The room viewed, for the rules on what is said (lines do not name their room).
    project: ProjectId,
    room: String,
    shared: Arc<Shared>,
    /// The session's audit entry, written when the view's task lets this sink go.
    session: Option<Arc<view_audit::ViewSession>>,
    /// The previous view's participants, for the joins and leaves history records.
    roster: Mutex<std::collections::BTreeMap<String, String>>,
}

impl room_view::RoomViewSink for AlertingSink {
    fn view(&self, view: &RoomView) -> bool {
        if let Some(s) = &self.session {
            s.seen(view);
        }
        let ops = crate::history::sources::view_changed(&mut guard(&self.roster), view);
        self.shared.history(ops);
        self.inner.view(view)
    }

    fn tick(&self, view: &RoomView) {
        self.shared.raise_duration_alerts(view);
    }

    fn transcript(
        &self,
        session: u64,
        line: &earshot_protocol::transcript::TranscriptLine,
        drops: earshot_protocol::transcript::TranscriptDrops,
    ) -> bool {
        self.shared
            .raise_line_alerts(&self.project, &self.room, line);
        self.inner.transcript(session, line, drops)
    }
}

impl Drop for Wallboard {
    fn drop(&mut self) {
        if let Some(task) = guard(&self.following).take() {
            task.abort();
        }
        self.fleet.stop();
    }
}
