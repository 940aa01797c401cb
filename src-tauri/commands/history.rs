//! Call history and the webhook receiver that feeds it.

use crate::Core;
use earshot_core::history;
use earshot_core::protocol::command::*;
use earshot_core::protocol::history::{CallDetail, CallPage, WebhookReceiverView};
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn list_calls(core: State<'_, Core>, args: ListCalls) -> Reply<CallPage> {
    core.projects().require(&args.filter.project)?;
    history::list_calls(core.audit(), &args.filter).await
}

#[tauri::command]
pub async fn get_call(core: State<'_, Core>, args: GetCall) -> Reply<CallDetail> {
    history::call_detail(core.audit(), args.id).await
}

#[tauri::command]
pub async fn get_webhook_receiver(
    core: State<'_, Core>,
    args: GetWebhookReceiver,
) -> Reply<WebhookReceiverView> {
    let GetWebhookReceiver {} = args;
    let hooks = core.webhooks();
    Ok(WebhookReceiverView {
        settings: hooks.settings(),
        status: hooks.status().await,
    })
}

#[tauri::command]
pub async fn save_webhook_receiver(
    core: State<'_, Core>,
    args: SaveWebhookReceiver,
) -> Reply<WebhookReceiverView> {
    let hooks = core.webhooks();
    let status = hooks.save(args.settings).await?;
    Ok(WebhookReceiverView {
        settings: hooks.settings(),
        status,
    })
}
