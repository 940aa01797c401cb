//! The outbound trunk dialog (create and edit): every field, checked inline before sending.

use crate::components::dialog::Dialog;
use crate::components::fields::Submission;
use crate::components::inputs::{self, area, check, choice, secret, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{CreateSipOutboundTrunk, UpdateSipOutboundTrunk};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::sip::{
    OutboundTrunk, OutboundTrunkSpec, TrunkPassword, INCLUDE_HEADERS, MEDIA_ENCRYPTION, TRANSPORTS,
};
use earshot_protocol::{sip_rules, AppError, SecretInput};
use sycamore::prelude::*;

#[component(inline_props)]
pub fn OutboundTrunkDialog<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    existing: Option<OutboundTrunk>,
    on_close: F,
) -> View {
    let state = app_state();
    let editing = create_signal(existing.as_ref().map(|t| t.id.clone()));
    let had_password = existing.as_ref().is_some_and(|t| t.has_auth_password);
    let s = existing.map(|t| t.spec).unwrap_or_default();
    let name = create_signal(s.name);
    let metadata = create_signal(s.metadata);
    let address = create_signal(s.address);
    let country = create_signal(s.destination_country);
    let transport = create_signal(s.transport);
    let numbers = create_signal(inputs::list_text(&s.numbers));
    let auth_username = create_signal(s.auth_username);
    let password = create_signal(String::new());
    let clear_password = create_signal(false);
    let headers = create_signal(inputs::map_text(&s.headers));
    let headers_to_attributes = create_signal(inputs::map_text(&s.headers_to_attributes));
    let attributes_to_headers = create_signal(inputs::map_text(&s.attributes_to_headers));
    let include_headers = create_signal(s.include_headers);
    let encryption = create_signal(s.media_encryption);
    let from_host = create_signal(s.from_host);
    let form = Submission::new();
    let (errors, error, busy) = (form.errors, form.error, form.busy);

    let collect = move || -> Result<OutboundTrunkSpec, Vec<AppError>> {
        let mut p = Parse::default();
        let spec = OutboundTrunkSpec {
            name: name.get_clone(),
            metadata: metadata.get_clone(),
            address: address.get_clone().trim().to_owned(),
            destination_country: country.get_clone().trim().to_owned(),
            transport: transport.get_clone(),
            numbers: inputs::list(&numbers.get_clone()),
            auth_username: auth_username.get_clone(),
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
            media_encryption: encryption.get_clone(),
            from_host: from_host.get_clone().trim().to_owned(),
        };
        let mut errs = p.0;
        errs.extend(sip_rules::outbound_trunk_errors(&spec));
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
                        invoke(&UpdateSipOutboundTrunk {
                            project: project.get_clone(),
                            id,
                            spec,
                            password,
                        })
                        .await
                    }
                    None => {
                        invoke(&CreateSipOutboundTrunk {
                            project: project.get_clone(),
                            spec,
                            password,
                        })
                        .await
                    }
                }
            },
            move |t| {
                state.tell(format!(
                    "Outbound trunk “{}” saved ({}).",
                    t.spec.name, t.id
                ));
                on_close(true);
            },
        );
    };
    let title = if editing.with(Option::is_some) {
        "Edit outbound trunk"
    } else {
        "New outbound trunk"
    };
    let pw_hint = if had_password {
        "stored — leave empty to keep"
    } else {
        "none"
    };

    view! {
        Dialog(title=title.to_owned(), test_id="sip-outbound-dialog") {
            div(class="form") {
                div(class="cols") {
                    (text("out-name", "Name", name, errors, "name"))
                    (text("out-address", "SIP server (host[:port])", address, errors, "address"))
                    (choice("out-transport", "Transport", transport, TRANSPORTS))
                }
                div(class="cols") {
                    (text("out-numbers", "Caller numbers (E.164)", numbers, errors, "numbers"))
                    (text("out-country", "Destination country (ISO, e.g. US)", country, errors, "destination_country"))
                    (text("out-from-host", "From host (optional)", from_host, errors, "from_host"))
                }
                div(class="cols") {
                    (text("out-auth-username", "Auth username", auth_username, errors, "auth_username"))
                    (secret("out-auth-password", "Auth password", password, pw_hint))
                }
                (if had_password { check("out-clear-password", "Remove the stored password", clear_password) } else { view! {} })
                div(class="cols") {
                    (area("out-headers", "Headers on INVITE (X-Name=value)", headers, errors, "headers", "X-Account=42"))
                    (area("out-h2a", "Headers → attributes", headers_to_attributes, errors, "headers_to_attributes", ""))
                    (area("out-a2h", "Attributes → headers", attributes_to_headers, errors, "attributes_to_headers", ""))
                }
                div(class="cols") {
                    (choice("out-include-headers", "Include headers as sip.h.*", include_headers, INCLUDE_HEADERS))
                    (choice("out-encryption", "Media encryption", encryption, MEDIA_ENCRYPTION))
                }
                (area("out-metadata", "Metadata", metadata, errors, "metadata", ""))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Saving…" } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="sip-outbound-submit", disabled=busy.get(), on:click=submit) { "Save" }
                }
            }
        }
    }
}
