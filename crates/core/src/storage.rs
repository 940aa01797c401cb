//! Egress storage profiles: the non-secret part (bucket, region, endpoint, access key id)
//! is a settings entry per project; the credential (secret key, GCS JSON credentials,
//! Azure account key) lives only in the OS keychain, never in settings or IPC replies.

use crate::earshot::AppResult;
use crate::vault::Secret;
use crate::Earshot;
use earshot_protocol::egress::{StorageInput, StorageProfile, StorageSummary};
use earshot_protocol::{egress_rules, AppError, ErrorCode};

/// The settings key and vault account of a profile.
fn account(project: &str, name: &str) -> String {
    format!("storage:{project}:{name}")
}

impl Earshot {
    /// The project's storage profiles, each saying whether its credential is stored.
    pub async fn list_storage_profiles(
        &self,
        project: Option<&str>,
    ) -> AppResult<Vec<StorageSummary>> {
        let id = self.resolve(project)?;
        let prefix = account(&id, "");
        let mut out = Vec::new();
        for (key, value) in self.settings_store().entries() {
            if !key.starts_with(&prefix) {
                continue;
            }
            let Ok(profile) = serde_json::from_value::<StorageProfile>(value) else {
                tracing::warn!(%key, "unreadable storage profile left untouched");
                continue;
            };
            let has_credential = self.secret_vault().get(&key).await?.is_some();
            out.push(StorageSummary {
                profile,
                has_credential,
            });
        }
        out.sort_by(|a, b| a.profile.name.cmp(&b.profile.name));
        Ok(out)
    }

    /// Creates or replaces a profile; an empty credential keeps the stored one.
    pub async fn save_storage_profile(
        &self,
        project: Option<&str>,
        input: &StorageInput,
    ) -> AppResult<StorageSummary> {
        let id = self.resolve(project)?;
        let key = account(&id, &input.profile.name);
        let vault = self.secret_vault();
        let old = vault.get(&key).await?;
        // What is stored under this name: a new profile may not take it over, and its
        // credential is kept only for the same provider.
        let kept = self.stored_profile(&key).map(|profile| StorageSummary {
            profile,
            has_credential: old.is_some(),
        });
        if let Some(e) = egress_rules::storage_errors(input, kept.as_ref())
            .into_iter()
            .next()
        {
            return Err(e);
        }
        if !input.credential.is_empty() {
            vault
                .set(&key, Secret::new(input.credential.expose().trim()))
                .await?;
        }
        let value = serde_json::to_value(&input.profile)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("storage profile: {e}")))?;
        if let Err(err) = self.settings_store().set(&key, value) {
            // Keep keychain and settings in step: put the old credential back.
            if !input.credential.is_empty() {
                let _ = match old {
                    Some(old) => vault.set(&key, old).await,
                    None => vault.delete(&key).await,
                };
            }
            return Err(err.into());
        }
        tracing::info!(profile = %input.profile.name, kind = %input.profile.kind, "storage profile saved");
        Ok(StorageSummary {
            profile: input.profile.clone(),
            has_credential: true,
        })
    }

    /// Removes a profile and its credential.
    pub async fn delete_storage_profile(&self, project: Option<&str>, name: &str) -> AppResult<()> {
        let id = self.resolve(project)?;
        let key = account(&id, name);
        self.settings_store().delete(&key)?;
        self.secret_vault().delete(&key).await?;
        Ok(())
    }

    /// A profile with its credential, for an egress upload.
    pub(crate) async fn storage_upload(
        &self,
        project: &str,
        name: &str,
    ) -> AppResult<(StorageProfile, Secret)> {
        let key = account(project, name);
        let profile = self.stored_profile(&key).ok_or_else(|| {
            AppError::field(
                ErrorCode::NotFound,
                "storage",
                format!("There is no storage profile named '{name}'."),
            )
        })?;
        let secret = self.secret_vault().get(&key).await?.ok_or_else(|| {
            AppError::field(
                ErrorCode::SecretMissing,
                "storage",
                format!("The credential of storage profile '{name}' is missing from the keychain; edit the profile and enter it again."),
            )
        })?;
        Ok((profile, secret))
    }

    /// The profile kept in settings under `key`, if it is there and readable.
    fn stored_profile(&self, key: &str) -> Option<StorageProfile> {
        self.settings_store()
            .entries()
            .into_iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| serde_json::from_value::<StorageProfile>(v).ok())
    }
}
