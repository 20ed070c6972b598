//! Paired differences against the baseline (from `comparison.csv`): per outcome, each option's
//! mean difference over the same trials with its 95% interval, and which side is better.
//!
//! Every panel shares one scale, so that a difference of +0.001 does not look as large as one
//! of +0.1: in units of each outcome's negligible band when the scenario declares a band for
//! every outcome drawn (the band is then the shaded strip ±1), else as a share of the
//! outcome's observed range (the band, where declared, shaded at its place). Only a firm
//! verdict (the whole interval beyond the band) gets a filled dot.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::{Compared, Kind, RunData};
use super::labels;
use super::layout::panel_grid;
use super::legend::{self, KeyItem, Swatch};
use super::numbers;
use super::style::{self, GRID, INK, MUTED, option_colour};

pub struct Differences {
    pub outcomes: Vec<String>,
}

/// The common unit of every panel.
#[derive(Clone, Copy, PartialEq)]
enum Scale {
    /// Differences divided by the outcome's negligible band.
    Band,
    /// Differences divided by the span of the outcome's observed values.
    Range,
}

impl Scale {
    fn of(d: &Differences, data: &RunData) -> Scale {
        if !d.outcomes.is_empty() && d.outcomes.iter().all(|o| data.info.band(o) > 0.0) {
            Scale::Band
        } else {
            Scale::Range
        }
    }
}

impl Differences {
    /// The unit an outcome's differences are divided by.
    fn unit(&self, data: &RunData, o: &str, scale: Scale) -> f64 {
        let u = match scale {
            Scale::Band => data.info.band(o),
            Scale::Range => data.range(o).map(|(a, b)| b - a).unwrap_or(1.0),
        };
        if u > 0.0 && u.is_finite() { u } else { 1.0 }
    }

    /// Whether a row's verdict is firm.
    fn firm(data: &RunData, r: &Compared) -> bool {
        let v = r
            .verdict
            .as_deref()
            .and_then(crate::stats::verdict::Verdict::parse)
            .or_else(|| {
                Some(crate::stats::verdict::verdict(
                    r.diff_lo95?,
                    r.diff_hi95?,
                    data.info.band(&r.outcome),
                    labels::outcome(&r.outcome).higher_is_better,
                ))
            });
        v.is_some_and(|v| v.firm())
    }
}

impl Chart for Differences {
    fn id(&self) -> String {
        "differences".into()
    }

    fn title(&self, data: &RunData) -> String {
        format!(
            "Each option against the baseline ({}): paired differences",
            data.info.baseline
        )
    }

