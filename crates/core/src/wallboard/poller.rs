//! One project's poller: ListRooms on the project's rhythm with the participant lookups of
//! rooms whose count moved (the counts without hidden participants, listeners present, who
//! joined), then lookups of the rooms looked at longest ago, the diff and the alerts, one
//! request at a time.

use super::alerts::SeenParticipant;
use super::schedule::{LookupFailure, Schedule};
use super::shared::{guard, Shared};
use crate::api::RetryPolicy;
use crate::clock::unix_millis;
use crate::history::sources;
use crate::listen::engine::token::ROLE_ATTRIBUTE;
use crate::projects::Projects;
use earshot_protocol::admin::ParticipantDetail;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::RoomSummary;
use earshot_protocol::wallboard::{
    Alert, PollState, ProjectHealth, WallDelta, WallEvent, WallRoom, METADATA_PREVIEW_CHARS,
};
use earshot_protocol::AppError;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Participant lookups per poll at most, so a project with many changing rooms is not
/// flooded; the rest are looked up on the next polls.
const LOOKUPS_PER_POLL: usize = 10;

pub(crate) fn initial_health(id: &str, name: &str, state: PollState) -> ProjectHealth {
    ProjectHealth {
        project: id.to_owned(),
        name: name.to_owned(),
        state,
        rtt_ms: None,
        last_error: None,
        last_ok_ms: None,
        next_in_ms: 0,
        requests: 0,
        failures: 0,
    }
}

fn wall_room(project: &str, r: RoomSummary) -> WallRoom {
    let metadata = r.metadata.chars().take(METADATA_PREVIEW_CHARS).collect();
    WallRoom {
        project: project.to_owned(),
        room: RoomSummary { metadata, ..r },
        listeners: None,
    }
}

struct Poller {
    shared: Arc<Shared>,
    id: ProjectId,
    health: ProjectHealth,
    schedule: Schedule,
    baseline: bool,
    /// Participant sids seen per room sid (for "joined" alerts).
    seen: HashMap<String, HashSet<String>>,
    /// Rooms that existed at the first answer: their first lookup raises nothing.
    baseline_rooms: HashSet<String>,
    /// When each room's participants were last looked up.
    looked_at: HashMap<String, Instant>,
}

/// Runs until the task is aborted (the project left the wallboard or changed).
pub(crate) async fn run(
    projects: Arc<Projects>,
    shared: Arc<Shared>,
    id: ProjectId,
    name: String,
    schedule: Schedule,
    poke: Arc<Notify>,
) {
    let mut poller = Poller {
        health: initial_health(&id, &name, PollState::Starting),
        shared,
        id,
        schedule,
        baseline: true,
        seen: HashMap::new(),
        baseline_rooms: HashSet::new(),
        looked_at: HashMap::new(),
    };
    // The fleet recorded the starting health; a poller only updates it (see `report`).
    loop {
        let pause = poller.poll(&projects).await;
        match pause {
            Some(pause) => {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = poke.notified() => {}
                }
            }
            // Stopped (refused key, missing secret): wait for the user to retry.
            None => poke.notified().await,
        }
    }
}

