//! The SIP service: trunks and dispatch rules (stored by livekit-server in Redis, need the
//! `sip.admin` grant), dialling out and transfers (carried out by a livekit-sip worker,
//! need `sip.call`). Writes are never retried: a repeated dial rings twice.

use super::sip_convert::{
    duration, headers_option, inbound_dto, inbound_proto, map, media, outbound_dto, outbound_proto,
    rule_dto, rule_proto,
};
use super::{ApiError, ApiResult, RetryPolicy, ServerApi};
use crate::grants::{room_admin, sip_admin, sip_call, Grants};
use earshot_protocol::sip::{
    DialOut, DialResult, DispatchRule, DispatchRuleSpec, InboundTrunk, InboundTrunkSpec,
    OutboundTrunk, OutboundTrunkSpec, Transfer,
};
use livekit_protocol as proto;
use std::time::Duration;

const SERVICE: &str = "SIP";
/// How long a callee may ring when the form leaves it open (livekit-sip's default).
const DEFAULT_RINGING: Duration = Duration::from_secs(30);

impl ServerApi {
    /// All inbound trunks.
    pub async fn list_inbound_trunks(&self) -> ApiResult<Vec<InboundTrunk>> {
        let resp: proto::ListSipInboundTrunkResponse = self
            .call(
                SERVICE,
                "ListSIPInboundTrunk",
                &proto::ListSipInboundTrunkRequest::default(),
                sip_admin(),
                RetryPolicy::READS,
            )
            .await?;
        Ok(resp.items.into_iter().map(inbound_dto).collect())
    }

    /// One inbound trunk, with its stored password (to keep it on update).
    async fn inbound_raw(&self, id: &str) -> ApiResult<proto::SipInboundTrunkInfo> {
        let req = proto::GetSipInboundTrunkRequest {
            sip_trunk_id: id.to_owned(),
        };
        let resp: proto::GetSipInboundTrunkResponse = self
            .call(
                SERVICE,
                "GetSIPInboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::READS,
            )
            .await?;
        resp.trunk
            .ok_or_else(|| ApiError::NotFound(format!("inbound trunk {id}")))
    }

    /// One inbound trunk.
    pub async fn inbound_trunk(&self, id: &str) -> ApiResult<InboundTrunk> {
        self.inbound_raw(id).await.map(inbound_dto)
    }

