//! Conversions between Earshot's SIP DTOs and LiveKit's protobuf messages.

use super::{ApiError, ApiResult};
use earshot_protocol::sip::{
    DispatchRule, DispatchRuleSpec, InboundTrunk, InboundTrunkSpec, OutboundTrunk,
    OutboundTrunkSpec, RuleKind,
};
use livekit_protocol as proto;
use proto::sip_dispatch_rule::Rule;
use std::collections::{BTreeMap, HashMap};

pub(super) fn duration(secs: Option<u32>) -> Option<pbjson_types::Duration> {
    secs.map(|s| pbjson_types::Duration {
        seconds: i64::from(s),
        nanos: 0,
    })
}

fn secs(d: &Option<pbjson_types::Duration>) -> Option<u32> {
    d.as_ref()
        .and_then(|d| u32::try_from(d.seconds).ok())
        .filter(|s| *s > 0)
}

pub(super) fn map(m: &BTreeMap<String, String>) -> HashMap<String, String> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn sorted(m: HashMap<String, String>) -> BTreeMap<String, String> {
    m.into_iter().collect()
}

pub(super) fn transport(name: &str) -> i32 {
    (match name {
        "udp" => proto::SipTransport::Udp,
        "tcp" => proto::SipTransport::Tcp,
        "tls" => proto::SipTransport::Tls,
        _ => proto::SipTransport::Auto,
    }) as i32
}

fn transport_name(v: i32) -> String {
    match proto::SipTransport::try_from(v) {
        Ok(proto::SipTransport::Udp) => "udp",
        Ok(proto::SipTransport::Tcp) => "tcp",
        Ok(proto::SipTransport::Tls) => "tls",
        _ => "auto",
    }
    .into()
}

pub(super) fn headers_option(name: &str) -> i32 {
    (match name {
        "x_headers" => proto::SipHeaderOptions::SipXHeaders,
        "all" => proto::SipHeaderOptions::SipAllHeaders,
        _ => proto::SipHeaderOptions::SipNoHeaders,
    }) as i32
}

fn headers_name(v: i32) -> String {
    match proto::SipHeaderOptions::try_from(v) {
        Ok(proto::SipHeaderOptions::SipXHeaders) => "x_headers",
        Ok(proto::SipHeaderOptions::SipAllHeaders) => "all",
        _ => "none",
    }
    .into()
}

fn encryption(name: &str) -> i32 {
    (match name {
        "allow" => proto::SipMediaEncryption::SipMediaEncryptAllow,
        "require" => proto::SipMediaEncryption::SipMediaEncryptRequire,
        _ => proto::SipMediaEncryption::SipMediaEncryptDisable,
    }) as i32
}

/// Media settings carrying the encryption choice (the newer home of that field).
pub(super) fn media(name: &str) -> Option<proto::SipMediaConfig> {
    Some(proto::SipMediaConfig {
        encryption: Some(encryption(name)),
        ..Default::default()
    })
}

/// The encryption choice, from the media settings or the deprecated field older servers use.
fn encryption_name(media: &Option<proto::SipMediaConfig>, deprecated: i32) -> String {
    let v = media
        .as_ref()
        .and_then(|m| m.encryption)
        .unwrap_or(deprecated);
    match proto::SipMediaEncryption::try_from(v) {
        Ok(proto::SipMediaEncryption::SipMediaEncryptAllow) => "allow",
        Ok(proto::SipMediaEncryption::SipMediaEncryptRequire) => "require",
        _ => "disable",
    }
    .into()
}

/// An inbound trunk message; `password` is the one to store (empty for none).
pub(super) fn inbound_proto(
    id: &str,
    s: &InboundTrunkSpec,
    password: String,
) -> proto::SipInboundTrunkInfo {
    proto::SipInboundTrunkInfo {
        sip_trunk_id: id.to_owned(),
        name: s.name.clone(),
        metadata: s.metadata.clone(),
        numbers: s.numbers.clone(),
        allowed_addresses: s.allowed_addresses.clone(),
        allowed_numbers: s.allowed_numbers.clone(),
        auth_username: s.auth_username.clone(),
        auth_password: password,
        auth_realm: s.auth_realm.clone(),
        headers: map(&s.headers),
        headers_to_attributes: map(&s.headers_to_attributes),
        attributes_to_headers: map(&s.attributes_to_headers),
        include_headers: headers_option(&s.include_headers),
        ringing_timeout: duration(s.ringing_timeout_secs),
        max_call_duration: duration(s.max_call_duration_secs),
        krisp_enabled: s.krisp_enabled,
        media: media(&s.media_encryption),
        ..Default::default()
    }
}

#[allow(deprecated)] // media_encryption: read as a fallback for older servers
pub(super) fn inbound_dto(t: proto::SipInboundTrunkInfo) -> InboundTrunk {
    InboundTrunk {
        has_auth_password: !t.auth_password.is_empty(),
        spec: InboundTrunkSpec {
            media_encryption: encryption_name(&t.media, t.media_encryption),
            name: t.name,
            metadata: t.metadata,
            numbers: t.numbers,
            allowed_addresses: t.allowed_addresses,
            allowed_numbers: t.allowed_numbers,
            auth_username: t.auth_username,
            auth_realm: t.auth_realm,
            headers: sorted(t.headers),
            headers_to_attributes: sorted(t.headers_to_attributes),
            attributes_to_headers: sorted(t.attributes_to_headers),
            include_headers: headers_name(t.include_headers),
            ringing_timeout_secs: secs(&t.ringing_timeout),
            max_call_duration_secs: secs(&t.max_call_duration),
            krisp_enabled: t.krisp_enabled,
        },
        id: t.sip_trunk_id,
    }
}

