//! The signed webhook receiver against a real livekit-server configured to post its
//! webhooks to it on loopback, with real Python participants, on both stores: a room
//! nobody watched lands in the history with its true start and end (±1 s), peak and joins
//! and leaves in order; forged, wrong-key, unknown-key and oversized requests are refused
//! and counted and leave no trace; the history survives reopening the journal.

use earshot_core::audit::journal::{ChainKey, Journal, JournalConfig, Location};
use earshot_core::history::webhook;
use earshot_core::protocol::admin::RoomOptions;
use earshot_core::protocol::history::{CallFilter, CallSource, CallSummary, WebhookStatus};
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::SecretInput;
use earshot_core::{admin, Earshot};
use earshot_testbed::{unique_room, LiveKit, Peer, PeerOptions};
use livekit_api::access_token::AccessToken;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn now_ms() -> i64 {
    earshot_core::clock::unix_millis()
}

async fn app_for(bed: &LiveKit) -> Earshot {
    let app = Earshot::new(
        std::sync::Arc::new(earshot_core::settings::MemorySettings::default()),
        earshot_core::vault::Vault::new(earshot_core::vault::MemoryStore::default()),
    );
    app.projects()
        .add_project(
            ProjectInput {
                name: "hooked".into(),
                url: bed.ws_url.clone(),
                api_key: bed.api_key.clone(),
                api_secret: SecretInput::new(bed.api_secret.clone()),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            true,
        )
        .await
        .expect("project");
    app
}

async fn open(location: &Location, key: &ChainKey) -> Journal {
    Journal::open(JournalConfig {
        location: location.clone(),
        installation: "hooks".into(),
        key: key.clone(),
        retention_days: 0,
    })
    .await
    .expect("journal")
}

/// Posts `body` over plain HTTP/1.1 and returns the status code.
fn post(addr: SocketAddr, auth: Option<&str>, body: &[u8]) -> u16 {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/webhook+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(a) = auth {
        head.push_str(&format!("Authorization: {a}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("head");
    // An oversized body is refused on its declared length, before it is read; sending it
    // anyway could reset the connection before the answer is read.
    if body.len() <= webhook::MAX_BODY {
        s.write_all(body).expect("body");
    }
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn sign(key: &str, secret: &str, body: &[u8]) -> String {
    let sha = base64_std(&Sha256::digest(body));
    AccessToken::with_api_key(key, secret)
        .with_sha256(&sha)
        .to_jwt()
        .expect("jwt")
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn calls(j: &Journal, project: &str) -> Vec<CallSummary> {
    j.flush().await.expect("flush");
    j.calls(&CallFilter {
        project: project.into(),
        limit: 100,
        ..Default::default()
    })
    .await
    .expect("calls")
    .calls
}

/// Joins and leaves of the call's timeline, as (kind, identity).
async fn moves(j: &Journal, id: i64) -> Vec<(String, String)> {
    let d = j.call_detail(id).await.expect("detail").expect("the call");
    d.timeline
        .into_iter()
        .filter(|e| e.kind.starts_with("participant_"))
        .map(|e| (e.kind, e.identity.unwrap_or_default()))
        .collect()
}

async fn unwatched_room_lands_in_history(bed: &LiveKit, addr: SocketAddr, location: Location) {
    let app = app_for(bed).await;
    let key = ChainKey::generate();
    app.audit().attach(open(&location, &key).await);
    let receiver =
        webhook::WebhookReceiver::start(addr, app.projects().clone(), app.audit().clone())
            .await
            .expect("receiver");
    let p = app.projects().default_handle().await.expect("project");
    let room = unique_room("hooked");

    let t_create = now_ms();
    admin::create_room(
        &p,
        &RoomOptions {
            name: room.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("create room");
    let t_created = now_ms();
    let step = Duration::from_millis(1200);
    let ann = Peer::join(bed, &room, "ann", PeerOptions::default()).expect("ann");
    std::thread::sleep(step);
    let bob = Peer::join(bed, &room, "bob", PeerOptions::default()).expect("bob");
    std::thread::sleep(step);
    ann.leave();
    std::thread::sleep(step);
    bob.leave();
    std::thread::sleep(step);
    let t_delete = now_ms();
    admin::delete_room(&p, &room).await.expect("delete room");
    let t_deleted = now_ms();

    // Webhooks are posted asynchronously: wait for the end to arrive.
    let j = app.audit().journal().expect("journal");
    let deadline = Instant::now() + Duration::from_secs(20);
    let call = loop {
        let found = calls(&j, &p.id).await.into_iter().find(|c| c.room == room);
        if let Some(c) = found.filter(|c| c.ended_ms.is_some()) {
            if moves(&j, c.id).await.len() >= 4 {
                break c;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the call did not land in the history; receiver: {:?}",
            receiver.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        call.started_ms >= t_create - 1000 && call.started_ms <= t_created + 1000,
        "start {} not within 1 s of [{t_create}, {t_created}]",
        call.started_ms
    );
    let ended = call.ended_ms.unwrap_or_default();
    assert!(
        ended >= t_delete - 1000 && ended <= t_deleted + 1000,
        "end {ended} not within 1 s of [{t_delete}, {t_deleted}]"
    );
    assert_eq!(call.peak_participants, 2);
    assert_eq!(call.sources, vec![CallSource::Webhook]);
    assert_eq!(moves(&j, call.id).await, want_moves());
    let accepted = receiver.status().accepted;
    assert!(accepted >= 6, "{:?}", receiver.status());

    // Refused requests: counted, answered, and nothing lands.
    let before = calls(&j, &p.id).await;
    let body =
        br#"{"event":"room_started","room":{"sid":"RM_forged","name":"forged"},"createdAt":"1"}"#;
    let genuine = sign(&bed.api_key, &bed.api_secret, b"another body");
    assert_eq!(post(addr, Some(&genuine), body), 401, "altered body");
    let wrong_secret = sign(&bed.api_key, "not-the-secret-not-the-secret-0000", body);
    assert_eq!(post(addr, Some(&wrong_secret), body), 401, "wrong secret");
    assert_eq!(post(addr, None, body), 401, "unsigned");
    let stranger = sign("APIstranger", &bed.api_secret, body);
    assert_eq!(post(addr, Some(&stranger), body), 401, "unknown key");
    let big = vec![b' '; webhook::MAX_BODY + 1];
    let signed_big = sign(&bed.api_key, &bed.api_secret, &big);
    assert_eq!(post(addr, Some(&signed_big), &big), 413, "oversized");
    let want = WebhookStatus {
        listening: Some(addr.to_string()),
        error: None,
        accepted: receiver.status().accepted,
        forged: 3,
        unknown_key: 1,
        oversized: 1,
        malformed: 0,
    };
    assert_eq!(receiver.status(), want);
    assert_eq!(
        calls(&j, &p.id).await,
        before,
        "a refused request wrote history"
    );
    // A genuine one still goes through (the refusals did not break the receiver).
    let ok = sign(&bed.api_key, &bed.api_secret, body);
    assert_eq!(post(addr, Some(&ok), body), 200);
    assert_eq!(calls(&j, &p.id).await.len(), before.len() + 1);

    // Reopened, the history is all there.
    drop(receiver);
    j.close().await;
    let j = open(&location, &key).await;
    let again = calls(&j, &p.id).await;
    assert_eq!(again.len(), before.len() + 1);
    let kept = again.iter().find(|c| c.room == room).expect("the call");
    assert_eq!(kept, &call);
    assert_eq!(moves(&j, call.id).await, want_moves());
    j.close().await;
}

fn want_moves() -> Vec<(String, String)> {
    [
        ("participant_joined", "ann"),
        ("participant_joined", "bob"),
        ("participant_left", "ann"),
        ("participant_left", "bob"),
    ]
    .iter()
    .map(|(k, w)| (k.to_string(), w.to_string()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_feed_history_on_both_stores() {
    // The receiver's port is fixed before the server starts (its config names the URL);
    // each store's run binds it in turn.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let bed = LiveKit::start_with_webhook(Some(&format!("http://{addr}/")))
        .unwrap_or_else(|e| panic!("test bed: {e:#}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let pg = earshot_testbed::postgres()
        .fresh_database("hooks")
        .expect("database");
    for location in [
        Location::Sqlite(dir.path().join("journal.sqlite")),
        Location::Postgres {
            url: pg,
            password: None,
        },
    ] {
        unwatched_room_lands_in_history(&bed, addr, location).await;
    }
    bed.stop_server();
}
