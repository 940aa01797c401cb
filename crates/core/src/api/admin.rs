//! RoomService administration: create with options, metadata, participants and their
//! tracks, moderation (mute, remove, permissions), moving, forwarding, data messages.
//! Writes are never retried: repeating a mute or a move is not harmless.

use super::admin_convert::{apply_permission, participant_detail, track_detail};
use super::{ApiError, ApiResult, RetryPolicy, ServerApi};
use earshot_protocol::admin::{
    DataMessage, ParticipantChanges, ParticipantDetail, RoomDetail, RoomOptions, TrackDetail,
};
use earshot_protocol::rooms::RoomSummary;
use livekit_api::access_token::VideoGrants;
use livekit_protocol as proto;

const SERVICE: &str = "RoomService";

use super::rooms::admin_grant as admin;

impl ServerApi {
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
        let grants = VideoGrants {
            room_create: true,
            ..Default::default()
        };
        let room: proto::Room = self
            .call(SERVICE, "CreateRoom", &req, grants, RetryPolicy::NONE)
            .await?;
        Ok(super::rooms::room_summary(room))
    }

    /// A room's settings and participants; `NotFound` when it is not active.
    pub async fn room_detail(&self, room: &str) -> ApiResult<RoomDetail> {
        let req = proto::ListRoomsRequest {
            names: vec![room.to_owned()],
        };
        let grants = VideoGrants {
            room_list: true,
            ..Default::default()
        };
        let resp: proto::ListRoomsResponse = self
            .call(SERVICE, "ListRooms", &req, grants, RetryPolicy::READS)
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
                admin(room),
                RetryPolicy::READS,
            )
            .await?;
        // A server without agent dispatch (or a key without the right) still shows the room.
        let agents = self
            .list_agent_dispatches(room)
            .await
            .map_err(earshot_protocol::AppError::from);
        Ok(super::admin_convert::room_detail(
            info,
            agents,
            people.participants,
        ))
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
                admin(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(super::rooms::room_summary(updated))
    }

    /// Mutes or unmutes a published track.
    pub async fn mute_track(
        &self,
        room: &str,
        identity: &str,
        track_sid: &str,
        muted: bool,
    ) -> ApiResult<TrackDetail> {
        let req = proto::MuteRoomTrackRequest {
            room: room.to_owned(),
            identity: identity.to_owned(),
            track_sid: track_sid.to_owned(),
            muted,
        };
        let sent: ApiResult<proto::MuteRoomTrackResponse> = self
            .call(
                SERVICE,
                "MutePublishedTrack",
                &req,
                admin(room),
                RetryPolicy::NONE,
            )
            .await;
        let resp = match sent {
            Ok(resp) => resp,
            Err(e) => {
                let e = self.explain_missing(room, identity, e).await;
                return Err(explain_unmute(e, muted));
            }
        };
        resp.track
            .map(track_detail)
            .ok_or_else(|| ApiError::NotFound(format!("track {track_sid}")))
    }

    /// Disconnects a participant.
    pub async fn remove_participant(&self, room: &str, identity: &str) -> ApiResult<()> {
        let req = proto::RoomParticipantIdentity {
            room: room.to_owned(),
            identity: identity.to_owned(),
            ..Default::default()
        };
        let sent: ApiResult<proto::RemoveParticipantResponse> = self
            .call(
                SERVICE,
                "RemoveParticipant",
                &req,
                admin(room),
                RetryPolicy::NONE,
            )
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) => Err(self.explain_missing(room, identity, e).await),
        }
    }

    /// One participant as the server has it now.
    pub async fn get_participant(
        &self,
        room: &str,
        identity: &str,
    ) -> ApiResult<proto::ParticipantInfo> {
        let req = proto::RoomParticipantIdentity {
            room: room.to_owned(),
            identity: identity.to_owned(),
            ..Default::default()
        };
        let sent: ApiResult<proto::ParticipantInfo> = self
            .call(
                SERVICE,
                "GetParticipant",
                &req,
                admin(room),
                RetryPolicy::READS,
            )
            .await;
        match sent {
            Ok(info) => Ok(info),
            Err(e) => Err(self.explain_missing(room, identity, e).await),
        }
    }

    /// Applies `changes` to a participant. A permission edit is applied to the permission
    /// the server holds now (read just before), because UpdateParticipant replaces the whole
    /// permission: sending only what a form shows would revoke every flag it does not.
    pub async fn update_participant(
        &self,
        room: &str,
        identity: &str,
        changes: &ParticipantChanges,
    ) -> ApiResult<ParticipantDetail> {
        let permission = match &changes.permission {
            Some(edit) if !edit.is_empty() => {
                let current = self.get_participant(room, identity).await?;
                Some(apply_permission(
                    current.permission.unwrap_or_default(),
                    edit,
                ))
            }
            _ => None,
        };
        let req = proto::UpdateParticipantRequest {
            room: room.to_owned(),
            identity: identity.to_owned(),
            metadata: changes.metadata.clone().unwrap_or_default(),
            name: changes.name.clone().unwrap_or_default(),
            permission,
            attributes: changes
                .attributes
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        };
        let sent: ApiResult<proto::ParticipantInfo> = self
            .call(
                SERVICE,
                "UpdateParticipant",
                &req,
                admin(room),
                RetryPolicy::NONE,
            )
            .await;
        match sent {
            Ok(info) => Ok(participant_detail(info)),
            Err(e) => Err(self.explain_missing(room, identity, e).await),
        }
    }

    /// Moves (`forward = false`) or forwards a participant to `destination`.
    pub async fn relocate_participant(
        &self,
        room: &str,
        identity: &str,
        destination: &str,
        forward: bool,
    ) -> ApiResult<()> {
        let mut grants = admin(room);
        grants.destination_room = destination.to_owned();
        if forward {
            let req = proto::ForwardParticipantRequest {
                room: room.to_owned(),
                identity: identity.to_owned(),
                destination_room: destination.to_owned(),
            };
            let _: proto::ForwardParticipantResponse = self
                .call(
                    SERVICE,
                    "ForwardParticipant",
                    &req,
                    grants,
                    RetryPolicy::NONE,
                )
                .await?;
        } else {
            let req = proto::MoveParticipantRequest {
                room: room.to_owned(),
                identity: identity.to_owned(),
                destination_room: destination.to_owned(),
            };
            let _: proto::MoveParticipantResponse = self
                .call(SERVICE, "MoveParticipant", &req, grants, RetryPolicy::NONE)
                .await?;
        }
        Ok(())
    }

    /// Subscribes `identity` to `track_sids`, or unsubscribes it.
    pub async fn update_subscriptions(
        &self,
        room: &str,
        identity: &str,
        track_sids: &[String],
        subscribe: bool,
    ) -> ApiResult<()> {
        let req = proto::UpdateSubscriptionsRequest {
            room: room.to_owned(),
            identity: identity.to_owned(),
            track_sids: track_sids.to_vec(),
            subscribe,
            ..Default::default()
        };
        let _: proto::UpdateSubscriptionsResponse = self
            .call(
                SERVICE,
                "UpdateSubscriptions",
                &req,
                admin(room),
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
            .call(SERVICE, "SendData", &req, admin(room), RetryPolicy::NONE)
            .await?;
        Ok(())
    }
}

impl ServerApi {
    /// For a participant that is not in the room, livekit-server answers calls aimed at it
    /// with "503 no response from servers"; this turns that into a plain `NotFound`.
    async fn explain_missing(&self, room: &str, identity: &str, err: ApiError) -> ApiError {
        if !matches!(err, ApiError::Server { status: 503, .. }) {
            return err;
        }
        match self.list_participants(room).await {
            Ok(people) if !people.iter().any(|p| p.identity == identity) => {
                ApiError::NotFound(format!("no participant '{identity}' in room '{room}'"))
            }
            Err(ApiError::NotFound(m)) => ApiError::NotFound(m),
            _ => err,
        }
    }
}

/// The server refuses remote unmute unless `room.enable_remote_unmute` is set; say so.
fn explain_unmute(err: ApiError, muted: bool) -> ApiError {
    match err {
        ApiError::PermissionDenied(m) | ApiError::InvalidArgument(m)
            if !muted && m.to_ascii_lowercase().contains("unmute") =>
        {
            ApiError::PermissionDenied(format!(
                "{m}; the server only lets an admin unmute a participant when its config sets \
                 room.enable_remote_unmute: true"
            ))
        }
        other => other,
    }
}
