//! The subscriber PeerConnection: answers the server's offers (receive only), trickles ICE
//! candidates both ways and hands received audio tracks and data channel messages to the room.

use crate::listen::engine::error::{ListenError, ListenResult};
use livekit_protocol as proto;
use rtc::peer_connection::transport::RTCDtlsRole;
use std::sync::Arc;
use tokio::sync::mpsc;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    register_default_interceptors, MediaEngine, PeerConnection, PeerConnectionBuilder,
    PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceCandidateInit, RTCIceServer,
    RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription, Registry,
    SettingEngine, SettingEngineBuilder,
};

/// What the PeerConnection reports to the room task.
pub(crate) enum PcEvent {
    /// A local ICE candidate, already as the JSON `candidate_init` LiveKit expects.
    Candidate(String),
    State(RTCPeerConnectionState),
    Track(Arc<dyn TrackRemote>),
    /// A message on one of the data channels the server opens on this connection
    /// (`_reliable`, `_lossy`): a protobuf `DataPacket`.
    Data(Vec<u8>),
}

/// Forwards PeerConnection callbacks into the room task's queue, so all state lives there.
struct Handler {
    tx: mpsc::UnboundedSender<PcEvent>,
    /// Whether data channel messages are forwarded; otherwise they are read and dropped
    /// where they arrive (the listener plays audio only: no copy, nothing queued).
    data: bool,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        let json = event
            .candidate
            .to_json()
            .ok()
            .and_then(|init| serde_json::to_string(&init).ok());
        if let Some(json) = json {
            let _ = self.tx.send(PcEvent::Candidate(json));
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.tx.send(PcEvent::State(state));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.tx.send(PcEvent::Track(track));
    }

    /// livekit-server opens its data channels on the subscriber connection in-band (not
    /// negotiated) outside migrations, so they arrive here. Each is read until it closes,
    /// which closing the connection does.
    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        let (tx, forward) = (self.tx.clone(), self.data);
        tokio::spawn(async move {
            // Read even when not forwarding, so nothing piles up in the channel.
            while let Some(event) = channel.poll().await {
                let closed = match event {
                    DataChannelEvent::OnMessage(message) if forward => {
                        tx.send(PcEvent::Data(message.data.to_vec())).is_err()
                    }
                    DataChannelEvent::OnClose => true,
                    _ => false,
                };
                if closed {
                    return;
                }
            }
        });
    }
}

/// The local address the OS routes to the server from, as `ip:0`. Binding it (rather than
/// the wildcard, which webrtc-rs expands to every non-loopback interface) gives one host
/// candidate that surely reaches the server, loopback servers included.
async fn local_bind_addr(server_url: &str) -> String {
    let fallback = "0.0.0.0:0".to_owned();
    let Some(authority) = server_url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest))
    else {
        return fallback;
    };
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_owned()
    } else {
        format!("{authority}:443")
    };
    // Name resolution can hang on a broken resolver; the wildcard is a fine fallback.
    let lookup = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        tokio::net::lookup_host(with_port),
    );
    let Ok(Ok(Some(server))) = lookup.await.map(|r| r.map(|mut addrs| addrs.next())) else {
        return fallback;
    };
    let any = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    // A connected UDP socket sends nothing; it only asks the routing table for the source.
    let local = std::net::UdpSocket::bind(any)
        .and_then(|socket| socket.connect(server).map(|_| socket))
        .and_then(|socket| socket.local_addr());
    match local {
        Ok(local) => std::net::SocketAddr::new(local.ip(), 0).to_string(),
        Err(_) => fallback,
    }
}

/// The TURN servers among the server's ICE servers. STUN ones are dropped: against an SFU the
/// server learns our address from the connectivity checks (peer-reflexive), so a
/// server-reflexive candidate adds nothing, while webrtc-rs resolves STUN host names inside
/// its driver loop, stalling every connection for the resolver timeout (5 s) when DNS is slow
/// or absent. TURN stays: it is what gets through restrictive firewalls.
fn relay_servers(ice_servers: &[proto::IceServer]) -> Vec<RTCIceServer> {
    ice_servers
        .iter()
        .filter_map(|s| {
            let urls: Vec<String> = s
                .urls
                .iter()
                .filter(|u| u.starts_with("turn:") || u.starts_with("turns:"))
                .cloned()
                .collect();
            (!urls.is_empty()).then(|| RTCIceServer {
                urls,
                username: s.username.clone(),
                credential: s.credential.clone(),
            })
        })
        .collect()
}

/// The server's ICE servers for the log: URLs only, and whether each came with a credential.
/// TURN usernames and credentials are secrets (they let anyone relay through the server), so
/// they never reach a log, debug level included.
fn ice_summary(ice_servers: &[proto::IceServer]) -> Vec<String> {
    ice_servers
        .iter()
        .map(|s| {
            let with = !s.username.is_empty() || !s.credential.is_empty();
            format!(
                "{}{}",
                s.urls.join(" "),
                if with { " (with credential)" } else { "" }
            )
        })
        .collect()
}

/// The audio codecs (`rtpmap` names) in an SDP, for the log.
pub(crate) fn audio_codecs(sdp: &str) -> Vec<String> {
    let mut audio = false;
    let mut codecs = Vec::new();
    for line in sdp.lines() {
        if let Some(media) = line.strip_prefix("m=") {
            audio = media.starts_with("audio");
        } else if let Some(map) = line.strip_prefix("a=rtpmap:").filter(|_| audio) {
            if let Some(name) = map.split_whitespace().nth(1) {
                if !codecs.iter().any(|c| c == name) {
                    codecs.push(name.to_owned());
                }
            }
        }
    }
    codecs
}

