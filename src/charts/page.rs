//! Charts on paper (issue 15 §3): a chart's physical size, a PNG's resolution, and PDF.
//!
//! Charts are laid out in units of a tenth of a millimetre: the standard 1600 × 900 figure is
//! 160 × 90 mm, about a page's text width, with type of 6 to 10 points. `--size` changes the
//! extent of the layout and keeps the type: a narrower figure gets less room, not smaller
//! text, as a journal's minimum type size asks. A PNG has `dpi / 254` pixels a unit (the
//! default, 254 dpi, is one pixel a unit: 1600 × 900 pixels, as before this option existed)
//! and records its resolution, so a word processor or LaTeX places it at its size. An SVG
//! drawn at a given size states it in millimetres. A PDF is the chart's SVG with its text as
//! glyph outlines (`outline`), converted by svg2pdf: it shows Chinese with no font installed,
//! at the cost of text that cannot be searched or selected.
//!
//! Left out on purpose: a size that scales the type (scale the SVG or PDF for that), and PDF
//! with real text (it would need a font database and a shaper: a heavy build for text that a
//! figure's reader does not select).

use std::fmt;
use std::str::FromStr;

use super::figure::Figure;
use super::outline::outline_svg;
use super::render::{self, RenderError};

/// Layout units per millimetre on paper.
pub const UNITS_PER_MM: f64 = 10.0;

/// A PNG's resolution when none is asked for: one pixel per layout unit.
pub const DEFAULT_DPI: u32 = 254;

/// Resolutions `--dpi` accepts.
pub const DPI_RANGE: std::ops::RangeInclusive<u32> = 50..=2400;

/// Most pixels one PNG may have (about 120 MB of bitmap while it is drawn).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Sizes `--size` accepts, in millimetres: below the least, a chart's axes, legend and notes
/// leave its panels no room; the most is a little over A0's long side.
pub const MIN_WIDTH_MM: f64 = 80.0;
pub const MIN_HEIGHT_MM: f64 = 50.0;
pub const MAX_SIDE_MM: f64 = 1200.0;

/// A chart's size on paper.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub width_mm: f64,
    pub height_mm: f64,
}

impl Size {
    /// The layout, in units, a chart of this size is drawn in.
    pub fn canvas(self) -> (u32, u32) {
        (
            (self.width_mm * UNITS_PER_MM).round() as u32,
            (self.height_mm * UNITS_PER_MM).round() as u32,
        )
    }

    /// The size on paper of a layout of `width` × `height` units.
    pub fn of_canvas(width: u32, height: u32) -> Size {
        Size {
            width_mm: f64::from(width) / UNITS_PER_MM,
            height_mm: f64::from(height) / UNITS_PER_MM,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}mm", self.width_mm, self.height_mm)
    }
}

/// `WIDTHxHEIGHT` followed by `mm`, `cm` or `in`, e.g. `160x100mm`, `16x10cm`, `6.3x4in`
/// (`×` for `x` too).
impl FromStr for Size {
    type Err = String;

    fn from_str(text: &str) -> Result<Size, String> {
        let expected = "expected WIDTHxHEIGHT with a unit mm, cm or in, e.g. 160x100mm";
        let t = text.trim().to_ascii_lowercase();
        let (numbers, mm_per_unit) = if let Some(n) = t.strip_suffix("mm") {
            (n, 1.0)
        } else if let Some(n) = t.strip_suffix("cm") {
            (n, 10.0)
        } else if let Some(n) = t.strip_suffix("in") {
            (n, 25.4)
        } else {
            return Err(format!("{expected} (no unit in '{text}')"));
        };
        let Some((w, h)) = numbers.split_once(['x', '×']) else {
            return Err(format!("{expected}; got '{text}'"));
        };
        let side = |s: &str| -> Result<f64, String> {
            match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => Ok(v * mm_per_unit),
                _ => Err(format!(
                    "{expected}; '{}' in '{text}' is not a positive number",
                    s.trim()
                )),
            }
        };
        let size = Size {
            width_mm: side(w)?,
            height_mm: side(h)?,
        };
        let mm = |v: f64| (v * 10.0).round() / 10.0;
        if size.width_mm < MIN_WIDTH_MM || size.height_mm < MIN_HEIGHT_MM {
            return Err(format!(
                "'{text}' is {}×{} mm; charts need at least {MIN_WIDTH_MM}×{MIN_HEIGHT_MM} mm (their type keeps its size, so a smaller chart has no room for its panels)",
                mm(size.width_mm),
                mm(size.height_mm)
            ));
        }
        if size.width_mm > MAX_SIDE_MM || size.height_mm > MAX_SIDE_MM {
            return Err(format!(
                "'{text}' is {}×{} mm; at most {MAX_SIDE_MM} mm a side",
                mm(size.width_mm),
                mm(size.height_mm)
            ));
        }
        Ok(size)
    }
}

/// The least a panel needs on paper to hold its axes, ticks and labels at the charts' type size.
pub const MIN_PANEL_MM: (f64, f64) = (50.0, 30.0);

