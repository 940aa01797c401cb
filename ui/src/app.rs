//! The app frame: header with navigation and project switcher, the current page, notices.

use crate::components::switcher::ProjectSwitcher;
use crate::listening::{listening, Listening};
use crate::monitoring::{monitoring, Monitoring};
use crate::pages::{
    agents::AgentsPage, alerts::AlertsPage, egress::EgressPage, ingress::IngressPage,
    listen::ListenPage, projects::ProjectsPage, rooms::RoomsPage, sip::SipPage, tokens::TokensPage,
    wallboard::WallboardPage,
};
use crate::routes::Page;
use crate::state::{app_state, AppState};
use sycamore::prelude::*;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
    let listen = Listening::new();
    provide_context(listen);
    listen.attach();
    let mon = Monitoring::new();
    provide_context(mon);
    mon.attach();
    state.reload_projects();
    view! {
        div(class="frame") {
            header(class="topbar") {
                span(class="brand") { "Earshot" }
                Nav {}
                ProjectSwitcher {}
            }
            main(class="page") {
                (match state.page.get() {
                    Page::Rooms => view! { RoomsPage {} },
                    Page::Listen => view! { ListenPage {} },
                    Page::Wallboard => view! { WallboardPage {} },
                    Page::Alerts => view! { AlertsPage {} },
                    Page::Tokens => view! { TokensPage {} },
                    Page::Projects => view! { ProjectsPage {} },
                    Page::Sip => view! { SipPage {} },
                    Page::Agents => view! { AgentsPage {} },
                    Page::Ingress => view! { IngressPage {} },
                    Page::Egress => view! { EgressPage {} },
                })
            }
            Footer {}
        }
    }
}

#[component]
fn Nav() -> View {
    let state = app_state();
    let listen = listening();
    let live = create_memo(move || listen.active_count());
    let mon = monitoring();
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
                    class=if state.page.get() == page { "nav-link active" } else { "nav-link" },
                    data-testid=page.test_id(),
                    on:click=move |_| state.page.set(page),
                ) {
                    (page.title())
                    (if page == Page::Projects && problems.get() > 0 {
                        view! {
                            span(class="badge warn", data-testid="settings-problems-badge",
                                title="Some settings could not be read") { (problems.get()) }
                        }
                    } else if page == Page::Alerts && mon.unseen_alerts.get() > 0 {
                        view! {
                            span(class="badge warn", data-testid="alerts-badge",
                                title="New alerts") { (mon.unseen_alerts.get()) }
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
