//! Agent dispatch on [`Earshot`]: input checked by the protocol's rules before sending.

use crate::earshot::AppResult;
use crate::Earshot;
use earshot_protocol::agents::{self, AgentDispatchInfo, NewAgentDispatch};

impl Earshot {
    /// Sends a named agent into a room.
    pub async fn create_agent_dispatch(
        &self,
        project: Option<&str>,
        dispatch: &NewAgentDispatch,
    ) -> AppResult<AgentDispatchInfo> {
        if let Some(e) = agents::dispatch_errors(dispatch).into_iter().next() {
            return Err(e);
        }
        let api = self.api(&self.resolve(project)?).await?;
        let created = api.create_agent_dispatch(dispatch).await?;
        tracing::info!(room = %created.room, id = %created.id, "agent dispatched");
        Ok(created)
    }

    /// The agent dispatches of a room.
    pub async fn list_agent_dispatches(
        &self,
        project: Option<&str>,
        room: &str,
    ) -> AppResult<Vec<AgentDispatchInfo>> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.list_agent_dispatches(room).await?)
    }

    /// Deletes an agent dispatch.
    pub async fn delete_agent_dispatch(
        &self,
        project: Option<&str>,
        room: &str,
        id: &str,
    ) -> AppResult<()> {
        let api = self.api(&self.resolve(project)?).await?;
        api.delete_agent_dispatch(room, id).await?;
        tracing::info!(%room, %id, "agent dispatch deleted");
        Ok(())
    }
}
