//! Drawing in pixels: rectangles in the canvas, linear scales with round ticks, axes, the
//! legend, the frame (title, subtitle, legend) and the scripted injects on a time axis.
//!
//! Charts lay themselves out in absolute pixel coordinates of the whole canvas, so that text
//! is measured once and nothing overlaps by accident.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::backend::AnyBackend;
use super::data::{InjectRow, RunInfo};
use super::style::{self, AXIS, GRID, INJECT, INK, MUTED, Style};

/// The drawing area of a chart (the whole canvas).
pub type Area<'a> = DrawingArea<AnyBackend<'a>, Shift>;

/// A rectangle in canvas pixels, `x0 <= x1`, `y0 <= y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Rect {
    pub fn new(x0: i32, y0: i32, x1: i32, y1: i32) -> Rect {
        Rect {
            x0,
            y0,
            x1: x1.max(x0),
            y1: y1.max(y0),
        }
    }
    pub fn w(&self) -> i32 {
        self.x1 - self.x0
    }
    pub fn h(&self) -> i32 {
        self.y1 - self.y0
    }
    pub fn inset(&self, left: i32, top: i32, right: i32, bottom: i32) -> Rect {
        Rect::new(
            self.x0 + left,
            self.y0 + top,
            self.x1 - right,
            self.y1 - bottom,
        )
    }
    /// `rows × cols` cells, row-major, with gaps between them.
    pub fn grid(&self, rows: usize, cols: usize, gap_x: i32, gap_y: i32) -> Vec<Rect> {
        let rows = rows.max(1) as i32;
        let cols = cols.max(1) as i32;
        let cw = (self.w() - gap_x * (cols - 1)) as f64 / cols as f64;
        let rh = (self.h() - gap_y * (rows - 1)) as f64 / rows as f64;
        let mut out = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                let x0 = self.x0 + (c as f64 * (cw + gap_x as f64)).round() as i32;
                let y0 = self.y0 + (r as f64 * (rh + gap_y as f64)).round() as i32;
                out.push(Rect::new(
                    x0,
                    y0,
                    x0 + cw.round() as i32,
                    y0 + rh.round() as i32,
                ));
            }
        }
        out
    }
}

/// A font: size in pixels, weight and colour.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    pub px: f64,
    pub bold: bool,
    pub colour: RGBColor,
}

impl Font {
    pub fn bold(mut self) -> Font {
        self.bold = true;
        self
    }
    pub fn colour(mut self, c: RGBColor) -> Font {
        self.colour = c;
        self
    }
    pub fn px(mut self, px: f64) -> Font {
        self.px = px;
        self
    }
}

/// The canvas and its style.
pub struct Canvas<'a, 'b> {
    pub area: &'b Area<'a>,
    pub st: Style,
}

impl Canvas<'_, '_> {
    /// The whole canvas.
    pub fn bounds(&self) -> Rect {
        Rect::new(0, 0, self.st.width as i32, self.st.height as i32)
    }

    /// A font of base size `base` (see [`style`]), ink colour.
    pub fn font(&self, base: f64) -> Font {
        Font {
            px: self.st.font(base),
            bold: false,
            colour: INK,
        }
    }

    pub fn px(&self, base: f64) -> i32 {
        self.st.px(base)
    }

