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

/// The largest config read: the CLI's file is a few hundred bytes per project, and a cap
/// keeps a wrongly chosen file (a video, a device) from being read whole.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024;

/// Reads and parses the CLI config at `path` (blocking: call it off the async workers).
///
/// Errors name the file and, for a parse error, the line and column — never the file's
/// content: a wrongly chosen file may be a key or an `.env` full of secrets, and the YAML
/// parser's own messages quote what they found.
pub fn read(path: &Path) -> Result<CliConfig, AppError> {
    let shown = path.display();
    let invalid = |why: String| AppError::new(ErrorCode::CliConfigInvalid, why);
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::new(
                ErrorCode::CliConfigNotFound,
                format!(
                    "No lk CLI config at {shown}. Add a project with `lk project add` first, or \
                     choose another file."
                ),
            ))
        }
        Err(e) => return Err(invalid(format!("Could not open {shown}: {}.", e.kind()))),
    };
    let meta = file
        .metadata()
        .map_err(|e| invalid(format!("Could not read {shown}: {}.", e.kind())))?;
    if !meta.is_file() {
        return Err(invalid(format!("{shown} is not a regular file.")));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_big(&shown.to_string()));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_CONFIG_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| invalid(format!("Could not read {shown}: {}.", e.kind())))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        // It grew while being read.
        return Err(too_big(&shown.to_string()));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| invalid(format!("{shown} is not a text file (UTF-8).")))?;
    if text.trim().is_empty() {
        return Ok(CliConfig::default());
    }
    serde_yaml_ng::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        invalid(format!(
            "{shown} is not a valid lk CLI config{at}: expected `projects:` with a name, url, \
             api_key and api_secret for each."
        ))
    })
}

fn too_big(shown: &str) -> AppError {
    AppError::new(
        ErrorCode::CliConfigInvalid,
        format!(
            "{shown} is larger than {} KiB; an lk CLI config is much smaller. Choose the \
             cli-config.yaml file.",
            MAX_CONFIG_BYTES / 1024
        ),
    )
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

    #[test]
    fn errors_never_quote_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let canary = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-canary";
        // A PEM key, an .env file and YAML of the wrong shape: each parses as something
        // the parser would quote in its own message.
        for (name, text) in [
            (
                "key.pem",
                format!("-----BEGIN PRIVATE KEY-----\n{canary}\n-----END PRIVATE KEY-----\n"),
            ),
            (".env", format!("LIVEKIT_API_SECRET={canary}\n")),
            ("shape.yaml", format!("projects: {canary}\n")),
            ("list.yaml", format!("projects:\n  - name: [{canary}\n")),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let err = read(&path).unwrap_err();
            assert_eq!(err.code, ErrorCode::CliConfigInvalid, "{name}");
            assert!(!err.message.contains(canary), "{name}: {}", err.message);
            assert!(!err.message.contains("canary"), "{name}: {}", err.message);
        }
        let err = read(&dir.path().join("list.yaml")).unwrap_err();
        assert!(err.message.contains("line 2"), "{}", err.message);
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(
            err.message.contains("not a regular file"),
            "{}",
            err.message
        );
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "#".repeat(MAX_CONFIG_BYTES as usize + 1)).unwrap();
        let err = read(&big).unwrap_err();
        assert!(err.message.contains("64 KiB"), "{}", err.message);
        let binary = dir.path().join("bin.yaml");
        std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x01]).unwrap();
        let err = read(&binary).unwrap_err();
        assert!(err.message.contains("not a text file"), "{}", err.message);
    }
}
