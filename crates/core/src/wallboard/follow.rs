//! Live columns of the wallboard: the rows in view are followed by room-view connections
//! (at most [`MAX_FOLLOWED`]), each reduced to who is speaking and the worst connection
//! quality, its agent's state and the last line said, sent as [`WallEvent::Live`] only when
//! that changes. The followed rooms also feed the duration alert rules (poor quality,
//! silence, agents) and the rules on what is said, as an open room view does.
//!
//! Each followed row is a hidden connection in someone's call, so it is journaled like a
//! room view the supervisor opens ([`AuditAction::FollowedRowSession`]: start, end,
//! duration, end reason, the identity used), written when its connection ends.

use super::shared::{guard, Shared};
use super::view_audit::ViewSession;
use crate::audit::Audit;
use crate::listen::engine::token::Supervisor;
use crate::projects::Projects;
use crate::result::AppResult;
use crate::room_view::{self, RoomViewSink, ViewConnection};
use earshot_protocol::audit::AuditAction;
use earshot_protocol::room_view::{RoomView, RoomViewState};
use earshot_protocol::rooms::ConnectionQuality;
use earshot_protocol::rooms::ParticipantKind;
use earshot_protocol::transcript::{TranscriptDrops, TranscriptLine};
use earshot_protocol::wallboard::{
    WallAgent, WallEvent, WallLine, WallLive, WallRoomRef, MAX_FOLLOWED,
};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Why a followed row's connection ends when the UI stops asking for it (scrolled away).
pub(crate) const UNFOLLOWED: &str = "the row left the wallboard's view";

/// Followed rooms: the set the UI asked for, and the connections that are up.
#[derive(Default)]
pub(crate) struct Followed {
    wanted: BTreeSet<WallRoomRef>,
    running: BTreeMap<WallRoomRef, ViewConnection>,
}

/// Worst first, so the minimum is the worst quality.
fn quality_rank(quality: ConnectionQuality) -> Option<u8> {
    match quality {
        ConnectionQuality::Lost => Some(0),
        ConnectionQuality::Poor => Some(1),
        ConnectionQuality::Good => Some(2),
        ConnectionQuality::Excellent => Some(3),
        ConnectionQuality::Unknown => None,
    }
}

/// What the wallboard row shows of a room view.
pub fn summarize(view: &RoomView) -> WallLive {
    let mut speaking: Vec<_> = view.participants.iter().filter(|p| p.speaking).collect();
    speaking.sort_by(|a, b| b.level.total_cmp(&a.level));
    let worst_quality = view
        .participants
        .iter()
        .filter_map(|p| Some((quality_rank(p.quality)?, p.quality)))
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, q)| q);
    let (live, error) = match &view.state {
        RoomViewState::Live => (true, None),
        RoomViewState::Connecting | RoomViewState::Reconnecting { .. } => (false, None),
        RoomViewState::Ended { reason } => (false, Some(reason.clone())),
    };
    // An agent-kind participant first: a standard one may set the attribute too.
    let agent = view
        .participants
        .iter()
        .filter_map(|p| Some((p, p.agent?)))
        .min_by_key(|(p, _)| p.kind != ParticipantKind::Agent)
        .map(|(p, status)| WallAgent {
            identity: p.identity.clone(),
            name: if p.name.is_empty() {
                p.identity.clone()
            } else {
                p.name.clone()
            },
            status,
        });
    WallLive {
        project: view.project.clone(),
        room: view.room.clone(),
        live,
        agent,
        last_line: None,
        speaking: speaking
            .into_iter()
            .map(|p| {
                let name = if p.name.is_empty() {
                    &p.identity
                } else {
                    &p.name
                };
                (p.identity.clone(), name.clone())
            })
            .collect(),
        worst_quality,
        poor: view
            .participants
            .iter()
            .filter(|p| p.quality.is_poor())
            .map(|p| p.identity.clone())
            .collect(),
        error,
    }
}

/// What a followed row showed last, and the last line said (kept across views).
#[derive(Default)]
struct Shown {
    live: Option<WallLive>,
    line: Option<WallLine>,
}

/// Turns a followed room's views and transcript lines into wallboard events.
struct LiveSink {
    shared: Arc<Shared>,
    key: WallRoomRef,
    last: Mutex<Shown>,
    /// The row's audit entry, written when the connection's task lets this sink go.
    session: Arc<ViewSession>,
}

impl LiveSink {
    /// Sends `live` when it differs from what the row shows; the lock is held across the
    /// send so two changes cannot reach the UI in the opposite order.
    fn show(&self, shown: &mut Shown, live: WallLive) {
        if shown.live.as_ref() != Some(&live) {
            shown.live = Some(live.clone());
            self.shared.send(WallEvent::Live(live));
        }
    }
}

impl RoomViewSink for LiveSink {
    fn view(&self, view: &RoomView) -> bool {
        self.session.seen(view);
        let mut live = summarize(view);
        let mut shown = guard(&self.last);
        live.last_line = shown.line.clone();
        self.show(&mut shown, live);
        true
    }

