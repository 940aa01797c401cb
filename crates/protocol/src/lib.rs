//! Typed IPC between Earshot's UI (wasm32) and its Rust backend: every command with its
//! arguments and output, the DTOs they carry and the error shape the UI matches on.
#![forbid(unsafe_code)]

pub mod admin;
pub mod agents;
pub mod appearance;
pub mod audit;
pub mod command;
pub mod egress;
pub mod egress_detail;
pub mod egress_rules;
pub mod egress_storage_rules;
pub mod error;
pub mod fields;
pub mod guardrails;
pub mod history;
pub mod ingress;
pub mod listen;
pub mod projects;
pub mod room_view;
pub mod rooms;
pub mod secret;
pub mod sip;
pub mod sip_rules;
pub mod tokens;
pub mod transcript;
pub mod validate;
pub mod wallboard;

pub use command::{Command, COMMANDS};
pub use error::{AppError, ErrorCode};
pub use secret::SecretInput;
