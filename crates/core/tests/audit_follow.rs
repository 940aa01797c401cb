//! Wallboard rows followed live are hidden connections in someone's call, so each is
//! journaled like a room view the supervisor opens: one `followed_row_session` entry when
//! its connection ends, with the identity it used, its true duration (±1 s) and why it
//! ended; a row that could not join is journaled with the error. Real server, both stores.

mod common;

use common::tone_peer;
use earshot_core::audit::journal::{
    AuditAction, AuditEntry, AuditFilter, ChainKey, Journal, JournalConfig, Location,
};
use earshot_core::protocol::wallboard::{Alert, WallEvent, WallRoomRef};
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, unique_room};
use livekit_api::services::room::RoomClient;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct NoSink;

impl WallSink for NoSink {
    fn event(&self, _: &WallEvent) -> bool {
        true
    }
    fn notify(&self, _: &Alert) {}
}

async fn observer(client: &RoomClient, room: &str) -> Option<String> {
    client
        .list_participants(room)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.identity)
        .find(|i| i.starts_with("earshot-observer:"))
}

/// The entries of `action` for `room`, waiting up to 5 s for at least one.
async fn entries(j: &Journal, action: AuditAction, room: &str) -> Vec<AuditEntry> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        j.flush().await.expect("flush");
        let got: Vec<_> = j
            .query(&AuditFilter {
                action: Some(action),
                room: Some(room.into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("query")
            .entries;
        if !got.is_empty() || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn followed_rows_on(store: &str, location: Location) {
    let bed = livekit();
    let app = common::bed_app().await;
    let j = Journal::open(JournalConfig {
        location,
        installation: "follow".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal");
    app.audit().attach(j.clone());
    app.wallboard().attach(Arc::new(NoSink));
    let project = app.projects().default_project().expect("project");
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let room = unique_room("audit-follow");
    let _caller = tone_peer(bed, &room, "caller", 440.0);
    let row = WallRoomRef {
        project: project.clone(),
        room: room.clone(),
    };
    // The caller's join creates the room; until then following it reports it missing.
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .list_rooms(vec![room.clone()])
        .await
        .unwrap_or_default()
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "{store}: the caller's room never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.wallboard().follow(vec![row]).expect("follow");
    let identity = loop {
        if let Some(i) = observer(&client, &room).await {
            break i;
        }
        assert!(Instant::now() < deadline, "{store}: the row never joined");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let joined = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.wallboard().follow(Vec::new()).expect("unfollow");
    while observer(&client, &room).await.is_some() {
        assert!(Instant::now() < deadline, "{store}: the row never left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let true_ms = joined.elapsed().as_millis() as i64;

    let got = entries(&j, AuditAction::FollowedRowSession, &room).await;
    assert_eq!(
        got.len(),
        1,
        "{store}: one entry per followed row: {got:#?}"
    );
    let e = &got[0];
    assert_eq!(e.outcome, "ok", "{store}");
    assert_eq!(e.project.as_deref(), Some("bed"));
    assert_eq!(e.server_url.as_deref(), Some(bed.ws_url.as_str()));
    assert_eq!(
        e.identity.as_deref(),
        Some(identity.as_str()),
        "{store}: the identity the server saw"
    );
    assert_eq!(e.supervisor.as_deref(), Some(app.audit().supervisor()));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).expect("detail");
    let duration = detail["duration_ms"].as_i64().unwrap_or(-1);
    assert!(
        (duration - true_ms).abs() <= 1000,
        "{store}: journaled {duration} ms, followed {true_ms} ms"
    );
    assert_eq!(
        detail["end_reason"], "the row left the wallboard's view",
        "{store}"
    );
    assert!(
        entries(&j, AuditAction::RoomViewSession, &room)
            .await
            .is_empty(),
        "{store}: a followed row is not a room view the supervisor opened"
    );

    // A row whose room is gone: no connection, the refusal is journaled.
    let ghost = unique_room("audit-follow-ghost");
    app.wallboard()
        .follow(vec![WallRoomRef {
            project,
            room: ghost.clone(),
        }])
        .expect("follow ghost");
    let got = entries(&j, AuditAction::FollowedRowSession, &ghost).await;
    assert_eq!(got.len(), 1, "{store}: {got:#?}");
    assert_eq!(got[0].outcome, "not_found", "{store}");
    assert!(got[0].detail.contains("open_failed"), "{}", got[0].detail);
    j.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_wallboard_row_is_journaled_with_its_duration() {
    let dir = tempfile::tempdir().expect("temp dir");
    followed_rows_on(
        "sqlite",
        Location::Sqlite(dir.path().join("journal.sqlite")),
    )
    .await;
    let pg = earshot_testbed::postgres()
        .fresh_database("follow")
        .expect("database");
    followed_rows_on(
        "postgres",
        Location::Postgres {
            url: pg,
            password: None,
        },
    )
    .await;
}
