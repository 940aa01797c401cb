//! Tokens: a builder for every VideoGrant and SIP grant, signed with the route's project's
//! key, and an inspector that decodes any token and checks it against that key.

use crate::components::fields::{clear_on_edit, field_error, route_error};
use crate::ipc::invoke;
use crate::state::{app_state, now_ms};
use earshot_protocol::command::{CreateToken, InspectToken};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::TrackSource;
use earshot_protocol::tokens::{
    self, Grants, SipGrants, TokenInspection, TokenRequest, TokenResult,
};
use earshot_protocol::AppError;
use std::collections::BTreeMap;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

const FLAGS: [(&str, &str); 15] = [
    ("room_join", "roomJoin"),
    ("can_publish", "canPublish"),
    ("can_subscribe", "canSubscribe"),
    ("can_publish_data", "canPublishData"),
    ("can_update_own_metadata", "canUpdateOwnMetadata"),
    ("hidden", "hidden"),
    ("recorder", "recorder"),
    ("agent", "agent"),
    ("room_list", "roomList"),
    ("room_create", "roomCreate"),
    ("room_admin", "roomAdmin"),
    ("room_record", "roomRecord"),
    ("ingress_admin", "ingressAdmin"),
    ("sip_admin", "SIP admin"),
    ("sip_call", "SIP call"),
];

#[component(inline_props)]
pub fn TokensPage(project: ProjectId) -> View {
    let project = *create_signal(project);
    view! {
        section(class="tokens") {
            h1 { "Tokens" }
            div(class="two-cols") {
                Builder(project=project)
                Inspector(project=project)
            }
        }
    }
}

