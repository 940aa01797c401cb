//! Listener failures, sorted by what the supervisor can do about them.

use crate::api::ApiError;
use earshot_protocol::{AppError, ErrorCode};
use livekit_signaling::SignalError;

/// What went wrong while listening.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ListenError {
    #[error("the room '{0}' does not exist")]
    RoomNotFound(String),
    #[error("nothing answered at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// The TLS handshake failed: an untrusted or wrong certificate, or no TLS at all. Not
    /// transient: waiting does not make a certificate trusted.
    #[error("the secure connection to {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("the server rejected the API key or secret")]
    InvalidCredentials,
    #[error("the key may not do this: {0}")]
    PermissionDenied(String),
    #[error("{what} did not finish within {seconds} s")]
    Timeout { what: &'static str, seconds: u64 },
    #[error("the URL is not usable: {0}")]
    InvalidUrl(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("the server failed: {0}")]
    Server(String),
    #[error("media setup failed: {0}")]
    Media(String),
    #[error("the room is not being listened to: {0}")]
    NotListening(String),
    #[error("already listening to '{0}'")]
    AlreadyListening(String),
}

/// Result alias for the listener.
pub type ListenResult<T> = Result<T, ListenError>;

impl ListenError {
    /// Whether trying again later may work (drives reconnect vs. give up).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ListenError::Unreachable { .. }
                | ListenError::Timeout { .. }
                | ListenError::Server(_)
                | ListenError::Media(_)
        )
    }

    /// Maps a failed signal connect. `rtc/validate` turns a refused WebSocket upgrade into an
    /// HTTP status, which is the only way to tell a bad key from a dead server here.
    pub(crate) fn from_signal(url: &str, err: &SignalError, deadline: std::time::Duration) -> Self {
        match err {
            SignalError::UrlParse(e) => ListenError::InvalidUrl(e.clone()),
            SignalError::TokenFormat => ListenError::InvalidCredentials,
            SignalError::Client(status, body) => match status.as_u16() {
                401 => ListenError::InvalidCredentials,
                403 => ListenError::PermissionDenied(body.clone()),
                404 => ListenError::RoomNotFound(body.clone()),
                _ => ListenError::Server(format!("{status}: {body}")),
            },
            SignalError::Handshake { status } if status.as_u16() == 401 => {
                ListenError::InvalidCredentials
            }
            SignalError::Server(status, body) => ListenError::Server(format!("{status}: {body}")),
            SignalError::Timeout(_) => ListenError::Timeout {
                what: "the signal connection",
                seconds: deadline.as_secs_f64().ceil() as u64,
            },
            // The transport reports TLS failures as text only.
            SignalError::Connection(detail)
                if detail.contains("TLS") || detail.contains("certificate") =>
            {
                ListenError::Tls {
                    url: url.to_owned(),
                    detail: detail.clone(),
                }
            }
            other => ListenError::Unreachable {
                url: url.to_owned(),
                detail: other.to_string(),
            },
        }
    }

    /// Maps a failed room lookup (made before joining, so joining never creates a room).
    pub(crate) fn from_api(url: &str, err: &ApiError) -> Self {
        match err {
            ApiError::Unauthorized => ListenError::InvalidCredentials,
            ApiError::PermissionDenied(msg) => ListenError::PermissionDenied(msg.clone()),
            ApiError::NotFound(msg) => ListenError::RoomNotFound(msg.clone()),
            ApiError::Timeout { seconds } => ListenError::Timeout {
                what: "the room lookup",
                seconds: *seconds,
            },
            ApiError::InvalidUrl(msg) => ListenError::InvalidUrl(msg.clone()),
            ApiError::Token(msg) => ListenError::InvalidInput(msg.clone()),
            ApiError::Tls { .. } => ListenError::Tls {
                url: url.to_owned(),
                detail: err.to_string(),
            },
            ApiError::Dns { .. } | ApiError::Unreachable { .. } => ListenError::Unreachable {
                url: url.to_owned(),
                detail: err.to_string(),
            },
            other => ListenError::Server(other.to_string()),
        }
    }

    /// The stable code the UI matches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ListenError::RoomNotFound(_) | ListenError::NotListening(_) => ErrorCode::NotFound,
            ListenError::Unreachable { .. } => ErrorCode::Unreachable,
            ListenError::Tls { .. } => ErrorCode::TlsFailure,
            ListenError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ListenError::PermissionDenied(_) => ErrorCode::PermissionDenied,
            ListenError::Timeout { .. } => ErrorCode::Timeout,
            ListenError::InvalidUrl(_) => ErrorCode::InvalidUrl,
            ListenError::InvalidInput(_) => ErrorCode::InvalidInput,
            ListenError::Server(_) => ErrorCode::ServerError,
            ListenError::Media(_) => ErrorCode::Internal,
            ListenError::AlreadyListening(_) => ErrorCode::AlreadyExists,
        }
    }
}

impl From<ListenError> for AppError {
    fn from(err: ListenError) -> Self {
        let hint = match &err {
            ListenError::Unreachable { .. } => " Is the server running, and is the URL right?",
            ListenError::InvalidCredentials => " Check the project's API key and secret.",
            ListenError::Tls { .. } => {
                " A server with a certificate from a private CA is trusted once that CA is in \
                 the system's certificate store; a server without TLS needs ws://."
            }
            _ => "",
        };
        AppError::new(
            err.code(),
            format!("{}.{hint}", capitalize(&err.to_string())),
        )
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
