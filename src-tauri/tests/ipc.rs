//! The shell's commands through Tauri's IPC layer (mock runtime), with the exact JSON the
//! UI sends, against the real test bed server.

use earshot_core::protocol::COMMANDS;
use earshot_core::vault::{MemoryStore, Vault};
use earshot_shell::{builder, init, Options};
use earshot_testbed::{livekit, unique_room};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    /// Every reply (success or error) as JSON text, to check nothing leaks back to the UI.
    replies: std::cell::RefCell<Vec<String>>,
}

impl Harness {
    fn new(dir: &Path, secrets: Arc<MemoryStore>) -> Self {
        let options = Options {
            data_dir: Some(dir.to_owned()),
            vault: Some(Vault::new(secrets)),
            // Where the app reads the lk CLI config (the webview never names a path).
            cli_config: Some(dir.join("cli-config.yaml")),
        };
        // The app's real context: its capabilities decide what the window may invoke.
        let context = tauri::generate_context!("tauri.conf.json", test = true);
        let app = builder(mock_builder()).build(context).expect("app builds");
        init(app.handle(), options).expect("core starts");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window");
        Self {
            _app: app,
            window,
            replies: Default::default(),
        }
    }

    /// Invokes `cmd` with `body` exactly as `window.__TAURI__.core.invoke(cmd, body)` would.
    fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let reply = get_ipc_response(&self.window, request)
            .map(|b| b.deserialize::<Value>().expect("json reply"));
        let text = match &reply {
            Ok(v) | Err(v) => v.to_string(),
        };
        self.replies.borrow_mut().push(text);
        reply
    }

    fn ok(&self, cmd: &str, body: Value) -> Value {
        self.invoke(cmd, body)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err_code(&self, cmd: &str, body: Value) -> String {
        let err = self.invoke(cmd, body).expect_err(cmd);
        err["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{cmd}: not an AppError: {err}"))
            .to_owned()
    }
}

#[test]
fn the_store_plugin_never_saves_the_settings_itself() {
    use tauri_plugin_store::StoreExt;
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(dir.path(), Default::default());
    h.ok(
        "add_project",
        json!({"args": {"input": {"name": "P", "url": "ws://127.0.0.1:9", "api_key": "k", "api_secret": "s"}, "verify": false}}),
    );
    // Stores the plugin holds are saved by it on exit with a plain, truncating write.
    assert!(
        h._app.get_store(dir.path().join("settings.json")).is_none(),
        "the settings store is in the plugin's table, so the plugin rewrites it on exit"
    );
    let text = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(text.contains("\"P\""), "{text}");
}

#[test]
fn plugin_commands_the_app_does_not_grant_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.json"), "{}").unwrap();
    let h = Harness::new(dir.path(), Default::default());
    // The plugins are there for the backend; the page may call none of their commands.
    for (cmd, body) in [
        ("plugin:store|load", json!({"path": "settings.json"})),
        ("plugin:store|save", json!({"rid": 1})),
        ("plugin:dialog|open", json!({"options": {}})),
        (
            "plugin:notification|notify",
            json!({"options": {"title": "x"}}),
        ),
        ("plugin:notification|request_permission", json!({})),
    ] {
        let err = h.invoke(cmd, body).expect_err(cmd).to_string();
        assert!(
            err.contains("not allowed") || err.contains("denied"),
            "{cmd}: {err}"
        );
    }
    // A granted command still works through the same path.
    h.ok("list_projects", json!({"args": {}}));
}

#[test]
fn every_protocol_command_is_registered() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(dir.path(), Default::default());
    for cmd in COMMANDS {
        let err = h.invoke(cmd, json!({})).expect_err("no args must fail");
        let text = err.to_string();
        assert!(
            !text.contains("not found"),
            "{cmd} is not registered: {text}"
        );
        assert!(text.contains("args"), "{cmd}: {text}");
    }
    let unknown = h
        .invoke("no_such_command", json!({"args": {}}))
        .unwrap_err();
    assert!(unknown.to_string().contains("not found"), "{unknown}");
}

