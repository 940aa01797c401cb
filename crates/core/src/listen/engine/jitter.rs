//! Per-track jitter buffer: puts RTP packets back in sequence order, waits briefly for late
//! ones, and tells the decoder what to play next — a packet, a lost packet to conceal, or
//! the silence of a DTX pause.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One RTP packet as the buffer keeps it.
#[derive(Debug, Clone)]
pub struct Packet {
    pub seq: u16,
    pub timestamp: u32,
    pub payload: Vec<u8>,
    /// When the packet came off the network, for the latency measurement.
    pub arrival: Instant,
    /// How many 48 kHz samples it decodes to (from the Opus TOC).
    pub samples: u32,
}

/// What to play next.
#[derive(Debug)]
pub enum Playout {
    /// Decode this packet.
    Packet(Packet),
    /// A packet is missing; conceal `samples` samples. `next` is the packet after it when it
    /// arrived already, whose in-band FEC can rebuild the lost audio.
    Lost { samples: u32, next: Option<Packet> },
    /// The sender paused (DTX): play `samples` of silence.
    Silence { samples: u32 },
    /// Nothing to play yet (buffering, or the sender is quiet).
    Wait,
}

/// Tuning of the buffer.
#[derive(Debug, Clone, Copy)]
pub struct JitterConfig {
    /// Audio buffered before playout starts (and restarts after running dry).
    pub target: Duration,
    /// How long a gap may stay open before the missing packet counts as lost.
    pub max_wait: Duration,
    /// Buffered audio beyond this is dropped (oldest first) to bound latency.
    pub max_depth: Duration,
}

impl Default for JitterConfig {
    fn default() -> Self {
        Self {
            target: Duration::from_millis(40),
            max_wait: Duration::from_millis(60),
            max_depth: Duration::from_millis(300),
        }
    }
}

/// Counters for diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    pub received: u64,
    pub late: u64,
    pub duplicate: u64,
    pub lost: u64,
    pub dropped_overflow: u64,
}

/// The jitter buffer of one track.
#[derive(Debug)]
pub struct JitterBuffer {
    config: JitterConfig,
    /// Packets keyed by extended (unwrapped) sequence number.
    packets: BTreeMap<u64, Packet>,
    /// Highest extended sequence seen, the reference for unwrapping.
    highest: Option<u64>,
    /// Next extended sequence to play; `None` before the first packet.
    next: Option<u64>,
    /// RTP timestamp the next packet should carry if no DTX pause happened.
    expected_ts: Option<u32>,
    /// Duration of the last played packet, the size of a concealed one.
    last_samples: u32,
    /// Whether playout is running (false while (re)buffering).
    playing: bool,
    pub stats: JitterStats,
}

const SAMPLES_PER_MS: u32 = 48;
/// Most consecutive missing packets concealed one by one (100 ms at 20 ms packets).
const MAX_CONCEALED: u64 = 5;

impl JitterBuffer {
    pub fn new(config: JitterConfig) -> Self {
        Self {
            config,
            packets: BTreeMap::new(),
            highest: None,
            next: None,
            expected_ts: None,
            last_samples: 960,
            playing: false,
            stats: JitterStats::default(),
        }
    }

    /// Unwraps a 16-bit sequence number to the extended number closest to the highest seen.
    fn extend(&self, seq: u16) -> u64 {
        let Some(highest) = self.highest else {
            // Start well above zero so a wrap backwards right away cannot underflow.
            return (1u64 << 16) + seq as u64;
        };
        let cycle = highest & !0xffff;
        let candidates = [
            cycle.wrapping_sub(1 << 16) + seq as u64,
            cycle + seq as u64,
            cycle + (1 << 16) + seq as u64,
        ];
        candidates
            .into_iter()
            .min_by_key(|c| c.abs_diff(highest))
            .unwrap_or(cycle + seq as u64)
    }

