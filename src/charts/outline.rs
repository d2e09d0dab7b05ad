//! Text as outlines: an SVG chart whose `<text>` elements are replaced by `<path>`s drawn from
//! the embedded font's glyphs, so the file renders the same in any SVG renderer — rsvg-convert,
//! Inkscape, Illustrator, a journal's production system — with no font installed and no web
//! font support (issue 15 §3).
//!
//! Not the default: outlined text cannot be searched, selected or read by a screen reader, and
//! the file is larger; charts keep real text with an embedded `@font-face` subset, which every
//! browser renders, and `cogov plot --svg-text outlines` writes the outlined files for
//! submission. Glyphs are placed as `render`'s SVG asks a browser to place them (`dy` of
//! 0.76 em or ±0.5 ex, `text-anchor`, `rotate` transforms), as `text.rs` does for PNG.

use ttf_parser::{Face, OutlineBuilder};

use super::font::FONT_BYTES;

/// Path data of glyphs, in SVG user units: font units scaled by `scale` and flipped, moved to
/// (`x`, `y`) (the baseline origin of the glyph).
struct PathData {
    d: String,
    x: f64,
    y: f64,
    scale: f64,
}

impl PathData {
    fn point(&mut self, px: f32, py: f32) {
        let x = self.x + f64::from(px) * self.scale;
        let y = self.y - f64::from(py) * self.scale;
        self.d += &format!("{} {}", round(x), round(y));
    }
}

