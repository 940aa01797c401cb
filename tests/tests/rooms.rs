//! End to end on the real window: creating a room (with inline validation), the settings the
//! server reports, results of mute-all and sending data, removing a participant played by the
//! official Python SDK, and deleting the room.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::time::Duration;

#[tokio::test]
async fn create_room_remove_participant_delete_room() -> anyhow::Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-rooms]").await?;

    // Invalid input is named inline and nothing is created.
    app.click("[data-testid=create-room]").await?;
    app.fill("#room-name", &"x".repeat(200)).await?;
    app.fill("#room-agents", "{\"agent_name\": \"x\"}").await?;
    app.click("[data-testid=room-create-submit]").await?;
    app.wait_text("[data-testid=error-name]", "at most 128")
        .await?;
    app.wait_text("[data-testid=error-agents_json]", "array")
        .await?;
    assert!(!app.exists("[data-testid=form-progress]").await);

    let room = unique_room("e2e-admin");
    app.fill("#room-name", &room).await?;
    app.fill("#room-agents", "").await?;
    app.fill("#room-max-participants", "5").await?;
    app.click("[data-testid=room-create-submit]").await?;
    app.wait_css(&format!("[data-testid=room-row][data-room='{room}']"))
        .await?;
    app.wait_css("[data-testid=room-detail]").await?;
    // What the server reports about the room, and a result for each action.
    app.wait_text("[data-testid=room-fact][data-fact=max_participants]", "5")
        .await?;
    app.wait_text("[data-testid=room-fact][data-fact=codecs]", "opus")
        .await?;
    app.click("[data-testid=room-mute-all]").await?;
    app.wait_text("[data-testid=notice]", "Nothing to mute")
        .await?;
    app.click("[data-testid=data-open]").await?;
    app.fill("#data-payload", "hello").await?;
    app.click("[data-testid=data-send]").await?;
    app.wait_text(
        "[data-testid=data-result]",
        "Reliable message of 5 bytes sent to everyone",
    )
    .await?;

    let mut peer = Peer::join(bed, &room, "to-remove", PeerOptions::default())?;
    app.wait_css("[data-testid=participant-row][data-identity='to-remove']")
        .await?;
    app.click(
        "[data-testid=participant-row][data-identity='to-remove'] [data-testid=participant-remove]",
    )
    .await?;
    app.click("[data-testid=confirm-ok]").await?;
    peer.wait_for(Duration::from_secs(15), |e| e["event"] == "disconnected")?;

    app.click("[data-testid=room-delete]").await?;
    app.click("[data-testid=confirm-ok]").await?;
    app.wait_text("[data-testid=notice]", "deleted").await?;
    let gone = format!("[data-testid=room-row][data-room='{room}']");
    for _ in 0..100 {
        if !app.exists(&gone).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(!app.exists(&gone).await, "the deleted room is still listed");
    app.close().await?;
    Ok(())
}
