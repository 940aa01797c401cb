//! One listened room: its state and elapsed time, what is heard, its speakers with live
//! meters, volume, mute and solo, and the colleagues listening unseen beside us.

use crate::ipc::invoke;
use crate::listen::listen;
use crate::state::{app_state, now_ms};
use earshot_protocol::command::ListHiddenParticipants;
use earshot_protocol::guardrails::LIMIT_WARNING_SECS;
use earshot_protocol::listen::{
    AudibleSet, EndReason, HiddenParticipant, Level, ListenState, RoomKey, SpeakerChange,
    SpeakerMeter,
};
use gloo_timers::future::TimeoutFuture;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// How often the list of hidden participants is asked for.
const HIDDEN_REFRESH_MS: u32 = 5_000;

/// A meter bar's fill: −60 dBFS … 0 dBFS mapped to 0 … 1.
fn meter_fraction(level: Level) -> f64 {
    let db = 20.0 * f64::from(level.rms.max(1e-5)).log10();
    ((db + 60.0) / 60.0).clamp(0.0, 1.0)
}

/// The fill's style: scaled, not resized, so a new level repaints the bar and lays out
/// nothing; coloured by band (green speech, amber loud, red near clipping: −6 dBFS and up).
fn meter_style(level: Level) -> String {
    let f = meter_fraction(level);
    let colour = if f >= 0.9 {
        "var(--meter-clip)"
    } else if f >= 0.75 {
        "var(--meter-hot)"
    } else {
        "var(--meter-ok)"
    };
    format!("transform: scaleX({f:.3}); background: {colour}")
}

fn state_label(state: &ListenState) -> (String, &'static str) {
    match state {
        ListenState::Connecting => ("connecting".into(), "connecting"),
        ListenState::Live => ("live".into(), "live"),
        ListenState::Reconnecting { attempt } => {
            (format!("reconnecting (attempt {attempt})"), "reconnecting")
        }
        ListenState::Rejoining { attempt } => {
            (format!("rejoining (attempt {attempt})"), "reconnecting")
        }
        ListenState::Ended { reason } => {
            let why = match reason {
                EndReason::Stopped => "you left".to_owned(),
                EndReason::RoomEmpty => "everyone left the room".to_owned(),
                EndReason::RoomDeleted => "the room was deleted".to_owned(),
                EndReason::Removed => "the listener was removed by the server".to_owned(),
                EndReason::ProjectChanged => {
                    "the project was removed or its server or credentials changed".to_owned()
                }
                EndReason::ConnectionLost { error } => {
                    format!("connection lost: {}", error.message)
                }
                EndReason::TimeLimit { minutes } if *minutes > 0 => {
                    format!("the project's time limit of {minutes} min was reached")
                }
                EndReason::TimeLimit { .. } => "the project's time limit was reached".to_owned(),
                EndReason::AppClosed => "the app closed".to_owned(),
            };
            (format!("ended: {why}"), "ended")
        }
    }
}

