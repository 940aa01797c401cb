//! Alert rules (kept in the settings store) and their evaluation against what the pollers
//! see. Rules are edge-triggered: each fires once per event (a room starting, a count
//! crossing its threshold, a participant joining), never once per poll.

use super::board::Diff;
use crate::settings::{SettingsError, SettingsStore};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::RoomView;
use earshot_protocol::rooms::RoomSummary;
use earshot_protocol::wallboard::{pattern_matches, Alert, AlertCondition, AlertRule, WallRoom};
use std::collections::{BTreeMap, HashMap, VecDeque};

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
        let room = WallRoom {
            project: view.project.clone(),
            room: RoomSummary {
                sid: String::new(),
                name: view.room.clone(),
                num_participants: view.participants.len() as u32,
                num_publishers: 0,
                creation_time: 0,
                active_recording: false,
                metadata: String::new(),
            },
            listeners: None,
        };
        let mut holding: Vec<(AlertRule, String, u32, String)> = Vec::new();
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
                        holding.push((rule.clone(), p.identity.clone(), seconds, text));
                    }
                }
                AlertCondition::Silence { seconds }
                    if !view.participants.is_empty()
                        && view.participants.iter().all(|p| !p.speaking) =>
                {
                    let text = format!("Nobody has spoken in {} for over {seconds} s.", view.room);
                    holding.push((rule.clone(), String::new(), seconds, text));
                }
                _ => {}
            }
        }
        // Episodes of this room that no longer hold end (and re-arm).
        let now_holding: Vec<EpisodeKey> = holding
            .iter()
            .map(|(r, who, _, _)| EpisodeKey {
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
        for ((rule, _, seconds, text), key) in holding.into_iter().zip(now_holding) {
            let (since, fired) = *self.episodes.entry(key.clone()).or_insert((now_ms, false));
            if !fired && now_ms - since > i64::from(seconds) * 1000 {
                self.episodes.insert(key, (since, true));
                out.push(self.raise(&rule, &room, text, now_ms));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::MemorySettings;
    use crate::wallboard::board::{synthetic_room, Board};
    use earshot_protocol::rooms::{ConnectionQuality, ParticipantKind};

    fn rule(name: &str, condition: AlertCondition, pattern: &str) -> AlertRule {
        AlertRule {
            id: String::new(),
            name: name.into(),
            condition,
            project: None,
            room_pattern: pattern.into(),
            enabled: true,
        }
    }

    #[test]
    fn rules_fire_once_per_event_and_persist() {
        let settings = std::sync::Arc::new(MemorySettings::default());
        let mut alerts = Alerts::load(&settings);
        alerts
            .save(
                &settings,
                rule("start", AlertCondition::RoomStarted, "synthetic-*"),
            )
            .unwrap();
        alerts
            .save(
                &settings,
                rule("big", AlertCondition::ParticipantsAbove { count: 3 }, ""),
            )
            .unwrap();
        alerts
            .save(
                &settings,
                rule("end", AlertCondition::RoomEnded, "synthetic-1"),
            )
            .unwrap();
        assert_eq!(Alerts::load(&settings).rules().len(), 3, "rules persist");

        let mut board = Board::default();
        let p = "p".to_owned();
        let d = board.apply(&p, vec![synthetic_room("p", 9, 5)]);
        assert!(
            alerts.on_diff(&p, &d, true, 0).is_empty(),
            "the first answer is a baseline"
        );
        let d = board.apply(
            &p,
            vec![synthetic_room("p", 9, 5), synthetic_room("p", 1, 1)],
        );
        let fired: Vec<_> = alerts
            .on_diff(&p, &d, false, 1)
            .into_iter()
            .map(|a| a.rule_name)
            .collect();
        assert_eq!(fired, ["start"]);
        let mut counts = Vec::new();
        for n in [2, 4, 5, 6, 3, 4] {
            let d = board.apply(
                &p,
                vec![synthetic_room("p", 9, 5), synthetic_room("p", 1, n)],
            );
            counts.push(alerts.on_diff(&p, &d, false, 2).len());
        }
        assert_eq!(
            counts,
            [0, 1, 0, 0, 0, 1],
            "fires when crossing above 3, re-arms below"
        );
        let d = board.apply(&p, vec![synthetic_room("p", 9, 5)]);
        let fired: Vec<_> = alerts
            .on_diff(&p, &d, false, 3)
            .into_iter()
            .map(|a| a.rule_name)
            .collect();
        assert_eq!(fired, ["end"]);
        assert_eq!(alerts.raised().len(), 4);
    }

    fn view(speaking: bool, quality: ConnectionQuality) -> RoomView {
        RoomView {
            project: "p".into(),
            room: "call".into(),
            room_sid: String::new(),
            session: 1,
            state: earshot_protocol::room_view::RoomViewState::Live,
            participants: vec![earshot_protocol::room_view::RoomViewParticipant {
                sid: "PA_1".into(),
                identity: "caller".into(),
                name: String::new(),
                kind: ParticipantKind::Standard,
                joined_at: 0,
                joined_at_ms: 0,
                speaking,
                level: 0.0,
                quality,
                tracks: Vec::new(),
                agent: None,
            }],
            at_ms: 0,
            limit_at_ms: None,
        }
    }

    #[test]
    fn duration_rules_fire_once_per_episode() {
        let settings = std::sync::Arc::new(MemorySettings::default());
        let mut alerts = Alerts::load(&settings);
        alerts
            .save(
                &settings,
                rule("quiet", AlertCondition::Silence { seconds: 5 }, ""),
            )
            .unwrap();
        alerts
            .save(
                &settings,
                rule("bad line", AlertCondition::QualityPoor { seconds: 3 }, ""),
            )
            .unwrap();
        let mut fired = Vec::new();
        // 8 s of silence on a poor line, then speech on a good line, then 6 s of silence.
        let script = (0..=8)
            .map(|s| (s, false, ConnectionQuality::Poor))
            .chain([(9, true, ConnectionQuality::Good)])
            .chain((10..=16).map(|s| (s, false, ConnectionQuality::Good)));
        for (second, speaking, quality) in script {
            for a in alerts.on_view(&view(speaking, quality), second * 1000) {
                fired.push((second, a.rule_name));
            }
        }
        assert_eq!(
            fired,
            [
                (4, "bad line".to_owned()),
                (6, "quiet".to_owned()),
                (16, "quiet".to_owned())
            ]
        );
    }

    #[test]
    fn same_named_rooms_in_two_projects_keep_their_own_episodes() {
        let settings = std::sync::Arc::new(MemorySettings::default());
        let mut alerts = Alerts::load(&settings);
        alerts
            .save(
                &settings,
                rule("quiet", AlertCondition::Silence { seconds: 5 }, ""),
            )
            .unwrap();
        let mut fired = Vec::new();
        // "call" in project p stays silent; "call" in project q talks every second, which
        // must not restart p's silence.
        for second in 0..=8 {
            let silent = view(false, ConnectionQuality::Good);
            let mut talking = view(true, ConnectionQuality::Good);
            talking.project = "q".into();
            for v in [silent, talking] {
                for a in alerts.on_view(&v, second * 1000) {
                    fired.push((second, a.project));
                }
            }
        }
        assert_eq!(fired, [(6, "p".to_owned())]);
    }
}
