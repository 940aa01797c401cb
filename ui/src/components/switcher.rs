//! The project switcher in the header: which project the pages work on.

use crate::state::app_state;
use earshot_protocol::projects::ProjectSummary;
use sycamore::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn ProjectSwitcher() -> View {
    let state = app_state();
    let projects = create_memo(move || {
        state
            .projects
            .with(|v| v.as_ref().map(|v| (v.projects.clone(), v.current.clone())))
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
                            on:change=move |ev: web_sys::Event| {
                                if let Some(select) = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                                {
                                    state.switch_to(select.value());
                                }
                            },
                        ) { (options) }
                    }
                }
            }
            Some(_) => view! {
                button(r#type="button", class="link", data-testid="switcher-add",
                    on:click=move |_| state.page.set(crate::routes::Page::Projects)) { "Add a project" }
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
