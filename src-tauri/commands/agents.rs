//! Agent dispatch.

use crate::Core;
use earshot_core::agents;
use earshot_core::audit::Audited;
use earshot_core::protocol::agents::AgentDispatchInfo;
use earshot_core::protocol::command::*;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_agent_dispatch(
    core: State<'_, Core>,
    args: CreateAgentDispatch,
) -> Reply<AgentDispatchInfo> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            agents::create_agent_dispatch(&p, &args.dispatch),
        )
        .await
}

#[tauri::command]
pub async fn list_agent_dispatches(
    core: State<'_, Core>,
    args: ListAgentDispatches,
) -> Reply<Vec<AgentDispatchInfo>> {
    agents::list_agent_dispatches(&core.project(&args.project).await?, &args.room).await
}

#[tauri::command]
pub async fn delete_agent_dispatch(core: State<'_, Core>, args: DeleteAgentDispatch) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            agents::delete_agent_dispatch(&p, &args.room, &args.id),
        )
        .await
}
