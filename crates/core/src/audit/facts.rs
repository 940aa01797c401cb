//! What each audited command says about itself: its action, the room and participant it
//! touches, and a detail object. Never a secret (API secrets, trunk passwords, storage
//! credentials) and never a token: those fields are simply not read here.

use earshot_protocol::audit::AuditAction;
use earshot_protocol::command::*;
use serde_json::{json, Value};

/// An audited action's fields, before the shell's context (project, supervisor) is added.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub action: AuditAction,
    /// The project's name and server when the command names them itself (adding a project).
    pub project: Option<(String, String)>,
    pub room: Option<String>,
    pub identity: Option<String>,
    pub detail: Value,
}

impl Facts {
    fn new(action: AuditAction) -> Self {
        Self {
            action,
            project: None,
            room: None,
            identity: None,
            detail: json!({}),
        }
    }
    fn room(mut self, room: &str) -> Self {
        self.room = Some(room.to_owned()).filter(|r| !r.is_empty());
        self
    }
    fn identity(mut self, identity: &str) -> Self {
        self.identity = Some(identity.to_owned()).filter(|r| !r.is_empty());
        self
    }
    fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A command that changes something and is journaled.
pub trait Audited {
    fn facts(&self) -> Facts;
}

use AuditAction as A;

impl Audited for AddProject {
    fn facts(&self) -> Facts {
        let mut f = Facts::new(A::ProjectAdd).detail(json!({
            "api_key": self.input.api_key, "verify": self.verify }));
        f.project = Some((self.input.name.clone(), self.input.url.clone()));
        f
    }
}
impl Audited for UpdateProject {
    fn facts(&self) -> Facts {
        let mut f = Facts::new(A::ProjectEdit).detail(json!({
            "id": self.id, "api_key": self.input.api_key, "verify": self.verify,
            "secret_changed": !self.input.api_secret.expose().is_empty() }));
        f.project = Some((self.input.name.clone(), self.input.url.clone()));
        f
    }
}
impl Audited for RemoveProject {
    fn facts(&self) -> Facts {
        Facts::new(A::ProjectRemove).detail(json!({ "id": self.id }))
    }
}
impl Audited for ImportCliProjects {
    fn facts(&self) -> Facts {
        Facts::new(A::ProjectImport).detail(json!({ "names": self.names }))
    }
}
impl Audited for CreateRoom {
    fn facts(&self) -> Facts {
        Facts::new(A::RoomCreate)
            .room(&self.options.name)
            .detail(serde_json::to_value(&self.options).unwrap_or_default())
    }
}
impl Audited for DeleteRoom {
    fn facts(&self) -> Facts {
        Facts::new(A::RoomDelete).room(&self.room)
    }
}
impl Audited for UpdateRoomMetadata {
    fn facts(&self) -> Facts {
        Facts::new(A::RoomMetadata)
            .room(&self.room)
            .detail(json!({ "metadata": self.metadata }))
    }
}
impl Audited for MuteTrack {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantMute)
            .room(&self.room)
            .identity(&self.identity)
            .detail(json!({ "track_sid": self.track_sid, "muted": self.muted }))
    }
}
impl Audited for MuteAllAudio {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantMuteAll).room(&self.room)
    }
}
impl Audited for RemoveParticipant {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantRemove)
            .room(&self.room)
            .identity(&self.identity)
    }
}
impl Audited for UpdateParticipant {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantUpdate)
            .room(&self.room)
            .identity(&self.identity)
            .detail(serde_json::to_value(&self.changes).unwrap_or_default())
    }
}
impl Audited for MoveParticipant {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantMove)
            .room(&self.room)
            .identity(&self.identity)
            .detail(json!({ "destination": self.destination }))
    }
}
impl Audited for ForwardParticipant {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantForward)
            .room(&self.room)
            .identity(&self.identity)
            .detail(json!({ "destination": self.destination }))
    }
}
impl Audited for UpdateSubscriptions {
    fn facts(&self) -> Facts {
        Facts::new(A::ParticipantSubscriptions)
            .room(&self.room)
            .identity(&self.identity)
            .detail(json!({ "track_sids": self.track_sids, "subscribe": self.subscribe }))
    }
}
impl Audited for SendData {
    fn facts(&self) -> Facts {
        // The payload's size, not the payload: it may carry anything.
        Facts::new(A::DataMessage).room(&self.room).detail(json!({
            "topic": self.message.topic,
            "bytes": self.message.payload.len(),
            "reliable": self.message.reliable,
            "destination_identities": self.message.destination_identities,
        }))
    }
}
impl Audited for CreateToken {
    fn facts(&self) -> Facts {
        let r = &self.request;
        Facts::new(A::TokenBuild)
            .room(&r.grants.room)
            .identity(&r.identity)
            .detail(json!({
                "grants": r.grants,
                "sip": r.sip,
                "ttl_seconds": r.ttl_seconds,
                "attributes": r.attributes,
            }))
    }
}
impl Audited for StartEgress {
    fn facts(&self) -> Facts {
        Facts::new(A::EgressStart)
            .room(&self.request.room_name)
            .detail(
                json!({ "kind": self.request.kind, "layout": self.request.layout,
                "audio_only": self.request.audio_only, "video_only": self.request.video_only }),
            )
    }
}
impl Audited for StopEgress {
    fn facts(&self) -> Facts {
        Facts::new(A::EgressStop).detail(json!({ "egress_id": self.id }))
    }
}
impl Audited for UpdateEgressLayout {
    fn facts(&self) -> Facts {
        Facts::new(A::EgressUpdate).detail(json!({ "egress_id": self.id, "layout": self.layout }))
    }
}
impl Audited for UpdateEgressStream {
    fn facts(&self) -> Facts {
        Facts::new(A::EgressUpdate)
            .detail(json!({ "egress_id": self.id, "add": self.add, "remove": self.remove }))
    }
}
impl Audited for CreateIngress {
    fn facts(&self) -> Facts {
        ingress(A::IngressCreate, None, &self.spec)
    }
}
impl Audited for UpdateIngress {
    fn facts(&self) -> Facts {
        ingress(A::IngressUpdate, Some(&self.id), &self.spec)
    }
}
fn ingress(
    action: AuditAction,
    id: Option<&str>,
    spec: &earshot_protocol::ingress::IngressSpec,
) -> Facts {
    Facts::new(action)
        .room(&spec.room_name)
        .identity(&spec.participant_identity)
        .detail(json!({ "ingress_id": id, "input_type": spec.input_type, "name": spec.name }))
}
impl Audited for DeleteIngress {
    fn facts(&self) -> Facts {
        Facts::new(A::IngressDelete).detail(json!({ "ingress_id": self.id }))
    }
}
impl Audited for CreateSipInboundTrunk {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTrunkCreate)
            .detail(json!({ "direction": "inbound", "name": self.spec.name }))
    }
}
impl Audited for UpdateSipInboundTrunk {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTrunkUpdate)
            .detail(json!({ "direction": "inbound", "trunk_id": self.id, "name": self.spec.name }))
    }
}
impl Audited for CreateSipOutboundTrunk {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTrunkCreate)
            .detail(json!({ "direction": "outbound", "name": self.spec.name }))
    }
}
impl Audited for UpdateSipOutboundTrunk {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTrunkUpdate)
            .detail(json!({ "direction": "outbound", "trunk_id": self.id, "name": self.spec.name }))
    }
}
impl Audited for DeleteSipTrunk {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTrunkDelete).detail(json!({ "trunk_id": self.id }))
    }
}
impl Audited for CreateSipDispatchRule {
    fn facts(&self) -> Facts {
        Facts::new(A::SipDispatchRuleCreate).detail(json!({ "name": self.spec.name }))
    }
}
impl Audited for UpdateSipDispatchRule {
    fn facts(&self) -> Facts {
        Facts::new(A::SipDispatchRuleUpdate)
            .detail(json!({ "rule_id": self.id, "name": self.spec.name }))
    }
}
impl Audited for DeleteSipDispatchRule {
    fn facts(&self) -> Facts {
        Facts::new(A::SipDispatchRuleDelete).detail(json!({ "rule_id": self.id }))
    }
}
impl Audited for DialSipOut {
    fn facts(&self) -> Facts {
        Facts::new(A::SipDialOut)
            .room(&self.dial.room_name)
            .identity(&self.dial.participant_identity)
            .detail(json!({ "trunk_id": self.dial.trunk_id, "call_to": self.dial.call_to }))
    }
}
impl Audited for TransferSipParticipant {
    fn facts(&self) -> Facts {
        Facts::new(A::SipTransfer)
            .room(&self.transfer.room)
            .identity(&self.transfer.identity)
            .detail(json!({ "transfer_to": self.transfer.transfer_to }))
    }
}
impl Audited for CreateAgentDispatch {
    fn facts(&self) -> Facts {
        Facts::new(A::AgentDispatchCreate)
            .room(&self.dispatch.room)
            .detail(json!({ "agent_name": self.dispatch.agent_name }))
    }
}
impl Audited for DeleteAgentDispatch {
    fn facts(&self) -> Facts {
        Facts::new(A::AgentDispatchDelete)
            .room(&self.room)
            .detail(json!({ "dispatch_id": self.id }))
    }
}
impl Audited for SaveStorageProfile {
    fn facts(&self) -> Facts {
        let p = &self.input.profile;
        Facts::new(A::StorageProfileSave).detail(json!({
            "name": p.name, "kind": p.kind, "bucket": p.bucket, "create": self.input.create,
            "credential_changed": !self.input.credential.expose().is_empty() }))
    }
}
impl Audited for DeleteStorageProfile {
    fn facts(&self) -> Facts {
        Facts::new(A::StorageProfileDelete).detail(json!({ "name": self.name }))
    }
}
impl Audited for SaveAlertRule {
    fn facts(&self) -> Facts {
        Facts::new(A::AlertRuleSave).detail(serde_json::to_value(&self.rule).unwrap_or_default())
    }
}
impl Audited for DeleteAlertRule {
    fn facts(&self) -> Facts {
        Facts::new(A::AlertRuleDelete).detail(json!({ "id": self.id }))
    }
}
