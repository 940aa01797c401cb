//! RoomService calls: listing rooms and participants, creating and deleting rooms.

use super::{ApiError, ApiResult, RetryPolicy, ServerApi};
use earshot_protocol::rooms::{ParticipantSummary, RoomSummary};
use livekit_api::access_token::VideoGrants;
use livekit_protocol as proto;

const SERVICE: &str = "RoomService";

fn list_grant() -> VideoGrants {
    VideoGrants {
        room_list: true,
        ..Default::default()
    }
}

/// `roomAdmin` on one room: what every participant-level call needs.
pub(crate) fn admin_grant(room: &str) -> VideoGrants {
    VideoGrants {
        room_admin: true,
        room: room.to_owned(),
        ..Default::default()
    }
}

impl ServerApi {
    /// All active rooms (ListRooms needs `roomList`).
    pub async fn list_rooms(&self, retry: RetryPolicy) -> ApiResult<Vec<RoomSummary>> {
        self.list_rooms_named(Vec::new(), retry).await
    }

    /// The active rooms among `names` (all rooms when empty).
    pub async fn list_rooms_named(
        &self,
        names: Vec<String>,
        retry: RetryPolicy,
    ) -> ApiResult<Vec<RoomSummary>> {
        let req = proto::ListRoomsRequest { names };
        let resp: proto::ListRoomsResponse = self
            .call(SERVICE, "ListRooms", &req, list_grant(), retry)
            .await?;
        Ok(resp.rooms.into_iter().map(room_summary).collect())
    }

    /// Participants of `room`, hidden ones included (needs `roomAdmin` on that room).
    /// The server lists a missing room as empty; that case is told apart as `NotFound`.
    pub async fn list_participants(&self, room: &str) -> ApiResult<Vec<ParticipantSummary>> {
        let req = proto::ListParticipantsRequest {
            room: room.to_owned(),
        };
        let resp: proto::ListParticipantsResponse = self
            .call(
                SERVICE,
                "ListParticipants",
                &req,
                admin_grant(room),
                RetryPolicy::READS,
            )
            .await?;
        if resp.participants.is_empty()
            && self
                .list_rooms_named(vec![room.to_owned()], RetryPolicy::READS)
                .await?
                .is_empty()
        {
            return Err(ApiError::NotFound(format!("no active room named '{room}'")));
        }
        Ok(resp
            .participants
            .into_iter()
            .map(participant_summary)
            .collect())
    }

    /// Participants of `room` in full (attributes, permissions) in one call without retry:
    /// the wallboard's pollers pace themselves.
    pub async fn participant_details(
        &self,
        room: &str,
    ) -> ApiResult<Vec<earshot_protocol::admin::ParticipantDetail>> {
        let req = proto::ListParticipantsRequest {
            room: room.to_owned(),
        };
        let resp: proto::ListParticipantsResponse = self
            .call(
                SERVICE,
                "ListParticipants",
                &req,
                admin_grant(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(resp
            .participants
            .into_iter()
            .map(super::admin_convert::participant_detail)
            .collect())
    }

    /// Deletes `room`, disconnecting everyone in it.
    pub async fn delete_room(&self, room: &str) -> ApiResult<()> {
        let req = proto::DeleteRoomRequest {
            room: room.to_owned(),
        };
        let grants = VideoGrants {
            room_create: true,
            ..Default::default()
        };
        let _: proto::DeleteRoomResponse = self
            .call(SERVICE, "DeleteRoom", &req, grants, RetryPolicy::NONE)
            .await?;
        Ok(())
    }
}

pub(crate) fn room_summary(room: proto::Room) -> RoomSummary {
    RoomSummary {
        sid: room.sid,
        name: room.name,
        num_participants: room.num_participants,
        num_publishers: room.num_publishers,
        creation_time: room.creation_time,
        active_recording: room.active_recording,
        metadata: room.metadata,
    }
}

fn participant_summary(p: proto::ParticipantInfo) -> ParticipantSummary {
    let state = state_name(p.state);
    ParticipantSummary {
        hidden: p.permission.as_ref().is_some_and(|perm| perm.hidden),
        sid: p.sid,
        identity: p.identity,
        name: p.name,
        state: state.to_owned(),
        joined_at: p.joined_at,
        tracks: p.tracks.len() as u32,
    }
}

/// A participant's state as the UI names it.
pub(crate) fn state_name(state: i32) -> &'static str {
    match proto::participant_info::State::try_from(state) {
        Ok(proto::participant_info::State::Joining) => "joining",
        Ok(proto::participant_info::State::Joined) => "joined",
        Ok(proto::participant_info::State::Active) => "active",
        Ok(proto::participant_info::State::Disconnected) => "disconnected",
        Err(_) => "unknown",
    }
}
