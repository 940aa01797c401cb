//! The project selector in the header: shows the project the window works on (the route's,
//! else the default one) and changing it goes to the same page of the other project.

use crate::routes::{go, route, Page, Route};
use crate::state::app_state;
use earshot_protocol::projects::ProjectSummary;
use sycamore::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn ProjectSwitcher() -> View {
    let state = app_state();
    let route = route();
    let projects = create_memo(move || {
        let current = state.current_project(&route.get_clone());
        state
            .projects
            .with(|v| v.as_ref().map(|v| (v.projects.clone(), current)))
    });
    view! {
        (match projects.get_clone() {
            Some((list, current)) if !list.is_empty() => {
                let current = current.unwrap_or_default();
                let options = list.into_iter().map(|p| option(p, &current)).collect::<Vec<_>>();
                view! {
                    label(class="switcher") {
                        span(class="muted") { "Project" }
                        select(
                            data-testid="project-switcher",
                            data-project=current.clone(),
                            on:change=move |ev: web_sys::Event| {
                                if let Some(select) = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                                {
                                    // Pages of no project (wallboard, alerts) open the rooms.
                                    let page = route
                                        .with_untracked(Route::page)
                                        .filter(|p| p.has_project())
                                        .unwrap_or(Page::Rooms);
                                    go(&page.route(Some(&select.value())));
                                }
                            },
                        ) { (options) }
                    }
                }
            }
            Some(_) => view! {
                button(r#type="button", class="link", data-testid="switcher-add",
                    on:click=move |_| go(&Route::Projects)) { "Add a project" }
            },
            None => view! {},
        })
    }
}

fn option(p: ProjectSummary, current: &str) -> View {
    let selected = p.id == current;
    let (id, name) = (p.id, p.name);
    view! { option(value=id, selected=selected) { (name) } }
}
