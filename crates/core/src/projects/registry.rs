//! [`Projects`]: the registry of projects (settings + keychain) that resolves a
//! [`ProjectId`] to a [`ProjectHandle`] and publishes every change on a `watch` channel, so
//! features that follow the project list (the wallboard) subscribe instead of being called.

use super::catalog::{
    secret_account, storage_account, Catalog, ProjectRecord, DEFAULT_KEY, PROJECT_PREFIX,
};
use crate::api::{self, Endpoint, RetryPolicy, ServerApi};
use crate::clock::millis;
use crate::result::AppResult;
use crate::settings::SettingsStore;
use crate::vault::{Secret, Vault};
use earshot_protocol::projects::{
    ConnectionReport, ProjectId, ProjectInput, ProjectSummary, ProjectsView, SettingsProblem,
};
use earshot_protocol::validate::{self, ValidProject};
use earshot_protocol::{AppError, ErrorCode, SecretInput};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::watch;

/// One project, ready to call: its id and name, and the one client every call to its server
/// goes through (the client holds the endpoint with the secret; nothing copies it out).
#[derive(Clone, Debug)]
pub struct ProjectHandle {
    pub id: ProjectId,
    pub name: String,
    pub api: ServerApi,
    /// The project's [`ProjectEntry::credentials`] when this handle was built: connections
    /// made with it end once the registry announces a newer one (or the project is gone).
    pub credentials: u64,
    /// The project's monitoring limits when this handle was built.
    pub guardrails: earshot_protocol::guardrails::Guardrails,
}

impl ProjectHandle {
    /// Where the project's server is and the key to sign its tokens with.
    pub fn endpoint(&self) -> &Endpoint {
        self.api.endpoint()
    }
}

/// A project as features following the list see it; a new `revision` means its name,
/// server or credentials changed, a new `credentials` that its server, key or secret did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectEntry {
    pub id: ProjectId,
    pub name: String,
    pub revision: u64,
    pub credentials: u64,
}

/// Whether a connection made with `handle` may go on under the project list `now`: the
/// project still exists and its server, key and secret are the ones the handle had.
pub fn still_valid(now: &[ProjectEntry], project: &str, credentials: u64) -> bool {
    now.iter()
        .any(|e| e.id == project && e.credentials == credentials)
}

struct State {
    catalog: Catalog,
    revisions: HashMap<ProjectId, u64>,
    credentials: HashMap<ProjectId, u64>,
}

/// The projects, their secrets and one [`ProjectHandle`] per project.
pub struct Projects {
    settings: Arc<dyn SettingsStore>,
    vault: Vault,
    state: RwLock<State>,
    /// Serialises changes so a check-then-write sequence is never interleaved.
    writes: tokio::sync::Mutex<()>,
    /// One handle per project, dropped whenever the project changes.
    handles: Mutex<HashMap<ProjectId, ProjectHandle>>,
    changes: watch::Sender<Vec<ProjectEntry>>,
}

impl Projects {
    /// Loads projects from `settings`; secrets are read from `vault` when first needed.
    pub fn new(settings: Arc<dyn SettingsStore>, vault: Vault) -> Self {
        let catalog = Catalog::load(&*settings);
        let state = State {
            catalog,
            revisions: HashMap::new(),
            credentials: HashMap::new(),
        };
        let (changes, _) = watch::channel(entries(&state));
        Self {
            settings,
            vault,
            state: RwLock::new(state),
            writes: tokio::sync::Mutex::new(()),
            handles: Mutex::new(HashMap::new()),
            changes,
        }
    }

    /// The project list now and on every later change.
    pub fn subscribe(&self) -> watch::Receiver<Vec<ProjectEntry>> {
        self.changes.subscribe()
    }

    /// A project's handle, built once and reused until the project changes.
    pub async fn handle(&self, id: &str) -> AppResult<ProjectHandle> {
        if let Some(handle) = guard(&self.handles).get(id) {
            return Ok(handle.clone());
        }
        // Read before the secret: a handle built across an edit carries the older value and
        // is retired with the connections it made.
        let credentials = self.read().credentials.get(id).copied().unwrap_or(0);
        let record = self.record(id)?;
        let handle = ProjectHandle {
            id: id.to_owned(),
            name: record.name,
            api: ServerApi::for_calls(self.endpoint(id).await?)?,
            credentials,
            guardrails: record.guardrails,
        };
        guard(&self.handles).insert(id.to_owned(), handle.clone());
        Ok(handle)
    }

