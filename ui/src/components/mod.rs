//! Pieces shared by several pages.

pub mod dialog;
pub mod switcher;
