//! IngressService (needs `ingressAdmin`). RTMP and WHIP ingresses are records the server
//! keeps until a publisher connects; a URL ingress starts pulling at once, which needs a
//! livekit-ingress worker. Writes are never retried.

use super::{ApiResult, RetryPolicy, ServerApi};
use crate::grants;
use earshot_protocol::ingress::{
    AudioEncoding, IngressInfo, IngressInput, IngressSpec, IngressStatus, VideoEncoding,
    VideoLayerSpec,
};
use livekit_protocol as proto;
use proto::{ingress_audio_options as audio_opts, ingress_video_options as video_opts};

const SERVICE: &str = "Ingress";

fn input_value(input: IngressInput) -> i32 {
    (match input {
        IngressInput::Rtmp => proto::IngressInput::RtmpInput,
        IngressInput::Whip => proto::IngressInput::WhipInput,
        IngressInput::Url => proto::IngressInput::UrlInput,
    }) as i32
}

fn input_kind(v: i32) -> IngressInput {
    match proto::IngressInput::try_from(v) {
        Ok(proto::IngressInput::WhipInput) => IngressInput::Whip,
        Ok(proto::IngressInput::UrlInput) => IngressInput::Url,
        _ => IngressInput::Rtmp,
    }
}

fn audio_proto(a: &AudioEncoding) -> Option<proto::IngressAudioOptions> {
    let encoding = match a.preset.as_str() {
        "default" => return None,
        "custom" => audio_opts::EncodingOptions::Options(proto::IngressAudioEncodingOptions {
            audio_codec: (match a.codec.as_str() {
                "aac" => proto::AudioCodec::Aac,
                "mp3" => proto::AudioCodec::AcMp3,
                _ => proto::AudioCodec::Opus,
            }) as i32,
            bitrate: a.bitrate,
            disable_dtx: a.disable_dtx,
            channels: a.channels,
        }),
        preset => audio_opts::EncodingOptions::Preset(
            proto::IngressAudioEncodingPreset::from_str_name(&preset.to_ascii_uppercase())? as i32,
        ),
    };
    Some(proto::IngressAudioOptions {
        source: proto::TrackSource::Microphone as i32,
        encoding_options: Some(encoding),
        ..Default::default()
    })
}

fn audio_dto(o: Option<proto::IngressAudioOptions>) -> AudioEncoding {
    let mut a = AudioEncoding::default();
    match o.and_then(|o| o.encoding_options) {
        Some(audio_opts::EncodingOptions::Preset(p)) => {
            if let Ok(p) = proto::IngressAudioEncodingPreset::try_from(p) {
                a.preset = p.as_str_name().to_ascii_lowercase();
            }
        }
        Some(audio_opts::EncodingOptions::Options(o)) => {
            a.preset = "custom".into();
            a.codec = match proto::AudioCodec::try_from(o.audio_codec) {
                Ok(proto::AudioCodec::Aac) => "aac",
                Ok(proto::AudioCodec::AcMp3) => "mp3",
                _ => "opus",
            }
            .into();
            a.bitrate = o.bitrate;
            a.channels = o.channels;
            a.disable_dtx = o.disable_dtx;
        }
        None => {}
    }
    a
}

fn video_proto(v: &VideoEncoding) -> Option<proto::IngressVideoOptions> {
    let encoding = match v.preset.as_str() {
        "default" => return None,
        "custom" => {
            let qualities = [
                proto::VideoQuality::High,
                proto::VideoQuality::Medium,
                proto::VideoQuality::Low,
            ];
            video_opts::EncodingOptions::Options(proto::IngressVideoEncodingOptions {
                video_codec: proto::VideoCodec::from_str_name(&v.codec.to_ascii_uppercase())
                    .unwrap_or(proto::VideoCodec::H264Baseline) as i32,
                frame_rate: f64::from(v.frame_rate),
                layers: v
                    .layers
                    .iter()
                    .enumerate()
                    .map(|(i, l)| proto::VideoLayer {
                        quality: qualities[i.min(2)] as i32,
                        width: l.width,
                        height: l.height,
                        bitrate: l.bitrate,
                        ..Default::default()
                    })
                    .collect(),
            })
        }
        preset => video_opts::EncodingOptions::Preset(
            proto::IngressVideoEncodingPreset::from_str_name(&preset.to_ascii_uppercase())? as i32,
        ),
    };
    Some(proto::IngressVideoOptions {
        source: proto::TrackSource::Camera as i32,
        encoding_options: Some(encoding),
        ..Default::default()
    })
}