/// Answers as the DTLS server. As client our ClientHello goes out the moment our ICE side
/// connects — before the SFU (which connects a round trip later) listens for DTLS, so it
/// is dropped and only the retransmission, ~180 ms later, starts the handshake. As server
/// we wait for the SFU's ClientHello, sent as soon as it is ready.
fn settings() -> SettingEngine {
    SettingEngineBuilder::new()
        .with_answering_dtls_role(RTCDtlsRole::Server)
        .build()
}

/// The subscriber side of one connection.
pub(crate) struct Subscriber {
    pc: Arc<dyn PeerConnection>,
    /// Remote candidates that came before the offer they belong to.
    pending: Vec<RTCIceCandidateInit>,
    has_remote: bool,
}

fn media(err: impl std::fmt::Display) -> ListenError {
    ListenError::Media(err.to_string())
}

impl Subscriber {
    /// Builds a PeerConnection that only receives, with the server's ICE servers; `data`:
    /// whether data channel messages come out as [`PcEvent::Data`].
    pub(crate) async fn new(
        ice_servers: &[proto::IceServer],
        server_url: &str,
        data: bool,
    ) -> ListenResult<(Self, mpsc::UnboundedReceiver<PcEvent>)> {
        tracing::debug!(servers = ?ice_summary(ice_servers), "ICE servers from the server");
        let mut media_engine = MediaEngine::default();
        media_engine.register_default_codecs().map_err(media)?;
        let registry =
            register_default_interceptors(Registry::new(), &mut media_engine).map_err(media)?;
        let config = RTCConfigurationBuilder::new()
            .with_ice_servers(relay_servers(ice_servers))
            .build();
        let (tx, rx) = mpsc::unbounded_channel();
        let pc = PeerConnectionBuilder::new()
            .with_configuration(config)
            .with_media_engine(media_engine)
            .with_setting_engine(settings())
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(Handler { tx, data }))
            .with_udp_addrs(vec![local_bind_addr(server_url).await])
            .build()
            .await
            .map_err(media)?;
        Ok((
            Self {
                pc: Arc::new(pc),
                pending: Vec::new(),
                has_remote: false,
            },
            rx,
        ))
    }

    /// Answers an offer from the server; the answer goes back over the signal connection.
    pub(crate) async fn answer(
        &mut self,
        offer: &proto::SessionDescription,
    ) -> ListenResult<proto::SessionDescription> {
        let desc = RTCSessionDescription::offer(offer.sdp.clone()).map_err(media)?;
        self.pc.set_remote_description(desc).await.map_err(media)?;
        tracing::debug!("remote description set");
        self.has_remote = true;
        for candidate in std::mem::take(&mut self.pending) {
            // A stale candidate is harmless; ICE uses the others.
            let _ = self.pc.add_ice_candidate(candidate).await;
        }
        let answer = self.pc.create_answer(None).await.map_err(media)?;
        tracing::debug!("answer created");
        self.pc
            .set_local_description(answer.clone())
            .await
            .map_err(media)?;
        tracing::debug!("local description set");
        Ok(proto::SessionDescription {
            r#type: "answer".into(),
            sdp: answer.sdp,
            id: offer.id,
            ..Default::default()
        })
    }

    /// Adds a candidate the server trickled (JSON `RTCIceCandidateInit`).
    pub(crate) async fn add_remote_candidate(&mut self, json: &str) {
        let Ok(candidate) = serde_json::from_str::<RTCIceCandidateInit>(json) else {
            tracing::debug!("ignoring an unparsable ICE candidate");
            return;
        };
        if self.has_remote {
            let _ = self.pc.add_ice_candidate(candidate).await;
        } else {
            self.pending.push(candidate);
        }
    }

    /// Closes the connection (its tracks end, which ends their reader tasks).
    pub(crate) async fn close(&self) {
        let _ = self.pc.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ice_log_has_urls_but_no_credentials() {
        let servers = vec![
            proto::IceServer {
                urls: vec!["turn:127.0.0.1:3478?transport=udp".into()],
                username: "turn-user-1234".into(),
                credential: "turn-secret-5678".into(),
            },
            proto::IceServer {
                urls: vec!["stun:127.0.0.1:3478".into()],
                ..Default::default()
            },
        ];
        let logged = format!("{:?}", ice_summary(&servers));
        assert!(logged.contains("turn:127.0.0.1:3478?transport=udp (with credential)"));
        assert!(logged.contains("stun:127.0.0.1:3478\""), "{logged}");
        assert!(!logged.contains("turn-user-1234"), "{logged}");
        assert!(!logged.contains("turn-secret-5678"), "{logged}");
        // The servers handed to webrtc still carry them.
        let relays = relay_servers(&servers);
        assert_eq!(relays.len(), 1);
        assert_eq!(relays[0].credential, "turn-secret-5678");
    }

    #[test]
    fn audio_codecs_come_from_audio_sections_only() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\na=rtpmap:111 opus/48000/2\r\n\
                   a=rtpmap:63 red/48000/2\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n\
                   a=rtpmap:96 VP8/90000\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
                   a=rtpmap:111 opus/48000/2\r\n";
        assert_eq!(audio_codecs(sdp), ["opus/48000/2", "red/48000/2"]);
    }
}
