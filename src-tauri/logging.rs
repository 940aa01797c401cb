//! Logs to stderr and to `<data dir>/logs/earshot.log` (0600, rotated at 10 MiB, three old
//! files kept). `EARSHOT_LOG` names a level for Earshot's own crates (others stay at `warn`:
//! a `debug` run must not turn on the WebRTC, WebSocket and HTTP stacks' tracing) or a full
//! filter directive. Secrets never reach a log: every type holding one redacts its `Debug`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Earshot's crates, as tracing names their targets.
const OWN_CRATES: [&str; 4] = [
    "earshot",
    "earshot_shell",
    "earshot_core",
    "earshot_journal",
];

/// The filter for `EARSHOT_LOG`: a bare level applies to Earshot's crates only.
fn filter_directives(env: Option<&str>) -> String {
    let scoped = |level: &str| {
        let own: Vec<String> = OWN_CRATES.iter().map(|c| format!("{c}={level}")).collect();
        format!("warn,{}", own.join(","))
    };
    match env.map(str::trim).filter(|s| !s.is_empty()) {
        None => scoped("info"),
        Some(level) if !level.contains(['=', ',']) => scoped(level),
        // A full directive ("info,webrtc=debug") is taken as written.
        Some(directive) => directive.to_owned(),
    }
}

/// Installs the global subscriber once; later calls (tests build many apps) do nothing.
pub fn init(dir: &Path) {
    let env = std::env::var("EARSHOT_LOG").ok();
    let directives = filter_directives(env.as_deref());
    let filter =
        EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(filter_directives(None)));
    let file = RotatingFile::open(dir.join("earshot.log"));
    let file_layer = file.ok().map(|f| {
        fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(f))
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(KnownNoise)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
    tracing::debug!(%directives, "log filter");
}

/// Size at which the log file is rotated.
const ROTATE_BYTES: u64 = 10 * 1024 * 1024;
/// Rotated files kept (`earshot.log.1` … `.3`).
const KEEP: u32 = 3;

/// An append-only log file readable by this user only, rotated by size.
struct RotatingFile {
    path: PathBuf,
    file: std::fs::File,
    size: u64,
}

impl RotatingFile {
    fn open(path: PathBuf) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            earshot_core::settings::private_dir(dir)?;
        }
        let file = earshot_core::settings::private_append(&path)?;
        let size = file.metadata()?.len();
        let mut me = Self { path, file, size };
        if me.size >= ROTATE_BYTES {
            me.rotate()?;
        }
        Ok(me)
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let numbered = |n: u32| PathBuf::from(format!("{}.{n}", self.path.display()));
        let _ = std::fs::remove_file(numbered(KEEP));
        for n in (1..KEEP).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        std::fs::rename(&self.path, numbered(1))?;
        self.file = earshot_core::settings::private_append(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl std::io::Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.size + buf.len() as u64 > ROTATE_BYTES && self.size > 0 {
            // A failed rotation keeps writing to the current file rather than losing lines.
            let _ = self.rotate();
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// What the WebRTC stack reports when it drops LiveKit's RTCP sender reports. Every 3 s the
/// server sends each subscriber one compound packet of sender reports and an SDES whose items
/// are CNAME and MID (type 15, RFC 8843); webrtc-rs 0.21 reads an unknown item type as the
/// end of the list, misreads the MID item's bytes and drops the compound with this warning
/// (~230 per 10-minute listen, drowning real warnings). The listener needs neither sender
/// reports (one audio stream per speaker, no lip sync) nor SDES, so the warning is counted
/// and logged at debug level instead.
const SDES_MID_DROP: &str = "SrtpHandler.handle_read got error: Packet too short to be read";

/// RTCP compounds dropped for [`SDES_MID_DROP`] since start.
static SDES_MID_DROPS: AtomicU64 = AtomicU64::new(0);

/// Turns [`SDES_MID_DROP`] warnings into a count, one debug line per 100.
struct KnownNoise;

impl<S: Subscriber> Layer<S> for KnownNoise {
    fn event_enabled(&self, event: &Event<'_>, _cx: Context<'_, S>) -> bool {
        if *event.metadata().level() != tracing::Level::WARN {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        if !message.0.contains(SDES_MID_DROP) {
            return true;
        }
        let n = SDES_MID_DROPS.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 100 == 1 {
            tracing::debug!(
                dropped = n,
                "RTCP from the server dropped by webrtc-rs (its SDES carries a MID item, type 15, \
                 which webrtc-rs 0.21 cannot parse); harmless for listening"
            );
        }
        false
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Collects the messages that reach the layers after [`KnownNoise`].
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Seen {
        fn on_event(&self, event: &Event<'_>, _cx: Context<'_, S>) {
            let mut message = Message(String::new());
            event.record(&mut message);
            if let Ok(mut seen) = self.0.lock() {
                seen.push(message.0);
            }
        }
    }

    #[test]
    fn a_bare_level_applies_to_earshot_only() {
        let debug = filter_directives(Some("debug"));
        assert!(debug.starts_with("warn,"), "{debug}");
        assert!(debug.contains("earshot_core=debug"), "{debug}");
        assert!(!debug.contains("webrtc"), "{debug}");
        assert_eq!(
            filter_directives(Some("info,webrtc=debug")),
            "info,webrtc=debug"
        );
        assert!(filter_directives(None).contains("earshot_shell=info"));
        // Each is a valid filter.
        for d in [debug, filter_directives(None)] {
            EnvFilter::try_new(&d).expect("valid");
        }
    }

    #[test]
    fn the_log_rotates_and_stays_private() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/earshot.log");
        let mut log = RotatingFile::open(path.clone()).unwrap();
        let line = vec![b'x'; 1024 * 1024];
        for _ in 0..45 {
            log.write_all(&line).unwrap();
        }
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        assert!(size(&path) <= ROTATE_BYTES, "{}", size(&path));
        for n in 1..=KEEP {
            let old = PathBuf::from(format!("{}.{n}", path.display()));
            assert!(size(&old) > 0 && size(&old) <= ROTATE_BYTES, "{n}");
            let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{n}");
        }
        assert!(!PathBuf::from(format!("{}.{}", path.display(), KEEP + 1)).exists());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn the_sdes_mid_warning_is_counted_not_logged_and_other_warnings_pass() {
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry()
            .with(KnownNoise)
            .with(seen.clone());
        let before = SDES_MID_DROPS.load(Ordering::Relaxed);
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..3 {
                tracing::warn!("{SDES_MID_DROP}");
            }
            tracing::warn!("SrtpHandler.handle_read got error: srtcp auth failed");
            tracing::info!("{SDES_MID_DROP}");
        });
        let seen = seen.0.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(SDES_MID_DROPS.load(Ordering::Relaxed) - before, 3);
        assert!(
            seen.iter().any(|m| m.contains("srtcp auth failed")),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|m| m == SDES_MID_DROP),
            "the same text at info level is not the WebRTC warning: {seen:?}"
        );
        assert_eq!(
            seen.iter().filter(|m| m.as_str() == SDES_MID_DROP).count(),
            1,
            "{seen:?}"
        );
    }
}
