//! A modal dialog and a confirmation dialog, and Escape closing the topmost dialog.

use sycamore::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

/// Escape closes the topmost dialog by pressing its button marked `data-dismiss` (Cancel or
/// Close), so it does exactly what that button does — including nothing while the button
/// is disabled (a request in flight). Installed once for the app.
pub fn install_escape() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let doc = document.clone();
    let handler =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.key() != "Escape" {
                return;
            }
            let Ok(buttons) = doc.query_selector_all(".dialog [data-dismiss]") else {
                return;
            };
            let Some(button) = buttons
                .item(buttons.length().saturating_sub(1))
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                return;
            };
            ev.prevent_default();
            button.click();
        });
    let _ = document.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    // The app's lifetime: the listener is never removed.
    handler.forget();
}

/// A modal box over the page with a title; `children` is its body.
#[component(inline_props)]
pub fn Dialog(title: String, test_id: &'static str, children: Children) -> View {
    view! {
        div(class="overlay") {
            div(class="dialog", role="dialog", data-testid=test_id) {
                h2 { (title) }
                (children)
            }
        }
    }
}

/// Asks before something that cannot be undone; `on_ok` runs only on confirmation.
#[component(inline_props)]
pub fn Confirm<F: Fn() + 'static, C: Fn() + 'static>(
    title: String,
    message: String,
    ok_label: String,
    on_ok: F,
    on_cancel: C,
) -> View {
    view! {
        Dialog(title=title, test_id="confirm") {
            p { (message) }
            div(class="actions") {
                button(r#type="button", data-testid="confirm-cancel", data-dismiss="", on:click=move |_| on_cancel()) { "Cancel" }
                button(r#type="button", class="danger", data-testid="confirm-ok", on:click=move |_| on_ok()) { (ok_label) }
            }
        }
    }
}
