//! The audit journal as the UI sees it: entries, the filter of the Audit page, the chain's
//! verification and the journal's health. Entries never carry a secret or a token.

use serde::{Deserialize, Serialize};

/// What an audit entry records: one action that changed something or heard something.
/// Stored as its snake_case name; a name this build does not know reads as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    ProjectAdd,
    ProjectEdit,
    ProjectRemove,
    ProjectImport,
    RoomCreate,
    RoomDelete,
    RoomMetadata,
    ParticipantMute,
    ParticipantMuteAll,
    ParticipantRemove,
    ParticipantUpdate,
    ParticipantMove,
    ParticipantForward,
    ParticipantSubscriptions,
    DataMessage,
    TokenBuild,
    EgressStart,
    EgressStop,
    EgressUpdate,
    IngressCreate,
    IngressUpdate,
    IngressDelete,
    SipTrunkCreate,
    SipTrunkUpdate,
    SipTrunkDelete,
    SipDispatchRuleCreate,
    SipDispatchRuleUpdate,
    SipDispatchRuleDelete,
    SipDialOut,
    SipTransfer,
    AgentDispatchCreate,
    AgentDispatchDelete,
    StorageProfileSave,
    StorageProfileDelete,
    AlertRuleSave,
    AlertRuleDelete,
    /// A listen session, written when it ends (start, end, duration, end reason).
    ListenSession,
    /// A room-view session (a hidden observer connection), written when it ends.
    RoomViewSession,
    /// A wallboard row followed live (a hidden observer connection while the row is in
    /// view), written when it ends.
    FollowedRowSession,
    /// The journal's writer had to drop entries (its queue was full); the detail says how many.
    JournalOverflow,
    /// An action name from a newer build.
    #[serde(other)]
    Other,
}

impl AuditAction {
    /// Every known action, for the Audit page's filter.
    pub const ALL: &'static [AuditAction] = &[
        Self::ProjectAdd,
        Self::ProjectEdit,
        Self::ProjectRemove,
        Self::ProjectImport,
        Self::RoomCreate,
        Self::RoomDelete,
        Self::RoomMetadata,
        Self::ParticipantMute,
        Self::ParticipantMuteAll,
        Self::ParticipantRemove,
        Self::ParticipantUpdate,
        Self::ParticipantMove,
        Self::ParticipantForward,
        Self::ParticipantSubscriptions,
        Self::DataMessage,
        Self::TokenBuild,
        Self::EgressStart,
        Self::EgressStop,
        Self::EgressUpdate,
        Self::IngressCreate,
        Self::IngressUpdate,
        Self::IngressDelete,
        Self::SipTrunkCreate,
        Self::SipTrunkUpdate,
        Self::SipTrunkDelete,
        Self::SipDispatchRuleCreate,
        Self::SipDispatchRuleUpdate,
        Self::SipDispatchRuleDelete,
        Self::SipDialOut,
        Self::SipTransfer,
        Self::AgentDispatchCreate,
        Self::AgentDispatchDelete,
        Self::StorageProfileSave,
        Self::StorageProfileDelete,
        Self::AlertRuleSave,
        Self::AlertRuleDelete,
        Self::ListenSession,
        Self::RoomViewSession,
        Self::FollowedRowSession,
        Self::JournalOverflow,
    ];

    /// The stored name (the serde name).
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("other")
    }

    /// The action stored under `name`; unknown names are `Other`.
    pub fn from_name(name: &str) -> Self {
        NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(a, _)| *a)
            .unwrap_or(Self::Other)
    }
}

const NAMES: &[(AuditAction, &str)] = &[
    (AuditAction::ProjectAdd, "project_add"),
    (AuditAction::ProjectEdit, "project_edit"),
    (AuditAction::ProjectRemove, "project_remove"),
    (AuditAction::ProjectImport, "project_import"),
    (AuditAction::RoomCreate, "room_create"),
    (AuditAction::RoomDelete, "room_delete"),
    (AuditAction::RoomMetadata, "room_metadata"),
    (AuditAction::ParticipantMute, "participant_mute"),
    (AuditAction::ParticipantMuteAll, "participant_mute_all"),
    (AuditAction::ParticipantRemove, "participant_remove"),
    (AuditAction::ParticipantUpdate, "participant_update"),
    (AuditAction::ParticipantMove, "participant_move"),
    (AuditAction::ParticipantForward, "participant_forward"),
    (
        AuditAction::ParticipantSubscriptions,
        "participant_subscriptions",
    ),
    (AuditAction::DataMessage, "data_message"),
    (AuditAction::TokenBuild, "token_build"),
    (AuditAction::EgressStart, "egress_start"),
    (AuditAction::EgressStop, "egress_stop"),
    (AuditAction::EgressUpdate, "egress_update"),
    (AuditAction::IngressCreate, "ingress_create"),
    (AuditAction::IngressUpdate, "ingress_update"),
    (AuditAction::IngressDelete, "ingress_delete"),
    (AuditAction::SipTrunkCreate, "sip_trunk_create"),
    (AuditAction::SipTrunkUpdate, "sip_trunk_update"),
    (AuditAction::SipTrunkDelete, "sip_trunk_delete"),
    (
        AuditAction::SipDispatchRuleCreate,
        "sip_dispatch_rule_create",
    ),
    (
        AuditAction::SipDispatchRuleUpdate,
        "sip_dispatch_rule_update",
    ),
    (
        AuditAction::SipDispatchRuleDelete,
        "sip_dispatch_rule_delete",
    ),
    (AuditAction::SipDialOut, "sip_dial_out"),
    (AuditAction::SipTransfer, "sip_transfer"),
    (AuditAction::AgentDispatchCreate, "agent_dispatch_create"),
    (AuditAction::AgentDispatchDelete, "agent_dispatch_delete"),
    (AuditAction::StorageProfileSave, "storage_profile_save"),
    (AuditAction::StorageProfileDelete, "storage_profile_delete"),
    (AuditAction::AlertRuleSave, "alert_rule_save"),
    (AuditAction::AlertRuleDelete, "alert_rule_delete"),
    (AuditAction::ListenSession, "listen_session"),
    (AuditAction::RoomViewSession, "room_view_session"),
    (AuditAction::FollowedRowSession, "followed_row_session"),
    (AuditAction::JournalOverflow, "journal_overflow"),
    (AuditAction::Other, "other"),
];

