//! The Linux installer, installed: `dpkg -i` of the built .deb on this machine, the
//! INSTALLED binary started on the real window, a project saved with its secret in the real
//! Secret Service and read back by a second start, then `dpkg --purge`, after which nothing
//! the package brought may be left but the user's data. Needs root and a release build, so
//! it is ignored in the test command; `scripts/package.sh` runs it on the .deb it built
//! (`EARSHOT_DEB`) and prints the figures it writes to `EARSHOT_FIGURES`.

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::{grep_tree, App, IDENTIFIER};
use earshot_testbed::{livekit, unique_room};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Runs a command; its output, or an error naming it with its stderr.
fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("could not start {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The installed package: purged when dropped, so a failing test never leaves it behind.
struct Installed(Option<String>);

impl Installed {
    /// Removes, then purges the package, as a user would; either failing fails the test.
    fn remove(mut self) -> Result<()> {
        let package = self.0.take().unwrap_or_default();
        run("dpkg", &["-r", &package])?;
        run("dpkg", &["--purge", &package])?;
        Ok(())
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(package) = &self.0 {
            let _ = Command::new("dpkg").args(["--purge", package]).output();
        }
    }
}

/// The resident memory of the app's own processes (the shell and its WebKit web and
/// network processes), leaving out the harness (tauri-driver, WebKitWebDriver).
fn app_rss_kib(app: &App) -> Result<(u64, Vec<String>)> {
    let mut total = 0;
    let mut names = Vec::new();
    for pid in app.processes() {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue; // ended meanwhile
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_owned())
        };
        let name = field("Name:").unwrap_or_default();
        if name == "tauri-driver" || name == "WebKitWebDriver" {
            continue;
        }
        let rss: u64 = field("VmRSS:")
            .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        total += rss;
        names.push(format!("{name} {} MiB", rss / 1024));
    }
    Ok((total, names))
}

/// Starts the installed app. A window whose UI fails to load (seen: a wasm that WebKit
/// rejected) once kept the WebDriver session request waiting for good: bounded here.
async fn start(binary: &Path, home: tempfile::TempDir) -> Result<App> {
    tokio::time::timeout(
        Duration::from_secs(90),
        App::launch_binary(binary, home, "info"),
    )
    .await
    .context("the installed app showed no page within 90 s")?
}

#[tokio::test]
#[ignore = "installs a package as root: scripts/package.sh runs it on the .deb it built"]
async fn installed_deb_runs_keeps_its_secret_and_uninstalls_clean() -> Result<()> {
    let deb = PathBuf::from(
        std::env::var_os("EARSHOT_DEB").context("EARSHOT_DEB must name the .deb to install")?,
    );
    let package = run(
        "dpkg-deb",
        &["--field", &deb.display().to_string(), "Package"],
    )?
    .trim()
    .to_owned();
    ensure!(
        Command::new("dpkg-query")
            .args(["-W", "-f=${Status}", &package])
            .output()
            .map(|o| !String::from_utf8_lossy(&o.stdout).contains("ok installed"))
            .unwrap_or(true),
        "{package} is installed already: remove it first, this test installs and purges it"
    );
    // What the package holds, and which of those paths exist before it is installed (shared
    // directories such as /usr/bin): everything else must be gone after the purge.
    let listing = run(
        "sh",
        &[
            "-c",
            &format!("dpkg-deb --fsys-tarfile '{}' | tar -t", deb.display()),
        ],
    )?;
    let paths: Vec<PathBuf> = listing
        .lines()
        .map(|l| l.trim_start_matches("./").trim_end_matches('/'))
        .filter(|l| !l.is_empty() && *l != ".")
        .map(|l| Path::new("/").join(l))
        .collect();
    let brought: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();

    run("dpkg", &["-i", &deb.display().to_string()])?;
    let installed = Installed(Some(package.clone()));
    let binary = PathBuf::from("/usr/bin/earshot");
    ensure!(
        paths.contains(&binary) && binary.exists(),
        "the package installed no {}: it holds {paths:?}",
        binary.display()
    );
    let desktop = paths
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "desktop"))
        .context("the package has no .desktop entry")?;
    let entry = std::fs::read_to_string(desktop)?;
    ensure!(
        entry.contains("Exec=earshot"),
        "{} does not start earshot: {entry}",
        desktop.display()
    );

    // The first start of the installed app: the Projects page, then a project saved with
    // its secret (the connection check reaches the test bed's real server with it).
    let bed = livekit();
    let room = unique_room("package");
    livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    )
    .create_room(&room, Default::default())
    .await?;
    let home = tempfile::Builder::new()
        .prefix("earshot-package-home-")
        .tempdir()?;
    for dir in [".config", ".local/share", ".cache", ".local/state"] {
        std::fs::create_dir_all(home.path().join(dir))?;
    }
    let app = start(&binary, home).await?;
    let cold_start = app.startup;
    app.click("[data-testid=nav-projects]").await?;
    app.wait_css("[data-testid=projects-empty]").await?;
    app.click("[data-testid=add-project]").await?;
    app.submit_project("Installed", &bed.ws_url, &bed.api_key, &bed.api_secret)
        .await?;
    app.wait_css("[data-testid=project-row][data-project-name='Installed']")
        .await?;
    // Idle: the Projects page shown, nothing polling but the project's own health.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (rss, processes) = app_rss_kib(&app)?;
    let (home, _) = app.close().await?;

    // The second start reads the secret back from the keychain: the start page becomes the
    // project's rooms, listed from the server with that secret.
    let app = start(&binary, home).await?;
    let warm_start = app.startup;
    app.wait_css(&format!("[data-testid=room-row][data-room='{room}']"))
        .await
        .context("the installed app did not list the rooms with the secret it stored")?;
    let (home, _) = app.close().await?;
    let hits = grep_tree(home.path(), &bed.api_secret);
    ensure!(hits.is_empty(), "the API secret was found in {hits:?}");

    // Removal: nothing the package brought is left; the user's data stays.
    installed.remove()?;
    let status = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", &package])
        .output()?;
    let status = String::from_utf8_lossy(&status.stdout);
    ensure!(
        !status.contains("installed") || status.contains("not-installed"),
        "{package} is still known to dpkg after the purge: {status}"
    );
    let left: Vec<&&PathBuf> = brought.iter().filter(|p| p.exists()).collect();
    ensure!(left.is_empty(), "left after dpkg --purge: {left:?}");
    let data = home.path().join(".local/share").join(IDENTIFIER);
    ensure!(
        data.join("settings.json").exists(),
        "the user's data went with the package: {}",
        data.display()
    );

    let figures = format!(
        "cold start (session request to first page, installed app): {} ms\n\
         second start: {} ms\n\
         idle RSS, all app processes (Projects page): {} MiB [{}]\n",
        cold_start.as_millis(),
        warm_start.as_millis(),
        rss / 1024,
        processes.join(", ")
    );
    print!("{figures}");
    if let Some(path) = std::env::var_os("EARSHOT_FIGURES") {
        std::fs::write(path, figures)?;
    }
    Ok(())
}
