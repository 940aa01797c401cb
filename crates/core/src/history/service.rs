//! The webhook receiver as a setting: off by default; when on, it listens where the
//! settings say (loopback by default) and is restarted when they change. A receiver that
//! cannot bind is reported in its status, not fatal.

use super::webhook::WebhookReceiver;
use crate::audit::Audit;
use crate::projects::Projects;
use crate::result::AppResult;
use crate::settings::SettingsStore;
use earshot_protocol::history::{WebhookSettings, WebhookStatus};
use earshot_protocol::{AppError, ErrorCode};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// The settings key of the receiver's settings.
pub const SETTINGS_KEY: &str = "webhook_receiver";

/// The receiver, started and stopped by its settings.
pub struct Webhooks {
    projects: Arc<Projects>,
    audit: Audit,
    settings: Arc<dyn SettingsStore>,
    running: tokio::sync::Mutex<Option<WebhookReceiver>>,
    error: Mutex<Option<String>>,
}

impl Webhooks {
    pub(crate) fn new(
        projects: Arc<Projects>,
        audit: Audit,
        settings: Arc<dyn SettingsStore>,
    ) -> Self {
        Self {
            projects,
            audit,
            settings,
            running: tokio::sync::Mutex::new(None),
            error: Mutex::new(None),
        }
    }

    /// The stored settings (the defaults where none or unreadable ones are stored).
    pub fn settings(&self) -> WebhookSettings {
        self.settings
            .entries()
            .into_iter()
            .find(|(k, _)| k == SETTINGS_KEY)
            .and_then(|(_, v)| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    /// Starts the receiver if the stored settings turn it on (at app start).
    pub async fn start(&self) -> WebhookStatus {
        let settings = self.settings();
        self.apply(&settings).await
    }

    /// Checks, stores and applies new settings.
    pub async fn save(&self, settings: WebhookSettings) -> AppResult<WebhookStatus> {
        address(&settings)?;
        let value = serde_json::to_value(&settings)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.settings.set(SETTINGS_KEY, value)?;
        Ok(self.apply(&settings).await)
    }

    /// Where it listens and what it refused so far.
    pub async fn status(&self) -> WebhookStatus {
        let running = self.running.lock().await;
        let mut status = running.as_ref().map(|r| r.status()).unwrap_or_default();
        status.error = self.error.lock().unwrap_or_else(|p| p.into_inner()).clone();
        status
    }

    async fn apply(&self, settings: &WebhookSettings) -> WebhookStatus {
        let mut running = self.running.lock().await;
        // The old one first: the new one may want its port.
        *running = None;
        let mut error = None;
        if settings.enabled {
            match address(settings) {
                Ok(addr) => {
                    match WebhookReceiver::start(addr, self.projects.clone(), self.audit.clone())
                        .await
                    {
                        Ok(r) => *running = Some(r),
                        Err(e) => error = Some(format!("Cannot listen on {addr}: {e}")),
                    }
                }
                Err(e) => error = Some(e.message),
            }
        }
        if let Some(e) = &error {
            tracing::warn!("webhook receiver: {e}");
        }
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = error.clone();
        let mut status = running.as_ref().map(|r| r.status()).unwrap_or_default();
        status.error = error;
        status
    }
}

fn address(s: &WebhookSettings) -> AppResult<SocketAddr> {
    let ip: IpAddr = s.bind.trim().parse().map_err(|_| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "\"{}\" is not an IP address to listen on (e.g. 127.0.0.1).",
                s.bind
            ),
        )
    })?;
    if s.port == 0 {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "The webhook port must be between 1 and 65535.",
        ));
    }
    Ok(SocketAddr::new(ip, s.port))
}
