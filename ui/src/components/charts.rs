//! Charts drawn by plotters with its SVG backend (rendered to a string the page inserts):
//! participants over time, and who spoke when.

use plotters::prelude::*;
use std::collections::VecDeque;

/// One line: a label and its (unix ms, value) points.
pub struct Series<'a> {
    pub label: String,
    pub points: &'a VecDeque<(f64, u32)>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(37, 99, 235),
    RGBColor(47, 158, 68),
    RGBColor(240, 140, 0),
    RGBColor(201, 42, 42),
    RGBColor(112, 72, 232),
    RGBColor(12, 133, 153),
];

/// Draws `series` over the `window_ms` before `now_ms` as step lines (a count holds until
/// the next answer changes it). Returns the SVG text, or why it could not be drawn.
pub fn participants_svg(
    series: &[Series<'_>],
    now_ms: f64,
    window_ms: f64,
    size: (u32, u32),
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = series
            .iter()
            .flat_map(|s| s.points.iter().map(|(_, v)| *v))
            .max()
            .unwrap_or(0)
            .max(1);
        let minutes = window_ms / 60_000.0;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(38)
            .y_label_area_size(44)
            .build_cartesian_2d(-minutes..0.0, 0.0..(f64::from(max) * 1.15))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("minutes ago")
            .y_desc("participants")
            .x_labels(7)
            .y_labels((max as usize + 2).min(6))
            .x_label_formatter(&minutes_ago)
            .y_label_formatter(&whole_count)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 12))
            .light_line_style(RGBColor(235, 238, 243))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, s) in series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let mut points = Vec::with_capacity(s.points.len() * 2 + 1);
            let mut last: Option<f64> = None;
            for (t, v) in s.points.iter() {
                let x = ((t - now_ms) / 60_000.0).max(-minutes);
                if let Some(prev) = last {
                    points.push((x, prev));
                }
                points.push((x, f64::from(*v)));
                last = Some(f64::from(*v));
            }
            if let Some(prev) = last {
                points.push((0.0, prev));
            }
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
                });
        }
        if !series.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(220, 224, 230))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// An x tick as minutes before now: "5", "2.5", "0" (not "-5.0").
fn minutes_ago(x: &f64) -> String {
    let ago = -x;
    if (ago - ago.round()).abs() < 1e-6 {
        format!("{:.0}", ago.round().abs())
    } else {
        format!("{ago:.1}")
    }
}

/// A y tick of a count: whole numbers only ("3", not "3.0"); ticks between them stay blank.
fn whole_count(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        format!("{:.0}", y.round())
    } else {
        String::new()
    }
}

/// A participant's label and speaking intervals (start, end; `None`: still speaking), in
/// Unix milliseconds.
pub type SpeakingRow = (String, Vec<(f64, Option<f64>)>);

/// Who spoke when: one row per participant, a bar per speaking interval (`end` `None`: still
/// speaking), over the `window_ms` before `now_ms`.
pub fn speaking_svg(
    rows: &[SpeakingRow],
    now_ms: f64,
    window_ms: f64,
    width: u32,
) -> Result<String, String> {
    let height = 44 + 26 * rows.len().max(1) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let minutes = window_ms / 60_000.0;
        let n = rows.len().max(1);
        let labels: Vec<String> = rows.iter().map(|(name, _)| name.clone()).collect();
        // As wide as the longest name needs (~7 px a character at 12 px), not a fixed fifth.
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
        let mut chart = ChartBuilder::on(&root)
            .margin(6)
            .x_label_area_size(36)
            .y_label_area_size((longest * 7 + 14).clamp(40, 170))
            .build_cartesian_2d(-minutes..0.0, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("minutes ago")
            .x_labels(6)
            .x_label_formatter(&minutes_ago)
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 12))
            .y_labels(n)
            .y_label_formatter(&|y: &SegmentValue<usize>| match y {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(|e| e.to_string())?;
        for (row, (_, spans)) in rows.iter().enumerate() {
            let color = COLORS[row % COLORS.len()];
            chart
                .draw_series(spans.iter().map(|(start, end)| {
                    let x0 = ((start - now_ms) / 60_000.0).max(-minutes);
                    let x1 = ((end.unwrap_or(now_ms) - now_ms) / 60_000.0).max(x0 + 0.004);
                    Rectangle::new(
                        [
                            (x0, SegmentValue::Exact(row)),
                            (x1, SegmentValue::Exact(row + 1)),
                        ],
                        color.filled(),
                    )
                }))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
