//! SIP trunks, dispatch rules, dial-out and transfers.

use crate::Core;
use earshot_core::audit::Audited;
use earshot_core::protocol::command::*;
use earshot_core::protocol::sip::{
    DialResult, DispatchRule, InboundTrunk, OutboundTrunk, SipOverview,
};
use earshot_core::protocol::AppError;
use earshot_core::sip;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn get_sip_overview(core: State<'_, Core>, args: GetSipOverview) -> Reply<SipOverview> {
    sip::sip_overview(&core.project(&args.project).await?).await
}

#[tauri::command]
pub async fn create_sip_inbound_trunk(
    core: State<'_, Core>,
    args: CreateSipInboundTrunk,
) -> Reply<InboundTrunk> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::create_inbound_trunk(&p, &args.spec, &args.password),
        )
        .await
}

#[tauri::command]
pub async fn update_sip_inbound_trunk(
    core: State<'_, Core>,
    args: UpdateSipInboundTrunk,
) -> Reply<InboundTrunk> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::update_inbound_trunk(&p, &args.id, &args.spec, &args.password),
        )
        .await
}

#[tauri::command]
pub async fn create_sip_outbound_trunk(
    core: State<'_, Core>,
    args: CreateSipOutboundTrunk,
) -> Reply<OutboundTrunk> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::create_outbound_trunk(&p, &args.spec, &args.password),
        )
        .await
}

#[tauri::command]
pub async fn update_sip_outbound_trunk(
    core: State<'_, Core>,
    args: UpdateSipOutboundTrunk,
) -> Reply<OutboundTrunk> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::update_outbound_trunk(&p, &args.id, &args.spec, &args.password),
        )
        .await
}

#[tauri::command]
pub async fn delete_sip_trunk(core: State<'_, Core>, args: DeleteSipTrunk) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), sip::delete_sip_trunk(&p, &args.id))
        .await
}

#[tauri::command]
pub async fn create_sip_dispatch_rule(
    core: State<'_, Core>,
    args: CreateSipDispatchRule,
) -> Reply<DispatchRule> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), sip::create_dispatch_rule(&p, &args.spec))
        .await
}

#[tauri::command]
pub async fn update_sip_dispatch_rule(
    core: State<'_, Core>,
    args: UpdateSipDispatchRule,
) -> Reply<DispatchRule> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::update_dispatch_rule(&p, &args.id, &args.spec),
        )
        .await
}

#[tauri::command]
pub async fn delete_sip_dispatch_rule(
    core: State<'_, Core>,
    args: DeleteSipDispatchRule,
) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), sip::delete_dispatch_rule(&p, &args.id))
        .await
}

#[tauri::command]
pub async fn dial_sip_out(core: State<'_, Core>, args: DialSipOut) -> Reply<DialResult> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), sip::dial_out(&p, &args.dial))
        .await
}

#[tauri::command]
pub async fn transfer_sip_participant(
    core: State<'_, Core>,
    args: TransferSipParticipant,
) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            sip::transfer_sip_participant(&p, &args.transfer),
        )
        .await
}
