//! The add / edit project dialog: inline validation as in the backend, a connection check,
//! and "save anyway" when only the connection failed.

use crate::components::dialog::Dialog;
use crate::components::fields::{clear_on_edit, field_error};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{AddProject, CheckProjectInput, UpdateProject};
use earshot_protocol::guardrails::Guardrails;
use earshot_protocol::projects::{ProjectInput, ProjectSummary};
use earshot_protocol::{validate, AppError, SecretInput};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// What the dialog does.
#[derive(Clone, PartialEq)]
pub enum FormMode {
    Add,
    Edit(ProjectSummary),
}

#[derive(Clone, Copy)]
struct Form {
    name: Signal<String>,
    url: Signal<String>,
    key: Signal<String>,
    secret: Signal<String>,
    /// Plain `ws://` to a non-local host allowed (see [`ProjectInput::allow_plaintext`]).
    plaintext: Signal<bool>,
    /// The monitoring limits as typed (whole numbers; 0 = no limit).
    limit_minutes: Signal<String>,
    monitors: Signal<String>,
    /// Errors shown next to their field.
    field_errors: Signal<Vec<AppError>>,
    /// The error of the last attempt that belongs to no field.
    error: Signal<Option<AppError>>,
    /// What is going on right now ("Checking the connection…").
    progress: Signal<Option<&'static str>>,
    /// Result of "Test connection".
    checked: Signal<Option<String>>,
}

impl Form {
    fn input(self) -> ProjectInput {
        ProjectInput {
            name: self.name.get_clone(),
            url: self.url.get_clone(),
            api_key: self.key.get_clone(),
            api_secret: SecretInput::new(self.secret.get_clone()),
            allow_plaintext: self.plaintext.get(),
            guardrails: Guardrails {
                // Not a whole number: out of range, so the range's message shows.
                max_listen_minutes: whole(&self.limit_minutes.get_clone()),
                max_monitors_per_room: whole(&self.monitors.get_clone()),
            },
        }
    }

    /// The host that plain `ws://` would reach unencrypted, if the URL typed is such.
    fn plaintext_host(self) -> Option<String> {
        let url = validate::server_url(&self.url.get_clone()).ok()?;
        validate::plaintext_public_host(&url).map(str::to_owned)
    }

    /// Validates like the backend does; `false` (with the errors shown) when invalid.
    fn validate(self, secret_required: bool) -> bool {
        self.error.set(None);
        self.checked.set(None);
        match validate::project_form(&self.input(), secret_required) {
            Ok(_) => {
                self.field_errors.set(Vec::new());
                true
            }
            Err(errors) => {
                self.field_errors.set(errors);
                false
            }
        }
    }

    fn failed(self, err: AppError) {
        if err.field.is_some() {
            self.field_errors.set(vec![err]);
        } else {
            self.error.set(Some(err));
        }
    }
}

/// A whole number typed in a limit field; anything else reads as out of range.
fn whole(raw: &str) -> u32 {
    raw.trim().parse().unwrap_or(u32::MAX)
}

