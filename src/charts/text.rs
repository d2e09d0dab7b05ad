//! Text for PNG charts, placed the way a browser places the same text in the SVG.
//!
//! plotters' own ab_glyph text drawing drops each glyph's left side bearing (so "substantive"
//! reads "subs tantive" and a full-width "（" sits where its space should be) and puts the
//! baseline half a size below the anchor, while its SVG backend lets the browser put it at
//! 0.76 em. `TextFix` wraps a backend and draws text itself with ab_glyph: glyphs at their
//! advance plus side bearing, and the baseline where SVG's `dy` puts it (0.76 em for
//! top-anchored text, ±0.5 ex for centre and bottom). Everything else goes to the wrapped
//! backend, scaled: charts are laid out in units of 0.1 mm (`page`), and a PNG of another
//! resolution than one pixel a unit (`--dpi`) draws the same layout with every coordinate,
//! radius, stroke and text size multiplied by its pixels per unit. At one pixel a unit the
//! scaling is the identity, so the default PNGs are what they were before it existed.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::font::FONT_BYTES;

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES).expect("the embedded chart font parses")
    })
}

/// A backend whose text is drawn by `draw_text` below, and whose drawing is scaled from layout
/// units (what `get_size` reports, what charts are laid out in) to the wrapped backend's pixels.
pub struct TextFix<B> {
    inner: B,
    /// Pixels per layout unit.
    scale: f64,
    /// The layout size: the wrapped backend's size divided by `scale`.
    size: (u32, u32),
}

impl<B: DrawingBackend> TextFix<B> {
    /// Wraps `inner`, whose pixels are `scale` per layout unit, for a layout of `size` units.
    pub fn new(inner: B, scale: f64, size: (u32, u32)) -> TextFix<B> {
        TextFix { inner, scale, size }
    }

    fn px(&self, (x, y): BackendCoord) -> BackendCoord {
        (
            (f64::from(x) * self.scale).round() as i32,
            (f64::from(y) * self.scale).round() as i32,
        )
    }

    fn len(&self, v: u32) -> u32 {
        (f64::from(v) * self.scale).round() as u32
    }
}

/// A style whose stroke is scaled to the wrapped backend's pixels (at least one pixel wide when
/// it had any width).
struct Scaled<'a, S> {
    style: &'a S,
    scale: f64,
}

impl<S: BackendStyle> BackendStyle for Scaled<'_, S> {
    fn color(&self) -> BackendColor {
        self.style.color()
    }
    fn stroke_width(&self) -> u32 {
        match self.style.stroke_width() {
            0 => 0,
            w => ((f64::from(w) * self.scale).round() as u32).max(1),
        }
    }
}

impl<B: DrawingBackend> DrawingBackend for TextFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if self.scale == 1.0 {
            return self.inner.draw_pixel(point, color);
        }
        // One layout unit is a block of pixels.
        let (x, y) = self.px(point);
        let side = self.len(1).max(1) as i32;
        let style = Fill(color);
        self.inner
            .draw_rect((x, y), (x + side - 1, y + side - 1), &style, true)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (from, to, scale) = (self.px(from), self.px(to), self.scale);
        self.inner.draw_line(from, to, &Scaled { style, scale })
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (a, b, scale) = (self.px(upper_left), self.px(bottom_right), self.scale);
        self.inner.draw_rect(a, b, &Scaled { style, scale }, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let points: Vec<BackendCoord> = path.into_iter().map(|p| self.px(p)).collect();
        let scale = self.scale;
        self.inner.draw_path(points, &Scaled { style, scale })
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (c, r, scale) = (self.px(center), self.len(radius), self.scale);
        self.inner.draw_circle(c, r, &Scaled { style, scale }, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let points: Vec<BackendCoord> = vert.into_iter().map(|p| self.px(p)).collect();
        let scale = self.scale;
        self.inner.fill_polygon(points, &Scaled { style, scale })
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        // Charts draw no bitmaps; one would be placed, not scaled.
        let pos = self.px(pos);
        self.inner.blit_bitmap(pos, size, src)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // In layout units: the wrapped backend measures at the unscaled size.
        self.inner.estimate_text_size(text, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let f = font();
        // plotters' size is 1.24 em, and the font's ascent-descent is 1.24 em, so ab_glyph's
        // scale (px per ascent-descent) is the size itself.
        let size = (style.size() * self.scale) as f32;
        let scaled = f.as_scaled(PxScale::from(size));
        let em = size / 1.24;
        let x_height = em * 0.543; // the font's OS/2 sxHeight / unitsPerEm
        let baseline = match style.anchor().v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * x_height,
            VPos::Bottom => -0.5 * x_height,
        };
        let mut width = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id);
            prev = Some(id);
        }
        let start = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let trans = style.transform();
        let pos = self.px(pos);
        let (w, h) = self.inner.get_size();
        let mut caret = start;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph =
                id.with_scale_and_position(scaled.scale(), ab_glyph::point(caret, baseline));
            caret += scaled.h_advance(id);
            let Some(outlined) = f.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            let mut pixels = Vec::new();
            outlined.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    pixels.push((
                        bounds.min.x as i32 + x as i32,
                        bounds.min.y as i32 + y as i32,
                        coverage,
                    ))
                }
            });
            for (x, y, coverage) in pixels {
                let (dx, dy) = trans.transform(x, y);
                let (px, py) = (pos.0 + dx, pos.1 + dy);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let alpha = color.alpha * f64::from(coverage.min(1.0));
                    self.inner.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha,
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// A plain fill of one colour.
struct Fill(BackendColor);

impl BackendStyle for Fill {
    fn color(&self) -> BackendColor {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use ttf_parser::Face;

    #[test]
    fn the_x_height_constant_is_the_fonts() {
        let face = Face::parse(super::FONT_BYTES, 0).unwrap();
        let xh =
            f64::from(face.x_height().expect("OS/2 sxHeight")) / f64::from(face.units_per_em());
        assert!((xh - 0.543).abs() < 0.01, "x-height {xh}");
        let (a, d) = (f64::from(face.ascender()), f64::from(face.descender()));
        assert!(
            ((a - d) / f64::from(face.units_per_em()) - 1.24).abs() < 1e-9,
            "ascent-descent is 1.24 em"
        );
    }
}