    fn transcript(&self, _session: u64, line: &TranscriptLine, _drops: TranscriptDrops) -> bool {
        self.shared
            .raise_line_alerts(&self.key.project, &self.key.room, line);
        let mut shown = guard(&self.last);
        shown.line = Some(WallLine::from_line(line));
        // Before the first view the line waits for it.
        if let Some(mut live) = shown.live.clone() {
            live.last_line = shown.line.clone();
            self.show(&mut shown, live);
        }
        true
    }

    fn tick(&self, view: &RoomView) {
        self.shared.raise_duration_alerts(view);
    }
}

/// Follows wallboard rows live with room-view connections.
pub(crate) struct Follower {
    shared: Arc<Shared>,
    projects: Arc<Projects>,
    supervisor: Supervisor,
    followed: Mutex<Followed>,
    /// Where followed rows' sessions are journaled.
    audit: Audit,
}

impl Follower {
    pub fn new(
        shared: Arc<Shared>,
        projects: Arc<Projects>,
        supervisor: Supervisor,
        audit: Audit,
    ) -> Self {
        Self {
            shared,
            projects,
            supervisor,
            followed: Mutex::default(),
            audit,
        }
    }

    /// Follows exactly `rooms` live (see the module docs); connections for rooms no longer
    /// listed leave. Joins run in the background: results arrive as [`WallEvent::Live`],
    /// failures too (with `error` set).
    pub fn follow(self: &Arc<Self>, rooms: Vec<WallRoomRef>) -> AppResult<()> {
        if rooms.len() > MAX_FOLLOWED {
            return Err(AppError::field(
                ErrorCode::InvalidInput,
                "rooms",
                format!(
                    "At most {MAX_FOLLOWED} rooms can be followed live at once ({} asked).",
                    rooms.len()
                ),
            ));
        }
        for r in &rooms {
            self.projects.require(&r.project)?;
        }
        let wanted: BTreeSet<WallRoomRef> = rooms.into_iter().collect();
        let mut followed = guard(&self.followed);
        followed.running.retain(|_, o| !o.task.is_finished());
        let stale: Vec<WallRoomRef> = followed
            .running
            .keys()
            .filter(|k| !wanted.contains(*k))
            .cloned()
            .collect();
        for key in stale {
            if let Some(obs) = followed.running.remove(&key) {
                obs.stop_because(UNFOLLOWED);
            }
        }
        let new: Vec<WallRoomRef> = wanted
            .iter()
            .filter(|k| !followed.running.contains_key(*k) && !followed.wanted.contains(*k))
            .cloned()
            .collect();
        if followed.wanted != wanted {
            tracing::debug!(
                rooms = wanted.len(),
                starting = new.len(),
                "wallboard follows"
            );
        }
        followed.wanted = wanted;
        drop(followed);
        for key in new {
            let core = Arc::clone(self);
            tokio::spawn(async move { core.start_following(key).await });
        }
        Ok(())
    }

    async fn start_following(self: Arc<Self>, key: WallRoomRef) {
        let shared = self.shared.clone();
        let opened = match self.projects.handle(&key.project).await {
            Ok(project) => {
                let session = Arc::new(ViewSession::new(
                    self.audit.clone(),
                    AuditAction::FollowedRowSession,
                    project.name.clone(),
                    project.endpoint().url.clone(),
                    key.room.clone(),
                ));
                let sink = Arc::new(LiveSink {
                    shared: shared.clone(),
                    key: key.clone(),
                    last: Mutex::default(),
                    session: session.clone(),
                });
                // Followed rows are the wallboard's own (capped by `MAX_FOLLOWED` and closed when
                // they scroll away), not a view the supervisor left open: no time limit.
                let opened =
                    room_view::open(&project, &key.room, &self.supervisor, sink.clone(), None)
                        .await;
                match &opened {
                    Ok((obs, view)) => session.joined(Some(obs.identity.clone()), view.session),
                    Err(err) => session.failed(crate::audit::code_name(err.code)),
                }
                opened.map(|o| (o, sink))
            }
            Err(err) => Err(err),
        };
        match opened {
            Ok(((obs, view), sink)) => {
                let mut followed = guard(&self.followed);
                // The UI may have scrolled on while this joined.
                if followed.wanted.contains(&key) && !followed.running.contains_key(&key) {
                    followed.running.insert(key, obs);
                    drop(followed);
                    sink.view(&view);
                } else {
                    obs.stop_because(UNFOLLOWED);
                }
            }
            Err(err) => {
                tracing::warn!(room = %key.room, error = %err.message, "cannot follow the room");
                guard(&self.followed).wanted.remove(&key);
                shared.send(WallEvent::Live(WallLive {
                    project: key.project,
                    room: key.room,
                    live: false,
                    speaking: Vec::new(),
                    worst_quality: None,
                    poor: Vec::new(),
                    error: Some(err.message),
                    agent: None,
                    last_line: None,
                }));
            }
        }
    }

