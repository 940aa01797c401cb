//! A modal dialog and a confirmation dialog.

use sycamore::prelude::*;

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
                button(r#type="button", data-testid="confirm-cancel", on:click=move |_| on_cancel()) { "Cancel" }
                button(r#type="button", class="danger", data-testid="confirm-ok", on:click=move |_| on_ok()) { (ok_label) }
            }
        }
    }
}