fn video_dto(o: Option<proto::IngressVideoOptions>) -> VideoEncoding {
    let mut v = VideoEncoding::default();
    match o.and_then(|o| o.encoding_options) {
        Some(video_opts::EncodingOptions::Preset(p)) => {
            if let Ok(p) = proto::IngressVideoEncodingPreset::try_from(p) {
                v.preset = p.as_str_name().to_ascii_lowercase();
            }
        }
        Some(video_opts::EncodingOptions::Options(o)) => {
            v.preset = "custom".into();
            if let Ok(c) = proto::VideoCodec::try_from(o.video_codec) {
                v.codec = c.as_str_name().to_ascii_lowercase();
            }
            v.frame_rate = o.frame_rate.round() as u32;
            v.layers = o
                .layers
                .into_iter()
                .map(|l| VideoLayerSpec {
                    width: l.width,
                    height: l.height,
                    bitrate: l.bitrate,
                })
                .collect();
        }
        None => {}
    }
    v
}

fn status(s: &Option<proto::IngressState>) -> (IngressStatus, String) {
    use proto::ingress_state::Status;
    let Some(s) = s else {
        return (IngressStatus::Inactive, String::new());
    };
    let status = match Status::try_from(s.status) {
        Ok(Status::EndpointBuffering) => IngressStatus::Buffering,
        Ok(Status::EndpointPublishing) => IngressStatus::Publishing,
        Ok(Status::EndpointError) => IngressStatus::Error,
        Ok(Status::EndpointComplete) => IngressStatus::Complete,
        _ => IngressStatus::Inactive,
    };
    (status, s.error.clone())
}

/// The ingress as the UI shows it.
#[allow(deprecated)] // bypass_transcoding: older servers report WHIP pass-through only there
fn info(i: proto::IngressInfo) -> IngressInfo {
    let (status, error) = status(&i.state);
    let enable_transcoding = i
        .enable_transcoding
        .or(i.bypass_transcoding.then_some(false));
    let input = input_kind(i.input_type);
    // For URL input the server's `url` is the pulled media; for RTMP / WHIP the push URL.
    let (url, stream_url) = if input == IngressInput::Url {
        (i.url, String::new())
    } else {
        (String::new(), i.url)
    };
    IngressInfo {
        spec: IngressSpec {
            input_type: input,
            name: i.name,
            room_name: i.room_name,
            participant_identity: i.participant_identity,
            participant_name: i.participant_name,
            participant_metadata: i.participant_metadata,
            url,
            enable_transcoding,
            audio: audio_dto(i.audio),
            video: video_dto(i.video),
            enabled: i.enabled,
        },
        id: i.ingress_id,
        stream_url,
        stream_key: i.stream_key,
        reusable: i.reusable,
        status,
        error,
    }
}

impl ServerApi {
    /// Creates an ingress; a URL ingress needs a worker to start pulling.
    pub async fn create_ingress(&self, s: &IngressSpec) -> ApiResult<IngressInfo> {
        let req = proto::CreateIngressRequest {
            input_type: input_value(s.input_type),
            url: s.url.clone(),
            name: s.name.clone(),
            room_name: s.room_name.clone(),
            participant_identity: s.participant_identity.clone(),
            participant_name: s.participant_name.clone(),
            participant_metadata: s.participant_metadata.clone(),
            enable_transcoding: s.enable_transcoding,
            audio: audio_proto(&s.audio),
            video: video_proto(&s.video),
            enabled: s.enabled,
            ..Default::default()
        };
        let created: proto::IngressInfo = self
            .call(
                SERVICE,
                "CreateIngress",
                &req,
                grants::ingress_admin(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("ingress"))?;
        Ok(info(created))
    }

    /// Changes an ingress's settings.
    pub async fn update_ingress(&self, id: &str, s: &IngressSpec) -> ApiResult<IngressInfo> {
        let req = proto::UpdateIngressRequest {
            ingress_id: id.to_owned(),
            name: s.name.clone(),
            room_name: s.room_name.clone(),
            participant_identity: s.participant_identity.clone(),
            participant_name: s.participant_name.clone(),
            participant_metadata: s.participant_metadata.clone(),
            enable_transcoding: s.enable_transcoding,
            audio: audio_proto(&s.audio),
            video: video_proto(&s.video),
            enabled: s.enabled,
            ..Default::default()
        };
        let updated: proto::IngressInfo = self
            .call(
                SERVICE,
                "UpdateIngress",
                &req,
                grants::ingress_admin(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("ingress"))?;
        Ok(info(updated))
    }

    /// Every ingress, or those of one room.
    pub async fn list_ingress(&self, room: Option<&str>) -> ApiResult<Vec<IngressInfo>> {
        let req = proto::ListIngressRequest {
            room_name: room.unwrap_or_default().to_owned(),
            ..Default::default()
        };
        let resp: proto::ListIngressResponse = self
            .call(
                SERVICE,
                "ListIngress",
                &req,
                grants::ingress_admin(),
                RetryPolicy::READS,
            )
            .await?;
        Ok(resp.items.into_iter().map(info).collect())
    }

    /// Deletes an ingress.
    pub async fn delete_ingress(&self, id: &str) -> ApiResult<()> {
        let req = proto::DeleteIngressRequest {
            ingress_id: id.to_owned(),
        };
        let _: proto::IngressInfo = self
            .call(
                SERVICE,
                "DeleteIngress",
                &req,
                grants::ingress_admin(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("ingress"))?;
        Ok(())
    }
}
