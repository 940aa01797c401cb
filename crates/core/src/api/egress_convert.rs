//! Conversions between Earshot's egress DTOs and LiveKit's protobuf messages, including
//! the storage upload each output carries.

use crate::vault::Secret;
use earshot_protocol::egress::{
    AdvancedEncoding, EgressKind, EgressOutputs, EgressRequest, StorageProfile,
};
use livekit_protocol as proto;

/// A start request, typed by kind.
pub(super) enum Start {
    RoomComposite(proto::RoomCompositeEgressRequest),
    Web(proto::WebEgressRequest),
    Participant(proto::ParticipantEgressRequest),
    TrackComposite(proto::TrackCompositeEgressRequest),
    Track(proto::TrackEgressRequest),
}

/// A storage profile with its credential.
pub type Upload = (StorageProfile, Secret);

/// The upload oneof of each output message has the same four variants in its own module.
macro_rules! upload_into {
    ($module:ident, $upload:expr) => {
        $upload.map(|(p, secret): &Upload| {
            use proto::$module::Output;
            let secret = secret.expose().to_owned();
            match p.kind.as_str() {
                "gcs" => Output::Gcp(proto::GcpUpload {
                    credentials: secret,
                    bucket: p.bucket.clone(),
                    proxy: None,
                }),
                "azure" => Output::Azure(proto::AzureBlobUpload {
                    account_name: p.access_key.clone(),
                    account_key: secret,
                    container_name: p.bucket.clone(),
                }),
                "alioss" => Output::AliOss(proto::AliOssUpload {
                    access_key: p.access_key.clone(),
                    secret,
                    region: p.region.clone(),
                    endpoint: p.endpoint.clone(),
                    bucket: p.bucket.clone(),
                }),
                _ => Output::S3(proto::S3Upload {
                    access_key: p.access_key.clone(),
                    secret,
                    region: p.region.clone(),
                    endpoint: p.endpoint.clone(),
                    bucket: p.bucket.clone(),
                    force_path_style: p.force_path_style,
                    assume_role_arn: p.assume_role_arn.clone(),
                    assume_role_external_id: p.assume_role_external_id.clone(),
                    tagging: p.tagging.clone(),
                    content_disposition: p.content_disposition.clone(),
                    metadata: p.metadata.clone().into_iter().collect(),
                    ..Default::default()
                }),
            }
        })
    };
}

struct Outputs {
    file: Vec<proto::EncodedFileOutput>,
    stream: Vec<proto::StreamOutput>,
    segments: Vec<proto::SegmentedFileOutput>,
    images: Vec<proto::ImageOutput>,
}

fn outputs(o: &EgressOutputs, upload: Option<&Upload>) -> Outputs {
    Outputs {
        file: o
            .file
            .iter()
            .map(|f| proto::EncodedFileOutput {
                file_type: (match f.file_type.as_str() {
                    "mp4" => proto::EncodedFileType::Mp4,
                    "ogg" => proto::EncodedFileType::Ogg,
                    _ => proto::EncodedFileType::DefaultFiletype,
                }) as i32,
                filepath: f.filepath.clone(),
                disable_manifest: f.disable_manifest,
                output: upload_into!(encoded_file_output, upload),
            })
            .collect(),
        stream: o
            .stream
            .iter()
            .map(|s| proto::StreamOutput {
                protocol: (if s.protocol == "srt" {
                    proto::StreamProtocol::Srt
                } else {
                    proto::StreamProtocol::Rtmp
                }) as i32,
                urls: s.urls.clone(),
            })
            .collect(),
        segments: o
            .segments
            .iter()
            .map(|s| proto::SegmentedFileOutput {
                protocol: proto::SegmentedFileProtocol::HlsProtocol as i32,
                filename_prefix: s.filename_prefix.clone(),
                playlist_name: s.playlist_name.clone(),
                live_playlist_name: s.live_playlist_name.clone(),
                segment_duration: s.segment_duration,
                output: upload_into!(segmented_file_output, upload),
                ..Default::default()
            })
            .collect(),
        images: o
            .images
            .iter()
            .map(|i| proto::ImageOutput {
                capture_interval: i.capture_interval,
                width: i32::try_from(i.width).unwrap_or(i32::MAX),
                height: i32::try_from(i.height).unwrap_or(i32::MAX),
                filename_prefix: i.filename_prefix.clone(),
                output: upload_into!(image_output, upload),
                ..Default::default()
            })
            .collect(),
    }
}

/// Custom encoding as LiveKit's options; unset values stay 0 (the worker's defaults).
fn encoding(a: &AdvancedEncoding) -> proto::EncodingOptions {
    let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let audio_codec = match a.audio_codec.as_str() {
        "opus" => proto::AudioCodec::Opus,
        "aac" => proto::AudioCodec::Aac,
        "mp3" => proto::AudioCodec::AcMp3,
        _ => proto::AudioCodec::DefaultAc,
    };
    let video_codec = match a.video_codec.as_str() {
        "h264_baseline" => proto::VideoCodec::H264Baseline,
        "h264_main" => proto::VideoCodec::H264Main,
        "h264_high" => proto::VideoCodec::H264High,
        "vp8" => proto::VideoCodec::Vp8,
        _ => proto::VideoCodec::DefaultVc,
    };
    proto::EncodingOptions {
        width: int(a.width),
        height: int(a.height),
        depth: int(a.depth),
        framerate: int(a.framerate),
        audio_codec: audio_codec as i32,
        audio_bitrate: int(a.audio_bitrate),
        audio_frequency: int(a.audio_frequency),
        video_codec: video_codec as i32,
        video_bitrate: int(a.video_bitrate),
        key_frame_interval: f64::from(a.key_frame_interval),
        ..Default::default()
    }
}

