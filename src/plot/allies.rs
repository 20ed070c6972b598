//! Per-ally outcomes (from `allies.csv`): one row per ally, one panel per key metric, each
//! option's mean as a dot, so an analyst sees which allies run channels, block consensus and
//! raise their spending, and how the options move them.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::legend::{self, KeyItem, Swatch};
use super::style::{self, MUTED, option_colour};

/// The metrics the chart shows, in panel order, when the run has them.
pub const PANELS: [&str; 4] = [
    "channel_months",
    "blocked_consensus",
    "defence_change_pp",
    "threat_jump_max",
];

pub struct Allies;

impl Allies {
    fn panels(data: &RunData) -> Vec<&'static str> {
        let have = data.ally_metrics();
        PANELS
            .into_iter()
            .filter(|m| have.iter().any(|h| h == m))
            .collect()
    }

    /// Allies ordered by the baseline mean of the first panel's metric, then by name.
    fn rows(data: &RunData, first: &str) -> Vec<String> {
        let base = &data.info.baseline;
        let mut names = data.ally_names();
        let mean = |a: &str| {
            data.ally(base, a, first)
                .and_then(|r| r.mean)
                .unwrap_or(f64::NEG_INFINITY)
        };
        names.sort_by(|a, b| mean(b).total_cmp(&mean(a)).then(a.cmp(b)));
        names
    }
}

impl Chart for Allies {
    fn id(&self) -> String {
        "allies".into()
    }

    fn title(&self, _data: &RunData) -> String {
        "Per-ally outcomes, by option".into()
    }

    fn caption(&self, data: &RunData) -> String {
        format!(
            "One row per ally, one panel per metric of allies.csv; each option's dot is the mean over trials. Rows are ordered by the baseline ({}) mean of the first panel. Every metric, with sd, 5th/50th/95th percentiles and Wilson intervals for yes/no metrics, is in allies.csv.",
            data.info.baseline
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(Swatch::Dot(MUTED, false), "mean over trials"));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let panels = Allies::panels(data);
        if panels.is_empty() {
            return Ok(());
        }
        let options = data.options();
        let rows = Allies::rows(data, panels[0]);
        let name_f = c.font(style::SMALL).bold();
        let name_w = rows
            .iter()
            .map(|a| c.width(a, name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() / 5)
            + c.px(14.0);
        let gap = c.px(64.0);
        let k = panels.len() as i32;
        let pw = (b.w() - name_w - gap * (k - 1)) / k;
        let title_f = c.font(style::SMALL).bold();
        let titles: Vec<String> = panels.iter().map(|m| labels::family(m).1).collect();
        let (titles, tf, title_h) = c.panel_titles(&titles, title_f, pw);
        let plot_y0 = b.y0 + title_h;
        let plot_y1 = b.y1 - axis::x_axis_height(c, false);
        let n = rows.len().max(1);
        let rh = (plot_y1 - plot_y0) as f64 / n as f64;
        let rf = name_f.px(name_f.px.min(rh * 0.8));
        for (j, m) in panels.iter().enumerate() {
            let x0 = b.x0 + name_w + j as i32 * (pw + gap);
            let plot = Rect::new(x0, plot_y0, x0 + pw, plot_y1);
            c.lines(&titles[j], x0, b.y0, tf)?;
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            let every = options
                .iter()
                .flat_map(|o| data.ally_names().into_iter().map(move |a| (o, a)));
            for (o, a) in every {
                if let Some(v) = data.ally(o, &a, m).and_then(|r| r.mean) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            let (lo, hi) = if lo <= hi {
                (lo.min(0.0), hi)
            } else {
                (0.0, 1.0)
            };
            let hi = if hi - lo < 1e-9 { lo + 1.0 } else { hi };
            let ax = axis::fit_axis(c, lo, hi, 4, plot.x0, plot.x1, false, None, true);
            axis::draw_x_axis(c, plot, &ax, true, true)?;
            let x = ax.scale;
            for (i, ally) in rows.iter().enumerate() {
                let yc = plot.y0 + (rh * (i as f64 + 0.5)).round() as i32;
                if i % 2 == 1 {
                    let (ya, yb) = (
                        plot.y0 + (rh * i as f64) as i32,
                        plot.y0 + (rh * (i + 1) as f64) as i32,
                    );
                    c.fill(Rect::new(plot.x0, ya, plot.x1, yb), style::GRID, 0.35)?;
                }
                if j == 0 {
                    c.text(ally, b.x0, yc, rf, HPos::Left, VPos::Center)?;
                }
                for (p, o) in options.iter().enumerate() {
                    if let Some(v) = data.ally(o, ally, m).and_then(|r| r.mean) {
                        let r = c.px(5.0).min((rh * 0.3) as i32 + 1);
                        c.dot(x.clamp(v), yc, r, option_colour(p), false)?;
                    }
                }
            }
        }
        Ok(())
    }
}
