//! Property tests over every validator and parser of user input in the protocol crate:
//! 10,000 generated inputs each, from arbitrary Unicode and from URL-, JSON- and name-shaped
//! text that reaches the deeper branches. None may panic; every refusal is a specific error
//! naming its field; accepted URLs and names round-trip (validating the output again gives
//! the same output).

use earshot_protocol::admin::{DataMessage, ParticipantChanges, RoomOptions};
use earshot_protocol::agents::NewAgentDispatch;
use earshot_protocol::egress::AdvancedEncoding;
use earshot_protocol::egress::{EgressRequest, StorageInput};
use earshot_protocol::guardrails::Guardrails;
use earshot_protocol::ingress::IngressSpec;
use earshot_protocol::projects::ProjectInput;
use earshot_protocol::sip::{
    DialOut, DispatchRuleSpec, InboundTrunkSpec, OutboundTrunkSpec, Transfer,
};
use earshot_protocol::tokens::TokenRequest;
use earshot_protocol::wallboard::{AlertCondition, AlertRule};
use earshot_protocol::{egress_rules, fields, listen, sip_rules, validate, wallboard, SecretInput};
use proptest::prelude::*;
use serde_json::Value;

const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Arbitrary text, and text shaped like what each field expects.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(ws|wss|http|https|ftp|rtmp|srt|sip)?(://)?[a-zA-Z0-9.:@/?#%\\[\\]_ -]{0,40}",
        "[\\[{\"a-z0-9:,. }\\]]{0,30}",
        "[a-zA-Z0-9_ .+*-]{0,70}",
        "\\+?[0-9 ()-]{0,20}",
        "[0-9./:a-f]{0,24}",
    ]
}

/// The error names the field it belongs to and says something.
fn specific(e: &earshot_protocol::AppError) -> bool {
    !e.message.trim().is_empty() && e.field.as_deref().is_some_and(|f| !f.is_empty())
}

/// A form of type `T` from its default: each string field, and each empty list or map (a
/// form's numbers, addresses, headers, attributes), in turn replaced by generated strings
/// (cycled), each replacement kept only if the form still has `T`'s shape (a choice such as
/// a rule kind keeps its valid value).
fn form<T: serde::Serialize + serde::de::DeserializeOwned + Default>(strings: &[String]) -> T {
    let mut value = serde_json::to_value(T::default()).expect("template");
    let mut i = 0;
    let mut next = || {
        let s = strings[i % strings.len()].clone();
        i += 1;
        s
    };
    for path in leaves(&value, "") {
        let replacement = match value.pointer(&path) {
            Some(Value::String(_)) => Value::String(next()),
            Some(Value::Array(_)) => {
                Value::Array(vec![Value::String(next()), Value::String(next())])
            }
            Some(Value::Object(_)) => {
                Value::Object([(next(), Value::String(next()))].into_iter().collect())
            }
            _ => continue,
        };
        let Some(slot) = value.pointer_mut(&path) else {
            continue;
        };
        let old = std::mem::replace(slot, replacement);
        if serde_json::from_value::<T>(value.clone()).is_err() {
            if let Some(slot) = value.pointer_mut(&path) {
                *slot = old;
            }
        }
    }
    serde_json::from_value(value).expect("only shape-keeping replacements were kept")
}

