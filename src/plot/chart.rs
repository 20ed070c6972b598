//! What every chart is: the [`Chart`] trait each kind of chart implements, and the frame the
//! driver draws around a chart's body (background, title, subtitle, legend).
//!
//! It sits below the chart files and the driver, so that a chart depends on the trait and the
//! drawing toolkit only, and the driver on the charts.

use anyhow::Result;
use plotters::prelude::WHITE;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Rect};
use super::data::RunData;
use super::legend::{self, KeyItem, draw_legend, legend_height};
use super::style::{self, MUTED};

/// One kind of chart.
pub trait Chart {
    /// File stem, unique in a run (e.g. `dist-cohesion_final`).
    fn id(&self) -> String;
    /// The headline.
    fn title(&self, data: &RunData) -> String;
    /// One line: what the chart shows and how to read it.
    fn caption(&self, data: &RunData) -> String;
    /// Legend entries (by default one per option, in its colour).
    fn legend(&self, data: &RunData) -> Vec<KeyItem> {
        legend::option_keys(data.options())
    }
    /// Draws the chart's body into `body` (the frame is drawn already).
    fn draw(&self, data: &RunData, c: &Canvas, body: Rect) -> Result<()>;
}

/// Draws the background, title, subtitle and legend; returns the rectangle left for the body.
pub fn draw_frame(c: &Canvas, title: &str, subtitle: &str, legend: &[KeyItem]) -> Result<Rect> {
    c.area.fill(&WHITE)?;
    let b = c.bounds();
    let m = c.px(28.0);
    let inner = b.inset(m, c.px(20.0), m, c.px(16.0));
    let (t, tf) = c.fit_text(title, c.font(style::TITLE).bold(), inner.w());
    c.text(&t, inner.x0, inner.y0, tf, HPos::Left, VPos::Top)?;
    let mut y = inner.y0 + (tf.px * 1.25) as i32;
    let (st, sf) = c.fit_text(subtitle, c.font(style::SUBTITLE).colour(MUTED), inner.w());
    c.text(&st, inner.x0, y, sf, HPos::Left, VPos::Top)?;
    y += (sf.px * 1.45) as i32;
    if !legend.is_empty() {
        let lh = legend_height(c, inner.w(), legend);
        draw_legend(c, Rect::new(inner.x0, y, inner.x1, y + lh), legend)?;
        y += lh;
    }
    Ok(Rect::new(inner.x0, y + c.px(14.0), inner.x1, inner.y1))
}
