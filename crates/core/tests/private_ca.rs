//! A self-hosted server behind a certificate from a private CA: trusted once the CA is in the
//! OS certificate store, refused while it is not — for the API and for the listener's signal
//! connection alike. The real livekit-server sits behind a TLS terminator made here (it has
//! no TLS of its own in dev mode); the "OS store" is `SSL_CERT_FILE`, which the platform
//! loader honours on Linux. Each case runs in a child process, so the store is read fresh.

mod common;

use earshot_core::api::{Endpoint, RetryPolicy, ServerApi};
use earshot_core::listen::engine::{Listener, ListenerConfig};
use earshot_core::protocol::{AppError, ErrorCode};
use earshot_testbed::{livekit, unique_room};
use std::process::Command;
use std::sync::Arc;

/// Env of the child: the TLS URL to reach, the room to listen to.
const CHILD_URL: &str = "EARSHOT_CA_CHILD_URL";
const CHILD_ROOM: &str = "EARSHOT_CA_CHILD_ROOM";
/// The test bed's key and secret, handed to the child (which starts no server of its own).
const CHILD_KEY: &str = "EARSHOT_CA_CHILD_KEY";
const CHILD_SECRET: &str = "EARSHOT_CA_CHILD_SECRET";

/// The child: lists rooms and joins `room` over `wss://localhost:…`; exits 0 when both work,
/// 3 when both fail on TLS, 4 otherwise (printing what happened).
#[test]
fn ca_child() {
    let (Some(url), Some(room)) = (std::env::var_os(CHILD_URL), std::env::var_os(CHILD_ROOM))
    else {
        return;
    };
    let var = |name| std::env::var(name).unwrap_or_default();
    let endpoint = Endpoint {
        url: url.to_string_lossy().into_owned(),
        api_key: var(CHILD_KEY),
        api_secret: earshot_core::vault::Secret::new(var(CHILD_SECRET)),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (api, listen) = runtime.block_on(async {
        let server = ServerApi::for_calls(endpoint).unwrap();
        let api = server
            .list_rooms(RetryPolicy::NONE)
            .await
            .map_err(AppError::from);
        let (listener, _out) = Listener::new(ListenerConfig::default());
        let listen = listener
            .listen(&server, room.to_string_lossy().as_ref())
            .await
            .map_err(AppError::from);
        (api, listen)
    });
    println!("api: {api:?}\nlisten: {listen:?}");
    let code = match (&api, &listen) {
        (Ok(_), Ok(())) => 0,
        (Err(a), Err(l)) if a.code == ErrorCode::TlsFailure && l.code == ErrorCode::TlsFailure => 3,
        _ => 4,
    };
    std::process::exit(code);
}

/// A CA, and a certificate for `localhost` it signed: (CA PEM, leaf chain, leaf key).
fn private_ca() -> (
    String,
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Earshot test private CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    (ca.pem(), vec![leaf.der().clone()], key)
}

/// Terminates TLS on a loopback port and forwards each connection to `upstream` (the test
/// bed's plain port); returns the port.
async fn tls_front(
    upstream: std::net::SocketAddr,
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_ca_in_the_os_store_is_trusted() {
    let bed = livekit();
    let room = unique_room("private-ca");
    let _caller = common::tone_peer(bed, &room, "caller", 440.0);
    let upstream: std::net::SocketAddr = bed
        .ws_url
        .trim_start_matches("ws://")
        .parse()
        .expect("the test bed listens on an address");
    let (ca_pem, chain, key) = private_ca();
    let port = tls_front(upstream, chain, key).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("private-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let exe = std::env::current_exe().unwrap();
    let run = |ca: Option<&std::path::Path>| {
        let mut child = Command::new(&exe);
        child
            .args(["--exact", "ca_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_URL, format!("wss://localhost:{port}"))
            .env(CHILD_ROOM, &room)
            .env(CHILD_KEY, &bed.api_key)
            .env(CHILD_SECRET, &bed.api_secret)
            // An empty store stands for "the CA is not installed" on any machine.
            .env("SSL_CERT_DIR", dir.path().join("none"));
        match ca {
            Some(ca) => child.env("SSL_CERT_FILE", ca),
            None => child.env("SSL_CERT_FILE", dir.path().join("empty.pem")),
        };
        std::fs::write(dir.path().join("empty.pem"), "").unwrap();
        child.output().expect("child")
    };
    let without = tokio::task::block_in_place(|| run(None));
    let out = String::from_utf8_lossy(&without.stdout);
    assert_eq!(without.status.code(), Some(3), "without the CA: {out}");
    let with = tokio::task::block_in_place(|| run(Some(&ca_file)));
    let out = String::from_utf8_lossy(&with.stdout);
    assert_eq!(with.status.code(), Some(0), "with the CA: {out}");
}