/// JSON pointers of the string fields and empty lists and maps in `v`.
fn leaves(v: &Value, at: &str) -> Vec<String> {
    match v {
        Value::String(_) => vec![at.to_owned()],
        Value::Array(items) if items.is_empty() => vec![at.to_owned()],
        Value::Object(map) if map.is_empty() && !at.is_empty() => vec![at.to_owned()],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(n, item)| leaves(item, &format!("{at}/{n}")))
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, item)| {
                leaves(
                    item,
                    &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn server_urls(raw in text()) {
        match validate::server_url(&raw) {
            Ok(url) => {
                prop_assert!(url.starts_with("ws://") || url.starts_with("wss://"), "{url}");
                prop_assert_eq!(validate::server_url(&url).ok(), Some(url.clone()));
                let _ = validate::http_url(&url);
                let _ = validate::plaintext_public_host(&url);
                let _ = validate::plaintext_leaves_machine(&url);
            }
            Err(e) => prop_assert!(specific(&e) && e.field.as_deref() == Some("url"), "{e:?}"),
        }
        let _ = validate::is_local_host(&raw);
    }

    #[test]
    fn names_keys_and_secrets(raw in text()) {
        match validate::project_name(&raw) {
            Ok(name) => prop_assert_eq!(validate::project_name(&name).ok(), Some(name.clone())),
            Err(e) => prop_assert!(specific(&e), "{e:?}"),
        }
        match validate::api_key(&raw) {
            Ok(key) => prop_assert_eq!(validate::api_key(&key).ok(), Some(key.clone())),
            Err(e) => prop_assert!(specific(&e), "{e:?}"),
        }
        match validate::api_secret(&raw) {
            Ok(secret) => prop_assert!(validate::api_secret(secret.expose()).is_ok()),
            // The message never echoes what was typed.
            Err(e) => prop_assert!(specific(&e) && (raw.trim().len() < 4 || !e.message.contains(raw.trim())), "{e:?}"),
        }
    }

    #[test]
    fn project_forms(name in text(), url in text(), key in text(), secret in text(), plain in any::<bool>(), minutes in any::<u32>(), monitors in any::<u32>()) {
        let guardrails = Guardrails { max_listen_minutes: minutes, max_monitors_per_room: monitors };
        let input = ProjectInput { name, url, api_key: key, api_secret: SecretInput::new(secret), allow_plaintext: plain, guardrails };
        for required in [true, false] {
            match validate::project_form(&input, required) {
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    prop_assert!(errors.iter().all(specific), "{errors:?}");
                }
                // Out-of-range limits are never accepted.
                Ok(valid) => prop_assert!(valid.guardrails.check().is_empty() && valid.guardrails == guardrails),
            }
        }
    }

    #[test]
    fn shared_fields(raw in text(), key in text(), value in text()) {
        for result in [
            fields::name_field(&raw, "room", "room name"),
            fields::metadata_field(&raw, "metadata"),
            fields::json_field(&raw, "agents_json", true),
            fields::json_field(&raw, "metadata", false),
            fields::attributes_field(&[(key.clone(), value.clone())].into(), "attributes"),
            fields::url_with(&raw, &["http", "https"], "endpoint"),
            earshot_protocol::ingress::pull_url(&raw),
            sip_rules::phone_number(&raw, "number"),
            sip_rules::phone_numbers(&[raw.clone(), key.clone()], "numbers"),
            sip_rules::ip_or_cidr(&raw, "allowed"),
            sip_rules::sip_address(&raw, "address"),
            sip_rules::header_map(&[(key.clone(), value.clone())].into(), "headers"),
            sip_rules::choice(&raw, &["udp", "tcp", "tls"], "transport"),
        ] {
            if let Err(e) = result {
                prop_assert!(specific(&e), "{e:?}");
            }
        }
        let _ = wallboard::pattern_matches(&raw, &key);
        let _ = egress_rules::stream_update_errors(&raw, std::slice::from_ref(&key), std::slice::from_ref(&value));
    }

    #[test]
    fn forms(strings in prop::collection::vec(text(), 1..8)) {
        let errors = [
            egress_rules::egress_errors(&form::<EgressRequest>(&strings)),
            egress_rules::storage_errors(&form::<StorageInput>(&strings), None),
            earshot_protocol::admin::room_options(&form::<RoomOptions>(&strings)),
            earshot_protocol::admin::data_message(&form::<DataMessage>(&strings)),
            earshot_protocol::agents::dispatch_errors(&form::<NewAgentDispatch>(&strings)),
            earshot_protocol::tokens::token_request(&form::<TokenRequest>(&strings)),
            sip_rules::inbound_trunk_errors(&form::<InboundTrunkSpec>(&strings)),
            sip_rules::outbound_trunk_errors(&form::<OutboundTrunkSpec>(&strings)),
            sip_rules::dispatch_rule_errors(&form::<DispatchRuleSpec>(&strings)),
            sip_rules::dial_out_errors(&form::<DialOut>(&strings)),
            sip_rules::transfer_errors(&form::<Transfer>(&strings)),
            earshot_protocol::ingress::ingress_errors(&form::<IngressSpec>(&strings)),
            earshot_protocol::admin::participant_changes(&form::<ParticipantChanges>(&strings)),
            egress_rules::encoding_errors(&form::<AdvancedEncoding>(&strings)),
        ];
        for e in errors.iter().flatten() {
            prop_assert!(specific(e), "{e:?}");
        }
    }

    #[test]
    fn alert_rules(name in text(), key in text(), value in text(), pattern in text(), n in any::<u32>(), kind in 0..6u8, project in prop::option::of(text())) {
        let condition = match kind {
            0 => AlertCondition::RoomStarted,
            1 => AlertCondition::RoomEnded,
            2 => AlertCondition::ParticipantsAbove { count: n },
            3 => AlertCondition::AttributeJoined { key, value },
            4 => AlertCondition::QualityPoor { seconds: n },
            _ => AlertCondition::Silence { seconds: n },
        };
        let rule = AlertRule { id: String::new(), name, condition, project, room_pattern: pattern, enabled: true };
        for e in wallboard::alert_rule(&rule) {
            prop_assert!(specific(&e), "{e:?}");
        }
    }

    #[test]
    fn audio_frames(raw in text(), samples in prop::collection::vec(-1.0f32..=1.0, listen::FRAME_SAMPLES)) {
        let _ = listen::decode_audio_frame(&raw);
        let wire = listen::encode_audio_frame(&samples);
        let back = listen::decode_audio_frame(&wire).expect("own frames decode");
        prop_assert_eq!(back.len(), samples.len());
        for (a, b) in samples.iter().zip(&back) {
            prop_assert!((a - b).abs() <= 1.0 / 16_000.0, "{a} -> {b}");
        }
    }
}
