//! The look shared by every chart: canvas size and type scale, the embedded font, and the
//! colour of each policy option.
//!
//! Sizes are given for a 1600 × 900 canvas and scaled with the canvas and with `scale`
//! (larger type for a projector). Colours come from the Okabe–Ito palette, which stays
//! distinguishable for the common forms of colour blindness; an option's colour is fixed by
//! its position in the run, so it is the same in every chart.

use plotters::style::{FontStyle, RGBColor};

/// Canvas size and type scale of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub width: u32,
    pub height: u32,
    /// Multiplies type and line sizes (1 = default; 1.3–1.6 for a projector).
    pub scale: f64,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            width: 1600,
            height: 900,
            scale: 1.0,
        }
    }
}

/// The canvas sizes a chart may have, in pixels: (smallest, largest) width and height. A PNG
/// is drawn in memory, three bytes a pixel: the largest canvas takes 192 MB.
pub const WIDTH: (u32, u32) = (320, 8000);
pub const HEIGHT: (u32, u32) = (240, 8000);
/// The type scales allowed.
pub const SCALE: (f64, f64) = (0.5, 4.0);

impl Style {
    /// Whether the size and scale are within [`WIDTH`], [`HEIGHT`] and [`SCALE`]; what is
    /// allowed otherwise.
    pub fn check(&self) -> Result<(), String> {
        let (w, h) = (self.width, self.height);
        if !(WIDTH.0..=WIDTH.1).contains(&w) || !(HEIGHT.0..=HEIGHT.1).contains(&h) {
            return Err(format!(
                "{w}x{h} is out of range; allowed: width {}–{}, height {}–{} pixels",
                WIDTH.0, WIDTH.1, HEIGHT.0, HEIGHT.1
            ));
        }
        if !(SCALE.0..=SCALE.1).contains(&self.scale) {
            return Err(format!(
                "scale {} is out of range; allowed: {} to {} (1 = default, 1.4–1.8 for a projector)",
                self.scale, SCALE.0, SCALE.1
            ));
        }
        Ok(())
    }
}

/// Type sizes (pixels at 1600 × 900, scale 1).
pub const TITLE: f64 = 40.0;
pub const SUBTITLE: f64 = 25.0;
pub const LABEL: f64 = 26.0;
pub const TICK: f64 = 22.0;
pub const SMALL: f64 = 20.0;

impl Style {
    /// The size unit: 1 at 1600 × 900 and scale 1.
    pub fn u(&self) -> f64 {
        self.scale * (self.width as f64 / 1600.0).min(self.height as f64 / 900.0)
    }
    /// A length in pixels.
    pub fn px(&self, base: f64) -> i32 {
        (base * self.u()).round() as i32
    }
    /// A font size in pixels.
    pub fn font(&self, base: f64) -> f64 {
        (base * self.u()).round().max(6.0)
    }
    /// A line width in pixels (at least 1).
    pub fn stroke(&self, base: f64) -> u32 {
        (base * self.u()).round().max(1.0) as u32
    }
}

/// Okabe & Ito (2008), "Color Universal Design", in an order that puts the most distinct
/// colours first; yellow last, as it is weak on white.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

/// The colour of the option at position `i` of the run.
pub fn option_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour as `#rrggbb`.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

pub const INK: RGBColor = RGBColor(25, 25, 25);
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const AXIS: RGBColor = RGBColor(120, 120, 120);
pub const INJECT: RGBColor = RGBColor(110, 110, 110);

/// Registers DejaVu Sans (regular and bold, compiled into the binary) as "sans-serif", the
/// only family the charts use: no system font is ever looked up.
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid font shipped by the `dejavu` crate; failure would be a
        // packaging bug, and text would then be missing rather than the program failing.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}
