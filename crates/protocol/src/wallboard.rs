//! The wallboard: active rooms across projects as the backend's pollers see them, each
//! project's polling health, and alert rules with the alerts they raised.

use crate::error::{AppError, ErrorCode};
use crate::projects::ProjectId;
use crate::rooms::{ConnectionQuality, RoomSummary};
use crate::transcript::{AgentStatus, SaidWords, TranscriptLine};
use serde::{Deserialize, Serialize};

/// One active room on the wallboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallRoom {
    pub project: ProjectId,
    /// The room as ListRooms reported it, its metadata cut to [`METADATA_PREVIEW_CHARS`]
    /// (the wallboard shows a preview; full metadata of every room would cost every delta).
    pub room: RoomSummary,
    /// Hidden participants (listeners) when known; looked up for rooms that changed.
    pub listeners: Option<u32>,
}

/// How much of a room's metadata the wallboard carries (characters).
pub const METADATA_PREVIEW_CHARS: usize = 60;

/// How a project's polling goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollState {
    /// Not asked yet.
    Starting,
    /// The last request succeeded.
    Ok,
    /// The last request failed; the next one waits longer (backoff).
    Failing,
    /// The server refused the key (401): polling stops until the project is edited or the
    /// user retries, as repeating a refused key is pointless.
    Stopped,
}

/// A project's polling health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectHealth {
    pub project: ProjectId,
    pub name: String,
    pub state: PollState,
    /// Round-trip time of the last successful ListRooms.
    pub rtt_ms: Option<u32>,
    pub last_error: Option<AppError>,
    /// Unix time in milliseconds of the last successful answer.
    pub last_ok_ms: Option<i64>,
    /// The wait before the next request.
    pub next_in_ms: u32,
    /// Requests sent since polling started (each ListRooms and each participant lookup).
    pub requests: u64,
    /// Consecutive failures.
    pub failures: u32,
}

/// What changed in one project since its previous answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallDelta {
    pub project: ProjectId,
    /// Rooms that appeared or changed.
    pub upserts: Vec<WallRoom>,
    /// Sids of rooms that ended.
    pub removed: Vec<String>,
    pub health: ProjectHealth,
    /// Unix time in milliseconds.
    pub at_ms: i64,
}

/// Everything the wallboard shows when it opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallSnapshot {
    pub rooms: Vec<WallRoom>,
    pub health: Vec<ProjectHealth>,
    /// The projects watched; `None` means all.
    pub watched: Option<Vec<ProjectId>>,
}

/// What an alert rule watches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertCondition {
    /// A room matching the pattern starts.
    RoomStarted,
    /// A room matching the pattern ends.
    RoomEnded,
    /// A room's participant count rises above `count`.
    ParticipantsAbove { count: u32 },
    /// A participant whose attribute `key` equals `value` (any value when empty) joins.
    AttributeJoined { key: String, value: String },
    /// A participant's connection quality stays poor (or lost) for more than `seconds`.
    /// Watched in rooms whose real-time view is open or whose wallboard row is in view.
    QualityPoor { seconds: u32 },
    /// Nobody in the room speaks for more than `seconds` while someone is in it. Watched in
    /// rooms whose real-time view is open or whose wallboard row is in view.
    Silence { seconds: u32 },
    /// An agent stays in `thinking` for more than `seconds`. Watched like [`Self::Silence`].
    AgentThinking { seconds: u32 },
    /// Nobody speaks for more than `seconds` while an agent is in the room. Watched like
    /// [`Self::Silence`].
    AgentSilence { seconds: u32 },
    /// A final transcript line says one of `words` (see [`SaidWords`]): fires once per line.
    /// Watched like [`Self::Silence`].
    LineSaid { words: String },
}

/// A user-defined alert rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Empty when creating; assigned by the backend.
    pub id: String,
    pub name: String,
    pub condition: AlertCondition,
    /// Limit to one project; all projects when `None`.
    pub project: Option<ProjectId>,
    /// Room name pattern: `*` matches any run of characters; empty matches every room.
    pub room_pattern: String,
    pub enabled: bool,
}

/// One raised alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub rule_id: String,
    pub rule_name: String,
    pub project: ProjectId,
    pub room: String,
    /// What happened, one sentence.
    pub text: String,
    /// Unix time in milliseconds.
    pub at_ms: i64,
}

/// Rooms followed live at once: the wallboard follows the rows in view, and each costs a
/// hidden connection that receives the room's audio packets (and drops them).
pub const MAX_FOLLOWED: usize = 16;

/// A room on the wallboard, by project and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WallRoomRef {
    pub project: ProjectId,
    pub room: String,
}

/// Live details of a followed room, from its hidden room-view connection. Polling cannot
/// tell these: the server reports speakers and quality only over a room connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallLive {
    pub project: ProjectId,
    pub room: String,
    /// The connection is up (otherwise the details below are stale or empty).
    pub live: bool,
    /// Who is speaking now, loudest first: (identity, display name).
    pub speaking: Vec<(String, String)>,
    /// The worst connection quality among the participants, `None` before the server
    /// reported any.
    pub worst_quality: Option<ConnectionQuality>,
    /// Participants whose quality is poor or lost.
    pub poor: Vec<String>,
    /// Why following failed or ended, when it did.
    pub error: Option<String>,
    /// The room's agent (a participant publishing `lk.agent.state`), `None` when none does.
    #[serde(default)]
    pub agent: Option<WallAgent>,
    /// The last transcript line said in the room since it was followed.
    #[serde(default)]
    pub last_line: Option<WallLine>,
}

