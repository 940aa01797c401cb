//! SIP administration on a [`ProjectHandle`]: trunks, dispatch rules, dial-out and transfers. Every
//! method checks its input with the protocol's rules first, so nothing invalid is sent;
//! inbound trunks are also checked against the existing ones for clashing numbers.

use crate::projects::ProjectHandle;
use crate::result::AppResult;
use earshot_protocol::sip::{
    DialOut, DialResult, DispatchRule, DispatchRuleSpec, InboundTrunk, InboundTrunkSpec,
    OutboundTrunk, OutboundTrunkSpec, SipOverview, Transfer, TrunkPassword,
};
use earshot_protocol::sip_rules;
use earshot_protocol::AppError;

fn first(errors: Vec<AppError>) -> AppResult<()> {
    errors.into_iter().next().map_or(Ok(()), Err)
}

/// The password to store on create: the typed one, or none.
fn new_password(p: &TrunkPassword) -> String {
    if p.clear {
        String::new()
    } else {
        p.password.expose().trim().to_owned()
    }
}

/// The password to store on update: `None` keeps the stored one.
fn changed_password(p: &TrunkPassword) -> Option<String> {
    (p.clear || !p.password.is_empty()).then(|| new_password(p))
}

/// Every trunk and dispatch rule of a project.
pub async fn sip_overview(project: &ProjectHandle) -> AppResult<SipOverview> {
    let api = &project.api;
    Ok(SipOverview {
        inbound: api.list_inbound_trunks().await?,
        outbound: api.list_outbound_trunks().await?,
        rules: api.list_dispatch_rules().await?,
    })
}

/// Creates an inbound trunk unless its numbers clash with an existing trunk's.
pub async fn create_inbound_trunk(
    project: &ProjectHandle,
    spec: &InboundTrunkSpec,
    password: &TrunkPassword,
) -> AppResult<InboundTrunk> {
    first(sip_rules::inbound_trunk_errors(spec))?;
    let api = &project.api;
    sip_rules::inbound_conflict(spec, None, &api.list_inbound_trunks().await?)?;
    let trunk = api
        .create_inbound_trunk(spec, new_password(password))
        .await?;
    tracing::info!(id = %trunk.id, "inbound SIP trunk created");
    Ok(trunk)
}

/// Replaces an inbound trunk's settings; an empty password keeps the stored one.
pub async fn update_inbound_trunk(
    project: &ProjectHandle,
    id: &str,
    spec: &InboundTrunkSpec,
    password: &TrunkPassword,
) -> AppResult<InboundTrunk> {
    first(sip_rules::inbound_trunk_errors(spec))?;
    let api = &project.api;
    sip_rules::inbound_conflict(spec, Some(id), &api.list_inbound_trunks().await?)?;
    Ok(api
        .update_inbound_trunk(id, spec, changed_password(password))
        .await?)
}

/// One inbound trunk.
pub async fn inbound_trunk(project: &ProjectHandle, id: &str) -> AppResult<InboundTrunk> {
    let api = &project.api;
    Ok(api.inbound_trunk(id).await?)
}

/// Creates an outbound trunk.
pub async fn create_outbound_trunk(
    project: &ProjectHandle,
    spec: &OutboundTrunkSpec,
    password: &TrunkPassword,
) -> AppResult<OutboundTrunk> {
    first(sip_rules::outbound_trunk_errors(spec))?;
    let api = &project.api;
    let trunk = api
        .create_outbound_trunk(spec, new_password(password))
        .await?;
    tracing::info!(id = %trunk.id, "outbound SIP trunk created");
    Ok(trunk)
}

/// Replaces an outbound trunk's settings; an empty password keeps the stored one.
pub async fn update_outbound_trunk(
    project: &ProjectHandle,
    id: &str,
    spec: &OutboundTrunkSpec,
    password: &TrunkPassword,
) -> AppResult<OutboundTrunk> {
    first(sip_rules::outbound_trunk_errors(spec))?;
    let api = &project.api;
    Ok(api
        .update_outbound_trunk(id, spec, changed_password(password))
        .await?)
}

/// One outbound trunk.
pub async fn outbound_trunk(project: &ProjectHandle, id: &str) -> AppResult<OutboundTrunk> {
    let api = &project.api;
    Ok(api.outbound_trunk(id).await?)
}

/// Deletes a trunk (inbound or outbound).
pub async fn delete_sip_trunk(project: &ProjectHandle, id: &str) -> AppResult<()> {
    let api = &project.api;
    api.delete_trunk(id).await?;
    tracing::info!(%id, "SIP trunk deleted");
    Ok(())
}

/// Creates a dispatch rule.
pub async fn create_dispatch_rule(
    project: &ProjectHandle,
    spec: &DispatchRuleSpec,
) -> AppResult<DispatchRule> {
    first(sip_rules::dispatch_rule_errors(spec))?;
    let api = &project.api;
    let rule = api.create_dispatch_rule(spec).await?;
    tracing::info!(id = %rule.id, "SIP dispatch rule created");
    Ok(rule)
}

/// Replaces a dispatch rule.
pub async fn update_dispatch_rule(
    project: &ProjectHandle,
    id: &str,
    spec: &DispatchRuleSpec,
) -> AppResult<DispatchRule> {
    first(sip_rules::dispatch_rule_errors(spec))?;
    let api = &project.api;
    Ok(api.update_dispatch_rule(id, spec).await?)
}

/// Deletes a dispatch rule.
pub async fn delete_dispatch_rule(project: &ProjectHandle, id: &str) -> AppResult<()> {
    let api = &project.api;
    api.delete_dispatch_rule(id).await?;
    tracing::info!(%id, "SIP dispatch rule deleted");
    Ok(())
}

/// Dials a number from an outbound trunk into a room.
pub async fn dial_out(project: &ProjectHandle, dial: &DialOut) -> AppResult<DialResult> {
    first(sip_rules::dial_out_errors(dial))?;
    let api = &project.api;
    let call = api.dial_out(dial).await?;
    tracing::info!(room = %call.room_name, call = %call.sip_call_id, "SIP call placed");
    Ok(call)
}

/// Transfers a SIP participant's call elsewhere.
pub async fn transfer_sip_participant(
    project: &ProjectHandle,
    transfer: &Transfer,
) -> AppResult<()> {
    first(sip_rules::transfer_errors(transfer))?;
    let api = &project.api;
    Ok(api.transfer_sip_participant(transfer).await?)
}
