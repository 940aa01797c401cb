//! The vault: API secrets live only in the OS keychain, behind [`Secret`], which can be
//! neither printed nor serialized.

mod keychain;
#[cfg(feature = "memory-store")]
mod memory;

mod store;

pub use keychain::KeychainStore;
#[cfg(feature = "memory-store")]
pub use memory::MemoryStore;
pub use store::{Secret, SecretStore, VaultError, VaultResult};

use std::sync::Arc;

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
