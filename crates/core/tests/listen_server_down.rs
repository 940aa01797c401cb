//! Against a real livekit-server that goes away for good while we listen (its own test
//! binary): the listener reports Reconnecting, then gives up with a clear error.

mod common;

use common::*;
use earshot_core::listen::engine::{
    EndReason, ErrorCode, ListenEvent, ListenState, Listener, ListenerConfig,
};
use earshot_testbed::{livekit, unique_room};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_when_the_server_stays_down() {
    let bed = livekit();
    let room = unique_room("down");
    let _peer = tone_peer(bed, &room, "talker", 440.0);
    let (listener, mut out) = Listener::new(ListenerConfig {
        supervisor: "tester".into(),
        reconnect_budget: Duration::from_secs(4),
        ..Default::default()
    });
    listener.listen(&target(bed), &room).await.expect("listen");
    blocking(|| bed.stop_server());
    let stopped = Instant::now();
    let mut attempts = 0;
    let ended = wait_event(&mut out, Duration::from_secs(20), |e| {
        if is_state(e, &room, |s| matches!(s, ListenState::Reconnecting { .. })) {
            attempts += 1;
        }
        is_state(e, &room, |s| matches!(s, ListenState::Ended { .. }))
    })
    .await;
    let gave_up = stopped.elapsed();
    println!("gave up after {gave_up:?} and {attempts} attempts: {ended:?}");
    let Some(ListenEvent::State {
        state:
            ListenState::Ended {
                reason: EndReason::ConnectionLost { error },
            },
        ..
    }) = ended
    else {
        panic!("expected ConnectionLost, got {ended:?}");
    };
    assert_eq!(error.code, ErrorCode::Unreachable);
    assert!(attempts >= 2, "resume first, then at least one rejoin");
    // The 4 s budget is kept: not given up early, and not long after (the last attempt
    // against a closed port fails at once; the drop is noticed when the socket closes).
    assert!(
        (Duration::from_secs(4)..=Duration::from_millis(6500)).contains(&gave_up),
        "gave up after {gave_up:?} with a 4 s budget"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(listener.rooms().is_empty());
}
