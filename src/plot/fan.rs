//! Fan chart of a time-series metric: one panel per option with the median and the 50% and
//! 90% bands over the turns, scripted injects marked on the time axis, and a last panel that
//! overlays every option's median.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis;
use super::canvas::{Canvas, Rect};
use super::chart::Chart;
use super::data::RunData;
use super::labels;
use super::layout::time_grid;
use super::legend::{self, KeyItem, Swatch};
use super::style::{self, INK, MUTED, option_colour};
use super::timeline;

pub struct Fan {
    pub metric: String,
}

impl Chart for Fan {
    fn id(&self) -> String {
        format!("fan-{}", labels::slug(&self.metric))
    }

    fn title(&self, _data: &RunData) -> String {
        format!(
            "{} over time: median, 50% and 90% bands",
            labels::metric(&self.metric).name
        )
    }

    fn caption(&self, data: &RunData) -> String {
        let overlay = if data.options().len() > 1 {
            " The last panel overlays the medians of all options."
        } else {
            ""
        };
        let injects = if data.injects.is_empty() {
            ""
        } else {
            " Dashed vertical lines mark the scripted injects, numbered as in the key below the panels."
        };
        format!(
            "{} turn by turn, one panel per option: the line is the median across trials, the darker band holds the middle 50% of trials and the lighter band the middle 90%.{injects}{overlay}",
            labels::metric(&self.metric).name
        )
    }

    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        let mut k = legend::option_keys(data.options());
        k.push(KeyItem::new(
            Swatch::Fan(MUTED),
            "median, middle 50% and 90% of trials",
        ));
        if !data.injects.is_empty() {
            k.push(KeyItem::new(
                Swatch::Line(style::INJECT, 2.0, true),
                "scripted inject",
            ));
        }
        k
    }

    fn draw(&self, data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let label = labels::metric(&self.metric);
        let options = data.options();
        let overlay = options.len() > 1;
        let k = options.len() + usize::from(overlay);
        let (cols, rows) = time_grid(k);
        let series: Vec<_> = options
            .iter()
            .map(|o| data.series_of(o, &self.metric))
            .collect();
        let lo = series
            .iter()
            .flatten()
            .filter_map(|r| r.p5.or(r.mean))
            .fold(f64::INFINITY, f64::min);
        let hi = series
            .iter()
            .flatten()
            .filter_map(|r| r.p95.or(r.mean))
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let key_h = timeline::inject_key_height(c, b.w(), b.h() / 4, &data.info, &data.injects);
        let grid_r = Rect::new(b.x0, b.y0, b.x1, b.y1 - key_h);
        let probe = axis::value_axis(lo, hi, 5, 0, 1, label.percent, Some(label.axis.clone()));
        let left = axis::y_axis_width(c, &probe);
        let xh = axis::x_axis_height(c, false);
        let title_f = c.font(style::LABEL - 2.0).bold();
        let panel_title_h = (title_f.px * 1.4) as i32;
        let xtitle_h = (c.font(style::LABEL).px * 1.5) as i32;
        let area = Rect::new(grid_r.x0 + left, grid_r.y0, grid_r.x1, grid_r.y1 - xtitle_h);
        // Rows share one scale: the inject numbers sit above the first row only, the time
        // labels under the last, so that the plots get the height.
        let strip = timeline::inject_strip(c, &data.injects);
        let (gap_x, gap_y) = (c.px(30.0), c.px(16.0));
        let tick_h = c.px(8.0);
        let plot_h = ((area.h()
            - strip
            - xh
            - rows as i32 * panel_title_h
            - (rows as i32 - 1) * (gap_y + tick_h))
            / rows as i32)
            .max(c.px(40.0));
        let cell_w = (area.w() - (cols as i32 - 1) * gap_x) / cols as i32;
        let turns = data.turns;
        for i in 0..k {
            let (col, row) = (i % cols, i / cols);
            let x0 = area.x0 + col as i32 * (cell_w + gap_x);
            let y0 = area.y0
                + row as i32 * (panel_title_h + plot_h + gap_y + tick_h)
                + if row > 0 { strip } else { 0 };
            let cell = Rect::new(x0, y0, x0 + cell_w, y0 + panel_title_h + plot_h);
            let top = y0 + panel_title_h + if row == 0 { strip } else { 0 };
            let plot = Rect::new(x0, top, x0 + cell_w, top + plot_h);
            let yax = axis::fit_axis(
                c,
                lo,
                hi,
                if plot.h() < c.px(220.0) { 3 } else { 5 },
                plot.y1,
                plot.y0,
                label.percent,
                None,
                false,
            );
            let tf = c.font(style::TICK);
            let widest = c
                .width(&timeline::turn_label(&data.info, 1), tf)
                .max(c.px(40.0));
            let max_ticks = (plot.w() / (widest + c.px(30.0))).max(2) as usize;
            let mut xax = timeline::time_axis(&data.info, turns, plot.x0, plot.x1, max_ticks);
            xax.title = None;
            axis::draw_y_axis(c, plot, &yax, true, col == 0)?;
            axis::draw_x_axis(c, plot, &xax, false, row + 1 == rows || i + cols >= k)?;
            timeline::draw_inject_marks(c, plot, &xax.scale, &data.injects, row == 0)?;
            let x = xax.scale;
            let y = yax.scale;
            if i < options.len() {
                let colr = option_colour(i);
                let rows_ = &series[i];
                let band =
                    |lo: fn(&super::data::SeriesPoint) -> Option<f64>,
                     hi: fn(&super::data::SeriesPoint) -> Option<f64>| {
                        let mut pts: Vec<(i32, i32)> = per_column(
                            rows_
                                .iter()
                                .filter_map(|r| lo(r).map(|v| (x.map(r.turn as f64), y.clamp(v)))),
                        );
                        let top = per_column(
                            rows_
                                .iter()
                                .rev()
                                .filter_map(|r| hi(r).map(|v| (x.map(r.turn as f64), y.clamp(v)))),
                        );
                        pts.extend(top);
                        pts
                    };
                c.polygon(&band(|r| r.p5, |r| r.p95), colr, 0.2)?;
                c.polygon(&band(|r| r.p25, |r| r.p75), colr, 0.4)?;
                let med = per_column(
                    rows_
                        .iter()
                        .filter_map(|r| r.p50.map(|v| (x.map(r.turn as f64), y.clamp(v)))),
                );
                c.line(&med, colr, 1.0, c.st.stroke(3.5))?;
                let nf = c.fit(&options[i], title_f.colour(colr), cell.w());
                c.text(&options[i], cell.x0, cell.y0, nf, HPos::Left, VPos::Top)?;
            } else {
                for (p, rows_) in series.iter().enumerate() {
                    let med = per_column(
                        rows_
                            .iter()
                            .filter_map(|r| r.p50.map(|v| (x.map(r.turn as f64), y.clamp(v)))),
                    );
                    c.line(&med, option_colour(p), 1.0, c.st.stroke(3.5))?;
                }
                c.text(
                    "All options: medians",
                    cell.x0,
                    cell.y0,
                    title_f.colour(INK),
                    HPos::Left,
                    VPos::Top,
                )?;
            }
        }
        // One y title for the grid, one x title under it.
        let yt = c.fit(&label.axis, c.font(style::LABEL), area.h());
        c.text_up(
            &label.axis,
            grid_r.x0 + yt.px as i32 / 2,
            (area.y0 + area.y1) / 2,
            yt,
        )?;
        let probe_x = timeline::time_axis(&data.info, turns, 0, 1, 4);
        if let Some(t) = probe_x.title {
            c.text(
                &t,
                (area.x0 + area.x1) / 2,
                area.y1 + c.px(6.0),
                c.font(style::LABEL),
                HPos::Center,
                VPos::Top,
            )?;
        }
        timeline::draw_inject_key(
            c,
            Rect::new(b.x0, b.y1 - key_h, b.x1, b.y1),
            &data.info,
            &data.injects,
        )?;
        Ok(())
    }
}

