//! Settings survive being killed mid-save: a child process saves in a tight loop and is
//! killed with SIGKILL at random moments; every time, `settings.json` is whole and parses.

#![cfg(unix)]

use earshot_core::settings::{check_file, write_atomic};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The env var that turns the test binary into the saving child.
const CHILD: &str = "EARSHOT_SETTINGS_SAVE_LOOP";

/// Large enough that a save takes a while, so kills land mid-write.
fn entries(round: u64) -> Map<String, Value> {
    (0..2_000)
        .map(|i| {
            (
                format!("projects.p{i:05}"),
                serde_json::json!({"name": format!("project {i} round {round}"),
                    "url": "wss://example.livekit.cloud", "api_key": "APIxxxxxxxxxxxx"}),
            )
        })
        .collect()
}

/// The child: saves forever (the parent kills it). Passes at once when run as a test.
#[test]
fn save_loop_child() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let path = Path::new(&path);
    for round in 0.. {
        write_atomic(path, &entries(round)).expect("save");
    }
}

#[test]
fn a_kill_during_a_save_never_truncates_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    write_atomic(&path, &entries(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut kills_mid_write = 0;
    for attempt in 0..25u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "save_loop_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("child");
        std::thread::sleep(Duration::from_millis(40 + (attempt * 37) % 120));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        if dir.path().join("settings.json.tmp").exists() {
            kills_mid_write += 1;
        }
        let text = std::fs::read(&path).expect("settings.json still exists");
        let parsed: Map<String, Value> = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("attempt {attempt}: settings.json is damaged: {e}"));
        assert_eq!(parsed.len(), 2_000, "attempt {attempt}");
        assert!(check_file(&path).problems.is_empty());
    }
    // The kills did land while a save was under way (else this proves nothing).
    assert!(kills_mid_write > 0, "no kill hit a save in progress");
    println!("{kills_mid_write} of 25 kills landed mid-save");
}
