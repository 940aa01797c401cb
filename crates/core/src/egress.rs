//! Egress on [`Earshot`]: input checked by the protocol's rules before sending, storage
//! credentials fetched from the keychain only for the request that uses them.

use crate::earshot::AppResult;
use crate::Earshot;
use earshot_protocol::egress::{EgressRequest, EgressSummary};
use earshot_protocol::egress_rules;

impl Earshot {
    /// Starts an egress.
    pub async fn start_egress(
        &self,
        project: Option<&str>,
        request: &EgressRequest,
    ) -> AppResult<EgressSummary> {
        if let Some(e) = egress_rules::egress_errors(request).into_iter().next() {
            return Err(e);
        }
        let id = self.resolve(project)?;
        let upload = if request.storage.is_empty() {
            None
        } else {
            Some(self.storage_upload(&id, &request.storage).await?)
        };
        let api = self.api(&id).await?;
        let started = api.start_egress(request, upload.as_ref()).await?;
        tracing::info!(id = %started.id, kind = started.kind.label(), "egress started");
        Ok(started)
    }

    /// Egresses of a project (or one room).
    pub async fn list_egress(
        &self,
        project: Option<&str>,
        room: Option<&str>,
        active_only: bool,
    ) -> AppResult<Vec<EgressSummary>> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.list_egress(room, active_only).await?)
    }

    /// Stops an egress.
    pub async fn stop_egress(&self, project: Option<&str>, id: &str) -> AppResult<EgressSummary> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.stop_egress(id).await?)
    }

    /// Changes a room composite egress's layout.
    pub async fn update_egress_layout(
        &self,
        project: Option<&str>,
        id: &str,
        layout: &str,
    ) -> AppResult<EgressSummary> {
        if layout.trim().is_empty() {
            return Err(earshot_protocol::AppError::field(
                earshot_protocol::ErrorCode::InvalidInput,
                "layout",
                "Choose a layout.",
            ));
        }
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.update_egress_layout(id, layout).await?)
    }

    /// Adds or removes stream URLs of a running egress.
    pub async fn update_egress_stream(
        &self,
        project: Option<&str>,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> AppResult<EgressSummary> {
        // The egress's protocol is not known here without a lookup: any stream scheme.
        if let Some(e) = egress_rules::stream_update_errors("", add, remove)
            .into_iter()
            .next()
        {
            return Err(e);
        }
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.update_egress_stream(id, add, remove).await?)
    }
}
