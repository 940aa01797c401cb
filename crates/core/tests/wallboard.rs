//! The wallboard against the real livekit-server with Python SDK participants: rooms
//! starting, people joining (one with an attribute), a hidden listener counted, people
//! leaving and the room ending — each reflected within one refresh, each alert rule firing
//! exactly once per event.

mod common;

use earshot_core::protocol::admin::RoomOptions;
use earshot_core::protocol::listen::RoomKey;
use earshot_core::protocol::wallboard::{
    Alert, AlertCondition, AlertRule, PollState, WallEvent, WallRoom,
};
use earshot_core::protocol::ErrorCode;
use earshot_core::wallboard::WallSink;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<(Instant, WallEvent)>>,
    notified: Mutex<Vec<Alert>>,
}

impl WallSink for Recorder {
    fn event(&self, event: &WallEvent) -> bool {
        self.events
            .lock()
            .unwrap()
            .push((Instant::now(), event.clone()));
        true
    }
    fn notify(&self, alert: &Alert) {
        self.notified.lock().unwrap().push(alert.clone());
    }
}

impl Recorder {
    /// The room as the latest delta after `since` shows it (`Some(None)`: removed).
    /// The room as the latest delta shows it (`Some(None)`: removed; `None`: never seen).
    /// Each check below waits for a state the previous step did not have, so the latest state
    /// is what counts, even when its delta landed while the action was still returning.
    fn room_now(&self, name: &str) -> Option<Option<WallRoom>> {
        let events = self.events.lock().unwrap();
        let mut state = None;
        let mut sid = None;
        for (_, event) in events.iter() {
            let WallEvent::Delta(d) = event else { continue };
            for r in &d.upserts {
                if r.room.name == name {
                    sid = Some(r.room.sid.clone());
                    state = Some(Some(r.clone()));
                }
            }
            if sid.as_ref().is_some_and(|s| d.removed.contains(s)) {
                state = Some(None);
            }
        }
        state
    }

    fn alerts(&self) -> Vec<Alert> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(_, e)| match e {
                WallEvent::Alert(a) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }
}

async fn app() -> Arc<Earshot> {
    let _bed = livekit();
    let app = common::bed_app().await;
    Arc::new(app)
}

/// Waits until the wallboard shows `name` as `ok` accepts it; returns how long that took.
/// A room view nobody looks at.
struct NoView;

impl earshot_core::room_view::RoomViewSink for NoView {
    fn view(&self, _view: &earshot_core::protocol::room_view::RoomView) -> bool {
        true
    }
}

