//! Participant counts leave out hidden participants everywhere core reports them — the rooms
//! listing, the room detail, the wallboard's rows and its "more than N participants" alert —
//! while Earshot's own hidden connections (a listener, a room view, a followed wallboard row)
//! are in the room, checked against the server's own participant list. livekit-server's
//! ListRooms count includes hidden participants, so each of those would otherwise add one.

mod common;

use common::{blocking, until};
use earshot_core::admin;
use earshot_core::api::RetryPolicy;
use earshot_core::protocol::wallboard::{
    Alert, AlertCondition, AlertRule, WallEvent, WallRoom, WallRoomRef,
};
use earshot_core::room_view::RoomViewSink;
use earshot_core::wallboard::WallSink;
use earshot_testbed::{livekit, unique_room, Peer, PeerOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Board(Mutex<Vec<WallEvent>>);

impl WallSink for Board {
    fn event(&self, event: &WallEvent) -> bool {
        self.0.lock().unwrap().push(event.clone());
        true
    }
    fn notify(&self, _alert: &Alert) {}
}

impl Board {
    /// Every state of `room` the wallboard sent, in order.
    fn rows(&self, room: &str) -> Vec<WallRoom> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                WallEvent::Delta(d) => Some(d.upserts.clone()),
                _ => None,
            })
            .flatten()
            .filter(|r| r.room.name == room)
            .collect()
    }

    fn alerts(&self, rule: &str) -> Vec<Alert> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                WallEvent::Alert(a) if a.rule_name == rule => Some(a.clone()),
                _ => None,
            })
            .collect()
    }
}

struct NoView;

impl RoomViewSink for NoView {
    fn view(&self, _view: &earshot_core::protocol::room_view::RoomView) -> bool {
        true
    }
}

fn join(room: &str, identity: &str) -> Peer {
    blocking(|| Peer::join(livekit(), room, identity, PeerOptions::default()).expect("peer"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_leave_out_hidden_participants() {
    let app = common::bed_app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let room = unique_room("counts");
    app.wallboard()
        .save_alert_rule(AlertRule {
            id: String::new(),
            name: "crowded".into(),
            condition: AlertCondition::ParticipantsAbove { count: 2 },
            project: None,
            room_pattern: room.clone(),
            enabled: true,
        })
        .expect("rule");
    let _alice = join(&room, "alice");
    let _bob = join(&room, "bob");

    // Earshot's own hidden connections: a room view, a listener, a followed wallboard row.
    let board = Arc::new(Board::default());
    app.wallboard().attach(board.clone());
    app.listen().attach(Arc::new(common::Recorder::default()));
    let _view = app
        .wallboard()
        .open_room_view(&handle, &room, Arc::new(NoView))
        .await
        .expect("room view");
    app.listen()
        .start(&handle, &room, true)
        .await
        .expect("listen");
    app.wallboard()
        .follow(vec![WallRoomRef {
            project: handle.id.clone(),
            room: room.clone(),
        }])
        .expect("follow");

    // The server's own view: three hidden participants in its list, and in its count.
    let mut hidden = 0;
    let mut visible = 0;
    let settled = until(Duration::from_secs(20), || {
        let people = futures_block(admin::list_participants(&handle, &room));
        hidden = people.iter().filter(|p| p.permission.hidden).count();
        visible = people.iter().filter(|p| !p.permission.hidden).count();
        hidden == 3
    })
    .await;
    assert!(settled, "the hidden connections joined ({hidden} hidden)");
    assert_eq!(visible, 2, "alice and bob");
    let raw_settled = until(Duration::from_secs(15), || {
        let rooms = futures_block(
            handle
                .api
                .list_rooms_named(vec![room.clone()], RetryPolicy::READS),
        );
        rooms.first().is_some_and(|r| r.num_participants == 5)
    })
    .await;
    assert!(raw_settled, "ListRooms counts the hidden participants too");

    // The rooms listing and the room detail.
    let listed = admin::list_rooms(&handle).await.expect("rooms");
    let row = listed
        .rooms
        .iter()
        .find(|r| r.name == room)
        .expect("listed");
    assert_eq!(row.num_participants, 2, "rooms listing");
    let detail = admin::room_detail(&handle, &room).await.expect("detail");
    assert_eq!(detail.room.num_participants, 2, "room detail");
    assert_eq!(
        detail.participants.len(),
        5,
        "the detail still lists everyone"
    );

    // The wallboard: once its row shows the listener, it shows two participants, and no
    // state it ever sent counted a hidden participant.
    let shown = until(Duration::from_secs(20), || {
        board
            .rows(&room)
            .last()
            .is_some_and(|r| r.listeners == Some(1) && r.room.num_participants == 2)
    })
    .await;
    let rows = board.rows(&room);
    assert!(shown, "wallboard row: {:?}", rows.last());
    // Two more polls: the count stays.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rows = board.rows(&room);
    let counts: Vec<u32> = rows.iter().map(|r| r.room.num_participants).collect();
    assert!(
        counts.iter().all(|n| *n <= 2),
        "wallboard counts {counts:?}"
    );
    assert!(
        board.alerts("crowded").is_empty(),
        "'more than 2' fired for 2 visible participants: {:?}",
        board.alerts("crowded")
    );

    // A third visible participant is counted, and the alert fires with the right number.
    let _carol = join(&room, "carol");
    let fired = until(Duration::from_secs(20), || {
        !board.alerts("crowded").is_empty()
    })
    .await;
    assert!(fired, "'more than 2' did not fire for 3");
    let alert = &board.alerts("crowded")[0];
    assert!(alert.text.contains('3'), "{}", alert.text);
    let rows = board.rows(&room);
    assert_eq!(rows.last().map(|r| r.room.num_participants), Some(3));
    let listed = admin::list_rooms(&handle).await.expect("rooms");
    let row = listed
        .rooms
        .iter()
        .find(|r| r.name == room)
        .expect("listed");
    assert_eq!(row.num_participants, 3, "rooms listing after carol");
}

/// Runs a future to completion from the synchronous polls of [`until`].
fn futures_block<T, E: std::fmt::Debug>(f: impl std::future::Future<Output = Result<T, E>>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f)).expect("call")
}
