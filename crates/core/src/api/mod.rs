//! Access to LiveKit's server APIs (Twirp over HTTP) with errors a user can act on.
//!
//! livekit-api's own clients turn a plain-text 401 into a JSON decode error and lose the
//! status, so calls go through [`twirp`], which keeps status, timeout, DNS, refusal and TLS
//! failures apart. Tokens are still signed by livekit-api's `access_token`.

pub mod admin;
mod admin_convert;
pub mod agents;
pub mod egress;
mod egress_convert;
mod egress_summary;
mod error;
pub mod ingress;
pub mod rooms;
pub mod sip;
mod sip_convert;
mod twirp;

pub use egress_convert::Upload;
pub use error::{ApiError, ApiResult};
pub use twirp::{Grants, RetryPolicy, ServerApi};

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
