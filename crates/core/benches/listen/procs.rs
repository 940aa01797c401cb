//! CPU and memory of processes, read from /proc (Linux).

use std::time::Duration;

fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of `pid`, in ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Every process below `root` whose name contains `name`.
pub fn descendants(root: u32, name: &str) -> Vec<u32> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    all.into_iter()
        .filter(|pid| {
            let mut p = *pid;
            for _ in 0..32 {
                match parent(p) {
                    Some(pp) if pp == root => return comm(*pid).contains(name),
                    Some(pp) if pp > 1 => p = pp,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}

/// CPU (% of one core) and summed RSS (MiB) of `pids()` over `window`.
pub fn measure(pids: impl Fn() -> Vec<u32>, window: Duration) -> (f64, f64) {
    let before: u64 = pids().iter().map(|p| cpu_ticks(*p)).sum();
    std::thread::sleep(window);
    let now = pids();
    let after: u64 = now.iter().map(|p| cpu_ticks(*p)).sum();
    let rss: u64 = now.iter().map(|p| rss_kib(*p)).sum();
    let cpu =
        (after.saturating_sub(before)) as f64 / ticks_per_second() / window.as_secs_f64() * 100.0;
    (cpu, rss as f64 / 1024.0)
}
