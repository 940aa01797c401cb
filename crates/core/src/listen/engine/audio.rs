//! The audio of one listened room: its tracks' decoders and its mixer, shared between the
//! network tasks (which push RTP) and the listener's clock (which pulls 20 ms frames).

use crate::listen::engine::jitter::JitterConfig;
use crate::listen::engine::mixer::{MixSettings, Mixer};
use crate::listen::engine::track::{TrackAudio, FRAME_SAMPLES};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Tracks and mix of one room.
pub(crate) struct RoomAudio {
    jitter: JitterConfig,
    /// Track sid → (publisher identity, decoder).
    tracks: BTreeMap<String, (String, TrackAudio)>,
    pub(crate) mixer: Mixer,
    scratch: Vec<[f32; FRAME_SAMPLES]>,
}

/// Shared handle; the lock is held only for a push or one frame's decode.
pub(crate) type SharedAudio = Arc<Mutex<RoomAudio>>;

/// Locks the room audio. A panic while holding it cannot leave a decoder in a state worse
/// than a glitch, so a poisoned lock is taken over instead of tearing the room down.
pub(crate) fn lock(audio: &SharedAudio) -> MutexGuard<'_, RoomAudio> {
    audio
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RoomAudio {
    pub(crate) fn shared(jitter: JitterConfig, mix: MixSettings) -> SharedAudio {
        Arc::new(Mutex::new(Self {
            jitter,
            tracks: BTreeMap::new(),
            mixer: Mixer::with_settings(mix),
            scratch: Vec::new(),
        }))
    }

    /// Registers a subscribed track (idempotent).
    pub(crate) fn add_track(&mut self, track_sid: &str, identity: &str) {
        if !self.tracks.contains_key(track_sid) {
            self.tracks.insert(
                track_sid.to_owned(),
                (identity.to_owned(), TrackAudio::new(self.jitter)),
            );
        }
    }

    /// Drops an unpublished track.
    pub(crate) fn remove_track(&mut self, track_sid: &str) {
        if let Some((identity, _)) = self.tracks.remove(track_sid) {
            if !self.tracks.values().any(|(id, _)| *id == identity) {
                self.mixer.forget(&identity);
            }
        }
    }

    /// Drops every track (a full rejoin gets new subscriptions); mixer settings stay.
    pub(crate) fn clear_tracks(&mut self) {
        let identities: Vec<String> = self.tracks.values().map(|(id, _)| id.clone()).collect();
        self.tracks.clear();
        for identity in identities {
            self.mixer.forget(&identity);
        }
    }

    /// Adds an RTP packet of a track; packets of unknown tracks are dropped.
    pub(crate) fn push_rtp(
        &mut self,
        track_sid: &str,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
        arrival: Instant,
    ) {
        if let Some((_, track)) = self.tracks.get_mut(track_sid) {
            track.push_rtp(seq, timestamp, payload, arrival);
        }
    }

    /// Renders the room's next 20 ms into `out`; returns the earliest network arrival of
    /// the packets heard in it.
    pub(crate) fn render(
        &mut self,
        now: Instant,
        out: &mut [f32; FRAME_SAMPLES],
    ) -> Option<Instant> {
        self.scratch.resize(self.tracks.len(), [0.0; FRAME_SAMPLES]);
        let mut earliest: Option<Instant> = None;
        for ((_, (_, track)), frame) in self.tracks.iter_mut().zip(self.scratch.iter_mut()) {
            if let Some(arrival) = track.pull(now, frame) {
                earliest = Some(earliest.map_or(arrival, |e| e.min(arrival)));
            }
        }
        let inputs: Vec<(&str, &[f32; FRAME_SAMPLES])> = self
            .tracks
            .values()
            .zip(self.scratch.iter())
            .map(|((identity, _), frame)| (identity.as_str(), frame))
            .collect();
        self.mixer.mix(&inputs, out);
        // Only audio someone can hear counts for the latency measurement.
        if out.iter().all(|s| *s == 0.0) {
            return None;
        }
        earliest
    }
}
