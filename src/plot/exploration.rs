//! What every chart of an exploration shares: the exploration's data read back from its CSV
//! files ([`ExploreData`]), the [`ExploreChart`] trait, and the ranked panel of bars the
//! sensitivity and robustness charts are drawn with.

use std::path::Path;

use anyhow::Result;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Canvas, Rect};
use super::legend::KeyItem;
use super::scale::Linear;
use super::style::{self, INK, MUTED};
use crate::output::analysis::{
    self, PrimLimit, PrimStep, RobustRow, SatisRow, SensRow, read_prim, read_prim_box,
    read_robustness, read_satisficing, read_sensitivity,
};
use crate::output::explore::ExploreManifest;

/// Everything an exploration's charts and report read.
#[derive(Debug, Clone)]
pub struct ExploreData {
    /// The directory the tables were read from.
    pub dir: std::path::PathBuf,
    pub manifest: ExploreManifest,
    pub sensitivity: Vec<SensRow>,
    pub prim: Vec<PrimStep>,
    pub prim_box: Vec<PrimLimit>,
    pub robustness: Vec<RobustRow>,
    pub satisficing: Vec<SatisRow>,
}

impl ExploreData {
    /// Reads a finished exploration.
    pub fn load(dir: &Path) -> Result<ExploreData> {
        let m = ExploreManifest::read(dir)?;
        ExploreData::load_with(dir, &m)
    }

    /// Reads the CSV files of `dir` with the manifest given (during a run it is not yet written).
    pub fn load_with(dir: &Path, m: &ExploreManifest) -> Result<ExploreData> {
        let opt = |name: &str| dir.join(name);
        Ok(ExploreData {
            dir: dir.to_path_buf(),
            manifest: m.clone(),
            sensitivity: read_sensitivity(&opt("sensitivity.csv"))?,
            prim: read_prim(&opt("prim.csv"))?,
            prim_box: read_prim_box(&opt("prim_box.csv"))?,
            robustness: read_robustness(&opt("robustness.csv"))?,
            satisficing: if opt("satisficing.csv").exists() {
                read_satisficing(&opt("satisficing.csv"))?
            } else {
                Vec::new()
            },
        })
    }

    /// The PRIM questions, in file order.
    pub fn questions(&self) -> Vec<String> {
        let mut q: Vec<String> = Vec::new();
        for s in &self.prim {
            if !q.contains(&s.question) {
                q.push(s.question.clone());
            }
        }
        q
    }

    /// The colour of an option (its position in the exploration, as in a run).
    pub fn colour(&self, option: &str) -> RGBColor {
        let i = self
            .manifest
            .policies
            .iter()
            .position(|p| p == option)
            .unwrap_or(0);
        style::option_colour(i)
    }

    /// The design in words: "Sobol' (Saltelli), 256 base points = 2,560 points × 20 replications".
    pub fn design_text(&self) -> String {
        let m = &self.manifest;
        let base = match m.design.as_str() {
            "sobol" => format!(
                "Sobol' design (Saltelli's scheme{}), N = {} base points",
                if m.second_order {
                    ", with second order"
                } else {
                    ""
                },
                m.base_points
            ),
            "morris" => format!(
                "Morris design, {} trajectories on {} levels",
                m.base_points,
                m.levels.unwrap_or(0)
            ),
            "factorial" => format!("full factorial, {} levels", m.levels.unwrap_or(0)),
            _ => "Latin hypercube".to_string(),
        };
        format!(
            "{base}: {} points × {} replications",
            m.points, m.replications
        )
    }
}

/// One chart of an exploration.
pub trait ExploreChart {
    fn id(&self) -> String;
    fn title(&self, d: &ExploreData) -> String;
    fn caption(&self, d: &ExploreData) -> String;
    fn legend(&self, d: &ExploreData) -> Vec<KeyItem>;
    fn draw(&self, d: &ExploreData, c: &Canvas, body: Rect) -> Result<()>;
}

/// One row of a ranked panel: a label, a bar (light) with an interval, an inner bar (dark) with
/// an interval, a marker, and the value written beside.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub colour: RGBColor,
    pub bar: Option<(f64, f64)>,
    pub bar_ci: Option<(f64, f64)>,
    pub inner: Option<(f64, f64)>,
    pub inner_ci: Option<(f64, f64)>,
    pub marker: Option<f64>,
    pub text: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, colour: RGBColor) -> Bar {
        Bar {
            label: label.into(),
            colour,
            bar: None,
            bar_ci: None,
            inner: None,
            inner_ci: None,
            marker: None,
            text: String::new(),
        }
    }
}

