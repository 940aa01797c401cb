//! Earshot's behaviour, free of Tauri: the secret vault, projects and their settings, access
//! to LiveKit's server APIs, and the hidden listener. The desktop shell is a thin adapter over
//! [`Earshot`].
#![forbid(unsafe_code)]

mod admin;
mod agents;
pub mod api;
mod earshot;
mod egress;
pub mod grants;
mod ingress;
pub mod listen;
pub mod listener;
pub mod monitor;
pub mod projects;
pub mod settings;
mod sip;
mod storage;
pub mod tokens;
pub mod vault;

pub use earshot::Earshot;
pub use earshot_protocol as protocol;
