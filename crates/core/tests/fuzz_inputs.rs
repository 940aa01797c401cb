//! Property tests over the parsers in core that read what users paste or what sits on
//! disk: token inspection, the lk CLI config and the settings file, 10,000 inputs each. None
//! may panic; each refusal is a specific error that never quotes the input.

use earshot_core::projects::cli;
use earshot_core::settings::check_file;
use earshot_core::tokens::inspect;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Token-shaped text: three base64url-ish parts, or JSON in the middle part.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9_=-]{0,40}\\.[A-Za-z0-9_=-]{0,80}\\.[A-Za-z0-9_=-]{0,40}",
        "[{}\":a-z0-9, ]{0,60}".prop_map(|claims| {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.sig",
                b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
                b64.encode(claims)
            )
        }),
    ]
}

/// YAML-ish and JSON-ish bytes, and arbitrary ones.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        "(projects:|default_project:|  - name:| url:| api_key:| api_secret:|\n|[a-z0-9 :\\[\\]{},\"-]){0,30}"
            .prop_map(String::into_bytes),
        "[{}\\[\\]\":,a-z0-9. ]{0,60}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_inspection(raw in token()) {
        match inspect(None, &raw) {
            Ok(found) => prop_assert!(!found.verified),
            Err(e) => prop_assert!(e.field.as_deref() == Some("token") && !e.message.is_empty(), "{e:?}"),
        }
    }

    #[test]
    fn cli_config_files(bytes in file_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cli-config.yaml");
        std::fs::write(&path, &bytes).unwrap();
        match cli::read(&path) {
            Ok(config) => {
                for p in &config.projects {
                    let _ = p.problem();
                }
            }
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                // Anything longer than a word that was in the file is not in the message
                // (the path is; it is not the file's content).
                let text = String::from_utf8_lossy(&bytes);
                for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 12) {
                    prop_assert!(!e.message.contains(word), "{} quotes {word}", e.message);
                }
            }
        }
    }

    #[test]
    fn settings_files(bytes in file_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, &bytes).unwrap();
        let check = check_file(&path);
        // A file that is not a JSON object is moved aside, never lost or overwritten.
        let object = matches!(serde_json::from_slice::<serde_json::Value>(&bytes), Ok(serde_json::Value::Object(_)));
        prop_assert_eq!(check.problems.is_empty(), object);
        let kept = std::fs::read_dir(dir.path()).unwrap().count();
        prop_assert_eq!(kept, 1);
    }
}
