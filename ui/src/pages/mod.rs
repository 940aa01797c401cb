//! One module per page.

pub mod agents;
pub mod alerts;
pub mod audit;
pub mod egress;
pub mod history;
pub mod ingress;
pub mod listen;
pub mod projects;
pub mod rooms;
pub mod sip;
pub mod tokens;
pub mod wallboard;
