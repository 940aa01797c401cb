//! Import from the `lk` CLI: its config file (`~/.livekit/cli-config.yaml`) lists projects
//! with URL, key and secret in plain text; we read it, never write it.

use earshot_protocol::{validate, AppError, ErrorCode};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One project of the CLI config. Its secret is only ever moved into the vault.
#[derive(Deserialize)]
pub struct CliProjectConfig {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub api_key: String,
    /// Read from the CLI's file, redacted in `Debug`, handed only to the vault.
    #[serde(default)]
    pub api_secret: earshot_protocol::SecretInput,
}

impl std::fmt::Debug for CliProjectConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliProjectConfig")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .finish()
    }
}

/// The parts of the CLI config we use.
#[derive(Debug, Deserialize, Default)]
pub struct CliConfig {
    #[serde(default)]
    pub default_project: String,
    #[serde(default)]
    pub projects: Vec<CliProjectConfig>,
}

impl CliProjectConfig {
    /// Why this entry cannot be imported as it is, if so.
    pub fn problem(&self) -> Option<String> {
        validate::project_name(&self.name)
            .and_then(|_| validate::server_url(&self.url))
            .and_then(|_| validate::api_key(&self.api_key))
            .and_then(|_| validate::api_secret(self.api_secret.expose()))
            .err()
            .map(|e| e.message)
    }
}

/// Where the CLI keeps its config: `$HOME/.livekit/cli-config.yaml`.
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(|home| PathBuf::from(home).join(".livekit").join("cli-config.yaml"))
}

/// Reads and parses the CLI config at `path`.
pub fn read(path: &Path) -> Result<CliConfig, AppError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::new(
                ErrorCode::CliConfigNotFound,
                format!(
                    "No lk CLI config at {}. Add a project with `lk project add` first, or \
                     choose another file.",
                    path.display()
                ),
            ))
        }
        Err(e) => {
            return Err(AppError::new(
                ErrorCode::CliConfigInvalid,
                format!("Could not read {}: {e}", path.display()),
            ))
        }
    };
    if text.trim().is_empty() {
        return Ok(CliConfig::default());
    }
    serde_yaml::from_str(&text).map_err(|e| {
        // serde_yaml errors quote positions, not values, so no secret leaks into the message.
        AppError::new(
            ErrorCode::CliConfigInvalid,
            format!("{} is not a valid lk CLI config: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_config_and_flags_bad_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cli-config.yaml");
        std::fs::write(
            &path,
            "default_project: cloud\nprojects:\n  - name: cloud\n    url: wss://x.livekit.cloud\n    \
             api_key: APIabc\n    api_secret: s3cret\n  - name: broken\n    url: ftp://nope\n    \
             api_key: k\n    api_secret: s\n",
        )
        .unwrap();
        let cfg = read(&path).unwrap();
        assert_eq!(cfg.default_project, "cloud");
        assert_eq!(cfg.projects.len(), 2);
        assert!(cfg.projects[0].problem().is_none());
        assert!(cfg.projects[1].problem().is_some());
        assert!(!format!("{:?}", cfg.projects[0]).contains("s3cret"));
    }

    #[test]
    fn missing_and_garbage_files_have_codes() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read(&dir.path().join("nope.yaml")).unwrap_err();
        assert_eq!(missing.code, ErrorCode::CliConfigNotFound);
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, "projects: [unclosed").unwrap();
        assert_eq!(read(&bad).unwrap_err().code, ErrorCode::CliConfigInvalid);
    }
}
