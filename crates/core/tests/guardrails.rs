//! Monitoring guardrails against the real livekit-server with Python SDK participants: a
//! listen and a room view leave at their project's time limit (and the server sees them
//! go), a room with as many Earshot listeners as its project allows refuses another (counted
//! on the server, naming who listens), and one app holds at most so many room views.
//! A stand-in HTTP server (the real one never sends oversized replies) checks the reply cap.

mod common;

use common::{tone_peer, until, Recorder};
use earshot_core::api::{Endpoint, RetryPolicy, ServerApi};
use earshot_core::protocol::guardrails::{Guardrails, MAX_OPEN_ROOM_VIEWS};
use earshot_core::protocol::listen::{EarshotRole, EndReason, ListenState, RoomKey};
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::room_view::{RoomView, RoomViewState};
use earshot_core::protocol::ErrorCode;
use earshot_core::room_view::RoomViewSink;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An app on the test bed whose project has `guardrails`.
async fn app_with(guardrails: Guardrails) -> Earshot {
    let bed = livekit();
    let app = common::bed_app().await;
    let id = app.projects().default_handle().await.expect("project").id;
    app.projects()
        .update_project(
            &id,
            ProjectInput {
                name: "bed".into(),
                url: bed.ws_url.clone(),
                api_key: bed.api_key.clone(),
                guardrails,
                ..Default::default()
            },
            false,
        )
        .await
        .expect("limits saved");
    app
}

