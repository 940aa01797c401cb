//! End to end on the real window, listening as a new user found it (issue 12): an ended
//! call's clock and meter stop; what is heard (focus or mix) and the room the keys act on are
//! shown, a second Listen says which room it silenced, and a key with nothing to act on says
//! why instead of doing nothing.

mod common;

use anyhow::{bail, Result};
use common::wait::{attr, press, text, wait_attr};
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::{Duration, Instant};

fn tone(hz: f64) -> PeerOptions {
    PeerOptions {
        tone_hz: Some(hz),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_ended_call_stops_its_clock_and_meter() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-ended");
    let caller = Peer::join(bed, &room, "caller", tone(440.0))?;
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-rooms]").await?;
    app.click(&format!(
        "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
    ))
    .await?;
    let card = format!("[data-testid=listen-room-card][data-room='{room}']");
    app.wait_css(&format!(
        "{card} [data-testid=listen-state][data-state=live]"
    ))
    .await?;
    let master = format!("{card} [data-testid=master-meter]");
    let deadline = Instant::now() + Duration::from_secs(15);
    while attr(&app, &master, "data-level")
        .await?
        .parse::<f64>()
        .unwrap_or(0.0)
        <= 0.0
    {
        if Instant::now() > deadline {
            bail!("the meter never moved");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The caller leaves: the listener leaves too, and the card shows the call ended.
    drop(caller);
    wait_attr(&app, &card, "data-ended", "true").await?;
    app.wait_css(&format!(
        "{card} [data-testid=listen-state][data-state=ended]"
    ))
    .await?;
    wait_attr(&app, &master, "data-level", "0.0000").await?;
    let stopped_at = text(&app, &format!("{card} [data-testid=listen-elapsed]")).await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let later = text(&app, &format!("{card} [data-testid=listen-elapsed]")).await?;
    assert_eq!(stopped_at, later, "the ended call's clock kept running");
    assert_eq!(attr(&app, &master, "data-level").await?, "0.0000");
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn what_is_heard_and_what_keys_act_on_are_shown() -> Result<()> {
    let bed = livekit();
    let (first, second) = (unique_room("e2e-mode-a"), unique_room("e2e-mode-b"));
    let _a1 = Peer::join(bed, &first, "ann", tone(440.0))?;
    let _a2 = Peer::join(bed, &first, "abe", tone(550.0))?;
    let _b = Peer::join(bed, &second, "ben", tone(660.0))?;
    let app = App::with_bed_project(bed).await?;
    let card = |room: &str| format!("[data-testid=listen-room-card][data-room='{room}']");
    let listen_from_rooms = |room: String| {
        let app = &app;
        async move {
            app.click("[data-testid=nav-rooms]").await?;
            app.click(&format!(
                "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
            ))
            .await?;
            app.wait_css(&format!(
                "[data-testid=listen-room-card][data-room='{room}'] [data-testid=listen-state][data-state=live]"
            ))
            .await
            .map(|_| ())
        }
    };

    listen_from_rooms(first.clone()).await?;
    wait_attr(&app, "[data-testid=listen-mode]", "data-mode", "focus").await?;
    app.wait_text("[data-testid=listen-mode]", &first).await?;
    assert!(!app.exists("[data-testid=listen-switched]").await);

    // A second Listen: the first room is no longer heard, and the page says so.
    listen_from_rooms(second.clone()).await?;
    app.wait_text(
        "[data-testid=listen-switched]",
        &format!("Now hearing “{second}” only"),
    )
    .await?;
    app.wait_text("[data-testid=listen-switched]", &first)
        .await?;
    app.wait_text("[data-testid=listen-mode]", &second).await?;
    wait_attr(&app, &card(&first), "data-heard", "false").await?;
    wait_attr(&app, &card(&second), "data-heard", "true").await?;

    // Both in the mix: the mode says so, and the keys say why they do nothing.
    app.click(&format!("{} [data-testid=listen-mix]", card(&first)))
        .await?;
    wait_attr(&app, "[data-testid=listen-mode]", "data-mode", "mix").await?;
    app.wait_text("[data-testid=listen-mode]", "hearing 2 rooms")
        .await?;
    assert!(!app.exists("[data-testid=listen-switched]").await);
    press(&app, "1").await?;
    app.wait_text("[data-testid=listen-key-hint]", "the mix has 2")
        .await?;
    press(&app, " ").await?;
    app.wait_text("[data-testid=listen-key-hint]", "press Hear")
        .await?;
    let muted = format!("{} [data-testid=speaker-mute].on", card(&first));
    assert!(
        !app.exists(&muted).await,
        "space muted a room while in a mix"
    );

    // One room left in the mix: the keys act on it.
    app.click(&format!("{} [data-testid=listen-mix]", card(&second)))
        .await?;
    app.wait_text(
        "[data-testid=listen-mode]",
        &format!("hearing 1 room, “{first}”"),
    )
    .await?;
    app.wait_css(&format!(
        "{} [data-testid=speaker-row]:nth-child(2)",
        card(&first)
    ))
    .await?;
    press(&app, "2").await?;
    app.wait_text("[data-testid=listen-key-hint]", "Soloed")
        .await?;
    app.wait_css(&format!("{} [data-testid=speaker-solo].on", card(&first)))
        .await?;
    // No ninth speaker: said, not ignored.
    press(&app, "9").await?;
    app.wait_text("[data-testid=listen-key-hint]", "No speaker 9")
        .await?;
    app.close().await?;
    Ok(())
}
