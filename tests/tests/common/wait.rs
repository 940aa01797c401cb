//! Reading and waiting on the window: pages re-render live, so an element found may be
//! replaced before it is read; these find it again.

use super::App;
use anyhow::{bail, Result};
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// An attribute of the element matching `css`. Pages re-render live, so the element found
/// may be replaced before it is read: find it again, a few times.
pub async fn attr(app: &App, css: &str, name: &str) -> Result<String> {
    let mut attempt = 0;
    loop {
        let el = app.wait_css(css).await?;
        match el.attr(name).await {
            Ok(value) => return Ok(value.unwrap_or_default()),
            Err(_) if attempt < 5 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the element matching `css` (found again if replaced meanwhile).
pub async fn text(app: &App, css: &str) -> Result<String> {
    let mut attempt = 0;
    loop {
        let el = app.wait_css(css).await?;
        match el.text().await {
            Ok(text) => return Ok(text),
            Err(_) if attempt < 5 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css`'s attribute `name` is `wanted`.
pub async fn wait_attr(app: &App, css: &str, name: &str, wanted: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = attr(app, css, name).await?;
        if now == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{css} {name}={now:?}, wanted {wanted:?} (window: {})",
                app.screenshot().await
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until nothing matches `css`.
pub async fn wait_gone(app: &App, css: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.exists(css).await {
        if Instant::now() > deadline {
            bail!("{css} is still shown (window: {})", app.screenshot().await);
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(())
}

/// Waits until the element's text is exactly `wanted`.
pub async fn wait_exact(app: &App, css: &str, wanted: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = text(app, css).await?;
        if now.trim() == wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{css} says {now:?}, not {wanted:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub async fn press(app: &App, keys: &str) -> Result<()> {
    app.client
        .find(Locator::Css("body"))
        .await?
        .send_keys(keys)
        .await?;
    Ok(())
}

/// Escape, as a user presses it anywhere in the window.
pub async fn escape(app: &App) -> Result<()> {
    press(app, "\u{E00C}").await
}
