//! Earshot's hidden listen-in engine: joins LiveKit rooms as an invisible, subscribe-only
//! participant, pulls only audio, and hands out one mixed 20 ms PCM stream plus state and
//! meter events. No Tauri here; the listen hub (the parent module) drives it and forwards
//! frames and events to the shell.
//!
//! Opus is decoded by libopus (the `opus` crate builds it from source), which gives real
//! packet-loss concealment and in-band FEC.
//!
//! Used on its own (as the tests and benches do), inside a tokio runtime:
//!
//! ```no_run
//! # async fn shell() -> Result<(), earshot_core::listen::engine::AppError> {
//! use earshot_core::api::{Endpoint, ServerApi};
//! use earshot_core::listen::engine::{AudibleSet, Listener, ListenerConfig};
//! use earshot_core::vault::Secret;
//! let (listener, mut output) = Listener::new(ListenerConfig {
//!     supervisor: "dana".into(),
//!     ..Default::default()
//! });
//! // The project's one client to its server (in the app: `ProjectHandle::api`).
//! let server = ServerApi::for_calls(Endpoint {
//!     url: "wss://example.livekit.cloud".into(),
//!     api_key: "APIkey".into(),
//!     api_secret: Secret::new("secret"),
//! })?;
//! listener.listen(&server, "support-42").await?; // errors are AppError-convertible
//! listener.set_audible(AudibleSet::Focus("support-42"));
//! listener.set_gain("support-42", "caller", 0.5)?;
//! tokio::spawn(async move {
//!     while let Some(frame) = output.frames.recv().await {
//!         // → tauri::ipc::Channel as base64 16-bit PCM text (see encode_audio_frame)
//!         let _wire = earshot_core::protocol::listen::encode_audio_frame(&frame.samples);
//!     }
//! });
//! while let Some(event) = output.events.recv().await {
//!     let _json = serde_json::to_string(&event); // → UI event (state, speakers, meters)
//! }
//! # Ok(())
//! # }
//! ```

mod audio;
pub mod error;
mod frame;
pub mod jitter;
mod latency;
mod listener;
pub mod mixer;
pub(crate) mod session;
pub mod token;
pub mod track;

pub use earshot_protocol::listen::{
    AudibleSet, EndReason, Level, ListenEvent, ListenState, RoomMeters, SpeakerInfo, SpeakerMeter,
};
pub use earshot_protocol::{AppError, ErrorCode};
pub use error::{ListenError, ListenResult};
pub use frame::AudioFrame;
pub use jitter::JitterConfig;
pub use latency::LatencySummary;
pub use listener::{Listener, ListenerConfig, ListenerOutput};
pub use mixer::{MixSettings, Mixer, SpeakerControl};
pub use token::{mint_listener_token, ListenerToken, OwnIdentities, MAX_TOKEN_TTL};
