//! Ingress: streams pushed (RTMP, WHIP) or pulled (URL) into a room, as the ingress page
//! sends and shows them, and the rules its form is checked with.

use crate::fields::{metadata_field, name_field};
use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

/// The labels of [`IngressInput`]'s variants, for a form's select.
pub const INPUT_TYPES: &[&str] = &["rtmp", "whip", "url"];

/// How media reaches an ingress: pushed over RTMP or WHIP, or pulled from a URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngressInput {
    #[default]
    Rtmp,
    Whip,
    Url,
}

impl IngressInput {
    /// The input as the UI shows it (also its wire name).
    pub fn label(self) -> &'static str {
        match self {
            Self::Rtmp => "rtmp",
            Self::Whip => "whip",
            Self::Url => "url",
        }
    }

    /// The input `label` names (a form's select offers only [`INPUT_TYPES`]); `Rtmp` for any
    /// other.
    pub fn from_label(label: &str) -> Self {
        match label {
            "whip" => Self::Whip,
            "url" => Self::Url,
            _ => Self::Rtmp,
        }
    }
}
/// Audio encodings: the server's default, its presets, or custom options.
pub const AUDIO_PRESETS: &[&str] = &["default", "opus_stereo_96kbps", "opus_mono_64kbs", "custom"];
/// Video encodings: the server's default, its presets, or custom options.
pub const VIDEO_PRESETS: &[&str] = &[
    "default",
    "h264_720p_30fps_3_layers",
    "h264_1080p_30fps_3_layers",
    "h264_540p_25fps_2_layers",
    "h264_720p_30fps_1_layer",
    "h264_1080p_30fps_1_layer",
    "h264_720p_30fps_3_layers_high_motion",
    "h264_1080p_30fps_3_layers_high_motion",
    "custom",
];
/// Audio codecs an ingress can encode to (livekit-server refuses AAC and MP3 here).
pub const AUDIO_CODECS: &[&str] = &["opus"];
/// Video codecs an ingress can encode to (the server answers "video codec unsupported"
/// for H.264 main and high profiles).
pub const VIDEO_CODECS: &[&str] = &["h264_baseline", "vp8"];

/// Audio encoding: a preset, or (with `preset = "custom"`) the fields below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioEncoding {
    pub preset: String,
    pub codec: String,
    /// Bits per second.
    pub bitrate: u32,
    pub channels: u32,
    pub disable_dtx: bool,
}

impl Default for AudioEncoding {
    fn default() -> Self {
        Self {
            preset: "default".into(),
            codec: "opus".into(),
            bitrate: 64_000,
            channels: 2,
            disable_dtx: false,
        }
    }
}

/// One simulcast layer of custom video options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoLayerSpec {
    pub width: u32,
    pub height: u32,
    /// Bits per second.
    pub bitrate: u32,
}

/// Video encoding: a preset, or (with `preset = "custom"`) the fields below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoEncoding {
    pub preset: String,
    pub codec: String,
    pub frame_rate: u32,
    /// Highest quality first.
    pub layers: Vec<VideoLayerSpec>,
}

impl Default for VideoEncoding {
    fn default() -> Self {
        Self {
            preset: "default".into(),
            codec: "h264_baseline".into(),
            frame_rate: 30,
            layers: Vec::new(),
        }
    }
}

/// Everything of an ingress a user sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressSpec {
    /// Fixed once created.
    pub input_type: IngressInput,
    pub name: String,
    pub room_name: String,
    pub participant_identity: String,
    pub participant_name: String,
    pub participant_metadata: String,
    /// The media to pull (URL input only).
    pub url: String,
    /// `None`: the server's default (transcode RTMP and URL, pass WHIP through).
    pub enable_transcoding: Option<bool>,
    pub audio: AudioEncoding,
    pub video: VideoEncoding,
    /// `None`: enabled.
    pub enabled: Option<bool>,
}

impl Default for IngressSpec {
    fn default() -> Self {
        Self {
            input_type: IngressInput::Rtmp,
            name: String::new(),
            room_name: String::new(),
            participant_identity: String::new(),
            participant_name: String::new(),
            participant_metadata: String::new(),
            url: String::new(),
            enable_transcoding: None,
            audio: AudioEncoding::default(),
            video: VideoEncoding::default(),
            enabled: None,
        }
    }
}

/// Where an ingress is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngressStatus {
    /// Nobody publishes to it (also what a state this app does not know reads as).
    Inactive,
    Buffering,
    Publishing,
    Error,
    Complete,
}

impl IngressStatus {
    /// The status as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::Buffering => "buffering",
            Self::Publishing => "publishing",
            Self::Error => "error",
            Self::Complete => "complete",
        }
    }
}

