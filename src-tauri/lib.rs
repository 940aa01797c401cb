//! Earshot's desktop shell: wires the core into Tauri. Commands are one-line wrappers
//! (see `commands/`); behaviour lives in `earshot-core`.
#![forbid(unsafe_code)]

mod cli_file;
mod commands;
mod dev_project;
mod exit;
mod instance;
mod logging;
mod navigation;
mod rendering;
mod settings_store;

use earshot_core::vault::Vault;
use earshot_core::Earshot;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Manager, Runtime};

/// The core as Tauri state.
pub type Core = Arc<Earshot>;

/// What differs between a real run and a test.
pub struct Options {
    /// Where settings and logs go; the platform's app data dir when `None`.
    pub data_dir: Option<PathBuf>,
    /// Where secrets go; the OS keychain when `None`.
    pub vault: Option<Vault>,
    /// The `lk` CLI config read until another is picked; `~/.livekit/cli-config.yaml` when
    /// `None`.
    pub cli_config: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            data_dir: std::env::var_os("EARSHOT_DATA_DIR").map(PathBuf::from),
            vault: None,
            cli_config: None,
        }
    }
}

/// Adds Earshot's plugins and commands to `builder` (real or mock runtime).
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        // Used from Rust only (the lk CLI config picker); the webview is granted none of it.
        .plugin(tauri_plugin_dialog::init())
        .plugin(navigation::guard())
        .invoke_handler(commands::handler())
}

/// Creates the core (settings, vault, logs) and hands it to Tauri as state. The real app
/// calls this from `setup`; tests call it directly, as the mock runtime runs no setup.
pub fn init<R: Runtime>(
    app: &tauri::AppHandle<R>,
    options: Options,
) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = data_dir(app, &options)?;
    // Settings, logs, the journal and its installation id all live here: private from the
    // start, not only once settings are first saved.
    if let Err(err) = earshot_core::settings::private_dir(&data_dir) {
        eprintln!("Earshot: cannot make {} private: {err}", data_dir.display());
    }
    logging::init(&data_dir.join("logs"));
    tracing::info!(data_dir = %data_dir.display(), "Earshot starting");
    let settings = settings_store::PluginSettings::open(app, &data_dir)?;
    let vault = options.vault.unwrap_or_else(Vault::keychain);
    let core: Core = Arc::new(Earshot::new(settings, vault.clone()));
    tauri::async_runtime::spawn(core.audit().clone().run_journal(data_dir.clone(), vault));
    let hooks = core.clone();
    tauri::async_runtime::spawn(async move {
        hooks.webhooks().start().await;
    });
    dev_project::ensure_from_env(core.clone());
    app.manage(core);
    app.manage(cli_file::CliConfigFile::new(options.cli_config));
    Ok(())
}

/// Where settings, logs and the journal live: the option, or the platform's app data dir.
fn data_dir<R: Runtime>(
    app: &tauri::AppHandle<R>,
    options: &Options,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    Ok(match &options.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir()?,
    })
}

/// Runs the desktop app.
pub fn run() {
    rendering::choose();
    let app = builder(tauri::Builder::default())
        .setup(|app| {
            let options = Options::default();
            // Before anything opens the data dir's files: a second instance leaves here.
            instance::claim_or_exit(app.handle(), &data_dir(app.handle(), &options)?);
            init(app.handle(), options)?;
            exit::on_signals(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(exit::on_event),
        Err(err) => {
            eprintln!("Earshot could not start: {err}");
            std::process::exit(1);
        }
    }
}
