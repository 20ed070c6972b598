//! One drawing backend type for both formats, so that every chart is written once.
//!
//! plotters' backends are distinct types (SVG into a string, RGB pixels into a buffer), and a
//! chart drawn through a generic backend cannot sit behind a trait object. [`AnyBackend`]
//! delegates every drawing call to the backend it holds; errors become [`BackendError`].
//! Text is measured with the embedded font for both, and rasterised by [`super::text`] for
//! PNG (sub-pixel glyph positions), so that both formats lay out alike.

use plotters::prelude::{BitMapBackend, SVGBackend};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

/// An error of either backend, as text.
#[derive(Debug)]
pub struct BackendError(pub String);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackendError {}

fn conv<E: std::error::Error + Send + Sync>(
    e: DrawingErrorKind<E>,
) -> DrawingErrorKind<BackendError> {
    match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(BackendError(e.to_string()))
        }
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

/// An SVG (into a string) or bitmap (into an RGB buffer) backend.
pub enum AnyBackend<'a> {
    Svg(SVGBackend<'a>),
    Bitmap(BitMapBackend<'a>),
}

macro_rules! delegate {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            AnyBackend::Svg($b) => $call.map_err(conv),
            AnyBackend::Bitmap($b) => $call.map_err(conv),
        }
    };
}

impl DrawingBackend for AnyBackend<'_> {
    type ErrorType = BackendError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            AnyBackend::Svg(b) => b.get_size(),
            AnyBackend::Bitmap(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.present())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        match self {
            AnyBackend::Svg(b) => b.draw_text(text, style, pos).map_err(conv),
            AnyBackend::Bitmap(b) => {
                let colour = style.color();
                let bold = matches!(style.style(), FontStyle::Bold);
                let up = matches!(style.transform(), FontTransform::Rotate270);
                let anchor = style.anchor();
                let mut result = Ok(());
                super::text::draw(
                    text,
                    style.size(),
                    bold,
                    (anchor.h_pos, anchor.v_pos),
                    up,
                    pos,
                    |x, y, c| {
                        if result.is_ok() && c > 0.0 {
                            let px = BackendColor {
                                alpha: colour.alpha * c.min(1.0) as f64,
                                rgb: colour.rgb,
                            };
                            result = b.draw_pixel((x, y), px);
                        }
                    },
                );
                result.map_err(conv)
            }
        }
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<BackendError>> {
        let bold = matches!(style.style(), FontStyle::Bold);
        Ok((
            super::text::width(text, style.size(), bold).ceil() as u32,
            super::text::height(style.size()).ceil() as u32,
        ))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        delegate!(self, b => b.blit_bitmap(pos, size, src))
    }
}
