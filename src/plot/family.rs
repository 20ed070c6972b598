//! A family of real outcomes (`win_prob.<actor>`, `risk.<actor>`, `expected.<dimension>`):
//! per member, each option's mean with its 90% range, members ordered by the baseline mean.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::legend::{self, KeyItem, Swatch};
use super::style::{self, MUTED, option_colour};

pub struct Family {
    pub prefix: String,
}

impl Family {
    fn members(&self, data: &RunData) -> Vec<(String, String)> {
        let mut m = data.members(&self.prefix);
        if self.prefix != "expected" {
            let base = &data.info.baseline;
            let mean = |n: &str| {
                data.summary(base, n)
                    .and_then(|r| r.mean)
                    .unwrap_or(f64::NEG_INFINITY)
            };
            m.sort_by(|a, b| mean(&b.0).total_cmp(&mean(&a.0)).then(a.1.cmp(&b.1)));
        }
        m
    }
}

impl Chart for Family {
    fn id(&self) -> String {
        format!("family-{}", labels::slug(&self.prefix))
    }

    fn title(&self, _data: &RunData) -> String {
        format!("{}, by option", labels::family(&self.prefix).0)
    }

    fn caption(&self, data: &RunData) -> String {
        format!(
            "One row per member of `{}`: each option's dot is the mean over trials and its bar the middle 90% of trials (5th to 95th percentile); rows are ordered by the mean under the baseline ({}).",
            self.prefix, data.info.baseline
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(
            Swatch::Interval(MUTED),
            "mean, middle 90% of trials",
        ));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let (_, axis_title, percent) = labels::family(&self.prefix);
        let options = data.options();
        let members = self.members(data);
        let name_f = c.font(style::TICK).bold();
        let name_w = members
            .iter()
            .map(|m| c.width(&m.1, name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() / 4)
            + c.px(16.0);
        let plot = Rect::new(
            b.x0 + name_w,
            b.y0 + c.px(6.0),
            b.x1 - c.px(10.0),
            b.y1 - axis::x_axis_height(c, true),
        );
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (full, _) in &members {
            for o in options {
                if let Some(r) = data.summary(o, full) {
                    for v in [r.p5, r.p95, r.mean].into_iter().flatten() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let axis = axis::fit_axis(
            c,
            lo,
            hi,
            8,
            plot.x0,
            plot.x1,
            percent,
            Some(axis_title),
            true,
        );
        axis::draw_x_axis(c, plot, &axis, true, true)?;
        let x = axis.scale;
        let n = members.len().max(1);
        let rh = plot.h() as f64 / n as f64;
        let dodge = (rh * 0.75 / options.len().max(1) as f64).min(c.px(22.0) as f64);
        let name_f = name_f.px(name_f.px.min(rh * 0.7));
        for (i, (full, member)) in members.iter().enumerate() {
            let yc = plot.y0 as f64 + rh * (i as f64 + 0.5);
            if i % 2 == 1 {
                c.fill(
                    Rect::new(
                        plot.x0,
                        (yc - rh / 2.0) as i32,
                        plot.x1,
                        (yc + rh / 2.0) as i32,
                    ),
                    style::GRID,
                    0.35,
                )?;
            }
            c.text(
                member,
                plot.x0 - c.px(14.0),
                yc as i32,
                name_f,
                HPos::Right,
                VPos::Center,
            )?;
            for (p, o) in options.iter().enumerate() {
                let Some(r) = data.summary(o, full) else {
                    continue;
                };
                let y =
                    (yc + dodge * (p as f64 - (options.len() as f64 - 1.0) / 2.0)).round() as i32;
                let colr = option_colour(p);
                if let (Some(a), Some(bb)) = (r.p5, r.p95) {
                    c.line(
                        &[(x.clamp(a), y), (x.clamp(bb), y)],
                        colr,
                        1.0,
                        c.st.stroke(3.0),
                    )?;
                }
                if let Some(m) = r.mean {
                    c.dot(
                        x.clamp(m),
                        y,
                        c.px(7.0).min((dodge * 0.6) as i32 + 2),
                        colr,
                        false,
                    )?;
                }
            }
        }
        Ok(())
    }
}
