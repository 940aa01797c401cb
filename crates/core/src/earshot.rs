//! [`Earshot`]: the one entry point the shell calls, one method per IPC command.

use crate::api::{self, Endpoint, RetryPolicy, ServerApi};
use crate::projects::{self, cli, Catalog, ProjectRecord, DEFAULT_KEY, PROJECT_PREFIX};
use crate::settings::SettingsStore;
use crate::vault::{Secret, Vault};
use earshot_protocol::admin::ParticipantDetail;
use earshot_protocol::projects::{
    CliProject, CliScan, ConnectionReport, ImportReport, ProjectId, ProjectInput, ProjectSummary,
    ProjectsView, SettingsProblem,
};
use earshot_protocol::rooms::RoomsSnapshot;
use earshot_protocol::validate::{self, ValidProject};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Result alias for everything the shell calls.
pub type AppResult<T> = Result<T, AppError>;

struct State {
    catalog: Catalog,
    current: Option<ProjectId>,
}

/// The application core: projects, their secrets and access to their servers.
pub struct Earshot {
    settings: Arc<dyn SettingsStore>,
    vault: Vault,
    state: RwLock<State>,
    /// Serialises changes so a check-then-write sequence is never interleaved.
    writes: tokio::sync::Mutex<()>,
    /// One API client per project, dropped whenever the project changes.
    clients: Mutex<HashMap<ProjectId, ServerApi>>,
    /// Hidden listen-in, shared by every page.
    pub(crate) listen: crate::listen::ListenHub,
    /// The wallboard's pollers, board and alert rules.
    pub(crate) monitor: crate::monitor::Monitor,
}

impl Earshot {
    /// Loads projects from `settings`; secrets are read from `vault` when first needed.
    pub fn new(settings: impl SettingsStore, vault: Vault) -> Self {
        let catalog = Catalog::load(&settings);
        let monitor = crate::monitor::Monitor::new(&settings);
        let current = catalog.default.clone().or_else(|| first_id(&catalog));
        Self {
            settings: Arc::new(settings),
            vault,
            state: RwLock::new(State { catalog, current }),
            writes: tokio::sync::Mutex::new(()),
            clients: Mutex::new(HashMap::new()),
            listen: crate::listen::ListenHub::new(&supervisor_name()),
            monitor,
        }
    }

    /// Everything the projects page shows.
    pub fn list_projects(&self) -> ProjectsView {
        let state = self.read();
        ProjectsView {
            projects: state.catalog.summaries(state.current.as_deref()),
            current: state.current.clone(),
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
        let secret = Secret::new(valid.api_secret.clone().unwrap_or_default());
        if verify {
            check(endpoint(&valid, secret.clone())).await?;
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        self.vault
            .set(&projects::secret_account(&id), secret)
            .await?;
        if let Err(err) = self.settings.set(&project_key(&id), record_json(&valid)) {
            // Keep the keychain free of secrets no project refers to.
            let _ = self.vault.delete(&projects::secret_account(&id)).await;
            return Err(err.into());
        }
        {
            let mut state = self.write();
            state.catalog.records.insert(id.clone(), record(&valid));
            if state.current.is_none() {
                state.current = Some(id.clone());
            }
        }
        if self.read().catalog.default.is_none() {
            self.persist_default(&id)?;
        }
        tracing::info!(project = %id, name = %valid.name, "project added");
        self.monitor.projects_changed(None);
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
        self.record(id)?;
        let valid = first_error(validate::project_form(&input, false))?;
        self.ensure_unique_name(&valid.name, Some(id))?;
        let account = projects::secret_account(id);
        let old_secret = self.vault.get(&account).await?;
        let new_secret = valid.api_secret.clone().map(Secret::new);
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
        self.forget_client(id);
        tracing::info!(project = %id, "project updated");
        self.monitor.projects_changed(Some(id));
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
            if state.current.as_deref() == Some(id) {
                state.current = state
                    .catalog
                    .default
                    .clone()
                    .or_else(|| first_id(&state.catalog));
            }
        }
        self.forget_client(id);
        self.monitor.projects_changed(Some(id));
        if let Err(err) = self.vault.delete(&projects::secret_account(id)).await {
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

    /// Makes `id` the project the pages work on.
    pub fn switch_project(&self, id: &str) -> AppResult<ProjectsView> {
        self.record(id)?;
        self.write().current = Some(id.to_owned());
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
            (Some(s), _) => Secret::new(s),
            (None, Some(id)) => self.stored_secret(id).await?,
            (None, None) => return Err(secret_missing_field()),
        };
        check(endpoint(&valid, secret)).await
    }

    /// Lists the projects of the `lk` CLI config at `path` (default location if `None`).
    pub fn scan_cli_config(&self, path: Option<&str>) -> AppResult<CliScan> {
        let path = cli_path(path)?;
        let config = cli::read(&path)?;
        let state = self.read();
        let projects = config
            .projects
            .iter()
            .map(|p| CliProject {
                name: p.name.clone(),
                url: validate::server_url(&p.url).unwrap_or_else(|_| p.url.clone()),
                api_key: p.api_key.clone(),
                is_cli_default: p.name == config.default_project,
                already_imported: state.catalog.by_name(p.name.trim()).is_some(),
                problem: p.problem(),
            })
            .collect();
        Ok(CliScan {
            path: path.display().to_string(),
            projects,
        })
    }

    /// Imports the named projects from the `lk` CLI config; secrets go to the vault only.
    pub async fn import_cli_projects(
        &self,
        path: Option<&str>,
        names: &[String],
    ) -> AppResult<ImportReport> {
        let path = cli_path(path)?;
        let config = cli::read(&path)?;
        let mut report = ImportReport {
            imported: Vec::new(),
            skipped: Vec::new(),
        };
        for name in names {
            let skip = |reason: String| SettingsProblem {
                entry: name.clone(),
                reason,
            };
            let Some(found) = config.projects.iter().find(|p| &p.name == name) else {
                report.skipped.push(skip("not in the lk CLI config".into()));
                continue;
            };
            if let Some(problem) = found.problem() {
                report.skipped.push(skip(problem));
                continue;
            }
            let input = ProjectInput {
                name: found.name.clone(),
                url: found.url.clone(),
                api_key: found.api_key.clone(),
                api_secret: earshot_protocol::SecretInput::new(found.api_secret.clone()),
            };
            match self.add_project(input, false).await {
                Ok(summary) => report.imported.push(summary),
                Err(err) => report.skipped.push(skip(err.message)),
            }
        }
        Ok(report)
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

    /// The rooms of `project` (the current project when `None`).
    pub async fn list_rooms(&self, project: Option<&str>) -> AppResult<RoomsSnapshot> {
        let id = self.resolve(project)?;
        let api = self.api(&id).await?;
        let started = Instant::now();
        let mut rooms = api
            .list_rooms(RetryPolicy::READS)
            .await
            .map_err(AppError::from)?;
        rooms.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(RoomsSnapshot {
            project_id: id,
            rooms,
            fetched_at_ms: unix_millis(),
            round_trip_ms: millis(started.elapsed()),
        })
    }

    /// The participants of `room` in `project` (current when `None`), hidden ones included.
    pub async fn list_participants(
        &self,
        project: Option<&str>,
        room: &str,
    ) -> AppResult<Vec<ParticipantDetail>> {
        let id = self.resolve(project)?;
        let api = self.api(&id).await?;
        Ok(api.list_participants(room).await?)
    }

    /// An API client for a project, built once and reused.
    pub async fn api(&self, id: &str) -> AppResult<ServerApi> {
        if let Some(api) = self.clients.lock().expect("clients poisoned").get(id) {
            return Ok(api.clone());
        }
        let api = ServerApi::for_calls(self.endpoint(id).await?)?;
        self.clients
            .lock()
            .expect("clients poisoned")
            .insert(id.to_owned(), api.clone());
        Ok(api)
    }

    pub(crate) async fn endpoint(&self, id: &str) -> AppResult<Endpoint> {
        let record = self.record(id)?;
        let secret = self.stored_secret(id).await?;
        Ok(Endpoint {
            url: record.url,
            api_key: record.api_key,
            api_secret: secret,
        })
    }

    async fn stored_secret(&self, id: &str) -> AppResult<Secret> {
        let name = self.record(id)?.name;
        self.vault
            .get(&projects::secret_account(id))
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::SecretMissing,
                    format!(
                        "The API secret of '{name}' is missing from the OS keychain. Edit the \
                     project and enter the secret again."
                    ),
                )
            })
    }

