//! Input rules for SIP forms, shared by the UI (inline) and the backend (authoritative).
//! Each `*_errors` function returns every problem, each tied to its form field.

use crate::fields::{json_field, metadata_field, name_field};
use crate::sip::{
    DialOut, DispatchRuleSpec, InboundTrunk, InboundTrunkSpec, OutboundTrunkSpec, RuleKind,
    Transfer, INCLUDE_HEADERS, MEDIA_ENCRYPTION, TRANSPORTS,
};
use crate::{AppError, ErrorCode};
use std::collections::BTreeMap;
use std::net::IpAddr;

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(ErrorCode::InvalidInput, field, message)
}

/// A phone number, E.164-ish: an optional `+`, then 3 to 15 digits and nothing else.
pub fn phone_number(raw: &str, field: &str) -> Result<(), AppError> {
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    let ok = (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if ok {
        return Ok(());
    }
    Err(invalid(
        field,
        format!(
            "'{raw}' is not a phone number: write it as an optional + and 3 to 15 digits, \
             without spaces or dashes (E.164, e.g. +4930123456)."
        ),
    ))
}

/// A list of phone numbers without duplicates.
pub fn phone_numbers(list: &[String], field: &str) -> Result<(), AppError> {
    for (i, n) in list.iter().enumerate() {
        phone_number(n, field)?;
        if list[..i].contains(n) {
            return Err(invalid(field, format!("{n} is listed twice.")));
        }
    }
    Ok(())
}

/// An IP address or CIDR range (`10.0.0.0/8`, `2001:db8::/32`).
pub fn ip_or_cidr(raw: &str, field: &str) -> Result<(), AppError> {
    let (ip, prefix) = raw.split_once('/').unwrap_or((raw, ""));
    let bad = || {
        invalid(
            field,
            format!(
                "'{raw}' is not an IP address or CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24)."
            ),
        )
    };
    let ip: IpAddr = ip.parse().map_err(|_| bad())?;
    if !prefix.is_empty() || raw.contains('/') {
        let max = if ip.is_ipv4() { 32 } else { 128 };
        match prefix.parse::<u8>() {
            Ok(p) if p <= max => {}
            _ => return Err(bad()),
        }
    }
    Ok(())
}

/// The host INVITEs go to: a host name or IP, optionally `:port`, without `sip:`.
pub fn sip_address(raw: &str, field: &str) -> Result<(), AppError> {
    if raw.is_empty() {
        return Err(invalid(
            field,
            "Enter the SIP server's host name or IP address.",
        ));
    }
    if raw.to_ascii_lowercase().starts_with("sip:") || raw.contains("://") {
        return Err(invalid(
            field,
            "Write only the host (and port), e.g. sip.example.com:5060, without sip: or a scheme.",
        ));
    }
    if raw.parse::<IpAddr>().is_ok() || raw.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    let (host, port) = match raw.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (raw, None),
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u16>(), Ok(1..)) {
            return Err(invalid(
                field,
                format!("'{p}' is not a port number (1–65535)."),
            ));
        }
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(invalid(
            field,
            format!("'{host}' is not a valid host name or IP address."),
        ));
    }
    Ok(())
}

/// Header names (map keys) must be SIP tokens; values must not hold line breaks.
pub fn header_map(map: &BTreeMap<String, String>, field: &str) -> Result<(), AppError> {
    for (k, v) in map {
        let token = !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
        if !token {
            return Err(invalid(field, format!("'{k}' is not a valid header name.")));
        }
        if v.contains(['\r', '\n']) {
            return Err(invalid(
                field,
                format!("The value of {k} contains a line break."),
            ));
        }
    }
    Ok(())
}

/// A value that must be one of `allowed`.
pub fn choice(value: &str, allowed: &[&str], field: &str) -> Result<(), AppError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(invalid(
        field,
        format!("'{value}' is not one of: {}.", allowed.join(", ")),
    ))
}

fn seconds(value: Option<u32>, field: &str) -> Result<(), AppError> {
    match value {
        Some(0) => Err(invalid(
            field,
            "Enter at least 1 second, or leave it empty.",
        )),
        _ => Ok(()),
    }
}

