//! End to end on the real app: SIGTERM while listening (what `run.sh`'s Ctrl-C, a service
//! manager or a logout sends) closes the app down in order: it leaves the room, so the
//! server stops listing its hidden listener at once instead of holding it until its own
//! timeout, and the process exits within the shutdown budget.

mod common;

use anyhow::{bail, Context, Result};
use common::{alive, app_binary, App};
use earshot_testbed::{livekit, unique_room, LiveKit, Peer, PeerOptions};
use livekit_api::services::room::RoomClient;
use std::time::{Duration, Instant};

/// Hidden participants the server lists in `room`.
async fn hidden_on_server(bed: &LiveKit, room: &str) -> Result<usize> {
    let people = RoomClient::with_api_key(&bed.http_url, &bed.api_key, &bed.api_secret)
        .list_participants(room)
        .await?;
    Ok(people
        .iter()
        .filter(|p| p.permission.as_ref().is_some_and(|p| p.hidden))
        .count())
}

#[tokio::test]
async fn sigterm_while_listening_leaves_the_room_and_exits() -> Result<()> {
    let bed = livekit();
    let room = unique_room("e2e-exit");
    let _alice = Peer::join(
        bed,
        &room,
        "alice",
        PeerOptions {
            tone_hz: Some(440.0),
            ..Default::default()
        },
    )?;
    let app = App::with_bed_project(bed).await?;
    app.click("[data-testid=nav-rooms]").await?;
    app.click(&format!(
        "[data-testid=room-row][data-room='{room}'] [data-testid=room-listen]"
    ))
    .await?;
    app.wait_css(&format!(
        "[data-testid=listen-room-card][data-room='{room}'] [data-testid=listen-state][data-state=live]"
    ))
    .await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while hidden_on_server(bed, &room).await? != 1 {
        if Instant::now() > deadline {
            bail!("the server never listed the listener");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let binary = app_binary().canonicalize()?;
    let pid = app
        .processes()
        .into_iter()
        .find(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok().as_deref() == Some(&*binary))
        .context("the app's process")?;
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    assert!(killed.success(), "kill -TERM {pid}");

    // Closing down is bounded by 3 s; allow for a loaded machine.
    while alive(pid) {
        if sent.elapsed() > Duration::from_secs(8) {
            bail!("the app still runs {:?} after SIGTERM", sent.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exited = sent.elapsed();
    // It left before exiting: the server already dropped it (a vanished participant is
    // held for its reconnect window, well over these 2 s).
    let mut hidden = hidden_on_server(bed, &room).await?;
    let listed_at_exit = hidden;
    let deadline = Instant::now() + Duration::from_secs(2);
    while hidden > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        hidden = hidden_on_server(bed, &room).await?;
    }
    println!(
        "SIGTERM → exited in {exited:?}; hidden listed at exit: {listed_at_exit}, 2 s later: {hidden}"
    );
    assert_eq!(
        hidden, 0,
        "the server still lists the listener after the app exited"
    );
    let _ = app.close().await;
    Ok(())
}
