//! Ingress (RTMP, WHIP and URL inputs).

use crate::Core;
use earshot_core::protocol::command::*;
use earshot_core::protocol::ingress::IngressInfo;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_ingress(core: State<'_, Core>, args: CreateIngress) -> Reply<IngressInfo> {
    core.create_ingress(args.project.as_deref(), &args.spec)
        .await
}

#[tauri::command]
pub async fn update_ingress(core: State<'_, Core>, args: UpdateIngress) -> Reply<IngressInfo> {
    core.update_ingress(args.project.as_deref(), &args.id, &args.spec)
        .await
}

#[tauri::command]
pub async fn list_ingress(core: State<'_, Core>, args: ListIngress) -> Reply<Vec<IngressInfo>> {
    core.list_ingress(args.project.as_deref(), args.room.as_deref())
        .await
}

#[tauri::command]
pub async fn delete_ingress(core: State<'_, Core>, args: DeleteIngress) -> Reply<()> {
    core.delete_ingress(args.project.as_deref(), &args.id).await
}
