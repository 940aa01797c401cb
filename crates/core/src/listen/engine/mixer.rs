//! Per-speaker gain, mute and solo, the 20 ms mix of a room, and its level meters.

use crate::listen::engine::track::FRAME_SAMPLES;
use earshot_protocol::listen::{Level, SpeakerMeter};
use std::collections::{BTreeMap, BTreeSet};

/// Highest gain a speaker can be given (+12 dB); more only clips.
pub const MAX_GAIN: f32 = 4.0;

/// How the supervisor set one speaker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerControl {
    pub gain: f32,
    pub muted: bool,
}

impl Default for SpeakerControl {
    fn default() -> Self {
        Self {
            gain: 1.0,
            muted: false,
        }
    }
}

/// Running level of one signal between meter reports.
#[derive(Debug, Clone, Copy, Default)]
struct LevelAcc {
    sum_sq: f64,
    count: u64,
    peak: f32,
}

impl LevelAcc {
    fn add(&mut self, samples: &[f32]) {
        for s in samples {
            self.sum_sq += (*s as f64) * (*s as f64);
            self.peak = self.peak.max(s.abs());
        }
        self.count += samples.len() as u64;
    }

    fn take(&mut self) -> Level {
        let rms = if self.count == 0 {
            0.0
        } else {
            (self.sum_sq / self.count as f64).sqrt() as f32
        };
        let level = Level {
            rms,
            peak: self.peak,
        };
        *self = LevelAcc::default();
        level
    }
}

/// What the supervisor set in one room's mix (gain, mute, solo by participant identity),
/// carried into the fresh room state of an app-level rejoin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MixSettings {
    pub controls: BTreeMap<String, SpeakerControl>,
    pub solo: BTreeSet<String>,
}

/// The mix of one room: who is heard how loud.
#[derive(Debug, Default)]
pub struct Mixer {
    controls: BTreeMap<String, SpeakerControl>,
    solo: BTreeSet<String>,
    meters: BTreeMap<String, LevelAcc>,
    master: LevelAcc,
}

impl Mixer {
    /// Sets a speaker's gain (clamped to 0..=[`MAX_GAIN`]; NaN counts as 0).
    pub fn set_gain(&mut self, identity: &str, gain: f32) {
        let gain = if gain.is_finite() {
            gain.clamp(0.0, MAX_GAIN)
        } else {
            0.0
        };
        self.controls.entry(identity.to_owned()).or_default().gain = gain;
    }

    /// Mutes or unmutes a speaker in this mix.
    pub fn set_muted(&mut self, identity: &str, muted: bool) {
        self.controls.entry(identity.to_owned()).or_default().muted = muted;
    }

    /// Adds or removes a speaker from the solo set; while it is non-empty only soloed
    /// speakers are heard.
    pub fn set_solo(&mut self, identity: &str, solo: bool) {
        if solo {
            self.solo.insert(identity.to_owned());
        } else {
            self.solo.remove(identity);
        }
    }

    /// Clears every solo.
    pub fn clear_solo(&mut self) {
        self.solo.clear();
    }

    /// Everything the supervisor set, to seed a mixer with after a rejoin.
    pub fn settings(&self) -> MixSettings {
        MixSettings {
            controls: self.controls.clone(),
            solo: self.solo.clone(),
        }
    }

    /// A mixer that starts with `settings` (meters empty).
    pub fn with_settings(settings: MixSettings) -> Self {
        Self {
            controls: settings.controls,
            solo: settings.solo,
            ..Default::default()
        }
    }

    /// A speaker's settings.
    pub fn control(&self, identity: &str) -> SpeakerControl {
        self.controls.get(identity).copied().unwrap_or_default()
    }

    /// The gain actually applied to a speaker after mute and solo.
    pub fn effective_gain(&self, identity: &str) -> f32 {
        let control = self.control(identity);
        if control.muted || (!self.solo.is_empty() && !self.solo.contains(identity)) {
            0.0
        } else {
            control.gain
        }
    }

    /// Forgets a speaker's meter (it left); its settings stay in case it comes back.
    pub fn forget(&mut self, identity: &str) {
        self.meters.remove(identity);
    }

    /// Mixes one 20 ms frame per speaker into `out` and feeds the meters. Each speaker's
    /// input is metered before gain, so a muted speaker still shows that it talks.
    pub fn mix(
        &mut self,
        inputs: &[(&str, &[f32; FRAME_SAMPLES])],
        out: &mut [f32; FRAME_SAMPLES],
    ) {
        out.fill(0.0);
        for (identity, frame) in inputs {
            self.meters
                .entry((*identity).to_owned())
                .or_default()
                .add(&frame[..]);
            let gain = self.effective_gain(identity);
            if gain == 0.0 {
                continue;
            }
            for (o, s) in out.iter_mut().zip(frame.iter()) {
                *o += s * gain;
            }
        }
        // Hard clip: several loud speakers must not wrap around in an i16 conversion later.
        for o in out.iter_mut() {
            *o = o.clamp(-1.0, 1.0);
        }
        self.master.add(&out[..]);
    }