fn pin(raw: &str) -> Result<(), AppError> {
    if raw.is_empty() || (raw.len() <= 16 && raw.bytes().all(|b| b.is_ascii_digit())) {
        return Ok(());
    }
    Err(invalid(
        "pin",
        "A PIN is up to 16 digits (0–9), as callers type it on a keypad.",
    ))
}

struct Errors(Vec<AppError>);

impl Errors {
    fn check(&mut self, r: Result<(), AppError>) {
        if let Err(e) = r {
            self.0.push(e);
        }
    }
}

/// Every problem of an inbound trunk form.
pub fn inbound_trunk_errors(s: &InboundTrunkSpec) -> Vec<AppError> {
    let mut e = Errors(Vec::new());
    e.check(name_field(&s.name, "name", "trunk name"));
    e.check(metadata_field(&s.metadata, "metadata"));
    e.check(phone_numbers(&s.numbers, "numbers"));
    e.check(phone_numbers(&s.allowed_numbers, "allowed_numbers"));
    for a in &s.allowed_addresses {
        e.check(ip_or_cidr(a, "allowed_addresses"));
    }
    e.check(header_map(&s.headers, "headers"));
    e.check(header_map(
        &s.headers_to_attributes,
        "headers_to_attributes",
    ));
    e.check(choice(
        &s.include_headers,
        INCLUDE_HEADERS,
        "include_headers",
    ));
    e.check(seconds(s.ringing_timeout_secs, "ringing_timeout_secs"));
    e.check(seconds(s.max_call_duration_secs, "max_call_duration_secs"));
    e.check(choice(
        &s.media_encryption,
        MEDIA_ENCRYPTION,
        "media_encryption",
    ));
    e.0
}

/// Every problem of an outbound trunk form.
pub fn outbound_trunk_errors(s: &OutboundTrunkSpec) -> Vec<AppError> {
    let mut e = Errors(Vec::new());
    e.check(name_field(&s.name, "name", "trunk name"));
    e.check(metadata_field(&s.metadata, "metadata"));
    e.check(sip_address(&s.address, "address"));
    let country = &s.destination_country;
    let iso = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    if !country.is_empty() && !iso {
        e.check(Err(invalid(
            "destination_country",
            "Use a two-letter ISO country code in capitals, e.g. US or DE.",
        )));
    }
    e.check(choice(&s.transport, TRANSPORTS, "transport"));
    if s.numbers.is_empty() {
        e.check(Err(invalid(
            "numbers",
            "Add at least one number to call from.",
        )));
    }
    e.check(phone_numbers(&s.numbers, "numbers"));
    e.check(header_map(&s.headers, "headers"));
    e.check(header_map(
        &s.headers_to_attributes,
        "headers_to_attributes",
    ));
    e.check(choice(
        &s.include_headers,
        INCLUDE_HEADERS,
        "include_headers",
    ));
    e.check(choice(
        &s.media_encryption,
        MEDIA_ENCRYPTION,
        "media_encryption",
    ));
    if !s.from_host.is_empty() {
        e.check(sip_address(&s.from_host, "from_host"));
    }
    e.0
}

/// Every problem of a dispatch rule form.
pub fn dispatch_rule_errors(s: &DispatchRuleSpec) -> Vec<AppError> {
    let mut e = Errors(Vec::new());
    if !s.name.is_empty() {
        e.check(name_field(&s.name, "name", "rule name"));
    }
    e.check(metadata_field(&s.metadata, "metadata"));
    if s.kind == RuleKind::Direct {
        e.check(name_field(&s.room_name, "room_name", "room name"));
    } else if s.room_prefix.chars().any(char::is_control) {
        e.check(Err(invalid(
            "room_prefix",
            "The prefix contains a control character.",
        )));
    }
    e.check(pin(&s.pin));
    for t in &s.trunk_ids {
        if t.trim().is_empty() || t.contains(char::is_whitespace) {
            e.check(Err(invalid(
                "trunk_ids",
                format!("'{t}' is not a trunk id."),
            )));
        }
    }
    e.check(phone_numbers(&s.inbound_numbers, "inbound_numbers"));
    e.check(phone_numbers(&s.numbers, "numbers"));
    e.check(json_field(&s.room_config_json, "room_config_json", false));
    e.check(choice(
        &s.media_encryption,
        MEDIA_ENCRYPTION,
        "media_encryption",
    ));
    e.0
}

