//! SIP dispatch rules against the real livekit-server (stored in its Redis), and dial-out
//! and transfer with no livekit-sip worker connected, as the server really answers them.
//! Trunk CRUD is in sip_trunks.rs.

mod common;

use earshot_core::protocol::sip::{
    DialOut, DispatchRuleSpec, InboundTrunkSpec, OutboundTrunkSpec, RuleKind, Transfer,
    TrunkPassword,
};
use earshot_core::protocol::ErrorCode;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};

async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

/// A number no other test uses (tests share one server and run in parallel).
fn number() -> String {
    format!("+1555{:07}", rand::random::<u32>() % 10_000_000)
}

#[tokio::test]
async fn dispatch_rules_of_each_kind_read_back() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let trunk = earshot_core::sip::create_inbound_trunk(
        &handle,
        &InboundTrunkSpec {
            name: "for rules".into(),
            numbers: vec![number()],
            ..Default::default()
        },
        &TrunkPassword::default(),
    )
    .await
    .expect("trunk");
    let direct = DispatchRuleSpec {
        name: "Support line".into(),
        metadata: "m".into(),
        kind: RuleKind::Direct,
        room_name: unique_room("support"),
        pin: "4321".into(),
        trunk_ids: vec![trunk.id.clone()],
        hide_phone_number: true,
        inbound_numbers: vec![number()],
        numbers: trunk.spec.numbers.clone(),
        attributes: [("team".into(), "support".into())].into(),
        room_config_json: r#"{"agents":[{"agentName":"receptionist","metadata":"x"}]}"#.into(),
        krisp_enabled: true,
        media_encryption: "allow".into(),
        ..Default::default()
    };
    let individual = DispatchRuleSpec {
        name: "Per caller".into(),
        kind: RuleKind::Individual,
        room_prefix: "call-".into(),
        randomize: false,
        trunk_ids: vec![trunk.id.clone()],
        inbound_numbers: vec![number()],
        ..Default::default()
    };
    let callee = DispatchRuleSpec {
        name: "Per number".into(),
        kind: RuleKind::Callee,
        room_prefix: "line-".into(),
        pin: "99".into(),
        randomize: true,
        trunk_ids: vec![trunk.id.clone()],
        inbound_numbers: vec![number()],
        ..Default::default()
    };
    let mut ids = Vec::new();
    for spec in [&direct, &individual, &callee] {
        let rule = earshot_core::sip::create_dispatch_rule(&handle, spec)
            .await
            .expect("create rule");
        assert!(rule.id.starts_with("SDR_"), "{}", rule.id);
        let mut read = rule.spec.clone();
        // The server writes room config JSON its own way; compare it as JSON.
        if !spec.room_config_json.is_empty() {
            let sent: serde_json::Value = serde_json::from_str(&spec.room_config_json).unwrap();
            let got: serde_json::Value = serde_json::from_str(&read.room_config_json).unwrap();
            assert_eq!(
                got["agents"][0]["agentName"],
                sent["agents"][0]["agentName"]
            );
            read.room_config_json = spec.room_config_json.clone();
        }
        assert_eq!(&read, spec);
        ids.push(rule.id);
    }
    let changed = DispatchRuleSpec {
        room_name: unique_room("support2"),
        pin: String::new(),
        ..direct.clone()
    };
    let updated = earshot_core::sip::update_dispatch_rule(&handle, &ids[0], &changed)
        .await
        .expect("update");
    assert_eq!(updated.spec.room_name, changed.room_name);
    assert_eq!(updated.spec.pin, "");
    let rules = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .rules;
    for id in &ids {
        assert!(rules.iter().any(|r| &r.id == id), "{id} listed");
    }

    let bad = earshot_core::sip::create_dispatch_rule(
        &handle,
        &DispatchRuleSpec {
            room_name: "x".into(),
            pin: "12ab".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(bad.field.as_deref(), Some("pin"));

    for id in &ids {
        earshot_core::sip::delete_dispatch_rule(&handle, id)
            .await
            .expect("delete rule");
    }
    let rules = earshot_core::sip::sip_overview(&handle)
        .await
        .expect("overview")
        .rules;
    assert!(!rules.iter().any(|r| ids.contains(&r.id)));
    let again = earshot_core::sip::delete_dispatch_rule(&handle, &ids[0])
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::NotFound, "{again:?}");
    earshot_core::sip::delete_sip_trunk(&handle, &trunk.id)
        .await
        .expect("delete trunk");
}

#[tokio::test]
async fn dial_out_without_a_sip_worker_says_so() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let trunk = earshot_core::sip::create_outbound_trunk(
        &handle,
        &OutboundTrunkSpec {
            name: "dial".into(),
            address: "127.0.0.1:5060".into(),
            numbers: vec![number()],
            ..Default::default()
        },
        &TrunkPassword::default(),
    )
    .await
    .expect("trunk");
    let dial = DialOut {
        trunk_id: trunk.id.clone(),
        call_to: "+15550100".into(),
        room_name: unique_room("dial"),
        participant_identity: "caller".into(),
        wait_until_answered: true,
        ringing_timeout_secs: Some(5),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let err = earshot_core::sip::dial_out(&handle, &dial)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NoWorker, "{err:?}");
    assert!(err.message.contains("livekit-sip"), "{}", err.message);
    assert!(
        err.message.contains("no response from servers"),
        "{}",
        err.message
    );
    eprintln!(
        "dial-out without a worker: {:?} after {:?}",
        err.message,
        started.elapsed()
    );

    // A trunk that does not exist is the server's own NotFound, before any worker.
    let err = earshot_core::sip::dial_out(
        &handle,
        &DialOut {
            trunk_id: "ST_doesnotexist".into(),
            ..dial.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");

    // Bad numbers are caught before anything is sent.
    let err = earshot_core::sip::dial_out(
        &handle,
        &DialOut {
            call_to: "(555) 0100".into(),
            ..dial.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("call_to"));
    assert!(err.message.contains("E.164"));

    // Transferring someone who is not there: the server's NotFound.
    let err = earshot_core::sip::transfer_sip_participant(
        &handle,
        &Transfer {
            room: dial.room_name.clone(),
            identity: "nobody".into(),
            transfer_to: "tel:+15550199".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    earshot_core::sip::delete_sip_trunk(&handle, &trunk.id)
        .await
        .expect("delete trunk");
}
