//! Where the window is: a route names the page and, for pages that work on a project, the
//! project (and room), so which project a page shows is on screen and in the URL.
//!
//! Routes live in the URL's fragment (`#/p/<project>/rooms/<room>`). The app is served from a
//! custom scheme (`tauri://localhost`, `http://tauri.localhost` on Windows): the HTML spec
//! lets `history.pushState` change only the fragment of a non-HTTP(S) URL, and a reload of
//! `tauri://localhost/p/…` would ask the asset protocol for a file that does not exist. A
//! fragment change is same-document on every scheme and makes a history entry, so the back
//! button works. Parameters are percent-encoded segments: room names may hold `/`, `#`, `?`.

use earshot_protocol::projects::ProjectId;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;
use sycamore_router::Integration;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

/// A decoded path parameter (a project id or a room name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param(pub String);

impl FromStr for Param {
    type Err = ();
    fn from_str(segment: &str) -> Result<Self, ()> {
        let decoded = js_sys::decode_uri_component(segment).map_err(|_| ())?;
        decoded.as_string().map(Param).ok_or(())
    }
}

impl fmt::Display for Param {
    /// Percent-encoded, ready to be a path segment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let encoded: String = js_sys::encode_uri_component(&self.0).into();
        f.write_str(&encoded)
    }
}

/// Every place in the app.
#[derive(sycamore_router::Route, Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Start-up: becomes the default project's rooms.
    #[to("/")]
    Home,
    #[to("/wallboard")]
    Wallboard,
    #[to("/alerts")]
    Alerts,
    #[to("/audit")]
    Audit,
    #[to("/projects")]
    Projects,
    #[to("/p/<project>/rooms")]
    Rooms { project: Param },
    /// One room's detail and real-time view, beside its project's room list.
    #[to("/p/<project>/rooms/<room>")]
    Room { project: Param, room: Param },
    #[to("/p/<project>/listen")]
    Listen { project: Param },
    #[to("/p/<project>/sip")]
    Sip { project: Param },
    #[to("/p/<project>/agents")]
    Agents { project: Param },
    #[to("/p/<project>/ingress")]
    Ingress { project: Param },
    #[to("/p/<project>/egress")]
    Egress { project: Param },
    #[to("/p/<project>/tokens")]
    Tokens { project: Param },
    #[to("/p/<project>/history")]
    History { project: Param },
    #[not_found]
    NotFound,
}

impl Route {
    /// The room page of `room` in `project`.
    pub fn room(project: impl Into<String>, room: impl Into<String>) -> Self {
        Route::Room {
            project: Param(project.into()),
            room: Param(room.into()),
        }
    }

    /// The project this route shows, if it names one.
    pub fn project(&self) -> Option<&ProjectId> {
        match self {
            Route::Rooms { project }
            | Route::Room { project, .. }
            | Route::Listen { project }
            | Route::Sip { project }
            | Route::Agents { project }
            | Route::Ingress { project }
            | Route::Egress { project }
            | Route::Tokens { project }
            | Route::History { project } => Some(&project.0),
            Route::Home
            | Route::Wallboard
            | Route::Alerts
            | Route::Audit
            | Route::Projects
            | Route::NotFound => None,
        }
    }

    /// The room this route opens, if any.
    pub fn open_room(&self) -> Option<&str> {
        match self {
            Route::Room { room, .. } => Some(&room.0),
            _ => None,
        }
    }

    /// The navigation entry this route belongs to.
    pub fn page(&self) -> Option<Page> {
        Some(match self {
            Route::Home | Route::NotFound => return None,
            Route::Wallboard => Page::Wallboard,
            Route::Alerts => Page::Alerts,
            Route::Audit => Page::Audit,
            Route::Projects => Page::Projects,
            Route::Rooms { .. } | Route::Room { .. } => Page::Rooms,
            Route::Listen { .. } => Page::Listen,
            Route::Sip { .. } => Page::Sip,
            Route::Agents { .. } => Page::Agents,
            Route::Ingress { .. } => Page::Ingress,
            Route::Egress { .. } => Page::Egress,
            Route::Tokens { .. } => Page::Tokens,
            Route::History { .. } => Page::History,
        })
    }

    /// The path, with its parameters percent-encoded.
    pub fn path(&self) -> String {
        match self {
            Route::Home | Route::NotFound => "/".into(),
            Route::Wallboard => "/wallboard".into(),
            Route::Alerts => "/alerts".into(),
            Route::Audit => "/audit".into(),
            Route::Projects => "/projects".into(),
            Route::Rooms { project } => format!("/p/{project}/rooms"),
            Route::Room { project, room } => format!("/p/{project}/rooms/{room}"),
            Route::Listen { project } => format!("/p/{project}/listen"),
            Route::Sip { project } => format!("/p/{project}/sip"),
            Route::Agents { project } => format!("/p/{project}/agents"),
            Route::Ingress { project } => format!("/p/{project}/ingress"),
            Route::Egress { project } => format!("/p/{project}/egress"),
            Route::Tokens { project } => format!("/p/{project}/tokens"),
            Route::History { project } => format!("/p/{project}/history"),
        }
    }