/// Two decimals: a hundredth of a pixel, and the same text on every platform.
fn round(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let text = format!("{r:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl OutlineBuilder for PathData {
    fn move_to(&mut self, x: f32, y: f32) {
        self.d += "M";
        self.point(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.d += "L";
        self.point(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.d += "Q";
        self.point(x1, y1);
        self.d += " ";
        self.point(x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.d += "C";
        self.point(x1, y1);
        self.d += " ";
        self.point(x2, y2);
        self.d += " ";
        self.point(x, y);
    }
    fn close(&mut self) {
        self.d += "Z";
    }
}

/// The value of attribute `name` in the attribute text of a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// XML character references and the five predefined entities, as plotters escapes text.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Text as an SVG renderer shows it under `xml:space="default"` (SVG 1.1 §10.15): newlines
/// removed, tabs made spaces, leading and trailing spaces stripped, runs of spaces collapsed.
/// plotters writes each text on a line of its own, between newlines that are not glyphs (the
/// font would draw them as its missing-glyph box).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| c != '\n' && c != '\r') {
        let c = if c == '\t' { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A `dy` of `em` or `ex` units in user units, at font size `size`.
fn shift(dy: &str, size: f64, x_height: f64) -> f64 {
    if let Some(v) = dy.strip_suffix("em") {
        v.parse::<f64>().unwrap_or(0.0) * size
    } else if let Some(v) = dy.strip_suffix("ex") {
        v.parse::<f64>().unwrap_or(0.0) * x_height * size
    } else {
        dy.parse().unwrap_or(0.0)
    }
}

/// One `<text …>content</text>` element as a `<path>` of its glyphs (an empty string for text
/// the font has no outline of, such as spaces).
fn outline_text(face: &Face<'_>, tag: &str, content: &str) -> String {
    let number = |name: &str| {
        attribute(tag, name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let size = number("font-size");
    let units = f64::from(face.units_per_em());
    let scale = size / units;
    let x_height = face.x_height().map_or(0.5, |h| f64::from(h) / units);
    let text = collapse_whitespace(&unescape(content));
    // Characters the font lacks are left out, as PNGs leave them out, rather than drawn as
    // the missing-glyph box (`cogov plot` warns of them).
    let glyphs: Vec<_> = text.chars().filter_map(|c| face.glyph_index(c)).collect();
    let advance = |g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale;
    let width: f64 = glyphs.iter().map(|&g| advance(g)).sum();
    let start = match attribute(tag, "text-anchor") {
        Some("middle") => -width / 2.0,
        Some("end") => -width,
        _ => 0.0,
    };
    let mut path = PathData {
        d: String::new(),
        x: number("x") + start,
        y: number("y") + attribute(tag, "dy").map_or(0.0, |dy| shift(dy, size, x_height)),
        scale,
    };
    for &g in &glyphs {
        face.outline_glyph(g, &mut path);
        path.x += advance(g);
    }
    if path.d.is_empty() {
        return String::new();
    }
    let mut out = format!("<path d=\"{}\"", path.d);
    for name in ["fill", "opacity", "transform"] {
        if let Some(v) = attribute(tag, name) {
            out += &format!(" {name}=\"{v}\"");
        }
    }
    out + "/>"
}

/// `svg` with every `<text>` element replaced by the outlines of its glyphs.
pub fn outline_svg(svg: &str) -> String {
    let face = Face::parse(FONT_BYTES, 0).expect("the embedded chart font parses");
    let mut out = String::with_capacity(svg.len() * 2);
    let mut rest = svg;
    while let Some(open) = rest.find("<text") {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (Some(tag_end), Some(close)) = (after.find('>'), after.find("</text>")) else {
            break;
        };
        let tag = &after[..tag_end];
        let content = &after[tag_end + 1..close];
        out.push_str(&outline_text(&face, tag, content));
        rest = &after[close + "</text>".len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_paths_placed_at_its_anchor() {
        let svg = r##"<svg><text x="100" y="50" dy="0.76em" text-anchor="middle" font-family="CogovSans" font-size="20" opacity="1" fill="#222222">解决率 &amp; a</text><rect/></svg>"##;
        let out = outline_svg(svg);
        assert!(!out.contains("<text"), "{out}");
        assert!(out.contains("<path d=\"M") && out.contains("fill=\"#222222\""));
        assert!(out.ends_with("<rect/></svg>"));
        assert_eq!(outline_svg(svg), out, "the same bytes every time");
    }

    #[test]
    fn whitespace_collapses_as_in_a_browser() {
        assert_eq!(collapse_whitespace("\n解决率 \t a\n"), "解决率 a");
        assert_eq!(collapse_whitespace("\r\n  \n"), "");
        // plotters' layout: the text between newlines. No missing-glyph box is drawn for them,
        // so the outlines are those of the text alone.
        let tag = r##"<text x="0" y="50" font-size="20" fill="#000">"##;
        assert_eq!(
            outline_svg(&format!("{tag}\n解\n</text>")),
            outline_svg(&format!("{tag}解</text>"))
        );
    }

    #[test]
    fn glyphs_sit_below_a_top_anchor_and_around_a_middle_one() {
        let svg = r##"<text x="100" y="50" dy="0.76em" text-anchor="middle" font-size="20" fill="#000">解</text>"##;
        let out = outline_svg(svg);
        let d = attribute(&out, "d").unwrap();
        let numbers: Vec<f64> = d
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|t| t.parse().ok())
            .collect();
        let (xs, ys): (Vec<f64>, Vec<f64>) = numbers.chunks(2).map(|p| (p[0], p[1])).unzip();
        let (x0, x1) = (
            xs.iter().cloned().fold(f64::MAX, f64::min),
            xs.iter().cloned().fold(f64::MIN, f64::max),
        );
        let (y0, y1) = (
            ys.iter().cloned().fold(f64::MAX, f64::min),
            ys.iter().cloned().fold(f64::MIN, f64::max),
        );
        // A full-width glyph one em (20 px) wide, centred on x = 100; its baseline 0.76 em
        // below y = 50, so it spans about y 50..70.
        assert!(
            x0 > 89.0 && x0 < 100.0 && x1 > 100.0 && x1 < 111.0,
            "x {x0}..{x1}"
        );
        assert!(
            y0 > 48.0 && y0 < 56.0 && y1 > 62.0 && y1 < 71.0,
            "y {y0}..{y1}"
        );
    }
}
