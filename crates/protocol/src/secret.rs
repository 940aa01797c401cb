//! A secret typed by the user on its one-way trip from the UI to the backend.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An API secret entered in a form. It travels UI → backend only: no command output
/// contains one. `Debug` is redacted so it cannot reach a log by accident, and the bytes are
/// wiped when it is dropped.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretInput(String);

impl SecretInput {
    /// Wraps what the user typed.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for handing to the vault.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Consumes the wrapper, for moving into the vault without a copy.
    pub fn into_inner(mut self) -> String {
        std::mem::take(&mut self.0)
    }

    /// Whether nothing was entered.
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretInput(<redacted>)")
    }
}