    pub(crate) fn project_name(&self, id: &str) -> AppResult<String> {
        Ok(self.record(id)?.name)
    }

    pub(crate) fn resolve(&self, project: Option<&str>) -> AppResult<ProjectId> {
        match project {
            Some(id) => self.record(id).map(|_| id.to_owned()),
            None => self.read().current.clone().ok_or_else(|| {
                AppError::new(
                    ErrorCode::NoProject,
                    "No project yet: add one on the Projects page.",
                )
            }),
        }
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
            .summaries(state.current.as_deref())
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

    fn forget_client(&self, id: &str) {
        self.clients.lock().expect("clients poisoned").remove(id);
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
    }
}

fn record_json(valid: &ValidProject) -> serde_json::Value {
    serde_json::to_value(record(valid)).unwrap_or_default()
}

fn project_key(id: &str) -> String {
    format!("{PROJECT_PREFIX}{id}")
}

fn first_id(catalog: &Catalog) -> Option<ProjectId> {
    catalog.summaries(None).first().map(|p| p.id.clone())
}

fn first_error(result: Result<ValidProject, Vec<AppError>>) -> AppResult<ValidProject> {
    result.map_err(|errors| {
        errors
            .into_iter()
            .next()
            .unwrap_or_else(|| AppError::new(ErrorCode::InvalidInput, "Invalid input."))
    })
}

fn secret_missing_field() -> AppError {
    AppError::field(
        ErrorCode::InvalidInput,
        "api_secret",
        "Enter the API secret.",
    )
}

fn cli_path(path: Option<&str>) -> AppResult<PathBuf> {
    match path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Ok(PathBuf::from(p)),
        None => cli::default_path().ok_or_else(|| {
            AppError::new(
                ErrorCode::CliConfigNotFound,
                "No home directory to look for the lk CLI config in.",
            )
        }),
    }
}

fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

pub(crate) fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Who listeners say they are: the OS user (a setting may override it later).
fn supervisor_name() -> String {
    std::env::var("EARSHOT_SUPERVISOR")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "supervisor".into())
}

impl Earshot {
    /// The settings store, for features that keep their own non-secret entries.
    pub(crate) fn settings_store(&self) -> &dyn SettingsStore {
        &*self.settings
    }

    /// The secret vault, for features that keep their own credentials.
    pub(crate) fn secret_vault(&self) -> &Vault {
        &self.vault
    }
}
