//! Distribution of one outcome, one row per option on a shared axis: a histogram of the
//! trials, the median (a dark line) and the 90% interval (a bar under the histogram).

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{self, Axis};
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::{Dist, Kind, RunData};
use super::labels;
use super::legend::{self, KeyItem, Swatch};
use super::numbers;
use super::scale::{self, Linear};
use super::style::{self, GRID, INK, MUTED, option_colour};

pub struct Distribution {
    pub outcome: String,
}

/// Bars of one option: (left, right, share of trials).
type Bars = Vec<(f64, f64, f64)>;

impl Distribution {
    /// Bars per option, and the x range.
    fn bars(&self, data: &RunData) -> (Vec<Bars>, f64, f64) {
        let Some(dg) = &data.digest else {
            return (Vec::new(), 0.0, 1.0);
        };
        let n_opt = data.options().len();
        let mut all = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut exact_lo = i64::MAX;
        let mut exact_hi = i64::MIN;
        for p in 0..n_opt {
            if let Some(Dist::Exact { counts }) = dg.dist(&self.outcome, p)
                && let (Some((&a, _)), Some((&b, _))) =
                    (counts.iter().next(), counts.iter().next_back())
            {
                exact_lo = exact_lo.min(a);
                exact_hi = exact_hi.max(b);
            }
        }
        // Integer values grouped so that there are at most 50 bars.
        let width = if exact_hi >= exact_lo {
            ((exact_hi - exact_lo + 1) as f64 / 50.0).ceil().max(1.0) as i64
        } else {
            1
        };
        for p in 0..n_opt {
            let rows = dg.rows.get(p).copied().unwrap_or(0).max(1) as f64;
            let mut bars = Vec::new();
            match dg.dist(&self.outcome, p) {
                Some(Dist::Bins {
                    lo: a,
                    hi: b,
                    counts,
                }) => {
                    let w = (b - a) / counts.len() as f64;
                    for (i, &k) in counts.iter().enumerate() {
                        bars.push((a + i as f64 * w, a + (i + 1) as f64 * w, k as f64 / rows));
                    }
                    lo = lo.min(*a);
                    hi = hi.max(*b);
                }
                Some(Dist::Exact { counts }) => {
                    let mut grouped: std::collections::BTreeMap<i64, u64> = Default::default();
                    for (&v, &k) in counts {
                        *grouped
                            .entry((v - exact_lo).div_euclid(width) * width + exact_lo)
                            .or_insert(0) += k;
                    }
                    for (v, k) in grouped {
                        let (a, b) = if width == 1 {
                            (v as f64 - 0.4, v as f64 + 0.4)
                        } else {
                            (v as f64 - 0.5, (v + width) as f64 - 0.5)
                        };
                        bars.push((a, b, k as f64 / rows));
                    }
                    lo = lo.min(exact_lo as f64 - 0.5);
                    hi = hi.max((exact_hi + width - 1) as f64 + 0.5);
                }
                None => {}
            }
            all.push(bars);
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        (all, lo, hi)
    }
}

impl Chart for Distribution {
    fn id(&self) -> String {
        format!("dist-{}", labels::slug(&self.outcome))
    }

    fn title(&self, _data: &RunData) -> String {
        format!(
            "{}: distribution by option",
            labels::outcome(&self.outcome).name
        )
    }