/// One stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The row id (newer rows have larger ids within one store).
    pub id: i64,
    /// The installation (one Earshot on one machine) whose chain holds the entry.
    pub installation: String,
    /// Position in that installation's chain, from 1.
    pub seq: i64,
    /// When the action happened (ms since the Unix epoch).
    pub ts_ms: i64,
    pub action: AuditAction,
    /// `ok`, or the error code (snake_case [`crate::ErrorCode`]) the action failed with.
    pub outcome: String,
    /// The project's name.
    pub project: Option<String>,
    pub server_url: Option<String>,
    pub room: Option<String>,
    /// The supervisor (Earshot's user name) who acted.
    pub supervisor: Option<String>,
    /// The OS account Earshot ran under.
    pub os_user: Option<String>,
    /// The participant acted on, or the hidden identity a listener used.
    pub identity: Option<String>,
    /// Everything else about the action as a JSON object (never a secret or token).
    pub detail: String,
}

/// What the Audit page asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub project: Option<String>,
    pub room: Option<String>,
    pub supervisor: Option<String>,
    pub action: Option<AuditAction>,
    /// From this time on (ms since the epoch, inclusive).
    pub from_ms: Option<i64>,
    /// Before this time (exclusive).
    pub to_ms: Option<i64>,
    /// Only entries older than this row id (the next page: the last id shown).
    pub before_id: Option<i64>,
    /// Page size; at most [`MAX_PAGE`].
    pub limit: u32,
}

/// The largest page the journal returns at once.
pub const MAX_PAGE: u32 = 1000;

/// One page of entries, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Whether older entries match too (ask with `before_id` = the last id).
    pub more: bool,
}

/// The state of one installation's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChainState {
    /// Every entry's link checks.
    Intact,
    /// The first link that does not check, and why.
    Broken {
        /// The chain position where it broke (the seq expected there).
        seq: i64,
        /// The row found there, if any.
        id: Option<i64>,
        reason: BreakReason,
    },
}

/// Why a link does not check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakReason {
    /// The row's content does not match its keyed hash (edited, reordered, or written
    /// with another key).
    HashMismatch,
    /// The row does not point at the previous row's hash (a row before it was removed
    /// or inserted).
    PrevMismatch,
    /// A position is missing (a row was deleted).
    Gap,
    /// The pruning checkpoint's signature does not check.
    AnchorInvalid,
    /// The newest entries are gone: the chain head kept outside the database (in the
    /// keychain) is further on, or its entry was replaced.
    Truncated,
}

/// The verification of one installation's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub installation: String,
    /// Rows checked (up to the break).
    pub checked: u64,
    /// Entries pruned by retention before the first stored one (covered by a checkpoint).
    pub pruned: u64,
    pub state: ChainState,
}

/// How the audit is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One JSON object per line.
    JsonLines,
    /// A header, then one line per entry (RFC 4180).
    Csv,
}

/// Where the journal lives and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHealth {
    /// `sqlite:<path>` or `postgres://user@host:port/db` (never a password).
    pub location: String,
    /// This installation's id.
    pub installation: String,
    /// Entries written since start.
    pub written: u64,
    /// Entries dropped since start because the writer's queue was full.
    pub dropped: u64,
    /// Entries waiting in memory because the store is failing; written once it recovers.
    #[serde(default)]
    pub held: u64,
    /// The last write or open error, if the journal is failing now.
    pub last_error: Option<String>,
    /// A corrupt database file found at start and moved aside (its new path).
    pub moved_aside: Option<String>,
    /// Retention of audit entries in days (0: kept forever).
    pub retention_days: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for a in AuditAction::ALL {
            let json = serde_json::to_value(a).unwrap_or_default();
            assert_eq!(json.as_str(), Some(a.as_str()), "{a:?}");
            assert_eq!(AuditAction::from_name(a.as_str()), *a);
        }
        assert_eq!(
            AuditAction::from_name("from_the_future"),
            AuditAction::Other
        );
    }
}
