//! An in-memory secret store, compiled only with the `memory-store` feature for tests.

use super::store::{Secret, SecretStore, VaultResult};
use std::collections::HashMap;
use std::sync::Mutex;

/// Secrets in a map; forgotten when dropped. For tests only.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    /// Number of stored secrets, for assertions.
    pub fn len(&self) -> usize {
        self.secrets.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// The accounts holding a secret, sorted.
    pub fn accounts(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .secrets
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> VaultResult<Option<Secret>> {
        Ok(self
            .secrets
            .lock()
            .expect("memory store poisoned")
            .get(account)
            .cloned())
    }

    fn set(&self, account: &str, secret: &Secret) -> VaultResult<()> {
        self.secrets
            .lock()
            .expect("memory store poisoned")
            .insert(account.into(), secret.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> VaultResult<()> {
        self.secrets
            .lock()
            .expect("memory store poisoned")
            .remove(account);
        Ok(())
    }
}

impl SecretStore for std::sync::Arc<MemoryStore> {
    fn get(&self, account: &str) -> VaultResult<Option<Secret>> {
        self.as_ref().get(account)
    }
    fn set(&self, account: &str, secret: &Secret) -> VaultResult<()> {
        self.as_ref().set(account, secret)
    }
    fn delete(&self, account: &str) -> VaultResult<()> {
        self.as_ref().delete(account)
    }
}
