//! Room and participant administration and tokens, on a [`ProjectHandle`]: each function
//! validates its input with the protocol's rules (nothing invalid is sent), then calls the server.

use crate::api::RetryPolicy;
use crate::clock::{millis, unix_millis};
use crate::projects::ProjectHandle;
use crate::result::AppResult;
use crate::tokens;
use earshot_protocol::admin::{
    self, DataMessage, ParticipantChanges, ParticipantDetail, RoomDetail, RoomOptions, TrackDetail,
};
use earshot_protocol::fields;
use earshot_protocol::rooms::{RoomSummary, RoomsSnapshot, TrackKind};
use earshot_protocol::tokens::{TokenInspection, TokenRequest, TokenResult};
use earshot_protocol::AppError;

fn first(errors: Vec<AppError>) -> AppResult<()> {
    errors.into_iter().next().map_or(Ok(()), Err)
}

/// The rooms of a project, sorted by name, their counts without hidden participants.
pub async fn list_rooms(project: &ProjectHandle) -> AppResult<RoomsSnapshot> {
    let started = std::time::Instant::now();
    let mut rooms = project
        .api
        .list_rooms_visible(RetryPolicy::READS)
        .await
        .map_err(AppError::from)?;
    rooms.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RoomsSnapshot {
        project_id: project.id.clone(),
        rooms,
        fetched_at_ms: unix_millis(),
        round_trip_ms: millis(started.elapsed()),
    })
}

/// The participants of a room, hidden ones included.
pub async fn list_participants(
    project: &ProjectHandle,
    room: &str,
) -> AppResult<Vec<ParticipantDetail>> {
    Ok(project.api.list_participants(room).await?)
}

/// Creates a room with every option CreateRoom takes.
pub async fn create_room(project: &ProjectHandle, options: &RoomOptions) -> AppResult<RoomSummary> {
    first(admin::room_options(options))?;
    let api = &project.api;
    let room = api.create_room_with(options).await?;
    tracing::info!(room = %room.name, "room created");
    Ok(room)
}

/// Deletes a room.
pub async fn delete_room(project: &ProjectHandle, room: &str) -> AppResult<()> {
    let api = &project.api;
    api.delete_room(room).await?;
    tracing::info!(%room, "room deleted");
    Ok(())
}

/// Replaces a room's metadata.
pub async fn update_room_metadata(
    project: &ProjectHandle,
    room: &str,
    metadata: &str,
) -> AppResult<RoomSummary> {
    fields::metadata_field(metadata, "metadata")?;
    let api = &project.api;
    Ok(api.update_room_metadata(room, metadata).await?)
}

/// A room's settings, participants and tracks.
pub async fn room_detail(project: &ProjectHandle, room: &str) -> AppResult<RoomDetail> {
    let api = &project.api;
    Ok(api.room_detail(room).await?)
}

/// Mutes or unmutes one track.
pub async fn mute_track(
    project: &ProjectHandle,
    room: &str,
    who: &str,
    track_sid: &str,
    muted: bool,
) -> AppResult<TrackDetail> {
    let api = &project.api;
    Ok(api.mute_track(room, who, track_sid, muted).await?)
}

/// Mutes every unmuted audio track in the room; returns how many it muted. When one
/// mute fails the rest are not tried, and the error says how many were muted already.
pub async fn mute_all_audio(project: &ProjectHandle, room: &str) -> AppResult<u32> {
    let api = &project.api;
    let detail = api.room_detail(room).await?;
    let targets: Vec<(String, String)> = detail
        .participants
        .iter()
        .flat_map(|p| {
            p.tracks
                .iter()
                .filter(|t| t.kind == TrackKind::Audio && !t.muted)
                .map(|t| (p.identity.clone(), t.sid.clone()))
        })
        .collect();
    let muted = mute_each(&targets, |who, sid| {
        let api = &api;
        async move { api.mute_track(room, who, sid, true).await.map(|_| ()) }
    })
    .await?;
    tracing::info!(%room, muted, "muted all audio");
    Ok(muted)
}

/// Disconnects a participant.
pub async fn remove_participant(project: &ProjectHandle, room: &str, who: &str) -> AppResult<()> {
    let api = &project.api;
    api.remove_participant(room, who).await?;
    tracing::info!(%room, identity = %who, "participant removed");
    Ok(())
}

