//! The Listen page: start listening to a room of the route's project, what the audio output
//! is doing, and one card per listened room. Keyboard: space mutes or unmutes everyone in the
//! focused room, 1–9 solo the n-th speaker there.

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

    install_keys(all_muted);

    let audio_line = move || {
        let stats = listen.stats.get();
        match listen.audio_error.get_clone() {
            Some(err) => err,
            None => format!(
                "{} frames received · buffer {:.0} ms · underruns {} · overruns {}",
                listen.frames.get(),
                stats.buffered_ms,
                stats.underruns,
                stats.overruns
            ),
        }
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
            p(class="muted") { "Keys: space mutes or unmutes everyone in the room you hear, 1–9 solo a speaker." }
        }
    }
}

/// Space and 1–9 act on the focused room while this page is shown.
fn install_keys(all_muted: Signal<bool>) {
    let listen = listen();
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
            let AudibleSet::Focus(room) = listen.audible.get_clone_untracked() else {
                return;
            };
            let speakers: Vec<String> = listen.rooms.with_untracked(|rooms| {
                rooms
                    .get(&room)
                    .map(|r| r.speakers.iter().map(|s| s.identity.clone()).collect())
                    .unwrap_or_default()
            });
            let key = ev.key();
            if key == " " {
                ev.prevent_default();
                let mute = !all_muted.get_untracked();
                all_muted.set(mute);
                for identity in speakers {
                    let room = room.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = listen
                            .set_speaker(room, identity, SpeakerChange::Muted(mute))
                            .await;
                    });
                }
            } else if let Some(n) = key.parse::<usize>().ok().filter(|n| (1..=9).contains(n)) {
                let Some(identity) = speakers.get(n - 1).cloned() else {
                    return;
                };
                let soloed = listen.meters.with_untracked(|m| {
                    m.get(&room)
                        .and_then(|m| m.speakers.iter().find(|s| s.identity == identity))
                        .is_some_and(|s| s.solo)
                });
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = listen
                        .set_speaker(room, identity, SpeakerChange::Solo(!soloed))
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