#[component(inline_props)]
pub fn ProjectForm<F: Fn() + Copy + 'static>(mode: FormMode, on_close: F) -> View {
    let state = app_state();
    let (title, id, editing) = match &mode {
        FormMode::Add => ("Add a project".to_owned(), None, None),
        FormMode::Edit(p) => (
            format!("Edit {}", p.name),
            Some(p.id.clone()),
            Some(p.clone()),
        ),
    };
    let limits = editing.as_ref().map(|p| p.guardrails).unwrap_or_default();
    let form = Form {
        name: create_signal(editing.as_ref().map(|p| p.name.clone()).unwrap_or_default()),
        url: create_signal(editing.as_ref().map(|p| p.url.clone()).unwrap_or_default()),
        key: create_signal(
            editing
                .as_ref()
                .map(|p| p.api_key.clone())
                .unwrap_or_default(),
        ),
        secret: create_signal(String::new()),
        plaintext: create_signal(editing.as_ref().is_some_and(|p| p.allow_plaintext)),
        limit_minutes: create_signal(limits.max_listen_minutes.to_string()),
        monitors: create_signal(limits.max_monitors_per_room.to_string()),
        field_errors: create_signal(Vec::new()),
        error: create_signal(None),
        progress: create_signal(None),
        checked: create_signal(None),
    };
    let adding = editing.is_none();
    let id = create_signal(id);
    for (field, value) in [
        ("name", form.name),
        ("url", form.url),
        ("api_key", form.key),
        ("api_secret", form.secret),
        ("max_listen_minutes", form.limit_minutes),
        ("max_monitors_per_room", form.monitors),
    ] {
        clear_on_edit(form.field_errors, field, value);
    }

    let save = move |verify: bool| {
        if form.progress.get().is_some() || !form.validate(adding) {
            return;
        }
        form.progress.set(Some(if verify {
            "Checking the connection, then saving…"
        } else {
            "Saving…"
        }));
        spawn_local_scoped(async move {
            let input = form.input();
            let result = match id.get_clone() {
                None => invoke(&AddProject { input, verify }).await,
                Some(id) => invoke(&UpdateProject { id, input, verify }).await,
            };
            form.progress.set(None);
            match result {
                Ok(project) => {
                    form.secret.set(String::new());
                    state.tell(if adding {
                        format!("Project “{}” added.", project.name)
                    } else {
                        format!("Project “{}” saved.", project.name)
                    });
                    state.reload_projects();
                    on_close();
                }
                Err(err) => form.failed(err),
            }
        });
    };
    let test = move |_| {
        if form.progress.get().is_some() || !form.validate(adding) {
            return;
        }
        form.progress.set(Some("Checking the connection…"));
        spawn_local_scoped(async move {
            let result = invoke(&CheckProjectInput {
                input: form.input(),
                id: id.get_clone(),
            })
            .await;
            form.progress.set(None);
            match result {
                Ok(report) => form.checked.set(Some(format!(
                    "Connected: {} room(s) listed in {} ms.",
                    report.rooms, report.round_trip_ms
                ))),
                Err(err) => form.failed(err),
            }
        });
    };
    let secret_hint = if adding {
        "Stored in the OS keychain only."
    } else {
        "Leave empty to keep the stored secret."
    };

    view! {
        Dialog(title=title, test_id="project-dialog") {
            form(class="form", on:submit=move |ev: web_sys::SubmitEvent| {
                ev.prevent_default();
                save(true);
            }) {
                label(r#for="project-name") { "Name" }
                input(id="project-name", bind:value=form.name, placeholder="Production", autocomplete="off")
                (field_error(form.field_errors, "name"))

                label(r#for="project-url") { "Server URL" }
                input(id="project-url", bind:value=form.url, placeholder="wss://my-project.livekit.cloud", autocomplete="off")
                (field_error(form.field_errors, "url"))
                (form.plaintext_host().map(|host| view! {
                    label(class="check warning", data-testid="project-plaintext") {
                        input(r#type="checkbox", id="project-plaintext", bind:checked=form.plaintext)
                        " Allow an unencrypted connection: tokens and admin calls to "
                        strong { (host) }
                        " cross the network in the clear. Only on a network you trust."
                    }
                }).unwrap_or_default())

                label(r#for="project-key") { "API key" }
                input(id="project-key", bind:value=form.key, autocomplete="off")
                (field_error(form.field_errors, "api_key"))

                label(r#for="project-secret") { "API secret" }
                input(id="project-secret", r#type="password", bind:value=form.secret, autocomplete="off",
                    placeholder=secret_hint)
                (field_error(form.field_errors, "api_secret"))

                fieldset(class="limits", data-testid="project-limits") {
                    legend { "Monitoring limits (0 = none)" }
                    label(r#for="project-limit-minutes") { "Longest listen or room view, minutes" }
                    input(id="project-limit-minutes", inputmode="numeric", bind:value=form.limit_minutes, autocomplete="off")
                    (field_error(form.field_errors, "max_listen_minutes"))
                    label(r#for="project-monitors") { "Earshot listeners allowed per room (all installations)" }
                    input(id="project-monitors", inputmode="numeric", bind:value=form.monitors, autocomplete="off")
                    (field_error(form.field_errors, "max_monitors_per_room"))
                }

                (form.progress.get().map(|text| view! {
                    p(class="progress", data-testid="form-progress") { span(class="spinner") (text) }
                }).unwrap_or_default())
                (form.checked.get_clone().map(|text| view! {
                    p(class="ok", data-testid="form-check-result") { (text) }
                }).unwrap_or_default())
                (form.error.get_clone().map(|err| {
                    let offer = err.code.is_connection_problem();
                    view! {
                        div(class="form-error", role="alert") {
                            p(data-testid="form-error") { (err.message.clone()) }
                            (if offer {
                                view! {
                                    button(r#type="button", class="secondary", data-testid="project-save-anyway",
                                        on:click=move |_| save(false)) { "Save without checking" }
                                }
                            } else {
                                view! {}
                            })
                        }
                    }
                }).unwrap_or_default())

                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close()) { "Cancel" }
                    button(r#type="button", class="secondary", data-testid="project-test", on:click=test,
                        disabled=form.progress.get().is_some()) { "Test connection" }
                    button(r#type="submit", class="primary", data-testid="project-save",
                        disabled=form.progress.get().is_some()) { "Save" }
                }
            }
        }
    }
}
