//! End to end on the real window: adding a project leaves an audit entry that the Audit
//! page shows with its health; Verify reports the chain intact; and after a restart (same
//! data dir, same keychain) the entry is still there and still verifies.

mod common;

use common::App;
use earshot_testbed::livekit;

#[tokio::test]
async fn the_audit_page_shows_verifies_and_survives_a_restart() -> anyhow::Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-audit]").await?;
    app.wait_text("[data-testid=journal-health]", "sqlite:")
        .await?;
    app.wait_text("[data-testid=audit-entries]", "project_add")
        .await?;
    app.click("[data-testid=audit-verify]").await?;
    app.wait_text("[data-testid=audit-chains]", "intact (1 entries")
        .await?;
    let (home, _) = app.close().await?;

    let app = App::launch(|new_home| {
        // The same data dir: copy the first run's app data into the new HOME.
        let from = home.path().join(".local/share");
        let to = new_home.join(".local/share");
        let _ = std::process::Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", from.display()))
            .arg(&to)
            .status();
    })
    .await?;
    app.click("[data-testid=nav-audit]").await?;
    app.wait_text("[data-testid=audit-entries]", "project_add")
        .await?;
    app.click("[data-testid=audit-verify]").await?;
    app.wait_text("[data-testid=audit-chains]", "intact (1 entries")
        .await?;
    app.close().await?;
    Ok(())
}
