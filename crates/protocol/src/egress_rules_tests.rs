//! Unit tests of the egress input rules.

use super::*;
use crate::egress::{
    EgressOutputs, FileOutput, StorageInput, StorageProfile, StorageSummary, StreamOutput,
};
use crate::{ErrorCode, SecretInput};

fn fields(errors: Vec<AppError>) -> Vec<String> {
    errors.into_iter().filter_map(|e| e.field).collect()
}

fn file() -> Option<FileOutput> {
    Some(FileOutput {
        file_type: "mp4".into(),
        filepath: "rec/{room_name}.mp4".into(),
        disable_manifest: false,
    })
}

#[test]
fn egress_forms_name_each_bad_field() {
    let none = EgressRequest {
        kind: EgressKind::RoomComposite,
        room_name: "r".into(),
        layout: "mosaic".into(),
        ..Default::default()
    };
    assert_eq!(fields(egress_errors(&none)), ["layout", "outputs"]);
    let web = EgressRequest {
        kind: EgressKind::Web,
        url: "javascript:alert(1)".into(),
        outputs: EgressOutputs {
            stream: Some(StreamOutput {
                protocol: "rtmp".into(),
                urls: vec!["http://x/live".into(), "rtmp://a.example/live/key".into()],
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(fields(egress_errors(&web)), ["url", "stream_urls"]);
    let track = EgressRequest {
        kind: EgressKind::Track,
        room_name: "r".into(),
        track_id: "TR_x".into(),
        outputs: EgressOutputs {
            file: file(),
            websocket_url: "ws://127.0.0.1:9/x".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(fields(egress_errors(&track)), ["websocket_url"]);
    let ok = EgressRequest {
        kind: EgressKind::RoomComposite,
        room_name: "r".into(),
        layout: "speaker".into(),
        outputs: EgressOutputs {
            file: file(),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(egress_errors(&ok).is_empty());
}

#[test]
fn storage_needs_its_fields_and_a_credential() {
    let s3 = StorageInput {
        profile: StorageProfile {
            name: "archive".into(),
            kind: "s3".into(),
            endpoint: "minio:9000".into(),
            ..Default::default()
        },
        credential: SecretInput::default(),
        create: true,
    };
    assert_eq!(
        fields(storage_errors(&s3, None)),
        ["bucket", "access_key", "endpoint", "credential"]
    );
    // An existing profile keeps its stored credential.
    let kept = StorageSummary {
        profile: s3.profile.clone(),
        has_credential: true,
    };
    let edit = StorageInput {
        create: false,
        ..s3.clone()
    };
    assert!(!fields(storage_errors(&edit, Some(&kept))).contains(&"credential".to_owned()));
    let gcs = StorageInput {
        profile: StorageProfile {
            name: "g".into(),
            kind: "gcs".into(),
            bucket: "b".into(),
            ..Default::default()
        },
        credential: SecretInput::new("{\"type\": \"service_account\"}"),
        create: true,
    };
    let errs = storage_errors(&gcs, None);
    assert_eq!(fields(errs.clone()), ["credential"]);
    assert!(
        !errs[0].message.contains("service_account"),
        "never echoes the secret"
    );
}

#[test]
fn custom_encoding_is_checked_field_by_field() {
    use crate::egress::AdvancedEncoding;
    let good = AdvancedEncoding {
        width: 1280,
        height: 720,
        depth: 24,
        framerate: 30,
        audio_codec: "opus".into(),
        audio_bitrate: 128,
        audio_frequency: 48_000,
        video_codec: "h264_main".into(),
        video_bitrate: 3000,
        key_frame_interval: 4,
    };
    assert!(encoding_errors(&good).is_empty());
    assert!(
        encoding_errors(&AdvancedEncoding::default()).is_empty(),
        "all defaults"
    );
    let bad = AdvancedEncoding {
        width: 1281,
        height: 0,
        depth: 12,
        framerate: 120,
        audio_codec: "flac".into(),
        audio_bitrate: 4,
        audio_frequency: 22_050,
        video_codec: "av1".into(),
        video_bitrate: 50,
        key_frame_interval: 60,
    };
    assert_eq!(
        fields(encoding_errors(&bad)),
        [
            "enc_width",
            "enc_height",
            "enc_depth",
            "enc_framerate",
            "enc_audio_codec",
            "enc_audio_bitrate",
            "enc_audio_frequency",
            "enc_video_codec",
            "enc_video_bitrate",
            "enc_key_frame_interval"
        ]
    );
    let file = EgressOutputs {
        file: file(),
        ..Default::default()
    };
    // Not with a preset, not for a track egress.
    let both = EgressRequest {
        kind: EgressKind::RoomComposite,
        room_name: "r".into(),
        preset: "h264_720p_30".into(),
        advanced: Some(good.clone()),
        outputs: file.clone(),
        ..Default::default()
    };
    assert_eq!(fields(egress_errors(&both)), ["preset"]);
    let track = EgressRequest {
        kind: EgressKind::Track,
        room_name: "r".into(),
        track_id: "TR_x".into(),
        advanced: Some(good),
        outputs: file,
        ..Default::default()
    };
    assert_eq!(fields(egress_errors(&track)), ["advanced"]);
}

#[test]
fn s3_extras_are_checked_and_only_for_s3() {
    let s3 = |f: &dyn Fn(&mut StorageProfile)| {
        let mut profile = StorageProfile {
            name: "p".into(),
            kind: "s3".into(),
            bucket: "b".into(),
            region: "eu-west-1".into(),
            access_key: "AK".into(),
            ..Default::default()
        };
        f(&mut profile);
        fields(storage_errors(
            &StorageInput {
                profile,
                credential: SecretInput::new("secret"),
                create: true,
            },
            None,
        ))
    };
    assert!(s3(&|p| {
        p.assume_role_arn = "arn:aws:iam::123456789012:role/egress".into();
        p.assume_role_external_id = "ext-1".into();
        p.tagging = "team=support&keep=90d".into();
        p.content_disposition = "attachment".into();
        p.metadata.insert("room-kind".into(), "support".into());
    })
    .is_empty());
    assert_eq!(
        s3(&|p| p.assume_role_arn = "egress-role".into()),
        ["assume_role_arn"]
    );
    assert_eq!(
        s3(&|p| p.assume_role_external_id = "ext".into()),
        ["assume_role_external_id"]
    );
    assert_eq!(s3(&|p| p.tagging = "team=a&=b".into()), ["tagging"]);
    assert_eq!(s3(&|p| p.tagging = "justaword".into()), ["tagging"]);
    assert_eq!(
        s3(&|p| {
            p.metadata.insert("has space".into(), "x".into());
        }),
        ["s3_metadata"]
    );
    assert_eq!(
        s3(&|p| {
            p.kind = "gcs".into();
            p.tagging = "a=b".into();
        }),
        ["assume_role_arn", "credential"]
    );
}

fn stored_s3() -> StorageSummary {
    StorageSummary {
        profile: StorageProfile {
            name: "archive".into(),
            kind: "s3".into(),
            bucket: "b".into(),
            region: "eu-west-1".into(),
            access_key: "AK".into(),
            ..Default::default()
        },
        has_credential: true,
    }
}

#[test]
fn a_changed_provider_needs_a_new_credential() {
    let kept = stored_s3();
    let to_gcs = StorageInput {
        profile: StorageProfile {
            kind: "gcs".into(),
            region: String::new(),
            access_key: String::new(),
            ..kept.profile.clone()
        },
        credential: SecretInput::default(),
        create: false,
    };
    let errs = storage_errors(&to_gcs, Some(&kept));
    assert_eq!(fields(errs.clone()), ["credential"]);
    assert!(
        errs[0].message.contains("from s3 to gcs"),
        "{}",
        errs[0].message
    );
    // The same provider keeps it; a typed credential satisfies a change.
    let same = StorageInput {
        profile: kept.profile.clone(),
        ..to_gcs.clone()
    };
    assert!(storage_errors(&same, Some(&kept)).is_empty());
    let typed = StorageInput {
        credential: SecretInput::new(r#"{"private_key": "k"}"#),
        ..to_gcs
    };
    assert!(storage_errors(&typed, Some(&kept)).is_empty());
}

#[test]
fn a_new_profile_may_not_take_an_existing_name() {
    let kept = stored_s3();
    let new = StorageInput {
        profile: kept.profile.clone(),
        credential: SecretInput::new("other-secret"),
        create: true,
    };
    let errs = storage_errors(&new, Some(&kept));
    assert_eq!(fields(errs.clone()), ["name"]);
    assert_eq!(errs[0].code, ErrorCode::DuplicateName);
    assert!(
        errs[0].message.contains("“archive” exists"),
        "{}",
        errs[0].message
    );
    assert!(storage_errors(&new, None).is_empty());
    assert!(storage_errors(
        &StorageInput {
            create: false,
            ..new
        },
        Some(&kept)
    )
    .is_empty());
}

#[test]
fn stream_updates_follow_the_start_rules() {
    let urls = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        fields(stream_update_errors("rtmp", &[], &[])),
        ["stream_add"]
    );
    assert!(stream_update_errors("rtmp", &urls(&["rtmps://x/live/k"]), &[]).is_empty());
    assert_eq!(
        fields(stream_update_errors("rtmp", &urls(&["srt://x:9000"]), &[])),
        ["stream_add"]
    );
    assert_eq!(
        fields(stream_update_errors(
            "srt",
            &urls(&["rtmp://x/live", "srt://x:1"]),
            &[]
        )),
        ["stream_add"]
    );
    assert_eq!(
        fields(stream_update_errors("", &urls(&["http://x/live"]), &[])),
        ["stream_add"]
    );
    // Removing takes the URL as listed (the worker may have redacted its key).
    assert!(stream_update_errors("rtmp", &[], &urls(&["rtmp://x/live/{k...y}"])).is_empty());
}

#[test]
fn the_kind_select_offers_every_startable_kind() {
    use crate::egress::EGRESS_KINDS;
    let labels: Vec<_> = EgressKind::STARTABLE.map(EgressKind::label).into();
    assert_eq!(labels, EGRESS_KINDS);
    assert!(EGRESS_KINDS
        .iter()
        .all(|l| EgressKind::from_label(l).label() == *l));
}

#[test]
fn a_stored_credential_is_only_kept_for_where_it_was_saved() {
    let kept = stored_s3();
    let moved = |change: &dyn Fn(&mut StorageProfile)| {
        let mut profile = kept.profile.clone();
        change(&mut profile);
        StorageInput {
            profile,
            credential: SecretInput::default(),
            create: false,
        }
    };
    type Change<'a> = (&'a str, &'a dyn Fn(&mut StorageProfile));
    let changes: [Change; 4] = [
        ("endpoint", &|p| {
            p.endpoint = "https://elsewhere.example".into()
        }),
        ("bucket", &|p| p.bucket = "other-bucket".into()),
        ("region", &|p| p.region = "eu-west-3".into()),
        ("key id", &|p| p.access_key = "AKIAOTHER".into()),
    ];
    for (what, change) in changes {
        let errs = storage_errors(&moved(change), Some(&kept));
        assert_eq!(fields(errs.clone()), ["credential"], "{what}");
        assert!(
            errs[0].message.contains("enter the"),
            "{what}: {}",
            errs[0].message
        );
        // Typing the credential again satisfies the change.
        let typed = StorageInput {
            credential: SecretInput::new("typed-again"),
            ..moved(change)
        };
        assert!(storage_errors(&typed, Some(&kept)).is_empty(), "{what}");
    }
    // Fields that do not say where uploads go keep it.
    let same_place = moved(&|p| p.tagging = "team=support".into());
    assert!(storage_errors(&same_place, Some(&kept)).is_empty());
}
