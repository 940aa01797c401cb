//! Call history and room timelines over both stores: sources merged by room sid, events
//! deduplicated and ordered, search and paging, and history surviving a reopen.

mod common;
use common::Bed;

use anyhow::{Context, Result};
use earshot_journal::history::{CallSeen, HistoryOp, RoomEvent};
use earshot_journal::{AuditAction, ChainKey, Journal, NewEntry};
use earshot_protocol::history::{kind_bit, CallFilter, CallSource, CallSummary};
use earshot_protocol::rooms::ParticipantKind;

both_stores!(
    sources_merge_by_sid,
    timeline_is_ordered_and_deduplicated,
    search_and_paging,
    history_survives_reopening,
);

const T0: i64 = 1_700_000_000_000;

fn seen(project: &str, room: &str, sid: &str, source: CallSource) -> CallSeen {
    CallSeen {
        project: project.into(),
        room: room.into(),
        room_sid: sid.into(),
        started_ms: T0,
        ended_ms: None,
        participants: 0,
        kinds: 0,
        recording: false,
        source,
    }
}

fn ev(sid: &str, ts: i64, kind: &str, who: Option<&str>, subject: &str) -> HistoryOp {
    HistoryOp::Event(RoomEvent {
        project: "p".into(),
        room_sid: sid.into(),
        ts_ms: ts,
        kind: kind.into(),
        identity: who.map(Into::into),
        subject: subject.into(),
        detail: "{}".into(),
    })
}

async fn all_calls(j: &Journal, project: &str, search: Option<&str>) -> Result<Vec<CallSummary>> {
    Ok(j.calls(&CallFilter {
        project: project.into(),
        search: search.map(Into::into),
        before: None,
        limit: 200,
    })
    .await?
    .calls)
}

async fn sources_merge_by_sid(bed: Bed) -> Result<()> {
    let j = bed.open("inst-a", &ChainKey::generate()).await?;
    // The poller sees the call late and its end late; the webhook has the true times.
    let mut poll = seen("p", "sales", "RM_1", CallSource::Poller);
    poll.started_ms = T0 + 2_000;
    poll.participants = 4;
    poll.kinds = kind_bit(ParticipantKind::Standard);
    j.history(HistoryOp::Call(poll.clone()));
    poll.ended_ms = Some(T0 + 65_000);
    poll.participants = 0;
    j.history(HistoryOp::Call(poll));
    let mut hook = seen("p", "sales", "RM_1", CallSource::Webhook);
    hook.ended_ms = Some(T0 + 60_000);
    hook.participants = 3;
    hook.kinds = kind_bit(ParticipantKind::Agent);
    hook.recording = true;
    j.history(HistoryOp::Call(hook));
    // Same room name, another sid: another call. Another project: not listed.
    j.history(HistoryOp::Call(seen(
        "p",
        "sales",
        "RM_2",
        CallSource::RoomView,
    )));
    j.history(HistoryOp::Call(seen(
        "q",
        "sales",
        "RM_1",
        CallSource::Webhook,
    )));
    j.flush().await?;
    let calls = all_calls(&j, "p", None).await?;
    assert_eq!(calls.len(), 2, "{calls:?}");
    let c = calls
        .iter()
        .find(|c| c.room_sid == "RM_1")
        .context("RM_1")?;
    assert_eq!((c.started_ms, c.ended_ms), (T0, Some(T0 + 60_000)));
    assert_eq!(c.peak_participants, 4);
    assert_eq!(
        c.kinds,
        vec![ParticipantKind::Standard, ParticipantKind::Agent]
    );
    assert!(c.recording);
    assert_eq!(c.sources, vec![CallSource::Poller, CallSource::Webhook]);
    let live = calls
        .iter()
        .find(|c| c.room_sid == "RM_2")
        .context("RM_2")?;
    assert_eq!(live.ended_ms, None, "a live call has no end");
    j.close().await;
    Ok(())
}

