//! Import from the `lk` CLI: lists the projects in its config file and imports the chosen
//! ones. Secrets move from that file to the keychain inside the backend, never through here.

use crate::components::dialog::Dialog;
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{ChooseCliConfig, ImportCliProjects, ScanCliConfig};
use earshot_protocol::projects::{CliProject, CliScan, ImportReport};
use earshot_protocol::AppError;
use std::collections::BTreeSet;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[component(inline_props)]
pub fn ImportDialog<F: Fn() + Copy + 'static>(on_close: F) -> View {
    let state = app_state();
    let scan = create_signal(None::<CliScan>);
    let error = create_signal(None::<AppError>);
    let chosen = create_signal(BTreeSet::<String>::new());
    let busy = create_signal(false);
    let report = create_signal(None::<ImportReport>);

    // Preselects what can be imported and is not there yet.
    let show = move |found: CliScan| {
        chosen.set(
            found
                .projects
                .iter()
                .filter(|p| p.problem.is_none() && !p.already_imported)
                .map(|p| p.name.clone())
                .collect(),
        );
        scan.set(Some(found));
        error.set(None);
    };
    let rescan = move || {
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&ScanCliConfig {}).await;
            busy.set(false);
            match result {
                Ok(found) => show(found),
                Err(err) => {
                    scan.set(None);
                    error.set(Some(err));
                }
            }
        });
    };
    // The file is picked in a native dialog by the backend: the page never names a path.
    let choose = move |_| {
        if busy.get() {
            return;
        }
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&ChooseCliConfig {}).await;
            busy.set(false);
            match result {
                Ok(Some(found)) => show(found),
                Ok(None) => {}
                Err(err) => error.set(Some(err)),
            }
        });
    };
    rescan();

    let import = move |_| {
        let names: Vec<String> = chosen.with(|c| c.iter().cloned().collect());
        if names.is_empty() || busy.get() {
            return;
        }
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&ImportCliProjects { names }).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    state.reload_projects();
                    report.set(Some(done));
                    rescan();
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };

    view! {
        Dialog(title="Import from the lk CLI".to_owned(), test_id="import-dialog") {
            div(class="form") {
                div(class="inline") {
                    span { "Config file " }
                    span(class="mono", data-testid="cli-path") {
                        (scan.with(|s| s.as_ref().map(|s| s.path.clone())).unwrap_or_else(|| "~/.livekit/cli-config.yaml".into()))
                    }
                    button(r#type="button", data-testid="cli-scan", on:click=move |_| rescan()) { "Read again" }
                    button(r#type="button", data-testid="cli-choose", on:click=choose) { "Choose file…" }
                }
                (error.get_clone().map(|err| view! {
                    p(class="form-error", data-testid="cli-error", role="alert") { (err.message) }
                }).unwrap_or_default())
                (if busy.get() {
                    view! { p(class="progress", data-testid="cli-progress") { span(class="spinner") "Working…" } }
                } else { view! {} })
                (scan.get_clone().map(|found| {
                    if found.projects.is_empty() {
                        return view! { p(class="muted") { "The file lists no projects." } };
                    }
                    let rows = found.projects.into_iter().map(|p| cli_row(p, chosen)).collect::<Vec<_>>();
                    view! { ul(class="choices") { (rows) } }
                }).unwrap_or_default())
                (report.get_clone().map(|r| {
                    let skipped = r.skipped.iter().map(|s| format!("{} ({})", s.entry, s.reason)).collect::<Vec<_>>();
                    let text = if skipped.is_empty() {
                        format!("Imported {} project(s).", r.imported.len())
                    } else {
                        format!("Imported {} project(s); skipped {}.", r.imported.len(), skipped.join(", "))
                    };
                    view! { p(class="ok", data-testid="cli-import-result") { (text) } }
                }).unwrap_or_default())
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close()) { "Close" }
                    button(r#type="button", class="primary", data-testid="cli-import-selected",
                        disabled=busy.get() || chosen.with(BTreeSet::is_empty), on:click=import) {
                        "Import selected (" (chosen.with(BTreeSet::len)) ")"
                    }
                }
            }
        }
    }
}

fn cli_row(p: CliProject, chosen: Signal<BTreeSet<String>>) -> View {
    let name = p.name.clone();
    let (attr_name, label, url) = (p.name.clone(), p.name.clone(), p.url.clone());
    let toggle_name = name.clone();
    let blocked = p.problem.is_some() || p.already_imported;
    let note = match (&p.problem, p.already_imported) {
        (Some(problem), _) => problem.clone(),
        (None, true) => "already in Earshot".to_owned(),
        (None, false) if p.is_cli_default => "lk default".to_owned(),
        _ => String::new(),
    };
    view! {
        li(data-testid="cli-project", data-name=attr_name) {
            label {
                input(r#type="checkbox", disabled=blocked,
                    checked=chosen.with(|c| c.contains(&name)),
                    on:change=move |_| chosen.update(|c| {
                        if !c.remove(&toggle_name) {
                            c.insert(toggle_name.clone());
                        }
                    }))
                strong { (label) }
                span(class="mono muted") { (url) }
                span(class="muted") { (note) }
            }
        }
    }
}