/// The points of a line or band edge in pixels, with each run of more than four points in
/// one pixel column (a horizon longer than the chart is wide) cut to its first, lowest,
/// highest and last point, in path order: the same shape is drawn, since a path along one
/// column covers exactly the span between its lowest and highest point, and a chart of a
/// 10,000-turn run stays a few hundred points per series. Where every turn has its own
/// column (any ordinary horizon), the points are those given, unchanged.
fn per_column(pts: impl Iterator<Item = (i32, i32)>) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    let mut run: Vec<(i32, i32)> = Vec::new();
    let flush = |run: &mut Vec<(i32, i32)>, out: &mut Vec<(i32, i32)>| {
        if run.len() <= 4 {
            out.append(run);
            return;
        }
        let lo = (0..run.len()).min_by_key(|&i| (run[i].1, i)).unwrap_or(0);
        let hi = (0..run.len())
            .max_by_key(|&i| (run[i].1, usize::MAX - i))
            .unwrap_or(0);
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.extend([run[0], run[a], run[b], run[run.len() - 1]]);
        run.clear();
    };
    for p in pts {
        if run.last().is_some_and(|l| l.0 != p.0) {
            flush(&mut run, &mut out);
        }
        run.push(p);
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::per_column;

    #[test]
    fn points_one_per_column_are_kept_as_given() {
        let pts = vec![(0, 5), (1, 3), (2, 9), (3, 9), (4, 1)];
        assert_eq!(per_column(pts.clone().into_iter()), pts);
        // Up to four points in a column are kept too.
        let pts = vec![(0, 5), (0, 3), (0, 9), (0, 4), (1, 1)];
        assert_eq!(per_column(pts.clone().into_iter()), pts);
    }

    #[test]
    fn a_crowded_column_keeps_its_ends_and_extremes_in_path_order() {
        // Six points in column 2: first 7, highest value 9 (the 3rd), lowest 1 (the 5th), last 4.
        let pts = vec![
            (1, 0),
            (2, 7),
            (2, 5),
            (2, 9),
            (2, 6),
            (2, 1),
            (2, 4),
            (3, 2),
        ];
        assert_eq!(
            per_column(pts.into_iter()),
            vec![(1, 0), (2, 7), (2, 9), (2, 1), (2, 4), (3, 2)]
        );
    }
}
