//! The wallboard's project cards: each watched project's polling health with Refresh now
//! and its watch box, and a card for each saved project not watched, to watch it again.

use crate::ipc::invoke;
use crate::state::{app_state, human_duration};
use crate::wallboard::wallboard;
use earshot_protocol::command::WallboardPoke;
use earshot_protocol::wallboard::{PollState, ProjectHealth};
use sycamore::prelude::*;

/// The saved projects, (id, name).
pub(super) fn saved_projects() -> Vec<(String, String)> {
    app_state().projects.with(|v| {
        v.as_ref()
            .map(|v| {
                v.projects
                    .iter()
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Adds `project` to the watched set, or takes it out.
fn toggle_watch(project: &str, watched: Signal<Option<Vec<String>>>) {
    let all: Vec<String> = saved_projects().into_iter().map(|(id, _)| id).collect();
    let mut current = watched.get_clone().unwrap_or_else(|| all.clone());
    if current.iter().any(|p| p == project) {
        current.retain(|p| p != project);
    } else {
        current.push(project.to_owned());
    }
    let set = if all.iter().all(|p| current.contains(p)) {
        None
    } else {
        Some(current)
    };
    wallboard().watch(set);
}

/// A saved project the wallboard does not watch.
pub(super) fn unwatched_card(
    id: String,
    name: String,
    watched: Signal<Option<Vec<String>>>,
) -> View {
    let project = id.clone();
    view! {
        div(class="panel health", data-testid="wall-health", data-project=id, data-state="unwatched") {
            strong { (name) } span(class="badge") { "not watched" }
            label(class="check") {
                input(r#type="checkbox", prop:checked=false, on:change=move |_| toggle_watch(&project, watched))
                " watch"
            }
        }
    }
}

pub(super) fn health_card(h: ProjectHealth, watched: Signal<Option<Vec<String>>>) -> View {
    let state = app_state();
    let (class, label) = match h.state {
        PollState::Starting => ("badge state-connecting", "starting"),
        PollState::Ok => ("badge state-live", "ok"),
        PollState::Failing => ("badge state-reconnecting", "failing"),
        PollState::Stopped => ("badge state-ended", "stopped"),
    };
    let detail = match (&h.last_error, h.rtt_ms) {
        (Some(err), _) => err.message.clone(),
        (None, Some(rtt)) => format!("{rtt} ms round trip"),
        (None, None) => String::new(),
    };
    let next = if h.state == PollState::Stopped {
        "not polling".to_owned()
    } else {
        format!("next in {}", human_duration(i64::from(h.next_in_ms / 1000)))
    };
    let project = h.project.clone();
    let toggle_project = h.project.clone();
    let is_watched =
        move || watched.with(|w| w.as_ref().is_none_or(|w| w.contains(&toggle_project)));
    let project_for_watch = h.project.clone();
    view! {
        div(class="panel health", data-testid="wall-health", data-project=h.project.clone(), data-state=label) {
            strong { (h.name.clone()) } span(class=class) { (label) }
            div(class="muted") { (detail) }
            div(class="muted") { (next) " · " (crate::state::count(h.requests, "request", "requests")) }
            button(r#type="button", class="link", on:click=move |_| {
                let project = project.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(err) = invoke(&WallboardPoke { project }).await { state.fail(&err); }
                });
            }) { "Refresh now" }
            label(class="check") {
                input(r#type="checkbox", prop:checked=is_watched(), on:change=move |_| toggle_watch(&project_for_watch, watched))
                " watch"
            }
        }
    }
}
