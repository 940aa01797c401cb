//! Closing down: whichever way the app ends (last window closed, quit, SIGTERM or Ctrl-C),
//! it leaves its rooms and writes its journal first (see `Earshot::shutdown`). Without this,
//! a terminated app left each room holding a departed hidden listener until the server
//! timed it out, and its open listen sessions were never journaled.

use crate::Core;
use std::time::Duration;
use tauri::{AppHandle, Manager, RunEvent, Runtime};

/// How long closing down may take before the app exits anyway.
const SHUTDOWN_BUDGET: Duration = Duration::from_secs(3);

/// The app's run-event handler: closes down once, on exit.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    if let RunEvent::Exit = event {
        if let Some(core) = app.try_state::<Core>() {
            let core = core.inner().clone();
            tauri::async_runtime::block_on(core.shutdown(SHUTDOWN_BUDGET));
        }
    }
}

/// Turns SIGTERM and SIGINT into an orderly exit (the run loop then calls [`on_event`]); a
/// second signal exits at once, for when closing down itself hangs.
#[cfg(target_os = "linux")]
pub fn on_signals<R: Runtime>(app: &AppHandle<R>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let asked = Arc::new(AtomicBool::new(false));
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let (app, asked) = (app.clone(), asked.clone());
        // A GLib source runs on the window's main loop, which is where an exit is asked.
        glib::unix_signal_add(signal, move || {
            if asked.swap(true, Ordering::SeqCst) {
                eprintln!("Earshot: second signal, exiting without closing down.");
                std::process::exit(1);
            }
            tracing::info!(signal, "termination signal: closing down");
            app.exit(0);
            glib::ControlFlow::Continue
        });
    }
}

/// Elsewhere the platform's default handling stays.
#[cfg(not(target_os = "linux"))]
pub fn on_signals<R: Runtime>(_app: &AppHandle<R>) {}
