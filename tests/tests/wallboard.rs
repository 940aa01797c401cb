//! End to end on the real window: a room created by the test appears on the wallboard with
//! its participants and the chart; opening it shows the real-time view, where a joining
//! participant appears (speaking); an alert rule made in the Alerts page fires once when the
//! room ends. A row with an agent (a Python SDK peer) shows its state and the last line said,
//! and a rule on what is said fires once naming the line.

mod common;

use anyhow::{bail, Result};
use common::App;
use earshot_testbed::{livekit, transcription, unique_room, Peer, PeerOptions};
use livekit_api::services::room::{CreateRoomOptions, RoomClient};
use std::time::{Duration, Instant};

async fn wait_count(app: &App, css: &str, wanted: usize) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = app
            .client
            .find_all(fantoccini::Locator::Css(css))
            .await?
            .len();
        if n == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{css}: {n} elements, wanted {wanted} (window: {})",
                app.screenshot().await
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until the text of `css` is exactly `wanted` (not merely contains it).
async fn wait_exact_text(app: &App, css: &str, wanted: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = app.wait_css(css).await?.text().await?;
        if text.trim() == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{css} says {text:?}, not exactly {wanted:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The colour of a chart's first series (the UI's chart palette starts with it).
const FIRST_SERIES: &str = "#2563EB";

/// Whether a `<text>` of the SVG says exactly `wanted` (the renderer puts it on its own line).
fn svg_has_text(svg: &str, wanted: &str) -> bool {
    svg.split(['<', '>']).any(|t| t.trim() == wanted)
}

/// The markup of a chart's SVG, once drawn.
async fn chart_svg(app: &App, chart: &str) -> Result<String> {
    Ok(app
        .wait_css(&format!("[data-testid={chart}] svg"))
        .await?
        .html(false)
        .await?)
}

#[tokio::test]
async fn wallboard_shows_rooms_and_alerts_fire() -> Result<()> {
    let bed = livekit();
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let app = App::with_bed_project(bed).await?;

    // A rule made in the window: tell when this test's room ends.
    let room = unique_room("e2e-wall");
    app.click("[data-testid=nav-alerts]").await?;
    app.fill("#rule-name", "wall ended").await?;
    app.client
        .find(fantoccini::Locator::Css("#rule-kind"))
        .await?
        .select_by_value("room_ended")
        .await?;
    app.fill("#rule-pattern", &format!("{room}*")).await?;
    app.click("[data-testid=rule-save]").await?;
    app.wait_css("[data-testid=alert-rule][data-rule='wall ended']")
        .await?;
    // Bad input is refused inline, nothing saved.
    app.fill("#rule-name", "").await?;
    app.click("[data-testid=rule-save]").await?;
    app.wait_text("[data-testid=error-name]", "name").await?;
    wait_count(&app, "[data-testid=alert-rule]", 1).await?;

    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css("[data-testid=wall-health][data-state=ok]")
        .await?;
    let created = Instant::now();
    rooms
        .create_room(
            &room,
            CreateRoomOptions {
                empty_timeout: 60,
                ..Default::default()
            },
        )
        .await?;
    let row = format!("[data-testid=wall-row][data-room='{room}']");
    app.wait_css(&row).await?;
    println!("room created → on the wallboard: {:?}", created.elapsed());
    // One click opens the room with its real-time view; a participant joining shows up.
    app.click(&format!("{row} [data-testid=wall-open]")).await?;
    app.wait_css("[data-testid=live-view] [data-testid=live-state][data-state=live]")
        .await?;
    let _peer = Peer::join(
        bed,
        &room,
        "walker",
        PeerOptions {
            tone_hz: Some(440.0),
            // Talks in turns: the wallboard row joins mid-call and learns of speakers from
            // the server's speaker changes.
            talk_ms: Some(1500),
            ..Default::default()
        },
    )?;
    let joined = Instant::now();
    app.wait_css("[data-testid=live-participant][data-identity=walker]")
        .await?;
    println!(
        "participant connected → in the open room view: {:?}",
        joined.elapsed()
    );
    app.wait_css("[data-testid=live-participant][data-identity=walker][data-speaking=true]")
        .await?;
    // The charts carry data, not just an empty frame (axes are drawn either way): walker's
    // row with a speaking span in the first series colour, and the participant count drawn
    // as a line in that colour with its legend.
    let speaking = chart_svg(&app, "speaking-chart").await?;
    assert!(
        svg_has_text(&speaking, "walker") && speaking.contains(&format!("fill=\"{FIRST_SERIES}\"")),
        "the speaking chart shows walker's spans: {speaking}"
    );
    let counts = chart_svg(&app, "room-count-chart").await?;
    assert!(
        counts.contains(&format!("stroke=\"{FIRST_SERIES}\""))
            && svg_has_text(&counts, "participants"),
        "the room's count is drawn: {counts}"
    );
    app.click("[data-testid=nav-wallboard]").await?;
    wait_exact_text(&app, &format!("{row} [data-testid=wall-participants]"), "1").await?;
    // The row in view is followed live: who speaks, and the connection quality.
    let back = Instant::now();
    app.wait_css(&format!(
        "{row} [data-testid=wall-speaking][data-speakers*=walker]"
    ))
    .await?;
    println!(
        "wallboard row in view → walker shown speaking: {:?}",
        back.elapsed()
    );
    app.wait_css(&format!(
        "{row} [data-testid=wall-quality]:not([data-quality=''])"
    ))
    .await?;
    println!(
        "wallboard row in view → quality shown: {:?}",
        back.elapsed()
    );
    let wall = chart_svg(&app, "wall-chart").await?;
    assert!(
        wall.contains("<polyline")
            && wall.contains(&format!("stroke=\"{FIRST_SERIES}\""))
            && svg_has_text(&wall, "Bed"),
        "the wallboard chart draws the project's series with its legend: {wall}"
    );

    rooms.delete_room(&room).await?;
    let gone = Instant::now();
    let deadline = gone + Duration::from_secs(20);
    while app.exists(&row).await {
        if Instant::now() > deadline {
            bail!("the deleted room stays on the wallboard");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    println!(
        "room deleted → gone from the wallboard: {:?}",
        gone.elapsed()
    );
    // Exactly one new alert, counted on the nav's badge.
    wait_exact_text(&app, "[data-testid=alerts-badge]", "1").await?;
    app.click("[data-testid=nav-alerts]").await?;
    wait_count(&app, "[data-testid=alert-entry][data-rule='wall ended']", 1).await?;
    // More polls pass; the rule does not fire again.
    tokio::time::sleep(Duration::from_secs(4)).await;
    wait_count(&app, "[data-testid=alert-entry][data-rule='wall ended']", 1).await?;
    app.close().await?;
    Ok(())
}

/// A row in view shows its agent's state with time in state, and the last line said (the
/// interim version, then the final one, attributed to the caller), as a Python SDK peer
/// playing the agent changes state and sends lines; a rule on what is said, made in the
/// Alerts page, fires once and names the line.
#[tokio::test]
async fn wallboard_rows_show_the_agent_and_the_last_line() -> Result<()> {
    use common::wait::{attr, wait_attr, wait_exact};
    use serde_json::json;
    let bed = livekit();
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let app = App::with_bed_project(bed).await?;
    let room = unique_room("e2e-wall-agent");
    // A rule on what is said, made in the Alerts page; bad words are refused inline.
    app.click("[data-testid=nav-alerts]").await?;
    app.fill("#rule-name", "escalation").await?;
    app.client
        .find(fantoccini::Locator::Css("#rule-kind"))
        .await?
        .select_by_value("line_said")
        .await?;
    app.fill("#rule-words", "*").await?;
    app.fill("#rule-pattern", &room).await?;
    app.click("[data-testid=rule-save]").await?;
    app.wait_text("[data-testid=error-words]", "any line")
        .await?;
    wait_count(&app, "[data-testid=alert-rule]", 0).await?;
    app.fill("#rule-words", "cancel*, supervisor").await?;
    app.click("[data-testid=rule-save]").await?;
    app.wait_css("[data-testid=alert-rule][data-rule=escalation]")
        .await?;
    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css("[data-testid=wall-health][data-state=ok]")
        .await?;
    rooms
        .create_room(
            &room,
            CreateRoomOptions {
                empty_timeout: 60,
                ..Default::default()
            },
        )
        .await?;
    let _caller = Peer::join(
        bed,
        &room,
        "caller",
        PeerOptions {
            name: Some("Caller Jane".into()),
            ..Default::default()
        },
    )?;
    let row = format!("[data-testid=wall-row][data-room='{room}']");
    let agent_cell = format!("{row} [data-testid=wall-agent]");
    // Followed with no agent: the row says so.
    app.wait_text(&agent_cell, "no agent").await?;
    let mut agent = Peer::join(
        bed,
        &room,
        "agent-1",
        PeerOptions {
            name: Some("Helper Bot".into()),
            agent: true,
            commands: true,
            attributes: vec![("lk.agent.state".into(), "listening".into())],
            ..Default::default()
        },
    )?;
    wait_attr(&app, &agent_cell, "data-state", "listening").await?;
    let changed = Instant::now();
    agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}))?;
    wait_attr(&app, &agent_cell, "data-state", "thinking").await?;
    println!("agent state changed → on the row: {:?}", changed.elapsed());
    // Time in state counts up with the clock.
    app.wait_text(&agent_cell, "thinking · 2 s").await?;
    assert!(attr(&app, &agent_cell, "title")
        .await?
        .contains("Helper Bot"));

    let line = format!("{row} [data-testid=wall-line]");
    let sent = Instant::now();
    agent.command(transcription(Some("caller"), "SG_c1", false, "I want to"))?;
    wait_attr(&app, &line, "data-final", "false").await?;
    println!("interim line sent → on the row: {:?}", sent.elapsed());
    wait_exact(
        &app,
        &format!("{line} [data-testid=wall-line-text]"),
        "I want to",
    )
    .await?;
    assert_eq!(attr(&app, &line, "data-speaker").await?, "caller");
    app.wait_text(&line, "Caller Jane").await?;
    let sent = Instant::now();
    agent.command(transcription(
        Some("caller"),
        "SG_c1",
        true,
        "I want to cancel my order.",
    ))?;
    wait_attr(&app, &line, "data-final", "true").await?;
    println!("final line sent → on the row: {:?}", sent.elapsed());
    wait_exact(
        &app,
        &format!("{line} [data-testid=wall-line-text]"),
        "I want to cancel my order.",
    )
    .await?;
    // The agent answers: the row moves on to its line.
    agent.command(transcription(
        None,
        "SG_a1",
        true,
        "Sure, I can help with that.",
    ))?;
    wait_attr(&app, &line, "data-speaker", "agent-1").await?;
    app.wait_text(&line, "Helper Bot").await?;
    // The caller's final line fired the rule once, naming the line (the interim did not).
    app.click("[data-testid=nav-alerts]").await?;
    let entry = "[data-testid=alert-entry][data-rule=escalation]";
    app.wait_text(entry, "Caller Jane said “I want to cancel my order.”")
        .await?;
    wait_count(&app, entry, 1).await?;
    app.close().await?;
    Ok(())
}
