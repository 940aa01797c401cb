//! Projects: a LiveKit server (Cloud or self-hosted) with its API key.

use crate::guardrails::Guardrails;
use crate::SecretInput;
use serde::{Deserialize, Serialize};

/// A project's stable id (a UUID), independent of its name.
pub type ProjectId = String;

/// A project as the UI sees it. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: ProjectId,
    pub name: String,
    /// Normalised signal URL, e.g. `wss://demo.livekit.cloud` or `ws://127.0.0.1:7880`.
    pub url: String,
    pub api_key: String,
    /// The project opened at start-up (a setting).
    pub is_default: bool,
    /// Whether unencrypted `ws://` to a non-local host was explicitly allowed.
    #[serde(default)]
    pub allow_plaintext: bool,
    /// Limits on monitoring this project's calls.
    #[serde(default)]
    pub guardrails: Guardrails,
}

/// What the add and edit forms submit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub url: String,
    pub api_key: String,
    /// Required when adding; on edit an empty secret keeps the stored one.
    pub api_secret: SecretInput,
    /// Allows `ws://`/`http://` to a host that is neither loopback nor a private address:
    /// tokens and admin calls then cross the network unencrypted (the form warns).
    #[serde(default)]
    pub allow_plaintext: bool,
    /// Limits on monitoring this project's calls.
    #[serde(default)]
    pub guardrails: Guardrails,
}

/// A settings entry that could not be read; it is left untouched in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsProblem {
    /// The entry's key in the settings file, or the file itself.
    pub entry: String,
    pub reason: String,
}

/// Everything the projects page and the switcher need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectsView {
    pub projects: Vec<ProjectSummary>,
    /// Entries of the settings file that could not be read at start-up.
    pub problems: Vec<SettingsProblem>,
}

/// The outcome of a successful connection check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReport {
    /// Rooms the server listed.
    pub rooms: u32,
    /// Round trip of the ListRooms call, in milliseconds.
    pub round_trip_ms: u32,
}

/// A project found in the `lk` CLI's config file. The secret stays in the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliProject {
    pub name: String,
    pub url: String,
    pub api_key: String,
    pub is_cli_default: bool,
    /// Whether a project with this name already exists in Earshot.
    pub already_imported: bool,
    /// Why it cannot be imported as it is (e.g. a malformed URL), if so.
    pub problem: Option<String>,
}

/// The projects in an `lk` CLI config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliScan {
    /// The file that was read.
    pub path: String,
    pub projects: Vec<CliProject>,
}

/// The result of importing from the `lk` CLI config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: Vec<ProjectSummary>,
    /// Projects that were chosen but not imported, with the reason.
    pub skipped: Vec<SettingsProblem>,
}
