//! Earshot's behaviour, free of Tauri: the secret vault, projects and their settings, access
//! to LiveKit's server APIs, and the hidden listener. The desktop shell is a thin adapter over
//! [`Earshot`].
#![forbid(unsafe_code)]

pub mod admin;
pub mod agents;
pub mod api;
pub mod clock;
mod earshot;
pub mod egress;
pub mod grants;
pub mod ingress;
pub mod listen;
pub mod listener;
pub mod monitor;
pub mod projects;
pub mod result;
pub mod settings;
pub mod sip;
pub mod storage;
pub mod tokens;
pub mod vault;

pub use earshot::Earshot;
pub use earshot_protocol as protocol;
