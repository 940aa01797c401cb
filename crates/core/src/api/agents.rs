//! AgentDispatchService: dispatches live with the room and need `roomAdmin` on it.

use super::{ApiResult, RetryPolicy, ServerApi};
use crate::grants::room_admin;
use earshot_protocol::agents::{AgentDispatchInfo, AgentJob, JobStatus, NewAgentDispatch};
use livekit_protocol as proto;

const SERVICE: &str = "AgentDispatchService";

fn job(j: proto::Job) -> AgentJob {
    let state = j.state.unwrap_or_default();
    let status = match proto::JobStatus::try_from(state.status) {
        Ok(proto::JobStatus::JsRunning) => JobStatus::Running,
        Ok(proto::JobStatus::JsSuccess) => JobStatus::Success,
        Ok(proto::JobStatus::JsFailed) => JobStatus::Failed,
        _ => JobStatus::Pending,
    };
    AgentJob {
        id: j.id,
        status,
        error: state.error,
        participant_identity: state.participant_identity,
    }
}

fn info(d: proto::AgentDispatch) -> AgentDispatchInfo {
    let state = d.state.unwrap_or_default();
    AgentDispatchInfo {
        id: d.id,
        agent_name: d.agent_name,
        room: d.room,
        metadata: d.metadata,
        restart_policy: match proto::JobRestartPolicy::try_from(d.restart_policy) {
            Ok(proto::JobRestartPolicy::JrpNever) => "never",
            _ => "on_failure",
        }
        .into(),
        deployment: d.deployment,
        attributes: d.attributes.into_iter().collect(),
        // The server stamps dispatches in nanoseconds.
        created_at_ms: state.created_at / 1_000_000,
        jobs: state.jobs.into_iter().map(job).collect(),
    }
}

impl ServerApi {
    /// Creates a dispatch; the server creates the room if it does not exist.
    pub async fn create_agent_dispatch(
        &self,
        d: &NewAgentDispatch,
    ) -> ApiResult<AgentDispatchInfo> {
        let req = proto::CreateAgentDispatchRequest {
            agent_name: d.agent_name.clone(),
            room: d.room.clone(),
            metadata: d.metadata.clone(),
            restart_policy: if d.restart_policy == "never" {
                proto::JobRestartPolicy::JrpNever as i32
            } else {
                proto::JobRestartPolicy::JrpOnFailure as i32
            },
            deployment: d.deployment.clone(),
            attributes: d.attributes.clone().into_iter().collect(),
        };
        let created: proto::AgentDispatch = self
            .call(
                SERVICE,
                "CreateDispatch",
                &req,
                room_admin(&d.room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(info(created))
    }

    /// The dispatches of `room`.
    pub async fn list_agent_dispatches(&self, room: &str) -> ApiResult<Vec<AgentDispatchInfo>> {
        let req = proto::ListAgentDispatchRequest {
            room: room.to_owned(),
            ..Default::default()
        };
        let resp: proto::ListAgentDispatchResponse = self
            .call(
                SERVICE,
                "ListDispatch",
                &req,
                room_admin(room),
                RetryPolicy::READS,
            )
            .await?;
        Ok(resp.agent_dispatches.into_iter().map(info).collect())
    }

    /// Deletes a dispatch of `room`.
    pub async fn delete_agent_dispatch(&self, room: &str, id: &str) -> ApiResult<()> {
        let req = proto::DeleteAgentDispatchRequest {
            dispatch_id: id.to_owned(),
            room: room.to_owned(),
        };
        let _: proto::AgentDispatch = self
            .call(
                SERVICE,
                "DeleteDispatch",
                &req,
                room_admin(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(())
    }
}
