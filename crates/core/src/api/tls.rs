//! TLS for LiveKit's API: the compiled-in web PKI roots plus the OS certificate store, so a
//! self-hosted server whose certificate comes from a private CA installed on the machine is
//! trusted as a browser on it would trust it. (The listener's signal connection gets the
//! same two sources through livekit-signaling's `rustls-tls-native-roots`.)

use std::sync::Arc;

/// A client config trusting web PKI and the OS store (read on each call: projects' API
/// clients are built rarely, and a CA installed while the app runs is then picked up).
pub(super) fn client_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    if !native.errors.is_empty() || ignored > 0 {
        tracing::debug!(
            added,
            ignored,
            errors = ?native.errors,
            "some OS certificates could not be used"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
