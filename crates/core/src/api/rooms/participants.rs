//! RoomService calls on participants and their tracks: listing, moderation (mute, remove,
//! permissions), moving and forwarding, subscriptions.

use super::SERVICE;
use crate::api::rooms_convert::{apply_permission, participant_detail, track_detail};
use crate::api::{ApiError, ApiResult, RetryPolicy, ServerApi};
use crate::grants::room_admin as admin;
use earshot_protocol::admin::{ParticipantChanges, ParticipantDetail, TrackDetail};
use livekit_protocol as proto;

impl ServerApi {
    /// Participants of `room`, hidden ones included (needs `roomAdmin` on that room).
    /// The server lists a missing room as empty; that case is told apart as `NotFound`.
    pub async fn list_participants(&self, room: &str) -> ApiResult<Vec<ParticipantDetail>> {
        let req = proto::ListParticipantsRequest {
            room: room.to_owned(),
        };
        let resp: proto::ListParticipantsResponse = self
            .call(
                SERVICE,
                "ListParticipants",
                &req,
                admin(room),
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
            .map(participant_detail)
            .collect())
    }

    /// The same list in one call, without retry or the missing-room check: the wallboard's
    /// pollers pace themselves.
    pub async fn participant_details(&self, room: &str) -> ApiResult<Vec<ParticipantDetail>> {
        let req = proto::ListParticipantsRequest {
            room: room.to_owned(),
        };
        let resp: proto::ListParticipantsResponse = self
            .call(
                SERVICE,
                "ListParticipants",
                &req,
                admin(room),
                RetryPolicy::NONE,
            )
            .await?;
        Ok(resp
            .participants
            .into_iter()
            .map(participant_detail)
            .collect())
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