/// Earshot listeners the server lists in `room`.
async fn listeners_on_server(app: &Earshot, room: &str) -> usize {
    let handle = app.projects().default_handle().await.unwrap();
    match handle.api.room_detail(room).await {
        Ok(detail) => detail
            .participants
            .iter()
            .filter(|p| {
                p.permission.hidden
                    && EarshotRole::from_attribute(p.attributes.get("earshot.role").map(|s| &**s))
                        == EarshotRole::Listener
            })
            .count(),
        Err(_) => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_leaves_at_its_time_limit() {
    let app = app_with(Guardrails {
        max_listen_minutes: 1,
        max_monitors_per_room: 0,
    })
    .await;
    let handle = app.projects().default_handle().await.unwrap();
    app.listen().attach(Arc::new(Recorder::default()));
    let room = unique_room("limit");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);

    // The project's own limit sets the deadline the UI shows.
    let joined = app
        .listen()
        .start(&handle, &room, true)
        .await
        .expect("listen");
    let left_in = joined.limit_at_ms.expect("a deadline") - joined.started_at_ms;
    assert!(
        (59_000..=62_000).contains(&left_in),
        "deadline {left_in} ms after the start"
    );
    app.listen()
        .stop(&RoomKey::new(handle.id.clone(), room.clone()))
        .await
        .unwrap();

    // A short limit (tests only) is enforced: the listener leaves and the server sees it go.
    app.listen().set_time_limit(Duration::from_secs(3));
    let joined = app
        .listen()
        .start(&handle, &room, true)
        .await
        .expect("listen");
    assert!(joined.limit_at_ms.is_some());
    assert!(until(Duration::from_secs(5), || is_live(&app, &room)).await);
    let ended = until(Duration::from_secs(8), || {
        app.listen().status().rooms.iter().any(|r| {
            r.room == room
                && r.state
                    == ListenState::Ended {
                        reason: EndReason::TimeLimit { minutes: 0 },
                    }
        })
    })
    .await;
    assert!(
        ended,
        "ended by the limit: {:?}",
        app.listen().status().rooms
    );
    let mut gone = false;
    for _ in 0..30 {
        if listeners_on_server(&app, &room).await == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the server still lists the listener");
}

/// Whether the listen of `room` is live (a plain fn so `until` can poll it).
fn is_live(app: &Earshot, room: &str) -> bool {
    app.listen()
        .status()
        .rooms
        .iter()
        .any(|r| r.room == room && r.state == ListenState::Live)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_with_enough_listeners_refuses_another() {
    let limits = Guardrails {
        max_listen_minutes: 0,
        max_monitors_per_room: 1,
    };
    let first = app_with(limits).await;
    let second = app_with(limits).await;
    let room = unique_room("cap");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);
    let one = first.projects().default_handle().await.unwrap();
    let two = second.projects().default_handle().await.unwrap();
    let joined = first
        .listen()
        .start(&one, &room, false)
        .await
        .expect("first listener");
    assert_eq!(joined.limit_at_ms, None, "0 minutes means no limit");
    assert_eq!(listeners_on_server(&first, &room).await, 1);

    // The other installation is refused, told who listens; the server still has one.
    let err = second.listen().start(&two, &room, false).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitReached, "{err:?}");
    let who = std::env::var("EARSHOT_SUPERVISOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "supervisor".into());
    assert!(err.message.contains(&who), "{}", err.message);
    assert!(err.message.contains("allows 1"), "{}", err.message);
    assert_eq!(listeners_on_server(&second, &room).await, 1);

    // Once the first leaves, the second may listen.
    first
        .listen()
        .stop(&RoomKey::new(one.id.clone(), room.clone()))
        .await
        .unwrap();
    let mut joined = None;
    for _ in 0..30 {
        match second.listen().start(&two, &room, false).await {
            Ok(j) => {
                joined = Some(j);
                break;
            }
            Err(e) if e.code == ErrorCode::LimitReached => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(joined.is_some(), "the room's only listener left");
}

#[derive(Default)]
struct Views(Mutex<Vec<RoomView>>);

impl RoomViewSink for Views {
    fn view(&self, view: &RoomView) -> bool {
        self.0.lock().unwrap().push(view.clone());
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_view_closes_at_its_time_limit() {
    let app = app_with(Guardrails::default()).await;
    let handle = app.projects().default_handle().await.unwrap();
    let room = unique_room("viewlimit");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);
    let views = Arc::new(Views::default());
    let first = app
        .wallboard()
        .open_room_view(&handle, &room, views.clone())
        .await
        .expect("view");
    let left_in = first.limit_at_ms.expect("a deadline") - first.at_ms;
    assert!((3_599_000..=3_601_000).contains(&left_in), "{left_in}");
    app.wallboard().close_room_view(first.session).unwrap();

    app.wallboard().set_view_time_limit(Duration::from_secs(2));
    let views = Arc::new(Views::default());
    let view = app
        .wallboard()
        .open_room_view(&handle, &room, views.clone())
        .await
        .expect("view");
    let ended = until(Duration::from_secs(6), || {
        views.0.lock().unwrap().iter().any(|v| {
            v.session == view.session
                && matches!(&v.state, RoomViewState::Ended { reason } if reason.contains("time limit"))
        })
    })
    .await;
    assert!(ended, "{:?}", views.0.lock().unwrap().last());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_app_holds_a_bounded_number_of_room_views() {
    let app = app_with(Guardrails::NONE).await;
    let handle = app.projects().default_handle().await.unwrap();
    let rooms: Vec<String> = (0..=MAX_OPEN_ROOM_VIEWS)
        .map(|_| unique_room("views"))
        .collect();
    let _callers: Vec<_> = rooms
        .iter()
        .map(|room| tone_peer(livekit(), room, "caller", 440.0))
        .collect();
    let views = Arc::new(Views::default());
    for room in &rooms[..MAX_OPEN_ROOM_VIEWS] {
        app.wallboard()
            .open_room_view(&handle, room, views.clone())
            .await
            .expect("a view under the cap");
    }
    let err = app
        .wallboard()
        .open_room_view(&handle, &rooms[MAX_OPEN_ROOM_VIEWS], views.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitReached, "{err:?}");
    // Reopening a room already viewed replaces its view and is not refused.
    app.wallboard()
        .open_room_view(&handle, &rooms[0], views.clone())
        .await
        .expect("replacing a view");
}

/// A stand-in HTTP server (no real LiveKit server sends such replies): answers every request
/// with 200 and `body_len` bytes, declared or chunked.
async fn oversized_server(body_len: usize, declared: bool) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = if declared {
                    format!("HTTP/1.1 200 OK\r\ncontent-type: application/protobuf\r\ncontent-length: {body_len}\r\n\r\n")
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/protobuf\r\ntransfer-encoding: chunked\r\n\r\n".into()
                };
                let _ = socket.write_all(head.as_bytes()).await;
                let chunk = vec![0u8; 64 * 1024];
                let mut sent = 0;
                while sent < body_len {
                    let n = chunk.len().min(body_len - sent);
                    let ok = if declared {
                        socket.write_all(&chunk[..n]).await
                    } else {
                        let mut framed = format!("{n:x}\r\n").into_bytes();
                        framed.extend_from_slice(&chunk[..n]);
                        framed.extend_from_slice(b"\r\n");
                        socket.write_all(&framed).await
                    };
                    if ok.is_err() {
                        return;
                    }
                    sent += n;
                }
                if !declared {
                    let _ = socket.write_all(b"0\r\n\r\n").await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn an_oversized_reply_is_refused() {
    for declared in [true, false] {
        let addr = oversized_server(20 * 1024 * 1024, declared).await;
        let api = ServerApi::for_calls(Endpoint {
            url: format!("ws://{addr}"),
            api_key: "key".into(),
            api_secret: earshot_core::vault::Secret::new("secret-secret-secret"),
        })
        .unwrap();
        let err = earshot_core::protocol::AppError::from(
            api.list_rooms(RetryPolicy::NONE).await.unwrap_err(),
        );
        assert_eq!(err.code, ErrorCode::ServerError, "{err:?}");
        assert!(
            err.message.contains("larger than 16 MiB"),
            "{}",
            err.message
        );
    }
    // A reply under the cap is read (it is not a LiveKit message, which the error says).
    let addr = oversized_server(1024, false).await;
    let api = ServerApi::for_calls(Endpoint {
        url: format!("ws://{addr}"),
        api_key: "key".into(),
        api_secret: earshot_core::vault::Secret::new("secret-secret-secret"),
    })
    .unwrap();
    let err = earshot_core::protocol::AppError::from(
        api.list_rooms(RetryPolicy::NONE).await.unwrap_err(),
    );
    assert!(!err.message.contains("larger than"), "{}", err.message);
}
