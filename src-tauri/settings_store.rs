//! Settings in `<data dir>/settings.json` through tauri-plugin-store, with the care the
//! plugin lacks: an unreadable file is moved aside and reported (the plugin would silently
//! start empty and overwrite it), every save is atomic and private (0600 in a 0700
//! directory), and the plugin's own save on exit never touches the file.

use earshot_core::protocol::projects::SettingsProblem;
use earshot_core::settings::{self, SettingsError, SettingsStore};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreBuilder};

/// The settings store of a running app.
pub struct PluginSettings<R: Runtime> {
    store: Arc<Store<R>>,
    path: PathBuf,
    problems: Vec<SettingsProblem>,
}

impl<R: Runtime> PluginSettings<R> {
    /// Opens (or creates) `settings.json` in `dir`.
    pub fn open(app: &AppHandle<R>, dir: &Path) -> Result<Self, tauri_plugin_store::Error> {
        let path = dir.join("settings.json");
        let problems = settings::check_file(&path).problems;
        let store = StoreBuilder::new(app, &path).disable_auto_save().build()?;
        // The plugin saves every store it holds on exit with a plain (truncating) write; a
        // crash during quit would then truncate the file. Taking ours out of its table
        // leaves every write to `write_atomic` below.
        store.close_resource();
        Ok(Self {
            store,
            path,
            problems,
        })
    }

    fn persist(&self) -> Result<(), SettingsError> {
        let map = self.store.entries().into_iter().collect();
        settings::write_atomic(&self.path, &map)
    }

    /// Applies a change in memory, persists it, and undoes it in memory if saving failed.
    fn change(&self, key: &str, new: Option<Value>) -> Result<(), SettingsError> {
        let old = self.store.get(key);
        match &new {
            Some(value) => self.store.set(key, value.clone()),
            None => {
                self.store.delete(key);
            }
        }
        self.persist().inspect_err(|_| match old {
            Some(value) => self.store.set(key, value),
            None => {
                self.store.delete(key);
            }
        })
    }
}

impl<R: Runtime> SettingsStore for PluginSettings<R> {
    fn entries(&self) -> Vec<(String, Value)> {
        self.store.entries()
    }

    fn set(&self, key: &str, value: Value) -> Result<(), SettingsError> {
        self.change(key, Some(value))
    }

    fn delete(&self, key: &str) -> Result<(), SettingsError> {
        self.change(key, None)
    }

    fn problems(&self) -> Vec<SettingsProblem> {
        self.problems.clone()
    }
}
