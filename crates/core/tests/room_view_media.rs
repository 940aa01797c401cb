//! The room view carries no media: it subscribes the audio tracks (LiveKit scopes speaker
//! and quality updates by subscription) but pauses them at once, so a participant talking
//! is reported as speaking while next to no RTP reaches the view. Its own binary: the
//! packet count is per process.

mod common;

use earshot_core::protocol::room_view::RoomView;
use earshot_core::room_view::{media_packets_received, RoomViewSink};
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Views(Mutex<Vec<RoomView>>);

impl RoomViewSink for Views {
    fn view(&self, view: &RoomView) -> bool {
        self.0.lock().expect("views").push(view.clone());
        true
    }
}

impl Views {
    fn someone_spoke(&self, identity: &str) -> bool {
        self.0.lock().expect("views").iter().any(|v| {
            v.participants
                .iter()
                .any(|p| p.identity == identity && p.speaking)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_view_hears_who_speaks_without_media() {
    let bed = livekit();
    let room = unique_room("view-media");
    // Talking in spurts: the server announces speaker changes, and a tone that never stops
    // would be announced only once.
    let _dana = tokio::task::block_in_place(|| {
        Peer::join(
            bed,
            &room,
            "dana",
            PeerOptions {
                tone_hz: Some(440.0),
                talk_ms: Some(700),
                ..Default::default()
            },
        )
    })
    .expect("dana");
    let app = common::bed_app().await;
    let views = Arc::new(Views::default());
    let before = media_packets_received();
    let paused_view = app
        .wallboard()
        .open_room_view(
            &app.projects().default_handle().await.expect("project"),
            &room,
            views.clone(),
        )
        .await
        .expect("view");

    let deadline = Instant::now() + Duration::from_secs(10);
    while !views.someone_spoke("dana") {
        assert!(
            Instant::now() < deadline,
            "the view never showed dana speaking"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Keep watching for 5 s of talking: an unpaused Opus track would bring ~250 packets.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let packets = media_packets_received() - before;
    println!("room view: dana seen speaking; media packets received over ~6 s: {packets}");
    assert!(
        packets < 25,
        "the view received {packets} media packets: its audio is not paused"
    );

    // The control: the same counter over a view whose audio is not paused counts the
    // talking that reaches it, so the low figure above is the pause, not a dead counter.
    app.wallboard()
        .close_room_view(paused_view.session)
        .expect("close");
    earshot_core::room_view::pause_audio_in_new_views(false);
    let before = media_packets_received();
    let running = app
        .wallboard()
        .open_room_view(
            &app.projects().default_handle().await.expect("project"),
            &room,
            Arc::new(Views::default()),
        )
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    earshot_core::room_view::pause_audio_in_new_views(true);
    running.expect("unpaused view");
    let packets = media_packets_received() - before;
    println!("control view (audio not paused): {packets} media packets in 5 s");
    assert!(
        packets >= 100,
        "an unpaused view counted only {packets} media packets in 5 s"
    );
}
