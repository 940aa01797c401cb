//! The mapping of a hand-built `EgressInfo` with every kind of result and an error.

use super::*;

const S: i64 = 1_000_000_000;
const T0: i64 = 1_700_000_000 * S;

fn failed_room_composite() -> proto::EgressInfo {
    use proto::room_composite_egress_request::Options;
    proto::EgressInfo {
        egress_id: "EG_detail".into(),
        room_name: "support".into(),
        status: proto::EgressStatus::EgressFailed as i32,
        started_at: T0,
        ended_at: T0 + 90 * S,
        updated_at: T0 + 91 * S,
        error: "upload failed: access denied".into(),
        error_code: 403,
        details: "end reason: upload error".into(),
        manifest_location: "s3://rec/EG_detail.json".into(),
        backup_storage_used: true,
        retry_count: 2,
        request: Some(proto::egress_info::Request::RoomComposite(
            proto::RoomCompositeEgressRequest {
                room_name: "support".into(),
                layout: "speaker".into(),
                audio_only: true,
                custom_base_url: "https://t.example/tpl".into(),
                stream_outputs: vec![proto::StreamOutput {
                    protocol: proto::StreamProtocol::Rtmp as i32,
                    urls: vec!["rtmp://127.0.0.1/live/key".into()],
                }],
                options: Some(Options::Preset(
                    proto::EncodingOptionsPreset::H2641080p30 as i32,
                )),
                ..Default::default()
            },
        )),
        file_results: vec![proto::FileInfo {
            filename: "rec/support.mp4".into(),
            started_at: T0 + S,
            ended_at: T0 + 90 * S,
            duration: 89 * S,
            size: 12_345_678,
            location: "https://rec.s3/support.mp4".into(),
        }],
        stream_results: vec![proto::StreamInfo {
            url: "rtmp://127.0.0.1/live/{f...7}".into(),
            started_at: T0 + 2 * S,
            ended_at: T0 + 60 * S,
            duration: 58 * S,
            status: proto::stream_info::Status::Failed as i32,
            error: "connection reset".into(),
            last_retry_at: T0 + 59 * S,
            retries: 3,
        }],
        segment_results: vec![proto::SegmentsInfo {
            playlist_name: "index.m3u8".into(),
            live_playlist_name: "live.m3u8".into(),
            duration: 88 * S,
            size: 9_000_000,
            playlist_location: "https://rec.s3/index.m3u8".into(),
            live_playlist_location: "https://rec.s3/live.m3u8".into(),
            segment_count: 22,
            started_at: T0 + S,
            ended_at: T0 + 89 * S,
        }],
        image_results: vec![proto::ImagesInfo {
            filename_prefix: "thumbs/support".into(),
            image_count: 9,
            started_at: T0 + S,
            ended_at: T0 + 90 * S,
        }],
        ..Default::default()
    }
}

