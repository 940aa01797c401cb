//! Logs to stderr and to `<data dir>/logs/earshot.log`. Secrets never reach a log: every
//! type holding one redacts its `Debug`.

use std::path::Path;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};

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
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
}
