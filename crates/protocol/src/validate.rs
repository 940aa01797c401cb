//! Input rules shared by the UI (inline, as the user types) and the backend (authoritative).

use crate::projects::ProjectInput;
use crate::{AppError, ErrorCode, SecretInput};

/// Longest project name we accept.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest API key or secret we accept (LiveKit's are far shorter).
pub const MAX_KEY_CHARS: usize = 256;

/// A project name: trimmed, 1..=64 characters, no control characters.
pub fn project_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            "name",
            "Give the project a name.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            "name",
            format!("Names are at most {MAX_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            "name",
            "Names cannot contain control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// An API key: trimmed, non-empty, printable ASCII without spaces.
pub fn api_key(raw: &str) -> Result<String, AppError> {
    credential(raw, "api_key", "API key")
}

/// An API secret: same rules as a key, but the message never echoes it, and the trimmed
/// value stays in the redacting, wiped-on-drop wrapper.
pub fn api_secret(raw: &str) -> Result<SecretInput, AppError> {
    credential(raw, "api_secret", "API secret").map(SecretInput::new)
}

fn credential(raw: &str, field: &str, what: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            field,
            format!("Enter the {what}."),
        ));
    }
    if value.len() > MAX_KEY_CHARS {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            field,
            format!("The {what} is longer than {MAX_KEY_CHARS} characters; check what was pasted."),
        ));
    }
    if !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::field(
            ErrorCode::InvalidInput,
            field,
            format!("The {what} may only contain printable ASCII without spaces."),
        ));
    }
    Ok(value.to_owned())
}

/// Normalises a LiveKit server URL to its signal form: `ws(s)://host[:port][/path]`.
///
/// Accepts `ws`, `wss`, `http` and `https` (http maps to ws, https to wss). A bare host
/// means `wss://`, except loopback hosts, which mean `ws://` as a dev server is plain.
pub fn server_url(raw: &str) -> Result<String, AppError> {
    let bad = |msg: String| AppError::field(ErrorCode::InvalidUrl, "url", msg);
    let text = raw.trim();
    if text.is_empty() {
        return Err(bad(
            "Enter the server URL, e.g. wss://my-project.livekit.cloud.".into(),
        ));
    }
    let (scheme, rest) = match text.find("://") {
        Some(i) => (text[..i].to_ascii_lowercase(), &text[i + 3..]),
        None => (String::new(), text),
    };
    let secure = match scheme.as_str() {
        "wss" | "https" => Some(true),
        "ws" | "http" => Some(false),
        "" => None,
        other => {
            return Err(bad(format!(
                "'{other}://' is not supported; use wss://, ws://, https:// or http://."
            )))
        }
    };
    if rest.contains(['?', '#']) {
        return Err(bad(
            "Remove the query or fragment (after ? or #) from the URL.".into(),
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad(
            "Don't put credentials in the URL; use the API key fields.".into(),
        ));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "The URL path contains spaces or control characters.".into()
        ));
    }
    let (host, port) = split_host_port(authority).map_err(bad)?;
    let host = host.to_ascii_lowercase();
    let secure = secure.unwrap_or(!is_loopback(&host));
    let mut out = format!("{}://{}", if secure { "wss" } else { "ws" }, host);
    if let Some(port) = port {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(path);
    Ok(out)
}

/// The HTTP(S) base URL for the server APIs, from a normalised signal URL.
pub fn http_url(signal_url: &str) -> String {
    if let Some(rest) = signal_url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = signal_url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        signal_url.to_owned()
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    if authority.is_empty() {
        return Err("The URL has no host name.".into());
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']').ok_or("An IPv6 address must end with ']'.")?;
        let host = &authority[..end + 2];
        let tail = &rest[end + 1..];
        let port = match tail.strip_prefix(':') {
            Some(p) => Some(p),
            None if tail.is_empty() => None,
            None => return Err("Unexpected text after the IPv6 address.".into()),
        };
        if !rest[..end]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("That is not a valid IPv6 address.".into());
        }
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("The URL has no host name.".into());
    }
    if !host.starts_with('[') {
        let valid = host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        if !valid || host.len() > 253 {
            return Err(format!("'{host}' is not a valid host name."));
        }
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(format!("'{p}' is not a valid port (1-65535).")),
        },
    };
    Ok((host, port))
}

