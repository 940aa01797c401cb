//! When a project is polled next: often while its rooms change, less often while nothing
//! does, and with growing pauses while its server fails. A refused key stops polling.

use crate::api::ApiError;
use std::time::Duration;

/// The polling rhythm of one project.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The interval while rooms change.
    pub busy: Duration,
    /// The longest interval while nothing changes.
    pub idle: Duration,
    /// The first pause after a failure; doubles per failure.
    pub backoff: Duration,
    /// The longest pause after failures.
    pub backoff_cap: Duration,
    current: Duration,
    failures: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::new(
            Duration::from_secs(2),
            Duration::from_secs(10),
            Duration::from_secs(2),
            Duration::from_secs(60),
        )
    }
}

impl Schedule {
    pub fn new(busy: Duration, idle: Duration, backoff: Duration, backoff_cap: Duration) -> Self {
        Self {
            busy,
            idle,
            backoff,
            backoff_cap,
            current: busy,
            failures: 0,
        }
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// After an answer: back to the busy interval if something changed, else 1.5× longer
    /// up to the idle interval.
    pub fn succeeded(&mut self, changed: bool) -> Duration {
        self.failures = 0;
        self.current = if changed {
            self.busy
        } else {
            self.current.mul_f64(1.5).clamp(self.busy, self.idle)
        };
        self.current
    }

    /// After a failure: the pause before the next attempt (equal jitter: half fixed, half
    /// random, so many clients do not retry in step), or `None` when retrying is pointless
    /// (the key was refused).
    pub fn failed(&mut self, err: &ApiError) -> Option<Duration> {
        if matches!(err, ApiError::Unauthorized) {
            return None;
        }
        self.failures += 1;
        let ceiling = self
            .backoff
            .saturating_mul(1u32 << (self.failures - 1).min(16))
            .min(self.backoff_cap);
        let mut pause = ceiling / 2 + ceiling.mul_f64(rand::random::<f64>() / 2.0);
        if let ApiError::RateLimited {
            retry_after: Some(secs),
        } = err
        {
            pause = pause.max(Duration::from_secs(*secs));
        }
        self.current = self.busy;
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_grows_busy_resets() {
        let mut s = Schedule::default();
        assert_eq!(s.succeeded(true), Duration::from_secs(2));
        assert_eq!(s.succeeded(false), Duration::from_secs(3));
        for _ in 0..10 {
            s.succeeded(false);
        }
        assert_eq!(s.succeeded(false), Duration::from_secs(10));
        assert_eq!(s.succeeded(true), Duration::from_secs(2));
    }

    #[test]
    fn failures_back_off_and_401_stops() {
        let mut s = Schedule::default();
        let down = ApiError::Unreachable {
            address: "127.0.0.1:1".into(),
            detail: "refused".into(),
        };
        let pauses: Vec<Duration> = (0..8).map(|_| s.failed(&down).unwrap()).collect();
        for (n, p) in pauses.iter().enumerate() {
            let ceiling = Duration::from_secs(2 << n).min(Duration::from_secs(60));
            assert!(*p >= ceiling / 2 && *p <= ceiling, "pause {n}: {p:?}");
        }
        let limited = ApiError::RateLimited {
            retry_after: Some(90),
        };
        assert!(s.failed(&limited).unwrap() >= Duration::from_secs(90));
        assert_eq!(s.failed(&ApiError::Unauthorized), None);
        s.succeeded(false);
        assert_eq!(s.failures(), 0);
    }
}