    fn text_style(&self, f: Font, h: HPos, v: VPos, rotate: bool) -> TextStyle<'static> {
        let weight = if f.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let mut font = FontDesc::new(FontFamily::SansSerif, f.px, weight);
        if rotate {
            font = font.transform(FontTransform::Rotate270);
        }
        TextStyle {
            font,
            color: f.colour.to_backend_color(),
            pos: Pos::new(h, v),
        }
    }

    /// Draws `s` anchored at `(x, y)`.
    pub fn text(&self, s: &str, x: i32, y: i32, f: Font, h: HPos, v: VPos) -> Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        self.area
            .draw_text(s, &self.text_style(f, h, v, false), (x, y))?;
        Ok(())
    }

    /// Draws `s` on a white box (for values over grid lines).
    pub fn label(&self, s: &str, x: i32, y: i32, f: Font, h: HPos, v: VPos) -> Result<()> {
        let w = self.width(s, f);
        let em = super::text::height(f.px) as i32;
        let x0 = match h {
            HPos::Left => x,
            HPos::Center => x - w / 2,
            HPos::Right => x - w,
        };
        let y0 = match v {
            VPos::Top => y,
            VPos::Center => y - em / 2,
            VPos::Bottom => y - em,
        };
        let pad = self.px(3.0);
        self.fill(
            Rect::new(x0 - pad, y0 - pad, x0 + w + pad, y0 + em + pad),
            WHITE,
            0.85,
        )?;
        self.text(s, x, y, f, h, v)
    }

    /// Draws `s` turned a quarter anticlockwise (reading upwards), centred on `(x, y)`.
    pub fn text_up(&self, s: &str, x: i32, y: i32, f: Font) -> Result<()> {
        self.area.draw_text(
            s,
            &self.text_style(f, HPos::Center, VPos::Center, true),
            (x, y),
        )?;
        Ok(())
    }

    /// The width of `s` in pixels.
    pub fn width(&self, s: &str, f: Font) -> i32 {
        super::text::width(s, f.px, f.bold).ceil() as i32
    }

    /// `f` made smaller, if needed, so that `s` fits in `max_w` pixels (not below 60%).
    pub fn fit(&self, s: &str, f: Font, max_w: i32) -> Font {
        let w = self.width(s, f);
        if w <= max_w || w == 0 {
            return f;
        }
        f.px((f.px * max_w as f64 / w as f64).floor().max(f.px * 0.6))
    }

    /// [`fit`](Self::fit), then shortened with an ellipsis if still too wide.
    pub fn fit_text(&self, s: &str, f: Font, max_w: i32) -> (String, Font) {
        let f = self.fit(s, f, max_w);
        (self.ellipsize(s, f, max_w), f)
    }

    /// `s` shortened with an ellipsis so that it fits in `max_w` pixels.
    pub fn ellipsize(&self, s: &str, f: Font, max_w: i32) -> String {
        if self.width(s, f) <= max_w {
            return s.to_string();
        }
        let chars: Vec<char> = s.chars().collect();
        for n in (1..chars.len()).rev() {
            let t: String = chars[..n].iter().collect::<String>() + "…";
            if self.width(&t, f) <= max_w {
                return t;
            }
        }
        "…".to_string()
    }

    /// Splits `s` into lines of at most `max_w` pixels, at spaces or after hyphens.
    pub fn wrap(&self, s: &str, f: Font, max_w: i32) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for w in s.split(' ') {
            let mut cur = String::new();
            for ch in w.chars() {
                cur.push(ch);
                if ch == '-' {
                    words.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                words.push(cur);
            }
            if let Some(last) = words.last_mut() {
                last.push(' ');
            }
        }
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for w in words {
            let candidate = format!("{line}{w}");
            if !line.is_empty() && self.width(candidate.trim_end(), f) > max_w {
                lines.push(line.trim_end().to_string());
                line = w;
            } else {
                line = candidate;
            }
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    /// Panel titles wrapped into at most two lines of `max_w` pixels (type made smaller only
    /// if two lines are not enough); returns the lines, the font and the block height.
    pub fn panel_titles(
        &self,
        titles: &[String],
        f: Font,
        max_w: i32,
    ) -> (Vec<Vec<String>>, Font, i32) {
        let mut font = f;
        for _ in 0..6 {
            let wrapped: Vec<Vec<String>> =
                titles.iter().map(|t| self.wrap(t, font, max_w)).collect();
            if wrapped.iter().all(|l| l.len() <= 2) || font.px <= f.px * 0.7 {
                let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).clamp(1, 2);
                let out = wrapped
                    .into_iter()
                    .map(|mut l| {
                        if l.len() > 2 {
                            let rest = l[1..].join(" ");
                            l.truncate(1);
                            l.push(self.ellipsize(&rest, font, max_w));
                        }
                        l
                    })
                    .collect();
                return (
                    out,
                    font,
                    lines as i32 * (font.px * 1.22) as i32 + self.px(6.0),
                );
            }
            font = font.px((font.px * 0.92).floor());
        }
        (
            titles.iter().map(|t| vec![t.clone()]).collect(),
            font,
            (font.px * 1.3) as i32,
        )
    }

    /// Draws lines of text from `(x, y)` down.
    pub fn lines(&self, lines: &[String], x: i32, y: i32, f: Font) -> Result<()> {
        for (i, l) in lines.iter().enumerate() {
            self.text(
                l,
                x,
                y + i as i32 * (f.px * 1.22) as i32,
                f,
                HPos::Left,
                VPos::Top,
            )?;
        }
        Ok(())
    }

    pub fn fill(&self, r: Rect, c: RGBColor, alpha: f64) -> Result<()> {
        if r.w() <= 0 || r.h() <= 0 {
            return Ok(());
        }
        self.area.draw(&Rectangle::new(
            [(r.x0, r.y0), (r.x1, r.y1)],
            ShapeStyle {
                color: c.mix(alpha),
                filled: true,
                stroke_width: 0,
            },
        ))?;
        Ok(())
    }

    pub fn outline(&self, r: Rect, c: RGBColor, width: u32) -> Result<()> {
        self.area.draw(&Rectangle::new(
            [(r.x0, r.y0), (r.x1, r.y1)],
            ShapeStyle {
                color: c.to_rgba(),
                filled: false,
                stroke_width: width,
            },
        ))?;
        Ok(())
    }

    /// A polyline of width `width` pixels.
    pub fn line(&self, pts: &[(i32, i32)], c: RGBColor, alpha: f64, width: u32) -> Result<()> {
        if pts.len() < 2 {
            return Ok(());
        }
        self.area.draw(&PathElement::new(
            pts.to_vec(),
            ShapeStyle {
                color: c.mix(alpha),
                filled: false,
                stroke_width: width,
            },
        ))?;
        Ok(())
    }

    /// A dashed straight line.
    pub fn dashed(
        &self,
        a: (i32, i32),
        b: (i32, i32),
        c: RGBColor,
        width: u32,
        dash: i32,
    ) -> Result<()> {
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            return Ok(());
        }
        let dash = dash.max(2) as f64;
        let mut t = 0.0;
        while t < len {
            let t1 = (t + dash).min(len);
            let p = |s: f64| {
                (
                    a.0 + (dx * s / len).round() as i32,
                    a.1 + (dy * s / len).round() as i32,
                )
            };
            self.line(&[p(t), p(t1)], c, 1.0, width)?;
            t += dash * 1.8;
        }
        Ok(())
    }

    pub fn polygon(&self, pts: &[(i32, i32)], c: RGBColor, alpha: f64) -> Result<()> {
        if pts.len() < 3 {
            return Ok(());
        }
        self.area.draw(&Polygon::new(
            pts.to_vec(),
            ShapeStyle {
                color: c.mix(alpha),
                filled: true,
                stroke_width: 0,
            },
        ))?;
        Ok(())
    }

    /// A dot: filled with `c`, or white with a `c` ring when `hollow`.
    pub fn dot(&self, x: i32, y: i32, r: i32, c: RGBColor, hollow: bool) -> Result<()> {
        let r = r.max(2) as u32;
        if hollow {
            let ring = self.st.stroke(3.0).min(r - 1);
            self.area.draw(&Circle::new((x, y), r, c.filled()))?;
            self.area
                .draw(&Circle::new((x, y), r - ring, WHITE.filled()))?;
        } else {
            self.area.draw(&Circle::new((x, y), r, c.filled()))?;
        }
        Ok(())
    }
}

