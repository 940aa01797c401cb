//! The signed webhook receiver: a small HTTP/1 server (off by default, loopback by default)
//! that takes LiveKit's webhook POSTs, verifies each with livekit-api's webhooks support —
//! the `Authorization` JWT signed with a project's key and secret, and the body's sha256
//! in it — and feeds the event into call history.
//!
//! What it refuses is answered with an HTTP status and counted for the user: an unsigned,
//! forged or altered request (401, `forged`), a key no project has (401, `unknown_key`), a
//! body past [`MAX_BODY`] (413, `oversized`), anything else that is not an event (400/405,
//! `malformed`). The secret is read from the keychain through the project registry, used
//! to verify and dropped; neither it nor the token is logged.
//!
//! Every connection has timeouts: headers within [`HEADER_TIMEOUT`], the body within
//! [`BODY_TIMEOUT`], the whole connection within [`CONNECTION_TIMEOUT`]; at most
//! [`MAX_CONNECTIONS`] are served at once (more are closed on accept).

use super::events::{ops, Presence};
use crate::audit::Audit;
use crate::projects::Projects;
use earshot_protocol::history::WebhookStatus;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use livekit_api::access_token::{Claims, TokenVerifier};
use livekit_api::webhooks::{WebhookError, WebhookReceiver as Verifier};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The largest body taken (LiveKit's events are a few kilobytes).
pub const MAX_BODY: usize = 256 * 1024;
/// Time to send the request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Time to send the body once the headers are in.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a connection stays open (keep-alive included).
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 32;

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    forged: AtomicU64,
    unknown_key: AtomicU64,
    oversized: AtomicU64,
    malformed: AtomicU64,
}

struct Shared {
    projects: Arc<Projects>,
    audit: Audit,
    counters: Counters,
    presence: Mutex<Presence>,
}

/// A running receiver; stops when dropped.
pub struct WebhookReceiver {
    shared: Arc<Shared>,
    local: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WebhookReceiver {
    /// Binds `addr` and starts serving; events go to projects in `projects` whose key
    /// signed them, into the journal behind `audit`.
    pub async fn start(
        addr: SocketAddr,
        projects: Arc<Projects>,
        audit: Audit,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let shared = Arc::new(Shared {
            projects,
            audit,
            counters: Counters::default(),
            presence: Mutex::new(Presence::default()),
        });
        let task = tokio::spawn(serve(listener, shared.clone()));
        tracing::info!(%local, "webhook receiver listening");
        Ok(Self {
            shared,
            local,
            task,
        })
    }

    /// Where it listens (the port chosen when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Counters for the user.
    pub fn status(&self) -> WebhookStatus {
        let c = &self.shared.counters;
        WebhookStatus {
            listening: Some(self.local.to_string()),
            error: None,
            accepted: c.accepted.load(Ordering::Relaxed),
            forged: c.forged.load(Ordering::Relaxed),
            unknown_key: c.unknown_key.load(Ordering::Relaxed),
            oversized: c.oversized.load(Ordering::Relaxed),
            malformed: c.malformed.load(Ordering::Relaxed),
        }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin.
                tracing::warn!("webhook receiver: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&shared, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
            drop(slot);
        });
    }
}

fn reply(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let c = &shared.counters;
    if req.method() != Method::POST {
        c.malformed.fetch_add(1, Ordering::Relaxed);
        return reply(StatusCode::METHOD_NOT_ALLOWED, "POST webhook events here\n");
    }
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        c.oversized.fetch_add(1, Ordering::Relaxed);
        return reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large\n");
    }
    let token = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
    let body = Limited::new(req.into_body(), MAX_BODY).collect();
    let body = match tokio::time::timeout(BODY_TIMEOUT, body).await {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            c.oversized.fetch_add(1, Ordering::Relaxed);
            return reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large\n");
        }
        _ => {
            c.malformed.fetch_add(1, Ordering::Relaxed);
            return reply(StatusCode::BAD_REQUEST, "the body could not be read\n");
        }
    };
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        c.forged.fetch_add(1, Ordering::Relaxed);
        return reply(StatusCode::UNAUTHORIZED, "unsigned\n");
    };
    let Ok(body) = std::str::from_utf8(&body) else {
        c.malformed.fetch_add(1, Ordering::Relaxed);
        return reply(StatusCode::BAD_REQUEST, "the body is not text\n");
    };
    // The key named in the token picks the project; only its secret can verify it.
    let Ok(claims) = Claims::from_unverified(&token) else {
        c.forged.fetch_add(1, Ordering::Relaxed);
        return reply(StatusCode::UNAUTHORIZED, "bad signature\n");
    };
    let ids = shared.projects.with_api_key(&claims.iss);
    if ids.is_empty() {
        c.unknown_key.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(key = %claims.iss, "webhook signed with a key no project has");
        return reply(StatusCode::UNAUTHORIZED, "unknown key\n");
    }
    let mut verified = false;
    let mut malformed = false;
    for id in ids {
        let Ok(handle) = shared.projects.handle(&id).await else {
            continue;
        };
        let ep = handle.endpoint();
        let verifier = Verifier::new(TokenVerifier::with_api_key(
            &ep.api_key,
            ep.api_secret.expose(),
        ));
        match verifier.receive(body, &token) {
            Ok(ev) => {
                verified = true;
                let now = crate::clock::unix_millis();
                let writes = {
                    let mut presence = shared.presence.lock().unwrap_or_else(|p| p.into_inner());
                    ops(&id, &ev, now, &mut presence)
                };
                if let Some(journal) = shared.audit.journal() {
                    for op in writes {
                        journal.history(op);
                    }
                }
            }
            Err(WebhookError::InvalidData(_)) => malformed = true,
            Err(e) => tracing::debug!(project = %id, "webhook not verified: {e}"),
        }
    }
    if verified {
        c.accepted.fetch_add(1, Ordering::Relaxed);
        reply(StatusCode::OK, "ok\n")
    } else if malformed {
        c.malformed.fetch_add(1, Ordering::Relaxed);
        reply(StatusCode::BAD_REQUEST, "signed, but not an event\n")
    } else {
        c.forged.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(key = %claims.iss, "webhook with a bad signature or body hash refused");
        reply(StatusCode::UNAUTHORIZED, "bad signature\n")
    }
}
