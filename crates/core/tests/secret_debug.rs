//! Every type that carries a secret prints it redacted with `{:?}`, so no log line, panic
//! message or error chain can show one. The list of such types is read from the source:
//! a new struct with a secret field fails here until it is added to the table below.

use earshot_core::api::Endpoint;
use earshot_core::projects::cli::CliProjectConfig;
use earshot_core::protocol::command::{
    AddProject, CheckProjectInput, CreateSipInboundTrunk, SaveStorageProfile, UpdateProject,
};
use earshot_core::protocol::egress::StorageInput;
use earshot_core::protocol::projects::ProjectInput;
use earshot_core::protocol::sip::TrunkPassword;
use earshot_core::protocol::validate::ValidProject;
use earshot_core::protocol::SecretInput;
use earshot_core::vault::Secret;
use std::collections::BTreeSet;
use std::path::Path;

const CANARY: &str = "canary-7f3a9-secret";

fn secret() -> SecretInput {
    SecretInput::new(CANARY)
}

fn project_input() -> ProjectInput {
    ProjectInput {
        name: "p".into(),
        url: "wss://example.livekit.cloud".into(),
        api_key: "APIkey".into(),
        api_secret: secret(),
        allow_plaintext: false,
        guardrails: Default::default(),
    }
}

/// Each type holding a secret, with a value of it that holds the canary.
fn samples() -> Vec<(&'static str, String)> {
    let dbg = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let trunk = TrunkPassword {
        password: secret(),
        clear: false,
    };
    let storage = StorageInput {
        credential: secret(),
        ..Default::default()
    };
    let cli: CliProjectConfig =
        serde_json::from_value(serde_json::json!({"name": "p", "api_secret": CANARY}))
            .expect("cli entry");
    vec![
        ("ProjectInput", dbg(&project_input())),
        ("TrunkPassword", dbg(&trunk)),
        ("StorageInput", dbg(&storage)),
        (
            "ValidProject",
            dbg(&ValidProject {
                name: "p".into(),
                url: "wss://x".into(),
                api_key: "k".into(),
                api_secret: Some(secret()),
                allow_plaintext: false,
                guardrails: Default::default(),
            }),
        ),
        ("CliProjectConfig", dbg(&cli)),
        (
            "Endpoint",
            dbg(&Endpoint {
                url: "wss://x".into(),
                api_key: "k".into(),
                api_secret: Secret::new(CANARY),
            }),
        ),
        // Command arguments carry the types above; derived `Debug` must keep them redacted.
        (
            "AddProject",
            dbg(&AddProject {
                input: project_input(),
                verify: true,
            }),
        ),
        (
            "UpdateProject",
            dbg(&UpdateProject {
                id: "id".into(),
                input: project_input(),
                verify: true,
            }),
        ),
        (
            "CheckProjectInput",
            dbg(&CheckProjectInput {
                input: project_input(),
                id: None,
            }),
        ),
        (
            "CreateSipInboundTrunk",
            dbg(&CreateSipInboundTrunk {
                project: "p".into(),
                spec: Default::default(),
                password: trunk.clone(),
            }),
        ),
        (
            "SaveStorageProfile",
            dbg(&SaveStorageProfile {
                project: "p".into(),
                input: storage.clone(),
            }),
        ),
    ]
}

#[test]
fn every_secret_holder_redacts_its_debug() {
    for (name, text) in samples() {
        assert!(!text.contains(CANARY), "{name} prints its secret: {text}");
    }
}

/// Structs whose fields are typed with a secret wrapper, found in the source.
fn secret_holders(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            secret_holders(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.to_string_lossy().contains("test") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(rest) = t
                .strip_prefix("pub struct ")
                .or_else(|| t.strip_prefix("struct "))
                .or_else(|| t.strip_prefix("pub(crate) struct "))
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                current = t.ends_with('{').then_some(name);
                continue;
            }
            if t == "}" {
                current = None;
                continue;
            }
            let Some(name) = &current else { continue };
            let Some((_, ty)) = t.split_once(": ") else {
                continue;
            };
            let holds = ty
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == "SecretInput" || word == "Secret");
            if holds && !t.starts_with("//") {
                out.insert(name.clone());
            }
        }
    }
}

#[test]
fn the_table_lists_every_secret_holder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = BTreeSet::new();
    for dir in ["protocol/src", "core/src"] {
        secret_holders(&root.join(dir), &mut found);
    }
    let mut tested: BTreeSet<String> = samples().into_iter().map(|(n, _)| n.to_owned()).collect();
    // Holders with no `Debug` at all cannot print a secret: the test-only memory store.
    tested.insert("MemoryStore".into());
    let missing: Vec<_> = found.difference(&tested).collect();
    assert!(
        missing.is_empty(),
        "types holding a secret with no redaction check here: {missing:?}"
    );
    // The scan itself works: it finds the wrappers' known holders.
    assert!(
        found.contains("ProjectInput") && found.contains("Endpoint"),
        "{found:?}"
    );
}
