//! Monitoring guardrails: per-project limits on how long Earshot's hidden connections stay in
//! a call and how many of its listeners one room may have, and the caps on what one app may
//! hold open at once.

use crate::error::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};

/// Listens one app may hold open at once (each is a connection and a decoder per speaker).
pub const MAX_OPEN_LISTENS: usize = 16;
/// Room views (the rooms page's live views) one app may hold open at once; the wallboard's
/// followed rows have their own cap.
pub const MAX_OPEN_ROOM_VIEWS: usize = 8;
/// The longest a limit may be set to: a day.
pub const MAX_LIMIT_MINUTES: u32 = 24 * 60;
/// The most monitors per room a project may allow.
pub const MAX_MONITORS_LIMIT: u32 = 50;
/// How long before a time limit ends a listen or view its warning shows.
pub const LIMIT_WARNING_SECS: u64 = 120;

/// A project's monitoring limits; 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardrails {
    /// Longest a listen or an opened room view stays in a call, in minutes: a warning shows
    /// [`LIMIT_WARNING_SECS`] before, then it leaves.
    #[serde(default = "default_minutes")]
    pub max_listen_minutes: u32,
    /// Earshot listeners (of any installation, counted on the server) allowed in one room at
    /// once; joining past it is refused, naming who listens.
    #[serde(default = "default_monitors")]
    pub max_monitors_per_room: u32,
}

fn default_minutes() -> u32 {
    60
}

fn default_monitors() -> u32 {
    3
}

impl Default for Guardrails {
    fn default() -> Self {
        Self {
            max_listen_minutes: default_minutes(),
            max_monitors_per_room: default_monitors(),
        }
    }
}

impl Guardrails {
    /// No limits at all.
    pub const NONE: Guardrails = Guardrails {
        max_listen_minutes: 0,
        max_monitors_per_room: 0,
    };

    /// Each field's error, if out of range.
    pub fn check(&self) -> Vec<AppError> {
        let mut errors = Vec::new();
        if self.max_listen_minutes > MAX_LIMIT_MINUTES {
            errors.push(AppError::field(
                ErrorCode::InvalidInput,
                "max_listen_minutes",
                format!(
                    "The listen time limit can be at most {MAX_LIMIT_MINUTES} minutes (a day); \
                     0 means no limit."
                ),
            ));
        }
        if self.max_monitors_per_room > MAX_MONITORS_LIMIT {
            errors.push(AppError::field(
                ErrorCode::InvalidInput,
                "max_monitors_per_room",
                format!(
                    "At most {MAX_MONITORS_LIMIT} listeners per room can be allowed; 0 means \
                     no limit."
                ),
            ));
        }
        errors
    }

    /// The listen and view time limit, if any.
    pub fn time_limit(&self) -> Option<std::time::Duration> {
        (self.max_listen_minutes > 0)
            .then(|| std::time::Duration::from_secs(u64::from(self.max_listen_minutes) * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_per_field() {
        assert!(Guardrails::default().check().is_empty());
        assert!(Guardrails::NONE.check().is_empty());
        let errors = Guardrails {
            max_listen_minutes: MAX_LIMIT_MINUTES + 1,
            max_monitors_per_room: MAX_MONITORS_LIMIT + 1,
        }
        .check();
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["max_listen_minutes", "max_monitors_per_room"]);
    }

    #[test]
    fn older_entries_get_the_defaults() {
        let g: Guardrails = serde_json::from_str("{}").unwrap();
        assert_eq!(g, Guardrails::default());
        assert_eq!(g.time_limit(), Some(std::time::Duration::from_secs(3600)));
        assert_eq!(Guardrails::NONE.time_limit(), None);
    }
}
