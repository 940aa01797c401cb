//! The platform keychain (Secret Service, macOS Keychain, Windows Credential Manager).

use super::store::{Secret, SecretStore, VaultError, VaultResult};

/// Secrets in the OS keychain through `keyring`, built with platform stores only: there
/// is no file or mock fallback in release builds.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// The service name Earshot's entries are filed under.
    pub const SERVICE: &'static str = "earshot";

    /// A store whose entries are filed under `service` (tests use a unique one).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> VaultResult<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(map_err)
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> VaultResult<Option<Secret>> {
        match self.entry(account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(map_err(err)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> VaultResult<()> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(map_err)
    }

    fn delete(&self, account: &str) -> VaultResult<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(map_err(err)),
        }
    }
}

fn map_err(err: keyring::Error) -> VaultError {
    match err {
        // Secret Service without a session bus, or a locked/absent collection.
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            VaultError::Unavailable(e.to_string())
        }
        // Never include the payload of BadEncoding: it is the secret itself.
        keyring::Error::BadEncoding(_) => {
            VaultError::Platform("the stored secret is not valid UTF-8".into())
        }
        other => VaultError::Platform(other.to_string()),
    }
}
