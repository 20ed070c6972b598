//! Drawing in pixels: rectangles in the canvas, fonts, and the canvas itself with its text
//! (measured, fitted, wrapped) and shapes (fills, lines, dashes, polygons, dots).
//!
//! Charts lay themselves out in absolute pixel coordinates of the whole canvas, so that text
//! is measured once and nothing overlaps by accident. Scales, axes, the legend and the time
//! axis are built on this in [`super::scale`], [`super::axis`], [`super::legend`] and
//! [`super::timeline`].

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::backend::AnyBackend;
use super::style::{INK, Style};

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

    /// A font of base size `base` (see [`super::style`]), ink colour.
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

/// Draws a whole chart with `draw` on an SVG surface of the style's size: the SVG text, with
/// fonts metric-compatible with DejaVu Sans (the one the layout was measured with) before the
/// generic family, and `title` (for screen readers) after the opening tag when given.
pub fn svg_with(
    st: Style,
    title: Option<&str>,
    draw: &dyn Fn(&Area<'_>) -> Result<()>,
) -> Result<String> {
    super::style::register_fonts();
    let mut s = String::new();
    {
        let area = AnyBackend::Svg(SVGBackend::with_string(&mut s, (st.width, st.height)))
            .into_drawing_area();
        draw(&area)?;
    }
    let s = s.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
    );
    Ok(match (title, s.find(">\n")) {
        (Some(t), Some(i)) => format!(
            "{}<title>{}</title>\n{}",
            &s[..i + 2],
            crate::kernel::html::escape(t),
            &s[i + 2..]
        ),
        _ => s,
    })
}

/// Draws a whole chart with `draw` on a bitmap of the style's size: the PNG bytes (RGB, 8 bits).
pub fn png_with(st: Style, draw: &dyn Fn(&Area<'_>) -> Result<()>) -> Result<Vec<u8>> {
    use anyhow::Context;
    super::style::register_fonts();
    let mut buf = vec![0u8; st.width as usize * st.height as usize * 3];
    {
        let area = AnyBackend::Bitmap(BitMapBackend::with_buffer(&mut buf, (st.width, st.height)))
            .into_drawing_area();
        draw(&area)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, st.width, st.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().context("cannot encode PNG")?;
        w.write_image_data(&buf).context("cannot encode PNG")?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
