//! The monitoring guardrails on listening: how many listens one app holds, how many Earshot
//! listeners a room may have (counted on the server, so colleagues' installations count
//! too), and the project's time limit, after which the listen leaves.

use super::retire;
use super::shared::{guard, Records, Sink};
use crate::audit::Audit;
use crate::listen::engine::{EndReason, ListenState, Listener};
use crate::projects::ProjectHandle;
use crate::result::AppResult;
use earshot_protocol::guardrails::MAX_OPEN_LISTENS;
use earshot_protocol::listen::{EarshotRole, HiddenParticipant, RoomKey};
use earshot_protocol::{AppError, ErrorCode};
use std::sync::Weak;
use std::time::Duration;

/// Refuses a new listen when the app already holds [`MAX_OPEN_LISTENS`].
pub(super) fn check_open(records: &Records) -> AppResult<()> {
    let open = guard(records)
        .values()
        .filter(|r| !matches!(r.view.state, ListenState::Ended { .. }))
        .count();
    if open >= MAX_OPEN_LISTENS {
        return Err(AppError::new(
            ErrorCode::LimitReached,
            format!(
                "Earshot is listening to {open} rooms, the most one app may hold open. Stop \
                 one before listening to another."
            ),
        ));
    }
    Ok(())
}

/// Refuses when `hidden` (the room's hidden participants, from the server) already holds as
/// many Earshot listeners as `cap` allows (0: no cap), naming them.
pub(super) fn check_monitors(room: &str, cap: u32, hidden: &[HiddenParticipant]) -> AppResult<()> {
    if cap == 0 {
        return Ok(());
    }
    let listeners: Vec<&HiddenParticipant> = hidden
        .iter()
        .filter(|p| p.role == EarshotRole::Listener)
        .collect();
    if listeners.len() < cap as usize {
        return Ok(());
    }
    let names: Vec<String> = listeners
        .iter()
        .map(|p| {
            let who = p.supervisor.as_deref().unwrap_or(&p.identity);
            if p.is_me {
                format!("{who} (this app)")
            } else {
                who.to_owned()
            }
        })
        .collect();
    Err(AppError::new(
        ErrorCode::LimitReached,
        format!(
            "'{room}' already has {} Earshot listener{} ({}); this project allows {cap} per \
             room.",
            listeners.len(),
            if listeners.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    ))
}

/// The time limit a listen of `project` gets (a test may override it for every project).
pub(super) fn time_limit(project: &ProjectHandle, over: Option<Duration>) -> Option<Duration> {
    over.or_else(|| project.guardrails.time_limit())
}

/// Leaves `key` when its time limit is reached, unless that session ended first (a new
/// session of the same room starts at another time, so `started_at_ms` tells them apart).
#[allow(clippy::too_many_arguments)]
pub(super) async fn enforce(
    key: RoomKey,
    started_at_ms: i64,
    limit: Duration,
    records: Records,
    engine: Weak<Listener>,
    sink: Sink,
    audit: Audit,
) {
    tokio::time::sleep(limit).await;
    let same_session = guard(&records).get(&key).is_some_and(|r| {
        r.view.started_at_ms == started_at_ms && !matches!(r.view.state, ListenState::Ended { .. })
    });
    if !same_session {
        return;
    }
    let minutes = u32::try_from(limit.as_secs() / 60).unwrap_or(u32::MAX);
    tracing::info!(room = %key.room, minutes, "listen: time limit reached; leaving");
    let reason = EndReason::TimeLimit { minutes };
    retire::end(&key, reason, &records, &engine, &sink, &audit).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(identity: &str, role: EarshotRole, who: &str, is_me: bool) -> HiddenParticipant {
        HiddenParticipant {
            identity: identity.into(),
            name: String::new(),
            supervisor: Some(who.into()),
            role,
            is_me,
            joined_at: 0,
        }
    }

    #[test]
    fn only_earshot_listeners_count_against_the_cap() {
        let room = [
            hidden("a", EarshotRole::Listener, "ana", false),
            hidden("b", EarshotRole::Observer, "bo", false),
            hidden("c", EarshotRole::Other, "cy", false),
        ];
        assert!(check_monitors("r", 2, &room).is_ok());
        assert!(check_monitors("r", 0, &room).is_ok());
        let err = check_monitors("r", 1, &room).unwrap_err();
        assert_eq!(err.code, ErrorCode::LimitReached);
        assert!(err.message.contains("ana") && !err.message.contains("bo"));
        let mine = [hidden("a", EarshotRole::Listener, "me", true)];
        let err = check_monitors("r", 1, &mine).unwrap_err();
        assert!(err.message.contains("me (this app)"), "{}", err.message);
    }
}
