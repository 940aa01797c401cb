//! Earshot's hidden listen-in engine: joins LiveKit rooms as an invisible, subscribe-only
//! participant, pulls only audio, and hands out one mixed 20 ms PCM stream plus state and
//! meter events. No Tauri here; the app shell forwards frames and events to the UI.
//!
//! Opus is decoded by libopus (the `opus` crate builds it from source), which gives real
//! packet-loss concealment and in-band FEC.
#![forbid(unsafe_code)]

mod audio;
pub mod error;
pub mod jitter;
mod latency;
mod listener;
pub mod mixer;
mod session;
pub mod token;
pub mod track;

pub use earshot_protocol::listen::{
    AudibleSet, EndReason, Level, ListenEvent, ListenState, RoomMeters, SpeakerInfo, SpeakerMeter,
};
pub use earshot_protocol::{AppError, ErrorCode};
pub use error::{ListenError, ListenResult};
pub use jitter::JitterConfig;
pub use latency::LatencySummary;
pub use listener::{AudioFrame, Listener, ListenerConfig, ListenerOutput, ServerTarget};
pub use mixer::{Mixer, SpeakerControl};
pub use token::{listener_grants, mint_listener_token, ListenerToken, MAX_TOKEN_TTL};
