//! The SIP page: one project's inbound and outbound trunks and dispatch rules,
//! with create / edit / delete, dialling out and transferring calls.

mod call;
mod inbound;
mod outbound;
mod rule;

use crate::components::dialog::Confirm;
use crate::ipc::invoke;
use crate::state::app_state;
use call::{DialDialog, TransferDialog};
use earshot_protocol::command::{DeleteSipDispatchRule, DeleteSipTrunk, GetSipOverview};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::sip::{DispatchRule, InboundTrunk, OutboundTrunk, RuleKind, SipOverview};
use earshot_protocol::AppError;
use inbound::InboundTrunkDialog;
use outbound::OutboundTrunkDialog;
use rule::DispatchRuleDialog;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// Which dialog is open.
#[derive(Clone, PartialEq)]
enum Open {
    Inbound(Option<InboundTrunk>),
    Outbound(Option<OutboundTrunk>),
    Rule(Option<DispatchRule>),
    Dial,
    Transfer,
}

/// Something waiting for delete confirmation: (is a rule, id, label).
type Pending = (bool, String, String);

#[component(inline_props)]
pub fn SipPage(project: ProjectId) -> View {
    let project = *create_signal(project);
    let state = app_state();
    let overview = create_signal(None::<SipOverview>);
    let error = create_signal(None::<AppError>);
    let open = create_signal(None::<Open>);
    let pending = create_signal(None::<Pending>);
    let reload = create_signal(0u32);

    create_effect(move || {
        reload.track();
        let project = project.get_clone();
        spawn_local_scoped(async move {
            match invoke(&GetSipOverview { project }).await {
                Ok(o) => {
                    overview.set(Some(o));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let refresh = move || reload.set(reload.get() + 1);
    let close = move |saved: bool| {
        open.set(None);
        if saved {
            refresh();
        }
    };
    let delete = move || {
        let Some((is_rule, id, label)) = pending.get_clone() else {
            return;
        };
        pending.set(None);
        spawn_local_scoped(async move {
            let result = if is_rule {
                invoke(&DeleteSipDispatchRule {
                    project: project.get_clone(),
                    id,
                })
                .await
            } else {
                invoke(&DeleteSipTrunk {
                    project: project.get_clone(),
                    id,
                })
                .await
            };
            match result {
                Ok(()) => state.tell(format!("{label} deleted.")),
                Err(e) => state.fail(&e),
            }
            refresh();
        });
    };
    let ov = move || overview.get_clone().unwrap_or_default();

    view! {
        section(class="sip") {
            div(class="page-head") {
                h1 { "SIP" }
                div(class="actions") {
                    button(r#type="button", data-testid="sip-new-inbound", on:click=move |_| open.set(Some(Open::Inbound(None)))) { "New inbound trunk" }
                    button(r#type="button", data-testid="sip-new-outbound", on:click=move |_| open.set(Some(Open::Outbound(None)))) { "New outbound trunk" }
                    button(r#type="button", data-testid="sip-new-rule", on:click=move |_| open.set(Some(Open::Rule(None)))) { "New dispatch rule" }
                    button(r#type="button", class="primary", data-testid="sip-dial", on:click=move |_| open.set(Some(Open::Dial))) { "Dial out" }
                    button(r#type="button", data-testid="sip-transfer", on:click=move |_| open.set(Some(Open::Transfer))) { "Transfer" }
                }
            }
            (error.get_clone().map(|e| view! { div(class="banner error", role="alert") { p(data-testid="sip-error") { (e.message) } } }).unwrap_or_default())
            h2 { "Inbound trunks" }
            table(class="grid") {
                thead { tr { th { "Name" } th { "Id" } th { "Numbers" } th { "Allowed from" } th { "Auth" } th {} } }
                tbody {
                    Keyed(list=move || ov().inbound, key=|t: &InboundTrunk| format!("{t:?}"), view=move |t: InboundTrunk| {
                        let edit = t.clone();
                        let (id, label) = (t.id.clone(), format!("Inbound trunk “{}”", t.spec.name));
                        let (row_id, id_text, name) = (t.id.clone(), t.id.clone(), t.spec.name.clone());
                        let numbers = t.spec.numbers.join(", ");
                        let auth = if t.has_auth_password { format!("{} · password set", t.spec.auth_username) } else { t.spec.auth_username.clone() };
                        let from = [t.spec.allowed_addresses.join(", "), t.spec.allowed_numbers.join(", ")].join(" ");
                        view! {
                            tr(data-testid="sip-inbound-row", data-id=row_id) {
                                td { strong { (name) } }
                                td(class="mono") { (id_text) }
                                td { (numbers) }
                                td { (from) }
                                td { (auth) }
                                td {
                                    button(r#type="button", class="link", on:click=move |_| open.set(Some(Open::Inbound(Some(edit.clone()))))) { "Edit" }
                                    button(r#type="button", class="link danger", data-testid="sip-delete",
                                        on:click=move |_| pending.set(Some((false, id.clone(), label.clone())))) { "Delete" }
                                }
                            }
                        }
                    })
                }
            }
            (if overview.with(|o| o.as_ref().is_some_and(|o| o.inbound.is_empty())) {
                view! { p(class="empty", data-testid="sip-inbound-empty") { "No inbound trunks. One lets calls to your phone numbers reach LiveKit: “New inbound trunk”." } }
            } else { view! {} })
            h2 { "Outbound trunks" }
            table(class="grid") {
                thead { tr { th { "Name" } th { "Id" } th { "Address" } th { "Numbers" } th { "Transport" } th {} } }
                tbody {
                    Keyed(list=move || ov().outbound, key=|t: &OutboundTrunk| format!("{t:?}"), view=move |t: OutboundTrunk| {
                        let edit = t.clone();
                        let (id, label) = (t.id.clone(), format!("Outbound trunk “{}”", t.spec.name));
                        let (row_id, id_text, name) = (t.id.clone(), t.id.clone(), t.spec.name.clone());
                        let (address, numbers, transport) = (t.spec.address.clone(), t.spec.numbers.join(", "), t.spec.transport.clone());
                        view! {
                            tr(data-testid="sip-outbound-row", data-id=row_id) {
                                td { strong { (name) } }
                                td(class="mono") { (id_text) }
                                td { (address) }
                                td { (numbers) }
                                td { (transport) }
                                td {
                                    button(r#type="button", class="link", on:click=move |_| open.set(Some(Open::Outbound(Some(edit.clone()))))) { "Edit" }
                                    button(r#type="button", class="link danger", data-testid="sip-delete",
                                        on:click=move |_| pending.set(Some((false, id.clone(), label.clone())))) { "Delete" }
                                }
                            }
                        }
                    })
                }
            }
            (if overview.with(|o| o.as_ref().is_some_and(|o| o.outbound.is_empty())) {
                view! { p(class="empty", data-testid="sip-outbound-empty") { "No outbound trunks. Dialling out needs one: “New outbound trunk”." } }
            } else { view! {} })
            h2 { "Dispatch rules" }
            table(class="grid") {
                thead { tr { th { "Name" } th { "Id" } th { "Kind" } th { "Room" } th { "PIN" } th { "Trunks" } th {} } }
                tbody {
                    Keyed(list=move || ov().rules, key=|r: &DispatchRule| format!("{r:?}"), view=move |r: DispatchRule| {
                        let edit = r.clone();
                        let (id, label) = (r.id.clone(), format!("Dispatch rule {}", r.id));
                        let room = if r.spec.kind == RuleKind::Direct { r.spec.room_name.clone() } else { format!("{}…", r.spec.room_prefix) };
                        let trunks = if r.spec.trunk_ids.is_empty() { "all".to_owned() } else { r.spec.trunk_ids.join(", ") };
                        let pin = if r.spec.pin.is_empty() { "" } else { "yes" };
                        let (row_id, id_text, row_name, name, kind) = (r.id.clone(), r.id.clone(), r.spec.name.clone(), r.spec.name.clone(), r.spec.kind.label());
                        view! {
                            tr(data-testid="sip-rule-row", data-id=row_id, data-name=row_name) {
                                td { strong { (name) } }
                                td(class="mono") { (id_text) }
                                td { (kind) }
                                td { (room) }
                                td { (pin) }
                                td { (trunks) }
                                td {
                                    button(r#type="button", class="link", on:click=move |_| open.set(Some(Open::Rule(Some(edit.clone()))))) { "Edit" }
                                    button(r#type="button", class="link danger", data-testid="sip-delete",
                                        on:click=move |_| pending.set(Some((true, id.clone(), label.clone())))) { "Delete" }
                                }
                            }
                        }
                    })
                }
            }
            (if overview.with(|o| o.as_ref().is_some_and(|o| o.rules.is_empty())) {
                view! { p(class="empty", data-testid="sip-rules-empty") { "No dispatch rules. Without one, calls on an inbound trunk are not routed to any room: “New dispatch rule”." } }
            } else { view! {} })
            (match open.get_clone() {
                // Option props are optional in Sycamore: leave them out for "new".
                Some(Open::Inbound(Some(t))) => view! { InboundTrunkDialog(project=project, existing=t, others=ov().inbound, on_close=close) },
                Some(Open::Inbound(None)) => view! { InboundTrunkDialog(project=project, others=ov().inbound, on_close=close) },
                Some(Open::Outbound(Some(t))) => view! { OutboundTrunkDialog(project=project, existing=t, on_close=close) },
                Some(Open::Outbound(None)) => view! { OutboundTrunkDialog(project=project, on_close=close) },
                Some(Open::Rule(Some(r))) => view! { DispatchRuleDialog(project=project, existing=r, on_close=close) },
                Some(Open::Rule(None)) => view! { DispatchRuleDialog(project=project, on_close=close) },
                Some(Open::Dial) => view! { DialDialog(project=project, trunks=ov().outbound, on_close=move || open.set(None)) },
                Some(Open::Transfer) => view! { TransferDialog(project=project, on_close=move || open.set(None)) },
                None => view! {},
            })
            (pending.get_clone().map(|(_, _, label)| view! {
                Confirm(title="Delete?".to_owned(), message=format!("{label} will be deleted on the server."),
                    ok_label="Delete".to_owned(), on_ok=delete, on_cancel=move || pending.set(None))
            }).unwrap_or_default())
        }
    }
}