/// Changes a participant's name, metadata, attributes or permissions.
pub async fn update_participant(
    project: &ProjectHandle,
    room: &str,
    who: &str,
    changes: &ParticipantChanges,
) -> AppResult<ParticipantDetail> {
    first(admin::participant_changes(changes))?;
    let api = &project.api;
    let updated = api.update_participant(room, who, changes).await?;
    unapplied(changes, &updated)?;
    tracing::info!(%room, identity = %who, "participant updated");
    Ok(updated)
}

/// Moves (`forward = false`) or forwards a participant into `destination`.
pub async fn relocate_participant(
    project: &ProjectHandle,
    room: &str,
    who: &str,
    destination: &str,
    forward: bool,
) -> AppResult<()> {
    fields::name_field(destination, "destination", "destination room")?;
    let api = &project.api;
    api.relocate_participant(room, who, destination, forward)
        .await?;
    Ok(())
}

/// Subscribes a participant to tracks, or unsubscribes it.
pub async fn update_subscriptions(
    project: &ProjectHandle,
    room: &str,
    who: &str,
    track_sids: &[String],
    subscribe: bool,
) -> AppResult<()> {
    let api = &project.api;
    Ok(api
        .update_subscriptions(room, who, track_sids, subscribe)
        .await?)
}

/// Sends a data message into a room.
pub async fn send_data(
    project: &ProjectHandle,
    room: &str,
    message: &DataMessage,
) -> AppResult<()> {
    first(admin::data_message(message))?;
    let api = &project.api;
    Ok(api.send_data(room, message).await?)
}

/// Signs a token with the project's key and secret.
pub async fn create_token(
    project: &ProjectHandle,
    request: &TokenRequest,
) -> AppResult<TokenResult> {
    first(earshot_protocol::tokens::token_request(request))?;
    let token = tokens::create(project.endpoint(), request)?;
    tracing::info!(identity = %request.identity, "token created");
    Ok(token)
}

/// Decodes `token` and checks it against the project's key and secret.
pub fn inspect_token(project: &ProjectHandle, token: &str) -> AppResult<TokenInspection> {
    tokens::inspect(Some(project.endpoint()), token)
}

/// Mutes `(identity, track sid)` pairs in order and counts them; on the first failure it
/// stops and the error, keeping the server's code, says how far it got.
async fn mute_each<'a, F, Fut>(targets: &'a [(String, String)], mute: F) -> AppResult<u32>
where
    F: Fn(&'a str, &'a str) -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::api::ApiError>>,
{
    let total = targets.len();
    let mut muted = 0u32;
    for (who, sid) in targets {
        if let Err(err) = mute(who, sid).await {
            let mut err = AppError::from(err);
            err.message = format!(
                "Muted {muted} of {total} audio tracks, then muting {who}'s track {sid} failed: {}",
                err.message
            );
            return Err(err);
        }
        muted += 1;
    }
    Ok(muted)
}

/// The server answers UpdateParticipant with the participant as it now is; a requested
/// value it did not take is reported instead of an "updated" that changed nothing.
fn unapplied(changes: &ParticipantChanges, now: &ParticipantDetail) -> AppResult<()> {
    let refused = |field: &str, what: &str| {
        Err(AppError::field(
            earshot_protocol::ErrorCode::ServerError,
            field,
            format!("The server accepted the update but the {what} is unchanged."),
        ))
    };
    if changes.name.as_ref().is_some_and(|n| *n != now.name) {
        return refused("name", "name");
    }
    if changes
        .metadata
        .as_ref()
        .is_some_and(|m| *m != now.metadata)
    {
        return refused("metadata", "metadata");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;
    use std::cell::Cell;

    #[tokio::test]
    async fn mute_all_reports_how_far_it_got() {
        let targets: Vec<(String, String)> = ["a", "b", "c"]
            .iter()
            .map(|w| (w.to_string(), format!("TR_{w}")))
            .collect();
        let calls = Cell::new(0);
        let err = mute_each(&targets, |who, _| {
            calls.set(calls.get() + 1);
            let fail = who == "b";
            async move {
                if fail {
                    Err(ApiError::PermissionDenied("no".into()))
                } else {
                    Ok(())
                }
            }
        })
        .await
        .expect_err("b fails");
        assert_eq!(calls.get(), 2, "stops at the first failure");
        assert_eq!(err.code, earshot_protocol::ErrorCode::PermissionDenied);
        assert!(
            err.message
                .starts_with("Muted 1 of 3 audio tracks, then muting b's track TR_b failed:"),
            "{}",
            err.message
        );
        let all = mute_each(&targets, |_, _| async { Ok(()) }).await;
        assert_eq!(all.expect("all muted"), 3);
    }
}
