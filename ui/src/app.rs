//! The app frame: header with navigation and project switcher, the current page, notices.

use crate::components::switcher::ProjectSwitcher;
use crate::pages::agents::AgentsPage;
use crate::pages::egress::EgressPage;
use crate::pages::ingress::IngressPage;
use crate::pages::sip::SipPage;
use crate::pages::{projects::ProjectsPage, rooms::RoomsPage, tokens::TokensPage};
use crate::routes::Page;
use crate::state::{app_state, AppState};
use sycamore::prelude::*;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
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
