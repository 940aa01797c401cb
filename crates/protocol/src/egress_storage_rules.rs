//! Input rules of the storage profile form, shared by the UI (inline) and the backend:
//! each provider's fields, S3's extras, and when a credential must be typed (a new
//! profile, or a changed provider: a stored S3 secret is no GCS key).

use crate::egress::{StorageInput, StorageProfile, StorageSummary, STORAGE_KINDS};
use crate::fields::{invalid, required, url_with};
use crate::{AppError, ErrorCode};

fn s3_extras_errors(p: &StorageProfile) -> Vec<AppError> {
    let mut e = Vec::new();
    let set = !p.assume_role_arn.is_empty()
        || !p.assume_role_external_id.is_empty()
        || !p.tagging.is_empty()
        || !p.content_disposition.is_empty()
        || !p.metadata.is_empty();
    if p.kind != "s3" {
        if set {
            e.push(invalid(
                "assume_role_arn",
                "Roles, tags and object metadata are S3 options.",
            ));
        }
        return e;
    }
    let arn = &p.assume_role_arn;
    let arn_ok = arn.starts_with("arn:") && arn.contains(":role/");
    if !arn.is_empty() && !arn_ok {
        e.push(invalid(
            "assume_role_arn",
            "A role ARN looks like arn:aws:iam::123456789012:role/egress.",
        ));
    }
    if arn.is_empty() && !p.assume_role_external_id.is_empty() {
        e.push(invalid(
            "assume_role_external_id",
            "An external id goes with a role ARN.",
        ));
    }
    if !p.tagging.is_empty()
        && p.tagging.split('&').any(|pair| {
            pair.split_once('=')
                .is_none_or(|(k, _)| k.trim().is_empty())
        })
    {
        e.push(invalid(
            "tagging",
            "Tags are key=value pairs joined by & (team=support&keep=90d).",
        ));
    }
    if p.content_disposition.contains(char::is_control) {
        e.push(invalid(
            "content_disposition",
            "The header value contains a control character.",
        ));
    }
    if p.metadata.keys().any(|k| {
        k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        e.push(invalid(
            "s3_metadata",
            "Metadata keys use letters, digits, - and _ only.",
        ));
    }
    e
}

/// Whether two profiles send uploads, and so the credential, to the same place.
fn same_destination(a: &StorageProfile, b: &StorageProfile) -> bool {
    a.kind == b.kind
        && a.endpoint.trim() == b.endpoint.trim()
        && a.bucket.trim() == b.bucket.trim()
        && a.region.trim() == b.region.trim()
        && a.access_key.trim() == b.access_key.trim()
}

/// Every problem of a storage form. `kept` is the profile stored under that name now (with
/// whether the keychain holds its credential), if there is one.
pub fn storage_errors(s: &StorageInput, kept: Option<&StorageSummary>) -> Vec<AppError> {
    let mut e = Vec::new();
    let p = &s.profile;
    if s.create && kept.is_some() {
        // Saving would take over that profile's stored credential unseen.
        e.push(AppError::field(
            ErrorCode::DuplicateName,
            "name",
            format!("A profile named “{}” exists; edit it instead.", p.name),
        ));
    }
    let mut check = |res: Result<(), AppError>| {
        if let Err(err) = res {
            e.push(err);
        }
    };
    check(crate::fields::name_field(&p.name, "name", "profile name"));
    if !STORAGE_KINDS.contains(&p.kind.as_str()) {
        check(Err(invalid(
            "kind",
            "Choose S3, GCS, Azure or Alibaba OSS.",
        )));
        return e;
    }
    let container = if p.kind == "azure" {
        "container name"
    } else {
        "bucket"
    };
    check(required(&p.bucket, "bucket", container));
    match p.kind.as_str() {
        "s3" | "alioss" => {
            check(required(&p.access_key, "access_key", "access key id"));
            if p.kind == "alioss" || p.endpoint.is_empty() {
                check(required(&p.region, "region", "region"));
            }
        }
        "azure" => check(required(
            &p.access_key,
            "access_key",
            "storage account name",
        )),
        _ => {}
    }
    if !p.endpoint.is_empty() {
        check(url_with(&p.endpoint, &["http", "https"], "endpoint"));
    }
    for err in s3_extras_errors(p) {
        check(Err(err));
    }
    if s.credential.is_empty() {
        let what = match p.kind.as_str() {
            "gcs" => "service account JSON credentials",
            "azure" => "account key",
            _ => "secret access key",
        };
        match kept.filter(|k| k.has_credential) {
            // The stored credential is kept only for where it was typed for: the same
            // provider, endpoint, bucket, region and key id.
            Some(k) if k.profile.kind != p.kind => check(Err(invalid(
                "credential",
                format!(
                    "The provider changed from {} to {}: enter the {what}.",
                    k.profile.kind, p.kind
                ),
            ))),
            Some(k) if !same_destination(&k.profile, p) => check(Err(invalid(
                "credential",
                format!(
                    "Where uploads go changed (endpoint, bucket, region or key id): enter the \
                     {what} again; the stored one is only sent where it was saved for."
                ),
            ))),
            Some(_) => {}
            None => check(Err(invalid("credential", format!("Enter the {what}.")))),
        }
    }
    if p.kind == "gcs" && !s.credential.is_empty() {
        let json = serde_json::from_str::<serde_json::Value>(s.credential.expose());
        if !json.is_ok_and(|v| v.get("private_key").is_some()) {
            check(Err(invalid(
                "credential",
                "Paste the service account key file (JSON with a private_key); it is not echoed back.",
            )));
        }
    }
    e
}