pub(super) fn outbound_proto(
    id: &str,
    s: &OutboundTrunkSpec,
    password: String,
) -> proto::SipOutboundTrunkInfo {
    proto::SipOutboundTrunkInfo {
        sip_trunk_id: id.to_owned(),
        name: s.name.clone(),
        metadata: s.metadata.clone(),
        address: s.address.clone(),
        destination_country: s.destination_country.clone(),
        transport: transport(&s.transport),
        numbers: s.numbers.clone(),
        auth_username: s.auth_username.clone(),
        auth_password: password,
        headers: map(&s.headers),
        headers_to_attributes: map(&s.headers_to_attributes),
        attributes_to_headers: map(&s.attributes_to_headers),
        include_headers: headers_option(&s.include_headers),
        media: media(&s.media_encryption),
        from_host: s.from_host.clone(),
        ..Default::default()
    }
}

#[allow(deprecated)] // see inbound_dto
pub(super) fn outbound_dto(t: proto::SipOutboundTrunkInfo) -> OutboundTrunk {
    OutboundTrunk {
        has_auth_password: !t.auth_password.is_empty(),
        spec: OutboundTrunkSpec {
            media_encryption: encryption_name(&t.media, t.media_encryption),
            name: t.name,
            metadata: t.metadata,
            address: t.address,
            destination_country: t.destination_country,
            transport: transport_name(t.transport),
            numbers: t.numbers,
            auth_username: t.auth_username,
            headers: sorted(t.headers),
            headers_to_attributes: sorted(t.headers_to_attributes),
            attributes_to_headers: sorted(t.attributes_to_headers),
            include_headers: headers_name(t.include_headers),
            from_host: t.from_host,
        },
        id: t.sip_trunk_id,
    }
}

pub(super) fn rule_proto(id: &str, s: &DispatchRuleSpec) -> ApiResult<proto::SipDispatchRuleInfo> {
    let rule = match s.kind {
        RuleKind::Individual => Rule::DispatchRuleIndividual(proto::SipDispatchRuleIndividual {
            room_prefix: s.room_prefix.clone(),
            pin: s.pin.clone(),
            no_randomness: !s.randomize,
        }),
        RuleKind::Callee => Rule::DispatchRuleCallee(proto::SipDispatchRuleCallee {
            room_prefix: s.room_prefix.clone(),
            pin: s.pin.clone(),
            randomize: s.randomize,
        }),
        RuleKind::Direct => Rule::DispatchRuleDirect(proto::SipDispatchRuleDirect {
            room_name: s.room_name.clone(),
            pin: s.pin.clone(),
        }),
    };
    let room_config = if s.room_config_json.trim().is_empty() {
        None
    } else {
        Some(
            serde_json::from_str::<proto::RoomConfiguration>(&s.room_config_json)
                .map_err(|e| ApiError::InvalidArgument(format!("room configuration: {e}")))?,
        )
    };
    Ok(proto::SipDispatchRuleInfo {
        sip_dispatch_rule_id: id.to_owned(),
        rule: Some(proto::SipDispatchRule { rule: Some(rule) }),
        trunk_ids: s.trunk_ids.clone(),
        hide_phone_number: s.hide_phone_number,
        inbound_numbers: s.inbound_numbers.clone(),
        numbers: s.numbers.clone(),
        name: s.name.clone(),
        metadata: s.metadata.clone(),
        attributes: map(&s.attributes),
        room_preset: s.room_preset.clone(),
        room_config,
        krisp_enabled: s.krisp_enabled,
        media: media(&s.media_encryption),
        ..Default::default()
    })
}

#[allow(deprecated)] // see inbound_dto
pub(super) fn rule_dto(r: proto::SipDispatchRuleInfo) -> DispatchRule {
    let mut spec = DispatchRuleSpec {
        media_encryption: encryption_name(&r.media, r.media_encryption),
        name: r.name,
        metadata: r.metadata,
        trunk_ids: r.trunk_ids,
        hide_phone_number: r.hide_phone_number,
        inbound_numbers: r.inbound_numbers,
        numbers: r.numbers,
        attributes: sorted(r.attributes),
        room_preset: r.room_preset,
        room_config_json: r
            .room_config
            .and_then(|c| serde_json::to_string(&c).ok())
            .unwrap_or_default(),
        krisp_enabled: r.krisp_enabled,
        ..Default::default()
    };
    match r.rule.and_then(|r| r.rule) {
        Some(Rule::DispatchRuleIndividual(i)) => {
            spec.kind = RuleKind::Individual;
            spec.room_prefix = i.room_prefix;
            spec.pin = i.pin;
            spec.randomize = !i.no_randomness;
        }
        Some(Rule::DispatchRuleCallee(c)) => {
            spec.kind = RuleKind::Callee;
            spec.room_prefix = c.room_prefix;
            spec.pin = c.pin;
            spec.randomize = c.randomize;
        }
        Some(Rule::DispatchRuleDirect(d)) => {
            spec.kind = RuleKind::Direct;
            spec.room_name = d.room_name;
            spec.pin = d.pin;
        }
        None => spec.kind = RuleKind::Direct,
    }
    DispatchRule {
        id: r.sip_dispatch_rule_id,
        spec,
    }
}
