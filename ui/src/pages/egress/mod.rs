//! The egress page: recordings and streams (active and ended, by room), with stop, layout
//! and stream-URL changes; starting new ones; and the storage profiles they upload to.

mod start;
mod storage;

use crate::components::dialog::Confirm;
use crate::components::inputs;
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{
    DeleteStorageProfile, ListEgress, ListStorageProfiles, StopEgress, UpdateEgressLayout,
    UpdateEgressStream,
};
use earshot_protocol::egress::{EgressSummary, StorageSummary, LAYOUTS};
use earshot_protocol::AppError;
use start::StartEgressDialog;
use storage::StorageDialog;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[derive(Clone, PartialEq)]
enum Open {
    Start,
    Storage(Option<StorageSummary>),
}

#[component]
pub fn EgressPage() -> View {
    let state = app_state();
    let list = create_signal(Vec::<EgressSummary>::new());
    let storages = create_signal(Vec::<StorageSummary>::new());
    let error = create_signal(None::<AppError>);
    let room = create_signal(String::new());
    let active_only = create_signal(false);
    let reload = create_signal(0u32);
    let open = create_signal(None::<Open>);
    let stopping = create_signal(None::<String>);
    let removing = create_signal(None::<String>);
    let current = create_memo(move || state.current().map(|p| p.id));

    create_effect(move || {
        reload.track();
        let project = current.get_clone();
        if project.is_none() {
            return;
        }
        let r = room.get_clone_untracked();
        let room = (!r.trim().is_empty()).then(|| r.trim().to_owned());
        let active_only = active_only.get_untracked();
        spawn_local_scoped(async move {
            match invoke(&ListEgress {
                project: project.clone(),
                room,
                active_only,
            })
            .await
            {
                Ok(items) => {
                    list.set(items);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            match invoke(&ListStorageProfiles { project }).await {
                Ok(s) => storages.set(s),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let refresh = move || reload.set(reload.get() + 1);
    let stop = move || {
        let Some(id) = stopping.get_clone() else {
            return;
        };
        stopping.set(None);
        spawn_local_scoped(async move {
            match invoke(&StopEgress { project: None, id }).await {
                Ok(e) => state.tell(format!("Egress {} is {}.", e.id, e.status)),
                Err(e) => state.fail(&e),
            }
            refresh();
        });
    };
    let remove_storage = move || {
        let Some(name) = removing.get_clone() else {
            return;
        };
        removing.set(None);
        spawn_local_scoped(async move {
            match invoke(&DeleteStorageProfile {
                project: None,
                name,
            })
            .await
            {
                Ok(()) => state.tell("Storage profile and its credential deleted."),
                Err(e) => state.fail(&e),
            }
            refresh();
        });
    };
    let close = move |changed: bool| {
        open.set(None);
        if changed {
            refresh();
        }
    };

    view! {
        section(class="egress") {
            div(class="page-head") {
                h1 { "Egress" }
                div(class="actions") {
                    input(r#type="search", placeholder="Room (empty: all)", data-testid="egress-room-filter", bind:value=room)
                    (inputs::check("egress-active-only", "Active only", active_only))
                    button(r#type="button", data-testid="egress-refresh", on:click=move |_| refresh()) { "Refresh" }
                    button(r#type="button", class="primary", data-testid="egress-start", on:click=move |_| open.set(Some(Open::Start))) { "Start egress" }
                }
            }
            (error.get_clone().map(|e| view! { div(class="banner error", role="alert") { p(data-testid="egress-error") { (e.message) } } }).unwrap_or_default())
            table(class="grid") {
                thead { tr { th { "Id" } th { "Room" } th { "Kind" } th { "Status" } th { "Outputs" } th { "Layout / streams" } th {} } }
                tbody {
                    Keyed(list=list, key=|e: &EgressSummary| format!("{e:?}"), view=move |e: EgressSummary| egress_row(e, stopping, reload))
                }
            }
            (if list.with(Vec::is_empty) { view! { p(class="empty", data-testid="egress-empty") { "No egress matches." } } } else { view! {} })
            h2 { "Storage" }
            table(class="grid") {
                thead { tr { th { "Profile" } th { "Provider" } th { "Bucket" } th { "Credential" } th {} } }
                tbody {
                    Keyed(list=storages, key=|s: &StorageSummary| format!("{s:?}"), view=move |s: StorageSummary| {
                        let edit = s.clone();
                        let (name, row_name, del) = (s.profile.name.clone(), s.profile.name.clone(), s.profile.name.clone());
                        let (kind, bucket) = (s.profile.kind.clone(), s.profile.bucket.clone());
                        let cred = if s.has_credential { "in keychain" } else { "missing" };
                        view! {
                            tr(data-testid="storage-row", data-name=row_name) {
                                td { strong { (name) } } td { (kind) } td { (bucket) } td(data-testid="storage-credential") { (cred) }
                                td {
                                    button(r#type="button", class="link", on:click=move |_| open.set(Some(Open::Storage(Some(edit.clone()))))) { "Edit" }
                                    button(r#type="button", class="link danger", on:click=move |_| removing.set(Some(del.clone()))) { "Delete" }
                                }
                            }
                        }
                    })
                }
            }
            button(r#type="button", data-testid="storage-new", on:click=move |_| open.set(Some(Open::Storage(None)))) { "New storage profile" }
            (match open.get_clone() {
                Some(Open::Start) => {
                    let names = storages.with(|s| s.iter().map(|s| s.profile.name.clone()).collect::<Vec<_>>());
                    view! { StartEgressDialog(storages=names, on_close=close) }
                }
                Some(Open::Storage(Some(s))) => view! { StorageDialog(existing=s, on_close=close) },
                Some(Open::Storage(None)) => view! { StorageDialog(on_close=close) },
                None => view! {},
            })
            (stopping.get_clone().map(|id| view! {
                Confirm(title="Stop egress?".to_owned(), message=format!("Egress {id} will stop and finish its outputs."),
                    ok_label="Stop".to_owned(), on_ok=stop, on_cancel=move || stopping.set(None))
            }).unwrap_or_default())
            (removing.get_clone().map(|name| view! {
                Confirm(title="Delete storage profile?".to_owned(), message=format!("“{name}” and its keychain credential will be deleted."),
                    ok_label="Delete".to_owned(), on_ok=remove_storage, on_cancel=move || removing.set(None))
            }).unwrap_or_default())
        }
    }
}

fn egress_row(e: EgressSummary, stopping: Signal<Option<String>>, reload: Signal<u32>) -> View {
    let state = app_state();
    let active = matches!(e.status.as_str(), "starting" | "active");
    let layout = create_signal(if e.layout.is_empty() {
        "grid".to_owned()
    } else {
        e.layout.clone()
    });
    let add = create_signal(String::new());
    let (row_id, id_text, stop_id) = (e.id.clone(), e.id.clone(), e.id.clone());
    let (layout_id, stream_id) = (e.id.clone(), e.id.clone());
    let status = if e.error.is_empty() {
        e.status.clone()
    } else {
        format!("{} — {} ({})", e.status, e.error, e.error_code)
    };
    let outputs = e.outputs.join("\n");
    let (room, kind) = (e.room_name.clone(), e.kind.clone());
    let composite = e.kind == "room_composite";
    let set_layout = move |_| {
        let (id, layout) = (layout_id.clone(), layout.get_clone());
        spawn_local_scoped(async move {
            match invoke(&UpdateEgressLayout {
                project: None,
                id,
                layout,
            })
            .await
            {
                Ok(e) => state.tell(format!("Layout of {} is now {}.", e.id, e.layout)),
                Err(err) => state.fail(&err),
            }
            reload.set(reload.get() + 1);
        });
    };
    let change_streams = move |remove: bool| {
        let id = stream_id.clone();
        let urls = inputs::list(&add.get_clone());
        let (add_urls, remove_urls) = if remove {
            (Vec::new(), urls)
        } else {
            (urls, Vec::new())
        };
        spawn_local_scoped(async move {
            match invoke(&UpdateEgressStream {
                project: None,
                id,
                add: add_urls,
                remove: remove_urls,
            })
            .await
            {
                Ok(e) => state.tell(format!("Streams of {} updated.", e.id)),
                Err(err) => state.fail(&err),
            }
            reload.set(reload.get() + 1);
        });
    };
    let layout_cell = if active && composite {
        let layout_options = LAYOUTS
            .iter()
            .map(|l| view! { option(value=*l) { (*l) } })
            .collect::<Vec<_>>();
        view! { select(bind:value=layout) { (layout_options) } button(r#type="button", class="small", on:click=set_layout) { "Set layout" } }
    } else {
        view! {}
    };
    let stream_cell = if active {
        let remove = change_streams.clone();
        view! {
            input(placeholder="rtmp://… (comma separated)", bind:value=add)
            button(r#type="button", class="small", on:click=move |_| change_streams(false)) { "Add stream" }
            button(r#type="button", class="small", on:click=move |_| remove(true)) { "Remove" }
        }
    } else {
        view! {}
    };
    let stop_cell = if active {
        view! { button(r#type="button", class="link danger", on:click=move |_| stopping.set(Some(stop_id.clone()))) { "Stop" } }
    } else {
        view! {}
    };
    view! {
        tr(data-testid="egress-row", data-id=row_id) {
            td(class="mono") { (id_text) }
            td { (room) }
            td { (kind) }
            td(data-testid="egress-status") { (status) }
            td(class="mono", style="white-space: pre-line") { (outputs) }
            td { (layout_cell) (stream_cell) }
            td { (stop_cell) }
        }
    }
}
