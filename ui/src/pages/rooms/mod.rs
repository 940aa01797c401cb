//! The rooms page: one project's active rooms, refreshed every few seconds, with the time
//! since the last answer and a clear error state when the server cannot be reached; the room
//! the route opens is shown below the list (detail and real-time view).

mod create;
mod detail;
mod forms;
mod participant;
mod room_view;
mod settings;

pub(crate) use room_view::held_for;

use crate::ipc::invoke;
use crate::routes::{go, Param, Route};
use crate::state::{app_state, human_duration, now_ms};
use create::CreateRoomDialog;
use detail::RoomDetailPanel;
use earshot_protocol::command::ListRooms;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::{RoomSummary, RoomsSnapshot};
use earshot_protocol::{AppError, ErrorCode};
use gloo_timers::future::TimeoutFuture;
use room_view::RoomView;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// Refresh period while the server answers.
const REFRESH_MS: f64 = 3_000.0;
/// Longest wait between attempts while it does not.
const MAX_BACKOFF_MS: f64 = 30_000.0;

/// Whether a failed listing stops the refreshes until the user acts: a refused key (401)
/// is refused again on every retry.
pub(crate) fn stops_polling(err: &AppError) -> bool {
    err.code == ErrorCode::InvalidCredentials
}

/// `open_room` is the room the route opens, if any.
#[component(inline_props)]
pub fn RoomsPage(project: ProjectId, open_room: ReadSignal<Option<String>>) -> View {
    let state = app_state();
    let project = *create_signal(project);
    let snapshot = create_signal(None::<RoomsSnapshot>);
    let error = create_signal(None::<AppError>);
    let failures = create_signal(0u32);
    let filter = create_signal(String::new());
    // Sort key: "name", "participants" (most first) or "age" (oldest first).
    let sort = create_signal("name".to_owned());
    let now = create_signal(now_ms());
    // Bumped by "Retry" to refresh at once.
    let poke = create_signal(0u32);
    let creating = create_signal(false);

    spawn_local_scoped(async move {
        let mut last_poke = poke.get();
        let mut next_at = 0.0;
        loop {
            if now_ms() >= next_at || poke.get() != last_poke {
                last_poke = poke.get();
                match invoke(&ListRooms {
                    project: project.get_clone(),
                })
                .await
                {
                    Ok(snap) => {
                        snapshot.set(Some(snap));
                        error.set(None);
                        failures.set(0);
                        next_at = now_ms() + REFRESH_MS;
                    }
                    Err(err) => {
                        failures.set(failures.get() + 1);
                        next_at = if stops_polling(&err) {
                            // Repeating a refused key changes nothing: wait for the user.
                            f64::INFINITY
                        } else {
                            let backoff = (REFRESH_MS * 2f64.powi(failures.get() as i32 - 1))
                                .min(MAX_BACKOFF_MS);
                            now_ms() + backoff
                        };
                        error.set(Some(err));
                    }
                }
            }
            TimeoutFuture::new(250).await;
            // Ages are shown in whole seconds: a finer clock only repaints the same text.
            if now_ms() - now.get_untracked() >= 1000.0 {
                now.set(now_ms());
            }
        }
    });

    let rooms = create_memo(move || {
        let needle = filter.get_clone().to_lowercase();
        let mut rooms = snapshot.with(|s| s.as_ref().map(|s| s.rooms.clone()).unwrap_or_default());
        rooms.retain(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle));
        match sort.get_clone().as_str() {
            "participants" => rooms.sort_by(|a, b| {
                b.num_participants
                    .cmp(&a.num_participants)
                    .then_with(|| a.name.cmp(&b.name))
            }),
            "age" => rooms.sort_by(|a, b| {
                a.creation_time
                    .cmp(&b.creation_time)
                    .then_with(|| a.name.cmp(&b.name))
            }),
            _ => rooms.sort_by(|a, b| a.name.cmp(&b.name)),
        }
        rooms
    });
    let updated = move || {
        snapshot.with(|s| {
            s.as_ref().map(|s| {
                let secs = ((now.get() - s.fetched_at_ms as f64) / 1000.0).floor() as i64;
                format!(
                    "updated {} ago · {} ms",
                    human_duration(secs),
                    s.round_trip_ms
                )
            })
        })
    };

    view! {
        section(class="rooms") {
            div(class="page-head") {
                h1 {
                    "Rooms"
                    span(class="muted", data-testid="rooms-project") { " · " (state.project(&project.get_clone()).map(|p| p.name).unwrap_or_default()) }
                }
                div(class="actions") {
                    input(r#type="search", placeholder="Filter by name", data-testid="rooms-filter", bind:value=filter)
                    label(class="check") {
                        "Sort "
                        select(data-testid="rooms-sort", bind:value=sort) {
                            option(value="name") { "by name" }
                            option(value="participants") { "by participants" }
                            option(value="age") { "by age" }
                        }
                    }
                    button(r#type="button", class="primary", data-testid="create-room",
                        on:click=move |_| creating.set(true)) { "Create room" }
                    span(class="muted", data-testid="rooms-updated") { (updated().unwrap_or_default()) }
                }
            }
            (error.get_clone().map(|err| {
                let retry_in = failures.get();
                let stopped = stops_polling(&err);
                view! {
                    div(class="banner error", role="alert", data-testid="rooms-error-banner", data-stopped=stopped.to_string(), data-failures=retry_in.to_string()) {
                        p(data-testid="rooms-error") { (err.message) }
                        p(class="muted", data-testid="rooms-retrying") {
                            (if snapshot.with(Option::is_some) { "Showing the last rooms received. " } else { "" })
                            (if stopped {
                                "Not retrying: the server refused this project's key. Fix it under Projects → Edit, then press Retry now.".to_owned()
                            } else {
                                format!("Retrying with growing pauses (attempt {retry_in}).")
                            })
                        }
                        button(r#type="button", data-testid="rooms-retry", on:click=move |_| poke.set(poke.get() + 1)) { "Retry now" }
                    }
                }
            }).unwrap_or_default())
            (if snapshot.with(|s| s.as_ref().is_some_and(|s| s.rooms.is_empty())) {
                view! { p(class="empty", data-testid="rooms-empty") { "No active rooms in this project." } }
            } else { view! {} })
            table(class="grid") {
                thead { tr { th { "Room" } th { "Participants" } th { "Publishers" } th { "Age" } th { "Recording" } th { "Metadata" } th {} } }
                tbody {
                    Keyed(
                        list=rooms,
                        key=|r: &RoomSummary| (r.sid.clone(), r.name.clone(), r.num_participants, r.num_publishers, r.active_recording, r.metadata.clone()),
                        view=move |r: RoomSummary| room_row(r, now, project),
                    )
                }
            }
            (open_room.get_clone().map(|room| {
                let live = room.clone();
                view! { RoomDetailPanel(project=project, room=room) { RoomView(project=project, room=live) } }
            }).unwrap_or_default())
            (if creating.get() {
                view! {
                    CreateRoomDialog(project=project, on_close=move |created: Option<String>| {
                        creating.set(false);
                        if let Some(room) = created {
                            poke.set(poke.get() + 1);
                            go(&Route::room(project.get_clone(), room));
                        }
                    })
                }
            } else { view! {} })
        }
    }
}

fn room_row(r: RoomSummary, now: Signal<f64>, project: ReadSignal<ProjectId>) -> View {
    let name = r.name.clone();
    let listen_room = r.name.clone();
    let (attr_name, label) = (r.name.clone(), r.name);
    let created = r.creation_time;
    let meta: String = r.metadata.chars().take(40).collect();
    let participants = r.num_participants.to_string();
    let publishers = r.num_publishers.to_string();
    let recording = if r.active_recording {
        "● recording"
    } else {
        ""
    };
    view! {
        tr(data-testid="room-row", data-room=attr_name, class="clickable",
            on:click=move |_| go(&Route::room(project.get_clone(), name.clone()))) {
            td { strong { (label) } }
            td(data-testid="room-participants-count") { (participants) }
            td { (publishers) }
            td { (human_duration((now.get() / 1000.0) as i64 - created)) }
            td { (recording) }
            td(class="mono muted") { (meta) }
            td { ListenButton(project=project, room=listen_room) }
        }
    }
}

/// Starts listening to a room and opens the Listen page; the click also unlocks audio output.
#[component(inline_props)]
fn ListenButton(project: ReadSignal<ProjectId>, room: String) -> View {
    let state = app_state();
    let listen = crate::listen::listen();
    let busy = create_signal(false);
    let label = room.clone();
    view! {
        button(r#type="button", data-testid="room-listen", disabled=busy.get(),
            title=format!("Listen to {label} unseen"),
            on:click=move |ev: web_sys::MouseEvent| {
                // The row opens the detail on click; listening is a separate action.
                ev.stop_propagation();
                let room = room.clone();
                let project = project.get_clone();
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = listen.start(project.clone(), room.clone()).await;
                    // The page may have changed meanwhile, disposing this button.
                    if busy.is_alive() {
                        busy.set(false);
                    }
                    match result {
                        Ok(()) => go(&Route::Listen { project: Param(project) }),
                        Err(err) => state.fail(&err),
                    }
                });
            }) { (if busy.get() { "Joining…" } else { "Listen" }) }
    }
}
