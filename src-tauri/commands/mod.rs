//! The IPC commands: one-line wrappers over earshot-core's feature functions, named and typed by
//! `earshot_protocol::command`. Each takes its protocol struct as the argument `args`.

mod admin;
mod agents;
mod appearance;
mod audit;
mod egress;
mod history;
mod ingress;
mod listen;
mod projects;
mod rooms;
mod sip;
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
        projects::check_project,
        projects::check_project_input,
        projects::scan_cli_config,
        projects::choose_cli_config,
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
        wallboard::wallboard_follow,
        wallboard::list_alert_rules,
        wallboard::save_alert_rule,
        wallboard::delete_alert_rule,
        wallboard::list_alerts,
        wallboard::clear_alerts,
        wallboard::open_room_view,
        wallboard::close_room_view,
        sip::get_sip_overview,
        sip::create_sip_inbound_trunk,
        sip::update_sip_inbound_trunk,
        sip::create_sip_outbound_trunk,
        sip::update_sip_outbound_trunk,
        sip::delete_sip_trunk,
        sip::create_sip_dispatch_rule,
        sip::update_sip_dispatch_rule,
        sip::delete_sip_dispatch_rule,
        sip::dial_sip_out,
        sip::transfer_sip_participant,
        agents::create_agent_dispatch,
        agents::list_agent_dispatches,
        agents::delete_agent_dispatch,
        ingress::create_ingress,
        ingress::update_ingress,
        ingress::list_ingress,
        ingress::delete_ingress,
        egress::list_storage_profiles,
        egress::save_storage_profile,
        egress::delete_storage_profile,
        egress::start_egress,
        egress::list_egress,
        egress::stop_egress,
        egress::update_egress_layout,
        egress::update_egress_stream,
        audit::query_audit,
        audit::verify_audit,
        audit::export_audit,
        audit::journal_health,
        history::list_calls,
        history::get_call,
        history::get_webhook_receiver,
        history::save_webhook_receiver,
        appearance::get_theme,
        appearance::set_theme,
    ]
}
