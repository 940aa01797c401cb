//! Ingress against the real livekit-server with no livekit-ingress worker: RTMP and WHIP
//! ingresses are records the server keeps (created, listed, updated, deleted); a URL
//! ingress must start pulling at once, which the server cannot do without a worker.

mod common;

use earshot_core::protocol::ingress::{
    AudioEncoding, IngressInput, IngressSpec, IngressStatus, VideoEncoding,
};
use earshot_core::protocol::ErrorCode;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};

async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

#[tokio::test]
async fn rtmp_and_whip_ingress_round_trip() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("ingress");
    let rtmp = IngressSpec {
        input_type: IngressInput::Rtmp,
        name: "OBS".into(),
        room_name: room.clone(),
        participant_identity: "obs".into(),
        participant_name: "Studio camera".into(),
        participant_metadata: r#"{"desk": 2}"#.into(),
        enable_transcoding: Some(true),
        audio: AudioEncoding {
            preset: "custom".into(),
            codec: "opus".into(),
            bitrate: 96_000,
            channels: 2,
            disable_dtx: true,
        },
        video: VideoEncoding {
            preset: "h264_540p_25fps_2_layers".into(),
            ..Default::default()
        },
        enabled: Some(true),
        ..Default::default()
    };
    let created = earshot_core::ingress::create_ingress(&handle, &rtmp)
        .await
        .expect("rtmp");
    assert!(created.id.starts_with("IN_"), "{}", created.id);
    assert_eq!(created.spec, rtmp);
    assert!(!created.stream_key.is_empty());
    // The push URL is the server config's ingress.rtmp_base_url, which the test bed sets.
    assert_eq!(created.stream_url, earshot_testbed::RTMP_BASE_URL);
    assert_eq!(created.status, IngressStatus::Inactive);

    let whip = IngressSpec {
        input_type: IngressInput::Whip,
        name: "Browser".into(),
        room_name: room.clone(),
        participant_identity: "whip".into(),
        ..Default::default()
    };
    let w = earshot_core::ingress::create_ingress(&handle, &whip)
        .await
        .expect("whip");
    // The server's default for WHIP: no transcoding (media passes through).
    assert_eq!(w.spec.enable_transcoding, Some(false));
    assert_ne!(w.stream_key, created.stream_key);
    assert_eq!(w.stream_url, earshot_testbed::WHIP_BASE_URL);

    let listed = earshot_core::ingress::list_ingress(&handle, Some(&room))
        .await
        .expect("list");
    let ids: Vec<_> = listed.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(listed.len(), 2, "{ids:?}");
    assert!(ids.contains(&created.id.as_str()) && ids.contains(&w.id.as_str()));
    assert!(
        earshot_core::ingress::list_ingress(&handle, None)
            .await
            .expect("all")
            .len()
            >= 2
    );

    let changed = IngressSpec {
        name: "OBS 2".into(),
        participant_name: "Camera 2".into(),
        video: VideoEncoding {
            preset: "custom".into(),
            codec: "vp8".into(),
            frame_rate: 25,
            layers: vec![earshot_core::protocol::ingress::VideoLayerSpec {
                width: 1280,
                height: 720,
                bitrate: 2_500_000,
            }],
        },
        ..rtmp.clone()
    };
    let updated = earshot_core::ingress::update_ingress(&handle, &created.id, &changed)
        .await
        .expect("update");
    assert_eq!(updated.spec, changed);
    assert_eq!(updated.stream_key, created.stream_key, "the key stays");

    for id in [&created.id, &w.id] {
        earshot_core::ingress::delete_ingress(&handle, id)
            .await
            .expect("delete");
    }
    assert!(earshot_core::ingress::list_ingress(&handle, Some(&room))
        .await
        .expect("list")
        .is_empty());
    let err = earshot_core::ingress::delete_ingress(&handle, &created.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
}

#[tokio::test]
async fn url_ingress_without_a_worker_says_so() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let spec = IngressSpec {
        input_type: IngressInput::Url,
        room_name: unique_room("pull"),
        participant_identity: "pulled".into(),
        url: "http://127.0.0.1:9/live.m3u8".into(),
        ..Default::default()
    };
    let err = earshot_core::ingress::create_ingress(&handle, &spec)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NoWorker, "{err:?}");
    assert!(err.message.contains("livekit-ingress"), "{}", err.message);
    eprintln!("URL ingress without a worker: {}", err.message);

    let bad = earshot_core::ingress::create_ingress(
        &handle,
        &IngressSpec {
            url: "ftp://127.0.0.1/x".into(),
            ..spec
        },
    )
    .await
    .unwrap_err();
    assert_eq!(bad.field.as_deref(), Some("url"));
}
