//! Access to LiveKit's server APIs (Twirp over HTTP) with errors a user can act on.
//!
//! livekit-api's own clients turn a plain-text 401 into a JSON decode error and lose the
//! status, so calls go through [`twirp`], which keeps status, timeout, DNS, refusal and TLS
//! failures apart. Tokens are still signed by livekit-api's `access_token`, with the grants
//! of [`crate::grants`].
//!
//! One module per LiveKit service (`rooms` is the whole RoomService); prost → DTO
//! conversions live in leaf `*_convert`/`egress_summary` modules that import no service
//! module, so no two files here import each other.

pub mod agents;
pub mod census;
pub mod egress;
mod egress_convert;
mod egress_summary;
mod endpoint;
mod error;
pub mod ingress;
pub mod reply;
pub mod rooms;
pub(crate) mod rooms_convert;
pub mod sip;
mod sip_convert;
mod tls;
mod twirp;

pub use egress_convert::Upload;
pub use endpoint::{Endpoint, CALL_TIMEOUT, CHECK_TIMEOUT};
pub use error::{ApiError, ApiResult};
pub use twirp::{RetryPolicy, ServerApi};
