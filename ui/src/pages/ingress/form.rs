//! The ingress dialog (create and edit): input type, room and participant, transcoding,
//! audio and video encodings (preset or custom), checked inline before sending.

use crate::components::dialog::Dialog;
use crate::components::fields::{field_error, Submission};
use crate::components::inputs::{area, check, choice, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::{CreateIngress, UpdateIngress};
use earshot_protocol::ingress::{
    self, AudioEncoding, IngressInfo, IngressInput, IngressSpec, VideoEncoding, VideoLayerSpec,
    AUDIO_CODECS, AUDIO_PRESETS, INPUT_TYPES, VIDEO_CODECS, VIDEO_PRESETS,
};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::{AppError, ErrorCode};
use sycamore::prelude::*;

const TRANSCODING: &[&str] = &["server default", "on", "off"];

fn number(raw: &str, field: &'static str) -> Result<u32, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::field(
            ErrorCode::InvalidInput,
            field,
            format!("'{raw}' is not a whole number."),
        )
    })
}

/// Layers typed as `1280x720@2500000` lines.
fn layers(raw: &str) -> Result<Vec<VideoLayerSpec>, AppError> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parsed = l.split_once('@').and_then(|(size, rate)| {
                let (w, h) = size.split_once('x')?;
                Some(VideoLayerSpec {
                    width: w.trim().parse().ok()?,
                    height: h.trim().parse().ok()?,
                    bitrate: rate.trim().parse().ok()?,
                })
            });
            parsed.ok_or_else(|| {
                AppError::field(
                    ErrorCode::InvalidInput,
                    "video",
                    format!("'{l}' is not WIDTHxHEIGHT@BITRATE."),
                )
            })
        })
        .collect()
}