/// The agent of a followed room and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallAgent {
    pub identity: String,
    /// The display name, the identity when it has none.
    pub name: String,
    pub status: AgentStatus,
}

/// The last line said in a followed room, cut to [`LAST_LINE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallLine {
    pub speaker_identity: String,
    /// The display name, the identity when it has none.
    pub speaker_name: String,
    /// The text, ending in `…` when it was cut.
    pub text: String,
    /// Interim lines are replaced by their final version.
    pub is_final: bool,
    /// Unix time in milliseconds of this version of the line.
    pub at_ms: i64,
}

/// How much of the last line a wallboard row carries (characters): a row shows one line,
/// and every interim version of a long line would otherwise cost its whole text.
pub const LAST_LINE_CHARS: usize = 120;

impl WallLine {
    /// The row's version of a transcript line.
    pub fn from_line(line: &TranscriptLine) -> Self {
        let text = line.text.trim();
        let text = if text.chars().count() > LAST_LINE_CHARS {
            let cut: String = text.chars().take(LAST_LINE_CHARS - 1).collect();
            format!("{}…", cut.trim_end())
        } else {
            text.to_owned()
        };
        Self {
            speaker_identity: line.speaker_identity.clone(),
            speaker_name: if line.speaker_name.is_empty() {
                line.speaker_identity.clone()
            } else {
                line.speaker_name.clone()
            },
            text,
            is_final: line.is_final,
            at_ms: line.at_ms,
        }
    }
}

/// Messages on the wallboard's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WallEvent {
    Delta(WallDelta),
    Alert(Alert),
    Live(WallLive),
    /// A project left the wallboard (removed, or no longer watched): its rooms, health and
    /// history go. No delta of it follows.
    Gone {
        project: ProjectId,
    },
}

/// Whether `name` matches `pattern` (`*` = any run of characters, case-sensitive).
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Checks a rule before it is saved; errors name the field.
pub fn alert_rule(rule: &AlertRule) -> Vec<AppError> {
    let mut errors = Vec::new();
    let invalid = |field: &str, msg: &str| AppError::field(ErrorCode::InvalidInput, field, msg);
    if rule.name.trim().is_empty() {
        errors.push(invalid("name", "Give the rule a name."));
    } else if rule.name.chars().count() > 80 {
        errors.push(invalid("name", "The name must be at most 80 characters."));
    }
    if rule.room_pattern.chars().count() > 128 || rule.room_pattern.chars().any(char::is_control) {
        errors.push(invalid(
            "room_pattern",
            "The room pattern must be at most 128 characters, without control characters.",
        ));
    }
    match &rule.condition {
        AlertCondition::ParticipantsAbove { count } if *count == 0 || *count > 100_000 => {
            errors.push(invalid("count", "The participant count must be 1–100000."));
        }
        AlertCondition::QualityPoor { seconds }
        | AlertCondition::Silence { seconds }
        | AlertCondition::AgentThinking { seconds }
        | AlertCondition::AgentSilence { seconds }
            if *seconds == 0 || *seconds > 86_400 =>
        {
            errors.push(invalid("seconds", "The duration must be 1–86400 seconds."));
        }
        AlertCondition::AttributeJoined { key, .. } if key.trim().is_empty() => {
            errors.push(invalid("key", "Enter the attribute to watch for."));
        }
        AlertCondition::LineSaid { words } => {
            if let Err(why) = SaidWords::parse(words) {
                errors.push(invalid("words", &why));
            }
        }
        _ => {}
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Internally tagged: a variant that serde cannot tag (a bare string) would fail only
    /// when sent, so the window would never hear of it.
    #[test]
    fn a_gone_project_travels() {
        let gone = WallEvent::Gone {
            project: "p1".into(),
        };
        let json = serde_json::to_string(&gone).expect("serializes");
        assert_eq!(json, r#"{"event":"gone","project":"p1"}"#);
        assert_eq!(
            serde_json::from_str::<WallEvent>(&json).expect("reads"),
            gone
        );
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("", "anything"));
        assert!(pattern_matches("support-*", "support-42"));
        assert!(!pattern_matches("support-*", "sales-1"));
        assert!(pattern_matches("*-vip-*", "call-vip-7"));
        assert!(pattern_matches("a*c", "abc") && !pattern_matches("a*c", "ab"));
        assert!(pattern_matches("exact", "exact") && !pattern_matches("exact", "exact2"));
        assert!(
            !pattern_matches("ab*ba", "aba"),
            "prefix and suffix must not overlap"
        );
    }

    #[test]
    fn a_long_last_line_is_cut_on_a_character() {
        let line = TranscriptLine {
            segment_id: "s".into(),
            speaker_identity: "caller".into(),
            speaker_name: String::new(),
            speaker_kind: None,
            track_id: String::new(),
            text: "é".repeat(LAST_LINE_CHARS + 5),
            is_final: true,
            first_ms: 0,
            at_ms: 1,
        };
        let row = WallLine::from_line(&line);
        assert_eq!(row.text.chars().count(), LAST_LINE_CHARS);
        assert!(row.text.ends_with('…'));
        assert_eq!(row.speaker_name, "caller");
        let short = WallLine::from_line(&TranscriptLine {
            text: " hello ".into(),
            ..line
        });
        assert_eq!(short.text, "hello");
    }

    #[test]
    fn rules_are_checked() {
        let rule = AlertRule {
            id: String::new(),
            name: " ".into(),
            condition: AlertCondition::ParticipantsAbove { count: 0 },
            project: None,
            room_pattern: String::new(),
            enabled: true,
        };
        let fields: Vec<_> = alert_rule(&rule)
            .into_iter()
            .filter_map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "count"]);
    }
}
