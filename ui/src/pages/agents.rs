//! The agents page: a room's agent dispatches (create with agent name, metadata, attributes,
//! and LiveKit Cloud's restart policy and deployment; delete) and the agent participants in
//! it (participant kind `agent`).

use crate::components::fields::{clear_on_edit, field_error, route_error};
use crate::components::inputs::{self, area, choice, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::admin::ParticipantDetail;
use earshot_protocol::agents::{self, AgentDispatchInfo, NewAgentDispatch};
use earshot_protocol::command::{
    CreateAgentDispatch, DeleteAgentDispatch, GetRoomDetail, ListAgentDispatches,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::ParticipantKind;
use earshot_protocol::{AppError, ErrorCode};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[component(inline_props)]
pub fn AgentsPage(project: ProjectId) -> View {
    let project = *create_signal(project);
    let state = app_state();
    let room = create_signal(String::new());
    let shown = create_signal(None::<String>);
    let dispatches = create_signal(Vec::<AgentDispatchInfo>::new());
    let agents = create_signal(None::<Vec<ParticipantDetail>>);
    let agent_name = create_signal(String::new());
    let metadata = create_signal(String::new());
    let restart_policy = create_signal("on_failure".to_owned());
    let deployment = create_signal(String::new());
    let attributes = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    for (field, value) in [
        ("room", room),
        ("agent_name", agent_name),
        ("metadata", metadata),
    ] {
        clear_on_edit(errors, field, value);
    }
    let error = create_signal(None::<AppError>);
    let busy = create_signal(false);

    let load = move |name: String| {
        if shown.get_clone_untracked().as_deref() != Some(name.as_str()) {
            // Another room: what the previous one showed goes.
            dispatches.set(Vec::new());
            agents.set(None);
        }
        shown.set(Some(name.clone()));
        spawn_local_scoped(async move {
            match invoke(&ListAgentDispatches {
                project: project.get_clone(),
                room: name.clone(),
            })
            .await
            {
                Ok(list) => dispatches.set(list),
                Err(e) => error.set(Some(e)),
            }
            // A room without participants may not be active: no agents then.
            match invoke(&GetRoomDetail {
                project: project.get_clone(),
                room: name,
            })
            .await
            {
                Ok(d) => agents.set(Some(
                    d.participants
                        .into_iter()
                        .filter(|p| p.kind == ParticipantKind::Agent)
                        .collect(),
                )),
                Err(e) if e.code == ErrorCode::NotFound => agents.set(None),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let show = move |_| {
        error.set(None);
        let name = room.get_clone().trim().to_owned();
        if name.is_empty() {
            shown.set(None);
            errors.set(vec![AppError::field(
                ErrorCode::InvalidInput,
                "room",
                "Enter the room whose dispatches to show.",
            )]);
            return;
        }
        errors.set(Vec::new());
        load(name);
    };
    let create = move |_| {
        if busy.get() {
            return;
        }
        error.set(None);
        let mut parse = Parse::default();
        let dispatch = NewAgentDispatch {
            room: room.get_clone(),
            agent_name: agent_name.get_clone().trim().to_owned(),
            metadata: metadata.get_clone(),
            restart_policy: restart_policy.get_clone(),
            deployment: deployment.get_clone().trim().to_owned(),
            attributes: parse.take(inputs::map(&attributes.get_clone(), "attributes")),
        };
        let mut errs = parse.0;
        errs.extend(agents::dispatch_errors(&dispatch));
        if !errs.is_empty() {
            return errors.set(errs);
        }
        errors.set(Vec::new());
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&CreateAgentDispatch {
                project: project.get_clone(),
                dispatch,
            })
            .await;
            busy.set(false);
            match result {
                Ok(d) => {
                    state.tell(format!(
                        "Agent “{}” dispatched to {} ({}).",
                        d.agent_name, d.room, d.id
                    ));
                    load(d.room);
                }
                Err(e) => route_error(e, errors, error),
            }
        });
    };
    let delete = move |id: String| {
        let Some(name) = shown.get_clone() else {
            return;
        };
        spawn_local_scoped(async move {
            match invoke(&DeleteAgentDispatch {
                project: project.get_clone(),
                room: name.clone(),
                id,
            })
            .await
            {
                Ok(()) => state.tell("Agent dispatch deleted."),
                Err(e) => state.fail(&e),
            }
            load(name);
        });
    };

    view! {
        section(class="agents") {
            div(class="page-head") { h1 { "Agents" } }
            div(class="form") {
                div(class="cols") {
                    div {
                        label(r#for="agents-room") { "Room" }
                        input(id="agents-room", bind:value=room, autocomplete="off")
                        (field_error(errors, "room"))
                    }
                    div {
                        label(r#for="agents-name") { "Agent name" }
                        input(id="agents-name", bind:value=agent_name, autocomplete="off")
                        (field_error(errors, "agent_name"))
                    }
                    div {
                        label(r#for="agents-metadata") { "Job metadata" }
                        input(id="agents-metadata", bind:value=metadata)
                        (field_error(errors, "metadata"))
                    }
                }
                div(class="cols") {
                    (choice("agents-restart", "On job failure (Cloud)", restart_policy, agents::RESTART_POLICIES))
                    (text("agents-deployment", "Deployment (Cloud, optional)", deployment, errors, "deployment"))
                    (area("agents-attributes", "Agent attributes", attributes, errors, "attributes", "key=value, one per line"))
                }
                div(class="actions") {
                    button(r#type="button", data-testid="agents-show", on:click=show) { "Show dispatches" }
                    button(r#type="button", class="primary", data-testid="agents-dispatch", disabled=busy.get(), on:click=create) { "Dispatch agent" }
                }
            }
            (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
            (shown.get_clone().map(|name| {
                let heading = format!("Agent dispatches in “{name}”");
                let empty = if dispatches.with(Vec::is_empty) {
                    let text = format!("No agent dispatches in “{name}”.");
                    view! { p(class="empty", data-testid="agents-dispatches-none") { (text) } }
                } else {
                    view! {}
                };
                view! {
                    h2(data-testid="agents-shown") { (heading) }
                    (empty)
                }
            }).unwrap_or_default())
            (if shown.with(Option::is_none) {
                view! { p(class="empty", data-testid="agents-start") { "Type a room and press “Show dispatches” to see its agent dispatches and agent participants, or dispatch an agent to it." } }
            } else { view! {} })
            // Headers only over rows: an empty list says so in words above.
            table(class=if dispatches.with(Vec::is_empty) { "grid hidden" } else { "grid" }) {
                thead { tr { th { "Agent" } th { "Id" } th { "Metadata · attributes" } th { "On failure" } th { "Jobs" } th {} } }
                tbody {
                    Keyed(list=dispatches, key=|d: &AgentDispatchInfo| d.id.clone(), view=move |d: AgentDispatchInfo| {
                        let name = if d.agent_name.is_empty() { "(default: unnamed agents)".to_owned() } else { d.agent_name.clone() };
                        let jobs = d.jobs.iter().map(|j| format!("{} {}", j.participant_identity, j.status.label())).collect::<Vec<_>>().join(", ");
                        let (row_id, id_text, meta, id) = (d.id.clone(), d.id.clone(), d.metadata.clone(), d.id);
                        let agent_attr = d.agent_name.clone();
                        let attrs = inputs::map_text(&d.attributes).replace('\n', ", ");
                        let policy = if d.deployment.is_empty() { d.restart_policy.replace('_', " ") } else { format!("{} · {}", d.restart_policy.replace('_', " "), d.deployment) };
                        view! {
                            tr(data-testid="agent-dispatch-row", data-id=row_id, data-agent=agent_attr) {
                                td { strong { (name) } }
                                td(class="mono") { (id_text) }
                                td(class="mono muted") { (meta) br {} (attrs) }
                                td(data-testid="agent-dispatch-policy") { (policy) }
                                td { (jobs) }
                                td { button(r#type="button", class="link danger", data-testid="agent-dispatch-delete", on:click=move |_| delete(id.clone())) { "Delete" } }
                            }
                        }
                    })
                }
            }
            (match agents.get_clone() {
                None => match shown.get_clone() {
                    Some(name) => {
                        let text = format!("“{name}” is not active now (nobody is in it), so no agent participant is in it.");
                        view! { p(class="muted", data-testid="agents-inactive") { (text) } }
                    }
                    None => view! {},
                },
                Some(list) if list.is_empty() => view! { p(class="muted", data-testid="agents-none") { "No agent participant is in the room." } },
                Some(list) => {
                    let rows = list.into_iter().map(|p| view! {
                        li(data-testid="agent-participant") { strong { (p.identity.clone()) } " " (p.name.clone()) " · " (p.state.label()) }
                    }).collect::<Vec<_>>();
                    view! { h2 { "Agent participants" } ul { (rows) } }
                }
            })
        }
    }
}