    /// Reports and resets the meters accumulated since the last call.
    pub fn take_meters(&mut self) -> (Vec<SpeakerMeter>, Level) {
        let identities: Vec<String> = self.meters.keys().cloned().collect();
        let speakers = identities
            .into_iter()
            .map(|identity| {
                let level = self
                    .meters
                    .get_mut(&identity)
                    .map(LevelAcc::take)
                    .unwrap_or_default();
                let control = self.control(&identity);
                SpeakerMeter {
                    level,
                    gain: control.gain,
                    muted: control.muted,
                    solo: self.solo.contains(&identity),
                    audible: self.effective_gain(&identity) > 0.0,
                    identity,
                }
            })
            .collect();
        (speakers, self.master.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(v: f32) -> [f32; FRAME_SAMPLES] {
        [v; FRAME_SAMPLES]
    }

    #[test]
    fn gains_sum_and_clip() {
        let mut mixer = Mixer::default();
        let (a, b) = (constant(0.1), constant(0.2));
        let mut out = constant(9.0);
        mixer.mix(&[("a", &a), ("b", &b)], &mut out);
        assert!((out[0] - 0.3).abs() < 1e-6);
        mixer.set_gain("a", 0.5);
        mixer.mix(&[("a", &a), ("b", &b)], &mut out);
        assert!((out[7] - 0.25).abs() < 1e-6);
        mixer.set_gain("b", 100.0);
        assert_eq!(mixer.control("b").gain, MAX_GAIN);
        mixer.mix(&[("a", &a), ("b", &b)], &mut out);
        assert_eq!(out[0], 0.85);
        mixer.set_gain("b", f32::NAN);
        assert_eq!(mixer.control("b").gain, 0.0);
        let loud = constant(0.9);
        mixer.set_gain("b", 4.0);
        mixer.mix(&[("b", &loud)], &mut out);
        assert_eq!(out[0], 1.0);
    }

    #[test]
    fn mute_and_solo() {
        let mut mixer = Mixer::default();
        let (a, b, c) = (constant(0.1), constant(0.2), constant(0.4));
        let mut out = constant(0.0);
        mixer.set_muted("a", true);
        mixer.mix(&[("a", &a), ("b", &b), ("c", &c)], &mut out);
        assert!((out[0] - 0.6).abs() < 1e-6);
        mixer.set_solo("c", true);
        mixer.mix(&[("a", &a), ("b", &b), ("c", &c)], &mut out);
        assert!((out[0] - 0.4).abs() < 1e-6);
        // Solo on a muted speaker: mute wins.
        mixer.set_solo("a", true);
        mixer.mix(&[("a", &a), ("b", &b), ("c", &c)], &mut out);
        assert!((out[0] - 0.4).abs() < 1e-6);
        mixer.clear_solo();
        mixer.set_muted("a", false);
        mixer.mix(&[("a", &a), ("b", &b), ("c", &c)], &mut out);
        assert!((out[0] - 0.7).abs() < 1e-6);
    }

    #[test]
    fn settings_survive_into_a_fresh_mixer() {
        let mut mixer = Mixer::default();
        mixer.set_gain("a", 0.5);
        mixer.set_muted("b", true);
        mixer.set_solo("c", true);
        let fresh = Mixer::with_settings(mixer.settings());
        assert_eq!(fresh.control("a").gain, 0.5);
        assert!(fresh.control("b").muted);
        assert_eq!(fresh.effective_gain("a"), 0.0, "c's solo carried over");
        assert_eq!(fresh.effective_gain("c"), 1.0);
        assert_eq!(Mixer::default().settings(), MixSettings::default());
    }

    #[test]
    fn meters_are_pre_gain_and_reset() {
        let mut mixer = Mixer::default();
        let mut a = constant(0.5);
        a[3] = -0.8;
        let mut out = constant(0.0);
        mixer.set_muted("a", true);
        mixer.mix(&[("a", &a)], &mut out);
        let (speakers, master) = mixer.take_meters();
        assert_eq!(speakers.len(), 1);
        assert_eq!(speakers[0].level.peak, 0.8);
        assert!(speakers[0].level.rms > 0.49 && !speakers[0].audible && speakers[0].muted);
        assert_eq!(master.rms, 0.0);
        let (speakers, _) = mixer.take_meters();
        assert_eq!(speakers[0].level.rms, 0.0);
    }
}
