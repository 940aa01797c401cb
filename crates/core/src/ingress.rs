//! Ingress on [`Earshot`]: input checked by the protocol's rules before sending.

use crate::earshot::AppResult;
use crate::Earshot;
use earshot_protocol::ingress::{self, IngressInfo, IngressSpec};

impl Earshot {
    /// Creates an RTMP, WHIP or URL ingress.
    pub async fn create_ingress(
        &self,
        project: Option<&str>,
        spec: &IngressSpec,
    ) -> AppResult<IngressInfo> {
        if let Some(e) = ingress::ingress_errors(spec).into_iter().next() {
            return Err(e);
        }
        let api = self.api(&self.resolve(project)?).await?;
        let created = api.create_ingress(spec).await?;
        tracing::info!(id = %created.id, kind = created.spec.input_type.label(), "ingress created");
        Ok(created)
    }

    /// Changes an ingress's settings.
    pub async fn update_ingress(
        &self,
        project: Option<&str>,
        id: &str,
        spec: &IngressSpec,
    ) -> AppResult<IngressInfo> {
        if let Some(e) = ingress::ingress_errors(spec).into_iter().next() {
            return Err(e);
        }
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.update_ingress(id, spec).await?)
    }

    /// Every ingress of a project, or of one room.
    pub async fn list_ingress(
        &self,
        project: Option<&str>,
        room: Option<&str>,
    ) -> AppResult<Vec<IngressInfo>> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.list_ingress(room).await?)
    }

    /// Deletes an ingress.
    pub async fn delete_ingress(&self, project: Option<&str>, id: &str) -> AppResult<()> {
        let api = self.api(&self.resolve(project)?).await?;
        api.delete_ingress(id).await?;
        tracing::info!(%id, "ingress deleted");
        Ok(())
    }
}
