//! Helpers shared by the listener's integration tests: the test bed target, collecting what
//! the listener hands out, and measuring tones in PCM.
#![allow(dead_code)]

use earshot_core::api::{Endpoint, ServerApi};
use earshot_core::listen::engine::{
    AudioFrame, ListenEvent, ListenState, Listener, ListenerConfig, ListenerOutput,
};
use earshot_core::vault::Secret;
use earshot_testbed::{LiveKit, Peer, PeerOptions};
use std::time::{Duration, Instant};

pub const RATE: f64 = 48_000.0;

/// An app whose one project, "bed", is the test bed's server (settings and secrets in
/// memory, connection checked on add).
pub async fn bed_app() -> earshot_core::Earshot {
    use earshot_core::protocol::projects::ProjectInput;
    use earshot_core::protocol::SecretInput;
    let bed = earshot_testbed::livekit();
    let app = earshot_core::Earshot::new(
        std::sync::Arc::new(earshot_core::settings::MemorySettings::default()),
        earshot_core::vault::Vault::new(earshot_core::vault::MemoryStore::default()),
    );
    app.projects()
        .add_project(
            ProjectInput {
                name: "bed".into(),
                url: bed.ws_url.clone(),
                api_key: bed.api_key.clone(),
                api_secret: SecretInput::new(bed.api_secret.clone()),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            true,
        )
        .await
        .expect("test bed project");
    app
}

/// Where the test bed is and its key.
pub fn endpoint(bed: &LiveKit) -> Endpoint {
    Endpoint {
        url: bed.ws_url.clone(),
        api_key: bed.api_key.clone(),
        api_secret: Secret::new(bed.api_secret.clone()),
    }
}

/// The one client the listener reaches a server through.
pub fn server(endpoint: Endpoint) -> ServerApi {
    ServerApi::for_calls(endpoint).expect("server client")
}

/// The test bed's client.
pub fn target(bed: &LiveKit) -> ServerApi {
    server(endpoint(bed))
}

pub fn listener() -> (Listener, ListenerOutput) {
    // RUST_LOG=earshot_core::listen::engine=debug shows the listener's side when a test fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    Listener::new(ListenerConfig {
        supervisor: "tester".into(),
        ..Default::default()
    })
}

/// Runs blocking test-bed code (Python peers) without stalling the runtime's other tasks.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

pub fn tone_peer(bed: &LiveKit, room: &str, identity: &str, hz: f64) -> Peer {
    blocking(|| {
        Peer::join(
            bed,
            room,
            identity,
            PeerOptions {
                tone_hz: Some(hz),
                ..Default::default()
            },
        )
        .expect("python peer")
    })
}

/// Drops whatever frames are queued now.
pub fn drain(out: &mut ListenerOutput) {
    while out.frames.try_recv().is_ok() {}
}

/// Collects `duration` worth of frames (by count, 20 ms each).
pub async fn collect(out: &mut ListenerOutput, duration: Duration) -> Vec<AudioFrame> {
    let wanted = (duration.as_millis() / 20) as usize;
    let mut frames = Vec::with_capacity(wanted);
    let deadline = Instant::now() + duration + Duration::from_secs(5);
    while frames.len() < wanted {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, out.frames.recv()).await {
            Ok(Some(frame)) => frames.push(frame),
            _ => panic!("only {} of {wanted} frames arrived", frames.len()),
        }
    }
    frames
}

pub fn samples(frames: &[AudioFrame]) -> Vec<f32> {
    frames
        .iter()
        .flat_map(|f| f.samples.iter().copied())
        .collect()
}

pub fn rms(pcm: &[f32]) -> f64 {
    if pcm.is_empty() {
        return 0.0;
    }
    (pcm.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / pcm.len() as f64).sqrt()
}

/// Power of `hz` in `pcm` (Hann-windowed DFT bin at an arbitrary frequency).
pub fn power_at(pcm: &[f32], hz: f64) -> f64 {
    let n = pcm.len() as f64;
    let w = 2.0 * std::f64::consts::PI * hz / RATE;
    let (mut re, mut im) = (0.0, 0.0);
    for (i, s) in pcm.iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n).cos();
        let x = *s as f64 * hann;
        re += x * (w * i as f64).cos();
        im -= x * (w * i as f64).sin();
    }
    (re * re + im * im) / (n * n)
}