#[component(inline_props)]
pub fn IngressDialog<F: Fn(Option<IngressInfo>) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    existing: Option<IngressInfo>,
    on_close: F,
) -> View {
    let state = app_state();
    let editing = create_signal(existing.as_ref().map(|i| i.id.clone()));
    let s = existing.map(|i| i.spec).unwrap_or_default();
    let input_type = create_signal(s.input_type.label().to_owned());
    let name = create_signal(s.name);
    let room = create_signal(s.room_name);
    let identity = create_signal(s.participant_identity);
    let pname = create_signal(s.participant_name);
    let pmeta = create_signal(s.participant_metadata);
    let url = create_signal(s.url);
    let transcoding = create_signal(
        match s.enable_transcoding {
            None => "server default",
            Some(true) => "on",
            Some(false) => "off",
        }
        .to_owned(),
    );
    let enabled = create_signal(s.enabled.unwrap_or(true));
    let audio_preset = create_signal(s.audio.preset);
    let audio_codec = create_signal(s.audio.codec);
    let audio_bitrate = create_signal(s.audio.bitrate.to_string());
    let audio_channels = create_signal(s.audio.channels.to_string());
    let audio_no_dtx = create_signal(s.audio.disable_dtx);
    let video_preset = create_signal(s.video.preset);
    let video_codec = create_signal(s.video.codec);
    let video_fps = create_signal(s.video.frame_rate.to_string());
    let video_layers = create_signal(
        s.video
            .layers
            .iter()
            .map(|l| format!("{}x{}@{}", l.width, l.height, l.bitrate))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let form = Submission::new();
    let (errors, error, busy) = (form.errors, form.error, form.busy);

    let collect = move || -> Result<IngressSpec, Vec<AppError>> {
        let mut p = Parse::default();
        let custom_audio = audio_preset.with(|a| a == "custom");
        let custom_video = video_preset.with(|v| v == "custom");
        let spec = IngressSpec {
            input_type: IngressInput::from_label(&input_type.get_clone()),
            name: name.get_clone(),
            room_name: room.get_clone(),
            participant_identity: identity.get_clone(),
            participant_name: pname.get_clone(),
            participant_metadata: pmeta.get_clone(),
            url: url.get_clone().trim().to_owned(),
            enable_transcoding: match transcoding.get_clone().as_str() {
                "on" => Some(true),
                "off" => Some(false),
                _ => None,
            },
            audio: AudioEncoding {
                preset: audio_preset.get_clone(),
                codec: audio_codec.get_clone(),
                bitrate: if custom_audio {
                    p.take(number(&audio_bitrate.get_clone(), "audio"))
                } else {
                    0
                },
                channels: if custom_audio {
                    p.take(number(&audio_channels.get_clone(), "audio"))
                } else {
                    0
                },
                disable_dtx: audio_no_dtx.get(),
            },
            video: VideoEncoding {
                preset: video_preset.get_clone(),
                codec: video_codec.get_clone(),
                frame_rate: if custom_video {
                    p.take(number(&video_fps.get_clone(), "video"))
                } else {
                    0
                },
                layers: if custom_video {
                    p.take(layers(&video_layers.get_clone()))
                } else {
                    Vec::new()
                },
            },
            enabled: Some(enabled.get()),
        };
        let mut errs = p.0;
        errs.extend(ingress::ingress_errors(&spec));
        if errs.is_empty() {
            Ok(spec)
        } else {
            Err(errs)
        }
    };
    let submit = move |_| {
        form.run(
            collect,
            move |spec| async move {
                match editing.get_clone() {
                    Some(id) => {
                        invoke(&UpdateIngress {
                            project: project.get_clone(),
                            id,
                            spec,
                        })
                        .await
                    }
                    None => {
                        invoke(&CreateIngress {
                            project: project.get_clone(),
                            spec,
                        })
                        .await
                    }
                }
            },
            move |i| {
                state.tell(format!("Ingress {} saved.", i.id));
                on_close(Some(i));
            },
        );
    };
    let is_new = editing.with(Option::is_none);
    let title = if is_new {
        "New ingress"
    } else {
        "Edit ingress"
    };

    view! {
        Dialog(title=title.to_owned(), test_id="ingress-dialog") {
            div(class="form") {
                div(class="cols") {
                    (if is_new { choice("ingress-type", "Input", input_type, INPUT_TYPES) } else { view! {} })
                    (text("ingress-name", "Name", name, errors, "name"))
                    (choice("ingress-transcoding", "Transcoding", transcoding, TRANSCODING))
                }
                (if input_type.with(|t| IngressInput::from_label(t) == IngressInput::Url) { text("ingress-url", "Media URL to pull", url, errors, "url") } else { view! {} })
                div(class="cols") {
                    (text("ingress-room", "Room", room, errors, "room_name"))
                    (text("ingress-identity", "Participant identity", identity, errors, "participant_identity"))
                    (text("ingress-pname", "Participant name", pname, errors, "participant_name"))
                }
                (area("ingress-pmeta", "Participant metadata", pmeta, errors, "participant_metadata", ""))
                (field_error(errors, "enable_transcoding"))
                div(class="cols") {
                    (choice("ingress-audio-preset", "Audio encoding", audio_preset, AUDIO_PRESETS))
                    (choice("ingress-video-preset", "Video encoding", video_preset, VIDEO_PRESETS))
                }
                (if audio_preset.with(|a| a == "custom") {
                    view! {
                        div(class="cols") {
                            (choice("ingress-audio-codec", "Audio codec", audio_codec, AUDIO_CODECS))
                            (text("ingress-audio-bitrate", "Audio bitrate (bit/s)", audio_bitrate, errors, "audio_bitrate"))
                            (text("ingress-audio-channels", "Channels", audio_channels, errors, "audio_channels"))
                            (check("ingress-audio-dtx", "Disable DTX", audio_no_dtx))
                        }
                    }
                } else { view! {} })
                (field_error(errors, "audio"))
                (if video_preset.with(|v| v == "custom") {
                    view! {
                        div(class="cols") {
                            (choice("ingress-video-codec", "Video codec", video_codec, VIDEO_CODECS))
                            (text("ingress-video-fps", "Frame rate", video_fps, errors, "video_fps"))
                            (area("ingress-video-layers", "Layers (WIDTHxHEIGHT@BITRATE, best first)", video_layers, errors, "video_layers", "1280x720@2500000"))
                        }
                    }
                } else { view! {} })
                (field_error(errors, "video"))
                (check("ingress-enabled", "Enabled", enabled))
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                (if busy.get() { view! { p(class="progress", data-testid="form-progress") { span(class="spinner") "Saving…" } } } else { view! {} })
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(None)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="ingress-submit", disabled=busy.get(), on:click=submit) { "Save" }
                }
            }
        }
    }
}
