//! The real-time view of an open room: who is in it, who speaks now, connection quality and
//! mutes as they happen (a hidden connection the backend opens while this view is shown),
//! and who spoke when over the last five minutes; beside the speakers, the live transcript
//! agents publish (interim lines marked, replaced when final) and each agent's state.

use crate::components::charts::{participants_svg, speaking_svg, Series, SpeakingRow};
use crate::ipc::{invoke, Channel};
use crate::state::now_ms;
use earshot_protocol::command::{CloseRoomView, ListHiddenParticipants, OpenRoomView};
use earshot_protocol::guardrails::LIMIT_WARNING_SECS;
use earshot_protocol::listen::{EarshotRole, HiddenParticipant};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::room_view::{
    RoomView as Update, RoomViewEvent, RoomViewParticipant, RoomViewState,
};
use earshot_protocol::rooms::ParticipantKind;
use earshot_protocol::transcript::{TranscriptDrops, TranscriptLine};
use gloo_timers::future::TimeoutFuture;
use js_sys::JSON;
use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;
use wasm_bindgen::JsValue;

const TIMELINE_MS: f64 = 300_000.0;
/// How far back the room's participant chart goes (kept in memory while the view is open).
const HOUR_MS: f64 = 3_600_000.0;

/// Transcript lines the view keeps while open.
const KEPT_LINES: usize = 300;

/// Puts `line` in place of its segment's earlier version, or at the end.
fn record_line(lines: &mut Vec<TranscriptLine>, line: TranscriptLine) {
    match lines.iter_mut().find(|l| l.segment_id == line.segment_id) {
        Some(old) => *old = line,
        None => {
            lines.push(line);
            if lines.len() > KEPT_LINES {
                lines.remove(0);
            }
        }
    }
}

