//! Against a real livekit-server with Python SDK publishers: the tones come out at the right
//! frequencies, and the per-speaker controls do what they say.

mod common;

use common::*;
use earshot_core::listen::engine::{AudibleSet, ListenEvent};
use earshot_testbed::{livekit, unique_room};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tones_decode_and_mixer_controls_work() {
    let bed = livekit();
    let room = unique_room("tones");
    let _a = tone_peer(bed, &room, "alice", 440.0);
    let _b = tone_peer(bed, &room, "bob", 660.0);
    let (listener, mut out) = listener();
    listener.listen(&target(bed), &room).await.expect("listen");
    listener.set_audible(AudibleSet::Focus(room.clone()));
    wait_for_audio(&mut out, Duration::from_secs(10), 0.01)
        .await
        .expect("audio within 10 s");
    // Let both tracks settle (the second may arrive a moment after the first).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drain(&mut out);

    let both = samples(&collect(&mut out, Duration::from_secs(1)).await);
    let low = peak_hz(&both, 400.0, 500.0);
    let high = peak_hz(&both, 600.0, 700.0);
    println!(
        "measured {low:.2} Hz and {high:.2} Hz; mix rms {:.4}",
        rms(&both)
    );
    assert!((low - 440.0).abs() <= 2.0, "low tone at {low}");
    assert!((high - 660.0).abs() <= 2.0, "high tone at {high}");
    let p440 = power_at(&both, 440.0);
    let p660 = power_at(&both, 660.0);
    assert!(
        p440 > 1e-5 && p660 > 1e-5,
        "both tones present: {p440} {p660}"
    );

    // Per-speaker meters report both speakers with signal.
    let meters = wait_event(&mut out, Duration::from_secs(2), |e| {
        matches!(e, ListenEvent::Meters(m) if m.room == room
            && m.speakers.iter().filter(|s| s.level.rms > 0.01).count() == 2)
    })
    .await;
    let Some(ListenEvent::Meters(meters)) = meters else {
        panic!("no meters with two active speakers");
    };
    println!("meters: {meters:?}");
    assert!(meters.master.rms > 0.01 && meters.master.peak > 0.01);
    // At most 30 meter reports per second per room (counted from now: drop the backlog).
    while out.events.try_recv().is_ok() {}
    let started = std::time::Instant::now();
    let mut reports = 0;
    while started.elapsed() < Duration::from_secs(1) {
        if let Ok(Some(ListenEvent::Meters(m))) =
            tokio::time::timeout(Duration::from_millis(50), out.events.recv()).await
        {
            reports += usize::from(m.room == room);
        }
    }
    println!("meter reports in 1 s: {reports}");
    assert!(
        (10..=30).contains(&reports),
        "{reports} meter reports per second"
    );

    // Solo alice: only 440 Hz.
    listener.set_solo(&room, "alice", true).expect("solo");
    tokio::time::sleep(Duration::from_millis(100)).await;
    drain(&mut out);
    let solo = samples(&collect(&mut out, Duration::from_secs(1)).await);
    let (s440, s660) = (power_at(&solo, 440.0), power_at(&solo, 660.0));
    println!("solo alice: 440 Hz {s440:.3e}, 660 Hz {s660:.3e}");
    assert!(s440 > 1000.0 * s660, "660 Hz must be gone under solo");
    let solo_peak = peak_hz(&solo, 300.0, 1000.0);
    assert!((solo_peak - 440.0).abs() <= 2.0, "solo peak at {solo_peak}");
    let solo_rms = rms(&solo);

    // Half the volume: half the level.
    listener.set_gain(&room, "alice", 0.5).expect("gain");
    tokio::time::sleep(Duration::from_millis(100)).await;
    drain(&mut out);
    let half = rms(&samples(&collect(&mut out, Duration::from_secs(1)).await));
    let ratio = half / solo_rms;
    println!("gain 0.5: rms {solo_rms:.4} -> {half:.4} (ratio {ratio:.3})");
    assert!((ratio - 0.5).abs() < 0.05, "ratio {ratio}");

    // Mute the soloed speaker: silence (mute wins over solo).
    listener.set_muted(&room, "alice", true).expect("mute");
    tokio::time::sleep(Duration::from_millis(100)).await;
    drain(&mut out);
    let muted = rms(&samples(
        &collect(&mut out, Duration::from_millis(500)).await,
    ));
    println!("muted: rms {muted:.6}");
    assert!(muted < 1e-4, "muted rms {muted}");

    // Clear solo: bob alone is heard; switch the audible set off: no frames at all.
    listener.clear_solo(&room).expect("clear solo");
    tokio::time::sleep(Duration::from_millis(100)).await;
    drain(&mut out);
    let bob = samples(&collect(&mut out, Duration::from_secs(1)).await);
    let bob_peak = peak_hz(&bob, 300.0, 1000.0);
    assert!((bob_peak - 660.0).abs() <= 2.0, "bob at {bob_peak}");
    listener.set_audible(AudibleSet::<earshot_core::protocol::listen::RoomKey>::None);
    tokio::time::sleep(Duration::from_millis(100)).await;
    drain(&mut out);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), out.frames.recv())
            .await
            .is_err(),
        "no frames while nothing is audible"
    );
    let latency = listener.latency();
    println!(
        "RTP arrival -> frame: p50 {:?} p95 {:?} over {} frames",
        latency.p50, latency.p95, latency.count
    );
    assert!(latency.count > 50);
    listener.stop(&room).await.expect("stop");
}
