//! The listen-in session of the whole app: the two channels the backend streams into (audio
//! as base64 16-bit PCM text, JSON events), the audio output, and signals every page reads. It outlives pages, so
//! listening goes on while the supervisor looks at something else.

use crate::audio::{Player, PlayerStats};
use crate::ipc::{invoke, Channel};
use earshot_protocol::command::{
    ListenAttach, ListenSetAudible, ListenSetSpeaker, ListenStart, ListenStatusQuery, ListenStop,
};
use earshot_protocol::listen::{
    decode_audio_frame, AudibleSet, ListenEvent, ListenRoom, ListenState, ListenStatus, RoomKey,
    RoomMeters, SpeakerChange,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::AppError;
use js_sys::JSON;
use std::cell::RefCell;
use std::collections::BTreeMap;
use sycamore::prelude::*;
use wasm_bindgen::JsValue;

/// Signals about listening; `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct Listen {
    /// Rooms listened to (or ended, until dismissed), by project and name (two projects may
    /// each have a room of one name).
    pub rooms: Signal<BTreeMap<RoomKey, ListenRoom>>,
    /// Latest meters per room.
    pub meters: Signal<BTreeMap<RoomKey, RoomMeters>>,
    pub audible: Signal<AudibleSet>,
    /// What the audio worklet reports (underruns, overruns, buffer).
    pub stats: Signal<PlayerStats>,
    /// Audio messages received from the backend (updated a few times per second).
    pub frames: Signal<u64>,
    /// Why audio output could not start, if so (listening goes on: meters still work).
    pub audio_error: Signal<Option<String>>,
    /// Whether the channels are attached to the backend.
    pub attached: Signal<bool>,
    /// What the last Listen did to the rooms heard before it, when it changed them (a new
    /// room is heard alone; the others stay joined): shown until the supervisor chooses.
    pub switched: Signal<Option<String>>,
}

struct Wiring {
    _audio: Channel,
    _events: Channel,
    player: Option<Player>,
    frames: u64,
}

/// The order listen events reached the UI in. A status (or a join's answer) travels apart
/// from the events, so one fetched before an event may arrive after it: it must not undo it.
#[derive(Default)]
struct EventOrder {
    last: u64,
    /// Per room, the number of its last state and speakers event.
    state: BTreeMap<RoomKey, u64>,
    speakers: BTreeMap<RoomKey, u64>,
}

thread_local! {
    static WIRING: RefCell<Option<Wiring>> = const { RefCell::new(None) };
    static ORDER: RefCell<EventOrder> = RefCell::default();
}

/// The number of the last event seen: what a request sent now already knows of.
fn events_seen() -> u64 {
    ORDER.with(|o| o.borrow().last)
}

/// Notes an event for `key`; `speakers` says which kind.
fn note_event(key: &RoomKey, speakers: bool) {
    ORDER.with(|o| {
        let mut o = o.borrow_mut();
        o.last += 1;
        let n = o.last;
        let map = if speakers {
            &mut o.speakers
        } else {
            &mut o.state
        };
        map.insert(key.clone(), n);
    });
}

/// `fresh` (fetched after event number `since`), keeping what later events said.
fn merge(local: Option<&ListenRoom>, mut fresh: ListenRoom, since: u64) -> ListenRoom {
    let Some(local) = local else {
        return fresh;
    };
    let key = RoomKey::new(fresh.project.clone(), fresh.room.clone());
    ORDER.with(|o| {
        let o = o.borrow();
        if o.state.get(&key).is_some_and(|n| *n > since) {
            fresh.state = local.state.clone();
        }
        if o.speakers.get(&key).is_some_and(|n| *n > since) {
            fresh.speakers = local.speakers.clone();
        }
    });
    fresh
}

impl Listen {
    pub fn new() -> Self {
        Self {
            rooms: create_signal(BTreeMap::new()),
            meters: create_signal(BTreeMap::new()),
            audible: create_signal(AudibleSet::None),
            stats: create_signal(PlayerStats::default()),
            frames: create_signal(0),
            audio_error: create_signal(None),
            attached: create_signal(false),
            switched: create_signal(None),
        }
    }

