//! A real PostgreSQL for the journal's team-mode tests: Debian's `postgresql` binaries,
//! `initdb` into a temp dir, listening on 127.0.0.1 at a free port with its socket in the
//! temp dir, run as `nobody` when the tests run as root (postgres refuses root; `setpriv`
//! execs, so the child is postgres itself and the watchdog's kill reaches it). The temp
//! dir is removed once the test process is gone.

use crate::process::{free_tcp_port, tail, Service};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running PostgreSQL; user `earshot`, trust authentication on loopback.
pub struct Postgres {
    pub port: u16,
    dir: PathBuf,
    _service: Service,
}

fn bin_dir() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .with_context(|| format!("{} is missing: install Debian's postgresql", root.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, p)| p.join("postgres").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, p)| p)
        .context("no PostgreSQL server binaries under /usr/lib/postgresql")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `cmd` as `nobody` when we are root.
fn as_server_user(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    /// Initialises and starts a cluster; waits until it accepts connections.
    pub fn start() -> Result<Self> {
        let bin = bin_dir()?;
        let root = is_root();
        let dir = tempfile::Builder::new()
            .prefix("earshot-pg-")
            .tempdir()?
            .keep();
        if root {
            let ok = Command::new("chown")
                .args(["-R", "nobody:nogroup"])
                .arg(&dir)
                .status()?
                .success();
            if !ok {
                bail!("could not hand {} to nobody", dir.display());
            }
        }
        cleanup_when_gone(&dir)?;
        let data = dir.join("data");
        let out = as_server_user(&bin.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "earshot", "-E", "UTF8", "--no-sync"])
            .env("HOME", &dir)
            .stdin(Stdio::null())
            .output()
            .context("could not run initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let port = free_tcp_port()?;
        let log = dir.join("postgres.log");
        let mut cmd = as_server_user(&bin.join("postgres"), root);
        cmd.arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args(["-c", "max_connections=200"]);
        // The log file is created by us (root) before postgres runs; appends are ours too.
        let service = Service::spawn("postgres", cmd, &log)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "earshot"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                break;
            }
            if Instant::now() > deadline {
                bail!("postgres did not start:\n{}", tail(&log, 20));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            port,
            dir,
            _service: service,
        })
    }

    /// A new, empty database; its URL (no password: trust on loopback).
    pub fn fresh_database(&self, prefix: &str) -> Result<String> {
        let name = format!("{prefix}_{:08x}", rand::random::<u32>());
        let out = Command::new(bin_dir()?.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "earshot",
            ])
            .arg(&name)
            .output()
            .context("could not run createdb")?;
        if !out.status.success() {
            bail!("createdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(self.url(&name))
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://earshot@127.0.0.1:{}/{database}?connect_timeout=5",
            self.port
        )
    }

    /// The cluster's directory (data, socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn cleanup_when_gone(dir: &Path) -> Result<()> {
    let me = std::process::id();
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; sleep 3; rm -rf '{}'",
        dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start the cleanup watchdog")?;
    Ok(())
}
