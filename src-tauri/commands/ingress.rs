//! Ingress (RTMP, WHIP and URL inputs).

use crate::Core;
use earshot_core::protocol::command::*;
use earshot_core::protocol::ingress::IngressInfo;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_ingress(core: State<'_, Core>, args: CreateIngress) -> Reply<IngressInfo> {
    core.create_ingress(Some(args.project.as_str()), &args.spec)
        .await
}

#[tauri::command]
pub async fn update_ingress(core: State<'_, Core>, args: UpdateIngress) -> Reply<IngressInfo> {
    core.update_ingress(Some(args.project.as_str()), &args.id, &args.spec)
        .await
}

#[tauri::command]
pub async fn list_ingress(core: State<'_, Core>, args: ListIngress) -> Reply<Vec<IngressInfo>> {
    core.list_ingress(Some(args.project.as_str()), args.room.as_deref())
        .await
}

#[tauri::command]
pub async fn delete_ingress(core: State<'_, Core>, args: DeleteIngress) -> Reply<()> {
    core.delete_ingress(Some(args.project.as_str()), &args.id)
        .await
}
