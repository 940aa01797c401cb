//! The live cells of a wallboard row, from its followed room connection: who speaks, the
//! worst connection quality, the agent's state with time in state, and the last line said.

use crate::pages::rooms::held_for;
use earshot_protocol::wallboard::WallLive;
use sycamore::prelude::*;

/// The Speaking, Quality, Agent and Last said cells of a row: blank until the row has been in
/// view long enough to be followed.
pub(super) fn live_cells(live: ReadSignal<Option<WallLive>>, now: Signal<f64>) -> View {
    let speakers = move || {
        live.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.speaking
                        .iter()
                        .map(|(id, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default()
        })
    };
    let speaking_text = move || {
        live.with(|l| match l {
            None => String::new(),
            Some(l) if l.error.is_some() => "—".to_owned(),
            Some(l) if l.speaking.is_empty() => {
                if l.live {
                    "nobody".to_owned()
                } else {
                    "…".to_owned()
                }
            }
            Some(l) => l
                .speaking
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    };
    let error = move || live.with(|l| l.as_ref().and_then(|l| l.error.clone()).unwrap_or_default());
    let quality = move || {
        live.with(|l| {
            l.as_ref()
                .and_then(|l| l.worst_quality)
                .map_or("", |q| q.label())
        })
    };
    let quality_title = move || {
        live.with(|l| match l {
            Some(l) if !l.poor.is_empty() => format!("Poor or lost: {}", l.poor.join(", ")),
            _ => String::new(),
        })
    };
    let agent_state = move || {
        live.with(|l| {
            l.as_ref()
                .and_then(|l| l.agent.as_ref())
                .map_or("", |a| a.status.state.label())
        })
    };
    let agent_text = move || {
        let now = now.get() as i64;
        live.with(|l| match l.as_ref().and_then(|l| l.agent.as_ref()) {
            Some(a) => format!(
                "{} · {}",
                a.status.state.label(),
                held_for(now - a.status.since_ms)
            ),
            None if l.as_ref().is_some_and(|l| l.live) => "no agent".to_owned(),
            None => String::new(),
        })
    };
    let agent_title = move || {
        live.with(|l| {
            l.as_ref()
                .and_then(|l| l.agent.as_ref())
                .map(|a| format!("{} ({})", a.name, a.identity))
                .unwrap_or_default()
        })
    };
    let line = move || live.with(|l| l.as_ref().and_then(|l| l.last_line.clone()));
    let line_speaker = move || line().map(|l| l.speaker_identity).unwrap_or_default();
    let line_final = move || line().is_none_or(|l| l.is_final).to_string();
    let line_title = move || {
        line()
            .map(|l| format!("{}: {}", l.speaker_name, l.text))
            .unwrap_or_default()
    };
    let line_view = move || match line() {
        Some(l) => {
            let interim = if l.is_final { "" } else { " …" };
            view! {
                strong { (l.speaker_name) ": " }
                span(data-testid="wall-line-text") { (l.text) }
                span(class="muted") { (interim) }
            }
        }
        None => view! {},
    };
    view! {
        span(class="wall-speakers", data-testid="wall-speaking", data-speakers=speakers, title=error) { (speaking_text()) }
        span(data-testid="wall-quality", data-quality=quality, title=quality_title) {
            span(class=move || format!("quality q-{}", quality())) { (quality()) }
        }
        span(class="wall-agent", data-testid="wall-agent", data-state=agent_state, title=agent_title) {
            span(class=move || format!("badge agent-{}", agent_state())) { (agent_text()) }
        }
        span(class="wall-line", data-testid="wall-line", data-speaker=line_speaker, data-final=line_final, title=line_title) {
            (line_view())
        }
    }
}
