//! What a room view's connection hears on its data channels: transcript lines, attributed to
//! the participants its roster knows.

use super::roster::Roster;
use crate::clock::unix_millis;
use crate::transcript::stream::{Caps, Reassembler};
use crate::transcript::Transcript;
use earshot_protocol::transcript::{TranscriptDrops, TranscriptLine};
use std::time::{Duration, Instant};

/// Text streams in flight and the transcript so far; the transcript outlives rejoins.
pub(super) struct Heard {
    streams: Reassembler,
    transcript: Transcript,
}

impl Heard {
    pub(super) fn new() -> Self {
        Self {
            streams: Reassembler::new(Caps::default()),
            transcript: Transcript::default(),
        }
    }

    /// One data channel message; the line it adds or replaces, if any.
    pub(super) fn data(&mut self, bytes: &[u8], roster: &Roster) -> Option<TranscriptLine> {
        let before = self.streams.drops();
        let segment = self.streams.message(bytes, Instant::now());
        let after = self.streams.drops();
        if after != before {
            tracing::debug!(drops = ?after, "a data packet was ignored");
        }
        let segment = segment?;
        let speaker = roster.speaker(&segment.sender);
        self.transcript.apply(segment, speaker, unix_millis())
    }

    /// Drops streams that went quiet.
    pub(super) fn tick(&mut self) {
        self.streams.expire(Instant::now());
    }

    /// A new connection: streams half-sent on the old one will never end there.
    pub(super) fn reconnected(&mut self) {
        self.streams
            .expire(Instant::now() + Duration::from_secs(86_400));
    }

    pub(super) fn drops(&self) -> TranscriptDrops {
        self.streams.drops()
    }
}
