//! SIP telephony: inbound and outbound trunks, dispatch rules, dialling out and transfers,
//! as the SIP page sends and shows them. Input rules live in [`crate::sip_rules`].
//!
//! Trunk passwords travel UI → backend only ([`SecretInput`]); replies only say whether
//! one is set.

use crate::SecretInput;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// SIP transports a trunk can use.
pub const TRANSPORTS: &[&str] = &["auto", "udp", "tcp", "tls"];
/// Media encryption settings.
pub const MEDIA_ENCRYPTION: &[&str] = &["disable", "allow", "require"];
/// Which SIP headers become `sip.h.*` participant attributes.
pub const INCLUDE_HEADERS: &[&str] = &["none", "x_headers", "all"];
/// The labels of [`RuleKind`]'s variants, for a form's select.
pub const RULE_KINDS: &[&str] = &["direct", "individual", "callee"];

/// Where a dispatch rule sends calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// One fixed room.
    #[default]
    Direct,
    /// A room per caller.
    Individual,
    /// A room per called number.
    Callee,
}

impl RuleKind {
    /// The kind as the UI shows it (also its wire name).
    pub fn label(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Individual => "individual",
            Self::Callee => "callee",
        }
    }

    /// The kind `label` names (a form's select offers only [`RULE_KINDS`]); `Direct` for
    /// any other.
    pub fn from_label(label: &str) -> Self {
        match label {
            "individual" => Self::Individual,
            "callee" => Self::Callee,
            _ => Self::Direct,
        }
    }
}

/// Everything of an inbound trunk except its id and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundTrunkSpec {
    pub name: String,
    pub metadata: String,
    /// Numbers the trunk accepts calls to (E.164); empty accepts any.
    pub numbers: Vec<String>,
    /// IPs or CIDR ranges calls may come from; empty allows any.
    pub allowed_addresses: Vec<String>,
    /// Numbers that may call; empty allows any.
    pub allowed_numbers: Vec<String>,
    pub auth_username: String,
    pub auth_realm: String,
    /// `X-*` headers added to the 200 OK.
    pub headers: BTreeMap<String, String>,
    pub headers_to_attributes: BTreeMap<String, String>,
    pub attributes_to_headers: BTreeMap<String, String>,
    /// One of [`INCLUDE_HEADERS`].
    pub include_headers: String,
    pub ringing_timeout_secs: Option<u32>,
    pub max_call_duration_secs: Option<u32>,
    pub krisp_enabled: bool,
    /// One of [`MEDIA_ENCRYPTION`].
    pub media_encryption: String,
}

impl Default for InboundTrunkSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            metadata: String::new(),
            numbers: Vec::new(),
            allowed_addresses: Vec::new(),
            allowed_numbers: Vec::new(),
            auth_username: String::new(),
            auth_realm: String::new(),
            headers: BTreeMap::new(),
            headers_to_attributes: BTreeMap::new(),
            attributes_to_headers: BTreeMap::new(),
            include_headers: "none".into(),
            ringing_timeout_secs: None,
            max_call_duration_secs: None,
            krisp_enabled: false,
            media_encryption: "disable".into(),
        }
    }
}

/// An inbound trunk as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundTrunk {
    pub id: String,
    pub spec: InboundTrunkSpec,
    /// Whether an auth password is set (the password itself never reaches the UI).
    pub has_auth_password: bool,
}

/// Everything of an outbound trunk except its id and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundTrunkSpec {
    pub name: String,
    pub metadata: String,
    /// Host name or IP (optionally `:port`) INVITEs go to; no `sip:` prefix.
    pub address: String,
    /// ISO 3166-1 alpha-2 country the calls end in, or empty.
    pub destination_country: String,
    /// One of [`TRANSPORTS`].
    pub transport: String,
    /// Caller numbers; one is picked per call.
    pub numbers: Vec<String>,
    pub auth_username: String,
    /// `X-*` headers added to the INVITE.
    pub headers: BTreeMap<String, String>,
    pub headers_to_attributes: BTreeMap<String, String>,
    pub attributes_to_headers: BTreeMap<String, String>,
    /// One of [`INCLUDE_HEADERS`].
    pub include_headers: String,
    /// One of [`MEDIA_ENCRYPTION`].
    pub media_encryption: String,
    /// Host for the `From` header, empty for the project's SIP domain.
    pub from_host: String,
}

impl Default for OutboundTrunkSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            metadata: String::new(),
            address: String::new(),
            destination_country: String::new(),
            transport: "auto".into(),
            numbers: Vec::new(),
            auth_username: String::new(),
            headers: BTreeMap::new(),
            headers_to_attributes: BTreeMap::new(),
            attributes_to_headers: BTreeMap::new(),
            include_headers: "none".into(),
            media_encryption: "disable".into(),
            from_host: String::new(),
        }
    }
}

