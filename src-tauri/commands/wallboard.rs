//! The wallboard, alerts and room views: one-line wrappers over the core's wallboard, plus the sink that
//! forwards its events to the UI's channel and raises desktop notifications.

use crate::Core;
use earshot_core::audit::Audited;
use earshot_core::protocol::command::*;
use earshot_core::protocol::room_view::{RoomView, RoomViewEvent};
use earshot_core::protocol::transcript::{TranscriptDrops, TranscriptLine};
use earshot_core::protocol::wallboard::{Alert, AlertRule, WallEvent, WallSnapshot};
use earshot_core::protocol::{AppError, ErrorCode};
use earshot_core::room_view::RoomViewSink;
use earshot_core::wallboard::WallSink;
use std::sync::Arc;
use tauri::ipc::{Channel, InvokeResponseBody, JavaScriptChannelId};
use tauri::{AppHandle, Manager, Runtime, State, Webview};
use tauri_plugin_notification::NotificationExt;

type Reply<T> = Result<T, AppError>;

fn channel<R: Runtime>(webview: &Webview<R>, wire: &str) -> Reply<Channel<InvokeResponseBody>> {
    let id: JavaScriptChannelId = wire.parse().map_err(|e: &str| {
        AppError::field(
            ErrorCode::InvalidInput,
            "events",
            format!("bad channel: {e}"),
        )
    })?;
    Ok(id.channel_on(webview.clone()))
}

struct ChannelSink<R: Runtime> {
    events: Channel<InvokeResponseBody>,
    app: AppHandle<R>,
}

impl<R: Runtime> WallSink for ChannelSink<R> {
    fn event(&self, event: &WallEvent) -> bool {
        match serde_json::to_string(event) {
            Ok(json) => self.events.send(InvokeResponseBody::Json(json)).is_ok(),
            Err(_) => false,
        }
    }

    fn notify(&self, alert: &Alert) {
        // No notification daemon (e.g. a bare X session) is not an error worth more than a log
        // line: the alert is in the in-app list either way.
        if let Err(err) = self
            .app
            .notification()
            .builder()
            .title(format!("Earshot: {}", alert.rule_name))
            .body(&alert.text)
            .show()
        {
            tracing::warn!(error = %err, "desktop notification not shown");
        }
    }
}

#[tauri::command]
pub async fn wallboard_attach<R: Runtime>(
    core: State<'_, Core>,
    webview: Webview<R>,
    args: WallboardAttach,
) -> Reply<WallSnapshot> {
    let sink = ChannelSink {
        events: channel(&webview, &args.events)?,
        app: webview.app_handle().clone(),
    };
    Ok(core.wallboard().attach(Arc::new(sink)))
}

struct ViewSink {
    events: Channel<InvokeResponseBody>,
}

impl ViewSink {
    fn send(&self, event: &RoomViewEvent) -> bool {
        match serde_json::to_string(event) {
            Ok(json) => self.events.send(InvokeResponseBody::Json(json)).is_ok(),
            Err(_) => false,
        }
    }
}

impl RoomViewSink for ViewSink {
    fn view(&self, view: &RoomView) -> bool {
        self.send(&RoomViewEvent::View(view.clone()))
    }

    fn transcript(&self, session: u64, line: &TranscriptLine, drops: TranscriptDrops) -> bool {
        self.send(&RoomViewEvent::Transcript {
            session,
            line: line.clone(),
            drops,
        })
    }
}

#[tauri::command]
pub async fn open_room_view<R: Runtime>(
    core: State<'_, Core>,
    webview: Webview<R>,
    args: OpenRoomView,
) -> Reply<RoomView> {
    let events = channel(&webview, &args.events)?;
    let project = core.project(&args.project).await?;
    core.wallboard()
        .open_room_view(&project, &args.room, Arc::new(ViewSink { events }))
        .await
}

#[tauri::command]
pub async fn close_room_view(core: State<'_, Core>, args: CloseRoomView) -> Reply<()> {
    core.wallboard().close_room_view(args.session)
}

#[tauri::command]
pub async fn wallboard_watch(core: State<'_, Core>, args: WallboardWatch) -> Reply<WallSnapshot> {
    core.wallboard().watch(args.projects)
}

#[tauri::command]
pub async fn wallboard_poke(core: State<'_, Core>, args: WallboardPoke) -> Reply<()> {
    core.wallboard().poke(&args.project)
}

#[tauri::command]
pub async fn wallboard_follow(core: State<'_, Core>, args: WallboardFollow) -> Reply<()> {
    core.wallboard().follow(args.rooms)
}

#[tauri::command]
pub async fn list_alert_rules(
    core: State<'_, Core>,
    args: ListAlertRules,
) -> Reply<Vec<AlertRule>> {
    let ListAlertRules {} = args;
    Ok(core.wallboard().alert_rules())
}

#[tauri::command]
pub async fn save_alert_rule(core: State<'_, Core>, args: SaveAlertRule) -> Reply<AlertRule> {
    let facts = args.facts();
    let saved = async { core.wallboard().save_alert_rule(args.rule) };
    core.audit().run(facts, None, saved).await
}

#[tauri::command]
pub async fn delete_alert_rule(core: State<'_, Core>, args: DeleteAlertRule) -> Reply<()> {
    let deleted = async { core.wallboard().delete_alert_rule(&args.id) };
    core.audit().run(args.facts(), None, deleted).await
}

#[tauri::command]
pub async fn list_alerts(core: State<'_, Core>, args: ListAlerts) -> Reply<Vec<Alert>> {
    let ListAlerts {} = args;
    Ok(core.wallboard().alerts())
}

#[tauri::command]
pub async fn clear_alerts(core: State<'_, Core>, args: ClearAlerts) -> Reply<()> {
    let ClearAlerts {} = args;
    core.wallboard().clear_alerts();
    Ok(())
}
