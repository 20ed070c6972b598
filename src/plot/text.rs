//! Text metrics and PNG text rasterisation with the embedded DejaVu Sans.
//!
//! Both formats place text the same way: the font size of a style is 1.24 × the em (as in
//! plotters' SVG backend, which writes `font-size = size / 1.24`), and a vertical anchor sets
//! the baseline as SVG's `dy` does (top: +0.76 em; centre: +0.5 ex; bottom: −0.5 ex). Widths
//! come from the font's advances and kerning, so layouts measured here fit in both.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, point};
use plotters::style::text_anchor::{HPos, VPos};

fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static FONTS: OnceLock<(FontRef<'static>, FontRef<'static>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        // The dejavu crate ships valid TrueType files; a failure here is a packaging bug.
        let r = FontRef::try_from_slice(dejavu::sans::regular()).expect("embedded DejaVu Sans");
        let b = FontRef::try_from_slice(dejavu::sans::bold()).expect("embedded DejaVu Sans Bold");
        (r, b)
    })
}

fn face(bold: bool) -> &'static FontRef<'static> {
    let f = fonts();
    if bold { &f.1 } else { &f.0 }
}

/// The em of a style's font size, in pixels.
pub fn em(size: f64) -> f32 {
    (size / 1.24) as f32
}

fn scale(font: &FontRef<'static>, em: f32) -> PxScale {
    let upem = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(em * font.height_unscaled() / upem)
}

/// Glyph positions (x along the baseline) and the advance width of `text`.
fn layout(font: &FontRef<'static>, em: f32, text: &str) -> (Vec<(ab_glyph::GlyphId, f32)>, f32) {
    let upem = font.units_per_em().unwrap_or(2048.0);
    let k = em / upem;
    let mut x = 0.0f32;
    let mut prev = None;
    let mut out = Vec::with_capacity(text.len());
    for ch in text.chars() {
        let id = font.glyph_id(ch);
        if let Some(p) = prev {
            x += font.kern_unscaled(p, id) * k;
        }
        out.push((id, x));
        x += font.h_advance_unscaled(id) * k;
        prev = Some(id);
    }
    (out, x)
}

/// The advance width of `text` at style size `size`, in pixels.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    layout(face(bold), em(size), text).1 as f64
}

/// The height of a line at style size `size` (one em), in pixels.
pub fn height(size: f64) -> f64 {
    em(size) as f64
}

/// Rasterises `text` anchored at `pos`; `up` turns it a quarter anticlockwise (reading
/// upwards, as SVG's `rotate(270)`). Calls `plot(x, y, coverage)` for every covered pixel.
pub fn draw(
    text: &str,
    size: f64,
    bold: bool,
    anchor: (HPos, VPos),
    up: bool,
    pos: (i32, i32),
    mut plot: impl FnMut(i32, i32, f32),
) {
    let font = face(bold);
    let e = em(size);
    let (glyphs, w) = layout(font, e, text);
    let x0 = match anchor.0 {
        HPos::Left => 0.0,
        HPos::Center => -w / 2.0,
        HPos::Right => -w,
    };
    let upem = font.units_per_em().unwrap_or(2048.0);
    // Half the x-height of DejaVu Sans (1118 units), as SVG's 0.5ex.
    let half_ex = 0.5 * 1118.0 / upem * e;
    let base = match anchor.1 {
        VPos::Top => 0.76 * e,
        VPos::Center => half_ex,
        VPos::Bottom => -half_ex,
    };
    let sc = scale(font, e);
    for (id, gx) in glyphs {
        let g = id.with_scale_and_position(sc, point(x0 + gx, base));
        if let Some(o) = font.outline_glyph(g) {
            let b = o.px_bounds();
            let (bx, by) = (b.min.x as i32, b.min.y as i32);
            o.draw(|px, py, c| {
                let (u, v) = (bx + px as i32, by + py as i32);
                let (x, y) = if up {
                    (pos.0 + v, pos.1 - u)
                } else {
                    (pos.0 + u, pos.1 + v)
                };
                plot(x, y, c);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_with_the_embedded_font() {
        let w = width("Final cohesion", 30.0, false);
        assert!(w > 100.0 && w < 300.0, "{w}");
        assert!(width("Final cohesion", 30.0, true) > w);
        assert!((width("Final cohesion", 60.0, false) - 2.0 * w).abs() < 1.0);
        let mut covered = 0;
        draw(
            "Hg",
            40.0,
            false,
            (HPos::Left, VPos::Top),
            false,
            (0, 0),
            |_, y, c| {
                if c > 0.5 {
                    covered += 1;
                    assert!((0..40).contains(&y), "glyph pixel at y = {y}");
                }
            },
        );
        assert!(covered > 50);
    }
}
