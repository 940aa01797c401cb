//! What the hub's parts share: the sink output goes to and the record of listened rooms
//! (a leaf of the hub).

use super::record::Record;
use crate::listen::engine::ListenEvent;
use earshot_protocol::listen::RoomKey;
use earshot_protocol::{AppError, ErrorCode};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Where the listener's output goes (the shell implements it with Tauri channels).
pub trait ListenSink: Send + Sync {
    /// One mixed 20 ms frame, encoded by [`earshot_protocol::listen::encode_audio_frame`];
    /// `false` when the sink is gone.
    fn audio(&self, frame: String) -> bool;
    /// A state, speakers or meters event; `false` when the sink is gone.
    fn event(&self, event: &ListenEvent) -> bool;
}

pub(super) type Records = Arc<Mutex<BTreeMap<RoomKey, Record>>>;

pub(super) fn not_listening(key: &RoomKey) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("Not listening to '{}'.", key.room),
    )
}
pub(super) type Sink = Arc<RwLock<Option<Arc<dyn ListenSink>>>>;

/// Reports a room's new state to the sink, if one is attached.
pub(super) fn send_state(sink: &Sink, key: &RoomKey, state: crate::listen::engine::ListenState) {
    let current = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
    if let Some(current) = current {
        current.event(&ListenEvent::State {
            project: key.project.clone(),
            room: key.room.clone(),
            state,
        });
    }
}

pub(super) fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
