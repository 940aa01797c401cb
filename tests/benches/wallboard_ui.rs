//! Wallboard render benchmark on the real window: 10,000 SYNTHETIC rooms / 50,000
//! participants (the app's `EARSHOT_SYNTHETIC_WALLBOARD` source, generated in memory, ~1 %
//! changing every 2 s), measuring in the webview (a) each delta's apply + re-render path and
//! (b) scrolling the virtualized list, as p50/p95 per frame.
//!
//! `cargo bench -p earshot-e2e --bench wallboard_ui` inside a display and D-Bus session, as
//! scripts/bench.sh runs it.

#[path = "../tests/common/mod.rs"]
mod common;

use anyhow::{bail, Result};
use common::App;
use std::time::{Duration, Instant};

const ROOMS: &str = "10000";

#[tokio::main]
async fn main() -> Result<()> {
    // The app inherits this through tauri-driver.
    std::env::set_var("EARSHOT_SYNTHETIC_WALLBOARD", ROOMS);
    let app = App::launch(|_| {}).await?;
    app.click("[data-testid=nav-wallboard]").await?;
    let loaded = Instant::now();
    app.wait_text("[data-testid=wall-totals]", &format!("{ROOMS} rooms"))
        .await?;
    println!(
        "first load of {ROOMS} rooms shown after {:?}",
        loaded.elapsed()
    );
    // Let ~15 deltas (one every 2 s) arrive and render.
    tokio::time::sleep(Duration::from_secs(31)).await;
    let el = app.wait_css("[data-testid=wall-render]").await?;
    let attr = |name: &'static str| {
        let el = el.clone();
        async move { el.attr(name).await.ok().flatten().unwrap_or_default() }
    };
    println!(
        "delta apply + re-render over {} updates: p50 {} ms, p95 {} ms, max {} ms (max includes the first load)",
        attr("data-count").await,
        attr("data-p50").await,
        attr("data-p95").await,
        attr("data-max").await
    );

    // Scrolling: each step moves ~37 rows and renders the new window synchronously.
    let times = app
        .client
        .execute(
            r#"const list = document.querySelector('[data-testid=wall-list]');
               const out = [];
               for (let i = 0; i < 60; i++) {
                 const t0 = performance.now();
                 list.scrollTop = (i + 1) * 34 * 37;
                 list.dispatchEvent(new Event('scroll'));
                 // Reading a row's box forces style and layout of what was rendered.
                 const rows = list.querySelectorAll('[data-testid=wall-row]');
                 if (rows.length) rows[rows.length - 1].getBoundingClientRect();
                 out.push(performance.now() - t0);
               }
               return out;"#,
            vec![],
        )
        .await?;
    let mut ms: Vec<f64> = times
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if ms.is_empty() {
        bail!("no scroll timings");
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=wall-row]"))
        .await?
        .len();
    println!(
        "scroll a window of the virtualized list ({} steps): render + forced layout p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; rows in the DOM: {rows}",
        ms.len(),
        at(0.5),
        at(0.95),
        ms[ms.len() - 1]
    );

    // Frames as the user sees them: scroll one step per animation frame for 120 frames and
    // time frame to frame (paint included); 16.7 ms is one frame at 60 Hz.
    let frames = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const list = document.querySelector('[data-testid=wall-list]');
               const stamps = [];
               let i = 0;
               function step(ts) {
                 stamps.push(ts);
                 if (i++ >= 120) {
                   const gaps = [];
                   for (let k = 1; k < stamps.length; k++) gaps.push(stamps[k] - stamps[k - 1]);
                   return done(gaps);
                 }
                 list.scrollTop = 20000 + i * 34 * 3;
                 list.dispatchEvent(new Event('scroll'));
                 requestAnimationFrame(step);
               }
               requestAnimationFrame(step);"#,
            vec![],
        )
        .await?;
    println!(
        "scrolling frame to frame (paint included; target <= 16.7 ms at 60 Hz): {}",
        frame_gaps(&frames)?
    );

    // Baseline: the same frame-to-frame scroll in the same webview, on a plain list of as
    // many static rows (no app code runs while it scrolls), laid over the wallboard at the
    // list's size. What the environment (webview, X server, no GPU) costs per frame; the
    // app's own cost is the difference.
    let frames = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const list = document.querySelector('[data-testid=wall-list]');
               const box = list.getBoundingClientRect();
               const plain = document.createElement('div');
               plain.style.cssText = `position:fixed;left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px;overflow:auto;background:#fff;z-index:99`;
               const rows = [];
               for (let r = 0; r < Number(arguments[0]); r++) {
                 rows.push(`<div style="display:flex;height:34px;gap:8px;border-bottom:1px solid #eee"><span>room-${r}</span><span>${r % 7}</span><span>project</span><span>00:${r % 60}</span><span>ok</span></div>`);
               }
               plain.innerHTML = rows.join('');
               document.body.appendChild(plain);
               const stamps = [];
               let i = 0;
               function step(ts) {
                 stamps.push(ts);
                 if (i++ >= 120) {
                   plain.remove();
                   const gaps = [];
                   for (let k = 1; k < stamps.length; k++) gaps.push(stamps[k] - stamps[k - 1]);
                   return done(gaps);
                 }
                 plain.scrollTop = 20000 + i * 34 * 3;
                 requestAnimationFrame(step);
               }
               requestAnimationFrame(() => requestAnimationFrame(step));"#,
            vec![serde_json::json!(ROOMS)],
        )
        .await?;
    println!(
        "baseline, a plain list of {ROOMS} static rows in the same webview, same scrolling: {}",
        frame_gaps(&frames)?
    );
    app.close().await?;
    Ok(())
}

/// Frame-to-frame gaps (ms, as the page measured them) summed up: count, p50, p95, max and
/// how many missed a 60 Hz frame.
fn frame_gaps(gaps: &serde_json::Value) -> Result<String> {
    let mut gaps: Vec<f64> = gaps
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if gaps.is_empty() {
        bail!("no frame timings");
    }
    gaps.sort_by(f64::total_cmp);
    let q = |p: f64| gaps[((gaps.len() - 1) as f64 * p).round() as usize];
    let long = gaps.iter().filter(|g| **g > 17.0).count();
    Ok(format!(
        "{} frames, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; frames over 17 ms: {long}",
        gaps.len(),
        q(0.5),
        q(0.95),
        gaps[gaps.len() - 1]
    ))
}
