//! The room as a room view's connection knows it: visible participants with their tracks,
//! speaking, connection quality and agent state.

use crate::api::rooms_convert::{connection_quality, participant_kind, track_kind};
use crate::clock::unix_millis;
use crate::transcript::agent_status;
use earshot_protocol::room_view::{RoomViewParticipant, RoomViewTrack};
use earshot_protocol::rooms::{ConnectionQuality, ParticipantKind};
use livekit_protocol as proto;
use std::collections::BTreeMap;

/// The room as the connection knows it, by participant sid.
pub(super) struct Roster {
    me: String,
    /// The sid of the room joined (history tells calls apart by it).
    pub(super) room_sid: String,
    /// This connection's own (hidden) identity, as the server knows it.
    pub(super) identity: String,
    pub(super) people: BTreeMap<String, RoomViewParticipant>,
}

impl Roster {
    pub(super) fn new(me: &str) -> Self {
        Self {
            me: me.to_owned(),
            room_sid: String::new(),
            identity: String::new(),
            people: BTreeMap::new(),
        }
    }

    pub(super) fn apply(&mut self, infos: &[proto::ParticipantInfo]) {
        use proto::participant_info::State;
        for p in infos {
            let hidden = p.permission.as_ref().is_some_and(|perm| perm.hidden);
            if p.sid == self.me || hidden || p.state == State::Disconnected as i32 {
                self.people.remove(&p.sid);
                continue;
            }
            let previous = self.people.remove(&p.sid);
            let tracks = p
                .tracks
                .iter()
                .map(|t| RoomViewTrack {
                    sid: t.sid.clone(),
                    kind: track_kind(t.r#type),
                    muted: t.muted,
                })
                .collect();
            self.people.insert(
                p.sid.clone(),
                RoomViewParticipant {
                    sid: p.sid.clone(),
                    identity: p.identity.clone(),
                    name: p.name.clone(),
                    kind: participant_kind(p.kind),
                    joined_at: p.joined_at,
                    joined_at_ms: p.joined_at_ms,
                    speaking: previous.as_ref().is_some_and(|o| o.speaking),
                    level: previous.as_ref().map_or(0.0, |o| o.level),
                    quality: previous
                        .as_ref()
                        .map_or(ConnectionQuality::Unknown, |o| o.quality),
                    tracks,
                    agent: agent_status(
                        previous.and_then(|o| o.agent),
                        &p.attributes,
                        unix_millis(),
                    ),
                },
            );
        }
    }

    pub(super) fn speakers(&mut self, speakers: &[proto::SpeakerInfo]) {
        for s in speakers {
            if let Some(p) = self.people.get_mut(&s.sid) {
                p.speaking = s.active;
                p.level = if s.active { s.level } else { 0.0 };
            }
        }
    }

    pub(super) fn quality(&mut self, updates: &[proto::ConnectionQualityInfo]) {
        for q in updates {
            if let Some(p) = self.people.get_mut(&q.participant_sid) {
                p.quality = connection_quality(q.quality);
            }
        }
    }
}

impl Roster {
    /// The name and kind of the participant `identity`, when it is in the room.
    pub(super) fn speaker(&self, identity: &str) -> Option<(String, ParticipantKind)> {
        self.people
            .values()
            .find(|p| p.identity == identity)
            .map(|p| (p.name.clone(), p.kind))
    }
}
