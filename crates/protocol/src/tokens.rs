//! The token builder and inspector.

use crate::rooms::TrackSource;
use crate::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest lifetime the builder issues (30 days).
pub const MAX_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// Every VideoGrant field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    pub room: String,
    pub room_join: bool,
    pub room_list: bool,
    pub room_create: bool,
    pub room_admin: bool,
    pub room_record: bool,
    pub ingress_admin: bool,
    pub can_publish: bool,
    pub can_publish_data: bool,
    /// Empty means all.
    pub can_publish_sources: Vec<TrackSource>,
    pub can_subscribe: bool,
    pub can_update_own_metadata: bool,
    pub hidden: bool,
    pub recorder: bool,
    pub agent: bool,
}

/// SIP grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipGrants {
    pub admin: bool,
    pub call: bool,
}

/// What the token builder submits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub identity: String,
    pub name: String,
    pub metadata: String,
    pub attributes: BTreeMap<String, String>,
    pub ttl_seconds: u64,
    pub grants: Grants,
    pub sip: SipGrants,
    /// `RoomConfiguration` as JSON, empty for none.
    pub room_config_json: String,
}

/// A signed token and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResult {
    pub jwt: String,
    /// The decoded claims, pretty-printed JSON.
    pub claims_json: String,
    /// Unix time in seconds.
    pub expires_at: i64,
}

/// What the inspector found in a pasted token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInspection {
    /// The decoded claims (signature not required), pretty-printed JSON.
    pub claims_json: String,
    pub identity: String,
    pub issuer: String,
    pub expires_at: Option<i64>,
    pub expired: bool,
    /// The `nbf` claim (Unix seconds): the server refuses the token before it.
    #[serde(default)]
    pub not_before: Option<i64>,
    /// Whether `nbf` is still ahead (allowing the server's usual minute of clock skew).
    #[serde(default)]
    pub not_yet_valid: bool,
    /// Whether the signature verifies with the named project's key and secret, expired
    /// or not (`expired` says which).
    pub verified: bool,
    /// Why it does not verify, when it does not.
    pub verify_problem: Option<String>,
}

/// Every error of a token request (empty when valid).
pub fn token_request(r: &TokenRequest) -> Vec<AppError> {
    let mut errors = Vec::new();
    let invalid = |field: &str, m: String| AppError::field(ErrorCode::InvalidInput, field, m);
    if let Err(e) = crate::fields::name_field(&r.identity, "identity", "identity") {
        errors.push(e);
    }
    if r.ttl_seconds == 0 || r.ttl_seconds > MAX_TTL_SECONDS {
        errors.push(invalid(
            "ttl_seconds",
            format!(
                "The lifetime must be between 1 s and {} days.",
                MAX_TTL_SECONDS / 86_400
            ),
        ));
    }
    if r.grants.room_join && r.grants.room.is_empty() {
        errors.push(invalid(
            "room",
            "A token that joins a room must name the room.".into(),
        ));
    }
    if !r.grants.room.is_empty() {
        if let Err(e) = crate::fields::name_field(&r.grants.room, "room", "room name") {
            errors.push(e);
        }
    }
    if let Err(e) = crate::fields::metadata_field(&r.metadata, "metadata") {
        errors.push(e);
    }
    if let Err(e) = crate::fields::attributes_field(&r.attributes, "attributes") {
        errors.push(e);
    }
    if let Err(e) = crate::fields::json_field(&r.room_config_json, "room_config_json", false) {
        errors.push(e);
    }
    if r.grants.can_publish_sources.contains(&TrackSource::Unknown) {
        errors.push(invalid(
            "can_publish_sources",
            "Unknown source; use camera, microphone, screen_share or screen_share_audio.".into(),
        ));
    }
    errors
}

/// Unix seconds as `2026-12-01 09:30:00 UTC` (proleptic Gregorian, no time-zone data needed).
pub fn utc_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// "expires in 2 d 3 h" or "expired 5 min ago", from the expiry and now (Unix seconds).
pub fn expiry_text(expires_at: i64, now: i64) -> String {
    let span = |s: i64| match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", s / 60),
        3_600..=86_399 => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3_600),
    };
    if expires_at > now {
        format!("expires in {}", span(expires_at - now))
    } else {
        format!("expired {} ago", span(now - expires_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_reads_as_utc_and_relative_time() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(1_709_210_096), "2024-02-29 12:34:56 UTC");
        assert_eq!(utc_text(4_102_444_800), "2100-01-01 00:00:00 UTC");
        assert_eq!(expiry_text(1_000 + 3_700, 1_000), "expires in 1 h 1 min");
        assert_eq!(expiry_text(1_000, 1_000 + 125), "expired 2 min ago");
        assert_eq!(
            expiry_text(1_000 + 2 * 86_400 + 7_200, 1_000),
            "expires in 2 d 2 h"
        );
    }
}
