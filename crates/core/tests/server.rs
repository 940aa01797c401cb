//! Against a real livekit-server: connection checks, rooms and participants listings.

use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::rooms::ParticipantState;
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::settings::MemorySettings;
use earshot_core::vault::{MemoryStore, Vault};
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::sync::Arc;
use std::time::Duration;

fn input(url: &str, key: &str, secret: &str) -> ProjectInput {
    ProjectInput {
        name: format!("p-{:06x}", rand_u32()),
        url: url.into(),
        api_key: key.into(),
        api_secret: SecretInput::new(secret),
        allow_plaintext: false,
        guardrails: Default::default(),
    }
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn app() -> Earshot {
    Earshot::new(
        Arc::new(MemorySettings::default()),
        Vault::new(MemoryStore::default()),
    )
}

#[tokio::test]
async fn connection_check_tells_failures_apart() {
    let bed = livekit();
    let app = app();
    let called = std::time::Instant::now();
    let ok = app
        .projects()
        .check_project_input(input(&bed.ws_url, &bed.api_key, &bed.api_secret), None)
        .await
        .expect("valid credentials");
    // The reported round trip is a real measurement: more than nothing, and no longer than
    // the whole call as timed from out here.
    let call_ms = called.elapsed().as_secs_f64() * 1000.0;
    println!("round trip {} ms, call {call_ms:.2} ms", ok.round_trip_ms);
    assert!(ok.round_trip_ms > 0, "a round trip of 0 ms");
    assert!(
        f64::from(ok.round_trip_ms) <= call_ms.ceil(),
        "round trip {} ms is longer than the call ({call_ms:.2} ms)",
        ok.round_trip_ms
    );

    let code = |r: Result<_, earshot_core::protocol::AppError>| {
        r.map(|_: earshot_core::protocol::projects::ConnectionReport| ())
            .unwrap_err()
            .code
    };
    let wrong_secret = app
        .projects()
        .check_project_input(input(&bed.ws_url, &bed.api_key, "not-the-secret"), None)
        .await;
    assert_eq!(code(wrong_secret), ErrorCode::InvalidCredentials);
    let wrong_key = app
        .projects()
        .check_project_input(input(&bed.ws_url, "APInope", &bed.api_secret), None)
        .await;
    assert_eq!(code(wrong_key), ErrorCode::InvalidCredentials);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = app
        .projects()
        .check_project_input(
            input(
                &format!("ws://127.0.0.1:{closed}"),
                &bed.api_key,
                &bed.api_secret,
            ),
            None,
        )
        .await;
    assert_eq!(code(refused), ErrorCode::Unreachable);

    let garbage = app
        .projects()
        .check_project_input(input("ht!tp://::nope", &bed.api_key, &bed.api_secret), None)
        .await;
    assert_eq!(code(garbage), ErrorCode::InvalidUrl);

    // wss:// against the plain-text dev server: the TLS handshake fails.
    let tls_url = bed.ws_url.replace("ws://", "wss://");
    let tls = app
        .projects()
        .check_project_input(input(&tls_url, &bed.api_key, &bed.api_secret), None)
        .await;
    assert_eq!(code(tls), ErrorCode::TlsFailure);

    // Something that is not LiveKit answers HTTP: a clear "not a LiveKit server".
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other_port = other.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut s, _)) = other.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here!");
        }
    });
    let not_lk = app
        .projects()
        .check_project_input(
            input(&format!("http://127.0.0.1:{other_port}"), "k", "s"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(not_lk.code, ErrorCode::ServerError);
    assert!(
        not_lk.message.contains("not a LiveKit"),
        "{}",
        not_lk.message
    );
}

#[tokio::test]
async fn silent_server_times_out_within_the_check_budget() {
    // A listener that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let _held: Vec<_> = silent.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(30));
    });
    let started = std::time::Instant::now();
    let err = app()
        .projects()
        .check_project_input(input(&format!("ws://127.0.0.1:{port}"), "k", "s"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn add_rejects_bad_credentials_and_stores_nothing() {
    let bed = livekit();
    let store = Arc::new(MemoryStore::default());
    let settings = Arc::new(MemorySettings::default());
    let app = Earshot::new(settings.clone(), Vault::new(store.clone()));
    let err = app
        .projects()
        .add_project(input(&bed.ws_url, &bed.api_key, "wrong"), true)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidCredentials);
    assert!(store.is_empty());
    assert!(app.projects().list_projects().projects.is_empty());
    // verify=false saves anyway (the user chose "Save without checking").
    app.projects()
        .add_project(input(&bed.ws_url, &bed.api_key, "wrong"), false)
        .await
        .unwrap();
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn rooms_created_through_livekit_api_are_listed() {
    let bed = livekit();
    let app = app();
    let project = app
        .projects()
        .add_project(input(&bed.ws_url, &bed.api_key, &bed.api_secret), true)
        .await
        .unwrap();
    let room = unique_room("listed");
    let official = livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    );
    official
        .create_room(&room, Default::default())
        .await
        .expect("create room");
    let snapshot =
        earshot_core::admin::list_rooms(&app.projects().default_handle().await.expect("project"))
            .await
            .unwrap();
    assert_eq!(snapshot.project_id, project.id);
    let found = snapshot
        .rooms
        .iter()
        .find(|r| r.name == room)
        .expect("room listed");
    assert_eq!(found.num_participants, 0);
    assert!(found.creation_time > 0);
    official.delete_room(&room).await.unwrap();
    let after =
        earshot_core::admin::list_rooms(&app.projects().default_handle().await.expect("project"))
            .await
            .unwrap();
    assert!(after.rooms.iter().all(|r| r.name != room));
}

#[tokio::test]
async fn python_participant_is_seen_in_the_participant_list() {
    let bed = livekit();
    let app = app();
    app.projects()
        .add_project(input(&bed.ws_url, &bed.api_key, &bed.api_secret), true)
        .await
        .unwrap();
    let room = unique_room("smoke");
    let peer =
        Peer::join(bed, &room, "caller-1", PeerOptions::default()).expect("python peer joins");
    let participants = earshot_core::admin::list_participants(
        &app.projects().default_handle().await.expect("project"),
        &room,
    )
    .await
    .unwrap();
    let me = participants
        .iter()
        .find(|p| p.identity == "caller-1")
        .expect("peer listed");
    assert!(!me.permission.hidden);
    assert!(
        matches!(
            me.state,
            ParticipantState::Joined | ParticipantState::Active
        ),
        "{:?}",
        me.state
    );
    // The server updates a room's participant count shortly after a join.
    let mut count = None;
    for _ in 0..50 {
        let rooms = earshot_core::admin::list_rooms(
            &app.projects().default_handle().await.expect("project"),
        )
        .await
        .unwrap();
        count = rooms
            .rooms
            .iter()
            .find(|r| r.name == room)
            .map(|r| r.num_participants);
        if count == Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count, Some(1));
    peer.leave();
}

#[tokio::test]
async fn listing_a_missing_room_and_a_deleted_project_have_codes() {
    let bed = livekit();
    let app = app();
    let p = app
        .projects()
        .add_project(input(&bed.ws_url, &bed.api_key, &bed.api_secret), true)
        .await
        .unwrap();
    let err = earshot_core::admin::list_participants(
        &app.projects().default_handle().await.expect("project"),
        "no-such-room-here",
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    app.projects().remove_project(&p.id).await.unwrap();
    // No project left to open at start-up; a command naming the removed one is refused
    // before anything is sent.
    assert_eq!(
        app.projects().default_handle().await.unwrap_err().code,
        ErrorCode::NoProject
    );
    assert_eq!(
        app.project(&p.id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn ensured_dev_project_follows_a_new_port_and_secret() {
    let bed = livekit();
    let app = app();
    let name = format!("Local dev {}", rand_u32());
    let mut stale = input("ws://127.0.0.1:9", &bed.api_key, "old-secret");
    stale.name = name.clone();
    let id = app
        .projects()
        .ensure_project(stale)
        .await
        .expect("first ensure");
    let mut fresh = input(&bed.ws_url, &bed.api_key, &bed.api_secret);
    fresh.name = name.clone();
    assert_eq!(
        app.projects()
            .ensure_project(fresh)
            .await
            .expect("second ensure"),
        id
    );
    let view = app.projects().list_projects();
    let same: Vec<_> = view.projects.iter().filter(|p| p.name == name).collect();
    assert_eq!(same.len(), 1, "one project, updated in place");
    assert_eq!(same[0].url, bed.ws_url);
    app.projects()
        .check_project(&id)
        .await
        .expect("the new URL and secret are used");
}
