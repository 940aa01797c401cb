//! Egress: recordings and live streams of rooms, participants, tracks and web pages, and
//! the storage they upload to. Input rules live in [`crate::egress_rules`].
//!
//! Storage credentials (S3 / Alibaba secret keys, GCS JSON credentials, Azure account
//! keys) travel UI → backend only, as [`SecretInput`], and are kept in the OS keychain;
//! replies only say whether one is stored.

use crate::egress_detail::{EgressResults, EgressSource};
use crate::SecretInput;
use serde::{Deserialize, Serialize};

/// The labels of [`EgressKind::STARTABLE`], for a form's select.
pub const EGRESS_KINDS: &[&str] = &[
    "room_composite",
    "web",
    "participant",
    "track_composite",
    "track",
];

/// What an egress records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EgressKind {
    RoomComposite,
    Web,
    Participant,
    TrackComposite,
    Track,
    /// Started by LiveKit's newer unified request (not by this app).
    Egress,
    Replay,
    /// Not chosen yet, or a kind this app does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

impl EgressKind {
    /// The kinds this app starts, in the order the start form offers them.
    pub const STARTABLE: [EgressKind; 5] = [
        Self::RoomComposite,
        Self::Web,
        Self::Participant,
        Self::TrackComposite,
        Self::Track,
    ];

    /// The kind as the UI shows it (also its wire name).
    pub fn label(self) -> &'static str {
        match self {
            Self::RoomComposite => "room_composite",
            Self::Web => "web",
            Self::Participant => "participant",
            Self::TrackComposite => "track_composite",
            Self::Track => "track",
            Self::Egress => "egress",
            Self::Replay => "replay",
            Self::Unknown => "unknown",
        }
    }

    /// The startable kind `label` names; `Unknown` for any other.
    pub fn from_label(label: &str) -> Self {
        Self::STARTABLE
            .into_iter()
            .find(|k| k.label() == label)
            .unwrap_or(Self::Unknown)
    }
}
/// Room composite layouts the egress worker's default template offers.
pub const LAYOUTS: &[&str] = &[
    "grid",
    "speaker",
    "single-speaker",
    "grid-light",
    "speaker-light",
    "single-speaker-light",
];
/// Encoding presets (empty: the worker's default, H.264 720p 30 fps).
pub const ENCODING_PRESETS: &[&str] = &[
    "",
    "h264_720p_30",
    "h264_720p_60",
    "h264_1080p_30",
    "h264_1080p_60",
    "portrait_h264_720p_30",
    "portrait_h264_720p_60",
    "portrait_h264_1080p_30",
    "portrait_h264_1080p_60",
];
/// Audio codecs of custom encoding (empty: the worker's default).
pub const AUDIO_CODECS: &[&str] = &["", "opus", "aac", "mp3"];
/// Video codecs of custom encoding (empty: the worker's default).
pub const VIDEO_CODECS: &[&str] = &["", "h264_baseline", "h264_main", "h264_high", "vp8"];

/// Custom encoding, instead of a preset. Zero (or empty) leaves a value to the worker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedEncoding {
    pub width: u32,
    pub height: u32,
    /// Colour depth in bits (24 by default).
    pub depth: u32,
    pub framerate: u32,
    /// One of [`AUDIO_CODECS`].
    pub audio_codec: String,
    /// kbps.
    pub audio_bitrate: u32,
    /// Hz: 44100 or 48000.
    pub audio_frequency: u32,
    /// One of [`VIDEO_CODECS`].
    pub video_codec: String,
    /// kbps.
    pub video_bitrate: u32,
    /// Seconds between key frames.
    pub key_frame_interval: u32,
}

/// File containers.
pub const FILE_TYPES: &[&str] = &["default", "mp4", "ogg"];
/// Stream protocols.
pub const STREAM_PROTOCOLS: &[&str] = &["rtmp", "srt"];
/// Storage providers.
pub const STORAGE_KINDS: &[&str] = &["s3", "gcs", "azure", "alioss"];

/// Where egress output is uploaded: the non-secret part, kept in settings per project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageProfile {
    /// The profile's name (unique per project).
    pub name: String,
    /// One of [`STORAGE_KINDS`].
    pub kind: String,
    /// Bucket (S3, GCS, Alibaba OSS) or container (Azure).
    pub bucket: String,
    /// S3 / Alibaba region.
    pub region: String,
    /// S3-compatible / Alibaba endpoint URL, empty for the provider's default.
    pub endpoint: String,
    /// S3 / Alibaba access key id, or the Azure account name.
    pub access_key: String,
    /// S3: address buckets by path (MinIO and other S3-compatible stores).
    pub force_path_style: bool,
    /// S3: a role the worker assumes (with the key above) to upload.
    #[serde(default)]
    pub assume_role_arn: String,
    /// S3: the external id the role's trust policy asks for.
    #[serde(default)]
    pub assume_role_external_id: String,
    /// S3: object tags, URL-query style (`team=support&keep=90d`).
    #[serde(default)]
    pub tagging: String,
    /// S3: the Content-Disposition header of uploaded objects.
    #[serde(default)]
    pub content_disposition: String,
    /// S3: user metadata on uploaded objects.
    #[serde(default)]
    pub metadata: std::collections::BTreeMap<String, String>,
}