/// A linear map from data values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Linear {
    pub fn new(d0: f64, d1: f64, p0: i32, p1: i32) -> Linear {
        let d1 = if (d1 - d0).abs() < 1e-300 {
            d0 + 1.0
        } else {
            d1
        };
        Linear { d0, d1, p0, p1 }
    }
    pub fn map(&self, v: f64) -> i32 {
        let t = (v - self.d0) / (self.d1 - self.d0);
        (self.p0 as f64 + t * (self.p1 - self.p0) as f64).round() as i32
    }
    /// The same, clamped to the pixel range.
    pub fn clamp(&self, v: f64) -> i32 {
        let (a, b) = (self.p0.min(self.p1), self.p0.max(self.p1));
        self.map(v).clamp(a, b)
    }
}

/// A round step that cuts `range` into about `target` parts: 1, 2, 2.5 or 5 × 10^k.
pub fn nice_step(range: f64, target: usize) -> f64 {
    let range = if range > 0.0 && range.is_finite() {
        range
    } else {
        1.0
    };
    let raw = range / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nf = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nf * mag
}

/// `[lo, hi]` widened to multiples of a round step; returns (lo, hi, step).
pub fn nice_range(lo: f64, hi: f64, target: usize) -> (f64, f64, f64) {
    let (lo, hi) = if hi - lo > 1e-12 {
        (lo, hi)
    } else {
        // A single value: a window around it that does not cross zero needlessly.
        let w = if lo.abs() < 1e-12 {
            1.0
        } else {
            lo.abs() * 0.2
        };
        if lo >= 0.0 && lo - w / 2.0 < 0.0 {
            (0.0, w.max(lo * 2.0))
        } else {
            (lo - w / 2.0, hi + w / 2.0)
        }
    };
    let step = nice_step(hi - lo, target);
    let a = (lo / step + 1e-9).floor() * step;
    let b = (hi / step - 1e-9).ceil() * step;
    (a, b, step)
}