/// The strongest frequency in `lo..=hi`: a 1 Hz scan, then a 0.05 Hz scan around the peak.
pub fn peak_hz(pcm: &[f32], lo: f64, hi: f64) -> f64 {
    let scan = |from: f64, to: f64, step: f64| {
        let mut best = (from, f64::MIN);
        let mut f = from;
        while f <= to {
            let p = power_at(pcm, f);
            if p > best.1 {
                best = (f, p);
            }
            f += step;
        }
        best.0
    };
    let coarse = scan(lo, hi, 1.0);
    scan(coarse - 1.0, coarse + 1.0, 0.05)
}

/// Waits for an event matching `pred`, up to `limit`.
pub async fn wait_event(
    out: &mut ListenerOutput,
    limit: Duration,
    mut pred: impl FnMut(&ListenEvent) -> bool,
) -> Option<ListenEvent> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, out.events.recv()).await {
            Ok(Some(event)) if pred(&event) => return Some(event),
            Ok(Some(_)) => {}
            _ => return None,
        }
    }
}

pub fn is_state(event: &ListenEvent, room: &str, f: impl Fn(&ListenState) -> bool) -> bool {
    matches!(event, ListenEvent::State { room: r, state, .. } if r == room && f(state))
}

/// Waits until frames carry audio (RMS over one frame above `floor`); returns when.
pub async fn wait_for_audio(
    out: &mut ListenerOutput,
    limit: Duration,
    floor: f64,
) -> Option<Instant> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, out.frames.recv()).await {
            Ok(Some(frame)) if rms(&frame.samples) > floor => return Some(Instant::now()),
            Ok(Some(_)) => {}
            _ => return None,
        }
    }
}

/// Waits until `hz` is clearly present in the audible mix (checked over 0.5 s windows).
pub async fn wait_for_tone(out: &mut ListenerOutput, hz: f64, limit: Duration) -> Option<Instant> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let pcm = samples(&collect(out, Duration::from_millis(500)).await);
        if power_at(&pcm, hz) > 1e-5 {
            return Some(Instant::now());
        }
    }
    None
}

/// A listen sink that keeps every audio frame (as sent over the IPC) and every event, with
/// when it arrived.
#[derive(Default)]
pub struct Recorder {
    pub audio: std::sync::Mutex<Vec<String>>,
    pub events: std::sync::Mutex<Vec<(Instant, ListenEvent)>>,
}

impl earshot_core::listen::ListenSink for Recorder {
    fn audio(&self, frame: String) -> bool {
        self.audio.lock().expect("audio").push(frame);
        true
    }
    fn event(&self, event: &ListenEvent) -> bool {
        self.events
            .lock()
            .expect("events")
            .push((Instant::now(), event.clone()));
        true
    }
}

impl Recorder {
    /// How many frames arrived so far.
    pub fn frames(&self) -> usize {
        self.audio.lock().expect("audio").len()
    }
    /// The PCM of the frames received after `from` (an index into the audio list).
    pub fn pcm_since(&self, from: usize) -> Vec<f32> {
        self.audio.lock().expect("audio")[from..]
            .iter()
            .flat_map(|wire| {
                earshot_core::protocol::listen::decode_audio_frame(wire)
                    .expect("a well-formed frame")
            })
            .collect()
    }
    /// Whether any event so far satisfies `pred`.
    pub fn saw(&self, pred: impl Fn(&ListenEvent) -> bool) -> bool {
        self.events
            .lock()
            .expect("events")
            .iter()
            .any(|(_, e)| pred(e))
    }
    /// Whether an event that arrived at or after `since` satisfies `pred`.
    pub fn saw_since(&self, since: Instant, pred: impl Fn(&ListenEvent) -> bool) -> bool {
        self.events
            .lock()
            .expect("events")
            .iter()
            .any(|(at, e)| *at >= since && pred(e))
    }
}

/// Polls `ok` every 50 ms until it holds or `limit` passes; its last answer.
pub async fn until(limit: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ok()
}
