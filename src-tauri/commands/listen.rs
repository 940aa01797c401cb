//! Hidden listen-in: one-line wrappers over the core's listen hub, plus the sink that turns
//! its output into messages on the UI's two Tauri channels (audio as base64 16-bit PCM text,
//! JSON events).

use crate::Core;
use earshot_core::listen::engine::ListenEvent;
use earshot_core::listen::ListenSink;
use earshot_core::protocol::command::*;
use earshot_core::protocol::listen::RoomKey;
use earshot_core::protocol::listen::{HiddenParticipant, ListenRoom, ListenStatus};
use earshot_core::protocol::{AppError, ErrorCode};
use std::sync::Arc;
use tauri::ipc::{Channel, InvokeResponseBody, JavaScriptChannelId};
use tauri::{Runtime, State, Webview};

type Reply<T> = Result<T, AppError>;

struct ChannelSink {
    audio: Channel<InvokeResponseBody>,
    events: Channel<InvokeResponseBody>,
}

impl ListenSink for ChannelSink {
    fn audio(&self, frame: String) -> bool {
        // base64 needs no JSON escaping: quoting it makes the JSON string.
        self.audio
            .send(InvokeResponseBody::Json(format!("\"{frame}\"")))
            .is_ok()
    }

    fn event(&self, event: &ListenEvent) -> bool {
        match serde_json::to_string(event) {
            Ok(json) => self.events.send(InvokeResponseBody::Json(json)).is_ok(),
            Err(_) => false,
        }
    }
}

fn channel<R: Runtime>(
    webview: &Webview<R>,
    wire: &str,
    field: &str,
) -> Reply<Channel<InvokeResponseBody>> {
    let id: JavaScriptChannelId = wire.parse().map_err(|e: &str| {
        AppError::field(ErrorCode::InvalidInput, field, format!("bad channel: {e}"))
    })?;
    Ok(id.channel_on(webview.clone()))
}

#[tauri::command]
pub async fn listen_attach<R: Runtime>(
    core: State<'_, Core>,
    webview: Webview<R>,
    args: ListenAttach,
) -> Reply<ListenStatus> {
    let sink = ChannelSink {
        audio: channel(&webview, &args.audio, "audio")?,
        events: channel(&webview, &args.events, "events")?,
    };
    core.listen().attach(Arc::new(sink));
    Ok(core.listen().status())
}

#[tauri::command]
pub async fn listen_start(core: State<'_, Core>, args: ListenStart) -> Reply<ListenRoom> {
    let project = core.project(&args.project).await?;
    core.listen().start(&project, &args.room, args.hear).await
}

#[tauri::command]
pub async fn listen_stop(core: State<'_, Core>, args: ListenStop) -> Reply<()> {
    core.listen()
        .stop(&RoomKey::new(args.project, args.room))
        .await
}

#[tauri::command]
pub async fn listen_set_audible(core: State<'_, Core>, args: ListenSetAudible) -> Reply<()> {
    core.listen().set_audible(args.set)
}

#[tauri::command]
pub async fn listen_set_speaker(core: State<'_, Core>, args: ListenSetSpeaker) -> Reply<()> {
    core.listen().set_speaker(
        &RoomKey::new(args.project, args.room),
        &args.identity,
        args.change,
    )
}

#[tauri::command]
pub async fn listen_status(core: State<'_, Core>, args: ListenStatusQuery) -> Reply<ListenStatus> {
    let ListenStatusQuery {} = args;
    Ok(core.listen().status())
}

#[tauri::command]
pub async fn list_hidden_participants(
    core: State<'_, Core>,
    args: ListHiddenParticipants,
) -> Reply<Vec<HiddenParticipant>> {
    let project = core.project(&args.project).await?;
    core.listen()
        .hidden_participants(&project, &args.room)
        .await
}
