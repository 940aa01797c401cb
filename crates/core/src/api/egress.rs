//! The Egress service (needs `roomRecord`). Starting an egress is handed to a
//! livekit-egress worker; without one the server answers "no response from servers",
//! which becomes [`ApiError::NoWorker`]. Writes are never retried: a repeated start
//! records twice.

use super::egress_convert::{request, Start, Upload};
use super::egress_summary::summary;
use super::{ApiResult, RetryPolicy, ServerApi};
use crate::grants;
use earshot_protocol::egress::{EgressRequest, EgressSummary};
use livekit_protocol as proto;
use std::time::Duration;

const SERVICE: &str = "Egress";
/// livekit-server waits for a worker to take a start request before it gives up, longer
/// than an ordinary call may take; measured on v1.13.3 (see tests/egress.rs).
const START_TIMEOUT: Duration = Duration::from_secs(60);

impl ServerApi {
    /// Starts an egress; `upload` is the storage it writes to (none: the worker's default).
    pub async fn start_egress(
        &self,
        r: &EgressRequest,
        upload: Option<&Upload>,
    ) -> ApiResult<EgressSummary> {
        let g = grants::room_record();
        let none = RetryPolicy::NONE;
        let api = self.with_timeout(START_TIMEOUT);
        let info: proto::EgressInfo = match request(r, upload) {
            Start::RoomComposite(req) => {
                api.call(SERVICE, "StartRoomCompositeEgress", &req, g, none)
                    .await
            }
            Start::Web(req) => api.call(SERVICE, "StartWebEgress", &req, g, none).await,
            Start::Participant(req) => {
                api.call(SERVICE, "StartParticipantEgress", &req, g, none)
                    .await
            }
            Start::TrackComposite(req) => {
                api.call(SERVICE, "StartTrackCompositeEgress", &req, g, none)
                    .await
            }
            Start::Track(req) => api.call(SERVICE, "StartTrackEgress", &req, g, none).await,
        }
        .map_err(|e| e.needs_worker("egress"))?;
        Ok(summary(info))
    }

    /// Egresses, optionally of one room and only active ones.
    pub async fn list_egress(
        &self,
        room: Option<&str>,
        active_only: bool,
    ) -> ApiResult<Vec<EgressSummary>> {
        let req = proto::ListEgressRequest {
            room_name: room.unwrap_or_default().to_owned(),
            active: active_only,
            ..Default::default()
        };
        let resp: proto::ListEgressResponse = self
            .call(
                SERVICE,
                "ListEgress",
                &req,
                grants::room_record(),
                RetryPolicy::READS,
            )
            .await?;
        let mut items: Vec<_> = resp.items.into_iter().map(summary).collect();
        items.sort_by_key(|e| std::cmp::Reverse(e.started_at_ms));
        Ok(items)
    }

    /// Stops an egress.
    pub async fn stop_egress(&self, id: &str) -> ApiResult<EgressSummary> {
        let req = proto::StopEgressRequest {
            egress_id: id.to_owned(),
        };
        let info: proto::EgressInfo = self
            .call(
                SERVICE,
                "StopEgress",
                &req,
                grants::room_record(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("egress"))?;
        Ok(summary(info))
    }

    /// Changes a room composite egress's layout.
    pub async fn update_egress_layout(&self, id: &str, layout: &str) -> ApiResult<EgressSummary> {
        let req = proto::UpdateLayoutRequest {
            egress_id: id.to_owned(),
            layout: layout.to_owned(),
        };
        let info: proto::EgressInfo = self
            .call(
                SERVICE,
                "UpdateLayout",
                &req,
                grants::room_record(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("egress"))?;
        Ok(summary(info))
    }

    /// Adds and removes stream URLs of a running egress.
    pub async fn update_egress_stream(
        &self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> ApiResult<EgressSummary> {
        let req = proto::UpdateStreamRequest {
            egress_id: id.to_owned(),
            add_output_urls: add.to_vec(),
            remove_output_urls: remove.to_vec(),
        };
        let info: proto::EgressInfo = self
            .call(
                SERVICE,
                "UpdateStream",
                &req,
                grants::room_record(),
                RetryPolicy::NONE,
            )
            .await
            .map_err(|e| e.needs_worker("egress"))?;
        Ok(summary(info))
    }
}
