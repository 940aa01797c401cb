//! End to end on the real window: the webview's own defences. Prototypes are frozen, the
//! window never navigates away from the app, and names with markup that participants choose are shown as text in
//! the lists and the charts, never parsed as HTML.

mod common;

use anyhow::Result;
use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use livekit_api::access_token::{AccessToken, VideoGrants};
use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::Duration;

#[tokio::test]
async fn the_window_stays_on_the_app_with_frozen_prototypes() -> Result<()> {
    let app = App::launch(|_| {}).await?;
    let frozen = app
        .client
        .execute("return Object.isFrozen(Object.prototype);", vec![])
        .await?;
    assert_eq!(frozen, serde_json::json!(true), "prototypes are not frozen");
    // A page elsewhere (on loopback, so nothing leaves the machine) that counts visitors.
    let stranger = TcpListener::bind("127.0.0.1:0")?;
    stranger.set_nonblocking(true)?;
    let target = format!("http://127.0.0.1:{}/", stranger.local_addr()?.port());
    for script in [
        format!("window.location.href = '{target}'; return 1;"),
        format!("window.location.replace('{target}'); return 1;"),
    ] {
        app.client.execute(&script, vec![]).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let visited = match stranger.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => return Err(e.into()),
        };
        assert!(!visited, "the window loaded {target} ({script})");
        let origin = app
            .client
            .execute("return location.protocol + '//' + location.host;", vec![])
            .await?;
        assert_eq!(origin, serde_json::json!("tauri://localhost"));
        assert!(
            app.exists("[data-testid=nav-rooms]").await,
            "the app is gone"
        );
    }
    app.close().await?;
    Ok(())
}

#[tokio::test]
async fn markup_in_names_is_text() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-markup");
    let identity = "mk-<b>bold</b>";
    let name = "<img src=x id=injected>";
    let token = AccessToken::with_api_key(&bed.api_key, &bed.api_secret)
        .with_identity(identity)
        .with_name(name)
        .with_grants(VideoGrants {
            room_join: true,
            room: room.clone(),
            ..Default::default()
        })
        .to_jwt()?;
    let _peer = Peer::join(
        bed,
        &room,
        identity,
        PeerOptions {
            tone_hz: Some(440.0),
            talk_ms: Some(1500),
            token: Some(token),
            ..Default::default()
        },
    )?;
    let app = App::with_bed_project(bed).await?;
    // The rooms list, then the room's real-time view opened from the wallboard.
    app.click("[data-testid=nav-rooms]").await?;
    let row = format!("[data-testid=room-row][data-room='{room}']");
    app.wait_text(&format!("{row} [data-testid=room-participants-count]"), "1")
        .await?;
    app.click("[data-testid=nav-wallboard]").await?;
    let wall_row = format!("[data-testid=wall-row][data-room='{room}']");
    app.click(&format!("{wall_row} [data-testid=wall-open]"))
        .await?;
    app.wait_css("[data-testid=live-view] [data-testid=live-state][data-state=live]")
        .await?;
    // The real-time view's list and its speaking chart (which carries names as SVG text).
    app.wait_css("[data-testid=live-participant][data-speaking=true]")
        .await?;
    app.wait_css("[data-testid=speaking-chart] svg text")
        .await?;
    let found = app
        .client
        .execute(
            "return {
                injected: document.getElementById('injected') !== null
                    || document.querySelectorAll('b').length > 0
                    || document.querySelectorAll('svg img').length > 0,
                listed: document.body.innerText.includes(arguments[0]),
                charted: Array.from(document.querySelectorAll('[data-testid=speaking-chart] svg text'))
                    .some(t => t.textContent.includes(arguments[1])),
            };",
            vec![serde_json::json!(name), serde_json::json!(identity)],
        )
        .await?;
    assert_eq!(found["injected"], serde_json::json!(false), "{found}");
    assert_eq!(found["listed"], serde_json::json!(true), "{found}");
    assert_eq!(found["charted"], serde_json::json!(true), "{found}");
    app.close().await?;
    Ok(())
}
