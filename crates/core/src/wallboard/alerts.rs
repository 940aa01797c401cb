//! Alert rules (kept in the settings store) and their evaluation against what the pollers
//! see. Rules are edge-triggered: each fires once per event (a room starting, a count
//! crossing its threshold, a participant joining), never once per poll. Duration rules
//! (quality, silence, an agent thinking) fire once per episode on the views of open or
//! followed rooms; rules on what is said fire once per final line ([`said`]).

use super::board::Diff;
use crate::settings::{SettingsError, SettingsStore};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::RoomView;
use earshot_protocol::rooms::ParticipantKind;
use earshot_protocol::rooms::RoomSummary;
use earshot_protocol::transcript::{AgentState, TranscriptLine};
use earshot_protocol::wallboard::{pattern_matches, Alert, AlertCondition, AlertRule, WallRoom};
use std::collections::{BTreeMap, HashMap, VecDeque};

mod said;

/// Settings key prefix of a stored rule.
const RULE_PREFIX: &str = "alert_rule.";
/// Alerts kept in memory for the in-app list.
const KEPT_ALERTS: usize = 500;

/// A participant seen in a room, as the attribute rule needs it.
#[derive(Debug, Clone)]
pub struct SeenParticipant {
    pub sid: String,
    pub identity: String,
    pub attributes: BTreeMap<String, String>,
}

/// One duration rule's episode: the rule, the room (by project and name: two projects may
/// both have a room of that name) and the participant ("" for the room as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EpisodeKey {
    rule: String,
    project: ProjectId,
    room: String,
    who: String,
}

/// The rules and the alerts they raised.
#[derive(Debug, Default)]
pub struct Alerts {
    rules: BTreeMap<String, AlertRule>,
    raised: VecDeque<Alert>,
    next_id: u64,
    /// Duration rules: since when a condition holds, and whether it already fired for this
    /// episode.
    episodes: HashMap<EpisodeKey, (i64, bool)>,
    /// Lines that already fired a rule on what is said (see [`said`]).
    lines: said::FiredLines,
}

impl Alerts {
    /// Loads the stored rules; entries that do not parse are skipped (and logged).
    pub fn load(settings: &dyn SettingsStore) -> Self {
        let mut rules = BTreeMap::new();
        for (key, value) in settings.entries() {
            if let Some(id) = key.strip_prefix(RULE_PREFIX) {
                match serde_json::from_value::<AlertRule>(value) {
                    Ok(rule) if rule.id == id => {
                        rules.insert(rule.id.clone(), rule);
                    }
                    _ => tracing::warn!(%key, "alert rule not readable; left as it is"),
                }
            }
        }
        Self {
            rules,
            raised: VecDeque::new(),
            next_id: 1,
            episodes: HashMap::new(),
            lines: Default::default(),
        }
    }

    pub fn rules(&self) -> Vec<AlertRule> {
        self.rules.values().cloned().collect()
    }

    /// Stores a rule (a new id when it has none); persisted before it takes effect.
    pub fn save(
        &mut self,
        settings: &dyn SettingsStore,
        mut rule: AlertRule,
    ) -> Result<AlertRule, SettingsError> {
        if rule.id.is_empty() {
            rule.id = uuid::Uuid::new_v4().simple().to_string();
        }
        let value = serde_json::to_value(&rule).unwrap_or_default();
        settings.set(&format!("{RULE_PREFIX}{}", rule.id), value)?;
        self.rules.insert(rule.id.clone(), rule.clone());
        Ok(rule)
    }

    /// Deletes a rule; whether it existed.
    pub fn delete(
        &mut self,
        settings: &dyn SettingsStore,
        id: &str,
    ) -> Result<bool, SettingsError> {
        if !self.rules.contains_key(id) {
            return Ok(false);
        }
        settings.delete(&format!("{RULE_PREFIX}{id}"))?;
        self.rules.remove(id);
        Ok(true)
    }

    /// The raised alerts, newest first.
    pub fn raised(&self) -> Vec<Alert> {
        self.raised.iter().rev().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.raised.clear();
    }

