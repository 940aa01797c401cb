//! The vault and projects on a real Secret Service (run inside dbus-run-session with an
//! unlocked gnome-keyring, as scripts/test.sh does).

use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::settings::{MemorySettings, SettingsStore};
use earshot_core::vault::{KeychainStore, Secret, SecretStore, Vault};
use earshot_core::Earshot;
use std::sync::Arc;

fn service() -> String {
    format!("earshot-test-{}", std::process::id())
}

#[test]
fn secret_round_trips_through_the_os_keychain() {
    let store = KeychainStore::new(service());
    let account = "project:roundtrip";
    store
        .set(account, &Secret::new("tr0ub4dor&3"))
        .expect("keychain reachable (run via scripts/test.sh)");
    assert_eq!(store.get(account).unwrap().unwrap().expose(), "tr0ub4dor&3");
    store.set(account, &Secret::new("correct horse")).unwrap();
    assert_eq!(
        store.get(account).unwrap().unwrap().expose(),
        "correct horse"
    );
    store.delete(account).unwrap();
    assert!(store.get(account).unwrap().is_none());
    store
        .delete(account)
        .expect("deleting a missing entry is fine");
}

#[tokio::test]
async fn project_crud_keeps_secret_in_keychain_only() {
    let keychain = KeychainStore::new(service());
    let settings = Arc::new(MemorySettings::default());
    let app = Earshot::new(settings.clone(), Vault::new(keychain.clone()));
    let secret = format!("canary-{}", std::process::id());
    let added = app
        .projects()
        .add_project(
            ProjectInput {
                name: "Crud".into(),
                url: "http://127.0.0.1:9".into(),
                api_key: "APIcrud".into(),
                api_secret: SecretInput::new(secret.clone()),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(added.url, "ws://127.0.0.1:9");
    assert!(added.is_default);
    let account = format!("project:{}", added.id);
    assert_eq!(keychain.get(&account).unwrap().unwrap().expose(), secret);
    let stored = serde_json::to_string(&settings.entries()).unwrap();
    assert!(
        !stored.contains(&secret),
        "secret leaked into settings: {stored}"
    );

    // Duplicate names are refused (case-insensitively), nothing stored.
    let dup = app
        .projects()
        .add_project(
            ProjectInput {
                name: "crud".into(),
                url: "ws://127.0.0.1:9".into(),
                api_key: "k".into(),
                api_secret: SecretInput::new("x"),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (dup.code, dup.field.as_deref()),
        (ErrorCode::DuplicateName, Some("name"))
    );

    // Edit with an empty secret keeps the stored one on the same server; another server
    // needs it typed again.
    let edit = |url: &str| ProjectInput {
        name: "Crud renamed".into(),
        url: url.into(),
        api_key: "APIcrud2".into(),
        api_secret: SecretInput::default(),
        allow_plaintext: false,
        guardrails: Default::default(),
    };
    let moved = app
        .projects()
        .update_project(&added.id, edit("wss://lk.example.com"), false)
        .await
        .unwrap_err();
    assert_eq!(moved.field.as_deref(), Some("api_secret"), "{moved:?}");
    let edited = app
        .projects()
        .update_project(&added.id, edit("ws://127.0.0.1:9"), false)
        .await
        .unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.url.as_str()),
        ("Crud renamed", "ws://127.0.0.1:9")
    );
    assert_eq!(keychain.get(&account).unwrap().unwrap().expose(), secret);

    // Invalid input never reaches the keychain or the settings.
    let before = settings.entries();
    let bad = app
        .projects()
        .update_project(
            &added.id,
            ProjectInput {
                name: "x".into(),
                url: "ftp://x".into(),
                api_key: "k".into(),
                api_secret: SecretInput::new("new-secret"),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidUrl);
    assert_eq!(settings.entries(), before);
    assert_eq!(keychain.get(&account).unwrap().unwrap().expose(), secret);

    // A second project, switch, default, remove.
    let second = app
        .projects()
        .add_project(
            ProjectInput {
                name: "Second".into(),
                url: "ws://127.0.0.1:10".into(),
                api_key: "k2".into(),
                api_secret: SecretInput::new("s2"),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .unwrap();
    assert!(!second.is_default);
    let view = app
        .projects()
        .set_default_project(&second.id)
        .await
        .unwrap();
    assert!(
        view.projects
            .iter()
            .find(|p| p.id == second.id)
            .unwrap()
            .is_default
    );

    // A fresh core over the same settings sees the same projects.
    let reopened = Earshot::new(settings.clone(), Vault::new(keychain.clone()));
    let names: Vec<_> = reopened
        .projects()
        .list_projects()
        .projects
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Crud renamed", "Second"]);
    // The default (the project opened at start-up) is what persists; which project a
    // page shows is the UI's route, not the core's.
    assert_eq!(
        reopened.projects().default_project().ok().as_deref(),
        Some(second.id.as_str())
    );

    let view = app.projects().remove_project(&added.id).await.unwrap();
    assert_eq!(view.projects.len(), 1);
    assert!(
        keychain.get(&account).unwrap().is_none(),
        "secret removed with the project"
    );
    app.projects().remove_project(&second.id).await.unwrap();
    assert!(settings.entries().is_empty(), "{:?}", settings.entries());
}
