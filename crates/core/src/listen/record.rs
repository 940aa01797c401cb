//! What the hub knows of one listened room, and how it takes in the engine's states: when a
//! lost room is rejoined, how many times in a row, and which states are not the room's.

use crate::api::ServerApi;
use crate::clock::unix_millis;
use crate::listen::engine::{EndReason, ListenState, MixSettings};
use earshot_protocol::listen::ListenRoom;
use std::time::{Duration, Instant};

/// Delays before each app-level rejoin once the engine's own reconnecting gave up.
pub(super) const REJOIN_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(3),
    Duration::from_secs(7),
];

/// A room that stays live this long has its rejoin streak forgiven: a long session that
/// drops now and then must not run out of rejoins.
const REJOIN_RESET: Duration = Duration::from_secs(30);

pub(super) struct Record {
    pub(super) view: ListenRoom,
    pub(super) target: ServerApi,
    /// Set when the supervisor leaves, so the final `Ended` is not taken for a failure.
    pub(super) stopping: bool,
    /// Whether the first join succeeded. A failed first join is reported to the caller, and
    /// the engine's `Ended` that follows it must not start a rejoin.
    pub(super) joined: bool,
    /// App-level rejoins in a row, without the room staying live [`REJOIN_RESET`] between.
    pub(super) streak: u32,
    /// When the room last became live (`None` while it is not).
    pub(super) live_since: Option<Instant>,
    /// The supervisor's gain, mute and solo, carried into a rejoin's fresh room state.
    pub(super) mix: MixSettings,
    /// An app-level rejoin runs for the room and owns its state.
    pub(super) rejoining: bool,
    /// The hidden identity of the first join (for the audit).
    pub(super) identity: Option<String>,
    /// Whether the session's audit entry was written (it is written once).
    pub(super) audited: bool,
    /// When the first join completed (ms since the epoch): the session's start.
    pub(super) joined_ms: Option<i64>,
    /// The project's credentials number `target` was made with (see
    /// [`crate::projects::ProjectEntry::credentials`]).
    pub(super) credentials: u64,
    /// How the room's end is reported when the hub, not the engine, decided it.
    pub(super) end_as: Option<EndReason>,
}

/// What to do with a state the engine reported for a room.
#[derive(Debug, PartialEq)]
pub(super) enum Next {
    Forward,
    /// Not the room's state as the supervisor should see it.
    Drop,
    /// Start an app-level rejoin at this attempt (0-based) instead of reporting the end.
    Rejoin(u32),
}

impl Record {
    pub(super) fn new(view: ListenRoom, target: ServerApi, credentials: u64) -> Self {
        Self {
            view,
            target,
            credentials,
            end_as: None,
            stopping: false,
            joined: false,
            streak: 0,
            live_since: None,
            mix: MixSettings::default(),
            rejoining: false,
            identity: None,
            audited: false,
            joined_ms: None,
        }
    }

    /// Takes in a state the engine reported.
    pub(super) fn on_engine_state(&mut self, state: &ListenState, now: Instant) -> Next {
        let ended = matches!(state, ListenState::Ended { .. });
        // A failed rejoin attempt connects and ends in the engine; the room stays rejoining.
        if self.rejoining && (ended || *state == ListenState::Connecting) {
            return Next::Drop;
        }
        // The engine's end of the last failed attempt, after the rejoin gave the room up.
        if ended && matches!(self.view.state, ListenState::Ended { .. }) {
            return Next::Drop;
        }
        self.set_state(state.clone());
        self.track(state, now);
        if let ListenState::Ended { reason } = state {
            if let Some(attempt) = self.rejoin_attempt(reason) {
                self.rejoining = true;
                return Next::Rejoin(attempt);
            }
        }
        Next::Forward
    }

    /// The room's state as the supervisor sees it, with when it ended (kept from the
    /// first end: a later end of the same room says nothing new about when it stopped).
    pub(super) fn set_state(&mut self, state: ListenState) {
        if matches!(state, ListenState::Ended { .. }) {
            self.view.ended_at_ms.get_or_insert_with(unix_millis);
        } else {
            self.view.ended_at_ms = None;
        }
        self.view.state = state;
    }

    /// Takes in a state the hub itself decided for the room (a rejoin's outcome).
    pub(super) fn enter(&mut self, state: ListenState, now: Instant) -> ListenState {
        self.set_state(state.clone());
        self.track(&state, now);
        state
    }

    /// Starts app-level rejoin attempt `attempt` (0-based): the room shows it, and it counts
    /// in the streak that [`REJOIN_DELAYS`] bounds.
    pub(super) fn start_rejoin_attempt(&mut self, attempt: u32, now: Instant) -> ListenState {
        let state = self.enter(
            ListenState::Rejoining {
                attempt: attempt + 1,
            },
            now,
        );
        self.streak = attempt + 1;
        self.view.rejoins += 1;
        state
    }

