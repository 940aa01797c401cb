//! One 20 ms frame of what the supervisor hears, and its wire views for the app shell.

use crate::listen::engine::track::{FRAME_SAMPLES, SAMPLE_RATE};
use std::time::Duration;

/// 20 ms of mono 48 kHz audio from the audible rooms.
#[derive(Debug, Clone)]
pub struct AudioFrame {
    /// The rooms mixed into this frame (the audible set that exist).
    pub rooms: Vec<earshot_protocol::listen::RoomKey>,
    /// 960 samples, -1.0..=1.0.
    pub samples: Vec<f32>,
    /// Counts frames handed out since the listener started; a gap means dropped frames.
    pub sequence: u64,
    /// RTP arrival of the oldest packet heard in this frame → hand-out; `None` in silence.
    pub latency: Option<Duration>,
}

impl AudioFrame {
    pub const SAMPLE_RATE: u32 = SAMPLE_RATE;
    pub const SAMPLES: usize = FRAME_SAMPLES;

    /// The samples as little-endian f32 bytes (3840 bytes), for tools that want them raw.
    /// The app does not send these: audio crosses the IPC as the text of
    /// [`earshot_protocol::listen::encode_audio_frame`] (a binary message costs a fetch).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    /// The samples as 16-bit PCM.
    pub fn to_i16(&self) -> Vec<i16> {
        self.samples
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * i16::MAX as f32) as i16)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_views() {
        let frame = AudioFrame {
            rooms: vec!["r".into()],
            samples: vec![0.5; FRAME_SAMPLES],
            sequence: 1,
            latency: None,
        };
        let bytes = frame.to_le_bytes();
        assert_eq!(bytes.len(), FRAME_SAMPLES * 4);
        assert_eq!(&bytes[..4], &0.5f32.to_le_bytes());
        assert_eq!(frame.to_i16()[0], i16::MAX / 2);
    }
}
