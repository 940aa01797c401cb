//! One app per data dir: the first instance holds a lock on `<data dir>/instance.lock` for
//! its lifetime and (on Unix) listens on `<data dir>/instance.sock`; a second one asks it to
//! show its window and exits, instead of racing on the same settings, journal and logs.
//! Scoped to the data dir, not the user: two data dirs (tests, `EARSHOT_DATA_DIR`) are two
//! independent apps.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file's name in the data dir.
pub const LOCK_FILE: &str = "instance.lock";
/// The socket a second instance knocks on.
pub const SOCKET_FILE: &str = "instance.sock";
/// What a second instance sends, and what the first answers.
const KNOCK: &[u8] = b"focus\n";
const ANSWER: &[u8] = b"ok\n";

/// The outcome of [`claim`].
pub enum Claim {
    /// This is the only instance; keep the value alive as long as the app runs.
    First(Instance),
    /// Another instance runs on this data dir; `focused` says whether it confirmed it
    /// brought its window forward.
    Running { focused: bool },
}

/// The running instance's hold on its data dir (released when dropped or at exit).
pub struct Instance {
    _lock: File,
    socket: Option<PathBuf>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(socket) = &self.socket {
            let _ = std::fs::remove_file(socket);
        }
    }
}

/// Claims `dir` for this process. A later claim on the same dir, from any process, gets
/// [`Claim::Running`] and `on_knock` runs in this one (from a thread of its own).
pub fn claim(dir: &Path, on_knock: impl Fn() + Send + 'static) -> io::Result<Claim> {
    std::fs::create_dir_all(dir)?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Ok(Claim::Running {
                focused: knock(&dir.join(SOCKET_FILE)),
            })
        }
        Err(TryLockError::Error(err)) => return Err(err),
    }
    let socket = listen(&dir.join(SOCKET_FILE), on_knock);
    Ok(Claim::First(Instance {
        _lock: lock,
        socket,
    }))
}

/// Serves knocks on `path` (a stale socket of a crashed instance is replaced: this process
/// holds the lock). `None` when no socket can be had; the lock still keeps others out.
#[cfg(unix)]
fn listen(path: &Path, on_knock: impl Fn() + Send + 'static) -> Option<PathBuf> {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixListener;
    let _ = std::fs::remove_file(path);
    let listener = match UnixListener::bind(path) {
        Ok(listener) => listener,
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "no single-instance socket");
            return None;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("earshot-instance".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
                let mut buf = [0u8; 16];
                let n = stream.read(&mut buf).unwrap_or(0);
                if &buf[..n] == KNOCK {
                    tracing::info!("a second instance started; showing this one");
                    on_knock();
                    let _ = stream.write_all(ANSWER);
                }
            }
        });
    spawned.ok().map(|_| path.to_owned())
}

#[cfg(not(unix))]
fn listen(_path: &Path, _on_knock: impl Fn() + Send + 'static) -> Option<PathBuf> {
    None
}

/// Asks the running instance to show itself; whether it confirmed. It may be starting and
/// not listening yet, so the socket is tried for a while.
#[cfg(unix)]
fn knock(path: &Path) -> bool {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    for _ in 0..30 {
        if let Ok(mut stream) = UnixStream::connect(path) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
            if stream.write_all(KNOCK).is_err() {
                return false;
            }
            let mut buf = [0u8; 8];
            let n = stream.read(&mut buf).unwrap_or(0);
            return &buf[..n] == ANSWER;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[cfg(not(unix))]
fn knock(_path: &Path) -> bool {
    false
}
