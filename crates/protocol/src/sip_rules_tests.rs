//! Unit tests of the SIP input rules.

use super::*;

fn fields(errors: Vec<AppError>) -> Vec<String> {
    errors.into_iter().filter_map(|e| e.field).collect()
}

#[test]
fn phone_numbers_are_e164_ish() {
    assert!(phone_number("+4930123456", "n").is_ok());
    assert!(phone_number("1001", "n").is_ok());
    let err = phone_number("+49 30 123", "n").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("n"));
    assert!(err.message.contains("E.164"), "{}", err.message);
    assert!(phone_number("+1234567890123456", "n").is_err());
    assert!(phone_number("+", "n").is_err());
    assert!(phone_number("call-me", "n").is_err());
    assert!(phone_numbers(&["+1555".into(), "+1555".into()], "n").is_err());
}

#[test]
fn addresses_and_ranges() {
    assert!(ip_or_cidr("203.0.113.7", "a").is_ok());
    assert!(ip_or_cidr("203.0.113.0/24", "a").is_ok());
    assert!(ip_or_cidr("2001:db8::/32", "a").is_ok());
    assert!(ip_or_cidr("203.0.113.0/33", "a").is_err());
    assert!(ip_or_cidr("not an ip", "a").is_err());
    assert!(ip_or_cidr("10.0.0.1/", "a").is_err());
    assert!(sip_address("sip.example.com", "a").is_ok());
    assert!(sip_address("sip.example.com:5061", "a").is_ok());
    assert!(sip_address("192.0.2.1:5060", "a").is_ok());
    assert!(sip_address("sip:sip.example.com", "a")
        .unwrap_err()
        .message
        .contains("without sip:"));
    assert!(sip_address("bad host", "a").is_err());
    assert!(sip_address("host:99999", "a").is_err());
}

#[test]
fn forms_name_each_bad_field() {
    let inbound = InboundTrunkSpec {
        name: "in".into(),
        numbers: vec!["+1 555".into()],
        allowed_addresses: vec!["10.0.0.0/40".into()],
        headers: [("bad header".into(), "v".into())].into(),
        ringing_timeout_secs: Some(0),
        ..Default::default()
    };
    assert_eq!(
        fields(inbound_trunk_errors(&inbound)),
        [
            "numbers",
            "allowed_addresses",
            "headers",
            "ringing_timeout_secs"
        ]
    );
    let outbound = OutboundTrunkSpec {
        name: "out".into(),
        address: "sip:x".into(),
        destination_country: "usa".into(),
        transport: "carrier pigeon".into(),
        ..Default::default()
    };
    assert_eq!(
        fields(outbound_trunk_errors(&outbound)),
        ["address", "destination_country", "transport", "numbers"]
    );
    let rule = DispatchRuleSpec {
        pin: "12a".into(),
        room_config_json: "[]".into(),
        ..Default::default()
    };
    assert_eq!(
        fields(dispatch_rule_errors(&rule)),
        ["room_name", "pin", "room_config_json"]
    );
    let dial = DialOut {
        call_to: "555-1234".into(),
        room_name: "r".into(),
        dtmf: "12x".into(),
        ..Default::default()
    };
    assert_eq!(
        fields(dial_out_errors(&dial)),
        ["trunk_id", "call_to", "dtmf"]
    );
    let transfer = Transfer {
        room: "r".into(),
        identity: "p".into(),
        transfer_to: "+15551234".into(),
        ..Default::default()
    };
    assert_eq!(fields(transfer_errors(&transfer)), ["transfer_to"]);
    let ok = Transfer {
        transfer_to: "sip:desk@pbx.example.com".into(),
        ..transfer
    };
    assert!(transfer_errors(&ok).is_empty());
}

#[test]
fn conflicting_inbound_numbers_are_caught() {
    let existing = vec![InboundTrunk {
        id: "ST_a".into(),
        spec: InboundTrunkSpec {
            name: "main".into(),
            numbers: vec!["+15550001".into()],
            ..Default::default()
        },
        has_auth_password: false,
    }];
    let mut spec = InboundTrunkSpec {
        name: "second".into(),
        numbers: vec!["+15550002".into(), "+15550001".into()],
        ..Default::default()
    };
    let err = inbound_conflict(&spec, None, &existing).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("numbers"));
    assert!(err.message.contains("+15550001") && err.message.contains("ST_a"));
    // Editing the trunk itself is no conflict.
    assert!(inbound_conflict(&spec, Some("ST_a"), &existing).is_ok());
    spec.numbers = vec!["+15550002".into()];
    assert!(inbound_conflict(&spec, None, &existing).is_ok());
}
