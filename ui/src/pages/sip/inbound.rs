//! The inbound trunk dialog (create and edit): every field, checked inline — including
//! numbers that clash with another inbound trunk — before anything is sent.

use crate::components::dialog::Dialog;
use crate::components::fields::Submission;
use crate::components::inputs::{self, area, check, choice, secret, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{CreateSipInboundTrunk, UpdateSipInboundTrunk};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::sip::{
    InboundTrunk, InboundTrunkSpec, TrunkPassword, INCLUDE_HEADERS, MEDIA_ENCRYPTION,
};
use earshot_protocol::{sip_rules, AppError, SecretInput};
use sycamore::prelude::*;

#[component(inline_props)]
pub fn InboundTrunkDialog<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    existing: Option<InboundTrunk>,
    others: Vec<InboundTrunk>,
    on_close: F,
) -> View {
    let state = app_state();
    let id = existing.as_ref().map(|t| t.id.clone());
    let had_password = existing.as_ref().is_some_and(|t| t.has_auth_password);
    let s = existing.map(|t| t.spec).unwrap_or_default();
    let name = create_signal(s.name);
    let metadata = create_signal(s.metadata);
    let numbers = create_signal(inputs::list_text(&s.numbers));
    let allowed_addresses = create_signal(inputs::list_text(&s.allowed_addresses));
    let allowed_numbers = create_signal(inputs::list_text(&s.allowed_numbers));
    let auth_username = create_signal(s.auth_username);
    let password = create_signal(String::new());
    let clear_password = create_signal(false);
    let auth_realm = create_signal(s.auth_realm);
    let headers = create_signal(inputs::map_text(&s.headers));
    let headers_to_attributes = create_signal(inputs::map_text(&s.headers_to_attributes));
    let attributes_to_headers = create_signal(inputs::map_text(&s.attributes_to_headers));
    let include_headers = create_signal(s.include_headers);
    let ringing = create_signal(inputs::seconds_text(s.ringing_timeout_secs));
    let max_duration = create_signal(inputs::seconds_text(s.max_call_duration_secs));
    let krisp = create_signal(s.krisp_enabled);
    let encryption = create_signal(s.media_encryption);
    let form = Submission::new();
    let (errors, error, busy) = (form.errors, form.error, form.busy);
    let others = create_signal(others);
    let editing = create_signal(id);

    let collect = move || -> Result<InboundTrunkSpec, Vec<AppError>> {
        let mut p = Parse::default();
        let spec = InboundTrunkSpec {
            name: name.get_clone(),
            metadata: metadata.get_clone(),
            numbers: inputs::list(&numbers.get_clone()),
            allowed_addresses: inputs::list(&allowed_addresses.get_clone()),
            allowed_numbers: inputs::list(&allowed_numbers.get_clone()),
            auth_username: auth_username.get_clone(),
            auth_realm: auth_realm.get_clone(),
            headers: p.take(inputs::map(&headers.get_clone(), "headers")),
            headers_to_attributes: p.take(inputs::map(
                &headers_to_attributes.get_clone(),
                "headers_to_attributes",
            )),
            attributes_to_headers: p.take(inputs::map(
                &attributes_to_headers.get_clone(),
                "attributes_to_headers",
            )),
            include_headers: include_headers.get_clone(),
            ringing_timeout_secs: p.take(inputs::seconds(
                &ringing.get_clone(),
                "ringing_timeout_secs",
            )),
            max_call_duration_secs: p.take(inputs::seconds(
                &max_duration.get_clone(),
                "max_call_duration_secs",
            )),
            krisp_enabled: krisp.get(),
            media_encryption: encryption.get_clone(),
        };
        let mut errs = p.0;
        errs.extend(sip_rules::inbound_trunk_errors(&spec));
        if errs.is_empty() {
            let mine = editing.get_clone();
            if let Err(e) = others.with(|o| sip_rules::inbound_conflict(&spec, mine.as_deref(), o))
            {
                errs.push(e);
            }
        }
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
                let password = TrunkPassword {
                    password: SecretInput::new(password.get_clone()),
                    clear: clear_password.get(),
                };
                match editing.get_clone() {
                    Some(id) => {
                        invoke(&UpdateSipInboundTrunk {
                            project: project.get_clone(),
                            id,
                            spec,
                            password,
                        })
                        .await
                    }
                    None => {
                        invoke(&CreateSipInboundTrunk {
                            project: project.get_clone(),
                            spec,
                            password,
                        })
                        .await
                    }
                }
            },
            move |t| {
                state.tell(format!("Inbound trunk “{}” saved ({}).", t.spec.name, t.id));
                on_close(true);
            },
        );
    };
    let title = if editing.with(Option::is_some) {
        "Edit inbound trunk"
    } else {
        "New inbound trunk"
    };
    let pw_hint = if had_password {
        "stored — leave empty to keep"
    } else {
        "none"
    };

    view! {
        Dialog(title=title.to_owned(), test_id="sip-inbound-dialog") {
            div(class="form") {
                div(class="cols") {
                    (text("in-name", "Name", name, errors, "name"))
                    (text("in-numbers", "Numbers (E.164, comma separated)", numbers, errors, "numbers"))
                }
                div(class="cols") {
                    (text("in-allowed-addresses", "Allowed addresses (IP or CIDR)", allowed_addresses, errors, "allowed_addresses"))
                    (text("in-allowed-numbers", "Allowed caller numbers", allowed_numbers, errors, "allowed_numbers"))
                }
                div(class="cols") {
                    (text("in-auth-username", "Auth username", auth_username, errors, "auth_username"))
                    (secret("in-auth-password", "Auth password", password, pw_hint))
                    (text("in-auth-realm", "Auth realm", auth_realm, errors, "auth_realm"))
                }
                (if had_password { check("in-clear-password", "Remove the stored password", clear_password) } else { view! {} })
                div(class="cols") {
                    (area("in-headers", "Headers on 200 OK (X-Name=value)", headers, errors, "headers", "X-Site=berlin"))
                    (area("in-h2a", "Headers → attributes", headers_to_attributes, errors, "headers_to_attributes", "X-Customer=customer"))
                    (area("in-a2h", "Attributes → headers", attributes_to_headers, errors, "attributes_to_headers", "agent=X-Agent"))
                }
                div(class="cols") {
                    (choice("in-include-headers", "Include headers as sip.h.*", include_headers, INCLUDE_HEADERS))
                    (text("in-ringing", "Ringing timeout (s)", ringing, errors, "ringing_timeout_secs"))
                    (text("in-max-duration", "Max call duration (s)", max_duration, errors, "max_call_duration_secs"))
                    (choice("in-encryption", "Media encryption", encryption, MEDIA_ENCRYPTION))
                }
                (check("in-krisp", "Krisp noise cancellation", krisp))
                (area("in-metadata", "Metadata", metadata, errors, "metadata", ""))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Saving…" } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="sip-inbound-submit", disabled=busy.get(), on:click=submit) { "Save" }
                }
            }
        }
    }
}
