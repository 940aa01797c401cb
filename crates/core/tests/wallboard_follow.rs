//! Live columns of the wallboard against the real server: following a room tells who speaks
//! (a Python participant sending a tone, not the silent one) and the connection quality;
//! unfollowing leaves the room; bad requests are refused and a missing room is reported,
//! never created. A room with an agent shows its state and the last line said.

mod common;

use earshot_core::protocol::wallboard::{Alert, WallEvent, WallLive, WallRoomRef, MAX_FOLLOWED};
use earshot_core::protocol::ErrorCode;
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, transcription, unique_room, Peer, PeerOptions};
use livekit_api::services::room::{CreateRoomOptions, RoomClient};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Recorder {
    live: Mutex<Vec<WallLive>>,
}

impl WallSink for Recorder {
    fn event(&self, event: &WallEvent) -> bool {
        if let WallEvent::Live(live) = event {
            self.live.lock().unwrap().push(live.clone());
        }
        true
    }
    fn notify(&self, _alert: &Alert) {}
}

impl Recorder {
    fn latest(&self, room: &str) -> Option<WallLive> {
        let live = self.live.lock().unwrap();
        live.iter().rev().find(|l| l.room == room).cloned()
    }

    async fn wait(&self, room: &str, what: &str, ok: impl Fn(&WallLive) -> bool) -> WallLive {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(live) = self.latest(room).filter(|l| ok(l)) {
                return live;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: last seen {:?}",
                self.latest(room)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn observers(client: &RoomClient, room: &str) -> usize {
    client
        .list_participants(room)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|p| p.identity.starts_with("earshot-observer:"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_rooms_show_speakers_and_quality_and_are_left_when_unfollowed() {
    // RUST_LOG=earshot_core::wallboard=trace shows the room connections' side.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let bed = livekit();
    let app = Arc::new(common::bed_app().await);
    let project = app.projects().list_projects().projects[0].id.clone();
    let recorder = Arc::new(Recorder::default());
    app.wallboard().attach(recorder.clone());
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let room = unique_room("follow");
    client
        .create_room(&room, CreateRoomOptions::default())
        .await
        .expect("room");
    let _talker = Peer::join(
        bed,
        &room,
        "talker",
        PeerOptions {
            tone_hz: Some(440.0),
            talk_ms: Some(1500),
            ..Default::default()
        },
    )
    .expect("talker");
    let _quiet = Peer::join(bed, &room, "quiet", PeerOptions::default()).expect("quiet");
    // Followed mid-call: the talker has been talking in turns for a while.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let started = Instant::now();
    app.wallboard()
        .follow(vec![WallRoomRef {
            project: project.clone(),
            room: room.clone(),
        }])
        .expect("follow");
    let live = recorder
        .wait(&room, "the talker is reported speaking", |l| {
            l.live && l.speaking.iter().any(|(id, _)| id == "talker")
        })
        .await;
    println!("follow → talker shown speaking: {:?}", started.elapsed());
    assert!(
        live.speaking.iter().all(|(id, _)| id != "quiet"),
        "the silent participant is not speaking: {live:?}"
    );
    // The talker's pause shows too.
    recorder
        .wait(&room, "the talker's pause is reported", |l| {
            l.live && l.speaking.is_empty()
        })
        .await;
    println!("follow → talker's pause shown: {:?}", started.elapsed());
    let live = recorder
        .wait(&room, "a connection quality is reported", |l| {
            l.worst_quality.is_some()
        })
        .await;
    println!(
        "follow → quality '{}' known: {:?}",
        live.worst_quality.map_or("", |q| q.label()),
        started.elapsed()
    );
    assert_eq!(observers(&client, &room).await, 1, "one hidden observer");
    assert_eq!(app.wallboard().followed().len(), 1);
    // The same set again changes nothing (no second connection).
    app.wallboard()
        .follow(vec![WallRoomRef {
            project: project.clone(),
            room: room.clone(),
        }])
        .expect("follow again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(observers(&client, &room).await, 1, "still one observer");

    // Unfollowed: the connection leaves.
    let left = Instant::now();
    app.wallboard().follow(Vec::new()).expect("unfollow");
    while observers(&client, &room).await > 0 {
        assert!(
            left.elapsed() < Duration::from_secs(6),
            "the observer stays after unfollowing"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("unfollow → observer gone: {:?}", left.elapsed());
    assert!(app.wallboard().followed().is_empty());

    // Too many rooms at once: refused, nothing started.
    let many: Vec<WallRoomRef> = (0..=MAX_FOLLOWED)
        .map(|n| WallRoomRef {
            project: project.clone(),
            room: format!("{room}-{n}"),
        })
        .collect();
    let err = app.wallboard().follow(many).expect_err("too many");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("rooms"));
    // An unknown project is refused.
    let err = app
        .wallboard()
        .follow(vec![WallRoomRef {
            project: "no-such-project".into(),
            room: room.clone(),
        }])
        .expect_err("unknown project");
    assert_eq!(err.code, ErrorCode::NotFound);
    // A room that ended is reported, and following it does not create it.
    let ghost = unique_room("ghost");
    app.wallboard()
        .follow(vec![WallRoomRef {
            project,
            room: ghost.clone(),
        }])
        .expect("follow ghost");
    let live = recorder
        .wait(&ghost, "the missing room is reported", |l| {
            l.error.is_some()
        })
        .await;
    assert!(
        live.error
            .as_deref()
            .unwrap_or_default()
            .contains("no active room"),
        "{live:?}"
    );
    let rooms = client.list_rooms(vec![ghost.clone()]).await.expect("list");
    assert!(rooms.is_empty(), "following must not create the room");
}

/// Runs a blocking peer call off the runtime's worker.
fn block<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_rows_show_the_agent_state_and_the_last_line_said() {
    use earshot_core::protocol::transcript::AgentState;
    use earshot_core::protocol::wallboard::LAST_LINE_CHARS;
    let bed = livekit();
    let app = Arc::new(common::bed_app().await);
    let project = app.projects().list_projects().projects[0].id.clone();
    let recorder = Arc::new(Recorder::default());
    app.wallboard().attach(recorder.clone());
    let room = unique_room("follow-agent");
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
    app.wallboard()
        .follow(vec![WallRoomRef {
            project,
            room: room.clone(),
        }])
        .expect("follow");
    recorder
        .wait(&room, "the room is followed, no agent", |l| {
            l.live && l.agent.is_none()
        })
        .await;
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
    let live = recorder
        .wait(&room, "the agent listens", |l| {
            l.agent
                .as_ref()
                .is_some_and(|a| a.status.state == AgentState::Listening)
        })
        .await;
    let agent_row = live.agent.expect("agent");
    assert_eq!(
        (agent_row.identity.as_str(), agent_row.name.as_str()),
        ("agent-1", "Helper Bot")
    );
    let listening_since = agent_row.status.since_ms;
    block(|| {
        agent.command(
            serde_json::json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}),
        )
    })
    .expect("state");
    let live = recorder
        .wait(&room, "the agent thinks", |l| {
            l.agent
                .as_ref()
                .is_some_and(|a| a.status.state == AgentState::Thinking)
        })
        .await;
    assert!(live.agent.expect("agent").status.since_ms >= listening_since);

    // The caller's interim line, then its final version, then the agent's long line (cut).
    let sent = Instant::now();
    block(|| agent.command(transcription(Some("caller"), "SG_1", false, "I want")))
        .expect("interim");
    let live = recorder
        .wait(&room, "the interim line", |l| {
            l.last_line.as_ref().is_some_and(|s| s.text == "I want")
        })
        .await;
    println!("line sent → on the row: {:?}", sent.elapsed());
    let said = live.last_line.expect("line");
    assert!(!said.is_final);
    assert_eq!(
        (said.speaker_identity.as_str(), said.speaker_name.as_str()),
        ("caller", "Caller Jane")
    );
    block(|| {
        agent.command(transcription(
            Some("caller"),
            "SG_1",
            true,
            "I want to cancel.",
        ))
    })
    .expect("final");
    recorder
        .wait(&room, "the final line replaces it", |l| {
            l.last_line
                .as_ref()
                .is_some_and(|s| s.is_final && s.text == "I want to cancel.")
        })
        .await;
    let long = "word ".repeat(LAST_LINE_CHARS);
    block(|| agent.command(transcription(None, "SG_2", true, &long))).expect("long");
    let live = recorder
        .wait(&room, "the agent's line", |l| {
            l.last_line
                .as_ref()
                .is_some_and(|s| s.speaker_identity == "agent-1")
        })
        .await;
    let said = live.last_line.expect("line");
    assert!(
        said.text.chars().count() <= LAST_LINE_CHARS && said.text.ends_with('…'),
        "cut to the row's length: {said:?}"
    );
    // Latency, line written to the peer → row event out of core, over 30 final lines (each
    // waits for the previous; includes the Python SDK's send and the server's relay).
    let mut took = Vec::new();
    for n in 0..30 {
        let text = format!("line number {n}");
        let sent = Instant::now();
        block(|| agent.command(transcription(None, &format!("SG_l{n}"), true, &text)))
            .expect("line");
        recorder
            .wait(&room, "the numbered line", |l| {
                l.last_line.as_ref().is_some_and(|s| s.text == text)
            })
            .await;
        took.push(sent.elapsed());
    }
    took.sort();
    println!(
        "transcript line → wallboard row event, 30 lines: p50 {:?}, p95 {:?}, max {:?}",
        took[14], took[28], took[29]
    );
    block(|| agent.command(transcription(None, "SG_2", true, &long))).expect("long again");
    recorder
        .wait(&room, "the long line again", |l| {
            l.last_line.as_ref().is_some_and(|s| s.text.ends_with('…'))
        })
        .await;
    // A view changing (the agent speaks now) keeps the last line on the row.
    block(|| {
        agent.command(
            serde_json::json!({"op": "attributes", "attributes": {"lk.agent.state": "speaking"}}),
        )
    })
    .expect("state");
    let live = recorder
        .wait(&room, "the agent speaks", |l| {
            l.agent
                .as_ref()
                .is_some_and(|a| a.status.state == AgentState::Speaking)
        })
        .await;
    assert_eq!(
        live.last_line.map(|s| s.speaker_identity).as_deref(),
        Some("agent-1")
    );
}
