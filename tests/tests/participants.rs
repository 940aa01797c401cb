//! End to end on the real window: managing a participant played by the official Python SDK —
//! rename, add an attribute, revoke publishing (the participant sees each change), bad input
//! and a name that cannot be cleared refused inline with nothing sent, and a move that the open-source server refuses, shown as
//! such.

mod common;

use anyhow::Result;
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use livekit_api::services::room::{CreateRoomOptions, RoomClient};
use std::time::Duration;

#[tokio::test]
async fn manage_a_participant() -> Result<()> {
    let bed = livekit();
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let room = unique_room("e2e-manage");
    rooms
        .create_room(
            &room,
            CreateRoomOptions {
                empty_timeout: 60,
                ..Default::default()
            },
        )
        .await?;
    let mut pat = Peer::join(bed, &room, "pat", PeerOptions::default())?;

    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-rooms]").await?;
    app.click(&format!(
        "[data-testid=room-row][data-room='{room}'] td strong"
    ))
    .await?;
    let manage =
        "[data-testid=participant-row][data-identity='pat'] [data-testid=participant-manage]";
    app.click(manage).await?;
    app.wait_css("[data-testid=participant-dialog]").await?;

    // Bad input: metadata that looks like JSON but is not; nothing is sent.
    app.fill("#p-metadata", "{\"tier\": ").await?;
    app.click("[data-testid=participant-save]").await?;
    app.wait_text("[data-testid=error-metadata]", "not valid")
        .await?;
    assert!(app.exists("[data-testid=participant-dialog]").await);
    app.fill("#p-metadata", "").await?;

    // Clearing the name: the server would read "" as "unchanged", so the dialog says so.
    app.fill("#p-name", "").await?;
    app.click("[data-testid=participant-save]").await?;
    app.wait_text("[data-testid=error-name]", "cannot be cleared")
        .await?;
    assert!(app.exists("[data-testid=participant-dialog]").await);

    // Rename, add an attribute, revoke publishing.
    app.fill("#p-name", "Patricia").await?;
    app.click("[data-testid=attr-add]").await?;
    app.fill(
        "[data-testid=attr-rows] [data-testid=attr-row]:last-of-type [data-testid=attr-key]",
        "tier",
    )
    .await?;
    app.fill(
        "[data-testid=attr-rows] [data-testid=attr-row]:last-of-type [data-testid=attr-value]",
        "gold",
    )
    .await?;
    app.click("#p-can-publish").await?;
    app.click("[data-testid=participant-save]").await?;
    app.wait_text(
        "[data-testid=notice]",
        "updated: name, attributes and permissions",
    )
    .await?;
    let wait = Duration::from_secs(15);
    pat.wait_for(wait, |e| {
        e["event"] == "participant_name_changed" && e["name"] == "Patricia"
    })?;
    pat.wait_for(wait, |e| {
        e["event"] == "participant_attributes_changed" && e["attributes"]["tier"] == "gold"
    })?;
    pat.wait_for(wait, |e| {
        e["event"] == "participant_permissions_changed" && e["can_publish"] == false
    })?;
    assert!(
        !pat.seen
            .iter()
            .any(|e| e["event"] == "participant_metadata_changed"),
        "the refused metadata was never sent"
    );
    assert!(
        !pat.seen
            .iter()
            .any(|e| e["event"] == "participant_name_changed" && e["name"] == ""),
        "the refused empty name was never sent"
    );

    // Moving: the open-source server does not implement it; the dialog says so.
    app.click(manage).await?;
    app.fill("#p-destination", &format!("{room}-elsewhere"))
        .await?;
    app.click("[data-testid=participant-move]").await?;
    // The error element (not a success line), with the Unsupported message word for word.
    let said = app
        .wait_css("p.form-error[data-testid=participant-result]")
        .await?
        .text()
        .await?;
    assert_eq!(
        said,
        "This server does not support that operation (twirp error unknown: not implemented). \
         Some calls, such as moving or forwarding participants, are only offered by LiveKit \
         Cloud or newer servers."
    );
    app.click("[data-testid=participant-cancel]").await?;
    app.close().await?;
    Ok(())
}
