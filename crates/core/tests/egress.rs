//! Egress against the real livekit-server with no livekit-egress worker: listing works,
//! every kind of start gets the server's "no worker" answer as ErrorCode::NoWorker (or its
//! NotFound for a missing room), bad input is refused before sending, and storage
//! credentials stay in the vault, out of settings.

use earshot_core::protocol::egress::{
    EgressKind, EgressOutputs, EgressRequest, FileOutput, ImagesOutput, SegmentsOutput,
    StorageInput, StorageProfile, StreamOutput,
};
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::settings::{MemorySettings, SettingsStore};
use earshot_core::vault::{MemoryStore, Vault};
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;

async fn app() -> (Earshot, Arc<MemorySettings>) {
    let bed = livekit();
    let settings = Arc::new(MemorySettings::default());
    let app = Earshot::new(settings.clone(), Vault::new(MemoryStore::default()));
    app.projects()
        .add_project(
            ProjectInput {
                name: "bed".into(),
                url: bed.ws_url.clone(),
                api_key: bed.api_key.clone(),
                api_secret: SecretInput::new(bed.api_secret.clone()),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            true,
        )
        .await
        .expect("test bed project");
    (app, settings)
}

fn every_output() -> EgressOutputs {
    EgressOutputs {
        file: Some(FileOutput {
            file_type: "mp4".into(),
            filepath: "rec/{room_name}-{time}.mp4".into(),
            disable_manifest: false,
        }),
        stream: Some(StreamOutput {
            protocol: "rtmp".into(),
            urls: vec!["rtmp://127.0.0.1:1935/live/key".into()],
        }),
        segments: Some(SegmentsOutput {
            filename_prefix: "hls/{room_name}".into(),
            playlist_name: "index.m3u8".into(),
            live_playlist_name: "live.m3u8".into(),
            segment_duration: 4,
        }),
        images: Some(ImagesOutput {
            capture_interval: 10,
            width: 640,
            height: 360,
            filename_prefix: "thumbs/{room_name}".into(),
        }),
        websocket_url: String::new(),
    }
}

/// When the seeded egress record started (ms since the epoch).
const SEEDED_START_MS: i64 = 1_700_000_000_000;

/// Stores an active room-composite egress for `room` in the test server's redis, as
/// livekit-server stores one (the `egress` hash, by egress id); returns its id.
fn seed_egress_record(room: &str) -> String {
    use livekit_protocol as proto;
    use prost::Message;
    let id = format!("EG_seed{:08x}", rand::random::<u32>());
    let info = proto::EgressInfo {
        egress_id: id.clone(),
        room_name: room.to_owned(),
        status: proto::EgressStatus::EgressActive as i32,
        started_at: SEEDED_START_MS * 1_000_000,
        updated_at: SEEDED_START_MS * 1_000_000,
        request: Some(proto::egress_info::Request::RoomComposite(
            proto::RoomCompositeEgressRequest {
                room_name: room.to_owned(),
                layout: "speaker".into(),
                ..Default::default()
            },
        )),
        ..Default::default()
    };
    let mut cli = std::process::Command::new("redis-cli")
        .args([
            "-p",
            &livekit().redis_port.to_string(),
            "-x",
            "HSET",
            "egress",
            &id,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-cli");
    std::io::Write::write_all(&mut cli.stdin.take().expect("stdin"), &info.encode_to_vec())
        .expect("write the record");
    assert!(cli.wait().expect("redis-cli").success(), "HSET egress");
    id
}

#[tokio::test]
async fn every_start_without_a_worker_is_no_worker() {
    let (app, _) = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("egress");
    earshot_core::admin::create_room(
        &handle,
        &earshot_core::protocol::admin::RoomOptions {
            name: room.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("room");
    let listed = earshot_core::egress::list_egress(&handle, None, false)
        .await
        .expect("list all");
    assert!(listed.iter().all(|e| !e.id.is_empty()));

    // A listing that is not empty: an egress record seeded in the server's own store (redis,
    // where livekit-server keeps egress as EgressInfo protobufs), read back through the API.
    let seeded = seed_egress_record(&room);
    let listed = earshot_core::egress::list_egress(&handle, None, false)
        .await
        .expect("list all");
    let found = listed
        .iter()
        .find(|e| e.id == seeded)
        .unwrap_or_else(|| panic!("the seeded egress {seeded} is listed: {listed:?}"));
    assert_eq!(found.room_name, room);
    assert_eq!(found.kind, EgressKind::RoomComposite);
    assert_eq!(
        found.status,
        earshot_core::protocol::egress::EgressStatus::Active
    );
    assert_eq!(found.started_at_ms, SEEDED_START_MS);
    assert!(
        earshot_core::egress::list_egress(&handle, Some(&room), true)
            .await
            .expect("list room")
            .is_empty()
    );

    let base = EgressRequest {
        room_name: room.clone(),
        outputs: every_output(),
        preset: "h264_1080p_30".into(),
        ..Default::default()
    };
    let mut requests = vec![
        EgressRequest {
            kind: EgressKind::RoomComposite,
            layout: "speaker".into(),
            ..base.clone()
        },
        EgressRequest {
            kind: EgressKind::Web,
            url: "http://127.0.0.1:9/page".into(),
            ..base.clone()
        },
        EgressRequest {
            kind: EgressKind::Participant,
            identity: "someone".into(),
            ..base.clone()
        },
        EgressRequest {
            kind: EgressKind::TrackComposite,
            audio_track_id: "TR_a".into(),
            ..base.clone()
        },
    ];
    requests.push(EgressRequest {
        kind: EgressKind::Track,
        track_id: "TR_x".into(),
        outputs: EgressOutputs {
            websocket_url: "ws://127.0.0.1:9/track".into(),
            ..Default::default()
        },
        ..base.clone()
    });
    // Each start waits ~22-24 s for a worker before the server gives up (measured on
    // livekit-server v1.13.3), so the five kinds are started together.
    let started = std::time::Instant::now();
    let handle = app.projects().default_handle().await.expect("project");
    let (a, b, c, d, e) = tokio::join!(
        earshot_core::egress::start_egress(app.projects(), &handle, &requests[0]),
        earshot_core::egress::start_egress(app.projects(), &handle, &requests[1]),
        earshot_core::egress::start_egress(app.projects(), &handle, &requests[2]),
        earshot_core::egress::start_egress(app.projects(), &handle, &requests[3]),
        earshot_core::egress::start_egress(app.projects(), &handle, &requests[4]),
    );
    eprintln!("five starts answered after {:?}", started.elapsed());
    // Later than an ordinary call's 10 s timeout would have allowed: the start calls'
    // own longer timeout is what lets the server's answer arrive as NoWorker.
    assert!(
        started.elapsed() > std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    for (r, result) in requests.iter().zip([a, b, c, d, e]) {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::NoWorker, "{}: {err:?}", r.kind.label());
        assert!(err.message.contains("livekit-egress"), "{}", err.message);
        eprintln!("{}: {}", r.kind.label(), err.message);
    }

    // The server checks the room before looking for a worker.
    let err = earshot_core::egress::start_egress(
        app.projects(),
        &handle,
        &EgressRequest {
            room_name: unique_room("missing"),
            ..requests[0].clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");

    for (result, what) in [
        (
            earshot_core::egress::stop_egress(&handle, "EG_missing")
                .await
                .map(|_| ()),
            "stop",
        ),
        (
            earshot_core::egress::update_egress_layout(&handle, "EG_missing", "grid")
                .await
                .map(|_| ()),
            "layout",
        ),
        (
            earshot_core::egress::update_egress_stream(
                &handle,
                "EG_missing",
                &["rtmp://127.0.0.1/live/b".into()],
                &[],
            )
            .await
            .map(|_| ()),
            "stream",
        ),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound, "{what}: {err:?}");
    }
}

#[tokio::test]
async fn bad_egress_input_is_refused_inline() {
    let (app, _) = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let cases = [
        (
            EgressRequest {
                kind: EgressKind::Web,
                url: "file:///etc/passwd".into(),
                outputs: every_output(),
                ..Default::default()
            },
            "url",
        ),
        (
            EgressRequest {
                kind: EgressKind::RoomComposite,
                room_name: "r".into(),
                outputs: EgressOutputs {
                    stream: Some(StreamOutput {
                        protocol: "srt".into(),
                        urls: vec!["rtmp://x/live".into()],
                    }),
                    ..Default::default()
                },
                ..Default::default()
            },
            "stream_urls",
        ),
        (
            EgressRequest {
                kind: EgressKind::RoomComposite,
                room_name: "r".into(),
                ..Default::default()
            },
            "outputs",
        ),
        (
            EgressRequest {
                kind: EgressKind::RoomComposite,
                room_name: "r".into(),
                outputs: every_output(),
                storage: "nowhere".into(),
                ..Default::default()
            },
            "storage",
        ),
    ];
    for (r, field) in cases {
        let err = earshot_core::egress::start_egress(app.projects(), &handle, &r)
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
    // UpdateStream follows the start form's URL rules and needs a URL; refused before
    // sending (the id does not exist, which the server would answer NotFound).
    for add in [vec!["http://127.0.0.1/live".to_owned()], vec![]] {
        let err = earshot_core::egress::update_egress_stream(&handle, "EG_missing", &add, &[])
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::InvalidInput, Some("stream_add")),
            "{add:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn storage_credentials_stay_in_the_vault() {
    let (app, settings) = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
    let s3 = StorageInput {
        profile: StorageProfile {
            name: "archive".into(),
            kind: "s3".into(),
            bucket: "recordings".into(),
            region: "eu-central-1".into(),
            endpoint: "http://127.0.0.1:9000".into(),
            access_key: "AKIAEXAMPLE".into(),
            force_path_style: true,
            assume_role_arn: "arn:aws:iam::123456789012:role/egress".into(),
            assume_role_external_id: "earshot-ext".into(),
            tagging: "team=support&keep=90d".into(),
            content_disposition: "attachment".into(),
            metadata: [("room-kind".to_owned(), "support".to_owned())].into(),
        },
        credential: SecretInput::new(secret),
        create: true,
    };
    let saved = earshot_core::storage::save_storage_profile(app.projects(), &handle, &s3)
        .await
        .expect("save");
    assert!(saved.has_credential);
    let text = serde_json::to_string(&settings.entries()).unwrap();
    assert!(
        text.contains("recordings") && !text.contains(secret),
        "{text}"
    );
    assert!(!serde_json::to_string(&saved).unwrap().contains(secret));

    // Editing without a credential keeps the stored one while uploads go to the same place;
    // another bucket needs it typed again.
    let moved = StorageInput {
        profile: StorageProfile {
            bucket: "recordings-2".into(),
            ..s3.profile.clone()
        },
        credential: SecretInput::default(),
        create: false,
    };
    let err = earshot_core::storage::save_storage_profile(app.projects(), &handle, &moved)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("credential"), "{err:?}");
    let edited = StorageInput {
        profile: StorageProfile {
            tagging: "team=sales".into(),
            ..s3.profile.clone()
        },
        credential: SecretInput::default(),
        create: false,
    };
    earshot_core::storage::save_storage_profile(app.projects(), &handle, &edited)
        .await
        .expect("edit");
    let listed = earshot_core::storage::list_storage_profiles(app.projects(), &handle)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].profile, edited.profile, "every field read back");
    assert!(listed[0].has_credential);

    // A changed provider needs a new credential: the S3 secret is no GCS key.
    let to_gcs = StorageInput {
        profile: StorageProfile {
            name: "archive".into(),
            kind: "gcs".into(),
            bucket: "recordings-gcs".into(),
            ..Default::default()
        },
        credential: SecretInput::default(),
        create: false,
    };
    let err = earshot_core::storage::save_storage_profile(app.projects(), &handle, &to_gcs)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("credential"), "{err:?}");
    assert!(err.message.contains("from s3 to gcs"), "{}", err.message);
    // A "new" profile under a taken name is refused rather than taking the credential.
    let taken = StorageInput {
        profile: StorageProfile {
            bucket: "takeover".into(),
            ..s3.profile.clone()
        },
        credential: SecretInput::new("another-secret-that-must-not-land"),
        create: true,
    };
    let err = earshot_core::storage::save_storage_profile(app.projects(), &handle, &taken)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::DuplicateName, Some("name")),
        "{err:?}"
    );
    let listed = earshot_core::storage::list_storage_profiles(app.projects(), &handle)
        .await
        .expect("list");
    assert_eq!(listed[0].profile, edited.profile, "neither refusal saved");

    // Missing fields: named inline, nothing stored.
    let bad = StorageInput {
        profile: StorageProfile {
            name: "azure".into(),
            kind: "azure".into(),
            ..Default::default()
        },
        credential: SecretInput::default(),
        create: true,
    };
    let err = earshot_core::storage::save_storage_profile(app.projects(), &handle, &bad)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("bucket"));
    assert_eq!(
        earshot_core::storage::list_storage_profiles(app.projects(), &handle)
            .await
            .unwrap()
            .len(),
        1
    );

    // A start with the profile resolves its credential and reaches the server.
    let room = unique_room("stored");
    earshot_core::admin::create_room(
        &handle,
        &earshot_core::protocol::admin::RoomOptions {
            name: room.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("room");
    let err = earshot_core::egress::start_egress(
        app.projects(),
        &handle,
        &EgressRequest {
            kind: EgressKind::RoomComposite,
            room_name: room,
            outputs: EgressOutputs {
                file: every_output().file,
                ..Default::default()
            },
            storage: "archive".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NoWorker, "{err:?}");

    earshot_core::storage::delete_storage_profile(app.projects(), &handle, "archive")
        .await
        .expect("delete");
    assert!(
        earshot_core::storage::list_storage_profiles(app.projects(), &handle)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!serde_json::to_string(&settings.entries())
        .unwrap()
        .contains("recordings"));
}
