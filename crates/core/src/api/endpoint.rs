//! Where a project's server is, the credentials to call it, and how long a call may take.

use crate::vault::Secret;
use std::time::Duration;

/// Where a project's server is and how to authenticate to it.
#[derive(Clone)]
pub struct Endpoint {
    /// Normalised signal URL (`ws(s)://…`).
    pub url: String,
    pub api_key: String,
    pub api_secret: Secret,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

/// Timeout of a connection check: short, as a user is waiting on a form.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// Timeout of an ordinary API call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
