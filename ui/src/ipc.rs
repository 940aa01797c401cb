//! The bridge to the backend: the only module that touches `window.__TAURI__`.
//!
//! Commands travel as JSON text through `JSON.parse`/`JSON.stringify` so the wire shape is
//! exactly what serde produces on both sides (no JS `Map`s, no lossy number handling).

use earshot_protocol::{AppError, Command, ErrorCode};
use js_sys::{Function, Promise, Reflect, JSON};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Runs `cmd` in the backend and returns its output, or the error the backend reported.
pub async fn invoke<C: Command>(cmd: &C) -> Result<C::Output, AppError> {
    let invoke = tauri_invoke()?;
    let args = serde_json::to_string(cmd)
        .map_err(|e| internal(format!("could not encode {}: {e}", C::NAME)))?;
    let args = JSON::parse(&args).map_err(|_| internal("could not encode the arguments"))?;
    let payload = js_sys::Object::new();
    Reflect::set(&payload, &"args".into(), &args)
        .map_err(|_| internal("could not build the request"))?;
    let promise = invoke
        .call2(&JsValue::NULL, &C::NAME.into(), &payload)
        .map_err(|e| rejected(C::NAME, e))?
        .dyn_into::<Promise>()
        .map_err(|_| internal("the backend did not answer with a promise"))?;
    match JsFuture::from(promise).await {
        Ok(value) => {
            let text = stringify(&value).unwrap_or_else(|| "null".into());
            serde_json::from_str(&text)
                .map_err(|e| internal(format!("unexpected reply to {}: {e}", C::NAME)))
        }
        Err(err) => Err(rejected(C::NAME, err)),
    }
}

fn tauri_invoke() -> Result<Function, AppError> {
    let tauri = Reflect::get(&js_sys::global(), &"__TAURI__".into())
        .ok()
        .filter(|v| v.is_object())
        .ok_or_else(|| internal("Earshot's backend is not reachable (no Tauri runtime)."))?;
    let core = Reflect::get(&tauri, &"core".into()).map_err(|_| internal("no Tauri core"))?;
    Reflect::get(&core, &"invoke".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| internal("no Tauri invoke function"))
}

/// A rejection is our `AppError` when a command failed, or a plain string when Tauri itself
/// refused the call (unknown command, arguments that do not deserialize, ACL).
fn rejected(name: &str, err: JsValue) -> AppError {
    if let Some(text) = err.as_string() {
        return internal(format!("{name}: {text}"));
    }
    stringify(&err)
        .and_then(|text| serde_json::from_str::<AppError>(&text).ok())
        .unwrap_or_else(|| internal(format!("{name} failed without a reason")))
}

fn stringify(value: &JsValue) -> Option<String> {
    if value.is_undefined() {
        return None;
    }
    JSON::stringify(value).ok().and_then(|s| s.as_string())
}

fn internal(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Internal, message)
}

/// A Tauri Channel: the backend streams messages into it (binary ones arrive as an
/// `ArrayBuffer`, JSON ones as objects). Dropping it stops delivery to `on_message`.
pub struct Channel {
    /// What a command argument carries so the backend can find the channel.
    pub wire_id: String,
    object: JsValue,
    _on_message: Closure<dyn FnMut(JsValue)>,
}

impl Channel {
    /// Opens a channel whose messages go to `on_message`.
    pub fn open(on_message: impl FnMut(JsValue) + 'static) -> Result<Self, AppError> {
        let tauri = Reflect::get(&js_sys::global(), &"__TAURI__".into())
            .map_err(|_| internal("no Tauri runtime"))?;
        let core = Reflect::get(&tauri, &"core".into()).map_err(|_| internal("no Tauri core"))?;
        let class = Reflect::get(&core, &"Channel".into())
            .ok()
            .and_then(|c| c.dyn_into::<Function>().ok())
            .ok_or_else(|| internal("no Tauri Channel"))?;
        let object = Reflect::construct(&class, &js_sys::Array::new())
            .map_err(|_| internal("could not open a channel"))?;
        let on_message = Closure::<dyn FnMut(JsValue)>::new(on_message);
        Reflect::set(&object, &"onmessage".into(), on_message.as_ref())
            .map_err(|_| internal("could not listen on the channel"))?;
        let id = Reflect::get(&object, &"id".into())
            .ok()
            .and_then(|v| v.as_f64())
            .ok_or_else(|| internal("the channel has no id"))?;
        Ok(Self {
            wire_id: format!("__CHANNEL__:{id}"),
            object,
            _on_message: on_message,
        })
    }
}

thread_local! {
    /// What a closed channel's late messages go to. Built once as a Rust closure:
    /// `new Function("")` would be eval, which the CSP refuses (it throws).
    static DISCARD: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

impl Drop for Channel {
    fn drop(&mut self) {
        // Messages still in flight must not call the freed closure.
        DISCARD.with(|discard| {
            let _ = Reflect::set(&self.object, &"onmessage".into(), discard.as_ref());
        });
    }
}