#[component(inline_props)]
fn Builder(project: ReadSignal<ProjectId>) -> View {
    let state = app_state();
    let identity = create_signal(String::new());
    let name = create_signal(String::new());
    let room = create_signal(String::new());
    let ttl = create_signal("3600".to_owned());
    let metadata = create_signal(String::new());
    let attributes = create_signal(String::new());
    let sources = create_signal(String::new());
    let room_config = create_signal(String::new());
    let flags: Vec<(&'static str, &'static str, Signal<bool>)> = FLAGS
        .iter()
        .map(|(key, label)| {
            (
                *key,
                *label,
                create_signal(matches!(
                    *key,
                    "room_join" | "can_publish" | "can_subscribe" | "can_publish_data"
                )),
            )
        })
        .collect();
    let flag_signals = flags.iter().map(|(k, _, s)| (*k, *s)).collect::<Vec<_>>();
    let errors = create_signal(Vec::<AppError>::new());
    for (field, value) in [
        ("identity", identity),
        ("room", room),
        ("ttl_seconds", ttl),
        ("metadata", metadata),
        ("attributes", attributes),
        ("room_config_json", room_config),
    ] {
        clear_on_edit(errors, field, value);
    }
    let error = create_signal(None::<AppError>);
    let result = create_signal(None::<TokenResult>);
    // None: not copied yet; Some(Err) says why the clipboard refused.
    let copied = create_signal(None::<Result<(), String>>);

    let request = move || -> Result<TokenRequest, Vec<AppError>> {
        let on = |key: &str| {
            flag_signals
                .iter()
                .find(|(k, _)| *k == key)
                .is_some_and(|(_, s)| s.get())
        };
        let mut errs = Vec::new();
        let ttl_seconds = ttl.get_clone().trim().parse::<u64>().unwrap_or(0);
        let mut attrs = BTreeMap::new();
        for line in attributes
            .get_clone()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            match line.split_once('=') {
                Some((k, v)) => {
                    attrs.insert(k.trim().to_owned(), v.trim().to_owned());
                }
                None => errs.push(AppError::field(
                    earshot_protocol::ErrorCode::InvalidInput,
                    "attributes",
                    format!("“{line}” is not key=value."),
                )),
            }
        }
        let r = TokenRequest {
            identity: identity.get_clone(),
            name: name.get_clone(),
            metadata: metadata.get_clone(),
            attributes: attrs,
            ttl_seconds,
            grants: Grants {
                room: room.get_clone().trim().to_owned(),
                room_join: on("room_join"),
                room_list: on("room_list"),
                room_create: on("room_create"),
                room_admin: on("room_admin"),
                room_record: on("room_record"),
                ingress_admin: on("ingress_admin"),
                can_publish: on("can_publish"),
                can_publish_data: on("can_publish_data"),
                can_publish_sources: sources
                    .get_clone()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(TrackSource::from_label)
                    .collect(),
                can_subscribe: on("can_subscribe"),
                can_update_own_metadata: on("can_update_own_metadata"),
                hidden: on("hidden"),
                recorder: on("recorder"),
                agent: on("agent"),
            },
            sip: SipGrants {
                admin: on("sip_admin"),
                call: on("sip_call"),
            },
            room_config_json: room_config.get_clone(),
        };
        errs.extend(tokens::token_request(&r));
        if errs.is_empty() {
            Ok(r)
        } else {
            Err(errs)
        }
    };
    let build = move |_| {
        error.set(None);
        copied.set(None);
        let request = match request() {
            Ok(r) => r,
            Err(errs) => return errors.set(errs),
        };
        errors.set(Vec::new());
        spawn_local_scoped(async move {
            match invoke(&CreateToken {
                project: project.get_clone(),
                request,
            })
            .await
            {
                Ok(token) => result.set(Some(token)),
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    let copy = move |_| {
        let Some(token) = result.get_clone() else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return copied.set(Some(Err("no window to reach the clipboard from".into())));
        };
        let promise = window.navigator().clipboard().write_text(&token.jwt);
        spawn_local_scoped(async move {
            // The webview may refuse (no permission, not focused): only a resolved write
            // counts as copied.
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => {
                    copied.set(Some(Ok(())));
                    state.tell("Token copied to the clipboard.");
                }
                Err(e) => {
                    let why = e
                        .as_string()
                        .or_else(|| {
                            js_sys::Reflect::get(&e, &"message".into())
                                .ok()
                                .and_then(|m| m.as_string())
                        })
                        .unwrap_or_else(|| "the clipboard refused the write".into());
                    copied.set(Some(Err(why)));
                }
            }
        });
    };
    let checkboxes = flags.into_iter().map(|(key, label, sig)| view! {
        label(class="check") { input(r#type="checkbox", bind:checked=sig, data-testid=format!("grant-{key}")) " " (label) }
    }).collect::<Vec<_>>();

    view! {
        div(class="panel") {
            h2 { "Build a token" }
            div(class="form") {
                div(class="cols") {
                    div { label(r#for="token-identity") { "Identity" } input(id="token-identity", bind:value=identity) (field_error(errors, "identity")) }
                    div { label(r#for="token-name") { "Name" } input(id="token-name", bind:value=name) }
                }
                div(class="cols") {
                    div { label(r#for="token-room") { "Room" } input(id="token-room", bind:value=room) (field_error(errors, "room")) }
                    div { label(r#for="token-ttl") { "Lifetime (s)" } input(id="token-ttl", bind:value=ttl, inputmode="numeric") (field_error(errors, "ttl_seconds")) }
                }
                div(class="grants") { (checkboxes) }
                label(r#for="token-sources") { "Allowed sources (camera, microphone, screen_share, screen_share_audio; empty = all)" }
                input(id="token-sources", bind:value=sources)
                (field_error(errors, "can_publish_sources"))
                label(r#for="token-metadata") { "Metadata" }
                textarea(id="token-metadata", rows="2", bind:value=metadata)
                (field_error(errors, "metadata"))
                label(r#for="token-attributes") { "Attributes (key=value per line)" }
                textarea(id="token-attributes", rows="2", bind:value=attributes)
                (field_error(errors, "attributes"))
                label(r#for="token-room-config") { "Room configuration (JSON)" }
                textarea(id="token-room-config", rows="2", bind:value=room_config)
                (field_error(errors, "room_config_json"))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="token-error") { (e.message) } }).unwrap_or_default())
                div(class="actions") { button(r#type="button", class="primary", data-testid="token-build", on:click=build) { "Sign token" } }
            }
            (result.get_clone().map(|t| view! {
                div(class="result") {
                    label { "JWT " button(r#type="button", class="small", data-testid="token-copy", on:click=copy) {
                        (match copied.get_clone() { Some(Ok(())) => "Copied", Some(Err(_)) => "Copy failed", None => "Copy" })
                    } }
                    (copied.get_clone().and_then(Result::err).map(|why| view! {
                        p(class="form-error", data-testid="token-copy-error") { "Could not copy the token: " (why) ". Select the text below and copy it by hand." }
                    }).unwrap_or_default())
                    textarea(class="mono", rows="4", readonly=true, data-testid="token-jwt") { (t.jwt.clone()) }
                    label { "Decoded" }
                    pre(class="mono", data-testid="token-claims") { (t.claims_json.clone()) }
                }
            }).unwrap_or_default())
        }
    }
}

#[component(inline_props)]
fn Inspector(project: ReadSignal<ProjectId>) -> View {
    let token = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    clear_on_edit(errors, "token", token);
    let error = create_signal(None::<AppError>);
    let found = create_signal(None::<TokenInspection>);
    let inspect = move |_| {
        error.set(None);
        errors.set(Vec::new());
        let t = token.get_clone();
        spawn_local_scoped(async move {
            match invoke(&InspectToken {
                project: project.get_clone(),
                token: t,
            })
            .await
            {
                Ok(i) => found.set(Some(i)),
                Err(err) => {
                    found.set(None);
                    route_error(err, errors, error)
                }
            }
        });
    };
    view! {
        div(class="panel") {
            h2 { "Inspect a token" }
            div(class="form") {
                textarea(id="inspect-token", rows="4", bind:value=token, placeholder="Paste a JWT")
                (field_error(errors, "token"))
                (error.get_clone().map(|e| view! { p(class="form-error") { (e.message) } }).unwrap_or_default())
                div(class="actions") { button(r#type="button", class="primary", data-testid="token-inspect", on:click=inspect) { "Inspect" } }
            }
            (found.get_clone().map(|i| {
                let now = (now_ms() / 1000.0) as i64;
                let verdict = match (i.verified, i.expired) {
                    (true, false) if i.not_yet_valid => format!(
                        "Signature valid (this project's key and secret), but the token is not valid yet: the server refuses it before {}.",
                        i.not_before.map(tokens::utc_text).unwrap_or_default()
                    ),
                    (true, false) => "Signed with this project's key and secret.".to_owned(),
                    (true, true) => "Signature valid (this project's key and secret), but the token has expired: the server refuses it.".to_owned(),
                    (false, _) => format!("Does not verify with this project: {}", i.verify_problem.clone().unwrap_or_default()),
                };
                let expiry = match i.expires_at {
                    Some(at) => format!("{} (at {})", tokens::expiry_text(at, now), tokens::utc_text(at)),
                    None => "no expiry".to_owned(),
                };
                let class = if i.verified && !i.expired && !i.not_yet_valid { "ok" } else { "error" };
                view! {
                    p(class=class, data-testid="inspect-verdict") { (verdict) }
                    p { "Identity " strong { (i.identity.clone()) } ", issued by key " span(class="mono") { (i.issuer.clone()) } ", " span(data-testid="inspect-expiry") { (expiry) } }
                    pre(class="mono", data-testid="inspect-claims") { (i.claims_json.clone()) }
                }
            }).unwrap_or_default())
        }
    }
}
