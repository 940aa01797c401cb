//! Child processes that die with the test binary, even when it is killed or panics.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A spawned service with its log file.
pub struct Service {
    pub child: Child,
    pub name: &'static str,
}

impl Service {
    /// Starts `cmd` with stdout and stderr appended to `log`, and a watchdog that kills it
    /// once this test process is gone (statics are never dropped, so no Drop would run).
    pub fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Result<Self> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("could not start {name} ({:?})", cmd.get_program()))?;
        watchdog(child.id())?;
        Ok(Self { child, name })
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops it and waits for it to exit.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn watchdog(child: u32) -> Result<()> {
    let me = std::process::id();
    let script = format!(
        "while kill -0 {me} 2>/dev/null && kill -0 {child} 2>/dev/null; do sleep 0.5; done; \
         kill {child} 2>/dev/null; sleep 2; kill -9 {child} 2>/dev/null; exit 0"
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start the watchdog")?;
    Ok(())
}

/// A free TCP port on 127.0.0.1 (free when asked; good enough for tests).
pub fn free_tcp_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A free UDP port on 127.0.0.1.
pub fn free_udp_port() -> Result<u16> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The last `lines` lines of a log file, for failure messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<_> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
