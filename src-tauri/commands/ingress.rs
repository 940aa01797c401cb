//! Ingress (RTMP, WHIP and URL inputs).

use crate::Core;
use earshot_core::ingress;
use earshot_core::protocol::command::*;
use earshot_core::protocol::ingress::IngressInfo;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_ingress(core: State<'_, Core>, args: CreateIngress) -> Reply<IngressInfo> {
    ingress::create_ingress(&core.project(&args.project).await?, &args.spec).await
}

#[tauri::command]
pub async fn update_ingress(core: State<'_, Core>, args: UpdateIngress) -> Reply<IngressInfo> {
    ingress::update_ingress(&core.project(&args.project).await?, &args.id, &args.spec).await
}

#[tauri::command]
pub async fn list_ingress(core: State<'_, Core>, args: ListIngress) -> Reply<Vec<IngressInfo>> {
    ingress::list_ingress(&core.project(&args.project).await?, args.room.as_deref()).await
}

#[tauri::command]
pub async fn delete_ingress(core: State<'_, Core>, args: DeleteIngress) -> Reply<()> {
    ingress::delete_ingress(&core.project(&args.project).await?, &args.id).await
}
