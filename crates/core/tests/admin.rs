//! Room and participant administration and tokens against the real livekit-server, with
//! official Python SDK participants reporting what they see.

mod common;

use earshot_core::protocol::admin::{
    DataMessage, ParticipantChanges, PermissionChanges, RoomOptions,
};
use earshot_core::protocol::rooms::{ParticipantKind, TrackKind, TrackSource};
use earshot_core::protocol::tokens::{Grants, TokenRequest};
use earshot_core::protocol::ErrorCode;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

/// A field of a hash livekit-server keeps in the test bed's redis, as raw bytes (empty when
/// absent). The server stores CreateRoom's options there but returns only some of them.
fn redis_hash(key: &str, field: &str) -> Vec<u8> {
    let port = livekit().redis_port.to_string();
    let mut args = vec!["-h", "127.0.0.1", "-p", &port, "--raw"];
    args.extend(if field.is_empty() {
        vec!["HKEYS", key]
    } else {
        vec!["HGET", key, field]
    });
    let out = std::process::Command::new("redis-cli")
        .args(&args)
        .output()
        .expect("redis-cli (Debian redis-tools) runs");
    assert!(out.status.success(), "redis-cli failed: {out:?}");
    let mut bytes = out.stdout;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    bytes
}

fn options(name: &str) -> RoomOptions {
    RoomOptions {
        name: name.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn created_room_options_read_back() {
    use livekit_protocol as proto;
    use prost::Message as _;
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let name = unique_room("opts");
    // The single node of the test bed, so that pinning the room to it can be checked.
    let node = String::from_utf8(redis_hash("nodes", "")).expect("node ids");
    let node = node.lines().next().expect("one node registered").to_owned();
    let created = earshot_core::admin::create_room(
        &handle,
        &RoomOptions {
            name: name.clone(),
            empty_timeout: Some(120),
            departure_timeout: Some(30),
            max_participants: Some(7),
            metadata: r#"{"team": "support"}"#.into(),
            min_playout_delay: Some(50),
            max_playout_delay: Some(200),
            sync_streams: true,
            node_id: node.clone(),
            egress_json: r#"{"tracks": {"filepath": "calls/{room_name}/{track_id}"}}"#.into(),
            agents_json: r#"[{"agent_name": "notes", "metadata": "m"}]"#.into(),
        },
    )
    .await
    .expect("create");
    assert_eq!(created.name, name);
    let detail = earshot_core::admin::room_detail(&handle, &name)
        .await
        .expect("detail");
    assert_eq!(detail.empty_timeout, 120);
    assert_eq!(detail.departure_timeout, 30);
    assert_eq!(detail.max_participants, 7);
    assert_eq!(detail.room.metadata, r#"{"team": "support"}"#);
    assert!(detail.participants.is_empty());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    assert!(
        (now_ms - 60_000..=now_ms + 5_000).contains(&detail.creation_time_ms),
        "created at {} ms, now {now_ms}",
        detail.creation_time_ms
    );
    assert!(
        detail
            .enabled_codecs
            .iter()
            .any(|c| c.to_ascii_lowercase().starts_with("audio/opus")),
        "{:?}",
        detail.enabled_codecs
    );
    let agents = detail.agent_dispatches.expect("dispatches listed");
    assert_eq!(
        agents
            .iter()
            .map(|a| (a.agent_name.as_str(), a.metadata.as_str()))
            .collect::<Vec<_>>(),
        [("notes", "m")]
    );

    // The rest the server keeps to itself: read what it stored.
    let internal = redis_hash("room_internal", &name);
    let internal = proto::RoomInternal::decode(internal.as_slice()).expect("RoomInternal");
    let delay = internal.playout_delay.expect("playout delay stored");
    assert_eq!((delay.enabled, delay.min, delay.max), (true, 50, 200));
    assert!(internal.sync_streams);
    assert_eq!(
        internal
            .track_egress
            .expect("auto track egress stored")
            .filepath,
        "calls/{room_name}/{track_id}"
    );
    assert_eq!(internal.agent_dispatches.len(), 1);
    assert_eq!(
        String::from_utf8(redis_hash("room_node_map", &name)).expect("node id"),
        node
    );

    let unicode = "Sprechstunde – München 🎧";
    earshot_core::admin::create_room(&handle, &options(unicode))
        .await
        .expect("unicode names are fine");
    let rooms = earshot_core::admin::list_rooms(&handle)
        .await
        .expect("list")
        .rooms;
    assert!(rooms.iter().any(|r| r.name == unicode));
    earshot_core::admin::delete_room(&handle, unicode)
        .await
        .expect("delete unicode");
    earshot_core::admin::delete_room(&handle, &name)
        .await
        .expect("delete");
    let err = earshot_core::admin::room_detail(&handle, &name)
        .await
        .expect_err("deleted");
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let cases = [
        (options(" padded"), "name"),
        (options(&"r".repeat(200)), "name"),
        (
            RoomOptions {
                metadata: "x".repeat(64_001),
                ..options("meta-too-big")
            },
            "metadata",
        ),
        (
            RoomOptions {
                egress_json: "{ nope".into(),
                ..options("bad-egress")
            },
            "egress_json",
        ),
        (
            RoomOptions {
                agents_json: r#"{"agent_name": "x"}"#.into(),
                ..options("bad-agents")
            },
            "agents_json",
        ),
    ];
    for (opts, field) in cases {
        let err = earshot_core::admin::create_room(&handle, &opts)
            .await
            .expect_err(field);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{field}: {err:?}");
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
    let rooms = earshot_core::admin::list_rooms(&handle)
        .await
        .expect("list")
        .rooms;
    for name in ["meta-too-big", "bad-egress", "bad-agents", " padded"] {
        assert!(!rooms.iter().any(|r| r.name == name), "{name} was created");
    }
    let err = earshot_core::admin::send_data(&handle, "any", &DataMessage::default())
        .await
        .expect_err("empty payload");
    assert_eq!(err.field.as_deref(), Some("payload"));
}

#[tokio::test]
async fn participant_sees_metadata_data_and_permission_changes() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("moderate");
    let mut peer = Peer::join(bed, &room, "caller", PeerOptions::default()).expect("peer");

    earshot_core::admin::update_room_metadata(&handle, &room, r#"{"topic": "billing"}"#)
        .await
        .expect("metadata");
    peer.wait_for(WAIT, |e| {
        e["event"] == "room_metadata_changed" && e["metadata"] == r#"{"topic": "billing"}"#
    })
    .expect("the participant saw the new room metadata");

    earshot_core::admin::send_data(
        &handle,
        &room,
        &DataMessage {
            topic: "earshot".into(),
            payload: "hello ✓".into(),
            reliable: true,
            destination_identities: vec!["caller".into()],
        },
    )
    .await
    .expect("send data");
    peer.wait_for(WAIT, |e| {
        e["event"] == "data_received" && e["topic"] == "earshot" && e["payload"] == "hello ✓"
    })
    .expect("the participant received the data message");

    earshot_core::admin::send_data(
        &handle,
        &room,
        &DataMessage {
            topic: "lossy".into(),
            payload: "level 0.7".into(),
            reliable: false,
            destination_identities: Vec::new(),
        },
    )
    .await
    .expect("send lossy data");
    peer.wait_for(WAIT, |e| {
        e["event"] == "data_received"
            && e["topic"] == "lossy"
            && e["payload"] == "level 0.7"
            && e["reliable"] == false
    })
    .expect("the participant received the lossy message (on a loopback nothing is lost)");
    assert!(peer.seen.iter().any(|e| e["event"] == "data_received"
        && e["topic"] == "earshot"
        && e["reliable"] == true));

    let updated = earshot_core::admin::update_participant(
        &handle,
        &room,
        "caller",
        &ParticipantChanges {
            name: Some("Caller One".into()),
            metadata: Some("vip".into()),
            attributes: Some(BTreeMap::from([("tier".into(), "gold".into())])),
            permission: Some(PermissionChanges {
                can_publish: Some(false),
                can_publish_data: Some(false),
                can_publish_sources: Some(vec![TrackSource::Microphone]),
                ..Default::default()
            }),
        },
    )
    .await
    .expect("update participant");
    assert_eq!(updated.name, "Caller One");
    assert_eq!(
        updated.attributes.get("tier").map(String::as_str),
        Some("gold")
    );
    peer.wait_for(WAIT, |e| {
        e["event"] == "participant_permissions_changed"
            && e["can_publish"] == false
            && e["can_publish_data"] == false
            && e["can_publish_sources"] == serde_json::json!(["microphone"])
            && e["can_subscribe"] == true
    })
    .expect("the participant saw its new permissions");
    peer.wait_for(WAIT, |e| {
        e["event"] == "participant_metadata_changed" && e["metadata"] == "vip"
    })
    .expect("the participant saw its new metadata");

    // Clearing is not possible (the server reads "" as "no change"): refused, not faked.
    let err = earshot_core::admin::update_participant(
        &handle,
        &room,
        "caller",
        &ParticipantChanges {
            metadata: Some(String::new()),
            ..Default::default()
        },
    )
    .await
    .expect_err("clearing metadata");
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::InvalidInput, Some("metadata"))
    );

    earshot_core::admin::remove_participant(&handle, &room, "caller")
        .await
        .expect("remove");
    peer.wait_for(WAIT, |e| e["event"] == "disconnected")
        .expect("the participant was disconnected");
}

#[tokio::test]
async fn a_permission_edit_keeps_the_flags_it_does_not_touch() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("keep-flags");
    // `recorder` comes from the token; the Manage dialog shows no control for it.
    let token = earshot_core::admin::create_token(
        &handle,
        &TokenRequest {
            identity: "recorder-bot".into(),
            ttl_seconds: 600,
            grants: Grants {
                room: room.clone(),
                room_join: true,
                can_subscribe: true,
                can_publish: true,
                can_publish_data: true,
                recorder: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .expect("token");
    let mut peer = Peer::join(
        bed,
        &room,
        "ignored",
        PeerOptions {
            token: Some(token.jwt),
            ..Default::default()
        },
    )
    .expect("peer");
    let before = earshot_core::admin::room_detail(&handle, &room)
        .await
        .expect("detail")
        .participants
        .into_iter()
        .find(|p| p.identity == "recorder-bot")
        .expect("listed");
    assert!(before.permission.recorder, "{:?}", before.permission);

    let after = earshot_core::admin::update_participant(
        &handle,
        &room,
        "recorder-bot",
        &ParticipantChanges {
            permission: Some(PermissionChanges {
                can_publish_data: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .expect("update");
    peer.wait_for(WAIT, |e| {
        e["event"] == "participant_permissions_changed" && e["can_publish_data"] == false
    })
    .expect("the participant saw data publishing revoked");
    assert!(!after.permission.can_publish_data);
    assert!(
        after.permission.recorder,
        "recorder was revoked: {:?}",
        after.permission
    );
    assert!(after.permission.can_publish && after.permission.can_subscribe);
    let listed = earshot_core::admin::room_detail(&handle, &room)
        .await
        .expect("detail")
        .participants
        .into_iter()
        .find(|p| p.identity == "recorder-bot")
        .expect("listed");
    assert_eq!(listed.permission, after.permission);
}

#[tokio::test]
async fn muting_a_track_is_seen_by_its_publisher() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("mute");
    let mut peer = Peer::join(
        bed,
        &room,
        "speaker",
        PeerOptions {
            tone_hz: Some(440.0),
            ..Default::default()
        },
    )
    .expect("peer");
    let published = peer
        .wait_for(WAIT, |e| e["event"] == "published")
        .expect("published");
    let sid = published["track_sid"].as_str().expect("sid").to_owned();

    // The server lists the track a moment after the publisher learns its sid.
    let mut speaker = None;
    for _ in 0..50 {
        let detail = earshot_core::admin::room_detail(&handle, &room)
            .await
            .expect("detail");
        speaker = detail
            .participants
            .into_iter()
            .find(|p| p.tracks.iter().any(|t| t.sid == sid));
        if speaker.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let speaker = speaker.expect("the room detail lists the published track");
    assert_eq!(speaker.kind, ParticipantKind::Standard);
    let track = speaker.tracks.iter().find(|t| t.sid == sid).expect("track");
    assert_eq!(
        (track.kind, track.source),
        (TrackKind::Audio, TrackSource::Microphone)
    );
    // Opus, possibly wrapped in RED (redundant audio) as the Python SDK publishes it.
    let mime = track.mime_type.to_ascii_lowercase();
    assert!(mime.contains("opus") || mime.contains("red"), "{track:?}");

    let muted = earshot_core::admin::mute_track(&handle, &room, "speaker", &sid, true)
        .await
        .expect("mute");
    assert!(muted.muted);
    peer.wait_for(WAIT, |e| {
        e["event"] == "track_muted" && e["track_sid"] == sid.as_str()
    })
    .expect("the publisher saw its track muted");
    // The test server enables remote unmute (room.enable_remote_unmute): the unmute must
    // go through and reach the publisher.
    let unmuted = earshot_core::admin::mute_track(&handle, &room, "speaker", &sid, false)
        .await
        .expect("unmute");
    assert!(!unmuted.muted);
    peer.wait_for(WAIT, |e| {
        e["event"] == "track_unmuted" && e["track_sid"] == sid.as_str()
    })
    .expect("the publisher saw its track unmuted");
    let err = earshot_core::admin::mute_track(&handle, &room, "nobody", &sid, true)
        .await
        .expect_err("unknown participant");
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
}

#[tokio::test]
async fn built_token_joins_with_exactly_its_grants() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("token");
    let request = TokenRequest {
        identity: "token-user".into(),
        name: "Token User".into(),
        metadata: "from-earshot".into(),
        attributes: BTreeMap::from([("role".into(), "auditor".into())]),
        ttl_seconds: 600,
        grants: Grants {
            room: room.clone(),
            room_join: true,
            can_subscribe: true,
            can_publish: false,
            can_publish_data: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let token = earshot_core::admin::create_token(&handle, &request)
        .await
        .expect("token");
    let claims: serde_json::Value = serde_json::from_str(&token.claims_json).expect("claims");
    assert_eq!(claims["sub"], "token-user");
    assert_eq!(claims["video"]["room"], room.as_str());
    assert_eq!(claims["video"]["canPublish"], false);
    let ttl = token.expires_at
        - std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    assert!((590..=600).contains(&ttl), "ttl {ttl}");

    let mut peer = Peer::join(
        bed,
        &room,
        "ignored",
        PeerOptions {
            token: Some(token.jwt.clone()),
            ..Default::default()
        },
    )
    .expect("joins with the built token");
    let connected = peer
        .wait_for(WAIT, |e| e["event"] == "connected")
        .expect("connected");
    assert_eq!(connected["identity"], "token-user");
    assert_eq!(connected["name"], "Token User");
    assert_eq!(connected["metadata"], "from-earshot");
    assert_eq!(connected["attributes"]["role"], "auditor");
    assert_eq!(connected["can_publish"], false);
    assert_eq!(connected["can_subscribe"], true);
    assert_eq!(connected["can_publish_data"], true);

    let inspected = earshot_core::admin::inspect_token(&handle, &token.jwt).expect("inspect");
    assert!(inspected.verified, "{inspected:?}");
    assert_eq!(inspected.identity, "token-user");
    assert!(!inspected.expired);
    let mut forged = token.jwt.clone();
    forged.pop();
    forged.push(if token.jwt.ends_with('A') { 'B' } else { 'A' });
    let inspected = earshot_core::admin::inspect_token(&handle, &forged).expect("inspect forged");
    assert!(!inspected.verified && inspected.verify_problem.is_some());
    let err = earshot_core::admin::inspect_token(&handle, "not a token").expect_err("garbage");
    assert_eq!(err.field.as_deref(), Some("token"));

    let bad = TokenRequest {
        ttl_seconds: 0,
        ..request
    };
    let err = earshot_core::admin::create_token(&handle, &bad)
        .await
        .expect_err("ttl 0");
    assert_eq!(err.field.as_deref(), Some("ttl_seconds"));
}

#[tokio::test]
async fn move_and_forward_are_refused_plainly_by_the_open_source_server() {
    let bed = livekit();
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("from");
    let target = unique_room("to");
    earshot_core::admin::create_room(&handle, &options(&target))
        .await
        .expect("target");
    let _peer = Peer::join(bed, &room, "mover", PeerOptions::default()).expect("peer");
    // livekit-server (open source) does not implement MoveParticipant or
    // ForwardParticipant (LiveKit Cloud only): the user is told so, plainly, and nothing moved.
    for forward in [false, true] {
        let err =
            earshot_core::admin::relocate_participant(&handle, &room, "mover", &target, forward)
                .await
                .expect_err("the open-source server refuses moving and forwarding");
        println!("forward {forward}: {:?} {}", err.code, err.message);
        assert_eq!(err.code, ErrorCode::Unsupported, "{err:?}");
    }
    let people = earshot_core::admin::list_participants(&handle, &target)
        .await
        .expect("list");
    assert!(
        people.is_empty(),
        "nobody reached the target room: {people:?}"
    );
}
