//! Agent dispatch against the real livekit-server: create, list and delete per room. No
//! agent worker is connected, so jobs stay unassigned; what the server stores is checked.

mod common;

use earshot_core::protocol::agents::NewAgentDispatch;
use earshot_core::protocol::rooms::ParticipantKind;
use earshot_core::protocol::ErrorCode;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};

async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

#[tokio::test]
async fn dispatches_are_created_listed_and_deleted_per_room() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("agents");
    let other = unique_room("agents-other");
    let created = earshot_core::agents::create_agent_dispatch(
        &handle,
        &NewAgentDispatch {
            room: room.clone(),
            agent_name: "receptionist".into(),
            metadata: r#"{"lang": "de"}"#.into(),
            restart_policy: "never".into(),
            deployment: "staging".into(),
            attributes: [("queue".to_owned(), "billing".to_owned())].into(),
        },
    )
    .await
    .expect("create");
    assert!(created.id.starts_with("AD_"), "{}", created.id);
    assert_eq!(created.agent_name, "receptionist");
    assert_eq!(created.room, room);
    assert_eq!(created.metadata, r#"{"lang": "de"}"#);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        (now_ms - created.created_at_ms).abs() < 60_000,
        "{}",
        created.created_at_ms
    );
    earshot_core::agents::create_agent_dispatch(
        &handle,
        &NewAgentDispatch {
            room: other.clone(),
            agent_name: "notes".into(),
            ..Default::default()
        },
    )
    .await
    .expect("create in another room");

    let listed = earshot_core::agents::list_agent_dispatches(&handle, &room)
        .await
        .expect("list");
    let mine = listed.iter().find(|d| d.id == created.id).expect("listed");
    assert_eq!(mine.agent_name, "receptionist");
    // Restart policy and deployment are LiveKit Cloud's, but the server keeps them.
    assert_eq!(
        (mine.restart_policy.as_str(), mine.deployment.as_str()),
        ("never", "staging")
    );
    assert_eq!(
        mine.attributes,
        [("queue".to_owned(), "billing".to_owned())].into()
    );
    assert!(
        listed
            .iter()
            .all(|d| d.room == room && d.agent_name != "notes"),
        "only this room's dispatches: {listed:?}"
    );

    earshot_core::agents::delete_agent_dispatch(&handle, &room, &created.id)
        .await
        .expect("delete");
    let listed = earshot_core::agents::list_agent_dispatches(&handle, &room)
        .await
        .expect("list");
    assert!(!listed.iter().any(|d| d.id == created.id), "{listed:?}");
    let again = earshot_core::agents::delete_agent_dispatch(&handle, &room, &created.id)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::NotFound, "{again:?}");
    let others = earshot_core::agents::list_agent_dispatches(&handle, &other)
        .await
        .expect("list");
    assert!(others.iter().any(|d| d.agent_name == "notes"));

    // Bad input is refused before sending.
    let err = earshot_core::agents::create_agent_dispatch(
        &handle,
        &NewAgentDispatch {
            room: room.clone(),
            agent_name: String::new(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("agent_name"));
    let err = earshot_core::agents::create_agent_dispatch(
        &handle,
        &NewAgentDispatch {
            room: room.clone(),
            agent_name: "notes".into(),
            restart_policy: "always".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("restart_policy"));
}

/// The agents page lists a room's agent participants from the room detail: a peer joining
/// as livekit-agents workers do (token kind `agent`) is kind `agent`, an ordinary one
/// `standard`.
#[tokio::test]
async fn agent_participants_are_told_apart_in_the_room_detail() {
    use earshot_testbed::{Peer, PeerOptions};
    let bed = livekit();
    let app = common::bed_app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("agents-kind");
    let agent = Peer::join(
        bed,
        &room,
        "agent-bob",
        PeerOptions {
            agent: true,
            ..Default::default()
        },
    )
    .expect("agent peer");
    let _human = Peer::join(bed, &room, "human-ann", PeerOptions::default()).expect("peer");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let detail = loop {
        let detail = earshot_core::admin::room_detail(&handle, &room)
            .await
            .expect("room detail");
        if detail.participants.len() == 2 || std::time::Instant::now() > deadline {
            break detail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let kinds: std::collections::BTreeMap<_, _> = detail
        .participants
        .iter()
        .map(|p| (p.identity.as_str(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("agent-bob", ParticipantKind::Agent),
            ("human-ann", ParticipantKind::Standard),
        ]
        .into(),
        "{detail:?}"
    );
    let bob = detail
        .participants
        .iter()
        .find(|p| p.identity == "agent-bob");
    assert!(bob.is_some_and(|p| p.permission.agent), "{detail:?}");

    // Once the agent leaves, only the standard participant is left.
    drop(agent);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let detail = earshot_core::admin::room_detail(&handle, &room)
            .await
            .expect("room detail");
        if !detail
            .participants
            .iter()
            .any(|p| p.kind == ParticipantKind::Agent)
        {
            assert_eq!(detail.participants.len(), 1, "{detail:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the agent stays listed: {detail:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
