//! One window per data dir (see `earshot_core::instance`): a second start shows the running
//! app's window and exits.

use earshot_core::instance::{claim, Claim, Instance};
use std::path::Path;
use tauri::{Manager, Runtime};

/// The running instance's hold on its data dir, kept as state for the app's lifetime.
struct Hold(#[allow(dead_code)] Instance);

/// Claims `data_dir` for this app, or shows the instance already running on it and exits.
pub fn claim_or_exit<R: Runtime>(app: &tauri::AppHandle<R>, data_dir: &Path) {
    let handle = app.clone();
    let show = move || {
        if let Some(window) = handle.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    };
    match claim(data_dir, show) {
        Ok(Claim::First(instance)) => {
            app.manage(Hold(instance));
        }
        Ok(Claim::Running { focused }) => {
            if focused {
                eprintln!("Earshot is already running; its window was brought to the front.");
            } else {
                eprintln!(
                    "Earshot is already running with {} (its window did not answer).",
                    data_dir.display()
                );
            }
            std::process::exit(0);
        }
        // Without the lock the app still runs, as it did before there was one.
        Err(err) => eprintln!(
            "Earshot: cannot lock {}: {err}; a second instance would not be noticed",
            data_dir.display()
        ),
    }
}
