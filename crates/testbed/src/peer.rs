//! Participants played by the official Python SDK (`tests/peers/peer.py`).
//!
//! A peer prints one JSON object per line for everything it sees; the test reads them.
//! Closing its stdin (dropping the [`Peer`]) makes it leave.

use crate::LiveKit;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How a peer behaves.
#[derive(Debug, Clone, Default)]
pub struct PeerOptions {
    /// Publish a sine tone at this frequency (Hz).
    pub tone_hz: Option<f64>,
    /// Send the tone in spurts like speech turns: this long on, as long off. The server
    /// reports speaker *changes* only, so a steady tone is announced once, when it starts.
    pub talk_ms: Option<u32>,
    /// Extra participant attributes (`key=value`).
    pub attributes: Vec<(String, String)>,
    /// Join with this token instead of one minted with room-join rights.
    pub token: Option<String>,
    /// Join as an agent the way livekit-agents workers do: the token has kind `agent` (which
    /// the server lists) and the `agent` grant. Ignored with `token`.
    pub agent: bool,
    /// The participant's name (the identity when unset).
    pub name: Option<String>,
    /// Take JSON commands on stdin ([`Peer::command`]).
    pub commands: bool,
}

/// A Python SDK participant in a room.
pub struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<serde_json::Value>,
    /// Every event received so far, in order.
    pub seen: Vec<serde_json::Value>,
}

impl Peer {
    /// The venv's Python interpreter set up by `scripts/setup.sh`.
    pub fn python() -> std::path::PathBuf {
        std::env::var_os("EARSHOT_PYTHON")
            .map(Into::into)
            .unwrap_or_else(|| crate::cache_dir().join("venv/bin/python"))
    }

    /// Joins `room` as `identity` and waits until connected (at most 20 s).
    pub fn join(bed: &LiveKit, room: &str, identity: &str, opts: PeerOptions) -> Result<Self> {
        let script = crate::repo_root().join("tests/peers/peer.py");
        let mut cmd = Command::new(Self::python());
        cmd.arg(&script)
            .args(["--room", room, "--identity", identity]);
        if let Some(hz) = opts.tone_hz {
            cmd.args(["--tone", &hz.to_string()]);
        }
        if let Some(ms) = opts.talk_ms {
            cmd.args(["--talk-ms", &ms.to_string()]);
        }
        if let Some(token) = &opts.token {
            cmd.args(["--token", token]);
        }
        if opts.agent {
            cmd.arg("--agent");
        }
        if let Some(name) = &opts.name {
            cmd.args(["--name", name]);
        }
        if opts.commands {
            cmd.arg("--commands");
        }
        for (k, v) in &opts.attributes {
            cmd.args(["--attribute", &format!("{k}={v}")]);
        }
        let mut child = cmd
            .env("LIVEKIT_URL", &bed.ws_url)
            .env("LIVEKIT_API_KEY", &bed.api_key)
            .env("LIVEKIT_API_SECRET", &bed.api_secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "could not start {} (run scripts/setup.sh)",
                    Self::python().display()
                )
            })?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line) {
                    if tx.send(value).is_err() {
                        break;
                    }
                }
            }
        });
        let stdin = child.stdin.take();
        let mut peer = Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        };
        peer.wait_for(Duration::from_secs(20), |e| e["event"] == "connected")
            .context("the Python peer did not connect")?;
        Ok(peer)
    }

    /// The Python process's id (for measuring its load).
    pub fn pid(&self) -> Option<u32> {
        Some(self.child.id())
    }

    /// Waits for an event matching `pred`, recording everything seen meanwhile.
    pub fn wait_for(
        &mut self,
        limit: Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value> {
        let deadline = Instant::now() + limit;
        if let Some(found) = self.seen.iter().find(|e| pred(e)) {
            return Ok(found.clone());
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(event) => {
                    self.seen.push(event.clone());
                    if pred(&event) {
                        return Ok(event);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    bail!("no matching event within {limit:?}; seen: {:?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    bail!("the peer exited; seen: {:?}", self.seen)
                }
            }
        }
    }

    /// Runs one command of a peer joined with `commands` (see `peer.py`) and waits up to 10 s
    /// for it to finish; returns the Unix time (s) it finished at.
    pub fn command(&mut self, mut cmd: serde_json::Value) -> Result<f64> {
        let id = self.seen.len() as u64 + rand_id();
        cmd["id"] = id.into();
        let stdin = self.stdin.as_mut().context("the peer's stdin is closed")?;
        writeln!(stdin, "{cmd}").context("writing to the peer")?;
        stdin.flush().context("writing to the peer")?;
        let done = self.wait_for(Duration::from_secs(10), |e| {
            e["id"] == id && (e["event"] == "done" || e["event"] == "failed")
        })?;
        if done["event"] == "failed" {
            bail!("the peer failed {cmd}: {}", done["error"]);
        }
        Ok(done["t"].as_f64().unwrap_or_default())
    }

    /// Collects whatever arrived until now without waiting.
    pub fn drain(&mut self) -> &[serde_json::Value] {
        while let Ok(event) = self.lines.try_recv() {
            self.seen.push(event);
        }
        &self.seen
    }

    /// Leaves the room and waits for the process to end (killing it after 5 s).
    pub fn leave(mut self) -> Vec<serde_json::Value> {
        self.shutdown();
        self.drain();
        std::mem::take(&mut self.seen)
    }

    fn shutdown(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command id unlikely to repeat within one peer.
fn rand_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_000)
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A peer command (with [`PeerOptions::commands`]) that sends one `lk.transcription` text
/// stream as livekit-agents does: `sender` is the speaker's identity (the peer's own when
/// `None`), interim (`is_final` false) lines are replaced by later ones of the same segment.
pub fn transcription(
    sender: Option<&str>,
    segment: &str,
    is_final: bool,
    text: &str,
) -> serde_json::Value {
    serde_json::json!({
        "op": "stream",
        "sender": sender,
        "attributes": {
            "lk.segment_id": segment,
            "lk.transcription_final": if is_final { "true" } else { "false" },
        },
        "chunks": [text],
    })
}
