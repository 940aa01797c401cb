//! The listener token carries exactly the least-privilege grants, decoded from the JWT.

use base64::Engine;
use earshot_core::listen::engine::{mint_listener_token, MAX_TOKEN_TTL};
use livekit_api::access_token::TokenVerifier;
use std::time::Duration;

#[test]
fn listener_token_grants_and_ttl() {
    let token = mint_listener_token(
        "APIkey",
        "s3cret-s3cret-s3cret-s3cret",
        "ops-room",
        "dana",
        MAX_TOKEN_TTL,
    )
    .expect("mint");
    let payload = token.jwt.split('.').nth(1).expect("three JWT parts");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    let claims: serde_json::Value = serde_json::from_slice(&json).expect("JSON claims");
    println!("{claims:#}");
    let video = &claims["video"];
    assert_eq!(video["roomJoin"], true);
    assert_eq!(video["room"], "ops-room");
    assert_eq!(video["hidden"], true);
    assert_eq!(video["canSubscribe"], true);
    assert_eq!(video["canPublish"], false);
    assert_eq!(video["canPublishData"], false);
    assert_eq!(video["canUpdateOwnMetadata"], false);
    // Not a recorder (that shows a recording indicator), and no admin rights of any kind.
    for absent in [
        "recorder",
        "roomAdmin",
        "roomCreate",
        "roomList",
        "roomRecord",
        "ingressAdmin",
        "agent",
    ] {
        assert!(
            video.get(absent).is_none_or(|v| v == false),
            "{absent} must not be granted"
        );
    }
    let ttl = claims["exp"].as_u64().expect("exp") - claims["nbf"].as_u64().expect("nbf");
    assert!((110..=120).contains(&ttl), "ttl {ttl}");
    let sub = claims["sub"].as_str().expect("sub");
    assert!(sub.starts_with("earshot-listener:dana:"), "{sub}");
    assert_eq!(sub, token.identity);
    let uuid = sub.rsplit(':').next().unwrap_or_default();
    assert_eq!(uuid.len(), 36, "a UUID makes the identity unique");
    assert_eq!(claims["attributes"]["earshot.role"], "listener");
    assert_eq!(claims["attributes"]["earshot.supervisor"], "dana");

    // The signature checks out with the secret, and a longer TTL request is capped.
    TokenVerifier::with_api_key("APIkey", "s3cret-s3cret-s3cret-s3cret")
        .verify(&token.jwt)
        .expect("valid signature");
    let long =
        mint_listener_token("k", "s", "r", "dana", Duration::from_secs(86_400)).expect("mint");
    let claims = livekit_api::access_token::Claims::from_unverified(&long.jwt).expect("claims");
    let ttl = claims.exp - claims.nbf;
    assert!(
        (110..=120).contains(&ttl),
        "a day's request is capped to 120 s, got {ttl}"
    );
}
