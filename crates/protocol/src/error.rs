//! The one error shape that crosses the IPC boundary: a stable code plus a sentence.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, as a stable code the UI matches on (never on the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A form field is empty, too long or malformed; `field` names it.
    InvalidInput,
    /// The server URL cannot be parsed or uses an unsupported scheme.
    InvalidUrl,
    /// The host name does not resolve.
    DnsFailure,
    /// Nothing answers at that address (connection refused or no route).
    Unreachable,
    /// The TLS handshake failed (bad certificate, wrong port for TLS, ...).
    TlsFailure,
    /// The server rejected the API key or secret (HTTP 401).
    InvalidCredentials,
    /// The key is valid but lacks the permission the call needs.
    PermissionDenied,
    /// The server did not answer in time.
    Timeout,
    /// The server answered with an error of its own (5xx or unexpected reply).
    ServerError,
    /// The server asked us to slow down (HTTP 429).
    RateLimited,
    /// The server refused the request's arguments.
    InvalidArgument,
    /// The server does not implement the call (e.g. a LiveKit Cloud-only API).
    Unsupported,
    /// The thing to create exists already.
    AlreadyExists,
    /// The project, room or other resource does not exist.
    NotFound,
    /// There is no usable OS keychain; secrets are never stored anywhere else.
    KeychainUnavailable,
    /// The OS keychain answered with an error.
    KeychainError,
    /// The stored secret for a project is missing from the keychain.
    SecretMissing,
    /// The settings file could not be read or written.
    SettingsError,
    /// Another project already uses that name.
    DuplicateName,
    /// No `lk` CLI config was found where we looked.
    CliConfigNotFound,
    /// The `lk` CLI config exists but could not be parsed.
    CliConfigInvalid,
    /// No project is configured or selected yet.
    NoProject,
    /// A bug in Earshot; the message says where.
    Internal,
    /// The call needs a LiveKit worker (SIP, egress or ingress service) and none is
    /// connected to the server.
    NoWorker,
    /// A phone call could not be placed or transferred: the far end refused it (the SIP
    /// status is in the message) or nothing answered at the trunk's address.
    CallFailed,
    /// The journal (audit and history store) cannot be opened, read or written: a full
    /// disk, a locked or corrupt file, or an unreachable team server.
    JournalError,
    /// A monitoring guardrail refused: the room already has as many Earshot listeners as
    /// its project allows, or this app holds as many listens or views open as it may.
    LimitReached,
}

impl ErrorCode {
    /// Whether retrying the same request later may succeed (used for backoff decisions).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::Unreachable
                | ErrorCode::DnsFailure
                | ErrorCode::Timeout
                | ErrorCode::ServerError
                | ErrorCode::RateLimited
        )
    }

    /// Whether the failure came from the connection check, so saving anyway is a sensible offer.
    pub fn is_connection_problem(self) -> bool {
        self.is_transient()
            || matches!(
                self,
                ErrorCode::TlsFailure | ErrorCode::InvalidCredentials | ErrorCode::PermissionDenied
            )
    }
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorCode,
    /// A sentence a user can act on.
    pub message: String,
    /// The form field the error belongs to, for inline display (e.g. `"url"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    /// An error not tied to a form field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An error shown next to one form field.
    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for AppError {}
