//! Bad and good inputs for the reassembler: every bad one is counted, none panics, and what
//! it buffers stays under the caps.

use super::*;
use proto::data_packet::Value;
use std::io::Write;

fn header(id: &str, topic: &str, attrs: &[(&str, &str)]) -> proto::data_stream::Header {
    proto::data_stream::Header {
        stream_id: id.into(),
        topic: topic.into(),
        mime_type: "text/plain".into(),
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        content_header: Some(ContentHeader::TextHeader(Default::default())),
        ..Default::default()
    }
}

fn packet(sender: &str, value: Value) -> proto::DataPacket {
    proto::DataPacket {
        participant_identity: sender.into(),
        value: Some(value),
        ..Default::default()
    }
}

fn chunk(id: &str, index: u64, content: &[u8]) -> proto::DataPacket {
    packet(
        "agent",
        Value::StreamChunk(proto::data_stream::Chunk {
            stream_id: id.into(),
            chunk_index: index,
            content: content.to_vec(),
            ..Default::default()
        }),
    )
}

fn trailer(id: &str, attrs: &[(&str, &str)]) -> proto::DataPacket {
    packet(
        "agent",
        Value::StreamTrailer(proto::data_stream::Trailer {
            stream_id: id.into(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }),
    )
}

const SEG: (&str, &str) = (SEGMENT_ID, "SG_1");

fn open(r: &mut Reassembler, id: &str, sender: &str, attrs: &[(&str, &str)]) {
    let h = header(id, TOPIC, attrs);
    assert_eq!(
        r.packet(packet(sender, Value::StreamHeader(h)), Instant::now()),
        None
    );
}

#[test]
fn a_streamed_segment_grows_then_ends_final_with_the_header_sender() {
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    open(
        &mut r,
        "S1",
        "caller",
        &[SEG, (FINAL, "false"), (TRACK_ID, "TR_a")],
    );
    let first = r.packet(chunk("S1", 0, b"Hello "), now).expect("partial");
    assert_eq!(
        (first.text.as_str(), first.is_final, first.complete),
        ("Hello ", false, false)
    );
    let second = r
        .packet(chunk("S1", 1, "wörld".as_bytes()), now)
        .expect("partial");
    assert_eq!(second.text, "Hello wörld");
    let done = r
        .packet(trailer("S1", &[(FINAL, "true")]), now)
        .expect("end");
    assert_eq!(done.sender, "caller");
    assert_eq!(done.segment_id, "SG_1");
    assert_eq!(done.track_id, "TR_a");
    assert!(done.is_final && done.complete);
    assert_eq!(r.open_streams(), 0);
    assert_eq!(r.buffered(), 0);
    assert_eq!(r.drops().total(), 0);
}

#[test]
fn a_character_split_across_chunks_shows_once_whole() {
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    open(&mut r, "S1", "agent", &[SEG]);
    let bytes = "é".as_bytes();
    let part = r.packet(chunk("S1", 0, &bytes[..1]), now).expect("partial");
    assert_eq!(part.text, "");
    let whole = r.packet(chunk("S1", 1, &bytes[1..]), now).expect("partial");
    assert_eq!(whole.text, "é");
    assert_eq!(r.drops().non_utf8, 0);
}

#[test]
fn compressed_and_inline_payloads_are_read() {
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
    deflated
        .write_all("squeezed text ".repeat(50).as_bytes())
        .expect("deflate");
    let deflated = deflated.finish().expect("deflate");
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    let mut h = header("S1", TOPIC, &[SEG, (FINAL, "true")]);
    h.compression = CompressionType::DeflateRaw as i32;
    r.packet(packet("agent", Value::StreamHeader(h)), now);
    let (a, b) = deflated.split_at(deflated.len() / 2);
    assert_eq!(
        r.packet(chunk("S1", 0, a), now),
        None,
        "unreadable until whole"
    );
    assert_eq!(r.packet(chunk("S1", 1, b), now), None);
    let done = r.packet(trailer("S1", &[]), now).expect("end");
    assert_eq!(done.text, "squeezed text ".repeat(50));
    assert!(done.is_final);

    let mut h = header("S2", TOPIC, &[SEG]);
    h.inline_content = Some(b"short".to_vec());
    let inline = r
        .packet(packet("agent", Value::StreamHeader(h)), now)
        .expect("whole in the header");
    assert_eq!((inline.text.as_str(), inline.complete), ("short", true));
    assert_eq!(r.drops().total(), 0);
}

#[test]
fn unknown_topics_missing_attributes_and_byte_streams_are_ignored() {
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    let chat = header("S1", "lk.chat", &[SEG]);
    r.packet(packet("a", Value::StreamHeader(chat)), now);
    assert_eq!(r.packet(chunk("S1", 0, b"hi"), now), None);
    assert_eq!(r.packet(trailer("S1", &[]), now), None);
    let bare = header("S2", TOPIC, &[(FINAL, "true")]);
    r.packet(packet("a", Value::StreamHeader(bare)), now);
    assert_eq!(r.packet(chunk("S2", 0, b"hi"), now), None);
    let mut file = header("S3", TOPIC, &[SEG]);
    file.content_header = Some(ContentHeader::ByteHeader(Default::default()));
    r.packet(packet("a", Value::StreamHeader(file)), now);
    assert_eq!(r.packet(chunk("S3", 0, b"\xff"), now), None);
    let d = r.drops();
    assert_eq!((d.unknown_topic, d.missing_attributes), (1, 1));
    assert_eq!(
        d.total(),
        2,
        "later packets of a skipped stream are not recounted"
    );
    assert_eq!(r.open_streams(), 0);
}

#[test]
fn non_utf8_and_garbage_are_counted() {
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    open(&mut r, "S1", "agent", &[SEG]);
    assert_eq!(r.packet(chunk("S1", 0, b"ok \xff\xfe bad"), now), None);
    assert_eq!(r.packet(trailer("S1", &[]), now), None);
    let mut h = header("S2", TOPIC, &[SEG]);
    h.compression = CompressionType::DeflateRaw as i32;
    h.inline_content = Some(b"not deflate at all \xff".to_vec());
    assert_eq!(r.packet(packet("a", Value::StreamHeader(h)), now), None);
    assert_eq!(r.message(b"\xff\xff\xff\xff", now), None);
    let d = r.drops();
    assert_eq!((d.non_utf8, d.undecodable), (2, 1));
    assert_eq!(r.buffered(), 0);
}

#[test]
fn out_of_order_orphan_and_reused_streams_are_interleaved() {
    let mut r = Reassembler::new(Caps::default());
    let now = Instant::now();
    open(&mut r, "S1", "agent", &[SEG]);
    r.packet(chunk("S1", 0, b"a"), now);
    assert_eq!(r.packet(chunk("S1", 2, b"c"), now), None, "index 1 skipped");
    assert_eq!(r.packet(chunk("NOPE", 0, b"x"), now), None);
    assert_eq!(r.packet(trailer("GONE", &[]), now), None);
    open(&mut r, "S2", "agent", &[SEG]);
    let again = header("S2", TOPIC, &[SEG]);
    assert_eq!(r.packet(packet("a", Value::StreamHeader(again)), now), None);
    assert_eq!(r.drops().interleaved, 4);
    assert_eq!(r.open_streams(), 0);
    assert_eq!(r.buffered(), 0);
}

#[test]
fn caps_bound_streams_bytes_and_time() {
    let caps = Caps {
        stream_bytes: 100,
        open_streams: 2,
        total_bytes: 150,
        idle: Duration::from_secs(5),
    };
    let mut r = Reassembler::new(caps);
    let t0 = Instant::now();
    // Per stream.
    open(&mut r, "BIG", "agent", &[SEG]);
    r.packet(chunk("BIG", 0, &[b'a'; 60]), t0);
    assert_eq!(r.packet(chunk("BIG", 1, &[b'a'; 60]), t0), None);
    assert_eq!(r.drops().oversized, 1);
    let mut long = header("LONG", TOPIC, &[SEG]);
    long.total_length = Some(101);
    r.packet(packet("a", Value::StreamHeader(long)), t0);
    assert_eq!(r.drops().oversized, 2);
    // Per room: two open at most, 150 bytes at most.
    open(&mut r, "A", "agent", &[SEG]);
    open(&mut r, "B", "agent", &[SEG]);
    open(&mut r, "C", "agent", &[SEG]);
    assert_eq!((r.open_streams(), r.drops().oversized), (2, 3));
    r.packet(chunk("A", 0, &[b'a'; 90]), t0);
    assert_eq!(r.packet(chunk("B", 0, &[b'b'; 90]), t0), None);
    assert_eq!(r.drops().oversized, 4);
    assert!(r.buffered() <= 150);
    // Unterminated: A goes quiet.
    r.expire(t0 + Duration::from_secs(6));
    assert_eq!(r.drops().unterminated, 1);
    assert_eq!((r.open_streams(), r.buffered()), (0, 0));
    // A bomb: a little deflate that inflates past the cap.
    let mut bomb = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
    bomb.write_all(&[b'z'; 10_000]).expect("deflate");
    let mut h = header("BOMB", TOPIC, &[SEG]);
    h.compression = CompressionType::DeflateRaw as i32;
    h.inline_content = Some(bomb.finish().expect("deflate"));
    assert_eq!(r.packet(packet("a", Value::StreamHeader(h)), t0), None);
    assert_eq!(r.drops().oversized, 5);
}

#[test]
fn other_packets_pass_without_a_count() {
    let mut r = Reassembler::new(Caps::default());
    let user = packet("a", Value::User(Default::default()));
    assert_eq!(r.packet(user, Instant::now()), None);
    assert_eq!(r.drops().total(), 0);
}
