//! Listen-in benchmark against the real test-bed server:
//! - join → first audible frame over 20 runs, Earshot and — same server, same room — the
//!   official browser SDK in Debian chromium headless, with the ratio;
//! - RTP arrival → frame handed out, p50/p95;
//! - cost: CPU and RSS while listening to 10 rooms × 2 speakers, Earshot vs chromium.
//!
//! `scripts/bench.sh` runs it (`cargo bench -p earshot-core --bench listen`; the browser part
//! needs chromium and bench/browser's npm packages, which that script installs).

#[path = "listen/browser.rs"]
mod browser;
#[path = "listen/procs.rs"]
mod procs;

use earshot_core::api::{Endpoint, ServerApi};
use earshot_core::listen::engine::{AudibleSet, Listener, ListenerConfig};
use earshot_core::vault::Secret;
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
    let target = ServerApi::for_calls(Endpoint {
        url: bed.ws_url.clone(),
        api_key: bed.api_key.clone(),
        api_secret: Secret::new(bed.api_secret.clone()),
    })?;
    let runtime = tokio::runtime::Runtime::new()?;
    let earshot_first = runtime.block_on(async {
        let (listener, mut out) = Listener::new(ListenerConfig {
            supervisor: "bench".into(),
            ..Default::default()
        });
        listener.set_audible(AudibleSet::Focus(room.clone()));
        let mut joins = Vec::new();
        let mut first_audio: Vec<Duration> = Vec::new();
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
        anyhow::Ok(first_audio)
    })?;

    if let Err(why) = browser::available() {
        println!("browser comparison skipped: {why}");
        return Ok(());
    }
    let site = browser::Static::start()?;
    // One failed part must not hide the others: report it and go on to the cost figures.
    match browser::join_times(bed, &site, &room, RUNS) {
        Ok(mut web) => {
            web.sort();
            compare_first_audio(&earshot_first, &web);
        }
        Err(err) => println!("browser join -> first audio failed, no ratio: {err:#}"),
    }
    cost(bed, &site, &runtime)
}

fn compare_first_audio(earshot_first: &[Duration], web: &[Duration]) {
    let (e50, e95) = (
        percentile(earshot_first, 0.5),
        percentile(earshot_first, 0.95),
    );
    let (w50, w95) = (percentile(web, 0.5), percentile(web, 0.95));
    println!("browser SDK (livekit-client in chromium) join -> first audio over {} runs: p50 {w50:?} p95 {w95:?}", web.len());
    println!(
        "ratio Earshot / browser: p50 {:.2}x, p95 {:.2}x (goal <= 0.70x)",
        e50.as_secs_f64() / w50.as_secs_f64(),
        e95.as_secs_f64() / w95.as_secs_f64()
    );
}

/// 10 rooms × 2 speakers: what listening to all of them costs, Earshot vs chromium.
fn cost(
    bed: &'static earshot_testbed::LiveKit,
    site: &browser::Static,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<()> {
    const ROOMS: usize = 10;
    const WINDOW: Duration = Duration::from_secs(20);
    let rooms: Vec<String> = (0..ROOMS).map(|_| unique_room("cost")).collect();
    let mut peers = Vec::new();
    for (i, room) in rooms.iter().enumerate() {
        for (j, hz) in [440.0, 660.0].into_iter().enumerate() {
            peers.push(Peer::join(
                bed,
                room,
                &format!("speaker-{i}-{j}"),
                PeerOptions {
                    tone_hz: Some(hz + i as f64),
                    ..Default::default()
                },
            )?);
        }
    }
    std::thread::sleep(Duration::from_secs(3));
    let peer_pids: Vec<u32> = peers.iter().filter_map(|p| p.pid()).collect();
    let (peers_cpu, peers_rss) = procs::measure(|| peer_pids.clone(), Duration::from_secs(5));
    println!("publishers (20 Python SDK peers, for reference): CPU {peers_cpu:.0} % of a core, RSS {peers_rss:.0} MiB");

    let target = ServerApi::for_calls(Endpoint {
        url: bed.ws_url.clone(),
        api_key: bed.api_key.clone(),
        api_secret: Secret::new(bed.api_secret.clone()),
    })?;
    let me = std::process::id();
    let (cpu, rss) = runtime.block_on(async {
        let (listener, mut out) = Listener::new(ListenerConfig {
            supervisor: "bench".into(),
            ..Default::default()
        });
        for room in &rooms {
            listener.listen(&target, room).await?;
        }
        listener.set_audible(AudibleSet::Mix(rooms.clone()));
        // The frames go where the shell would send them: encoded for the IPC.
        let drain = tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(frame) = out.frames.recv().await {
                n +=
                    earshot_core::protocol::listen::encode_audio_frame(&frame.samples).len() as u64;
            }
            n
        });
        tokio::time::sleep(Duration::from_secs(3)).await;
        let measured =
            tokio::task::spawn_blocking(move || procs::measure(|| vec![me], WINDOW)).await?;
        for room in &rooms {
            let _ = listener.stop(room).await;
        }
        drop(listener);
        drain.abort();
        anyhow::Ok(measured)
    })?;
    println!("Earshot listening to {ROOMS} rooms x 2 speakers (decode + mix + encode for the IPC): CPU {cpu:.1} % of a core, RSS {rss:.0} MiB (whole bench process)");

    let played = browser::playing(bed, site, &rooms, WINDOW + Duration::from_secs(8), |node| {
        std::thread::sleep(Duration::from_secs(3));
        procs::measure(|| procs::descendants(node, "chrom"), WINDOW)
    });
    let ((bcpu, brss), joined) = match played {
        Ok(played) => played,
        Err(err) => {
            println!("chromium side of the cost comparison failed, no ratio: {err:#}");
            return Ok(());
        }
    };
    if joined < ROOMS {
        println!("chromium joined only {joined} of {ROOMS} rooms (the others failed 3 times): its figure covers those");
    }
    println!("chromium + livekit-client, {joined} of the same {ROOMS} rooms, all audio playing: CPU {bcpu:.1} % of a core, RSS {brss:.0} MiB (all chromium processes)");
    println!(
        "ratio Earshot / chromium: CPU {:.2}x, RSS {:.2}x",
        cpu / bcpu.max(0.01),
        rss / brss.max(0.01)
    );
    drop(peers);
    Ok(())
}
