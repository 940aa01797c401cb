//! livekit-server + redis on loopback, with a generated key and secret.

use crate::process::{free_tcp_port, free_udp_port, tail, Service};
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The RTMP push base URL the test bed's server hands out with each RTMP ingress
/// (`ingress.rtmp_base_url`; nothing listens there: no livekit-ingress runs).
pub const RTMP_BASE_URL: &str = "rtmp://127.0.0.1:1935/live";
/// Likewise for WHIP (`ingress.whip_base_url`).
pub const WHIP_BASE_URL: &str = "http://127.0.0.1:8080/w";

/// A running LiveKit dev server and the credentials to use it.
pub struct LiveKit {
    /// `ws://127.0.0.1:<port>`
    pub ws_url: String,
    /// `http://127.0.0.1:<port>`
    pub http_url: String,
    pub api_key: String,
    pub api_secret: String,
    pub port: u16,
    pub redis_port: u16,
    dir: tempfile::TempDir,
    services: Mutex<Vec<Service>>,
}

impl LiveKit {
    /// The pinned server binary from setup, or `$EARSHOT_LIVEKIT_SERVER`.
    pub fn binary() -> PathBuf {
        std::env::var_os("EARSHOT_LIVEKIT_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::cache_dir().join("go/bin/livekit-server"))
    }

    /// Starts redis and livekit-server on free loopback ports and waits until healthy.
    pub fn start() -> Result<Self> {
        Self::start_with_webhook(None)
    }

    /// Like [`LiveKit::start`], and the server posts its webhooks (signed with its key) to
    /// `webhook_url` when given. A server of its own: the shared one sends none.
    pub fn start_with_webhook(webhook_url: Option<&str>) -> Result<Self> {
        let binary = Self::binary();
        if !binary.exists() {
            bail!(
                "{} is missing: run scripts/setup.sh (or the README's test command) first",
                binary.display()
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("earshot-livekit-")
            .tempdir()?;
        let port = free_tcp_port()?;
        let redis_port = free_tcp_port()?;
        let api_key = format!("APItest{:08x}", rand::random::<u32>());
        let api_secret: String = (0..40)
            .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rand::random_range(0..36)]))
            .collect();
        // Media only on loopback: without the interface filter the server also offers ICE
        // candidates on the machine's other addresses, and peers would send there. Remote
        // unmute is on, so the admin test can check that an unmute reaches the publisher.
        let mut config = format!(
            "port: {port}\nbind_addresses: [\"127.0.0.1\"]\nrtc:\n  tcp_port: {tcp}\n  \
             udp_port: {udp}\n  use_external_ip: false\n  node_ip: 127.0.0.1\n  \
             enable_loopback_candidate: true\n  interfaces:\n    includes: [lo]\n  ips:\n    \
             includes: [127.0.0.0/8]\nredis:\n  address: 127.0.0.1:{redis_port}\n\
             keys:\n  {api_key}: {api_secret}\nlogging:\n  level: info\n\
             room:\n  enable_remote_unmute: true\n\
             ingress:\n  rtmp_base_url: {RTMP_BASE_URL}\n  whip_base_url: {WHIP_BASE_URL}\n",
            tcp = free_tcp_port()?,
            udp = free_udp_port()?,
        );
        if let Some(url) = webhook_url {
            config.push_str(&format!(
                "webhook:\n  api_key: {api_key}\n  urls: [\"{url}\"]\n"
            ));
        }
        std::fs::write(dir.path().join("livekit.yaml"), config)?;
        let bed = Self {
            ws_url: format!("ws://127.0.0.1:{port}"),
            http_url: format!("http://127.0.0.1:{port}"),
            api_key,
            api_secret,
            port,
            redis_port,
            dir,
            services: Mutex::new(Vec::new()),
        };
        bed.start_services()?;
        Ok(bed)
    }

    fn start_services(&self) -> Result<()> {
        let mut services = self.services.lock().expect("services poisoned");
        let mut redis = Command::new("redis-server");
        redis.args([
            "--port",
            &self.redis_port.to_string(),
            "--bind",
            "127.0.0.1",
        ]);
        redis.args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ]);
        let redis_log = self.dir.path().join("redis.log");
        services.push(Service::spawn("redis-server", redis, &redis_log)?);
        wait_for(
            self.redis_port,
            Duration::from_secs(10),
            b"PING\r\n",
            b"+PONG",
        )
        .with_context(|| format!("redis did not start:\n{}", tail(&redis_log, 20)))?;

        let mut server = Command::new(Self::binary());
        server
            .arg("--config")
            .arg(self.dir.path().join("livekit.yaml"));
        server.args(["--dev", "--bind", "127.0.0.1"]);
        let log = self.log_path();
        services.push(Service::spawn("livekit-server", server, &log)?);
        let get = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        wait_for(self.port, Duration::from_secs(30), get, b"200 OK").with_context(|| {
            format!(
                "livekit-server did not become healthy; its log:\n{}",
                tail(&log, 40)
            )
        })?;
        Ok(())
    }

    /// The server's log file.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("livekit-server.log")
    }

    /// Kills livekit-server (redis stays), e.g. to test reconnection.
    pub fn stop_server(&self) {
        let mut services = self.services.lock().expect("services poisoned");
        for s in services.iter_mut().filter(|s| s.name == "livekit-server") {
            s.stop();
        }
        services.retain(|s| s.name != "livekit-server");
    }

    /// Starts livekit-server again on the same ports.
    pub fn restart_server(&self) -> Result<()> {
        self.stop_server();
        let mut server = Command::new(Self::binary());
        server
            .arg("--config")
            .arg(self.dir.path().join("livekit.yaml"));
        server.args(["--dev", "--bind", "127.0.0.1"]);
        let log = self.log_path();
        self.services.lock().expect("poisoned").push(Service::spawn(
            "livekit-server",
            server,
            &log,
        )?);
        let get = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        wait_for(self.port, Duration::from_secs(30), get, b"200 OK")
            .with_context(|| format!("livekit-server did not restart:\n{}", tail(&log, 40)))
    }

    /// Whether livekit-server is running now.
    pub fn server_running(&self) -> bool {
        let mut services = self.services.lock().expect("services poisoned");
        services
            .iter_mut()
            .any(|s| s.name == "livekit-server" && s.is_running())
    }
}

/// Polls `port` with `probe` until the reply contains `expect`, or fails after `limit`.
fn wait_for(port: u16, limit: Duration, probe: &[u8], expect: &[u8]) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
            let mut reply = Vec::new();
            if stream.write_all(probe).is_ok() {
                let _ = stream.read_to_end(&mut reply);
                if reply.windows(expect.len()).any(|w| w == expect) {
                    return Ok(());
                }
            }
        }
        if started.elapsed() > limit {
            bail!("port {port} gave no healthy answer within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
