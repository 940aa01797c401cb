//! The listener: several rooms at once, each joined and left on its own, one clock that
//! renders every room every 20 ms and hands out the mix of the audible set.

use crate::api::ServerApi;
use crate::listen::engine::audio::{lock, RoomAudio, SharedAudio};
use crate::listen::engine::error::{ListenError, ListenResult};
use crate::listen::engine::frame::AudioFrame;
use crate::listen::engine::jitter::JitterConfig;
use crate::listen::engine::latency::{LatencySummary, LatencyWindow};
use crate::listen::engine::mixer::MixSettings;
use crate::listen::engine::session::{self, RoomCommand, RoomEvents, RoomParams};
use crate::listen::engine::token::{OwnIdentities, MAX_TOKEN_TTL};
use crate::listen::engine::track::FRAME_SAMPLES;
use earshot_protocol::listen::RoomKey;
use earshot_protocol::listen::{AudibleSet, ListenEvent, ListenState, RoomMeters};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Frames per meter report: 4 × 20 ms = 12.5 Hz. Each report is a message into the webview
/// and a repaint there; at 25 Hz per room the Listen page cost ~0.5 core in WebKit, and a
/// level meter reads the same at 12.5 Hz (VU meters integrate over ~300 ms).
const FRAMES_PER_METER: u64 = 4;

/// How the listener behaves; `Default` suits the app.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// The supervisor's name, part of the listener identity and attributes.
    pub supervisor: String,
    /// Lifetime of each minted token (at most 120 s).
    pub token_ttl: Duration,
    pub jitter: JitterConfig,
    /// Leave this long after the last visible participant left (must stay under 5 s).
    pub empty_grace: Duration,
    /// Leave this long after joining (or rejoining) a room nobody visible is in.
    pub empty_on_join_grace: Duration,
    /// Give up reconnecting after this long.
    pub reconnect_budget: Duration,
    /// Frames queued for the consumer before new ones are dropped (50 = 1 s).
    pub frame_queue: usize,
    /// Where every listener identity minted is recorded.
    pub own_identities: OwnIdentities,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        Self {
            supervisor: "supervisor".into(),
            token_ttl: MAX_TOKEN_TTL,
            jitter: JitterConfig::default(),
            empty_grace: Duration::from_secs(3),
            empty_on_join_grace: Duration::from_secs(10),
            reconnect_budget: Duration::from_secs(60),
            frame_queue: 50,
            own_identities: OwnIdentities::default(),
        }
    }
}

/// What the listener hands out.
pub struct ListenerOutput {
    pub frames: mpsc::Receiver<AudioFrame>,
    pub events: mpsc::UnboundedReceiver<ListenEvent>,
}

struct RoomEntry {
    audio: SharedAudio,
    commands: mpsc::UnboundedSender<RoomCommand>,
    state: Arc<Mutex<ListenState>>,
    task: JoinHandle<()>,
}

