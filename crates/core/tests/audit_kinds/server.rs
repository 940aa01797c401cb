//! Commands that go to the server: egress, ingress, agent dispatch, SIP.

use super::{failed, Check, TRUNK_PASSWORD};
use earshot_core::audit::journal::AuditAction;
use earshot_core::audit::Audited;
use earshot_core::protocol::agents::NewAgentDispatch;
use earshot_core::protocol::command::*;
use earshot_core::protocol::egress::{EgressKind, EgressRequest};
use earshot_core::protocol::ingress::{IngressInput, IngressSpec};
use earshot_core::protocol::sip::{
    DialOut, DispatchRuleSpec, InboundTrunkSpec, OutboundTrunkSpec, RuleKind, TrunkPassword,
};
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::{agents, egress, ingress, sip};

fn number() -> String {
    format!("+1555{:07}", rand::random::<u32>() % 10_000_000)
}

fn password() -> TrunkPassword {
    TrunkPassword {
        password: SecretInput::new(TRUNK_PASSWORD),
        clear: false,
    }
}

pub async fn egress_kinds(c: &mut Check<'_>, project: &str, room: &str) {
    let app = c.app;
    let p = app.projects().handle(project).await.expect("handle");
    let start = StartEgress {
        project: project.into(),
        request: EgressRequest {
            kind: EgressKind::RoomComposite,
            room_name: room.into(),
            audio_only: true,
            outputs: earshot_core::protocol::egress::EgressOutputs {
                file: Some(earshot_core::protocol::egress::FileOutput {
                    file_type: "ogg".into(),
                    filepath: "rec/{room_name}.ogg".into(),
                    disable_manifest: false,
                }),
                ..Default::default()
            },
            ..Default::default()
        },
    };
    let r = app
        .audit()
        .run(
            start.facts(),
            Some(&p),
            egress::start_egress(app.projects(), &p, &start.request),
        )
        .await;
    let code = failed(r, ErrorCode::NoWorker, "egress start without a worker");
    let (_, d) = c.one(AuditAction::EgressStart, 1, &code, Some(room)).await;
    assert_eq!(d["audio_only"], true, "{d}");

    let stop = StopEgress {
        project: project.into(),
        id: "EG_missing".into(),
    };
    let r = app
        .audit()
        .run(stop.facts(), Some(&p), egress::stop_egress(&p, &stop.id))
        .await;
    let code = failed(r, ErrorCode::NotFound, "stop");
    let (_, d) = c.one(AuditAction::EgressStop, 1, &code, None).await;
    assert_eq!(d["egress_id"], "EG_missing");

    let layout = UpdateEgressLayout {
        project: project.into(),
        id: "EG_missing".into(),
        layout: "grid".into(),
    };
    let r = app
        .audit()
        .run(
            layout.facts(),
            Some(&p),
            egress::update_egress_layout(&p, &layout.id, &layout.layout),
        )
        .await;
    let code = failed(r, ErrorCode::NotFound, "layout");
    let (_, d) = c.one(AuditAction::EgressUpdate, 1, &code, None).await;
    assert_eq!(d["layout"], "grid");
    let stream = UpdateEgressStream {
        project: project.into(),
        id: "EG_missing".into(),
        add: vec!["rtmp://127.0.0.1/live/b".into()],
        remove: vec![],
    };
    let r = app
        .audit()
        .run(
            stream.facts(),
            Some(&p),
            egress::update_egress_stream(&p, &stream.id, &stream.add, &stream.remove),
        )
        .await;
    let code = failed(r, ErrorCode::NotFound, "stream");
    let (_, d) = c.one(AuditAction::EgressUpdate, 2, &code, None).await;
    assert_eq!(d["add"][0], "rtmp://127.0.0.1/live/b");
}

