//! The Alerts page: rules (room started or ended, participants above N, a participant with
//! an attribute joins, quality and silence, an agent thinking too long, a line saying given
//! words; by project and room-name pattern) and the alerts they raised. Alerts also appear
//! as desktop notifications.

use crate::components::fields::field_error;
use crate::ipc::invoke;
use crate::routes::{go, Route};
use crate::state::app_state;
use crate::wallboard::wallboard;
use earshot_protocol::command::{
    ClearAlerts, DeleteAlertRule, ListAlertRules, ListAlerts, SaveAlertRule,
};
use earshot_protocol::wallboard::{AlertCondition, AlertRule};
use earshot_protocol::AppError;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

fn describe(rule: &AlertRule) -> String {
    let what = match &rule.condition {
        AlertCondition::RoomStarted => "room starts".to_owned(),
        AlertCondition::RoomEnded => "room ends".to_owned(),
        AlertCondition::ParticipantsAbove { count } => format!("more than {count} participants"),
        AlertCondition::QualityPoor { seconds } => {
            format!("someone's quality poor for {seconds} s (open views)")
        }
        AlertCondition::Silence { seconds } => {
            format!("nobody speaks for {seconds} s (open views)")
        }
        AlertCondition::AgentThinking { seconds } => {
            format!("an agent thinks for {seconds} s (open views)")
        }
        AlertCondition::AgentSilence { seconds } => {
            format!("nobody speaks for {seconds} s with an agent in (open views)")
        }
        AlertCondition::LineSaid { words } => format!("a line says {words} (open views)"),
        AlertCondition::AttributeJoined { key, value } if value.is_empty() => {
            format!("someone with {key} joins")
        }
        AlertCondition::AttributeJoined { key, value } => {
            format!("someone with {key}={value} joins")
        }
    };
    let rooms = if rule.room_pattern.is_empty() {
        "any room".to_owned()
    } else {
        format!("rooms {}", rule.room_pattern)
    };
    format!("{what} · {rooms}")
}

