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
use std::path::PathBuf;

/// Lists the projects of the `lk` CLI config at `path` (default location if `None`).
pub fn scan_cli_config(projects: &Projects, path: Option<&str>) -> AppResult<CliScan> {
    let path = cli_path(path)?;
    let config = cli::read(&path)?;
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
            api_secret: found.api_secret.clone(),
        };
        match projects.add_project(input, false).await {
            Ok(summary) => report.imported.push(summary),
            Err(err) => report.skipped.push(skip(err.message)),
        }
    }
    Ok(report)
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
