//! The token builder and inspector: tokens signed with a project's key and secret, and any
//! pasted token decoded and checked against it.

use crate::api::Endpoint;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use earshot_protocol::tokens::{TokenInspection, TokenRequest, TokenResult};
use earshot_protocol::{AppError, ErrorCode};
use hmac::{Hmac, Mac};
use livekit_api::access_token::{AccessToken, Claims};
use std::time::Duration;

/// Signs `r` (already validated) with the project's key.
pub fn create(endpoint: &Endpoint, r: &TokenRequest) -> Result<TokenResult, AppError> {
    let grants = crate::grants::from_form(&r.grants, &r.sip);
    let mut token = AccessToken::with_api_key(&endpoint.api_key, endpoint.api_secret.expose())
        .with_identity(&r.identity)
        .with_name(&r.name)
        .with_metadata(&r.metadata)
        .with_attributes(r.attributes.clone())
        .with_ttl(Duration::from_secs(r.ttl_seconds))
        .with_grants(grants.video)
        .with_sip_grants(grants.sip);
    if !r.room_config_json.trim().is_empty() {
        let config = serde_json::from_str(&r.room_config_json).map_err(|e| {
            AppError::field(
                ErrorCode::InvalidInput,
                "room_config_json",
                format!("Not a room configuration: {e}"),
            )
        })?;
        token = token.with_room_config(config);
    }
    let jwt = token
        .to_jwt()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("could not sign: {e}")))?;
    let claims = Claims::from_unverified(&jwt)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("could not decode: {e}")))?;
    Ok(TokenResult {
        expires_at: claims.exp as i64,
        claims_json: pretty(&claims),
        jwt,
    })
}

/// How far ahead `nbf` may be before a token counts as not yet valid: LiveKit's server
/// verifies with a minute of leeway for clock skew.
const NBF_LEEWAY_S: i64 = 60;

/// Decodes any LiveKit token; `verified` says whether this project's secret signed it,
/// whatever its expiry (`expired` tells that apart: a well-signed old token is not forged).
pub fn inspect(endpoint: Option<&Endpoint>, token: &str) -> Result<TokenInspection, AppError> {
    let token = token.trim();
    let claims = decode_claims(token).map_err(|why| {
        AppError::field(
            ErrorCode::InvalidInput,
            "token",
            format!("This is not a LiveKit token: {why}."),
        )
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let (verified, verify_problem) = match endpoint {
        None => (
            false,
            Some("no project is selected to check it against".into()),
        ),
        Some(ep) if ep.api_key != claims.iss => (
            false,
            Some(format!(
                "it was issued for API key '{}', the project uses '{}'",
                claims.iss, ep.api_key
            )),
        ),
        Some(ep) => match signature_problem(token, ep.api_secret.expose()) {
            None => (true, None),
            Some(problem) => (false, Some(problem)),
        },
    };
    Ok(TokenInspection {
        identity: claims.sub.clone(),
        issuer: claims.iss.clone(),
        expires_at: (claims.exp > 0).then_some(claims.exp as i64),
        expired: claims.exp > 0 && (claims.exp as i64) < now,
        not_before: (claims.nbf > 0).then_some(claims.nbf as i64),
        not_yet_valid: (claims.nbf as i64) > now + NBF_LEEWAY_S,
        claims_json: pretty(&claims),
        verified,
        verify_problem,
    })
}

/// The claims of `token`, unverified, or what is wrong with it. Decoded here rather than by
/// livekit-api's `Claims::from_unverified`, whose every failure reads "failed to encode
/// jwt" (its error type has one variant for the JWT library's errors, named for signing).
fn decode_claims(token: &str) -> Result<Claims, String> {
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, _signature] = parts[..] else {
        return Err(format!(
            "a JWT has three parts separated by dots, this has {}",
            parts.len()
        ));
    };
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|e| format!("its header is not base64url ({e})"))?;
    serde_json::from_slice::<serde_json::Value>(&header)
        .map_err(|e| format!("its header is not JSON ({e})"))?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| format!("its claims are not base64url ({e})"))?;
    serde_json::from_slice::<Claims>(&payload)
        .map_err(|e| format!("its claims could not be decoded ({e})"))
}