#[component]
pub fn AlertsPage() -> View {
    let state = app_state();
    let wall = wallboard();
    wall.unseen_alerts.set(0);
    let rules = create_signal(Vec::<AlertRule>::new());
    let reload = move || {
        spawn_local_scoped(async move {
            match invoke(&ListAlertRules {}).await {
                Ok(list) => rules.set(list),
                Err(err) => state.fail(&err),
            }
        });
    };
    reload();
    spawn_local_scoped(async move {
        if let Ok(list) = invoke(&ListAlerts {}).await {
            wall.alerts.set(list);
        }
    });

    let name = create_signal(String::new());
    let kind = create_signal("room_started".to_owned());
    let count = create_signal("10".to_owned());
    let seconds = create_signal("30".to_owned());
    let key = create_signal(String::new());
    let words = create_signal(String::new());
    let value = create_signal(String::new());
    let pattern = create_signal(String::new());
    let project = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let saving = create_signal(false);

    let save = move || {
        let condition = match kind.get_clone().as_str() {
            "room_ended" => AlertCondition::RoomEnded,
            "participants_above" => match count.get_clone().trim().parse::<u32>() {
                Ok(count) => AlertCondition::ParticipantsAbove { count },
                Err(_) => {
                    errors.set(vec![AppError::field(
                        earshot_protocol::ErrorCode::InvalidInput,
                        "count",
                        "Enter a whole number of participants.",
                    )]);
                    return;
                }
            },
            timed @ ("quality_poor" | "silence" | "agent_thinking" | "agent_silence") => {
                match seconds.get_clone().trim().parse::<u32>() {
                    Ok(s) if timed == "silence" => AlertCondition::Silence { seconds: s },
                    Ok(s) if timed == "agent_thinking" => {
                        AlertCondition::AgentThinking { seconds: s }
                    }
                    Ok(s) if timed == "agent_silence" => {
                        AlertCondition::AgentSilence { seconds: s }
                    }
                    Ok(s) => AlertCondition::QualityPoor { seconds: s },
                    Err(_) => {
                        errors.set(vec![AppError::field(
                            earshot_protocol::ErrorCode::InvalidInput,
                            "seconds",
                            "Enter a whole number of seconds.",
                        )]);
                        return;
                    }
                }
            }
            "line_said" => AlertCondition::LineSaid {
                words: words.get_clone(),
            },
            "attribute_joined" => AlertCondition::AttributeJoined {
                key: key.get_clone().trim().to_owned(),
                value: value.get_clone(),
            },
            _ => AlertCondition::RoomStarted,
        };
        let rule = AlertRule {
            id: String::new(),
            name: name.get_clone(),
            condition,
            project: Some(project.get_clone()).filter(|p| !p.is_empty()),
            room_pattern: pattern.get_clone().trim().to_owned(),
            enabled: true,
        };
        // Checked here with the backend's own rules; nothing invalid is sent.
        let problems = earshot_protocol::wallboard::alert_rule(&rule);
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        saving.set(true);
        spawn_local_scoped(async move {
            match invoke(&SaveAlertRule { rule }).await {
                Ok(saved) => {
                    state.tell(format!("Alert rule “{}” saved.", saved.name));
                    name.set(String::new());
                    reload();
                }
                Err(err) if err.field.is_some() => errors.set(vec![err]),
                Err(err) => state.fail(&err),
            }
            saving.set(false);
        });
    };

    let project_options = move || {
        let projects: Vec<(String, String)> = state.projects.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.projects
                        .iter()
                        .map(|p| (p.id.clone(), p.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        });
        projects
            .into_iter()
            .map(|(id, name)| view! { option(value=id) { (name) } })
            .collect::<Vec<_>>()
    };
    let rule_rows = move || {
        rules.get_clone().into_iter().map(|rule| {
            let id = rule.id.clone();
            let toggled = AlertRule { enabled: !rule.enabled, ..rule.clone() };
            let summary = describe(&rule);
            let (attr_name, title) = (rule.name.clone(), rule.name.clone());
            let enabled = if rule.enabled { "on" } else { "off" };
            view! {
                tr(data-testid="alert-rule", data-rule=attr_name) {
                    td { strong { (title) } }
                    td { (summary) }
                    td {
                        button(r#type="button", class="link", on:click=move |_| {
                            let rule = toggled.clone();
                            spawn_local_scoped(async move {
                                match invoke(&SaveAlertRule { rule }).await { Ok(_) => reload(), Err(err) => state.fail(&err) }
                            });
                        }) { (enabled) }
                    }
                    td {
                        button(r#type="button", data-testid="alert-rule-delete", on:click=move |_| {
                            let id = id.clone();
                            spawn_local_scoped(async move {
                                match invoke(&DeleteAlertRule { id }).await { Ok(()) => reload(), Err(err) => state.fail(&err) }
                            });
                        }) { "Delete" }
                    }
                }
            }
        }).collect::<Vec<_>>()
    };
    let alert_rows = move || {
        wall.alerts
            .get_clone()
            .into_iter()
            .map(|a| {
                let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(a.at_ms as f64))
                    .to_locale_time_string("en-GB")
                    .as_string()
                    .unwrap_or_default();
                let (attr_rule, rule_name, text) = (a.rule_name.clone(), a.rule_name, a.text);
                let to = Route::room(a.project, a.room.clone());
                let open_label = format!("Open {}", a.room);
                view! {
                    li(data-testid="alert-entry", data-rule=attr_rule) {
                        span(class="mono muted") { (when) } " " strong { (rule_name) } " — " (text) " "
                        button(r#type="button", class="link", data-testid="alert-open-room", on:click=move |_| go(&to)) { (open_label) }
                    }
                }
            })
            .collect::<Vec<_>>()
    };

    view! {
        section(class="alerts") {
            div(class="page-head") { h1 { "Alerts" } }
            div(class="two-cols") {
                form(class="form panel", on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); save(); }) {
                    h2 { "New rule" }
                    label { "Name" input(id="rule-name", bind:value=name) }
                    (field_error(errors, "name"))
                    label { "When"
                        select(id="rule-kind", bind:value=kind) {
                            option(value="room_started") { "a room starts" }
                            option(value="room_ended") { "a room ends" }
                            option(value="participants_above") { "participants exceed N" }
                            option(value="attribute_joined") { "a participant with an attribute joins" }
                            option(value="quality_poor") { "a participant's quality is poor for T s" }
                            option(value="silence") { "nobody speaks for T s" }
                            option(value="agent_thinking") { "an agent is thinking for T s" }
                            option(value="agent_silence") { "nobody speaks for T s while an agent is in the room" }
                            option(value="line_said") { "a transcript line says certain words" }
                        }
                    }
                    (if kind.get_clone() == "participants_above" {
                        view! { label { "N" input(id="rule-count", r#type="number", min="1", bind:value=count) } (field_error(errors, "count")) }
                    } else { view! {} })
                    (if matches!(kind.get_clone().as_str(), "quality_poor" | "silence" | "agent_thinking" | "agent_silence") {
                        view! {
                            label { "T (seconds)" input(id="rule-seconds", r#type="number", min="1", bind:value=seconds) }
                            (field_error(errors, "seconds"))
                            p(class="muted") { "Watched in rooms whose real-time view is open (Rooms → a room) or whose wallboard row is in view." }
                        }
                    } else { view! {} })
                    (if kind.get_clone() == "line_said" {
                        view! {
                            label { "Words or phrases (comma-separated, any case; * = any letters in a word)"
                                input(id="rule-words", placeholder="cancel*, supervisor, lawyer", bind:value=words) }
                            (field_error(errors, "words"))
                            p(class="muted") { "Final transcript lines of rooms whose real-time view is open or whose wallboard row is in view; each line fires once." }
                        }
                    } else { view! {} })
                    (if kind.get_clone() == "attribute_joined" {
                        view! {
                            label { "Attribute" input(id="rule-key", bind:value=key) } (field_error(errors, "key"))
                            label { "Value (empty: any)" input(id="rule-value", bind:value=value) }
                        }
                    } else { view! {} })
                    label { "Rooms (pattern, * = anything; empty = all)" input(id="rule-pattern", bind:value=pattern) }
                    (field_error(errors, "room_pattern"))
                    label { "Project"
                        select(id="rule-project", bind:value=project) { option(value="") { "all projects" } (project_options()) }
                    }
                    button(r#type="submit", class="primary", data-testid="rule-save", disabled=saving.get()) {
                        (if saving.get() { "Saving…" } else { "Add rule" })
                    }
                }
                div(class="panel") {
                    h2 { "Rules" }
                    table(class="grid") { tbody { (rule_rows()) } }
                    (if rules.with(Vec::is_empty) { view! { p(class="muted") { "No rules yet." } } } else { view! {} })
                }
            }
            div(class="panel") {
                div(class="page-head") {
                    h2 { "Raised" }
                    button(r#type="button", data-testid="alerts-clear", on:click=move |_| {
                        spawn_local_scoped(async move {
                            match invoke(&ClearAlerts {}).await { Ok(()) => wall.alerts.set(Vec::new()), Err(err) => state.fail(&err) }
                        });
                    }) { "Clear" }
                }
                ul(class="alert-list") { (alert_rows()) }
                (if wall.alerts.with(Vec::is_empty) { view! { p(class="muted", data-testid="alerts-empty") { "No alerts yet." } } } else { view! {} })
            }
        }
    }
}
