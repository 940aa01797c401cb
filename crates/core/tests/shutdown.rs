//! Closing the app while it listens, against the real livekit-server with a Python SDK
//! caller: `Earshot::shutdown` leaves every listened room, room view and followed row at
//! once (the server stops listing them right away instead of after its timeout) and
//! journals each ended session, the listen with the reason `app_closed`.

mod common;

use common::tone_peer;
use earshot_core::audit::journal::{
    AuditAction, AuditFilter, ChainKey, Journal, JournalConfig, Location,
};
use earshot_core::protocol::wallboard::WallRoomRef;
use earshot_core::room_view::RoomViewSink;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct NoSink;

impl RoomViewSink for NoSink {
    fn view(&self, _: &earshot_core::protocol::room_view::RoomView) -> bool {
        true
    }
}

/// Identities of this app's hidden connections the server lists in `room`.
async fn ours_on_server(app: &Earshot, room: &str) -> Vec<String> {
    let handle = app.projects().default_handle().await.unwrap();
    match handle.api.room_detail(room).await {
        Ok(detail) => detail
            .participants
            .into_iter()
            .filter(|p| p.permission.hidden && p.identity.starts_with("earshot-"))
            .map(|p| p.identity)
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_app_leaves_its_rooms_and_journals_the_sessions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Journal::open(JournalConfig {
        location: Location::Sqlite(dir.path().join("journal.sqlite")),
        installation: "test-install".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal");
    let app = common::bed_app().await;
    app.audit().attach(journal.clone());
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("shutdown");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);

    app.listen().start(&p, &room, false).await.expect("listen");
    // The caller's join creates the room; a view of a missing room is refused until then.
    let mut view = None;
    for _ in 0..50 {
        match app
            .wallboard()
            .open_room_view(&p, &room, Arc::new(NoSink))
            .await
        {
            Ok(v) => {
                view = Some(v);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    assert!(view.is_some(), "the room view opens");
    let row = WallRoomRef {
        project: p.id.clone(),
        room: room.clone(),
    };
    app.wallboard().follow(vec![row.clone()]).expect("follow");
    let mut present = Vec::new();
    for _ in 0..100 {
        present = ours_on_server(&app, &room).await;
        if present.len() == 3 && app.wallboard().followed() == vec![row.clone()] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        present.len(),
        3,
        "listener, view and followed row joined: {present:?}"
    );

    let started = Instant::now();
    app.shutdown(Duration::from_secs(3)).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(3_500),
        "closing down took {took:?}"
    );

    // The server processes a leave as it arrives; allow it a moment, far below the
    // ~15–20 s after which it drops a participant that vanished without leaving.
    let mut left = present.clone();
    for _ in 0..20 {
        left = ours_on_server(&app, &room).await;
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left.is_empty(), "still listed after closing down: {left:?}");

    let listens = journal
        .query(&AuditFilter {
            action: Some(AuditAction::ListenSession),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("query")
        .entries;
    let mine: Vec<_> = listens
        .iter()
        .filter(|e| e.room.as_deref() == Some(room.as_str()))
        .collect();
    assert_eq!(mine.len(), 1, "one entry for the listen: {listens:?}");
    let detail: serde_json::Value = serde_json::from_str(&mine[0].detail).expect("detail");
    assert_eq!(detail["end_reason"], "app_closed");
    let views = journal
        .query(&AuditFilter {
            action: Some(AuditAction::RoomViewSession),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("query")
        .entries;
    let mine: Vec<_> = views
        .iter()
        .filter(|e| e.room.as_deref() == Some(room.as_str()))
        .collect();
    assert!(
        !mine.is_empty(),
        "the room view's session was journaled: {views:?}"
    );
    journal.close().await;
}
