//! A Twirp (protobuf over HTTP POST) caller that keeps failures apart and retries reads.

use super::endpoint::{Endpoint, CALL_TIMEOUT};
use super::error::{ApiError, ApiResult};
use crate::grants::Grants;
use livekit_api::access_token::AccessToken;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

/// How reads are retried: full-jitter exponential backoff on transient failures only.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    /// One attempt, no retry (connection checks, writes).
    pub const NONE: RetryPolicy = RetryPolicy {
        attempts: 1,
        base: Duration::ZERO,
        cap: Duration::ZERO,
    };
    /// The default for reads.
    pub const READS: RetryPolicy = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(300),
        cap: Duration::from_secs(3),
    };

    /// The pause before attempt `n + 1` (n counts from 0): uniform in [0, min(cap, base·2ⁿ)].
    pub fn delay(&self, n: u32) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << n.min(16)).min(self.cap);
        if ceiling.is_zero() {
            return ceiling;
        }
        rand::rng().random_range(Duration::ZERO..=ceiling)
    }
}

/// A LiveKit server's Twirp API for one project's credentials.
#[derive(Clone, Debug)]
pub struct ServerApi {
    http: reqwest::Client,
    endpoint: Arc<Endpoint>,
    base: String,
    host: String,
    timeout: Duration,
    /// Hidden participants per room, shared by every clone (see [`super::census`]).
    pub(super) census: Arc<super::census::Census>,
}

impl ServerApi {
    /// A client for `endpoint` with the given per-request timeout.
    pub fn new(endpoint: Endpoint, timeout: Duration) -> ApiResult<Self> {
        let base = earshot_protocol::validate::http_url(&endpoint.url);
        let parsed = url::Url::parse(&base).map_err(|e| ApiError::InvalidUrl(e.to_string()))?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(super::tls::client_config())
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("earshot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::InvalidUrl(e.to_string()))?;
        Ok(Self {
            http,
            endpoint: Arc::new(endpoint),
            base,
            host,
            timeout,
            census: Default::default(),
        })
    }

    /// A client with the ordinary call timeout.
    pub fn for_calls(endpoint: Endpoint) -> ApiResult<Self> {
        Self::new(endpoint, CALL_TIMEOUT)
    }

    /// The same client with another per-request timeout (e.g. a dial-out that waits for
    /// the callee to answer).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let mut api = self.clone();
        api.timeout = timeout;
        api
    }

