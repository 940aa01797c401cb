//! LiveKit's `EgressInfo` as Earshot's [`EgressSummary`]: status, error, times, each
//! output's results and what the request asked for. LiveKit reports times and durations in
//! nanoseconds; the summary carries milliseconds.

use earshot_protocol::egress::{EgressKind, EgressStatus, EgressSummary};
use earshot_protocol::egress_detail::{
    EgressResults, EgressSource, FileResult, ImagesResult, SegmentsResult, StreamResult,
    StreamStatus,
};
use livekit_protocol as proto;

fn ms(ns: i64) -> i64 {
    ns / 1_000_000
}

/// A preset's name as the start form offers it, `custom`, or empty for the default.
fn encoding_name(preset: Option<i32>, advanced: bool) -> String {
    if advanced {
        return "custom".into();
    }
    preset
        .and_then(|p| proto::EncodingOptionsPreset::try_from(p).ok())
        .map(|p| p.as_str_name().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Encoding of each request's options oneof (the same two variants in each module).
macro_rules! encoding {
    ($module:ident, $options:expr) => {
        match &$options {
            Some(proto::$module::Options::Preset(p)) => encoding_name(Some(*p), false),
            Some(proto::$module::Options::Advanced(_)) => encoding_name(None, true),
            None => String::new(),
        }
    };
}

/// The protocol of a request's stream output, if it has one.
fn stream_protocol(outputs: &[proto::StreamOutput]) -> String {
    outputs
        .first()
        .map(|o| {
            if o.protocol == proto::StreamProtocol::Srt as i32 {
                "srt"
            } else {
                "rtmp"
            }
        })
        .unwrap_or_default()
        .into()
}

/// Kind, layout and source of the request that started the egress.
fn request(r: &Option<proto::egress_info::Request>) -> (EgressKind, String, EgressSource) {
    use proto::egress_info::Request;
    match r {
        Some(Request::RoomComposite(r)) => (
            EgressKind::RoomComposite,
            r.layout.clone(),
            EgressSource {
                audio_only: r.audio_only,
                video_only: r.video_only,
                custom_base_url: r.custom_base_url.clone(),
                encoding: encoding!(room_composite_egress_request, r.options),
                stream_protocol: stream_protocol(&r.stream_outputs),
                ..Default::default()
            },
        ),
        Some(Request::Web(r)) => (
            EgressKind::Web,
            String::new(),
            EgressSource {
                url: r.url.clone(),
                audio_only: r.audio_only,
                video_only: r.video_only,
                encoding: encoding!(web_egress_request, r.options),
                stream_protocol: stream_protocol(&r.stream_outputs),
                ..Default::default()
            },
        ),
        Some(Request::Participant(r)) => (
            EgressKind::Participant,
            String::new(),
            EgressSource {
                identity: r.identity.clone(),
                screen_share: r.screen_share,
                encoding: encoding!(participant_egress_request, r.options),
                stream_protocol: stream_protocol(&r.stream_outputs),
                ..Default::default()
            },
        ),
        Some(Request::TrackComposite(r)) => (
            EgressKind::TrackComposite,
            String::new(),
            EgressSource {
                track_ids: [&r.audio_track_id, &r.video_track_id]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .cloned()
                    .collect(),
                encoding: encoding!(track_composite_egress_request, r.options),
                stream_protocol: stream_protocol(&r.stream_outputs),
                ..Default::default()
            },
        ),
        Some(Request::Track(r)) => (
            EgressKind::Track,
            String::new(),
            EgressSource {
                track_ids: vec![r.track_id.clone()],
                ..Default::default()
            },
        ),
        Some(Request::Egress(_)) => (EgressKind::Egress, String::new(), EgressSource::default()),
        Some(Request::Replay(_)) => (EgressKind::Replay, String::new(), EgressSource::default()),
        None => (EgressKind::Unknown, String::new(), EgressSource::default()),
    }
}

fn egress_status(status: i32) -> EgressStatus {
    use proto::EgressStatus as S;
    match S::try_from(status) {
        Ok(S::EgressStarting) => EgressStatus::Starting,
        Ok(S::EgressActive) => EgressStatus::Active,
        Ok(S::EgressEnding) => EgressStatus::Ending,
        Ok(S::EgressComplete) => EgressStatus::Complete,
        Ok(S::EgressFailed) => EgressStatus::Failed,
        Ok(S::EgressAborted) => EgressStatus::Aborted,
        Ok(S::EgressLimitReached) => EgressStatus::LimitReached,
        _ => EgressStatus::Unknown,
    }
}

fn stream_status(status: i32) -> StreamStatus {
    use proto::stream_info::Status as S;
    match S::try_from(status) {
        Ok(S::Active) => StreamStatus::Active,
        Ok(S::Finished) => StreamStatus::Finished,
        Ok(S::Failed) => StreamStatus::Failed,
        _ => StreamStatus::Unknown,
    }
}

fn file(f: &proto::FileInfo) -> FileResult {
    FileResult {
        filename: f.filename.clone(),
        location: f.location.clone(),
        size_bytes: f.size,
        duration_ms: ms(f.duration),
        started_at_ms: ms(f.started_at),
        ended_at_ms: ms(f.ended_at),
    }
}

fn stream(s: &proto::StreamInfo) -> StreamResult {
    StreamResult {
        url: s.url.clone(),
        status: stream_status(s.status),
        error: s.error.clone(),
        duration_ms: ms(s.duration),
        started_at_ms: ms(s.started_at),
        ended_at_ms: ms(s.ended_at),
        retries: s.retries,
    }
}

fn segments(s: &proto::SegmentsInfo) -> SegmentsResult {
    SegmentsResult {
        playlist_name: s.playlist_name.clone(),
        playlist_location: s.playlist_location.clone(),
        live_playlist_name: s.live_playlist_name.clone(),
        live_playlist_location: s.live_playlist_location.clone(),
        segment_count: s.segment_count,
        size_bytes: s.size,
        duration_ms: ms(s.duration),
        started_at_ms: ms(s.started_at),
        ended_at_ms: ms(s.ended_at),
    }
}

/// The results; servers older than the per-output lists fill the deprecated `result`.
fn results(e: &proto::EgressInfo) -> EgressResults {
    let mut r = EgressResults {
        files: e.file_results.iter().map(file).collect(),
        streams: e.stream_results.iter().map(stream).collect(),
        segments: e.segment_results.iter().map(segments).collect(),
        images: e
            .image_results
            .iter()
            .map(|i| ImagesResult {
                filename_prefix: i.filename_prefix.clone(),
                image_count: i.image_count,
                started_at_ms: ms(i.started_at),
                ended_at_ms: ms(i.ended_at),
            })
            .collect(),
    };
    #[allow(deprecated)]
    {
        use proto::egress_info::Result as Legacy;
        match &e.result {
            Some(Legacy::File(f)) if r.files.is_empty() => r.files.push(file(f)),
            Some(Legacy::Stream(l)) if r.streams.is_empty() => {
                r.streams = l.info.iter().map(stream).collect()
            }
            Some(Legacy::Segments(s)) if r.segments.is_empty() => r.segments.push(segments(s)),
            _ => {}
        }
    }
    r
}

/// One line per output, for the list.
fn lines(r: &EgressResults) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(r.files.iter().map(|f| {
        let at = if f.location.is_empty() {
            &f.filename
        } else {
            &f.location
        };
        format!("file {at} ({} bytes)", f.size_bytes)
    }));
    out.extend(r.streams.iter().map(|s| {
        if s.error.is_empty() {
            format!("stream {} ({})", s.url, s.status.label())
        } else {
            format!("stream {} ({}) — {}", s.url, s.status.label(), s.error)
        }
    }));
    out.extend(
        r.segments
            .iter()
            .map(|s| format!("HLS {} ({} segments)", s.playlist_name, s.segment_count)),
    );
    out.extend(
        r.images
            .iter()
            .map(|i| format!("images {}* ({})", i.filename_prefix, i.image_count)),
    );
    out
}

/// The egress as the list and detail show it.
pub(super) fn summary(e: proto::EgressInfo) -> EgressSummary {
    let (kind, layout, source) = request(&e.request);
    let status = egress_status(e.status);
    let results = results(&e);
    EgressSummary {
        outputs: lines(&results),
        results,
        source,
        id: e.egress_id,
        room_name: e.room_name,
        kind,
        status,
        started_at_ms: ms(e.started_at),
        ended_at_ms: ms(e.ended_at),
        updated_at_ms: ms(e.updated_at),
        error: e.error,
        error_code: e.error_code,
        details: e.details,
        layout,
        manifest_location: e.manifest_location,
        backup_storage_used: e.backup_storage_used,
        retry_count: e.retry_count,
    }
}

#[cfg(test)]
#[path = "egress_summary_tests.rs"]
mod tests;
