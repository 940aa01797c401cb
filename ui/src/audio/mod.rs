//! Playback of the listener's mix: an AudioContext at 48 kHz with the `earshot-player`
//! AudioWorklet (ui/static/player-worklet.js), fed 20 ms frames through its port.

use js_sys::{Array, Float32Array, Object, Reflect};
use sycamore::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, AudioContextOptions, AudioWorkletNode, AudioWorkletNodeOptions};

/// The sample rate the backend mixes at.
pub const SAMPLE_RATE: f32 = 48_000.0;

/// What the worklet reports once a second.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlayerStats {
    pub underruns: u32,
    pub overruns: u32,
    pub buffered_ms: f64,
}

/// A running audio output.
pub struct Player {
    ctx: AudioContext,
    node: AudioWorkletNode,
    _on_stats: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Player {
    /// Opens the audio output. Call it from a user gesture (a click) so the webview's
    /// autoplay policy lets it start.
    pub async fn start(stats: Signal<PlayerStats>) -> Result<Self, String> {
        let opts = AudioContextOptions::new();
        opts.set_sample_rate(SAMPLE_RATE);
        let ctx = AudioContext::new_with_context_options(&opts).map_err(describe)?;
        let worklet = ctx.audio_worklet().map_err(describe)?;
        JsFuture::from(worklet.add_module("player-worklet.js").map_err(describe)?)
            .await
            .map_err(describe)?;
        let node_opts = AudioWorkletNodeOptions::new();
        node_opts.set_output_channel_count(&Array::of1(&JsValue::from(2)));
        let node = AudioWorkletNode::new_with_options(&ctx, "earshot-player", &node_opts)
            .map_err(describe)?;
        node.connect_with_audio_node(&ctx.destination())
            .map_err(describe)?;
        let on_stats =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let data = ev.data();
                let num = |k: &str| Reflect::get(&data, &k.into()).ok().and_then(|v| v.as_f64());
                stats.set(PlayerStats {
                    underruns: num("underruns").unwrap_or(0.0) as u32,
                    overruns: num("overruns").unwrap_or(0.0) as u32,
                    buffered_ms: num("buffered_ms").unwrap_or(0.0),
                });
            });
        node.port()
            .map_err(describe)?
            .set_onmessage(Some(on_stats.as_ref().unchecked_ref()));
        let _ = ctx.resume();
        Ok(Self {
            ctx,
            node,
            _on_stats: on_stats,
        })
    }

    /// Queues one frame of mono samples; the buffer is transferred, not copied.
    pub fn push(&self, samples: &[f32]) {
        let array = Float32Array::from(samples);
        let transfer = Array::of1(&array.buffer());
        if let Ok(port) = self.node.port() {
            let _ = port.post_message_with_transferable(&array, &transfer);
        }
    }

    /// Stops the output and releases the audio device.
    pub fn close(&self) {
        let _ = self.node.disconnect();
        let _ = self.ctx.close();
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.close();
    }
}

fn describe(err: JsValue) -> String {
    if let Some(s) = err.as_string() {
        return s;
    }
    Reflect::get(&err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| {
            Object::from(err)
                .to_string()
                .as_string()
                .unwrap_or_else(|| "unknown audio error".into())
        })
}
