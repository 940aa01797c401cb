//! Room commands.

use crate::Core;
use earshot_core::protocol::admin::ParticipantDetail;
use earshot_core::protocol::command::{ListParticipants, ListRooms};
use earshot_core::protocol::rooms::RoomsSnapshot;
use earshot_core::protocol::AppError;
use tauri::State;

#[tauri::command]
pub async fn list_rooms(core: State<'_, Core>, args: ListRooms) -> Result<RoomsSnapshot, AppError> {
    core.list_rooms(args.project.as_deref()).await
}

#[tauri::command]
pub async fn list_participants(
    core: State<'_, Core>,
    args: ListParticipants,
) -> Result<Vec<ParticipantDetail>, AppError> {
    core.list_participants(args.project.as_deref(), &args.room)
        .await
}
