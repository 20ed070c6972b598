//! Time on a chart: turns as dates for a dated monthly scenario, the time axis, and the
//! scripted injects (numbered dashed marks on the plot, and their key under it).
//!
//! Everything here reads the run's calendar and injects ([`RunInfo`], [`InjectRow`]); the
//! fan and timing charts share it, so an inject has the same number on both.

use anyhow::Result;
use plotters::prelude::WHITE;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::Axis;
use super::canvas::{Canvas, Rect};
use super::data::{InjectRow, RunInfo};
use super::scale::{Linear, nice_step};
use super::style::{self, INJECT, MUTED};

/// The scripted injects, grouped by turn: (turn, numbers of the injects at it).
pub fn inject_turns(injects: &[InjectRow]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, inj) in injects.iter().enumerate() {
        match out.iter_mut().find(|(t, _)| *t == inj.turn) {
            Some((_, v)) => v.push(i + 1),
            None => out.push((inj.turn, vec![i + 1])),
        }
    }
    out
}

/// Height of the strip above a time plot that holds the inject numbers (0 without injects).
pub fn inject_strip(c: &Canvas, injects: &[InjectRow]) -> i32 {
    if injects.is_empty() {
        0
    } else {
        (c.font(style::SMALL - 2.0).px * 1.25) as i32 + c.px(4.0)
    }
}

/// Marks each inject turn of `plot`: a dashed vertical line through it and, with `numbers`,
/// its number(s) in the strip just above it (see [`inject_strip`]).
pub fn draw_inject_marks(
    c: &Canvas,
    plot: Rect,
    x: &Linear,
    injects: &[InjectRow],
    numbers: bool,
) -> Result<()> {
    let f = c.font(style::SMALL - 2.0).bold().colour(WHITE);
    // Right edge of the last number box: boxes of nearby turns are pushed apart.
    let mut last_x1 = i32::MIN;
    for (turn, nums) in inject_turns(injects) {
        let px = x.map(turn as f64);
        if px < plot.x0 || px > plot.x1 {
            continue;
        }
        c.dashed(
            (px, plot.y0),
            (px, plot.y1),
            INJECT,
            c.st.stroke(2.0),
            c.px(8.0),
        )?;
        if !numbers {
            continue;
        }
        let label = nums
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let w = c.width(&label, f) + c.px(10.0);
        let h = (f.px * 1.25) as i32;
        let top = plot.y0 - inject_strip(c, injects);
        // Kept within the plot's width, so that it clears the axis labels at either side.
        let x0 = (px - w / 2)
            .clamp(plot.x0, (plot.x1 - w).max(plot.x0))
            .max(last_x1.saturating_add(c.px(4.0)));
        last_x1 = x0 + w;
        let bx = Rect::new(x0, top, x0 + w, top + h);
        c.fill(bx, INJECT, 1.0)?;
        c.line(
            &[(px.clamp(x0 + 2, x0 + w - 2), top + h), (px, plot.y0)],
            INJECT,
            1.0,
            c.st.stroke(2.0),
        )?;
        c.text(
            &label,
            x0 + w / 2,
            top + h / 2,
            f,
            HPos::Center,
            VPos::Center,
        )?;
    }
    Ok(())
}

fn inject_entries(info: &RunInfo, injects: &[InjectRow]) -> Vec<String> {
    injects
        .iter()
        .enumerate()
        .map(|(i, inj)| {
            let when = if inj.date.is_empty() {
                turn_label(info, inj.turn)
            } else {
                inj.date.clone()
            };
            format!("{}  {} — {}", i + 1, when, inj.name)
        })
        .collect()
}

fn inject_key_layout(
    c: &Canvas,
    width: i32,
    max_h: i32,
    entries: &[String],
) -> (usize, usize, i32) {
    let f = c.font(style::SMALL);
    let line_h = (f.px * 1.4) as i32;
    let widest = entries.iter().map(|e| c.width(e, f)).max().unwrap_or(0) + c.px(30.0);
    let cols = if widest * 3 <= width {
        3
    } else if widest * 2 <= width || entries.len() > 2 {
        2
    } else {
        1
    }
    .min(entries.len().max(1));
    let rows_needed = entries.len().div_ceil(cols);
    let rows_room = (((max_h - c.px(34.0)) / line_h.max(1)).max(1)) as usize;
    let rows = rows_needed.min(rows_room);
    (cols, rows, rows as i32 * line_h)
}

/// Height of the key of scripted injects under a time chart, at most `max_h` (0 without
/// injects).
pub fn inject_key_height(
    c: &Canvas,
    width: i32,
    max_h: i32,
    info: &RunInfo,
    injects: &[InjectRow],
) -> i32 {
    if injects.is_empty() {
        return 0;
    }
    let e = inject_entries(info, injects);
    inject_key_layout(c, width, max_h, &e).2 + c.px(34.0)
}

