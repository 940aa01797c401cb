//! Wall-clock helpers shared by the features (a leaf: it imports nothing of the crate).

use std::time::Duration;

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A duration in whole milliseconds, saturating at `u32::MAX`.
pub fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}