    /// Adds a packet from the network.
    pub fn push(&mut self, packet: Packet) {
        self.stats.received += 1;
        let ext = self.extend(packet.seq);
        if self.next.is_some_and(|next| ext < next) {
            self.stats.late += 1;
            return;
        }
        if self.packets.contains_key(&ext) {
            self.stats.duplicate += 1;
            return;
        }
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        self.packets.insert(ext, packet);
        // Bound latency: a long stall followed by a burst must not leave us permanently late.
        while self.buffered_samples() > self.config.max_depth.as_millis() as u32 * SAMPLES_PER_MS {
            let Some((first, _)) = self.packets.pop_first() else {
                break;
            };
            self.stats.dropped_overflow += 1;
            self.next = Some(first + 1);
            self.expected_ts = None;
        }
    }

    fn buffered_samples(&self) -> u32 {
        self.packets.values().map(|p| p.samples).sum()
    }

    /// Number of packets waiting.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// Whether no packet is waiting.
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Decides what to play next at time `now`.
    pub fn pop(&mut self, now: Instant) -> Playout {
        let Some((&first, oldest)) = self.packets.first_key_value() else {
            // Ran dry: refill to the target before playing again, so one late packet does not
            // turn into a run of stutters.
            self.playing = false;
            return Playout::Wait;
        };
        if !self.playing {
            let buffered = self.buffered_samples();
            let waited = now.saturating_duration_since(oldest.arrival);
            let target = self.config.target.as_millis() as u32 * SAMPLES_PER_MS;
            if buffered < target && waited < self.config.target {
                return Playout::Wait;
            }
            self.playing = true;
            // Whatever pause made us run dry was played as silence already; measuring the
            // next timestamp against the old clock would add that pause a second time.
            self.expected_ts = None;
        }
        let next = *self.next.get_or_insert(first);
        if let Some(packet) = self.packets.get(&next) {
            // Same sequence run but a later timestamp: the sender skipped packets on purpose.
            if let Some(expected) = self.expected_ts {
                let ahead = packet.timestamp.wrapping_sub(expected) as i32;
                if ahead > 0 {
                    let samples = (ahead as u32).min(960);
                    self.expected_ts = Some(expected.wrapping_add(samples));
                    return Playout::Silence { samples };
                }
            }
            let Some(packet) = self.packets.remove(&next) else {
                return Playout::Wait;
            };
            self.next = Some(next + 1);
            self.last_samples = packet.samples;
            self.expected_ts = Some(packet.timestamp.wrapping_add(packet.samples));
            return Playout::Packet(packet);
        }
        // `next` is missing but later packets are here: give it `max_wait`, then conceal.
        let waited = now.saturating_duration_since(oldest.arrival);
        if waited < self.config.max_wait {
            return Playout::Wait;
        }
        // A long run of missing packets (a sequence jump, a long outage) is not worth
        // concealing packet by packet: that would play seconds of PLC. Skip to what we have.
        if first - next > MAX_CONCEALED {
            self.stats.lost += first - next;
            self.next = Some(first);
            self.expected_ts = None;
            return self.pop(now);
        }
        self.stats.lost += 1;
        self.next = Some(next + 1);
        self.expected_ts = self
            .expected_ts
            .map(|ts| ts.wrapping_add(self.last_samples));
        Playout::Lost {
            samples: self.last_samples,
            next: self.packets.get(&(next + 1)).cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u16, ts: u32, at: Instant) -> Packet {
        Packet {
            seq,
            timestamp: ts,
            payload: vec![seq as u8],
            arrival: at,
            samples: 960,
        }
    }

    fn played(p: &Playout) -> Option<u16> {
        match p {
            Playout::Packet(p) => Some(p.seq),
            _ => None,
        }
    }

    #[test]
    fn reorders_by_sequence() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in [3u16, 1, 2, 4] {
            jb.push(packet(seq, seq as u32 * 960, t0));
        }
        let order: Vec<_> = (0..4).filter_map(|_| played(&jb.pop(t0))).collect();
        assert_eq!(order, vec![1, 2, 3, 4]);
        assert!(matches!(jb.pop(t0), Playout::Wait));
    }

