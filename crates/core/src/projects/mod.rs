//! Projects: LiveKit servers with their API keys. Non-secret fields live in the settings
//! store (one entry per project, so one damaged entry never hides the others); secrets
//! live in the vault under `project:<id>`.

pub mod catalog;
pub mod cli;
pub mod import;
mod registry;

pub use catalog::{
    secret_account, storage_account, Catalog, ProjectRecord, DEFAULT_KEY, PROJECT_PREFIX,
};
pub use registry::{still_valid, ProjectEntry, ProjectHandle, Projects};
