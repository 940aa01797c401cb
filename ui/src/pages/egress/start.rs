//! The start-egress dialog: what to record, every output (file, stream, HLS segments,
//! images, or a WebSocket for a track) and the storage profile, checked inline before
//! sending. A start waits while the server looks for a worker (about 25 s when none).

use crate::components::dialog::Dialog;
use crate::components::fields::{field_error, Submission};
use crate::components::inputs::{self, check, choice, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::StartEgress;
use earshot_protocol::egress::{
    AdvancedEncoding, EgressKind, EgressOutputs, EgressRequest, FileOutput, ImagesOutput,
    SegmentsOutput, StreamOutput, AUDIO_CODECS, EGRESS_KINDS, ENCODING_PRESETS, FILE_TYPES,
    LAYOUTS, STREAM_PROTOCOLS, VIDEO_CODECS,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::{egress_rules, AppError, ErrorCode};
use sycamore::prelude::*;

fn number(raw: &str, field: &'static str) -> Result<u32, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse()
        .map_err(|_| AppError::field(ErrorCode::InvalidInput, field, "Enter a whole number."))
}

/// A select over `values` where the empty value reads "default".
fn default_or(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    values: &'static [&'static str],
) -> View {
    let options = values
        .iter()
        .map(|v| view! { option(value=*v) { (if v.is_empty() { "default".to_owned() } else { v.replace('_', " ") }) } })
        .collect::<Vec<_>>();
    view! {
        div {
            label(r#for=id) { (label) }
            select(id=id, bind:value=value) { (options) }
        }
    }
}

/// The custom encoding fields (every value optional: empty leaves the worker's default).
#[derive(Clone, Copy)]
struct Encoding {
    on: Signal<bool>,
    width: Signal<String>,
    height: Signal<String>,
    depth: Signal<String>,
    framerate: Signal<String>,
    audio_codec: Signal<String>,
    audio_bitrate: Signal<String>,
    audio_frequency: Signal<String>,
    video_codec: Signal<String>,
    video_bitrate: Signal<String>,
    key_frame_interval: Signal<String>,
}

impl Encoding {
    fn new() -> Self {
        Self {
            on: create_signal(false),
            width: create_signal(String::new()),
            height: create_signal(String::new()),
            depth: create_signal(String::new()),
            framerate: create_signal(String::new()),
            audio_codec: create_signal(String::new()),
            audio_bitrate: create_signal(String::new()),
            audio_frequency: create_signal(String::new()),
            video_codec: create_signal(String::new()),
            video_bitrate: create_signal(String::new()),
            key_frame_interval: create_signal(String::new()),
        }
    }

    fn collect(self, p: &mut Parse) -> AdvancedEncoding {
        let mut n = |s: Signal<String>, field: &'static str| p.take(number(&s.get_clone(), field));
        AdvancedEncoding {
            width: n(self.width, "enc_width"),
            height: n(self.height, "enc_height"),
            depth: n(self.depth, "enc_depth"),
            framerate: n(self.framerate, "enc_framerate"),
            audio_codec: self.audio_codec.get_clone(),
            audio_bitrate: n(self.audio_bitrate, "enc_audio_bitrate"),
            audio_frequency: n(self.audio_frequency, "enc_audio_frequency"),
            video_codec: self.video_codec.get_clone(),
            video_bitrate: n(self.video_bitrate, "enc_video_bitrate"),
            key_frame_interval: n(self.key_frame_interval, "enc_key_frame_interval"),
        }
    }

    fn fields(self, errors: Signal<Vec<AppError>>) -> View {
        view! {
            div(class="cols") {
                (text("egress-enc-width", "Width (px)", self.width, errors, "enc_width"))
                (text("egress-enc-height", "Height (px)", self.height, errors, "enc_height"))
                (text("egress-enc-framerate", "Frame rate", self.framerate, errors, "enc_framerate"))
                (text("egress-enc-depth", "Depth (bits)", self.depth, errors, "enc_depth"))
            }
            div(class="cols") {
                (default_or("egress-enc-video-codec", "Video codec", self.video_codec, VIDEO_CODECS))
                (text("egress-enc-video-bitrate", "Video kbps", self.video_bitrate, errors, "enc_video_bitrate"))
                (text("egress-enc-kfi", "Key frame every (s)", self.key_frame_interval, errors, "enc_key_frame_interval"))
            }
            div(class="cols") {
                (default_or("egress-enc-audio-codec", "Audio codec", self.audio_codec, AUDIO_CODECS))
                (text("egress-enc-audio-bitrate", "Audio kbps", self.audio_bitrate, errors, "enc_audio_bitrate"))
                (text("egress-enc-audio-frequency", "Audio Hz", self.audio_frequency, errors, "enc_audio_frequency"))
            }
            (field_error(errors, "enc_audio_codec"))
            (field_error(errors, "enc_video_codec"))
            (field_error(errors, "advanced"))
        }
    }
}

#[component(inline_props)]
pub fn StartEgressDialog<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    storages: Vec<String>,
    on_close: F,
) -> View {
    let state = app_state();
    let kind = create_signal("room_composite".to_owned());
    let room = create_signal(String::new());
    let layout = create_signal("grid".to_owned());
    let audio_only = create_signal(false);
    let video_only = create_signal(false);
    let custom_base_url = create_signal(String::new());
    let url = create_signal(String::new());
    let await_start = create_signal(false);
    let identity = create_signal(String::new());
    let screen_share = create_signal(false);
    let audio_track = create_signal(String::new());
    let video_track = create_signal(String::new());
    let track = create_signal(String::new());
    let preset = create_signal(String::new());
    let enc = Encoding::new();
    let want_file = create_signal(true);
    let file_type = create_signal("mp4".to_owned());
    let filepath = create_signal("{room_name}-{time}".to_owned());
    let no_manifest = create_signal(false);
    let want_stream = create_signal(false);
    let stream_protocol = create_signal("rtmp".to_owned());
    let stream_urls = create_signal(String::new());
    let want_segments = create_signal(false);
    let seg_prefix = create_signal(String::new());
    let playlist = create_signal("index.m3u8".to_owned());
    let live_playlist = create_signal(String::new());
    let seg_duration = create_signal(String::new());
    let want_images = create_signal(false);
    let img_interval = create_signal("10".to_owned());
    let img_width = create_signal(String::new());
    let img_height = create_signal(String::new());
    let img_prefix = create_signal(String::new());
    let websocket = create_signal(String::new());
    let storage = create_signal(String::new());
    let form = Submission::new();
    let (errors, error, busy) = (form.errors, form.error, form.busy);
    let mut storage_names = vec![String::new()];
    storage_names.extend(storages);
    let storage_options = storage_names
        .into_iter()
        .map(|n| {
            let label = if n.is_empty() {
                "worker default".to_owned()
            } else {
                n.clone()
            };
            view! { option(value=n) { (label) } }
        })
        .collect::<Vec<_>>();

    let collect = move || -> Result<EgressRequest, Vec<AppError>> {
        let mut p = Parse::default();
        let outputs = EgressOutputs {
            file: want_file.get().then(|| FileOutput {
                file_type: file_type.get_clone(),
                filepath: filepath.get_clone().trim().to_owned(),
                disable_manifest: no_manifest.get(),
            }),
            stream: want_stream.get().then(|| StreamOutput {
                protocol: stream_protocol.get_clone(),
                urls: inputs::list(&stream_urls.get_clone()),
            }),
            segments: want_segments.get().then(|| SegmentsOutput {
                filename_prefix: seg_prefix.get_clone(),
                playlist_name: playlist.get_clone(),
                live_playlist_name: live_playlist.get_clone(),
                segment_duration: p.take(number(&seg_duration.get_clone(), "segment_duration")),
            }),
            images: want_images.get().then(|| ImagesOutput {
                capture_interval: p.take(number(&img_interval.get_clone(), "capture_interval")),
                width: p.take(number(&img_width.get_clone(), "img_width")),
                height: p.take(number(&img_height.get_clone(), "img_height")),
                filename_prefix: img_prefix.get_clone(),
            }),
            websocket_url: websocket.get_clone().trim().to_owned(),
        };
        let request = EgressRequest {
            kind: EgressKind::from_label(&kind.get_clone()),
            room_name: room.get_clone().trim().to_owned(),
            layout: layout.get_clone(),
            audio_only: audio_only.get(),
            video_only: video_only.get(),
            custom_base_url: custom_base_url.get_clone().trim().to_owned(),
            url: url.get_clone().trim().to_owned(),
            await_start_signal: await_start.get(),
            identity: identity.get_clone().trim().to_owned(),
            screen_share: screen_share.get(),
            audio_track_id: audio_track.get_clone().trim().to_owned(),
            video_track_id: video_track.get_clone().trim().to_owned(),
            track_id: track.get_clone().trim().to_owned(),
            // Custom encoding replaces the preset (its select is hidden then).
            preset: if enc.on.get() {
                String::new()
            } else {
                preset.get_clone()
            },
            advanced: enc.on.get().then(|| enc.collect(&mut p)),
            outputs,
            storage: storage.get_clone(),
        };
        let mut errs = p.0;
        errs.extend(egress_rules::egress_errors(&request));
        if errs.is_empty() {
            Ok(request)
        } else {
            Err(errs)
        }
    };
    let submit = move |_| {
        form.run(
            collect,
            move |request| async move {
                invoke(&StartEgress {
                    project: project.get_clone(),
                    request,
                })
                .await
            },
            move |e| {
                state.tell(format!("Egress {} started ({}).", e.id, e.status.label()));
                on_close(true);
            },
        );
    };
    let is = move |k: EgressKind| kind.with(|v| EgressKind::from_label(v) == k);

    view! {
        Dialog(title="Start egress".to_owned(), test_id="egress-start-dialog") {
            div(class="form") {
                div(class="cols") {
                    (choice("egress-kind", "Record", kind, EGRESS_KINDS))
                    (if is(EgressKind::Web) { text("egress-url", "Page URL", url, errors, "url") } else { text("egress-room", "Room", room, errors, "room_name") })
                    (if enc.on.get() || is(EgressKind::Track) { view! {} } else { view! {
                        (default_or("egress-preset", "Encoding", preset, ENCODING_PRESETS))
                    } })
                }
                (if is(EgressKind::Track) { view! {} } else { view! {
                    (check("egress-custom-encoding", "Custom encoding instead of a preset", enc.on))
                    (if enc.on.get() { enc.fields(errors) } else { view! {} })
                } })
                (if is(EgressKind::RoomComposite) {
                    view! {
                        div(class="cols") {
                            (choice("egress-layout", "Layout", layout, LAYOUTS))
                            (text("egress-custom-url", "Custom template URL (optional)", custom_base_url, errors, "custom_base_url"))
                        }
                    }
                } else if is(EgressKind::Participant) {
                    view! {
                        div(class="cols") {
                            (text("egress-identity", "Participant identity", identity, errors, "identity"))
                            (check("egress-screen-share", "Record the screen share", screen_share))
                        }
                    }
                } else if is(EgressKind::TrackComposite) {
                    view! {
                        div(class="cols") {
                            (text("egress-audio-track", "Audio track id", audio_track, errors, "audio_track_id"))
                            (text("egress-video-track", "Video track id", video_track, errors, "video_track_id"))
                        }
                    }
                } else if is(EgressKind::Track) {
                    view! {
                        div(class="cols") {
                            (text("egress-track", "Track id", track, errors, "track_id"))
                            (text("egress-websocket", "…or WebSocket URL instead of a file", websocket, errors, "websocket_url"))
                        }
                    }
                } else if is(EgressKind::Web) {
                    check("egress-await", "Wait for the page's START_RECORDING signal", await_start)
                } else { view! {} })
                div(class="cols") {
                    (check("egress-audio-only", "Audio only", audio_only))
                    (check("egress-video-only", "Video only", video_only))
                }
                (field_error(errors, "video_only"))
                h3 { "Outputs" }
                (field_error(errors, "outputs"))
                (check("egress-want-file", "File", want_file))
                (if want_file.get() {
                    view! {
                        div(class="cols") {
                            (choice("egress-file-type", "Container", file_type, FILE_TYPES))
                            (text("egress-filepath", "File path (templates: {room_name}, {time})", filepath, errors, "filepath"))
                            (check("egress-no-manifest", "No manifest", no_manifest))
                        }
                        (field_error(errors, "file_type"))
                    }
                } else { view! {} })
                (check("egress-want-stream", "Live stream", want_stream))
                (if want_stream.get() {
                    view! {
                        div(class="cols") {
                            (choice("egress-stream-protocol", "Protocol", stream_protocol, STREAM_PROTOCOLS))
                            (text("egress-stream-urls", "Stream URLs (comma separated)", stream_urls, errors, "stream_urls"))
                        }
                    }
                } else { view! {} })
                (check("egress-want-segments", "HLS segments", want_segments))
                (if want_segments.get() {
                    view! {
                        div(class="cols") {
                            (text("egress-seg-prefix", "Filename prefix", seg_prefix, errors, "filename_prefix"))
                            (text("egress-playlist", "Playlist", playlist, errors, "playlist_name"))
                            (text("egress-live-playlist", "Live playlist", live_playlist, errors, "live_playlist_name"))
                            (text("egress-seg-duration", "Segment (s)", seg_duration, errors, "segment_duration"))
                        }
                    }
                } else { view! {} })
                (check("egress-want-images", "Images (thumbnails)", want_images))
                (if want_images.get() {
                    view! {
                        div(class="cols") {
                            (text("egress-img-interval", "Every (s)", img_interval, errors, "capture_interval"))
                            (text("egress-img-width", "Width", img_width, errors, "img_width"))
                            (text("egress-img-height", "Height", img_height, errors, "img_height"))
                            (text("egress-img-prefix", "Filename prefix", img_prefix, errors, "img_prefix"))
                        }
                    }
                } else { view! {} })
                div {
                    label(r#for="egress-storage") { "Upload to" }
                    select(id="egress-storage", bind:value=storage) { (storage_options) }
                    (field_error(errors, "storage"))
                }
                (error.get_clone().map(|e| {
                    let code = format!("{:?}", e.code);
                    view! { p(class="form-error", data-testid="form-error", data-code=code) { (e.message) } }
                }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Starting… the server waits up to ~25 s for an egress worker." } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="egress-start-submit", disabled=busy.get(), on:click=submit) { "Start" }
                }
            }
        }
    }
}
