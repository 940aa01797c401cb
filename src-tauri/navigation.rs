//! The window never leaves the app: any navigation away from the app's own origin (a link in
//! a room's metadata, a script that sets `location`) is refused and logged. The app's pages
//! are served by Tauri itself, so its origin is the only one a navigation may go to.

use tauri::plugin::TauriPlugin;
use tauri::{Runtime, Url};

/// Whether `url` is the app's own origin: `tauri://localhost` on Linux and macOS,
/// `http(s)://tauri.localhost` on Windows.
pub fn is_app_origin(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// A plugin whose only job is the navigation guard.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let ok = is_app_origin(url);
            if !ok {
                // The path and query may carry tokens: log the origin only.
                tracing::warn!(origin = %url.origin().ascii_serialization(), "navigation away from the app refused");
            }
            ok
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_app_origin_passes() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html#rooms",
            "http://tauri.localhost/",
            "https://tauri.localhost/x",
        ] {
            assert!(is_app_origin(&ok.parse().unwrap()), "{ok}");
        }
        for bad in [
            "https://example.com/",
            "http://127.0.0.1:7880/",
            "tauri://evil.com/",
            "https://tauri.localhost.evil.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
        ] {
            assert!(!is_app_origin(&bad.parse().unwrap()), "{bad}");
        }
    }
}
