//! Live transcripts and agent state through a room view's hidden connection, against the
//! real livekit-server: a Python SDK peer plays an agent on the wire as livekit-agents does
//! (kind `agent`, `lk.agent.state`, `lk.transcription` text streams for its own speech and,
//! with `sender_identity`, for the caller's), another plays the caller.

mod common;

use earshot_core::protocol::room_view::RoomView;
use earshot_core::protocol::rooms::ParticipantKind;
use earshot_core::protocol::transcript::{AgentState, TranscriptDrops, TranscriptLine};
use earshot_core::room_view::RoomViewSink;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Everything the view sent, with the Unix time (s) it arrived.
#[derive(Default)]
struct Seen {
    views: Mutex<Vec<(f64, RoomView)>>,
    lines: Mutex<Vec<(f64, TranscriptLine, TranscriptDrops)>>,
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl RoomViewSink for Seen {
    fn view(&self, view: &RoomView) -> bool {
        self.views.lock().unwrap().push((unix_now(), view.clone()));
        true
    }

    fn transcript(&self, _session: u64, line: &TranscriptLine, drops: TranscriptDrops) -> bool {
        self.lines
            .lock()
            .unwrap()
            .push((unix_now(), line.clone(), drops));
        true
    }
}

impl Seen {
    /// Waits up to 10 s for a line satisfying `ok`; returns it and when it came.
    async fn line(
        &self,
        what: &str,
        ok: impl Fn(&TranscriptLine) -> bool,
    ) -> (f64, TranscriptLine) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let hit = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|(_, l, _)| ok(l))
                .map(|(t, l, _)| (*t, l.clone()));
            if let Some(hit) = hit {
                return hit;
            }
            assert!(
                Instant::now() < deadline,
                "no transcript line: {what}; lines: {:#?}",
                self.lines.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits up to 10 s for the agent's state to read `state`; returns since when.
    async fn agent_state(&self, identity: &str, state: AgentState) -> i64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.views.lock().unwrap().iter().rev().find_map(|(_, v)| {
                v.participants
                    .iter()
                    .find(|p| p.identity == identity)
                    .and_then(|p| p.agent)
                    .filter(|a| a.state == state)
            });
            if let Some(status) = found {
                return status.since_ms;
            }
            assert!(
                Instant::now() < deadline,
                "the agent state never read {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn last_drops(&self) -> TranscriptDrops {
        self.lines
            .lock()
            .unwrap()
            .last()
            .map(|(_, _, d)| *d)
            .unwrap_or_default()
    }
}

fn stream(
    sender: Option<&str>,
    segment: &str,
    is_final: bool,
    chunks: &[&str],
) -> serde_json::Value {
    json!({
        "op": "stream",
        "sender": sender,
        "attributes": {
            "lk.segment_id": segment,
            "lk.transcribed_track_id": "TR_caller_mic",
            "lk.transcription_final": if is_final { "true" } else { "false" },
        },
        "chunks": chunks,
    })
}

/// About `len` bytes of words that barely compress (a fixed pseudo-random sequence).
fn varied_text(len: usize) -> String {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::new();
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let word: String = (0..3 + x % 6)
            .map(|i| (b'a' + ((x >> (i * 5)) % 26) as u8) as char)
            .collect();
        out.push_str(&word);
        out.push(' ');
    }
    out
}

