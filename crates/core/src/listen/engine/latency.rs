//! "RTP arrival → frame handed out" latency, kept per frame for percentiles.

use std::collections::VecDeque;
use std::time::Duration;

/// How many recent samples the percentiles cover (about 3 minutes of frames).
const WINDOW: usize = 10_000;

/// Percentiles of recent latencies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencySummary {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub max: Duration,
}

/// A rolling window of latency samples.
#[derive(Debug, Default)]
pub(crate) struct LatencyWindow {
    samples: VecDeque<Duration>,
}

impl LatencyWindow {
    pub(crate) fn record(&mut self, latency: Duration) {
        if self.samples.len() == WINDOW {
            self.samples.pop_front();
        }
        self.samples.push_back(latency);
    }

    pub(crate) fn clear(&mut self) {
        self.samples.clear();
    }

    pub(crate) fn summary(&self) -> LatencySummary {
        let mut sorted: Vec<Duration> = self.samples.iter().copied().collect();
        sorted.sort_unstable();
        let at = |q: f64| -> Duration {
            if sorted.is_empty() {
                return Duration::ZERO;
            }
            let index = ((sorted.len() - 1) as f64 * q).round() as usize;
            sorted[index.min(sorted.len() - 1)]
        };
        LatencySummary {
            count: sorted.len(),
            p50: at(0.5),
            p95: at(0.95),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut window = LatencyWindow::default();
        assert_eq!(window.summary().count, 0);
        for ms in 1..=100 {
            window.record(Duration::from_millis(ms));
        }
        let s = window.summary();
        assert_eq!((s.count, s.max), (100, Duration::from_millis(100)));
        assert!(s.p50 >= Duration::from_millis(50) && s.p50 <= Duration::from_millis(51));
        assert_eq!(s.p95, Duration::from_millis(95));
    }
}
