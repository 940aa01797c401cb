//! One module per page.

pub mod agents;
pub mod egress;
pub mod ingress;
pub mod projects;
pub mod rooms;
pub mod sip;
pub mod tokens;
