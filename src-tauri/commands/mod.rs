//! The IPC commands: one-line wrappers over [`earshot_core::Earshot`], named and typed by
//! `earshot_protocol::command`. Each takes its protocol struct as the argument `args`.

mod admin;
mod listen;
mod projects;
mod rooms;
mod wallboard;

/// The handler for every command in `earshot_protocol::COMMANDS`.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        projects::list_projects,
        projects::add_project,
        projects::update_project,
        projects::remove_project,
        projects::set_default_project,
        projects::switch_project,
        projects::check_project,
        projects::check_project_input,
        projects::scan_cli_config,
        projects::import_cli_projects,
        rooms::list_rooms,
        rooms::list_participants,
        admin::create_room,
        admin::delete_room,
        admin::update_room_metadata,
        admin::get_room_detail,
        admin::mute_track,
        admin::mute_all_audio,
        admin::remove_participant,
        admin::update_participant,
        admin::move_participant,
        admin::forward_participant,
        admin::update_subscriptions,
        admin::send_data,
        admin::create_token,
        admin::inspect_token,
        listen::listen_attach,
        listen::listen_start,
        listen::listen_stop,
        listen::listen_set_audible,
        listen::listen_set_speaker,
        listen::listen_status,
        listen::list_hidden_participants,
        wallboard::wallboard_attach,
        wallboard::wallboard_watch,
        wallboard::wallboard_poke,
        wallboard::list_alert_rules,
        wallboard::save_alert_rule,
        wallboard::delete_alert_rule,
        wallboard::list_alerts,
        wallboard::clear_alerts,
        wallboard::observe_room,
        wallboard::stop_observing,
    ]
}
