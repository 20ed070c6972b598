//! A yes/no outcome per member of a family (`channel_ever.<ally>`): the probability for each member
//! (row) under each option (column) as a heatmap, members ordered by it.

use anyhow::Result;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::legend::KeyItem;
use super::numbers;
use super::scale::{self, Linear};
use super::style::{self, INK, MUTED, option_colour};

pub struct Heatmap {
    pub prefix: String,
}

/// ColorBrewer YlGnBu (sequential, colour-blind safe, prints in grey).
const RAMP: [(u8, u8, u8); 9] = [
    (255, 255, 217),
    (237, 248, 177),
    (199, 233, 180),
    (127, 205, 187),
    (65, 182, 196),
    (29, 145, 192),
    (34, 94, 168),
    (37, 52, 148),
    (8, 29, 88),
];

/// The ramp's colour at `t` in [0, 1], and whether text on it should be white.
fn ramp(t: f64) -> (RGBColor, bool) {
    let t = t.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64;
    let i = (t.floor() as usize).min(RAMP.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    (
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)),
        t > 4.6,
    )
}

/// A probability in a cell: whole percent, "<1%" for rare but not impossible.
fn cell_text(v: f64) -> String {
    if v > 0.0 && v < 0.005 {
        "<1%".into()
    } else {
        numbers::fixed(v, 0, true)
    }
}

impl Heatmap {
    /// Members ordered by the baseline probability (then the mean over options, then name),
    /// with their probability per option.
    fn rows(&self, data: &RunData) -> Vec<(String, Vec<Option<f64>>)> {
        let base = data.baseline_index();
        let mut rows: Vec<(String, Vec<Option<f64>>)> = data
            .members(&self.prefix)
            .into_iter()
            .map(|(full, member)| {
                let probs = data
                    .options()
                    .iter()
                    .map(|o| data.summary(o, &full).and_then(|r| r.prob.or(r.mean)))
                    .collect();
                (member, probs)
            })
            .collect();
        let mean = |v: &[Option<f64>]| {
            let xs: Vec<f64> = v.iter().flatten().copied().collect();
            xs.iter().sum::<f64>() / xs.len().max(1) as f64
        };
        rows.sort_by(|a, b| {
            let (pa, pb) = (
                a.1.get(base).copied().flatten().unwrap_or(0.0),
                b.1.get(base).copied().flatten().unwrap_or(0.0),
            );
            pb.total_cmp(&pa)
                .then(mean(&b.1).total_cmp(&mean(&a.1)))
                .then(a.0.cmp(&b.0))
        });
        rows
    }
}

impl Chart for Heatmap {
    fn id(&self) -> String {
        if self.prefix == "channel" {
            "channels".into()
        } else {
            format!("heatmap-{}", labels::slug(&self.prefix))
        }
    }

    fn title(&self, _data: &RunData) -> String {
        let (t, _, _) = labels::family(&self.prefix);
        format!("{t}, by option")
    }

    fn caption(&self, data: &RunData) -> String {
        let what = if self.prefix == "channel" {
            "the ally (row) opened its own channel to the adversary under the option (column)"
                .to_string()
        } else {
            format!("`{}.<row>` was yes under the option (column)", self.prefix)
        };
        format!(
            "Each cell is the share of trials in which {what}; darker cells are more likely. Rows are ordered by that probability under the baseline ({}), most likely first.",
            data.info.baseline
        )
    }

