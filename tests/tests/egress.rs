//! End to end on the real window against a server with no egress worker: a storage
//! profile whose secret key goes to the keychain only (a new profile cannot take its name,
//! a provider change needs a new credential), bad egress input refused inline,
//! and a start answered with the server's "no worker" reply, shown as such.

mod common;

use common::{grep_tree, App, IDENTIFIER};
use earshot_testbed::{livekit, unique_room};
use livekit_api::services::room::RoomClient;
use std::time::{Duration, Instant};

/// Clicks an element after scrolling it into the middle of the (scrolling) dialog, which
/// WebKitWebDriver does not do by itself for elements below the fold.
async fn press(app: &App, css: &str) -> anyhow::Result<()> {
    let el = app.wait_css(css).await?;
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&el)?],
        )
        .await?;
    el.click().await?;
    Ok(())
}

#[tokio::test]
async fn storage_profile_and_worker_less_start() -> anyhow::Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-egress");
    RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret)
        .create_room(&room, Default::default())
        .await?;
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-egress]").await?;

    // A storage profile: missing fields are named, then the secret goes to the keychain.
    let secret = "e2e-storage-secret-9f3c1d";
    app.click("[data-testid=storage-new]").await?;
    app.fill("#storage-name", "archive").await?;
    app.click("[data-testid=storage-submit]").await?;
    app.wait_text("[data-testid=error-bucket]", "bucket")
        .await?;
    app.wait_text("[data-testid=error-credential]", "secret access key")
        .await?;
    app.fill("#storage-bucket", "recordings").await?;
    app.fill("#storage-access-key", "AKIAE2E").await?;
    app.fill("#storage-region", "eu-central-1").await?;
    app.fill("#storage-credential", secret).await?;
    app.click("[data-testid=storage-submit]").await?;
    app.wait_text(
        "[data-testid=storage-row][data-name='archive'] [data-testid=storage-credential]",
        "in keychain",
    )
    .await?;

    // A second "new" profile under the same name would take that credential over: refused.
    app.click("[data-testid=storage-new]").await?;
    app.fill("#storage-name", "archive").await?;
    app.fill("#storage-bucket", "takeover").await?;
    app.fill("#storage-access-key", "AKIAE2E").await?;
    app.fill("#storage-region", "eu-central-1").await?;
    app.fill("#storage-credential", "e2e-other-secret").await?;
    app.click("[data-testid=storage-submit]").await?;
    app.wait_text("[data-testid=error-name]", "exists; edit it")
        .await?;
    app.click("[data-testid=dialog-cancel]").await?;
    // Changing the provider keeps no credential: an S3 secret is no GCS key.
    app.click("[data-testid=storage-row][data-name='archive'] [data-testid=storage-edit]")
        .await?;
    app.client
        .find(fantoccini::Locator::Css("#storage-kind"))
        .await?
        .select_by_value("gcs")
        .await?;
    app.click("[data-testid=storage-submit]").await?;
    app.wait_text("[data-testid=error-credential]", "provider changed")
        .await?;
    app.click("[data-testid=dialog-cancel]").await?;
    app.wait_text("[data-testid=storage-row][data-name='archive']", "s3")
        .await?;

    // Bad input: named inline, nothing sent.
    app.click("[data-testid=egress-start]").await?;
    app.fill("#egress-room", &room).await?;
    press(&app, "#egress-want-stream").await?;
    app.fill("#egress-stream-urls", "http://127.0.0.1/live")
        .await?;
    press(&app, "[data-testid=egress-start-submit]").await?;
    app.wait_text("[data-testid=error-stream_urls]", "not allowed")
        .await?;
    assert!(!app.exists("[data-testid=form-progress]").await);
    // Custom encoding: an odd width is named inline too.
    press(&app, "#egress-custom-encoding").await?;
    app.fill("#egress-enc-width", "1281").await?;
    app.fill("#egress-enc-height", "720").await?;
    press(&app, "[data-testid=egress-start-submit]").await?;
    app.wait_text("[data-testid=error-enc_width]", "even")
        .await?;
    assert!(!app.exists("[data-testid=form-progress]").await);
    app.fill("#egress-enc-width", "1280").await?;

    // A valid start (with the custom encoding): the server waits for a worker, then says
    // there is none.
    press(&app, "#egress-want-stream").await?;
    press(&app, "[data-testid=egress-start-submit]").await?;
    app.wait_css("[data-testid=form-progress]").await?;
    let started = Instant::now();
    let error = "[data-testid=form-error][data-code=NoWorker]";
    while !app.exists(error).await {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "no answer in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.wait_text(error, "No egress service is connected")
        .await?;
    app.wait_text(error, "livekit-egress").await?;
    eprintln!(
        "the window showed the no-worker answer after {:?}",
        started.elapsed()
    );
    press(&app, "[data-testid=dialog-cancel]").await?;
    app.wait_css("[data-testid=egress-empty]").await?;

    let (home, _) = app.close().await?;
    let hits = grep_tree(home.path(), secret);
    assert!(hits.is_empty(), "the storage secret was found in {hits:?}");
    let settings = home
        .path()
        .join(".local/share")
        .join(IDENTIFIER)
        .join("settings.json");
    let text = std::fs::read_to_string(&settings)?;
    assert!(
        text.contains("recordings"),
        "the profile is in settings: {text}"
    );
    Ok(())
}
