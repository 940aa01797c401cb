//! The egress page: recordings and streams (active and ended, by room), with stop, layout
//! and stream-URL changes and a detail panel; starting new ones; and the storage profiles
//! they upload to.

mod detail;
mod row;
mod start;
mod storage;

use crate::components::dialog::Confirm;
use crate::components::inputs;
use crate::ipc::invoke;
use crate::state::app_state;
use detail::EgressDetail;
use earshot_protocol::command::{
    DeleteStorageProfile, ListEgress, ListStorageProfiles, StopEgress,
};
use earshot_protocol::egress::{EgressSummary, StorageSummary};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use gloo_timers::future::TimeoutFuture;
use row::{egress_row, RowCtx};
use start::StartEgressDialog;
use storage::StorageDialog;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[derive(Clone, PartialEq)]
enum Open {
    Start,
    Storage(Option<StorageSummary>),
}

#[component(inline_props)]
pub fn EgressPage(project: ProjectId) -> View {
    let project = *create_signal(project);
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

    let selected = create_signal(None::<String>);
    // Each load has a number: a slower answer to an older filter never overwrites a newer.
    let loads = create_signal(0u32);
    create_effect(move || {
        reload.track();
        let project = project.get_clone();
        // The filters apply as they change (typing waits a moment, see below).
        let r = room.get_clone();
        let room = (!r.trim().is_empty()).then(|| r.trim().to_owned());
        let active_only = active_only.get();
        let n = loads.get_untracked().wrapping_add(1);
        loads.set_silent(n);
        spawn_local_scoped(async move {
            // Coalesce a burst of keystrokes in the room filter into one request.
            TimeoutFuture::new(200).await;
            if loads.get_untracked() != n {
                return;
            }
            let result = invoke(&ListEgress {
                project: project.clone(),
                room,
                active_only,
            })
            .await;
            if loads.get_untracked() != n {
                return;
            }
            match result {
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
    let shown = create_memo(move || {
        selected.with(|id| list.with(|l| l.iter().find(|e| Some(&e.id) == id.as_ref()).cloned()))
    });
    let refresh = move || reload.set(reload.get() + 1);
    let stop = move || {
        let Some(id) = stopping.get_clone() else {
            return;
        };
        stopping.set(None);
        spawn_local_scoped(async move {
            match invoke(&StopEgress {
                project: project.get_clone(),
                id,
            })
            .await
            {
                Ok(e) => state.tell(format!("Egress {} is {}.", e.id, e.status.label())),
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
                project: project.get_clone(),
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
                    Keyed(list=list, key=|e: &EgressSummary| format!("{e:?}"), view=move |e: EgressSummary| egress_row(e, RowCtx { project, stopping, reload, selected }))
                }
            }
            (if list.with(Vec::is_empty) { view! { p(class="empty", data-testid="egress-empty") { "No egress matches." } } } else { view! {} })
            (if selected.with(Option::is_some) { view! { EgressDetail(egress=shown, close=selected) } } else { view! {} })
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
                                    button(r#type="button", class="link", data-testid="storage-edit", on:click=move |_| open.set(Some(Open::Storage(Some(edit.clone()))))) { "Edit" }
                                    button(r#type="button", class="link danger", on:click=move |_| removing.set(Some(del.clone()))) { "Delete" }
                                }
                            }
                        }
                    })
                }
            }
            button(r#type="button", data-testid="storage-new", on:click=move |_| open.set(Some(Open::Storage(None)))) { "New storage profile" }
            // Read untracked: a list reload must not rebuild an open dialog, losing its input.
            (match open.get_clone() {
                Some(Open::Start) => {
                    let names = storages.with_untracked(|s| s.iter().map(|s| s.profile.name.clone()).collect::<Vec<_>>());
                    view! { StartEgressDialog(project=project, storages=names, on_close=close) }
                }
                Some(Open::Storage(Some(s))) => {
                    let profiles = storages.get_clone_untracked();
                    view! { StorageDialog(project=project, existing=s, profiles=profiles, on_close=close) }
                }
                Some(Open::Storage(None)) => {
                    let profiles = storages.get_clone_untracked();
                    view! { StorageDialog(project=project, profiles=profiles, on_close=close) }
                }
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