/// An outbound trunk as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundTrunk {
    pub id: String,
    pub spec: OutboundTrunkSpec,
    pub has_auth_password: bool,
}

/// A trunk's password as a form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrunkPassword {
    /// The new password; empty keeps the stored one on update.
    pub password: SecretInput,
    /// Removes the stored password (wins over `password`).
    pub clear: bool,
}

/// A dispatch rule: where inbound calls go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRuleSpec {
    pub name: String,
    pub metadata: String,
    pub kind: RuleKind,
    /// The room of a `direct` rule.
    pub room_name: String,
    /// The room name prefix of `individual` and `callee` rules.
    pub room_prefix: String,
    /// Digits a caller must enter, empty for none.
    pub pin: String,
    /// Append a random suffix to generated room names (`individual`, `callee`).
    pub randomize: bool,
    /// Trunks the rule applies to; empty means all.
    pub trunk_ids: Vec<String>,
    pub hide_phone_number: bool,
    /// Calls from these numbers only (empty: any).
    pub inbound_numbers: Vec<String>,
    /// Calls to these numbers only (empty: any).
    pub numbers: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    /// LiveKit Cloud room preset name.
    pub room_preset: String,
    /// `RoomConfiguration` as JSON (LiveKit's field names), empty for none.
    pub room_config_json: String,
    pub krisp_enabled: bool,
    /// One of [`MEDIA_ENCRYPTION`].
    pub media_encryption: String,
}

impl Default for DispatchRuleSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            metadata: String::new(),
            kind: RuleKind::Direct,
            room_name: String::new(),
            room_prefix: String::new(),
            pin: String::new(),
            randomize: true,
            trunk_ids: Vec::new(),
            hide_phone_number: false,
            inbound_numbers: Vec::new(),
            numbers: Vec::new(),
            attributes: BTreeMap::new(),
            room_preset: String::new(),
            room_config_json: String::new(),
            krisp_enabled: false,
            media_encryption: "disable".into(),
        }
    }
}

/// A dispatch rule as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRule {
    pub id: String,
    pub spec: DispatchRuleSpec,
}

/// A call to place from an outbound trunk into a room (CreateSIPParticipant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialOut {
    pub trunk_id: String,
    /// The number to call.
    pub call_to: String,
    /// Caller number; empty uses one of the trunk's.
    pub sip_number: String,
    pub room_name: String,
    pub participant_identity: String,
    pub participant_name: String,
    pub participant_metadata: String,
    pub participant_attributes: BTreeMap<String, String>,
    /// Digits to send once answered; `w` waits 0.5 s.
    pub dtmf: String,
    pub play_dialtone: bool,
    pub hide_phone_number: bool,
    pub headers: BTreeMap<String, String>,
    /// One of [`INCLUDE_HEADERS`].
    pub include_headers: String,
    pub ringing_timeout_secs: Option<u32>,
    pub max_call_duration_secs: Option<u32>,
    pub krisp_enabled: bool,
    /// One of [`MEDIA_ENCRYPTION`].
    pub media_encryption: String,
    /// Return only once the callee answered (or the call failed with a SIP status).
    pub wait_until_answered: bool,
    /// `From` display name: `None` the caller number, `Some("")` none (CNAM lookup).
    pub display_name: Option<String>,
}

impl Default for DialOut {
    fn default() -> Self {
        Self {
            trunk_id: String::new(),
            call_to: String::new(),
            sip_number: String::new(),
            room_name: String::new(),
            participant_identity: String::new(),
            participant_name: String::new(),
            participant_metadata: String::new(),
            participant_attributes: BTreeMap::new(),
            dtmf: String::new(),
            play_dialtone: false,
            hide_phone_number: false,
            headers: BTreeMap::new(),
            include_headers: "none".into(),
            ringing_timeout_secs: None,
            max_call_duration_secs: None,
            krisp_enabled: false,
            media_encryption: "disable".into(),
            wait_until_answered: false,
            display_name: None,
        }
    }
}

/// The SIP participant a dial-out created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialResult {
    pub participant_id: String,
    pub participant_identity: String,
    pub room_name: String,
    pub sip_call_id: String,
}

/// A transfer of a SIP participant's call elsewhere (SIP REFER).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub room: String,
    pub identity: String,
    /// `tel:+…` or `sip:user@host`.
    pub transfer_to: String,
    pub play_dialtone: bool,
    /// Headers added to the REFER.
    pub headers: BTreeMap<String, String>,
    pub ringing_timeout_secs: Option<u32>,
}

/// Every trunk and rule of a project, for the SIP page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipOverview {
    pub inbound: Vec<InboundTrunk>,
    pub outbound: Vec<OutboundTrunk>,
    pub rules: Vec<DispatchRule>,
}
