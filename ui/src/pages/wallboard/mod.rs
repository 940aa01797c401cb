//! The wallboard: active rooms of every watched project in one virtualized list (only the
//! rows in view are in the DOM), each project's polling health, and participants over the
//! last hour per project. One click opens a room or listens to it. The rows in view are
//! followed live (who speaks, connection quality, the agent's state, the last line said) by
//! the backend's hidden room connections.

mod health;
mod live;

use crate::components::charts::{participants_svg, Series};
use crate::ipc::invoke;
use crate::listen::listen;
use crate::routes::{go, Param, Route};
use crate::state::{app_state, count, human_duration, now_ms};
use crate::wallboard::wallboard;
use earshot_protocol::command::WallboardFollow;
use earshot_protocol::wallboard::{ProjectHealth, WallRoom, WallRoomRef, MAX_FOLLOWED};
use gloo_timers::future::TimeoutFuture;
use health::{health_card, saved_projects, unwatched_card};
use live::live_cells;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// Row height in pixels (fixed, so the visible window is computed from the scroll offset).
const ROW_PX: f64 = 34.0;
/// Height of the scrolling list.
const VIEW_PX: f64 = 476.0;
/// Rows rendered beyond the visible ones, above and below.
const OVERSCAN: usize = 6;
/// Scrolling must rest this long before the rows in view are followed live (each change
/// joins or leaves rooms).
const FOLLOW_SETTLE_MS: u32 = 300;

