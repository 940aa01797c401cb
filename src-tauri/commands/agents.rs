//! Agent dispatch.

use crate::Core;
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
    core.create_agent_dispatch(Some(args.project.as_str()), &args.dispatch)
        .await
}

#[tauri::command]
pub async fn list_agent_dispatches(
    core: State<'_, Core>,
    args: ListAgentDispatches,
) -> Reply<Vec<AgentDispatchInfo>> {
    core.list_agent_dispatches(Some(args.project.as_str()), &args.room)
        .await
}

#[tauri::command]
pub async fn delete_agent_dispatch(core: State<'_, Core>, args: DeleteAgentDispatch) -> Reply<()> {
    core.delete_agent_dispatch(Some(args.project.as_str()), &args.room, &args.id)
        .await
}
