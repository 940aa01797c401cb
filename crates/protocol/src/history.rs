//! Call history as the UI sees it: one row per call (a room, told apart by its sid), each
//! call's timeline, and the filter of the History page. Sources (the wallboard's pollers,
//! room views, signed webhooks) each see part of a call; the journal merges them by sid.

use crate::rooms::ParticipantKind;
use serde::{Deserialize, Serialize};

/// Most calls one History page returns.
pub const MAX_CALLS_PAGE: u32 = 200;
/// Most events one timeline returns.
pub const MAX_TIMELINE: u32 = 5_000;

/// What saw a call. Stored as bits so sources add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallSource {
    Poller,
    RoomView,
    Webhook,
}

impl CallSource {
    /// Every source, in bit order.
    pub const ALL: [CallSource; 3] = [Self::Poller, Self::RoomView, Self::Webhook];

    /// The source's bit in the stored set.
    pub fn bit(self) -> i64 {
        match self {
            Self::Poller => 1,
            Self::RoomView => 2,
            Self::Webhook => 4,
        }
    }

    /// The sources in a stored set.
    pub fn from_bits(bits: i64) -> Vec<CallSource> {
        Self::ALL
            .into_iter()
            .filter(|s| bits & s.bit() != 0)
            .collect()
    }
}

/// A participant kind's bit in a call's stored set of kinds seen.
pub fn kind_bit(kind: ParticipantKind) -> i64 {
    match kind {
        ParticipantKind::Standard => 1,
        ParticipantKind::Ingress => 2,
        ParticipantKind::Egress => 4,
        ParticipantKind::Sip => 8,
        ParticipantKind::Agent => 16,
        ParticipantKind::Other => 32,
    }
}

/// The kinds in a stored set.
pub fn kinds_from_bits(bits: i64) -> Vec<ParticipantKind> {
    [
        ParticipantKind::Standard,
        ParticipantKind::Ingress,
        ParticipantKind::Egress,
        ParticipantKind::Sip,
        ParticipantKind::Agent,
        ParticipantKind::Other,
    ]
    .into_iter()
    .filter(|k| bits & kind_bit(*k) != 0)
    .collect()
}

/// One call: a room from creation to its end (`ended_ms` is `None` while live).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSummary {
    pub id: i64,
    pub project: String,
    pub room: String,
    pub room_sid: String,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub peak_participants: u32,
    pub kinds: Vec<ParticipantKind>,
    pub recording: bool,
    pub sources: Vec<CallSource>,
}

/// The History page's filter: one project's calls, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFilter {
    pub project: String,
    /// Matches room names and participant identities (substring, case-insensitive).
    pub search: Option<String>,
    /// Only calls that started before this call id's start (the next page).
    pub before: Option<CallCursor>,
    pub limit: u32,
}

/// Where a page of calls ends: the last call's start and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCursor {
    pub started_ms: i64,
    pub id: i64,
}

/// A page of calls and whether more match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPage {
    pub calls: Vec<CallSummary>,
    pub more: bool,
}

/// One thing that happened in a call, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub ts_ms: i64,
    /// e.g. `room_started`, `participant_joined`, `track_published`, `egress_started`.
    pub kind: String,
    pub identity: Option<String>,
    /// A JSON object with the event's particulars (track kind, egress id, ...).
    pub detail: String,
}

/// A call with its timeline and who listened to it (from the audit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallDetail {
    pub call: CallSummary,
    pub timeline: Vec<TimelineEvent>,
    pub listens: Vec<crate::audit::AuditEntry>,
}

/// The webhook receiver's state, for the settings page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookStatus {
    /// `None` while off; the address it listens on while on.
    pub listening: Option<String>,
    /// Why it could not start, if it could not.
    pub error: Option<String>,
    pub accepted: u64,
    /// Signature or body hash did not match (a forged or altered request).
    pub forged: u64,
    /// Signed with an API key no project has.
    pub unknown_key: u64,
    /// Larger than the cap.
    pub oversized: u64,
    /// Not a POST, no Authorization header, or a body that is not an event.
    pub malformed: u64,
}

/// The webhook receiver's settings: off by default, on loopback when on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    pub enabled: bool,
    /// The address to listen on; loopback unless the server runs elsewhere.
    pub bind: String,
    pub port: u16,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            bind: "127.0.0.1".into(),
            port: DEFAULT_WEBHOOK_PORT,
        }
    }
}

/// The receiver's port unless set otherwise.
pub const DEFAULT_WEBHOOK_PORT: u16 = 7890;

/// The webhook receiver as the History page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookReceiverView {
    pub settings: WebhookSettings,
    pub status: WebhookStatus,
}
