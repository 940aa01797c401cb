//! Call history from the wallboard's pollers alone (the server sends no webhooks), against
//! the real livekit-server with Python participants, on both stores: a room on the board
//! becomes a call with its start (±1 s), its peak, the kinds and joins its lookups saw,
//! and an end once a poll finds it gone.

mod common;

use earshot_core::admin;
use earshot_core::audit::journal::{ChainKey, Journal, JournalConfig, Location};
use earshot_core::protocol::admin::RoomOptions;
use earshot_core::protocol::history::{CallFilter, CallSource, CallSummary};
use earshot_core::protocol::rooms::ParticipantKind;
use earshot_core::protocol::wallboard::{Alert, WallEvent};
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Nowhere;

impl WallSink for Nowhere {
    fn event(&self, _: &WallEvent) -> bool {
        true
    }
    fn notify(&self, _: &Alert) {}
}

async fn call(j: &Journal, project: &str, room: &str) -> Option<CallSummary> {
    j.flush().await.expect("flush");
    j.calls(&CallFilter {
        project: project.into(),
        search: Some(room.into()),
        limit: 10,
        ..Default::default()
    })
    .await
    .expect("calls")
    .calls
    .into_iter()
    .find(|c| c.room == room)
}

async fn wait_call(
    app: &earshot_core::Earshot,
    j: &Journal,
    project: &str,
    room: &str,
    what: &str,
    done: impl Fn(&CallSummary) -> bool,
) -> CallSummary {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let _ = app.wallboard().poke(project);
        if let Some(c) = call(j, project, room).await.filter(|c| done(c)) {
            return c;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {:?}",
            call(j, project, room).await
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn polled_room_becomes_a_call(location: Location) {
    let bed = livekit();
    let app = common::bed_app().await;
    let j = Journal::open(JournalConfig {
        location,
        installation: "poll".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal");
    app.audit().attach(j.clone());
    app.wallboard().attach(Arc::new(Nowhere));
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("polled");
    let t_create = earshot_core::clock::unix_millis();
    let opts = RoomOptions {
        name: room.clone(),
        ..Default::default()
    };
    admin::create_room(&p, &opts).await.expect("create");
    let ann = Peer::join(bed, &room, "ann", PeerOptions::default()).expect("ann");
    let bob = Peer::join(bed, &room, "bob", PeerOptions::default()).expect("bob");
    let live = wait_call(&app, &j, &p.id, &room, "peak of 2", |c| {
        c.peak_participants == 2
    })
    .await;
    assert_eq!(live.ended_ms, None, "live while people are in it");
    ann.leave();
    bob.leave();
    let t_delete = earshot_core::clock::unix_millis();
    admin::delete_room(&p, &room).await.expect("delete");
    let ended = wait_call(&app, &j, &p.id, &room, "an end", |c| c.ended_ms.is_some()).await;
    let t_seen = earshot_core::clock::unix_millis();
    assert!(
        (ended.started_ms - t_create).abs() <= 1000,
        "start {} vs created {t_create}",
        ended.started_ms
    );
    let end = ended.ended_ms.unwrap_or_default();
    assert!(
        end >= t_delete && end <= t_seen,
        "end {end} not in [{t_delete}, {t_seen}]"
    );
    assert_eq!(ended.peak_participants, 2);
    assert_eq!(ended.kinds, vec![ParticipantKind::Standard]);
    assert_eq!(ended.sources, vec![CallSource::Poller]);
    let detail = j
        .call_detail(ended.id)
        .await
        .expect("detail")
        .expect("call");
    let mut joined: Vec<String> = detail
        .timeline
        .iter()
        .filter(|e| e.kind == "participant_joined")
        .filter_map(|e| e.identity.clone())
        .collect();
    joined.sort();
    assert_eq!(
        joined,
        ["ann", "bob"],
        "the supervisor's own hidden views are not listed"
    );
    j.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pollers_feed_history_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    polled_room_becomes_a_call(Location::Sqlite(dir.path().join("journal.sqlite"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pollers_feed_history_postgres() {
    let url = earshot_testbed::postgres()
        .fresh_database("poll")
        .expect("database");
    polled_room_becomes_a_call(Location::Postgres {
        url,
        password: None,
    })
    .await;
}

struct Unseen;

impl earshot_core::room_view::RoomViewSink for Unseen {
    fn view(&self, _: &earshot_core::protocol::room_view::RoomView) -> bool {
        true
    }
}

/// A room view alone (no wallboard attached, so no poller): the call gets the view's
/// joins and leaves in order, merged under the room's sid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_views_feed_history() {
    let bed = livekit();
    let app = common::bed_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let j = Journal::open(JournalConfig {
        location: Location::Sqlite(dir.path().join("journal.sqlite")),
        installation: "view".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal");
    app.audit().attach(j.clone());
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("viewed");
    let ann = Peer::join(bed, &room, "ann", PeerOptions::default()).expect("ann");
    let view = app
        .wallboard()
        .open_room_view(&p, &room, Arc::new(Unseen))
        .await
        .expect("room view");
    let bob = Peer::join(bed, &room, "bob", PeerOptions::default()).expect("bob");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut left = Some(ann);
    loop {
        let c = call(&j, &p.id, &room).await;
        let moves: Vec<(String, String)> = match &c {
            Some(c) => j
                .call_detail(c.id)
                .await
                .expect("detail")
                .expect("call")
                .timeline
                .into_iter()
                .map(|e| (e.kind, e.identity.unwrap_or_default()))
                .collect(),
            None => Vec::new(),
        };
        if moves.len() == 2 {
            if let Some(ann) = left.take() {
                ann.leave();
            }
        }
        if moves.len() == 3 {
            let c = c.expect("call");
            assert_eq!(c.sources, vec![CallSource::RoomView]);
            assert_eq!(c.peak_participants, 2);
            let want = [
                ("participant_joined", "ann"),
                ("participant_joined", "bob"),
                ("participant_left", "ann"),
            ];
            let got: Vec<(&str, &str)> = moves
                .iter()
                .map(|(k, w)| (k.as_str(), w.as_str()))
                .collect();
            assert_eq!(got, want);
            break;
        }
        assert!(Instant::now() < deadline, "timeline: {moves:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.wallboard()
        .close_room_view(view.session)
        .expect("close");
    drop(bob);
    j.close().await;
}
