//! End to end with the real binary: starting Earshot a second time on the same data dir
//! brings the running window forward and exits at once, instead of racing on the settings;
//! the first window keeps working. Another data dir is another app.

mod common;

use anyhow::{bail, Result};
use common::{app_binary, App};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Starts the app binary with `home` as its HOME and XDG dirs; waits (at most 30 s) for it
/// to exit, or kills it and returns `None`.
fn second_start(home: &std::path::Path) -> Result<Option<Output>> {
    let mut child = Command::new(app_binary())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env_remove("EARSHOT_DEV_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait()?.is_some() {
            return Ok(Some(child.wait_with_output()?));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill()?;
    child.wait()?;
    Ok(None)
}

#[tokio::test]
async fn a_second_start_shows_the_first_window_and_exits() -> Result<()> {
    let app = App::launch(|_| {}).await?;
    app.wait_css("[data-testid=nav-projects]").await?;
    let home = app.home.path().to_owned();

    let started = Instant::now();
    let second = home.clone();
    let Some(out) = tokio::task::spawn_blocking(move || second_start(&second)).await?? else {
        bail!("the second start did not exit within 30 s");
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(
        stderr.contains("already running; its window was brought to the front"),
        "{stderr}"
    );
    println!("second start exited after {:?}", started.elapsed());

    // The first one heard it, and its window still answers.
    let log_dir = home.join(".local/share/dev.earshot.console/logs");
    let logged = std::fs::read_dir(&log_dir)?
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .any(|text| text.contains("a second instance started"));
    assert!(
        logged,
        "the first instance logged no knock in {}",
        log_dir.display()
    );
    app.click("[data-testid=nav-projects]").await?;
    app.wait_css("[data-testid=add-project]").await?;
    app.close().await?;
    Ok(())
}
