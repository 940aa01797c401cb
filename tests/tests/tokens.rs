//! End to end on the real window: the token builder refuses a zero lifetime inline, then
//! signs a token whose grants (checked with livekit-api's verifier and by joining the real
//! server with it) are exactly the ones ticked; the inspector accepts that token and refuses
//! one signed with a wrong secret.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use livekit_api::access_token::{AccessToken, TokenVerifier, VideoGrants};
use std::time::Duration;

#[tokio::test]
async fn build_verify_and_inspect_a_token() -> anyhow::Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-tokens]").await?;

    let room = unique_room("e2e-tokens");
    app.fill("#token-identity", "tok-ann").await?;
    app.fill("#token-room", &room).await?;
    // Ticked by default: roomJoin, canPublish, canSubscribe, canPublishData. Keep only
    // roomJoin and canSubscribe, and add hidden.
    app.click("[data-testid=grant-can_publish]").await?;
    app.click("[data-testid=grant-can_publish_data]").await?;
    app.click("[data-testid=grant-hidden]").await?;

    // A zero lifetime is refused inline and nothing is signed.
    app.fill("#token-ttl", "0").await?;
    app.click("[data-testid=token-build]").await?;
    app.wait_text("[data-testid=error-ttl_seconds]", "between 1 s and")
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !app.exists("[data-testid=token-jwt]").await,
        "no token shown"
    );

    app.fill("#token-ttl", "900").await?;
    app.click("[data-testid=token-build]").await?;
    let jwt = app
        .wait_css("[data-testid=token-jwt]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(!app.exists("[data-testid=error-ttl_seconds]").await);

    // Signed with the bed's key and secret, carrying exactly the ticked grants.
    let claims = TokenVerifier::with_api_key(&bed.api_key, &bed.api_secret)
        .verify(jwt.trim())
        .map_err(|e| anyhow::anyhow!("the shown token does not verify: {e}"))?;
    assert_eq!(claims.sub, "tok-ann");
    assert_eq!(claims.iss, bed.api_key);
    assert_eq!(claims.exp - claims.nbf, 900, "lifetime");
    assert_eq!(
        claims.video,
        VideoGrants {
            room: room.clone(),
            room_join: true,
            can_subscribe: Some(true),
            can_publish: Some(false),
            can_publish_data: Some(false),
            can_update_own_metadata: Some(false),
            hidden: true,
            ..Default::default()
        }
    );
    assert!(!claims.sip.admin && !claims.sip.call, "{:?}", claims.sip);
    assert!(
        TokenVerifier::with_api_key(&bed.api_key, "not-the-bed-secret-at-all")
            .verify(jwt.trim())
            .is_err(),
        "the verifier checks the secret"
    );

    // The real server grants what the token says.
    let peer = Peer::join(
        bed,
        &room,
        "ignored",
        PeerOptions {
            token: Some(jwt.trim().to_owned()),
            ..Default::default()
        },
    )?;
    let connected = peer
        .seen
        .iter()
        .find(|e| e["event"] == "connected")
        .cloned()
        .unwrap_or_default();
    assert_eq!(connected["identity"], "tok-ann", "{connected}");
    assert_eq!(connected["room"], room.as_str(), "{connected}");
    assert_eq!(
        (
            &connected["can_publish"],
            &connected["can_subscribe"],
            &connected["can_publish_data"],
            &connected["hidden"]
        ),
        (
            &serde_json::json!(false),
            &serde_json::json!(true),
            &serde_json::json!(false),
            &serde_json::json!(true)
        ),
        "{connected}"
    );
    drop(peer);

    // The inspector accepts it...
    app.fill("#inspect-token", jwt.trim()).await?;
    app.click("[data-testid=token-inspect]").await?;
    app.wait_text(
        "[data-testid=inspect-verdict]",
        "Signed with this project's key and secret.",
    )
    .await?;
    let class = app
        .wait_css("[data-testid=inspect-verdict]")
        .await?
        .attr("class")
        .await?;
    assert_eq!(class.as_deref(), Some("ok"));

    // ...and refuses the same grants signed with another secret.
    let forged = AccessToken::with_api_key(&bed.api_key, "not-the-bed-secret-at-all")
        .with_identity("mallory")
        .with_grants(VideoGrants {
            room: room.clone(),
            room_join: true,
            ..Default::default()
        })
        .to_jwt()?;
    app.fill("#inspect-token", &forged).await?;
    app.click("[data-testid=token-inspect]").await?;
    let verdict = app
        .wait_text(
            "[data-testid=inspect-verdict]",
            "Does not verify with this project",
        )
        .await?;
    assert!(!verdict.contains("Signed with"), "{verdict}");
    let class = app
        .wait_css("[data-testid=inspect-verdict]")
        .await?
        .attr("class")
        .await?;
    assert_eq!(class.as_deref(), Some("error"));
    app.wait_text("[data-testid=inspect-claims]", "mallory")
        .await?;
    app.close().await?;
    Ok(())
}
