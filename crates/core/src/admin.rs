//! Room and participant administration and tokens on [`Earshot`]: each method validates
//! its input with the protocol's rules (nothing invalid is sent), then calls the server.

use crate::earshot::AppResult;
use crate::{tokens, Earshot};
use earshot_protocol::admin::{
    self, DataMessage, ParticipantChanges, ParticipantDetail, RoomDetail, RoomOptions, TrackDetail,
};
use earshot_protocol::rooms::RoomSummary;
use earshot_protocol::tokens::{TokenInspection, TokenRequest, TokenResult};
use earshot_protocol::AppError;

fn first(errors: Vec<AppError>) -> AppResult<()> {
    errors.into_iter().next().map_or(Ok(()), Err)
}

impl Earshot {
    /// Creates a room with every option CreateRoom takes.
    pub async fn create_room(
        &self,
        project: Option<&str>,
        options: &RoomOptions,
    ) -> AppResult<RoomSummary> {
        first(admin::room_options(options))?;
        let api = self.api(&self.resolve(project)?).await?;
        let room = api.create_room_with(options).await?;
        tracing::info!(room = %room.name, "room created");
        Ok(room)
    }

    /// Deletes a room.
    pub async fn delete_room(&self, project: Option<&str>, room: &str) -> AppResult<()> {
        let api = self.api(&self.resolve(project)?).await?;
        api.delete_room(room).await?;
        tracing::info!(%room, "room deleted");
        Ok(())
    }

    /// Replaces a room's metadata.
    pub async fn update_room_metadata(
        &self,
        project: Option<&str>,
        room: &str,
        metadata: &str,
    ) -> AppResult<RoomSummary> {
        admin::metadata_field(metadata, "metadata")?;
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.update_room_metadata(room, metadata).await?)
    }

    /// A room's settings, participants and tracks.
    pub async fn room_detail(&self, project: Option<&str>, room: &str) -> AppResult<RoomDetail> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.room_detail(room).await?)
    }

    /// Mutes or unmutes one track.
    pub async fn mute_track(
        &self,
        project: Option<&str>,
        room: &str,
        who: &str,
        track_sid: &str,
        muted: bool,
    ) -> AppResult<TrackDetail> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.mute_track(room, who, track_sid, muted).await?)
    }

    /// Mutes every unmuted audio track in the room; returns how many it muted.
    pub async fn mute_all_audio(&self, project: Option<&str>, room: &str) -> AppResult<u32> {
        let api = self.api(&self.resolve(project)?).await?;
        let detail = api.room_detail(room).await?;
        let mut muted = 0;
        for p in &detail.participants {
            for t in p.tracks.iter().filter(|t| t.kind == "audio" && !t.muted) {
                api.mute_track(room, &p.identity, &t.sid, true).await?;
                muted += 1;
            }
        }
        tracing::info!(%room, muted, "muted all audio");
        Ok(muted)
    }

    /// Disconnects a participant.
    pub async fn remove_participant(
        &self,
        project: Option<&str>,
        room: &str,
        who: &str,
    ) -> AppResult<()> {
        let api = self.api(&self.resolve(project)?).await?;
        api.remove_participant(room, who).await?;
        tracing::info!(%room, identity = %who, "participant removed");
        Ok(())
    }

    /// Changes a participant's name, metadata, attributes or permissions.
    pub async fn update_participant(
        &self,
        project: Option<&str>,
        room: &str,
        who: &str,
        changes: &ParticipantChanges,
    ) -> AppResult<ParticipantDetail> {
        if let Some(name) = &changes.name {
            if name.chars().any(char::is_control) {
                return Err(AppError::field(
                    earshot_protocol::ErrorCode::InvalidInput,
                    "name",
                    "The name contains a control character.",
                ));
            }
        }
        if let Some(m) = &changes.metadata {
            admin::metadata_field(m, "metadata")?;
        }
        if let Some(a) = &changes.attributes {
            admin::attributes_field(a, "attributes")?;
        }
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.update_participant(room, who, changes).await?)
    }

    /// Moves (`forward = false`) or forwards a participant into `destination`.
    pub async fn relocate_participant(
        &self,
        project: Option<&str>,
        room: &str,
        who: &str,
        destination: &str,
        forward: bool,
    ) -> AppResult<()> {
        admin::name_field(destination, "destination", "destination room")?;
        let api = self.api(&self.resolve(project)?).await?;
        api.relocate_participant(room, who, destination, forward)
            .await?;
        Ok(())
    }

    /// Subscribes a participant to tracks, or unsubscribes it.
    pub async fn update_subscriptions(
        &self,
        project: Option<&str>,
        room: &str,
        who: &str,
        track_sids: &[String],
        subscribe: bool,
    ) -> AppResult<()> {
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api
            .update_subscriptions(room, who, track_sids, subscribe)
            .await?)
    }

    /// Sends a data message into a room.
    pub async fn send_data(
        &self,
        project: Option<&str>,
        room: &str,
        message: &DataMessage,
    ) -> AppResult<()> {
        first(admin::data_message(message))?;
        let api = self.api(&self.resolve(project)?).await?;
        Ok(api.send_data(room, message).await?)
    }

    /// Signs a token with the project's key and secret.
    pub async fn create_token(
        &self,
        project: Option<&str>,
        request: &TokenRequest,
    ) -> AppResult<TokenResult> {
        first(earshot_protocol::tokens::token_request(request))?;
        let endpoint = self.endpoint(&self.resolve(project)?).await?;
        let token = tokens::create(&endpoint, request)?;
        tracing::info!(identity = %request.identity, "token created");
        Ok(token)
    }

    /// Decodes `token` and checks it against the project's key and secret.
    pub async fn inspect_token(
        &self,
        project: Option<&str>,
        token: &str,
    ) -> AppResult<TokenInspection> {
        let endpoint = match self.resolve(project) {
            Ok(id) => Some(self.endpoint(&id).await?),
            Err(_) => None,
        };
        tokens::inspect(endpoint.as_ref(), token)
    }
}