fn block<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_view_follows_an_agents_transcript_and_state() {
    // RUST_LOG=earshot_core::transcript=debug shows how each stream came (compressed, inline).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let bed = livekit();
    let app = common::bed_app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("transcript");
    let mut caller = block(|| {
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
    let seen = Arc::new(Seen::default());
    let first = app
        .wallboard()
        .open_room_view(&handle, &room, seen.clone())
        .await
        .expect("view");
    assert!(
        first.participants.iter().all(|p| p.agent.is_none()),
        "no agent yet: no agent state"
    );

    let mut agent = block(|| {
        Peer::join(
            bed,
            &room,
            "agent-1",
            PeerOptions {
                name: Some("Helper Bot".into()),
                agent: true,
                commands: true,
                attributes: vec![("lk.agent.state".into(), "initializing".into())],
                ..Default::default()
            },
        )
    })
    .expect("agent");
    let started = seen.agent_state("agent-1", AgentState::Initializing).await;
    {
        let views = seen.views.lock().unwrap();
        let (_, last) = views.last().expect("a view");
        let bot = last.participants.iter().find(|p| p.identity == "agent-1");
        assert_eq!(
            bot.map(|p| p.kind),
            Some(ParticipantKind::Agent),
            "joined as an agent"
        );
    }

    // The agent's states, each with its own start.
    let mut since = started;
    for state in [
        AgentState::Listening,
        AgentState::Thinking,
        AgentState::Speaking,
    ] {
        block(|| {
            agent.command(
                json!({"op": "attributes", "attributes": {"lk.agent.state": state.label()}}),
            )
        })
        .expect("state");
        let next = seen.agent_state("agent-1", state).await;
        assert!(next >= since, "{state:?} began at {next}, before {since}");
        since = next;
    }

    // A topic that is not a transcript is counted and skipped.
    block(|| agent.command(json!({"op": "send_text", "text": "hi", "topic": "lk.chat"})))
        .expect("chat");

    // The caller's speech, sent by the agent on the caller's behalf: an interim version,
    // then the final one of the same segment (each its own stream, as livekit-agents does).
    let sent = block(|| {
        agent.command(stream(
            Some("caller"),
            "SG_c1",
            false,
            &["I want to", " cancel"],
        ))
    })
    .expect("caller interim");
    let (at, interim) = seen
        .line("caller interim", |l| {
            l.segment_id == "SG_c1" && l.text == "I want to cancel"
        })
        .await;
    println!(
        "transcript: caller interim shown {:.0} ms after sent",
        (at - sent) * 1000.0
    );
    assert!(!interim.is_final);
    assert_eq!(
        interim.speaker_identity, "caller",
        "attributed to the caller, not the agent"
    );
    assert_eq!(interim.speaker_name, "Caller Jane");
    assert_eq!(interim.speaker_kind, Some(ParticipantKind::Standard));
    assert_eq!(interim.track_id, "TR_caller_mic");
    block(|| {
        agent.command(stream(
            Some("caller"),
            "SG_c1",
            true,
            &["I want to cancel my order."],
        ))
    })
    .expect("caller final");
    let (_, fin) = seen
        .line("caller final", |l| l.segment_id == "SG_c1" && l.is_final)
        .await;
    assert_eq!(fin.text, "I want to cancel my order.");
    assert_eq!(
        fin.first_ms, interim.first_ms,
        "the final replaces the interim line"
    );
    assert!(
        seen.last_drops().unknown_topic >= 1,
        "{:?}",
        seen.last_drops()
    );

    // The agent's own speech: one stream written as it speaks, made final by its trailer.
    let mut cmd = stream(
        None,
        "SG_a1",
        false,
        &["Sure, ", "I can ", "help with that."],
    );
    cmd["pause_ms"] = 100.into();
    cmd["trailer"] = json!({"lk.transcription_final": "true"});
    block(|| agent.command(cmd)).expect("agent speech");
    let (_, partial) = seen
        .line("agent partial", |l| l.segment_id == "SG_a1")
        .await;
    assert!(!partial.is_final && !partial.text.is_empty(), "{partial:?}");
    let (_, said) = seen
        .line("agent final", |l| l.segment_id == "SG_a1" && l.is_final)
        .await;
    assert_eq!(said.text, "Sure, I can help with that.");
    assert_eq!(said.speaker_identity, "agent-1");
    assert_eq!(said.speaker_name, "Helper Bot");
    assert_eq!(said.speaker_kind, Some(ParticipantKind::Agent));

    // send_text with the SDK's defaults (compress=True): short (inline), long and repetitive
    // (compressed, inline), long and varied (compressed, in chunks).
    let long = "Your order number is 4711 and it will be cancelled today. ".repeat(400);
    let varied = varied_text(40_000);
    for (segment, text) in [
        ("SG_a2", "One moment."),
        ("SG_a3", long.as_str()),
        ("SG_a4", varied.as_str()),
    ] {
        let cmd = json!({"op": "send_text", "text": text, "attributes": {
            "lk.segment_id": segment, "lk.transcription_final": "true"}});
        block(|| agent.command(cmd)).expect("send_text");
        let (_, line) = seen
            .line(segment, |l| l.segment_id == segment && l.is_final)
            .await;
        assert_eq!(line.text, text, "{segment} arrives whole");
    }

    // In order of first sight, nothing lost, nothing malformed but the chat message.
    let order: Vec<String> = {
        let lines = seen.lines.lock().unwrap();
        let mut ids: Vec<String> = Vec::new();
        for (_, l, _) in lines.iter() {
            if !ids.contains(&l.segment_id) {
                ids.push(l.segment_id.clone());
            }
        }
        ids
    };
    assert_eq!(order, ["SG_c1", "SG_a1", "SG_a2", "SG_a3", "SG_a4"]);
    let drops = seen.last_drops();
    assert_eq!(drops.total(), drops.unknown_topic, "{drops:?}");

    // The view stayed hidden from both participants throughout.
    let agent_seen = block(|| agent.drain().to_vec());
    let caller_seen = block(|| caller.drain().to_vec());
    for event in agent_seen.iter().chain(caller_seen.iter()) {
        let text = event.to_string();
        assert!(
            !text.contains("earshot-observer"),
            "a participant saw the view: {text}"
        );
    }
    assert!(
        caller_seen
            .iter()
            .any(|e| e["event"] == "participant_connected" && e["identity"] == "agent-1"),
        "the caller sees who joins (so it would have seen the view): {caller_seen:?}"
    );
}
