//! The room detail's forms: the room metadata editor (JSON-aware, size shown) and sending
//! a data message (topic, reliable or lossy, destination identities). Each shows its
//! progress while the server answers (the button is disabled: no double send), then the
//! result beside the form.

use crate::components::fields::{field_error, Submission};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::admin::{self, DataMessage, RoomDetail};
use earshot_protocol::command::{SendData, UpdateRoomMetadata};
use earshot_protocol::fields;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use sycamore::prelude::*;

/// The form's progress line while `busy`, else its last result or error.
fn outcome(
    form: Submission,
    busy_text: &'static str,
    done: Signal<Option<String>>,
    test_id: &'static str,
) -> View {
    if form.busy.get() {
        return view! { p(class="progress", data-testid=format!("{test_id}-progress")) { span(class="spinner") (busy_text) } };
    }
    if let Some(e) = form.error.get_clone() {
        return view! { p(class="form-error", data-testid=format!("{test_id}-error")) { (e.message) } };
    }
    match done.get_clone() {
        Some(text) => {
            view! { p(class="result", data-testid=format!("{test_id}-result")) { (text) } }
        }
        None => view! {},
    }
}

#[component(inline_props)]
pub fn MetadataEditor(
    project: ReadSignal<ProjectId>,
    room: Signal<String>,
    detail: Signal<Option<Result<RoomDetail, AppError>>>,
    poke: Signal<u32>,
) -> View {
    let state = app_state();
    let editing = create_signal(false);
    let text = create_signal(String::new());
    let form = Submission::new();
    let errors = form.errors;
    let done = create_signal(None::<String>);
    let start = move |_| {
        let current = detail.with(|d| {
            d.as_ref()
                .and_then(|d| d.as_ref().ok())
                .map(|d| d.room.metadata.clone())
        });
        text.set(current.unwrap_or_default());
        done.set(None);
        editing.set(true);
    };
    let save = move |_| {
        done.set(None);
        form.run(
            move || {
                let metadata = text.get_clone();
                fields::metadata_field(&metadata, "metadata")
                    .map(|()| metadata)
                    .map_err(|e| vec![e])
            },
            move |metadata| async move {
                invoke(&UpdateRoomMetadata {
                    project: project.get_clone(),
                    room: room.get_clone(),
                    metadata,
                })
                .await
            },
            move |saved| {
                editing.set(false);
                let size = saved.metadata.len();
                done.set(Some(if size == 0 {
                    "Room metadata cleared.".to_owned()
                } else {
                    format!("Room metadata saved ({size} bytes).")
                }));
                state.tell("Room metadata saved.");
                poke.set(poke.get().wrapping_add(1));
            },
        );
    };
    view! {
        div(class="subpanel") {
            (if editing.get() {
                view! {
                    div(class="form") {
                        label(r#for="room-metadata-text") { "Room metadata " span(class="muted") { (text.with(String::len)) " / " (fields::MAX_METADATA_BYTES) " bytes" } }
                        textarea(id="room-metadata-text", rows="4", bind:value=text)
                        (field_error(errors, "metadata"))
                        (outcome(form, "Saving the metadata…", done, "room-metadata"))
                        div(class="actions") {
                            button(r#type="button", disabled=form.busy.get(), on:click=move |_| editing.set(false)) { "Cancel" }
                            button(r#type="button", class="primary", data-testid="room-metadata-save", disabled=form.busy.get(), on:click=save) {
                                (if form.busy.get() { "Saving…" } else { "Save metadata" })
                            }
                        }
                    }
                }
            } else {
                let current = detail.with(|d| d.as_ref().and_then(|d| d.as_ref().ok()).map(|d| d.room.metadata.clone())).unwrap_or_default();
                view! {
                    p { "Metadata: " span(class="mono") { (if current.is_empty() { "(none)".to_owned() } else { current.clone() }) } " "
                        button(r#type="button", class="small", data-testid="room-metadata-edit", on:click=start) { "Edit" } }
                    (outcome(form, "Saving the metadata…", done, "room-metadata"))
                }
            })
        }
    }
}

#[component(inline_props)]
pub fn SendDataForm(project: ReadSignal<ProjectId>, room: Signal<String>) -> View {
    let state = app_state();
    let topic = create_signal(String::new());
    let payload = create_signal(String::new());
    let reliable = create_signal(true);
    let to = create_signal(String::new());
    let form = Submission::new();
    let errors = form.errors;
    let done = create_signal(None::<String>);
    let collect = move || -> Result<DataMessage, Vec<AppError>> {
        let message = DataMessage {
            topic: topic.get_clone(),
            payload: payload.get_clone(),
            reliable: reliable.get(),
            destination_identities: to
                .get_clone()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        };
        let errs = admin::data_message(&message);
        if errs.is_empty() {
            Ok(message)
        } else {
            Err(errs)
        }
    };
    let send = move |_| {
        done.set(None);
        form.run(
            collect,
            move |message: DataMessage| async move {
                let summary = format!(
                    "{} message of {} bytes sent to {}{}.",
                    if message.reliable {
                        "Reliable"
                    } else {
                        "Lossy"
                    },
                    message.payload.len(),
                    if message.destination_identities.is_empty() {
                        "everyone in the room".to_owned()
                    } else {
                        message.destination_identities.join(", ")
                    },
                    if message.reliable {
                        ""
                    } else {
                        " (lossy: delivery is not confirmed)"
                    },
                );
                invoke(&SendData {
                    project: project.get_clone(),
                    room: room.get_clone(),
                    message,
                })
                .await
                .map(|()| summary)
            },
            move |summary| {
                state.tell("Data message sent.");
                done.set(Some(summary));
            },
        );
    };
    view! {
        details(class="subpanel") {
            summary(data-testid="data-open") { "Send a data message" }
            div(class="form") {
                div(class="cols") {
                    div { label(r#for="data-topic") { "Topic" } input(id="data-topic", bind:value=topic) (field_error(errors, "topic")) }
                    div { label(r#for="data-to") { "To (identities, comma-separated; empty = everyone)" } input(id="data-to", bind:value=to) (field_error(errors, "destination_identities")) }
                }
                label(r#for="data-payload") { "Message" }
                textarea(id="data-payload", rows="2", bind:value=payload)
                (field_error(errors, "payload"))
                label(class="check") { input(r#type="checkbox", bind:checked=reliable) " Reliable (ordered, retransmitted); off = lossy" }
                (outcome(form, "Sending…", done, "data"))
                div(class="actions") { button(r#type="button", class="primary", data-testid="data-send", disabled=form.busy.get(), on:click=send) {
                    (if form.busy.get() { "Sending…" } else { "Send" })
                } }
            }
        }
    }
}