impl Default for StorageProfile {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: "s3".into(),
            bucket: String::new(),
            region: String::new(),
            endpoint: String::new(),
            access_key: String::new(),
            force_path_style: false,
            assume_role_arn: String::new(),
            assume_role_external_id: String::new(),
            tagging: String::new(),
            content_disposition: String::new(),
            metadata: Default::default(),
        }
    }
}

/// A storage profile as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageSummary {
    pub profile: StorageProfile,
    /// Whether the keychain holds its credential (secret key, JSON credentials, account key).
    pub has_credential: bool,
}

/// A file output (MP4 / OGG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOutput {
    /// One of [`FILE_TYPES`].
    pub file_type: String,
    /// Path or template, e.g. `recordings/{room_name}-{time}.mp4`.
    pub filepath: String,
    pub disable_manifest: bool,
}

/// A live stream output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamOutput {
    /// One of [`STREAM_PROTOCOLS`].
    pub protocol: String,
    pub urls: Vec<String>,
}

/// An HLS segments output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentsOutput {
    pub filename_prefix: String,
    pub playlist_name: String,
    pub live_playlist_name: String,
    /// Seconds per segment (0: the worker's default of 4).
    pub segment_duration: u32,
}

/// A thumbnails (images) output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagesOutput {
    /// Seconds between captures.
    pub capture_interval: u32,
    pub width: u32,
    pub height: u32,
    pub filename_prefix: String,
}

/// Every output of one egress; at least one must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressOutputs {
    pub file: Option<FileOutput>,
    pub stream: Option<StreamOutput>,
    pub segments: Option<SegmentsOutput>,
    pub images: Option<ImagesOutput>,
    /// Track egress only: stream raw track data to this WebSocket instead of a file.
    pub websocket_url: String,
}

/// A request to start an egress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressRequest {
    pub kind: EgressKind,
    pub room_name: String,
    /// Room composite: one of [`LAYOUTS`] or a custom template's layout.
    pub layout: String,
    pub audio_only: bool,
    pub video_only: bool,
    /// Room composite: a custom recording template URL.
    pub custom_base_url: String,
    /// Web egress: the page to record.
    pub url: String,
    pub await_start_signal: bool,
    /// Participant egress.
    pub identity: String,
    pub screen_share: bool,
    /// Track composite.
    pub audio_track_id: String,
    pub video_track_id: String,
    /// Track egress.
    pub track_id: String,
    /// One of [`ENCODING_PRESETS`].
    pub preset: String,
    /// Custom encoding instead of [`EgressRequest::preset`] (not for track egress, which
    /// copies the track as it is).
    #[serde(default)]
    pub advanced: Option<AdvancedEncoding>,
    pub outputs: EgressOutputs,
    /// A storage profile name; empty uploads where the worker's config says.
    pub storage: String,
}

/// Where an egress is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EgressStatus {
    Starting,
    Active,
    Ending,
    Complete,
    Failed,
    Aborted,
    LimitReached,
    /// A status this app does not know (a newer server).
    #[serde(other)]
    Unknown,
}

impl EgressStatus {
    /// The status as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Active => "active",
            Self::Ending => "ending",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Aborted => "aborted",
            Self::LimitReached => "limit_reached",
            Self::Unknown => "unknown",
        }
    }
}

/// An egress as the list and detail show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressSummary {
    pub id: String,
    pub room_name: String,
    /// From the original request.
    pub kind: EgressKind,
    pub status: EgressStatus,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
    /// When the worker last reported on it.
    #[serde(default)]
    pub updated_at_ms: i64,
    pub error: String,
    pub error_code: i32,
    pub details: String,
    /// Room composite layout, when there is one.
    pub layout: String,
    /// One line per output: files, streams, playlists, images.
    pub outputs: Vec<String>,
    /// Each output's results, for the detail panel.
    #[serde(default)]
    pub results: EgressResults,
    /// What the request asked for beyond room, kind and layout.
    #[serde(default)]
    pub source: EgressSource,
    /// Where the worker uploaded the egress manifest, if it did.
    #[serde(default)]
    pub manifest_location: String,
    /// The upload fell back to the worker's backup storage.
    #[serde(default)]
    pub backup_storage_used: bool,
    /// How often the worker restarted it.
    #[serde(default)]
    pub retry_count: i32,
}

/// A storage profile with its credential, as the storage form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageInput {
    pub profile: StorageProfile,
    /// Empty keeps the stored credential when the profile exists with the same provider.
    pub credential: SecretInput,
    /// The form creates a profile: refused when one of that name exists.
    #[serde(default)]
    pub create: bool,
}