    /// Ends the followed rows whose project is gone from `now` or changed its credentials
    /// (the UI asks for them again, and they join with the new ones).
    pub fn retire(&self, now: &[crate::projects::ProjectEntry]) {
        let mut followed = guard(&self.followed);
        let stale: Vec<WallRoomRef> = followed
            .running
            .iter()
            .filter(|(key, obs)| !crate::projects::still_valid(now, &key.project, obs.credentials))
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            followed.wanted.remove(&key);
            if let Some(obs) = followed.running.remove(&key) {
                obs.stop_because(room_view::PROJECT_CHANGED);
            }
        }
    }

    /// Stops following every row and hands over the connections, to leave as the app closes.
    pub fn take_all(&self) -> Vec<room_view::ViewConnection> {
        let mut followed = guard(&self.followed);
        followed.wanted.clear();
        std::mem::take(&mut followed.running)
            .into_values()
            .collect()
    }

    /// The rooms followed live now (connections up).
    pub fn followed(&self) -> Vec<WallRoomRef> {
        let mut followed = guard(&self.followed);
        followed.running.retain(|_, o| !o.task.is_finished());
        followed.running.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_protocol::room_view::RoomViewParticipant;
    use earshot_protocol::rooms::ParticipantKind;

    fn person(
        identity: &str,
        name: &str,
        speaking: bool,
        level: f32,
        quality: ConnectionQuality,
    ) -> RoomViewParticipant {
        RoomViewParticipant {
            sid: format!("PA_{identity}"),
            identity: identity.into(),
            name: name.into(),
            kind: ParticipantKind::Standard,
            joined_at: 0,
            joined_at_ms: 0,
            speaking,
            level,
            quality,
            tracks: Vec::new(),
            agent: None,
        }
    }

    #[test]
    fn summary_orders_speakers_and_finds_the_worst_quality() {
        let view = RoomView {
            project: "p".into(),
            room: "r".into(),
            room_sid: String::new(),
            session: 1,
            state: RoomViewState::Live,
            participants: vec![
                person("a", "Ann", true, 0.2, ConnectionQuality::Excellent),
                person("b", "", true, 0.7, ConnectionQuality::Poor),
                person("c", "Cy", false, 0.0, ConnectionQuality::Good),
                person("d", "Di", false, 0.0, ConnectionQuality::Unknown),
            ],
            at_ms: 0,
            limit_at_ms: None,
        };
        let live = summarize(&view);
        assert!(live.live);
        assert_eq!(
            live.speaking,
            vec![("b".into(), "b".into()), ("a".into(), "Ann".into())]
        );
        assert_eq!(live.worst_quality, Some(ConnectionQuality::Poor));
        assert_eq!(live.poor, vec!["b".to_owned()]);
        assert_eq!(live.error, None);
    }

    #[test]
    fn summary_names_the_agent_kind_first() {
        use earshot_protocol::transcript::{AgentState, AgentStatus};
        let mut pretender = person("p", "", false, 0.0, ConnectionQuality::Good);
        pretender.agent = Some(AgentStatus {
            state: AgentState::Idle,
            since_ms: 1,
        });
        let mut bot = person("bot", "Helper", false, 0.0, ConnectionQuality::Good);
        bot.kind = ParticipantKind::Agent;
        bot.agent = Some(AgentStatus {
            state: AgentState::Thinking,
            since_ms: 5,
        });
        let mut view = RoomView {
            project: "p".into(),
            room: "r".into(),
            room_sid: String::new(),
            session: 1,
            state: RoomViewState::Live,
            participants: vec![pretender, bot],
            at_ms: 0,
            limit_at_ms: None,
        };
        let agent = summarize(&view).agent.expect("an agent");
        assert_eq!(
            (agent.identity.as_str(), agent.name.as_str()),
            ("bot", "Helper")
        );
        assert_eq!(agent.status.state, AgentState::Thinking);
        view.participants.pop();
        let agent = summarize(&view)
            .agent
            .expect("the attribute alone is an agent");
        assert_eq!(agent.name, "p");
        view.participants[0].agent = None;
        assert_eq!(summarize(&view).agent, None);
    }

    #[test]
    fn summary_of_an_ended_view_says_why() {
        let view = RoomView {
            project: "p".into(),
            room: "r".into(),
            room_sid: String::new(),
            session: 1,
            state: RoomViewState::Ended {
                reason: "the room emptied".into(),
            },
            participants: vec![person("a", "Ann", false, 0.0, ConnectionQuality::Unknown)],
            at_ms: 0,
            limit_at_ms: None,
        };
        let live = summarize(&view);
        assert!(!live.live);
        assert_eq!(live.worst_quality, None);
        assert_eq!(live.error.as_deref(), Some("the room emptied"));
    }
}
