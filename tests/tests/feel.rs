//! End to end on the real window, the rough edges a new user met: pages with nothing in
//! them say so (SIP, Ingress, Agents), a footer notice goes away by itself, a raised alert
//! opens its room, and the room shows its live view before the admin table.

mod common;

use anyhow::{bail, Result};
use common::wait::wait_gone;
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::{Duration, Instant};

#[tokio::test]
async fn empty_pages_say_so_notices_expire_and_alerts_open_their_room() -> Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;

    app.click("[data-testid=nav-sip]").await?;
    for empty in ["sip-inbound-empty", "sip-outbound-empty", "sip-rules-empty"] {
        app.wait_css(&format!("[data-testid={empty}]")).await?;
    }
    app.click("[data-testid=nav-ingress]").await?;
    app.wait_text("[data-testid=ingress-empty]", "No ingress in this project")
        .await?;
    app.click("[data-testid=nav-agents]").await?;
    app.wait_text("[data-testid=agents-start]", "Show dispatches")
        .await?;
    let shown: bool = app
        .client
        .execute(
            "return [...document.querySelectorAll('section.agents table')].some(t => t.offsetHeight > 0);",
            vec![],
        )
        .await?
        .as_bool()
        .unwrap_or(true);
    assert!(!shown, "no bare table headers before anything is shown");

    // A rule saved: its notice shows, then goes by itself.
    let room = unique_room("e2e-feel");
    app.click("[data-testid=nav-alerts]").await?;
    app.fill("#rule-name", "feel started").await?;
    app.client
        .find(fantoccini::Locator::Css("#rule-kind"))
        .await?
        .select_by_value("room_started")
        .await?;
    app.fill("#rule-pattern", &format!("{room}*")).await?;
    app.click("[data-testid=rule-save]").await?;
    app.wait_text("[data-testid=notice]", "saved").await?;
    let shown_at = Instant::now();
    wait_gone(&app, "[data-testid=notice]").await?;
    let lasted = shown_at.elapsed();
    println!("the notice stayed {lasted:?}");
    assert!(
        lasted >= Duration::from_secs(8),
        "gone too soon to read: {lasted:?}"
    );

    // The room starts; its alert opens the room, whose live view comes first.
    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css("[data-testid=wall-health][data-state=ok]")
        .await?;
    let _alice = Peer::join(
        bed,
        &room,
        "alice",
        PeerOptions {
            tone_hz: Some(440.0),
            ..Default::default()
        },
    )?;
    app.click("[data-testid=nav-alerts]").await?;
    app.click("[data-testid=alert-entry][data-rule='feel started'] [data-testid=alert-open-room]")
        .await?;
    app.wait_css("[data-testid=room-detail] [data-testid=live-view]")
        .await?;
    app.wait_css("[data-testid=room-detail] [data-testid=participant-row][data-identity='alice']")
        .await?;
    let order = app
        .client
        .execute(
            "const live = document.querySelector('[data-testid=live-view]').getBoundingClientRect().top;
             const row = document.querySelector('[data-testid=participant-row]').getBoundingClientRect().top;
             return [live, row];",
            vec![],
        )
        .await?;
    let (live, row) = (order[0].as_f64(), order[1].as_f64());
    match (live, row) {
        (Some(live), Some(row)) if live < row => {}
        _ => bail!("the live view is not above the participants: {order}"),
    }
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_first_run_offers_the_ways_to_a_project() -> Result<()> {
    let app = App::launch(|_| {}).await?;
    app.wait_text(
        "[data-testid=rooms-no-project]",
        "No project is configured yet",
    )
    .await?;
    app.click("[data-testid=start-projects]").await?;
    app.wait_text("[data-testid=projects-empty]", "./scripts/run.sh")
        .await?;
    let table_shown: bool = app
        .client
        .execute(
            "return [...document.querySelectorAll('section.projects table')].some(t => t.offsetHeight > 0);",
            vec![],
        )
        .await?
        .as_bool()
        .unwrap_or(true);
    assert!(!table_shown, "no empty table on a first run");
    app.click("[data-testid=first-import]").await?;
    app.wait_css("[data-testid=cli-path]").await?;
    common::wait::escape(&app).await?;
    wait_gone(&app, "[data-testid=cli-path]").await?;
    app.click("[data-testid=first-add]").await?;
    app.wait_css("[data-testid=project-dialog] #project-name")
        .await?;
    app.close().await?;
    Ok(())
}

/// The window's background colour, as `rgb(r, g, b)`.
async fn background(app: &App) -> Result<String> {
    Ok(app
        .client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn wait_background(app: &App, wanted: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = background(app).await?;
        if now == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "background {now}, wanted {wanted} (window: {})",
                app.screenshot().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const LIGHT: &str = "rgb(246, 247, 249)";
const DARK: &str = "rgb(18, 22, 29)";

#[tokio::test]
async fn the_theme_switch_darkens_the_window_and_is_kept() -> Result<()> {
    let app = App::launch(|_| {}).await?;
    // No desktop preference under Xvfb: the system theme is light.
    wait_background(&app, LIGHT).await?;
    app.client
        .find(fantoccini::Locator::Css("[data-testid=theme-switch]"))
        .await?
        .select_by_value("dark")
        .await?;
    wait_background(&app, DARK).await?;
    let (home, _) = app.close().await?;

    let app = App::launch(|new_home| {
        for dir in [".local/share", ".config"] {
            let _ = std::process::Command::new("cp")
                .arg("-a")
                .arg(format!("{}/.", home.path().join(dir).display()))
                .arg(new_home.join(dir))
                .status();
        }
    })
    .await?;
    wait_background(&app, DARK).await?;
    let shown = app
        .client
        .execute(
            "return document.querySelector('[data-testid=theme-switch]').value;",
            vec![],
        )
        .await?;
    assert_eq!(
        shown.as_str(),
        Some("dark"),
        "the switch shows the kept theme"
    );
    app.client
        .find(fantoccini::Locator::Css("[data-testid=theme-switch]"))
        .await?
        .select_by_value("system")
        .await?;
    wait_background(&app, LIGHT).await?;
    app.close().await?;
    Ok(())
}