    /// The `href` of a link to this route.
    pub fn href(&self) -> String {
        format!("#{}", self.path())
    }
}

/// Goes to `route`, adding a history entry (the back button returns here).
pub fn go(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.path());
    }
}

/// Goes to `route` in place of the current entry (a redirect, not a step back).
pub fn replace(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(&route.href());
    }
}

/// Routes from the URL's fragment: changes arrive as `hashchange` (and `popstate` on
/// history steps; the router ignores a path it already has).
#[derive(Debug, Default)]
pub struct HashIntegration;

impl Integration for HashIntegration {
    fn current_pathname(&self) -> String {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        match hash.strip_prefix('#') {
            Some(path) if !path.is_empty() => path.to_owned(),
            _ => "/".to_owned(),
        }
    }

    fn on_popstate(&self, f: Box<dyn FnMut()>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let f = Rc::new(RefCell::new(f));
        for event in ["hashchange", "popstate"] {
            let f = f.clone();
            let closure = Closure::<dyn FnMut()>::new(move || {
                if let Ok(mut f) = f.try_borrow_mut() {
                    f();
                }
            });
            let _ =
                window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
            // Lives as long as the window: the router is never torn down.
            closure.forget();
        }
    }

    fn click_handler(&self) -> Box<dyn Fn(web_sys::MouseEvent)> {
        // Links are `#/…`: the browser's own fragment navigation raises `hashchange`.
        Box::new(|_| {})
    }
}

/// An entry of the navigation bar.
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
    History,
    Audit,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 12] = [
        Page::Wallboard,
        Page::Rooms,
        Page::Listen,
        Page::Alerts,
        Page::Sip,
        Page::Agents,
        Page::Ingress,
        Page::Egress,
        Page::Tokens,
        Page::History,
        Page::Audit,
        Page::Projects,
    ];

    /// Whether the page works on one project.
    pub fn has_project(self) -> bool {
        !matches!(
            self,
            Page::Wallboard | Page::Alerts | Page::Audit | Page::Projects
        )
    }

    /// The route of this page for `project`; a page that needs a project goes to the start
    /// page (which offers to add one) when there is none.
    pub fn route(self, project: Option<&str>) -> Route {
        let with =
            |make: fn(Param) -> Route| project.map_or(Route::Home, |p| make(Param(p.to_owned())));
        match self {
            Page::Wallboard => Route::Wallboard,
            Page::Alerts => Route::Alerts,
            Page::Audit => Route::Audit,
            Page::Projects => Route::Projects,
            Page::Rooms => with(|project| Route::Rooms { project }),
            Page::Listen => with(|project| Route::Listen { project }),
            Page::Sip => with(|project| Route::Sip { project }),
            Page::Agents => with(|project| Route::Agents { project }),
            Page::Ingress => with(|project| Route::Ingress { project }),
            Page::Egress => with(|project| Route::Egress { project }),
            Page::Tokens => with(|project| Route::Tokens { project }),
            Page::History => with(|project| Route::History { project }),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Wallboard => "Wallboard",
            Page::Rooms => "Rooms",
            Page::Alerts => "Alerts",
            Page::Audit => "Audit",
            Page::Listen => "Listen",
            Page::Tokens => "Tokens",
            Page::Projects => "Projects",
            Page::Sip => "SIP",
            Page::Agents => "Agents",
            Page::Ingress => "Ingress",
            Page::Egress => "Egress",
            Page::History => "History",
        }
    }

    /// The `data-testid` of its navigation link.
    pub fn test_id(self) -> &'static str {
        match self {
            Page::Wallboard => "nav-wallboard",
            Page::Rooms => "nav-rooms",
            Page::Alerts => "nav-alerts",
            Page::Audit => "nav-audit",
            Page::Listen => "nav-listen",
            Page::Tokens => "nav-tokens",
            Page::Projects => "nav-projects",
            Page::Sip => "nav-sip",
            Page::Agents => "nav-agents",
            Page::Ingress => "nav-ingress",
            Page::Egress => "nav-egress",
            Page::History => "nav-history",
        }
    }
}

/// The route the window shows, provided by the app frame.
pub fn route() -> sycamore::prelude::ReadSignal<Route> {
    sycamore::prelude::use_context()
}
