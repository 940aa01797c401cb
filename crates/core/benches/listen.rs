//! Listen-in benchmark against the real test-bed server: join → first audible frame over 20
//! runs, and "RTP arrival → frame handed out" latency, as p50/p95.
//!
//! `cargo bench -p earshot-listener --bench listen` (needs the test bed: livekit-server and
//! the Python venv from scripts/setup.sh).

use earshot_core::listener::{AudibleSet, Listener, ListenerConfig, ServerTarget};
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::{Duration, Instant};

const RUNS: usize = 20;

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn rms(samples: &[f32]) -> f64 {
    (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

fn main() -> anyhow::Result<()> {
    let bed = livekit();
    let room = unique_room("bench");
    let _talker = Peer::join(
        bed,
        &room,
        "talker",
        PeerOptions {
            tone_hz: Some(440.0),
            ..Default::default()
        },
    )?;
    // Give the publisher time to publish before the first run.
    std::thread::sleep(Duration::from_secs(2));
    let target = ServerTarget {
        url: bed.ws_url.clone(),
        api_key: bed.api_key.clone(),
        api_secret: bed.api_secret.clone(),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let (listener, mut out) = Listener::new(ListenerConfig {
            supervisor: "bench".into(),
            ..Default::default()
        });
        listener.set_audible(AudibleSet::Focus(room.clone()));
        let mut joins = Vec::new();
        let mut first_audio = Vec::new();
        for run in 0..RUNS {
            while out.frames.try_recv().is_ok() {}
            let started = Instant::now();
            listener.listen(&target, &room).await?;
            let joined = started.elapsed();
            let deadline = Instant::now() + Duration::from_secs(10);
            let heard = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, out.frames.recv()).await {
                    Ok(Some(frame)) if rms(&frame.samples) > 0.01 => break started.elapsed(),
                    Ok(Some(_)) => {}
                    _ => anyhow::bail!("run {run}: no audio within 10 s"),
                }
            };
            joins.push(joined);
            first_audio.push(heard);
            // Keep listening a moment so the latency window fills with steady-state frames.
            let steady = Instant::now() + Duration::from_millis(1500);
            while let Ok(Some(_)) = tokio::time::timeout(
                steady.saturating_duration_since(Instant::now()),
                out.frames.recv(),
            )
            .await
            {}
            listener.stop(&room).await?;
            println!("run {run:2}: joined {joined:?}, first audio {heard:?}");
        }
        joins.sort();
        first_audio.sort();
        let latency = listener.latency();
        println!(
            "join (listen() returns): p50 {:?} p95 {:?}",
            percentile(&joins, 0.5),
            percentile(&joins, 0.95)
        );
        println!(
            "join -> first audio over {RUNS} runs: p50 {:?} p95 {:?}",
            percentile(&first_audio, 0.5),
            percentile(&first_audio, 0.95)
        );
        println!(
            "RTP arrival -> frame handed out over {} frames: p50 {:?} p95 {:?} max {:?}",
            latency.count, latency.p50, latency.p95, latency.max
        );
        println!(
            "frames dropped (consumer too slow): {}",
            listener.dropped_frames()
        );
        anyhow::Ok(())
    })
}
