//! Room and participant administration, and tokens.

use crate::Core;
use earshot_core::protocol::admin::{ParticipantDetail, RoomDetail, TrackDetail};
use earshot_core::protocol::command::*;
use earshot_core::protocol::rooms::RoomSummary;
use earshot_core::protocol::tokens::{TokenInspection, TokenResult};
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_room(core: State<'_, Core>, args: CreateRoom) -> Reply<RoomSummary> {
    core.create_room(Some(args.project.as_str()), &args.options)
        .await
}

#[tauri::command]
pub async fn delete_room(core: State<'_, Core>, args: DeleteRoom) -> Reply<()> {
    core.delete_room(Some(args.project.as_str()), &args.room)
        .await
}

#[tauri::command]
pub async fn update_room_metadata(
    core: State<'_, Core>,
    args: UpdateRoomMetadata,
) -> Reply<RoomSummary> {
    core.update_room_metadata(Some(args.project.as_str()), &args.room, &args.metadata)
        .await
}

#[tauri::command]
pub async fn get_room_detail(core: State<'_, Core>, args: GetRoomDetail) -> Reply<RoomDetail> {
    core.room_detail(Some(args.project.as_str()), &args.room)
        .await
}

#[tauri::command]
pub async fn mute_track(core: State<'_, Core>, args: MuteTrack) -> Reply<TrackDetail> {
    core.mute_track(
        Some(args.project.as_str()),
        &args.room,
        &args.identity,
        &args.track_sid,
        args.muted,
    )
    .await
}

#[tauri::command]
pub async fn mute_all_audio(core: State<'_, Core>, args: MuteAllAudio) -> Reply<u32> {
    core.mute_all_audio(Some(args.project.as_str()), &args.room)
        .await
}

#[tauri::command]
pub async fn remove_participant(core: State<'_, Core>, args: RemoveParticipant) -> Reply<()> {
    core.remove_participant(Some(args.project.as_str()), &args.room, &args.identity)
        .await
}

#[tauri::command]
pub async fn update_participant(
    core: State<'_, Core>,
    args: UpdateParticipant,
) -> Reply<ParticipantDetail> {
    core.update_participant(
        Some(args.project.as_str()),
        &args.room,
        &args.identity,
        &args.changes,
    )
    .await
}

#[tauri::command]
pub async fn move_participant(core: State<'_, Core>, args: MoveParticipant) -> Reply<()> {
    core.relocate_participant(
        Some(args.project.as_str()),
        &args.room,
        &args.identity,
        &args.destination,
        false,
    )
    .await
}

#[tauri::command]
pub async fn forward_participant(core: State<'_, Core>, args: ForwardParticipant) -> Reply<()> {
    core.relocate_participant(
        Some(args.project.as_str()),
        &args.room,
        &args.identity,
        &args.destination,
        true,
    )
    .await
}

#[tauri::command]
pub async fn update_subscriptions(core: State<'_, Core>, args: UpdateSubscriptions) -> Reply<()> {
    core.update_subscriptions(
        Some(args.project.as_str()),
        &args.room,
        &args.identity,
        &args.track_sids,
        args.subscribe,
    )
    .await
}

#[tauri::command]
pub async fn send_data(core: State<'_, Core>, args: SendData) -> Reply<()> {
    core.send_data(Some(args.project.as_str()), &args.room, &args.message)
        .await
}

#[tauri::command]
pub async fn create_token(core: State<'_, Core>, args: CreateToken) -> Reply<TokenResult> {
    core.create_token(Some(args.project.as_str()), &args.request)
        .await
}

#[tauri::command]
pub async fn inspect_token(core: State<'_, Core>, args: InspectToken) -> Reply<TokenInspection> {
    core.inspect_token(Some(args.project.as_str()), &args.token)
        .await
}
