//! The dispatch rule dialog (create and edit): direct, individual or callee rules with PIN,
//! trunk and number filters and a room configuration, checked inline before sending.

use crate::components::dialog::Dialog;
use crate::components::fields::Submission;
use crate::components::inputs::{self, area, check, choice, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{CreateSipDispatchRule, UpdateSipDispatchRule};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::sip::{
    DispatchRule, DispatchRuleSpec, RuleKind, MEDIA_ENCRYPTION, RULE_KINDS,
};
use earshot_protocol::{sip_rules, AppError};
use sycamore::prelude::*;

#[component(inline_props)]
pub fn DispatchRuleDialog<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    existing: Option<DispatchRule>,
    on_close: F,
) -> View {
    let state = app_state();
    let editing = create_signal(existing.as_ref().map(|r| r.id.clone()));
    let s = existing.map(|r| r.spec).unwrap_or_default();
    let name = create_signal(s.name);
    let metadata = create_signal(s.metadata);
    let kind = create_signal(s.kind.label().to_owned());
    let room_name = create_signal(s.room_name);
    let room_prefix = create_signal(s.room_prefix);
    let pin = create_signal(s.pin);
    let randomize = create_signal(s.randomize);
    let trunk_ids = create_signal(inputs::list_text(&s.trunk_ids));
    let hide = create_signal(s.hide_phone_number);
    let inbound_numbers = create_signal(inputs::list_text(&s.inbound_numbers));
    let numbers = create_signal(inputs::list_text(&s.numbers));
    let attributes = create_signal(inputs::map_text(&s.attributes));
    let room_preset = create_signal(s.room_preset);
    let room_config = create_signal(s.room_config_json);
    let krisp = create_signal(s.krisp_enabled);
    let encryption = create_signal(s.media_encryption);
    let form = Submission::new();
    let (errors, error, busy) = (form.errors, form.error, form.busy);

    let collect = move || -> Result<DispatchRuleSpec, Vec<AppError>> {
        let mut p = Parse::default();
        let spec = DispatchRuleSpec {
            name: name.get_clone(),
            metadata: metadata.get_clone(),
            kind: RuleKind::from_label(&kind.get_clone()),
            room_name: room_name.get_clone(),
            room_prefix: room_prefix.get_clone(),
            pin: pin.get_clone().trim().to_owned(),
            randomize: randomize.get(),
            trunk_ids: inputs::list(&trunk_ids.get_clone()),
            hide_phone_number: hide.get(),
            inbound_numbers: inputs::list(&inbound_numbers.get_clone()),
            numbers: inputs::list(&numbers.get_clone()),
            attributes: p.take(inputs::map(&attributes.get_clone(), "attributes")),
            room_preset: room_preset.get_clone().trim().to_owned(),
            room_config_json: room_config.get_clone(),
            krisp_enabled: krisp.get(),
            media_encryption: encryption.get_clone(),
        };
        let mut errs = p.0;
        errs.extend(sip_rules::dispatch_rule_errors(&spec));
        if errs.is_empty() {
            Ok(spec)
        } else {
            Err(errs)
        }
    };
    let submit = move |_| {
        form.run(
            collect,
            move |spec| async move {
                match editing.get_clone() {
                    Some(id) => {
                        invoke(&UpdateSipDispatchRule {
                            project: project.get_clone(),
                            id,
                            spec,
                        })
                        .await
                    }
                    None => {
                        invoke(&CreateSipDispatchRule {
                            project: project.get_clone(),
                            spec,
                        })
                        .await
                    }
                }
            },
            move |r| {
                state.tell(format!("Dispatch rule {} saved.", r.id));
                on_close(true);
            },
        );
    };
    let title = if editing.with(Option::is_some) {
        "Edit dispatch rule"
    } else {
        "New dispatch rule"
    };

    view! {
        Dialog(title=title.to_owned(), test_id="sip-rule-dialog") {
            div(class="form") {
                div(class="cols") {
                    (text("rule-name", "Name", name, errors, "name"))
                    (choice("rule-kind", "Kind (direct: one room · individual: a room per caller · callee: a room per number)", kind, RULE_KINDS))
                }
                (if kind.with(|k| RuleKind::from_label(k) == RuleKind::Direct) {
                    text("rule-room", "Room", room_name, errors, "room_name")
                } else {
                    view! {
                        div(class="cols") {
                            (text("rule-prefix", "Room name prefix", room_prefix, errors, "room_prefix"))
                            (check("rule-randomize", "Append a random suffix", randomize))
                        }
                    }
                })
                div(class="cols") {
                    (text("rule-pin", "PIN (digits, optional)", pin, errors, "pin"))
                    (text("rule-trunks", "Trunk ids (empty: all trunks)", trunk_ids, errors, "trunk_ids"))
                }
                div(class="cols") {
                    (text("rule-inbound-numbers", "Only calls from (numbers)", inbound_numbers, errors, "inbound_numbers"))
                    (text("rule-numbers", "Only calls to (numbers)", numbers, errors, "numbers"))
                }
                div(class="cols") {
                    (area("rule-attributes", "Participant attributes (key=value)", attributes, errors, "attributes", ""))
                    (area("rule-room-config", "Room configuration (JSON)", room_config, errors, "room_config_json",
                        "{\"agents\": [{\"agentName\": \"receptionist\"}]}"))
                }
                div(class="cols") {
                    (text("rule-preset", "Room preset (LiveKit Cloud)", room_preset, errors, "room_preset"))
                    (choice("rule-encryption", "Media encryption", encryption, MEDIA_ENCRYPTION))
                }
                (check("rule-hide", "Hide the caller's number", hide))
                (check("rule-krisp", "Krisp noise cancellation", krisp))
                (area("rule-metadata", "Metadata", metadata, errors, "metadata", ""))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Saving…" } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="sip-rule-submit", disabled=busy.get(), on:click=submit) { "Save" }
                }
            }
        }
    }
}