pub async fn ingress_and_agent_kinds(c: &mut Check<'_>, project: &str, room: &str) {
    let app = c.app;
    let p = app.projects().handle(project).await.expect("handle");
    let create = CreateIngress {
        project: project.into(),
        spec: IngressSpec {
            input_type: IngressInput::Whip,
            name: "Browser".into(),
            room_name: room.into(),
            participant_identity: "whip".into(),
            ..Default::default()
        },
    };
    let created = app
        .audit()
        .run(
            create.facts(),
            Some(&p),
            ingress::create_ingress(&p, &create.spec),
        )
        .await
        .expect("create ingress");
    let (e, d) = c.one(AuditAction::IngressCreate, 1, "ok", Some(room)).await;
    assert_eq!(e.identity.as_deref(), Some("whip"));
    assert_eq!(d["name"], "Browser");
    // The stream key is a credential: it stays out.
    assert!(!e.detail.contains(&created.stream_key));
    let update = UpdateIngress {
        project: project.into(),
        id: created.id.clone(),
        spec: IngressSpec {
            name: "Browser 2".into(),
            ..create.spec.clone()
        },
    };
    app.audit()
        .run(
            update.facts(),
            Some(&p),
            ingress::update_ingress(&p, &update.id, &update.spec),
        )
        .await
        .expect("update ingress");
    let (_, d) = c.one(AuditAction::IngressUpdate, 1, "ok", Some(room)).await;
    assert_eq!(
        (&d["ingress_id"], &d["name"]),
        (&created.id.clone().into(), &"Browser 2".into())
    );
    let delete = DeleteIngress {
        project: project.into(),
        id: created.id.clone(),
    };
    app.audit()
        .run(
            delete.facts(),
            Some(&p),
            ingress::delete_ingress(&p, &delete.id),
        )
        .await
        .expect("delete ingress");
    let (_, d) = c.one(AuditAction::IngressDelete, 1, "ok", None).await;
    assert_eq!(d["ingress_id"], created.id.as_str());

    let dispatch = CreateAgentDispatch {
        project: project.into(),
        dispatch: NewAgentDispatch {
            room: room.into(),
            agent_name: "receptionist".into(),
            ..Default::default()
        },
    };
    let made = app
        .audit()
        .run(
            dispatch.facts(),
            Some(&p),
            agents::create_agent_dispatch(&p, &dispatch.dispatch),
        )
        .await
        .expect("dispatch");
    let (_, d) = c
        .one(AuditAction::AgentDispatchCreate, 1, "ok", Some(room))
        .await;
    assert_eq!(d["agent_name"], "receptionist");
    let delete = DeleteAgentDispatch {
        project: project.into(),
        room: room.into(),
        id: made.id.clone(),
    };
    app.audit()
        .run(
            delete.facts(),
            Some(&p),
            agents::delete_agent_dispatch(&p, &delete.room, &delete.id),
        )
        .await
        .expect("delete dispatch");
    let (_, d) = c
        .one(AuditAction::AgentDispatchDelete, 1, "ok", Some(room))
        .await;
    assert_eq!(d["dispatch_id"], made.id.as_str());
}

