//! The projects page: every configured LiveKit project, with add / edit / remove / default /
//! check, import from the `lk` CLI, and the settings entries that could not be read.

mod form;
mod import;

use crate::components::dialog::Confirm;
use crate::ipc::invoke;
use crate::routes::{go, Param, Route};
use crate::state::app_state;
use earshot_protocol::command::{CheckProject, RemoveProject, SetDefaultProject};
use earshot_protocol::projects::{ProjectSummary, SettingsProblem};
use form::{FormMode, ProjectForm};
use import::ImportDialog;
use std::collections::HashMap;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// The dialog open on this page, if any.
#[derive(Clone, PartialEq)]
enum Modal {
    None,
    Form(FormMode),
    Import,
    Remove(ProjectSummary),
}

#[component]
pub fn ProjectsPage() -> View {
    let state = app_state();
    let modal = create_signal(Modal::None);
    // Connection check results per project id: (ok, text).
    let checks = create_signal(HashMap::<String, (bool, String)>::new());
    let close = move || modal.set(Modal::None);

    let projects = create_memo(move || {
        state
            .projects
            .with(|v| v.as_ref().map(|v| v.projects.clone()).unwrap_or_default())
    });
    let problems = create_memo(move || {
        state
            .projects
            .with(|v| v.as_ref().map(|v| v.problems.clone()).unwrap_or_default())
    });

    let check = move |id: String| {
        checks.update(|c| {
            c.insert(id.clone(), (true, "Checking…".into()));
        });
        spawn_local_scoped(async move {
            let result = match invoke(&CheckProject { id: id.clone() }).await {
                Ok(r) => (
                    true,
                    format!("OK: {} room(s), {} ms", r.rooms, r.round_trip_ms),
                ),
                Err(err) => (false, err.message),
            };
            checks.update(|c| {
                c.insert(id, result);
            });
        });
    };
    let make_default = move |id: String| {
        spawn_local_scoped(async move {
            match invoke(&SetDefaultProject { id }).await {
                Ok(view) => {
                    state.set_projects(view);
                    state.tell("Default project changed.");
                }
                Err(err) => state.fail(&err),
            }
        });
    };
    let remove = move |project: ProjectSummary| {
        modal.set(Modal::None);
        spawn_local_scoped(async move {
            match invoke(&RemoveProject { id: project.id }).await {
                Ok(view) => {
                    state.set_projects(view);
                    state.tell(format!("Project “{}” removed.", project.name));
                }
                Err(err) => state.fail(&err),
            }
        });
    };

    view! {
        section(class="projects") {
            div(class="page-head") {
                h1 { "Projects" }
                div(class="actions") {
                    button(r#type="button", data-testid="import-cli",
                        on:click=move |_| modal.set(Modal::Import)) { "Import from lk CLI" }
                    button(r#type="button", class="primary", data-testid="add-project",
                        on:click=move |_| modal.set(Modal::Form(FormMode::Add))) { "Add project" }
                }
            }
            (if problems.with(Vec::is_empty) { view! {} } else { view! { Problems(problems=problems) } })
            (state.projects_error.get_clone().map(|err| view! {
                p(class="banner error", data-testid="projects-error") { (err.message) }
            }).unwrap_or_default())
            (if projects.with(Vec::is_empty) && state.projects.with(Option::is_some) {
                view! {
                    div(class="empty first-run", data-testid="projects-empty") {
                        p { strong { "No project yet." } " A project is one LiveKit server (Cloud or self-hosted) with an API key; its secret goes to the system keychain." }
                        div(class="actions centered") {
                            button(r#type="button", class="primary", data-testid="first-add",
                                on:click=move |_| modal.set(Modal::Form(FormMode::Add))) { "Add project" }
                            button(r#type="button", data-testid="first-import",
                                on:click=move |_| modal.set(Modal::Import)) { "Import from lk CLI" }
                        }
                        p(class="muted") { "Trying Earshot from its source? " span(class="mono") { "./scripts/run.sh" } " starts a local LiveKit dev server with demo calls and adds it here." }
                    }
                }
            } else {
                view! {}
            })
            // Headers only over rows: the empty state above says what to do first.
            table(class=if projects.with(Vec::is_empty) { "grid hidden" } else { "grid" }) {
                thead { tr { th { "Name" } th { "Server" } th { "API key" } th { "Connection" } th {} } }
                tbody {
                    Keyed(
                        list=projects,
                        // Every field the row or its Edit dialog shows: a row kept across an
                        // edit would open the dialog with the old values.
                        key=|p: &ProjectSummary| (
                            (p.id.clone(), p.name.clone(), p.url.clone(), p.api_key.clone()),
                            (p.is_default, p.allow_plaintext),
                            (p.guardrails.max_listen_minutes, p.guardrails.max_monitors_per_room),
                        ),
                        view=move |p: ProjectSummary| {
                            let id = p.id.clone();
                            let (id_check, id_default, id_use) = (id.clone(), id.clone(), id.clone());
                            let (edit, del) = (p.clone(), p.clone());
                            let (attr_name, label, url, key) = (p.name.clone(), p.name.clone(), p.url.clone(), p.api_key.clone());
                            let is_default = p.is_default;
                            view! {
                                tr(data-testid="project-row", data-project-name=attr_name) {
                                    td {
                                        strong { (label) }
                                        (if is_default { view! { span(class="badge", title="Opened at start-up") { "default" } } } else { view! {} })
                                    }
                                    td(class="mono") { (url) }
                                    td(class="mono") { (key) }
                                    td(class="check-result", data-testid="project-check-result") {
                                        (checks.with(|c| c.get(&id).cloned()).map(|(ok, text)| {
                                            let class = if ok { "ok" } else { "error" };
                                            view! { span(class=class) { (text) } }
                                        }).unwrap_or_default())
                                    }
                                    // The cell stays a table cell (a flex cell would cut the row's line short).
                                    td {
                                        div(class="row-actions") {
                                            button(r#type="button", data-testid="project-use",
                                                on:click=move |_| go(&Route::Rooms { project: Param(id_use.clone()) })) { "Open" }
                                            button(r#type="button", data-testid="project-check", on:click=move |_| check(id_check.clone())) { "Check" }
                                            (if is_default { view! {} } else {
                                                let id = id_default.clone();
                                                view! { button(r#type="button", data-testid="project-default", on:click=move |_| make_default(id.clone())) { "Make default" } }
                                            })
                                            button(r#type="button", data-testid="project-edit", on:click=move |_| modal.set(Modal::Form(FormMode::Edit(edit.clone())))) { "Edit" }
                                            button(r#type="button", class="danger", data-testid="project-remove", on:click=move |_| modal.set(Modal::Remove(del.clone()))) { "Remove" }
                                        }
                                    }
                                }
                            }
                        },
                    )
                }
            }
            (match modal.get_clone() {
                Modal::None => view! {},
                Modal::Form(mode) => view! { ProjectForm(mode=mode, on_close=close) },
                Modal::Import => view! { ImportDialog(on_close=close) },
                Modal::Remove(project) => {
                    let message = format!(
                        "Remove “{}”? Its API secret is deleted from the OS keychain. Rooms on the server are not touched.",
                        project.name
                    );
                    view! {
                        Confirm(
                            title="Remove project".to_owned(),
                            message=message,
                            ok_label="Remove".to_owned(),
                            on_ok=move || remove(project.clone()),
                            on_cancel=close,
                        )
                    }
                }
            })
        }
    }
}

#[component(inline_props)]
fn Problems(problems: ReadSignal<Vec<SettingsProblem>>) -> View {
    view! {
        div(class="banner warn", data-testid="settings-problems", role="alert") {
            p { "Some saved settings could not be read. They were left as they are in the settings file; fix or remove them there:" }
            ul {
                Indexed(
                    list=problems,
                    view=|p: SettingsProblem| view! { li { code { (p.entry) } ": " (p.reason) } },
                )
            }
        }
    }
}
