//! SIP trunks, dispatch rules, dial-out and transfers.

use crate::Core;
use earshot_core::protocol::command::*;
use earshot_core::protocol::sip::{
    DialResult, DispatchRule, InboundTrunk, OutboundTrunk, SipOverview,
};
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn get_sip_overview(core: State<'_, Core>, args: GetSipOverview) -> Reply<SipOverview> {
    core.sip_overview(Some(args.project.as_str())).await
}

#[tauri::command]
pub async fn create_sip_inbound_trunk(
    core: State<'_, Core>,
    args: CreateSipInboundTrunk,
) -> Reply<InboundTrunk> {
    core.create_inbound_trunk(Some(args.project.as_str()), &args.spec, &args.password)
        .await
}

#[tauri::command]
pub async fn update_sip_inbound_trunk(
    core: State<'_, Core>,
    args: UpdateSipInboundTrunk,
) -> Reply<InboundTrunk> {
    core.update_inbound_trunk(
        Some(args.project.as_str()),
        &args.id,
        &args.spec,
        &args.password,
    )
    .await
}

#[tauri::command]
pub async fn create_sip_outbound_trunk(
    core: State<'_, Core>,
    args: CreateSipOutboundTrunk,
) -> Reply<OutboundTrunk> {
    core.create_outbound_trunk(Some(args.project.as_str()), &args.spec, &args.password)
        .await
}

#[tauri::command]
pub async fn update_sip_outbound_trunk(
    core: State<'_, Core>,
    args: UpdateSipOutboundTrunk,
) -> Reply<OutboundTrunk> {
    core.update_outbound_trunk(
        Some(args.project.as_str()),
        &args.id,
        &args.spec,
        &args.password,
    )
    .await
}

#[tauri::command]
pub async fn delete_sip_trunk(core: State<'_, Core>, args: DeleteSipTrunk) -> Reply<()> {
    core.delete_sip_trunk(Some(args.project.as_str()), &args.id)
        .await
}

#[tauri::command]
pub async fn create_sip_dispatch_rule(
    core: State<'_, Core>,
    args: CreateSipDispatchRule,
) -> Reply<DispatchRule> {
    core.create_dispatch_rule(Some(args.project.as_str()), &args.spec)
        .await
}

#[tauri::command]
pub async fn update_sip_dispatch_rule(
    core: State<'_, Core>,
    args: UpdateSipDispatchRule,
) -> Reply<DispatchRule> {
    core.update_dispatch_rule(Some(args.project.as_str()), &args.id, &args.spec)
        .await
}

#[tauri::command]
pub async fn delete_sip_dispatch_rule(
    core: State<'_, Core>,
    args: DeleteSipDispatchRule,
) -> Reply<()> {
    core.delete_dispatch_rule(Some(args.project.as_str()), &args.id)
        .await
}

#[tauri::command]
pub async fn dial_sip_out(core: State<'_, Core>, args: DialSipOut) -> Reply<DialResult> {
    core.dial_out(Some(args.project.as_str()), &args.dial).await
}

#[tauri::command]
pub async fn transfer_sip_participant(
    core: State<'_, Core>,
    args: TransferSipParticipant,
) -> Reply<()> {
    core.transfer_sip_participant(Some(args.project.as_str()), &args.transfer)
        .await
}
