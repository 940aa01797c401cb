//! Ingress (RTMP, WHIP and URL inputs).

use crate::Core;
use earshot_core::audit::Audited;
use earshot_core::ingress;
use earshot_core::protocol::command::*;
use earshot_core::protocol::ingress::IngressInfo;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_ingress(core: State<'_, Core>, args: CreateIngress) -> Reply<IngressInfo> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), ingress::create_ingress(&p, &args.spec))
        .await
}

#[tauri::command]
pub async fn update_ingress(core: State<'_, Core>, args: UpdateIngress) -> Reply<IngressInfo> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            ingress::update_ingress(&p, &args.id, &args.spec),
        )
        .await
}

#[tauri::command]
pub async fn list_ingress(core: State<'_, Core>, args: ListIngress) -> Reply<Vec<IngressInfo>> {
    ingress::list_ingress(&core.project(&args.project).await?, args.room.as_deref()).await
}

#[tauri::command]
pub async fn delete_ingress(core: State<'_, Core>, args: DeleteIngress) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), ingress::delete_ingress(&p, &args.id))
        .await
}