struct Inner {
    config: ListenerConfig,
    rooms: Mutex<BTreeMap<RoomKey, RoomEntry>>,
    audible: Mutex<AudibleSet<RoomKey>>,
    latency: Mutex<LatencyWindow>,
    events: mpsc::UnboundedSender<ListenEvent>,
    dropped_frames: AtomicU64,
    /// Wakes the clock when a room is added; it sleeps while there is none.
    wake: tokio::sync::Notify,
    /// Clock ticks so far (a test checks that an idle listener does not tick).
    ticks: AtomicU64,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The listen-in engine. Dropping it leaves every room.
///
/// # Panics
/// [`Listener::new`] must be called inside a tokio runtime (it spawns the mixing clock).
pub struct Listener {
    inner: Arc<Inner>,
    clock: JoinHandle<()>,
}

impl Listener {
    /// Starts the listener's clock; returns the handle and the output streams.
    pub fn new(config: ListenerConfig) -> (Self, ListenerOutput) {
        let (frames_tx, frames) = mpsc::channel(config.frame_queue.max(1));
        let (events_tx, events) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            config,
            rooms: Mutex::new(BTreeMap::new()),
            audible: Mutex::new(AudibleSet::None),
            latency: Mutex::new(LatencyWindow::default()),
            events: events_tx,
            dropped_frames: AtomicU64::new(0),
            wake: tokio::sync::Notify::new(),
            ticks: AtomicU64::new(0),
        });
        let clock = tokio::spawn(run_clock(Arc::downgrade(&inner), frames_tx));
        (Self { inner, clock }, ListenerOutput { frames, events })
    }

    /// Joins `room` hidden and starts pulling its audio. Returns once joined, or the reason
    /// it could not (within 10 s). The room is not audible until put in the audible set.
    /// A room is keyed by project and name (a bare name is a room with no project).
    pub async fn listen(&self, server: &ServerApi, room: impl Into<RoomKey>) -> ListenResult<()> {
        self.listen_with(server, room, MixSettings::default()).await
    }

    /// Like [`Listener::listen`], with the room's mix set up before any audio is rendered
    /// (an app-level rejoin carries the supervisor's gain, mute and solo over this way, so a
    /// muted speaker is not heard for a moment after it).
    pub async fn listen_with(
        &self,
        server: &ServerApi,
        key: impl Into<RoomKey>,
        mix: MixSettings,
    ) -> ListenResult<()> {
        let key = key.into();
        let room = key.room.trim();
        if room.is_empty() {
            return Err(ListenError::InvalidInput("the room name is empty".into()));
        }
        let params = RoomParams {
            server: server.clone(),
            room: room.to_owned(),
            supervisor: self.inner.config.supervisor.clone(),
            token_ttl: self.inner.config.token_ttl,
            empty_grace: self.inner.config.empty_grace,
            empty_on_join_grace: self.inner.config.empty_on_join_grace,
            reconnect_budget: self.inner.config.reconnect_budget,
            own_identities: self.inner.config.own_identities.clone(),
        };
        let (ready_tx, ready) = oneshot::channel();
        {
            let mut rooms = guard(&self.inner.rooms);
            if rooms.get(&key).is_some_and(|r| !r.task.is_finished()) {
                return Err(ListenError::AlreadyListening(room.to_owned()));
            }
            let audio = RoomAudio::shared(self.inner.config.jitter, mix);
            let state = Arc::new(Mutex::new(ListenState::Connecting));
            let (commands, cmd_rx) = mpsc::unbounded_channel();
            let events = RoomEvents {
                key: key.clone(),
                tx: self.inner.events.clone(),
                state: state.clone(),
            };
            let task = session::spawn(params, audio.clone(), events, cmd_rx, ready_tx);
            rooms.insert(
                key.clone(),
                RoomEntry {
                    audio,
                    commands,
                    state,
                    task,
                },
            );
        }
        self.inner.wake.notify_one();
        let result = ready.await.unwrap_or_else(|_| {
            Err(ListenError::Media(
                "the room task ended before joining".into(),
            ))
        });
        if result.is_err() {
            guard(&self.inner.rooms).remove(&key);
        }
        result
    }

    /// Stops listening to `room` and waits (at most 3 s) until it has left.
    pub async fn stop(&self, room: impl Into<RoomKey>) -> ListenResult<()> {
        let key = room.into();
        let entry = guard(&self.inner.rooms).remove(&key);
        let Some(entry) = entry else {
            return Err(ListenError::NotListening(key.room));
        };
        let _ = entry.commands.send(RoomCommand::Leave);
        let mut task = entry.task;
        if tokio::time::timeout(Duration::from_secs(3), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
        Ok(())
    }

    /// Chooses what is heard; takes effect with the next frame, no rejoin.
    pub fn set_audible<K: Clone + PartialEq + Into<RoomKey>>(&self, set: AudibleSet<K>) {
        *guard(&self.inner.audible) = set.map(|k| Some(k.clone().into()));
    }

    /// What is heard now.
    pub fn audible(&self) -> AudibleSet<RoomKey> {
        guard(&self.inner.audible).clone()
    }

    fn with_audio<T>(
        &self,
        room: impl Into<RoomKey>,
        f: impl FnOnce(&mut RoomAudio) -> T,
    ) -> ListenResult<T> {
        let key = room.into();
        let rooms = guard(&self.inner.rooms);
        let entry = rooms
            .get(&key)
            .ok_or_else(|| ListenError::NotListening(key.room.clone()))?;
        let mut audio = lock(&entry.audio);
        Ok(f(&mut audio))
    }

    /// Sets a speaker's linear gain (0..=4) in `room`.
    pub fn set_gain(
        &self,
        room: impl Into<RoomKey>,
        identity: &str,
        gain: f32,
    ) -> ListenResult<()> {
        self.with_audio(room, |a| a.mixer.set_gain(identity, gain))
    }

    /// Mutes a speaker in `room` for the supervisor only.
    pub fn set_muted(
        &self,
        room: impl Into<RoomKey>,
        identity: &str,
        muted: bool,
    ) -> ListenResult<()> {
        self.with_audio(room, |a| a.mixer.set_muted(identity, muted))
    }

    /// Adds a speaker to, or removes it from, `room`'s solo set.
    pub fn set_solo(
        &self,
        room: impl Into<RoomKey>,
        identity: &str,
        solo: bool,
    ) -> ListenResult<()> {
        self.with_audio(room, |a| a.mixer.set_solo(identity, solo))
    }

    /// What the supervisor set in `room`'s mix.
    pub fn mix_settings(&self, room: impl Into<RoomKey>) -> ListenResult<MixSettings> {
        self.with_audio(room, |a| a.mixer.settings())
    }

    /// Clears `room`'s solo set.
    pub fn clear_solo(&self, room: impl Into<RoomKey>) -> ListenResult<()> {
        self.with_audio(room, |a| a.mixer.clear_solo())
    }

    /// The state of `room`, if it is being listened to (or just ended).
    pub fn state(&self, room: impl Into<RoomKey>) -> Option<ListenState> {
        guard(&self.inner.rooms)
            .get(&room.into())
            .map(|e| guard(&e.state).clone())
    }

    /// Every room with its state.
    pub fn rooms(&self) -> Vec<(RoomKey, ListenState)> {
        guard(&self.inner.rooms)
            .iter()
            .map(|(name, e)| (name.clone(), guard(&e.state).clone()))
            .collect()
    }

    /// Drops `room`'s signal connection as a network failure would, to exercise resuming.
    #[doc(hidden)]
    pub fn simulate_signal_drop(&self, room: impl Into<RoomKey>) -> ListenResult<()> {
        let key = room.into();
        let rooms = guard(&self.inner.rooms);
        let entry = rooms
            .get(&key)
            .ok_or_else(|| ListenError::NotListening(key.room.clone()))?;
        entry
            .commands
            .send(RoomCommand::SimulateSignalDrop)
            .map_err(|_| ListenError::NotListening(key.room.clone()))
    }

    /// Latency percentiles of the recent frames (RTP arrival → hand-out).
    pub fn latency(&self) -> LatencySummary {
        guard(&self.inner.latency).summary()
    }

    /// Forgets the latency samples (e.g. between benchmark runs).
    pub fn reset_latency(&self) {
        guard(&self.inner.latency).clear();
    }

    /// How many 20 ms ticks the mixing clock has run (it stops while no room is listened to).
    pub fn clock_ticks(&self) -> u64 {
        self.inner.ticks.load(Ordering::Relaxed)
    }

    /// Frames dropped because the consumer did not keep up.
    pub fn dropped_frames(&self) -> u64 {
        self.inner.dropped_frames.load(Ordering::Relaxed)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Room tasks leave the room themselves when asked; they outlive this handle briefly.
        for entry in guard(&self.inner.rooms).values() {
            let _ = entry.commands.send(RoomCommand::Leave);
        }
        self.clock.abort();
    }
}