/// Draws a titled panel of horizontal bars on the value axis `lo..hi` (shared by the panels
/// of a chart, so that sizes compare across panels).
#[allow(clippy::too_many_arguments)]
pub fn ranked_panel(
    c: &Canvas,
    r: Rect,
    title: &[String],
    title_font: canvas::Font,
    rows: &[Bar],
    lo: f64,
    hi: f64,
    percent: bool,
    axis_title: Option<String>,
) -> Result<()> {
    c.lines(title, r.x0, r.y0, title_font)?;
    let title_h = title.len() as i32 * (title_font.px * 1.22) as i32 + c.px(8.0);
    let label_f = c.font(style::TICK);
    let label_w = rows
        .iter()
        .map(|b| c.width(&b.label, label_f))
        .max()
        .unwrap_or(0)
        .min(r.w() * 2 / 5)
        + c.px(12.0);
    let val_f = c.font(style::SMALL - 2.0).colour(MUTED);
    let widest = rows
        .iter()
        .map(|b| b.text.as_str())
        .max_by_key(|t| c.width(t, val_f))
        .unwrap_or("");
    let text_w = (c.width(widest, val_f) + c.px(10.0)).min(r.w() / 4);
    // Smaller type, if needed, so that the values stay inside the panel.
    let val_f = c.fit(widest, val_f, text_w - c.px(10.0));
    let plot = Rect::new(
        r.x0 + label_w,
        r.y0 + title_h,
        r.x1 - text_w,
        r.y1 - super::axis::x_axis_height(c, axis_title.is_some()),
    );
    let axis = super::axis::fit_axis(c, lo, hi, 5, plot.x0, plot.x1, percent, axis_title, true);
    super::axis::draw_x_axis(c, plot, &axis, true, true)?;
    let x: Linear = axis.scale;
    if lo < 0.0 && hi > 0.0 {
        c.line(
            &[(x.map(0.0), plot.y0), (x.map(0.0), plot.y1)],
            INK,
            1.0,
            c.st.stroke(1.5),
        )?;
    }
    let rh = plot.h() as f64 / rows.len().max(1) as f64;
    for (j, b) in rows.iter().enumerate() {
        let yc = plot.y0 + (rh * (j as f64 + 0.5)).round() as i32;
        let lf = c.fit(&b.label, label_f, label_w - c.px(12.0));
        c.text(
            &b.label,
            plot.x0 - c.px(10.0),
            yc,
            lf,
            HPos::Right,
            VPos::Center,
        )?;
        let half = ((rh * 0.32) as i32).min(c.px(16.0)).max(2);
        if let Some((a, e)) = b.bar {
            let (xa, xe) = (x.clamp(a.min(e)), x.clamp(a.max(e)));
            c.fill(
                Rect::new(xa, yc - half, xe.max(xa + 1), yc + half),
                b.colour,
                0.3,
            )?;
        }
        if let Some((a, e)) = b.bar_ci {
            c.line(
                &[(x.clamp(a), yc), (x.clamp(e), yc)],
                b.colour,
                0.8,
                c.st.stroke(2.0),
            )?;
            for v in [a, e] {
                let xv = x.clamp(v);
                c.line(
                    &[(xv, yc - half / 2), (xv, yc + half / 2)],
                    b.colour,
                    0.8,
                    c.st.stroke(2.0),
                )?;
            }
        }
        let ih = (half * 2 / 5).max(1);
        if let Some((a, e)) = b.inner {
            let (xa, xe) = (x.clamp(a.min(e)), x.clamp(a.max(e)));
            c.fill(
                Rect::new(xa, yc - ih, xe.max(xa + 1), yc + ih),
                b.colour,
                1.0,
            )?;
        }
        if let Some((a, e)) = b.inner_ci {
            c.line(
                &[
                    (x.clamp(a), yc + ih + c.px(3.0)),
                    (x.clamp(e), yc + ih + c.px(3.0)),
                ],
                INK,
                0.7,
                c.st.stroke(1.5),
            )?;
        }
        if let Some(m) = b.marker {
            c.dot(x.clamp(m), yc, c.px(7.0), b.colour, true)?;
        }
        c.text(
            &b.text,
            plot.x1 + c.px(10.0),
            yc,
            val_f,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// Panel rectangles for `k` panels in `b` (the usual grid, larger panels for fewer).
pub fn panels(c: &Canvas, b: Rect, k: usize) -> Vec<Rect> {
    let (gx, gy) = (c.px(60.0), c.px(30.0));
    let (cols, rows) = super::layout::panel_grid(
        k,
        (b.w(), b.h()),
        (gx, gy),
        c.px(80.0),
        (c.px(360.0), c.px(160.0)),
    );
    b.grid(rows, cols, gx, gy).into_iter().take(k).collect()
}

/// Reads back an exploration's analysis tables for a later command (the same readers the
/// charts use).
pub use analysis::rank_by;

/// A number for a chart label: three significant figures.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a != 0.0 && !(0.001..10_000.0).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The muted colour for neutral marks.
pub const NEUTRAL: RGBColor = MUTED;