#[test]
fn project_and_room_commands_round_trip_the_ui_json() {
    let bed = livekit();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let h = Harness::new(dir.path(), secrets.clone());
    let secret_canary = bed.api_secret.clone();

    let empty = h.ok("list_projects", json!({"args": {}}));
    assert_eq!(empty, json!({"projects": [], "problems": []}));

    // Wrong secret: a specific code, nothing stored.
    let input = |secret: &str| json!({"name": "Local", "url": bed.http_url, "api_key": bed.api_key, "api_secret": secret});
    assert_eq!(
        h.err_code(
            "add_project",
            json!({"args": {"input": input("wrong"), "verify": true}})
        ),
        "invalid_credentials"
    );
    // Only project secrets count here (the journal keeps its chain key in the vault too).
    let project_secrets = |s: &MemoryStore| {
        s.accounts()
            .into_iter()
            .filter(|a| a != earshot_core::audit::CHAIN_KEY_ACCOUNT)
            .count()
    };
    assert_eq!(project_secrets(&secrets), 0);
    let invalid = h.invoke("add_project", json!({"args": {"input": {"name": "", "url": "ftp://x", "api_key": "k", "api_secret": "s"}, "verify": true}})).unwrap_err();
    assert_eq!(invalid["code"], "invalid_input");
    assert_eq!(invalid["field"], "name");

    let added = h.ok(
        "add_project",
        json!({"args": {"input": input(&secret_canary), "verify": true}}),
    );
    let id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(added["url"], bed.ws_url);
    assert_eq!(added["is_default"], true);
    assert_eq!(project_secrets(&secrets), 1);

    let called = std::time::Instant::now();
    let report = h.ok("check_project", json!({"args": {"id": id}}));
    // A real measurement crossed the wire: more than nothing, no longer than the whole call.
    let call_ms = called.elapsed().as_millis() + 1;
    let rtt = u128::from(report["round_trip_ms"].as_u64().expect("round_trip_ms"));
    assert!(
        0 < rtt && rtt <= call_ms,
        "round trip {rtt} ms, call {call_ms} ms"
    );
    let unsaved = h.ok(
        "check_project_input",
        json!({"args": {"input": input(""), "id": id}}),
    );
    assert!(unsaved["rooms"].is_u64());
    assert_eq!(
        h.err_code(
            "check_project_input",
            json!({"args": {"input": input(""), "id": null}})
        ),
        "invalid_input"
    );

    let room = unique_room("ipc");
    tauri::async_runtime::block_on(async {
        let official = livekit_rooms(bed);
        official
            .create_room(&room, Default::default())
            .await
            .unwrap();
    });
    // Every command on a project names it: no backend "current project" to fall back on.
    let unnamed = h.invoke("list_rooms", json!({"args": {"project": null}}));
    assert!(unnamed.is_err(), "{unnamed:?}");
    let rooms = h.ok("list_rooms", json!({"args": {"project": id}}));
    assert_eq!(rooms["project_id"], id);
    assert!(
        rooms["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == room),
        "{rooms}"
    );
    assert_eq!(
        h.err_code(
            "list_participants",
            json!({"args": {"project": id, "room": "nope-nope"}})
        ),
        "not_found"
    );

    let edited = h.ok("update_project", json!({"args": {"id": id, "input": {"name": "Renamed", "url": bed.ws_url, "api_key": bed.api_key, "api_secret": ""}, "verify": true}}));
    assert_eq!(edited["name"], "Renamed");

    let cli = dir.path().join("cli-config.yaml");
    assert_eq!(
        h.err_code("scan_cli_config", json!({"args": {}})),
        "cli_config_not_found"
    );
    std::fs::write(&cli, format!(
        "default_project: other\nprojects:\n  - name: other\n    url: {}\n    api_key: {}\n    api_secret: {}\n",
        bed.ws_url, bed.api_key, bed.api_secret
    )).unwrap();
    // A path sent by the page is not used: the app reads its own choice.
    let elsewhere = dir.path().join("elsewhere.yaml");
    std::fs::write(&elsewhere, "projects:\n  - name: planted\n").unwrap();
    let scan = h.ok("scan_cli_config", json!({"args": {"path": elsewhere}}));
    assert_eq!(scan["path"], cli.display().to_string());
    assert_eq!(scan["projects"].as_array().unwrap().len(), 1);
    assert_eq!(scan["projects"][0]["name"], "other");
    assert_eq!(scan["projects"][0]["already_imported"], false);
    let imported = h.ok(
        "import_cli_projects",
        json!({"args": {"path": elsewhere, "names": ["other", "ghost", "planted"]}}),
    );
    assert_eq!(imported["imported"][0]["name"], "other");
    assert_eq!(imported["skipped"][0]["entry"], "ghost");
    assert_eq!(imported["skipped"][1]["entry"], "planted");
    let other = imported["imported"][0]["id"].as_str().unwrap().to_owned();

    let defaulted = h.ok("set_default_project", json!({"args": {"id": other}}));
    let flags: Vec<_> = defaulted["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].clone(), p["is_default"].clone()))
        .collect();
    assert_eq!(
        flags,
        [
            (json!("other"), json!(true)),
            (json!("Renamed"), json!(false))
        ]
    );

    let after = h.ok("remove_project", json!({"args": {"id": id}}));
    assert_eq!(after["projects"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.err_code("check_project", json!({"args": {"id": id}})),
        "not_found"
    );

    // No reply and no file in the data dir ever carries the secret.
    let replies = h.replies.borrow();
    assert!(replies.len() >= 17, "{}", replies.len());
    assert!(
        replies.iter().all(|r| !r.contains(&secret_canary)),
        "a reply carried the secret"
    );
    assert_eq!(
        grep_dir(dir.path(), &secret_canary, Some(&cli)),
        Vec::<String>::new()
    );
}

#[test]
fn corrupt_settings_are_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, b"{\"projects.x\": {\"name\": ").unwrap();
    let h = Harness::new(dir.path(), Default::default());
    let view = h.ok("list_projects", json!({"args": {}}));
    let reason = view["problems"][0]["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("not valid JSON"), "{reason}");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("unreadable"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read(&kept[0]).unwrap(),
        b"{\"projects.x\": {\"name\": "
    );
}

#[test]
fn damaged_entries_are_named_and_survive_later_saves() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let damaged = json!({"name": 42, "url": "ws://127.0.0.1:1"});
    std::fs::write(
        &settings,
        json!({
            "projects.good": {"name": "Good", "url": "ws://127.0.0.1:7880", "api_key": "k"},
            "projects.bad": damaged,
        })
        .to_string(),
    )
    .unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let h = Harness::new(dir.path(), secrets);
    let view = h.ok("list_projects", json!({"args": {}}));
    assert_eq!(view["projects"][0]["name"], "Good");
    assert_eq!(view["problems"][0]["entry"], "projects.bad");
    h.ok("add_project", json!({"args": {"input": {"name": "New", "url": "ws://127.0.0.1:9", "api_key": "k", "api_secret": "s"}, "verify": false}}));
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&settings).unwrap()).unwrap();
    assert_eq!(
        on_disk["projects.bad"], damaged,
        "damaged entry must be left untouched"
    );
    assert_eq!(
        on_disk
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("projects."))
            .count(),
        3
    );
}

