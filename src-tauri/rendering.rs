//! How the webview draws on Linux. WebKitGTK composites the page with OpenGL; without a GPU
//! that GL is Mesa's software rasterizer, and each repaint of the window costs milliseconds of
//! CPU. Measured on the Listen page (2 rooms × 2 speakers, Xvfb, no GPU): the web process took
//! 65 % of a core composited and 29 % without compositing; idle, 3.2 % against 1.4 %. With a
//! GPU (a DRM render node), WebKit's own choice stands.

/// Turns WebKit's compositing off when there is no GPU to do it, unless the user already chose
/// through `WEBKIT_DISABLE_COMPOSITING_MODE`. Call it before any thread or window exists: it
/// sets an environment variable WebKit reads when it starts.
pub fn choose() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() && !has_render_node() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Whether a DRM render node exists (a GPU the webview could composite on).
#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}
