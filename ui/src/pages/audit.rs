//! The Audit page: the journal's entries filtered by project, room, supervisor, action and
//! time, newest first and paged; **Verify** shows each chain's state; export as JSON Lines
//! or CSV; and where the journal lives with its health.

use crate::ipc::invoke;
use earshot_protocol::audit::{
    AuditAction, AuditEntry, AuditFilter, ChainReport, ChainState, ExportFormat, JournalHealth,
};
use earshot_protocol::command::{ExportAudit, GetJournalHealth, QueryAudit, VerifyAudit};
use earshot_protocol::AppError;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

const PAGE: u32 = 100;
/// "Since" choices: label and hours (0: any time).
const SINCE: [(&str, i64); 5] = [
    ("any time", 0),
    ("last hour", 1),
    ("last 24 hours", 24),
    ("last 7 days", 24 * 7),
    ("last 30 days", 24 * 30),
];

#[component]
pub fn AuditPage() -> View {
    let project = create_signal(String::new());
    let room = create_signal(String::new());
    let supervisor = create_signal(String::new());
    let action = create_signal(String::new());
    let since = create_signal("0".to_owned());
    let entries = create_signal(Vec::<AuditEntry>::new());
    let more = create_signal(false);
    let error = create_signal(None::<AppError>);
    let reports = create_signal(None::<Vec<ChainReport>>);
    let health = create_signal(None::<JournalHealth>);
    let exported = create_signal(None::<(ExportFormat, String)>);
    let busy = create_signal(false);

    let filter = move |before_id: Option<i64>| {
        let opt =
            |s: Signal<String>| Some(s.get_clone().trim().to_owned()).filter(|s| !s.is_empty());
        let hours: i64 = since.get_clone().parse().unwrap_or(0);
        AuditFilter {
            project: opt(project),
            room: opt(room),
            supervisor: opt(supervisor),
            action: Some(action.get_clone())
                .filter(|a| !a.is_empty())
                .map(|a| AuditAction::from_name(&a)),
            from_ms: (hours > 0).then(|| js_sys::Date::now() as i64 - hours * 3_600_000),
            to_ms: None,
            before_id,
            limit: PAGE,
        }
    };
    let load = move |before_id: Option<i64>| {
        error.set(None);
        spawn_local_scoped(async move {
            match invoke(&QueryAudit {
                filter: filter(before_id),
            })
            .await
            {
                Ok(page) => {
                    more.set(page.more);
                    if before_id.is_some() {
                        entries.update(|e| e.extend(page.entries));
                    } else {
                        entries.set(page.entries);
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            match invoke(&GetJournalHealth {}).await {
                Ok(h) => health.set(Some(h)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(None);
    let verify = move |_| {
        busy.set(true);
        spawn_local_scoped(async move {
            match invoke(&VerifyAudit {}).await {
                Ok(r) => reports.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let export = move |format: ExportFormat| {
        spawn_local_scoped(async move {
            match invoke(&ExportAudit {
                filter: filter(None),
                format,
            })
            .await
            {
                Ok(text) => exported.set(Some((format, text))),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let action_options = std::iter::once(view! { option(value="") { "any action" } })
        .chain(AuditAction::ALL.iter().map(|a| {
            let name = a.as_str();
            view! { option(value=name) { (name.replace('_', " ")) } }
        }))
        .collect::<Vec<_>>();
    let since_options = SINCE
        .iter()
        .map(|(label, hours)| view! { option(value=hours.to_string()) { (*label) } })
        .collect::<Vec<_>>();

    view! {
        section(class="page audit", data-testid="audit-page") {
            h2 { "Audit" }
            p(class="hint", data-testid="journal-health") {
                (match health.get_clone() {
                    Some(h) => health_text(&h),
                    None => "Journal: not open yet.".into(),
                })
            }
            (error.get_clone().map(|e| view! { p(class="error", data-testid="audit-error") { (e.message) } }))
            form(class="filters", on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); load(None); }) {
                label { "Project " input(data-testid="audit-project", bind:value=project) }
                label { "Room " input(data-testid="audit-room", bind:value=room) }
                label { "Supervisor " input(data-testid="audit-supervisor", bind:value=supervisor) }
                label { "Action " select(data-testid="audit-action", bind:value=action) { (action_options) } }
                label { "Since " select(data-testid="audit-since", bind:value=since) { (since_options) } }
                button(r#type="submit", data-testid="audit-apply") { "Apply" }
            }
            div(class="actions") {
                button(data-testid="audit-verify", disabled=busy.get(), on:click=verify) {
                    (if busy.get() { "Verifying…" } else { "Verify" })
                }
                button(data-testid="audit-export-jsonl", on:click=move |_| export(ExportFormat::JsonLines)) { "Export JSON Lines" }
                button(data-testid="audit-export-csv", on:click=move |_| export(ExportFormat::Csv)) { "Export CSV" }
            }
            (reports.get_clone().map(|r| {
                let rows = r.into_iter().map(|r| {
                    let ok = r.state == ChainState::Intact;
                    view! {
                        li(class=if ok { "ok" } else { "error" }, data-testid="audit-chain") { (chain_text(&r)) }
                    }
                }).collect::<Vec<_>>();
                view! { ul(class="chains", data-testid="audit-chains") { (rows) } }
            }))
            (exported.get_clone().map(|(format, text)| {
                let (mime, name) = match format {
                    ExportFormat::JsonLines => ("application/jsonl", "earshot-audit.jsonl"),
                    ExportFormat::Csv => ("text/csv", "earshot-audit.csv"),
                };
                let href = format!("data:{mime};charset=utf-8,{}", js_sys::encode_uri_component(&text));
                view! {
                    div(class="export") {
                        a(href=href, download=name, data-testid="audit-download") { "Save " (name) }
                        textarea(readonly=true, rows="6", data-testid="audit-export-text") { (text) }
                    }
                }
            }))
            table(class="audit-entries", data-testid="audit-entries") {
                thead { tr { th { "Time" } th { "Action" } th { "Outcome" } th { "Project" } th { "Room" } th { "Supervisor" } th { "Identity" } th { "Detail" } } }
                tbody {
                    Keyed(
                        list=entries,
                        key=|e| e.id,
                        view=|e| {
                            let failed = if e.outcome == "ok" { "" } else { "error" };
                            view! {
                            tr(data-testid="audit-entry") {
                                td { (time_text(e.ts_ms)) }
                                td(data-testid="audit-entry-action") { (e.action.as_str()) }
                                td(class=failed) { (e.outcome.clone()) }
                                td { (e.project.clone().unwrap_or_default()) }
                                td { (e.room.clone().unwrap_or_default()) }
                                td { (e.supervisor.clone().unwrap_or_default()) }
                                td { (e.identity.clone().unwrap_or_default()) }
                                td(class="detail") { (e.detail.clone()) }
                            }
                            }
                        },
                    )
                }
            }
            (more.get().then(|| view! {
                button(data-testid="audit-more", on:click=move |_| load(entries.with(|e| e.last().map(|e| e.id)))) { "Older entries" }
            }))
        }
    }
}

fn health_text(h: &JournalHealth) -> String {
    let mut s = format!(
        "Journal: {} · installation {} · {} written, {} dropped · retention {} days",
        h.location, h.installation, h.written, h.dropped, h.retention_days
    );
    if let Some(e) = &h.last_error {
        s.push_str(&format!(
            " · failing: {e} · listening and admin go on; {} entries held in memory, written once it clears",
            h.held
        ));
    }
    if let Some(p) = &h.moved_aside {
        s.push_str(&format!(" · an unreadable journal was moved aside to {p}"));
    }
    s
}

fn chain_text(r: &ChainReport) -> String {
    match &r.state {
        ChainState::Intact => format!(
            "{}: intact ({} entries checked, {} pruned by retention)",
            r.installation, r.checked, r.pruned
        ),
        ChainState::Broken { seq, id, reason } => format!(
            "{}: BROKEN at position {seq}{} ({:?}); {} entries before it check",
            r.installation,
            id.map(|i| format!(" (row {i})")).unwrap_or_default(),
            reason,
            r.checked
        ),
    }
}

fn time_text(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}
