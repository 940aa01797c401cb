//! One egress in the list: id, room, kind, status, outputs, and on a running one its
//! actions (layout of a room composite, stream URLs of one that streams, stop). A click on
//! the row opens its detail.

use crate::components::inputs;
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{UpdateEgressLayout, UpdateEgressStream};
use earshot_protocol::egress::{EgressKind, EgressStatus, EgressSummary, LAYOUTS};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::{egress_rules, AppError};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// The row's signals from the page: the egress asked to stop, the list reload counter and
/// the egress whose detail is open.
#[derive(Clone, Copy)]
pub struct RowCtx {
    pub project: ReadSignal<ProjectId>,
    pub stopping: Signal<Option<String>>,
    pub reload: Signal<u32>,
    pub selected: Signal<Option<String>>,
}

/// The stream-URL editor of a running egress that streams: URLs checked as the start
/// form checks them, every problem (ours or the server's) shown on the row.
fn stream_editor(
    project: ReadSignal<ProjectId>,
    id: String,
    protocol: String,
    reload: Signal<u32>,
) -> View {
    let state = app_state();
    let placeholder = if protocol == "srt" {
        "srt://… (comma separated)"
    } else {
        "rtmp://… (comma separated)"
    };
    let add = create_signal(String::new());
    let error = create_signal(None::<AppError>);
    let busy = create_signal(false);
    let change = move |remove: bool| {
        if busy.get() {
            return;
        }
        let urls = inputs::list(&add.get_clone());
        let (add_urls, remove_urls) = if remove {
            (Vec::new(), urls)
        } else {
            (urls, Vec::new())
        };
        if let Some(e) = egress_rules::stream_update_errors(&protocol, &add_urls, &remove_urls)
            .into_iter()
            .next()
        {
            return error.set(Some(e));
        }
        error.set(None);
        busy.set(true);
        let id = id.clone();
        spawn_local_scoped(async move {
            let result = invoke(&UpdateEgressStream {
                project: project.get_clone(),
                id,
                add: add_urls,
                remove: remove_urls,
            })
            .await;
            busy.set(false);
            match result {
                Ok(e) => {
                    add.set(String::new());
                    state.tell(format!("Streams of {} updated.", e.id));
                    reload.set(reload.get() + 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let remove = change.clone();
    view! {
        div(class="stream-edit", on:click=|ev: web_sys::MouseEvent| ev.stop_propagation()) {
            input(placeholder=placeholder, data-testid="egress-stream-urls", bind:value=add)
            button(r#type="button", class="small", data-testid="egress-stream-add", disabled=busy.get(), on:click=move |_| change(false)) { "Add stream" }
            button(r#type="button", class="small", data-testid="egress-stream-remove", disabled=busy.get(), on:click=move |_| remove(true)) { "Remove" }
            (error.get_clone().map(|e| view! {
                span(class="field-error", data-testid="egress-stream-error", data-code=format!("{:?}", e.code)) { (e.message) }
            }).unwrap_or_default())
        }
    }
}

pub fn egress_row(e: EgressSummary, ctx: RowCtx) -> View {
    let state = app_state();
    let RowCtx {
        project,
        stopping,
        reload,
        selected,
    } = ctx;
    let active = matches!(e.status, EgressStatus::Starting | EgressStatus::Active);
    let layout = create_signal(if e.layout.is_empty() {
        "grid".to_owned()
    } else {
        e.layout.clone()
    });
    let (row_id, id_text, stop_id) = (e.id.clone(), e.id.clone(), e.id.clone());
    let (layout_id, select_id, current_id) = (e.id.clone(), e.id.clone(), e.id.clone());
    let status = if e.error.is_empty() {
        e.status.label().to_owned()
    } else {
        format!("{} — {} ({})", e.status.label(), e.error, e.error_code)
    };
    let outputs = e.outputs.join("\n");
    let (room, kind) = (e.room_name.clone(), e.kind.label());
    let composite = e.kind == EgressKind::RoomComposite;
    let set_layout = move |_| {
        let (id, layout) = (layout_id.clone(), layout.get_clone());
        spawn_local_scoped(async move {
            match invoke(&UpdateEgressLayout {
                project: project.get_clone(),
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
    let layout_cell = if active && composite {
        let layout_options = LAYOUTS
            .iter()
            .map(|l| view! { option(value=*l) { (*l) } })
            .collect::<Vec<_>>();
        view! {
            span(on:click=|ev: web_sys::MouseEvent| ev.stop_propagation()) {
                select(bind:value=layout) { (layout_options) }
                button(r#type="button", class="small", on:click=set_layout) { "Set layout" }
            }
        }
    } else {
        view! {}
    };
    // UpdateStream applies only to an egress with a stream output.
    let streams = !e.source.stream_protocol.is_empty() || !e.results.streams.is_empty();
    let stream_cell = if active && streams {
        stream_editor(
            project,
            e.id.clone(),
            e.source.stream_protocol.clone(),
            reload,
        )
    } else {
        view! {}
    };
    let stop_cell = if active {
        view! {
            button(r#type="button", class="link danger", on:click=move |ev: web_sys::MouseEvent| {
                ev.stop_propagation();
                stopping.set(Some(stop_id.clone()));
            }) { "Stop" }
        }
    } else {
        view! {}
    };
    let class = move || {
        if selected.with(|s| s.as_deref() == Some(current_id.as_str())) {
            "clickable current"
        } else {
            "clickable"
        }
    };
    view! {
        tr(data-testid="egress-row", data-id=row_id, class=class, on:click=move |_| selected.set(Some(select_id.clone()))) {
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
