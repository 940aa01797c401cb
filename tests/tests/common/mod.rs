//! Drives the real Earshot window: tauri-driver + WebKitWebDriver on the X display that
//! scripts/test.sh provides, with the app's HOME and XDG dirs in a temp dir per test.

#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod wait;

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The app identifier from tauri.conf.json: names its data, config and cache dirs.
pub const IDENTIFIER: &str = "dev.earshot.console";

/// One running app window.
pub struct App {
    pub client: Client,
    driver: Child,
    /// The app's HOME; its XDG dirs are inside.
    pub home: tempfile::TempDir,
    /// tauri-driver's output, which includes the app's stdout and stderr (its logs).
    pub output: PathBuf,
    /// From the WebDriver session request that started the app to its first rendered page.
    pub startup: Duration,
}

/// The app binary built by `cargo test --workspace --no-run`.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("EARSHOT_APP_BINARY") {
        return path.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| earshot_testbed::repo_root().join("target"));
    target.join("debug/earshot")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl App {
    /// Starts the app with a fresh HOME; `prepare` may write files into it first.
    pub async fn launch(prepare: impl FnOnce(&Path)) -> Result<Self> {
        Self::launch_logging(prepare, "debug").await
    }

    /// [`App::launch`] with the app's log level (benchmarks measure at a user's level).
    pub async fn launch_logging(prepare: impl FnOnce(&Path), log_level: &str) -> Result<Self> {
        let home = tempfile::Builder::new()
            .prefix("earshot-e2e-home-")
            .tempdir()?;
        for dir in [".config", ".local/share", ".cache", ".local/state"] {
            std::fs::create_dir_all(home.path().join(dir))?;
        }
        prepare(home.path());
        Self::launch_binary(&app_binary(), home, log_level).await
    }

    /// Starts `binary` (e.g. an installed one) with `home` as its HOME, whose XDG dirs
    /// exist; a home from an earlier run keeps that run's settings and data.
    pub async fn launch_binary(
        binary: &Path,
        home: tempfile::TempDir,
        log_level: &str,
    ) -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run the end-to-end tests through scripts/test.sh (it starts Xvfb)");
        }
        if !binary.exists() {
            bail!(
                "{} is missing: build it first (scripts/test.sh does)",
                binary.display()
            );
        }
        let output = home.path().join(format!(
            "driver-output-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ));
        let log = std::fs::File::create(&output)?;
        let (port, native) = (free_port(), free_port());
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("XDG_STATE_HOME", home.path().join(".local/state"))
            .env("EARSHOT_LOG", log_level)
            .env_remove("EARSHOT_DEV_URL")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("could not start tauri-driver (scripts/setup.sh installs it)")?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary.display().to_string() }),
        );
        caps.insert("browserName".into(), "wry".into());
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            // WebKitWebDriver starts the app when the session is made: the start-up time
            // runs from the request that succeeds to the first rendered page.
            let requested = std::time::Instant::now();
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let mut app = Self {
                        client,
                        driver,
                        home,
                        output,
                        startup: Duration::ZERO,
                    };
                    app.wait_css("[data-testid=nav-rooms]")
                        .await
                        .context("the UI did not render")?;
                    app.startup = requested.elapsed();
                    return Ok(app);
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("could not open a WebDriver session: {last:?}")
    }

    /// Starts the app and adds the test bed's server as project "Bed" through the
    /// Projects page, as a user would.
    pub async fn with_bed_project(bed: &earshot_testbed::LiveKit) -> Result<Self> {
        Self::with_bed_project_logging(bed, "debug").await
    }

    /// [`App::with_bed_project`] with the app's log level.
    pub async fn with_bed_project_logging(
        bed: &earshot_testbed::LiveKit,
        log_level: &str,
    ) -> Result<Self> {
        let app = Self::launch_logging(|_| {}, log_level).await?;
        app.click("[data-testid=nav-projects]").await?;
        app.click("[data-testid=add-project]").await?;
        app.submit_project("Bed", &bed.ws_url, &bed.api_key, &bed.api_secret)
            .await?;
        app.wait_css("[data-testid=project-row][data-project-name='Bed']")
            .await?;
        Ok(app)
    }

    /// Waits up to 15 s for an element. Every failed lookup is retried until then: besides
    /// "no such element", WebKitWebDriver reports "stale element" when the page re-renders
    /// the match between finding it and handing it over (a replaced transcript line).
    pub async fn wait_css(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => return Ok(el),
                Err(err) if std::time::Instant::now() > deadline => {
                    let shot = self.screenshot().await;
                    return Err(err)
                        .with_context(|| format!("no element matches {css} (window: {shot})"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Saves a picture of the window for a failure message; returns where, or why not.
    pub async fn screenshot(&self) -> String {
        let path = std::env::temp_dir().join(format!(
            "earshot-e2e-{}.png",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ));
        match self.client.screenshot().await {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => path.display().to_string(),
                Err(e) => format!("screenshot not saved: {e}"),
            },
            Err(e) => format!("no screenshot: {e}"),
        }
    }

    /// Clicks the element matching `css`. Lists refresh live, so the element found may be
    /// replaced before the click lands (stale): find it again, a few times.
    pub async fn click(&self, css: &str) -> Result<()> {
        let mut attempt = 0;
        loop {
            let element = self.wait_css(css).await?;
            self.reveal(&element).await;
            let result = element.click().await;
            match result {
                Ok(()) => return Ok(()),
                Err(_) if attempt < 4 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Err(e) => {
                    let shot = self.screenshot().await;
                    return Err(e).with_context(|| format!("click {css} (window: {shot})"));
                }
            }
        }
    }

    /// Scrolls `element` to the middle of the window: scrolled only to an edge, it can sit
    /// under the sticky top bar, which would take a click or refuse typing.
    async fn reveal(&self, element: &fantoccini::elements::Element) {
        if let Ok(arg) = serde_json::to_value(element) {
            let _ = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
                    vec![arg],
                )
                .await;
        }
    }

    /// Replaces the value of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let input = self.wait_css(css).await?;
        self.reveal(&input).await;
        input.clear().await?;
        if text.is_empty() {
            // WebKitWebDriver refuses an empty key sequence, and clear() fires no input
            // event: type a character and delete it, as a user would.
            input.send_keys("x").await?;
            input.send_keys("\u{E003}").await?;
        } else {
            input.send_keys(text).await?;
        }
        Ok(())
    }

    /// Waits until the element matching `css` has text containing `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if text.contains(needle) {
                        return Ok(text);
                    }
                    if std::time::Instant::now() > deadline {
                        bail!("{css} says {text:?}, not {needle:?}");
                    }
                }
            } else if std::time::Instant::now() > deadline {
                bail!("no element matches {css}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether any element matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Fills and submits the project dialog.
    pub async fn submit_project(
        &self,
        name: &str,
        url: &str,
        key: &str,
        secret: &str,
    ) -> Result<()> {
        self.fill("#project-name", name).await?;
        self.fill("#project-url", url).await?;
        self.fill("#project-key", key).await?;
        self.fill("#project-secret", secret).await?;
        self.click("[data-testid=project-save]").await
    }

    /// The processes the app runs as: tauri-driver's descendants (WebKitWebDriver, the app,
    /// its WebKit web and network processes), found through /proc.
    pub fn processes(&self) -> Vec<u32> {
        let mut parents: Vec<(u32, u32)> = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // The command name may hold spaces: fields after its closing parenthesis.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
        let mut found = vec![self.driver.id()];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            found.extend(
                parents
                    .iter()
                    .filter(|(_, pp)| *pp == parent)
                    .map(|(p, _)| *p),
            );
            i += 1;
        }
        found
    }

    /// Closes the window and the driver.
    pub async fn close(mut self) -> Result<(tempfile::TempDir, PathBuf)> {
        let running = self.processes();
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // WebKitWebDriver ends the app, which then leaves its rooms and writes its journal
        // (at most 3 s): wait until every process of it is gone, so a restart on the same
        // HOME does not meet the previous run's single-instance lock.
        let deadline = std::time::Instant::now() + Duration::from_secs(8);
        while std::time::Instant::now() < deadline && running.iter().any(|pid| alive(*pid)) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok((self.home, self.output))
    }
}

/// Whether process `pid` still runs (an exited one waiting for its parent does not).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

/// Files under `dir` whose bytes contain `needle`.
pub fn grep_tree(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}