/// Renders every room each 20 ms, hands out the audible mix and reports meters.
async fn run_clock(inner: std::sync::Weak<Inner>, frames: mpsc::Sender<AudioFrame>) {
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    // Catch up after a stall: each tick drains 20 ms from the jitter buffers, so skipping
    // ticks would let them overflow.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sequence = 0u64;
    let mut tick = 0u64;
    loop {
        ticker.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let rooms: Vec<(RoomKey, SharedAudio)> = {
            let mut rooms = guard(&inner.rooms);
            rooms.retain(|_, e| !e.task.is_finished());
            rooms
                .iter()
                .map(|(name, e)| (name.clone(), e.audio.clone()))
                .collect()
        };
        if rooms.is_empty() {
            // Nothing to render: sleep until a room is added instead of waking 50 times a
            // second for nothing (a stored wake-up from `listen_with` is not lost).
            inner.wake.notified().await;
            ticker.reset();
            continue;
        }
        inner.ticks.fetch_add(1, Ordering::Relaxed);
        tick += 1;
        let now = Instant::now();
        let audible = guard(&inner.audible).clone();
        let mut mix = [0.0f32; FRAME_SAMPLES];
        let mut heard = Vec::new();
        let mut earliest: Option<Instant> = None;
        for (name, audio) in &rooms {
            let mut frame = [0.0f32; FRAME_SAMPLES];
            let mut audio = lock(audio);
            // Every room is rendered, audible or not, so switching is instant and meters run.
            let arrival = audio.render(now, &mut frame);
            if audible.contains(name) {
                heard.push(name.clone());
                for (m, s) in mix.iter_mut().zip(frame.iter()) {
                    *m += s;
                }
                if let Some(arrival) = arrival {
                    earliest = Some(earliest.map_or(arrival, |e| e.min(arrival)));
                }
            }
            if tick.is_multiple_of(FRAMES_PER_METER) {
                let (speakers, master) = audio.mixer.take_meters();
                // Nobody publishing: nothing to show, and events are not free for the UI.
                if speakers.is_empty() {
                    continue;
                }
                let _ = inner.events.send(ListenEvent::Meters(RoomMeters {
                    project: name.project.clone(),
                    room: name.room.clone(),
                    speakers,
                    master,
                }));
            }
        }
        if heard.is_empty() {
            continue;
        }
        for m in mix.iter_mut() {
            *m = m.clamp(-1.0, 1.0);
        }
        let latency = earliest.map(|a| a.elapsed());
        if let Some(latency) = latency {
            guard(&inner.latency).record(latency);
        }
        sequence += 1;
        let frame = AudioFrame {
            rooms: heard,
            samples: mix.to_vec(),
            sequence,
            latency,
        };
        if frames.try_send(frame).is_err() {
            inner.dropped_frames.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_can_keep_it_in_shared_state() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Listener>();
        shareable::<ServerApi>();
        fn sendable<T: Send + 'static>() {}
        sendable::<ListenerOutput>();
        sendable::<AudioFrame>();
    }

    #[tokio::test]
    async fn the_clock_sleeps_while_no_room_is_listened_to() {
        let (listener, _out) = Listener::new(ListenerConfig::default());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(listener.clock_ticks(), 0, "an idle listener ticked");
        // A room (even one that fails to join) wakes it; once it is gone it sleeps again.
        let server = ServerApi::for_calls(crate::api::Endpoint {
            url: "ws://127.0.0.1:1".into(),
            api_key: "k".into(),
            api_secret: crate::vault::Secret::new("s"),
        })
        .unwrap();
        let _ = listener.listen(&server, "r").await;
        let after_join = listener.clock_ticks();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let later = listener.clock_ticks();
        assert!(later <= after_join + 1, "ticked {later} after {after_join}");
    }

    #[tokio::test]
    async fn nothing_is_handed_out_until_a_room_is_audible() {
        let (listener, mut out) = Listener::new(ListenerConfig::default());
        listener.set_audible(AudibleSet::Focus("nowhere"));
        let got = tokio::time::timeout(Duration::from_millis(100), out.frames.recv()).await;
        assert!(got.is_err(), "no frames for a room we do not listen to");
        assert!(listener.set_gain("nowhere", "x", 1.0).is_err());
        assert!(listener.stop("nowhere").await.is_err());
    }
}
