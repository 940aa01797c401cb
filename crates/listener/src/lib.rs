//! Earshot's hidden listen-in engine: joins LiveKit rooms as an invisible, subscribe-only
//! participant, pulls only audio, and hands out one mixed 20 ms PCM stream plus state and
//! meter events. No Tauri here; the app shell forwards frames and events to the UI.
#![forbid(unsafe_code)]

pub mod error;
pub mod jitter;
pub mod mixer;
pub mod token;
pub mod track;

pub use error::{ListenError, ListenResult};
pub use mixer::{Mixer, SpeakerControl};
pub use token::{mint_listener_token, ListenerToken};
