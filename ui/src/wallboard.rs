//! The wallboard's data for the whole app: the channel the backend's pollers stream deltas
//! and alerts into, the rooms of every watched project, each project's health, participant
//! history for the charts (last hour, in memory) and the alerts raised.

use crate::ipc::{invoke, Channel};
use earshot_protocol::command::{WallboardAttach, WallboardWatch};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::wallboard::{
    Alert, ProjectHealth, WallDelta, WallEvent, WallLive, WallRoom, WallSnapshot,
};
use js_sys::JSON;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use sycamore::prelude::*;
use wasm_bindgen::JsValue;

/// History kept for the charts.
const HISTORY_MS: f64 = 3_600_000.0;
/// How often the histories of rooms that ended over [`HISTORY_MS`] ago are dropped.
const PRUNE_EVERY_MS: f64 = 60_000.0;

/// Rooms by project, then sid.
/// Shared (`Rc`) so the wallboard's sorted list copies pointers, not 10,000 rooms, per update.
pub type Rooms = HashMap<ProjectId, HashMap<String, Rc<WallRoom>>>;

/// Wallboard signals; `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct Wallboard {
    pub rooms: Signal<Rooms>,
    pub health: Signal<BTreeMap<ProjectId, ProjectHealth>>,
    /// `None`: every project is watched.
    pub watched: Signal<Option<Vec<ProjectId>>>,
    /// Participants per project over time: (unix ms, total).
    pub project_history: Signal<HashMap<ProjectId, VecDeque<(f64, u32)>>>,
    /// Participants per room (by sid) over time.
    pub room_history: Signal<HashMap<String, VecDeque<(f64, u32)>>>,
    pub alerts: Signal<Vec<Alert>>,
    /// Alerts raised since the Alerts page was last opened.
    pub unseen_alerts: Signal<u32>,
    /// Live details of the rooms followed (the rows in view), by (project, room name).
    pub live: Signal<HashMap<(ProjectId, String), WallLive>>,
    /// Deltas applied (for the page's "updated" line and tests).
    pub deltas: Signal<u64>,
    pub error: Signal<Option<String>>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
    /// Milliseconds each applied delta took, re-render included (Sycamore updates the DOM
    /// synchronously when signals change): the wallboard's render path, kept for display.
    static RENDER_MS: RefCell<VecDeque<f64>> = const { RefCell::new(VecDeque::new()) };
    /// When ended rooms' histories were last dropped (unix ms of a delta).
    static PRUNED_AT: RefCell<f64> = const { RefCell::new(0.0) };
}

