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
    Sip,
    Agents,
    Ingress,
    Egress,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 10] = [
        Page::Wallboard,
        Page::Rooms,
        Page::Listen,
        Page::Alerts,
        Page::Sip,
        Page::Agents,
        Page::Ingress,
        Page::Egress,
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
            Page::Sip => "SIP",
            Page::Agents => "Agents",
            Page::Ingress => "Ingress",
            Page::Egress => "Egress",
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
            Page::Sip => "nav-sip",
            Page::Agents => "nav-agents",
            Page::Ingress => "nav-ingress",
            Page::Egress => "nav-egress",
        }
    }
}
