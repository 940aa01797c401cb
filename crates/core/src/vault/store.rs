//! The vault's vocabulary: [`Secret`], the [`SecretStore`] trait the platform stores
//! implement, and their errors (a leaf: the stores and the vault import it).

use earshot_protocol::{AppError, ErrorCode};
use std::fmt;
use zeroize::Zeroizing;

/// A secret held in memory. `Debug` and `Display` print `<redacted>`, there is no
/// `Serialize`, and the bytes are wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value, for the few places that must use it (signing tokens).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What can go wrong with the keychain.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No keychain service answers (e.g. no Secret Service on the session bus).
    #[error("no OS keychain is available: {0}")]
    Unavailable(String),
    /// The keychain answered with an error.
    #[error("the OS keychain reported an error: {0}")]
    Platform(String),
}

/// Result alias for the vault.
pub type VaultResult<T> = Result<T, VaultError>;

impl From<VaultError> for AppError {
    fn from(err: VaultError) -> Self {
        match err {
            VaultError::Unavailable(detail) => AppError::new(
                ErrorCode::KeychainUnavailable,
                format!(
                    "No OS keychain is available, and Earshot never stores secrets anywhere \
                     else. On Linux, start and unlock a Secret Service (GNOME Keyring or \
                     KWallet) in your desktop session. ({detail})"
                ),
            ),
            VaultError::Platform(detail) => AppError::new(
                ErrorCode::KeychainError,
                format!("The OS keychain reported an error: {detail}"),
            ),
        }
    }
}

/// A place secrets can be kept under an account name. Calls may block (D-Bus, system
/// dialogs): [`Vault`] runs them off the async runtime.
pub trait SecretStore: Send + Sync + 'static {
    /// The secret for `account`, if one is stored.
    fn get(&self, account: &str) -> VaultResult<Option<Secret>>;
    /// Stores (or replaces) the secret for `account`.
    fn set(&self, account: &str, secret: &Secret) -> VaultResult<()>;
    /// Removes the secret for `account`; removing a missing one is not an error.
    fn delete(&self, account: &str) -> VaultResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "Secret(<redacted>) <redacted>");
    }
}