    /// Creates an inbound trunk.
    pub async fn create_inbound_trunk(
        &self,
        spec: &InboundTrunkSpec,
        password: String,
    ) -> ApiResult<InboundTrunk> {
        let req = proto::CreateSipInboundTrunkRequest {
            trunk: Some(inbound_proto("", spec, password)),
        };
        let t: proto::SipInboundTrunkInfo = self
            .call(
                SERVICE,
                "CreateSIPInboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(inbound_dto(t))
    }

    /// Replaces an inbound trunk; `password: None` keeps the stored one.
    pub async fn update_inbound_trunk(
        &self,
        id: &str,
        spec: &InboundTrunkSpec,
        password: Option<String>,
    ) -> ApiResult<InboundTrunk> {
        let password = match password {
            Some(p) => p,
            None => self.inbound_raw(id).await?.auth_password,
        };
        let req = proto::UpdateSipInboundTrunkRequest {
            sip_trunk_id: id.to_owned(),
            action: Some(proto::update_sip_inbound_trunk_request::Action::Replace(
                inbound_proto(id, spec, password),
            )),
        };
        let t: proto::SipInboundTrunkInfo = self
            .call(
                SERVICE,
                "UpdateSIPInboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(inbound_dto(t))
    }

    /// All outbound trunks.
    pub async fn list_outbound_trunks(&self) -> ApiResult<Vec<OutboundTrunk>> {
        let resp: proto::ListSipOutboundTrunkResponse = self
            .call(
                SERVICE,
                "ListSIPOutboundTrunk",
                &proto::ListSipOutboundTrunkRequest::default(),
                sip_admin(),
                RetryPolicy::READS,
            )
            .await?;
        Ok(resp.items.into_iter().map(outbound_dto).collect())
    }

    async fn outbound_raw(&self, id: &str) -> ApiResult<proto::SipOutboundTrunkInfo> {
        let req = proto::GetSipOutboundTrunkRequest {
            sip_trunk_id: id.to_owned(),
        };
        let resp: proto::GetSipOutboundTrunkResponse = self
            .call(
                SERVICE,
                "GetSIPOutboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::READS,
            )
            .await?;
        resp.trunk
            .ok_or_else(|| ApiError::NotFound(format!("outbound trunk {id}")))
    }

    /// One outbound trunk.
    pub async fn outbound_trunk(&self, id: &str) -> ApiResult<OutboundTrunk> {
        self.outbound_raw(id).await.map(outbound_dto)
    }

    /// Creates an outbound trunk.
    pub async fn create_outbound_trunk(
        &self,
        spec: &OutboundTrunkSpec,
        password: String,
    ) -> ApiResult<OutboundTrunk> {
        let req = proto::CreateSipOutboundTrunkRequest {
            trunk: Some(outbound_proto("", spec, password)),
        };
        let t: proto::SipOutboundTrunkInfo = self
            .call(
                SERVICE,
                "CreateSIPOutboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(outbound_dto(t))
    }

    /// Replaces an outbound trunk; `password: None` keeps the stored one.
    pub async fn update_outbound_trunk(
        &self,
        id: &str,
        spec: &OutboundTrunkSpec,
        password: Option<String>,
    ) -> ApiResult<OutboundTrunk> {
        let password = match password {
            Some(p) => p,
            None => self.outbound_raw(id).await?.auth_password,
        };
        let req = proto::UpdateSipOutboundTrunkRequest {
            sip_trunk_id: id.to_owned(),
            action: Some(proto::update_sip_outbound_trunk_request::Action::Replace(
                outbound_proto(id, spec, password),
            )),
        };
        let t: proto::SipOutboundTrunkInfo = self
            .call(
                SERVICE,
                "UpdateSIPOutboundTrunk",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(outbound_dto(t))
    }

    /// Deletes an inbound or outbound trunk.
    pub async fn delete_trunk(&self, id: &str) -> ApiResult<()> {
        let req = proto::DeleteSipTrunkRequest {
            sip_trunk_id: id.to_owned(),
        };
        let _: proto::SipTrunkInfo = self
            .call(
                SERVICE,
                "DeleteSIPTrunk",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(())
    }

    /// All dispatch rules.
    pub async fn list_dispatch_rules(&self) -> ApiResult<Vec<DispatchRule>> {
        let resp: proto::ListSipDispatchRuleResponse = self
            .call(
                SERVICE,
                "ListSIPDispatchRule",
                &proto::ListSipDispatchRuleRequest::default(),
                sip_admin(),
                RetryPolicy::READS,
            )
            .await?;
        Ok(resp.items.into_iter().map(rule_dto).collect())
    }

    /// Creates a dispatch rule.
    pub async fn create_dispatch_rule(&self, spec: &DispatchRuleSpec) -> ApiResult<DispatchRule> {
        let req = proto::CreateSipDispatchRuleRequest {
            dispatch_rule: Some(rule_proto("", spec)?),
            ..Default::default()
        };
        let r: proto::SipDispatchRuleInfo = self
            .call(
                SERVICE,
                "CreateSIPDispatchRule",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(rule_dto(r))
    }

    /// Replaces a dispatch rule.
    pub async fn update_dispatch_rule(
        &self,
        id: &str,
        spec: &DispatchRuleSpec,
    ) -> ApiResult<DispatchRule> {
        let req = proto::UpdateSipDispatchRuleRequest {
            sip_dispatch_rule_id: id.to_owned(),
            action: Some(proto::update_sip_dispatch_rule_request::Action::Replace(
                rule_proto(id, spec)?,
            )),
        };
        let r: proto::SipDispatchRuleInfo = self
            .call(
                SERVICE,
                "UpdateSIPDispatchRule",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(rule_dto(r))
    }

    /// Deletes a dispatch rule.
    pub async fn delete_dispatch_rule(&self, id: &str) -> ApiResult<()> {
        let req = proto::DeleteSipDispatchRuleRequest {
            sip_dispatch_rule_id: id.to_owned(),
        };
        let _: proto::SipDispatchRuleInfo = self
            .call(
                SERVICE,
                "DeleteSIPDispatchRule",
                &req,
                sip_admin(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(())
    }

    /// Places a call into a room (CreateSIPParticipant). Waiting for the answer takes as
    /// long as the phone rings, so the request timeout grows with the ringing timeout.
    pub async fn dial_out(&self, d: &DialOut) -> ApiResult<DialResult> {
        let req = proto::CreateSipParticipantRequest {
            sip_trunk_id: d.trunk_id.clone(),
            sip_call_to: d.call_to.clone(),
            sip_number: d.sip_number.clone(),
            room_name: d.room_name.clone(),
            participant_identity: d.participant_identity.clone(),
            participant_name: d.participant_name.clone(),
            participant_metadata: d.participant_metadata.clone(),
            participant_attributes: map(&d.participant_attributes),
            dtmf: d.dtmf.clone(),
            play_dialtone: d.play_dialtone,
            hide_phone_number: d.hide_phone_number,
            headers: map(&d.headers),
            include_headers: headers_option(&d.include_headers),
            ringing_timeout: duration(d.ringing_timeout_secs),
            max_call_duration: duration(d.max_call_duration_secs),
            krisp_enabled: d.krisp_enabled,
            media: media(&d.media_encryption),
            wait_until_answered: d.wait_until_answered,
            display_name: d.display_name.clone(),
            ..Default::default()
        };
        let api = if d.wait_until_answered {
            let ringing = d
                .ringing_timeout_secs
                .map_or(DEFAULT_RINGING, |s| Duration::from_secs(u64::from(s)));
            self.with_timeout(ringing + super::CALL_TIMEOUT)
        } else {
            self.clone()
        };
        let info: proto::SipParticipantInfo = api
            .call(
                SERVICE,
                "CreateSIPParticipant",
                &req,
                sip_call(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(ApiError::sip_call)?;
        Ok(DialResult {
            participant_id: info.participant_id,
            participant_identity: info.participant_identity,
            room_name: info.room_name,
            sip_call_id: info.sip_call_id,
        })
    }

    /// Transfers a SIP participant's call (SIP REFER); needs `roomAdmin` there and
    /// `sip.call`. The REFER dials, so the timeout follows the ringing timeout.
    pub async fn transfer_sip_participant(&self, t: &Transfer) -> ApiResult<()> {
        let req = proto::TransferSipParticipantRequest {
            participant_identity: t.identity.clone(),
            room_name: t.room.clone(),
            transfer_to: t.transfer_to.clone(),
            play_dialtone: t.play_dialtone,
            headers: map(&t.headers),
            ringing_timeout: duration(t.ringing_timeout_secs),
        };
        let grants = Grants {
            video: room_admin(&t.room),
            sip: sip_call(),
        };
        let ringing = t
            .ringing_timeout_secs
            .map_or(DEFAULT_RINGING, |s| Duration::from_secs(u64::from(s)));
        let _: proto::TransferSipParticipantResponse = self
            .with_timeout(ringing + super::CALL_TIMEOUT)
            .call(
                SERVICE,
                "TransferSIPParticipant",
                &req,
                grants,
                RetryPolicy::NONE,
            )
            .await
            .map_err(ApiError::sip_call)?;
        Ok(())
    }
}
