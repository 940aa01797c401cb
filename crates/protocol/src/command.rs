//! Every command the UI can invoke, as a type that fixes its name, arguments and output.
//!
//! On the wire a command is `invoke(NAME, { args: <the command as JSON> })`; the shell's
//! handler for it takes one parameter named `args`. A command that works on a project names
//! it: which project a page shows is the UI's (its route's), never a backend setting.

use crate::admin::{
    DataMessage, ParticipantChanges, ParticipantDetail, RoomDetail, RoomOptions, TrackDetail,
};
use crate::agents::{AgentDispatchInfo, NewAgentDispatch};
use crate::appearance::Theme;
use crate::audit::{AuditFilter, AuditPage, ChainReport, ExportFormat, JournalHealth};
use crate::egress::{EgressRequest, EgressSummary, StorageInput, StorageSummary};
use crate::history::{CallDetail, CallFilter, CallPage, WebhookReceiverView, WebhookSettings};
use crate::ingress::{IngressInfo, IngressSpec};
use crate::listen::{AudibleSet, HiddenParticipant, ListenRoom, ListenStatus, SpeakerChange};
use crate::projects::{
    CliScan, ConnectionReport, ImportReport, ProjectId, ProjectInput, ProjectSummary, ProjectsView,
};
use crate::room_view::RoomView;
use crate::rooms::{RoomSummary, RoomsSnapshot};
use crate::sip::{
    DialOut, DialResult, DispatchRule, DispatchRuleSpec, InboundTrunk, InboundTrunkSpec,
    OutboundTrunk, OutboundTrunkSpec, SipOverview, Transfer, TrunkPassword,
};
use crate::tokens::{TokenInspection, TokenRequest, TokenResult};
use crate::wallboard::{Alert, AlertRule, WallRoomRef, WallSnapshot};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// A command: its IPC name, its arguments (the type itself) and its output.
pub trait Command: Serialize + DeserializeOwned {
    /// The name the shell registers and the UI invokes.
    const NAME: &'static str;
    /// What a successful call returns.
    type Output: Serialize + DeserializeOwned;
}

