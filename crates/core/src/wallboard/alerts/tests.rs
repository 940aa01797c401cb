//! Alert rules' unit tests: edge-triggered rules on poller diffs, duration rules on views.

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

fn with_agent(view: &mut RoomView, state: Option<(earshot_protocol::transcript::AgentState, i64)>) {
    let mut bot = view.participants[0].clone();
    bot.identity = "bot".into();
    bot.name = "Helper".into();
    bot.kind = ParticipantKind::Agent;
    bot.speaking = false;
    bot.agent = state
        .map(|(state, since_ms)| earshot_protocol::transcript::AgentStatus { state, since_ms });
    view.participants.push(bot);
}

#[test]
fn agent_rules_fire_once_per_episode() {
    use earshot_protocol::transcript::AgentState::{Listening, Thinking};
    let settings = std::sync::Arc::new(MemorySettings::default());
    let mut alerts = Alerts::load(&settings);
    alerts
        .save(
            &settings,
            rule("slow", AlertCondition::AgentThinking { seconds: 3 }, ""),
        )
        .unwrap();
    alerts
        .save(
            &settings,
            rule("stuck", AlertCondition::AgentSilence { seconds: 5 }, ""),
        )
        .unwrap();
    let mut fired = Vec::new();
    // Thinking from 0 s to 6 s; listening at 7 s; thinking again from 8 s (a new episode
    // even though no tick saw it stop); the caller speaks at 10 s.
    for second in 0..=13i64 {
        let state = match second {
            0..=6 => (Thinking, 0),
            7 => (Listening, 7000),
            _ => (Thinking, 8000),
        };
        let mut v = view(second == 10, ConnectionQuality::Good);
        with_agent(&mut v, Some(state));
        for a in alerts.on_view(&v, second * 1000) {
            assert!(
                a.text.contains("Helper") || a.rule_name == "stuck",
                "{}",
                a.text
            );
            fired.push((second, a.rule_name));
        }
    }
    assert_eq!(
        fired,
        [
            (4, "slow".to_owned()),
            (6, "stuck".to_owned()),
            (12, "slow".to_owned())
        ]
    );
    // Silence without an agent is not the agent rule's business.
    let mut fired = 0;
    for second in 20..=40 {
        fired += alerts
            .on_view(&view(false, ConnectionQuality::Good), second * 1000)
            .iter()
            .filter(|a| a.rule_name == "stuck")
            .count();
    }
    assert_eq!(fired, 0);
}

#[test]
fn a_line_said_fires_once_per_line_and_names_it() {
    use earshot_protocol::transcript::TranscriptLine;
    let settings = std::sync::Arc::new(MemorySettings::default());
    let mut alerts = Alerts::load(&settings);
    alerts
        .save(
            &settings,
            rule(
                "escalate",
                AlertCondition::LineSaid {
                    words: "cancel*, supervisor".into(),
                },
                "call",
            ),
        )
        .unwrap();
    let line = |segment: &str, text: &str, is_final: bool| TranscriptLine {
        segment_id: segment.into(),
        speaker_identity: "caller".into(),
        speaker_name: "Caller Jane".into(),
        speaker_kind: None,
        track_id: String::new(),
        text: text.into(),
        is_final,
        first_ms: 0,
        at_ms: 0,
    };
    let p = "p".to_owned();
    assert!(
        alerts
            .on_line(&p, "call", &line("s1", "I want to cancel", false), 1)
            .is_empty(),
        "interim lines do not fire"
    );
    let fired = alerts.on_line(&p, "call", &line("s1", "I want to cancel it.", true), 2);
    assert_eq!(fired.len(), 1);
    assert_eq!(
        fired[0].text,
        "Caller Jane said “I want to cancel it.” in call (matched “cancel*”)."
    );
    // The same line again (a second connection, or sent again): no second alert.
    assert!(alerts
        .on_line(&p, "call", &line("s1", "I want to cancel it.", true), 3)
        .is_empty());
    assert!(alerts
        .on_line(&p, "call", &line("s2", "All good, thanks.", true), 4)
        .is_empty());
    assert_eq!(
        alerts
            .on_line(&p, "call", &line("s3", "Get me a SUPERVISOR!", true), 5)
            .len(),
        1
    );
    assert!(
        alerts
            .on_line(&p, "other", &line("s4", "supervisor", true), 6)
            .is_empty(),
        "the room pattern applies"
    );
}
