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

/// The child: saves forever (the parent kills it), touching `<path>.started` after its first
/// save so the parent kills a running save loop, not a process still starting. Passes at
/// once when run as a test.
#[test]
fn save_loop_child() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let path = Path::new(&path);
    let map = entries(1);
    write_atomic(path, &map).expect("save");
    std::fs::write(path.with_extension("started"), b"").expect("marker");
    loop {
        write_atomic(path, &map).expect("save");
    }
}

/// Kills keep coming until this many landed mid-save (or the attempts run out): on a fast
/// disk a save's window is short, so a fixed number of kills may all miss it.
const WANTED_MID_WRITE: u32 = 2;
const MAX_ATTEMPTS: u64 = 1_000;

#[test]
fn a_kill_during_a_save_never_truncates_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let tmp = dir.path().join("settings.json.tmp");
    let started = path.with_extension("started");
    write_atomic(&path, &entries(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut kills_mid_write = 0;
    let mut attempts = 0;
    while kills_mid_write < WANTED_MID_WRITE && attempts < MAX_ATTEMPTS {
        attempts += 1;
        // A temp file left by an earlier kill would be counted as this kill's.
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&started);
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
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !started.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the saving child never started"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        // Spread the kills over a few saves' time so they land at every stage of one.
        std::thread::sleep(Duration::from_micros(attempts * 7919 % 30_000));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        if tmp.exists() {
            kills_mid_write += 1;
        }
        let text = std::fs::read(&path).expect("settings.json still exists");
        let parsed: Map<String, Value> = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("attempt {attempts}: settings.json is damaged: {e}"));
        assert!(
            parsed.len() == 2_000,
            "attempt {attempts}: {} entries",
            parsed.len()
        );
        assert!(check_file(&path).problems.is_empty());
    }
    // The kills did land while a save was under way (else this proves nothing).
    assert!(
        kills_mid_write >= WANTED_MID_WRITE,
        "only {kills_mid_write} of {attempts} kills hit a save in progress"
    );
    println!("{kills_mid_write} of {attempts} kills landed mid-save");
}
