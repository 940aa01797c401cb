//! When a project is polled next: often while its rooms change, less often while nothing
//! does, and with growing pauses while its server fails. A refused key stops polling.

use crate::api::ApiError;
use std::time::Duration;

/// What a failed participant lookup (one room, inside a poll) means for the poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupFailure {
    /// The room ended meanwhile: on to the next room, nothing to report.
    Skip,
    /// This room failed: on to the next room, the error shown in the project's health.
    Next,
    /// The key was refused: polling stops until the user retries, as after ListRooms.
    Stop,
    /// Rate limited: no more lookups now; the next poll waits this long.
    BackOff(Duration),
}

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

    /// After a failed participant lookup: what the poll does next.
    pub fn lookup_failed(&mut self, err: &ApiError) -> LookupFailure {
        match err {
            ApiError::NotFound(_) => LookupFailure::Skip,
            ApiError::Unauthorized => LookupFailure::Stop,
            ApiError::RateLimited { .. } => {
                LookupFailure::BackOff(self.failed(err).unwrap_or(self.backoff))
            }
            _ => LookupFailure::Next,
        }
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

    #[test]
    fn lookup_failures_skip_stop_or_back_off() {
        let mut s = Schedule::default();
        assert_eq!(
            s.lookup_failed(&ApiError::NotFound("room".into())),
            LookupFailure::Skip
        );
        let broken = ApiError::Server {
            status: 500,
            message: "oops".into(),
        };
        assert_eq!(s.lookup_failed(&broken), LookupFailure::Next);
        assert_eq!(s.failures(), 0, "one room's failure is no backoff");
        assert_eq!(
            s.lookup_failed(&ApiError::Unauthorized),
            LookupFailure::Stop
        );
        let limited = ApiError::RateLimited {
            retry_after: Some(30),
        };
        let LookupFailure::BackOff(first) = s.lookup_failed(&limited) else {
            panic!("a 429 backs off");
        };
        assert!(first >= Duration::from_secs(30), "{first:?}");
        assert_eq!(s.failures(), 1);
        let unsaid = ApiError::RateLimited { retry_after: None };
        let LookupFailure::BackOff(second) = s.lookup_failed(&unsaid) else {
            panic!("a 429 backs off");
        };
        // The second failure in a row: a pause between half and all of 2 × backoff.
        assert!(second >= s.backoff && second <= s.backoff * 2, "{second:?}");
        assert_eq!(s.failures(), 2);
        s.succeeded(true);
        assert_eq!(s.failures(), 0);
    }
}
