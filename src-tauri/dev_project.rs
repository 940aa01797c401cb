//! The "Local dev server" project the README's run command preconfigures, from
//! `EARSHOT_DEV_URL`, `EARSHOT_DEV_API_KEY` and `EARSHOT_DEV_API_SECRET`.

use crate::Core;
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::SecretInput;

/// Name of the preconfigured project.
pub const NAME: &str = "Local dev server";

/// Adds the dev project (secret into the keychain like any other) if the variables are set.
pub fn ensure_from_env(core: Core) {
    let (Ok(url), Ok(key), Ok(secret)) = (
        std::env::var("EARSHOT_DEV_URL"),
        std::env::var("EARSHOT_DEV_API_KEY"),
        std::env::var("EARSHOT_DEV_API_SECRET"),
    ) else {
        return;
    };
    // Nothing later in the process needs it; the webview's children need not inherit it.
    std::env::remove_var("EARSHOT_DEV_API_SECRET");
    let input = ProjectInput {
        name: NAME.into(),
        url,
        api_key: key,
        api_secret: SecretInput::new(secret),
        allow_plaintext: false,
        guardrails: Default::default(),
    };
    tauri::async_runtime::block_on(async move {
        match core.projects().ensure_project(input).await {
            Ok(id) => tracing::info!(project = %id, "dev project ready"),
            Err(err) => {
                tracing::error!(code = ?err.code, "could not add the dev project: {}", err.message)
            }
        }
    });
}
