//! Agent dispatch: asking the server to send a named agent into a room, and what it did.

use crate::fields::{metadata_field, name_field};
use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

/// An agent dispatch of one room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDispatchInfo {
    pub id: String,
    /// Empty for the room's default dispatch (any agent registered without a name).
    pub agent_name: String,
    pub room: String,
    pub metadata: String,
    /// One of [`RESTART_POLICIES`] (LiveKit Cloud honours it).
    #[serde(default)]
    pub restart_policy: String,
    /// The agent deployment the job goes to (LiveKit Cloud), empty for any.
    #[serde(default)]
    pub deployment: String,
    /// Attributes the agent's participant gets.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
    /// Unix time in milliseconds.
    pub created_at_ms: i64,
    pub jobs: Vec<AgentJob>,
}

/// A job the dispatch started on an agent worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentJob {
    pub id: String,
    pub status: JobStatus,
    pub error: String,
    pub participant_identity: String,
}

/// Where an agent job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Running,
    Success,
    Failed,
}

impl JobStatus {
    /// The status as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Success => "success",
            Self::Failed => "failed",
        }
    }
}

/// What the server does when a dispatched job fails: restart it (the default) or not.
pub const RESTART_POLICIES: &[&str] = &["on_failure", "never"];

/// A new dispatch as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgentDispatch {
    pub room: String,
    pub agent_name: String,
    pub metadata: String,
    /// One of [`RESTART_POLICIES`]; empty means `on_failure`.
    #[serde(default)]
    pub restart_policy: String,
    /// The agent deployment to use (LiveKit Cloud), empty for any.
    #[serde(default)]
    pub deployment: String,
    /// Attributes the agent's participant gets.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// Every problem of a new dispatch (empty when valid).
pub fn dispatch_errors(d: &NewAgentDispatch) -> Vec<AppError> {
    let mut errors = Vec::new();
    if let Err(e) = name_field(&d.room, "room", "room name") {
        errors.push(e);
    }
    if d.agent_name.trim().is_empty() {
        errors.push(AppError::field(
            ErrorCode::InvalidInput,
            "agent_name",
            "Enter the agent name the worker registered with (its WorkerOptions agent_name).",
        ));
    } else if let Err(e) = name_field(&d.agent_name, "agent_name", "agent name") {
        errors.push(e);
    }
    if let Err(e) = metadata_field(&d.metadata, "metadata") {
        errors.push(e);
    }
    if !d.restart_policy.is_empty() && !RESTART_POLICIES.contains(&d.restart_policy.as_str()) {
        errors.push(AppError::field(
            ErrorCode::InvalidInput,
            "restart_policy",
            "Choose 'on failure' or 'never'.",
        ));
    }
    if !d.deployment.is_empty() {
        if let Err(e) = name_field(&d.deployment, "deployment", "deployment name") {
            errors.push(e);
        }
    }
    if d.attributes.keys().any(|k| k.trim().is_empty()) {
        errors.push(AppError::field(
            ErrorCode::InvalidInput,
            "attributes",
            "An attribute needs a name before its '='.",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_form_names_bad_fields() {
        let bad = NewAgentDispatch {
            room: " r".into(),
            agent_name: "  ".into(),
            metadata: "{bad".into(),
            restart_policy: "always".into(),
            deployment: " x".into(),
            attributes: [(" ".to_owned(), "v".to_owned())].into(),
        };
        let fields: Vec<_> = dispatch_errors(&bad)
            .into_iter()
            .filter_map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "room",
                "agent_name",
                "metadata",
                "restart_policy",
                "deployment",
                "attributes"
            ]
        );
        let ok = NewAgentDispatch {
            room: "r".into(),
            agent_name: "receptionist".into(),
            metadata: "{}".into(),
            restart_policy: "never".into(),
            deployment: "staging".into(),
            attributes: [("queue".to_owned(), "billing".to_owned())].into(),
        };
        assert!(dispatch_errors(&ok).is_empty());
    }
}
