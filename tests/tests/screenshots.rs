//! README's screenshots, taken on the real window against the test bed: a support call with
//! a voice agent (state and transcript), a caller on hold, then the Wallboard, the room's
//! live view, the Listen page hearing both calls, and the Audit page. Ignored in the test
//! command (it writes into the repo); `scripts/screenshots.sh` runs it, so the pictures are
//! renewed by a command, not by hand.

mod common;

use anyhow::{Context, Result};
use common::wait::wait_attr;
use common::App;
use earshot_testbed::{livekit, repo_root, Peer, PeerOptions};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

fn out_dir() -> PathBuf {
    std::env::var_os("EARSHOT_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("docs/screenshots"))
}

/// Waits for `css` (best effort: a picture a little early beats none).
async fn settle(app: &App, css: &str) {
    if let Err(e) = app.wait_css(css).await {
        println!("not seen before the picture: {css}: {e}");
    }
}

async fn save(app: &App, name: &str) -> Result<()> {
    // Meters and charts settle on their next updates.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let png = app.client.screenshot().await?;
    let path = out_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    println!("saved {}", path.display());
    Ok(())
}

fn talker(name: &str, hz: f64, talk_ms: u32) -> PeerOptions {
    PeerOptions {
        name: Some(name.into()),
        tone_hz: Some(hz),
        talk_ms: Some(talk_ms),
        ..Default::default()
    }
}

fn line(sender: Option<&str>, segment: &str, text: &str) -> serde_json::Value {
    json!({
        "op": "stream",
        "sender": sender,
        "attributes": { "lk.segment_id": segment, "lk.transcription_final": "true" },
        "chunks": [text],
    })
}

#[tokio::test]
#[ignore = "writes README's screenshots: scripts/screenshots.sh runs it"]
async fn readme_screenshots() -> Result<()> {
    std::fs::create_dir_all(out_dir())?;
    let bed = livekit();
    let (call, hold) = ("support-call-1042", "billing-hold-7");
    let _caller = Peer::join(bed, call, "caller-jane", talker("Jane Doe", 440.0, 1400))?;
    let mut agent = Peer::join(
        bed,
        call,
        "agent-ava",
        PeerOptions {
            name: Some("Ava".into()),
            tone_hz: Some(660.0),
            talk_ms: Some(1900),
            agent: true,
            commands: true,
            attributes: vec![("lk.agent.state".into(), "listening".into())],
            ..Default::default()
        },
    )?;
    let _held = Peer::join(
        bed,
        hold,
        "caller-omar",
        talker("Omar Haddad", 330.0, 60_000),
    )?;

    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css(&format!("[data-testid=wall-row][data-room='{call}']"))
        .await?;
    app.wait_css(&format!("[data-testid=wall-row][data-room='{hold}']"))
        .await?;
    agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}))?;
    // Counts polled, and the rows in view followed live (who speaks, quality).
    settle(&app, &format!("[data-testid=wall-row][data-room='{call}'] [data-testid=wall-speaking][data-speakers*=caller-jane]")).await;
    settle(&app, &format!("[data-testid=wall-row][data-room='{call}'] [data-testid=wall-quality]:not([data-quality=''])")).await;
    // Lines reach the connections open when they are said: the wallboard's followed row
    // now, the room's view later.
    agent.command(line(
        Some("caller-jane"),
        "SG_1",
        "Hi, my order never arrived.",
    ))?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    save(&app, "wallboard").await?;

    app.click("[data-testid=nav-rooms]").await?;
    // The row opens the room (its name cell: the Listen button is in the same row).
    app.click(&format!(
        "[data-testid=room-row][data-room='{call}'] strong"
    ))
    .await?;
    app.wait_css("[data-testid=live-view] [data-testid=live-state][data-state=live]")
        .await?;
    wait_attr(
        &app,
        "[data-testid=agent-state][data-identity=agent-ava]",
        "data-state",
        "thinking",
    )
    .await?;
    for (segment, sender, text) in [
        (
            "SG_2",
            None,
            "I'm sorry to hear that. Can you give me the order number?",
        ),
        (
            "SG_3",
            Some("caller-jane"),
            "It's 1042. I'd like a refund, please.",
        ),
        (
            "SG_4",
            None,
            "Of course. I've started a refund for order 1042.",
        ),
    ] {
        agent.command(line(sender, segment, text))?;
    }
    agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "speaking"}}))?;
    // Speakers lit and the quality known; a few seconds of the who-spoke chart.
    settle(&app, "[data-testid=live-participant][data-speaking=true]").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    save(&app, "room-view").await?;

    for room in [call, hold] {
        app.click("[data-testid=nav-rooms]").await?;
        app.click(&format!(
            "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
        ))
        .await?;
        app.wait_css(&format!(
            "[data-testid=listen-room-card][data-room='{room}'] [data-testid=listen-state][data-state=live]"
        ))
        .await?;
    }
    // Both calls heard together.
    app.click(&format!(
        "[data-testid=listen-room-card][data-room='{call}'] [data-testid=listen-mix]"
    ))
    .await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    save(&app, "listen").await?;

    app.click("[data-testid=nav-audit]").await?;
    app.wait_text("[data-testid=audit-entries]", "project_add")
        .await?;
    save(&app, "audit").await?;
    app.close().await?;
    Ok(())
}
