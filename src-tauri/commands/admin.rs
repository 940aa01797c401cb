//! Room and participant administration, and tokens.

use crate::Core;
use earshot_core::admin;
use earshot_core::audit::Audited;
use earshot_core::protocol::admin::{ParticipantDetail, RoomDetail, TrackDetail};
use earshot_core::protocol::command::*;
use earshot_core::protocol::rooms::RoomSummary;
use earshot_core::protocol::tokens::{TokenInspection, TokenResult};
use earshot_core::protocol::AppError;
use tauri::State;

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn create_room(core: State<'_, Core>, args: CreateRoom) -> Reply<RoomSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), admin::create_room(&p, &args.options))
        .await
}

#[tauri::command]
pub async fn delete_room(core: State<'_, Core>, args: DeleteRoom) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), admin::delete_room(&p, &args.room))
        .await
}

#[tauri::command]
pub async fn update_room_metadata(
    core: State<'_, Core>,
    args: UpdateRoomMetadata,
) -> Reply<RoomSummary> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::update_room_metadata(&p, &args.room, &args.metadata),
        )
        .await
}

#[tauri::command]
pub async fn get_room_detail(core: State<'_, Core>, args: GetRoomDetail) -> Reply<RoomDetail> {
    admin::room_detail(&core.project(&args.project).await?, &args.room).await
}

#[tauri::command]
pub async fn mute_track(core: State<'_, Core>, args: MuteTrack) -> Reply<TrackDetail> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::mute_track(&p, &args.room, &args.identity, &args.track_sid, args.muted),
        )
        .await
}

#[tauri::command]
pub async fn mute_all_audio(core: State<'_, Core>, args: MuteAllAudio) -> Reply<u32> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), admin::mute_all_audio(&p, &args.room))
        .await
}

#[tauri::command]
pub async fn remove_participant(core: State<'_, Core>, args: RemoveParticipant) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::remove_participant(&p, &args.room, &args.identity),
        )
        .await
}

#[tauri::command]
pub async fn update_participant(
    core: State<'_, Core>,
    args: UpdateParticipant,
) -> Reply<ParticipantDetail> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::update_participant(&p, &args.room, &args.identity, &args.changes),
        )
        .await
}

#[tauri::command]
pub async fn move_participant(core: State<'_, Core>, args: MoveParticipant) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::relocate_participant(&p, &args.room, &args.identity, &args.destination, false),
        )
        .await
}

#[tauri::command]
pub async fn forward_participant(core: State<'_, Core>, args: ForwardParticipant) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::relocate_participant(&p, &args.room, &args.identity, &args.destination, true),
        )
        .await
}

#[tauri::command]
pub async fn update_subscriptions(core: State<'_, Core>, args: UpdateSubscriptions) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::update_subscriptions(
                &p,
                &args.room,
                &args.identity,
                &args.track_sids,
                args.subscribe,
            ),
        )
        .await
}

#[tauri::command]
pub async fn send_data(core: State<'_, Core>, args: SendData) -> Reply<()> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(
            facts,
            Some(&p),
            admin::send_data(&p, &args.room, &args.message),
        )
        .await
}

#[tauri::command]
pub async fn create_token(core: State<'_, Core>, args: CreateToken) -> Reply<TokenResult> {
    let p = core.project(&args.project).await?;
    let facts = args.facts();
    core.audit()
        .run(facts, Some(&p), admin::create_token(&p, &args.request))
        .await
}

#[tauri::command]
pub async fn inspect_token(core: State<'_, Core>, args: InspectToken) -> Reply<TokenInspection> {
    admin::inspect_token(&core.project(&args.project).await?, &args.token)
}