/// Multiples of `step` in `[lo, hi]`.
pub fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    for k in first..=last {
        let v = k as f64 * step;
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
    }
    out
}

/// A tick label with as many decimals as the step needs (`percent`: ×100 with "%").
pub fn fmt_tick(v: f64, step: f64, percent: bool) -> String {
    let (v, step) = if percent {
        (v * 100.0, step * 100.0)
    } else {
        (v, step)
    };
    let mut d = 0usize;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    let s = format!("{:.*}", d, v);
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        format!("{:.*}", d, 0.0)
    } else {
        s.replace('-', "−")
    };
    if percent { format!("{s}%") } else { s }
}

/// A value for an annotation: three significant figures (`percent`: as a percentage).
pub fn fmt_value(v: f64, percent: bool) -> String {
    let x = if percent { v * 100.0 } else { v };
    let s = if x == 0.0 {
        "0".to_string()
    } else {
        let mag = x.abs().log10().floor() as i32;
        let d = (2 - mag).clamp(0, 6) as usize;
        let s = format!("{:.*}", d, x);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let s = if s == "-0" {
        "0".to_string()
    } else {
        s.replace('-', "−")
    };
    if percent { format!("{s}%") } else { s }
}

/// A signed difference for an annotation ("+0.043", "−2.1 pp").
pub fn fmt_diff(v: f64, percent: bool) -> String {
    let s = fmt_value(v, false);
    let s = if percent {
        fmt_value(v * 100.0, false) + " pp"
    } else {
        s
    };
    if v > 0.0 { format!("+{s}") } else { s }
}

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

/// What a legend entry shows.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A filled square.
    Fill(RGBColor, f64),
    /// A line (dashed or solid) of a base width.
    Line(RGBColor, f64, bool),
    /// A dot on a whisker.
    Interval(RGBColor),
    /// The two bands and the median line of a fan chart.
    Fan(RGBColor),
    /// A dot, filled or a ring.
    Dot(RGBColor, bool),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct KeyItem {
    pub swatch: Swatch,
    pub label: String,
}

impl KeyItem {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> KeyItem {
        KeyItem {
            swatch,
            label: label.into(),
        }
    }
}

fn key_layout(c: &Canvas, width: i32, items: &[KeyItem]) -> Vec<(i32, i32)> {
    let f = c.font(style::SMALL + 2.0);
    let sw = c.px(38.0);
    let gap = c.px(30.0);
    let line_h = (f.px * 1.5) as i32;
    let (mut x, mut y) = (0, 0);
    let mut pos = Vec::new();
    for it in items {
        let w = sw + c.px(10.0) + c.width(&it.label, f);
        if x > 0 && x + w > width {
            x = 0;
            y += line_h;
        }
        pos.push((x, y));
        x += w + gap;
    }
    pos
}

/// Height of a legend of `items` laid out in `width` pixels.
pub fn legend_height(c: &Canvas, width: i32, items: &[KeyItem]) -> i32 {
    if items.is_empty() {
        return 0;
    }
    let line_h = (c.font(style::SMALL + 2.0).px * 1.5) as i32;
    key_layout(c, width, items).last().map(|p| p.1).unwrap_or(0) + line_h
}

/// Draws a legend, left to right, wrapping into more lines as needed.
pub fn draw_legend(c: &Canvas, r: Rect, items: &[KeyItem]) -> Result<()> {
    let f = c.font(style::SMALL + 2.0);
    let sw = c.px(38.0);
    let line_h = (f.px * 1.5) as i32;
    for (it, (dx, dy)) in items.iter().zip(key_layout(c, r.w(), items)) {
        let (x, yc) = (r.x0 + dx, r.y0 + dy + line_h / 2);
        let half = (f.px * 0.38) as i32;
        match it.swatch {
            Swatch::Fill(col, a) => c.fill(Rect::new(x, yc - half, x + sw, yc + half), col, a)?,
            Swatch::Line(col, w, dashed) => {
                if dashed {
                    c.dashed((x, yc), (x + sw, yc), col, c.st.stroke(w), c.px(7.0))?
                } else {
                    c.line(&[(x, yc), (x + sw, yc)], col, 1.0, c.st.stroke(w))?
                }
            }
            Swatch::Interval(col) => {
                c.line(&[(x, yc), (x + sw, yc)], col, 1.0, c.st.stroke(3.0))?;
                c.dot(x + sw / 2, yc, c.px(7.0), col, false)?;
            }
            Swatch::Dot(col, hollow) => c.dot(x + sw / 2, yc, c.px(7.0), col, hollow)?,
            Swatch::Fan(col) => {
                c.fill(Rect::new(x, yc - half, x + sw, yc + half), col, 0.18)?;
                c.fill(
                    Rect::new(x, yc - half / 2, x + sw, yc + half / 2),
                    col,
                    0.38,
                )?;
                c.line(&[(x, yc), (x + sw, yc)], col, 1.0, c.st.stroke(3.0))?;
            }
        }
        c.text(
            &it.label,
            x + sw + c.px(10.0),
            yc,
            f,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// The legend entries of the options, each in its colour.
pub fn option_keys(options: &[String]) -> Vec<KeyItem> {
    options
        .iter()
        .enumerate()
        .map(|(i, o)| KeyItem::new(Swatch::Fill(style::option_colour(i), 1.0), o.clone()))
        .collect()
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

/// The scripted injects, grouped by turn: (turn, numbers of the injects at it).
pub fn inject_turns(injects: &[InjectRow]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, inj) in injects.iter().enumerate() {
        match out.iter_mut().find(|(t, _)| *t == inj.turn) {
            Some((_, v)) => v.push(i + 1),
            None => out.push((inj.turn, vec![i + 1])),
        }
    }
    out
}

/// Height of the strip above a time plot that holds the inject numbers (0 without injects).
pub fn inject_strip(c: &Canvas, injects: &[InjectRow]) -> i32 {
    if injects.is_empty() {
        0
    } else {
        (c.font(style::SMALL - 2.0).px * 1.25) as i32 + c.px(4.0)
    }
}

/// Marks each inject turn of `plot`: a dashed vertical line through it and, with `numbers`,
/// its number(s) in the strip just above it (see [`inject_strip`]).
pub fn draw_inject_marks(
    c: &Canvas,
    plot: Rect,
    x: &Linear,
    injects: &[InjectRow],
    numbers: bool,
) -> Result<()> {
    let f = c.font(style::SMALL - 2.0).bold().colour(WHITE);
    // Right edge of the last number box: boxes of nearby turns are pushed apart.
    let mut last_x1 = i32::MIN;
    for (turn, nums) in inject_turns(injects) {
        let px = x.map(turn as f64);
        if px < plot.x0 || px > plot.x1 {
            continue;
        }
        c.dashed(
            (px, plot.y0),
            (px, plot.y1),
            INJECT,
            c.st.stroke(2.0),
            c.px(8.0),
        )?;
        if !numbers {
            continue;
        }
        let label = nums
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let w = c.width(&label, f) + c.px(10.0);
        let h = (f.px * 1.25) as i32;
        let top = plot.y0 - inject_strip(c, injects);
        // Kept within the plot's width, so that it clears the axis labels at either side.
        let x0 = (px - w / 2)
            .clamp(plot.x0, (plot.x1 - w).max(plot.x0))
            .max(last_x1.saturating_add(c.px(4.0)));
        last_x1 = x0 + w;
        let bx = Rect::new(x0, top, x0 + w, top + h);
        c.fill(bx, INJECT, 1.0)?;
        c.line(
            &[(px.clamp(x0 + 2, x0 + w - 2), top + h), (px, plot.y0)],
            INJECT,
            1.0,
            c.st.stroke(2.0),
        )?;
        c.text(
            &label,
            x0 + w / 2,
            top + h / 2,
            f,
            HPos::Center,
            VPos::Center,
        )?;
    }
    Ok(())
}

fn inject_entries(info: &RunInfo, injects: &[InjectRow]) -> Vec<String> {
    injects
        .iter()
        .enumerate()
        .map(|(i, inj)| {
            let when = if inj.date.is_empty() {
                turn_label(info, inj.turn)
            } else {
                inj.date.clone()
            };
            format!("{}  {} — {}", i + 1, when, inj.name)
        })
        .collect()
}

fn inject_key_layout(
    c: &Canvas,
    width: i32,
    max_h: i32,
    entries: &[String],
) -> (usize, usize, i32) {
    let f = c.font(style::SMALL);
    let line_h = (f.px * 1.4) as i32;
    let widest = entries.iter().map(|e| c.width(e, f)).max().unwrap_or(0) + c.px(30.0);
    let cols = if widest * 3 <= width {
        3
    } else if widest * 2 <= width || entries.len() > 2 {
        2
    } else {
        1
    }
    .min(entries.len().max(1));
    let rows_needed = entries.len().div_ceil(cols);
    let rows_room = (((max_h - c.px(34.0)) / line_h.max(1)).max(1)) as usize;
    let rows = rows_needed.min(rows_room);
    (cols, rows, rows as i32 * line_h)
}

/// Height of the key of scripted injects under a time chart, at most `max_h` (0 without
/// injects).
pub fn inject_key_height(
    c: &Canvas,
    width: i32,
    max_h: i32,
    info: &RunInfo,
    injects: &[InjectRow],
) -> i32 {
    if injects.is_empty() {
        return 0;
    }
    let e = inject_entries(info, injects);
    inject_key_layout(c, width, max_h, &e).2 + c.px(34.0)
}

/// Draws the key of scripted injects ("1  Oct 2021 — Mission suspended") in columns, within
/// `r`; when they do not all fit, the last line says how many more the report lists.
pub fn draw_inject_key(c: &Canvas, r: Rect, info: &RunInfo, injects: &[InjectRow]) -> Result<()> {
    if injects.is_empty() {
        return Ok(());
    }
    let mut entries = inject_entries(info, injects);
    let f = c.font(style::SMALL);
    let (cols, rows, _) = inject_key_layout(c, r.w(), r.h(), &entries);
    let room = cols * rows;
    if entries.len() > room {
        let more = entries.len() - (room - 1);
        entries.truncate(room - 1);
        entries.push(format!("… and {more} more (listed in report.html)"));
    }
    let head = c.font(style::SMALL).bold().colour(INJECT);
    c.text(
        "Scripted injects (dashed lines):",
        r.x0,
        r.y0 + c.px(8.0),
        head,
        HPos::Left,
        VPos::Top,
    )?;
    let y0 = r.y0 + c.px(34.0);
    let cw = r.w() / cols as i32;
    for (i, e) in entries.iter().enumerate() {
        let (col, row) = (i / rows, i % rows);
        let x = r.x0 + col as i32 * cw;
        let y = y0 + row as i32 * (f.px * 1.4) as i32;
        let e = c.ellipsize(e, f, cw - c.px(20.0));
        c.text(&e, x, y, f.colour(MUTED), HPos::Left, VPos::Top)?;
    }
    Ok(())
}

/// The calendar month index (year × 12 + month − 1) of turn 1, for monthly dated scenarios.
fn start_month(info: &RunInfo) -> Option<i64> {
    if info.turn_length != "month" {
        return None;
    }
    crate::kernel::time::month_index(info.start.as_deref()?)
}

/// A turn as text: "Nov 2021" for a dated monthly scenario, else "turn 5".
pub fn turn_label(info: &RunInfo, turn: usize) -> String {
    match start_month(info) {
        Some(m0) => crate::kernel::time::month_label(m0 + turn as i64 - 1),
        None => format!("turn {turn}"),
    }
}

/// The time axis of a chart over turns `1..=turns`, mapped onto pixels `p0..p1`.
pub fn time_axis(info: &RunInfo, turns: usize, p0: i32, p1: i32, max_ticks: usize) -> Axis {
    let scale = Linear::new(1.0, turns.max(2) as f64, p0, p1);
    if let Some(m0) = start_month(info) {
        let mut step: i64 = 1;
        for s in [1i64, 2, 3, 6, 12, 24, 60] {
            step = s;
            if turns as i64 / s < max_ticks.max(2) as i64 {
                break;
            }
        }
        let mut ticks = Vec::new();
        for t in 1..=turns {
            let m = m0 + t as i64 - 1;
            if m % step == 0 || (step > 12 && m % 12 == 0 && (m / 12) % (step / 12) == 0) {
                let label = if step >= 12 {
                    format!("{}", m / 12)
                } else {
                    crate::kernel::time::month_label(m)
                };
                ticks.push((t as f64, label));
            }
        }
        return Axis {
            scale,
            ticks,
            title: Some(format!("Month (turn 1 = {})", turn_label(info, 1))),
        };
    }
    let step = nice_step(turns as f64, max_ticks).max(1.0).round();
    let mut ticks: Vec<(f64, String)> = vec![(1.0, "1".into())];
    let mut t = step;
    while t <= turns as f64 + 1e-9 {
        if t > 1.0 + step * 0.4 {
            ticks.push((t, format!("{}", t as i64)));
        }
        t += step;
    }
    let unit = match info.turn_length.as_str() {
        "" | "step" => "Step".to_string(),
        l => format!("Turn (1 turn = 1 {l})"),
    };
    Axis {
        scale,
        ticks,
        title: Some(unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(turn_length: &str, start: Option<&str>) -> RunInfo {
        RunInfo {
            scenario: "s".into(),
            description: String::new(),
            model: "m".into(),
            version: "0".into(),
            git_commit: None,
            seed: 1,
            trials: 1,
            block_size: 1,
            policies: vec!["a".into()],
            baseline: "a".into(),
            scenario_path: String::new(),
            scenario_blake3: String::new(),
            started: String::new(),
            turn_length: turn_length.into(),
            start: start.map(str::to_string),
            quantile_accuracy: String::new(),
        }
    }

    #[test]
    fn round_steps_ranges_and_ticks() {
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(0.6, 5), 0.2);
        assert_eq!(nice_step(12.0, 5), 2.5);
        assert_eq!(nice_range(0.0, 1.0, 5), (0.0, 1.0, 0.2));
        assert_eq!(nice_range(0.03, 0.97, 5), (0.0, 1.0, 0.2));
        let (a, b, _) = nice_range(7.0, 91.0, 8);
        assert!(a <= 7.0 && b >= 91.0 && a >= 0.0);
        // A single value gets a window that does not cross zero.
        let (a, b, _) = nice_range(0.0, 0.0, 5);
        assert!(a == 0.0 && b > 0.0);
        assert_eq!(ticks(0.0, 1.0, 0.25), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(fmt_tick(0.30000000000000004, 0.1, false), "0.3");
        assert_eq!(fmt_tick(0.25, 0.25, true), "25%");
        assert_eq!(fmt_tick(-0.05, 0.025, false), "−0.050");
        assert_eq!(fmt_tick(-0.0, 0.1, false), "0.0");
    }

    #[test]
    fn values_and_differences_read_well() {
        assert_eq!(fmt_value(0.123456, false), "0.123");
        assert_eq!(fmt_value(12.5, true), "1250%");
        assert_eq!(fmt_value(0.0875, true), "8.75%");
        assert_eq!(fmt_value(1234.6, false), "1235");
        assert_eq!(fmt_diff(0.0353, false), "+0.0353");
        assert_eq!(fmt_diff(-0.0775, true), "−7.75 pp");
        assert_eq!(fmt_diff(0.0, true), "0 pp");
    }

    #[test]
    fn value_axis_snaps_quantile_noise_to_the_bounds() {
        let ax = value_axis(-0.0005, 0.75, 5, 0, 100, false, None);
        assert_eq!(ax.ticks.first().map(|t| t.0), Some(0.0));
        let ax = value_axis(0.2, 1.004, 5, 0, 100, false, None);
        assert_eq!(ax.ticks.last().map(|t| t.0), Some(1.0));
    }

    #[test]
    fn turns_as_dates_for_monthly_dated_scenarios() {
        let m = info("month", Some("2021-10"));
        assert_eq!(turn_label(&m, 1), "Oct 2021");
        assert_eq!(turn_label(&m, 4), "Jan 2022");
        assert_eq!(turn_label(&m, 16), "Jan 2023");
        let ax = time_axis(&m, 36, 0, 1000, 4);
        assert_eq!(
            ax.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["2022", "2023", "2024"]
        );
        assert_eq!(ax.ticks[0].0, 4.0);
        let ax = time_axis(&m, 36, 0, 1000, 8);
        assert_eq!(ax.ticks[0].1, "Jan 2022");
        let s = info("step", None);
        assert_eq!(turn_label(&s, 5), "turn 5");
        let ax = time_axis(&s, 100, 0, 1000, 10);
        assert_eq!(ax.ticks[0], (1.0, "1".to_string()));
        assert_eq!(ax.title.as_deref(), Some("Step"));
        assert_eq!(
            time_axis(&info("week", None), 10, 0, 1, 5).title.as_deref(),
            Some("Turn (1 turn = 1 week)")
        );
    }

    #[test]
    fn injects_at_one_turn_share_a_mark() {
        let inj = |turn: usize| InjectRow {
            turn,
            date: String::new(),
            kind: "k".into(),
            name: "n".into(),
            description: String::new(),
        };
        assert_eq!(
            inject_turns(&[inj(1), inj(1), inj(5)]),
            vec![(1, vec![1, 2]), (5, vec![3])]
        );
    }

    #[test]
    fn grid_cells_tile_the_rectangle() {
        let r = Rect::new(0, 0, 1000, 600);
        let cells = r.grid(2, 3, 20, 10);
        assert_eq!(cells.len(), 6);
        assert_eq!(cells[0].x0, 0);
        assert!(cells[2].x1 <= 1000 && cells[5].y1 <= 600);
        assert!(cells[1].x0 >= cells[0].x1 + 19);
    }
}
