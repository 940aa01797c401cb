//! The wallboard's memory of each project's rooms, and the diff of a fresh answer against it
//! (only what changed travels to the UI and to the alert rules).

use earshot_protocol::projects::ProjectId;
use earshot_protocol::rooms::RoomSummary;
use earshot_protocol::wallboard::WallRoom;
use std::collections::HashMap;

/// What one fresh answer changed for a project.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Diff {
    /// Rooms that are new, with nothing before them.
    pub added: Vec<WallRoom>,
    /// Rooms that changed, with their previous state.
    pub changed: Vec<(WallRoom, WallRoom)>,
    /// Rooms that ended.
    pub removed: Vec<WallRoom>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Every project's rooms, by sid.
#[derive(Debug, Default)]
pub struct Board {
    projects: HashMap<ProjectId, HashMap<String, WallRoom>>,
}

impl Board {
    /// Replaces `project`'s rooms with `fresh` and returns what changed. Listener counts
    /// are carried over when the fresh answer does not know them.
    pub fn apply(&mut self, project: &str, fresh: Vec<WallRoom>) -> Diff {
        let old = self.projects.remove(project).unwrap_or_default();
        let mut next = HashMap::with_capacity(fresh.len());
        let mut diff = Diff::default();
        for mut room in fresh {
            match old.get(&room.room.sid) {
                None => diff.added.push(room.clone()),
                Some(before) => {
                    if room.listeners.is_none() {
                        room.listeners = before.listeners;
                    }
                    if *before != room {
                        diff.changed.push((before.clone(), room.clone()));
                    }
                }
            }
            next.insert(room.room.sid.clone(), room);
        }
        for (sid, room) in old {
            if !next.contains_key(&sid) {
                diff.removed.push(room);
            }
        }
        self.projects.insert(project.to_owned(), next);
        diff
    }

    /// Sets the listener count of one room (after a participant lookup); whether it changed.
    pub fn set_listeners(&mut self, project: &str, sid: &str, listeners: u32) -> Option<WallRoom> {
        let room = self.projects.get_mut(project)?.get_mut(sid)?;
        if room.listeners == Some(listeners) {
            return None;
        }
        room.listeners = Some(listeners);
        Some(room.clone())
    }

    /// Forgets a project (it was removed or is no longer watched).
    pub fn forget(&mut self, project: &str) -> Vec<WallRoom> {
        self.projects
            .remove(project)
            .map(|rooms| rooms.into_values().collect())
            .unwrap_or_default()
    }

    /// Every room of every project.
    pub fn rooms(&self) -> Vec<WallRoom> {
        self.projects
            .values()
            .flat_map(|rooms| rooms.values().cloned())
            .collect()
    }

    /// How many rooms are known.
    pub fn len(&self) -> usize {
        self.projects.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A synthetic room for tests and benchmarks (not from any server).
pub fn synthetic_room(project: &str, i: usize, participants: u32) -> WallRoom {
    WallRoom {
        project: project.to_owned(),
        room: RoomSummary {
            sid: format!("RM_synthetic_{i}"),
            name: format!("synthetic-{i}"),
            num_participants: participants,
            num_publishers: participants.min(2),
            creation_time: 1_700_000_000 + i as i64,
            active_recording: false,
            metadata: String::new(),
        },
        listeners: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_tells_added_changed_removed() {
        let mut board = Board::default();
        let first = board.apply(
            "p",
            vec![synthetic_room("p", 1, 2), synthetic_room("p", 2, 3)],
        );
        assert_eq!((first.added.len(), first.changed.len()), (2, 0));
        board.set_listeners("p", "RM_synthetic_1", 1);
        let mut changed = synthetic_room("p", 2, 4);
        changed.room.active_recording = true;
        let second = board.apply(
            "p",
            vec![
                synthetic_room("p", 1, 2),
                changed,
                synthetic_room("p", 3, 1),
            ],
        );
        assert_eq!(second.added.len(), 1);
        assert_eq!(
            second.changed.len(),
            1,
            "room 1 is unchanged: its listeners carry over"
        );
        assert_eq!(second.changed[0].0.room.num_participants, 3);
        assert!(second.removed.is_empty());
        let third = board.apply("p", vec![]);
        assert_eq!(third.removed.len(), 3);
        assert!(board.is_empty());
    }
}