    fn caption(&self, _data: &RunData) -> String {
        format!(
            "How {} is distributed across the trials of each option: bar height is the share of trials in each range (same scale in every row); the dark line marks the median and the coloured bar under each histogram spans the 90% interval (5th to 95th percentile).",
            labels::lower_first(&labels::outcome(&self.outcome).name)
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(Swatch::Line(INK, 3.0, false), "median"));
        k.push(KeyItem::new(Swatch::Fill(MUTED, 1.0), "90% interval"));
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let label = labels::outcome(&self.outcome);
        let kind = data.kind(&self.outcome).unwrap_or(Kind::Real);
        let options = data.options();
        let n = options.len().max(1);
        let (bars, lo, hi) = self.bars(data);
        let name_f = c.font(style::LABEL).bold();
        let stat_f = c.font(style::SMALL);
        let tick_f = c.font(style::TICK - 2.0).colour(MUTED);
        let name_w = options
            .iter()
            .map(|o| c.width(o, name_f))
            .max()
            .unwrap_or(0)
            .min(b.w() * 26 / 100)
            + c.px(16.0);
        // Stats with the same number of decimals for every option: two more than the axis.
        let decimals = if kind == Kind::Real {
            let step = scale::nice_step(hi - lo, 8) * if label.percent { 100.0 } else { 1.0 };
            ((-step.log10()).ceil().max(0.0) as usize + 2).min(6)
        } else {
            0
        };
        let stats: Vec<(String, String)> = options
            .iter()
            .map(|o| {
                let s = data.summary(o, &self.outcome);
                let q = |f: fn(&super::data::Summary) -> Option<f64>| s.and_then(f);
                let fmt = |v: Option<f64>| numbers::fixed_or_dash(v, decimals, label.percent);
                (
                    format!("median {}", fmt(q(|r| r.p50))),
                    format!("90%: {} – {}", fmt(q(|r| r.p5)), fmt(q(|r| r.p95))),
                )
            })
            .collect();
        let stat_w = stats
            .iter()
            .flat_map(|(a, b)| [c.width(a, stat_f.bold()), c.width(b, stat_f)])
            .max()
            .unwrap_or(0)
            + c.px(24.0);
        let max_share = bars
            .iter()
            .flat_map(|v| v.iter().map(|b| b.2))
            .fold(0.0f64, f64::max)
            .max(0.01);
        let (_, ytop, ystep) = scale::nice_range(0.0, max_share, 2);
        let yticks = scale::ticks(0.0, ytop, ystep);
        let ytick_w = yticks
            .iter()
            .map(|v| c.width(&numbers::fmt_tick(*v, ystep, true), tick_f))
            .max()
            .unwrap_or(0)
            + c.px(12.0);
        let header_h = (stat_f.px * 1.5) as i32;
        let xaxis_h = axis::x_axis_height(c, true);
        let px0 = b.x0 + name_w + ytick_w;
        let px1 = b.x1 - stat_w;
        let rows_r = Rect::new(b.x0, b.y0 + header_h, b.x1, b.y1 - xaxis_h);
        // As many round ticks as leave room between their labels.
        let (xa, xb) = (lo, hi);
        let tick_f = c.font(style::TICK);
        let mut xstep = 1.0f64;
        for target in (2..=8).rev() {
            xstep = scale::nice_step(hi - lo, target);
            if kind != Kind::Real {
                xstep = xstep.max(1.0).round();
            }
            let need: i32 = scale::ticks(xa, xb, xstep)
                .iter()
                .map(|v| c.width(&numbers::fmt_tick(*v, xstep, label.percent), tick_f) + c.px(16.0))
                .sum();
            if need <= px1 - px0 {
                break;
            }
        }
        let x = Linear::new(xa, xb, px0, px1);
        let xticks: Vec<(f64, String)> = scale::ticks(xa, xb, xstep)
            .into_iter()
            .map(|v| (v, numbers::fmt_tick(v, xstep, label.percent)))
            .collect();
        let axis = Axis {
            scale: x,
            ticks: xticks,
            title: Some(label.axis.clone()),
        };
        c.text(
            "share of trials",
            px0 - c.px(10.0),
            b.y0,
            stat_f.colour(MUTED),
            HPos::Right,
            VPos::Top,
        )?;
        let rows = rows_r.grid(n, 1, 0, c.px(12.0));
        for (v, _) in &axis.ticks {
            let xp = x.map(*v);
            c.line(
                &[(xp, rows_r.y0), (xp, rows_r.y1)],
                GRID,
                1.0,
                c.st.stroke(1.5),
            )?;
        }
        for (p, row) in rows.iter().enumerate() {
            let col = option_colour(p);
            let strip_h = c.px(12.0);
            let plot = Rect::new(px0, row.y0 + c.px(4.0), px1, row.y1 - strip_h - c.px(10.0));
            let y = Linear::new(0.0, ytop, plot.y1, plot.y0);
            // Labels for the top and 0 first, then the others where they do not crowd.
            let spacing = (tick_f.px * 1.05) as i32;
            let mut kept: Vec<f64> = Vec::new();
            let mut order: Vec<f64> = yticks.clone();
            order.sort_by(|a, b| {
                let rank = |v: &f64| {
                    if *v >= ytop - 1e-12 {
                        0
                    } else if *v == 0.0 {
                        1
                    } else {
                        2
                    }
                };
                rank(a).cmp(&rank(b)).then(a.total_cmp(b))
            });
            for v in order {
                if kept.iter().all(|k| (y.map(*k) - y.map(v)).abs() >= spacing) {
                    kept.push(v);
                }
            }
            for v in yticks.iter().filter(|v| **v > 0.0) {
                let yp = y.map(*v);
                c.line(&[(px0, yp), (px1, yp)], GRID, 1.0, c.st.stroke(1.0))?;
            }
            for v in &kept {
                let yp = y.map(*v);
                c.text(
                    &numbers::fmt_tick(*v, ystep, true),
                    px0 - c.px(8.0),
                    yp,
                    tick_f,
                    HPos::Right,
                    VPos::Center,
                )?;
            }
            if let Some(bs) = bars.get(p) {
                for &(a, bb, share) in bs {
                    if share <= 0.0 {
                        continue;
                    }
                    let (xa, xb) = (x.map(a), x.map(bb));
                    let gap = if xb - xa > 6 { 1 } else { 0 };
                    c.fill(
                        Rect::new(xa + gap, y.map(share), xb - gap, plot.y1),
                        col,
                        0.8,
                    )?;
                }
            }
            c.line(
                &[(px0, plot.y1), (px1, plot.y1)],
                style::AXIS,
                1.0,
                c.st.stroke(1.0),
            )?;
            let s = data.summary(&options[p], &self.outcome);
            if let Some(s) = s {
                let sy = plot.y1 + c.px(6.0);
                if let (Some(a), Some(bb)) = (s.p5, s.p95) {
                    let (xa, xb) = (x.clamp(a), x.clamp(bb));
                    c.fill(
                        Rect::new(xa, sy, xb.max(xa + c.px(3.0)), sy + strip_h),
                        col,
                        1.0,
                    )?;
                }
                if let Some(m) = s.p50 {
                    let xm = x.clamp(m);
                    c.line(
                        &[(xm, plot.y0), (xm, sy + strip_h)],
                        INK,
                        1.0,
                        c.st.stroke(3.0),
                    )?;
                }
            }
            let nf = c.fit(&options[p], name_f.colour(col), name_w - c.px(16.0));
            c.text(
                &options[p],
                b.x0,
                (plot.y0 + plot.y1) / 2,
                nf,
                HPos::Left,
                VPos::Center,
            )?;
            let (s1, s2) = &stats[p];
            let cy = (row.y0 + row.y1) / 2;
            c.text(
                s1,
                px1 + c.px(20.0),
                cy - c.px(4.0),
                stat_f.bold(),
                HPos::Left,
                VPos::Bottom,
            )?;
            c.text(
                s2,
                px1 + c.px(20.0),
                cy + c.px(4.0),
                stat_f.colour(MUTED),
                HPos::Left,
                VPos::Top,
            )?;
        }
        axis::draw_x_axis(
            c,
            Rect::new(px0, rows_r.y0, px1, rows_r.y1),
            &axis,
            false,
            true,
        )?;
        Ok(())
    }
}