    #[test]
    fn handles_sequence_wrap() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for (i, seq) in [65534u16, 0, 65535, 1].into_iter().enumerate() {
            let ts = match seq {
                65534 => 0,
                65535 => 960,
                0 => 1920,
                _ => 2880,
            };
            jb.push(packet(seq, ts, t0 + Duration::from_millis(i as u64)));
        }
        let order: Vec<_> = (0..4).filter_map(|_| played(&jb.pop(t0))).collect();
        assert_eq!(order, vec![65534, 65535, 0, 1]);
    }

    #[test]
    fn waits_for_a_late_packet_then_conceals_with_fec_from_the_next() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        jb.push(packet(10, 0, t0));
        jb.push(packet(12, 1920, t0));
        jb.push(packet(13, 2880, t0));
        assert_eq!(played(&jb.pop(t0)), Some(10));
        // 11 may still come: wait instead of concealing right away.
        assert!(matches!(jb.pop(t0), Playout::Wait));
        let later = t0 + Duration::from_millis(100);
        match jb.pop(later) {
            Playout::Lost { samples, next } => {
                assert_eq!(samples, 960);
                assert_eq!(next.map(|p| p.seq), Some(12));
            }
            other => panic!("expected a loss, got {other:?}"),
        }
        assert_eq!(played(&jb.pop(later)), Some(12));
        assert_eq!(jb.stats.lost, 1);
        // A straggler behind the playout point is dropped, not played out of order.
        jb.push(packet(11, 960, later));
        assert_eq!(jb.stats.late, 1);
        assert_eq!(played(&jb.pop(later)), Some(13));
    }

    #[test]
    fn dtx_gap_becomes_silence() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        jb.push(packet(1, 0, t0));
        jb.push(packet(2, 960, t0));
        assert_eq!(played(&jb.pop(t0)), Some(1));
        assert_eq!(played(&jb.pop(t0)), Some(2));
        // Sequence 3 follows directly but its timestamp is 3 frames later: a DTX pause.
        jb.push(packet(3, 960 * 5, t0));
        jb.push(packet(4, 960 * 6, t0));
        let mut silence = 0;
        loop {
            match jb.pop(t0) {
                Playout::Silence { samples } => silence += samples,
                Playout::Packet(p) => {
                    assert_eq!(p.seq, 3);
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(silence, 960 * 3);
        assert_eq!(jb.stats.lost, 0);
    }

    #[test]
    fn a_sequence_jump_skips_ahead_instead_of_concealing_it_all() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        jb.push(packet(1, 0, t0));
        jb.push(packet(2, 960, t0));
        assert_eq!(played(&jb.pop(t0)), Some(1));
        assert_eq!(played(&jb.pop(t0)), Some(2));
        jb.push(packet(1002, 960 * 1002, t0));
        jb.push(packet(1003, 960 * 1003, t0));
        let later = t0 + Duration::from_millis(100);
        assert_eq!(played(&jb.pop(later)), Some(1002));
        assert_eq!(jb.stats.lost, 999);
    }

    #[test]
    fn buffers_to_the_target_before_playing() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        jb.push(packet(1, 0, t0));
        assert!(matches!(jb.pop(t0), Playout::Wait));
        // After the target delay a single packet plays anyway.
        assert_eq!(played(&jb.pop(t0 + Duration::from_millis(40))), Some(1));
    }

    #[test]
    fn duplicates_are_ignored_and_depth_is_bounded() {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::default());
        jb.push(packet(1, 0, t0));
        jb.push(packet(1, 0, t0));
        assert_eq!(jb.stats.duplicate, 1);
        for seq in 2..40u16 {
            jb.push(packet(seq, seq as u32 * 960, t0));
        }
        assert!(jb.len() as u32 * 20 <= 300);
        assert!(jb.stats.dropped_overflow > 0);
    }
}
