//! Logs to stderr and to `<data dir>/logs/earshot.log`. Secrets never reach a log: every
//! type holding one redacts its `Debug`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Installs the global subscriber once; later calls (tests build many apps) do nothing.
pub fn init(dir: &Path) {
    let filter = EnvFilter::try_from_env("EARSHOT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file = std::fs::create_dir_all(dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("earshot.log"))
    });
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