async fn timeline_is_ordered_and_deduplicated(bed: Bed) -> Result<()> {
    let j = bed.open("inst-a", &ChainKey::generate()).await?;
    j.history(HistoryOp::Call(seen("p", "r", "RM_1", CallSource::Webhook)));
    // Reported out of order, the join twice (webhook and room view).
    j.history(ev("RM_1", T0 + 30, "participant_left", Some("ann"), "PA_a"));
    j.history(ev(
        "RM_1",
        T0 + 10,
        "participant_joined",
        Some("ann"),
        "PA_a",
    ));
    j.history(ev(
        "RM_1",
        T0 + 20,
        "participant_joined",
        Some("bob"),
        "PA_b",
    ));
    j.history(ev(
        "RM_1",
        T0 + 11,
        "participant_joined",
        Some("ann"),
        "PA_a",
    ));
    j.history(ev("RM_1", T0, "room_started", None, ""));
    j.history(ev(
        "RM_9",
        T0 + 5,
        "participant_joined",
        Some("eve"),
        "PA_e",
    ));
    j.flush().await?;
    // A listen on the room while the call ran, and one on another room.
    let mut listen = NewEntry::new(AuditAction::ListenSession);
    listen.ts_ms = T0 + 25;
    listen.project = Some("p".into());
    listen.room = Some("r".into());
    j.record(listen.clone());
    listen.room = Some("other".into());
    j.record(listen);
    j.flush().await?;
    let id = all_calls(&j, "p", None).await?[0].id;
    let d = j.call_detail(id).await?.context("the call")?;
    let got: Vec<(i64, &str, Option<&str>)> = d
        .timeline
        .iter()
        .map(|e| (e.ts_ms - T0, e.kind.as_str(), e.identity.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, "room_started", None),
            (10, "participant_joined", Some("ann")),
            (20, "participant_joined", Some("bob")),
            (30, "participant_left", Some("ann")),
        ]
    );
    assert_eq!(d.listens.len(), 1, "{:?}", d.listens);
    assert_eq!(d.listens[0].room.as_deref(), Some("r"));
    assert!(j.call_detail(id + 1000).await?.is_none());
    j.close().await;
    Ok(())
}

async fn search_and_paging(bed: Bed) -> Result<()> {
    let j = bed.open("inst-a", &ChainKey::generate()).await?;
    for i in 0..45i64 {
        let mut c = seen(
            "p",
            &format!("Room-{i:02}"),
            &format!("RM_{i}"),
            CallSource::Poller,
        );
        // Two calls share each start, so paging must break ties by id.
        c.started_ms = T0 + (i / 2) * 1000;
        c.ended_ms = (i % 3 != 0).then_some(c.started_ms + 500);
        j.history(HistoryOp::Call(c));
        let who = format!("caller-{}", i % 7);
        j.history(ev(
            &format!("RM_{i}"),
            T0,
            "participant_joined",
            Some(&who),
            "PA",
        ));
    }
    j.history(HistoryOp::Call(seen(
        "p",
        "50%_off",
        "RM_pct",
        CallSource::Webhook,
    )));
    j.flush().await?;
    // Pages of 10, newest first, none twice, none missed.
    let mut seen_ids = Vec::new();
    let mut starts = Vec::new();
    let mut before = None;
    loop {
        let page = j
            .calls(&CallFilter {
                project: "p".into(),
                search: None,
                before,
                limit: 10,
            })
            .await?;
        assert!(page.calls.len() <= 10);
        for c in &page.calls {
            seen_ids.push(c.id);
            starts.push(c.started_ms);
        }
        before = page
            .calls
            .last()
            .map(|c| earshot_protocol::history::CallCursor {
                started_ms: c.started_ms,
                id: c.id,
            });
        if !page.more {
            break;
        }
    }
    assert_eq!(seen_ids.len(), 46);
    let mut unique = seen_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 46, "a call listed twice");
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Room names, case-insensitive substring.
    assert_eq!(all_calls(&j, "p", Some("room-1")).await?.len(), 10);
    // Identities seen in the timeline: caller-3 joined calls 3, 10, 17, 24, 31, 38.
    let by_who = all_calls(&j, "p", Some("CALLER-3")).await?;
    let mut rooms: Vec<_> = by_who.iter().map(|c| c.room.as_str()).collect();
    rooms.sort();
    assert_eq!(
        rooms,
        ["Room-03", "Room-10", "Room-17", "Room-24", "Room-31", "Room-38"]
    );
    // LIKE's wildcards are literal in a search.
    let pct = all_calls(&j, "p", Some("0%_")).await?;
    assert_eq!(
        pct.iter().map(|c| c.room.as_str()).collect::<Vec<_>>(),
        ["50%_off"]
    );
    assert!(all_calls(&j, "p", Some("nobody")).await?.is_empty());
    j.close().await;
    Ok(())
}

async fn history_survives_reopening(bed: Bed) -> Result<()> {
    let key = ChainKey::generate();
    let j = bed.open("inst-a", &key).await?;
    let mut c = seen("p", "kept", "RM_k", CallSource::Webhook);
    c.ended_ms = Some(T0 + 9_000);
    j.history(HistoryOp::Call(c));
    j.history(ev(
        "RM_k",
        T0 + 1,
        "participant_joined",
        Some("ann"),
        "PA_a",
    ));
    // Closing writes what is queued.
    j.close().await;
    let j = bed.open("inst-a", &key).await?;
    let calls = all_calls(&j, "p", None).await?;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].ended_ms, Some(T0 + 9_000));
    let d = j.call_detail(calls[0].id).await?.context("the call")?;
    assert_eq!(d.timeline.len(), 1);
    j.close().await;
    Ok(())
}
