//! One subscribed audio track: its jitter buffer and Opus decoder, pulled in 20 ms frames.

use crate::listen::engine::jitter::{JitterBuffer, JitterConfig, Packet, Playout};
use std::collections::VecDeque;
use std::time::Instant;

/// Samples per second everything is decoded and mixed at.
pub const SAMPLE_RATE: u32 = 48_000;
/// Samples in one 20 ms output frame.
pub const FRAME_SAMPLES: usize = 960;
/// Longest Opus packet (120 ms) in samples, the decode buffer size.
const MAX_PACKET_SAMPLES: usize = 5760;

/// Decodes one track. Owned by the room's mixing state; the network task only pushes.
pub struct TrackAudio {
    jitter: JitterBuffer,
    decoder: Option<opus::Decoder>,
    pcm: VecDeque<f32>,
    /// (offset into `pcm` where a decoded packet starts, its arrival) for latency.
    arrivals: VecDeque<(usize, Instant)>,
    scratch: Vec<f32>,
    pub decode_errors: u64,
    pub concealed_frames: u64,
}

impl TrackAudio {
    pub fn new(config: JitterConfig) -> Self {
        // A decoder that cannot be created (out of memory) leaves the track silent rather than
        // failing the whole room.
        let decoder = opus::Decoder::new(SAMPLE_RATE, opus::Channels::Mono).ok();
        Self {
            jitter: JitterBuffer::new(config),
            decoder,
            pcm: VecDeque::with_capacity(MAX_PACKET_SAMPLES * 2),
            arrivals: VecDeque::new(),
            scratch: vec![0.0; MAX_PACKET_SAMPLES],
            decode_errors: 0,
            concealed_frames: 0,
        }
    }

    /// Adds an RTP payload from the network.
    pub fn push_rtp(&mut self, seq: u16, timestamp: u32, payload: &[u8], arrival: Instant) {
        if payload.is_empty() {
            return;
        }
        // Opus tells its own duration; a malformed TOC is assumed to be the usual 20 ms.
        let samples = opus::packet::get_nb_samples(payload, SAMPLE_RATE)
            .map(|n| n as u32)
            .unwrap_or(FRAME_SAMPLES as u32);
        self.jitter.push(Packet {
            seq,
            timestamp,
            payload: payload.to_vec(),
            arrival,
            samples,
        });
    }

    /// Jitter-buffer counters.
    pub fn jitter_stats(&self) -> crate::listen::engine::jitter::JitterStats {
        self.jitter.stats
    }

    /// Fills `out` with the next 20 ms (zeros where nothing is ready). Returns the earliest
    /// network arrival among the packets heard in this frame, if any.
    pub fn pull(&mut self, now: Instant, out: &mut [f32; FRAME_SAMPLES]) -> Option<Instant> {
        while self.pcm.len() < FRAME_SAMPLES {
            match self.jitter.pop(now) {
                Playout::Packet(p) => {
                    self.decode(Some(&p.payload), false, p.samples, Some(p.arrival))
                }
                Playout::Lost { samples, next } => {
                    self.concealed_frames += 1;
                    match next {
                        // In-band FEC of the following packet rebuilds the lost one.
                        Some(next) => self.decode(Some(&next.payload), true, samples, None),
                        // Nothing to rebuild from: let the decoder extrapolate (PLC).
                        None => self.decode(None, false, samples, None),
                    }
                }
                Playout::Silence { samples } => {
                    self.pcm.extend(std::iter::repeat_n(0.0, samples as usize));
                }
                Playout::Wait => break,
            }
        }
        let take = self.pcm.len().min(FRAME_SAMPLES);
        for (slot, sample) in out.iter_mut().zip(self.pcm.drain(..take)) {
            *slot = sample;
        }
        out[take..].fill(0.0);
        let mut earliest: Option<Instant> = None;
        while let Some(&(offset, arrival)) = self.arrivals.front() {
            if offset >= take {
                break;
            }
            self.arrivals.pop_front();
            earliest = Some(earliest.map_or(arrival, |e| e.min(arrival)));
        }
        for (offset, _) in self.arrivals.iter_mut() {
            *offset -= take;
        }
        earliest
    }

    fn decode(
        &mut self,
        payload: Option<&[u8]>,
        fec: bool,
        samples: u32,
        arrival: Option<Instant>,
    ) {
        let want = (samples as usize).clamp(120, MAX_PACKET_SAMPLES);
        let Some(decoder) = self.decoder.as_mut() else {
            self.pcm.extend(std::iter::repeat_n(0.0, want));
            return;
        };
        // FEC and PLC decode exactly the missing duration; a normal packet decodes whole.
        let result = match payload {
            Some(data) if !fec => decoder.decode_float(data, &mut self.scratch, false),
            Some(data) => decoder.decode_float(data, &mut self.scratch[..want], true),
            None => decoder.decode_float(&[], &mut self.scratch[..want], false),
        };
        let start = self.pcm.len();
        match result {
            Ok(n) => self.pcm.extend(self.scratch[..n].iter().copied()),
            Err(_) => {
                // A corrupt packet must not stall the clock: play its length as silence.
                self.decode_errors += 1;
                self.pcm.extend(std::iter::repeat_n(0.0, want));
            }
        }
        if let Some(arrival) = arrival {
            self.arrivals.push_back((start, arrival));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tone_packets(hz: f32, count: usize) -> Vec<Vec<u8>> {
        let mut enc =
            opus::Encoder::new(SAMPLE_RATE, opus::Channels::Mono, opus::Application::Audio)
                .expect("encoder");
        (0..count)
            .map(|i| {
                let pcm: Vec<f32> = (0..FRAME_SAMPLES)
                    .map(|n| {
                        let t = (i * FRAME_SAMPLES + n) as f32 / SAMPLE_RATE as f32;
                        0.4 * (2.0 * std::f32::consts::PI * hz * t).sin()
                    })
                    .collect();
                enc.encode_vec_float(&pcm, 4000).expect("encode")
            })
            .collect()
    }

    #[test]
    fn decodes_in_order_and_conceals_a_loss() {
        let t0 = Instant::now();
        let mut track = TrackAudio::new(JitterConfig::default());
        let packets = tone_packets(440.0, 12);
        for (i, p) in packets.iter().enumerate() {
            if i == 5 {
                continue; // lost on the way
            }
            track.push_rtp(100 + i as u16, (i * FRAME_SAMPLES) as u32, p, t0);
        }
        let mut frame = [0.0f32; FRAME_SAMPLES];
        let mut energy = Vec::new();
        for _ in 0..11 {
            let arrival = track.pull(t0 + Duration::from_millis(200), &mut frame);
            assert!(arrival.is_some() || track.concealed_frames > 0);
            energy.push(frame.iter().map(|s| s * s).sum::<f32>() / FRAME_SAMPLES as f32);
        }
        assert_eq!(track.concealed_frames, 1);
        // After the encoder's warm-up every frame, the concealed one included, carries tone.
        assert!(energy[2..].iter().all(|e| *e > 0.01), "{energy:?}");
    }
}
