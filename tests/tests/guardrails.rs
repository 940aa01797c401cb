//! End to end on the real window: a project's monitoring limits are set in its dialog (bad
//! input named per field), and a listen shows how long it has left, with the warning once
//! the end is near. (The limits themselves are enforced and tested in the core.)

mod common;

use anyhow::{bail, Result};
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::{Duration, Instant};

#[tokio::test]
async fn limits_are_set_per_project_and_shown_while_listening() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-limit");
    let _caller = Peer::join(
        bed,
        &room,
        "caller",
        PeerOptions {
            tone_hz: Some(440.0),
            ..Default::default()
        },
    )?;
    let app = App::with_bed_project(bed).await?;

    // The dialog shows the defaults and names a bad value's field.
    app.click("[data-testid=project-row][data-project-name='Bed'] [data-testid=project-edit]")
        .await?;
    let minutes = app.wait_css("#project-limit-minutes").await?;
    assert_eq!(minutes.prop("value").await?.as_deref(), Some("60"));
    app.fill("#project-limit-minutes", "an hour").await?;
    app.click("[data-testid=project-save]").await?;
    app.wait_text("[data-testid=error-max_listen_minutes]", "0 means no limit")
        .await?;
    app.fill("#project-limit-minutes", "2").await?;
    app.fill("#project-monitors", "1").await?;
    app.click("[data-testid=project-save]").await?;
    common::wait::wait_gone(&app, "[data-testid=project-dialog]").await?;

    // Saved: once the list has reloaded, the dialog opens with the new values.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        app.click("[data-testid=project-row][data-project-name='Bed'] [data-testid=project-edit]")
            .await?;
        let minutes = app.wait_css("#project-limit-minutes").await?;
        let monitors = app.wait_css("#project-monitors").await?;
        let shown = (
            minutes.prop("value").await?.unwrap_or_default(),
            monitors.prop("value").await?.unwrap_or_default(),
        );
        app.click("[data-testid=dialog-cancel]").await?;
        if shown == ("2".to_owned(), "1".to_owned()) {
            break;
        }
        if Instant::now() > deadline {
            bail!("the dialog reopened with {shown:?}");
        }
        common::wait::wait_gone(&app, "[data-testid=project-dialog]").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // A 2-minute limit is within the warning period from the start.
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
    let badge = format!("{card} [data-testid=listen-limit][data-warning=true]");
    let text = app.wait_text(&badge, "time limit").await?;
    // "Leaves in 01:5x (time limit)", counting down.
    let left = |t: &str| -> Option<u64> {
        let mmss = t.split_whitespace().find(|w| w.contains(':'))?;
        let (m, s) = mmss.split_once(':')?;
        Some(m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?)
    };
    let first = left(&text).unwrap_or(0);
    assert!((100..=120).contains(&first), "{text:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = app.wait_css(&badge).await?.text().await?;
        if left(&now).is_some_and(|n| n < first) {
            break;
        }
        if Instant::now() > deadline {
            bail!("the time left did not count down from {text:?}: {now:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.close().await?;
    Ok(())
}
