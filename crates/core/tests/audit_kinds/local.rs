//! Commands kept by the app itself (storage profiles live in settings and the vault, alert
//! rules and projects in settings): journaled the same way.

use super::{Check, IMPORTED_SECRET, STORAGE_SECRET};
use earshot_core::audit::journal::AuditAction;
use earshot_core::audit::{code_name, Audited};
use earshot_core::protocol::command::*;
use earshot_core::protocol::egress::{StorageInput, StorageProfile};
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::wallboard::{AlertCondition, AlertRule};
use earshot_core::protocol::SecretInput;
use earshot_core::storage;
use earshot_testbed::livekit;
use serde_json::Value;

pub async fn storage_and_alert_kinds(c: &mut Check<'_>, project: &str) {
    let app = c.app;
    let p = app.projects().handle(project).await.expect("handle");
    let save = SaveStorageProfile {
        project: project.into(),
        input: StorageInput {
            profile: StorageProfile {
                name: "archive".into(),
                kind: "s3".into(),
                bucket: "recordings".into(),
                region: "eu-central-1".into(),
                endpoint: "http://127.0.0.1:9000".into(),
                access_key: "AKIAEXAMPLE".into(),
                force_path_style: true,
                assume_role_arn: String::new(),
                assume_role_external_id: String::new(),
                tagging: String::new(),
                content_disposition: String::new(),
                metadata: Default::default(),
            },
            credential: SecretInput::new(STORAGE_SECRET),
            create: true,
        },
    };
    app.audit()
        .run(
            save.facts(),
            Some(&p),
            storage::save_storage_profile(app.projects(), &p, &save.input),
        )
        .await
        .expect("save storage");
    let (_, d) = c.one(AuditAction::StorageProfileSave, 1, "ok", None).await;
    assert_eq!(
        (&d["name"], &d["bucket"], &d["credential_changed"]),
        (&"archive".into(), &"recordings".into(), &true.into())
    );
    let delete = DeleteStorageProfile {
        project: project.into(),
        name: "archive".into(),
    };
    app.audit()
        .run(
            delete.facts(),
            Some(&p),
            storage::delete_storage_profile(app.projects(), &p, &delete.name),
        )
        .await
        .expect("delete storage");
    let (_, d) = c
        .one(AuditAction::StorageProfileDelete, 1, "ok", None)
        .await;
    assert_eq!(d["name"], "archive");

    // Alert rules are not per project: the entry names none.
    let save = SaveAlertRule {
        rule: AlertRule {
            id: String::new(),
            name: "long queue".into(),
            condition: AlertCondition::RoomStarted,
            project: None,
            room_pattern: "support-*".into(),
            enabled: true,
        },
    };
    let facts = save.facts();
    let saved = app
        .audit()
        .run(facts, None, async {
            app.wallboard().save_alert_rule(save.rule)
        })
        .await
        .expect("save rule");
    let e = c.newest(AuditAction::AlertRuleSave, 1).await;
    assert_eq!((e.outcome.as_str(), e.project.as_deref()), ("ok", None));
    assert!(e.detail.contains("support-*"), "{}", e.detail);
    let delete = DeleteAlertRule { id: saved.id };
    app.audit()
        .run(delete.facts(), None, async {
            app.wallboard().delete_alert_rule(&delete.id)
        })
        .await
        .expect("delete rule");
    let e = c.newest(AuditAction::AlertRuleDelete, 1).await;
    assert!(e.detail.contains(&delete.id), "{}", e.detail);
    // Deleting it again: the refusal is journaled too.
    let r = app
        .audit()
        .run(delete.facts(), None, async {
            app.wallboard().delete_alert_rule(&delete.id)
        })
        .await;
    let err = r.expect_err("already gone");
    let e = c.newest(AuditAction::AlertRuleDelete, 2).await;
    assert_eq!(e.outcome, code_name(err.code));
}

pub async fn project_kinds(c: &mut Check<'_>) {
    let app = c.app;
    let bed = livekit();
    let input = |name: &str| ProjectInput {
        name: name.into(),
        url: bed.ws_url.clone(),
        api_key: bed.api_key.clone(),
        api_secret: SecretInput::new(bed.api_secret.clone()),
        allow_plaintext: false,
        guardrails: Default::default(),
    };
    let add = AddProject {
        input: input("second"),
        verify: true,
    };
    let facts = add.facts();
    let added = app
        .audit()
        .run(
            facts,
            None,
            app.projects().add_project(add.input, add.verify),
        )
        .await
        .expect("add project");
    let e = c.newest(AuditAction::ProjectAdd, 1).await;
    assert_eq!(
        (
            e.outcome.as_str(),
            e.project.as_deref(),
            e.server_url.as_deref()
        ),
        ("ok", Some("second"), Some(bed.ws_url.as_str()))
    );
    // The same name again is refused, and says so.
    let again = AddProject {
        input: input("second"),
        verify: false,
    };
    let facts = again.facts();
    let r = app
        .audit()
        .run(
            facts,
            None,
            app.projects().add_project(again.input, again.verify),
        )
        .await;
    let err = r.expect_err("duplicate name");
    let e = c.newest(AuditAction::ProjectAdd, 2).await;
    assert_eq!(e.outcome, code_name(err.code));

    let edit = UpdateProject {
        id: added.id.clone(),
        input: ProjectInput {
            api_secret: SecretInput::new(""),
            ..input("second-renamed")
        },
        verify: false,
    };
    let facts = edit.facts();
    app.audit()
        .run(
            facts,
            None,
            app.projects()
                .update_project(&edit.id, edit.input, edit.verify),
        )
        .await
        .expect("edit project");
    let e = c.newest(AuditAction::ProjectEdit, 1).await;
    assert_eq!(
        (e.outcome.as_str(), e.project.as_deref()),
        ("ok", Some("second-renamed"))
    );
    let d: Value = serde_json::from_str(&e.detail).expect("detail");
    assert_eq!(
        (&d["id"], &d["secret_changed"]),
        (&added.id.clone().into(), &false.into())
    );

    let remove = RemoveProject {
        id: added.id.clone(),
    };
    let handle = app.projects().handle(&remove.id).await.ok();
    app.audit()
        .run(
            remove.facts(),
            handle.as_ref(),
            app.projects().remove_project(&remove.id),
        )
        .await
        .expect("remove project");
    let e = c.newest(AuditAction::ProjectRemove, 1).await;
    assert_eq!(
        (e.outcome.as_str(), e.project.as_deref()),
        ("ok", Some("second-renamed"))
    );

    // Import from an lk CLI config file: one entry for the import, naming what was asked.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cli-config.yaml");
    std::fs::write(
        &path,
        format!(
            "projects:\n  - name: imported\n    url: {}\n    api_key: APIimported\n    \
             api_secret: {IMPORTED_SECRET}\n",
            bed.ws_url
        ),
    )
    .expect("write config");
    let import = ImportCliProjects {
        names: vec!["imported".into(), "absent".into()],
    };
    let report = app
        .audit()
        .run(
            import.facts(),
            None,
            earshot_core::projects::import::import_cli_projects(
                app.projects(),
                &path,
                &import.names,
            ),
        )
        .await
        .expect("import");
    assert_eq!((report.imported.len(), report.skipped.len()), (1, 1));
    let e = c.newest(AuditAction::ProjectImport, 1).await;
    assert_eq!(e.outcome, "ok");
    assert!(
        e.detail.contains("imported") && e.detail.contains("absent"),
        "{}",
        e.detail
    );
}
