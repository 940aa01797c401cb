//! Unit tests of the room and participant input rules.

use super::*;
use crate::fields::{metadata_field, name_field, MAX_METADATA_BYTES, MAX_NAME_CHARS};

#[test]
fn names_accept_unicode_and_reject_the_rest() {
    assert!(name_field("Sprechstunde – München 🎧", "name", "room name").is_ok());
    assert!(name_field("two words", "name", "room name").is_ok());
    assert!(name_field(" padded", "name", "room name").is_err());
    assert!(name_field(&"x".repeat(MAX_NAME_CHARS + 1), "name", "room name").is_err());
    assert!(name_field("tab\there", "name", "room name").is_err());
    assert!(name_field("", "name", "room name").is_err());
}

#[test]
fn room_form_names_each_bad_field() {
    let o = RoomOptions {
        name: "ok".into(),
        metadata: "x".repeat(MAX_METADATA_BYTES + 1),
        egress_json: "{not json".into(),
        agents_json: "{}".into(),
        min_playout_delay: Some(500),
        max_playout_delay: Some(100),
        ..Default::default()
    };
    let fields: Vec<_> = room_options(&o)
        .into_iter()
        .map(|e| e.field.unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "metadata",
            "egress_json",
            "agents_json",
            "max_playout_delay"
        ]
    );
    assert!(metadata_field("{\"a\": 1}", "metadata").is_ok());
    assert!(metadata_field("{\"a\": }", "metadata").is_err());
    assert!(metadata_field("plain text", "metadata").is_ok());
}

#[test]
fn clearing_a_name_or_metadata_is_refused_inline() {
    let cleared = ParticipantChanges {
        name: Some(String::new()),
        metadata: Some(String::new()),
        ..Default::default()
    };
    let errors = participant_changes(&cleared);
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, [Some("name"), Some("metadata")]);
    assert!(
        errors[0].message.contains("cannot be cleared"),
        "{errors:?}"
    );
    let fine = ParticipantChanges {
        name: Some("New".into()),
        metadata: Some("{}".into()),
        ..Default::default()
    };
    assert!(participant_changes(&fine).is_empty());
    assert_eq!(fine.summary(), "name and metadata");
    assert_eq!(ParticipantChanges::default().summary(), "nothing");
}

#[test]
fn permission_changes_carry_only_edited_flags() {
    let old = Permission {
        can_subscribe: true,
        can_publish: true,
        can_publish_sources: vec![TrackSource::Microphone, TrackSource::Camera],
        recorder: true,
        ..Default::default()
    };
    let same_sources_reordered = Permission {
        can_publish_sources: vec![TrackSource::Camera, TrackSource::Microphone],
        ..old.clone()
    };
    assert!(PermissionChanges::between(&old, &same_sources_reordered).is_empty());
    let new = Permission {
        can_publish: false,
        can_publish_data: true,
        recorder: false,
        ..old.clone()
    };
    assert_eq!(
        PermissionChanges::between(&old, &new),
        PermissionChanges {
            can_publish: Some(false),
            can_publish_data: Some(true),
            ..Default::default()
        }
    );
    let bad = ParticipantChanges {
        permission: Some(PermissionChanges {
            can_publish_sources: Some(vec![TrackSource::Unknown]),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        participant_changes(&bad)[0].field.as_deref(),
        Some("can_publish_sources")
    );
}
