//! The real-time room view against the real livekit-server with Python SDK participants:
//! joins, leaves, active speakers and mutes reach the view within a second, without polling,
//! and the view's hidden connection is never seen by the participants.

mod common;

use earshot_core::protocol::room_view::{RoomView, RoomViewState};
use earshot_core::protocol::ErrorCode;
use earshot_core::room_view::RoomViewSink;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Views(Mutex<Vec<(Instant, RoomView)>>, Mutex<Vec<f64>>);

impl RoomViewSink for Views {
    fn view(&self, view: &RoomView) -> bool {
        self.0.lock().unwrap().push((Instant::now(), view.clone()));
        self.1.lock().unwrap().push(unix_now());
        true
    }
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

impl Views {
    /// Seconds from `t` (Unix time of a peer's event) to the first view after it that
    /// satisfies `ok`.
    /// Unix time of the first view at or after `t` that satisfies `ok`.
    fn first_unix(&self, t: f64, ok: impl Fn(&RoomView) -> bool) -> Option<f64> {
        let views = self.0.lock().unwrap();
        let times = self.1.lock().unwrap();
        views
            .iter()
            .zip(times.iter())
            .find(|((_, v), at)| **at >= t && ok(v))
            .map(|(_, at)| *at)
    }

    fn lag_since(&self, t: f64, ok: impl Fn(&RoomView) -> bool) -> Option<Duration> {
        let views = self.0.lock().unwrap();
        let times = self.1.lock().unwrap();
        views
            .iter()
            .zip(times.iter())
            .find(|((_, v), at)| **at >= t && ok(v))
            .map(|(_, at)| Duration::from_secs_f64(at - t))
    }
}

impl Views {
    /// Waits until a view received after `since` satisfies `ok`; returns the delay.
    async fn until(&self, since: Instant, what: &str, ok: impl Fn(&RoomView) -> bool) -> Duration {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let hit = self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|(at, v)| *at >= since && ok(v))
                .map(|(at, _)| *at);
            if let Some(at) = hit {
                let took = at.duration_since(since);
                println!("room view: {what} after {took:?}");
                return took;
            }
            assert!(Instant::now() < deadline, "the view never showed: {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Waits up to 10 s for a view satisfying `ok` after the peer event at `t`; returns the lag.
async fn wait_lag(views: &Views, t: f64, what: &str, ok: impl Fn(&RoomView) -> bool) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(lag) = views.lag_since(t, &ok) {
            println!("room view: {what} after {lag:?}");
            return lag;
        }
        assert!(Instant::now() < deadline, "the view never showed: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn has(view: &RoomView, identity: &str) -> bool {
    view.participants.iter().any(|p| p.identity == identity)
}

fn speaking(view: &RoomView, identity: &str) -> bool {
    view.participants
        .iter()
        .any(|p| p.identity == identity && p.speaking)
}

fn block<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_view_follows_the_call_as_it_happens() {
    let bed = livekit();
    let app = common::bed_app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("view");
    let err = app
        .wallboard()
        .open_room_view(&handle, &room, Arc::new(Views::default()))
        .await
        .expect_err("no room yet");
    assert_eq!(err.code, ErrorCode::NotFound, "a view never creates a room");

    let mut alice = block(|| {
        Peer::join(
            bed,
            &room,
            "alice",
            PeerOptions {
                tone_hz: Some(440.0),
                ..Default::default()
            },
        )
    })
    .expect("alice");
    let views = Arc::new(Views::default());
    let first = app
        .wallboard()
        .open_room_view(&handle, &room, views.clone())
        .await
        .expect("view");
    assert_eq!(first.state, RoomViewState::Live);
    assert!(has(&first, "alice"), "{first:?}");

    let mut took = Vec::new();
    took.push(
        views
            .until(
                Instant::now() - Duration::from_secs(60),
                "alice speaking",
                |v| speaking(v, "alice"),
            )
            .await,
    );
    let carol = block(|| Peer::join(bed, &room, "carol", PeerOptions::default())).expect("carol");
    let t = carol
        .seen
        .iter()
        .find(|e| e["event"] == "connected")
        .and_then(|e| e["t"].as_f64())
        .expect("t");
    took.push(wait_lag(&views, t, "carol joined", |v| has(v, "carol")).await);
    // A new speaker: bob publishes a tone as soon as he is connected.
    let bob = block(|| {
        Peer::join(
            bed,
            &room,
            "bob",
            PeerOptions {
                tone_hz: Some(660.0),
                ..Default::default()
            },
        )
    })
    .expect("bob");
    let t = bob
        .seen
        .iter()
        .find(|e| e["event"] == "connected")
        .and_then(|e| e["t"].as_f64())
        .expect("t");
    let speaking_lag = wait_lag(&views, t, "bob speaking (from his connect)", |v| {
        speaking(v, "bob")
    })
    .await;
    let snapshot = views
        .0
        .lock()
        .unwrap()
        .last()
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(
        !speaking(&snapshot, "carol"),
        "a silent participant is not speaking"
    );
    println!(
        "qualities: {:?}",
        snapshot
            .participants
            .iter()
            .map(|p| (&p.identity, &p.quality))
            .collect::<Vec<_>>()
    );

    // A mute made by an admin reaches the view.
    let detail = earshot_core::admin::room_detail(&handle, &room)
        .await
        .expect("detail");
    let track = detail
        .participants
        .iter()
        .find(|p| p.identity == "alice")
        .unwrap()
        .tracks[0]
        .sid
        .clone();
    let muted_at = Instant::now();
    earshot_core::admin::mute_track(&handle, &room, "alice", &track, true)
        .await
        .expect("mute");
    took.push(
        views
            .until(muted_at, "alice muted", |v| {
                v.participants
                    .iter()
                    .any(|p| p.identity == "alice" && p.tracks.iter().any(|t| t.muted))
            })
            .await,
    );
    let left = block(move || carol.leave());
    let t = left
        .iter()
        .find(|e| e["event"] == "leaving")
        .and_then(|e| e["t"].as_f64())
        .expect("t");
    took.push(wait_lag(&views, t, "carol left", |v| !has(v, "carol")).await);
    let muted_at = Instant::now();
    let muted_bob = earshot_core::admin::room_detail(&handle, &room)
        .await
        .expect("detail");
    let bob_track = muted_bob
        .participants
        .iter()
        .find(|p| p.identity == "bob")
        .unwrap()
        .tracks[0]
        .sid
        .clone();
    earshot_core::admin::mute_track(&handle, &room, "bob", &bob_track, true)
        .await
        .expect("mute bob");
    let silent = views
        .until(muted_at, "bob stopped speaking after his mute", |v| {
            !speaking(v, "bob")
        })
        .await;
    println!("speaker changes: start {speaking_lag:?}, stop {silent:?}");
    drop(bob);
    // Compare with a participant in the call: the server announces a join once the
    // newcomer's media connection is up (after its SDK reports "connected"), and a leave once
    // it is gone; the view must not lag behind what alice sees by more than a second.
    let alice_saw: Vec<serde_json::Value> = alice.drain().to_vec();
    let seen: Vec<String> = alice_saw
        .iter()
        .map(|e| e.to_string())
        .filter(|e| e.contains("earshot-observer"))
        .collect();
    assert!(
        seen.is_empty(),
        "a participant saw the view's connection: {seen:?}"
    );
    let alice_at = |event: &str| {
        alice_saw
            .iter()
            .find(|e| e["event"] == event && e["identity"] == "carol")
            .and_then(|e| e["t"].as_f64())
            .expect("alice saw carol")
    };
    let view_join = views
        .first_unix(0.0, |v| has(v, "carol"))
        .expect("view saw carol");
    let join_gap = view_join - alice_at("participant_connected");
    let view_leave = views
        .first_unix(view_join, |v| !has(v, "carol"))
        .expect("view saw carol go");
    let leave_gap = view_leave - alice_at("participant_disconnected");
    println!("view vs a participant: join {join_gap:+.3} s, leave {leave_gap:+.3} s");
    assert!(
        join_gap <= 1.0 && leave_gap <= 1.0,
        "the view lags the call"
    );
    // took: [alice speaking (before the view opened: not timed), carol joined (from her
    // SDK's "connected"), alice muted (from the mute call), carol left (from her "leaving")].
    assert!(
        took[2] <= Duration::from_secs(1),
        "mute reflected within 1 s: {took:?}"
    );
    assert!(
        // Stopping is announced after the server's own smoothing (~0.8 s measured), so it
        // gets half a second more than starting.
        speaking_lag <= Duration::from_secs(1) && silent <= Duration::from_millis(1500),
        "speaker changes within 1 s: start {speaking_lag:?}, stop {silent:?}"
    );

    // Reopening the room replaces the view; the old view's late close (by its session)
    // leaves the new one open.
    let reopened = Arc::new(Views::default());
    let second = app
        .wallboard()
        .open_room_view(&handle, &room, reopened.clone())
        .await
        .expect("reopen");
    assert_ne!(second.session, first.session);
    assert_eq!(
        app.wallboard()
            .close_room_view(first.session)
            .expect_err("replaced")
            .code,
        ErrorCode::NotFound
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        reopened
            .0
            .lock()
            .unwrap()
            .iter()
            .all(|(_, v)| v.state == RoomViewState::Live),
        "the new view is still live"
    );

    // Closing the view leaves; the last view says so.
    app.wallboard()
        .close_room_view(second.session)
        .expect("stop");
    reopened
        .until(Instant::now() - Duration::from_secs(60), "ended", |v| {
            matches!(v.state, RoomViewState::Ended { .. })
        })
        .await;
    assert_eq!(
        app.wallboard()
            .close_room_view(second.session)
            .expect_err("closed")
            .code,
        ErrorCode::NotFound
    );

    // A view on a room that empties ends by itself.
    let views = Arc::new(Views::default());
    app.wallboard()
        .open_room_view(&handle, &room, views.clone())
        .await
        .expect("view again");
    let gone = Instant::now();
    block(move || alice.leave());
    let took = views
        .until(
            gone,
            "ended when empty",
            |v| matches!(&v.state, RoomViewState::Ended { reason } if reason.contains("left")),
        )
        .await;
    assert!(took <= Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_rule_fires_once_in_an_open_view() {
    use earshot_core::protocol::wallboard::{AlertCondition, AlertRule};
    let bed = livekit();
    let app = common::bed_app().await;
    let room = unique_room("hush");
    app.wallboard()
        .save_alert_rule(AlertRule {
            id: String::new(),
            name: "hush".into(),
            condition: AlertCondition::Silence { seconds: 2 },
            project: None,
            room_pattern: room.clone(),
            enabled: true,
        })
        .expect("rule");
    let _quiet = block(|| Peer::join(bed, &room, "quiet", PeerOptions::default())).expect("peer");
    let view = app
        .wallboard()
        .open_room_view(
            &app.projects().default_handle().await.expect("project"),
            &room,
            Arc::new(Views::default()),
        )
        .await
        .expect("view");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let fired = |app: &Earshot| {
        app.wallboard()
            .alerts()
            .iter()
            .filter(|a| a.room == room)
            .count()
    };
    assert_eq!(fired(&app), 1, "{:?}", app.wallboard().alerts());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fired(&app), 1, "still one alert for one silence");
    app.wallboard().close_room_view(view.session).expect("stop");
}
