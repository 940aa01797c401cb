//! Who is in the room and which of their audio tracks we subscribe to, built from the join
//! response and participant updates. Hidden participants (other listeners, recorders) are
//! left out: they do not count as "someone in the room" and are never pulled.

use earshot_protocol::listen::SpeakerInfo;
use livekit_protocol as proto;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct Member {
    identity: String,
    name: String,
    version: u32,
    /// Audio track sid → muted by the publisher.
    audio: BTreeMap<String, bool>,
}

/// What an update changed, for the room task to act on.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RosterChange {
    /// (participant sid, track sid) to subscribe.
    pub subscribe: Vec<(String, String)>,
    /// Track sids that went away.
    pub gone: Vec<String>,
    /// Whether the speaker list the UI shows changed.
    pub speakers_changed: bool,
}

/// The visible participants of one room.
#[derive(Debug, Default)]
pub(crate) struct Roster {
    me: String,
    members: BTreeMap<String, Member>,
}

impl Roster {
    pub(crate) fn new(my_sid: &str) -> Self {
        Self {
            me: my_sid.to_owned(),
            members: BTreeMap::new(),
        }
    }

    /// Applies participant infos (from the join response or an update).
    pub(crate) fn apply(&mut self, infos: &[proto::ParticipantInfo]) -> RosterChange {
        let mut change = RosterChange::default();
        for info in infos {
            if info.sid == self.me || info.permission.as_ref().is_some_and(|p| p.hidden) {
                continue;
            }
            let left = info.state == proto::participant_info::State::Disconnected as i32;
            if let Some(known) = self.members.get(&info.sid) {
                // Updates can arrive out of order; an older version must not undo a newer one.
                if info.version != 0 && info.version < known.version && !left {
                    continue;
                }
            }
            if left {
                if let Some(old) = self.members.remove(&info.sid) {
                    change.gone.extend(old.audio.into_keys());
                    change.speakers_changed = true;
                }
                continue;
            }
            let audio: BTreeMap<String, bool> = info
                .tracks
                .iter()
                .filter(|t| t.r#type == proto::TrackType::Audio as i32)
                .map(|t| (t.sid.clone(), t.muted))
                .collect();
            let old = self.members.insert(
                info.sid.clone(),
                Member {
                    identity: info.identity.clone(),
                    name: info.name.clone(),
                    version: info.version,
                    audio: audio.clone(),
                },
            );
            let old_audio = old.as_ref().map(|m| m.audio.clone()).unwrap_or_default();
            for sid in audio.keys().filter(|s| !old_audio.contains_key(*s)) {
                change.subscribe.push((info.sid.clone(), sid.clone()));
            }
            change.gone.extend(
                old_audio
                    .keys()
                    .filter(|s| !audio.contains_key(*s))
                    .cloned(),
            );
            if old.is_none_or(|m| m.audio != audio || m.name != info.name) {
                change.speakers_changed = true;
            }
        }
        change
    }

    /// The identity publishing `track_sid`.
    pub(crate) fn identity_of_track(&self, track_sid: &str) -> Option<String> {
        self.members
            .values()
            .find(|m| m.audio.contains_key(track_sid))
            .map(|m| m.identity.clone())
    }

    /// Number of visible participants.
    pub(crate) fn visible(&self) -> usize {
        self.members.len()
    }

    /// The speaker list for the UI.
    pub(crate) fn speakers(&self) -> Vec<SpeakerInfo> {
        self.members
            .values()
            .map(|m| SpeakerInfo {
                identity: m.identity.clone(),
                name: m.name.clone(),
                tracks: m.audio.keys().cloned().collect(),
                publisher_muted: !m.audio.is_empty() && m.audio.values().all(|muted| *muted),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(sid: &str, tracks: &[(&str, i32)], hidden: bool) -> proto::ParticipantInfo {
        proto::ParticipantInfo {
            sid: sid.into(),
            identity: format!("id-{sid}"),
            state: proto::participant_info::State::Active as i32,
            version: 1,
            permission: Some(proto::ParticipantPermission {
                hidden,
                ..Default::default()
            }),
            tracks: tracks
                .iter()
                .map(|(t, kind)| proto::TrackInfo {
                    sid: (*t).into(),
                    r#type: *kind,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn subscribes_audio_only_and_tracks_unpublish_and_leave() {
        let audio = proto::TrackType::Audio as i32;
        let video = proto::TrackType::Video as i32;
        let mut roster = Roster::new("ME");
        let change = roster.apply(&[
            participant("P1", &[("TA", audio), ("TV", video)], false),
            participant("P2", &[("TH", audio)], true),
            participant("ME", &[], false),
        ]);
        assert_eq!(change.subscribe, vec![("P1".into(), "TA".into())]);
        assert_eq!(roster.visible(), 1);
        // A track published later.
        let mut p1 = participant("P1", &[("TA", audio), ("TB", audio)], false);
        p1.version = 2;
        let change = roster.apply(std::slice::from_ref(&p1));
        assert_eq!(change.subscribe, vec![("P1".into(), "TB".into())]);
        // An older update is ignored.
        let stale = participant("P1", &[], false);
        assert_eq!(roster.apply(&[stale]), RosterChange::default());
        // Unpublish, then leave.
        p1.version = 3;
        p1.tracks.remove(0);
        assert_eq!(
            roster.apply(std::slice::from_ref(&p1)).gone,
            vec!["TA".to_string()]
        );
        p1.state = proto::participant_info::State::Disconnected as i32;
        assert_eq!(roster.apply(&[p1]).gone, vec!["TB".to_string()]);
        assert_eq!(roster.visible(), 0);
    }
}
