//! Earshot's behaviour, free of Tauri. [`Earshot`] only owns the long-lived parts (the
//! [`projects::Projects`] registry, the [`listen`] hub, the [`wallboard`]); features are
//! modules of free functions on a [`projects::ProjectHandle`] (`admin`, `sip`, `egress`,
//! `storage`, `ingress`, `agents`), and every call to a server goes through the project's
//! one [`api::ServerApi`]. Leaves: `result`, `clock`, `grants`, `vault`, `settings`. No module
//! imports another in a circle (`cargo test -p earshot-core --test module_graph`).
#![forbid(unsafe_code)]

pub mod admin;
pub mod agents;
pub mod api;
pub mod appearance;
pub mod audit;
pub mod clock;
mod earshot;
pub mod egress;
pub mod grants;
pub mod history;
pub mod ingress;
pub mod instance;
pub mod listen;
pub mod projects;
pub mod result;
pub mod room_view;
pub mod settings;
pub mod sip;
pub mod storage;
pub mod tokens;
pub mod transcript;
pub mod vault;
pub mod wallboard;

pub use earshot::Earshot;
pub use earshot_protocol as protocol;
