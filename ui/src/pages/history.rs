//! The History page: one project's calls, live and ended, newest first, searchable by room
//! or participant identity and paged; a call opens its timeline and who listened. Below,
//! the webhook receiver that feeds the history of rooms nobody watched: its settings and
//! what it refused.

use crate::ipc::invoke;
use earshot_protocol::audit::AuditEntry;
use earshot_protocol::command::{GetCall, GetWebhookReceiver, ListCalls, SaveWebhookReceiver};
use earshot_protocol::history::{
    CallCursor, CallDetail, CallFilter, CallSummary, TimelineEvent, WebhookReceiverView,
    WebhookSettings,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

const PAGE: u32 = 50;

#[component(inline_props)]
pub fn HistoryPage(project: ProjectId) -> View {
    let project = *create_signal(project);
    let search = create_signal(String::new());
    let calls = create_signal(Vec::<CallSummary>::new());
    let more = create_signal(false);
    let error = create_signal(None::<AppError>);
    let open = create_signal(None::<CallDetail>);

    let load = move |before: Option<CallCursor>| {
        error.set(None);
        let filter = CallFilter {
            project: project.get_clone(),
            search: Some(search.get_clone().trim().to_owned()).filter(|s| !s.is_empty()),
            before,
            limit: PAGE,
        };
        spawn_local_scoped(async move {
            match invoke(&ListCalls { filter }).await {
                Ok(page) => {
                    more.set(page.more);
                    if before.is_some() {
                        calls.update(|c| c.extend(page.calls));
                    } else {
                        calls.set(page.calls);
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(None);
    let open_call = move |id: i64| {
        spawn_local_scoped(async move {
            match invoke(&GetCall { id }).await {
                Ok(d) => open.set(Some(d)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let older = move |_| {
        let last = calls.with(|c| {
            c.last().map(|c| CallCursor {
                started_ms: c.started_ms,
                id: c.id,
            })
        });
        load(last);
    };

    view! {
        section(class="page history", data-testid="history-page") {
            h2 { "History" }
            (error.get_clone().map(|e| view! { p(class="error", data-testid="history-error") { (e.message) } }))
            form(class="filters", on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); open.set(None); load(None); }) {
                label { "Search " input(data-testid="history-search", placeholder="room or participant identity", bind:value=search) }
                button(r#type="submit", data-testid="history-apply") { "Search" }
            }
            table(class="calls", data-testid="history-calls") {
                thead { tr { th { "Room" } th { "Started" } th { "Ended" } th { "Duration" } th { "Peak" } th { "Kinds" } th { "Recorded" } th { "Seen by" } } }
                tbody {
                    Keyed(
                        list=calls,
                        key=|c| c.id,
                        view=move |c| {
                            let id = c.id;
                            let room = c.room.clone();
                            let room_attr = c.room.clone();
                            let started = time_text(c.started_ms);
                            let ended = c.ended_ms.map(time_text).unwrap_or_else(|| "live".into());
                            let duration = duration_text(c.started_ms, c.ended_ms);
                            let peak = c.peak_participants.to_string();
                            let kinds = c.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ");
                            let recorded = if c.recording { "yes" } else { "" };
                            let sources = c.sources.iter().map(|s| format!("{s:?}").to_lowercase()).collect::<Vec<_>>().join(", ");
                            view! {
                                tr(class="call", data-testid="history-call", data-room=room_attr, on:click=move |_| open_call(id)) {
                                    td(data-testid="history-call-room") { a(href="javascript:void(0)") { (room) } }
                                    td { (started) }
                                    td(data-testid="history-call-ended") { (ended) }
                                    td { (duration) }
                                    td(data-testid="history-call-peak") { (peak) }
                                    td { (kinds) }
                                    td { (recorded) }
                                    td { (sources) }
                                }
                            }
                        },
                    )
                }
            }
            (calls.with(Vec::is_empty).then(|| view! { p(class="hint", data-testid="history-empty") { "No calls recorded for this project yet." } }))
            (more.get().then(|| view! { button(data-testid="history-more", on:click=older) { "Older calls" } }))
            (open.get_clone().map(|d| view! { CallView(detail=d) }))
            Receiver {}
        }
    }
}

#[component(inline_props)]
fn CallView(detail: CallDetail) -> View {
    let c = detail.call;
    let events = detail
        .timeline
        .into_iter()
        .map(|e| {
            let text = event_text(&e);
            view! { li(data-testid="history-event", data-kind=e.kind) { (text) } }
        })
        .collect::<Vec<_>>();
    let listens = detail
        .listens
        .into_iter()
        .map(|l| {
            let text = listen_text(&l);
            view! { li(data-testid="history-listen") { (text) } }
        })
        .collect::<Vec<_>>();
    let no_listens = listens.is_empty();
    view! {
        div(class="call-detail", data-testid="history-detail") {
            h3 { (format!("{} · {}", c.room, c.room_sid)) }
            h4 { "Timeline" }
            ol(class="timeline", data-testid="history-timeline") { (events) }
            h4 { "Who listened" }
            (if no_listens {
                view! { p(class="hint") { "Nobody listened in." } }
            } else {
                view! { ul(data-testid="history-listens") { (listens) } }
            })
        }
    }
}

/// The webhook receiver's settings and counters.
#[component]
fn Receiver() -> View {
    let enabled = create_signal(false);
    let bind = create_signal(String::new());
    let port = create_signal(String::new());
    let view_state = create_signal(None::<WebhookReceiverView>);
    let error = create_signal(None::<AppError>);
    let show = move |v: WebhookReceiverView| {
        enabled.set(v.settings.enabled);
        bind.set(v.settings.bind.clone());
        port.set(v.settings.port.to_string());
        view_state.set(Some(v));
    };
    spawn_local_scoped(async move {
        match invoke(&GetWebhookReceiver {}).await {
            Ok(v) => show(v),
            Err(e) => error.set(Some(e)),
        }
    });
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Ok(port_n) = port.get_clone().trim().parse::<u16>() else {
            error.set(Some(AppError::new(
                earshot_protocol::ErrorCode::InvalidInput,
                "The port must be a number between 1 and 65535.",
            )));
            return;
        };
        let settings = WebhookSettings {
            enabled: enabled.get(),
            bind: bind.get_clone().trim().to_owned(),
            port: port_n,
        };
        spawn_local_scoped(async move {
            match invoke(&SaveWebhookReceiver { settings }).await {
                Ok(v) => show(v),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        div(class="webhook-receiver", data-testid="webhook-receiver") {
            h3 { "Webhook receiver" }
            p(class="hint") {
                "LiveKit can post signed webhooks here so rooms nobody watched have a history: "
                "set the server's webhook URL to this address with the project's API key."
            }
            (error.get_clone().map(|e| view! { p(class="error", data-testid="webhook-error") { (e.message) } }))
            form(on:submit=save) {
                label(class="check") { input(r#type="checkbox", data-testid="webhook-enabled", bind:checked=enabled) " Receive webhooks" }
                label { "Address " input(data-testid="webhook-bind", bind:value=bind) }
                label { "Port " input(data-testid="webhook-port", bind:value=port) }
                button(r#type="submit", data-testid="webhook-save") { "Save" }
            }
            (view_state.get_clone().map(|v| {
                let s = v.status;
                let state = match (&s.listening, &s.error) {
                    (_, Some(e)) => e.clone(),
                    (Some(addr), None) => format!("Listening on http://{addr}/"),
                    (None, None) => "Off.".into(),
                };
                view! {
                    p(data-testid="webhook-state") { (state) }
                    p(data-testid="webhook-counters") {
                        (format!(
                            "{} accepted · refused: {} forged or altered, {} unknown key, {} too large, {} malformed",
                            s.accepted, s.forged, s.unknown_key, s.oversized, s.malformed
                        ))
                    }
                }
            }))
        }
    }
}

fn event_text(e: &TimelineEvent) -> String {
    let mut s = format!("{} {}", clock_text(e.ts_ms), e.kind.replace('_', " "));
    if let Some(who) = &e.identity {
        s.push_str(&format!(" · {who}"));
    }
    if e.detail != "{}" {
        s.push_str(&format!(" · {}", e.detail));
    }
    s
}

fn listen_text(l: &AuditEntry) -> String {
    format!(
        "{} · {} · {}",
        time_text(l.ts_ms),
        l.supervisor.clone().unwrap_or_default(),
        l.detail
    )
}

fn duration_text(start: i64, end: Option<i64>) -> String {
    let end = end.unwrap_or_else(|| js_sys::Date::now() as i64);
    let s = ((end - start).max(0) / 1000) as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn time_text(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Time of day with milliseconds: a timeline's events are often within one second.
fn clock_text(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}
