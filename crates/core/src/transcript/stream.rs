//! Reassembles LiveKit text streams (data packets: a stream header, chunks, a trailer) into
//! transcription segments, with caps so a misbehaving sender costs bounded memory.
//!
//! Wire facts this follows (livekit-server v1.13.3, Python SDK 1.2.1):
//! - the header carries the topic, the attributes and, for text, a `TextHeader`; chunks carry
//!   UTF-8 bytes in `chunk_index` order; the trailer may add or override attributes
//!   (livekit-agents closes an agent's own segment with `lk.transcription_final: true` there);
//! - short payloads may come whole in the header (`inline_content`), and a payload may be
//!   compressed with raw DEFLATE (`compression: DEFLATE_RAW`) over the whole stream, which
//!   can then only be read once complete;
//! - the server keeps the header's `participant_identity` only when an *agent* sends a text
//!   stream on someone's behalf; chunks and trailers carry the agent's identity, so the
//!   speaker is taken from the header.

use earshot_protocol::transcript::TranscriptDrops;
use livekit_protocol as proto;
use prost::Message;
use proto::data_stream::{header::ContentHeader, CompressionType};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::time::{Duration, Instant};

/// The topic agents publish transcriptions on.
pub const TOPIC: &str = "lk.transcription";
/// Attribute naming the segment (interim versions share it).
pub const SEGMENT_ID: &str = "lk.segment_id";
/// Attribute naming the transcribed track.
pub const TRACK_ID: &str = "lk.transcribed_track_id";
/// Attribute saying whether the segment is final (`"true"`).
pub const FINAL: &str = "lk.transcription_final";

/// Bounds on what one connection buffers.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Bytes of one stream (compressed as sent).
    pub stream_bytes: usize,
    /// Streams open at once.
    pub open_streams: usize,
    /// Bytes of all open streams together.
    pub total_bytes: usize,
    /// A stream with no packet for this long is dropped as unterminated.
    pub idle: Duration,
}

impl Default for Caps {
    /// A transcript segment is a sentence or a few; 64 KiB is thousands of words. An agent
    /// streams its own speech as it is spoken, so a stream may stay open for a long turn.
    fn default() -> Self {
        Self {
            stream_bytes: 64 * 1024,
            open_streams: 32,
            total_bytes: 512 * 1024,
            idle: Duration::from_secs(60),
        }
    }
}

/// A transcription segment, whole or as far as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub stream_id: String,
    /// The header's sender identity (the caller for the caller's speech).
    pub sender: String,
    pub segment_id: String,
    pub track_id: String,
    pub text: String,
    pub is_final: bool,
    /// The stream ended (trailer, or the whole text in the header).
    pub complete: bool,
}

struct Open {
    sender: String,
    attributes: HashMap<String, String>,
    compressed: bool,
    next_index: u64,
    bytes: Vec<u8>,
    last: Instant,
}

/// Stream ids whose packets are skipped without counting again (their header was counted or
/// was not a transcript). Bounded: an id that falls out only costs a miscount.
struct Skipped {
    order: VecDeque<String>,
    set: HashSet<String>,
}

const SKIPPED_CAP: usize = 256;