#[component]
pub fn WallboardPage() -> View {
    let state = app_state();
    let wall = wallboard();
    let filter = create_signal(String::new());
    let sort = create_signal("participants".to_owned());
    let scroll = create_signal(0.0f64);
    let now = create_signal(now_ms());
    spawn_local_scoped(async move {
        loop {
            TimeoutFuture::new(1000).await;
            now.set(now_ms());
        }
    });

    let project_name = move |id: &str| {
        state.projects.with(|v| {
            v.as_ref()
                .and_then(|v| v.projects.iter().find(|p| p.id == id))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.to_owned())
        })
    };
    // The last sorted order (unfiltered) and its sort key: a delta changes a few rooms, so
    // starting from the previous order and sorting stably (adaptive: near-linear on nearly
    // sorted input) beats sorting 10,000 rooms from hash order on every update.
    let order: Rc<RefCell<(String, Vec<Rc<WallRoom>>)>> = Rc::default();
    let rows = create_memo(move || {
        let needle = filter.get_clone().to_lowercase();
        let key = sort.get_clone();
        let mut cache = order.borrow_mut();
        let mut rows: Vec<Rc<WallRoom>> = wall.rooms.with(|r| {
            let total: usize = r.values().map(HashMap::len).sum();
            let mut rows: Vec<Rc<WallRoom>> = cache
                .1
                .iter()
                .filter_map(|old| r.get(&old.project)?.get(&old.room.sid).cloned())
                .collect();
            if rows.len() < total {
                let known: HashSet<(&str, &str)> = rows
                    .iter()
                    .map(|r| (r.project.as_str(), r.room.sid.as_str()))
                    .collect();
                let added: Vec<Rc<WallRoom>> = r
                    .values()
                    .flat_map(|m| m.values())
                    .filter(|room| {
                        !known.contains(&(room.project.as_str(), room.room.sid.as_str()))
                    })
                    .cloned()
                    .collect();
                rows.extend(added);
            }
            rows
        });
        match key.as_str() {
            "name" => rows.sort_by(|a, b| a.room.name.cmp(&b.room.name)),
            "age" => rows.sort_by(|a, b| {
                a.room
                    .creation_time
                    .cmp(&b.room.creation_time)
                    .then_with(|| a.room.name.cmp(&b.room.name))
            }),
            "listeners" => rows.sort_by(|a, b| {
                b.listeners
                    .cmp(&a.listeners)
                    .then_with(|| a.room.name.cmp(&b.room.name))
            }),
            "project" => {
                rows.sort_by(|a, b| (&a.project, &a.room.name).cmp(&(&b.project, &b.room.name)))
            }
            _ => rows.sort_by(|a, b| {
                b.room
                    .num_participants
                    .cmp(&a.room.num_participants)
                    .then_with(|| a.room.name.cmp(&b.room.name))
            }),
        }
        *cache = (key, rows.clone());
        if !needle.is_empty() {
            rows.retain(|r| r.room.name.to_lowercase().contains(&needle));
        }
        rows
    });
    // Only the rows in view (plus a few) are rendered.
    let window = create_memo(move || {
        let total = rows.with(Vec::len);
        let first = ((scroll.get() / ROW_PX) as usize)
            .saturating_sub(OVERSCAN)
            .min(total);
        let last = (first + (VIEW_PX / ROW_PX) as usize + 2 * OVERSCAN).min(total);
        (first, last, total)
    });
    let visible = create_memo(move || {
        let (first, last, _) = window.get();
        rows.with(|r| {
            r[first..last]
                .iter()
                .map(|r| WallRoom::clone(r))
                .collect::<Vec<_>>()
        })
    });
    // The rows actually in view (no overscan) with someone in them are followed live
    // (rooms of saved projects only: the benchmark's SYNTHETIC rooms have no server).
    let in_view = create_selector(move || {
        let total = rows.with(Vec::len);
        let first = ((scroll.get() / ROW_PX) as usize).min(total);
        let last = (first + (VIEW_PX / ROW_PX).ceil() as usize).min(total);
        let saved: HashSet<String> = state.projects.with(|v| {
            v.as_ref()
                .map(|v| v.projects.iter().map(|p| p.id.clone()).collect())
                .unwrap_or_default()
        });
        rows.with(|r| {
            r[first..last]
                .iter()
                .filter(|r| r.room.num_participants > 0 && saved.contains(&r.project))
                .take(MAX_FOLLOWED)
                .map(|r| WallRoomRef {
                    project: r.project.clone(),
                    room: r.room.name.clone(),
                })
                .collect::<Vec<_>>()
        })
    });
    create_effect(move || {
        let wanted = in_view.get_clone();
        spawn_local_scoped(async move {
            TimeoutFuture::new(FOLLOW_SETTLE_MS).await;
            if in_view.with_untracked(|now| *now != wanted) {
                return; // scrolled on; the newer set follows
            }
            wall.live.update(|l| {
                l.retain(|(project, room), _| {
                    wanted
                        .iter()
                        .any(|w| w.project == *project && w.room == *room)
                })
            });
            if let Err(err) = invoke(&WallboardFollow { rooms: wanted }).await {
                state.fail(&err);
            }
        });
    });
    on_cleanup(move || {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = invoke(&WallboardFollow { rooms: Vec::new() }).await;
        });
    });
    let totals = move || {
        rows.with(|r| {
            let people: u32 = r.iter().map(|r| r.room.num_participants).sum();
            let listeners: u32 = r.iter().filter_map(|r| r.listeners).sum();
            format!(
                "{} · {} · {listeners} listening unseen",
                count(r.len() as u64, "room", "rooms"),
                count(people, "participant", "participants"),
            )
        })
    };
    // Redrawn with the 1 s clock only: a delta must not pay for an SVG.
    let chart = move || {
        let now = now.get();
        let saved = saved_projects();
        wall.project_history.with_untracked(|h| {
            // A project removed is no series (its raw id would be the legend).
            let mut ids: Vec<&String> = h
                .keys()
                .filter(|id| saved.iter().any(|(s, _)| s == *id))
                .collect();
            ids.sort();
            let series: Vec<Series<'_>> = ids
                .into_iter()
                .map(|id| Series {
                    label: project_name(id),
                    points: &h[id],
                })
                .collect();
            participants_svg(&series, now, 3_600_000.0, (760, 220))
        })
    };
    let on_scroll = move |ev: web_sys::Event| {
        if let Some(el) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            scroll.set(f64::from(el.scroll_top()));
        }
    };
    // Shown so a slow render is visible; refreshed with the clock, not with every delta.
    let render_line = move || {
        now.track();
        let (n, p50, p95, max) = crate::wallboard::render_stats();
        view! {
            p(class="muted", data-testid="wall-render", data-count=n.to_string(), data-p50=format!("{p50:.2}"), data-p95=format!("{p95:.2}"), data-max=format!("{max:.2}")) {
                (format!("Refresh render path over the last {n} updates: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms"))
            }
        }
    };
    // Cards of saved projects only: a removed project's card goes even if an event of it
    // was still under way when it left.
    let health = create_memo(move || {
        let saved = saved_projects();
        wall.health.with(|h| {
            h.values()
                .filter(|h| saved.iter().any(|(id, _)| *id == h.project))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // Saved projects the wallboard does not watch: a card to watch them again.
    let unwatched = create_memo(move || {
        let watched = wall.watched.get_clone();
        saved_projects()
            .into_iter()
            .filter(|(id, _)| watched.as_ref().is_some_and(|w| !w.contains(id)))
            .collect::<Vec<_>>()
    });

    view! {
        section(class="wallboard") {
            div(class="page-head") {
                h1 { "Wallboard" span(class="muted", data-testid="wall-totals") { " · " (totals()) } }
                div(class="actions") {
                    input(r#type="search", placeholder="Filter rooms", data-testid="wall-filter", bind:value=filter)
                    label(class="check") {
                        "Sort "
                        select(data-testid="wall-sort", bind:value=sort) {
                            option(value="participants") { "by participants" }
                            option(value="name") { "by name" }
                            option(value="age") { "by duration" }
                            option(value="listeners") { "by listeners" }
                            option(value="project") { "by project" }
                        }
                    }
                }
            }
            (wall.error.get_clone().map(|e| view! { p(class="banner error") { (e) } }).unwrap_or_default())
            div(class="health-strip") {
                Keyed(list=health, key=|h: &ProjectHealth| (h.project.clone(), h.state, h.rtt_ms, h.failures, h.requests),
                    view=move |h: ProjectHealth| health_card(h, wall.watched))
                Keyed(list=unwatched, key=|p: &(String, String)| p.clone(),
                    view=move |(id, name): (String, String)| unwatched_card(id, name, wall.watched))
            }
            (match chart() {
                Ok(svg) => view! { div(class="chart", data-testid="wall-chart", dangerously_set_inner_html=svg) },
                Err(e) => view! { p(class="muted") { "Chart unavailable: " (e) } },
            })
            div(class="wall-head") {
                span { "Project" } span { "Room" } span { "People" } span { "Publishers" }
                span(title="Who is speaking, for the rooms in view") { "Speaking" }
                span(title="The worst connection quality in the room, for the rooms in view") { "Quality" }
                span(title="The agent's state and how long it has held it, for the rooms in view") { "Agent" }
                span(title="The last transcript line said, for the rooms in view") { "Last said" }
                span { "Listening" } span { "Duration" } span {}
            }
            div(class="wall-list", data-testid="wall-list", style=format!("height: {VIEW_PX}px"), on:scroll=on_scroll) {
                div(style=move || format!("height: {}px", window.get().0 as f64 * ROW_PX))
                Keyed(list=visible, key=|r: &WallRoom| (r.project.clone(), r.room.sid.clone(), r.room.num_participants, r.room.num_publishers, r.listeners, r.room.active_recording),
                    view=move |r: WallRoom| { let name = project_name(&r.project); wall_row(r, name, now) })
                div(style=move || { let (_, last, total) = window.get(); format!("height: {}px", (total - last) as f64 * ROW_PX) })
            }
            (if rows.with(Vec::is_empty) {
                view! { p(class="empty", data-testid="wall-empty") { "No active rooms in the watched projects." } }
            } else { view! {} })
            (render_line())
        }
    }
}

fn wall_row(r: WallRoom, project_name: String, now: Signal<f64>) -> View {
    let state = app_state();
    let listen = listen();
    let (room, project) = (r.room.name.clone(), r.project.clone());
    let (listen_room, listen_project) = (r.room.name.clone(), r.project.clone());
    let created = r.room.creation_time;
    let listeners = r
        .listeners
        .map(|l| l.to_string())
        .unwrap_or_else(|| "…".into());
    let recording = if r.room.active_recording { " ●" } else { "" };
    let (attr_room, label) = (r.room.name.clone(), r.room.name.clone());
    let (attr_project, attr_project_name) = (r.project.clone(), project_name.clone());
    let (participants, publishers) = (r.room.num_participants, r.room.num_publishers);
    let key = (r.project.clone(), r.room.name.clone());
    let wall = wallboard();
    let live = create_memo(move || wall.live.with(|l| l.get(&key).cloned()));
    view! {
        div(class="wall-row", data-testid="wall-row", data-room=attr_room, data-project=attr_project,
            data-project-name=attr_project_name, style=format!("height: {ROW_PX}px")) {
            span(class="muted") { (project_name) }
            span { strong { (label) } (recording) }
            span(data-testid="wall-participants") { (participants) }
            span { (publishers) }
            (live_cells(live, now))
            span(data-testid="wall-listeners") { (listeners) }
            span { (human_duration((now.get() / 1000.0) as i64 - created)) }
            span(class="row-actions") {
                // One navigation: the route names the room's project, whichever is shown now.
                button(r#type="button", data-testid="wall-open",
                    on:click=move |_| go(&Route::room(project.clone(), room.clone()))) { "Open" }
                button(r#type="button", data-testid="wall-listen", on:click=move |_| {
                    let (room, project) = (listen_room.clone(), listen_project.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match listen.start(project.clone(), room).await {
                            Ok(()) => go(&Route::Listen { project: Param(project) }),
                            Err(err) => state.fail(&err),
                        }
                    });
                }) { "Listen" }
            }
        }
    }
}
