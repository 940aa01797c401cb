//! The pages of the app. Navigation is in-memory: the window always loads one document.

/// A page in the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Wallboard,
    Rooms,
    Listen,
    Alerts,
    Tokens,
    Projects,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 6] = [
        Page::Wallboard,
        Page::Rooms,
        Page::Listen,
        Page::Alerts,
        Page::Tokens,
        Page::Projects,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Page::Wallboard => "Wallboard",
            Page::Rooms => "Rooms",
            Page::Alerts => "Alerts",
            Page::Listen => "Listen",
            Page::Tokens => "Tokens",
            Page::Projects => "Projects",
        }
    }

    /// The `data-testid` of its navigation link.
    pub fn test_id(self) -> &'static str {
        match self {
            Page::Wallboard => "nav-wallboard",
            Page::Rooms => "nav-rooms",
            Page::Alerts => "nav-alerts",
            Page::Listen => "nav-listen",
            Page::Tokens => "nav-tokens",
            Page::Projects => "nav-projects",
        }
    }
}
