//! The pages of the app. Navigation is in-memory: the window always loads one document.

/// A page in the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Rooms,
    Listen,
    Tokens,
    Projects,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 4] = [Page::Rooms, Page::Listen, Page::Tokens, Page::Projects];

    pub fn title(self) -> &'static str {
        match self {
            Page::Rooms => "Rooms",
            Page::Listen => "Listen",
            Page::Tokens => "Tokens",
            Page::Projects => "Projects",
        }
    }

    /// The `data-testid` of its navigation link.
    pub fn test_id(self) -> &'static str {
        match self {
            Page::Rooms => "nav-rooms",
            Page::Listen => "nav-listen",
            Page::Tokens => "nav-tokens",
            Page::Projects => "nav-projects",
        }
    }
}
