//! End to end on the real window: an open room view says there is no agent, then follows an
//! agent (a Python SDK peer speaking the wire format of livekit-agents): its state with time
//! in state, and the transcript beside the speakers — the caller's interim line replaced by
//! the final one, attributed to the caller, and the agent's own line.

mod common;

use anyhow::{bail, Result};
use common::wait::{attr, wait_attr, wait_exact, wait_gone};
use common::App;
use earshot_testbed::{livekit, transcription, unique_room, Peer, PeerOptions};
use livekit_api::services::room::{CreateRoomOptions, RoomClient};
use serde_json::json;
use std::time::Instant;

#[tokio::test]
async fn the_room_view_shows_the_live_transcript_and_agent_state() -> Result<()> {
    let bed = livekit();
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let app = App::with_bed_project(bed).await?;
    let room = unique_room("e2e-transcript");
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
    app.wait_css(&row).await?;
    app.click(&format!("{row} [data-testid=wall-open]")).await?;
    app.wait_css("[data-testid=live-participant][data-identity=caller]")
        .await?;
    app.wait_text("[data-testid=no-agent]", "No agent in this room")
        .await?;

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
    let state = "[data-testid=agent-state][data-identity=agent-1]";
    wait_attr(&app, state, "data-state", "listening").await?;
    wait_gone(&app, "[data-testid=no-agent]").await?;
    agent.command(json!({"op": "attributes", "attributes": {"lk.agent.state": "thinking"}}))?;
    wait_attr(&app, state, "data-state", "thinking").await?;
    app.wait_text(state, "thinking for").await?;

    // The caller's speech: interim, then final in the same line.
    let line = "[data-testid=transcript-line][data-segment=SG_c1]";
    let sent = Instant::now();
    agent.command(transcription(Some("caller"), "SG_c1", false, "I want to"))?;
    app.wait_css(&format!("{line}[data-interim=true]")).await?;
    println!(
        "transcript: interim line shown {:?} after sent",
        sent.elapsed()
    );
    wait_exact(
        &app,
        &format!("{line} [data-testid=transcript-text]"),
        "I want to",
    )
    .await?;
    assert_eq!(attr(&app, line, "data-speaker").await?, "caller");
    app.wait_text(line, "Caller Jane").await?;
    app.wait_text(line, "interim").await?;
    let sent = Instant::now();
    agent.command(transcription(
        Some("caller"),
        "SG_c1",
        true,
        "I want to cancel my order.",
    ))?;
    app.wait_css(&format!("{line}[data-interim=false]")).await?;
    println!(
        "transcript: final line shown {:?} after sent",
        sent.elapsed()
    );
    wait_exact(
        &app,
        &format!("{line} [data-testid=transcript-text]"),
        "I want to cancel my order.",
    )
    .await?;
    let copies = app
        .client
        .find_all(fantoccini::Locator::Css(line))
        .await?
        .len();
    if copies != 1 {
        bail!("the final line did not replace the interim one: {copies} lines");
    }

    // The agent's own line, below the caller's.
    agent.command(transcription(
        None,
        "SG_a1",
        true,
        "Sure, I can help with that.",
    ))?;
    let said = "[data-testid=transcript-line][data-segment=SG_a1][data-interim=false]";
    app.wait_css(said).await?;
    assert_eq!(attr(&app, said, "data-speaker").await?, "agent-1");
    app.wait_text(said, "Helper Bot").await?;
    app.wait_text(said, "(agent)").await?;
    let order: Vec<String> = {
        let mut out = Vec::new();
        for el in app
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=transcript-line]"))
            .await?
        {
            out.push(el.attr("data-segment").await?.unwrap_or_default());
        }
        out
    };
    assert_eq!(order, ["SG_c1", "SG_a1"]);
    Ok(())
}
