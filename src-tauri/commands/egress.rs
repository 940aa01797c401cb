//! Egress and its storage profiles.

use crate::Core;
use earshot_core::audit::Audited;
use earshot_core::protocol::command::*;
use earshot_core::protocol::egress::{EgressSummary, StorageSummary};
use earshot_core::protocol::AppError;
use earshot_core::{egress, storage};
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn list_storage_profiles(
    core: State<'_, Core>,
    args: ListStorageProfiles,
) -> Reply<Vec<StorageSummary>> {
    storage::list_storage_profiles(core.projects(), &core.project(&args.project).await?).await
}

#[tauri::command]
pub async fn save_storage_profile(
    core: State<'_, Core>,
    args: SaveStorageProfile,
) -> Reply<StorageSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            storage::save_storage_profile(core.projects(), &p, &args.input),
        )
        .await
}

#[tauri::command]
pub async fn delete_storage_profile(
    core: State<'_, Core>,
    args: DeleteStorageProfile,
) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            storage::delete_storage_profile(core.projects(), &p, &args.name),
        )
        .await
}

#[tauri::command]
pub async fn start_egress(core: State<'_, Core>, args: StartEgress) -> Reply<EgressSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            egress::start_egress(core.projects(), &p, &args.request),
        )
        .await
}

#[tauri::command]
pub async fn list_egress(core: State<'_, Core>, args: ListEgress) -> Reply<Vec<EgressSummary>> {
    egress::list_egress(
        &core.project(&args.project).await?,
        args.room.as_deref(),
        args.active_only,
    )
    .await
}

#[tauri::command]
pub async fn stop_egress(core: State<'_, Core>, args: StopEgress) -> Reply<EgressSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), egress::stop_egress(&p, &args.id))
        .await
}

#[tauri::command]
pub async fn update_egress_layout(
    core: State<'_, Core>,
    args: UpdateEgressLayout,
) -> Reply<EgressSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            egress::update_egress_layout(&p, &args.id, &args.layout),
        )
        .await
}

#[tauri::command]
pub async fn update_egress_stream(
    core: State<'_, Core>,
    args: UpdateEgressStream,
) -> Reply<EgressSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            egress::update_egress_stream(&p, &args.id, &args.add, &args.remove),
        )
        .await
}