/// Drops the history of every room that is gone and had its last point over
/// [`HISTORY_MS`] before `at`: a room's series only grows while it exists, so without this
/// a long-running wallboard keeps every room it ever saw.
fn prune_history(
    history: &mut HashMap<String, VecDeque<(f64, u32)>>,
    present: &HashSet<String>,
    at: f64,
) {
    history.retain(|sid, series| {
        present.contains(sid) || series.back().is_some_and(|(t, _)| at - t <= HISTORY_MS)
    });
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Render-path timings of the last (up to 200) deltas: (count, p50, p95, max) in ms.
pub fn render_stats() -> (usize, f64, f64, f64) {
    RENDER_MS.with(|r| {
        let mut v: Vec<f64> = r.borrow().iter().copied().collect();
        if v.is_empty() {
            return (0, 0.0, 0.0, 0.0);
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        (v.len(), at(0.5), at(0.95), v[v.len() - 1])
    })
}

fn push_point(series: &mut VecDeque<(f64, u32)>, at: f64, value: u32) {
    if series.back().is_some_and(|(_, v)| *v == value) && series.len() > 1 {
        // Same value: move the last point instead of adding one (keeps the series short).
        let prev = series[series.len() - 2].1;
        if prev == value {
            if let Some(last) = series.back_mut() {
                last.0 = at;
            }
            return;
        }
    }
    series.push_back((at, value));
    while series.front().is_some_and(|(t, _)| at - t > HISTORY_MS) {
        series.pop_front();
    }
}

impl Wallboard {
    pub fn new() -> Self {
        Self {
            rooms: create_signal(HashMap::new()),
            health: create_signal(BTreeMap::new()),
            watched: create_signal(None),
            project_history: create_signal(HashMap::new()),
            room_history: create_signal(HashMap::new()),
            alerts: create_signal(Vec::new()),
            unseen_alerts: create_signal(0),
            live: create_signal(HashMap::new()),
            deltas: create_signal(0),
            error: create_signal(None),
        }
    }

    /// Opens the channel and starts the backend's pollers.
    pub fn attach(self) {
        let channel = match Channel::open(move |message: JsValue| self.on_event(message)) {
            Ok(c) => c,
            Err(err) => {
                self.error.set(Some(err.message));
                return;
            }
        };
        let cmd = WallboardAttach {
            events: channel.wire_id.clone(),
        };
        CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
        wasm_bindgen_futures::spawn_local(async move {
            match invoke(&cmd).await {
                Ok(snapshot) => self.apply_snapshot(snapshot),
                Err(err) => self.error.set(Some(err.message)),
            }
        });
    }

    /// Chooses the watched projects.
    pub fn watch(self, projects: Option<Vec<ProjectId>>) {
        wasm_bindgen_futures::spawn_local(async move {
            match invoke(&WallboardWatch { projects }).await {
                Ok(snapshot) => self.apply_snapshot(snapshot),
                Err(err) => self.error.set(Some(err.message)),
            }
        });
    }

    fn apply_snapshot(self, snapshot: WallSnapshot) {
        let mut rooms: Rooms = HashMap::new();
        for room in snapshot.rooms {
            rooms
                .entry(room.project.clone())
                .or_default()
                .insert(room.room.sid.clone(), Rc::new(room));
        }
        self.rooms.set(rooms);
        let health: BTreeMap<ProjectId, ProjectHealth> = snapshot
            .health
            .into_iter()
            .map(|h| (h.project.clone(), h))
            .collect();
        // Series of projects no longer on the wallboard go with their cards.
        self.project_history
            .update(|h| h.retain(|project, _| health.contains_key(project)));
        self.live
            .update(|l| l.retain(|(project, _), _| health.contains_key(project)));
        self.health.set(health);
        self.watched.set(snapshot.watched);
        self.error.set(None);
    }

    fn on_event(self, message: JsValue) {
        let Some(text) = JSON::stringify(&message).ok().and_then(|s| s.as_string()) else {
            return;
        };
        match serde_json::from_str::<WallEvent>(&text) {
            Ok(WallEvent::Delta(delta)) => self.apply_delta(delta),
            Ok(WallEvent::Alert(alert)) => {
                self.alerts.update(|a| a.insert(0, alert));
                self.unseen_alerts
                    .set(self.unseen_alerts.get_untracked() + 1);
            }
            Ok(WallEvent::Live(live)) => self.live.update(|l| {
                l.insert((live.project.clone(), live.room.clone()), live);
            }),
            Ok(WallEvent::Gone { project }) => self.forget(&project),
            Err(err) => web_sys::console::warn_1(&format!("wallboard event: {err}").into()),
        }
    }

    /// Drops everything of a project that left the wallboard: its rows, health card,
    /// chart series and live details.
    fn forget(self, project: &ProjectId) {
        let sids: Vec<String> = self.rooms.with_untracked(|r| {
            r.get(project)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        });
        self.rooms.update(|r| {
            r.remove(project);
        });
        self.room_history.update(|h| {
            for sid in &sids {
                h.remove(sid);
            }
        });
        self.project_history.update(|h| {
            h.remove(project);
        });
        self.health.update(|h| {
            h.remove(project);
        });
        self.live.update(|l| l.retain(|(p, _), _| p != project));
    }

    fn apply_delta(self, delta: WallDelta) {
        let started = performance_now();
        self.apply_delta_inner(delta);
        let took = performance_now() - started;
        RENDER_MS.with(|r| {
            let mut r = r.borrow_mut();
            r.push_back(took);
            while r.len() > 200 {
                r.pop_front();
            }
        });
    }

    fn apply_delta_inner(self, delta: WallDelta) {
        let at = delta.at_ms as f64;
        let project = delta.project.clone();
        if !delta.upserts.is_empty() || !delta.removed.is_empty() {
            let mut changed_rooms = Vec::new();
            self.rooms.update(|rooms| {
                let map = rooms.entry(project.clone()).or_default();
                for sid in &delta.removed {
                    if map.remove(sid).is_some() {
                        changed_rooms.push((sid.clone(), 0));
                    }
                }
                for room in delta.upserts {
                    changed_rooms.push((room.room.sid.clone(), room.room.num_participants));
                    map.insert(room.room.sid.clone(), Rc::new(room));
                }
            });
            self.room_history.update(|h| {
                for (sid, n) in changed_rooms {
                    push_point(h.entry(sid).or_default(), at, n);
                }
            });
        }
        if PRUNED_AT.with(|p| at - *p.borrow() >= PRUNE_EVERY_MS) {
            PRUNED_AT.with(|p| *p.borrow_mut() = at);
            // Collected first: updating one signal inside another's `with` panics (the
            // reactive store stays borrowed for the read).
            let present: HashSet<String> = self
                .rooms
                .with_untracked(|rooms| rooms.values().flat_map(|m| m.keys().cloned()).collect());
            self.room_history.update(|h| prune_history(h, &present, at));
        }
        let total = self.rooms.with_untracked(|r| {
            r.get(&project)
                .map_or(0, |m| m.values().map(|r| r.room.num_participants).sum())
        });
        self.project_history
            .update(|h| push_point(h.entry(project.clone()).or_default(), at, total));
        self.health.update(|h| {
            h.insert(project, delta.health);
        });
        self.deltas.set(self.deltas.get_untracked() + 1);
    }
}

/// The wallboard data provided by [`crate::app::App`].
pub fn wallboard() -> Wallboard {
    use_context::<Wallboard>()
}
