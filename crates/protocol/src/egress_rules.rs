//! Input rules for egress and storage forms, shared by the UI (inline) and the backend.

use crate::egress::{
    AdvancedEncoding, EgressKind, EgressRequest, AUDIO_CODECS, ENCODING_PRESETS, FILE_TYPES,
    LAYOUTS, STREAM_PROTOCOLS, VIDEO_CODECS,
};
pub use crate::egress_storage_rules::storage_errors;
use crate::fields::{invalid, required, url_with};
use crate::AppError;

/// Every problem of a start-egress form.
pub fn egress_errors(r: &EgressRequest) -> Vec<AppError> {
    let mut e = Vec::new();
    let mut check = |res: Result<(), AppError>| {
        if let Err(err) = res {
            e.push(err);
        }
    };
    let kind = r.kind;
    match kind {
        EgressKind::RoomComposite => {
            check(required(&r.room_name, "room_name", "room name"));
            if !r.layout.is_empty()
                && !LAYOUTS.contains(&r.layout.as_str())
                && r.custom_base_url.is_empty()
            {
                check(Err(invalid(
                    "layout",
                    format!("Choose a layout: {}.", LAYOUTS.join(", ")),
                )));
            }
            if !r.custom_base_url.is_empty() {
                check(url_with(
                    &r.custom_base_url,
                    &["http", "https"],
                    "custom_base_url",
                ));
            }
        }
        EgressKind::Web => check(url_with(&r.url, &["http", "https"], "url")),
        EgressKind::Participant => {
            check(required(&r.room_name, "room_name", "room name"));
            check(required(&r.identity, "identity", "participant identity"));
        }
        EgressKind::TrackComposite => {
            check(required(&r.room_name, "room_name", "room name"));
            if r.audio_track_id.trim().is_empty() && r.video_track_id.trim().is_empty() {
                check(Err(invalid(
                    "audio_track_id",
                    "Enter an audio track id, a video track id, or both.",
                )));
            }
        }
        EgressKind::Track => {
            check(required(&r.room_name, "room_name", "room name"));
            check(required(&r.track_id, "track_id", "track id"));
        }
        _ => check(Err(invalid("kind", "Choose what to record."))),
    }
    if r.audio_only && r.video_only {
        check(Err(invalid(
            "video_only",
            "Audio only and video only exclude each other.",
        )));
    }
    if !ENCODING_PRESETS.contains(&r.preset.as_str()) {
        check(Err(invalid("preset", "Unknown encoding preset.")));
    }
    if let Some(a) = &r.advanced {
        if kind == EgressKind::Track {
            check(Err(invalid(
                "advanced",
                "A track egress copies the track as it is: no encoding options.",
            )));
        } else if !r.preset.is_empty() {
            check(Err(invalid(
                "preset",
                "Choose a preset or custom encoding, not both.",
            )));
        }
        for err in encoding_errors(a) {
            check(Err(err));
        }
    }
    let o = &r.outputs;
    if kind == EgressKind::Track {
        match (&o.file, o.websocket_url.is_empty()) {
            (Some(_), false) => check(Err(invalid(
                "websocket_url",
                "A track egress writes a file or a WebSocket, not both.",
            ))),
            (None, true) => check(Err(invalid(
                "outputs",
                "Add a file output or a WebSocket URL.",
            ))),
            (None, false) => check(url_with(&o.websocket_url, &["ws", "wss"], "websocket_url")),
            _ => {}
        }
        if o.stream.is_some() || o.segments.is_some() || o.images.is_some() {
            check(Err(invalid(
                "outputs",
                "A track egress has only a file or a WebSocket output.",
            )));
        }
    } else if o.file.is_none() && o.stream.is_none() && o.segments.is_none() && o.images.is_none() {
        check(Err(invalid(
            "outputs",
            "Add at least one output: file, stream, segments or images.",
        )));
    }
    if let Some(f) = &o.file {
        if !FILE_TYPES.contains(&f.file_type.as_str()) {
            check(Err(invalid("file_type", "Choose MP4 or OGG.")));
        }
        if f.filepath.contains(char::is_control) {
            check(Err(invalid(
                "filepath",
                "The file path contains a control character.",
            )));
        }
        if f.file_type == "ogg" && !r.audio_only && kind != EgressKind::Track {
            check(Err(invalid(
                "file_type",
                "OGG holds audio only; tick “audio only” or use MP4.",
            )));
        }
    }
    if let Some(s) = &o.stream {
        if !STREAM_PROTOCOLS.contains(&s.protocol.as_str()) {
            check(Err(invalid("stream_protocol", "Choose RTMP or SRT.")));
        } else if s.urls.is_empty() {
            check(Err(invalid("stream_urls", "Add the stream URL(s).")));
        }
        let schemes = stream_schemes(if s.protocol == "srt" { "srt" } else { "rtmp" });
        for u in &s.urls {
            check(url_with(u, schemes, "stream_urls"));
        }
    }
    if let Some(s) = &o.segments {
        if s.segment_duration > 600 {
            check(Err(invalid(
                "segment_duration",
                "Segments last at most 600 s (0: the default of 4 s).",
            )));
        }
        if !s.playlist_name.is_empty() && !s.playlist_name.ends_with(".m3u8") {
            check(Err(invalid(
                "playlist_name",
                "The playlist name ends in .m3u8.",
            )));
        }
    }
    if let Some(i) = &o.images {
        if i.capture_interval == 0 {
            check(Err(invalid(
                "capture_interval",
                "Capture at least every 1 s.",
            )));
        }
    }
    if !r.storage.is_empty() && r.storage.trim() != r.storage {
        check(Err(invalid(
            "storage",
            "The storage profile name has surrounding spaces.",
        )));
    }
    e
}

