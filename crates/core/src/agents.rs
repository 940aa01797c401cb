//! Agent dispatch on a [`ProjectHandle`]: input checked by the protocol's rules before sending.

use crate::projects::ProjectHandle;
use crate::result::AppResult;
use earshot_protocol::agents::{self, AgentDispatchInfo, NewAgentDispatch};

/// Sends a named agent into a room.
pub async fn create_agent_dispatch(
    project: &ProjectHandle,
    dispatch: &NewAgentDispatch,
) -> AppResult<AgentDispatchInfo> {
    if let Some(e) = agents::dispatch_errors(dispatch).into_iter().next() {
        return Err(e);
    }
    let api = &project.api;
    let created = api.create_agent_dispatch(dispatch).await?;
    tracing::info!(room = %created.room, id = %created.id, "agent dispatched");
    Ok(created)
}

/// The agent dispatches of a room.
pub async fn list_agent_dispatches(
    project: &ProjectHandle,
    room: &str,
) -> AppResult<Vec<AgentDispatchInfo>> {
    let api = &project.api;
    Ok(api.list_agent_dispatches(room).await?)
}

/// Deletes an agent dispatch.
pub async fn delete_agent_dispatch(project: &ProjectHandle, room: &str, id: &str) -> AppResult<()> {
    let api = &project.api;
    api.delete_agent_dispatch(room, id).await?;
    tracing::info!(%room, %id, "agent dispatch deleted");
    Ok(())
}
