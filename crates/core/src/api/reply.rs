//! Reading a reply's body with a ceiling: a server (or whatever answers at a mistyped URL)
//! cannot make Earshot buffer an unbounded body.

use super::error::{ApiError, ApiResult};

/// The largest reply body read. LiveKit's replies are a few KiB to a few MiB (a list of
/// thousands of rooms or egresses); past this, something is wrong.
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// The body of `resp`, or [`ApiError::TooLarge`] once it passes `limit` bytes (a declared
/// length over it is refused before reading).
pub(super) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
    transport: impl Fn(reqwest::Error) -> ApiError,
) -> ApiResult<Vec<u8>> {
    let too_large = || ApiError::TooLarge {
        limit_mib: limit / (1024 * 1024),
    };
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(&transport)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
