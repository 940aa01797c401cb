//! The stored form of projects: one settings entry per project, the default project, and
//! what could not be read.

use crate::settings::SettingsStore;
use earshot_protocol::guardrails::Guardrails;
use earshot_protocol::projects::{ProjectId, ProjectSummary, SettingsProblem};
use earshot_protocol::validate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Settings key prefix of project entries.
pub const PROJECT_PREFIX: &str = "projects.";
/// Settings key of the default project's id.
pub const DEFAULT_KEY: &str = "default_project";

/// A project's non-secret fields as stored in settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub name: String,
    pub url: String,
    pub api_key: String,
    /// Plain `ws://` to a non-local host was allowed explicitly (absent in older files).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_plaintext: bool,
    /// Monitoring limits (the defaults in older files).
    #[serde(default)]
    pub guardrails: Guardrails,
}

/// The vault account holding a project's API secret.
pub fn secret_account(id: &str) -> String {
    format!("project:{id}")
}

/// The settings key and vault account of a project's egress storage profile `name` (with an
/// empty name: the prefix of all of them).
pub fn storage_account(project: &str, name: &str) -> String {
    format!("storage:{project}:{name}")
}

/// All projects as loaded from settings, with what could not be read.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub records: BTreeMap<ProjectId, ProjectRecord>,
    pub default: Option<ProjectId>,
    pub problems: Vec<SettingsProblem>,
}

impl Catalog {
    /// Reads every project entry; unreadable ones become problems and are left as they are.
    pub fn load(settings: &dyn SettingsStore) -> Self {
        let mut catalog = Catalog {
            problems: settings.problems(),
            ..Default::default()
        };
        let mut default = None;
        for (key, value) in settings.entries() {
            if key == DEFAULT_KEY {
                match value {
                    Value::String(id) => default = Some(id),
                    Value::Null => {}
                    other => catalog.problem(&key, format!("expected a project id, found {other}")),
                }
                continue;
            }
            let Some(id) = key.strip_prefix(PROJECT_PREFIX) else {
                continue;
            };
            match serde_json::from_value::<ProjectRecord>(value) {
                Ok(record) => match check_record(&record) {
                    Ok(()) => {
                        catalog.records.insert(id.to_owned(), record);
                    }
                    Err(reason) => catalog.problem(&key, reason),
                },
                Err(e) => catalog.problem(&key, format!("could not be read: {e}")),
            }
        }
        catalog.default = default.filter(|id| catalog.records.contains_key(id));
        catalog
    }

    fn problem(&mut self, entry: &str, reason: String) {
        tracing::warn!(entry, "settings entry left untouched: {reason}");
        self.problems.push(SettingsProblem {
            entry: entry.to_owned(),
            reason,
        });
    }

    /// The project named `name` (case-insensitive), if any.
    pub fn by_name(&self, name: &str) -> Option<&ProjectId> {
        self.records
            .iter()
            .find(|(_, r)| r.name.eq_ignore_ascii_case(name))
            .map(|(id, _)| id)
    }

    /// Projects sorted by name for display.
    pub fn summaries(&self) -> Vec<ProjectSummary> {
        let mut list: Vec<_> = self
            .records
            .iter()
            .map(|(id, r)| ProjectSummary {
                id: id.clone(),
                name: r.name.clone(),
                url: r.url.clone(),
                api_key: r.api_key.clone(),
                is_default: self.default.as_deref() == Some(id),
                allow_plaintext: r.allow_plaintext,
                guardrails: r.guardrails,
            })
            .collect();
        list.sort_by_key(|p| p.name.to_lowercase());
        list
    }
}

fn check_record(record: &ProjectRecord) -> Result<(), String> {
    validate::project_name(&record.name).map_err(|e| e.message)?;
    let url = validate::server_url(&record.url).map_err(|e| e.message)?;
    if url != record.url {
        return Err(format!("the URL '{}' is not in normal form", record.url));
    }
    validate::api_key(&record.api_key).map_err(|e| e.message)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::MemorySettings;
    use std::sync::Arc;

    #[test]
    fn damaged_entries_are_reported_and_others_load() {
        let mut map = serde_json::Map::new();
        map.insert(
            "projects.a".into(),
            serde_json::json!({"name": "A", "url": "ws://127.0.0.1:7880", "api_key": "k"}),
        );
        map.insert("projects.b".into(), serde_json::json!({"name": 5}));
        map.insert(
            "projects.c".into(),
            serde_json::json!({"name": "C", "url": "ftp://x", "api_key": "k"}),
        );
        map.insert(DEFAULT_KEY.into(), serde_json::json!("a"));
        let settings = Arc::new(MemorySettings::with_entries(map));
        let catalog = Catalog::load(&settings);
        assert_eq!(catalog.records.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(catalog.default.as_deref(), Some("a"));
        let entries: Vec<_> = catalog.problems.iter().map(|p| p.entry.as_str()).collect();
        assert_eq!(entries, ["projects.b", "projects.c"]);
        // Nothing was rewritten.
        assert_eq!(settings.entries().len(), 4);
    }
}
