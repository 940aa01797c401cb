//! One module per page.

pub mod alerts;
pub mod listen;
pub mod projects;
pub mod rooms;
pub mod tokens;
pub mod wallboard;
