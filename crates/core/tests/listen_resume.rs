//! Against a real livekit-server: a dropped signal connection is resumed (same session, same
//! identity) rather than rejoined, and the audio keeps coming.

mod common;

use common::*;
use earshot_core::listen::engine::{AudibleSet, ListenEvent, ListenState};
use earshot_testbed::{livekit, unique_room};
use livekit_api::services::room::RoomClient;
use std::time::{Duration, Instant};

async fn listener_identities(client: &RoomClient, room: &str) -> Vec<String> {
    client
        .list_participants(room)
        .await
        .expect("list participants")
        .into_iter()
        .map(|p| p.identity)
        .filter(|i| i.starts_with("earshot-listener:"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_signal_connection_is_resumed() {
    let bed = livekit();
    let room = unique_room("resume");
    let _peer = tone_peer(bed, &room, "talker", 440.0);
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    listener.set_audible(AudibleSet::Focus(room.clone()));
    wait_for_audio(&mut out, Duration::from_secs(10), 0.01)
        .await
        .expect("audio");
    let client = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let before = listener_identities(&client, &room).await;
    assert_eq!(before.len(), 1);

    while out.events.try_recv().is_ok() {}
    let dropped = Instant::now();
    listener.simulate_signal_drop(&room).expect("drop");
    let mut attempts = Vec::new();
    let live = wait_event(&mut out, Duration::from_secs(15), |e| {
        if let ListenEvent::State {
            state: ListenState::Reconnecting { attempt },
            ..
        } = e
        {
            attempts.push(*attempt);
        }
        is_state(e, &room, |s| {
            matches!(s, ListenState::Live | ListenState::Ended { .. })
        })
    })
    .await;
    println!(
        "live again {:?} after the drop, attempts {attempts:?}",
        dropped.elapsed()
    );
    assert!(matches!(
        live,
        Some(ListenEvent::State {
            state: ListenState::Live,
            ..
        })
    ));
    assert_eq!(attempts, vec![1], "resumed at the first attempt, no rejoin");
    drain(&mut out);
    let pcm = samples(&collect(&mut out, Duration::from_secs(1)).await);
    assert!(power_at(&pcm, 440.0) > 1e-5, "audio keeps coming");
    let after = listener_identities(&client, &room).await;
    assert_eq!(
        before, after,
        "same session: a rejoin would mint a new identity"
    );
}
