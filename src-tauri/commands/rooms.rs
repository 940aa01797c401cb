//! Room commands.

use crate::Core;
use earshot_core::protocol::command::{ListParticipants, ListRooms};
use earshot_core::protocol::rooms::{ParticipantSummary, RoomsSnapshot};
use earshot_core::protocol::AppError;
use tauri::State;

#[tauri::command]
pub async fn list_rooms(core: State<'_, Core>, args: ListRooms) -> Result<RoomsSnapshot, AppError> {
    core.list_rooms(Some(args.project.as_str())).await
}

#[tauri::command]
pub async fn list_participants(
    core: State<'_, Core>,
    args: ListParticipants,
) -> Result<Vec<ParticipantSummary>, AppError> {
    core.list_participants(Some(args.project.as_str()), &args.room)
        .await
}
