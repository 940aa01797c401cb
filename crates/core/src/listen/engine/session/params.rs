//! What a room task is given (its parameters and commands), where it reports, and how a
//! connection ends: the vocabulary the session's files share (a leaf).

use earshot_protocol::listen::{EndReason, ListenEvent, ListenState, RoomKey, SpeakerInfo};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a resume may take (signal + ICE restart) before we rejoin instead.
pub(super) const RESUME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a PeerConnection may stay `Disconnected` before we treat it as lost.
pub(super) const PC_DISCONNECT_GRACE: Duration = Duration::from_secs(3);

/// Everything a room task needs to (re)join.
#[derive(Clone)]
pub(crate) struct RoomParams {
    /// The project's one client: the room lookup goes through it, and its endpoint signs
    /// the listener's tokens.
    pub server: crate::api::ServerApi,
    pub room: String,
    pub supervisor: String,
    pub token_ttl: Duration,
    pub empty_grace: Duration,
    pub empty_on_join_grace: Duration,
    pub reconnect_budget: Duration,
    pub own_identities: crate::listen::engine::token::OwnIdentities,
}

/// Requests from the listener to a room task.
pub(crate) enum RoomCommand {
    Leave,
    /// Drop the signal connection as a network failure would (tests the resume path, like the
    /// official SDK's `SimulateScenario::SignalReconnect`).
    SimulateSignalDrop,
}

/// Where a room task reports; also keeps the latest state for the listener to read.
#[derive(Clone)]
pub(crate) struct RoomEvents {
    /// The room's key in the listener: its project and name.
    pub key: RoomKey,
    pub tx: mpsc::UnboundedSender<ListenEvent>,
    pub state: Arc<Mutex<ListenState>>,
}

impl RoomEvents {
    pub(super) fn state(&self, state: ListenState) {
        if let Ok(mut current) = self.state.lock() {
            *current = state.clone();
        }
        let _ = self.tx.send(ListenEvent::State {
            project: self.key.project.clone(),
            room: self.key.room.clone(),
            state,
        });
    }

    pub(super) fn speakers(&self, speakers: Vec<SpeakerInfo>) {
        let _ = self.tx.send(ListenEvent::Speakers {
            project: self.key.project.clone(),
            room: self.key.room.clone(),
            speakers,
        });
    }
}

/// How a connection ended.
pub(super) enum Outcome {
    End(EndReason),
    /// Lost; `resume` says whether the session may still be resumed.
    Lost {
        resume: bool,
    },
}
