//! App-wide state shared by every page: the projects view, the page shown and a notice line.

use crate::ipc::invoke;
use crate::routes::Page;
use earshot_protocol::command::{ListProjects, SwitchProject};
use earshot_protocol::projects::{ProjectSummary, ProjectsView};
use earshot_protocol::AppError;
use sycamore::prelude::*;

/// Signals every page may read; `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The last projects view the backend sent (`None` until loaded).
    pub projects: Signal<Option<ProjectsView>>,
    /// Why the projects could not be loaded, if so.
    pub projects_error: Signal<Option<AppError>>,
    pub page: Signal<Page>,
    /// A short message about the last action, shown in the footer.
    pub notice: Signal<Option<Notice>>,
    /// A room another page asked the Rooms page to open.
    pub open_room: Signal<Option<String>>,
}

/// A one-line outcome of an action.
#[derive(Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            projects: create_signal(None),
            projects_error: create_signal(None),
            page: create_signal(Page::Rooms),
            notice: create_signal(None),
            open_room: create_signal(None),
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

    /// The project the pages work on.
    pub fn current(self) -> Option<ProjectSummary> {
        self.projects.with(|view| {
            let view = view.as_ref()?;
            let id = view.current.as_ref()?;
            view.projects.iter().find(|p| &p.id == id).cloned()
        })
    }

    /// Makes `id` the current project.
    pub fn switch_to(self, id: String) {
        wasm_bindgen_futures::spawn_local(async move {
            match invoke(&SwitchProject { id }).await {
                Ok(view) => self.set_projects(view),
                Err(err) => self.fail(&err),
            }
        });
    }

    /// Shows a success line.
    pub fn tell(self, text: impl Into<String>) {
        self.notice.set(Some(Notice {
            text: text.into(),
            is_error: false,
        }));
    }

    /// Shows an error line (and logs it to the webview console).
    pub fn fail(self, err: &AppError) {
        web_sys::console::warn_1(&format!("{:?}: {}", err.code, err.message).into());
        self.notice.set(Some(Notice {
            text: err.message.clone(),
            is_error: true,
        }));
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
