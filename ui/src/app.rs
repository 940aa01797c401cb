//! The app frame: header with navigation and project selector, the page the route names,
//! notices.

use crate::components::switcher::ProjectSwitcher;
use crate::components::theme::ThemeSwitch;
use crate::listen::{listen, Listen};
use crate::pages::{
    agents::AgentsPage, alerts::AlertsPage, audit::AuditPage, egress::EgressPage,
    history::HistoryPage, ingress::IngressPage, listen::ListenPage, projects::ProjectsPage,
    rooms::RoomsPage, sip::SipPage, tokens::TokensPage, wallboard::WallboardPage,
};
use crate::routes::{self, go, route, HashIntegration, Page, Param, Route};
use crate::state::{app_state, AppState};
use crate::wallboard::{wallboard, Wallboard};
use earshot_protocol::projects::ProjectId;
use sycamore::prelude::*;
use sycamore_router::Router;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
    let listen = Listen::new();
    provide_context(listen);
    listen.attach();
    let wall = Wallboard::new();
    provide_context(wall);
    wall.attach();
    state.reload_projects();
    crate::components::dialog::install_escape();
    view! {
        Router(integration=HashIntegration, view=frame)
    }
}

/// What the page area shows. A room opened or closed keeps the screen (the room list stays
/// as it is); another page or project makes a new one.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    Start,
    NotFound,
    Page(Page, Option<ProjectId>),
}

fn frame(route: ReadSignal<Route>) -> View {
    provide_context(route);
    let state = app_state();
    // Start-up: the default project's rooms, once the projects are known.
    create_effect(move || {
        if route.with(|r| *r == Route::Home) {
            if let Some(project) = state.default_project() {
                routes::replace(&Route::Rooms {
                    project: Param(project),
                });
            }
        }
    });
    let screen = create_memo(move || {
        route.with(|r| match (r, r.page()) {
            (Route::Home, _) => Screen::Start,
            (_, None) => Screen::NotFound,
            (r, Some(page)) => Screen::Page(page, r.project().cloned()),
        })
    });
    let open_room = create_memo(move || route.with(|r| r.open_room().map(str::to_owned)));
    view! {
        div(class="frame") {
            header(class="topbar") {
                span(class="brand") { "Earshot" }
                Nav {}
                ProjectSwitcher {}
                ThemeSwitch {}
            }
            main(class="page") {
                (match screen.get_clone() {
                    Screen::Start => view! { Start {} },
                    Screen::NotFound => view! {
                        div(class="empty", data-testid="not-found") {
                            p { "Nothing here." }
                            button(r#type="button", class="primary", on:click=move |_| go(&Route::Home)) { "Start page" }
                        }
                    },
                    Screen::Page(page, project) => page_view(page, project, open_room),
                })
            }
            Footer {}
        }
    }
}

fn page_view(
    page: Page,
    project: Option<ProjectId>,
    open_room: ReadSignal<Option<String>>,
) -> View {
    match (page, project) {
        (Page::Wallboard, _) => view! { WallboardPage {} },
        (Page::Alerts, _) => view! { AlertsPage {} },
        (Page::Audit, _) => view! { AuditPage {} },
        (Page::Projects, _) => view! { ProjectsPage {} },
        (Page::Rooms, Some(project)) => view! { RoomsPage(project=project, open_room=open_room) },
        (Page::Listen, Some(project)) => view! { ListenPage(project=project) },
        (Page::Sip, Some(project)) => view! { SipPage(project=project) },
        (Page::Agents, Some(project)) => view! { AgentsPage(project=project) },
        (Page::Ingress, Some(project)) => view! { IngressPage(project=project) },
        (Page::Egress, Some(project)) => view! { EgressPage(project=project) },
        (Page::Tokens, Some(project)) => view! { TokensPage(project=project) },
        (Page::History, Some(project)) => view! { HistoryPage(project=project) },
        (_, None) => view! { Start {} },
    }
}

/// The start page while there is no project to open (or the projects are loading).
#[component]
fn Start() -> View {
    let state = app_state();
    let none = create_memo(move || {
        state
            .projects
            .with(|v| v.as_ref().is_some_and(|v| v.projects.is_empty()))
    });
    view! {
        (if none.get() {
            view! {
                div(class="empty first-run", data-testid="rooms-no-project") {
                    p { strong { "Welcome to Earshot." } " No project is configured yet: add a LiveKit server, or import the projects the lk CLI knows." }
                    div(class="actions centered") {
                        button(r#type="button", class="primary", data-testid="start-projects", on:click=move |_| go(&Route::Projects)) { "Set up a project" }
                    }
                    p(class="muted") { "Trying Earshot from its source? " span(class="mono") { "./scripts/run.sh" } " starts a local LiveKit dev server with demo calls and adds it." }
                }
            }
        } else {
            view! {}
        })
    }
}

#[component]
fn Nav() -> View {
    let state = app_state();
    let route = route();
    let listen = listen();
    let live = create_memo(move || listen.active_count());
    let wall = wallboard();
    let problems = create_memo(move || {
        state
            .projects
            .with(|v| v.as_ref().map_or(0, |v| v.problems.len()))
    });
    let links = Page::ALL
        .into_iter()
        .map(|page| {
            view! {
                button(
                    r#type="button",
                    class=move || if route.with(Route::page) == Some(page) { "nav-link active" } else { "nav-link" },
                    data-testid=page.test_id(),
                    on:click=move |_| go(&page.route(state.current_project(&route.get_clone()).as_deref())),
                ) {
                    (page.title())
                    (if page == Page::Projects && problems.get() > 0 {
                        view! {
                            span(class="badge warn", data-testid="settings-problems-badge",
                                title="Some settings could not be read") { (problems.get()) }
                        }
                    } else if page == Page::Alerts && wall.unseen_alerts.get() > 0 {
                        view! {
                            span(class="badge warn", data-testid="alerts-badge",
                                title="New alerts") { (wall.unseen_alerts.get()) }
                        }
                    } else if page == Page::Listen && live.get() > 0 {
                        view! {
                            span(class="badge accent", data-testid="listen-badge",
                                title="Rooms you are listening to") { (live.get()) }
                        }
                    } else {
                        view! {}
                    })
                }
            }
        })
        .collect::<Vec<_>>();
    view! { nav(class="nav") { (links) } }
}

#[component]
fn Footer() -> View {
    let state = app_state();
    view! {
        footer(class="footer") {
            (state.notice.get_clone().map(|n| {
                let class = if n.is_error { "notice error" } else { "notice" };
                view! {
                    span(class=class, data-testid="notice") { (n.text) }
                    button(r#type="button", class="link", on:click=move |_| state.notice.set(None)) { "dismiss" }
                }
            }).unwrap_or_default())
        }
    }
}
