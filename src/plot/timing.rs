//! When events happen (turn outcomes such as `fracture_turn`): per option, the share of
//! trials in which the event has happened by each turn, with scripted injects marked.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::{Dist, RunData};
use super::labels;
use super::layout::time_grid;
use super::legend::{self, KeyItem, Swatch};
use super::numbers;
use super::style::{self, INK, option_colour};
use super::timeline;

pub struct Timing {
    pub outcomes: Vec<String>,
}

impl Timing {
    /// Per option, the cumulative share of trials with the event by turn 1..=turns.
    fn curves(&self, data: &RunData, outcome: &str) -> Vec<Vec<f64>> {
        let Some(dg) = &data.digest else {
            return Vec::new();
        };
        (0..data.options().len())
            .map(|p| {
                let rows = dg.rows.get(p).copied().unwrap_or(0).max(1) as f64;
                let mut out = Vec::with_capacity(data.turns);
                if let Some(Dist::Exact { counts }) = dg.dist(outcome, p) {
                    let mut acc = 0u64;
                    let mut it = counts.iter().peekable();
                    for t in 1..=data.turns as i64 {
                        while let Some(&(&v, &k)) = it.peek() {
                            if v <= t {
                                acc += k;
                                it.next();
                            } else {
                                break;
                            }
                        }
                        out.push(acc as f64 / rows);
                    }
                }
                out
            })
            .collect()
    }
}

impl Chart for Timing {
    fn id(&self) -> String {
        "timing".into()
    }

    fn title(&self, _data: &RunData) -> String {
        let names: Vec<String> = self
            .outcomes
            .iter()
            .map(|o| labels::lower_first(&labels::outcome(o).name))
            .collect();
        let names = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        };
        format!("When it happens: cumulative probability of {names}")
    }

    fn caption(&self, data: &RunData) -> String {
        let inj = if data.injects.is_empty() {
            ""
        } else {
            "; dashed vertical lines mark the scripted injects"
        };
        format!(
            "Each line is the share of an option's trials in which the event has happened by the given turn (it only rises; its end is the probability over the whole horizon, labelled on the right){inj}."
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        if !data.injects.is_empty() {
            k.push(KeyItem::new(
                Swatch::Line(style::INJECT, 2.0, true),
                "scripted inject",
            ));
        }
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let (cols, rows) = time_grid(self.outcomes.len());
        let key_h = timeline::inject_key_height(c, b.w(), b.h() / 4, &data.info, &data.injects);
        let curves: Vec<Vec<Vec<f64>>> =
            self.outcomes.iter().map(|o| self.curves(data, o)).collect();
        // Each panel its own scale: a rare event next to a common one would vanish.
        let tops: Vec<f64> = curves
            .iter()
            .map(|v| {
                let m = v
                    .iter()
                    .flat_map(|c| c.iter().copied())
                    .fold(0.0f64, f64::max);
                (m * 1.1).clamp(0.05, 1.0)
            })
            .collect();
        let ytitle = "Share of trials in which it has happened (%)".to_string();
        let tick_w = c.width("100%", c.font(style::TICK)) + c.px(14.0);
        let left = c.font(style::LABEL).px as i32 + c.px(14.0);
        let end_f = c.font(style::SMALL).bold();
        let end_w = c.width("100%", end_f) + c.px(16.0);
        let area = Rect::new(b.x0 + left, b.y0, b.x1, b.y1 - key_h);
        let cells = area.grid(rows, cols, c.px(30.0), c.px(18.0));
        let title_f = c.font(style::LABEL - 2.0).bold();
        for (k, outcome) in self.outcomes.iter().enumerate() {
            let cell = cells[k];
            let row = k / cols;
            let strip = timeline::inject_strip(c, &data.injects);
            let plot = Rect::new(
                cell.x0 + tick_w,
                cell.y0 + (title_f.px * 1.4) as i32 + strip,
                cell.x1 - end_w,
                cell.y1 - axis::x_axis_height(c, true),
            );
            c.text(
                &labels::outcome(outcome).name,
                cell.x0,
                cell.y0,
                title_f.colour(INK),
                HPos::Left,
                VPos::Top,
            )?;
            let yax = axis::fit_axis(c, 0.0, tops[k], 5, plot.y1, plot.y0, true, None, false);
            let widest = c
                .width(&timeline::turn_label(&data.info, 1), c.font(style::TICK))
                .max(c.px(40.0));
            let max_ticks = (plot.w() / (widest + c.px(30.0))).max(2) as usize;
            let xax = timeline::time_axis(&data.info, data.turns, plot.x0, plot.x1, max_ticks);
            axis::draw_y_axis(c, plot, &yax, true, true)?;
            axis::draw_x_axis(
                c,
                plot,
                &xax,
                false,
                row + 1 == rows || k + cols >= self.outcomes.len(),
            )?;
            timeline::draw_inject_marks(c, plot, &xax.scale, &data.injects, true)?;
            let (x, y) = (xax.scale, yax.scale);
            let mut ends: Vec<(i32, usize, f64)> = Vec::new();
            for (p, curve) in curves[k].iter().enumerate() {
                let mut pts = Vec::with_capacity(curve.len() * 2);
                for (t, v) in curve.iter().enumerate() {
                    let turn = (t + 1) as f64;
                    let yp = y.clamp(*v);
                    if let Some(&(_, prev)) = pts.last()
                        && prev != yp
                    {
                        pts.push((x.map(turn - 0.5).max(plot.x0), prev));
                        pts.push((x.map(turn - 0.5).max(plot.x0), yp));
                    }
                    pts.push((x.map(turn), yp));
                }
                c.line(&pts, option_colour(p), 1.0, c.st.stroke(3.5))?;
                if let Some(v) = curve.last() {
                    ends.push((y.clamp(*v), p, *v));
                }
            }
            // End labels, pushed apart so that they do not overlap, and kept beside the plot.
            ends.sort_by_key(|e| e.0);
            let gap = (end_f.px * 1.1) as i32;
            let mut ys: Vec<i32> = Vec::with_capacity(ends.len());
            for (yp, ..) in &ends {
                let y = ys.last().map_or(*yp, |l| (*yp).max(l + gap));
                ys.push(y);
            }
            let mut floor = plot.y1;
            for y in ys.iter_mut().rev() {
                *y = (*y).min(floor);
                floor = *y - gap;
            }
            for ((_, p, v), yl) in ends.into_iter().zip(ys) {
                c.text(
                    &numbers::fmt_value(v, true),
                    plot.x1 + c.px(8.0),
                    yl,
                    end_f.colour(option_colour(p)),
                    HPos::Left,
                    VPos::Center,
                )?;
            }
        }
        let yt = c.fit(&ytitle, c.font(style::LABEL), area.h());
        c.text_up(
            &ytitle,
            b.x0 + yt.px as i32 / 2,
            (area.y0 + area.y1) / 2,
            yt,
        )?;
        timeline::draw_inject_key(
            c,
            Rect::new(b.x0, b.y1 - key_h, b.x1, b.y1),
            &data.info,
            &data.injects,
        )?;
        Ok(())
    }
}