    /// Follows the room's state for the rejoin streak.
    pub(super) fn track(&mut self, state: &ListenState, now: Instant) {
        if *state == ListenState::Live {
            self.live_since.get_or_insert(now);
        } else if let Some(since) = self.live_since.take() {
            if now.saturating_duration_since(since) >= REJOIN_RESET {
                self.streak = 0;
            }
        }
    }

    /// The rejoin attempt (0-based, within the streak) to start after the engine ended the
    /// room, or `None` when it must not be rejoined.
    fn rejoin_attempt(&self, reason: &EndReason) -> Option<u32> {
        let lost = matches!(reason, EndReason::ConnectionLost { .. });
        (lost && self.joined && !self.stopping && (self.streak as usize) < REJOIN_DELAYS.len())
            .then_some(self.streak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_protocol::{AppError, ErrorCode};

    fn record() -> Record {
        let view = ListenRoom {
            room: "r".into(),
            project: "p".into(),
            project_name: "P".into(),
            state: ListenState::Connecting,
            speakers: Vec::new(),
            started_at_ms: 0,
            ended_at_ms: None,
            rejoins: 0,
            limit_at_ms: None,
        };
        let target = ServerApi::for_calls(crate::api::Endpoint {
            url: "ws://127.0.0.1:1".into(),
            api_key: "k".into(),
            api_secret: crate::vault::Secret::new("s"),
        })
        .expect("client");
        Record::new(view, target, 0)
    }

    fn lost() -> ListenState {
        ListenState::Ended {
            reason: EndReason::ConnectionLost {
                error: AppError::new(ErrorCode::Unreachable, "gone"),
            },
        }
    }

    #[test]
    fn a_failed_first_join_never_rejoins() {
        let mut r = record();
        let now = Instant::now();
        assert_eq!(
            r.on_engine_state(&ListenState::Connecting, now),
            Next::Forward
        );
        assert_eq!(r.on_engine_state(&lost(), now), Next::Forward);
        assert!(!r.rejoining);
    }

    #[test]
    fn rejoins_run_out_in_a_row_but_come_back_after_a_live_spell() {
        let mut r = record();
        r.joined = true;
        let t0 = Instant::now();
        r.on_engine_state(&ListenState::Live, t0);
        for attempt in 0..REJOIN_DELAYS.len() as u32 {
            let at = t0 + Duration::from_secs(attempt as u64);
            assert_eq!(r.on_engine_state(&lost(), at), Next::Rejoin(attempt));
            // While the rejoin runs, its failed attempts' states are not the room's.
            assert_eq!(r.on_engine_state(&ListenState::Connecting, at), Next::Drop);
            assert_eq!(r.on_engine_state(&lost(), at), Next::Drop);
            // The rejoin runs its attempt (as `rejoin::attempts` does), succeeds, then the
            // room drops again soon.
            let shown = r.start_rejoin_attempt(attempt, at);
            assert_eq!(
                shown,
                ListenState::Rejoining {
                    attempt: attempt + 1
                }
            );
            r.rejoining = false;
            r.enter(ListenState::Live, at);
        }
        assert_eq!(r.view.rejoins, 3);
        let soon = t0 + Duration::from_secs(5);
        assert_eq!(
            r.on_engine_state(&lost(), soon),
            Next::Forward,
            "streak spent"
        );

        // Live for longer than REJOIN_RESET: the next loss is rejoined from the first attempt.
        let mut r = record();
        r.joined = true;
        r.streak = REJOIN_DELAYS.len() as u32;
        r.on_engine_state(&ListenState::Live, t0);
        let later = t0 + REJOIN_RESET + Duration::from_secs(1);
        assert_eq!(
            r.on_engine_state(&ListenState::Reconnecting { attempt: 1 }, later),
            Next::Forward
        );
        assert_eq!(r.on_engine_state(&lost(), later), Next::Rejoin(0));
    }

    #[test]
    fn an_end_after_giving_up_or_leaving_is_not_rejoined() {
        let mut r = record();
        r.joined = true;
        r.view.state = lost();
        assert_eq!(r.on_engine_state(&lost(), Instant::now()), Next::Drop);
        let mut r = record();
        r.joined = true;
        r.stopping = true;
        assert_eq!(r.on_engine_state(&lost(), Instant::now()), Next::Forward);
        let stopped = ListenState::Ended {
            reason: EndReason::Stopped,
        };
        let mut r = record();
        r.joined = true;
        assert_eq!(r.on_engine_state(&stopped, Instant::now()), Next::Forward);
    }
}