/// The options oneof (custom encoding wins over a preset) of each request in its module.
macro_rules! options {
    ($module:ident, $r:expr) => {
        match (&$r.advanced, preset(&$r.preset)) {
            (Some(a), _) => Some(proto::$module::Options::Advanced(encoding(a))),
            (None, Some(p)) => Some(proto::$module::Options::Preset(p)),
            (None, None) => None,
        }
    };
}

fn preset(name: &str) -> Option<i32> {
    (!name.is_empty())
        .then(|| proto::EncodingOptionsPreset::from_str_name(&name.to_ascii_uppercase()))
        .flatten()
        .map(|p| p as i32)
}

/// The typed start request for `r`.
pub(super) fn request(r: &EgressRequest, upload: Option<&Upload>) -> Start {
    let o = outputs(&r.outputs, upload);
    match r.kind {
        EgressKind::Web => Start::Web(proto::WebEgressRequest {
            url: r.url.clone(),
            audio_only: r.audio_only,
            video_only: r.video_only,
            await_start_signal: r.await_start_signal,
            file_outputs: o.file,
            stream_outputs: o.stream,
            segment_outputs: o.segments,
            image_outputs: o.images,
            options: options!(web_egress_request, r),
            ..Default::default()
        }),
        EgressKind::Participant => Start::Participant(proto::ParticipantEgressRequest {
            room_name: r.room_name.clone(),
            identity: r.identity.clone(),
            screen_share: r.screen_share,
            file_outputs: o.file,
            stream_outputs: o.stream,
            segment_outputs: o.segments,
            image_outputs: o.images,
            options: options!(participant_egress_request, r),
            ..Default::default()
        }),
        EgressKind::TrackComposite => Start::TrackComposite(proto::TrackCompositeEgressRequest {
            room_name: r.room_name.clone(),
            audio_track_id: r.audio_track_id.clone(),
            video_track_id: r.video_track_id.clone(),
            file_outputs: o.file,
            stream_outputs: o.stream,
            segment_outputs: o.segments,
            image_outputs: o.images,
            options: options!(track_composite_egress_request, r),
            ..Default::default()
        }),
        EgressKind::Track => {
            use proto::track_egress_request::Output;
            let output = match &r.outputs.file {
                Some(f) => Output::File(proto::DirectFileOutput {
                    filepath: f.filepath.clone(),
                    disable_manifest: f.disable_manifest,
                    output: upload_into!(direct_file_output, upload),
                }),
                None => Output::WebsocketUrl(r.outputs.websocket_url.clone()),
            };
            Start::Track(proto::TrackEgressRequest {
                room_name: r.room_name.clone(),
                track_id: r.track_id.clone(),
                output: Some(output),
                ..Default::default()
            })
        }
        _ => Start::RoomComposite(proto::RoomCompositeEgressRequest {
            room_name: r.room_name.clone(),
            layout: r.layout.clone(),
            audio_only: r.audio_only,
            video_only: r.video_only,
            custom_base_url: r.custom_base_url.clone(),
            file_outputs: o.file,
            stream_outputs: o.stream,
            segment_outputs: o.segments,
            image_outputs: o.images,
            options: options!(room_composite_egress_request, r),
            ..Default::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_protocol::egress::FileOutput;

    fn room_composite(preset: &str, advanced: Option<AdvancedEncoding>) -> EgressRequest {
        EgressRequest {
            kind: EgressKind::RoomComposite,
            room_name: "r".into(),
            preset: preset.into(),
            advanced,
            outputs: EgressOutputs {
                file: Some(FileOutput {
                    file_type: "mp4".into(),
                    filepath: "x.mp4".into(),
                    disable_manifest: false,
                }),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn options_of(r: &EgressRequest) -> Option<proto::room_composite_egress_request::Options> {
        match request(r, None) {
            Start::RoomComposite(req) => req.options,
            _ => panic!("not a room composite request"),
        }
    }

    #[test]
    fn custom_encoding_becomes_advanced_options() {
        use proto::room_composite_egress_request::Options;
        let advanced = AdvancedEncoding {
            width: 1920,
            height: 1080,
            depth: 24,
            framerate: 60,
            audio_codec: "aac".into(),
            audio_bitrate: 192,
            audio_frequency: 44_100,
            video_codec: "h264_high".into(),
            video_bitrate: 6000,
            key_frame_interval: 2,
        };
        let Some(Options::Advanced(o)) = options_of(&room_composite("", Some(advanced))) else {
            panic!("advanced options expected");
        };
        assert_eq!(
            (o.width, o.height, o.depth, o.framerate),
            (1920, 1080, 24, 60)
        );
        assert_eq!(o.audio_codec, proto::AudioCodec::Aac as i32);
        assert_eq!((o.audio_bitrate, o.audio_frequency), (192, 44_100));
        assert_eq!(o.video_codec, proto::VideoCodec::H264High as i32);
        assert_eq!(o.video_bitrate, 6000);
        assert_eq!(o.key_frame_interval, 2.0);
        // Empty codecs and zeros leave the worker's defaults.
        let Some(Options::Advanced(o)) =
            options_of(&room_composite("", Some(AdvancedEncoding::default())))
        else {
            panic!("advanced options expected");
        };
        assert_eq!(o, proto::EncodingOptions::default());
        assert_eq!(
            options_of(&room_composite("h264_1080p_60", None)),
            Some(Options::Preset(
                proto::EncodingOptionsPreset::H2641080p60 as i32
            ))
        );
        assert_eq!(options_of(&room_composite("", None)), None);
    }
}
