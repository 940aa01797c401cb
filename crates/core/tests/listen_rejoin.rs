//! Against a real livekit-server that stays down longer than the listener reconnects (its
//! own test binary, so no other test shares the stopped server): the app-level rejoin brings
//! the room back with the supervisor's mute and the audible set as they were.

mod common;

use common::{rms, tone_peer, until, Recorder};
use earshot_core::listen::engine::{AudibleSet, ListenEvent, ListenState};
use earshot_core::protocol::listen::{RoomKey, SpeakerChange};
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_level_rejoin_keeps_the_mute_and_the_audible_set() {
    let bed = livekit();
    let app = common::bed_app().await;
    app.listen().set_reconnect_budget(Duration::from_secs(2));
    let sink = Arc::new(Recorder::default());
    app.listen().attach(sink.clone());
    let room = unique_room("rejoin");
    let _caller = tone_peer(bed, &room, "caller", 440.0);
    let joined = app
        .listen()
        .start(
            &app.projects().default_handle().await.expect("project"),
            &room,
            true,
        )
        .await
        .expect("listen");
    let key = RoomKey::new(joined.project.clone(), room.clone());
    let heard = until(Duration::from_secs(10), || {
        let n = sink.frames();
        n > 50 && rms(&sink.pcm_since(n - 25)) > 0.01
    })
    .await;
    assert!(heard, "the caller is heard before the drop");
    app.listen()
        .set_speaker(&key, "caller", SpeakerChange::Muted(true))
        .expect("mute");

    let down = Instant::now();
    tokio::task::block_in_place(|| bed.stop_server());
    let rejoining = until(Duration::from_secs(20), || {
        sink.saw_since(down, |e| {
            matches!(e, ListenEvent::State { room: r, state: ListenState::Rejoining { .. }, .. } if *r == room)
        })
    })
    .await;
    assert!(rejoining, "the app rejoins once the listener gives up");
    tokio::task::block_in_place(|| bed.restart_server()).expect("restart livekit-server");
    let back = Instant::now();
    let live = until(Duration::from_secs(30), || {
        sink.saw_since(back, |e| {
            matches!(e, ListenEvent::State { room: r, state: ListenState::Live, .. } if *r == room)
        })
    })
    .await;
    assert!(live, "live again after the rejoin");
    println!(
        "server down → rejoining → live: {:?} after the restart",
        back.elapsed()
    );
    assert_eq!(
        app.listen().status().audible,
        AudibleSet::Focus(key.clone()),
        "still the room heard"
    );
    assert!(app.listen().status().rooms[0].rejoins >= 1);

    // The caller talks again (its meter moves) yet stays silent in the mix: the mute held.
    let talking = until(Duration::from_secs(30), || {
        sink.saw_since(back, |e| {
            matches!(e, ListenEvent::Meters(m) if m.room == room
                && m.speakers.iter().any(|s| s.identity == "caller" && s.muted && s.level.rms > 0.01))
        })
    })
    .await;
    assert!(talking, "the caller's meter shows it muted and talking");
    let from = sink.frames();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Silence only counts if the mix kept playing: 25 frames of 20 ms are due in 500 ms.
    let played = sink.frames() - from;
    assert!(played >= 20, "only {played} frames in 500 ms while muted");
    assert!(rms(&sink.pcm_since(from)) < 1e-6, "muted after the rejoin");
    app.listen()
        .set_speaker(&key, "caller", SpeakerChange::Muted(false))
        .expect("unmute");
    let unmuted = until(Duration::from_secs(5), || {
        let n = sink.frames();
        n > from + 25 && rms(&sink.pcm_since(n - 25)) > 0.01
    })
    .await;
    assert!(unmuted, "unmuting brings the caller back");
    app.listen().stop(&key).await.expect("stop");
}
