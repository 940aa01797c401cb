//! End to end on the real window: projects, the connection check's errors, the rooms
//! page, secrets staying out of every file, and a damaged settings file.

mod common;

use common::{grep_tree, App, IDENTIFIER};
use earshot_testbed::{livekit, unique_room};

fn rooms_client(bed: &earshot_testbed::LiveKit) -> livekit_api::services::room::RoomClient {
    livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    )
}

#[tokio::test]
async fn add_project_see_room_and_no_secret_anywhere() -> anyhow::Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-room");
    rooms_client(bed)
        .create_room(&room, Default::default())
        .await?;

    let app = App::launch(|_| {}).await?;
    app.click("[data-testid=nav-projects]").await?;
    app.click("[data-testid=add-project]").await?;

    // Wrong secret: the specific error, and no project saved.
    app.submit_project("Test bed", &bed.ws_url, &bed.api_key, "definitely-wrong")
        .await?;
    let text = app
        .wait_text("[data-testid=form-error]", "rejected the API key or secret")
        .await?;
    assert!(text.contains("401"), "{text}");
    assert!(app.exists("[data-testid=project-save-anyway]").await);
    assert!(!app.exists("[data-testid=project-row]").await);

    // The right secret: saved, and the room appears on the Rooms page.
    app.fill("#project-secret", &bed.api_secret).await?;
    app.click("[data-testid=project-save]").await?;
    app.wait_css("[data-testid=project-row][data-project-name='Test bed']")
        .await?;
    app.click("[data-testid=nav-rooms]").await?;
    app.wait_css(&format!("[data-testid=room-row][data-room='{room}']"))
        .await?;
    app.wait_text("[data-testid=rooms-updated]", "updated")
        .await?;
    let (home, output) = app.close().await?;

    // Secrets canary: config, data, cache, state, webview storage and the app's logs.
    let hits = grep_tree(home.path(), &bed.api_secret);
    assert!(hits.is_empty(), "the API secret was found in {hits:?}");
    let data = home.path().join(".local/share").join(IDENTIFIER);
    assert!(
        data.join("settings.json").exists(),
        "settings were written to {}",
        data.display()
    );
    assert!(
        std::fs::read_to_string(&output)?.contains("project added"),
        "app logs were captured"
    );
    // The run logged at debug (so the canary above covers debug lines), for Earshot's own
    // crates only: the WebRTC, WebSocket and HTTP stacks stay at warn.
    let log = std::fs::read_to_string(data.join("logs/earshot.log"))?;
    assert!(
        log.contains(" DEBUG earshot"),
        "no debug lines from Earshot"
    );
    let foreign: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" DEBUG ") || l.contains(" TRACE ") || l.contains(" INFO "))
        .filter(|l| !l.contains(" earshot"))
        .take(3)
        .collect();
    assert!(
        foreign.is_empty(),
        "other crates logged below warn: {foreign:?}"
    );
    rooms_client(bed).delete_room(&room).await?;
    Ok(())
}

#[tokio::test]
async fn inline_validation_blocks_bad_input() -> anyhow::Result<()> {
    let app = App::launch(|_| {}).await?;
    app.click("[data-testid=nav-projects]").await?;
    app.click("[data-testid=add-project]").await?;
    app.submit_project("   ", "ftp://example", "key with space", "")
        .await?;
    app.wait_text("[data-testid=error-name]", "name").await?;
    app.wait_text("[data-testid=error-url]", "not supported")
        .await?;
    app.wait_css("[data-testid=error-api_key]").await?;
    app.wait_css("[data-testid=error-api_secret]").await?;
    assert!(
        !app.exists("[data-testid=form-progress]").await,
        "nothing was sent"
    );
    let (home, _) = app.close().await?;
    let settings = home
        .path()
        .join(".local/share")
        .join(IDENTIFIER)
        .join("settings.json");
    let saved = std::fs::read_to_string(&settings).unwrap_or_default();
    assert!(
        !saved.contains("projects."),
        "invalid input reached the settings: {saved}"
    );
    Ok(())
}

#[tokio::test]
async fn damaged_settings_are_named_in_the_ui() -> anyhow::Result<()> {
    let app = App::launch(|home| {
        let dir = home.join(".local/share").join(IDENTIFIER);
        std::fs::create_dir_all(&dir).unwrap();
        let settings = serde_json::json!({
            "projects.ok": {"name": "Intact", "url": "ws://127.0.0.1:9", "api_key": "k"},
            "projects.broken": {"name": ["not", "a", "name"]},
        });
        std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();
    })
    .await?;
    app.click("[data-testid=nav-projects]").await?;
    app.wait_text("[data-testid=settings-problems]", "projects.broken")
        .await?;
    app.wait_css("[data-testid=project-row][data-project-name='Intact']")
        .await?;
    let (home, _) = app.close().await?;
    let on_disk = std::fs::read_to_string(
        home.path()
            .join(".local/share")
            .join(IDENTIFIER)
            .join("settings.json"),
    )?;
    assert!(
        on_disk.contains("\"not\""),
        "the damaged entry was overwritten: {on_disk}"
    );
    Ok(())
}
