//! The test bed every integration and end-to-end test uses: a real `livekit-server`
//! (pinned release, installed by `scripts/setup.sh`) and `redis-server` on free loopback
//! ports with a fresh key and secret, started once per test binary and stopped when the
//! test process exits; the official Python SDK as the other participants; and, for phone
//! calls, a livekit-sip worker with sipp as the far end; for the journal's team mode, a
//! real PostgreSQL.

mod peer;
mod postgres;
mod process;
mod server;
mod sip;

pub use peer::{transcription, Peer, PeerOptions};
pub use postgres::Postgres;
pub use server::{LiveKit, RTMP_BASE_URL, WHIP_BASE_URL};
pub use sip::{FarEnd, FarEndMode, SipWorker};

use std::path::PathBuf;

/// Where setup put the tools: `$EARSHOT_CACHE`, or `~/.cache/earshot`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EARSHOT_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".cache").join("earshot")
}

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The shared test bed of this test binary, started on first use.
pub fn livekit() -> &'static LiveKit {
    static BED: std::sync::OnceLock<LiveKit> = std::sync::OnceLock::new();
    BED.get_or_init(|| LiveKit::start().unwrap_or_else(|e| panic!("test bed: {e:#}")))
}

/// The shared livekit-sip worker of this test binary, beside [`livekit`], started on
/// first use.
pub fn sip_worker() -> &'static SipWorker {
    static SIP: std::sync::OnceLock<SipWorker> = std::sync::OnceLock::new();
    SIP.get_or_init(|| SipWorker::start(livekit()).unwrap_or_else(|e| panic!("SIP worker: {e:#}")))
}

/// The shared PostgreSQL of this test binary, started on first use.
pub fn postgres() -> &'static Postgres {
    static PG: std::sync::OnceLock<Postgres> = std::sync::OnceLock::new();
    PG.get_or_init(|| Postgres::start().unwrap_or_else(|e| panic!("PostgreSQL: {e:#}")))
}

/// A room name no other test uses.
pub fn unique_room(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand::random::<u32>())
}
