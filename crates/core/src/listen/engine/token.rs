//! The listener's least-privilege access token: hidden, subscribe-only, one room, short-lived.

use crate::listen::engine::error::{ListenError, ListenResult};
use livekit_api::access_token::AccessToken;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Identities this app joined rooms with (listeners and room views), so "who is listening"
/// can tell this app's own hidden connections from a colleague's: the supervisor name does
/// not, as two machines may share a user name. Keeps the most recent [`OwnIdentities::KEPT`]
/// (an identity that old has long left its room).
/// Who this app's hidden connections (listeners, room views) say they are.
#[derive(Debug, Clone)]
pub struct Supervisor {
    /// The name carried in the supervisor attribute (no ':').
    pub name: String,
    /// Where each connection records its identity.
    pub own: OwnIdentities,
}

#[derive(Debug, Clone, Default)]
pub struct OwnIdentities(Arc<Mutex<(VecDeque<String>, HashSet<String>)>>);

impl OwnIdentities {
    const KEPT: usize = 4096;

    /// Remembers an identity just minted.
    pub fn insert(&self, identity: &str) {
        let mut own = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if own.1.insert(identity.to_owned()) {
            own.0.push_back(identity.to_owned());
        }
        while own.0.len() > Self::KEPT {
            if let Some(old) = own.0.pop_front() {
                own.1.remove(&old);
            }
        }
    }

    /// The identity minted last that starts with `prefix` (the audit names a session's
    /// hidden identity with it right after the join).
    pub fn latest(&self, prefix: &str) -> Option<String> {
        let own = self.0.lock().unwrap_or_else(|p| p.into_inner());
        own.0.iter().rev().find(|i| i.starts_with(prefix)).cloned()
    }

    /// Whether this app joined with `identity`.
    pub fn contains(&self, identity: &str) -> bool {
        let own = self.0.lock().unwrap_or_else(|p| p.into_inner());
        own.1.contains(identity)
    }
}

/// Longest token lifetime we mint. The server refreshes the token of a connected client, so
/// a short one costs nothing and limits what a leaked token is worth.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(120);

/// Attribute key marking a participant as an Earshot listener.
pub const ROLE_ATTRIBUTE: &str = "earshot.role";
/// Attribute key naming the supervisor behind a listener.
pub const SUPERVISOR_ATTRIBUTE: &str = "earshot.supervisor";

/// A minted listener token and the identity it carries.
#[derive(Clone)]
pub struct ListenerToken {
    pub jwt: String,
    pub identity: String,
}

impl std::fmt::Debug for ListenerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerToken")
            .field("jwt", &"<redacted>")
            .field("identity", &self.identity)
            .finish()
    }
}

/// Mints a token for `supervisor` to listen to `room`, valid for `ttl` (at most
/// [`MAX_TOKEN_TTL`]). The identity is unique per call because a second connection with the
/// same identity would kick the first.
pub fn mint_listener_token(
    api_key: &str,
    api_secret: &str,
    room: &str,
    supervisor: &str,
    ttl: Duration,
) -> ListenResult<ListenerToken> {
    if room.trim().is_empty() {
        return Err(ListenError::InvalidInput("the room name is empty".into()));
    }
    if supervisor.trim().is_empty() || supervisor.contains(':') {
        return Err(ListenError::InvalidInput(
            "the supervisor name must be non-empty and contain no ':'".into(),
        ));
    }
    if api_key.is_empty() || api_secret.is_empty() {
        return Err(ListenError::InvalidCredentials);
    }
    let ttl = ttl.clamp(Duration::from_secs(10), MAX_TOKEN_TTL);
    let identity = format!("earshot-listener:{supervisor}:{}", uuid::Uuid::new_v4());
    let jwt = AccessToken::with_api_key(api_key, api_secret)
        .with_identity(&identity)
        .with_name(&format!("Earshot listener ({supervisor})"))
        .with_ttl(ttl)
        .with_grants(crate::grants::listener(room))
        .with_attributes([
            (ROLE_ATTRIBUTE, "listener"),
            (SUPERVISOR_ATTRIBUTE, supervisor),
        ])
        .to_jwt()
        .map_err(|e| ListenError::InvalidInput(format!("could not sign the token: {e}")))?;
    Ok(ListenerToken { jwt, identity })
}

#[cfg(test)]
mod tests {
    use super::*;
    use livekit_api::access_token::TokenVerifier;

    #[test]
    fn identity_is_unique_and_ttl_is_capped() {
        let a = mint_listener_token("key", "secret", "r", "alice", Duration::from_secs(3600))
            .expect("mint");
        let b = mint_listener_token("key", "secret", "r", "alice", MAX_TOKEN_TTL).expect("mint");
        assert_ne!(a.identity, b.identity);
        assert!(a.identity.starts_with("earshot-listener:alice:"));
        let claims = TokenVerifier::with_api_key("key", "secret")
            .verify(&a.jwt)
            .expect("verify");
        // A 3600 s request is capped to the 120 s maximum, not shortened to nothing.
        let ttl = claims.exp - claims.nbf;
        assert!((110..=120).contains(&ttl), "ttl {ttl}");
        assert!(claims.video.hidden && !claims.video.recorder);
        assert_eq!(claims.video.can_publish, Some(false));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(mint_listener_token("k", "s", " ", "a", MAX_TOKEN_TTL).is_err());
        assert!(mint_listener_token("k", "s", "r", "a:b", MAX_TOKEN_TTL).is_err());
        assert!(mint_listener_token("", "s", "r", "a", MAX_TOKEN_TTL).is_err());
    }
}
