//! Pieces shared by several pages.

pub mod charts;
pub mod dialog;
pub mod fields;
pub mod inputs;
pub mod switcher;
pub mod theme;
