//! One module per page.

pub mod listen;
pub mod projects;
pub mod rooms;
pub mod tokens;