/// `value` is 0 (the worker's default) or within `range`.
fn zero_or(
    value: u32,
    range: std::ops::RangeInclusive<u32>,
    field: &str,
    what: &str,
) -> Result<(), AppError> {
    if value == 0 || range.contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!(
                "{what} is {} to {} (or empty for the default).",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// Every problem of custom encoding options.
pub fn encoding_errors(a: &AdvancedEncoding) -> Vec<AppError> {
    let mut e = Vec::new();
    let mut check = |res: Result<(), AppError>| {
        if let Err(err) = res {
            e.push(err);
        }
    };
    check(zero_or(a.width, 16..=3840, "enc_width", "The width"));
    check(zero_or(a.height, 16..=3840, "enc_height", "The height"));
    if a.width % 2 == 1 || a.height % 2 == 1 {
        check(Err(invalid(
            "enc_width",
            "Width and height must be even (the encoder works on 2×2 blocks).",
        )));
    }
    if (a.width == 0) != (a.height == 0) {
        check(Err(invalid(
            "enc_height",
            "Give both the width and the height, or neither.",
        )));
    }
    if ![0, 8, 16, 24].contains(&a.depth) {
        check(Err(invalid("enc_depth", "The depth is 8, 16 or 24 bits.")));
    }
    check(zero_or(
        a.framerate,
        1..=60,
        "enc_framerate",
        "The frame rate",
    ));
    if !AUDIO_CODECS.contains(&a.audio_codec.as_str()) {
        check(Err(invalid("enc_audio_codec", "Choose Opus, AAC or MP3.")));
    }
    check(zero_or(
        a.audio_bitrate,
        8..=512,
        "enc_audio_bitrate",
        "The audio bitrate (kbps)",
    ));
    if ![0, 44_100, 48_000].contains(&a.audio_frequency) {
        check(Err(invalid(
            "enc_audio_frequency",
            "The audio frequency is 44100 or 48000 Hz.",
        )));
    }
    if !VIDEO_CODECS.contains(&a.video_codec.as_str()) {
        check(Err(invalid(
            "enc_video_codec",
            "Choose H.264 (baseline, main, high) or VP8.",
        )));
    }
    check(zero_or(
        a.video_bitrate,
        100..=50_000,
        "enc_video_bitrate",
        "The video bitrate (kbps)",
    ));
    check(zero_or(
        a.key_frame_interval,
        1..=20,
        "enc_key_frame_interval",
        "The key frame interval (s)",
    ));
    e
}

/// Problems of the S3-only options (role, tags, object headers and metadata).
/// Schemes a stream of `protocol` takes (`rtmp`, `srt`; empty: not known, any of them).
pub fn stream_schemes(protocol: &str) -> &'static [&'static str] {
    match protocol {
        "srt" => &["srt"],
        "rtmp" => &["rtmp", "rtmps"],
        _ => &["rtmp", "rtmps", "srt"],
    }
}

/// Every problem of an UpdateStream on an egress streaming over `protocol`: URLs to add
/// follow the start form's rules (field `stream_add`); one URL at least is needed.
pub fn stream_update_errors(protocol: &str, add: &[String], remove: &[String]) -> Vec<AppError> {
    if add.is_empty() && remove.is_empty() {
        return vec![invalid("stream_add", "Enter the stream URL(s).")];
    }
    add.iter()
        .filter_map(|u| url_with(u, stream_schemes(protocol), "stream_add").err())
        .collect()
}

#[cfg(test)]
#[path = "egress_rules_tests.rs"]
mod tests;