macro_rules! commands {
    ($($(#[$doc:meta])* $ty:ident => $name:literal -> $out:ty { $($(#[$fdoc:meta])* $field:ident : $fty:ty),* $(,)? })*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            pub struct $ty { $($(#[$fdoc])* pub $field: $fty),* }
            impl Command for $ty {
                const NAME: &'static str = $name;
                type Output = $out;
            }
        )*
        /// Names of all commands, for the shell's allow-list (`AppManifest::commands`).
        pub const COMMANDS: &[&str] = &[$($name),*];
    };
}

commands! {
    /// All projects (with the default one) and settings entries that could not be read.
    ListProjects => "list_projects" -> ProjectsView {}
    /// Adds a project; with `verify`, only if a connection check succeeds first.
    AddProject => "add_project" -> ProjectSummary { input: ProjectInput, verify: bool }
    /// Edits a project; an empty secret keeps the stored one.
    UpdateProject => "update_project" -> ProjectSummary { id: ProjectId, input: ProjectInput, verify: bool }
    /// Removes a project and its secret.
    RemoveProject => "remove_project" -> ProjectsView { id: ProjectId }
    /// Makes a project the one opened at start-up.
    SetDefaultProject => "set_default_project" -> ProjectsView { id: ProjectId }
    /// Checks a saved project's connection and credentials (ListRooms).
    CheckProject => "check_project" -> ConnectionReport { id: ProjectId }
    /// Checks unsaved form input (ListRooms) without storing anything. On edit, `id` lets
    /// an empty secret mean the stored one.
    CheckProjectInput => "check_project_input" -> ConnectionReport { input: ProjectInput, id: Option<ProjectId> }
    /// Reads the `lk` CLI config: the file last picked with `choose_cli_config`, else
    /// `~/.livekit/cli-config.yaml`. The webview never names a path.
    ScanCliConfig => "scan_cli_config" -> CliScan {}
    /// Opens a native file dialog to pick another `lk` CLI config and reads it; `None` when
    /// the dialog was cancelled.
    ChooseCliConfig => "choose_cli_config" -> Option<CliScan> {}
    /// Imports the named projects from the `lk` CLI config that `scan_cli_config` read.
    ImportCliProjects => "import_cli_projects" -> ImportReport { names: Vec<String> }
    /// The rooms of a project.
    ListRooms => "list_rooms" -> RoomsSnapshot { project: ProjectId }
    /// The participants of a room, hidden ones included.
    ListParticipants => "list_participants" -> Vec<ParticipantDetail> { project: ProjectId, room: String }
    /// Creates a room with every option CreateRoom takes.
    CreateRoom => "create_room" -> RoomSummary { project: ProjectId, options: RoomOptions }
    /// Deletes a room, disconnecting everyone in it.
    DeleteRoom => "delete_room" -> () { project: ProjectId, room: String }
    /// Replaces a room's metadata.
    UpdateRoomMetadata => "update_room_metadata" -> RoomSummary { project: ProjectId, room: String, metadata: String }
    /// A room's settings, participants and tracks.
    GetRoomDetail => "get_room_detail" -> RoomDetail { project: ProjectId, room: String }
    /// Mutes or unmutes one published track.
    MuteTrack => "mute_track" -> TrackDetail { project: ProjectId, room: String, identity: String, track_sid: String, muted: bool }
    /// Mutes every audio track in a room; returns how many were muted.
    MuteAllAudio => "mute_all_audio" -> u32 { project: ProjectId, room: String }
    /// Disconnects a participant from a room.
    RemoveParticipant => "remove_participant" -> () { project: ProjectId, room: String, identity: String }
    /// Changes a participant's name, metadata, attributes or permissions.
    UpdateParticipant => "update_participant" -> ParticipantDetail { project: ProjectId, room: String, identity: String, changes: ParticipantChanges }
    /// Moves a participant to another room.
    MoveParticipant => "move_participant" -> () { project: ProjectId, room: String, identity: String, destination: String }
    /// Forwards a participant's tracks into another room (it stays in both).
    ForwardParticipant => "forward_participant" -> () { project: ProjectId, room: String, identity: String, destination: String }
    /// Subscribes a participant to tracks, or unsubscribes it.
    UpdateSubscriptions => "update_subscriptions" -> () { project: ProjectId, room: String, identity: String, track_sids: Vec<String>, subscribe: bool }
    /// Sends a data message into a room.
    SendData => "send_data" -> () { project: ProjectId, room: String, message: DataMessage }
    /// Signs a token with the project's key and secret.
    CreateToken => "create_token" -> TokenResult { project: ProjectId, request: TokenRequest }
    /// Decodes any token and checks it against the project's secret.
    InspectToken => "inspect_token" -> TokenInspection { project: ProjectId, token: String }
    /// Hands the backend the UI's two Tauri channels (`__CHANNEL__:<id>`): audio frames as
    /// base64 16-bit PCM text and JSON [`crate::listen::ListenEvent`]s. A new attach replaces the old one.
    ListenAttach => "listen_attach" -> ListenStatus { audio: String, events: String }
    /// Joins a room hidden and pulls its audio; with `hear`, makes it the focused room.
    ListenStart => "listen_start" -> ListenRoom { project: ProjectId, room: String, hear: bool }
    /// Leaves a room (or dismisses one that ended).
    ListenStop => "listen_stop" -> () { project: ProjectId, room: String }
    /// Chooses which rooms are heard: none, one focused, or several mixed.
    ListenSetAudible => "listen_set_audible" -> () { set: AudibleSet }
    /// Changes one speaker's gain, mute or solo in a listened room.
    ListenSetSpeaker => "listen_set_speaker" -> () { project: ProjectId, room: String, identity: String, change: SpeakerChange }
    /// The rooms listened to, what is heard, and playback drops.
    ListenStatusQuery => "listen_status" -> ListenStatus {}
    /// Who listens to a room unseen: its hidden participants.
    ListHiddenParticipants => "list_hidden_participants" -> Vec<HiddenParticipant> { project: ProjectId, room: String }
    /// Starts the wallboard's pollers (once) and hands the backend the UI's channel
    /// (`__CHANNEL__:<id>`) for [`crate::wallboard::WallEvent`]s.
    WallboardAttach => "wallboard_attach" -> WallSnapshot { events: String }
    /// Chooses the projects on the wallboard (`None`: all).
    WallboardWatch => "wallboard_watch" -> WallSnapshot { projects: Option<Vec<ProjectId>> }
    /// Polls a project now (also after its key was refused).
    WallboardPoke => "wallboard_poke" -> () { project: ProjectId }
    /// Follows these rooms live (who speaks, connection quality), at most
    /// [`crate::wallboard::MAX_FOLLOWED`]; rooms not listed stop being followed.
    WallboardFollow => "wallboard_follow" -> () { rooms: Vec<WallRoomRef> }
    /// The alert rules.
    ListAlertRules => "list_alert_rules" -> Vec<AlertRule> {}
    /// Creates (empty id) or replaces an alert rule.
    SaveAlertRule => "save_alert_rule" -> AlertRule { rule: AlertRule }
    /// Deletes an alert rule.
    DeleteAlertRule => "delete_alert_rule" -> () { id: String }
    /// Alerts raised in this session, newest first.
    ListAlerts => "list_alerts" -> Vec<Alert> {}
    /// Empties the in-app alert list.
    ClearAlerts => "clear_alerts" -> () {}
    /// Opens the real-time view of a room: a hidden, media-free connection whose
    /// [`RoomView`]s stream into the UI's channel (`__CHANNEL__:<id>`).
    OpenRoomView => "open_room_view" -> RoomView { project: ProjectId, room: String, events: String }
    /// Closes a room's real-time view (the connection leaves), by its
    /// [`RoomView::session`]; a session already replaced by a newer view is `NotFound`.
    CloseRoomView => "close_room_view" -> () { session: u64 }
    /// Every SIP trunk and dispatch rule of a project.
    GetSipOverview => "get_sip_overview" -> SipOverview { project: ProjectId }
    /// Creates an inbound SIP trunk (refused locally when its numbers clash with another's).
    CreateSipInboundTrunk => "create_sip_inbound_trunk" -> InboundTrunk { project: ProjectId, spec: InboundTrunkSpec, password: TrunkPassword }
    /// Replaces an inbound trunk's settings; an empty password keeps the stored one.
    UpdateSipInboundTrunk => "update_sip_inbound_trunk" -> InboundTrunk { project: ProjectId, id: String, spec: InboundTrunkSpec, password: TrunkPassword }
    /// Creates an outbound SIP trunk.
    CreateSipOutboundTrunk => "create_sip_outbound_trunk" -> OutboundTrunk { project: ProjectId, spec: OutboundTrunkSpec, password: TrunkPassword }
    /// Replaces an outbound trunk's settings; an empty password keeps the stored one.
    UpdateSipOutboundTrunk => "update_sip_outbound_trunk" -> OutboundTrunk { project: ProjectId, id: String, spec: OutboundTrunkSpec, password: TrunkPassword }
    /// Deletes an inbound or outbound SIP trunk.
    DeleteSipTrunk => "delete_sip_trunk" -> () { project: ProjectId, id: String }
    /// Creates a SIP dispatch rule.
    CreateSipDispatchRule => "create_sip_dispatch_rule" -> DispatchRule { project: ProjectId, spec: DispatchRuleSpec }
    /// Replaces a SIP dispatch rule.
    UpdateSipDispatchRule => "update_sip_dispatch_rule" -> DispatchRule { project: ProjectId, id: String, spec: DispatchRuleSpec }
    /// Deletes a SIP dispatch rule.
    DeleteSipDispatchRule => "delete_sip_dispatch_rule" -> () { project: ProjectId, id: String }
    /// Dials a phone number into a room from an outbound trunk.
    DialSipOut => "dial_sip_out" -> DialResult { project: ProjectId, dial: DialOut }
    /// Transfers a SIP participant's call (SIP REFER).
    TransferSipParticipant => "transfer_sip_participant" -> () { project: ProjectId, transfer: Transfer }
    /// Sends a named agent into a room.
    CreateAgentDispatch => "create_agent_dispatch" -> AgentDispatchInfo { project: ProjectId, dispatch: NewAgentDispatch }
    /// The agent dispatches of a room.
    ListAgentDispatches => "list_agent_dispatches" -> Vec<AgentDispatchInfo> { project: ProjectId, room: String }
    /// Deletes an agent dispatch (running jobs are not stopped).
    DeleteAgentDispatch => "delete_agent_dispatch" -> () { project: ProjectId, room: String, id: String }
    /// Creates an RTMP, WHIP or URL ingress.
    CreateIngress => "create_ingress" -> IngressInfo { project: ProjectId, spec: IngressSpec }
    /// Changes an ingress (its input type stays).
    UpdateIngress => "update_ingress" -> IngressInfo { project: ProjectId, id: String, spec: IngressSpec }
    /// Every ingress of a project, or of one room.
    ListIngress => "list_ingress" -> Vec<IngressInfo> { project: ProjectId, room: Option<String> }
    /// Deletes an ingress.
    DeleteIngress => "delete_ingress" -> () { project: ProjectId, id: String }
    /// The project's egress storage profiles (credentials stay in the keychain).
    ListStorageProfiles => "list_storage_profiles" -> Vec<StorageSummary> { project: ProjectId }
    /// Creates or replaces a storage profile; an empty credential keeps the stored one.
    SaveStorageProfile => "save_storage_profile" -> StorageSummary { project: ProjectId, input: StorageInput }
    /// Removes a storage profile and its credential.
    DeleteStorageProfile => "delete_storage_profile" -> () { project: ProjectId, name: String }
    /// Starts an egress (room composite, web, participant, track composite or track).
    StartEgress => "start_egress" -> EgressSummary { project: ProjectId, request: EgressRequest }
    /// Egresses of a project (or one room); `active_only` hides ended ones.
    ListEgress => "list_egress" -> Vec<EgressSummary> { project: ProjectId, room: Option<String>, active_only: bool }
    /// Stops an egress.
    StopEgress => "stop_egress" -> EgressSummary { project: ProjectId, id: String }
    /// Changes a room composite egress's layout.
    UpdateEgressLayout => "update_egress_layout" -> EgressSummary { project: ProjectId, id: String, layout: String }
    /// Adds or removes stream URLs of a running egress.
    UpdateEgressStream => "update_egress_stream" -> EgressSummary { project: ProjectId, id: String, add: Vec<String>, remove: Vec<String> }
    /// A filtered page of the audit, newest first.
    QueryAudit => "query_audit" -> AuditPage { filter: AuditFilter }
    /// Verifies every installation's audit chain in the journal.
    VerifyAudit => "verify_audit" -> Vec<ChainReport> {}
    /// Every entry the filter matches (its page size and `before_id` are ignored), as text
    /// in the chosen format, for the UI to save.
    ExportAudit => "export_audit" -> String { filter: AuditFilter, format: ExportFormat }
    /// Where the journal lives and how it is doing.
    GetJournalHealth => "journal_health" -> JournalHealth {}
    /// A page of one project's calls (live and ended), newest first, searchable.
    ListCalls => "list_calls" -> CallPage { filter: CallFilter }
    /// One call with its timeline and who listened.
    GetCall => "get_call" -> CallDetail { id: i64 }
    /// The webhook receiver's settings and counters.
    GetWebhookReceiver => "get_webhook_receiver" -> WebhookReceiverView {}
    /// Stores the webhook receiver's settings and restarts it (or stops it).
    SaveWebhookReceiver => "save_webhook_receiver" -> WebhookReceiverView { settings: WebhookSettings }

    // ---- Appearance ----
    /// The colour theme kept in settings.
    GetTheme => "get_theme" -> Theme {}
    /// Keeps the colour theme; returns it as stored.
    SetTheme => "set_theme" -> Theme { theme: Theme }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for name in COMMANDS {
            assert!(seen.insert(*name), "duplicate command {name}");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn wire_shape_is_stable() {
        let cmd = AddProject {
            input: ProjectInput {
                name: "Prod".into(),
                url: "wss://x.livekit.cloud".into(),
                api_key: "APIk".into(),
                api_secret: crate::SecretInput::new("s3cr3t"),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            verify: true,
        };
        let json = serde_json::to_value(&cmd).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"input": {"name": "Prod", "url": "wss://x.livekit.cloud",
                "api_key": "APIk", "api_secret": "s3cr3t", "allow_plaintext": false,
                "guardrails": {"max_listen_minutes": 60, "max_monitors_per_room": 3}},
                "verify": true})
        );
        assert!(!format!("{cmd:?}").contains("s3cr3t"));
    }
}
