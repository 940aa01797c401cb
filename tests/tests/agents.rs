//! End to end on the real window: an agent dispatch with bad attributes is refused inline
//! (nothing sent), then created with a restart policy, deployment and attributes, shown, and
//! deleted — checked on the server each time. And a room's agent participants (a Python
//! peer joined as an agent) are listed, its standard participants not.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use livekit_api::services::agent_dispatch::AgentDispatchClient;
use livekit_api::services::room::RoomClient;
use std::time::Duration;

#[tokio::test]
async fn create_and_delete_an_agent_dispatch() -> anyhow::Result<()> {
    let bed = livekit();
    let server = AgentDispatchClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-agents]").await?;

    let room = unique_room("e2e-agents");
    app.fill("#agents-room", &room).await?;
    app.fill("#agents-name", "receptionist").await?;
    app.client
        .find(fantoccini::Locator::Css("#agents-restart"))
        .await?
        .select_by_value("never")
        .await?;
    app.fill("#agents-deployment", "staging").await?;
    app.fill("#agents-attributes", "queue billing").await?;
    app.click("[data-testid=agents-dispatch]").await?;
    app.wait_text("[data-testid=error-attributes]", "key=value")
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A dispatch creates its room, so no room means nothing was sent.
    let rooms = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    assert!(
        rooms.list_rooms(vec![room.clone()]).await?.is_empty(),
        "a refused form sent nothing"
    );

    app.fill("#agents-attributes", "queue=billing").await?;
    app.click("[data-testid=agents-dispatch]").await?;
    // Creating the room also gave it the server's default dispatch (unnamed agents).
    let row = "[data-testid=agent-dispatch-row][data-agent=receptionist]";
    app.wait_text(
        &format!("{row} [data-testid=agent-dispatch-policy]"),
        "never",
    )
    .await?;
    app.wait_text(
        &format!("{row} [data-testid=agent-dispatch-policy]"),
        "staging",
    )
    .await?;
    let on_server = server.list_dispatch(&room).await?;
    let mine = on_server
        .iter()
        .find(|d| d.agent_name == "receptionist")
        .expect("on the server");
    assert_eq!(mine.deployment, "staging");
    assert_eq!(
        mine.attributes.get("queue").map(String::as_str),
        Some("billing")
    );

    app.click(&format!("{row} [data-testid=agent-dispatch-delete]"))
        .await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.exists(row).await {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the deleted dispatch stays listed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!server
        .list_dispatch(&room)
        .await?
        .iter()
        .any(|d| d.agent_name == "receptionist"));
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn agent_participants_are_listed() -> anyhow::Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-agent-kind");
    let _human = Peer::join(bed, &room, "human-ann", PeerOptions::default())?;
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-agents]").await?;
    app.fill("#agents-room", &room).await?;
    app.click("[data-testid=agents-show]").await?;
    app.wait_text("[data-testid=agents-none]", "No agent participant")
        .await?;

    let agent = Peer::join(
        bed,
        &room,
        "agent-bob",
        PeerOptions {
            agent: true,
            ..Default::default()
        },
    )?;
    app.click("[data-testid=agents-show]").await?;
    let shown = app
        .wait_text("[data-testid=agent-participant]", "agent-bob")
        .await?;
    assert!(shown.contains("active"), "{shown}");
    let listed = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=agent-participant]"))
        .await?;
    assert_eq!(listed.len(), 1, "only the agent, not human-ann");
    assert!(!app.exists("[data-testid=agents-none]").await);

    // Gone from the list once it leaves (the server drops it at once on a clean leave).
    drop(agent);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        app.click("[data-testid=agents-show]").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if app.exists("[data-testid=agents-none]").await {
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the agent stays listed after leaving"
        );
    }
    app.close().await?;
    Ok(())
}
