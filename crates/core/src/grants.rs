//! Every grant Earshot signs into a token, in one place: the least each server API call
//! needs, the hidden subscribe-only grant of listeners and room views, and the token
//! builder's form turned into LiveKit's grants.

use earshot_protocol::tokens::{Grants as FormGrants, SipGrants as FormSipGrants};
use livekit_api::access_token::{SIPGrants, VideoGrants};

/// What a call's token grants: video grants, plus SIP grants for the SIP service.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub video: VideoGrants,
    pub sip: SIPGrants,
}

impl From<VideoGrants> for Grants {
    fn from(video: VideoGrants) -> Self {
        Grants {
            video,
            ..Default::default()
        }
    }
}

impl From<SIPGrants> for Grants {
    fn from(sip: SIPGrants) -> Self {
        Grants {
            sip,
            ..Default::default()
        }
    }
}

/// `roomList`: ListRooms.
pub fn room_list() -> VideoGrants {
    VideoGrants {
        room_list: true,
        ..Default::default()
    }
}

/// `roomCreate`: CreateRoom and DeleteRoom.
pub fn room_create() -> VideoGrants {
    VideoGrants {
        room_create: true,
        ..Default::default()
    }
}

/// `roomAdmin` on one room: what every participant-level call and agent dispatch needs.
pub fn room_admin(room: &str) -> VideoGrants {
    VideoGrants {
        room_admin: true,
        room: room.to_owned(),
        ..Default::default()
    }
}

/// `roomRecord`: the Egress service.
pub fn room_record() -> VideoGrants {
    VideoGrants {
        room_record: true,
        ..Default::default()
    }
}

/// `ingressAdmin`: the Ingress service.
pub fn ingress_admin() -> VideoGrants {
    VideoGrants {
        ingress_admin: true,
        ..Default::default()
    }
}

/// `sip.admin`: trunks and dispatch rules.
pub fn sip_admin() -> SIPGrants {
    SIPGrants {
        admin: true,
        ..Default::default()
    }
}

/// `sip.call`: dialling out.
pub fn sip_call() -> SIPGrants {
    SIPGrants {
        call: true,
        ..Default::default()
    }
}

/// The grants a listener or a room view gets: join one room hidden, subscribe, nothing
/// else. Subscribing is needed even by a view: LiveKit sends speaker and quality updates
/// only to subscribers. Not `recorder`: that shows a recording indicator to everyone in the
/// room.
pub fn listener(room: &str) -> VideoGrants {
    VideoGrants {
        room_join: true,
        room: room.to_owned(),
        hidden: true,
        can_subscribe: Some(true),
        can_publish: Some(false),
        can_publish_data: Some(false),
        can_update_own_metadata: Some(false),
        recorder: false,
        ..Default::default()
    }
}

/// The token builder's grants as LiveKit's (the form was validated before).
pub fn from_form(g: &FormGrants, sip: &FormSipGrants) -> Grants {
    Grants {
        video: VideoGrants {
            room: g.room.clone(),
            room_join: g.room_join,
            room_list: g.room_list,
            room_create: g.room_create,
            room_admin: g.room_admin,
            room_record: g.room_record,
            ingress_admin: g.ingress_admin,
            can_publish: Some(g.can_publish),
            can_publish_data: Some(g.can_publish_data),
            can_publish_sources: g
                .can_publish_sources
                .iter()
                .map(|s| s.label().to_owned())
                .collect(),
            can_subscribe: Some(g.can_subscribe),
            can_update_own_metadata: Some(g.can_update_own_metadata),
            hidden: g.hidden,
            recorder: g.recorder,
            agent: g.agent,
            ..Default::default()
        },
        sip: SIPGrants {
            admin: sip.admin,
            call: sip.call,
        },
    }
}
