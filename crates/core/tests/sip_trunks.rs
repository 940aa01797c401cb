//! SIP trunks against the real livekit-server (stored in its Redis): full create, read,
//! update, list and delete with every field read back, and clashing numbers refused
//! before anything is sent.

mod common;

use earshot_core::protocol::sip::{InboundTrunkSpec, OutboundTrunkSpec, TrunkPassword};
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::Earshot;
use earshot_testbed::livekit;

async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

/// A number no other test uses (tests share one server and run in parallel).
fn number() -> String {
    format!("+1555{:07}", rand::random::<u32>() % 10_000_000)
}

fn password(p: &str) -> TrunkPassword {
    TrunkPassword {
        password: SecretInput::new(p),
        clear: false,
    }
}

#[tokio::test]
async fn inbound_trunk_crud_reads_back_every_field() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let spec = InboundTrunkSpec {
        name: "Front desk".into(),
        metadata: r#"{"site": "berlin"}"#.into(),
        numbers: vec![number(), number()],
        allowed_addresses: vec!["203.0.113.0/24".into(), "198.51.100.7".into()],
        allowed_numbers: vec![number()],
        auth_username: "desk".into(),
        auth_realm: "pbx.example.com".into(),
        headers: [("X-Site".into(), "berlin".into())].into(),
        headers_to_attributes: [("X-Customer".into(), "customer".into())].into(),
        attributes_to_headers: [("agent".into(), "X-Agent".into())].into(),
        include_headers: "x_headers".into(),
        ringing_timeout_secs: Some(25),
        max_call_duration_secs: Some(3600),
        krisp_enabled: true,
        media_encryption: "allow".into(),
    };
    let created = earshot_core::sip::create_inbound_trunk(&handle, &spec, &password("s3cret-pw"))
        .await
        .expect("create");
    assert!(created.id.starts_with("ST_"), "{}", created.id);
    assert_eq!(created.spec, spec);
    assert!(created.has_auth_password);
    let read = earshot_core::sip::inbound_trunk(&handle, &created.id)
        .await
        .expect("get");
    assert_eq!(read.spec, spec);

    // An update with an empty password keeps it; every field changes.
    let changed = InboundTrunkSpec {
        name: "Front desk 2".into(),
        numbers: vec![number()],
        allowed_addresses: vec![],
        include_headers: "all".into(),
        ringing_timeout_secs: None,
        media_encryption: "require".into(),
        ..spec.clone()
    };
    let updated = earshot_core::sip::update_inbound_trunk(
        &handle,
        &created.id,
        &changed,
        &TrunkPassword::default(),
    )
    .await
    .expect("update");
    assert_eq!(updated.spec, changed);
    assert!(
        updated.has_auth_password,
        "an empty password field keeps it"
    );
    let cleared = earshot_core::sip::update_inbound_trunk(
        &handle,
        &created.id,
        &changed,
        &TrunkPassword {
            clear: true,
            ..Default::default()
        },
    )
    .await
    .expect("clear password");
    assert!(!cleared.has_auth_password);

    let listed = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .inbound;
    assert!(listed
        .iter()
        .any(|t| t.id == created.id && t.spec == changed));
    earshot_core::sip::delete_sip_trunk(&handle, &created.id)
        .await
        .expect("delete");
    let err = earshot_core::sip::inbound_trunk(&handle, &created.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    let listed = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .inbound;
    assert!(!listed.iter().any(|t| t.id == created.id));
}

#[tokio::test]
async fn clashing_inbound_numbers_are_refused_before_sending() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let shared = number();
    let first = earshot_core::sip::create_inbound_trunk(
        &handle,
        &InboundTrunkSpec {
            name: "first".into(),
            numbers: vec![shared.clone()],
            ..Default::default()
        },
        &TrunkPassword::default(),
    )
    .await
    .expect("first trunk");
    let err = earshot_core::sip::create_inbound_trunk(
        &handle,
        &InboundTrunkSpec {
            name: "second".into(),
            numbers: vec![number(), shared.clone()],
            ..Default::default()
        },
        &TrunkPassword::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists);
    assert_eq!(err.field.as_deref(), Some("numbers"));
    assert!(
        err.message.contains(&shared) && err.message.contains(&first.id),
        "{}",
        err.message
    );
    // Other tests create and delete trunks meanwhile, so look for this one, not a count.
    let holding: Vec<String> = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .inbound
        .into_iter()
        .filter(|t| t.spec.numbers.contains(&shared))
        .map(|t| t.id)
        .collect();
    assert_eq!(
        holding,
        std::slice::from_ref(&first.id),
        "nothing was created"
    );

    let bad = earshot_core::sip::create_inbound_trunk(
        &handle,
        &InboundTrunkSpec {
            name: "bad".into(),
            numbers: vec!["+1 555 0100".into()],
            ..Default::default()
        },
        &TrunkPassword::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidInput);
    assert_eq!(bad.field.as_deref(), Some("numbers"));
    earshot_core::sip::delete_sip_trunk(&handle, &first.id)
        .await
        .expect("delete");
}

#[tokio::test]
async fn outbound_trunk_crud_reads_back_every_field() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let spec = OutboundTrunkSpec {
        name: "Carrier".into(),
        metadata: "primary".into(),
        address: "sip.example.com:5061".into(),
        destination_country: "DE".into(),
        transport: "tls".into(),
        numbers: vec![number()],
        auth_username: "acct".into(),
        headers: [("X-Account".into(), "42".into())].into(),
        headers_to_attributes: [("X-Carrier-Id".into(), "carrier_id".into())].into(),
        attributes_to_headers: [("ticket".into(), "X-Ticket".into())].into(),
        include_headers: "all".into(),
        media_encryption: "require".into(),
        from_host: "calls.example.com".into(),
    };
    let created = earshot_core::sip::create_outbound_trunk(&handle, &spec, &password("pw"))
        .await
        .expect("create");
    assert_eq!(created.spec, spec);
    assert!(created.has_auth_password);
    assert_eq!(
        earshot_core::sip::outbound_trunk(&handle, &created.id)
            .await
            .expect("get")
            .spec,
        spec
    );
    let changed = OutboundTrunkSpec {
        address: "192.0.2.10".into(),
        transport: "udp".into(),
        destination_country: String::new(),
        numbers: vec![number(), number()],
        ..spec.clone()
    };
    let updated =
        earshot_core::sip::update_outbound_trunk(&handle, &created.id, &changed, &password("new"))
            .await
            .expect("update");
    assert_eq!(updated.spec, changed);
    let listed = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .outbound;
    assert!(listed
        .iter()
        .any(|t| t.id == created.id && t.spec == changed));

    let err = earshot_core::sip::create_outbound_trunk(
        &handle,
        &OutboundTrunkSpec {
            address: "sip:sip.example.com".into(),
            ..spec.clone()
        },
        &TrunkPassword::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("address"), "{err:?}");

    earshot_core::sip::delete_sip_trunk(&handle, &created.id)
        .await
        .expect("delete");
    let err = earshot_core::sip::outbound_trunk(&handle, &created.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}
