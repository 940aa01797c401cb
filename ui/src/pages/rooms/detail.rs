//! One room in detail: the live view first (given as children), then its settings,
//! participants (kind, state, permissions, attributes, hidden flag) and their tracks,
//! refreshed live, with the moderation actions.

use super::forms::{MetadataEditor, SendDataForm};
use super::participant::{ManageParticipant, OtherTrack};
use crate::components::dialog::Confirm;
use crate::ipc::invoke;
use crate::routes::{go, Param, Route};
use crate::state::{app_state, human_duration, now_ms};
use earshot_protocol::admin::{ParticipantDetail, RoomDetail, TrackDetail};
use earshot_protocol::command::{
    DeleteRoom, GetRoomDetail, MuteAllAudio, MuteTrack, RemoveParticipant,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use gloo_timers::future::TimeoutFuture;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// What needs confirming.
#[derive(Clone, PartialEq)]
enum Ask {
    Nothing,
    DeleteRoom,
    Remove(String),
}

#[component(inline_props)]
pub fn RoomDetailPanel(project: ReadSignal<ProjectId>, room: String, children: Children) -> View {
    let state = app_state();
    // The live view (speakers, transcript, charts) comes first: it is what a supervisor
    // opens a room for; the admin table follows.
    let live = children.call();
    // Closing goes back to the project's room list (a new history entry, like opening).
    let close = move || {
        go(&Route::Rooms {
            project: Param(project.get_clone()),
        })
    };
    let detail = create_signal(None::<Result<RoomDetail, AppError>>);
    let poke = create_signal(0u32);
    let ask = create_signal(Ask::Nothing);
    let busy = create_signal(None::<String>);
    let room = create_signal(room);
    let managing = create_signal(None::<ParticipantDetail>);

    spawn_local_scoped(async move {
        let mut seen = u32::MAX;
        let mut next = 0.0;
        loop {
            if now_ms() >= next || poke.get() != seen {
                seen = poke.get();
                let result = invoke(&GetRoomDetail {
                    project: project.get_clone(),
                    room: room.get_clone(),
                })
                .await;
                // A refused key is not asked again until an action or a reopen.
                next = match &result {
                    Err(err) if super::stops_polling(err) => f64::INFINITY,
                    _ => now_ms() + 2_000.0,
                };
                detail.set(Some(result));
            }
            TimeoutFuture::new(200).await;
        }
    });

    // Runs an action, shows its progress, reports its result, then refreshes.
    let act = move |label: String,
                    done: String,
                    f: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), AppError>>>,
    >| {
        if busy.with(Option::is_some) {
            return;
        }
        busy.set(Some(label));
        spawn_local_scoped(async move {
            let result = f.await;
            busy.set(None);
            match result {
                Ok(()) => state.tell(done),
                Err(err) => state.fail(&err),
            }
            poke.set(poke.get().wrapping_add(1));
        });
    };
    let delete_room = move || {
        ask.set(Ask::Nothing);
        if busy.with(Option::is_some) {
            return;
        }
        let name = room.get_clone();
        busy.set(Some("Deleting the room…".into()));
        spawn_local_scoped(async move {
            let result = invoke(&DeleteRoom {
                project: project.get_clone(),
                room: name.clone(),
            })
            .await;
            busy.set(None);
            match result {
                Ok(()) => {
                    state.tell(format!("Room “{name}” deleted."));
                    close();
                }
                Err(err) => state.fail(&err),
            }
        });
    };
    let remove = move |identity: String| {
        ask.set(Ask::Nothing);
        let name = room.get_clone();
        act(
            format!("Removing {identity}…"),
            format!("{identity} was removed from {name}."),
            Box::pin(async move {
                invoke(&RemoveParticipant {
                    project: project.get_clone(),
                    room: name,
                    identity,
                })
                .await
            }),
        );
    };
    let mute_all = move |_| {
        if busy.with(Option::is_some) {
            return;
        }
        let name = room.get_clone();
        busy.set(Some("Muting all audio…".into()));
        spawn_local_scoped(async move {
            let result = invoke(&MuteAllAudio {
                project: project.get_clone(),
                room: name,
            })
            .await;
            busy.set(None);
            match result {
                Ok(0) => state.tell("Nothing to mute: no unmuted audio tracks."),
                Ok(n) => state.tell(format!(
                    "Muted {}.",
                    crate::state::count(n as u64, "audio track", "audio tracks")
                )),
                Err(err) => state.fail(&err),
            }
            poke.set(poke.get().wrapping_add(1));
        });
    };
    let mute = move |identity: String, track: TrackDetail| {
        let name = room.get_clone();
        let muted = !track.muted;
        let verb = if muted { "Muted" } else { "Unmuted" };
        act(
            format!("{verb} {}…", track.name),
            format!("{verb} {}'s {}.", identity, track.source.label()),
            Box::pin(async move {
                invoke(&MuteTrack {
                    project: project.get_clone(),
                    room: name,
                    identity,
                    track_sid: track.sid,
                    muted,
                })
                .await
                .map(|_| ())
            }),
        );
    };

    view! {
        div(class="panel", data-testid="room-detail") {
            div(class="page-head") {
                h2 { "Room " (room.get_clone()) }
                div(class="actions") {
                    button(r#type="button", data-testid="room-mute-all", disabled=busy.with(Option::is_some), on:click=mute_all) { "Mute all audio" }
                    button(r#type="button", class="danger", data-testid="room-delete", disabled=busy.with(Option::is_some), on:click=move |_| ask.set(Ask::DeleteRoom)) { "Delete room" }
                    button(r#type="button", data-testid="room-detail-close", on:click=move |_| close()) { "Close" }
                }
            }
            (busy.get_clone().map(|b| view! { p(class="progress", data-testid="room-progress") { span(class="spinner") (b) } }).unwrap_or_default())
            (live)
            h3(class="section-head") { "Participants and settings" }
            (match detail.get_clone() {
                None => view! { p(class="muted") { "Loading…" } },
                Some(Err(err)) => view! { p(class="banner error", data-testid="room-detail-error") { (err.message) } },
                Some(Ok(d)) => overview(d, busy, mute, move |id| ask.set(Ask::Remove(id)), move |p| managing.set(Some(p))),
            })
            (managing.get_clone().map(|p| {
                // Other participants' tracks, for the subscriptions list.
                let others: Vec<OtherTrack> = detail.with_untracked(|d| {
                    d.as_ref().and_then(|d| d.as_ref().ok()).map(|d| {
                        d.participants.iter().filter(|o| o.identity != p.identity).flat_map(|o| {
                            o.tracks.iter().map(|t| OtherTrack { identity: o.identity.clone(), track: t.clone() }).collect::<Vec<_>>()
                        }).collect()
                    }).unwrap_or_default()
                });
                view! {
                    ManageParticipant(project=project, room=room.get_clone(), participant=p, others=others, on_close=move |changed: bool| {
                        managing.set(None);
                        if changed { poke.set(poke.get().wrapping_add(1)); }
                    })
                }
            }).unwrap_or_default())
            MetadataEditor(project=project, room=room, detail=detail, poke=poke)
            SendDataForm(project=project, room=room)
            (match ask.get_clone() {
                Ask::Nothing => view! {},
                Ask::DeleteRoom => view! {
                    Confirm(title="Delete room".to_owned(),
                        message=format!("Delete “{}”? Everyone in it is disconnected at once.", room.get_clone()),
                        ok_label="Delete".to_owned(), on_ok=delete_room, on_cancel=move || ask.set(Ask::Nothing))
                },
                Ask::Remove(identity) => {
                    let who = identity.clone();
                    view! {
                        Confirm(title="Remove participant".to_owned(),
                            message=format!("Disconnect {identity} from this room? They can rejoin if their token allows it."),
                            ok_label="Remove".to_owned(), on_ok=move || remove(who.clone()), on_cancel=move || ask.set(Ask::Nothing))
                    }
                }
            })
        }
    }
}

fn overview(
    d: RoomDetail,
    busy: Signal<Option<String>>,
    mute: impl Fn(String, TrackDetail) + Copy + 'static,
    remove: impl Fn(String) + Copy + 'static,
    manage: impl Fn(ParticipantDetail) + Copy + 'static,
) -> View {
    let settings = super::settings::room_settings(&d);
    let rows = d
        .participants
        .into_iter()
        .map(|p| participant_row(p, busy, mute, remove, manage))
        .collect::<Vec<_>>();
    view! {
        (settings)
        table(class="grid") {
            thead { tr { th { "Identity" } th { "Kind" } th { "State" } th { "Joined" } th { "Permissions" } th { "Tracks" } th {} } }
            tbody { (rows) }
        }
    }
}

fn participant_row(
    p: ParticipantDetail,
    busy: Signal<Option<String>>,
    mute: impl Fn(String, TrackDetail) + Copy + 'static,
    remove: impl Fn(String) + Copy + 'static,
    manage: impl Fn(ParticipantDetail) + Copy + 'static,
) -> View {
    let whole = p.clone();
    let perm = &p.permission;
    let mut rights = Vec::new();
    if perm.can_publish {
        rights.push("publish")
    }
    if perm.can_subscribe {
        rights.push("subscribe")
    }
    if perm.can_publish_data {
        rights.push("data")
    }
    if perm.can_update_metadata {
        rights.push("metadata")
    }
    if perm.hidden {
        rights.push("hidden")
    }
    if perm.recorder {
        rights.push("recorder")
    }
    let rights = rights.join(", ");
    let attrs = p
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    let joined = format!(
        "{} ago",
        human_duration((now_ms() / 1000.0) as i64 - p.joined_at)
    );
    let identity = p.identity.clone();
    let (attr_id, label, name, kind, state_name, meta) = (
        p.identity.clone(),
        p.identity.clone(),
        p.name.clone(),
        p.kind.label(),
        p.state.label(),
        p.metadata.clone(),
    );
    let hidden = if p.permission.hidden { "hidden" } else { "" };
    let tracks = p.tracks.into_iter().map(|t| {
        let who = identity.clone();
        let text = format!(
            "{} {} {}{}{}",
            t.kind.label(),
            t.source.label(),
            t.mime_type,
            if t.width > 0 { format!(" {}x{}", t.width, t.height) } else { String::new() },
            if t.layers.is_empty() { String::new() } else { format!(" [{}]", t.layers.join(", ")) },
        );
        let muted = t.muted;
        let sid = t.sid.clone();
        view! {
            div(class="track", data-testid="track", data-track=sid) {
                span(class=if muted { "muted-track" } else { "" }) { (text) (if muted { " (muted)" } else { "" }) }
                button(r#type="button", class="small", data-testid="track-mute", disabled=busy.with(Option::is_some), on:click=move |_| mute(who.clone(), t.clone())) {
                    (if muted { "Unmute" } else { "Mute" })
                }
            }
        }
    }).collect::<Vec<_>>();
    view! {
        tr(data-testid="participant-row", data-identity=attr_id) {
            td { strong { (label) } br {} span(class="muted") { (name) } br {} span(class="mono muted") { (attrs) } br {} span(class="mono muted") { (meta) } }
            td { (kind) " " span(class="badge") { (hidden) } }
            td { (state_name) }
            td { (joined) }
            td { (rights) }
            td { (tracks) }
            td {
                button(r#type="button", class="small", data-testid="participant-manage", on:click=move |_| manage(whole.clone())) { "Manage…" }
                button(r#type="button", class="danger small", data-testid="participant-remove", disabled=busy.with(Option::is_some), on:click=move |_| remove(identity.clone())) { "Remove" }
            }
        }
    }
}
