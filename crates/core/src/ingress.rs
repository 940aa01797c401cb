//! Ingress on a [`ProjectHandle`]: input checked by the protocol's rules before sending.

use crate::projects::ProjectHandle;
use crate::result::AppResult;
use earshot_protocol::ingress::{self, IngressInfo, IngressSpec};

/// Creates an RTMP, WHIP or URL ingress.
pub async fn create_ingress(project: &ProjectHandle, spec: &IngressSpec) -> AppResult<IngressInfo> {
    if let Some(e) = ingress::ingress_errors(spec).into_iter().next() {
        return Err(e);
    }
    let api = &project.api;
    let created = api.create_ingress(spec).await?;
    tracing::info!(id = %created.id, kind = created.spec.input_type.label(), "ingress created");
    Ok(created)
}

/// Changes an ingress's settings.
pub async fn update_ingress(
    project: &ProjectHandle,
    id: &str,
    spec: &IngressSpec,
) -> AppResult<IngressInfo> {
    if let Some(e) = ingress::ingress_errors(spec).into_iter().next() {
        return Err(e);
    }
    let api = &project.api;
    Ok(api.update_ingress(id, spec).await?)
}

/// Every ingress of a project, or of one room.
pub async fn list_ingress(
    project: &ProjectHandle,
    room: Option<&str>,
) -> AppResult<Vec<IngressInfo>> {
    let api = &project.api;
    Ok(api.list_ingress(room).await?)
}

/// Deletes an ingress.
pub async fn delete_ingress(project: &ProjectHandle, id: &str) -> AppResult<()> {
    let api = &project.api;
    api.delete_ingress(id).await?;
    tracing::info!(%id, "ingress deleted");
    Ok(())
}
