//! Alert rules on agents and on what is said, against the real server: a Python SDK peer
//! plays the agent (state in `lk.agent.state`, lines as `lk.transcription` text streams) in a
//! room the wallboard follows. Each rule fires once per episode and names what happened;
//! a rule with bad words is refused with the field named.

mod common;

use earshot_core::protocol::wallboard::{Alert, AlertCondition, AlertRule, WallEvent, WallRoomRef};
use earshot_core::protocol::ErrorCode;
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, transcription, unique_room, Peer, PeerOptions};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Alerts(Mutex<Vec<Alert>>);

impl WallSink for Alerts {
    fn event(&self, event: &WallEvent) -> bool {
        if let WallEvent::Alert(alert) = event {
            self.0.lock().unwrap().push(alert.clone());
        }
        true
    }
    fn notify(&self, _alert: &Alert) {}
}

impl Alerts {
    fn of(&self, rule: &str) -> Vec<Alert> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter(|a| a.rule_name == rule)
            .cloned()
            .collect()
    }

    async fn wait(&self, rule: &str, n: usize) -> Vec<Alert> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let seen = self.of(rule);
            if seen.len() >= n {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "{rule}: {} alerts, wanted {n}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn block<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

fn rule(name: &str, condition: AlertCondition, room: &str) -> AlertRule {
    AlertRule {
        id: String::new(),
        name: name.into(),
        condition,
        project: None,
        room_pattern: room.into(),
        enabled: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_and_transcript_rules_fire_once_and_name_the_line() {
    let bed = livekit();
    let app = Arc::new(common::bed_app().await);
    let project = app.projects().list_projects().projects[0].id.clone();
    let wall = app.wallboard();
    let room = unique_room("said");

    // Bad words are refused with the field named; nothing is saved.
    for words in ["", "*", "help?"] {
        let err = wall
            .save_alert_rule(rule(
                "bad",
                AlertCondition::LineSaid {
                    words: words.into(),
                },
                &room,
            ))
            .expect_err(words);
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert_eq!(err.field.as_deref(), Some("words"), "{words:?}: {err:?}");
    }
    assert!(wall.alert_rules().is_empty());
    wall.save_alert_rule(rule(
        "escalate",
        AlertCondition::LineSaid {
            words: "cancel*, speak to a supervisor".into(),
        },
        &room,
    ))
    .expect("line rule");
    wall.save_alert_rule(rule(
        "slow agent",
        AlertCondition::AgentThinking { seconds: 2 },
        &room,
    ))
    .expect("thinking rule");
    wall.save_alert_rule(rule(
        "dead air",
        AlertCondition::AgentSilence { seconds: 3 },
        &room,
    ))
    .expect("silence rule");
    let alerts = Arc::new(Alerts::default());
    wall.attach(alerts.clone());

    let _caller = block(|| {
        Peer::join(
            bed,
            &room,
            "caller",
            PeerOptions {
                name: Some("Caller Jane".into()),
                ..Default::default()
            },
        )
    })
    .expect("caller");
    wall.follow(vec![WallRoomRef {
        project,
        room: room.clone(),
    }])
    .expect("follow");
    // No agent yet: silence is not the agent rule's business.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(alerts.of("dead air").is_empty(), "no agent, no dead air");

    let mut agent = block(|| {
        Peer::join(
            bed,
            &room,
            "agent-1",
            PeerOptions {
                name: Some("Helper Bot".into()),
                agent: true,
                commands: true,
                attributes: vec![("lk.agent.state".into(), "listening".into())],
                ..Default::default()
            },
        )
    })
    .expect("agent");
    // Nobody speaks (no audio is published) with an agent in the room.
    let joined = Instant::now();
    let dead = alerts.wait("dead air", 1).await;
    println!("agent joined → dead air alert: {:?}", joined.elapsed());
    assert!(dead[0].text.contains(&room), "{}", dead[0].text);

    let thinking = Instant::now();
    block(|| {
        agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}))
    })
    .expect("thinking");
    let slow = alerts.wait("slow agent", 1).await;
    let took = thinking.elapsed();
    println!("thinking → alert: {took:?}");
    assert!(took >= Duration::from_secs(2), "fired before 2 s: {took:?}");
    assert!(slow[0].text.contains("Helper Bot"), "{}", slow[0].text);

    // Interim lines never fire; the final line does, once, quoting it.
    block(|| {
        agent.command(transcription(
            Some("caller"),
            "SG_1",
            false,
            "I want to cancel",
        ))
    })
    .expect("interim");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(alerts.of("escalate").is_empty(), "an interim line fired");
    let sent = Instant::now();
    block(|| {
        agent.command(transcription(
            Some("caller"),
            "SG_1",
            true,
            "I want to cancel my order.",
        ))
    })
    .expect("final");
    let said = alerts.wait("escalate", 1).await;
    println!("final line sent → alert: {:?}", sent.elapsed());
    assert_eq!(
        said[0].text,
        format!("Caller Jane said “I want to cancel my order.” in {room} (matched “cancel*”).")
    );
    // The same final line again, and a line saying nothing watched: no new alert. A new
    // line with the phrase: one more.
    block(|| {
        agent.command(transcription(
            Some("caller"),
            "SG_1",
            true,
            "I want to cancel my order.",
        ))
    })
    .expect("again");
    block(|| agent.command(transcription(None, "SG_2", true, "Sure, let me check.")))
        .expect("agent line");
    block(|| {
        agent.command(transcription(
            Some("caller"),
            "SG_3",
            true,
            "Let me SPEAK to a supervisor!",
        ))
    })
    .expect("supervisor");
    let said = alerts.wait("escalate", 2).await;
    assert!(
        said[1].text.contains("(matched “speak to a supervisor”)"),
        "{}",
        said[1].text
    );
    // Time passes, the agent keeps thinking, nobody speaks: each episode fired once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(alerts.of("escalate").len(), 2);
    assert_eq!(alerts.of("slow agent").len(), 1);
    assert_eq!(alerts.of("dead air").len(), 1);
    // A new thinking episode fires again.
    block(|| {
        agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "listening"}}))
    })
    .expect("listening");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    block(|| {
        agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}))
    })
    .expect("thinking again");
    alerts.wait("slow agent", 2).await;
}