    fn caption(&self, data: &RunData) -> String {
        format!(
            "For each outcome, the dot is the mean difference between an option and the baseline ({}) over the same trials and random numbers, and the bar its 95% interval, all panels on one scale: {}. The shaded strip is the negligible band; a filled dot means the whole interval lies beyond it (a firm difference), a ring that the difference is negligible or undetermined. The number beside each bar is the difference in the outcome's own units (yes/no outcomes in percentage points); arrows point to the better side where that is clear.",
            data.info.baseline,
            match Scale::of(self, data) {
                Scale::Band => "each difference divided by its outcome's negligible band",
                Scale::Range => "each difference as a share of its outcome's observed range",
            }
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let base = data.baseline_index();
        let mut k: Vec<KeyItem> = legend::option_keys(data.options())
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != base)
            .map(|(_, k)| k)
            .collect();
        k.push(KeyItem::new(
            Swatch::Interval(MUTED),
            "mean difference, 95% interval",
        ));
        k.push(KeyItem::new(
            Swatch::Dot(MUTED, true),
            "negligible or undetermined",
        ));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let options = data.options();
        let base = data.baseline_index();
        let others: Vec<usize> = (0..options.len()).filter(|&i| i != base).collect();
        let name_f = c.font(style::TICK).bold();
        let name_w = others
            .iter()
            .map(|&i| c.width(&options[i], name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() / 4)
            + c.px(14.0);
        let gap_x = c.px(84.0);
        let gap_y = c.px(24.0);
        let overhead =
            2 * (c.font(style::LABEL - 2.0).px * 1.22) as i32 + axis::x_axis_height(c, false);
        let (cols, rows) = panel_grid(
            self.outcomes.len(),
            (b.w() - name_w, b.h()),
            (gap_x, gap_y),
            overhead,
            (c.px(260.0), others.len().max(1) as i32 * c.px(34.0)),
        );
        let pw = (b.w() - name_w - gap_x * (cols as i32 - 1)) / cols as i32;
        let ph = (b.h() - gap_y * (rows as i32 - 1)) / rows as i32;
        let title_f = c.font(style::LABEL - 2.0).bold();
        let val_f = c.font(style::SMALL - 1.0);
        let better_f = c.font(style::SMALL).bold().colour(MUTED);
        let better_w = c.width("better →", better_f) + c.px(16.0);
        let titles: Vec<String> = self
            .outcomes
            .iter()
            .map(|o| {
                let label = labels::outcome(o);
                let band = data.info.band(o);
                let binary = data.kind(o) == Some(Kind::Binary);
                match (band > 0.0, binary) {
                    (true, true) => format!(
                        "{} (band ±{} pp)",
                        label.name,
                        numbers::fmt_value(band * 100.0, false)
                    ),
                    (true, false) => {
                        format!("{} (band ±{})", label.name, numbers::fmt_value(band, false))
                    }
                    (false, true) => format!("{} (percentage points)", label.name),
                    (false, false) => label.name.clone(),
                }
            })
            .collect();
        // "better →" beside the titles when they fit in two lines next to it, else on a line
        // of its own under them.
        let narrow = c.panel_titles(&titles, title_f, pw - better_w);
        let (titles, tf, mut title_h, better_y) = if narrow.1.px >= title_f.px {
            (narrow.0, narrow.1, narrow.2, 0)
        } else {
            let (t, f, h) = c.panel_titles(&titles, title_f, pw);
            (t, f, h, h - c.px(4.0))
        };
        if better_y > 0 {
            title_h += (better_f.px * 1.3) as i32;
        }
        let scale = Scale::of(self, data);
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        for o in &self.outcomes {
            let u = self.unit(data, o, scale);
            let band = data.info.band(o) / u;
            lo = lo.min(-band);
            hi = hi.max(band);
            for &i in &others {
                if let Some(r) = data.comparison(&options[i], o) {
                    for v in [r.diff_lo95, r.diff_hi95, r.mean_diff]
                        .into_iter()
                        .flatten()
                    {
                        lo = lo.min(v / u);
                        hi = hi.max(v / u);
                    }
                }
            }
        }
        let pad = (hi - lo).max(1e-9) * 0.06;
        for (k, outcome) in self.outcomes.iter().enumerate() {
            let (col, row) = (k % cols, k / cols);
            let x0 = b.x0 + name_w + col as i32 * (pw + gap_x);
            let y0 = b.y0 + row as i32 * (ph + gap_y);
            let label = labels::outcome(outcome);
            let binary = data.kind(outcome) == Some(Kind::Binary);
            let better = label
                .higher_is_better
                .map(|h| if h { "better →" } else { "← better" });
            c.lines(&titles[k], x0, y0, tf)?;
            if let Some(s) = better {
                c.text(
                    s,
                    x0 + pw,
                    y0 + better_y + c.px(2.0),
                    better_f,
                    HPos::Right,
                    VPos::Top,
                )?;
            }
            let plot = Rect::new(
                x0,
                y0 + title_h,
                x0 + pw,
                y0 + ph - axis::x_axis_height(c, false),
            );
            let rows_: Vec<_> = others
                .iter()
                .map(|&i| data.comparison(&options[i], outcome))
                .collect();
            let unit = self.unit(data, outcome, scale);
            let mut axis = axis::fit_axis(
                c,
                lo - pad,
                hi + pad,
                5,
                plot.x0,
                plot.x1,
                false,
                None,
                true,
            );
            if scale == Scale::Range {
                // Shares of the range, as percentages.
                let step = axis.ticks.get(1).map(|t| t.0).unwrap_or(1.0)
                    - axis.ticks.first().map(|t| t.0).unwrap_or(0.0);
                for t in &mut axis.ticks {
                    t.1 = format!("{}%", numbers::fmt_tick(t.0 * 100.0, step * 100.0, false));
                }
            } else {
                let step = axis.ticks.get(1).map(|t| t.0).unwrap_or(1.0)
                    - axis.ticks.first().map(|t| t.0).unwrap_or(0.0);
                for t in &mut axis.ticks {
                    t.1 = format!("{}×", numbers::fmt_tick(t.0, step, false));
                }
            }
            let band = data.info.band(outcome) / unit;
            if band > 0.0 {
                let (xa, xb) = (axis.scale.clamp(-band), axis.scale.clamp(band));
                c.fill(
                    Rect::new(xa.min(xb), plot.y0, xa.max(xb), plot.y1),
                    GRID,
                    1.0,
                )?;
            }
            axis::draw_x_axis(c, plot, &axis, true, true)?;
            let x = axis.scale;
            c.dashed(
                (x.map(0.0), plot.y0),
                (x.map(0.0), plot.y1),
                INK,
                c.st.stroke(2.0),
                c.px(8.0),
            )?;
            let rh = plot.h() as f64 / others.len().max(1) as f64;
            for (j, (&p, r)) in others.iter().zip(&rows_).enumerate() {
                let yc = plot.y0 + (rh * (j as f64 + 0.5)).round() as i32;
                let colr = option_colour(p);
                if col == 0 {
                    let nf = c.fit(&options[p], name_f.colour(colr), name_w - c.px(14.0));
                    c.text(&options[p], b.x0, yc, nf, HPos::Left, VPos::Center)?;
                }
                let Some(r) = r else { continue };
                let (Some(m), Some(a), Some(bb)) = (r.mean_diff, r.diff_lo95, r.diff_hi95) else {
                    continue;
                };
                let (xa, xb, xm) = (x.clamp(a / unit), x.clamp(bb / unit), x.clamp(m / unit));
                let cap = ((rh * 0.18) as i32).min(c.px(12.0));
                c.line(&[(xa, yc), (xb, yc)], colr, 1.0, c.st.stroke(4.0))?;
                c.line(
                    &[(xa, yc - cap), (xa, yc + cap)],
                    colr,
                    1.0,
                    c.st.stroke(3.0),
                )?;
                c.line(
                    &[(xb, yc - cap), (xb, yc + cap)],
                    colr,
                    1.0,
                    c.st.stroke(3.0),
                )?;
                let clear = Self::firm(data, r);
                c.dot(xm, yc, c.px(9.0), colr, !clear)?;
                let s = numbers::fmt_diff(m, binary);
                let sw = c.width(&s, val_f);
                if xb + c.px(10.0) + sw <= plot.x1 {
                    c.label(&s, xb + c.px(10.0), yc, val_f, HPos::Left, VPos::Center)?;
                } else if xa - c.px(10.0) - sw >= plot.x0 {
                    c.label(&s, xa - c.px(10.0), yc, val_f, HPos::Right, VPos::Center)?;
                } else {
                    c.label(&s, xm, yc - c.px(14.0), val_f, HPos::Center, VPos::Bottom)?;
                }
            }
        }
        Ok(())
    }
}