    fn legend(&self, _data: &RunData) -> Vec<KeyItem> {
        Vec::new()
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let options = data.options();
        let rows = self.rows(data);
        let n = rows.len().max(1) as i32;
        let max = rows
            .iter()
            .flat_map(|r| r.1.iter().flatten().copied())
            .fold(0.0f64, f64::max)
            .max(0.05);
        let (_, top, step) = scale::nice_range(0.0, max, 4);
        let bar_w = c.px(26.0);
        let bar_ticks: Vec<f64> = scale::ticks(0.0, top, step);
        let tick_f = c.font(style::TICK).colour(MUTED);
        let bar_lbl_w = bar_ticks
            .iter()
            .map(|v| c.width(&numbers::fmt_tick(*v, step, true), tick_f))
            .max()
            .unwrap_or(0);
        let right = bar_w + bar_lbl_w + c.px(60.0);
        let head_f = c.font(style::TICK).bold();
        let row_h = ((b.h() - c.px(70.0)) / n).max(6);
        let name_f = c
            .font(style::TICK)
            .px((c.font(style::TICK).px).min(row_h as f64 * 0.78));
        let name_w = rows
            .iter()
            .map(|r| c.width(&r.0, name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() / 4)
            + c.px(14.0);
        let col_w = (b.w() - name_w - right) / options.len().max(1) as i32;
        let head: Vec<Vec<String>> = options
            .iter()
            .map(|o| c.wrap(o, head_f, col_w - c.px(8.0)))
            .collect();
        let head_lines = head.iter().map(Vec::len).max().unwrap_or(1).min(3) as i32;
        let head_h = head_lines * (head_f.px * 1.2) as i32 + c.px(10.0);
        let row_h = ((b.h() - head_h) / n).max(6);
        let grid = Rect::new(
            b.x0 + name_w,
            b.y0 + head_h,
            b.x0 + name_w + col_w * options.len() as i32,
            b.y0 + head_h + row_h * n,
        );
        for (p, lines) in head.iter().enumerate() {
            let xc = grid.x0 + col_w * p as i32 + col_w / 2;
            let h = lines.len().min(3) as i32 * (head_f.px * 1.2) as i32;
            for (i, l) in lines.iter().take(3).enumerate() {
                let y = grid.y0 - c.px(8.0) - h + i as i32 * (head_f.px * 1.2) as i32;
                c.text(
                    l,
                    xc,
                    y,
                    head_f.colour(option_colour(p)),
                    HPos::Center,
                    VPos::Top,
                )?;
            }
        }
        let cell_f = c
            .font(style::SMALL)
            .px(c.font(style::SMALL).px.min(row_h as f64 * 0.62));
        for (i, (member, probs)) in rows.iter().enumerate() {
            let y0 = grid.y0 + row_h * i as i32;
            let nm = c.ellipsize(member, name_f, name_w - c.px(14.0));
            c.text(
                &nm,
                grid.x0 - c.px(12.0),
                y0 + row_h / 2,
                name_f,
                HPos::Right,
                VPos::Center,
            )?;
            for (p, v) in probs.iter().enumerate() {
                let x0 = grid.x0 + col_w * p as i32;
                let cell = Rect::new(x0 + 1, y0 + 1, x0 + col_w - 1, y0 + row_h - 1);
                match v {
                    Some(v) => {
                        let (colr, light) = ramp(v / top);
                        c.fill(cell, colr, 1.0)?;
                        let tc = if light { plotters::style::WHITE } else { INK };
                        c.text(
                            &cell_text(*v),
                            (cell.x0 + cell.x1) / 2,
                            (cell.y0 + cell.y1) / 2,
                            cell_f.colour(tc),
                            HPos::Center,
                            VPos::Center,
                        )?;
                    }
                    None => c.fill(cell, style::GRID, 1.0)?,
                }
            }
        }
        // Colour bar.
        let bx = grid.x1 + c.px(40.0);
        let bar = Rect::new(bx, grid.y0, bx + bar_w, grid.y1.min(grid.y0 + c.px(520.0)));
        let steps = 60;
        for k in 0..steps {
            let t0 = k as f64 / steps as f64;
            let ya = bar.y1 - (bar.h() as f64 * t0).round() as i32;
            let yb = bar.y1 - (bar.h() as f64 * (k + 1) as f64 / steps as f64).round() as i32;
            c.fill(
                Rect::new(bar.x0, yb, bar.x1, ya),
                ramp(t0 + 0.5 / steps as f64).0,
                1.0,
            )?;
        }
        c.outline(bar, MUTED, 1)?;
        let y = Linear::new(0.0, top, bar.y1, bar.y0);
        for v in bar_ticks {
            let yp = y.map(v);
            c.line(
                &[(bar.x1, yp), (bar.x1 + c.px(6.0), yp)],
                MUTED,
                1.0,
                c.st.stroke(1.5),
            )?;
            c.text(
                &numbers::fmt_tick(v, step, true),
                bar.x1 + c.px(10.0),
                yp,
                tick_f,
                HPos::Left,
                VPos::Center,
            )?;
        }
        c.text(
            "probability",
            bar.x0,
            bar.y0 - c.px(10.0),
            c.font(style::SMALL).colour(MUTED),
            HPos::Left,
            VPos::Bottom,
        )?;
        Ok(())
    }
}
