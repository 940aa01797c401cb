//! Field rules every form shares: names and identities, metadata, JSON, attributes, URLs
//! and required fields.
//! Each answers for one field, so a form can show the error beside it.

use crate::{AppError, ErrorCode};
use std::collections::BTreeMap;

/// Longest room name or identity accepted (characters).
pub const MAX_NAME_CHARS: usize = 128;
/// livekit-server's default `limit.max_metadata_size` (bytes), for room and participant
/// metadata; a server may be configured lower or higher.
pub const MAX_METADATA_BYTES: usize = 64_000;
/// livekit-server's default `limit.max_attributes_size` (bytes, keys and values together).
pub const MAX_ATTRIBUTES_BYTES: usize = 64_000;

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(ErrorCode::InvalidInput, field, message)
}

/// A room name or identity: 1..=128 characters, any script, no control characters and no
/// leading or trailing spaces (they make names that look equal but are not).
pub fn name_field(raw: &str, field: &str, what: &str) -> Result<(), AppError> {
    if raw.is_empty() {
        return Err(invalid(field, format!("Enter a {what}.")));
    }
    if raw.trim() != raw {
        return Err(invalid(
            field,
            format!("The {what} starts or ends with a space; remove it."),
        ));
    }
    let chars = raw.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(invalid(
            field,
            format!("The {what} has {chars} characters; at most {MAX_NAME_CHARS} are allowed."),
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("The {what} contains a control character."),
        ));
    }
    Ok(())
}

/// Metadata: at most [`MAX_METADATA_BYTES`]; if it looks like JSON it must parse.
pub fn metadata_field(raw: &str, field: &str) -> Result<(), AppError> {
    if raw.len() > MAX_METADATA_BYTES {
        return Err(invalid(
            field,
            format!(
                "Metadata is {} bytes; the server's default limit is {MAX_METADATA_BYTES}.",
                raw.len()
            ),
        ));
    }
    let t = raw.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        json_error(raw).map_or(Ok(()), |e| {
            Err(invalid(
                field,
                format!("This looks like JSON but is not valid: {e}"),
            ))
        })?;
    }
    Ok(())
}

/// A JSON field that must hold an object (`array = false`) or an array, or be empty.
pub fn json_field(raw: &str, field: &str, array: bool) -> Result<(), AppError> {
    if raw.trim().is_empty() {
        return Ok(());
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Err(e) => Err(invalid(field, format!("Invalid JSON: {e}"))),
        Ok(v) if array && !v.is_array() => Err(invalid(field, "Expected a JSON array: [ … ].")),
        Ok(v) if !array && !v.is_object() => Err(invalid(field, "Expected a JSON object: { … }.")),
        Ok(_) => Ok(()),
    }
}

fn json_error(raw: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(raw)
        .err()
        .map(|e| e.to_string())
}

/// Attributes: non-empty keys, total size within [`MAX_ATTRIBUTES_BYTES`].
pub fn attributes_field(attrs: &BTreeMap<String, String>, field: &str) -> Result<(), AppError> {
    if attrs.keys().any(|k| k.trim().is_empty()) {
        return Err(invalid(field, "An attribute has an empty key."));
    }
    let size: usize = attrs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_ATTRIBUTES_BYTES {
        return Err(invalid(
            field,
            format!("Attributes are {size} bytes; the server's default limit is {MAX_ATTRIBUTES_BYTES}."),
        ));
    }
    Ok(())
}

/// A URL with one of `schemes` and a host.
pub fn url_with(raw: &str, schemes: &[&str], field: &str) -> Result<(), AppError> {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(invalid(
            field,
            format!("'{raw}' is not a URL ({}://…).", schemes[0]),
        ));
    };
    if !schemes.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(invalid(
            field,
            format!(
                "'{scheme}://' is not allowed here; use {}.",
                schemes.join("://, ") + "://"
            ),
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || raw.contains(char::is_whitespace) {
        return Err(invalid(
            field,
            format!("'{raw}' has no host, or contains spaces."),
        ));
    }
    Ok(())
}

pub(crate) fn required(value: &str, field: &str, what: &str) -> Result<(), AppError> {
    if value.trim().is_empty() {
        Err(invalid(field, format!("Enter the {what}.")))
    } else {
        Ok(())
    }
}
