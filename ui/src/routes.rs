//! The pages of the app. Navigation is in-memory: the window always loads one document.

/// A page in the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Rooms,
    Tokens,
    Projects,
    Sip,
    Agents,
    Ingress,
    Egress,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 7] = [
        Page::Rooms,
        Page::Tokens,
        Page::Projects,
        Page::Sip,
        Page::Agents,
        Page::Ingress,
        Page::Egress,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Page::Rooms => "Rooms",
            Page::Tokens => "Tokens",
            Page::Projects => "Projects",
            Page::Sip => "SIP",
            Page::Agents => "Agents",
            Page::Ingress => "Ingress",
            Page::Egress => "Egress",
        }
    }

    /// The `data-testid` of its navigation link.
    pub fn test_id(self) -> &'static str {
        match self {
            Page::Rooms => "nav-rooms",
            Page::Tokens => "nav-tokens",
            Page::Projects => "nav-projects",
            Page::Sip => "nav-sip",
            Page::Agents => "nav-agents",
            Page::Ingress => "nav-ingress",
            Page::Egress => "nav-egress",
        }
    }
}