#[test]
fn every_result_error_and_time_is_mapped() {
    let s = summary(failed_room_composite());
    let t0 = T0 / 1_000_000;
    assert_eq!(
        (s.id.as_str(), s.room_name.as_str()),
        ("EG_detail", "support")
    );
    assert_eq!(
        (s.kind, s.status),
        (EgressKind::RoomComposite, EgressStatus::Failed)
    );
    assert_eq!(
        (s.error.as_str(), s.error_code),
        ("upload failed: access denied", 403)
    );
    assert_eq!(s.details, "end reason: upload error");
    assert_eq!(
        (s.started_at_ms, s.ended_at_ms, s.updated_at_ms),
        (t0, t0 + 90_000, t0 + 91_000)
    );
    assert_eq!(s.layout, "speaker");
    assert_eq!(s.manifest_location, "s3://rec/EG_detail.json");
    assert!(s.backup_storage_used);
    assert_eq!(s.retry_count, 2);
    assert_eq!(
        s.source,
        EgressSource {
            audio_only: true,
            custom_base_url: "https://t.example/tpl".into(),
            encoding: "h264_1080p_30".into(),
            stream_protocol: "rtmp".into(),
            ..Default::default()
        }
    );

    let r = &s.results;
    assert_eq!(
        r.files,
        [FileResult {
            filename: "rec/support.mp4".into(),
            location: "https://rec.s3/support.mp4".into(),
            size_bytes: 12_345_678,
            duration_ms: 89_000,
            started_at_ms: t0 + 1_000,
            ended_at_ms: t0 + 90_000,
        }]
    );
    assert_eq!(
        r.streams,
        [StreamResult {
            url: "rtmp://127.0.0.1/live/{f...7}".into(),
            status: StreamStatus::Failed,
            error: "connection reset".into(),
            duration_ms: 58_000,
            started_at_ms: t0 + 2_000,
            ended_at_ms: t0 + 60_000,
            retries: 3,
        }]
    );
    assert_eq!(
        r.segments,
        [SegmentsResult {
            playlist_name: "index.m3u8".into(),
            playlist_location: "https://rec.s3/index.m3u8".into(),
            live_playlist_name: "live.m3u8".into(),
            live_playlist_location: "https://rec.s3/live.m3u8".into(),
            segment_count: 22,
            size_bytes: 9_000_000,
            duration_ms: 88_000,
            started_at_ms: t0 + 1_000,
            ended_at_ms: t0 + 89_000,
        }]
    );
    assert_eq!(
        r.images,
        [ImagesResult {
            filename_prefix: "thumbs/support".into(),
            image_count: 9,
            started_at_ms: t0 + 1_000,
            ended_at_ms: t0 + 90_000,
        }]
    );
    assert_eq!(
        s.outputs,
        [
            "file https://rec.s3/support.mp4 (12345678 bytes)",
            "stream rtmp://127.0.0.1/live/{f...7} (failed) — connection reset",
            "HLS index.m3u8 (22 segments)",
            "images thumbs/support* (9)",
        ]
    );
}

#[test]
fn each_request_kind_names_its_source() {
    use proto::egress_info::Request;
    let with = |r: Request| {
        summary(proto::EgressInfo {
            request: Some(r),
            status: proto::EgressStatus::EgressActive as i32,
            ..Default::default()
        })
    };
    let web = with(Request::Web(proto::WebEgressRequest {
        url: "https://page.example".into(),
        video_only: true,
        stream_outputs: vec![proto::StreamOutput {
            protocol: proto::StreamProtocol::Srt as i32,
            urls: vec!["srt://127.0.0.1:9000".into()],
        }],
        options: Some(proto::web_egress_request::Options::Advanced(
            Default::default(),
        )),
        ..Default::default()
    }));
    assert_eq!(
        (web.kind, web.status),
        (EgressKind::Web, EgressStatus::Active)
    );
    assert_eq!(web.source.url, "https://page.example");
    assert!(web.source.video_only && !web.source.audio_only);
    assert_eq!(web.source.encoding, "custom");
    assert_eq!(web.source.stream_protocol, "srt");
    let p = with(Request::Participant(proto::ParticipantEgressRequest {
        identity: "agent-7".into(),
        screen_share: true,
        ..Default::default()
    }));
    assert_eq!(
        (p.source.identity.as_str(), p.source.screen_share),
        ("agent-7", true)
    );
    assert_eq!(p.source.encoding, "");
    assert_eq!(
        p.source.stream_protocol, "",
        "no stream output: no UpdateStream"
    );
    let tc = with(Request::TrackComposite(
        proto::TrackCompositeEgressRequest {
            audio_track_id: "TR_a".into(),
            ..Default::default()
        },
    ));
    assert_eq!(tc.source.track_ids, ["TR_a"]);
    let t = with(Request::Track(proto::TrackEgressRequest {
        track_id: "TR_t".into(),
        ..Default::default()
    }));
    assert_eq!(
        (t.kind, t.source.track_ids.as_slice()),
        (EgressKind::Track, &["TR_t".to_owned()][..])
    );
}

#[test]
#[allow(deprecated)]
fn a_legacy_single_result_still_shows() {
    let s = summary(proto::EgressInfo {
        result: Some(proto::egress_info::Result::File(proto::FileInfo {
            filename: "old.mp4".into(),
            size: 10,
            duration: 3 * S,
            ..Default::default()
        })),
        ..Default::default()
    });
    assert_eq!(s.results.files.len(), 1);
    assert_eq!(s.results.files[0].duration_ms, 3_000);
    assert_eq!(s.outputs, ["file old.mp4 (10 bytes)"]);
}
