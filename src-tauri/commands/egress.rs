//! Egress and its storage profiles.

use crate::Core;
use earshot_core::protocol::command::*;
use earshot_core::protocol::egress::{EgressSummary, StorageSummary};
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn list_storage_profiles(
    core: State<'_, Core>,
    args: ListStorageProfiles,
) -> Reply<Vec<StorageSummary>> {
    core.list_storage_profiles(args.project.as_deref()).await
}

#[tauri::command]
pub async fn save_storage_profile(
    core: State<'_, Core>,
    args: SaveStorageProfile,
) -> Reply<StorageSummary> {
    core.save_storage_profile(args.project.as_deref(), &args.input)
        .await
}

#[tauri::command]
pub async fn delete_storage_profile(
    core: State<'_, Core>,
    args: DeleteStorageProfile,
) -> Reply<()> {
    core.delete_storage_profile(args.project.as_deref(), &args.name)
        .await
}

#[tauri::command]
pub async fn start_egress(core: State<'_, Core>, args: StartEgress) -> Reply<EgressSummary> {
    core.start_egress(args.project.as_deref(), &args.request)
        .await
}

#[tauri::command]
pub async fn list_egress(core: State<'_, Core>, args: ListEgress) -> Reply<Vec<EgressSummary>> {
    core.list_egress(
        args.project.as_deref(),
        args.room.as_deref(),
        args.active_only,
    )
    .await
}

#[tauri::command]
pub async fn stop_egress(core: State<'_, Core>, args: StopEgress) -> Reply<EgressSummary> {
    core.stop_egress(args.project.as_deref(), &args.id).await
}

#[tauri::command]
pub async fn update_egress_layout(
    core: State<'_, Core>,
    args: UpdateEgressLayout,
) -> Reply<EgressSummary> {
    core.update_egress_layout(args.project.as_deref(), &args.id, &args.layout)
        .await
}

#[tauri::command]
pub async fn update_egress_stream(
    core: State<'_, Core>,
    args: UpdateEgressStream,
) -> Reply<EgressSummary> {
    core.update_egress_stream(args.project.as_deref(), &args.id, &args.add, &args.remove)
        .await
}
