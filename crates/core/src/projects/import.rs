//! Importing projects from the `lk` CLI's config: list what it holds, then add the chosen
//! ones (their secrets go to the vault like any other).

use super::cli;
use super::registry::Projects;
use crate::result::AppResult;
use earshot_protocol::projects::{
    CliProject, CliScan, ImportReport, ProjectInput, SettingsProblem,
};
use earshot_protocol::validate;
use earshot_protocol::{AppError, ErrorCode};
use std::path::{Path, PathBuf};

/// Lists the projects of the `lk` CLI config at `path` (chosen by the app, never by the
/// webview: the default location or a file the user picked in a native dialog).
pub async fn scan_cli_config(projects: &Projects, path: &Path) -> AppResult<CliScan> {
    let config = read(path).await?;
    let projects = config
        .projects
        .iter()
        .map(|p| CliProject {
            name: p.name.clone(),
            url: validate::server_url(&p.url).unwrap_or_else(|_| p.url.clone()),
            api_key: p.api_key.clone(),
            is_cli_default: p.name == config.default_project,
            already_imported: projects.named(p.name.trim()).is_some(),
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
    projects: &Projects,
    path: &Path,
    names: &[String],
) -> AppResult<ImportReport> {
    let config = read(path).await?;
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
            api_secret: found.api_secret.clone(),
            allow_plaintext: false,
            guardrails: Default::default(),
        };
        match projects.add_project(input, false).await {
            Ok(summary) => report.imported.push(summary),
            Err(err) => report.skipped.push(skip(err.message)),
        }
    }
    Ok(report)
}

/// Reads the config off the async workers (a slow disk must not stall other commands).
async fn read(path: &Path) -> AppResult<cli::CliConfig> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || cli::read(&path))
        .await
        .map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("reading the lk CLI config: {e}"),
            )
        })?
}

/// Where the `lk` CLI keeps its config, or why there is no such place.
pub fn default_cli_path() -> AppResult<PathBuf> {
    cli::default_path().ok_or_else(|| {
        AppError::new(
            ErrorCode::CliConfigNotFound,
            "No home directory to look for the lk CLI config in.",
        )
    })
}
