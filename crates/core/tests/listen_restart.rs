//! Against a real livekit-server that is restarted while we listen (its own test binary, so
//! no other test shares the restarted server): the listener comes back live with audio.

mod common;

use common::*;
use earshot_core::listen::engine::{AudibleSet, ListenEvent, ListenState};
use earshot_testbed::{livekit, unique_room};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_again_after_a_server_restart() {
    let bed = livekit();
    let room = unique_room("restart");
    let _peer = tone_peer(bed, &room, "talker", 440.0);
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    listener.set_audible(AudibleSet::Focus(room.clone()));
    wait_for_audio(&mut out, Duration::from_secs(10), 0.01)
        .await
        .expect("audio before the restart");

    blocking(|| bed.restart_server()).expect("restart livekit-server");
    let ready = Instant::now();
    tracing::info!("server ready");
    let reconnecting = wait_event(&mut out, Duration::from_secs(10), |e| {
        is_state(e, &room, |s| matches!(s, ListenState::Reconnecting { .. }))
    })
    .await;
    assert!(reconnecting.is_some(), "the drop was noticed");
    let live = wait_event(&mut out, Duration::from_secs(45), |e| {
        is_state(e, &room, |s| {
            matches!(s, ListenState::Live | ListenState::Ended { .. })
        })
    })
    .await;
    println!(
        "after restart: {live:?} {:?} after server ready",
        ready.elapsed()
    );
    assert!(matches!(
        live,
        Some(ListenEvent::State {
            state: ListenState::Live,
            ..
        })
    ));
    drain(&mut out);
    let heard = wait_for_audio(&mut out, Duration::from_secs(30), 0.01)
        .await
        .expect("audio after the restart");
    println!(
        "server ready -> first audio: {:?}",
        heard.duration_since(ready)
    );
    let pcm = samples(&collect(&mut out, Duration::from_secs(1)).await);
    let hz = peak_hz(&pcm, 300.0, 1000.0);
    assert!((hz - 440.0).abs() <= 2.0, "tone at {hz}");
    assert_eq!(listener.state(&room), Some(ListenState::Live));
}
