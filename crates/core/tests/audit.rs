//! The audit against the real livekit-server, on both stores (SQLite and the test bed's
//! PostgreSQL): each audited action, passed through [`Audit::run`] exactly as the shell's
//! commands do, leaves exactly one entry with the right fields and outcome; a listen
//! session leaves one entry with its true duration (±1 s); tokens never reach the journal.

mod common;

use common::tone_peer;
use earshot_core::admin;
use earshot_core::audit::journal::{
    AuditAction, AuditEntry, AuditFilter, ChainKey, ChainState, Journal, JournalConfig, Location,
};
use earshot_core::audit::Audited;
use earshot_core::protocol::admin::{DataMessage, RoomOptions};
use earshot_core::protocol::command::*;
use earshot_core::protocol::listen::RoomKey;
use earshot_core::protocol::tokens::TokenRequest;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::time::{Duration, Instant};

async fn journal(location: Location) -> Journal {
    Journal::open(JournalConfig {
        location,
        installation: "test-install".into(),
        key: ChainKey::generate(),
        retention_days: 0,
    })
    .await
    .expect("journal")
}

fn stores() -> Vec<(&'static str, Location, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.sqlite");
    let pg = earshot_testbed::postgres()
        .fresh_database("audit")
        .expect("database");
    vec![
        ("sqlite", Location::Sqlite(path), Some(dir)),
        (
            "postgres",
            Location::Postgres {
                url: pg,
                password: None,
            },
            None,
        ),
    ]
}

async fn entries(j: &Journal, action: AuditAction) -> Vec<AuditEntry> {
    j.flush().await.expect("flush");
    j.query(&AuditFilter {
        action: Some(action),
        limit: 100,
        ..Default::default()
    })
    .await
    .expect("query")
    .entries
}

async fn admin_actions_on(app: &Earshot, j: &Journal, store: &str) {
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("audit");
    let bed = livekit();

    let create = CreateRoom {
        project: p.id.clone(),
        options: RoomOptions {
            name: room.clone(),
            ..Default::default()
        },
    };
    app.audit()
        .run(
            create.facts(),
            Some(&p),
            admin::create_room(&p, &create.options),
        )
        .await
        .expect("create room");
    let got = entries(j, AuditAction::RoomCreate).await;
    assert_eq!(got.len(), 1, "{store}: one entry per action");
    let e = &got[0];
    assert_eq!(e.outcome, "ok");
    assert_eq!(e.project.as_deref(), Some("bed"));
    assert_eq!(e.server_url.as_deref(), Some(bed.ws_url.as_str()));
    assert_eq!(e.room.as_deref(), Some(room.as_str()));
    assert_eq!(e.supervisor.as_deref(), Some(app.audit().supervisor()));

    let meta = UpdateRoomMetadata {
        project: p.id.clone(),
        room: room.clone(),
        metadata: "{\"queue\":\"vip\"}".into(),
    };
    app.audit()
        .run(
            meta.facts(),
            Some(&p),
            admin::update_room_metadata(&p, &meta.room, &meta.metadata),
        )
        .await
        .expect("metadata");
    let got = entries(j, AuditAction::RoomMetadata).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].detail.contains("vip"), "{}", got[0].detail);

    let data = SendData {
        project: p.id.clone(),
        room: room.clone(),
        message: DataMessage {
            topic: "notes".into(),
            payload: "hello there".into(),
            reliable: true,
            destination_identities: vec![],
        },
    };
    app.audit()
        .run(
            data.facts(),
            Some(&p),
            admin::send_data(&p, &data.room, &data.message),
        )
        .await
        .expect("send data");
    let got = entries(j, AuditAction::DataMessage).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].detail.contains("\"bytes\":11"), "{}", got[0].detail);
    assert!(
        !got[0].detail.contains("hello there"),
        "the payload stays out"
    );

    // A token: identity, room, grants and TTL are journaled, the token itself never.
    let mut request = TokenRequest {
        identity: "agent-7".into(),
        ttl_seconds: 600,
        ..Default::default()
    };
    request.grants.room = room.clone();
    request.grants.room_join = true;
    let token = CreateToken {
        project: p.id.clone(),
        request,
    };
    let built = app
        .audit()
        .run(
            token.facts(),
            Some(&p),
            admin::create_token(&p, &token.request),
        )
        .await
        .expect("token");
    let got = entries(j, AuditAction::TokenBuild).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].identity.as_deref(), Some("agent-7"));
    assert!(got[0].detail.contains("\"ttl_seconds\":600"));
    let line = serde_json::to_string(&got[0]).expect("json");
    assert!(
        !line.contains(&built.jwt),
        "{store}: the token is not journaled"
    );
    assert!(
        !line.contains(&bed.api_secret),
        "{store}: the secret is not journaled"
    );

    // A failing action: removing someone who is not there says the error code.
    let remove = RemoveParticipant {
        project: p.id.clone(),
        room: room.clone(),
        identity: "nobody-here".into(),
    };
    let err = app
        .audit()
        .run(
            remove.facts(),
            Some(&p),
            admin::remove_participant(&p, &remove.room, &remove.identity),
        )
        .await
        .expect_err("no such participant");
    let got = entries(j, AuditAction::ParticipantRemove).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].outcome, earshot_core::audit::code_name(err.code));
    assert_ne!(got[0].outcome, "ok");
    assert_eq!(got[0].identity.as_deref(), Some("nobody-here"));

    let delete = DeleteRoom {
        project: p.id.clone(),
        room: room.clone(),
    };
    app.audit()
        .run(
            delete.facts(),
            Some(&p),
            admin::delete_room(&p, &delete.room),
        )
        .await
        .expect("delete");
    assert_eq!(entries(j, AuditAction::RoomDelete).await.len(), 1);
    assert_eq!(
        j.verify_chain("test-install").await.expect("verify").state,
        ChainState::Intact
    );
}