impl Skipped {
    fn add(&mut self, id: &str) {
        if self.set.insert(id.to_owned()) {
            self.order.push_back(id.to_owned());
            if self.order.len() > SKIPPED_CAP {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }
}

/// The text streams of one connection.
pub struct Reassembler {
    caps: Caps,
    open: HashMap<String, Open>,
    buffered: usize,
    skipped: Skipped,
    drops: TranscriptDrops,
}

impl Reassembler {
    pub fn new(caps: Caps) -> Self {
        Self {
            caps,
            open: HashMap::new(),
            buffered: 0,
            skipped: Skipped {
                order: VecDeque::new(),
                set: HashSet::new(),
            },
            drops: TranscriptDrops::default(),
        }
    }

    /// What was ignored so far.
    pub fn drops(&self) -> TranscriptDrops {
        self.drops
    }

    /// Streams open now (for tests and the debug log).
    pub fn open_streams(&self) -> usize {
        self.open.len()
    }

    /// Bytes buffered in open streams now.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// One data channel message: a protobuf `DataPacket`.
    pub fn message(&mut self, data: &[u8], now: Instant) -> Option<Segment> {
        match proto::DataPacket::decode(data) {
            Ok(packet) => self.packet(packet, now),
            Err(_) => {
                self.drops.undecodable += 1;
                None
            }
        }
    }

    /// One decoded packet; a segment when it adds to or ends a transcription stream.
    pub fn packet(&mut self, packet: proto::DataPacket, now: Instant) -> Option<Segment> {
        use proto::data_packet::Value;
        self.expire(now);
        match packet.value? {
            Value::StreamHeader(h) => self.header(packet.participant_identity, h, now),
            Value::StreamChunk(c) => self.chunk(c, now),
            Value::StreamTrailer(t) => self.trailer(t),
            _ => None,
        }
    }

    /// Drops streams idle past the cap.
    pub fn expire(&mut self, now: Instant) {
        let idle = self.caps.idle;
        let stale: Vec<String> = self
            .open
            .iter()
            .filter(|(_, o)| now.saturating_duration_since(o.last) >= idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in stale {
            self.drops.unterminated += 1;
            self.close(&id);
        }
    }

    fn close(&mut self, id: &str) -> Option<Open> {
        let open = self.open.remove(id)?;
        self.buffered = self.buffered.saturating_sub(open.bytes.len());
        self.skipped.add(id);
        Some(open)
    }

    fn header(
        &mut self,
        sender: String,
        h: proto::data_stream::Header,
        now: Instant,
    ) -> Option<Segment> {
        let id = h.stream_id;
        if !matches!(h.content_header, Some(ContentHeader::TextHeader(_))) {
            // Byte streams (files, images) are not transcripts and are not an error.
            self.skipped.add(&id);
            return None;
        }
        if self.open.contains_key(&id) || self.skipped.set.contains(&id) {
            self.drops.interleaved += 1;
            self.close(&id);
            return None;
        }
        if h.topic != TOPIC {
            self.drops.unknown_topic += 1;
            self.skipped.add(&id);
            return None;
        }
        if h.attributes.get(SEGMENT_ID).is_none_or(|s| s.is_empty()) {
            self.drops.missing_attributes += 1;
            self.skipped.add(&id);
            return None;
        }
        let compressed = h.compression == CompressionType::DeflateRaw as i32;
        tracing::debug!(
            stream = %id,
            compressed,
            inline = h.inline_content.is_some(),
            total_length = ?h.total_length,
            "transcript stream opened"
        );
        let mut open = Open {
            sender,
            attributes: h.attributes,
            compressed,
            next_index: 0,
            bytes: Vec::new(),
            last: now,
        };
        if let Some(inline) = h.inline_content {
            if inline.len() > self.caps.stream_bytes {
                self.drops.oversized += 1;
                self.skipped.add(&id);
                return None;
            }
            open.bytes = inline;
            self.skipped.add(&id);
            return self.finish(id, open);
        }
        let too_long = h
            .total_length
            .is_some_and(|n| n > self.caps.stream_bytes as u64);
        if too_long || self.open.len() >= self.caps.open_streams {
            self.drops.oversized += 1;
            self.skipped.add(&id);
            return None;
        }
        self.open.insert(id, open);
        None
    }

    fn chunk(&mut self, c: proto::data_stream::Chunk, now: Instant) -> Option<Segment> {
        let id = c.stream_id;
        if self.skipped.set.contains(&id) {
            return None;
        }
        let (stream_bytes, total_bytes) = (self.caps.stream_bytes, self.caps.total_bytes);
        let Some(open) = self.open.get_mut(&id) else {
            self.drops.interleaved += 1;
            self.skipped.add(&id);
            return None;
        };
        if c.chunk_index != open.next_index {
            self.drops.interleaved += 1;
            self.close(&id);
            return None;
        }
        if open.bytes.len() + c.content.len() > stream_bytes
            || self.buffered + c.content.len() > total_bytes
        {
            self.drops.oversized += 1;
            self.close(&id);
            return None;
        }
        open.next_index += 1;
        open.last = now;
        open.bytes.extend_from_slice(&c.content);
        self.buffered += c.content.len();
        if open.compressed {
            return None;
        }
        // Partial text so far: a chunk may end inside a character, so show what is whole.
        let text = match std::str::from_utf8(&open.bytes) {
            Ok(text) => text.to_owned(),
            Err(e) if e.error_len().is_none() => {
                String::from_utf8_lossy(&open.bytes[..e.valid_up_to()]).into_owned()
            }
            Err(_) => {
                self.drops.non_utf8 += 1;
                self.close(&id);
                return None;
            }
        };
        Some(segment(id, open, text, false))
    }

    fn trailer(&mut self, t: proto::data_stream::Trailer) -> Option<Segment> {
        let id = t.stream_id;
        if self.skipped.set.contains(&id) {
            return None;
        }
        let Some(mut open) = self.close(&id) else {
            self.drops.interleaved += 1;
            self.skipped.add(&id);
            return None;
        };
        open.attributes.extend(t.attributes);
        self.finish(id, open)
    }

    fn finish(&mut self, id: String, open: Open) -> Option<Segment> {
        let bytes = if open.compressed {
            match inflate(&open.bytes, self.caps.stream_bytes) {
                Inflated::Ok(bytes) => bytes,
                Inflated::TooBig => {
                    self.drops.oversized += 1;
                    return None;
                }
                Inflated::Bad => {
                    self.drops.non_utf8 += 1;
                    return None;
                }
            }
        } else {
            open.bytes.clone()
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some(segment(id, &open, text, true)),
            Err(_) => {
                self.drops.non_utf8 += 1;
                None
            }
        }
    }
}

fn segment(stream_id: String, open: &Open, text: String, complete: bool) -> Segment {
    let attr = |k: &str| open.attributes.get(k).cloned().unwrap_or_default();
    Segment {
        stream_id,
        sender: open.sender.clone(),
        segment_id: attr(SEGMENT_ID),
        track_id: attr(TRACK_ID),
        text,
        is_final: complete && attr(FINAL) == "true",
        complete,
    }
}

enum Inflated {
    Ok(Vec<u8>),
    TooBig,
    Bad,
}

/// Inflates raw DEFLATE, refusing output past `cap` (a small input can inflate hugely).
fn inflate(data: &[u8], cap: usize) -> Inflated {
    let mut out = Vec::new();
    let reader = flate2::read::DeflateDecoder::new(data);
    match reader.take(cap as u64 + 1).read_to_end(&mut out) {
        Ok(n) if n > cap => Inflated::TooBig,
        Ok(_) => Inflated::Ok(out),
        Err(_) => Inflated::Bad,
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
