//! Participant counts without hidden participants, computed once for every page.
//!
//! ListRooms' `num_participants` counts hidden participants (livekit-server v1.13.3 leaves
//! out only agents and recorders), so each Earshot listener, room view and followed
//! wallboard row would add one to the room it watches. Which participants are hidden only
//! ListParticipants tells: a room is looked up when its count differs from the one at its
//! last lookup (a hidden participant joining or leaving changes it) or that lookup is older
//! than [`STALE`]; otherwise the hidden count last seen is taken off. Every client of a
//! project shares one census, so the rooms page and the wallboard pay for a lookup once.
//! The listing that consults it is `ServerApi::list_rooms_counted` (in `rooms`).

use super::rooms_convert::hidden_counted;
use earshot_protocol::admin::ParticipantDetail;
use earshot_protocol::rooms::RoomSummary;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A lookup older than this is repeated even if the count did not change (a visible
/// participant leaving as a hidden one joins leaves the count as it was).
pub const STALE: Duration = Duration::from_secs(30);

/// What the last lookup of a room found.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// ListRooms' count when the room was looked up.
    raw: u32,
    /// Hidden participants that count included.
    hidden: u32,
    at: Instant,
}

/// The hidden participants per room sid, as last looked up.
#[derive(Debug, Default)]
pub struct Census {
    rooms: Mutex<HashMap<String, Seen>>,
}

/// One room's participant lookup made while listing: callers that need the participants
/// anyway (the wallboard's listener count and "joined" alerts) reuse it.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The room with its visible count.
    pub room: RoomSummary,
    pub people: Vec<ParticipantDetail>,
}

impl Census {
    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<String, Seen>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `room` (with ListRooms' count) needs a lookup, and how urgently: rooms
    /// never looked up first, then changed ones, then stale ones.
    pub(crate) fn due(&self, room: &RoomSummary, now: Instant) -> Option<u8> {
        if room.num_participants == 0 {
            return None;
        }
        match self.seen().get(&room.sid) {
            None => Some(0),
            Some(s) if s.raw != room.num_participants => Some(1),
            Some(s) if now.duration_since(s.at) >= STALE => Some(2),
            Some(_) => None,
        }
    }

    /// Records a lookup of room `sid` whose ListRooms count was `raw`.
    pub(crate) fn record(&self, sid: &str, raw: u32, people: &[ParticipantDetail]) {
        let seen = Seen {
            raw,
            hidden: hidden_counted(people),
            at: Instant::now(),
        };
        self.seen().insert(sid.to_owned(), seen);
    }

    /// Records a lookup made outside a listing (the wallboard's rounds): the hidden count
    /// is brought up to date against the count of the last listing.
    pub fn refresh(&self, sid: &str, people: &[ParticipantDetail]) {
        if let Some(seen) = self.seen().get_mut(sid) {
            seen.hidden = hidden_counted(people);
            seen.at = Instant::now();
        }
    }

    /// Takes the hidden participants off each room's count and forgets rooms not listed.
    /// A room never looked up keeps the server's count.
    pub(crate) fn correct(&self, rooms: &mut [RoomSummary]) {
        let mut seen = self.seen();
        seen.retain(|sid, _| rooms.iter().any(|r| &r.sid == sid));
        for room in rooms {
            if let Some(s) = seen.get(&room.sid) {
                room.num_participants = room.num_participants.saturating_sub(s.hidden);
            }
        }
    }
}
