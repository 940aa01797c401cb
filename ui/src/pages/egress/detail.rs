//! One egress in detail: status with its error, the worker's details, start/update/end
//! times and the duration (ticking while it runs), what the request asked for, and each
//! output's results (file location and size, stream state, HLS playlists, thumbnails).

use crate::state::now_ms;
use earshot_protocol::egress::{EgressStatus, EgressSummary};
use earshot_protocol::egress_detail::EgressResults;
use gloo_timers::future::TimeoutFuture;
use sycamore::futures::spawn_local_scoped;
use sycamore::prelude::*;

/// A Unix time in ms as a local date and time; 0 is "—".
fn when(ms: i64) -> String {
    if ms <= 0 {
        return "—".into();
    }
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// "1:02:03" or "2:03".
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn bytes(n: i64) -> String {
    match n {
        ..=0 => "—".into(),
        1..=1_048_575 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

fn field(label: &'static str, test_id: &'static str, value: String) -> View {
    view! { tr { th { (label) } td(data-testid=test_id) { (value) } } }
}

fn results(r: &EgressResults) -> View {
    let mut rows = Vec::new();
    for f in &r.files {
        let at = if f.location.is_empty() {
            f.filename.clone()
        } else {
            f.location.clone()
        };
        rows.push((
            "file",
            at,
            format!("{} · {}", bytes(f.size_bytes), clock(f.duration_ms)),
            String::new(),
        ));
    }
    for s in &r.streams {
        let retries = if s.retries > 0 {
            format!(" · {} retries", s.retries)
        } else {
            String::new()
        };
        rows.push((
            "stream",
            s.url.clone(),
            format!("{} · {}{retries}", s.status.label(), clock(s.duration_ms)),
            s.error.clone(),
        ));
    }
    for s in &r.segments {
        let at = if s.playlist_location.is_empty() {
            s.playlist_name.clone()
        } else {
            s.playlist_location.clone()
        };
        let live = if s.live_playlist_name.is_empty() {
            String::new()
        } else {
            format!(" (live: {})", s.live_playlist_name)
        };
        rows.push((
            "HLS",
            format!("{at}{live}"),
            format!(
                "{} segments · {} · {}",
                s.segment_count,
                bytes(s.size_bytes),
                clock(s.duration_ms)
            ),
            String::new(),
        ));
    }
    for i in &r.images {
        rows.push((
            "images",
            format!("{}*", i.filename_prefix),
            format!("{} images", i.image_count),
            String::new(),
        ));
    }
    if rows.is_empty() {
        return view! { p(class="muted", data-testid="egress-detail-no-results") { "No output results reported yet." } };
    }
    let rows = rows
        .into_iter()
        .map(|(what, at, figures, error)| view! {
            tr(data-testid="egress-result") {
                td { (what) } td(class="mono") { (at) } td { (figures) } td(class="error") { (error) }
            }
        })
        .collect::<Vec<_>>();
    view! {
        table(class="grid") {
            thead { tr { th { "Output" } th { "Where" } th { "Size / state · duration" } th { "Error" } } }
            tbody { (rows) }
        }
    }
}

/// The panel for `egress` (None: it left the list); `close` clears the selection.
#[component(inline_props)]
pub fn EgressDetail(
    egress: ReadSignal<Option<EgressSummary>>,
    close: Signal<Option<String>>,
) -> View {
    let now = create_signal(now_ms() as i64);
    spawn_local_scoped(async move {
        loop {
            TimeoutFuture::new(1_000).await;
            now.set(now_ms() as i64);
        }
    });
    view! {
        div(class="panel", data-testid="egress-detail") {
            (match egress.get_clone() {
                None => view! { p(class="muted") { "This egress is no longer in the list." } },
                Some(e) => body(e, now),
            })
            div(class="actions") {
                button(r#type="button", data-testid="egress-detail-close", on:click=move |_| close.set(None)) { "Close" }
            }
        }
    }
}

fn body(e: EgressSummary, now: Signal<i64>) -> View {
    let running = matches!(
        e.status,
        EgressStatus::Starting | EgressStatus::Active | EgressStatus::Ending
    );
    let (started, ended) = (e.started_at_ms, e.ended_at_ms);
    let duration = move || match (started, ended) {
        (0, _) => "—".to_owned(),
        (s, 0) if running => format!("{} (running)", clock(now.get() - s)),
        (_, 0) => "—".to_owned(),
        (s, end) => clock(end - s),
    };
    let error = if e.error.is_empty() {
        view! {}
    } else {
        let text = if e.error_code != 0 {
            format!("{} (code {})", e.error, e.error_code)
        } else {
            e.error.clone()
        };
        field("Error", "egress-detail-error", text)
    };
    let s = &e.source;
    let mut asked = vec![format!("{} in {}", e.kind.label(), e.room_name)];
    if !e.layout.is_empty() {
        asked.push(format!("layout {}", e.layout));
    }
    if !s.url.is_empty() {
        asked.push(format!("page {}", s.url));
    }
    if !s.identity.is_empty() {
        asked.push(format!(
            "participant {}{}",
            s.identity,
            if s.screen_share {
                " (screen share)"
            } else {
                ""
            }
        ));
    }
    if !s.track_ids.is_empty() {
        asked.push(format!("tracks {}", s.track_ids.join(", ")));
    }
    if s.audio_only {
        asked.push("audio only".into());
    }
    if s.video_only {
        asked.push("video only".into());
    }
    if !s.custom_base_url.is_empty() {
        asked.push(format!("template {}", s.custom_base_url));
    }
    if !s.encoding.is_empty() {
        asked.push(format!("encoding {}", s.encoding));
    }
    let mut extra = Vec::new();
    if !e.manifest_location.is_empty() {
        extra.push(format!("manifest {}", e.manifest_location));
    }
    if e.backup_storage_used {
        extra.push("uploaded to the backup storage".into());
    }
    if e.retry_count > 0 {
        extra.push(format!("restarted {} times", e.retry_count));
    }
    let extra = if extra.is_empty() {
        view! {}
    } else {
        field("Notes", "egress-detail-notes", extra.join(" · "))
    };
    let details = if e.details.is_empty() {
        view! {}
    } else {
        field("Details", "egress-detail-details", e.details.clone())
    };
    view! {
        h2 { "Egress " span(class="mono") { (e.id.clone()) } }
        table(class="grid") {
            tbody {
                (field("Status", "egress-detail-status", e.status.label().to_owned()))
                (error)
                (details)
                (field("Request", "egress-detail-request", asked.join(" · ")))
                (field("Started", "egress-detail-started", when(e.started_at_ms)))
                (field("Updated", "egress-detail-updated", when(e.updated_at_ms)))
                (field("Ended", "egress-detail-ended", when(e.ended_at_ms)))
                tr { th { "Duration" } td(data-testid="egress-detail-duration") { (duration()) } }
                (extra)
            }
        }
        h3 { "Outputs" }
        (results(&e.results))
    }
}