pub async fn sip_kinds(c: &mut Check<'_>, project: &str, room: &str) {
    let app = c.app;
    let p = app.projects().handle(project).await.expect("handle");
    let inbound = CreateSipInboundTrunk {
        project: project.into(),
        spec: InboundTrunkSpec {
            name: "Front desk".into(),
            numbers: vec![number()],
            auth_username: "desk".into(),
            ..Default::default()
        },
        password: password(),
    };
    let inb = app
        .audit()
        .run(
            inbound.facts(),
            Some(&p),
            sip::create_inbound_trunk(&p, &inbound.spec, &inbound.password),
        )
        .await
        .expect("inbound trunk");
    let (_, d) = c.one(AuditAction::SipTrunkCreate, 1, "ok", None).await;
    assert_eq!(
        (&d["direction"], &d["name"]),
        (&"inbound".into(), &"Front desk".into())
    );
    let outbound = CreateSipOutboundTrunk {
        project: project.into(),
        spec: OutboundTrunkSpec {
            name: "Carrier".into(),
            address: "127.0.0.1:5060".into(),
            numbers: vec![number()],
            auth_username: "acct".into(),
            ..Default::default()
        },
        password: password(),
    };
    let out = app
        .audit()
        .run(
            outbound.facts(),
            Some(&p),
            sip::create_outbound_trunk(&p, &outbound.spec, &outbound.password),
        )
        .await
        .expect("outbound trunk");
    let (_, d) = c.one(AuditAction::SipTrunkCreate, 2, "ok", None).await;
    assert_eq!(d["direction"], "outbound");

    let update = UpdateSipInboundTrunk {
        project: project.into(),
        id: inb.id.clone(),
        spec: InboundTrunkSpec {
            name: "Front desk 2".into(),
            ..inbound.spec.clone()
        },
        password: password(),
    };
    app.audit()
        .run(
            update.facts(),
            Some(&p),
            sip::update_inbound_trunk(&p, &update.id, &update.spec, &update.password),
        )
        .await
        .expect("update inbound");
    let (_, d) = c.one(AuditAction::SipTrunkUpdate, 1, "ok", None).await;
    assert_eq!(d["trunk_id"], inb.id.as_str());
    let update = UpdateSipOutboundTrunk {
        project: project.into(),
        id: out.id.clone(),
        spec: OutboundTrunkSpec {
            name: "Carrier 2".into(),
            ..outbound.spec.clone()
        },
        password: password(),
    };
    app.audit()
        .run(
            update.facts(),
            Some(&p),
            sip::update_outbound_trunk(&p, &update.id, &update.spec, &update.password),
        )
        .await
        .expect("update outbound");
    let (_, d) = c.one(AuditAction::SipTrunkUpdate, 2, "ok", None).await;
    assert_eq!(
        (&d["direction"], &d["name"]),
        (&"outbound".into(), &"Carrier 2".into())
    );

    let rule = CreateSipDispatchRule {
        project: project.into(),
        spec: DispatchRuleSpec {
            name: "Support line".into(),
            kind: RuleKind::Direct,
            room_name: room.into(),
            trunk_ids: vec![inb.id.clone()],
            ..Default::default()
        },
    };
    let made = app
        .audit()
        .run(
            rule.facts(),
            Some(&p),
            sip::create_dispatch_rule(&p, &rule.spec),
        )
        .await
        .expect("rule");
    let (_, d) = c
        .one(AuditAction::SipDispatchRuleCreate, 1, "ok", None)
        .await;
    assert_eq!(d["name"], "Support line");
    let update = UpdateSipDispatchRule {
        project: project.into(),
        id: made.id.clone(),
        spec: DispatchRuleSpec {
            name: "Support line 2".into(),
            ..rule.spec.clone()
        },
    };
    app.audit()
        .run(
            update.facts(),
            Some(&p),
            sip::update_dispatch_rule(&p, &update.id, &update.spec),
        )
        .await
        .expect("update rule");
    let (_, d) = c
        .one(AuditAction::SipDispatchRuleUpdate, 1, "ok", None)
        .await;
    assert_eq!(d["rule_id"], made.id.as_str());
    let delete = DeleteSipDispatchRule {
        project: project.into(),
        id: made.id.clone(),
    };
    app.audit()
        .run(
            delete.facts(),
            Some(&p),
            sip::delete_dispatch_rule(&p, &delete.id),
        )
        .await
        .expect("delete rule");
    let (_, d) = c
        .one(AuditAction::SipDispatchRuleDelete, 1, "ok", None)
        .await;
    assert_eq!(d["rule_id"], made.id.as_str());

    // Dial-out without a SIP worker: the server's refusal is what is journaled.
    let dial = DialSipOut {
        project: project.into(),
        dial: DialOut {
            trunk_id: out.id.clone(),
            call_to: "+15550100".into(),
            room_name: room.into(),
            participant_identity: "callee".into(),
            ringing_timeout_secs: Some(5),
            ..Default::default()
        },
    };
    let r = app
        .audit()
        .run(dial.facts(), Some(&p), sip::dial_out(&p, &dial.dial))
        .await;
    let code = failed(r, ErrorCode::NoWorker, "dial-out without a worker");
    let (e, d) = c.one(AuditAction::SipDialOut, 1, &code, Some(room)).await;
    assert_eq!(e.identity.as_deref(), Some("callee"));
    assert_eq!(
        (&d["trunk_id"], &d["call_to"]),
        (&out.id.clone().into(), &"+15550100".into())
    );

    for (n, id) in [&inb.id, &out.id].into_iter().enumerate() {
        let delete = DeleteSipTrunk {
            project: project.into(),
            id: id.clone(),
        };
        app.audit()
            .run(
                delete.facts(),
                Some(&p),
                sip::delete_sip_trunk(&p, &delete.id),
            )
            .await
            .expect("delete trunk");
        let (_, d) = c.one(AuditAction::SipTrunkDelete, n + 1, "ok", None).await;
        assert_eq!(d["trunk_id"], id.as_str());
    }
}
