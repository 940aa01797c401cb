//! Egress storage profiles: the non-secret part (bucket, region, endpoint, access key id)
//! is a settings entry per project; the credential (secret key, GCS JSON credentials,
//! Azure account key) lives only in the OS keychain, never in settings or IPC replies.

use crate::projects::{ProjectHandle, Projects};
use crate::result::AppResult;
use crate::settings::SettingsStore;
use crate::vault::Secret;
use earshot_protocol::egress::{StorageInput, StorageProfile, StorageSummary};
use earshot_protocol::{egress_rules, AppError, ErrorCode};

use crate::projects::storage_account as account;

/// The project's storage profiles, each saying whether its credential is stored.
pub async fn list_storage_profiles(
    projects: &Projects,
    project: &ProjectHandle,
) -> AppResult<Vec<StorageSummary>> {
    let id = &project.id;
    let prefix = account(id, "");
    let mut out = Vec::new();
    for (key, value) in projects.settings().entries() {
        if !key.starts_with(&prefix) {
            continue;
        }
        let Ok(profile) = serde_json::from_value::<StorageProfile>(value) else {
            tracing::warn!(%key, "unreadable storage profile left untouched");
            continue;
        };
        let has_credential = projects.vault().get(&key).await?.is_some();
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
    projects: &Projects,
    project: &ProjectHandle,
    input: &StorageInput,
) -> AppResult<StorageSummary> {
    let id = &project.id;
    let key = account(id, &input.profile.name);
    let vault = projects.vault();
    let old = vault.get(&key).await?;
    // What is stored under this name: a new profile may not take it over, and its
    // credential is kept only for the same provider.
    let kept = stored_profile(projects.settings(), &key).map(|profile| StorageSummary {
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
    if let Err(err) = projects.settings().set(&key, value) {
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
pub async fn delete_storage_profile(
    projects: &Projects,
    project: &ProjectHandle,
    name: &str,
) -> AppResult<()> {
    let id = &project.id;
    let key = account(id, name);
    projects.settings().delete(&key)?;
    projects.vault().delete(&key).await?;
    Ok(())
}

/// A profile with its credential, for an egress upload.
pub(crate) async fn storage_upload(
    projects: &Projects,
    project: &str,
    name: &str,
) -> AppResult<(StorageProfile, Secret)> {
    let key = account(project, name);
    let profile = stored_profile(projects.settings(), &key).ok_or_else(|| {
        AppError::field(
            ErrorCode::NotFound,
            "storage",
            format!("There is no storage profile named '{name}'."),
        )
    })?;
    let secret = projects.vault().get(&key).await?.ok_or_else(|| {
        AppError::field(
            ErrorCode::SecretMissing,
            "storage",
            format!("The credential of storage profile '{name}' is missing from the keychain; edit the profile and enter it again."),
        )
    })?;
    Ok((profile, secret))
}

/// The profile kept in settings under `key`, if it is there and readable.
fn stored_profile(settings: &dyn SettingsStore, key: &str) -> Option<StorageProfile> {
    settings
        .entries()
        .into_iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| serde_json::from_value::<StorageProfile>(v).ok())
}