    /// The project endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Calls `livekit.<service>/<method>`, retrying transient failures per `retry`.
    pub async fn call<Req, Resp>(
        &self,
        service: &str,
        method: &str,
        request: &Req,
        grants: impl Into<Grants>,
        retry: RetryPolicy,
    ) -> ApiResult<Resp>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
    {
        let grants = grants.into();
        let mut attempt = 0;
        loop {
            match self
                .call_once(service, method, request, grants.clone())
                .await
            {
                Ok(resp) => return Ok(resp),
                Err(err) if err.is_transient() && attempt + 1 < retry.attempts => {
                    let mut pause = retry.delay(attempt);
                    if let ApiError::RateLimited {
                        retry_after: Some(s),
                    } = err
                    {
                        pause = pause.max(Duration::from_secs(s).min(retry.cap));
                    }
                    tracing::debug!(%err, attempt, ?pause, "{service}/{method} failed; retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn call_once<Req, Resp>(
        &self,
        service: &str,
        method: &str,
        request: &Req,
        grants: Grants,
    ) -> ApiResult<Resp>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
    {
        let token =
            AccessToken::with_api_key(&self.endpoint.api_key, self.endpoint.api_secret.expose())
                .with_grants(grants.video)
                .with_sip_grants(grants.sip)
                .with_ttl(Duration::from_secs(600))
                .to_jwt()
                .map_err(|e| ApiError::Token(e.to_string()))?;
        let url = format!("{}/twirp/livekit.{service}/{method}", self.base);
        let sent = self
            .http
            .post(&url)
            .bearer_auth(token)
            .timeout(self.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/protobuf")
            .body(request.encode_to_vec())
            .send()
            .await;
        let resp = sent.map_err(|e| self.transport_error(e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = super::reply::read_capped(resp, super::reply::MAX_REPLY_BYTES, |e| {
            self.transport_error(e)
        })
        .await?;
        if status == 200 {
            return Resp::decode(body.as_slice()).map_err(|e| {
                ApiError::NotLiveKit(format!(
                    "the reply to {method} is not a LiveKit message: {e}"
                ))
            });
        }
        Err(status_error(status, &body, retry_after))
    }

    fn transport_error(&self, err: reqwest::Error) -> ApiError {
        if err.is_timeout() {
            return ApiError::Timeout {
                seconds: self.timeout.as_secs().max(1),
            };
        }
        let mut chain = String::new();
        let mut refused = false;
        let mut tls = false;
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(e) = source {
            chain.push_str(&e.to_string());
            chain.push_str(": ");
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                refused |= matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::HostUnreachable
                        | std::io::ErrorKind::NetworkUnreachable
                );
                tls |= io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>());
            }
            tls |= e.is::<rustls::Error>();
            source = e.source();
        }
        let lower = chain.to_ascii_lowercase();
        tracing::debug!(%chain, "transport error");
        let address = self
            .base
            .split("://")
            .nth(1)
            .unwrap_or(&self.base)
            .to_owned();
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            ApiError::Dns {
                host: self.host.clone(),
            }
        } else if tls || TLS_MARKERS.iter().any(|m| lower.contains(m)) {
            ApiError::Tls {
                host: self.host.clone(),
                detail: innermost(&err),
            }
        } else if refused || err.is_connect() {
            ApiError::Unreachable {
                address,
                detail: innermost(&err),
            }
        } else {
            ApiError::Server {
                status: 0,
                message: innermost(&err),
            }
        }
    }
}

/// How rustls failures read once hyper has flattened them into text (the typed error is
/// not always reachable through `source()`).
const TLS_MARKERS: &[&str] = &[
    "certificate",
    "tls",
    "corrupt message",
    "invalidcontenttype",
    "handshake",
    "alert",
];

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

#[derive(serde::Deserialize)]
struct TwirpBody {
    code: String,
    #[serde(default)]
    msg: String,
    /// SIP failures carry the SIP response here (`sip_status_code`, `sip_status`).
    #[serde(default)]
    meta: std::collections::HashMap<String, String>,
}

fn status_error(status: u16, body: &[u8], retry_after: Option<u64>) -> ApiError {
    let twirp: Option<TwirpBody> = serde_json::from_slice(body).ok();
    let text = || {
        String::from_utf8_lossy(&body[..body.len().min(200)])
            .trim()
            .to_owned()
    };
    let msg = twirp.as_ref().map(|t| t.msg.clone()).unwrap_or_else(text);
    // A SIP status means the far end refused the call, whatever Twirp code carries it
    // (livekit-sip sends 486 Busy Here as `resource_exhausted`, which is no rate limit).
    if let Some(sip) = twirp.as_ref().and_then(sip_status) {
        return ApiError::CallFailed {
            code: sip.0,
            status: sip.1,
            detail: msg,
        };
    }
    match (status, twirp.as_ref().map(|t| t.code.as_str())) {
        (401, _) | (_, Some("unauthenticated")) => ApiError::Unauthorized,
        (403, _) | (_, Some("permission_denied")) => ApiError::PermissionDenied(msg),
        (429, _) | (_, Some("resource_exhausted")) => ApiError::RateLimited { retry_after },
        (_, Some("not_found")) => ApiError::NotFound(msg),
        (_, Some("bad_route")) | (404, None) => ApiError::NotLiveKit(format!("HTTP {status}")),
        (_, Some("invalid_argument" | "malformed" | "out_of_range" | "failed_precondition")) => {
            ApiError::InvalidArgument(msg)
        }
        (_, Some("already_exists")) => ApiError::AlreadyExists(msg),
        (_, Some("canceled")) => ApiError::Canceled(msg),
        // livekit-server answers Cloud-only calls with `unknown: not implemented`.
        (_, Some("unimplemented")) => ApiError::Unsupported(msg),
        (_, Some("unknown")) if msg.contains("not implemented") => ApiError::Unsupported(msg),
        (_, None) if status < 500 => ApiError::NotLiveKit(format!("HTTP {status}: {msg}")),
        _ => ApiError::Server {
            status,
            message: msg,
        },
    }
}

/// The SIP response in a Twirp error's metadata: (code, reason phrase).
fn sip_status(twirp: &TwirpBody) -> Option<(u16, String)> {
    let code = twirp.meta.get("sip_status_code")?.parse().ok()?;
    let status = twirp.meta.get("sip_status").cloned().unwrap_or_default();
    Some((code, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_errors() {
        assert!(matches!(
            status_error(401, b"invalid authorization token", None),
            ApiError::Unauthorized
        ));
        assert!(matches!(
            status_error(404, br#"{"code":"not_found","msg":"room"}"#, None),
            ApiError::NotFound(m) if m == "room"
        ));
        assert!(matches!(
            status_error(404, b"<html>", None),
            ApiError::NotLiveKit(_)
        ));
        assert!(matches!(
            status_error(429, b"", Some(3)),
            ApiError::RateLimited {
                retry_after: Some(3)
            }
        ));
        assert!(matches!(
            status_error(503, b"busy", None),
            ApiError::Server { status: 503, .. }
        ));
        assert!(!status_error(401, b"", None).is_transient());
        assert!(status_error(502, b"", None).is_transient());
    }

    #[test]
    fn sip_status_is_a_failed_call() {
        // As livekit-sip answers a busy callee: a SIP status under `resource_exhausted`.
        let body = br#"{"code":"resource_exhausted","msg":"INVITE failed: sip status: 486: Busy Here","meta":{"sip_status_code":"486","sip_status":"Busy Here"}}"#;
        let err = status_error(429, body, None);
        match &err {
            ApiError::CallFailed { code, status, .. } => {
                assert_eq!((*code, status.as_str()), (486, "Busy Here"))
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.is_transient(), "a busy callee is not retried");
        let app: earshot_protocol::AppError = err.into();
        assert_eq!(app.code, earshot_protocol::ErrorCode::CallFailed);
        assert!(app.message.contains("SIP 486 Busy Here"), "{}", app.message);
        let canceled = status_error(
            408,
            br#"{"code":"canceled","msg":"twirp error unknown: sip request timed out"}"#,
            None,
        );
        assert!(matches!(canceled, ApiError::Canceled(_)), "{canceled:?}");
        let no_worker = status_error(
            503,
            br#"{"code":"unavailable","msg":"twirp error unknown: no response from servers"}"#,
            None,
        )
        .needs_worker("SIP");
        assert!(matches!(
            no_worker,
            ApiError::NoWorker { worker: "SIP", .. }
        ));
        let err: earshot_protocol::AppError = no_worker.into();
        assert_eq!(err.code, earshot_protocol::ErrorCode::NoWorker);
        assert!(err.message.contains("livekit-sip"));
    }

    #[test]
    fn backoff_is_bounded() {
        let p = RetryPolicy::READS;
        // Ceilings written out, not recomputed: 300 ms doubling per retry, capped at 3 s.
        let ceilings_ms = [300, 600, 1200, 2400, 3000, 3000, 3000];
        for (n, ceiling_ms) in (0u32..).zip(ceilings_ms) {
            let ceiling = Duration::from_millis(ceiling_ms);
            let samples: Vec<Duration> = (0..200).map(|_| p.delay(n)).collect();
            let max = samples.iter().max().copied().unwrap_or_default();
            let min = samples.iter().min().copied().unwrap_or_default();
            // Full jitter spreads over [0, ceiling]: a fixed or zero delay fails here
            // (chance of a false failure with 200 uniform samples: 2 * 0.8^200, about 1e-19).
            assert!(max <= ceiling, "retry {n}: {max:?} > {ceiling:?}");
            assert!(max > ceiling.mul_f64(0.8), "retry {n}: max {max:?}");
            assert!(min < ceiling.mul_f64(0.2), "retry {n}: min {min:?}");
        }
        assert!(p.delay(30) <= Duration::from_secs(3));
        assert_eq!(RetryPolicy::NONE.delay(3), Duration::ZERO);
    }
}
