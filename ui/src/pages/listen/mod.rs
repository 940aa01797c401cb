//! The Listen page: start listening to a room of the route's project, what the audio output
//! is doing, what is heard (focus on one room, or a mix), and one card per listened room.
//! Keyboard: space mutes or unmutes everyone in the room the keys act on, 1–9 solo the n-th
//! speaker there; that room is named on the page, and a key with nothing to act on says why.

mod room;

use crate::ipc::invoke;
use crate::listen::listen;
use crate::state::app_state;
use earshot_protocol::command::ListRooms;
use earshot_protocol::listen::{AudibleSet, RoomKey, SpeakerChange};
use earshot_protocol::projects::ProjectId;
use room::RoomCard;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

/// Every listened room is shown; `project` is where new rooms are picked from.
#[component(inline_props)]
pub fn ListenPage(project: ProjectId) -> View {
    let state = app_state();
    let listen = listen();
    let room_input = create_signal(String::new());
    let known_rooms = create_signal(Vec::<String>::new());
    let busy = create_signal(false);
    let error = create_signal(None::<String>);
    // Space toggles this; it is the supervisor's "mute everyone" in the focused room.
    let all_muted = create_signal(false);

    let project = *create_signal(project);
    spawn_local_scoped(async move {
        if let Ok(snap) = invoke(&ListRooms {
            project: project.get_clone_untracked(),
        })
        .await
        {
            known_rooms.set(snap.rooms.into_iter().map(|r| r.name).collect());
        }
    });

    let start = move || {
        let room = room_input.get_clone().trim().to_owned();
        if room.is_empty() {
            error.set(Some("Enter the name of a room to listen to.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local_scoped(async move {
            match listen
                .start(project.get_clone_untracked(), room.clone())
                .await
            {
                Ok(()) => {
                    room_input.set(String::new());
                    state.tell(format!("Listening to {room}, unseen."));
                }
                Err(err) => error.set(Some(err.message)),
            }
            busy.set(false);
        });
    };

    // What the last key did, or why it did nothing; cleared after a few seconds.
    let key_hint = create_signal(None::<String>);
    install_keys(all_muted, key_hint);
    let mode = move || {
        let audible = listen.audible.get_clone();
        listen.rooms.with(|rooms| mode_line(&audible, rooms.len()))
    };

    // Gaps heard over the last minute, from the worklet's running totals (one report a
    // second): a total alone says nothing about whether playback is fine now.
    let gap_history = create_signal(std::collections::VecDeque::<(f64, u32)>::new());
    create_effect(move || {
        let stats = listen.stats.get();
        let now = crate::state::now_ms();
        gap_history.update_silent(|h| {
            h.push_back((now, stats.underruns + stats.overruns));
            while h.front().is_some_and(|(t, _)| now - t > 60_000.0) {
                h.pop_front();
            }
        });
    });
    let audio_line = move || {
        let stats = listen.stats.get();
        if let Some(err) = listen.audio_error.get_clone() {
            return err;
        }
        let recent = gap_history.with_untracked(|h| match (h.front(), h.back()) {
            (Some((_, first)), Some((_, last))) => last.saturating_sub(*first),
            _ => 0,
        });
        let verdict = match recent {
            0 => "playback smooth".to_owned(),
            1..=3 => format!("{recent} short gaps in the last minute"),
            _ => format!(
                "{recent} gaps in the last minute: audio arrives unevenly (network or a busy machine)"
            ),
        };
        format!(
            "{} frames received · {verdict} · buffer {:.0} ms · since start: {} underruns (ran dry), {} overruns (too much queued)",
            listen.frames.get(),
            stats.buffered_ms,
            stats.underruns,
            stats.overruns
        )
    };
    let rooms = create_memo(move || listen.rooms.with(|r| r.keys().cloned().collect::<Vec<_>>()));
    let options = move || {
        known_rooms
            .get_clone()
            .into_iter()
            .map(|name| view! { option(value=name.clone()) })
            .collect::<Vec<_>>()
    };

    view! {
        section(class="listen") {
            div(class="page-head") {
                h1 { "Listen" span(class="muted") { " · " (state.project(&project.get_clone()).map(|p| p.name).unwrap_or_default()) } }
                form(class="actions", on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); start(); }) {
                    input(r#type="text", list="listen-room-options", placeholder="Room name",
                        data-testid="listen-room", bind:value=room_input)
                    datalist(id="listen-room-options") { (options()) }
                    button(r#type="submit", class="primary", data-testid="listen-start",
                        disabled=busy.get()) {
                        (if busy.get() { "Joining…" } else { "Listen" })
                    }
                }
            }
            (error.get_clone().map(|e| view! { p(class="form-error", data-testid="listen-error") { (e) } }).unwrap_or_default())
            p(class="muted", data-testid="listen-audio") {
                "Audio: " (audio_line())
                (if all_muted.get() { " · everyone muted (space)" } else { "" })
            }
            (mode().map(|(kind, text)| view! {
                p(class="listen-mode", data-testid="listen-mode", data-mode=kind) { (text) }
            }).unwrap_or_default())
            (listen.switched.get_clone().map(|text| view! {
                p(class="banner", data-testid="listen-switched") { (text) }
            }).unwrap_or_default())
            (key_hint.get_clone().map(|text| view! {
                p(class="muted", data-testid="listen-key-hint", role="status") { (text) }
            }).unwrap_or_default())
            (if rooms.with(Vec::is_empty) {
                view! {
                    p(class="empty", data-testid="listen-empty") {
                        "Not listening to any room. Pick a room above, or press Listen on the Rooms page. "
                        "You join hidden and subscribe to audio only: nobody in the call sees you."
                    }
                }
            } else { view! {} })
            div(class="listen-rooms") {
                Keyed(list=rooms, key=|r: &RoomKey| r.clone(), view=move |room: RoomKey| view! { RoomCard(room=room) })
            }
            p(class="muted") { "Keys: space mutes or unmutes everyone in the room the keys act on (named above), 1–9 solo a speaker there." }
        }
    }
}

