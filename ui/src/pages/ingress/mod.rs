//! The ingress page: every ingress of the project (optionally one room's), with its push
//! URL and stream key — the key hidden until revealed, both copyable — status, edit and
//! delete.

mod form;

use crate::components::dialog::Confirm;
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{DeleteIngress, ListIngress};
use earshot_protocol::ingress::{IngressInfo, IngressInput};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use form::IngressDialog;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

fn copy(text: String, what: &'static str) {
    let state = app_state();
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
        state.tell(format!("{what} copied to the clipboard."));
    }
}

#[component(inline_props)]
pub fn IngressPage(project: ProjectId) -> View {
    let project = *create_signal(project);
    let state = app_state();
    let list = create_signal(Vec::<IngressInfo>::new());
    let error = create_signal(None::<AppError>);
    // Whether a listing has arrived, so "none" is not claimed before it has.
    let loaded = create_signal(false);
    let room = create_signal(String::new());
    let reload = create_signal(0u32);
    // `Some(None)`: new; `Some(Some(i))`: editing i.
    let open = create_signal(None::<Option<IngressInfo>>);
    let pending = create_signal(None::<String>);

    create_effect(move || {
        reload.track();
        let project = project.get_clone();
        let room = room.get_clone_untracked();
        let room = (!room.trim().is_empty()).then(|| room.trim().to_owned());
        spawn_local_scoped(async move {
            match invoke(&ListIngress { project, room }).await {
                Ok(items) => {
                    list.set(items);
                    loaded.set(true);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let refresh = move || reload.set(reload.get() + 1);
    let delete = move || {
        let Some(id) = pending.get_clone() else {
            return;
        };
        pending.set(None);
        spawn_local_scoped(async move {
            match invoke(&DeleteIngress {
                project: project.get_clone(),
                id,
            })
            .await
            {
                Ok(()) => state.tell("Ingress deleted."),
                Err(e) => state.fail(&e),
            }
            refresh();
        });
    };

    view! {
        section(class="ingress") {
            div(class="page-head") {
                h1 { "Ingress" }
                div(class="actions") {
                    input(r#type="search", placeholder="Room (empty: all)", data-testid="ingress-room-filter", bind:value=room)
                    button(r#type="button", on:click=move |_| refresh()) { "Refresh" }
                    button(r#type="button", class="primary", data-testid="ingress-new", on:click=move |_| open.set(Some(None))) { "New ingress" }
                }
            }
            (error.get_clone().map(|e| view! { div(class="banner error", role="alert") { p(data-testid="ingress-error") { (e.message) } } }).unwrap_or_default())
            table(class="grid") {
                thead { tr { th { "Name" } th { "Input" } th { "Room · identity" } th { "Stream URL" } th { "Stream key" } th { "Status" } th {} } }
                tbody {
                    Keyed(list=list, key=|i: &IngressInfo| format!("{i:?}"), view=move |i: IngressInfo| ingress_row(i, open, pending))
                }
            }
            (if loaded.get() && list.with(Vec::is_empty) {
                let text = if room.with(|r| r.trim().is_empty()) {
                    "No ingress in this project. An ingress takes an RTMP, WHIP or URL stream into a room: “New ingress”.".to_owned()
                } else {
                    format!("No ingress publishes into “{}”.", room.with(|r| r.trim().to_owned()))
                };
                view! { p(class="empty", data-testid="ingress-empty") { (text) } }
            } else { view! {} })
            (open.get_clone().map(|existing| {
                let close = move |saved: Option<IngressInfo>| {
                    open.set(None);
                    if saved.is_some() {
                        refresh();
                    }
                };
                match existing {
                    Some(i) => view! { IngressDialog(project=project, existing=i, on_close=close) },
                    None => view! { IngressDialog(project=project, on_close=close) },
                }
            }).unwrap_or_default())
            (pending.get_clone().map(|id| view! {
                Confirm(title="Delete ingress?".to_owned(), message=format!("Ingress {id} will be deleted; publishers using its key are cut off."),
                    ok_label="Delete".to_owned(), on_ok=delete, on_cancel=move || pending.set(None))
            }).unwrap_or_default())
        }
    }
}

fn ingress_row(
    i: IngressInfo,
    open: Signal<Option<Option<IngressInfo>>>,
    pending: Signal<Option<String>>,
) -> View {
    let revealed = create_signal(false);
    let edit = i.clone();
    let (row_id, id) = (i.id.clone(), i.id.clone());
    let name = if i.spec.name.is_empty() {
        i.id.clone()
    } else {
        i.spec.name.clone()
    };
    let row_name = name.clone();
    let input = i.spec.input_type.label().to_uppercase();
    let who = format!("{} · {}", i.spec.room_name, i.spec.participant_identity);
    let url_cell = if i.spec.input_type == IngressInput::Url {
        let pulled = i.spec.url.clone();
        view! { span(class="mono") { "pulls " (pulled) } }
    } else if !i.stream_url.is_empty() {
        let (url, url_copy) = (i.stream_url.clone(), i.stream_url.clone());
        view! {
            span(class="mono", data-testid="ingress-url") { (url) }
            button(r#type="button", class="small", on:click=move |_| copy(url_copy.clone(), "Stream URL")) { "Copy" }
        }
    } else {
        view! { span(class="muted", data-testid="ingress-no-url", title="Set ingress.rtmp_base_url / whip_base_url in the server's config") { "server has no ingress base URL configured" } }
    };
    let (key, key_copy) = (i.stream_key.clone(), i.stream_key.clone());
    let has_key = !key.is_empty();
    let status = if i.error.is_empty() {
        i.status.label().to_owned()
    } else {
        format!("{}: {}", i.status.label(), i.error)
    };
    view! {
        tr(data-testid="ingress-row", data-id=row_id, data-name=row_name) {
            td { strong { (name) } }
            td { (input) }
            td { (who) }
            td { (url_cell) }
            td {
                (if has_key {
                    let key_copy = key_copy.clone();
                    let key = key.clone();
                    view! {
                        span(class="mono", data-testid="ingress-key") { (if revealed.get() { key.clone() } else { "••••••••".to_owned() }) }
                        button(r#type="button", class="small", data-testid="ingress-key-reveal", on:click=move |_| revealed.set(!revealed.get())) {
                            (if revealed.get() { "Hide" } else { "Reveal" })
                        }
                        button(r#type="button", class="small", data-testid="ingress-key-copy", on:click=move |_| copy(key_copy.clone(), "Stream key")) { "Copy" }
                    }
                } else { view! {} })
            }
            td(data-testid="ingress-status") { (status) }
            td {
                button(r#type="button", class="link", on:click=move |_| open.set(Some(Some(edit.clone())))) { "Edit" }
                button(r#type="button", class="link danger", data-testid="ingress-delete", on:click=move |_| pending.set(Some(id.clone()))) { "Delete" }
            }
        }
    }
}
