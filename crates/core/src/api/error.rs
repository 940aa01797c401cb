//! API failures, kept apart by what the user can do about them.

use earshot_protocol::{AppError, ErrorCode};

/// What went wrong talking to a LiveKit server.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the URL is not usable: {0}")]
    InvalidUrl(String),
    #[error("the host name {host} could not be resolved")]
    Dns { host: String },
    #[error("nothing answered at {address}: {detail}")]
    Unreachable { address: String, detail: String },
    #[error("the TLS handshake with {host} failed: {detail}")]
    Tls { host: String, detail: String },
    #[error("the server did not answer within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the server rejected the API key or secret (401)")]
    Unauthorized,
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("the server does not implement this: {0}")]
    Unsupported(String),
    #[error("rate limited by the server (429)")]
    RateLimited { retry_after: Option<u64> },
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    #[error("no LiveKit API answers at this URL ({0})")]
    NotLiveKit(String),
    #[error("the reply is larger than {limit_mib} MiB")]
    TooLarge { limit_mib: usize },
    #[error("could not sign the request token: {0}")]
    Token(String),
    /// livekit-server forwards SIP, egress and URL-ingress calls to a worker over Redis
    /// and answers `503 no response from servers` when none is connected.
    #[error("no {worker} worker answered: {detail}")]
    NoWorker {
        worker: &'static str,
        detail: String,
    },
    /// The SIP worker tried the call and the far end refused it with a SIP status
    /// (livekit-sip sends it in the Twirp error's `sip_status_code` / `sip_status`).
    #[error("the call failed with SIP status {code} {status}: {detail}")]
    CallFailed {
        code: u16,
        status: String,
        detail: String,
    },
    /// The server gave up on the request (Twirp `canceled`); for a SIP call this is
    /// livekit-sip's "sip request timed out": nothing answered at the trunk's address.
    #[error("the request was cancelled: {0}")]
    Canceled(String),
    /// A SIP call or transfer that nothing answered (see [`ApiError::Canceled`]).
    #[error("nothing answered the call: {0}")]
    NoAnswer(String),
}

fn worker_binary(worker: &str) -> &'static str {
    match worker {
        "SIP" => "livekit-sip",
        "egress" => "livekit-egress",
        _ => "livekit-ingress",
    }
}

/// Result alias for API calls.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Turns the server's "no worker answered" reply (503, `no response from servers`)
    /// into [`ApiError::NoWorker`]; other errors pass through.
    pub fn needs_worker(self, worker: &'static str) -> ApiError {
        match self {
            ApiError::Server {
                status: 503,
                message,
            } if message.contains("no response from servers") => ApiError::NoWorker {
                worker,
                detail: message,
            },
            other => other,
        }
    }

    /// For SIP calls: the server's `canceled` is livekit-sip giving up on a far end that
    /// never answered; a worker-less server is [`ApiError::NoWorker`].
    pub fn sip_call(self) -> ApiError {
        match self.needs_worker("SIP") {
            ApiError::Canceled(m) => ApiError::NoAnswer(m),
            other => other,
        }
    }

    /// Whether the same request may succeed if tried again shortly.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Dns { .. }
                | ApiError::Unreachable { .. }
                | ApiError::Timeout { .. }
                | ApiError::RateLimited { .. }
        ) || matches!(self, ApiError::Server { status, .. } if *status >= 500)
    }
}

impl From<ApiError> for AppError {
    fn from(err: ApiError) -> Self {
        use ApiError::*;
        let (code, message) = match &err {
            InvalidUrl(d) => (ErrorCode::InvalidUrl, format!("The server URL is not usable: {d}.")),
            Dns { host } => (
                ErrorCode::DnsFailure,
                format!("The host name '{host}' could not be resolved. Check the URL for typos."),
            ),
            Unreachable { address, .. } => (
                ErrorCode::Unreachable,
                format!(
                    "Nothing answered at {address}. Is the server running, and is the port right?"
                ),
            ),
            Tls { host, detail } => (
                ErrorCode::TlsFailure,
                format!(
                    "The secure connection to {host} failed ({detail}). If the server has no \
                     TLS, use ws:// or http:// instead of wss:// or https://."
                ),
            ),
            Timeout { seconds } => (
                ErrorCode::Timeout,
                format!("The server did not answer within {seconds} s. Try again, or check the network."),
            ),
            Unauthorized => (
                ErrorCode::InvalidCredentials,
                "The server rejected the API key or secret (401). Check both against your \
                 LiveKit project's API keys."
                    .into(),
            ),
            PermissionDenied(m) => (
                ErrorCode::PermissionDenied,
                format!("This API key is not allowed to do that ({m})."),
            ),
            NotFound(m) => (ErrorCode::NotFound, format!("Not found: {m}.")),
            InvalidArgument(m) => (ErrorCode::InvalidArgument, format!("The server refused the request: {m}.")),
            AlreadyExists(m) => (ErrorCode::AlreadyExists, format!("That already exists: {m}.")),
            Unsupported(m) => (
                ErrorCode::Unsupported,
                format!(
                    "This server does not support that operation ({m}). Some calls, such as \
                     moving or forwarding participants, are only offered by LiveKit Cloud or \
                     newer servers."
                ),
            ),
            RateLimited { .. } => (
                ErrorCode::RateLimited,
                "The server is rate-limiting Earshot (429); it will slow down and retry.".into(),
            ),
            Server { status, message } => (
                ErrorCode::ServerError,
                format!("The server failed with status {status}: {message}"),
            ),
            NotLiveKit(d) => (
                ErrorCode::ServerError,
                format!("Something answered, but it is not a LiveKit server's API ({d}). Check the URL."),
            ),
            TooLarge { limit_mib } => (
                ErrorCode::ServerError,
                format!("The server's reply is larger than {limit_mib} MiB, more than any LiveKit reply should be; Earshot stopped reading it."),
            ),
            Token(d) => (ErrorCode::Internal, format!("Could not sign the request token: {d}")),
            CallFailed {
                code,
                status,
                detail,
            } => (
                ErrorCode::CallFailed,
                format!("The call failed: the far end answered SIP {code} {status} ({detail})."),
            ),
            NoAnswer(m) => (
                ErrorCode::CallFailed,
                format!(
                    "Nothing answered the call ({m}). Check the trunk's address and that the \
                     far end is up."
                ),
            ),
            Canceled(m) => (
                ErrorCode::Timeout,
                format!("The server gave up on the request ({m})."),
            ),
            NoWorker { worker, detail } => (
                ErrorCode::NoWorker,
                format!(
                    "No {worker} service is connected to this LiveKit server, so nothing can \
                     carry out the request (the server said: {detail}). Run {} next to the \
                     server, or use LiveKit Cloud.",
                    worker_binary(worker)
                ),
            ),
        };
        AppError::new(code, message)
    }
}