/// Whether `fig` drawn at `size` leaves its panels less room than `MIN_PANEL_MM` (about a
/// quarter of the height goes to the title, legend and notes).
pub fn cramped(fig: &Figure, size: Size) -> bool {
    let cols = fig.cols.max(1);
    let rows = fig.panels.len().div_ceil(cols).max(1);
    let panel_w = size.width_mm / cols as f64;
    let panel_h = size.height_mm * 0.75 / rows as f64;
    panel_w < MIN_PANEL_MM.0 || panel_h < MIN_PANEL_MM.1
}

/// Pixels per layout unit of a PNG at `dpi`.
pub fn pixels_per_unit(dpi: u32) -> f64 {
    f64::from(dpi) / 25.4 / UNITS_PER_MM
}

/// A PNG's pixels for a layout of `width` × `height` units at `dpi`.
pub fn pixels(width: u32, height: u32, dpi: u32) -> (u32, u32) {
    let s = pixels_per_unit(dpi);
    (
        (f64::from(width) * s).round().max(1.0) as u32,
        (f64::from(height) * s).round().max(1.0) as u32,
    )
}

/// A PNG's pixels per metre at `dpi` (its `pHYs` chunk).
pub fn pixels_per_metre(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// `svg` (as `render` writes it: a root `<svg width=".." height=".." viewBox="..">`) with its
/// width and height stated in millimetres, at `size`.
pub fn with_size_mm(svg: &str, size: Size) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    let mut tag = svg[start..end].to_string();
    for (name, mm) in [("width", size.width_mm), ("height", size.height_mm)] {
        let key = format!(" {name}=\"");
        if let Some(a) = tag.find(&key).map(|a| a + key.len()) {
            if let Some(b) = tag[a..].find('"').map(|b| a + b) {
                tag.replace_range(a..b, &format!("{mm}mm"));
            }
        }
    }
    format!("{}{tag}{}", &svg[..start], &svg[end..])
}

/// The figure as a one-page PDF of its size on paper (layout units / 10 mm), its text as
/// glyph outlines.
pub fn pdf(fig: &Figure) -> Result<Vec<u8>, RenderError> {
    let fail = |message: String| RenderError {
        id: fig.id.clone(),
        message,
    };
    let svg = with_size_mm(
        &outline_svg(&render::svg(fig)?),
        Size::of_canvas(fig.width, fig.height),
    );
    let options = svg2pdf::usvg::Options::default();
    let tree = svg2pdf::usvg::Tree::from_str(&svg, &options)
        .map_err(|e| fail(format!("reading the chart's SVG for PDF: {e}")))?;
    // usvg reads millimetres at its 96 dpi; the same dpi here makes a point a point.
    let page = svg2pdf::PageOptions { dpi: options.dpi };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| fail(format!("writing PDF: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_millimetres_centimetres_and_inches() {
        let mm = |s: &str| s.parse::<Size>().map(|s| (s.width_mm, s.height_mm));
        assert_eq!(mm("160x100mm"), Ok((160.0, 100.0)));
        assert_eq!(mm(" 16×10CM "), Ok((160.0, 100.0)));
        let (w, h) = mm("6.3x4in").unwrap();
        assert!((w - 160.02).abs() < 1e-9 && (h - 101.6).abs() < 1e-9);
        assert_eq!(
            "160x100mm".parse::<Size>().unwrap().canvas(),
            (1600, 1000),
            "a tenth of a millimetre a unit"
        );
    }

    #[test]
    fn bad_sizes_say_what_was_expected() {
        for (text, says) in [
            ("160x100", "no unit"),
            ("160mm", "WIDTHxHEIGHT"),
            ("160xmm", "not a positive number"),
            ("-160x100mm", "not a positive number"),
            ("nanx100mm", "not a positive number"),
            ("30x100mm", "at least 80×50 mm"),
            ("160x20mm", "at least"),
            ("2x1.5in", "50.8×38.1 mm"),
            ("2000x100mm", "at most 1200 mm"),
        ] {
            let e = text.parse::<Size>().unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn several_panels_need_more_room_than_one() {
        use crate::charts::figure::{Panel, XyPanel};
        let one = Figure::new("a", "", "", vec![Panel::Xy(XyPanel::default())]);
        let five = Figure::new("b", "", "", vec![Panel::Xy(XyPanel::default()); 5]);
        let small = Size {
            width_mm: 90.0,
            height_mm: 60.0,
        };
        assert!(!cramped(&one, small));
        assert!(cramped(&five, small), "three columns of 30 mm");
        assert!(
            !cramped(&one, Size::of_canvas(800, 500)),
            "80 × 50 mm is room for one"
        );
        assert!(!cramped(&five, Size::of_canvas(1600, 1000)));
    }

    #[test]
    fn the_default_resolution_is_one_pixel_a_unit() {
        assert_eq!(pixels(1600, 900, DEFAULT_DPI), (1600, 900));
        assert_eq!(pixels(1600, 1000, 300), (1890, 1181));
        assert_eq!(pixels_per_metre(DEFAULT_DPI), 10_000);
    }

    #[test]
    fn an_svg_states_its_size_in_millimetres() {
        let svg = "<?xml?>\n<svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" xmlns=\"x\">\n<rect/></svg>";
        let out = with_size_mm(svg, Size::of_canvas(1600, 1000));
        assert!(
            out.contains("<svg width=\"160mm\" height=\"100mm\" viewBox=\"0 0 1600 1000\""),
            "{out}"
        );
        assert!(out.ends_with("<rect/></svg>"));
    }
}
