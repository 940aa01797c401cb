//! Inline form errors: each `AppError` with a `field` is shown under that field.

use earshot_protocol::AppError;
use sycamore::prelude::*;

/// The error for `field` among `errors`, as a line with `data-testid="error-<field>"`.
pub fn field_error(errors: Signal<Vec<AppError>>, field: &'static str) -> View {
    let message = errors.with(|errors| {
        errors
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .map(|e| e.message.clone())
    });
    match message {
        Some(message) => view! {
            span(class="field-error", data-testid=format!("error-{field}")) { (message) }
        },
        None => view! {},
    }
}

/// Routes an error from the backend: to its field if it has one, else to `general`.
pub fn route_error(
    err: AppError,
    fields: Signal<Vec<AppError>>,
    general: Signal<Option<AppError>>,
) {
    if err.field.is_some() {
        fields.set(vec![err]);
    } else {
        general.set(Some(err));
    }
}

/// Parses an optional whole number typed in a form; `Err` names the field.
pub fn optional_u32(raw: &str, field: &'static str) -> Result<Option<u32>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::field(
            earshot_protocol::ErrorCode::InvalidInput,
            field,
            "Enter a whole number, or leave it empty for the server's default.",
        )
    })
}