/// Every problem of a dial-out form.
pub fn dial_out_errors(d: &DialOut) -> Vec<AppError> {
    let mut e = Errors(Vec::new());
    if d.trunk_id.trim().is_empty() {
        e.check(Err(invalid(
            "trunk_id",
            "Choose the outbound trunk to call from.",
        )));
    }
    e.check(phone_number(&d.call_to, "call_to"));
    if !d.sip_number.is_empty() {
        e.check(phone_number(&d.sip_number, "sip_number"));
    }
    e.check(name_field(&d.room_name, "room_name", "room name"));
    if !d.participant_identity.is_empty() {
        e.check(name_field(
            &d.participant_identity,
            "participant_identity",
            "identity",
        ));
    }
    e.check(metadata_field(
        &d.participant_metadata,
        "participant_metadata",
    ));
    if !d
        .dtmf
        .bytes()
        .all(|b| b.is_ascii_digit() || b"*#wW".contains(&b))
    {
        e.check(Err(invalid(
            "dtmf",
            "DTMF digits are 0–9, * and #; w pauses 0.5 s.",
        )));
    }
    e.check(header_map(&d.headers, "headers"));
    e.check(choice(
        &d.include_headers,
        INCLUDE_HEADERS,
        "include_headers",
    ));
    e.check(seconds(d.ringing_timeout_secs, "ringing_timeout_secs"));
    e.check(seconds(d.max_call_duration_secs, "max_call_duration_secs"));
    e.check(choice(
        &d.media_encryption,
        MEDIA_ENCRYPTION,
        "media_encryption",
    ));
    e.0
}

/// Every problem of a transfer form.
pub fn transfer_errors(t: &Transfer) -> Vec<AppError> {
    let mut e = Errors(Vec::new());
    e.check(name_field(&t.room, "room", "room name"));
    e.check(name_field(&t.identity, "identity", "identity"));
    let to = t.transfer_to.as_str();
    let lower = to.to_ascii_lowercase();
    if let Some(number) = lower.strip_prefix("tel:") {
        e.check(phone_number(number, "transfer_to"));
    } else if let Some(uri) = lower
        .strip_prefix("sip:")
        .or_else(|| lower.strip_prefix("sips:"))
    {
        let host = uri.rsplit_once('@').map_or(uri, |(_, h)| h);
        e.check(sip_address(host, "transfer_to"));
    } else {
        e.check(Err(invalid(
            "transfer_to",
            "Transfer to tel:+15551234567 or sip:user@host.",
        )));
    }
    e.check(header_map(&t.headers, "headers"));
    e.check(seconds(t.ringing_timeout_secs, "ringing_timeout_secs"));
    e.0
}

/// The server refuses two inbound trunks that would both take a call: the same number (or
/// both with no numbers) and callers allowed by both. Checked before sending, on the
/// `numbers` field. `editing` is the id of the trunk being changed.
pub fn inbound_conflict(
    spec: &InboundTrunkSpec,
    editing: Option<&str>,
    existing: &[InboundTrunk],
) -> Result<(), AppError> {
    let overlap = |a: &[String], b: &[String]| {
        a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
    };
    for other in existing.iter().filter(|t| Some(t.id.as_str()) != editing) {
        let same_numbers = if spec.numbers.is_empty() || other.spec.numbers.is_empty() {
            spec.numbers.is_empty() && other.spec.numbers.is_empty()
        } else {
            spec.numbers.iter().any(|n| other.spec.numbers.contains(n))
        };
        if same_numbers && overlap(&spec.allowed_numbers, &other.spec.allowed_numbers) {
            let shared: Vec<&str> = spec
                .numbers
                .iter()
                .filter(|n| other.spec.numbers.contains(n))
                .map(String::as_str)
                .collect();
            let what = if shared.is_empty() {
                "also accepts calls to any number".to_owned()
            } else {
                format!("already uses {}", shared.join(", "))
            };
            return Err(AppError::field(
                ErrorCode::AlreadyExists,
                "numbers",
                format!(
                    "Inbound trunk '{}' ({}) {what}. Use other numbers, or set allowed caller \
                     numbers on both trunks that do not overlap.",
                    other.spec.name, other.id
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "sip_rules_tests.rs"]
mod tests;
