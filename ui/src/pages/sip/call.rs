//! Dialling out from an outbound trunk into a room, and transferring a SIP participant.
//! The outcome stays in the dialog: the call id when placed, else the server's reason
//! (with the SIP status when the callee's side answered with one).

use crate::components::dialog::Dialog;
use crate::components::fields::route_error;
use crate::components::inputs::{self, area, check, choice, text, Parse};
use crate::ipc::invoke;
use crate::routes::{go, Param, Route};
use earshot_protocol::command::{DialSipOut, TransferSipParticipant};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::sip::{DialOut, OutboundTrunk, Transfer, INCLUDE_HEADERS, MEDIA_ENCRYPTION};
use earshot_protocol::{sip_rules, AppError};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

fn outcome(
    error: Signal<Option<AppError>>,
    done: Signal<Option<String>>,
    busy: Signal<bool>,
    label: &'static str,
) -> View {
    view! {
        (error.get_clone().map(|e| {
            let code = format!("{:?}", e.code);
            view! { p(class="form-error", data-testid="form-error", data-code=code) { (e.message) } }
        }).unwrap_or_default())
        (done.get_clone().map(|d| view! { p(class="notice", data-testid="call-result") { (d) } }).unwrap_or_default())
        (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") (label) } } } else { view! {} })
    }
}

/// Listens in on the call just placed (hidden, as from the Rooms page) and opens Listen.
#[component(inline_props)]
fn ListenToCall(project: ReadSignal<ProjectId>, room: String) -> View {
    let listen = crate::listen::listen();
    let joining = create_signal(false);
    let error = create_signal(None::<AppError>);
    view! {
        button(r#type="button", data-testid="sip-dial-listen", disabled=joining.get(), on:click=move |_| {
            let room = room.clone();
            joining.set(true);
            spawn_local_scoped(async move {
                let project = project.get_clone();
                match listen.start(project.clone(), room).await {
                    Ok(()) => go(&Route::Listen { project: Param(project) }),
                    Err(err) => {
                        joining.set(false);
                        error.set(Some(err));
                    }
                }
            });
        }) { (if joining.get() { "Joining…" } else { "Listen to the call" }) }
        (error.get_clone().map(|e| view! { p(class="form-error", data-testid="sip-dial-listen-error") { (e.message) } }).unwrap_or_default())
    }
}

#[component(inline_props)]
pub fn DialDialog<F: Fn() + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    trunks: Vec<OutboundTrunk>,
    on_close: F,
) -> View {
    let d = DialOut::default();
    let trunk_id = create_signal(trunks.first().map(|t| t.id.clone()).unwrap_or_default());
    let call_to = create_signal(String::new());
    let sip_number = create_signal(String::new());
    let room = create_signal(String::new());
    let identity = create_signal(String::new());
    let pname = create_signal(String::new());
    let pmeta = create_signal(String::new());
    let pattrs = create_signal(String::new());
    let dtmf = create_signal(String::new());
    let dialtone = create_signal(false);
    let hide = create_signal(false);
    let headers = create_signal(String::new());
    let include_headers = create_signal(d.include_headers);
    let ringing = create_signal(String::new());
    let max_duration = create_signal(String::new());
    let krisp = create_signal(false);
    let encryption = create_signal(d.media_encryption);
    let wait = create_signal(true);
    let display_name = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let done = create_signal(None::<String>);
    let busy = create_signal(false);
    // The room of the call just placed, so the supervisor can listen in at once.
    let placed = create_signal(None::<String>);
    let options = trunks
        .into_iter()
        .map(|t| {
            let label = format!("{} · {} ({})", t.spec.name, t.spec.address, t.id);
            view! { option(value=t.id) { (label) } }
        })
        .collect::<Vec<_>>();

    let submit = move |_| {
        if busy.get() {
            return;
        }
        error.set(None);
        done.set(None);
        placed.set(None);
        let mut p = Parse::default();
        let shown = display_name.get_clone();
        let dial = DialOut {
            trunk_id: trunk_id.get_clone(),
            call_to: call_to.get_clone().trim().to_owned(),
            sip_number: sip_number.get_clone().trim().to_owned(),
            room_name: room.get_clone(),
            participant_identity: identity.get_clone(),
            participant_name: pname.get_clone(),
            participant_metadata: pmeta.get_clone(),
            participant_attributes: p
                .take(inputs::map(&pattrs.get_clone(), "participant_attributes")),
            dtmf: dtmf.get_clone().trim().to_owned(),
            play_dialtone: dialtone.get(),
            hide_phone_number: hide.get(),
            headers: p.take(inputs::map(&headers.get_clone(), "headers")),
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
            wait_until_answered: wait.get(),
            display_name: (!shown.is_empty()).then_some(shown),
        };
        let mut errs = p.0;
        errs.extend(sip_rules::dial_out_errors(&dial));
        if !errs.is_empty() {
            return errors.set(errs);
        }
        errors.set(Vec::new());
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&DialSipOut {
                project: project.get_clone(),
                dial,
            })
            .await;
            busy.set(false);
            match result {
                Ok(r) => {
                    done.set(Some(format!(
                        "Call placed: {} joined {} (SIP call {}).",
                        r.participant_identity, r.room_name, r.sip_call_id
                    )));
                    placed.set(Some(r.room_name));
                }
                Err(err) => route_error(err, errors, error),
            }
        });
    };

    view! {
        Dialog(title="Dial out".to_owned(), test_id="sip-dial-dialog") {
            div(class="form") {
                div(class="cols") {
                    div {
                        label(r#for="dial-trunk") { "Outbound trunk" }
                        select(id="dial-trunk", bind:value=trunk_id) { (options) }
                        (crate::components::fields::field_error(errors, "trunk_id"))
                    }
                    (text("dial-to", "Number to call", call_to, errors, "call_to"))
                    (text("dial-from", "Caller number (optional)", sip_number, errors, "sip_number"))
                }
                div(class="cols") {
                    (text("dial-room", "Room", room, errors, "room_name"))
                    (text("dial-identity", "Participant identity", identity, errors, "participant_identity"))
                    (text("dial-name", "Participant name", pname, errors, "participant_name"))
                }
                div(class="cols") {
                    (text("dial-dtmf", "DTMF after answer (w = pause)", dtmf, errors, "dtmf"))
                    (text("dial-ringing", "Ringing timeout (s)", ringing, errors, "ringing_timeout_secs"))
                    (text("dial-max-duration", "Max call duration (s)", max_duration, errors, "max_call_duration_secs"))
                    (text("dial-display-name", "From display name", display_name, errors, "display_name"))
                }
                div(class="cols") {
                    (area("dial-attributes", "Participant attributes (key=value)", pattrs, errors, "participant_attributes", ""))
                    (area("dial-headers", "INVITE headers (X-Name=value)", headers, errors, "headers", ""))
                    (area("dial-metadata", "Participant metadata", pmeta, errors, "participant_metadata", ""))
                }
                div(class="cols") {
                    (choice("dial-include-headers", "Include headers as sip.h.*", include_headers, INCLUDE_HEADERS))
                    (choice("dial-encryption", "Media encryption", encryption, MEDIA_ENCRYPTION))
                }
                (check("dial-wait", "Wait until answered (shows the SIP status if the call fails)", wait))
                (check("dial-dialtone", "Play a dial tone in the room", dialtone))
                (check("dial-hide", "Hide the phone number", hide))
                (check("dial-krisp", "Krisp noise cancellation", krisp))
                (outcome(error, done, busy, "Dialling…"))
                div(class="actions sticky") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close()) { "Close" }
                    (placed.get_clone().map(|room| view! { ListenToCall(project=project, room=room) }).unwrap_or_default())
                    button(r#type="button", class="primary", data-testid="sip-dial-submit", disabled=busy.get(), on:click=submit) { "Call" }
                }
            }
        }
    }
}