/// An ingress as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressInfo {
    pub id: String,
    pub spec: IngressSpec,
    /// Where to push (RTMP / WHIP); empty when the server has no `ingress` base URL set.
    pub stream_url: String,
    /// The key a publisher presents; shown only when the user reveals it.
    pub stream_key: String,
    pub reusable: bool,
    pub status: IngressStatus,
    pub error: String,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(ErrorCode::InvalidInput, field, message)
}

/// A URL an ingress can pull from: http(s), rtmp(s) or srt with a host.
pub fn pull_url(raw: &str) -> Result<(), AppError> {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(invalid(
            "url",
            "Enter the media URL, e.g. https://example.com/live.m3u8.",
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !["http", "https", "rtmp", "rtmps", "srt"].contains(&scheme.as_str()) {
        return Err(invalid(
            "url",
            format!("'{scheme}://' cannot be pulled; use http(s)://, rtmp(s):// or srt://."),
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || raw.contains(char::is_whitespace) {
        return Err(invalid("url", "The URL has no host, or contains spaces."));
    }
    Ok(())
}

/// Every problem of an ingress form (empty when valid).
pub fn ingress_errors(s: &IngressSpec) -> Vec<AppError> {
    let mut errors = Vec::new();
    let mut check = |r: Result<(), AppError>| {
        if let Err(e) = r {
            errors.push(e);
        }
    };
    if !s.name.is_empty() {
        check(name_field(&s.name, "name", "ingress name"));
    }
    check(name_field(&s.room_name, "room_name", "room name"));
    check(name_field(
        &s.participant_identity,
        "participant_identity",
        "participant identity",
    ));
    check(metadata_field(
        &s.participant_metadata,
        "participant_metadata",
    ));
    if s.input_type == IngressInput::Url {
        check(pull_url(&s.url));
    }
    if s.input_type == IngressInput::Whip && s.enable_transcoding != Some(true) {
        // WHIP passes media through unless transcoding is on; encodings would be ignored.
        if s.audio.preset != "default" || s.video.preset != "default" {
            check(Err(invalid(
                "enable_transcoding",
                "Encoding options only apply with transcoding; enable it for WHIP or keep the defaults.",
            )));
        }
    }
    if !AUDIO_PRESETS.contains(&s.audio.preset.as_str()) {
        check(Err(invalid("audio", "Unknown audio preset.")));
    } else if s.audio.preset == "custom" {
        if !AUDIO_CODECS.contains(&s.audio.codec.as_str()) {
            check(Err(invalid("audio", "Choose an audio codec.")));
        }
        if !(1..=2).contains(&s.audio.channels) || s.audio.bitrate < 8_000 {
            check(Err(invalid(
                "audio",
                "Audio needs 1 or 2 channels and at least 8000 bit/s.",
            )));
        }
    }
    if !VIDEO_PRESETS.contains(&s.video.preset.as_str()) {
        check(Err(invalid("video", "Unknown video preset.")));
    } else if s.video.preset == "custom" {
        if !VIDEO_CODECS.contains(&s.video.codec.as_str()) {
            check(Err(invalid("video", "Choose a video codec.")));
        }
        if !(1..=120).contains(&s.video.frame_rate) {
            check(Err(invalid("video", "The frame rate must be 1 to 120.")));
        }
        if s.video.layers.is_empty()
            || s.video
                .layers
                .iter()
                .any(|l| l.width == 0 || l.height == 0 || l.bitrate == 0)
        {
            check(Err(invalid(
                "video",
                "Give at least one layer with width, height and bitrate.",
            )));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingress_form_names_bad_fields() {
        let s = IngressSpec {
            input_type: IngressInput::Url,
            room_name: "r".into(),
            participant_identity: "cam".into(),
            url: "file:///etc/passwd".into(),
            video: VideoEncoding {
                preset: "custom".into(),
                frame_rate: 0,
                ..Default::default()
            },
            ..Default::default()
        };
        let fields: Vec<_> = ingress_errors(&s)
            .into_iter()
            .filter_map(|e| e.field)
            .collect();
        assert_eq!(fields, ["url", "video", "video"]);
        assert!(pull_url("https://example.com/live.m3u8").is_ok());
        assert!(pull_url("srt://127.0.0.1:9000").is_ok());
        assert!(pull_url("https:///x").is_err());
        let whip = IngressSpec {
            input_type: IngressInput::Whip,
            room_name: "r".into(),
            participant_identity: "cam".into(),
            audio: AudioEncoding {
                preset: "opus_mono_64kbs".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let e = ingress_errors(&whip);
        assert_eq!(e[0].field.as_deref(), Some("enable_transcoding"));
        assert!(ingress_errors(&IngressSpec {
            enable_transcoding: Some(true),
            ..whip
        })
        .is_empty());
    }
}
