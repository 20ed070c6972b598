//! Key outcomes side by side: one panel per outcome, one box per option on a shared axis
//! (box: 25th–75th percentile; whiskers: 5th–95th; line: median; ring: mean).

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::layout::panel_grid;
use super::legend::{self, KeyItem, Swatch};
use super::scale::Linear;
use super::style::{self, INK, MUTED, option_colour};

pub struct Boxes {
    pub outcomes: Vec<String>,
}

impl Chart for Boxes {
    fn id(&self) -> String {
        "boxes".into()
    }

    fn title(&self, _data: &RunData) -> String {
        "Key outcomes by option: medians, 50% and 90% ranges".into()
    }

    fn caption(&self, _data: &RunData) -> String {
        "All options on one axis per outcome: the box spans the middle 50% of trials (25th to 75th percentile), the whiskers the middle 90% (5th to 95th), the dark line is the median and the ring the mean; boxes further right mean higher values.".into()
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(Swatch::Fill(MUTED, 0.45), "middle 50%"));
        k.push(KeyItem::new(Swatch::Line(MUTED, 3.0, false), "middle 90%"));
        k.push(KeyItem::new(Swatch::Line(INK, 4.0, false), "median"));
        k.push(KeyItem::new(Swatch::Dot(INK, true), "mean"));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let options = data.options();
        let name_f = c.font(style::TICK).bold();
        let name_w = options
            .iter()
            .map(|o| c.width(o, name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() / 4)
            + c.px(14.0);
        let gap_x = c.px(84.0);
        let gap_y = c.px(26.0);
        let overhead =
            2 * (c.font(style::LABEL - 2.0).px * 1.22) as i32 + axis::x_axis_height(c, false);
        let (cols, rows) = panel_grid(
            self.outcomes.len(),
            (b.w() - name_w, b.h()),
            (gap_x, gap_y),
            overhead,
            (c.px(260.0), options.len() as i32 * c.px(30.0)),
        );
        let pw = (b.w() - name_w - gap_x * (cols as i32 - 1)) / cols as i32;
        let ph = (b.h() - gap_y * (rows as i32 - 1)) / rows as i32;
        let title_f = c.font(style::LABEL - 2.0).bold();
        let titles: Vec<String> = self
            .outcomes
            .iter()
            .map(|o| labels::outcome(o).axis)
            .collect();
        let (titles, tf, title_h) = c.panel_titles(&titles, title_f, pw);
        for (k, outcome) in self.outcomes.iter().enumerate() {
            let (col, row) = (k % cols, k / cols);
            let x0 = b.x0 + name_w + col as i32 * (pw + gap_x);
            let y0 = b.y0 + row as i32 * (ph + gap_y);
            let label = labels::outcome(outcome);
            c.lines(&titles[k], x0, y0, tf)?;
            let plot = Rect::new(
                x0,
                y0 + title_h,
                x0 + pw,
                y0 + ph - axis::x_axis_height(c, false),
            );
            let rows_: Vec<_> = options.iter().map(|o| data.summary(o, outcome)).collect();
            let lo = rows_
                .iter()
                .flatten()
                .filter_map(|r| r.p5.or(r.min))
                .fold(f64::INFINITY, f64::min);
            let hi = rows_
                .iter()
                .flatten()
                .filter_map(|r| r.p95.or(r.max))
                .fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
            let axis = axis::fit_axis(c, lo, hi, 5, plot.x0, plot.x1, label.percent, None, true);
            axis::draw_x_axis(c, plot, &axis, true, true)?;
            let x: Linear = axis.scale;
            let n = options.len().max(1) as i32;
            let rh = plot.h() as f64 / n as f64;
            for (p, r) in rows_.iter().enumerate() {
                let yc = plot.y0 + (rh * (p as f64 + 0.5)).round() as i32;
                if col == 0 {
                    let nf = c.fit(
                        &options[p],
                        name_f.colour(option_colour(p)),
                        name_w - c.px(14.0),
                    );
                    c.text(&options[p], b.x0, yc, nf, HPos::Left, VPos::Center)?;
                }
                let Some(r) = r else { continue };
                let colr = option_colour(p);
                let bh = ((rh * 0.28) as i32).min(c.px(24.0)).max(c.px(5.0));
                if let (Some(a), Some(bb)) = (r.p5, r.p95) {
                    c.line(
                        &[(x.clamp(a), yc), (x.clamp(bb), yc)],
                        colr,
                        1.0,
                        c.st.stroke(3.0),
                    )?;
                    for v in [a, bb] {
                        c.line(
                            &[(x.clamp(v), yc - bh / 2), (x.clamp(v), yc + bh / 2)],
                            colr,
                            1.0,
                            c.st.stroke(3.0),
                        )?;
                    }
                }
                if let (Some(a), Some(bb)) = (r.p25, r.p75) {
                    let bx = Rect::new(
                        x.clamp(a),
                        yc - bh,
                        x.clamp(bb).max(x.clamp(a) + 2),
                        yc + bh,
                    );
                    c.fill(bx, colr, 0.45)?;
                    c.outline(bx, colr, c.st.stroke(2.0))?;
                }
                if let Some(m) = r.p50 {
                    c.line(
                        &[(x.clamp(m), yc - bh), (x.clamp(m), yc + bh)],
                        INK,
                        1.0,
                        c.st.stroke(4.0),
                    )?;
                }
                if let Some(m) = r.mean {
                    c.dot(x.clamp(m), yc, c.px(6.0), INK, true)?;
                }
            }
        }
        Ok(())
    }
}
