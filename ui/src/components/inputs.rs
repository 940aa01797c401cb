//! Form pieces for the service dialogs (SIP, ingress, egress): labelled inputs with their inline error, and the
//! text forms of lists (comma or line separated) and maps (`key=value` lines).

use crate::components::fields::{clear_on_edit, field_error};
use earshot_protocol::{AppError, ErrorCode};
use std::collections::BTreeMap;
use sycamore::prelude::*;

/// A labelled one-line input with its inline error.
pub fn text(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    errors: Signal<Vec<AppError>>,
    field: &'static str,
) -> View {
    clear_on_edit(errors, field, value);
    view! {
        div {
            label(r#for=id) { (label) }
            input(id=id, bind:value=value, autocomplete="off")
            (field_error(errors, field))
        }
    }
}

/// A labelled password input; `hint` says what leaving it empty does.
pub fn secret(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    hint: &'static str,
) -> View {
    view! {
        div {
            label(r#for=id) { (label) }
            input(id=id, r#type="password", bind:value=value, autocomplete="new-password", placeholder=hint)
        }
    }
}

/// A labelled multi-line input with its inline error.
pub fn area(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    errors: Signal<Vec<AppError>>,
    field: &'static str,
    placeholder: &'static str,
) -> View {
    clear_on_edit(errors, field, value);
    view! {
        div {
            label(r#for=id) { (label) }
            textarea(id=id, bind:value=value, rows="2", placeholder=placeholder)
            (field_error(errors, field))
        }
    }
}

/// A labelled choice among `options`.
pub fn choice(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    options: &'static [&'static str],
) -> View {
    let options = options
        .iter()
        .map(|o| view! { option(value=*o) { (o.replace('_', " ")) } })
        .collect::<Vec<_>>();
    view! {
        div {
            label(r#for=id) { (label) }
            select(id=id, bind:value=value) { (options) }
        }
    }
}

/// A checkbox with its label.
pub fn check(id: &'static str, label: &'static str, value: Signal<bool>) -> View {
    view! {
        label(class="check") {
            input(id=id, r#type="checkbox", bind:checked=value)
            " " (label)
        }
    }
}

/// Items separated by commas or line breaks, trimmed, empties dropped.
pub fn list(raw: &str) -> Vec<String> {
    raw.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text form of a list.
pub fn list_text(items: &[String]) -> String {
    items.join(", ")
}

/// `key=value` lines as a map; a line without `=` is an error on `field`.
pub fn map(raw: &str, field: &'static str) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((k, v)) = line.split_once('=') else {
            return Err(AppError::field(
                ErrorCode::InvalidInput,
                field,
                format!("'{line}' is not key=value; write one pair per line."),
            ));
        };
        out.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    Ok(out)
}

/// The text form of a map.
pub fn map_text(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Optional seconds typed in a form.
pub fn seconds(raw: &str, field: &'static str) -> Result<Option<u32>, AppError> {
    crate::components::fields::optional_u32(raw, field)
}

/// The text of optional seconds.
pub fn seconds_text(v: Option<u32>) -> String {
    v.map(|s| s.to_string()).unwrap_or_default()
}

/// Collects parse errors while a form is read.
#[derive(Default)]
pub struct Parse(pub Vec<AppError>);

impl Parse {
    /// The value, or its default with the error kept.
    pub fn take<T: Default>(&mut self, r: Result<T, AppError>) -> T {
        r.unwrap_or_else(|e| {
            self.0.push(e);
            T::default()
        })
    }
}
