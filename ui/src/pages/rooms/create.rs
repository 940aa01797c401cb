//! The create-room dialog: every CreateRoom option, validated inline before anything is sent.

use crate::components::dialog::Dialog;
use crate::components::fields::{clear_on_edit, field_error, optional_u32, route_error};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::admin::{self, RoomOptions};
use earshot_protocol::command::CreateRoom;
use earshot_protocol::fields::MAX_METADATA_BYTES;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[component(inline_props)]
pub fn CreateRoomDialog<F: Fn(Option<String>) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    on_close: F,
) -> View {
    let state = app_state();
    let name = create_signal(String::new());
    let empty_timeout = create_signal(String::new());
    let departure_timeout = create_signal(String::new());
    let max_participants = create_signal(String::new());
    let metadata = create_signal(String::new());
    let min_delay = create_signal(String::new());
    let max_delay = create_signal(String::new());
    let sync_streams = create_signal(false);
    let node_id = create_signal(String::new());
    let egress_json = create_signal(String::new());
    let agents_json = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let busy = create_signal(false);
    for (field, value) in [
        ("name", name),
        ("empty_timeout", empty_timeout),
        ("departure_timeout", departure_timeout),
        ("max_participants", max_participants),
        ("metadata", metadata),
        ("min_playout_delay", min_delay),
        ("max_playout_delay", max_delay),
        ("node_id", node_id),
        ("egress_json", egress_json),
        ("agents_json", agents_json),
    ] {
        clear_on_edit(errors, field, value);
    }

    let collect = move || -> Result<RoomOptions, Vec<AppError>> {
        let mut errs = Vec::new();
        let mut num = |raw: Signal<String>, field| {
            optional_u32(&raw.get_clone(), field).unwrap_or_else(|e| {
                errs.push(e);
                None
            })
        };
        let options = RoomOptions {
            name: name.get_clone(),
            empty_timeout: num(empty_timeout, "empty_timeout"),
            departure_timeout: num(departure_timeout, "departure_timeout"),
            max_participants: num(max_participants, "max_participants"),
            min_playout_delay: num(min_delay, "min_playout_delay"),
            max_playout_delay: num(max_delay, "max_playout_delay"),
            metadata: metadata.get_clone(),
            sync_streams: sync_streams.get(),
            node_id: node_id.get_clone(),
            egress_json: egress_json.get_clone(),
            agents_json: agents_json.get_clone(),
        };
        errs.extend(admin::room_options(&options));
        if errs.is_empty() {
            Ok(options)
        } else {
            Err(errs)
        }
    };
    let submit = move |_| {
        if busy.get() {
            return;
        }
        error.set(None);
        let options = match collect() {
            Ok(o) => o,
            Err(errs) => return errors.set(errs),
        };
        errors.set(Vec::new());
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&CreateRoom {
                project: project.get_clone(),
                options,
            })
            .await;
            busy.set(false);
            match result {
                Ok(room) => {
                    state.tell(format!("Room “{}” created.", room.name));
                    on_close(Some(room.name));
                }
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    let meta_size = move || {
        let n = metadata.with(String::len);
        format!("{n} / {MAX_METADATA_BYTES} bytes")
    };

    view! {
        Dialog(title="Create a room".to_owned(), test_id="create-room-dialog") {
            div(class="form") {
                label(r#for="room-name") { "Name" }
                input(id="room-name", bind:value=name, autocomplete="off")
                (field_error(errors, "name"))
                div(class="cols") {
                    div {
                        label(r#for="room-empty-timeout") { "Empty timeout (s)" }
                        input(id="room-empty-timeout", bind:value=empty_timeout, inputmode="numeric")
                        (field_error(errors, "empty_timeout"))
                    }
                    div {
                        label(r#for="room-departure-timeout") { "Departure timeout (s)" }
                        input(id="room-departure-timeout", bind:value=departure_timeout, inputmode="numeric")
                        (field_error(errors, "departure_timeout"))
                    }
                    div {
                        label(r#for="room-max-participants") { "Max participants" }
                        input(id="room-max-participants", bind:value=max_participants, inputmode="numeric")
                        (field_error(errors, "max_participants"))
                    }
                }
                div(class="cols") {
                    div {
                        label(r#for="room-min-delay") { "Min playout delay (ms)" }
                        input(id="room-min-delay", bind:value=min_delay, inputmode="numeric")
                        (field_error(errors, "min_playout_delay"))
                    }
                    div {
                        label(r#for="room-max-delay") { "Max playout delay (ms)" }
                        input(id="room-max-delay", bind:value=max_delay, inputmode="numeric")
                        (field_error(errors, "max_playout_delay"))
                    }
                    div {
                        label(r#for="room-node") { "Node id" }
                        input(id="room-node", bind:value=node_id)
                        (field_error(errors, "node_id"))
                    }
                }
                label(class="check") {
                    input(r#type="checkbox", bind:checked=sync_streams)
                    " Sync streams (align audio and video of each participant)"
                }
                label(r#for="room-metadata") { "Metadata " span(class="muted") { (meta_size()) } }
                textarea(id="room-metadata", bind:value=metadata, rows="3")
                (field_error(errors, "metadata"))
                label(r#for="room-egress") { "Auto egress (RoomEgress JSON)" }
                textarea(id="room-egress", bind:value=egress_json, rows="2",
                    placeholder="{\"room\": {\"file_outputs\": [{\"filepath\": \"calls/{room_name}.mp4\"}]}}")
                (field_error(errors, "egress_json"))
                label(r#for="room-agents") { "Agent dispatch (JSON array)" }
                textarea(id="room-agents", bind:value=agents_json, rows="2",
                    placeholder="[{\"agent_name\": \"notes\", \"metadata\": \"\"}]")
                (field_error(errors, "agents_json"))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Creating…" } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(None)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="room-create-submit", disabled=busy.get(), on:click=submit) { "Create" }
                }
            }
        }
    }
}
