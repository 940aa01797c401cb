//! Which `lk` CLI config the import reads: the default location, or a file the supervisor
//! picked in a native dialog. The path is chosen here, never sent by the webview, so a page
//! cannot make the backend read an arbitrary file.

use earshot_core::projects::import;
use earshot_core::protocol::{AppError, ErrorCode};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The config file in use (Tauri state).
pub struct CliConfigFile {
    /// Where to look when nothing was picked (`None`: the CLI's own default).
    default: Option<PathBuf>,
    picked: Mutex<Option<PathBuf>>,
}

impl CliConfigFile {
    pub fn new(default: Option<PathBuf>) -> Self {
        Self {
            default,
            picked: Mutex::new(None),
        }
    }

    /// The file to read: the one picked last, else the default location.
    pub fn current(&self) -> Result<PathBuf, AppError> {
        let picked = self
            .picked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match picked.or_else(|| self.default.clone()) {
            Some(path) => Ok(path),
            None => import::default_cli_path(),
        }
    }

    /// Remembers a picked file that could be read.
    pub fn set(&self, path: PathBuf) {
        *self.picked.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }

    /// Asks the supervisor for a file in a native dialog; `None` when cancelled.
    pub async fn pick<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Option<PathBuf>, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut dialog = app
            .dialog()
            .file()
            .set_title("Choose the lk CLI config")
            .add_filter("YAML", &["yaml", "yml"]);
        if let Some(dir) = self
            .current()
            .ok()
            .and_then(|p| p.parent().map(PathBuf::from))
        {
            dialog = dialog.set_directory(dir);
        }
        dialog.pick_file(move |picked| {
            let _ = tx.send(picked);
        });
        let Some(picked) = rx.await.ok().flatten() else {
            return Ok(None);
        };
        picked.into_path().map(Some).map_err(|_| {
            AppError::new(
                ErrorCode::CliConfigInvalid,
                "That choice is not a local file; pick the cli-config.yaml file on this computer.",
            )
        })
    }
}