/// Draws the key of scripted injects ("1  Oct 2021 — Mission suspended") in columns, within
/// `r`; when they do not all fit, the last line says how many more the report lists.
pub fn draw_inject_key(c: &Canvas, r: Rect, info: &RunInfo, injects: &[InjectRow]) -> Result<()> {
    if injects.is_empty() {
        return Ok(());
    }
    let mut entries = inject_entries(info, injects);
    let f = c.font(style::SMALL);
    let (cols, rows, _) = inject_key_layout(c, r.w(), r.h(), &entries);
    let room = cols * rows;
    if entries.len() > room {
        let more = entries.len() - (room - 1);
        entries.truncate(room - 1);
        entries.push(format!("… and {more} more (listed in report.html)"));
    }
    let head = c.font(style::SMALL).bold().colour(INJECT);
    c.text(
        "Scripted injects (dashed lines):",
        r.x0,
        r.y0 + c.px(8.0),
        head,
        HPos::Left,
        VPos::Top,
    )?;
    let y0 = r.y0 + c.px(34.0);
    let cw = r.w() / cols as i32;
    for (i, e) in entries.iter().enumerate() {
        let (col, row) = (i / rows, i % rows);
        let x = r.x0 + col as i32 * cw;
        let y = y0 + row as i32 * (f.px * 1.4) as i32;
        let e = c.ellipsize(e, f, cw - c.px(20.0));
        c.text(&e, x, y, f.colour(MUTED), HPos::Left, VPos::Top)?;
    }
    Ok(())
}

/// The calendar month index (year × 12 + month − 1) of turn 1, for monthly dated scenarios.
fn start_month(info: &RunInfo) -> Option<i64> {
    if info.turn_length != "month" {
        return None;
    }
    crate::kernel::time::month_index(info.start.as_deref()?)
}

/// A turn as text: "Nov 2021" for a dated monthly scenario, else "turn 5".
pub fn turn_label(info: &RunInfo, turn: usize) -> String {
    match start_month(info) {
        Some(m0) => crate::kernel::time::month_label(m0 + turn as i64 - 1),
        None => format!("turn {turn}"),
    }
}

/// The time axis of a chart over turns `1..=turns`, mapped onto pixels `p0..p1`.
pub fn time_axis(info: &RunInfo, turns: usize, p0: i32, p1: i32, max_ticks: usize) -> Axis {
    let scale = Linear::new(1.0, turns.max(2) as f64, p0, p1);
    if let Some(m0) = start_month(info) {
        let mut step: i64 = 1;
        for s in [1i64, 2, 3, 6, 12, 24, 60] {
            step = s;
            if turns as i64 / s < max_ticks.max(2) as i64 {
                break;
            }
        }
        let mut ticks = Vec::new();
        for t in 1..=turns {
            let m = m0 + t as i64 - 1;
            if m % step == 0 || (step > 12 && m % 12 == 0 && (m / 12) % (step / 12) == 0) {
                let label = if step >= 12 {
                    format!("{}", m / 12)
                } else {
                    crate::kernel::time::month_label(m)
                };
                ticks.push((t as f64, label));
            }
        }
        return Axis {
            scale,
            ticks,
            title: Some(format!("Month (turn 1 = {})", turn_label(info, 1))),
        };
    }
    let step = nice_step(turns as f64, max_ticks).max(1.0).round();
    let mut ticks: Vec<(f64, String)> = vec![(1.0, "1".into())];
    let mut t = step;
    while t <= turns as f64 + 1e-9 {
        if t > 1.0 + step * 0.4 {
            ticks.push((t, format!("{}", t as i64)));
        }
        t += step;
    }
    let unit = match info.turn_length.as_str() {
        "" | "step" => "Step".to_string(),
        l => format!("Turn (1 turn = 1 {l})"),
    };
    Axis {
        scale,
        ticks,
        title: Some(unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(turn_length: &str, start: Option<&str>) -> RunInfo {
        RunInfo {
            scenario: "s".into(),
            description: String::new(),
            model: "m".into(),
            version: "0".into(),
            git_commit: None,
            seed: 1,
            trials: 1,
            block_size: 1,
            policies: vec!["a".into()],
            baseline: "a".into(),
            scenario_path: String::new(),
            scenario_blake3: String::new(),
            started: String::new(),
            turn_length: turn_length.into(),
            start: start.map(str::to_string),
            turns: 36,
            quantile_accuracy: String::new(),
            key_outcomes: Vec::new(),
            negligible: Default::default(),
        }
    }

    #[test]
    fn turns_as_dates_for_monthly_dated_scenarios() {
        let m = info("month", Some("2021-10"));
        assert_eq!(turn_label(&m, 1), "Oct 2021");
        assert_eq!(turn_label(&m, 4), "Jan 2022");
        assert_eq!(turn_label(&m, 16), "Jan 2023");
        let ax = time_axis(&m, 36, 0, 1000, 4);
        assert_eq!(
            ax.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["2022", "2023", "2024"]
        );
        assert_eq!(ax.ticks[0].0, 4.0);
        let ax = time_axis(&m, 36, 0, 1000, 8);
        assert_eq!(ax.ticks[0].1, "Jan 2022");
        let s = info("step", None);
        assert_eq!(turn_label(&s, 5), "turn 5");
        let ax = time_axis(&s, 100, 0, 1000, 10);
        assert_eq!(ax.ticks[0], (1.0, "1".to_string()));
        assert_eq!(ax.title.as_deref(), Some("Step"));
        assert_eq!(
            time_axis(&info("week", None), 10, 0, 1, 5).title.as_deref(),
            Some("Turn (1 turn = 1 week)")
        );
    }

    #[test]
    fn injects_at_one_turn_share_a_mark() {
        let inj = |turn: usize| InjectRow {
            turn,
            date: String::new(),
            kind: "k".into(),
            name: "n".into(),
            description: String::new(),
        };
        assert_eq!(
            inject_turns(&[inj(1), inj(1), inj(5)]),
            vec![(1, vec![1, 2]), (5, vec![3])]
        );
    }
}