/// Why `token`'s HS256 signature does not match `secret`, or `None` when it does. Only the
/// signature: the SDK's verifier also refuses expired tokens, which would call every old
/// token forged.
fn signature_problem(token: &str, secret: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Some("it is not a three-part JWT".into());
    };
    let alg = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .and_then(|h| h["alg"].as_str().map(str::to_owned));
    match alg.as_deref() {
        Some("HS256") => {}
        Some(other) => return Some(format!("it is signed with {other}; LiveKit uses HS256")),
        None => return Some("its header does not name a signing algorithm".into()),
    }
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return Some("its signature is not valid base64url".into());
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return Some("the project's secret cannot be used as an HMAC key".into());
    };
    mac.update(header.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    // verify_slice compares in constant time.
    match mac.verify_slice(&signature) {
        Ok(()) => None,
        Err(_) => Some("the signature does not match this project's secret".into()),
    }
}

fn pretty(claims: &Claims) -> String {
    serde_json::to_string_pretty(claims).unwrap_or_else(|e| format!("(not printable: {e})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Secret;

    fn endpoint(secret: &str) -> Endpoint {
        Endpoint {
            url: "ws://127.0.0.1:7880".into(),
            api_key: "key".into(),
            api_secret: Secret::new(secret),
        }
    }

    /// A token signed with `secret` whose expiry is `exp`.
    fn signed(secret: &str, exp: i64) -> String {
        let claims = format!(
            r#"{{"iss":"key","sub":"old-user","nbf":1000,"exp":{exp},"video":{{"roomJoin":true}}}}"#
        );
        sign(secret, &claims)
    }

    /// A token of `claims` signed with `secret`.
    fn sign(secret: &str, claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{header}.{payload}").as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{header}.{payload}.{sig}")
    }

    #[test]
    fn a_token_from_the_future_is_not_yet_valid() {
        let ep = endpoint("the-secret");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let claims = format!(
            r#"{{"iss":"key","sub":"early","nbf":{},"exp":{},"video":{{"roomJoin":true}}}}"#,
            now + 3600,
            now + 7200
        );
        let early = inspect(Some(&ep), &sign("the-secret", &claims)).expect("inspect");
        assert!(early.verified && !early.expired, "{early:?}");
        assert!(early.not_yet_valid);
        assert_eq!(early.not_before, Some(now + 3600));
        // Within the server's leeway it counts as valid.
        let claims = claims.replace(&format!("{}", now + 3600), &format!("{}", now + 30));
        let soon = inspect(Some(&ep), &sign("the-secret", &claims)).expect("inspect");
        assert!(!soon.not_yet_valid, "{soon:?}");
    }

    #[test]
    fn an_expired_but_well_signed_token_verifies_and_is_expired() {
        let ep = endpoint("the-secret");
        let old = inspect(Some(&ep), &signed("the-secret", 2_000)).expect("inspect");
        assert!(old.verified, "{:?}", old.verify_problem);
        assert!(old.expired);
        assert_eq!(old.expires_at, Some(2_000));
        assert_eq!(old.identity, "old-user");

        let forged = inspect(Some(&ep), &signed("another-secret", 2_000)).expect("inspect");
        assert!(!forged.verified);
        assert!(forged
            .verify_problem
            .expect("why")
            .contains("does not match"));

        let fresh = create(
            &ep,
            &earshot_protocol::tokens::TokenRequest {
                identity: "new".into(),
                ttl_seconds: 60,
                ..Default::default()
            },
        )
        .expect("create");
        let fresh = inspect(Some(&ep), &fresh.jwt).expect("inspect");
        assert!(fresh.verified && !fresh.expired, "{fresh:?}");
    }

    #[test]
    fn a_token_that_does_not_decode_says_why_and_never_encode() {
        let why = |token: &str| inspect(None, token).expect_err("refused").message;
        for (token, needle) in [
            ("not-a-token", "three parts"),
            ("a.b", "three parts"),
            ("%%%.e30.sig", "header is not base64url"),
            ("bm90IGpzb24.e30.sig", "header is not JSON"),
            ("e30.%%%.sig", "claims are not base64url"),
            ("e30.bm90IGpzb24.sig", "claims could not be decoded"),
        ] {
            let message = why(token);
            assert!(message.contains(needle), "{token}: {message}");
            assert!(!message.contains("encode"), "{token}: {message}");
        }
    }
}
