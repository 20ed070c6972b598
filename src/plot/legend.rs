//! The legend: entries (a swatch and a label) laid out left to right, wrapping into more lines
//! as the width requires, and the options' entries each in its colour.

use anyhow::Result;
use plotters::prelude::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Rect};
use super::style;

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
