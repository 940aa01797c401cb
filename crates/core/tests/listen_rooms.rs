//! Against a real livekit-server: the listener stays invisible, follows tracks published
//! later, switches rooms without rejoining, leaves empty or deleted rooms by itself, and
//! fails fast with a clear code on bad input.

mod common;

use common::*;
use earshot_core::api::{Endpoint, ServerApi};
use earshot_core::listen::engine::{AudibleSet, EndReason, ErrorCode, ListenEvent, ListenState};
use earshot_core::vault::Secret;
use earshot_protocol::listen::RoomKey;
use earshot_protocol::AppError;
use earshot_testbed::{livekit, unique_room};
use livekit_api::services::room::RoomClient;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invisible_follows_late_tracks_and_leaves_when_empty() {
    let bed = livekit();
    let room = unique_room("hidden");
    let early = tone_peer(bed, &room, "early", 440.0);
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    listener.set_audible(AudibleSet::Focus(room.clone()));
    // A participant joining after the listener, publishing after it joined.
    let late = tone_peer(bed, &room, "late", 660.0);
    let speakers = wait_event(&mut out, Duration::from_secs(10), |e| {
        matches!(e, ListenEvent::Speakers { room: r, speakers, .. } if *r == room
            && speakers.iter().any(|s| s.identity == "late" && !s.tracks.is_empty()))
    })
    .await;
    assert!(speakers.is_some(), "the late publisher's track was seen");
    wait_for_tone(&mut out, 660.0, Duration::from_secs(10))
        .await
        .expect("the late publisher is heard");
    drain(&mut out);
    let pcm = samples(&collect(&mut out, Duration::from_secs(1)).await);
    let late_hz = peak_hz(&pcm, 600.0, 700.0);
    println!("late publisher heard at {late_hz:.2} Hz");
    assert!((late_hz - 660.0).abs() <= 2.0);
    assert!(power_at(&pcm, 660.0) > 1e-5);

    // The server lists the listener, hidden, with its attributes.
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let listed = client
        .list_participants(&room)
        .await
        .expect("list participants");
    let me = listed
        .iter()
        .find(|p| p.identity.starts_with("earshot-listener:tester:"))
        .expect("the listener is in ListParticipants");
    let permission = me.permission.clone().unwrap_or_default();
    assert!(
        permission.hidden,
        "ListParticipants shows the listener hidden"
    );
    // Deprecated in the protocol, but still what the server reports for recorder tokens.
    #[allow(deprecated)]
    let recorder = permission.recorder;
    assert!(!recorder);
    assert!(me
        .permission
        .as_ref()
        .is_some_and(|p| !p.can_publish && !p.can_publish_data));
    assert_eq!(
        me.attributes.get("earshot.role").map(String::as_str),
        Some("listener")
    );
    println!(
        "ListParticipants: {:?}",
        listed
            .iter()
            .map(|p| (&p.identity, p.permission.as_ref().map(|x| x.hidden)))
            .collect::<Vec<_>>()
    );

    // Everyone leaves; the participants never saw the listener in any event or list.
    let late_seen = blocking(|| late.leave());
    let early_seen = blocking(|| early.leave());
    let left_at = Instant::now();
    for (who, seen) in [("early", &early_seen), ("late", &late_seen)] {
        assert!(seen.iter().any(|e| e["event"] == "connected"));
        for event in seen {
            assert!(
                !event.to_string().contains("earshot-listener"),
                "{who} saw the listener: {event}"
            );
        }
    }
    assert!(
        early_seen
            .iter()
            .any(|e| e["event"] == "participant_connected" && e["identity"] == "late"),
        "sanity: early does see visible joiners"
    );
    let ended = wait_event(&mut out, Duration::from_secs(6), |e| {
        is_state(e, &room, |s| matches!(s, ListenState::Ended { .. }))
    })
    .await;
    let after = left_at.elapsed();
    println!("listener left {after:?} after the last participant");
    assert!(matches!(
        ended,
        Some(ListenEvent::State {
            state: ListenState::Ended {
                reason: EndReason::RoomEmpty
            },
            ..
        })
    ));
    assert!(after <= Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(listener.rooms().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audible_set_switches_rooms_without_rejoining() {
    let bed = livekit();
    let (one, two) = (unique_room("one"), unique_room("two"));
    let _a = tone_peer(bed, &one, "a", 440.0);
    let _b = tone_peer(bed, &two, "b", 660.0);
    let (listener, mut out) = listener();
    listener
        .listen(&target(bed), &one)
        .await
        .expect("listen one");
    listener
        .listen(&target(bed), &two)
        .await
        .expect("listen two");
    assert_eq!(listener.rooms().len(), 2);
    listener.set_audible(AudibleSet::Focus(one.clone()));
    wait_for_audio(&mut out, Duration::from_secs(10), 0.01)
        .await
        .expect("audio");
    tokio::time::sleep(Duration::from_secs(1)).await;
    drain(&mut out);
    let pcm = samples(&collect(&mut out, Duration::from_secs(1)).await);
    assert!(
        power_at(&pcm, 440.0) > 1000.0 * power_at(&pcm, 660.0),
        "only room one"
    );

    // Switch focus: the very next frames are room two's, no join in between.
    listener.set_audible(AudibleSet::Focus(two.clone()));
    drain(&mut out);
    let switched = Instant::now();
    let first = out.frames.recv().await.expect("a frame");
    println!(
        "switch -> first frame of room two after {:?} (rms {:.3})",
        switched.elapsed(),
        rms(&first.samples)
    );
    assert_eq!(first.rooms, vec![RoomKey::from(&two)]);
    assert!(
        rms(&first.samples) > 0.01,
        "room two is heard from the first frame"
    );
    let frames = collect(&mut out, Duration::from_secs(1)).await;
    assert!(frames.iter().all(|f| f.rooms == vec![RoomKey::from(&two)]));
    let pcm = samples(&frames);
    assert!(
        power_at(&pcm, 660.0) > 1000.0 * power_at(&pcm, 440.0),
        "only room two"
    );

    // Mix both.
    listener.set_audible(AudibleSet::Mix(vec![one.clone(), two.clone()]));
    drain(&mut out);
    let pcm = samples(&collect(&mut out, Duration::from_secs(1)).await);
    assert!(
        power_at(&pcm, 440.0) > 1e-5 && power_at(&pcm, 660.0) > 1e-5,
        "both rooms"
    );

    // Stopping one leaves the other running.
    listener.stop(&one).await.expect("stop one");
    assert_eq!(listener.rooms().len(), 1);
    assert_eq!(listener.state(&two), Some(ListenState::Live));
    assert!(listener.stop(&one).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaves_a_deleted_room() {
    let bed = livekit();
    let room = unique_room("deleted");
    let _peer = tone_peer(bed, &room, "p", 440.0);
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let deleted = Instant::now();
    client.delete_room(&room).await.expect("delete room");
    let ended = wait_event(&mut out, Duration::from_secs(5), |e| {
        is_state(e, &room, |s| matches!(s, ListenState::Ended { .. }))
    })
    .await;
    println!("ended {:?} after the delete: {ended:?}", deleted.elapsed());
    assert!(matches!(
        ended,
        Some(ListenEvent::State {
            state: ListenState::Ended {
                reason: EndReason::RoomDeleted
            },
            ..
        })
    ));
}

async fn fails_within_10s(target: &ServerApi, room: &str) -> (AppError, Duration) {
    let (listener, _out) = listener();
    let started = Instant::now();
    let err = listener.listen(target, room).await.expect_err("must fail");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(listener.rooms().is_empty());
    (err.into(), took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_fails_fast_with_a_clear_code() {
    let bed = livekit();
    let (err, took) = fails_within_10s(&target(bed), &unique_room("nobody-here")).await;
    println!("nonexistent room: {err:?} in {took:?}");
    assert_eq!(err.code, ErrorCode::NotFound);

    let wrong = server(Endpoint {
        api_secret: Secret::new("not-the-secret-not-the-secret"),
        ..endpoint(bed)
    });
    let room = unique_room("exists");
    let _peer = tone_peer(bed, &room, "p", 440.0);
    let (err, took) = fails_within_10s(&wrong, &room).await;
    println!("wrong secret: {err:?} in {took:?}");
    assert_eq!(err.code, ErrorCode::InvalidCredentials);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let down = server(Endpoint {
        url: format!("ws://127.0.0.1:{port}"),
        ..endpoint(bed)
    });
    let (err, took) = fails_within_10s(&down, &room).await;
    println!("server down: {err:?} in {took:?}");
    assert_eq!(err.code, ErrorCode::Unreachable);

    let (err, _) = fails_within_10s(&target(bed), "  ").await;
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_publisher_mute() {
    let bed = livekit();
    let room = unique_room("muted");
    let mut peer = tone_peer(bed, &room, "speaker", 440.0);
    let published =
        blocking(|| peer.wait_for(Duration::from_secs(10), |e| e["event"] == "published"))
            .expect("published");
    let track_sid = published["track_sid"].as_str().expect("sid").to_owned();
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    listener.set_audible(AudibleSet::Focus(room.clone()));
    wait_for_audio(&mut out, Duration::from_secs(10), 0.01)
        .await
        .expect("audio");

    // An admin mutes the publisher's track: the listener sees it and the audio stops.
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    client
        .mute_published_track(&room, "speaker", &track_sid, true)
        .await
        .expect("mute");
    let muted = wait_event(&mut out, Duration::from_secs(5), |e| {
        matches!(e, ListenEvent::Speakers { room: r, speakers, .. } if *r == room
            && speakers.iter().any(|s| s.identity == "speaker" && s.publisher_muted))
    })
    .await;
    assert!(muted.is_some(), "the mute shows in the speaker list");
    tokio::time::sleep(Duration::from_millis(500)).await;
    drain(&mut out);
    let after = rms(&samples(
        &collect(&mut out, Duration::from_millis(500)).await,
    ));
    println!("publisher muted: rms {after:.6}");
    assert!(
        after < 1e-3,
        "silence after the publisher mute, rms {after}"
    );
    assert_eq!(listener.state(&room), Some(ListenState::Live));
}
