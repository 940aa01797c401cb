//! Managing one participant: name, metadata, attributes and permissions (UpdateParticipant),
//! moving or forwarding it to another room, and its subscriptions to other tracks. Input is
//! checked with the protocol's rules before anything is sent.

use crate::components::dialog::Dialog;
use crate::components::fields::field_error;
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::admin::{
    self, ParticipantChanges, ParticipantDetail, Permission, PermissionChanges, TrackDetail,
};
use earshot_protocol::command::{
    ForwardParticipant, ListRooms, MoveParticipant, UpdateParticipant, UpdateSubscriptions,
};
use earshot_protocol::fields;
use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::TrackSource;
use earshot_protocol::{AppError, ErrorCode};
use std::collections::BTreeMap;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

const SOURCES: [(TrackSource, &str); 4] = [
    (TrackSource::Camera, "camera"),
    (TrackSource::Microphone, "microphone"),
    (TrackSource::ScreenShare, "screen share"),
    (TrackSource::ScreenShareAudio, "screen share audio"),
];

/// A track another participant publishes, for the subscriptions list.
#[derive(Clone, PartialEq)]
pub struct OtherTrack {
    pub identity: String,
    pub track: TrackDetail,
}

fn checkbox(label: &'static str, id: &'static str, value: Signal<bool>) -> View {
    view! { label(class="check") { input(id=id, r#type="checkbox", bind:checked=value) " " (label) } }
}

/// The dialog; `on_close(changed)` closes it (and refreshes the room when something changed).
#[component(inline_props)]
pub fn ManageParticipant<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    room: String,
    participant: ParticipantDetail,
    others: Vec<OtherTrack>,
    on_close: F,
) -> View {
    let state = app_state();
    let p = participant;
    let identity = p.identity.clone();
    let name = create_signal(p.name.clone());
    let metadata = create_signal(p.metadata.clone());
    // One pair of signals per row, so typing does not rebuild the rows (and lose focus).
    let next_row = create_signal(p.attributes.len() as u32);
    let attrs = create_signal(
        p.attributes
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (i as u32, create_signal(k.clone()), create_signal(v.clone())))
            .collect::<Vec<_>>(),
    );
    let perm = p.permission.clone();
    let can_subscribe = create_signal(perm.can_subscribe);
    let can_publish = create_signal(perm.can_publish);
    let can_publish_data = create_signal(perm.can_publish_data);
    let can_update_metadata = create_signal(perm.can_update_metadata);
    let hidden = create_signal(perm.hidden);
    let sources: Vec<(TrackSource, &'static str, Signal<bool>)> = SOURCES
        .iter()
        .map(|(key, label)| {
            (
                *key,
                *label,
                create_signal(perm.can_publish_sources.contains(key)),
            )
        })
        .collect();
    let destination = create_signal(String::new());
    let picked = create_signal(Vec::<String>::new());
    let errors = create_signal(Vec::<AppError>::new());
    let result = create_signal(None::<(bool, String)>);
    let busy = create_signal(None::<&'static str>);

    let original = p.clone();
    let sources_for_save = sources.clone();
    let (room_save, id_save) = (room.clone(), identity.clone());
    let save = move || {
        if busy.with(Option::is_some) {
            return;
        }
        let mut changes = ParticipantChanges::default();
        let mut problems = Vec::new();
        let new_name = name.get_clone();
        if new_name != original.name {
            changes.name = Some(new_name);
        }
        let new_meta = metadata.get_clone();
        if new_meta != original.metadata {
            changes.metadata = Some(new_meta);
        }
        let rows: Vec<(String, String)> = attrs.with(|a| {
            a.iter()
                .map(|(_, k, v)| (k.get_clone(), v.get_clone()))
                .collect()
        });
        let mut new_attrs: BTreeMap<String, String> = rows
            .iter()
            .map(|(k, v)| (k.trim().to_owned(), v.clone()))
            .collect();
        if rows.iter().any(|(k, _)| k.trim().is_empty()) {
            problems.push(AppError::field(
                ErrorCode::InvalidInput,
                "attributes",
                "An attribute has an empty key.",
            ));
        } else if new_attrs != original.attributes {
            // The server removes keys set to "".
            for key in original.attributes.keys() {
                new_attrs.entry(key.clone()).or_default();
            }
            changes.attributes = Some(new_attrs);
        }
        let new_perm = Permission {
            can_subscribe: can_subscribe.get(),
            can_publish: can_publish.get(),
            can_publish_data: can_publish_data.get(),
            can_update_metadata: can_update_metadata.get(),
            can_publish_sources: sources_for_save
                .iter()
                .filter(|(_, _, on)| on.get())
                .map(|(k, _, _)| *k)
                .collect(),
            hidden: hidden.get(),
            ..original.permission.clone()
        };
        // Only the flags edited here; the backend applies them to what the server holds
        // now, so flags this dialog does not show (recorder, agent, metrics) survive.
        let edited = PermissionChanges::between(&original.permission, &new_perm);
        if !edited.is_empty() {
            changes.permission = Some(edited);
        }
        problems.extend(admin::participant_changes(&changes));
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        if changes == ParticipantChanges::default() {
            result.set(Some((false, "Nothing changed.".into())));
            return;
        }
        busy.set(Some("Saving…"));
        let cmd = UpdateParticipant {
            project: project.get_clone(),
            room: room_save.clone(),
            identity: id_save.clone(),
            changes,
        };
        spawn_local_scoped(async move {
            let outcome = invoke(&cmd).await;
            busy.set(None);
            match outcome {
                Ok(_) => {
                    state.tell(format!(
                        "{} updated: {}.",
                        cmd.identity,
                        cmd.changes.summary()
                    ));
                    on_close(true);
                }
                Err(err) if err.field.is_some() => errors.set(vec![err]),
                Err(err) => result.set(Some((true, err.message))),
            }
        });
    };

    let (room_move, id_move) = (room.clone(), identity.clone());
    let relocate = move |forward: bool| {
        let dest = destination.get_clone().trim().to_owned();
        if let Err(e) = fields::name_field(&dest, "destination", "destination room") {
            errors.set(vec![e]);
            return;
        }
        if dest == room_move {
            errors.set(vec![AppError::field(
                ErrorCode::InvalidInput,
                "destination",
                "Pick another room than this one.",
            )]);
            return;
        }
        errors.set(Vec::new());
        busy.set(Some(if forward {
            "Forwarding…"
        } else {
            "Moving…"
        }));
        let (project, room, identity) = (project.get_clone(), room_move.clone(), id_move.clone());
        spawn_local_scoped(async move {
            let outcome = if forward {
                invoke(&ForwardParticipant {
                    project,
                    room,
                    identity: identity.clone(),
                    destination: dest.clone(),
                })
                .await
            } else {
                invoke(&MoveParticipant {
                    project,
                    room,
                    identity: identity.clone(),
                    destination: dest.clone(),
                })
                .await
            };
            busy.set(None);
            match outcome {
                Ok(()) => {
                    let verb = if forward { "forwarded to" } else { "moved to" };
                    state.tell(format!("{identity} {verb} {dest}."));
                    on_close(true);
                }
                Err(err) => result.set(Some((true, err.message))),
            }
        });
    };

    let (room_sub, id_sub) = (room.clone(), identity.clone());
    let subscribe = move |on: bool| {
        let track_sids = picked.get_clone();
        if track_sids.is_empty() {
            errors.set(vec![AppError::field(
                ErrorCode::InvalidInput,
                "tracks",
                "Tick at least one track.",
            )]);
            return;
        }
        errors.set(Vec::new());
        busy.set(Some(if on {
            "Subscribing…"
        } else {
            "Unsubscribing…"
        }));
        let cmd = UpdateSubscriptions {
            project: project.get_clone(),
            room: room_sub.clone(),
            identity: id_sub.clone(),
            track_sids,
            subscribe: on,
        };
        spawn_local_scoped(async move {
            let outcome = invoke(&cmd).await;
            busy.set(None);
            match outcome {
                Ok(()) => result.set(Some((
                    false,
                    format!(
                        "{} {} {}.",
                        cmd.identity,
                        if on {
                            "subscribed to"
                        } else {
                            "unsubscribed from"
                        },
                        crate::state::count(cmd.track_sids.len() as u64, "track", "tracks")
                    ),
                ))),
                Err(err) => result.set(Some((true, err.message))),
            }
        });
    };

    let attr_row = move |(id, key, value): (u32, Signal<String>, Signal<String>)| {
        view! {
            div(class="cols attr-row", data-testid="attr-row") {
                input(placeholder="key", data-testid="attr-key", bind:value=key)
                input(placeholder="value", data-testid="attr-value", bind:value=value)
                button(r#type="button", class="small", on:click=move |_| attrs.update(|a| a.retain(|(i, _, _)| *i != id))) { "Remove" }
            }
        }
    };
    let add_row = move |_| {
        let id = next_row.get();
        next_row.set(id + 1);
        attrs.update(|a| {
            a.push((
                id,
                create_signal(String::new()),
                create_signal(String::new()),
            ))
        });
    };
    let source_boxes = sources.into_iter().map(|(key, label, on)| {
        view! { label(class="check") { input(r#type="checkbox", data-source=key.label(), bind:checked=on) " " (label) } }
    }).collect::<Vec<_>>();
    // Destination suggestions: the project's other rooms.
    let rooms = create_signal(Vec::<String>::new());
    {
        let here = room.clone();
        spawn_local_scoped(async move {
            if let Ok(snap) = invoke(&ListRooms {
                project: project.get_clone(),
            })
            .await
            {
                rooms.set(
                    snap.rooms
                        .into_iter()
                        .map(|r| r.name)
                        .filter(|n| *n != here)
                        .collect(),
                );
            }
        });
    }
    let room_options = move || {
        rooms
            .get_clone()
            .into_iter()
            .map(|r| view! { option(value=r) })
            .collect::<Vec<_>>()
    };
    let track_boxes = others.into_iter().map(|o| {
        let sid = o.track.sid.clone();
        let attr_sid = sid.clone();
        let label = format!(
            "{} · {} {}",
            o.identity,
            o.track.kind.label(),
            o.track.source.label()
        );
        view! {
            label(class="check") {
                input(r#type="checkbox", data-track=attr_sid, on:change=move |_| picked.update(|p| {
                    if let Some(i) = p.iter().position(|s| *s == sid) { p.remove(i); } else { p.push(sid.clone()); }
                }))
                " " (label)
            }
        }
    }).collect::<Vec<_>>();
    let no_tracks = track_boxes.is_empty();
    let (forward, unsubscribe) = (relocate.clone(), subscribe.clone());

    view! {
        Dialog(title=format!("Manage {identity}"), test_id="participant-dialog") {
            div(class="form") {
                label(r#for="p-name") { "Name" }
                input(id="p-name", bind:value=name)
                (field_error(errors, "name"))
                label(r#for="p-metadata") { "Metadata " span(class="muted") { (metadata.with(String::len)) " / " (fields::MAX_METADATA_BYTES) " bytes; JSON is checked" } }
                textarea(id="p-metadata", rows="3", bind:value=metadata)
                (field_error(errors, "metadata"))
                p { strong { "Attributes" } " " button(r#type="button", class="small", data-testid="attr-add", on:click=add_row) { "Add" } }
                div(data-testid="attr-rows") { Keyed(list=attrs, key=|(id, _, _)| *id, view=attr_row) }
                (field_error(errors, "attributes"))
                p { strong { "Permissions" } }
                div(class="choices") {
                    (checkbox("subscribe", "p-can-subscribe", can_subscribe))
                    (checkbox("publish", "p-can-publish", can_publish))
                    (checkbox("publish data", "p-can-publish-data", can_publish_data))
                    (checkbox("update own metadata", "p-can-update-metadata", can_update_metadata))
                    (checkbox("hidden", "p-hidden", hidden))
                }
                p(class="muted") { "Sources it may publish (none ticked: all)" }
                div(class="choices") { (source_boxes) }
                div(class="actions") {
                    button(r#type="button", data-testid="participant-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Close" }
                    button(r#type="button", class="primary", data-testid="participant-save", disabled=busy.with(Option::is_some), on:click=move |_| save()) { "Save changes" }
                }
                hr {}
                label(r#for="p-destination") { "Move or forward to room" }
                input(id="p-destination", list="p-rooms", bind:value=destination)
                datalist(id="p-rooms") { (room_options()) }
                (field_error(errors, "destination"))
                div(class="actions") {
                    button(r#type="button", data-testid="participant-move", on:click=move |_| relocate(false)) { "Move" }
                    button(r#type="button", data-testid="participant-forward", on:click=move |_| forward(true)) { "Forward (stays here too)" }
                }
                hr {}
                p { strong { "Subscriptions" } span(class="muted") { " — other participants' tracks" } }
                (if no_tracks { view! { p(class="muted") { "No other tracks in the room." } } } else { view! {} })
                div(class="choices") { (track_boxes) }
                (field_error(errors, "tracks"))
                div(class="actions") {
                    button(r#type="button", data-testid="participant-subscribe", disabled=no_tracks, on:click=move |_| subscribe(true)) { "Subscribe" }
                    button(r#type="button", data-testid="participant-unsubscribe", disabled=no_tracks, on:click=move |_| unsubscribe(false)) { "Unsubscribe" }
                }
                (busy.get().map(|b| view! { p(class="progress", data-testid="participant-progress") { span(class="spinner") (b) } }).unwrap_or_default())
                (result.get_clone().map(|(is_error, text)| {
                    let class = if is_error { "form-error" } else { "result" };
                    view! { p(class=class, data-testid="participant-result") { (text) } }
                }).unwrap_or_default())
            }
        }
    }
}
