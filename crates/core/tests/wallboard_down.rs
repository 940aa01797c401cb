//! The wallboard while livekit-server is down (its own test binary: the shared server is
//! stopped): the poller backs off (requests counted over 30 s), shows the error, and
//! recovers on its own when the server returns.

mod common;

use earshot_core::protocol::wallboard::{Alert, PollState, WallEvent};
use earshot_core::protocol::ErrorCode;
use earshot_core::wallboard::WallSink;
use earshot_testbed::livekit;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Quiet;
impl WallSink for Quiet {
    fn event(&self, _: &WallEvent) -> bool {
        true
    }
    fn notify(&self, _: &Alert) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backs_off_while_down_and_recovers() {
    let bed = livekit();
    let app = common::bed_app().await;
    let app = Arc::new(app);
    app.wallboard().attach(Arc::new(Quiet));
    let health = || app.wallboard().snapshot().health[0].clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    while health().state != PollState::Ok {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    tokio::task::block_in_place(|| bed.stop_server());
    let before = health().requests;
    // When each failure in a row is counted, sampled every 50 ms for 30 s.
    let watch = Instant::now();
    let mut failed_at: Vec<Duration> = Vec::new();
    while watch.elapsed() < Duration::from_secs(30) {
        let failures = health().failures as usize;
        while failed_at.len() < failures {
            failed_at.push(watch.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let h = health();
    let sent = h.requests - before;
    println!(
        "requests while down for 30 s: {sent} (failures {}, next in {} ms)",
        h.failures, h.next_in_ms
    );
    assert_eq!(h.state, PollState::Failing);
    assert_eq!(
        h.last_error.as_ref().map(|e| e.code),
        Some(ErrorCode::Unreachable),
        "{:?}",
        h.last_error
    );
    // Without backoff a 2–10 s rhythm would send 3–15; with it: 2+4+8+16 s pauses → ≤ 6.
    assert!((2..=6).contains(&sent), "{sent} requests in 30 s");
    // The pauses grow. The first failure comes within the 10 s idle rhythm, and pauses of
    // 1–2, 2–4 and 4–8 s follow (half to all of a doubling 2 s ceiling), so four failures fit
    // in 30 s; a poller stuck at its own rhythm shows even gaps instead.
    let gaps: Vec<Duration> = failed_at.windows(2).map(|w| w[1] - w[0]).collect();
    println!("failures at {failed_at:?}, gaps {gaps:?}");
    assert!(failed_at.len() >= 4, "{} failures in 30 s", failed_at.len());
    let slack = Duration::from_millis(200);
    for w in gaps.windows(2) {
        assert!(w[1] + slack >= w[0], "a pause shrank: {gaps:?}");
    }
    assert!(
        gaps[2] + slack >= gaps[0] * 2,
        "the third pause is at least twice the first: {gaps:?}"
    );

    tokio::task::block_in_place(|| bed.restart_server()).expect("restart");
    let back = Instant::now();
    let deadline = back + Duration::from_secs(65);
    while health().state != PollState::Ok {
        assert!(Instant::now() < deadline, "did not recover: {:?}", health());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("recovered {:?} after the server returned", back.elapsed());
}
