//! Egress on a [`ProjectHandle`]: input checked by the protocol's rules before sending, storage
//! credentials fetched from the keychain only for the request that uses them.

use crate::projects::{ProjectHandle, Projects};
use crate::result::AppResult;
use earshot_protocol::egress::{EgressRequest, EgressSummary};
use earshot_protocol::egress_rules;
use earshot_protocol::{AppError, ErrorCode};

/// Starts an egress.
pub async fn start_egress(
    projects: &Projects,
    project: &ProjectHandle,
    request: &EgressRequest,
) -> AppResult<EgressSummary> {
    if let Some(e) = egress_rules::egress_errors(request).into_iter().next() {
        return Err(e);
    }
    let upload = if request.storage.is_empty() {
        None
    } else if earshot_protocol::validate::plaintext_leaves_machine(&project.endpoint().url) {
        // The request would carry the storage credential to the server in the clear.
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            "storage",
            "Storage credentials are only sent over wss:// (or to a server on this machine); \
             this project uses unencrypted ws://. Use the server's default storage, or switch \
             the project to wss://.",
        ));
    } else {
        Some(crate::storage::storage_upload(projects, &project.id, &request.storage).await?)
    };
    let api = &project.api;
    let started = api.start_egress(request, upload.as_ref()).await?;
    tracing::info!(id = %started.id, kind = started.kind.label(), "egress started");
    Ok(started)
}

/// Egresses of a project (or one room).
pub async fn list_egress(
    project: &ProjectHandle,
    room: Option<&str>,
    active_only: bool,
) -> AppResult<Vec<EgressSummary>> {
    let api = &project.api;
    Ok(api.list_egress(room, active_only).await?)
}

/// Stops an egress.
pub async fn stop_egress(project: &ProjectHandle, id: &str) -> AppResult<EgressSummary> {
    let api = &project.api;
    Ok(api.stop_egress(id).await?)
}

/// Changes a room composite egress's layout.
pub async fn update_egress_layout(
    project: &ProjectHandle,
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
    let api = &project.api;
    Ok(api.update_egress_layout(id, layout).await?)
}

/// Adds or removes stream URLs of a running egress.
pub async fn update_egress_stream(
    project: &ProjectHandle,
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
    let api = &project.api;
    Ok(api.update_egress_stream(id, add, remove).await?)
}