/// The host of a URL as [`server_url`] writes it, parsed as an address when it is one.
fn ip_of(host: &str) -> Option<std::net::IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// `localhost` or a loopback address (parsed: `127.example.com` is a name, not loopback).
fn is_loopback(host: &str) -> bool {
    host == "localhost" || ip_of(host).is_some_and(|ip| canonical(ip).is_loopback())
}

/// IPv4-mapped IPv6 addresses judged as the IPv4 address they carry.
fn canonical(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        v4 => v4,
    }
}

/// Whether traffic to `host` stays on this machine or a private network: loopback, RFC 1918,
/// link-local, IPv6 unique-local. Only addresses count; a name may resolve anywhere.
pub fn is_local_host(host: &str) -> bool {
    if is_loopback(host) {
        return true;
    }
    match ip_of(host).map(canonical) {
        Some(std::net::IpAddr::V4(v4)) => v4.is_private() || v4.is_link_local(),
        Some(std::net::IpAddr::V6(v6)) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

/// The host of a normalised signal URL when it is plain `ws://` to a host that is not
/// local (see [`is_local_host`]): tokens would cross a network unencrypted.
pub fn plaintext_public_host(signal_url: &str) -> Option<&str> {
    let rest = signal_url.strip_prefix("ws://")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match split_host_port(authority) {
        Ok((host, _)) => host,
        Err(_) => authority,
    };
    (!is_local_host(host)).then_some(host)
}

/// Whether a normalised signal URL is plain `ws://` to anything but this machine.
pub fn plaintext_leaves_machine(signal_url: &str) -> bool {
    signal_url.strip_prefix("ws://").is_some_and(|rest| {
        let authority = rest.split('/').next().unwrap_or(rest);
        let host = split_host_port(authority).map_or(authority, |(host, _)| host);
        !is_loopback(host)
    })
}

/// The error for plain `ws://` to `host` without the project's opt-in.
pub fn plaintext_refused(host: &str) -> AppError {
    AppError::field(
        ErrorCode::InvalidUrl,
        "url",
        format!(
            "ws:// would send tokens to {host} unencrypted. Use wss://, or allow an unencrypted \
             connection for this project if the network between is trusted."
        ),
    )
}

/// A fully validated project form: normalised name, URL, key and (optional) secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProject {
    pub name: String,
    pub url: String,
    pub api_key: String,
    /// `None` when the form left the secret empty (allowed on edit only).
    pub api_secret: Option<SecretInput>,
    /// Plain `ws://` to a non-local host was allowed explicitly.
    pub allow_plaintext: bool,
    pub guardrails: crate::guardrails::Guardrails,
}

/// Validates a whole project form, returning every field's error (empty when valid).
pub fn project_form(
    input: &ProjectInput,
    secret_required: bool,
) -> Result<ValidProject, Vec<AppError>> {
    let name = project_name(&input.name);
    let url = server_url(&input.url).and_then(|url| match plaintext_public_host(&url) {
        Some(host) if !input.allow_plaintext => Err(plaintext_refused(host)),
        _ => Ok(url),
    });
    let key = api_key(&input.api_key);
    let secret = if input.api_secret.is_empty() && !secret_required {
        Ok(None)
    } else {
        api_secret(input.api_secret.expose()).map(Some)
    };
    let limits = input.guardrails.check();
    match (name, url, key, secret) {
        (Ok(name), Ok(url), Ok(api_key), Ok(api_secret)) if limits.is_empty() => Ok(ValidProject {
            name,
            url,
            api_key,
            api_secret,
            allow_plaintext: input.allow_plaintext,
            guardrails: input.guardrails,
        }),
        (name, url, key, secret) => Err([name.err(), url.err(), key.err(), secret.err()]
            .into_iter()
            .flatten()
            .chain(limits)
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_count_as_local() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.20",
            "169.254.1.1",
            "[fd00::1]",
            "[fe80::1]",
            "[::ffff:192.168.1.1]",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "127.example.com",
            "10.example.com",
            "localhost.evil.com",
            "172.32.0.1",
            "8.8.8.8",
            "[2001:db8::1]",
            "[::ffff:8.8.8.8]",
            "my-server.lan",
            "192.169.0.1",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
        // A name that starts like loopback is not loopback: it gets wss:// by default.
        assert_eq!(
            server_url("127.example.com").unwrap(),
            "wss://127.example.com"
        );
        assert_eq!(server_url("127.0.0.1:7880").unwrap(), "ws://127.0.0.1:7880");
    }

    #[test]
    fn plaintext_to_a_public_host_needs_the_opt_in() {
        let input = |url: &str, allow: bool| ProjectInput {
            name: "p".into(),
            url: url.into(),
            api_key: "k".into(),
            api_secret: crate::SecretInput::new("s"),
            allow_plaintext: allow,
            guardrails: Default::default(),
        };
        let errs = project_form(&input("ws://livekit.example.com", false), true).unwrap_err();
        assert_eq!(errs[0].field.as_deref(), Some("url"));
        assert!(
            errs[0].message.contains("unencrypted"),
            "{}",
            errs[0].message
        );
        assert!(project_form(&input("http://8.8.8.8:7880", false), true).is_err());
        let allowed = project_form(&input("ws://livekit.example.com", true), true).unwrap();
        assert!(allowed.allow_plaintext);
        for url in [
            "ws://127.0.0.1:7880",
            "ws://192.168.1.20:7880",
            "ws://[fd00::2]:7880",
            "wss://livekit.example.com",
        ] {
            assert!(project_form(&input(url, false), true).is_ok(), "{url}");
        }
        assert!(plaintext_leaves_machine("ws://192.168.1.20:7880"));
        assert!(!plaintext_leaves_machine("ws://127.0.0.1:7880"));
        assert!(!plaintext_leaves_machine("wss://livekit.example.com"));
    }

    #[test]
    fn urls_normalise() {
        let ok = |raw: &str, want: &str| assert_eq!(server_url(raw).unwrap(), want, "{raw}");
        ok("wss://Demo.LiveKit.cloud/", "wss://demo.livekit.cloud");
        ok("https://demo.livekit.cloud", "wss://demo.livekit.cloud");
        ok("http://127.0.0.1:7880", "ws://127.0.0.1:7880");
        ok("  ws://localhost:7880  ", "ws://localhost:7880");
        ok("demo.livekit.cloud", "wss://demo.livekit.cloud");
        ok("localhost:7880", "ws://localhost:7880");
        ok(
            "wss://lk.example.com:8443/livekit/",
            "wss://lk.example.com:8443/livekit",
        );
        ok("ws://[::1]:7880", "ws://[::1]:7880");
    }

    #[test]
    fn bad_urls_are_named() {
        for raw in [
            "",
            "ftp://x.com",
            "wss://",
            "wss://a b.com",
            "wss://x.com:99999",
            "wss://x.com:0",
            "wss://user:pw@x.com",
            "wss://x.com/?a=1",
            "wss://-x.com",
            "wss://[::1",
            "not a url at all",
        ] {
            let err = server_url(raw).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidUrl, "{raw}");
            assert_eq!(err.field.as_deref(), Some("url"));
        }
    }

    #[test]
    fn http_url_maps_schemes() {
        assert_eq!(http_url("wss://a.b"), "https://a.b");
        assert_eq!(http_url("ws://127.0.0.1:7880"), "http://127.0.0.1:7880");
    }

    #[test]
    fn form_reports_every_field() {
        let input = ProjectInput {
            name: " ".into(),
            url: "ftp://x".into(),
            ..Default::default()
        };
        let errs = project_form(&input, true).unwrap_err();
        let fields: Vec<_> = errs.iter().filter_map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["name", "url", "api_key", "api_secret"]);
    }

    #[test]
    fn secret_optional_on_edit_and_never_echoed() {
        let mut input = ProjectInput {
            name: "P".into(),
            url: "ws://localhost:7880".into(),
            api_key: "devkey".into(),
            ..Default::default()
        };
        assert_eq!(project_form(&input, false).unwrap().api_secret, None);
        input.api_secret = crate::SecretInput::new("has space");
        let errs = project_form(&input, false).unwrap_err();
        assert!(!errs[0].message.contains("has space"));
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(project_name("  Prod  ").unwrap(), "Prod");
        assert!(project_name(&"x".repeat(65)).is_err());
        assert!(project_name("a\u{7}b").is_err());
        assert_eq!(project_name("Ünïcødé 会议").unwrap(), "Ünïcødé 会议");
    }
}
