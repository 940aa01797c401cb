//! Inline form errors: each `AppError` with a `field` is shown under that field.

use earshot_protocol::AppError;
use std::future::Future;
use sycamore::futures::spawn_local_scoped;
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

/// Clears the error under `field` as soon as `value` is edited: an error about a value
/// the user has since changed would describe something no longer there.
pub fn clear_on_edit<T: Clone + PartialEq + 'static>(
    errors: Signal<Vec<AppError>>,
    field: &'static str,
    value: Signal<T>,
) {
    let mut last = value.get_clone_untracked();
    create_effect(move || {
        let now = value.get_clone();
        if now == last {
            return;
        }
        last = now;
        let stale = errors.with_untracked(|e| e.iter().any(|e| e.field.as_deref() == Some(field)));
        if stale {
            errors.update(|e| e.retain(|e| e.field.as_deref() != Some(field)));
        }
    });
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

/// A form's submission: whether a request is in flight, the errors under its fields, and
/// one error for the whole form.
#[derive(Clone, Copy)]
pub struct Submission {
    pub busy: Signal<bool>,
    pub errors: Signal<Vec<AppError>>,
    pub error: Signal<Option<AppError>>,
}

impl Submission {
    pub fn new() -> Self {
        Self {
            busy: create_signal(false),
            errors: create_signal(Vec::new()),
            error: create_signal(None),
        }
    }

    /// Submits once at a time: what `collect` finds wrong goes under its fields and nothing is
    /// sent; otherwise `send` runs while the form shows it is busy, a refusal is routed to its
    /// field or the form, and `done` gets the answer.
    pub fn run<T, R, F>(
        self,
        collect: impl FnOnce() -> Result<T, Vec<AppError>>,
        send: impl FnOnce(T) -> F + 'static,
        done: impl FnOnce(R) + 'static,
    ) where
        T: 'static,
        F: Future<Output = Result<R, AppError>> + 'static,
    {
        if self.busy.get() {
            return;
        }
        self.error.set(None);
        let input = match collect() {
            Ok(input) => input,
            Err(errs) => return self.errors.set(errs),
        };
        self.errors.set(Vec::new());
        self.busy.set(true);
        spawn_local_scoped(async move {
            let result = send(input).await;
            self.busy.set(false);
            match result {
                Ok(answer) => done(answer),
                Err(err) => route_error(err, self.errors, self.error),
            }
        });
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