fn livekit_rooms(bed: &earshot_testbed::LiveKit) -> livekit_api::services::room::RoomClient {
    livekit_api::services::room::RoomClient::with_api_key(
        &bed.http_url,
        &bed.api_key,
        &bed.api_secret,
    )
}

/// Files under `dir` containing `needle`, except `skip`.
fn grep_dir(dir: &Path, needle: &str, skip: Option<&Path>) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if Some(path.as_path()) != skip
                && std::fs::read(&path)
                    .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

/// The shell's commands are the audit's choke point: each mutating command the UI sends
/// leaves one entry; reads leave none; the page, verify and export work through IPC.
#[test]
fn commands_leave_one_audit_entry_each() {
    let bed = livekit();
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(dir.path(), Arc::new(MemoryStore::default()));
    // The journal opens in the background at start.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while h.invoke("journal_health", json!({"args": {}})).is_err() {
        assert!(std::time::Instant::now() < deadline, "journal never opened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let input = json!({"name": "Audited", "url": bed.http_url, "api_key": bed.api_key, "api_secret": bed.api_secret});
    let project = h.ok(
        "add_project",
        json!({"args": {"input": input, "verify": true}}),
    );
    let id = project["id"].as_str().unwrap().to_owned();
    let room = unique_room("ipc-audit");
    h.ok(
        "create_room",
        json!({"args": {"project": id, "options": earshot_core::protocol::admin::RoomOptions {
            name: room.clone(),
            ..Default::default()
        }}}),
    );
    h.ok("list_rooms", json!({"args": {"project": id}}));
    h.ok(
        "delete_room",
        json!({"args": {"project": id, "room": room}}),
    );

    let page = h.ok("query_audit", json!({"args": {"filter": {"limit": 100}}}));
    let actions: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["room_delete", "room_create", "project_add"]);
    let created = &page["entries"][1];
    assert_eq!(created["project"], "Audited");
    assert_eq!(created["room"], room.as_str());
    assert_eq!(created["outcome"], "ok");

    let reports = h.ok("verify_audit", json!({"args": {}}));
    assert_eq!(reports[0]["state"]["state"], "intact", "{reports}");
    let csv = h.ok(
        "export_audit",
        json!({"args": {"filter": {"room": room, "limit": 0}, "format": "csv"}}),
    );
    assert_eq!(csv.as_str().unwrap().lines().count(), 3, "header + 2 rows");
    let health = h.ok("journal_health", json!({"args": {}}));
    assert!(health["location"].as_str().unwrap().starts_with("sqlite:"));
    // Nothing sent back carries the project's secret.
    for reply in h.replies.borrow().iter() {
        assert!(!reply.contains(&bed.api_secret), "{reply}");
    }
}
