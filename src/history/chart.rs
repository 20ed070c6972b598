//! The validation page's scatter charts: recorded against simulated per ally, with the 45°
//! line, coloured by exposure class and labelled with the ally's name. Drawn with the plot
//! module's toolkit, as a [`Chart`] whose points come from the record (not from the run's
//! files alone, so they live here rather than among the run's charts).

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use crate::plot::Chart;
use crate::plot::RunData;
use crate::plot::axis;
use crate::plot::canvas::{Canvas, Rect};
use crate::plot::legend::{KeyItem, Swatch};
use crate::plot::scale::Linear;
use crate::plot::style::{self, INK, MUTED, option_colour};

use super::compare::CLASSES;

/// One ally: name, exposure class index (into [`CLASSES`]), recorded (x), simulated (y).
pub type Point = (String, usize, f64, f64);

/// Recorded (x) against simulated (y), one dot per ally.
pub struct Scatter {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub x_title: String,
    pub y_title: String,
    pub points: Vec<Point>,
}

impl Chart for Scatter {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn title(&self, _data: &RunData) -> String {
        self.title.clone()
    }

    fn caption(&self, _data: &RunData) -> String {
        self.caption.clone()
    }

    fn legend(&self, _data: &RunData) -> Vec<KeyItem> {
        let mut k: Vec<KeyItem> = CLASSES
            .iter()
            .enumerate()
            .map(|(i, (c, _))| KeyItem::new(Swatch::Dot(option_colour(i), false), *c))
            .collect();
        k.push(KeyItem::new(
            Swatch::Line(INK, 2.0, true),
            "45° line: simulated = recorded",
        ));
        k
    }

    fn draw(&self, _data: &RunData, c: &Canvas, b: Rect) -> Result<()> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in &self.points {
            lo = lo.min(p.2.min(p.3));
            hi = hi.max(p.2.max(p.3));
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = (hi - lo).max(1e-6) * 0.05;
        let (lo, hi) = (lo - pad, hi + pad);
        // A square plot, so that the 45° line is at 45°.
        let probe = axis::value_axis(lo, hi, 6, 0, 1, false, Some(self.y_title.clone()));
        let yw = axis::y_axis_width(c, &probe);
        let side = (b.w() - yw).min(b.h() - axis::x_axis_height(c, true));
        let x0 = b.x0 + yw + (b.w() - yw - side) / 2;
        let plot = Rect::new(x0, b.y0, x0 + side, b.y0 + side);
        let xa = axis::fit_axis(
            c,
            lo,
            hi,
            6,
            plot.x0,
            plot.x1,
            false,
            Some(self.x_title.clone()),
            true,
        );
        // The same domain and ticks on both axes, so that the 45° line is at 45°.
        let (a, z) = (
            xa.ticks.first().map_or(lo, |t| t.0),
            xa.ticks.last().map_or(hi, |t| t.0),
        );
        let ya = axis::Axis {
            scale: Linear::new(a, z, plot.y1, plot.y0),
            ticks: xa.ticks.clone(),
            title: Some(self.y_title.clone()),
        };
        axis::draw_x_axis(c, plot, &xa, true, true)?;
        axis::draw_y_axis(c, plot, &ya, true, true)?;
        let (x, y) = (xa.scale, ya.scale);
        c.dashed(
            (x.clamp(a), y.clamp(a)),
            (x.clamp(z), y.clamp(z)),
            INK,
            c.st.stroke(2.0),
            c.px(8.0),
        )?;
        let lf = c.font(style::SMALL - 4.0).colour(MUTED);
        for (name, class, rx, sy) in &self.points {
            let (px, py) = (x.clamp(*rx), y.clamp(*sy));
            c.dot(px, py, c.px(7.0), option_colour(*class), false)?;
            c.label(name, px + c.px(9.0), py, lf, HPos::Left, VPos::Center)?;
        }
        Ok(())
    }
}