async fn listen_session_on(app: &Earshot, j: &Journal, store: &str) {
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("audit-listen");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);
    let joined = app.listen().start(&p, &room, false).await.expect("listen");
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.listen()
        .stop(&RoomKey::new(joined.project.clone(), room.clone()))
        .await
        .expect("stop");
    let true_ms = started.elapsed().as_millis() as i64;
    let got = entries(j, AuditAction::ListenSession).await;
    let mine: Vec<_> = got
        .iter()
        .filter(|e| e.room.as_deref() == Some(room.as_str()))
        .collect();
    assert_eq!(mine.len(), 1, "{store}: one entry per session");
    let e = mine[0];
    let detail: serde_json::Value = serde_json::from_str(&e.detail).expect("detail");
    let duration = detail["duration_ms"].as_i64().unwrap_or(-1);
    assert!(
        (duration - true_ms).abs() <= 1000,
        "{store}: journaled {duration} ms, listened {true_ms} ms"
    );
    assert_eq!(detail["end_reason"], "stopped");
    assert_eq!(e.outcome, "ok");
    assert_eq!(e.project.as_deref(), Some("bed"));
    assert_eq!(e.server_url.as_deref(), Some(livekit().ws_url.as_str()));
    let identity = e.identity.clone().unwrap_or_default();
    assert!(
        identity.starts_with(&format!("earshot-listener:{}:", app.listen().supervisor())),
        "{identity}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_actions_are_journaled_once_with_their_outcome() {
    for (store, location, _dir) in stores() {
        let app = common::bed_app().await;
        let j = journal(location).await;
        app.audit().attach(j.clone());
        admin_actions_on(&app, &j, store).await;
        j.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_session_is_journaled_with_its_duration() {
    for (store, location, _dir) in stores() {
        let app = common::bed_app().await;
        let j = journal(location).await;
        app.audit().attach(j.clone());
        listen_session_on(&app, &j, store).await;
        j.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_key_lives_in_the_keychain() {
    // The real keychain when the test runs under scripts/test.sh (gnome-keyring); the same
    // key comes back on the next start, so a restarted app verifies its old entries.
    let vault = earshot_core::vault::Vault::new(earshot_core::vault::KeychainStore::new(format!(
        "earshot-test-{:08x}",
        rand_suffix()
    )));
    let stored = vault
        .get(earshot_core::audit::CHAIN_KEY_ACCOUNT)
        .await
        .expect("keychain reachable (run via scripts/test.sh)");
    assert!(stored.is_none(), "a fresh service has no key yet");
    let first = earshot_core::audit::chain_key(&vault)
        .await
        .expect("keychain reachable (run via scripts/test.sh)");
    let again = earshot_core::audit::chain_key(&vault).await.expect("again");
    assert_eq!(first.to_hex().as_str(), again.to_hex().as_str());
    let stored = vault
        .get(earshot_core::audit::CHAIN_KEY_ACCOUNT)
        .await
        .expect("read back");
    assert_eq!(
        stored.map(|s| s.expose().to_owned()).as_deref(),
        Some(first.to_hex().as_str())
    );
    let _ = vault.delete(earshot_core::audit::CHAIN_KEY_ACCOUNT).await;
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

struct NoSink;

impl earshot_core::room_view::RoomViewSink for NoSink {
    fn view(&self, _: &earshot_core::protocol::room_view::RoomView) -> bool {
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_view_session_is_journaled_with_its_duration() {
    for (store, location, _dir) in stores() {
        let app = common::bed_app().await;
        let j = journal(location).await;
        app.audit().attach(j.clone());
        let p = app.projects().default_handle().await.expect("project");
        let room = unique_room("audit-view");
        let _caller = tone_peer(livekit(), &room, "caller", 440.0);
        // The caller's join creates the room; a view of a missing room is refused.
        let mut opened = None;
        for _ in 0..50 {
            match app
                .wallboard()
                .open_room_view(&p, &room, std::sync::Arc::new(NoSink))
                .await
            {
                Ok(v) => {
                    opened = Some(v);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let view = opened.expect("room view opens");
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(2)).await;
        app.wallboard()
            .close_room_view(view.session)
            .expect("close");
        let true_ms = started.elapsed().as_millis() as i64;
        // The entry is written when the view's connection has left.
        let mut mine = Vec::new();
        for _ in 0..50 {
            mine = entries(&j, AuditAction::RoomViewSession)
                .await
                .into_iter()
                .filter(|e| e.room.as_deref() == Some(room.as_str()) && e.outcome == "ok")
                .collect();
            if !mine.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(mine.len(), 1, "{store}: one entry per room view");
        let detail: serde_json::Value = serde_json::from_str(&mine[0].detail).expect("detail");
        let duration = detail["duration_ms"].as_i64().unwrap_or(-1);
        assert!(
            (duration - true_ms).abs() <= 1000,
            "{store}: journaled {duration} ms, viewed {true_ms} ms"
        );
        let identity = mine[0].identity.clone().unwrap_or_default();
        assert!(identity.starts_with("earshot-observer:"), "{identity}");
        assert_eq!(mine[0].project.as_deref(), Some("bed"));
        j.close().await;
    }
}