#[component(inline_props)]
pub fn TransferDialog<F: Fn() + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    on_close: F,
) -> View {
    let room = create_signal(String::new());
    let identity = create_signal(String::new());
    let to = create_signal(String::new());
    let dialtone = create_signal(false);
    let headers = create_signal(String::new());
    let ringing = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let done = create_signal(None::<String>);
    let busy = create_signal(false);
    let submit = move |_| {
        if busy.get() {
            return;
        }
        error.set(None);
        done.set(None);
        let mut p = Parse::default();
        let transfer = Transfer {
            room: room.get_clone(),
            identity: identity.get_clone(),
            transfer_to: to.get_clone().trim().to_owned(),
            play_dialtone: dialtone.get(),
            headers: p.take(inputs::map(&headers.get_clone(), "headers")),
            ringing_timeout_secs: p.take(inputs::seconds(
                &ringing.get_clone(),
                "ringing_timeout_secs",
            )),
        };
        let mut errs = p.0;
        errs.extend(sip_rules::transfer_errors(&transfer));
        if !errs.is_empty() {
            return errors.set(errs);
        }
        errors.set(Vec::new());
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&TransferSipParticipant {
                project: project.get_clone(),
                transfer,
            })
            .await;
            busy.set(false);
            match result {
                Ok(()) => done.set(Some("Transferred.".into())),
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    view! {
        Dialog(title="Transfer a SIP participant".to_owned(), test_id="sip-transfer-dialog") {
            div(class="form") {
                div(class="cols") {
                    (text("transfer-room", "Room", room, errors, "room"))
                    (text("transfer-identity", "Participant identity", identity, errors, "identity"))
                }
                div(class="cols") {
                    (text("transfer-to", "Transfer to (tel:+… or sip:user@host)", to, errors, "transfer_to"))
                    (text("transfer-ringing", "Ringing timeout (s)", ringing, errors, "ringing_timeout_secs"))
                }
                (area("transfer-headers", "REFER headers (X-Name=value)", headers, errors, "headers", ""))
                (check("transfer-dialtone", "Play a dial tone to the caller", dialtone))
                (outcome(error, done, busy, "Transferring…"))
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close()) { "Close" }
                    button(r#type="button", class="primary", data-testid="sip-transfer-submit", disabled=busy.get(), on:click=submit) { "Transfer" }
                }
            }
        }
    }
}
