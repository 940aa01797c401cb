//! App-wide state shared by every page: the projects view and a notice line. Which page and
//! project the window shows is the route's (see [`crate::routes`]), not state here.

use crate::ipc::invoke;
use crate::routes::Route;
use earshot_protocol::command::ListProjects;
use earshot_protocol::projects::{ProjectId, ProjectSummary, ProjectsView};
use earshot_protocol::AppError;
use sycamore::prelude::*;

/// Signals every page may read; `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The last projects view the backend sent (`None` until loaded).
    pub projects: Signal<Option<ProjectsView>>,
    /// Why the projects could not be loaded, if so.
    pub projects_error: Signal<Option<AppError>>,
    /// A short message about the last action, shown in the footer.
    pub notice: Signal<Option<Notice>>,
}

/// A one-line outcome of an action.
#[derive(Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
    /// Tells this notice from a later one with the same text, so an expiry clears only its own.
    seq: u32,
}

/// How long a notice stays: a success is read at a glance; an error may need acting on.
const NOTICE_MS: u32 = 10_000;
const ERROR_NOTICE_MS: u32 = 30_000;

impl AppState {
    pub fn new() -> Self {
        Self {
            projects: create_signal(None),
            projects_error: create_signal(None),
            notice: create_signal(None),
        }
    }

    /// Reloads the projects view from the backend. Not tied to the caller's scope: a
    /// dialog that asks for a reload and then closes must not cancel it.
    pub fn reload_projects(self) {
        wasm_bindgen_futures::spawn_local(async move {
            match invoke(&ListProjects {}).await {
                Ok(view) => {
                    self.projects.set(Some(view));
                    self.projects_error.set(None);
                }
                Err(err) => self.projects_error.set(Some(err)),
            }
        });
    }

    /// Replaces the projects view with one a command returned.
    pub fn set_projects(self, view: ProjectsView) {
        self.projects.set(Some(view));
        self.projects_error.set(None);
    }

    /// The project opened at start-up: the default one, else the first.
    pub fn default_project(self) -> Option<ProjectId> {
        self.projects.with(|view| {
            let list = &view.as_ref()?.projects;
            list.iter()
                .find(|p| p.is_default)
                .or_else(|| list.first())
                .map(|p| p.id.clone())
        })
    }

    /// The project the window shows: the route's, else (on pages of no project) the
    /// default one.
    pub fn current_project(self, route: &Route) -> Option<ProjectId> {
        route.project().cloned().or_else(|| self.default_project())
    }

    /// The summary of project `id`, once the projects are loaded.
    pub fn project(self, id: &str) -> Option<ProjectSummary> {
        self.projects
            .with(|view| view.as_ref()?.projects.iter().find(|p| p.id == id).cloned())
    }

    /// Shows a success line.
    pub fn tell(self, text: impl Into<String>) {
        self.show(text.into(), false);
    }

    /// Shows an error line (and logs it to the webview console).
    pub fn fail(self, err: &AppError) {
        web_sys::console::warn_1(&format!("{:?}: {}", err.code, err.message).into());
        self.show(err.message.clone(), true);
    }

    /// Shows a notice and clears it after its time unless a newer one replaced it. The
    /// timer is not tied to the caller's scope: a dialog that tells and closes keeps it.
    fn show(self, text: String, is_error: bool) {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.notice.set(Some(Notice {
            text,
            is_error,
            seq,
        }));
        let ms = if is_error { ERROR_NOTICE_MS } else { NOTICE_MS };
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(ms).await;
            if self
                .notice
                .with_untracked(|n| n.as_ref().is_some_and(|n| n.seq == seq))
            {
                self.notice.set(None);
            }
        });
    }
}

/// The app state provided by [`crate::app::App`].
pub fn app_state() -> AppState {
    use_context::<AppState>()
}

/// Milliseconds since the Unix epoch, from the webview's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// "5 s", "3 min", "2 h 5 min": a compact duration for ages and elapsed times.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

/// "1 room", "3 rooms": a count with its noun in the right number.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}
