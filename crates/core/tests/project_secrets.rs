//! A project's secret stays bound to its server, against the real livekit-server: an edit
//! that moves the project elsewhere needs the secret typed again (and nothing reaches the new
//! address before), a changed secret ends the listens and room views made with the old one,
//! and removing a project removes its storage profiles and their credentials too.

mod common;

use common::{tone_peer, until, Recorder};
use earshot_core::protocol::egress::{StorageInput, StorageProfile};
use earshot_core::protocol::listen::{EndReason, ListenState};
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::room_view::{RoomView, RoomViewState};
use earshot_core::protocol::wallboard::{Alert, WallEvent};
use earshot_core::protocol::SecretInput;
use earshot_core::room_view::RoomViewSink;
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, unique_room};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn form(url: &str, secret: &str) -> ProjectInput {
    let bed = livekit();
    ProjectInput {
        name: "bed".into(),
        url: url.into(),
        api_key: bed.api_key.clone(),
        api_secret: SecretInput::new(secret),
        allow_plaintext: false,
        guardrails: Default::default(),
    }
}

/// A loopback port that counts the connections made to it (a stranger's server).
fn stranger() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (format!("ws://127.0.0.1:{port}"), count)
}

#[tokio::test]
async fn a_moved_project_needs_its_secret_again() {
    let bed = livekit();
    let app = common::bed_app().await;
    let id = app.projects().default_project().expect("project");
    let (elsewhere, connections) = stranger();

    let err = app
        .projects()
        .update_project(&id, form(&elsewhere, ""), true)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("api_secret"), "{err:?}");
    assert!(err.message.contains("server changed"), "{}", err.message);
    let err = app
        .projects()
        .check_project_input(form(&elsewhere, ""), Some(&id))
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("api_secret"), "{err:?}");
    // Another port of the same host is another server too.
    let port = bed
        .ws_url
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    let other_port = format!("ws://127.0.0.1:{}", port.wrapping_add(1).max(1));
    assert!(app
        .projects()
        .check_project_input(form(&other_port, ""), Some(&id))
        .await
        .is_err());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the stored secret went to another server"
    );
    // The stored URL is unchanged.
    let url = app.projects().list_projects().projects[0].url.clone();
    assert_eq!(url, bed.ws_url);

    // The same server with an empty secret checks and saves with the stored one; a path
    // behind the same origin is the same server.
    app.projects()
        .check_project_input(form(&bed.ws_url, ""), Some(&id))
        .await
        .expect("same server");
    app.projects()
        .update_project(&id, form(&bed.ws_url, ""), true)
        .await
        .expect("same server keeps the secret");

    // Moving with the secret typed again is an ordinary edit (not checked: nothing listens).
    app.projects()
        .update_project(&id, form(&elsewhere, &bed.api_secret), false)
        .await
        .expect("moved with the secret");
    assert_eq!(app.projects().list_projects().projects[0].url, elsewhere);
}

#[derive(Default)]
struct Views(Mutex<Vec<RoomView>>);

impl RoomViewSink for Views {
    fn view(&self, view: &RoomView) -> bool {
        self.0.lock().unwrap().push(view.clone());
        true
    }
}

impl Views {
    fn ended(&self) -> Option<String> {
        self.0.lock().unwrap().iter().find_map(|v| match &v.state {
            RoomViewState::Ended { reason } => Some(reason.clone()),
            _ => None,
        })
    }
}

struct NoWall;

impl WallSink for NoWall {
    fn event(&self, _: &WallEvent) -> bool {
        true
    }
    fn notify(&self, _: &Alert) {}
}