/// What is heard, as (mode, sentence); `None` when no room is listened to (the empty state
/// says so).
fn mode_line(audible: &AudibleSet, listened: usize) -> Option<(&'static str, String)> {
    if listened == 0 {
        return None;
    }
    Some(match audible {
        AudibleSet::None => (
            "none",
            "Hearing nothing: press Hear or Add to mix on a room. Keys act on nothing.".into(),
        ),
        AudibleSet::Focus(r) => (
            "focus",
            format!("Focus: hearing “{}” only. Keys act on it.", r.room),
        ),
        AudibleSet::Mix(rooms) => match &rooms[..] {
            [] => ("none", "Hearing nothing: the mix is empty.".into()),
            [r] => (
                "mix",
                format!("Mix: hearing 1 room, “{}”. Keys act on it.", r.room),
            ),
            many => (
                "mix",
                format!(
                    "Mix: hearing {} rooms ({}). Keys act on one room: press Hear on a room to focus it.",
                    many.len(),
                    many.iter()
                        .map(|r| format!("“{}”", r.room))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        },
    })
}

/// The room the keys act on: the focused room, or the only room of a mix; otherwise why
/// there is none.
fn key_room(audible: &AudibleSet) -> Result<RoomKey, String> {
    match audible {
        AudibleSet::Focus(r) => Ok(r.clone()),
        AudibleSet::Mix(rooms) if rooms.len() == 1 => Ok(rooms[0].clone()),
        AudibleSet::Mix(rooms) if rooms.len() > 1 => Err(format!(
            "Keys act on one room, and the mix has {}: press Hear on a room to focus it.",
            rooms.len()
        )),
        _ => {
            Err("Keys act on the room you hear, and nothing is heard: press Hear on a room.".into())
        }
    }
}

/// How long a key's hint stays.
const HINT_MS: u32 = 4_000;

/// Space and 1–9 act on the room named by the mode line while this page is shown; a key
/// with nothing to act on says why in `hint`.
fn install_keys(all_muted: Signal<bool>, hint: Signal<Option<String>>) {
    let listen = listen();
    // Each hint clears itself unless a newer one replaced it.
    let hints = create_signal(0u32);
    let say = move |text: String| {
        hint.set(Some(text));
        let n = hints.get_untracked().wrapping_add(1);
        hints.set(n);
        // Called from a DOM event (no reactive owner); the page may be gone when it fires.
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(HINT_MS).await;
            if hints.is_alive() && hint.is_alive() && hints.get_untracked() == n {
                hint.set(None);
            }
        });
    };
    let handler =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let key = ev.key();
            let digit = key.parse::<usize>().ok().filter(|n| (1..=9).contains(n));
            if key != " " && digit.is_none() {
                return;
            }
            // Space would otherwise press the focused button or scroll.
            ev.prevent_default();
            if listen.rooms.with_untracked(|r| r.is_empty()) {
                say("Not listening to any room: the keys act on a listened room.".into());
                return;
            }
            let room = match key_room(&listen.audible.get_clone_untracked()) {
                Ok(room) => room,
                Err(why) => return say(why),
            };
            let speakers: Vec<String> = listen.rooms.with_untracked(|rooms| {
                rooms
                    .get(&room)
                    .map(|r| r.speakers.iter().map(|s| s.identity.clone()).collect())
                    .unwrap_or_default()
            });
            if let Some(n) = digit {
                let Some(identity) = speakers.get(n - 1).cloned() else {
                    return say(match speakers.len() {
                        0 => format!(
                            "Nobody speaks in “{}” yet: no speaker {n} to solo.",
                            room.room
                        ),
                        m => format!("No speaker {n} in “{}”: it has {m}.", room.room),
                    });
                };
                let soloed = listen.meters.with_untracked(|m| {
                    m.get(&room)
                        .and_then(|m| m.speakers.iter().find(|s| s.identity == identity))
                        .is_some_and(|s| s.solo)
                });
                say(if soloed {
                    format!("Solo off for {identity} in “{}”.", room.room)
                } else {
                    format!("Soloed {identity} in “{}”.", room.room)
                });
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = listen
                        .set_speaker(room, identity, SpeakerChange::Solo(!soloed))
                        .await;
                });
                return;
            }
            if speakers.is_empty() {
                return say(format!(
                    "Nobody speaks in “{}” yet: nobody to mute.",
                    room.room
                ));
            }
            let mute = !all_muted.get_untracked();
            all_muted.set(mute);
            say(format!(
                "{} everyone in “{}”.",
                if mute { "Muted" } else { "Unmuted" },
                room.room
            ));
            for identity in speakers {
                let room = room.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = listen
                        .set_speaker(room, identity, SpeakerChange::Muted(mute))
                        .await;
                });
            }
        });
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let _ = document.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    on_cleanup(move || {
        let _ = document
            .remove_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        drop(handler);
    });
}
