//! Non-secret settings: a key → JSON store the shell backs with tauri-plugin-store, plus
//! the file handling that store lacks (it drops unreadable files and rewrites in place).

use earshot_protocol::projects::SettingsProblem;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Why settings could not be written.
#[derive(Debug, thiserror::Error)]
#[error("could not save settings to {path}: {reason}")]
pub struct SettingsError {
    pub path: String,
    pub reason: String,
}

impl From<SettingsError> for earshot_protocol::AppError {
    fn from(err: SettingsError) -> Self {
        earshot_protocol::AppError::new(
            earshot_protocol::ErrorCode::SettingsError,
            format!("{err}. Nothing was changed."),
        )
    }
}

/// A persistent key → JSON map. `set` and `delete` persist before returning.
pub trait SettingsStore: Send + Sync + 'static {
    /// Every entry, including ones the caller may fail to interpret.
    fn entries(&self) -> Vec<(String, Value)>;
    /// Stores `value` under `key` and persists.
    fn set(&self, key: &str, value: Value) -> Result<(), SettingsError>;
    /// Removes `key` and persists.
    fn delete(&self, key: &str) -> Result<(), SettingsError>;
    /// Problems found when the store was opened (e.g. a file that could not be parsed).
    fn problems(&self) -> Vec<SettingsProblem> {
        Vec::new()
    }
}

/// What was found in a settings file before loading it.
#[derive(Debug)]
pub struct FileCheck {
    /// Problems to show the user; the file is untouched or moved aside, never lost.
    pub problems: Vec<SettingsProblem>,
}

/// Makes sure `path` is safe to load: if it exists but is not a JSON object, it is moved
/// aside to `<name>.unreadable-<unix time>` (never overwritten) and a problem says where.
pub fn check_file(path: &Path) -> FileCheck {
    let mut problems = Vec::new();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileCheck { problems },
        Err(e) => {
            problems.push(SettingsProblem {
                entry: path.display().to_string(),
                reason: format!("could not be read: {e}"),
            });
            return FileCheck { problems };
        }
    };
    let reason = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(_)) => return FileCheck { problems },
        Ok(_) => "it is JSON but not an object".to_owned(),
        Err(e) => format!("it is not valid JSON ({e})"),
    };
    let aside = aside_path(path);
    let outcome = match std::fs::rename(path, &aside) {
        Ok(()) => format!(
            "The settings file could not be read: {reason}. It was kept as {} and Earshot \
             started with empty settings.",
            aside.display()
        ),
        Err(e) => format!("The settings file could not be read ({reason}) nor moved aside ({e})."),
    };
    tracing::warn!(path = %path.display(), "{outcome}");
    problems.push(SettingsProblem {
        entry: path.display().to_string(),
        reason: outcome,
    });
    FileCheck { problems }
}

fn aside_path(path: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("settings.json");
    path.with_file_name(format!("{name}.unreadable-{secs}"))
}

/// Writes `entries` to `path` atomically so a crash or power loss mid-write never leaves a
/// truncated file: a private temp file (0600) is written and fsync'd, renamed over `path`,
/// and the directory (0700) is fsync'd so the rename itself is durable.
pub fn write_atomic(path: &Path, entries: &Map<String, Value>) -> Result<(), SettingsError> {
    use std::io::Write;
    let err = |reason: String| SettingsError {
        path: path.display().to_string(),
        reason,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir).map_err(|e| err(e.to_string()))?;
    let json = serde_json::to_vec_pretty(entries).map_err(|e| err(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    let mut file = private_file(&tmp).map_err(|e| err(e.to_string()))?;
    file.write_all(&json)
        .and_then(|_| file.sync_all())
        .map_err(|e| err(e.to_string()))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))?;
    sync_dir(dir).map_err(|e| err(e.to_string()))
}

/// Creates `dir` (and parents) readable by this user only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates (truncating) a file readable and writable by this user only.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    open_private(path, options)
}

/// Opens a file for appending (creating it), readable and writable by this user only.
pub fn private_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    open_private(path, options)
}

fn open_private(path: &Path, mut options: std::fs::OpenOptions) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // `mode` applies only when the file is created; an older file keeps its bits otherwise.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    let _ = dir;
    Ok(())
}

/// Settings in a map, for tests.
#[cfg(feature = "memory-store")]
#[derive(Default)]
pub struct MemorySettings {
    map: std::sync::Mutex<Map<String, Value>>,
}

#[cfg(feature = "memory-store")]
impl MemorySettings {
    /// Settings pre-filled with `entries` (e.g. to simulate a damaged entry).
    pub fn with_entries(entries: Map<String, Value>) -> Self {
        Self {
            map: std::sync::Mutex::new(entries),
        }
    }
}

#[cfg(feature = "memory-store")]
impl SettingsStore for std::sync::Arc<MemorySettings> {
    fn entries(&self) -> Vec<(String, Value)> {
        self.map
            .lock()
            .expect("poisoned")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    fn set(&self, key: &str, value: Value) -> Result<(), SettingsError> {
        self.map
            .lock()
            .expect("poisoned")
            .insert(key.to_owned(), value);
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SettingsError> {
        self.map.lock().expect("poisoned").remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_file_is_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"{ not json").unwrap();
        let check = check_file(&path);
        assert_eq!(check.problems.len(), 1);
        assert!(!path.exists());
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(std::fs::read(&kept[0]).unwrap(), b"{ not json");
        assert!(check.problems[0]
            .reason
            .contains(&kept[0].display().to_string()));
    }

    #[test]
    fn good_file_untouched_and_atomic_write_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mut map = Map::new();
        map.insert("a".into(), Value::from(1));
        write_atomic(&path, &map).unwrap();
        assert!(check_file(&path).problems.is_empty());
        let back: Map<String, Value> =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, map);
    }

    #[cfg(unix)]
    #[test]
    fn settings_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("settings.json");
        // An older file with loose bits is tightened on the next save.
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(&path, b"{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&path, &Map::new()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&data), 0o700);
    }
}
