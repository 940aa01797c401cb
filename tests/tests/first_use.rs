//! End to end on the real window, what a new user tripped on (issue 12): participant counts
//! that counted Earshot's own hidden connections, a removed project left on the wallboard, a
//! refused key retried forever, and rough edges of forms and dialogs. Listen modes, keys and
//! ended calls are in `listen_modes.rs`.

mod common;

use anyhow::{bail, Context, Result};
use common::wait::{attr, escape, text, wait_attr, wait_exact, wait_gone};
use common::App;
use earshot_testbed::{livekit, unique_room, LiveKit, Peer, PeerOptions};
use fantoccini::Locator;
use livekit_api::services::room::RoomClient;
use std::time::{Duration, Instant};

fn rooms_client(bed: &LiveKit) -> RoomClient {
    RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret)
}

fn tone(hz: f64) -> PeerOptions {
    PeerOptions {
        tone_hz: Some(hz),
        ..Default::default()
    }
}

/// The server's own participant list of `room`: (visible, hidden).
async fn server_people(bed: &LiveKit, room: &str) -> Result<(usize, usize)> {
    let people = rooms_client(bed).list_participants(room).await?;
    let hidden = people
        .iter()
        .filter(|p| p.permission.as_ref().is_some_and(|p| p.hidden))
        .count();
    Ok((people.len() - hidden, hidden))
}

