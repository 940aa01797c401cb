//! Storage profiles for egress uploads: S3, GCS, Azure and Alibaba OSS. The credential is
//! typed here once and kept in the OS keychain; the page only ever shows whether it is set.

use crate::components::dialog::Dialog;
use crate::components::fields::{field_error, route_error};
use crate::components::inputs::{self, area, check, choice, text, Parse};
use crate::ipc::invoke;
use crate::state::app_state;
use earshot_protocol::command::SaveStorageProfile;
use earshot_protocol::egress::{StorageInput, StorageProfile, StorageSummary, STORAGE_KINDS};
use earshot_protocol::projects::ProjectId;
use earshot_protocol::{egress_rules, AppError, SecretInput};
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

#[component(inline_props)]
pub fn StorageDialog<F: Fn(bool) + Copy + 'static>(
    project: ReadSignal<ProjectId>,
    existing: Option<StorageSummary>,
    /// Every profile of the project, so a new one cannot take a used name unseen.
    profiles: Vec<StorageSummary>,
    on_close: F,
) -> View {
    let state = app_state();
    let stored = existing.as_ref().is_some_and(|s| s.has_credential);
    let editing = existing.is_some();
    let kept_when_editing = existing.clone();
    let p = existing.map(|s| s.profile).unwrap_or_default();
    let name = create_signal(p.name);
    let kind = create_signal(p.kind);
    let bucket = create_signal(p.bucket);
    let region = create_signal(p.region);
    let endpoint = create_signal(p.endpoint);
    let access_key = create_signal(p.access_key);
    let path_style = create_signal(p.force_path_style);
    let role_arn = create_signal(p.assume_role_arn);
    let external_id = create_signal(p.assume_role_external_id);
    let tagging = create_signal(p.tagging);
    let disposition = create_signal(p.content_disposition);
    let s3_metadata = create_signal(inputs::map_text(&p.metadata));
    let credential = create_signal(String::new());
    let errors = create_signal(Vec::<AppError>::new());
    let error = create_signal(None::<AppError>);
    let busy = create_signal(false);

    let submit = move |_| {
        if busy.get() {
            return;
        }
        error.set(None);
        let mut parse = Parse::default();
        let metadata = parse.take(inputs::map(&s3_metadata.get_clone(), "s3_metadata"));
        let input = StorageInput {
            profile: StorageProfile {
                name: name.get_clone().trim().to_owned(),
                kind: kind.get_clone(),
                bucket: bucket.get_clone().trim().to_owned(),
                region: region.get_clone().trim().to_owned(),
                endpoint: endpoint.get_clone().trim().to_owned(),
                access_key: access_key.get_clone().trim().to_owned(),
                force_path_style: path_style.get(),
                assume_role_arn: role_arn.get_clone().trim().to_owned(),
                assume_role_external_id: external_id.get_clone().trim().to_owned(),
                tagging: tagging.get_clone().trim().to_owned(),
                content_disposition: disposition.get_clone().trim().to_owned(),
                metadata,
            },
            credential: SecretInput::new(credential.get_clone()),
            create: !editing,
        };
        let kept = kept_when_editing.clone().or_else(|| {
            profiles
                .iter()
                .find(|p| p.profile.name == input.profile.name)
                .cloned()
        });
        let mut errs = parse.0;
        errs.extend(egress_rules::storage_errors(&input, kept.as_ref()));
        if !errs.is_empty() {
            return errors.set(errs);
        }
        errors.set(Vec::new());
        busy.set(true);
        spawn_local_scoped(async move {
            let result = invoke(&SaveStorageProfile {
                project: project.get_clone(),
                input,
            })
            .await;
            busy.set(false);
            match result {
                Ok(s) => {
                    state.tell(format!(
                        "Storage profile “{}” saved; its credential is in the keychain.",
                        s.profile.name
                    ));
                    on_close(true);
                }
                Err(err) => route_error(err, errors, error),
            }
        });
    };
    let is = move |k: &'static str| kind.with(|v| v == k);
    // The stored credential belongs to the provider it was typed for.
    let stored_kind = kind.get_clone_untracked();
    let keeps = create_memo(move || stored && kind.with(|k| *k == stored_kind));
    let hint = move || {
        if keeps.get() {
            "stored in the keychain — leave empty to keep"
        } else {
            ""
        }
    };

    view! {
        Dialog(title=(if editing { "Edit storage" } else { "New storage" }).to_owned(), test_id="storage-dialog") {
            div(class="form") {
                div(class="cols") {
                    (if editing { view! { p { strong { (name.get_clone()) } } } } else { text("storage-name", "Profile name", name, errors, "name") })
                    (choice("storage-kind", "Provider", kind, STORAGE_KINDS))
                    (text("storage-bucket", if is("azure") { "Container" } else { "Bucket" }, bucket, errors, "bucket"))
                }
                (if is("s3") || is("alioss") {
                    view! {
                        div(class="cols") {
                            (text("storage-access-key", "Access key id", access_key, errors, "access_key"))
                            (text("storage-region", "Region", region, errors, "region"))
                            (text("storage-endpoint", "Endpoint (optional)", endpoint, errors, "endpoint"))
                        }
                        (if is("s3") { view! {
                            (check("storage-path-style", "Path-style bucket URLs (MinIO)", path_style))
                            div(class="cols") {
                                (text("storage-role-arn", "Assume role ARN (optional)", role_arn, errors, "assume_role_arn"))
                                (text("storage-external-id", "Role external id", external_id, errors, "assume_role_external_id"))
                            }
                            div(class="cols") {
                                (text("storage-tagging", "Object tags (k=v&k2=v2)", tagging, errors, "tagging"))
                                (text("storage-disposition", "Content-Disposition", disposition, errors, "content_disposition"))
                            }
                            (area("storage-metadata", "Object metadata", s3_metadata, errors, "s3_metadata", "key=value, one per line"))
                        } } else { view! {} })
                    }
                } else if is("azure") {
                    text("storage-account", "Storage account name", access_key, errors, "access_key")
                } else { view! {} })
                div {
                    label(r#for="storage-credential") {
                        (if is("gcs") { "Service account JSON" } else if is("azure") { "Account key" } else { "Secret access key" })
                    }
                    (if is("gcs") {
                        view! { textarea(id="storage-credential", bind:value=credential, rows="4", placeholder=hint()) }
                    } else {
                        view! { input(id="storage-credential", r#type="password", bind:value=credential, autocomplete="new-password", placeholder=hint()) }
                    })
                    (field_error(errors, "credential"))
                }
                (error.get_clone().map(|e| view! { p(class="form-error", data-testid="form-error") { (e.message) } }).unwrap_or_default())
                div(class="actions") {
                    button(r#type="button", data-testid="dialog-cancel", data-dismiss="", on:click=move |_| on_close(false)) { "Cancel" }
                    button(r#type="button", class="primary", data-testid="storage-submit", disabled=busy.get(), on:click=submit) { "Save" }
                }
            }
        }
    }
}
