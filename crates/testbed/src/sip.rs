//! Phone calls for real: a `livekit-sip` worker (pinned, built by `scripts/setup.sh`)
//! beside the test bed's server, and `sipp` (Debian's `sip-tester`) as the far end of the
//! calls it places. Everything listens on 127.0.0.1 only.

use crate::process::{free_tcp_port, free_udp_port, tail, Service};
use crate::LiveKit;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A livekit-sip worker connected to the test bed's server through its redis.
pub struct SipWorker {
    _service: Service,
    dir: tempfile::TempDir,
}

impl SipWorker {
    /// The worker binary from setup, or `$EARSHOT_LIVEKIT_SIP`.
    pub fn binary() -> PathBuf {
        std::env::var_os("EARSHOT_LIVEKIT_SIP")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::cache_dir().join("go/bin/livekit-sip"))
    }

    /// Starts the worker and waits until its health check says it takes calls.
    pub fn start(bed: &LiveKit) -> Result<Self> {
        let binary = Self::binary();
        if !binary.exists() {
            bail!(
                "{} is missing: run scripts/setup.sh (or the README's test command) first",
                binary.display()
            );
        }
        let dir = tempfile::Builder::new().prefix("earshot-sip-").tempdir()?;
        let sip_port = free_udp_port()?;
        let health = free_tcp_port()?;
        let rtp = free_udp_port()?;
        // The announced addresses are pinned to loopback (it would pick the first
        // non-loopback interface), and the CPU guard is off: under a parallel test run
        // the worker would otherwise call itself overloaded and refuse calls.
        let config = format!(
            "api_key: {key}\napi_secret: {secret}\nws_url: {ws}\nredis:\n  address: \
             127.0.0.1:{redis}\nsip_port: {sip_port}\nsip_port_listen: {sip_port}\n\
             listen_ip: 127.0.0.1\nnat_1_to_1_ip: 127.0.0.1\nuse_external_ip: false\n\
             rtp_port: {rtp}-{rtp_end}\nhealth_port: {health}\nmax_cpu_utilization: 1.0\n\
             logging:\n  level: info\n",
            key = bed.api_key,
            secret = bed.api_secret,
            ws = bed.ws_url,
            redis = bed.redis_port,
            rtp_end = rtp.saturating_add(40),
        );
        let config_path = dir.path().join("sip.yaml");
        std::fs::write(&config_path, config)?;
        let log = dir.path().join("livekit-sip.log");
        let mut cmd = Command::new(&binary);
        cmd.arg("--config").arg(&config_path);
        let service = Service::spawn("livekit-sip", cmd, &log)?;
        let started = Instant::now();
        loop {
            if health_ok(health) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!(
                    "livekit-sip did not become healthy; its log:\n{}",
                    tail(&log, 30)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            _service: service,
            dir,
        })
    }

    /// The last lines of the worker's log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.dir.path().join("livekit-sip.log"), lines)
    }
}

fn health_ok(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = Vec::new();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_ok()
        && stream.read_to_end(&mut reply).is_ok()
        && reply.starts_with(b"HTTP/1.0 200")
}

/// How the far end treats the one call it takes.
#[derive(Debug, Clone, Copy)]
pub enum FarEndMode {
    /// Ring, answer, play a tone at this frequency (Hz) until hung up; accept a transfer.
    Answer { tone_hz: f64 },
    /// Refuse with `486 Busy Here`.
    Busy,
}

/// One `sipp` instance on a free loopback port, taking a single call.
pub struct FarEnd {
    /// `127.0.0.1:<port>`: the outbound trunk's address.
    pub address: String,
    service: Service,
    dir: tempfile::TempDir,
}

impl FarEnd {
    /// Starts sipp and returns once it listens.
    pub fn start(mode: FarEndMode) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("earshot-sipp-").tempdir()?;
        let scenario = match mode {
            FarEndMode::Answer { tone_hz } => {
                std::fs::write(dir.path().join("tone.ul"), ulaw_tone(tone_hz, 2.0))?;
                include_str!("../sip/answer.xml")
            }
            FarEndMode::Busy => include_str!("../sip/busy.xml"),
        };
        std::fs::write(dir.path().join("scenario.xml"), scenario)?;
        let port = free_udp_port()?;
        let media = free_udp_port()?;
        let mut cmd = Command::new("sipp");
        cmd.current_dir(dir.path())
            .args(["-sf", "scenario.xml", "-i", "127.0.0.1", "-mi", "127.0.0.1"])
            .args(["-p", &port.to_string(), "-mp", &media.to_string()])
            .args([
                "-m",
                "1",
                "-nostdin",
                "-trace_msg",
                "-trace_logs",
                "-trace_err",
            ])
            .args(["-message_file", "messages.log", "-log_file", "actions.log"])
            .args(["-error_file", "errors.log"]);
        let log = dir.path().join("sipp.log");
        let service = Service::spawn("sipp", cmd, &log)
            .context("could not start sipp (Debian package sip-tester)")?;
        // sipp binds its UDP port at once; give it a moment and check it is alive.
        let mut far = Self {
            address: format!("127.0.0.1:{port}"),
            service,
            dir,
        };
        std::thread::sleep(Duration::from_millis(300));
        if !far.service.is_running() {
            bail!("sipp exited at start:\n{}", tail(&log, 20));
        }
        Ok(far)
    }

    /// The SIP messages sipp sent and received so far.
    pub fn messages(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("messages.log")).unwrap_or_default()
    }

    /// What the scenario logged (e.g. `REFER to <target>`).
    pub fn actions(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("actions.log")).unwrap_or_default()
    }

    /// Waits for sipp to finish its one call; `Some(true)` when the call went as the
    /// scenario says, `None` if it is still running after `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<bool> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.service.child.try_wait() {
                return Some(status.success());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for FarEnd {
    fn drop(&mut self) {
        self.service.stop();
    }
}

/// `seconds` of a sine at `hz` as G.711 μ-law at 8 kHz, half scale.
fn ulaw_tone(hz: f64, seconds: f64) -> Vec<u8> {
    let n = (8000.0 * seconds) as usize;
    (0..n)
        .map(|i| {
            let x = (2.0 * std::f64::consts::PI * hz * i as f64 / 8000.0).sin() * 0.5;
            ulaw((x * 32767.0) as i16)
        })
        .collect()
}

/// G.711 μ-law encoding of one 16-bit sample.
fn ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = i32::from(sample);
    let sign = if s < 0 { 0x80 } else { 0 };
    if s < 0 {
        s = -s;
    }
    s = s.min(CLIP) + BIAS;
    let exponent = (7 - (s.leading_zeros() as i32 - 17)).clamp(0, 7);
    let mantissa = (s >> (exponent + 3)) & 0x0f;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_matches_g711() {
        // Reference values of the G.711 μ-law table.
        assert_eq!(ulaw(0), 0xff);
        assert_eq!(ulaw(-1), 0x7f);
        assert_eq!(ulaw(32767), 0x80);
        assert_eq!(ulaw(-32768), 0x00);
        assert_eq!(ulaw(1000), 0xce);
    }
}
