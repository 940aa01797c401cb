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
    core.list_storage_profiles(Some(args.project.as_str()))
        .await
}

#[tauri::command]
pub async fn save_storage_profile(
    core: State<'_, Core>,
    args: SaveStorageProfile,
) -> Reply<StorageSummary> {
    core.save_storage_profile(Some(args.project.as_str()), &args.input)
        .await
}

#[tauri::command]
pub async fn delete_storage_profile(
    core: State<'_, Core>,
    args: DeleteStorageProfile,
) -> Reply<()> {
    core.delete_storage_profile(Some(args.project.as_str()), &args.name)
        .await
}

#[tauri::command]
pub async fn start_egress(core: State<'_, Core>, args: StartEgress) -> Reply<EgressSummary> {
    core.start_egress(Some(args.project.as_str()), &args.request)
        .await
}

#[tauri::command]
pub async fn list_egress(core: State<'_, Core>, args: ListEgress) -> Reply<Vec<EgressSummary>> {
    core.list_egress(
        Some(args.project.as_str()),
        args.room.as_deref(),
        args.active_only,
    )
    .await
}

#[tauri::command]
pub async fn stop_egress(core: State<'_, Core>, args: StopEgress) -> Reply<EgressSummary> {
    core.stop_egress(Some(args.project.as_str()), &args.id)
        .await
}

#[tauri::command]
pub async fn update_egress_layout(
    core: State<'_, Core>,
    args: UpdateEgressLayout,
) -> Reply<EgressSummary> {
    core.update_egress_layout(Some(args.project.as_str()), &args.id, &args.layout)
        .await
}

#[tauri::command]
pub async fn update_egress_stream(
    core: State<'_, Core>,
    args: UpdateEgressStream,
) -> Reply<EgressSummary> {
    core.update_egress_stream(
        Some(args.project.as_str()),
        &args.id,
        &args.add,
        &args.remove,
    )
    .await
}
