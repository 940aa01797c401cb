//! The official browser SDK side of the listen benchmark: `livekit-client` in Debian
//! chromium headless (bench/browser/, driven by playwright-core), served from a loopback
//! HTTP server, joining with the same hidden subscribe-only grants Earshot's listener has.

use anyhow::{bail, Context, Result};
use earshot_core::grants;
use earshot_testbed::LiveKit;
use livekit_api::access_token::AccessToken;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn dir() -> PathBuf {
    earshot_testbed::repo_root().join("bench/browser")
}

/// Whether the browser side can run (chromium and the npm packages are installed).
pub fn available() -> Result<(), String> {
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        return Err("no /usr/bin/chromium (scripts/bench.sh installs it)".into());
    }
    if !dir().join("node_modules/livekit-client").exists() {
        return Err("no bench/browser/node_modules (scripts/bench.sh runs npm ci)".into());
    }
    Ok(())
}

/// A hidden, subscribe-only token (the listener's grants) for `identity` in `room`.
pub fn token(bed: &LiveKit, room: &str, identity: &str) -> Result<String> {
    Ok(AccessToken::with_api_key(&bed.api_key, &bed.api_secret)
        .with_identity(identity)
        .with_ttl(Duration::from_secs(600))
        .with_grants(grants::listener(room))
        .to_jwt()?)
}

/// The static server for the page; stopped on drop.
pub struct Static {
    child: Child,
    pub base: String,
}

impl Static {
    pub fn start() -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("python3 -m http.server")?;
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self {
                    child,
                    base: format!("http://127.0.0.1:{port}"),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("the static server did not start")
    }
}

impl Drop for Static {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node(cfg: &serde_json::Value) -> Result<Child> {
    Command::new("node")
        .arg("run.mjs")
        .arg(cfg.to_string())
        .current_dir(dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("node run.mjs")
}

/// Join → first non-silent audio in WebAudio, one fresh page per run.
pub fn join_times(bed: &LiveKit, site: &Static, room: &str, runs: usize) -> Result<Vec<Duration>> {
    let tokens: Vec<String> = (0..runs)
        .map(|i| token(bed, room, &format!("browser-bench-{i}")))
        .collect::<Result<_>>()?;
    let cfg =
        serde_json::json!({"base": site.base, "url": bed.ws_url, "mode": "join", "runs": tokens});
    let out = node(&cfg)?.wait_with_output()?;
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(line.trim()).with_context(|| format!("driver said {line:?}"))?;
    let ms = v["join_ms"].as_array().context("no join_ms")?;
    Ok(ms
        .iter()
        .filter_map(|m| m.as_f64())
        .map(|m| Duration::from_secs_f64(m / 1000.0))
        .collect())
}

/// A page playing every room's audio, kept open while `measure` runs on its processes;
/// with the number of rooms the page joined (a join may fail on a loaded machine).
pub fn playing<T>(
    bed: &LiveKit,
    site: &Static,
    rooms: &[String],
    hold: Duration,
    measure: impl FnOnce(u32) -> T,
) -> Result<(T, usize)> {
    let tokens: Vec<String> = rooms
        .iter()
        .enumerate()
        .map(|(i, room)| token(bed, room, &format!("browser-cost-{i}")))
        .collect::<Result<_>>()?;
    let cfg = serde_json::json!({"base": site.base, "url": bed.ws_url, "mode": "play",
        "tokens": tokens, "hold_ms": hold.as_millis() as u64});
    let mut child = node(&cfg)?;
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let ready = lines.next().transpose()?.unwrap_or_default();
    if !ready.contains("ready") {
        let _ = child.kill();
        bail!("the browser page did not get ready: {ready}");
    }
    let joined = serde_json::from_str::<serde_json::Value>(&ready)
        .ok()
        .and_then(|v| v["ready"].as_u64())
        .unwrap_or(0) as usize;
    let result = measure(pid);
    let _ = child.wait();
    Ok((result, joined))
}
