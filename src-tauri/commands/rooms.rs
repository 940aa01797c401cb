//! Room commands.

use crate::Core;
use earshot_core::admin;
use earshot_core::protocol::admin::ParticipantDetail;
use earshot_core::protocol::command::{ListParticipants, ListRooms};
use earshot_core::protocol::rooms::RoomsSnapshot;
use earshot_core::protocol::AppError;
use tauri::State;

#[tauri::command]
pub async fn list_rooms(core: State<'_, Core>, args: ListRooms) -> Result<RoomsSnapshot, AppError> {
    admin::list_rooms(&core.project(&args.project).await?).await
}

#[tauri::command]
pub async fn list_participants(
    core: State<'_, Core>,
    args: ListParticipants,
) -> Result<Vec<ParticipantDetail>, AppError> {
    admin::list_participants(&core.project(&args.project).await?, &args.room).await
}