    fn raise(&mut self, rule: &AlertRule, room: &WallRoom, text: String, now_ms: i64) -> Alert {
        let alert = Alert {
            id: self.next_id,
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            project: room.project.clone(),
            room: room.room.name.clone(),
            text,
            at_ms: now_ms,
        };
        self.next_id += 1;
        self.raised.push_back(alert.clone());
        while self.raised.len() > KEPT_ALERTS {
            self.raised.pop_front();
        }
        alert
    }

    fn applicable<'a>(
        &'a self,
        project: &'a ProjectId,
        room: &'a str,
    ) -> impl Iterator<Item = AlertRule> + 'a {
        self.rules
            .values()
            .filter(move |r| {
                r.enabled
                    && r.project.as_ref().is_none_or(|p| p == project)
                    && pattern_matches(&r.room_pattern, room)
            })
            .cloned()
    }

    /// Alerts for a project's room changes. `baseline` is the project's first answer: what
    /// exists then was not an event, so nothing fires.
    pub fn on_diff(
        &mut self,
        project: &ProjectId,
        diff: &Diff,
        baseline: bool,
        now_ms: i64,
    ) -> Vec<Alert> {
        if baseline {
            return Vec::new();
        }
        let mut out = Vec::new();
        for room in &diff.added {
            for rule in self
                .applicable(project, &room.room.name)
                .collect::<Vec<_>>()
            {
                match rule.condition {
                    AlertCondition::RoomStarted => out.push(self.raise(
                        &rule,
                        room,
                        format!("Room {} started.", room.room.name),
                        now_ms,
                    )),
                    AlertCondition::ParticipantsAbove { count }
                        if room.room.num_participants > count =>
                    {
                        out.push(self.raise(
                            &rule,
                            room,
                            format!(
                                "{} has {} participants (more than {count}).",
                                room.room.name, room.room.num_participants
                            ),
                            now_ms,
                        ))
                    }
                    _ => {}
                }
            }
        }
        for (before, room) in &diff.changed {
            for rule in self
                .applicable(project, &room.room.name)
                .collect::<Vec<_>>()
            {
                if let AlertCondition::ParticipantsAbove { count } = rule.condition {
                    if before.room.num_participants <= count && room.room.num_participants > count {
                        out.push(self.raise(
                            &rule,
                            room,
                            format!(
                                "{} has {} participants (more than {count}).",
                                room.room.name, room.room.num_participants
                            ),
                            now_ms,
                        ));
                    }
                }
            }
        }
        for room in &diff.removed {
            for rule in self
                .applicable(project, &room.room.name)
                .collect::<Vec<_>>()
            {
                if rule.condition == AlertCondition::RoomEnded {
                    out.push(self.raise(
                        &rule,
                        room,
                        format!("Room {} ended.", room.room.name),
                        now_ms,
                    ));
                }
            }
        }
        out
    }

    /// Duration rules (quality poor, silence) against an open room view at `now_ms`: each
    /// fires once when its condition has held long enough, and re-arms when it stops holding.
    pub fn on_view(&mut self, view: &RoomView, now_ms: i64) -> Vec<Alert> {
        let mut room = wall_room(&view.project, &view.room);
        room.room.num_participants = view.participants.len() as u32;
        // (rule, who, seconds, text, since when it holds when the view knows it)
        let mut holding: Vec<(AlertRule, String, u32, String, Option<i64>)> = Vec::new();
        let agent_in_room = view
            .participants
            .iter()
            .any(|p| p.kind == ParticipantKind::Agent || p.agent.is_some());
        for rule in self
            .applicable(&view.project, &view.room)
            .collect::<Vec<_>>()
        {
            match rule.condition {
                AlertCondition::QualityPoor { seconds } => {
                    for p in view.participants.iter().filter(|p| p.quality.is_poor()) {
                        let text = format!(
                            "{}'s connection in {} has been {} for over {seconds} s.",
                            p.identity,
                            view.room,
                            p.quality.label()
                        );
                        holding.push((rule.clone(), p.identity.clone(), seconds, text, None));
                    }
                }
                AlertCondition::Silence { seconds }
                    if !view.participants.is_empty()
                        && view.participants.iter().all(|p| !p.speaking) =>
                {
                    let text = format!("Nobody has spoken in {} for over {seconds} s.", view.room);
                    holding.push((rule.clone(), String::new(), seconds, text, None));
                }
                AlertCondition::AgentSilence { seconds }
                    if agent_in_room && view.participants.iter().all(|p| !p.speaking) =>
                {
                    let text = format!(
                        "Nobody has spoken in {} for over {seconds} s, with an agent in the room.",
                        view.room
                    );
                    holding.push((rule.clone(), String::new(), seconds, text, None));
                }
                AlertCondition::AgentThinking { seconds } => {
                    for p in &view.participants {
                        let Some(status) = p.agent.filter(|s| s.state == AgentState::Thinking)
                        else {
                            continue;
                        };
                        let name = if p.name.is_empty() {
                            &p.identity
                        } else {
                            &p.name
                        };
                        let text = format!(
                            "Agent {name} in {} has been thinking for over {seconds} s.",
                            view.room
                        );
                        // The state's own start: thinking → listening → thinking between two
                        // ticks is a new episode.
                        let since = Some(status.since_ms);
                        holding.push((rule.clone(), p.identity.clone(), seconds, text, since));
                    }
                }
                _ => {}
            }
        }
        // Episodes of this room that no longer hold end (and re-arm).
        let now_holding: Vec<EpisodeKey> = holding
            .iter()
            .map(|(r, who, ..)| EpisodeKey {
                rule: r.id.clone(),
                project: view.project.clone(),
                room: view.room.clone(),
                who: who.clone(),
            })
            .collect();
        self.episodes.retain(|key, _| {
            key.room != view.room || key.project != view.project || now_holding.contains(key)
        });
        let mut out = Vec::new();
        for ((rule, _, seconds, text, began), key) in holding.into_iter().zip(now_holding) {
            let episode = self
                .episodes
                .entry(key.clone())
                .or_insert((began.unwrap_or(now_ms), false));
            if began.is_some_and(|b| b != episode.0) {
                *episode = (began.unwrap_or(now_ms), false);
            }
            let (since, fired) = *episode;
            if !fired && now_ms - since > i64::from(seconds) * 1000 {
                self.episodes.insert(key, (since, true));
                out.push(self.raise(&rule, &room, text, now_ms));
            }
        }
        out
    }

    /// Rules on what is said, against one line of `room` (interim lines never fire: their
    /// text is still changing). Each line fires a rule once ([`said::FiredLines`]).
    pub fn on_line(
        &mut self,
        project: &ProjectId,
        room: &str,
        line: &TranscriptLine,
        now_ms: i64,
    ) -> Vec<Alert> {
        if !line.is_final {
            return Vec::new();
        }
        let mut out = Vec::new();
        for rule in self.applicable(project, room).collect::<Vec<_>>() {
            let AlertCondition::LineSaid { words } = &rule.condition else {
                continue;
            };
            let Some(text) = said::alert_text(words, room, line) else {
                continue;
            };
            let key = (
                rule.id.clone(),
                project.clone(),
                room.to_owned(),
                line.segment_id.clone(),
            );
            if self.lines.first(key) {
                out.push(self.raise(&rule, &wall_room(project, room), text, now_ms));
            }
        }
        out
    }

    /// Alerts for participants that joined `room` since it was last looked at.
    pub fn on_joined(
        &mut self,
        room: &WallRoom,
        joined: &[SeenParticipant],
        now_ms: i64,
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for rule in self
            .applicable(&room.project, &room.room.name)
            .collect::<Vec<_>>()
        {
            let AlertCondition::AttributeJoined { key, value } = &rule.condition else {
                continue;
            };
            for p in joined {
                if p.attributes
                    .get(key)
                    .is_some_and(|v| value.is_empty() || v == value)
                {
                    let text = format!(
                        "{} joined {} with {key}={}.",
                        p.identity, room.room.name, p.attributes[key]
                    );
                    out.push(self.raise(&rule, room, text, now_ms));
                }
            }
        }
        out
    }
}

/// A room as an alert names it, when only its project and name are known.
fn wall_room(project: &ProjectId, name: &str) -> WallRoom {
    WallRoom {
        project: project.clone(),
        room: RoomSummary {
            sid: String::new(),
            name: name.to_owned(),
            num_participants: 0,
            num_publishers: 0,
            creation_time: 0,
            active_recording: false,
            metadata: String::new(),
        },
        listeners: None,
    }
}

#[cfg(test)]
mod tests;
