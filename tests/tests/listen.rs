//! End to end on the real window: press Listen on a room where two Python SDK callers publish
//! tones, see the state go live, meters move, audio frames arrive, use mute/solo and the
//! keyboard, and leave — while a caller never sees the listener.

mod common;

use anyhow::{bail, Context, Result};
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use fantoccini::Locator;
use std::time::{Duration, Instant};

fn tone(hz: f64) -> PeerOptions {
    PeerOptions {
        tone_hz: Some(hz),
        ..Default::default()
    }
}

async fn attr(app: &App, css: &str, name: &str) -> Result<String> {
    let el = app.wait_css(css).await?;
    Ok(el.attr(name).await?.unwrap_or_default())
}

/// Reads a numeric attribute until `ok` accepts it; returns the accepted value.
async fn wait_attr(app: &App, css: &str, name: &str, ok: impl Fn(f64) -> bool) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value: f64 = attr(app, css, name).await?.parse().unwrap_or(f64::NAN);
        if ok(value) {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("{css} {name}={value} (window: {})", app.screenshot().await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_class(app: &App, css: &str, needle: &str, present: bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let class = attr(app, css, "class").await?;
        if class.split_whitespace().any(|c| c == needle) == present {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{css} class={class:?}, wanted {needle} {present}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The number in "N frames received".
async fn frames_received(app: &App) -> Result<u64> {
    let text = app
        .wait_css("[data-testid=listen-audio]")
        .await?
        .text()
        .await?;
    let n = text
        .split_whitespace()
        .find_map(|w| w.parse::<u64>().ok())
        .with_context(|| format!("no frame count in {text:?}"))?;
    Ok(n)
}

/// The player's running totals from the audio line: (underruns, overruns), each the number
/// just before its word.
async fn playback_gaps(app: &App) -> Result<(u64, u64)> {
    let text = app
        .wait_css("[data-testid=listen-audio]")
        .await?
        .text()
        .await?;
    let words: Vec<&str> = text.split_whitespace().collect();
    let count_before = |word: &str| {
        words
            .windows(2)
            .find_map(|w| (w[1] == word).then(|| w[0].parse::<u64>().ok()).flatten())
            .with_context(|| format!("no {word} count in {text:?}"))
    };
    Ok((count_before("underruns")?, count_before("overruns")?))
}

#[tokio::test]
async fn listen_from_the_rooms_page() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-listen");
    let mut alice = Peer::join(bed, &room, "alice", tone(440.0))?;
    let _bob = Peer::join(bed, &room, "bob", tone(660.0))?;

    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-rooms]").await?;
    let pressed = Instant::now();
    app.click(&format!(
        "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
    ))
    .await?;

    // The Listen page opens with the room live and both callers as speakers.
    let card = format!("[data-testid=listen-room-card][data-room='{room}']");
    app.wait_css(&format!(
        "{card} [data-testid=listen-state][data-state=live]"
    ))
    .await?;
    println!(
        "Listen pressed → state live in the window: {:?}",
        pressed.elapsed()
    );
    for who in ["alice", "bob"] {
        let meter = format!(
            "{card} [data-testid=speaker-row][data-identity='{who}'] [data-testid=speaker-meter]"
        );
        wait_attr(&app, &meter, "data-level", |v| v > 0.01).await?;
    }
    println!(
        "Listen pressed → both meters moving: {:?}",
        pressed.elapsed()
    );
    assert!(
        app.exists("[data-testid=listen-badge]").await,
        "nav shows the count"
    );

    // Meters move: the master level is reported repeatedly and changes.
    let master = format!("{card} [data-testid=master-meter]");
    let first = wait_attr(&app, &master, "data-level", |v| v > 0.0).await?;
    wait_attr(&app, &master, "data-level", |v| v > 0.0 && v != first).await?;
    // Audio frames (base64 16-bit PCM text) reach the window over the channel. Measured in
    // steady state: the start-up backlog (delivered in a burst once the room goes live) has
    // played out, and the player has reported its totals (once a second).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = frames_received(&app).await?;
    let gaps_before = playback_gaps(&app).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = frames_received(&app).await?;
    let gaps_after = playback_gaps(&app).await?;
    println!(
        "in 3 s: {} frames; underruns, overruns {gaps_before:?} → {gaps_after:?}",
        after - before
    );
    // 150 frames of 20 ms are due in 3 s; a few may sit in the channel at either reading.
    assert!(after >= before + 130, "frames {before} → {after} in 3 s");
    // Not asserted yet: under Xvfb this window shows about 10 underruns and 45 overruns
    // (issue 19); the player's totals are printed above until that is understood.

    // Mute alice in our mix: her row shows it; her input meter keeps moving.
    let alice_row = format!("{card} [data-testid=speaker-row][data-identity='alice']");
    app.click(&format!("{alice_row} [data-testid=speaker-mute]"))
        .await?;
    wait_class(
        &app,
        &format!("{alice_row} [data-testid=speaker-mute]"),
        "on",
        true,
    )
    .await?;
    wait_class(&app, &format!("{alice_row} .meter-fill"), "quiet", true).await?;
    app.click(&format!("{alice_row} [data-testid=speaker-mute]"))
        .await?;
    wait_class(
        &app,
        &format!("{alice_row} [data-testid=speaker-mute]"),
        "on",
        false,
    )
    .await?;

    // Keyboard: "2" solos the second speaker, space mutes everyone.
    let body = app.client.find(Locator::Css("body")).await?;
    body.send_keys("2").await?;
    let second = attr(
        &app,
        &format!("{card} [data-testid=speaker-row]:nth-child(2)"),
        "data-identity",
    )
    .await?;
    let second_row = format!("{card} [data-testid=speaker-row][data-identity='{second}']");
    wait_class(
        &app,
        &format!("{second_row} [data-testid=speaker-solo]"),
        "on",
        true,
    )
    .await?;
    body.send_keys(" ").await?;
    wait_class(
        &app,
        &format!("{alice_row} [data-testid=speaker-mute]"),
        "on",
        true,
    )
    .await?;
    app.wait_text("[data-testid=listen-audio]", "everyone muted")
        .await?;

    // What playback did meanwhile (the worklet's counters), for the record.
    let audio = app
        .wait_css("[data-testid=listen-audio]")
        .await?
        .text()
        .await?;
    println!("after {:?} of listening: {audio}", pressed.elapsed());

    // Leave: the card goes, and the caller never saw a listener.
    app.click(&format!("{card} [data-testid=listen-leave]"))
        .await?;
    app.wait_css("[data-testid=listen-empty]").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen: Vec<String> = alice
        .drain()
        .iter()
        .filter(|e| {
            e.to_string().contains("earshot-listener") || e.to_string().contains("earshot.role")
        })
        .map(|e| e.to_string())
        .collect();
    assert!(seen.is_empty(), "a caller saw the listener: {seen:?}");
    app.close().await?;
    Ok(())
}
