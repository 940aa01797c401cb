//! Against a real livekit-server that goes away for good while the app listens (its own test
//! binary, so no other test shares the stopped server): once the listener's own reconnecting
//! is spent, the app rejoins three times in a row, showing each attempt, then gives the room
//! up with the connection's error.

mod common;

use common::{tone_peer, until, Recorder};
use earshot_core::listen::engine::{EndReason, ListenEvent, ListenState};
use earshot_core::protocol::ErrorCode;
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_rejoins_three_times_then_gives_the_room_up() {
    let bed = livekit();
    let app = common::bed_app().await;
    app.listen().set_reconnect_budget(Duration::from_secs(2));
    let sink = Arc::new(Recorder::default());
    app.listen().attach(sink.clone());
    let room = unique_room("give-up");
    let _caller = tone_peer(bed, &room, "caller", 440.0);
    app.listen()
        .start(
            &app.projects().default_handle().await.expect("project"),
            &room,
            true,
        )
        .await
        .expect("listen");
    let live = until(Duration::from_secs(10), || sink.frames() > 25).await;
    assert!(live, "the room is heard before the server goes");

    let down = Instant::now();
    tokio::task::block_in_place(|| bed.stop_server());
    // Engine budget 2 s, then rejoins after 1, 3 and 7 s: about 13 s and the attempts' own time.
    let ended = until(Duration::from_secs(40), || {
        sink.saw_since(down, |e| {
            matches!(e, ListenEvent::State { room: r, state: ListenState::Ended { .. }, .. } if *r == room)
        })
    })
    .await;
    println!(
        "gave the room up {:?} after the server went",
        down.elapsed()
    );
    assert!(ended, "the room ends once the rejoins are spent");

    // The room's states as the supervisor saw them, in order, from the drop on.
    let states: Vec<ListenState> = sink
        .events
        .lock()
        .expect("events")
        .iter()
        .filter(|(at, _)| *at >= down)
        .filter_map(|(_, e)| match e {
            ListenEvent::State { room: r, state, .. } if *r == room => Some(state.clone()),
            _ => None,
        })
        .collect();
    println!("{states:?}");
    let rejoins: Vec<u32> = states
        .iter()
        .filter_map(|s| match s {
            ListenState::Rejoining { attempt } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(
        rejoins,
        [1, 2, 3],
        "each rejoin attempt shown, three in a row"
    );
    let Some(ListenState::Ended {
        reason: EndReason::ConnectionLost { error },
    }) = states.last()
    else {
        panic!("the last state is the room lost, got {states:?}");
    };
    assert_eq!(error.code, ErrorCode::Unreachable, "{error:?}");
    assert_eq!(
        states
            .iter()
            .filter(|s| matches!(s, ListenState::Ended { .. }))
            .count(),
        1,
        "one end, after the last rejoin: {states:?}"
    );
    let status = app.listen().status();
    let view = status
        .rooms
        .iter()
        .find(|r| r.room == room)
        .expect("the room stays listed");
    assert_eq!(view.rejoins, 3);
}
