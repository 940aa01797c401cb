//! The window's look: the colour theme kept in settings.

use crate::Core;
use earshot_core::appearance;
use earshot_core::protocol::appearance::Theme;
use earshot_core::protocol::command::*;
use earshot_core::protocol::AppError;
use tauri::State;

#[tauri::command]
pub fn get_theme(core: State<'_, Core>, args: GetTheme) -> Result<Theme, AppError> {
    let GetTheme {} = args;
    Ok(appearance::theme(core.settings()))
}

#[tauri::command]
pub fn set_theme(core: State<'_, Core>, args: SetTheme) -> Result<Theme, AppError> {
    appearance::set_theme(core.settings(), args.theme)
}