    /// Opens the channels and hands them to the backend; loads what is already going on.
    pub fn attach(self) {
        let audio = Channel::open(move |message: JsValue| self.on_audio(message));
        let events = Channel::open(move |message: JsValue| self.on_event(message));
        let (audio, events) = match (audio, events) {
            (Ok(a), Ok(e)) => (a, e),
            (Err(err), _) | (_, Err(err)) => {
                self.audio_error.set(Some(err.message));
                return;
            }
        };
        let cmd = ListenAttach {
            audio: audio.wire_id.clone(),
            events: events.wire_id.clone(),
        };
        WIRING.with(|w| {
            *w.borrow_mut() = Some(Wiring {
                _audio: audio,
                _events: events,
                player: None,
                frames: 0,
            })
        });
        let since = events_seen();
        wasm_bindgen_futures::spawn_local(async move {
            match invoke(&cmd).await {
                Ok(status) => {
                    self.apply_status(status, since);
                    self.attached.set(true);
                }
                Err(err) => self.audio_error.set(Some(err.message)),
            }
        });
        // Frame counts are shown, not acted on: refresh them once per second only (each
        // change is a repaint).
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(1000).await;
                let n = WIRING.with(|w| w.borrow().as_ref().map_or(0, |w| w.frames));
                if n != self.frames.get_untracked() {
                    self.frames.set(n);
                }
            }
        });
    }

    /// Takes a status fetched after event number `since`.
    fn apply_status(self, status: ListenStatus, since: u64) {
        let rooms = self.rooms.with_untracked(|local| {
            status
                .rooms
                .into_iter()
                .map(|r| {
                    let key = RoomKey::new(r.project.clone(), r.room.clone());
                    let room = merge(local.get(&key), r, since);
                    (key, room)
                })
                .collect()
        });
        self.rooms.set(rooms);
        self.audible.set(status.audible);
    }

    /// Reloads every room's record from the backend.
    pub fn refresh(self) {
        let since = events_seen();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(status) = invoke(&ListenStatusQuery {}).await {
                self.apply_status(status, since);
            }
        });
    }

    fn on_audio(self, message: JsValue) {
        let Some(samples) = message.as_string().and_then(|t| decode_audio_frame(&t)) else {
            return;
        };
        WIRING.with(|w| {
            if let Some(w) = w.borrow_mut().as_mut() {
                w.frames += 1;
                if let Some(player) = &w.player {
                    player.push(&samples);
                }
            }
        });
    }

    fn on_event(self, message: JsValue) {
        let Some(text) = JSON::stringify(&message).ok().and_then(|s| s.as_string()) else {
            return;
        };
        let Ok(event) = serde_json::from_str::<ListenEvent>(&text) else {
            web_sys::console::warn_1(&format!("unreadable listen event: {text}").into());
            return;
        };
        match event {
            ListenEvent::State {
                project,
                room,
                state,
            } => {
                let key = RoomKey::new(project, room);
                note_event(&key, false);
                let known = self.rooms.with_untracked(|rooms| rooms.contains_key(&key));
                if known {
                    let ended = matches!(state, ListenState::Ended { .. });
                    self.rooms.update(|rooms| {
                        if let Some(r) = rooms.get_mut(&key) {
                            if ended {
                                r.ended_at_ms.get_or_insert(js_sys::Date::now() as i64);
                            } else {
                                r.ended_at_ms = None;
                            }
                            r.state = state;
                        }
                    });
                    if ended {
                        // Nothing is heard any more: the meters fall to zero, not freeze.
                        self.meters.update(|m| {
                            m.remove(&key);
                        });
                    }
                } else {
                    // Joined by a page that closed before the answer came: ask for it all.
                    self.refresh();
                }
            }
            ListenEvent::Speakers {
                project,
                room,
                speakers,
            } => {
                let key = RoomKey::new(project, room);
                note_event(&key, true);
                let known = self.rooms.with_untracked(|rooms| rooms.contains_key(&key));
                if known {
                    self.rooms.update(|rooms| {
                        if let Some(r) = rooms.get_mut(&key) {
                            r.speakers = speakers;
                        }
                    });
                } else {
                    // Speakers are reported while joining, before the join's answer.
                    self.refresh();
                }
            }
            ListenEvent::Meters(meters) => {
                let key = RoomKey::new(meters.project.clone(), meters.room.clone());
                let ended = self.rooms.with_untracked(|rooms| {
                    rooms
                        .get(&key)
                        .is_some_and(|r| matches!(r.state, ListenState::Ended { .. }))
                });
                // A last meters message may trail the end; an ended room shows none.
                if !ended {
                    self.meters.update(|m| {
                        m.insert(key, meters);
                    });
                }
            }
        }
    }

    /// Starts the audio output if it is not running. Call it from a click: the webview lets
    /// audio start on a user gesture.
    pub async fn ensure_output(self) {
        let running = WIRING.with(|w| w.borrow().as_ref().is_some_and(|w| w.player.is_some()));
        if running {
            return;
        }
        match Player::start(self.stats).await {
            Ok(player) => {
                WIRING.with(|w| {
                    if let Some(w) = w.borrow_mut().as_mut() {
                        w.player = Some(player);
                    }
                });
                self.audio_error.set(None);
            }
            Err(err) => {
                web_sys::console::warn_1(&format!("audio output: {err}").into());
                self.audio_error
                    .set(Some(format!("Audio output could not start: {err}")));
            }
        }
    }

    /// Joins `room` of `project` and makes it the one heard.
    pub async fn start(self, project: ProjectId, room: String) -> Result<(), AppError> {
        self.ensure_output().await;
        let since = events_seen();
        // Taken before joining: the backend hears the new room from the join's start, and a
        // status fetched meanwhile already says so.
        let before = self.audible.get_clone_untracked();
        let joined = invoke(&ListenStart {
            project,
            room: room.clone(),
            hear: true,
        })
        .await?;
        let key = RoomKey::new(joined.project.clone(), room);
        self.rooms.update(|rooms| {
            let joined = merge(rooms.get(&key), joined, since);
            rooms.insert(key.clone(), joined);
        });
        self.switched.set(switch_note(&before, &key));
        self.audible.set(AudibleSet::Focus(key));
        // Events that came while joining may have asked for a status already; have the last
        // word be one taken after the join.
        self.refresh();
        Ok(())
    }

    /// Leaves the room (or dismisses it once ended).
    pub async fn stop(self, key: RoomKey) -> Result<(), AppError> {
        invoke(&ListenStop {
            project: key.project.clone(),
            room: key.room.clone(),
        })
        .await?;
        self.rooms.update(|rooms| {
            rooms.remove(&key);
        });
        self.meters.update(|m| {
            m.remove(&key);
        });
        self.audible
            .set(self.audible.with_untracked(|a| a.without(&key)));
        Ok(())
    }

    /// Chooses what is heard.
    pub async fn set_audible(self, set: AudibleSet) -> Result<(), AppError> {
        self.ensure_output().await;
        invoke(&ListenSetAudible { set: set.clone() }).await?;
        self.audible.set(set);
        self.switched.set(None);
        Ok(())
    }

    /// Changes one speaker's mix; the next meters event shows the result.
    pub async fn set_speaker(
        self,
        key: RoomKey,
        identity: String,
        change: SpeakerChange,
    ) -> Result<(), AppError> {
        invoke(&ListenSetSpeaker {
            project: key.project,
            room: key.room,
            identity,
            change,
        })
        .await
    }

    /// Rooms whose connection is not over.
    pub fn active_count(self) -> usize {
        self.rooms.with(|rooms| {
            rooms
                .values()
                .filter(|r| !matches!(r.state, ListenState::Ended { .. }))
                .count()
        })
    }
}

/// What joining `new` (which is then heard alone) does to the rooms heard before, when it
/// silences any: said out loud, as hearing stops without a sound.
fn switch_note(before: &AudibleSet, new: &RoomKey) -> Option<String> {
    let others: Vec<String> = match before {
        AudibleSet::None => Vec::new(),
        AudibleSet::Focus(r) => vec![r.room.clone()],
        AudibleSet::Mix(rooms) => rooms.iter().map(|r| r.room.clone()).collect(),
    }
    .into_iter()
    .filter(|r| *r != new.room)
    .map(|r| format!("“{r}”"))
    .collect();
    if others.is_empty() {
        return None;
    }
    let (list, verb) = match others.len() {
        1 => (others[0].clone(), "stays"),
        _ => (others.join(", "), "stay"),
    };
    Some(format!(
        "Now hearing “{}” only: {list} {verb} joined but not heard. Add to mix hears them together; Hear switches back.",
        new.room
    ))
}

/// The listening session provided by [`crate::app::App`].
pub fn listen() -> Listen {
    use_context::<Listen>()
}