fn mmss(ms: f64) -> String {
    let secs = (ms / 1000.0).max(0.0) as u64;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

#[component(inline_props)]
pub fn RoomCard(room: RoomKey) -> View {
    let state = app_state();
    let listen = listen();
    let now = create_signal(now_ms());
    let hidden = create_signal(Vec::<HiddenParticipant>::new());
    let info = {
        let room = room.clone();
        create_memo(move || listen.rooms.with(|r| r.get(&room).cloned()))
    };
    spawn_local_scoped(async move {
        loop {
            // The timer shows whole seconds: wake once per second, on the second.
            TimeoutFuture::new(1000 - (now_ms() as u64 % 1000) as u32).await;
            now.set(now_ms());
        }
    });
    {
        let room = room.clone();
        spawn_local_scoped(async move {
            loop {
                if let Ok(list) = invoke(&ListHiddenParticipants {
                    project: room.project.clone(),
                    room: room.room.clone(),
                })
                .await
                {
                    hidden.set(list.into_iter().filter(|h| !h.is_me).collect());
                }
                TimeoutFuture::new(HIDDEN_REFRESH_MS).await;
            }
        });
    }

    let heard = {
        let room = room.clone();
        create_memo(move || listen.audible.with(|a| a.contains(&room)))
    };
    let ended = create_memo(move || {
        info.with(|i| {
            i.as_ref()
                .is_some_and(|i| matches!(i.state, ListenState::Ended { .. }))
        })
    });
    let (focus_room, mix_room, leave_room) = (room.clone(), room.clone(), room.clone());
    let focus = move |_| {
        let room = focus_room.clone();
        spawn_local_scoped(async move {
            if let Err(err) = listen.set_audible(AudibleSet::Focus(room)).await {
                state.fail(&err);
            }
        });
    };
    let toggle_mix = move |_| {
        let room = mix_room.clone();
        let mut rooms = match listen.audible.get_clone() {
            AudibleSet::None => Vec::new(),
            AudibleSet::Focus(r) => vec![r],
            AudibleSet::Mix(rooms) => rooms,
        };
        if rooms.contains(&room) {
            rooms.retain(|r| *r != room);
        } else {
            rooms.push(room);
        }
        let set = if rooms.is_empty() {
            AudibleSet::None
        } else {
            AudibleSet::Mix(rooms)
        };
        spawn_local_scoped(async move {
            if let Err(err) = listen.set_audible(set).await {
                state.fail(&err);
            }
        });
    };
    let leave = move |_| {
        let room = leave_room.clone();
        spawn_local_scoped(async move {
            if let Err(err) = listen.stop(room).await {
                state.fail(&err);
            }
        });
    };

    let status = move || info.with(|i| i.as_ref().map(|i| state_label(&i.state)));
    // The time listened stops when listening ended.
    let elapsed = move || {
        info.with(|i| {
            i.as_ref().map(|i| match i.ended_at_ms {
                Some(end) => mmss((end - i.started_at_ms) as f64),
                None => mmss(now.get() - i.started_at_ms as f64),
            })
        })
        .unwrap_or_default()
    };
    // The project's time limit: time left, and a warning shortly before it ends the listen.
    let limit = move || {
        info.with(|i| {
            let i = i.as_ref()?;
            let at = i.limit_at_ms.filter(|_| i.ended_at_ms.is_none())?;
            let left = (at as f64 - now.get()).max(0.0);
            let warn = left <= LIMIT_WARNING_SECS as f64 * 1000.0;
            Some(if warn {
                (format!("Leaves in {} (time limit)", mmss(left)), true)
            } else {
                (format!("{} left", mmss(left)), false)
            })
        })
    };
    let master = {
        let room = room.clone();
        create_memo(move || {
            listen
                .meters
                .with(|m| m.get(&room).map(|m| m.master).unwrap_or_default())
        })
    };
    let identities = create_memo(move || {
        info.with(|i| {
            i.as_ref()
                .map(|i| {
                    i.speakers
                        .iter()
                        .map(|s| (s.identity.clone(), s.name.clone(), s.publisher_muted))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let rows_room = room.clone();
    let title = room.room.clone();
    let project_name = info.with_untracked(|i| {
        i.as_ref()
            .map(|i| i.project_name.clone())
            .unwrap_or_default()
    });

    view! {
        article(class=move || if ended.get() { "panel listen-room ended" } else { "panel listen-room" },
            data-testid="listen-room-card", data-room=room.room.clone(), data-ended=move || ended.get().to_string(),
            data-heard=move || heard.get().to_string()) {
            div(class="page-head") {
                h2 {
                    (title) span(class="muted") { " · " (project_name) }
                    (status().map(|(label, class)| view! {
                        span(class=format!("badge state-{class}"), data-testid="listen-state", data-state=class) { (label) }
                    }).unwrap_or_default())
                }
                div(class="actions") {
                    span(class="mono", data-testid="listen-elapsed", title="Listening for") { (elapsed()) }
                    (limit().map(|(text, warn)| view! {
                        span(class=if warn { "badge warn" } else { "muted" }, data-testid="listen-limit",
                            data-warning=warn.to_string(),
                            title="The project's listen time limit: Earshot leaves the room when it is reached") { (text) }
                    }).unwrap_or_default())
                    button(r#type="button", class=if heard.get() { "primary" } else { "" }, data-testid="listen-focus",
                        disabled=ended.get(), title="Hear only this room", on:click=focus) {
                        (if heard.get() { "Hearing" } else { "Hear" })
                    }
                    button(r#type="button", data-testid="listen-mix", disabled=ended.get(),
                        title="Hear this room together with the others in the mix", on:click=toggle_mix) {
                        (if heard.get() { "Remove from mix" } else { "Add to mix" })
                    }
                    button(r#type="button", data-testid="listen-leave", on:click=leave) {
                        (if ended.get() { "Dismiss" } else { "Leave" })
                    }
                }
            }
            div(class="meter-row") {
                span(class="muted") { "Room" }
                div(class="meter", data-testid="master-meter", data-level=move || format!("{:.4}", master.get().rms)) {
                    div(class="meter-fill", style=move || meter_style(master.get()))
                }
            }
            (if identities.with(Vec::is_empty) && !ended.get() {
                view! { p(class="muted", data-testid="listen-no-speakers") { "Nobody is publishing audio yet." } }
            } else { view! {} })
            table(class="grid speakers") {
                tbody {
                    Indexed(list=identities, view=move |(identity, name, publisher_muted)| {
                        speaker_row(rows_room.clone(), identity, name, publisher_muted)
                    })
                }
            }
            (if hidden.with(Vec::is_empty) { view! {} } else {
                let names = hidden.get_clone().into_iter().map(|h| {
                    let who = h.supervisor.clone().map(|s| format!("{s} (Earshot {})", h.role.label()))
                        .unwrap_or_else(|| if h.name.is_empty() { h.identity.clone() } else { h.name.clone() });
                    view! { li(data-testid="hidden-participant") { (who) } }
                }).collect::<Vec<_>>();
                view! { div(class="subpanel") { p(class="muted") { "Also listening unseen:" } ul { (names) } } }
            })
        }
    }
}

fn speaker_row(room: RoomKey, identity: String, name: String, publisher_muted: bool) -> View {
    let state = app_state();
    let listen = listen();
    let meter = {
        let (room, identity) = (room.clone(), identity.clone());
        create_memo(move || {
            listen.meters.with(|m| {
                m.get(&room)
                    .and_then(|m| m.speakers.iter().find(|s| s.identity == identity).cloned())
            })
        })
    };
    let index = {
        let (room, identity) = (room.clone(), identity.clone());
        move || {
            listen.rooms.with(|r| {
                r.get(&room)
                    .and_then(|r| r.speakers.iter().position(|s| s.identity == identity))
                    .map(|i| (i + 1).to_string())
                    .unwrap_or_default()
            })
        }
    };
    let row_identity = identity.clone();
    let send = move |change: SpeakerChange| {
        let (room, identity) = (room.clone(), identity.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = listen.set_speaker(room, identity, change).await {
                state.fail(&err);
            }
        });
    };
    let field = |f: fn(&SpeakerMeter) -> bool| move || meter.with(|m| m.as_ref().is_some_and(f));
    let muted = field(|m| m.muted);
    let solo = field(|m| m.solo);
    let audible = field(|m| m.audible);
    let gain_pct = move || meter.with(|m| m.as_ref().map_or(100.0, |m| (m.gain * 100.0).round()));
    let label = if name.is_empty() || name == row_identity {
        row_identity.clone()
    } else {
        format!("{name} ({row_identity})")
    };
    let (send_gain, send_mute, send_solo) = (send.clone(), send.clone(), send);
    view! {
        tr(data-testid="speaker-row", data-identity=row_identity.clone()) {
            td(class="muted mono speaker-key", title="Press this key to solo") { (index()) }
            td(class="speaker-name") {
                strong { (label) }
                (if publisher_muted { view! { span(class="badge warn") { "muted themselves" } } } else { view! {} })
            }
            td(class="meter-cell") {
                div(class="meter", data-testid="speaker-meter",
                    data-level=move || format!("{:.4}", meter.with(|m| m.as_ref().map_or(0.0, |m| m.level.rms)))) {
                    div(class=move || if audible() { "meter-fill" } else { "meter-fill quiet" },
                        style=move || meter_style(meter.with(|m| m.as_ref().map(|m| m.level).unwrap_or_default())))
                }
            }
            td(class="speaker-volume") {
                input(r#type="range", min="0", max="200", step="5", data-testid="speaker-volume",
                    prop:value=move || gain_pct().to_string(),
                    title="Volume in your mix only",
                    on:input=move |ev: web_sys::Event| {
                        let value = ev.target()
                            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
                            .and_then(|i| i.value().parse::<f32>().ok());
                        if let Some(pct) = value { send_gain(SpeakerChange::Gain(pct / 100.0)); }
                    })
                span(class="mono muted") { (gain_pct()) "%" }
            }
            td(class="speaker-actions") {
                button(r#type="button", data-testid="speaker-mute", class=move || if muted() { "toggle on" } else { "toggle" },
                    title="Mute in your mix only (they are not told)",
                    on:click=move |_| send_mute(SpeakerChange::Muted(!muted()))) { "Mute" }
                button(r#type="button", data-testid="speaker-solo", class=move || if solo() { "toggle on" } else { "toggle" },
                    title="Solo: hear only soloed speakers",
                    on:click=move |_| send_solo(SpeakerChange::Solo(!solo()))) { "Solo" }
            }
        }
    }
}
