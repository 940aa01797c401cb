//! [`Earshot`]: the app's long-lived parts, built once and owned here: the project registry,
//! the listen hub, the wallboard, the audit and the webhook receiver. It adds no behaviour of its own; the shell calls each
//! feature's functions with the part or the [`ProjectHandle`] they take. No part holds it:
//! the wallboard follows the registry's `watch` channel instead of being called back.

use crate::audit::Audit;
use crate::history::Webhooks;
use crate::listen::ListenHub;

use crate::projects::{ProjectHandle, Projects};
use crate::result::AppResult;
use crate::settings::SettingsStore;
use crate::vault::Vault;
use crate::wallboard::Wallboard;
use std::sync::Arc;

/// The app's parts (see the module docs).
pub struct Earshot {
    projects: Arc<Projects>,
    listen: ListenHub,
    wallboard: Wallboard,
    audit: Audit,
    webhooks: Webhooks,
    /// The app's settings, for what no part owns (the window's look).
    settings: Arc<dyn SettingsStore>,
}

impl Earshot {
    /// Loads projects from `settings`; secrets are read from `vault` when first needed.
    pub fn new(settings: impl SettingsStore, vault: Vault) -> Self {
        let settings: Arc<dyn SettingsStore> = Arc::new(settings);
        let projects = Arc::new(Projects::new(settings.clone(), vault));
        let audit = Audit::new(&supervisor_name());
        let listen = ListenHub::new(&supervisor_name(), audit.clone(), projects.subscribe());
        let webhooks = Webhooks::new(projects.clone(), audit.clone(), settings.clone());
        let wallboard = Wallboard::new(
            settings.clone(),
            projects.clone(),
            listen.supervisor_info(),
            audit.clone(),
        );
        Self {
            projects,
            listen,
            wallboard,
            audit,
            webhooks,
            settings,
        }
    }

    /// The app's settings store (see [`crate::appearance`]).
    pub fn settings(&self) -> &dyn SettingsStore {
        &*self.settings
    }

    /// The project registry.
    pub fn projects(&self) -> &Arc<Projects> {
        &self.projects
    }

    /// The handle of project `id`.
    pub async fn project(&self, id: &str) -> AppResult<ProjectHandle> {
        self.projects.handle(id).await
    }

    /// Hidden listen-in, shared by every page.
    pub fn listen(&self) -> &ListenHub {
        &self.listen
    }

    /// The audit: entries go to the journal once it is attached.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The signed webhook receiver feeding call history (off unless turned on).
    pub fn webhooks(&self) -> &Webhooks {
        &self.webhooks
    }

    /// Closes down for the app's exit: leaves every listened room, room view and followed
    /// row (telling the server, so no room keeps a departed listener), journals the ended
    /// sessions and writes what the journal holds. Bounded by `within`.
    pub async fn shutdown(&self, within: std::time::Duration) {
        let started = std::time::Instant::now();
        let leave = async {
            tokio::join!(self.listen.stop_all(), self.wallboard.close_all(within));
        };
        if tokio::time::timeout(within, leave).await.is_err() {
            tracing::warn!("some rooms were still being left when the app closed");
        }
        if let Some(journal) = self.audit.journal() {
            let left = within
                .saturating_sub(started.elapsed())
                .max(std::time::Duration::from_millis(500));
            match tokio::time::timeout(left, journal.flush()).await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "the journal could not be written at exit")
                }
                Err(_) => tracing::warn!("the journal was still writing when the app closed"),
            }
        }
        tracing::info!(ms = started.elapsed().as_millis() as u64, "closed down");
    }

    /// The wallboard: pollers, board, alert rules, room views.
    pub fn wallboard(&self) -> &Wallboard {
        &self.wallboard
    }
}

/// Who listeners say they are: the OS user (a setting may override it later).
fn supervisor_name() -> String {
    std::env::var("EARSHOT_SUPERVISOR")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "supervisor".into())
}
