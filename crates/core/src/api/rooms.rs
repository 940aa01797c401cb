//! RoomService: rooms (list, create with every option, detail, metadata, delete) and data
//! messages here; participants and their tracks in [`participants`]. Writes are never
//! retried: repeating a mute or a move is not harmless.

mod participants;

use super::census::{Census, Lookup};
use super::rooms_convert::{room_detail, room_summary};
use super::{ApiError, ApiResult, RetryPolicy, ServerApi};
use crate::grants;
use earshot_protocol::admin::{DataMessage, ParticipantDetail, RoomDetail, RoomOptions};
use earshot_protocol::rooms::RoomSummary;
use livekit_protocol as proto;
use std::time::Instant;

const SERVICE: &str = "RoomService";

/// Participant lookups per listing at most, so a project with many rooms is not flooded.
pub const LOOKUPS_PER_LISTING: usize = 20;

impl ServerApi {
    /// All active rooms with their visible participant counts (see [`super::census`]),
    /// looking up at most `max_lookups` rooms' participants; the lookups made are returned.
    /// A refused key or a rate limit during the lookups fails the call as ListRooms' own
    /// would; another failed lookup leaves that room's last known count.
    pub async fn list_rooms_counted(
        &self,
        retry: RetryPolicy,
        max_lookups: usize,
    ) -> ApiResult<(Vec<RoomSummary>, Vec<Lookup>)> {
        let mut rooms = self.list_rooms_named(Vec::new(), retry).await?;
        let now = Instant::now();
        let mut due: Vec<(u8, usize)> = rooms
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.census.due(r, now).map(|urgency| (urgency, i)))
            .collect();
        due.sort();
        due.truncate(max_lookups);
        let mut looked: Vec<(usize, Vec<ParticipantDetail>)> = Vec::new();
        for (_, i) in due {
            let room = &rooms[i];
            match self.participant_details(&room.name).await {
                Ok(people) => {
                    self.census
                        .record(&room.sid, room.num_participants, &people);
                    looked.push((i, people));
                }
                Err(err @ (ApiError::Unauthorized | ApiError::RateLimited { .. })) => {
                    return Err(err)
                }
                Err(err) => {
                    tracing::debug!(room = %room.name, %err, "participant lookup failed");
                }
            }
        }
        self.census.correct(&mut rooms);
        let lookups = looked
            .into_iter()
            .map(|(i, people)| Lookup {
                room: rooms[i].clone(),
                people,
            })
            .collect();
        Ok((rooms, lookups))
    }

    /// All active rooms with their visible participant counts (see [`super::census`]);
    /// at most [`LOOKUPS_PER_LISTING`] rooms are looked up per call, the others keep their
    /// last known count (the server's until first looked up) until a later listing.
    pub async fn list_rooms_visible(&self, retry: RetryPolicy) -> ApiResult<Vec<RoomSummary>> {
        Ok(self.list_rooms_counted(retry, LOOKUPS_PER_LISTING).await?.0)
    }

    /// The census the listings of this client keep.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// All active rooms, with the server's participant counts, hidden participants
    /// included (ListRooms needs `roomList`); [`ServerApi::list_rooms_visible`] takes
    /// them out.
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
            .call(SERVICE, "ListRooms", &req, grants::room_list(), retry)
            .await?;
        Ok(resp.rooms.into_iter().map(room_summary).collect())
    }

    /// CreateRoom with every option; JSON options were validated by the protocol rules.
    pub async fn create_room_with(&self, o: &RoomOptions) -> ApiResult<RoomSummary> {
        let egress = if o.egress_json.trim().is_empty() {
            None
        } else {
            Some(
                serde_json::from_str::<proto::RoomEgress>(&o.egress_json)
                    .map_err(|e| ApiError::InvalidArgument(format!("egress config: {e}")))?,
            )
        };
        let agents = if o.agents_json.trim().is_empty() {
            Vec::new()
        } else {
            serde_json::from_str::<Vec<proto::RoomAgentDispatch>>(&o.agents_json)
                .map_err(|e| ApiError::InvalidArgument(format!("agent dispatch config: {e}")))?
        };
        let req = proto::CreateRoomRequest {
            name: o.name.clone(),
            empty_timeout: o.empty_timeout.unwrap_or(0),
            departure_timeout: o.departure_timeout.unwrap_or(0),
            max_participants: o.max_participants.unwrap_or(0),
            node_id: o.node_id.clone(),
            metadata: o.metadata.clone(),
            egress,
            min_playout_delay: o.min_playout_delay.unwrap_or(0),
            max_playout_delay: o.max_playout_delay.unwrap_or(0),
            sync_streams: o.sync_streams,
            agents,
            ..Default::default()
        };
        let room: proto::Room = self
            .call(
                SERVICE,
                "CreateRoom",
                &req,
                grants::room_create(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(room_summary(room))
    }

    /// A room's settings and participants; `NotFound` when it is not active.
    pub async fn room_detail(&self, room: &str) -> ApiResult<RoomDetail> {
        let req = proto::ListRoomsRequest {
            names: vec![room.to_owned()],
        };
        let resp: proto::ListRoomsResponse = self
            .call(
                SERVICE,
                "ListRooms",
                &req,
                grants::room_list(),
                RetryPolicy::READS,
            )
            .await?;
        let Some(info) = resp.rooms.into_iter().next() else {
            return Err(ApiError::NotFound(format!("no active room named '{room}'")));
        };
        let req = proto::ListParticipantsRequest {
            room: room.to_owned(),
        };
        let people: proto::ListParticipantsResponse = self
            .call(
                SERVICE,
                "ListParticipants",
                &req,
                grants::room_admin(room),
                RetryPolicy::READS,
            )
            .await?;
        // A server without agent dispatch (or a key without the right) still shows the room.
        let agents = self
            .list_agent_dispatches(room)
            .await
            .map_err(earshot_protocol::AppError::from);
        Ok(room_detail(info, agents, people.participants))
    }

    /// Replaces the room's metadata.
    pub async fn update_room_metadata(&self, room: &str, metadata: &str) -> ApiResult<RoomSummary> {
        let req = proto::UpdateRoomMetadataRequest {
            room: room.to_owned(),
            metadata: metadata.to_owned(),
        };
        let updated: proto::Room = self
            .call(
                SERVICE,
                "UpdateRoomMetadata",
                &req,
                grants::room_admin(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(room_summary(updated))
    }

    /// Deletes `room`, disconnecting everyone in it.
    pub async fn delete_room(&self, room: &str) -> ApiResult<()> {
        let req = proto::DeleteRoomRequest {
            room: room.to_owned(),
        };
        let _: proto::DeleteRoomResponse = self
            .call(
                SERVICE,
                "DeleteRoom",
                &req,
                grants::room_create(),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(())
    }

    /// Sends a data message to everyone in `room` or to some identities.
    pub async fn send_data(&self, room: &str, m: &DataMessage) -> ApiResult<()> {
        let kind = if m.reliable {
            proto::data_packet::Kind::Reliable
        } else {
            proto::data_packet::Kind::Lossy
        };
        let req = proto::SendDataRequest {
            room: room.to_owned(),
            data: m.payload.as_bytes().to_vec(),
            kind: kind as i32,
            destination_identities: m.destination_identities.clone(),
            topic: (!m.topic.is_empty()).then(|| m.topic.clone()),
            nonce: uuid::Uuid::new_v4().as_bytes().to_vec(),
            ..Default::default()
        };
        let _: proto::SendDataResponse = self
            .call(
                SERVICE,
                "SendData",
                &req,
                grants::room_admin(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(())
    }
}
