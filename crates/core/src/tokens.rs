//! The token builder and inspector: tokens signed with a project's key and secret, and any
//! pasted token decoded and checked against it.

use crate::api::Endpoint;
use earshot_protocol::tokens::{TokenInspection, TokenRequest, TokenResult};
use earshot_protocol::{AppError, ErrorCode};
use livekit_api::access_token::{AccessToken, Claims, SIPGrants, TokenVerifier, VideoGrants};
use std::time::Duration;

/// Signs `r` (already validated) with the project's key.
pub fn create(endpoint: &Endpoint, r: &TokenRequest) -> Result<TokenResult, AppError> {
    let g = &r.grants;
    let grants = VideoGrants {
        room: g.room.clone(),
        room_join: g.room_join,
        room_list: g.room_list,
        room_create: g.room_create,
        room_admin: g.room_admin,
        room_record: g.room_record,
        ingress_admin: g.ingress_admin,
        can_publish: Some(g.can_publish),
        can_publish_data: Some(g.can_publish_data),
        can_publish_sources: g.can_publish_sources.clone(),
        can_subscribe: Some(g.can_subscribe),
        can_update_own_metadata: Some(g.can_update_own_metadata),
        hidden: g.hidden,
        recorder: g.recorder,
        agent: g.agent,
        ..Default::default()
    };
    let mut token = AccessToken::with_api_key(&endpoint.api_key, endpoint.api_secret.expose())
        .with_identity(&r.identity)
        .with_name(&r.name)
        .with_metadata(&r.metadata)
        .with_attributes(r.attributes.clone())
        .with_ttl(Duration::from_secs(r.ttl_seconds))
        .with_grants(grants)
        .with_sip_grants(SIPGrants {
            admin: r.sip.admin,
            call: r.sip.call,
        });
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

/// Decodes any LiveKit token; `verified` says whether this project's secret signed it.
pub fn inspect(endpoint: Option<&Endpoint>, token: &str) -> Result<TokenInspection, AppError> {
    let token = token.trim();
    let claims = Claims::from_unverified(token).map_err(|e| {
        AppError::field(
            ErrorCode::InvalidInput,
            "token",
            format!("This is not a LiveKit token: {e}"),
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
        Some(ep) => {
            match TokenVerifier::with_api_key(&ep.api_key, ep.api_secret.expose()).verify(token) {
                Ok(_) => (true, None),
                Err(e) => (false, Some(e.to_string())),
            }
        }
    };
    Ok(TokenInspection {
        identity: claims.sub.clone(),
        issuer: claims.iss.clone(),
        expires_at: (claims.exp > 0).then_some(claims.exp as i64),
        expired: claims.exp > 0 && (claims.exp as i64) < now,
        claims_json: pretty(&claims),
        verified,
        verify_problem,
    })
}

fn pretty(claims: &Claims) -> String {
    serde_json::to_string_pretty(claims).unwrap_or_else(|e| format!("(not printable: {e})"))
}
