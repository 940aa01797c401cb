//! The result type every core function returns: errors carry a code the UI matches on.

use earshot_protocol::AppError;

/// Result alias for everything the shell calls.
pub type AppResult<T> = Result<T, AppError>;
