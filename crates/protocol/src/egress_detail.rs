//! What an egress reports about itself beyond its status: each output's results (files,
//! streams, HLS playlists, thumbnails) and a summary of the request that started it, for
//! the egress detail panel. Times are Unix milliseconds (0: not yet), durations ms.

use serde::{Deserialize, Serialize};

/// A recorded file, as the worker reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileResult {
    pub filename: String,
    /// Where it was uploaded (a URL or bucket path), empty until it is.
    pub location: String,
    pub size_bytes: i64,
    pub duration_ms: i64,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
}

/// Where one stream output is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamStatus {
    Active,
    Finished,
    Failed,
    /// Not said, or a status this app does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

impl StreamStatus {
    /// The status as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

/// One stream URL (the worker redacts stream keys in it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamResult {
    pub url: String,
    pub status: StreamStatus,
    pub error: String,
    pub duration_ms: i64,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
    /// Reconnects to this URL so far.
    pub retries: u32,
}

/// An HLS output: its playlists and segments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentsResult {
    pub playlist_name: String,
    pub playlist_location: String,
    pub live_playlist_name: String,
    pub live_playlist_location: String,
    pub segment_count: i64,
    pub size_bytes: i64,
    pub duration_ms: i64,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
}

/// A thumbnails output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagesResult {
    pub filename_prefix: String,
    pub image_count: i64,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
}

/// Every output's results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressResults {
    pub files: Vec<FileResult>,
    pub streams: Vec<StreamResult>,
    pub segments: Vec<SegmentsResult>,
    pub images: Vec<ImagesResult>,
}

/// What the start request asked for, beyond room and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressSource {
    /// Web egress: the page recorded.
    pub url: String,
    /// Participant egress.
    pub identity: String,
    pub screen_share: bool,
    /// Track composite (audio, video) or track egress (one).
    pub track_ids: Vec<String>,
    pub audio_only: bool,
    pub video_only: bool,
    /// Room composite: the custom template URL, if any.
    pub custom_base_url: String,
    /// An encoding preset's name (lower case), `custom`, or empty for the default.
    pub encoding: String,
    /// `rtmp` or `srt` when the request has a stream output (UpdateStream applies), else
    /// empty.
    pub stream_protocol: String,
}