#[tokio::test]
async fn counts_leave_out_listeners_and_room_views() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-counts");
    let _alice = Peer::join(bed, &room, "alice", tone(440.0))?;
    let _bob = Peer::join(bed, &room, "bob", tone(660.0))?;
    let app = App::with_bed_project(bed).await?;

    // A listener (Listen on the Rooms page), then the room's detail with its room view.
    app.click("[data-testid=nav-rooms]").await?;
    let row = format!("[data-testid=room-row][data-room='{room}']");
    app.click(&format!("{row} [data-testid=room-listen]"))
        .await?;
    app.wait_css(&format!(
        "[data-testid=listen-room-card][data-room='{room}'] [data-testid=listen-state][data-state=live]"
    ))
    .await?;
    app.click("[data-testid=nav-rooms]").await?;
    app.click(&format!("{row} td strong")).await?;
    app.wait_css("[data-testid=room-detail]").await?;
    // The room view is connected once it lists a caller.
    if let Err(err) = app.wait_css("[data-testid=live-participant]").await {
        let why = match app
            .client
            .find(Locator::Css("[data-testid=live-error]"))
            .await
        {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => "no error shown".into(),
        };
        return Err(err.context(format!("the room view did not connect: {why}")));
    }

    // The server lists both hidden connections, and its ListRooms count includes them.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (visible, hidden) = server_people(bed, &room).await?;
        let raw = rooms_client(bed)
            .list_rooms(vec![room.clone()])
            .await?
            .first()
            .map_or(0, |r| r.num_participants);
        if visible == 2 && hidden >= 2 && raw as usize == visible + hidden {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "server: {visible} visible, {hidden} hidden, ListRooms says {raw} (window: {})",
                app.screenshot().await
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Rooms page and room detail: the two callers.
    wait_exact(
        &app,
        &format!("{row} [data-testid=room-participants-count]"),
        "2",
    )
    .await?;
    let fact = text(
        &app,
        "[data-testid=room-fact][data-fact=participants] .mono",
    )
    .await?;
    assert!(fact.starts_with("2 "), "room detail says {fact:?}");
    assert!(fact.contains("hidden"), "room detail says {fact:?}");

    // Wallboard: its row (followed live: one more hidden connection) and its header.
    app.click("[data-testid=nav-wallboard]").await?;
    app.fill("[data-testid=wall-filter]", &room).await?;
    let wall_row = format!("[data-testid=wall-row][data-room='{room}']");
    wait_exact(
        &app,
        &format!("{wall_row} [data-testid=wall-listeners]"),
        "1",
    )
    .await?;
    // The room view closed with the detail; the listener and the followed row's view stay.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (visible, hidden) = server_people(bed, &room).await?;
        if visible == 2 && hidden >= 2 {
            break;
        }
        if Instant::now() > deadline {
            bail!("server: {visible} visible, {hidden} hidden with the row followed");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Two polls later the row still counts the callers only.
    tokio::time::sleep(Duration::from_secs(5)).await;
    wait_exact(
        &app,
        &format!("{wall_row} [data-testid=wall-participants]"),
        "2",
    )
    .await?;
    app.wait_text("[data-testid=wall-totals]", "1 room · 2 participants")
        .await?;
    // And back on the Rooms page, with every hidden connection still open.
    app.click("[data-testid=nav-rooms]").await?;
    wait_exact(
        &app,
        &format!("{row} [data-testid=room-participants-count]"),
        "2",
    )
    .await?;
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_removed_project_leaves_the_wallboard() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-removed");
    let _peer = Peer::join(bed, &room, "caller", PeerOptions::default())?;
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=add-project]").await?;
    app.submit_project("Leaving", &bed.ws_url, &bed.api_key, &bed.api_secret)
        .await?;
    app.wait_css("[data-testid=project-row][data-project-name='Leaving']")
        .await?;

    app.click("[data-testid=nav-wallboard]").await?;
    let leaving =
        format!("[data-testid=wall-row][data-room='{room}'][data-project-name='Leaving']");
    let staying = format!("[data-testid=wall-row][data-room='{room}'][data-project-name='Bed']");
    app.wait_css(&leaving).await?;
    app.wait_css(&staying).await?;
    let id = attr(&app, &leaving, "data-project").await?;
    let card = format!("[data-testid=wall-health][data-project='{id}']");
    app.wait_css(&card).await?;

    app.click("[data-testid=nav-projects]").await?;
    app.click(
        "[data-testid=project-row][data-project-name='Leaving'] [data-testid=project-remove]",
    )
    .await?;
    app.click("[data-testid=confirm-ok]").await?;
    wait_gone(
        &app,
        "[data-testid=project-row][data-project-name='Leaving']",
    )
    .await?;

    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css(&staying).await?;
    wait_gone(&app, &card).await?;
    wait_gone(
        &app,
        &format!("[data-testid=wall-row][data-project='{id}']"),
    )
    .await?;
    // Refresh the remaining project; a few polls pass: nothing of the removed one returns.
    app.click("[data-testid=wall-health] button").await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !app.exists(&card).await,
        "the removed project's card came back"
    );
    let chart = app
        .wait_css("[data-testid=wall-chart]")
        .await?
        .html(false)
        .await?;
    assert!(!chart.contains(&id), "the chart still names {id}");
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_rooms_page_stops_on_a_refused_key() -> Result<()> {
    let bed = livekit();
    let app = App::launch(|_| {}).await?;
    app.click("[data-testid=nav-projects]").await?;
    app.click("[data-testid=add-project]").await?;
    app.submit_project("Refused", &bed.ws_url, &bed.api_key, "not-the-secret")
        .await?;
    app.wait_text("[data-testid=form-error]", "401").await?;
    app.click("[data-testid=project-save-anyway]").await?;
    app.wait_css("[data-testid=project-row][data-project-name='Refused']")
        .await?;

    app.click("[data-testid=nav-rooms]").await?;
    let banner = "[data-testid=rooms-error-banner]";
    wait_attr(&app, banner, "data-stopped", "true").await?;
    app.wait_text("[data-testid=rooms-error]", "401").await?;
    app.wait_text("[data-testid=rooms-retrying]", "Not retrying")
        .await?;
    assert_eq!(attr(&app, banner, "data-failures").await?, "1");
    // The old page retried after 3 s and 6 s more: nothing is sent now.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        attr(&app, banner, "data-failures").await?,
        "1",
        "the refused key was tried again"
    );
    // Retry now is the user acting: one more attempt, then it stops again.
    app.click("[data-testid=rooms-retry]").await?;
    wait_attr(&app, banner, "data-failures", "2").await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(attr(&app, banner, "data-failures").await?, "2");
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn forms_and_dialogs_behave() -> Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;

    // Escape closes a confirmation (and cancels it).
    app.click("[data-testid=project-row][data-project-name='Bed'] [data-testid=project-remove]")
        .await?;
    app.wait_css("[data-testid=confirm]").await?;
    escape(&app).await?;
    wait_gone(&app, "[data-testid=confirm]").await?;
    app.wait_css("[data-testid=project-row][data-project-name='Bed']")
        .await?;

    // Create room: an error goes once its field is edited; Escape closes the dialog.
    app.click("[data-testid=nav-rooms]").await?;
    app.click("[data-testid=create-room]").await?;
    app.fill("#room-name", &"x".repeat(200)).await?;
    app.fill("#room-max-participants", "many").await?;
    app.click("[data-testid=room-create-submit]").await?;
    app.wait_text("[data-testid=error-name]", "at most 128")
        .await?;
    app.wait_css("[data-testid=error-max_participants]").await?;
    app.fill("#room-name", "fixed-name").await?;
    wait_gone(&app, "[data-testid=error-name]").await?;
    assert!(
        app.exists("[data-testid=error-max_participants]").await,
        "only the edited field's error goes"
    );
    escape(&app).await?;
    wait_gone(&app, "[data-testid=create-room-dialog]").await?;

    // A token that does not decode is named as such.
    app.click("[data-testid=nav-tokens]").await?;
    app.fill("#inspect-token", "not.a-token").await?;
    app.click("[data-testid=token-inspect]").await?;
    let why = app
        .wait_text("[data-testid=error-token]", "not a LiveKit token")
        .await?;
    assert!(!why.contains("encode"), "{why}");

    // Agents: Show without a room asks for one; an inactive room is named in full sentences.
    app.click("[data-testid=nav-agents]").await?;
    app.click("[data-testid=agents-show]").await?;
    app.wait_text("[data-testid=error-room]", "Enter the room")
        .await?;
    assert!(!app.exists("[data-testid=agents-shown]").await);
    let room = unique_room("e2e-quiet");
    app.fill("#agents-room", &room).await?;
    app.click("[data-testid=agents-show]").await?;
    app.wait_text(
        "[data-testid=agents-shown]",
        &format!("Agent dispatches in “{room}”"),
    )
    .await?;
    app.wait_text("[data-testid=agents-dispatches-none]", &room)
        .await?;
    app.wait_text(
        "[data-testid=agents-inactive]",
        &format!("“{room}” is not active"),
    )
    .await
    .context("the inactive room is named")?;
    app.close().await?;
    Ok(())
}
