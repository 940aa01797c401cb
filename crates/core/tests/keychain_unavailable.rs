//! Without a Secret Service, the vault says so clearly and nothing is stored elsewhere.
//! (Its own test binary: it points this process at a D-Bus address that does not exist.)

use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::{ErrorCode, SecretInput};
use earshot_core::settings::{MemorySettings, SettingsStore};
use earshot_core::vault::Vault;
use earshot_core::Earshot;
use std::sync::Arc;

#[tokio::test]
async fn no_keychain_means_a_clear_error_and_nothing_saved() {
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/earshot-test-bus",
    );
    let settings = Arc::new(MemorySettings::default());
    let app = Earshot::new(settings.clone(), Vault::keychain());
    let err = app
        .projects()
        .add_project(
            ProjectInput {
                name: "No keychain".into(),
                url: "ws://127.0.0.1:9".into(),
                api_key: "k".into(),
                api_secret: SecretInput::new("never-stored"),
                allow_plaintext: false,
                guardrails: Default::default(),
            },
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::KeychainUnavailable, "{}", err.message);
    assert!(err.message.contains("Secret Service"), "{}", err.message);
    assert!(!err.message.contains("never-stored"));
    assert!(settings.entries().is_empty());
}
