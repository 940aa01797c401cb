//! End to end on the real window: an RTMP ingress is created through the form, listed
//! with the push URL the server hands out (the test bed sets `ingress.rtmp_base_url`) and
//! its stream key hidden — not even in the page's markup — until Reveal, then deleted;
//! checked on the server each time.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room, RTMP_BASE_URL};
use livekit_api::services::ingress::{IngressClient, IngressListFilter};
use std::time::Duration;

#[tokio::test]
async fn rtmp_ingress_key_hidden_until_revealed() -> anyhow::Result<()> {
    let bed = livekit();
    let server = IngressClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let room = unique_room("e2e-ingress");
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-ingress]").await?;

    app.click("[data-testid=ingress-new]").await?;
    app.client
        .find(fantoccini::Locator::Css("#ingress-type"))
        .await?
        .select_by_value("rtmp")
        .await?;
    app.fill("#ingress-name", "OBS e2e").await?;
    app.fill("#ingress-room", &room).await?;
    app.fill("#ingress-identity", "obs-e2e").await?;
    app.click("[data-testid=ingress-submit]").await?;
    let row = "[data-testid=ingress-row][data-name='OBS e2e']";
    app.wait_css(row).await?;

    let on_server = server
        .list_ingress(IngressListFilter::Room(room.clone()))
        .await?;
    anyhow::ensure!(
        on_server.len() == 1,
        "one ingress on the server: {on_server:?}"
    );
    let (id, key) = (&on_server[0].ingress_id, &on_server[0].stream_key);
    anyhow::ensure!(!key.is_empty(), "the server gave a stream key");
    assert_eq!(on_server[0].url, RTMP_BASE_URL);

    let url = app
        .wait_text(&format!("{row} [data-testid=ingress-url]"), RTMP_BASE_URL)
        .await?;
    assert_eq!(url.trim(), RTMP_BASE_URL);
    let shown = app
        .wait_text(&format!("{row} [data-testid=ingress-key]"), "•")
        .await?;
    assert!(!shown.contains(key.as_str()), "the key shows before Reveal");
    assert!(
        !app.client.source().await?.contains(key.as_str()),
        "the hidden key is in the page's markup"
    );

    app.click(&format!("{row} [data-testid=ingress-key-reveal]"))
        .await?;
    app.wait_text(&format!("{row} [data-testid=ingress-key]"), key)
        .await?;
    app.wait_text(&format!("{row} [data-testid=ingress-key-reveal]"), "Hide")
        .await?;

    app.click(&format!("{row} [data-testid=ingress-delete]"))
        .await?;
    app.click("[data-testid=confirm-ok]").await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.exists(row).await {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the deleted ingress stays listed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = server.list_ingress(IngressListFilter::Room(room)).await?;
    assert!(
        left.iter().all(|i| &i.ingress_id != id),
        "still on the server: {left:?}"
    );
    app.close().await?;
    Ok(())
}
