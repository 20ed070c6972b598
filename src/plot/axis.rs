//! Axes: a value axis over round ticks (fitted to the room its labels need), the room an axis
//! takes beside a plot, and drawing x and y axes with grid lines, tick labels and titles.
//!
//! The time axis, which needs the run's calendar, is in [`super::timeline`].

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Rect};
use super::numbers::fmt_tick;
use super::scale::{Linear, nice_range, ticks};
use super::style::{self, AXIS, GRID, MUTED};

/// An axis: its scale, labelled ticks and title.
pub struct Axis {
    pub scale: Linear,
    pub ticks: Vec<(f64, String)>,
    pub title: Option<String>,
}

/// A value axis over `[lo, hi]` widened to round ticks, mapped onto pixels `p0..p1`.
pub fn value_axis(
    lo: f64,
    hi: f64,
    target: usize,
    p0: i32,
    p1: i32,
    percent: bool,
    title: Option<String>,
) -> Axis {
    // Quantiles from histograms may stray a hair outside a bounded range: snap to 0 and 1.
    let span = (hi - lo).abs();
    let lo = if lo < 0.0 && lo > -0.02 * span {
        0.0
    } else {
        lo
    };
    let hi = if hi > 1.0 && lo >= 0.0 && hi < 1.0 + 0.02 * span {
        1.0
    } else {
        hi
    };
    let (a, b, step) = nice_range(lo, hi, target);
    Axis {
        scale: Linear::new(a, b, p0, p1),
        ticks: ticks(a, b, step)
            .into_iter()
            .map(|v| (v, fmt_tick(v, step, percent)))
            .collect(),
        title,
    }
}

/// A value axis along pixels `p0..p1` with as many round ticks (at most about `target`) as
/// leave room between their labels.
#[allow(clippy::too_many_arguments)]
pub fn fit_axis(
    c: &Canvas,
    lo: f64,
    hi: f64,
    target: usize,
    p0: i32,
    p1: i32,
    percent: bool,
    title: Option<String>,
    horizontal: bool,
) -> Axis {
    let len = (p1 - p0).abs();
    let f = c.font(style::TICK);
    for t in (2..=target.max(2)).rev() {
        let ax = value_axis(lo, hi, t, p0, p1, percent, title.clone());
        let need = if horizontal {
            ax.ticks
                .iter()
                .map(|(_, s)| c.width(s, f) + c.px(16.0))
                .sum::<i32>()
        } else {
            ax.ticks.len() as i32 * (f.px * 1.6) as i32
        };
        if need <= len {
            return ax;
        }
    }
    value_axis(lo, hi, 1, p0, p1, percent, title)
}

/// Height taken below a plot by an x axis (tick labels, and the title if any).
pub fn x_axis_height(c: &Canvas, title: bool) -> i32 {
    c.px(10.0)
        + c.font(style::TICK).px as i32
        + if title {
            c.px(12.0) + c.font(style::LABEL).px as i32
        } else {
            0
        }
        + c.px(6.0)
}

/// Width taken left of a plot by a y axis with these tick labels (and its title if any).
pub fn y_axis_width(c: &Canvas, ax: &Axis) -> i32 {
    let f = c.font(style::TICK);
    let w = ax
        .ticks
        .iter()
        .map(|(_, s)| c.width(s, f))
        .max()
        .unwrap_or(0);
    w + c.px(12.0)
        + if ax.title.is_some() {
            c.font(style::LABEL).px as i32 + c.px(14.0)
        } else {
            0
        }
}

/// Draws an x axis under `plot`: grid lines, tick labels, title.
pub fn draw_x_axis(c: &Canvas, plot: Rect, ax: &Axis, grid: bool, labels: bool) -> Result<()> {
    let f = c.font(style::TICK).colour(MUTED);
    for (v, s) in &ax.ticks {
        let x = ax.scale.map(*v);
        if x < plot.x0 - 1 || x > plot.x1 + 1 {
            continue;
        }
        if grid {
            c.line(&[(x, plot.y0), (x, plot.y1)], GRID, 1.0, c.st.stroke(1.5))?;
        }
        c.line(
            &[(x, plot.y1), (x, plot.y1 + c.px(6.0))],
            AXIS,
            1.0,
            c.st.stroke(1.5),
        )?;
        if labels {
            c.text(s, x, plot.y1 + c.px(10.0), f, HPos::Center, VPos::Top)?;
        }
    }
    c.line(
        &[(plot.x0, plot.y1), (plot.x1, plot.y1)],
        AXIS,
        1.0,
        c.st.stroke(2.0),
    )?;
    if let (Some(t), true) = (&ax.title, labels) {
        let tf = c.fit(t, c.font(style::LABEL), plot.w());
        let y = plot.y1 + c.px(22.0) + c.font(style::TICK).px as i32;
        c.text(t, (plot.x0 + plot.x1) / 2, y, tf, HPos::Center, VPos::Top)?;
    }
    Ok(())
}

/// Draws a y axis left of `plot`: grid lines, tick labels, title (reading upwards).
pub fn draw_y_axis(c: &Canvas, plot: Rect, ax: &Axis, grid: bool, labels: bool) -> Result<()> {
    let f = c.font(style::TICK).colour(MUTED);
    let mut widest = 0;
    for (v, s) in &ax.ticks {
        let y = ax.scale.map(*v);
        if y < plot.y0 - 1 || y > plot.y1 + 1 {
            continue;
        }
        if grid {
            c.line(&[(plot.x0, y), (plot.x1, y)], GRID, 1.0, c.st.stroke(1.5))?;
        }
        if labels {
            c.text(s, plot.x0 - c.px(10.0), y, f, HPos::Right, VPos::Center)?;
            widest = widest.max(c.width(s, f));
        }
    }
    c.line(
        &[(plot.x0, plot.y0), (plot.x0, plot.y1)],
        AXIS,
        1.0,
        c.st.stroke(2.0),
    )?;
    if let (Some(t), true) = (&ax.title, labels) {
        let tf = c.fit(t, c.font(style::LABEL), plot.h());
        let x = plot.x0 - c.px(14.0) - widest - tf.px as i32 / 2 - c.px(2.0);
        c.text_up(t, x, (plot.y0 + plot.y1) / 2, tf)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_axis_snaps_quantile_noise_to_the_bounds() {
        let ax = value_axis(-0.0005, 0.75, 5, 0, 100, false, None);
        assert_eq!(ax.ticks.first().map(|t| t.0), Some(0.0));
        let ax = value_axis(0.2, 1.004, 5, 0, 100, false, None);
        assert_eq!(ax.ticks.last().map(|t| t.0), Some(1.0));
    }
}
