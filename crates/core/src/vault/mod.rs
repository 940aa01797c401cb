//! The vault: API secrets live only in the OS keychain, behind [`Secret`], which can be
//! neither printed nor serialized.

mod keychain;
#[cfg(feature = "memory-store")]
mod memory;

pub use keychain::KeychainStore;
#[cfg(feature = "memory-store")]
pub use memory::MemoryStore;

use earshot_protocol::{AppError, ErrorCode};
use std::fmt;
use std::sync::Arc;
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

/// Async access to a [`SecretStore`].
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
}

impl Vault {
    /// A vault over the given store.
    pub fn new(store: impl SecretStore) -> Self {
        Self {
            store: Arc::new(store),
        }
    }

    /// The platform keychain under Earshot's service name.
    pub fn keychain() -> Self {
        Self::new(KeychainStore::new(KeychainStore::SERVICE))
    }

    /// The secret for `account`, if one is stored.
    pub async fn get(&self, account: &str) -> VaultResult<Option<Secret>> {
        let (store, account) = (self.store.clone(), account.to_owned());
        blocking(move || store.get(&account)).await
    }

    /// Stores (or replaces) the secret for `account`.
    pub async fn set(&self, account: &str, secret: Secret) -> VaultResult<()> {
        let (store, account) = (self.store.clone(), account.to_owned());
        blocking(move || store.set(&account, &secret)).await
    }

    /// Removes the secret for `account`.
    pub async fn delete(&self, account: &str) -> VaultResult<()> {
        let (store, account) = (self.store.clone(), account.to_owned());
        blocking(move || store.delete(&account)).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> VaultResult<T> + Send + 'static,
) -> VaultResult<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|join| {
        Err(VaultError::Platform(format!(
            "keychain task failed: {join}"
        )))
    })
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
