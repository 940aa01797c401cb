//! Listen-in as the app drives it (the hub on `Earshot`): a saved project, bytes handed to a
//! sink exactly as the shell forwards them to the UI, speaker controls, who is listening,
//! leaving, and bad input — against the real livekit-server with Python SDK publishers.

mod common;

use common::{peak_hz, rms, tone_peer, until, Recorder, RATE};
use earshot_core::listen::engine::{
    AudibleSet, ListenEvent, ListenState, Listener, ListenerConfig,
};
use earshot_core::protocol::listen::{decode_audio_frame, EarshotRole, RoomKey, SpeakerChange};
use earshot_core::protocol::ErrorCode;
use earshot_core::Earshot;
use earshot_testbed::{livekit, unique_room};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Records what the shell would send to the UI.
async fn app() -> Earshot {
    let _bed = livekit();
    let app = common::bed_app().await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_listens_through_its_sink() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let sink = Arc::new(Recorder::default());
    app.listen().attach(sink.clone());
    let room = unique_room("hub");
    let _caller = tone_peer(livekit(), &room, "caller", 440.0);

    let started = Instant::now();
    let joined = app
        .listen()
        .start(&handle, &room, true)
        .await
        .expect("listen");
    let key = RoomKey::new(joined.project.clone(), room.clone());
    assert_eq!(joined.state, ListenState::Live);
    assert_eq!(joined.project_name, "bed");
    assert_eq!(
        app.listen().status().audible,
        AudibleSet::Focus(key.clone())
    );

    // Frames exactly as the UI gets them: 960 samples per message, base64 16-bit PCM text,
    // carrying the caller's tone.
    let heard = until(Duration::from_secs(10), || {
        let pcm = sink.pcm_since(0);
        pcm.len() >= 4800 && rms(&pcm[pcm.len() - 960..]) > 0.01
    })
    .await;
    assert!(heard, "audio reached the sink");
    println!(
        "listen_start → audible frames at the sink: {:?}",
        started.elapsed()
    );
    // Every message is a whole frame as the UI decodes it.
    assert!(sink
        .audio
        .lock()
        .unwrap()
        .iter()
        .all(|f| decode_audio_frame(f).is_some()));
    let from = sink.frames();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let pcm = sink.pcm_since(from);
    let hz = peak_hz(&pcm, 400.0, 480.0);
    assert!((hz - 440.0).abs() <= 2.0, "heard {hz:.2} Hz");
    assert!(
        pcm.len() as f64 >= 0.8 * RATE,
        "about a second of audio, got {}",
        pcm.len()
    );

    // State and speakers are recorded for pages that open later.
    assert!(
        until(Duration::from_secs(5), || app.listen().status().rooms[0]
            .speakers
            .iter()
            .any(|s| s.identity == "caller"))
        .await
    );
    assert!(
        sink.saw(|e| matches!(e, ListenEvent::Meters(m) if m.room == room
        && m.speakers.iter().any(|s| s.identity == "caller" && s.level.rms > 0.0)))
    );

    // Muting the speaker silences what is handed out; unmuting brings it back.
    app.listen()
        .set_speaker(&key, "caller", SpeakerChange::Muted(true))
        .expect("mute");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let from = sink.frames();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Silence only counts if the mix kept playing: 25 frames of 20 ms are due in 500 ms.
    let played = sink.frames() - from;
    assert!(played >= 20, "only {played} frames in 500 ms while muted");
    assert!(rms(&sink.pcm_since(from)) < 1e-6, "muted speaker is silent");
    app.listen()
        .set_speaker(&key, "caller", SpeakerChange::Muted(false))
        .expect("unmute");
    let unmuted = sink.frames();
    let back = until(Duration::from_secs(3), || {
        let n = sink.frames();
        n > unmuted + 25 && rms(&sink.pcm_since(n - 25)) > 0.01
    })
    .await;
    assert!(back, "unmuting brings the caller back");
    let err = app
        .listen()
        .set_speaker(&key, "caller", SpeakerChange::Gain(9.0))
        .expect_err("gain out of range");
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::InvalidInput, Some("gain"))
    );

    // Who is listening: the server lists our hidden listener with the supervisor, and a
    // colleague on another machine with the same user name is not taken for us.
    let (colleague, _out) = Listener::new(ListenerConfig {
        supervisor: app.listen().supervisor().to_owned(),
        ..Default::default()
    });
    colleague
        .listen(&common::target(livekit()), &room)
        .await
        .expect("colleague listens");
    let mut hidden = Vec::new();
    for _ in 0..50 {
        hidden = app
            .listen()
            .hidden_participants(&handle, &room)
            .await
            .expect("hidden");
        if hidden.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hidden.len(), 2, "{hidden:?}");
    let mine: Vec<_> = hidden.iter().filter(|h| h.is_me).collect();
    assert_eq!(mine.len(), 1, "only our own listener is ours: {hidden:?}");
    assert_eq!(mine[0].role, EarshotRole::Listener);
    assert!(hidden
        .iter()
        .all(|h| h.supervisor.as_deref() == Some(app.listen().supervisor())));
    colleague.stop(&room).await.expect("colleague leaves");

    // The same room twice is refused; an unknown room in the audible set too.
    let again = app
        .listen()
        .start(&handle, &room, false)
        .await
        .expect_err("twice");
    assert_eq!(again.code, ErrorCode::AlreadyExists);
    let unknown = app
        .listen()
        .set_audible(AudibleSet::Mix(vec![
            key.clone(),
            RoomKey::new(joined.project.clone(), "nowhere"),
        ]))
        .expect_err("unknown room");
    assert_eq!(unknown.code, ErrorCode::NotFound);

    // Leaving: the room is gone from the status and from the audible set, frames stop.
    app.listen().stop(&key).await.expect("stop");
    let status = app.listen().status();
    assert!(status.rooms.is_empty());
    assert_eq!(status.audible, AudibleSet::None);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = sink.frames();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sink.frames(), after, "no frames once nothing is heard");
    // The server sees the listener go (it never keeps the room open).
    let supervisor = app.listen().supervisor().to_owned();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let hidden = app
            .listen()
            .hidden_participants(&handle, &room)
            .await
            .unwrap_or_default();
        if hidden
            .iter()
            .all(|h| h.supervisor.as_deref() != Some(&supervisor))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "listener still in the room: {hidden:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let err = app.listen().stop(&key).await.expect_err("not listening");
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rooms_fail_fast_and_leave_nothing_behind() {
    let app = app().await;
    let handle = app.projects().default_handle().await.expect("project");
    let started = Instant::now();
    let err = app
        .listen()
        .start(&handle, &unique_room("missing"), true)
        .await
        .expect_err("no such room");
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let err = app
        .listen()
        .start(&handle, " padded", true)
        .await
        .expect_err("bad name");
    assert_eq!(err.field.as_deref(), Some("room"));
    let status = app.listen().status();
    assert!(status.rooms.is_empty(), "failed joins leave no record");
    assert_eq!(
        status.audible,
        AudibleSet::None,
        "the audible set is restored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_room_name_in_two_projects_is_two_rooms() {
    use earshot_core::protocol::projects::ProjectInput;
    use earshot_core::protocol::SecretInput;
    let app = app().await;
    let bed = livekit();
    // A second project on the same server: its room of that name is, to the app, another room.
    let other = app
        .projects()
        .add_project(
            ProjectInput {
                name: "bed-2".into(),
                url: bed.ws_url.clone(),
                api_key: bed.api_key.clone(),
                api_secret: SecretInput::new(bed.api_secret.clone()),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .expect("second project");
    let room = unique_room("twin");
    let _caller = tone_peer(bed, &room, "caller", 440.0);
    let first = app
        .listen()
        .start(
            &app.projects().default_handle().await.expect("project"),
            &room,
            true,
        )
        .await
        .expect("first");
    let second = app
        .listen()
        .start(
            &app.project(&other.id).await.expect("project"),
            &room,
            false,
        )
        .await
        .expect("the same name in another project is listened to as well");
    assert_ne!(first.project, second.project);
    let (a, b) = (
        RoomKey::new(first.project.clone(), room.clone()),
        RoomKey::new(second.project.clone(), room.clone()),
    );
    assert_eq!(app.listen().status().rooms.len(), 2);
    app.listen()
        .set_audible(AudibleSet::Mix(vec![a.clone(), b.clone()]))
        .expect("both heard");
    // Leaving one leaves the other live and audible.
    app.listen().stop(&a).await.expect("stop the first");
    let status = app.listen().status();
    assert_eq!(status.rooms.len(), 1);
    assert_eq!(status.rooms[0].project, second.project);
    assert_eq!(status.rooms[0].state, ListenState::Live);
    assert_eq!(status.audible, AudibleSet::Mix(vec![b.clone()]));
    app.listen()
        .set_speaker(&b, "caller", SpeakerChange::Muted(true))
        .expect("the second room's speaker");
    let err = app
        .listen()
        .set_speaker(&a, "caller", SpeakerChange::Muted(true))
        .expect_err("the first room is gone");
    assert_eq!(err.code, ErrorCode::NotFound);
    app.listen().stop(&b).await.expect("stop the second");
}
