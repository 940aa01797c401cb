//! End to end on the real window: a call the wallboard's pollers saw (created, joined by a
//! Python participant, ended) is listed on the History page as ended with its peak, a
//! search by the participant's identity finds it, and opening it shows its timeline.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use livekit_api::services::room::{CreateRoomOptions, RoomClient};

#[tokio::test]
async fn history_lists_a_finished_call_and_opens_its_timeline() -> anyhow::Result<()> {
    let bed = livekit();
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-wallboard]").await?;
    app.wait_css("[data-testid=wall-health][data-state=ok]")
        .await?;
    let room = unique_room("e2e-history");
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
    let peer = Peer::join(bed, &room, "historian", PeerOptions::default())?;
    // Once the board shows the participant a poll has counted them (the peak); a moment
    // more lets that poll's lookup land the join in the timeline.
    common::wait::wait_exact(&app, &format!("{row} [data-testid=wall-participants]"), "1").await?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    peer.leave();
    rooms.delete_room(&room).await?;
    common::wait::wait_gone(&app, &row).await?;

    app.click("[data-testid=nav-history]").await?;
    let call = format!("[data-testid=history-call][data-room='{room}']");
    app.wait_css(&call).await?;
    let ended =
        common::wait::text(&app, &format!("{call} [data-testid=history-call-ended]")).await?;
    assert_ne!(ended.trim(), "live", "the call ended");
    common::wait::wait_exact(
        &app,
        &format!("{call} [data-testid=history-call-peak]"),
        "1",
    )
    .await?;
    // Search by identity finds it; by a name nobody had, nothing.
    app.fill("[data-testid=history-search]", "nobody-had-this")
        .await?;
    app.click("[data-testid=history-apply]").await?;
    app.wait_css("[data-testid=history-empty]").await?;
    app.fill("[data-testid=history-search]", "historian")
        .await?;
    app.click("[data-testid=history-apply]").await?;
    app.click(&format!("{call} [data-testid=history-call-room]"))
        .await?;
    app.wait_text(
        "[data-testid=history-timeline]",
        "participant joined · historian",
    )
    .await?;
    app.wait_css("[data-testid=webhook-state]").await?;
    app.wait_text("[data-testid=webhook-state]", "Off").await?;
    app.close().await?;
    Ok(())
}