async fn reflected(
    rec: &Recorder,
    name: &str,
    ok: impl Fn(&Option<WallRoom>) -> bool,
    what: &str,
) -> Duration {
    let since = Instant::now();
    let deadline = since + Duration::from_secs(15);
    loop {
        if let Some(state) = rec.room_now(name) {
            if ok(&state) {
                let took = since.elapsed();
                println!("wallboard reflected '{what}' after {took:?}");
                return took;
            }
        }
        assert!(Instant::now() < deadline, "wallboard never showed '{what}'");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallboard_follows_rooms_and_alerts_fire_once() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("wb");
    let pattern = format!("{room}*");
    for r in [
        rule("started", AlertCondition::RoomStarted, &pattern),
        rule(
            "crowded",
            AlertCondition::ParticipantsAbove { count: 1 },
            &pattern,
        ),
        rule(
            "vip",
            AlertCondition::AttributeJoined {
                key: "tier".into(),
                value: "vip".into(),
            },
            &pattern,
        ),
        rule("ended", AlertCondition::RoomEnded, &pattern),
    ] {
        app.wallboard().save_alert_rule(r).expect("rule saved");
    }
    let bad = app
        .wallboard()
        .save_alert_rule(rule("", AlertCondition::ParticipantsAbove { count: 0 }, ""))
        .expect_err("invalid rule");
    assert_eq!(
        (bad.code, bad.field.as_deref()),
        (ErrorCode::InvalidInput, Some("name"))
    );

    let rec = Arc::new(Recorder::default());
    app.wallboard().attach(rec.clone());
    // The first answer is the baseline.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .wallboard()
        .snapshot()
        .health
        .iter()
        .all(|h| h.state != PollState::Ok)
    {
        assert!(Instant::now() < deadline, "first poll");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    earshot_core::admin::create_room(
        &handle,
        &RoomOptions {
            name: room.clone(),
            empty_timeout: Some(60),
            ..Default::default()
        },
    )
    .await
    .expect("room");
    let mut took = vec![reflected(&rec, &room, |r| r.is_some(), "room started").await];
    let blocking = |f: Box<dyn FnOnce() -> Peer + Send>| tokio::task::block_in_place(f);
    let alice = blocking(Box::new({
        let room = room.clone();
        move || {
            Peer::join(
                bed,
                &room,
                "alice",
                PeerOptions {
                    tone_hz: Some(440.0),
                    ..Default::default()
                },
            )
            .expect("alice")
        }
    }));
    took.push(
        reflected(
            &rec,
            &room,
            |r| r.as_ref().is_some_and(|r| r.room.num_participants == 1),
            "alice joined",
        )
        .await,
    );
    let vip = blocking(Box::new({
        let room = room.clone();
        move || {
            Peer::join(
                bed,
                &room,
                "victor",
                PeerOptions {
                    attributes: vec![("tier".into(), "vip".into())],
                    ..Default::default()
                },
            )
            .expect("victor")
        }
    }));
    took.push(
        reflected(
            &rec,
            &room,
            |r| r.as_ref().is_some_and(|r| r.room.num_participants == 2),
            "victor joined",
        )
        .await,
    );

    // A hidden listener is counted as a listener, not as a participant; a room view (hidden
    // too, but only watching) is neither.
    let view = app
        .wallboard()
        .open_room_view(&handle, &room, Arc::new(NoView))
        .await
        .expect("room view");
    let listened = app
        .listen()
        .start(&handle, &room, false)
        .await
        .expect("listen");
    took.push(
        reflected(
            &rec,
            &room,
            |r| {
                r.as_ref()
                    .is_some_and(|r| r.listeners == Some(1) && r.room.num_participants == 2)
            },
            "listener present",
        )
        .await,
    );
    app.listen()
        .stop(&RoomKey::new(listened.project, room.clone()))
        .await
        .expect("stop listening");
    app.wallboard()
        .close_room_view(view.session)
        .expect("close the room view");

    blocking(Box::new(move || {
        vip.leave();
        alice
    }))
    .leave();
    // A peer that exits without its leave reaching the server is only dropped after the
    // server's reconnect window: time the wallboard from when the server itself has them gone.
    let server = livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    );
    let left = Instant::now();
    while !server
        .list_participants(&room)
        .await
        .unwrap_or_default()
        .iter()
        .all(|p| p.permission.as_ref().is_some_and(|perm| perm.hidden))
    {
        assert!(
            left.elapsed() < Duration::from_secs(30),
            "the server keeps the peers"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "peers gone at the server {:?} after leaving",
        left.elapsed()
    );
    // ListRooms, which the wallboard polls, counts from the server's room record, which it
    // refreshes on its own schedule (seconds later): a refresh can only reflect it from then.
    while server
        .list_rooms(vec![room.clone()])
        .await
        .unwrap_or_default()
        .first()
        .is_some_and(|r| r.num_participants > 0)
    {
        assert!(
            left.elapsed() < Duration::from_secs(30),
            "ListRooms keeps counting them"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("ListRooms counts 0 {:?} after leaving", left.elapsed());
    took.push(
        reflected(
            &rec,
            &room,
            |r| r.as_ref().is_some_and(|r| r.room.num_participants == 0),
            "both left",
        )
        .await,
    );
    earshot_core::admin::delete_room(&handle, &room)
        .await
        .expect("delete");
    took.push(reflected(&rec, &room, |r| r.is_none(), "room ended").await);
    // Several more polls: nothing fires twice.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let mut fired: HashMap<String, usize> = HashMap::new();
    for alert in rec.alerts().iter().filter(|a| a.room == room) {
        *fired.entry(alert.rule_name.clone()).or_default() += 1;
    }
    let expected: HashMap<String, usize> =
        [("started", 1), ("crowded", 1), ("vip", 1), ("ended", 1)]
            .map(|(k, v)| (k.to_owned(), v))
            .into();
    assert_eq!(
        fired,
        expected,
        "each rule once per event: {:?}",
        rec.alerts()
    );
    assert_eq!(
        rec.notified
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.room == room)
            .count(),
        4,
        "desktop notifications"
    );
    assert_eq!(
        app.wallboard()
            .alerts()
            .iter()
            .filter(|a| a.room == room)
            .count(),
        4,
        "in-app list"
    );
    let health = &app.wallboard().snapshot().health[0];
    assert_eq!(health.state, PollState::Ok);
    assert!(health.rtt_ms.is_some());
    // "Within one refresh": the longest wait is bounded by the idle interval plus a lookup.
    let worst = took.iter().max().copied().unwrap_or_default();
    println!(
        "worst reflection delay {worst:?}, polls sent {}",
        health.requests
    );
    assert!(
        worst <= Duration::from_secs(11),
        "reflected within one refresh: {took:?}"
    );
}