    /// Announces the project list to subscribers; `edited` gets a new revision, and a new
    /// credentials number when `credentials_changed`.
    fn publish(&self, edited: Option<&str>, credentials_changed: bool) {
        let list = {
            let mut state = self.write();
            if let Some(id) = edited {
                *state.revisions.entry(id.to_owned()).or_default() += 1;
                if credentials_changed {
                    *state.credentials.entry(id.to_owned()).or_default() += 1;
                }
            }
            entries(&state)
        };
        self.changes.send_replace(list);
    }

    /// Everything the projects page shows.
    pub fn list_projects(&self) -> ProjectsView {
        let state = self.read();
        ProjectsView {
            projects: state.catalog.summaries(),
            problems: state.catalog.problems.clone(),
        }
    }

    /// Adds a project, checking the connection first when `verify` is set.
    pub async fn add_project(
        &self,
        input: ProjectInput,
        verify: bool,
    ) -> AppResult<ProjectSummary> {
        let _write = self.writes.lock().await;
        let valid = first_error(validate::project_form(&input, true))?;
        self.ensure_unique_name(&valid.name, None)?;
        let secret = Secret::new(
            valid
                .api_secret
                .clone()
                .map(SecretInput::into_inner)
                .unwrap_or_default(),
        );
        if verify {
            check(endpoint(&valid, secret.clone())).await?;
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        self.vault.set(&secret_account(&id), secret).await?;
        if let Err(err) = self.settings.set(&project_key(&id), record_json(&valid)) {
            // Keep the keychain free of secrets no project refers to.
            let _ = self.vault.delete(&secret_account(&id)).await;
            return Err(err.into());
        }
        {
            let mut state = self.write();
            state.catalog.records.insert(id.clone(), record(&valid));
        }
        if self.read().catalog.default.is_none() {
            self.persist_default(&id)?;
        }
        tracing::info!(project = %id, name = %valid.name, "project added");
        self.publish(None, false);
        self.summary(&id)
    }

    /// Edits a project; an empty secret keeps the stored one.
    pub async fn update_project(
        &self,
        id: &str,
        input: ProjectInput,
        verify: bool,
    ) -> AppResult<ProjectSummary> {
        let _write = self.writes.lock().await;
        let stored = self.record(id)?;
        let valid = first_error(validate::project_form(&input, false))?;
        self.ensure_unique_name(&valid.name, Some(id))?;
        if valid.api_secret.is_none() && !same_server(&stored.url, &valid.url) {
            return Err(server_changed_field());
        }
        let account = secret_account(id);
        let old_secret = self.vault.get(&account).await?;
        let new_secret = valid
            .api_secret
            .clone()
            .map(|s| Secret::new(s.into_inner()));
        let credentials_changed =
            new_secret.is_some() || stored.url != valid.url || stored.api_key != valid.api_key;
        let secret = match (&new_secret, &old_secret) {
            (Some(s), _) | (None, Some(s)) => s.clone(),
            (None, None) => return Err(secret_missing_field()),
        };
        if verify {
            check(endpoint(&valid, secret.clone())).await?;
        }
        if let Some(new) = new_secret {
            self.vault.set(&account, new).await?;
        }
        if let Err(err) = self.settings.set(&project_key(id), record_json(&valid)) {
            if let (Some(old), Some(_)) = (old_secret, &valid.api_secret) {
                let _ = self.vault.set(&account, old).await;
            }
            return Err(err.into());
        }
        self.write()
            .catalog
            .records
            .insert(id.to_owned(), record(&valid));
        self.forget_handle(id);
        tracing::info!(project = %id, credentials_changed, "project updated");
        self.publish(Some(id), credentials_changed);
        self.summary(id)
    }

    /// Removes a project and its secret.
    pub async fn remove_project(&self, id: &str) -> AppResult<ProjectsView> {
        let _write = self.writes.lock().await;
        self.record(id)?;
        self.settings.delete(&project_key(id))?;
        let was_default = self.read().catalog.default.as_deref() == Some(id);
        if was_default {
            self.settings.delete(DEFAULT_KEY)?;
        }
        {
            let mut state = self.write();
            state.catalog.records.remove(id);
            if was_default {
                state.catalog.default = None;
            }
        }
        self.forget_handle(id);
        self.publish(Some(id), true);
        self.forget_storage(id).await;
        if let Err(err) = self.vault.delete(&secret_account(id)).await {
            // The project is gone either way; say that its secret may linger.
            let problem = SettingsProblem {
                entry: format!("keychain entry project:{id}"),
                reason: format!("the project was removed but its secret could not be: {err}"),
            };
            self.write().catalog.problems.push(problem);
        }
        tracing::info!(project = %id, "project removed");
        Ok(self.list_projects())
    }

    /// Makes `id` the project opened at start-up.
    pub async fn set_default_project(&self, id: &str) -> AppResult<ProjectsView> {
        let _write = self.writes.lock().await;
        self.record(id)?;
        self.persist_default(id)?;
        Ok(self.list_projects())
    }

    /// Checks a saved project's connection and credentials.
    pub async fn check_project(&self, id: &str) -> AppResult<ConnectionReport> {
        let endpoint = self.endpoint(id).await?;
        check(endpoint).await
    }

    /// Checks unsaved form input; on edit (`id` set) an empty secret means the stored one.
    pub async fn check_project_input(
        &self,
        input: ProjectInput,
        id: Option<&str>,
    ) -> AppResult<ConnectionReport> {
        let valid = first_error(validate::project_form(&input, id.is_none()))?;
        let secret = match (valid.api_secret.clone(), id) {
            (Some(s), _) => Secret::new(s.into_inner()),
            // The stored secret only ever goes to the server it was typed for.
            (None, Some(id)) if same_server(&self.record(id)?.url, &valid.url) => {
                self.stored_secret(id).await?
            }
            (None, Some(_)) => return Err(server_changed_field()),
            (None, None) => return Err(secret_missing_field()),
        };
        check(endpoint(&valid, secret)).await
    }

    /// Adds the project named in `input`, or updates the one with that name (used to
    /// preconfigure a local dev server); returns its id either way.
    pub async fn ensure_project(&self, input: ProjectInput) -> AppResult<ProjectId> {
        let existing = self.read().catalog.by_name(input.name.trim()).cloned();
        if let Some(id) = existing {
            // The dev server's port and the keychain holding its secret may differ from
            // the last run: refresh both rather than keep a project that cannot connect.
            return Ok(self.update_project(&id, input, false).await?.id);
        }
        Ok(self.add_project(input, false).await?.id)
    }

    pub(crate) async fn endpoint(&self, id: &str) -> AppResult<Endpoint> {
        let record = self.record(id)?;
        // A project saved before plaintext needed an opt-in stays unused until edited.
        if let Some(host) = validate::plaintext_public_host(&record.url) {
            if !record.allow_plaintext {
                return Err(AppError::new(
                    ErrorCode::InvalidUrl,
                    format!(
                        "'{}' uses ws:// to {host}, which would send tokens unencrypted. Edit \
                         the project: use wss://, or allow an unencrypted connection.",
                        record.name
                    ),
                ));
            }
        }
        let secret = self.stored_secret(id).await?;
        Ok(Endpoint {
            url: record.url,
            api_key: record.api_key,
            api_secret: secret,
        })
    }

    async fn stored_secret(&self, id: &str) -> AppResult<Secret> {
        let name = self.record(id)?.name;
        self.vault.get(&secret_account(id)).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::SecretMissing,
                format!(
                    "The API secret of '{name}' is missing from the OS keychain. Edit the \
                     project and enter the secret again."
                ),
            )
        })
    }

    /// The handle of the project opened at start-up (see [`Projects::default_project`]).
    pub async fn default_handle(&self) -> AppResult<ProjectHandle> {
        self.handle(&self.default_project()?).await
    }

    /// The id of the project named `name`, if there is one.
    pub fn named(&self, name: &str) -> Option<ProjectId> {
        self.read().catalog.by_name(name).cloned()
    }

    /// `NotFound` unless `id` is a project's.
    pub fn require(&self, id: &str) -> AppResult<()> {
        self.record(id).map(|_| ())
    }

    /// The project opened at start-up: the default, else the first by name.
    pub fn default_project(&self) -> AppResult<ProjectId> {
        let state = self.read();
        state
            .catalog
            .default
            .clone()
            .filter(|id| state.catalog.records.contains_key(id))
            .or_else(|| first_id(&state.catalog))
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NoProject,
                    "No project yet: add one on the Projects page.",
                )
            })
    }

    /// The projects whose API key is `api_key` (a webhook names its key, not its project).
    pub fn with_api_key(&self, api_key: &str) -> Vec<ProjectId> {
        let state = self.read();
        state
            .catalog
            .records
            .iter()
            .filter(|(_, r)| r.api_key == api_key)
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn record(&self, id: &str) -> AppResult<ProjectRecord> {
        self.read()
            .catalog
            .records
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "That project no longer exists."))
    }

    fn summary(&self, id: &str) -> AppResult<ProjectSummary> {
        let state = self.read();
        state
            .catalog
            .summaries()
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "project vanished after saving"))
    }

    fn ensure_unique_name(&self, name: &str, except: Option<&str>) -> AppResult<()> {
        match self.read().catalog.by_name(name) {
            Some(other) if Some(other.as_str()) != except => Err(AppError::field(
                ErrorCode::DuplicateName,
                "name",
                format!("A project named '{name}' exists already."),
            )),
            _ => Ok(()),
        }
    }

    fn persist_default(&self, id: &str) -> AppResult<()> {
        self.settings
            .set(DEFAULT_KEY, serde_json::Value::String(id.to_owned()))?;
        self.write().catalog.default = Some(id.to_owned());
        Ok(())
    }

    fn forget_handle(&self, id: &str) {
        guard(&self.handles).remove(id);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs ListRooms once with the short check timeout and no retry.
async fn check(endpoint: Endpoint) -> AppResult<ConnectionReport> {
    let api = ServerApi::new(endpoint, api::CHECK_TIMEOUT)?;
    let started = Instant::now();
    let rooms = api.list_rooms(RetryPolicy::NONE).await?;
    Ok(ConnectionReport {
        rooms: rooms.len() as u32,
        round_trip_ms: millis(started.elapsed()),
    })
}

fn endpoint(valid: &ValidProject, secret: Secret) -> Endpoint {
    Endpoint {
        url: valid.url.clone(),
        api_key: valid.api_key.clone(),
        api_secret: secret,
    }
}

fn record(valid: &ValidProject) -> ProjectRecord {
    ProjectRecord {
        name: valid.name.clone(),
        url: valid.url.clone(),
        api_key: valid.api_key.clone(),
        allow_plaintext: valid.allow_plaintext,
        guardrails: valid.guardrails,
    }
}

fn record_json(valid: &ValidProject) -> serde_json::Value {
    serde_json::to_value(record(valid)).unwrap_or_default()
}

fn project_key(id: &str) -> String {
    format!("{PROJECT_PREFIX}{id}")
}

fn first_id(catalog: &Catalog) -> Option<ProjectId> {
    catalog.summaries().first().map(|p| p.id.clone())
}

fn first_error(result: Result<ValidProject, Vec<AppError>>) -> AppResult<ValidProject> {
    result.map_err(|errors| {
        errors
            .into_iter()
            .next()
            .unwrap_or_else(|| AppError::new(ErrorCode::InvalidInput, "Invalid input."))
    })
}

/// Whether two normalised signal URLs name the same server (scheme, host and port; a path
/// is the same server behind a proxy prefix, so it does not count).
fn same_server(a: &str, b: &str) -> bool {
    fn origin(url: &str) -> &str {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let end = rest.find('/').unwrap_or(rest.len());
        &url[..url.len() - rest.len() + end]
    }
    origin(a) == origin(b)
}

fn server_changed_field() -> AppError {
    AppError::field(
        ErrorCode::InvalidInput,
        "api_secret",
        "The server changed: enter the API secret again. The stored secret is only ever sent \
         to the server it was saved for.",
    )
}

fn secret_missing_field() -> AppError {
    AppError::field(
        ErrorCode::InvalidInput,
        "api_secret",
        "Enter the API secret.",
    )
}

fn entries(state: &State) -> Vec<ProjectEntry> {
    state
        .catalog
        .records
        .iter()
        .map(|(id, record)| ProjectEntry {
            id: id.clone(),
            name: record.name.clone(),
            revision: state.revisions.get(id).copied().unwrap_or(0),
            credentials: state.credentials.get(id).copied().unwrap_or(0),
        })
        .collect()
}

fn guard<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Projects {
    /// Deletes the project's storage profiles and their keychain credentials; what cannot be
    /// deleted is listed as a problem on the Projects page.
    async fn forget_storage(&self, id: &str) {
        let prefix = storage_account(id, "");
        let keys: Vec<String> = self
            .settings
            .entries()
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| key.starts_with(&prefix))
            .collect();
        for key in keys {
            let settings = self.settings.delete(&key).map_err(AppError::from);
            let vault = self.vault.delete(&key).await.map_err(AppError::from);
            if let Err(err) = settings.and(vault) {
                let problem = SettingsProblem {
                    entry: key,
                    reason: format!(
                        "the project was removed but this storage profile could not be: {err}"
                    ),
                };
                self.write().catalog.problems.push(problem);
            }
        }
    }

    /// The settings store, for features that keep their own non-secret entries.
    pub fn settings(&self) -> &dyn SettingsStore {
        &*self.settings
    }

    /// The secret vault, for features that keep their own credentials.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
}
