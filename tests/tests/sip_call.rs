//! End to end on the real window with a real livekit-sip worker and sipp far ends: a call to
//! a busy number shows the SIP status in the dial dialog; a call that is answered shows the
//! call placed, and "Listen to the call" opens Listen with the callee live and audible.

mod common;

use anyhow::{bail, Result};
use common::App;
use earshot_testbed::{livekit, sip_worker, unique_room, FarEnd, FarEndMode, LiveKit};
use livekit_api::services::sip::{CreateSIPOutboundTrunkOptions, SIPClient};
use std::time::{Duration, Instant};

async fn outbound_trunk(bed: &LiveKit, name: &str, address: &str) -> Result<String> {
    let client = SIPClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let number = format!("+1555{:07}", std::process::id() % 10_000_000);
    let trunk = client
        .create_sip_outbound_trunk(
            name.into(),
            address.into(),
            vec![number],
            CreateSIPOutboundTrunkOptions::default(),
        )
        .await?;
    Ok(trunk.sip_trunk_id)
}

/// Opens the dial dialog on the SIP page and places a call from `trunk` into `room`.
async fn dial(app: &App, trunk: &str, room: &str) -> Result<()> {
    app.click("[data-testid=sip-dial]").await?;
    app.wait_css("[data-testid=sip-dial-dialog]").await?;
    app.click(&format!("#dial-trunk option[value='{trunk}']"))
        .await?;
    app.fill("#dial-to", "+15550100").await?;
    app.fill("#dial-room", room).await?;
    app.fill("#dial-identity", "callee").await?;
    app.fill("#dial-ringing", "5").await?;
    app.click("[data-testid=sip-dial-submit]").await
}

#[tokio::test]
async fn dial_out_from_the_window_and_listen_in() -> Result<()> {
    let bed = livekit();
    sip_worker();
    let mut busy = FarEnd::start(FarEndMode::Busy)?;
    let mut answer = FarEnd::start(FarEndMode::Answer { tone_hz: 440.0 })?;
    let busy_trunk = outbound_trunk(bed, "Busy line", &busy.address).await?;
    let answer_trunk = outbound_trunk(bed, "Answering line", &answer.address).await?;

    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-sip]").await?;
    app.wait_css(&format!(
        "[data-testid=sip-outbound-row][data-id='{answer_trunk}']"
    ))
    .await?;

    // Busy: the SIP status, coded as a failed call, and no "call placed".
    dial(&app, &busy_trunk, &unique_room("e2e-busy")).await?;
    let error = "[data-testid=sip-dial-dialog] [data-testid=form-error][data-code=CallFailed]";
    let text = app.wait_text(error, "486 Busy Here").await?;
    println!("busy line shown as: {text}");
    assert!(!app.exists("[data-testid=call-result]").await);
    assert_eq!(busy.wait(Duration::from_secs(5)), Some(true));
    app.click("[data-testid=dialog-cancel]").await?;

    // Answered: the call placed, then listen in from the dialog.
    let room = unique_room("e2e-call");
    dial(&app, &answer_trunk, &room).await?;
    app.wait_text(
        "[data-testid=call-result]",
        &format!("callee joined {room}"),
    )
    .await?;
    let pressed = Instant::now();
    app.click("[data-testid=sip-dial-listen]").await?;
    let card = format!("[data-testid=listen-room-card][data-room='{room}']");
    app.wait_css(&format!(
        "{card} [data-testid=listen-state][data-state=live]"
    ))
    .await?;
    let meter = format!(
        "{card} [data-testid=speaker-row][data-identity='callee'] [data-testid=speaker-meter]"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let level: f64 = app
            .wait_css(&meter)
            .await?
            .attr("data-level")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        if level > 0.01 {
            println!(
                "Listen to the call → the callee's meter at {level:.3} after {:?}",
                pressed.elapsed()
            );
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the callee's meter stayed at {level} (window: {})",
                app.screenshot().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.click(&format!("{card} [data-testid=listen-leave]"))
        .await?;
    app.close().await?;
    // Nobody hung up yet: the far end still holds the call; hang up by removing it.
    let rooms = livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    );
    rooms.remove_participant(&room, "callee").await?;
    assert_eq!(answer.wait(Duration::from_secs(10)), Some(true));
    Ok(())
}
