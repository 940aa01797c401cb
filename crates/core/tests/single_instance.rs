//! One app per data dir: a second claim (in this process or another) finds the first and
//! knocks, the first hears it; a released or killed holder leaves the dir free again.

use earshot_core::instance::{claim, Claim};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The env var that turns the test binary into a holder that never lets go.
const HOLDER: &str = "EARSHOT_INSTANCE_HOLDER";

#[test]
fn holder_child() {
    let Some(dir) = std::env::var_os(HOLDER) else {
        return;
    };
    let Ok(Claim::First(_instance)) = claim(std::path::Path::new(&dir), || {}) else {
        panic!("the holder could not claim its dir");
    };
    std::fs::write(std::path::Path::new(&dir).join("holder.ready"), b"").unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn a_second_claim_knocks_on_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let knocks = Arc::new(AtomicU32::new(0));
    let seen = knocks.clone();
    let first = match claim(dir.path(), move || {
        seen.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap()
    {
        Claim::First(instance) => instance,
        Claim::Running { .. } => panic!("nobody held the dir"),
    };
    match claim(dir.path(), || {}).unwrap() {
        Claim::Running { focused } => assert!(focused, "the first did not answer"),
        Claim::First(_) => panic!("two instances on one dir"),
    }
    assert_eq!(knocks.load(Ordering::SeqCst), 1);
    // Another dir is another app.
    let other = tempfile::tempdir().unwrap();
    assert!(matches!(
        claim(other.path(), || {}).unwrap(),
        Claim::First(_)
    ));
    // Released: the next start is the first again.
    drop(first);
    assert!(matches!(claim(dir.path(), || {}).unwrap(), Claim::First(_)));
}

#[test]
fn a_killed_holder_frees_the_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "holder_child", "--nocapture"])
        .env(HOLDER, dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("holder.ready").exists() {
        assert!(Instant::now() < deadline, "the holder never claimed");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Held by another process: refused (and that process answered the knock).
    assert!(matches!(
        claim(dir.path(), || {}).unwrap(),
        Claim::Running { focused: true }
    ));
    child.kill().unwrap();
    child.wait().unwrap();
    // The lock died with it; its socket file is stale and is replaced.
    let again = claim(dir.path(), || {}).unwrap();
    assert!(matches!(again, Claim::First(_)));
}
