//! End to end on the real window: a SIP dispatch rule is refused inline when its input is
//! bad (nothing sent), created, shown, and deleted — checked on the server each time.

mod common;

use common::App;
use earshot_testbed::{livekit, unique_room};
use livekit_api::services::sip::{ListSIPDispatchRuleFilter, SIPClient};
use std::time::Duration;

async fn server_rules(bed: &earshot_testbed::LiveKit) -> anyhow::Result<Vec<(String, String)>> {
    let client = SIPClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret);
    let rules = client
        .list_sip_dispatch_rule(ListSIPDispatchRuleFilter::All)
        .await?;
    Ok(rules
        .into_iter()
        .map(|r| (r.sip_dispatch_rule_id, r.name))
        .collect())
}

#[tokio::test]
async fn create_and_delete_a_dispatch_rule() -> anyhow::Result<()> {
    let bed = livekit();
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-sip]").await?;

    let name = unique_room("e2e-rule");
    let before = server_rules(bed).await?.len();
    app.click("[data-testid=sip-new-rule]").await?;
    app.fill("#rule-name", &name).await?;
    app.fill("#rule-pin", "12ab").await?;
    app.fill("#rule-inbound-numbers", "+1 555 0100").await?;
    app.click("[data-testid=sip-rule-submit]").await?;
    app.wait_text("[data-testid=error-room_name]", "Enter a room name")
        .await?;
    app.wait_text("[data-testid=error-pin]", "digits").await?;
    app.wait_text("[data-testid=error-inbound_numbers]", "E.164")
        .await?;
    assert!(!app.exists("[data-testid=form-progress]").await);
    assert_eq!(server_rules(bed).await?.len(), before, "nothing was sent");

    let room = unique_room("support");
    app.fill("#rule-room", &room).await?;
    app.fill("#rule-pin", "4321").await?;
    app.fill("#rule-inbound-numbers", "+15550100").await?;
    app.click("[data-testid=sip-rule-submit]").await?;
    let row = format!("[data-testid=sip-rule-row][data-name='{name}']");
    app.wait_css(&row).await?;
    app.wait_text(&row, &room).await?;
    let on_server = server_rules(bed).await?;
    let (id, _) = on_server
        .iter()
        .find(|(_, n)| n == &name)
        .cloned()
        .expect("the rule is on the server");

    app.click(&format!("{row} [data-testid=sip-delete]"))
        .await?;
    app.click("[data-testid=confirm-ok]").await?;
    app.wait_text("[data-testid=notice]", "deleted").await?;
    for _ in 0..100 {
        if !app.exists(&row).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(!app.exists(&row).await, "the deleted rule is still listed");
    assert!(
        !server_rules(bed).await?.iter().any(|(i, _)| i == &id),
        "the rule is gone from the server"
    );
    app.close().await?;
    Ok(())
}
