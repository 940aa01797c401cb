//! The colour theme switch in the header (system / light / dark), kept in the app's
//! settings and applied as `data-theme` on the root element, which the stylesheet reads.

use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::appearance::Theme;
use earshot_protocol::command::{GetTheme, SetTheme};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

fn apply(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.name());
    }
}

#[component]
pub fn ThemeSwitch() -> View {
    let state = app_state();
    let theme = create_signal(Theme::System);
    spawn_local_scoped(async move {
        match invoke(&GetTheme {}).await {
            Ok(t) => {
                theme.set(t);
                apply(t);
            }
            Err(err) => state.fail(&err),
        }
    });
    let choose = move |ev: web_sys::Event| {
        let Some(name) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok())
            .map(|s| s.value())
        else {
            return;
        };
        let Some(wanted) = Theme::from_name(&name) else {
            return;
        };
        // Shown at once; kept in settings behind it (a failed save says so and reverts).
        let before = theme.get();
        theme.set(wanted);
        apply(wanted);
        spawn_local_scoped(async move {
            if let Err(err) = invoke(&SetTheme { theme: wanted }).await {
                theme.set(before);
                apply(before);
                state.fail(&err);
            }
        });
    };
    let options = Theme::ALL
        .into_iter()
        .map(|t| {
            let label = match t {
                Theme::System => "Auto",
                Theme::Light => "Light",
                Theme::Dark => "Dark",
            };
            view! { option(value=t.name(), selected=move || theme.get() == t) { (label) } }
        })
        .collect::<Vec<_>>();
    view! {
        select(class="theme-switch", data-testid="theme-switch", title="Colour theme",
            aria-label="Colour theme", on:change=choose) { (options) }
    }
}
