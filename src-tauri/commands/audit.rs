//! The audit: its page, verification, export, and the journal's health.

use crate::Core;
use earshot_core::protocol::audit::{AuditPage, ChainReport, JournalHealth};
use earshot_core::protocol::command::*;
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn query_audit(core: State<'_, Core>, args: QueryAudit) -> Reply<AuditPage> {
    core.audit().query(&args.filter).await
}

#[tauri::command]
pub async fn verify_audit(core: State<'_, Core>, args: VerifyAudit) -> Reply<Vec<ChainReport>> {
    let VerifyAudit {} = args;
    core.audit().verify().await
}

#[tauri::command]
pub async fn export_audit(core: State<'_, Core>, args: ExportAudit) -> Reply<String> {
    core.audit().export(&args.filter, args.format).await
}

#[tauri::command]
pub async fn journal_health(core: State<'_, Core>, args: GetJournalHealth) -> Reply<JournalHealth> {
    let GetJournalHealth {} = args;
    core.audit().health()
}
