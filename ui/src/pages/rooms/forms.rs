//! The room detail's forms: the room metadata editor (JSON-aware, size shown) and sending
//! a data message (topic, reliable or lossy, destination identities).

use crate::components::fields::{field_error, route_error};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::admin::{self, DataMessage, RoomDetail};
use earshot_protocol::command::{SendData, UpdateRoomMetadata};
use earshot_protocol::AppError;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[component(inline_props)]
pub fn MetadataEditor(
    room: Signal<String>,
    detail: Signal<Option<Result<RoomDetail, AppError>>>,
    poke: Signal<u32>,
) -> View {
    let state = app_state();
    let editing = create_signal(false);
    let text = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let start = move |_| {
        let current = detail.with(|d| {
            d.as_ref()
                .and_then(|d| d.as_ref().ok())
                .map(|d| d.room.metadata.clone())
        });
        text.set(current.unwrap_or_default());
        editing.set(true);
    };
    let save = move |_| {
        let metadata = text.get_clone();
        if let Err(e) = admin::metadata_field(&metadata, "metadata") {
            return errors.set(vec![e]);
        }
        errors.set(Vec::new());
        spawn_local_scoped(async move {
            match invoke(&UpdateRoomMetadata {
                project: None,
                room: room.get_clone(),
                metadata,
            })
            .await
            {
                Ok(_) => {
                    editing.set(false);
                    state.tell("Room metadata saved.");
                    poke.set(poke.get().wrapping_add(1));
                }
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    view! {
        div(class="subpanel") {
            (if editing.get() {
                view! {
                    div(class="form") {
                        label(r#for="room-metadata-text") { "Room metadata " span(class="muted") { (text.with(String::len)) " / " (admin::MAX_METADATA_BYTES) " bytes" } }
                        textarea(id="room-metadata-text", rows="4", bind:value=text)
                        (field_error(errors, "metadata"))
                        (error.get_clone().map(|e| view! { p(class="form-error") { (e.message) } }).unwrap_or_default())
                        div(class="actions") {
                            button(r#type="button", on:click=move |_| editing.set(false)) { "Cancel" }
                            button(r#type="button", class="primary", data-testid="room-metadata-save", on:click=save) { "Save metadata" }
                        }
                    }
                }
            } else {
                let current = detail.with(|d| d.as_ref().and_then(|d| d.as_ref().ok()).map(|d| d.room.metadata.clone())).unwrap_or_default();
                view! {
                    p { "Metadata: " span(class="mono") { (if current.is_empty() { "(none)".to_owned() } else { current.clone() }) } " "
                        button(r#type="button", class="small", data-testid="room-metadata-edit", on:click=start) { "Edit" } }
                }
            })
        }
    }
}

#[component(inline_props)]
pub fn SendDataForm(room: Signal<String>) -> View {
    let state = app_state();
    let topic = create_signal(String::new());
    let payload = create_signal(String::new());
    let reliable = create_signal(true);
    let to = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let send = move |_| {
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
        if !errs.is_empty() {
            return errors.set(errs);
        }
        errors.set(Vec::new());
        error.set(None);
        spawn_local_scoped(async move {
            match invoke(&SendData {
                project: None,
                room: room.get_clone(),
                message,
            })
            .await
            {
                Ok(()) => state.tell("Data message sent."),
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    view! {
        details(class="subpanel") {
            summary { "Send a data message" }
            div(class="form") {
                div(class="cols") {
                    div { label(r#for="data-topic") { "Topic" } input(id="data-topic", bind:value=topic) (field_error(errors, "topic")) }
                    div { label(r#for="data-to") { "To (identities, comma-separated; empty = everyone)" } input(id="data-to", bind:value=to) (field_error(errors, "destination_identities")) }
                }
                label(r#for="data-payload") { "Message" }
                textarea(id="data-payload", rows="2", bind:value=payload)
                (field_error(errors, "payload"))
                label(class="check") { input(r#type="checkbox", bind:checked=reliable) " Reliable (ordered, retransmitted); off = lossy" }
                (error.get_clone().map(|e| view! { p(class="form-error") { (e.message) } }).unwrap_or_default())
                div(class="actions") { button(r#type="button", class="primary", data-testid="data-send", on:click=send) { "Send" } }
            }
        }
    }
}