impl Poller {
    /// One poll; the pause before the next, or `None` to stop until poked.
    async fn poll(&mut self, projects: &Projects) -> Option<Duration> {
        let api = match projects.handle(&self.id).await {
            Ok(project) => project.api,
            Err(err) => {
                // No secret, a bad URL: nothing a retry fixes.
                return self.failed(err, None);
            }
        };
        let started = Instant::now();
        // ListRooms, with lookups of the rooms whose count moved: counts come back without
        // hidden participants (the census), so diffs, alerts and charts never count them.
        let (rooms, counted) = match api
            .list_rooms_counted(RetryPolicy::NONE, LOOKUPS_PER_POLL)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.health.requests += 1;
                let pause = self.schedule.failed(&err);
                return self.failed(err.into(), pause);
            }
        };
        self.health.requests += 1 + counted.len() as u64;
        let rtt = started.elapsed();
        let fresh: Vec<WallRoom> = rooms.into_iter().map(|r| wall_room(&self.id, r)).collect();
        let Some(diff) = self.shared.apply(&self.id, fresh) else {
            // The project left the wallboard; this task is being stopped.
            return None;
        };
        let now = unix_millis();
        self.shared.history(
            diff.added
                .iter()
                .chain(diff.changed.iter().map(|(_, r)| r))
                .map(|r| sources::room_listed(&self.id, &r.room, now))
                .chain(
                    diff.removed
                        .iter()
                        .map(|r| sources::room_gone(&self.id, &r.room, now)),
                ),
        );
        let mut alerts = guard(&self.shared.alerts).on_diff(&self.id, &diff, self.baseline, now);
        if self.baseline {
            self.baseline_rooms = diff.added.iter().map(|r| r.room.sid.clone()).collect();
        }
        for room in &diff.removed {
            self.seen.remove(&room.room.sid);
            self.looked_at.remove(&room.room.sid);
        }

        let mut upserts: HashMap<String, WallRoom> = diff
            .added
            .iter()
            .cloned()
            .chain(diff.changed.iter().map(|(_, r)| r.clone()))
            .map(|r| (r.room.sid.clone(), r))
            .collect();
        let looked: HashSet<String> = counted.iter().map(|l| l.room.sid.clone()).collect();
        let budget = LOOKUPS_PER_POLL.saturating_sub(looked.len());
        for lookup in counted {
            let room = wall_room(&self.id, lookup.room);
            self.looked_at.insert(room.room.sid.clone(), Instant::now());
            self.looked_up(&room, lookup.people, now, &mut upserts, &mut alerts);
        }
        // Then the rooms looked at longest ago: a listener leaving while someone joins
        // leaves the count as it was, so every room is revisited in turn.
        let mut rest: Vec<WallRoom> = guard(&self.shared.board)
            .rooms()
            .into_iter()
            .filter(|r| {
                r.project == self.id
                    && (r.room.num_participants > 0 || r.listeners.is_none_or(|l| l > 0))
            })
            .filter(|r| !looked.contains(&r.room.sid))
            .collect();
        rest.sort_by_key(|r| self.looked_at.get(&r.room.sid).copied());
        rest.truncate(budget);
        // A lookup's failure shows in the health; a refused key or a rate limit also ends
        // the lookups (the delta of the ListRooms answer still goes out).
        let mut lookup_error: Option<AppError> = None;
        let mut lookup_end: Option<LookupFailure> = None;
        for room in rest {
            self.health.requests += 1;
            self.looked_at.insert(room.room.sid.clone(), Instant::now());
            let people = match api.participant_details(&room.room.name).await {
                Ok(people) => people,
                Err(err) => {
                    let next = self.schedule.lookup_failed(&err);
                    if next == LookupFailure::Skip {
                        continue;
                    }
                    tracing::debug!(room = %room.room.name, error = %err, "participant lookup failed");
                    lookup_error = Some(err.into());
                    if next == LookupFailure::Next {
                        continue;
                    }
                    lookup_end = Some(next);
                    break;
                }
            };
            api.census().refresh(&room.room.sid, &people);
            self.looked_up(&room, people, now, &mut upserts, &mut alerts);
        }

        let changed = !diff.is_empty();
        let (pause, state) = match lookup_end {
            Some(LookupFailure::Stop) => (None, PollState::Stopped),
            Some(LookupFailure::BackOff(pause)) => (Some(pause), PollState::Failing),
            _ => (Some(self.schedule.succeeded(changed)), PollState::Ok),
        };
        if let Some(err) = &lookup_error {
            tracing::warn!(project = %self.id, code = ?err.code, "participant lookups failed: {}", err.message);
        }
        self.baseline = false;
        self.health.state = state;
        self.health.rtt_ms = Some(rtt.as_millis().min(u32::MAX as u128) as u32);
        self.health.last_error = lookup_error;
        self.health.last_ok_ms = Some(now);
        self.health.failures = self.schedule.failures();
        self.health.next_in_ms = pause.map_or(0, |p| p.as_millis() as u32);
        self.shared.report(WallDelta {
            project: self.id.clone(),
            upserts: upserts.into_values().collect(),
            removed: diff.removed.into_iter().map(|r| r.room.sid).collect(),
            health: self.health.clone(),
            at_ms: now,
        });
        for alert in alerts {
            tracing::info!(rule = %alert.rule_name, room = %alert.room, "alert: {}", alert.text);
            self.shared.send(WallEvent::Alert(alert));
        }
        pause
    }

    /// What one room's participant list tells: its listeners and who joined.
    fn looked_up(
        &mut self,
        room: &WallRoom,
        people: Vec<ParticipantDetail>,
        now: i64,
        upserts: &mut HashMap<String, WallRoom>,
        alerts: &mut Vec<Alert>,
    ) {
        // Room views (Earshot's own wallboard follows among them) are hidden too, but
        // they only watch: counting them would show a listener in every followed room.
        let hidden = people
            .iter()
            .filter(|p| {
                p.permission.hidden
                    && p.attributes.get(ROLE_ATTRIBUTE).map(String::as_str) != Some("observer")
            })
            .count() as u32;
        if let Some(updated) =
            guard(&self.shared.board).set_listeners(&self.id, &room.room.sid, hidden)
        {
            upserts.insert(updated.room.sid.clone(), updated);
        }
        self.shared
            .history(sources::people_seen(&self.id, &room.room, &people, now));
        let first_look = !self.seen.contains_key(&room.room.sid);
        let seen = self.seen.entry(room.room.sid.clone()).or_default();
        let joined: Vec<SeenParticipant> = people
            .into_iter()
            .filter(|p| seen.insert(p.sid.clone()))
            .map(|p| SeenParticipant {
                sid: p.sid,
                identity: p.identity,
                attributes: p.attributes,
            })
            .collect();
        let quiet = first_look && self.baseline_rooms.contains(&room.room.sid);
        if !quiet && !joined.is_empty() {
            alerts.extend(guard(&self.shared.alerts).on_joined(room, &joined, now));
        }
    }

    fn failed(&mut self, err: AppError, pause: Option<Duration>) -> Option<Duration> {
        tracing::warn!(project = %self.id, code = ?err.code, "wallboard poll failed: {}", err.message);
        self.health.state = if pause.is_some() {
            PollState::Failing
        } else {
            PollState::Stopped
        };
        self.health.failures = self.schedule.failures();
        self.health.last_error = Some(err);
        self.health.next_in_ms = pause.map_or(0, |p| p.as_millis() as u32);
        // The rooms stay as last seen (the UI marks the project as failing).
        self.shared.report(WallDelta {
            project: self.id.clone(),
            upserts: Vec::new(),
            removed: Vec::new(),
            health: self.health.clone(),
            at_ms: unix_millis(),
        });
        pause
    }
}