/// The hidden participants the server lists in `room`.
async fn hidden(app: &earshot_core::Earshot, room: &str) -> usize {
    let handle = app.projects().default_handle().await.expect("handle");
    app.listen()
        .hidden_participants(&handle, room)
        .await
        .expect("hidden participants")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_secret_ends_what_used_the_old_one() {
    let bed = livekit();
    let app = common::bed_app().await;
    let id = app.projects().default_project().expect("project");
    let handle = app.projects().default_handle().await.expect("handle");
    let sink = Arc::new(Recorder::default());
    app.listen().attach(sink.clone());
    app.wallboard().attach(Arc::new(NoWall));
    let room = unique_room("rebind");
    let _caller = tone_peer(bed, &room, "caller", 440.0);

    app.listen()
        .start(&handle, &room, true)
        .await
        .expect("listen");
    let views = Arc::new(Views::default());
    app.wallboard()
        .open_room_view(&handle, &room, views.clone())
        .await
        .expect("room view");
    let mut joined = 0;
    for _ in 0..20 {
        joined = hidden(&app, &room).await;
        if joined == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(joined, 2, "listener and view joined");

    // A new name is no new credential: both stay.
    let renamed = ProjectInput {
        name: "bed renamed".into(),
        ..form(&bed.ws_url, "")
    };
    app.projects()
        .update_project(&id, renamed, false)
        .await
        .expect("rename");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.listen().status().rooms[0].state, ListenState::Live);
    assert_eq!(views.ended(), None);

    // The secret typed again (the same value, as after a rotation back): both end, and the
    // server no longer lists them.
    app.projects()
        .update_project(&id, form(&bed.ws_url, &bed.api_secret), false)
        .await
        .expect("new secret");
    let ended = until(Duration::from_secs(5), || {
        matches!(
            app.listen().status().rooms.first().map(|r| r.state.clone()),
            Some(ListenState::Ended {
                reason: EndReason::ProjectChanged
            })
        ) && views.ended().is_some()
    })
    .await;
    assert!(
        ended,
        "listen {:?}, view {:?}",
        app.listen().status().rooms,
        views.ended()
    );
    assert!(views.ended().unwrap().contains("credentials changed"));
    assert!(sink.saw(|e| matches!(
        e,
        earshot_core::listen::engine::ListenEvent::State {
            state: ListenState::Ended {
                reason: EndReason::ProjectChanged
            },
            ..
        }
    )));
    let mut gone = false;
    for _ in 0..20 {
        if hidden(&app, &room).await == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(gone, "the server still lists Earshot's hidden connections");

    // Listening again uses the new credentials and stays.
    let handle = app.projects().default_handle().await.expect("handle");
    app.listen()
        .stop(&earshot_core::protocol::listen::RoomKey::new(
            id.clone(),
            room.clone(),
        ))
        .await
        .ok();
    app.listen()
        .start(&handle, &room, false)
        .await
        .expect("listen again");
}

#[tokio::test]
async fn removing_a_project_removes_its_storage_credentials() {
    let app = common::bed_app().await;
    let id = app.projects().default_project().expect("project");
    let handle = app.projects().default_handle().await.expect("handle");
    let profile = StorageInput {
        profile: StorageProfile {
            name: "archive".into(),
            kind: "s3".into(),
            bucket: "recordings".into(),
            region: "eu-central-1".into(),
            access_key: "AKIAEXAMPLE".into(),
            ..Default::default()
        },
        credential: SecretInput::new("storage-secret-to-forget"),
        create: true,
    };
    earshot_core::storage::save_storage_profile(app.projects(), &handle, &profile)
        .await
        .expect("save");
    let account = format!("storage:{id}:archive");
    assert!(app
        .projects()
        .vault()
        .get(&account)
        .await
        .unwrap()
        .is_some());

    app.projects().remove_project(&id).await.expect("remove");
    assert!(
        app.projects()
            .vault()
            .get(&account)
            .await
            .unwrap()
            .is_none(),
        "the storage credential outlived its project"
    );
    let left: Vec<String> = app
        .projects()
        .settings()
        .entries()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("storage:"))
        .collect();
    assert!(left.is_empty(), "storage profiles left behind: {left:?}");
}

#[tokio::test]
async fn plaintext_to_a_public_host_waits_for_the_opt_in() {
    use earshot_core::protocol::egress::{EgressKind, EgressRequest};
    use earshot_core::settings::{MemorySettings, SettingsStore};
    use earshot_core::vault::{MemoryStore, Vault};
    // A project saved by an older version: ws:// to a public name, no opt-in.
    let settings = Arc::new(MemorySettings::default());
    settings
        .set(
            "projects.old",
            serde_json::json!({"name": "Old", "url": "ws://livekit.example.com", "api_key": "k"}),
        )
        .unwrap();
    let vault = Vault::new(MemoryStore::default());
    vault
        .set("project:old", earshot_core::vault::Secret::new("s"))
        .await
        .unwrap();
    let app = earshot_core::Earshot::new(settings, vault);
    let err = app.project("old").await.unwrap_err();
    assert_eq!(
        err.code,
        earshot_core::protocol::ErrorCode::InvalidUrl,
        "{err:?}"
    );
    assert!(err.message.contains("unencrypted"), "{}", err.message);

    // Allowed explicitly by an edit, it can be used, and says so on the Projects page.
    let allowed = ProjectInput {
        name: "Old".into(),
        url: "ws://livekit.example.com".into(),
        api_key: "k".into(),
        api_secret: SecretInput::new("s"),
        allow_plaintext: true,
        guardrails: Default::default(),
    };
    let saved = app
        .projects()
        .update_project("old", allowed, false)
        .await
        .expect("opt-in");
    assert!(saved.allow_plaintext);
    let handle = app.project("old").await.expect("usable after the opt-in");

    // Storage credentials never go over it.
    let request = EgressRequest {
        kind: EgressKind::RoomComposite,
        room_name: "r".into(),
        layout: "speaker".into(),
        storage: "archive".into(),
        preset: "h264_720p_30".into(),
        outputs: earshot_core::protocol::egress::EgressOutputs {
            file: Some(earshot_core::protocol::egress::FileOutput {
                file_type: "mp4".into(),
                filepath: "rec/{room_name}.mp4".into(),
                disable_manifest: false,
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = earshot_core::egress::start_egress(app.projects(), &handle, &request)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("storage"), "{err:?}");
    assert!(err.message.contains("wss://"), "{}", err.message);
}
