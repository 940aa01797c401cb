//! End to end on the real window: the wallboard's Open on a room of another project than
//! the one shown is one navigation to that project's room (route, selector and detail
//! agree), the room name survives the route's encoding, and the back button returns to the
//! wallboard.

mod common;

use anyhow::{bail, Context, Result};
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::{Duration, Instant};

/// The route: the window's URL fragment, split into decoded segments.
async fn route(app: &App) -> Result<Vec<String>> {
    let segments = app
        .client
        .execute(
            "return location.hash.replace(/^#/, '').split('/').map(decodeURIComponent);",
            vec![],
        )
        .await?;
    serde_json::from_value(segments).context("the route is not a list of segments")
}

async fn wait_route(app: &App, wanted: &[&str]) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = route(app).await?;
        if now == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the route is {now:?}, not {wanted:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn attr(app: &App, css: &str, name: &str) -> Result<String> {
    app.wait_css(css)
        .await?
        .attr(name)
        .await?
        .with_context(|| format!("{css} has no {name}"))
}

#[tokio::test]
async fn wallboard_open_goes_to_the_rooms_project() -> Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;
    // A second project on the same server: every room shows once per project.
    app.click("[data-testid=add-project]").await?;
    app.submit_project("Bed 2", &bed.ws_url, &bed.api_key, &bed.api_secret)
        .await?;
    app.wait_css("[data-testid=project-row][data-project-name='Bed 2']")
        .await?;

    // Characters a path segment must encode.
    let room = format!("{} #1/ü?", unique_room("e2e-open"));
    let _peer = Peer::join(bed, &room, "opener", PeerOptions::default())?;

    app.click("[data-testid=nav-wallboard]").await?;
    wait_route(&app, &["", "wallboard"]).await?;
    let first = format!("[data-testid=wall-row][data-room='{room}'][data-project-name='Bed']");
    let second = format!("[data-testid=wall-row][data-room='{room}'][data-project-name='Bed 2']");
    app.wait_css(&first).await?;
    app.wait_css(&second).await?;
    let first_id = attr(&app, &first, "data-project").await?;
    let second_id = attr(&app, &second, "data-project").await?;
    assert_ne!(first_id, second_id);
    // The window works on the first (default) project.
    assert_eq!(
        attr(&app, "[data-testid=project-switcher]", "data-project").await?,
        first_id
    );

    app.click(&format!("{second} [data-testid=wall-open]"))
        .await?;
    wait_route(&app, &["", "p", &second_id, "rooms", &room]).await?;
    app.wait_text("[data-testid=room-detail] h2", &room).await?;
    app.wait_text("[data-testid=rooms-project]", "Bed 2")
        .await?;
    assert_eq!(
        attr(&app, "[data-testid=project-switcher]", "data-project").await?,
        second_id
    );
    app.wait_text("[data-testid=project-switcher] option:checked", "Bed 2")
        .await?;
    // The detail is that room's: its participant, live.
    app.wait_css("[data-testid=participant-row][data-identity=opener]")
        .await?;
    app.wait_css("[data-testid=live-view] [data-testid=live-participant][data-identity=opener]")
        .await?;

    app.client.back().await?;
    wait_route(&app, &["", "wallboard"]).await?;
    app.wait_css(&second).await?;
    assert!(
        !app.exists("[data-testid=room-detail]").await,
        "the room detail stays after going back"
    );
    assert_eq!(
        attr(&app, "[data-testid=project-switcher]", "data-project").await?,
        first_id
    );
    app.close().await?;
    Ok(())
}
