//! The pollers: one per watched project, started, stopped and restarted to match the
//! project registry (followed through its `watch` channel) and the watched set.

use super::poller;
use super::schedule::Schedule;
use super::shared::{guard, Shared};
use super::synthetic;
use crate::projects::{ProjectEntry, Projects};
use crate::result::AppResult;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::wallboard::PollState;
use earshot_protocol::{AppError, ErrorCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

struct PollerHandle {
    task: JoinHandle<()>,
    poke: Arc<Notify>,
    /// The project's revision the poller started with: a newer one restarts it.
    revision: u64,
}

/// The running pollers and what they should be.
pub(crate) struct Fleet {
    shared: Arc<Shared>,
    projects: Arc<Projects>,
    pub(crate) schedule: Schedule,
    pollers: Mutex<HashMap<ProjectId, PollerHandle>>,
    /// `None`: every project.
    watched: Mutex<Option<Vec<ProjectId>>>,
}

impl Fleet {
    pub fn new(shared: Arc<Shared>, projects: Arc<Projects>) -> Self {
        Self {
            shared,
            projects,
            schedule: Schedule::default(),
            pollers: Mutex::new(HashMap::new()),
            watched: Mutex::new(None),
        }
    }

    /// The watched projects (`None`: all).
    pub fn watched(&self) -> Option<Vec<ProjectId>> {
        guard(&self.watched).clone()
    }

    /// Chooses the watched projects; every id must be a project's.
    pub fn set_watched(&self, projects: Option<Vec<ProjectId>>) -> AppResult<()> {
        if let Some(ids) = &projects {
            for id in ids {
                self.projects.require(id)?;
            }
        }
        *guard(&self.watched) = projects;
        Ok(())
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

    /// Starts pollers for watched projects that have none, restarts those whose project
    /// changed, stops the others (and forgets their rooms).
    pub fn reconcile(&self, projects: &[ProjectEntry]) {
        let watched = self.watched();
        let mut wanted: Vec<ProjectEntry> = projects
            .iter()
            .filter(|p| watched.as_ref().is_none_or(|w| w.contains(&p.id)))
            .cloned()
            .collect();
        let synthetic_rooms = synthetic::rooms_from_env();
        if synthetic_rooms.is_some() {
            wanted.push(ProjectEntry {
                id: synthetic::SYNTHETIC_ID.into(),
                name: "SYNTHETIC".into(),
                revision: 0,
                credentials: 0,
            });
        }
        let mut pollers = guard(&self.pollers);
        // An edited project's poller restarts with its new URL, key and name.
        let edited: Vec<ProjectId> = pollers
            .iter()
            .filter(|(id, p)| {
                wanted
                    .iter()
                    .any(|w| &w.id == *id && w.revision != p.revision)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in edited {
            if let Some(p) = pollers.remove(&id) {
                p.task.abort();
            }
        }
        let stale: Vec<ProjectId> = pollers
            .keys()
            .filter(|id| !wanted.iter().any(|w| &w.id == *id))
            .cloned()
            .collect();
        for id in stale {
            if let Some(p) = pollers.remove(&id) {
                p.task.abort();
            }
            self.shared.gone(&id);
        }
        for entry in wanted {
            if pollers.contains_key(&entry.id) {
                continue;
            }
            let ProjectEntry {
                id, name, revision, ..
            } = entry;
            guard(&self.shared.health).insert(
                id.clone(),
                poller::initial_health(&id, &name, PollState::Starting),
            );
            let poke = Arc::new(Notify::new());
            if let (synthetic::SYNTHETIC_ID, Some(rooms)) = (id.as_str(), synthetic_rooms) {
                tracing::warn!(rooms, "SYNTHETIC wallboard rooms (benchmark mode)");
                let task = tokio::spawn(synthetic::run(self.shared.clone(), rooms));
                pollers.insert(
                    id,
                    PollerHandle {
                        task,
                        poke,
                        revision,
                    },
                );
                continue;
            }
            let task = tokio::spawn(poller::run(
                self.projects.clone(),
                self.shared.clone(),
                id.clone(),
                name,
                self.schedule.clone(),
                poke.clone(),
            ));
            pollers.insert(
                id,
                PollerHandle {
                    task,
                    poke,
                    revision,
                },
            );
        }
    }

    /// Stops every poller.
    pub fn stop(&self) {
        for (_, p) in guard(&self.pollers).drain() {
            p.task.abort();
        }
    }
}
