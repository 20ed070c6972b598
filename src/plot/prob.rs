//! Probability of each yes/no outcome per option: bars with Wilson 95% intervals.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::legend::{self, KeyItem, Swatch};
use super::numbers;
use super::style::{self, INK, option_colour};

pub struct Probabilities {
    pub outcomes: Vec<String>,
}

impl Chart for Probabilities {
    fn id(&self) -> String {
        "probabilities".into()
    }

    fn title(&self, _data: &RunData) -> String {
        "Probability of each yes/no outcome, by option".into()
    }

    fn caption(&self, _data: &RunData) -> String {
        "Bar height is the share of trials in which the event happened under each option; the black whiskers are Wilson 95% intervals for that share (they reflect the number of trials, not the uncertainty of the model's assumptions).".into()
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(
            Swatch::Line(INK, 3.0, false),
            "Wilson 95% interval",
        ));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let options = data.options();
        let n_opt = options.len().max(1);
        let n_out = self.outcomes.len().max(1);
        let hi = self
            .outcomes
            .iter()
            .flat_map(|o| options.iter().filter_map(move |p| data.summary(p, o)))
            .filter_map(|r| r.prob_hi95.or(r.prob))
            .fold(0.0f64, f64::max);
        let top = (hi * 1.15).clamp(0.05, 1.0);
        let group_f = c.font(style::LABEL).bold();
        let probe = axis::value_axis(
            0.0,
            top,
            5,
            0,
            1,
            true,
            Some("Probability (% of trials)".into()),
        );
        let left = axis::y_axis_width(c, &probe);
        let group_w = (b.w() - left) / n_out as i32;
        let lines: Vec<Vec<String>> = self
            .outcomes
            .iter()
            .map(|o| c.wrap(&labels::outcome(o).name, group_f, group_w - c.px(20.0)))
            .collect();
        let max_lines = lines.iter().map(Vec::len).max().unwrap_or(1).min(3) as i32;
        let bottom = c.px(14.0) + max_lines * (group_f.px * 1.25) as i32;
        // Headroom above the plot for the value labels of the tallest bars.
        let plot = Rect::new(
            b.x0 + left,
            b.y0 + (c.font(style::SMALL).px * 1.6) as i32,
            b.x1,
            b.y1 - bottom,
        );
        let yax = axis::fit_axis(
            c,
            0.0,
            top,
            5,
            plot.y1,
            plot.y0,
            true,
            Some("Probability (% of trials)".into()),
            false,
        );
        axis::draw_y_axis(c, plot, &yax, true, true)?;
        c.line(
            &[(plot.x0, plot.y1), (plot.x1, plot.y1)],
            style::AXIS,
            1.0,
            c.st.stroke(2.0),
        )?;
        let y = yax.scale;
        let gw = plot.w() as f64 / n_out as f64;
        let bar_w = (gw * 0.72 / n_opt as f64).min(c.px(150.0) as f64);
        let val_f = c.font(style::SMALL + 2.0);
        for (g, outcome) in self.outcomes.iter().enumerate() {
            let gx = plot.x0 as f64 + gw * g as f64;
            let start = gx + (gw - bar_w * n_opt as f64) / 2.0;
            for (p, opt) in options.iter().enumerate() {
                let Some(r) = data.summary(opt, outcome) else {
                    continue;
                };
                let x0 = (start + bar_w * p as f64).round() as i32;
                let x1 = (start + bar_w * (p as f64 + 1.0)).round() as i32 - c.px(4.0);
                let xc = (x0 + x1) / 2;
                if let Some(pr) = r.prob {
                    c.fill(
                        Rect::new(x0, y.clamp(pr), x1, plot.y1),
                        option_colour(p),
                        1.0,
                    )?;
                }
                let mut label_y = r.prob.map(|v| y.clamp(v)).unwrap_or(plot.y1);
                if let (Some(lo), Some(hi)) = (r.prob_lo95, r.prob_hi95) {
                    let (ylo, yhi) = (y.clamp(lo), y.clamp(hi));
                    let cap = ((x1 - x0) / 4).min(c.px(14.0));
                    let w = c.st.stroke(3.0);
                    c.line(&[(xc, ylo), (xc, yhi)], INK, 1.0, w)?;
                    c.line(&[(xc - cap, ylo), (xc + cap, ylo)], INK, 1.0, w)?;
                    c.line(&[(xc - cap, yhi), (xc + cap, yhi)], INK, 1.0, w)?;
                    label_y = label_y.min(yhi);
                }
                if let Some(pr) = r.prob {
                    let s = numbers::fmt_value(pr, true);
                    let f = c.fit(&s, val_f, x1 - x0 + c.px(4.0));
                    c.text(&s, xc, label_y - c.px(6.0), f, HPos::Center, VPos::Bottom)?;
                }
            }
            for (i, l) in lines[g].iter().take(3).enumerate() {
                let yl = plot.y1 + c.px(12.0) + i as i32 * (group_f.px * 1.25) as i32;
                c.text(
                    l,
                    (gx + gw / 2.0) as i32,
                    yl,
                    group_f,
                    HPos::Center,
                    VPos::Top,
                )?;
            }
        }
        Ok(())
    }
}