/// "12 s", "3 min 5 s": how long an agent has held its state.
pub(crate) fn held_for(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// Speaking intervals per participant (start, end; `None` while speaking), by identity.
type Timeline = BTreeMap<String, Vec<(f64, Option<f64>)>>;

fn record_speaking(timeline: &mut Timeline, view: &Update, at: f64) {
    for p in &view.participants {
        let spans = timeline.entry(p.identity.clone()).or_default();
        let open = spans.last().is_some_and(|(_, end)| end.is_none());
        match (p.speaking, open) {
            (true, false) => spans.push((at, None)),
            (false, true) => {
                if let Some(last) = spans.last_mut() {
                    last.1 = Some(at);
                }
            }
            _ => {}
        }
        spans.retain(|(_, end)| end.is_none_or(|e| at - e < TIMELINE_MS));
    }
    // Participants who left stop speaking.
    for (identity, spans) in timeline.iter_mut() {
        if !view.participants.iter().any(|p| &p.identity == identity) {
            if let Some(last) = spans.last_mut().filter(|(_, end)| end.is_none()) {
                last.1 = Some(at);
            }
        }
    }
}

#[component(inline_props)]
pub fn RoomView(project: ReadSignal<ProjectId>, room: String) -> View {
    let view_signal = create_signal(None::<Update>);
    let error = create_signal(None::<String>);
    let timeline = create_signal(Timeline::new());
    // Participants over time in this room (from the views themselves), for its chart.
    let counts = create_signal(VecDeque::<(f64, u32)>::new());
    let count = move |view: &Update| {
        let (at, n) = (view.at_ms as f64, view.participants.len() as u32);
        counts.update(|c| {
            if c.back().is_none_or(|(_, last)| *last != n) {
                c.push_back((at, n));
            }
            while c.front().is_some_and(|(t, _)| at - t > HOUR_MS) {
                c.pop_front();
            }
        });
    };
    let now = create_signal(now_ms());
    let lines = create_signal(Vec::<TranscriptLine>::new());
    let drops = create_signal(TranscriptDrops::default());

    let channel = Channel::open(move |message: JsValue| {
        let Some(text) = JSON::stringify(&message).ok().and_then(|s| s.as_string()) else {
            return;
        };
        if !view_signal.is_alive() {
            return;
        }
        match serde_json::from_str::<RoomViewEvent>(&text) {
            Ok(RoomViewEvent::View(view)) => {
                timeline.update(|t| record_speaking(t, &view, view.at_ms as f64));
                count(&view);
                view_signal.set(Some(view));
            }
            Ok(RoomViewEvent::Transcript { line, drops: d, .. }) => {
                lines.update(|l| record_line(l, line));
                drops.set(d);
            }
            Err(_) => {}
        }
    });
    match channel {
        Ok(channel) => {
            let cmd = OpenRoomView {
                project: project.get_clone(),
                room: room.clone(),
                events: channel.wire_id.clone(),
            };
            // This view's session: closing stops exactly it, so a close that lands after the
            // room was reopened leaves the new view alone. `None` until the backend answers.
            let session = Rc::new(Cell::new(None::<u64>));
            let closed = Rc::new(Cell::new(false));
            {
                let (session, closed) = (session.clone(), closed.clone());
                // Not scoped: a panel closed while joining must still close what it opened.
                wasm_bindgen_futures::spawn_local(async move {
                    match invoke(&cmd).await {
                        Ok(view) if closed.get() => {
                            let _ = invoke(&CloseRoomView {
                                session: view.session,
                            })
                            .await;
                        }
                        Ok(view) => {
                            session.set(Some(view.session));
                            timeline.update(|t| record_speaking(t, &view, view.at_ms as f64));
                            count(&view);
                            view_signal.set(Some(view));
                        }
                        Err(err) if !closed.get() => error.set(Some(err.message)),
                        Err(_) => {}
                    }
                });
            }
            on_cleanup(move || {
                // Closing the panel closes the connection; the channel goes with it.
                drop(channel);
                closed.set(true);
                if let Some(session) = session.get() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = invoke(&CloseRoomView { session }).await;
                    });
                }
            });
        }
        Err(err) => error.set(Some(err.message)),
    }
    spawn_local_scoped(async move {
        loop {
            TimeoutFuture::new(1000).await;
            now.set(now_ms());
        }
    });
    // Who listens unseen: hidden participants are not in the view's roster, so ask the API.
    let hidden = create_signal(Vec::<HiddenParticipant>::new());
    {
        let (room, project) = (room.clone(), project.get_clone());
        spawn_local_scoped(async move {
            loop {
                let cmd = ListHiddenParticipants {
                    project: project.clone(),
                    room: room.clone(),
                };
                if let Ok(list) = invoke(&cmd).await {
                    hidden.set(list);
                }
                TimeoutFuture::new(5000).await;
            }
        });
    }
    let hidden_line = move || {
        let list = hidden.get_clone();
        let others: Vec<String> = list
            .iter()
            .filter(|h| h.role != EarshotRole::Observer && !h.is_me)
            .map(|h| match &h.supervisor {
                Some(s) => format!("{s} (Earshot {})", h.role.label()),
                None if h.name.is_empty() => h.identity.clone(),
                None => h.name.clone(),
            })
            .collect();
        if others.is_empty() {
            view! { p(class="muted", data-testid="live-hidden") { "Nobody else is listening unseen." } }
        } else {
            view! { p(class="muted", data-testid="live-hidden") { "Listening unseen: " (others.join(", ")) } }
        }
    };

    let chart_room = room.clone();
    let chart_project = project.get_clone();
    let counts_chart = move || {
        let now = now.get();
        // The wallboard has polled this room since the app started; the view adds what it
        // saw itself while open. The longer history wins. Another project may have a room
        // of the same name: only this project's counts.
        let wall = crate::wallboard::wallboard();
        let polled = wall.rooms.with_untracked(|r| {
            r.get(&chart_project)
                .and_then(|m| m.values().find(|w| w.room.name == chart_room))
                .and_then(|w| {
                    wall.room_history
                        .with_untracked(|h| h.get(&w.room.sid).cloned())
                })
        });
        let svg = counts.with_untracked(|c| {
            let points = match &polled {
                Some(p) if !p.is_empty() && (c.is_empty() || p[0].0 < c[0].0) => p,
                _ => c,
            };
            participants_svg(
                &[Series {
                    label: "participants".into(),
                    points,
                }],
                now,
                HOUR_MS,
                (640, 180),
            )
        });
        match svg {
            Ok(svg) => {
                view! { div(class="chart", data-testid="room-count-chart", dangerously_set_inner_html=svg) }
            }
            Err(e) => view! { p(class="muted") { "Chart unavailable: " (e) } },
        }
    };
    let status = move || {
        view_signal.with(|v| match v.as_ref().map(|v| &v.state) {
            None => ("connecting".to_owned(), "connecting"),
            Some(RoomViewState::Connecting) => ("connecting".into(), "connecting"),
            Some(RoomViewState::Live) => ("live".into(), "live"),
            Some(RoomViewState::Reconnecting { attempt }) => {
                (format!("reconnecting ({attempt})"), "reconnecting")
            }
            Some(RoomViewState::Ended { reason }) => (format!("ended: {reason}"), "ended"),
        })
    };
    // The project's time limit on an open view: time left, a warning shortly before.
    let limit = move || {
        view_signal.with(|v| {
            let v = v
                .as_ref()
                .filter(|v| !matches!(v.state, RoomViewState::Ended { .. }))?;
            let left = (v.limit_at_ms? as f64 - now.get()).max(0.0);
            let secs = (left / 1000.0) as u64;
            let text = format!("{:02}:{:02}", secs / 60, secs % 60);
            Some(if secs <= LIMIT_WARNING_SECS {
                (format!("Closes in {text} (time limit)"), "badge warn")
            } else {
                (format!("{text} left"), "muted")
            })
        })
    };
    let people = create_memo(move || {
        view_signal.with(|v| {
            v.as_ref()
                .map(|v| v.participants.clone())
                .unwrap_or_default()
        })
    });
    let chart = move || {
        let now = now.get();
        let rows: Vec<SpeakingRow> =
            timeline.with(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        if rows.is_empty() {
            return view! {};
        }
        match speaking_svg(&rows, now, TIMELINE_MS, 640) {
            Ok(svg) => {
                view! { div(class="chart", data-testid="speaking-chart", dangerously_set_inner_html=svg) }
            }
            Err(e) => view! { p(class="muted") { "Chart unavailable: " (e) } },
        }
    };

    let agents = create_memo(move || {
        people.with(|p| {
            p.iter()
                .filter(|p| p.kind == ParticipantKind::Agent || p.agent.is_some())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let agent_lines = move || {
        let now = now.get() as i64;
        let list = agents.get_clone();
        if list.is_empty() && lines.with(|l| l.is_empty()) {
            return view! {
                p(class="muted", data-testid="no-agent") { "No agent in this room: no transcript." }
            };
        }
        list.into_iter()
            .map(|a| {
                let name = if a.name.is_empty() { a.identity.clone() } else { a.name.clone() };
                match a.agent {
                    Some(status) => {
                        let state = status.state.label();
                        let held = held_for(now - status.since_ms);
                        view! {
                            p(data-testid="agent-state", data-identity=a.identity.clone(), data-state=state) {
                                strong { (name) } " · agent "
                                span(class=format!("badge agent-{state}")) { (state) }
                                span(class="muted") { " for " (held) }
                            }
                        }
                    }
                    None => view! {
                        p(data-testid="agent-state", data-identity=a.identity.clone(), data-state="") {
                            strong { (name) } span(class="muted") { " · agent, no state published" }
                        }
                    },
                }
            })
            .collect::<Vec<_>>()
            .into()
    };
    let transcript = move || {
        let shown = lines.get_clone();
        let ignored = drops.get().total();
        let rows: Vec<View> = shown
            .into_iter()
            .map(|l| {
                let who = if l.speaker_name.is_empty() { l.speaker_identity.clone() } else { l.speaker_name.clone() };
                let kind = l.speaker_kind.map_or("left", |k| k.label());
                let interim = if l.is_final { "false" } else { "true" };
                view! {
                    li(class=if l.is_final { "line" } else { "line interim" }, data-testid="transcript-line",
                       data-segment=l.segment_id.clone(), data-speaker=l.speaker_identity.clone(), data-interim=interim) {
                        strong { (who) }
                        span(class="muted") { " (" (kind) ")" }
                        ": "
                        span(data-testid="transcript-text") { (l.text.clone()) }
                        (if l.is_final { view! {} } else { view! { span(class="badge") { "interim" } } })
                    }
                }
            })
            .collect();
        view! {
            ol(class="transcript", data-testid="transcript") { (rows) }
            (if ignored > 0 {
                view! { p(class="muted", data-testid="transcript-ignored") { (ignored) " malformed text streams ignored" } }
            } else { view! {} })
        }
    };

    view! {
        div(class="subpanel", data-testid="live-view") {
            h3 {
                "Live "
                span(class=move || format!("badge state-{}", status().1), data-testid="live-state", data-state=move || status().1) { (status().0) }
                (limit().map(|(text, class)| view! {
                    span(class=class, data-testid="view-limit",
                        title="The project's time limit: the view closes when it is reached") { " " (text) }
                }).unwrap_or_default())
            }
            (error.get_clone().map(|e| view! { p(class="form-error", data-testid="live-error") { (e) } }).unwrap_or_default())
            div(class="live-columns") {
            ul(class="live-people") {
                Keyed(list=people, key=|p: &RoomViewParticipant| (p.sid.clone(), p.speaking, p.quality, p.tracks.iter().filter(|t| t.muted).count()),
                    view=|p: RoomViewParticipant| {
                        let muted = p.tracks.iter().filter(|t| t.muted).count();
                        let label = if p.name.is_empty() { p.identity.clone() } else { format!("{} ({})", p.name, p.identity) };
                        let dot = if p.speaking { "speaking on" } else { "speaking" };
                        let speaking = if p.speaking { "true" } else { "false" };
                        let quality = p.quality.label();
                        view! {
                            li(data-testid="live-participant", data-identity=p.identity.clone(), data-speaking=speaking) {
                                span(class=dot, title="Speaking now") {}
                                strong { (label) }
                                span(class="muted") { " · " (p.kind.label()) " · quality " (quality) }
                                (if muted > 0 { view! { span(class="badge warn") { (muted) " muted" } } } else { view! {} })
                            }
                        }
                    })
            }
            div(class="live-transcript", data-testid="live-transcript") {
                h4 { "Transcript" }
                (agent_lines())
                (transcript())
            }
            }
            (hidden_line())
            (chart())
            (counts_chart())
        }
    }
}
