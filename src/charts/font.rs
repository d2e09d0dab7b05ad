//! The one font every chart is drawn with, and the per-document subsets that SVG and HTML embed.
//!
//! `assets/fonts/CogovSansSC-Regular.ttf` is a subset of Noto Sans CJK SC (SIL OFL 1.1; how it
//! was made is in `assets/fonts/README.md`): ASCII, Latin-1, the 3,755 common hanzi of GB2312
//! level 1, CJK punctuation and every character in cogov's sources. It is compiled into the
//! binary, so PNG charts render Chinese on a machine with no fonts installed. A character the
//! font lacks is silently left out of a PNG (ab_glyph draws nothing for it), which is why
//! `tests/charts.rs` checks every label against the font's cmap and `missing` lets callers warn.
//!
//! SVG files and HTML reports carry real text and embed, as an `@font-face` data URI, a subset
//! cut here with only the glyphs that document uses (`subset`): a small TrueType subsetter that
//! copies glyf records, renumbers glyphs and writes a fresh cmap. It relies on the committed
//! font having simple (non-composite) TrueType outlines, which `make_subset.py` guarantees; it
//! is not a general-purpose subsetter and drops layout tables on purpose (charts need none).

use std::collections::BTreeSet;
use std::sync::Once;

use ttf_parser::{Face, GlyphId, Tag};

/// The committed font (about 1 MB).
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/CogovSansSC-Regular.ttf");

/// The family name charts use, both for plotters' font registry and in SVG/CSS.
pub const FAMILY: &str = "CogovSans";

/// What a browser falls back to for a character outside the embedded subset.
pub const CSS_FALLBACK: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

static REGISTER: Once = Once::new();

/// Registers the embedded font with plotters under `FAMILY` (idempotent, thread-safe).
pub fn register() {
    REGISTER.call_once(|| {
        plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT_BYTES)
            .unwrap_or_else(|_| panic!("the embedded chart font does not parse"));
    });
}

fn face() -> Face<'static> {
    Face::parse(FONT_BYTES, 0).expect("the embedded chart font parses")
}

/// Characters of `text` the font has no glyph for (control characters ignored), in order of
/// first appearance.
pub fn missing(text: &str) -> Vec<char> {
    let face = face();
    let mut seen = BTreeSet::new();
    text.chars()
        .filter(|c| !c.is_control() && face.glyph_index(*c).is_none() && seen.insert(*c))
        .collect()
}

/// Width in pixels of `text` drawn at plotters text size `size`, as plotters' ab_glyph backend
/// measures it (scale = size per ascent-descent; no kerning in this font).
pub fn text_width(text: &str, size: f64) -> f64 {
    let face = face();
    let height = f64::from(face.ascender()) - f64::from(face.descender());
    let units: f64 = text
        .chars()
        .map(|c| {
            let g = face.glyph_index(c).unwrap_or(GlyphId(0));
            f64::from(face.glyph_hor_advance(g).unwrap_or(0))
        })
        .sum();
    units * size / height
}

/// Errors of the subsetter: the font is not the simple TrueType font it expects.
#[derive(Debug, thiserror::Error)]
pub enum SubsetError {
    #[error("chart font: missing or malformed {0} table")]
    Table(&'static str),
    #[error("chart font: glyph {0} is composite; regenerate the font with make_subset.py")]
    Composite(u16),
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn put16(d: &mut [u8], at: usize, v: u16) {
    d[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

fn put32(d: &mut [u8], at: usize, v: u32) {
    d[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// A TrueType font with only the glyphs for `chars` (plus .notdef), glyphs renumbered in
/// code-point order. Characters the font lacks are skipped; the browser falls back for them.
pub fn subset(chars: impl IntoIterator<Item = char>) -> Result<Vec<u8>, SubsetError> {
    let face = face();
    let raw = face.raw_face();
    let table = |tag: &'static [u8; 4], name: &'static str| {
        raw.table(Tag::from_bytes(tag))
            .ok_or(SubsetError::Table(name))
    };
    let head = table(b"head", "head")?;
    let hhea = table(b"hhea", "hhea")?;
    let maxp = table(b"maxp", "maxp")?;
    let hmtx = table(b"hmtx", "hmtx")?;
    let loca = table(b"loca", "loca")?;
    let glyf = table(b"glyf", "glyf")?;
    let long_loca = be16(head, 50).ok_or(SubsetError::Table("head"))? == 1;
    let n_metrics = usize::from(be16(hhea, 34).ok_or(SubsetError::Table("hhea"))?);

    let glyph_range = |g: u16| -> Result<(usize, usize), SubsetError> {
        let i = usize::from(g);
        let (a, b) = if long_loca {
            (be32(loca, 4 * i), be32(loca, 4 * i + 4))
        } else {
            (
                be16(loca, 2 * i).map(|x| u32::from(x) * 2),
                be16(loca, 2 * i + 2).map(|x| u32::from(x) * 2),
            )
        };
        match (a, b) {
            (Some(a), Some(b)) if a <= b && (b as usize) <= glyf.len() => {
                Ok((a as usize, b as usize))
            }
            _ => Err(SubsetError::Table("loca")),
        }
    };
    let metrics = |g: u16| -> Result<(u16, u16), SubsetError> {
        let i = usize::from(g);
        let last = n_metrics.saturating_sub(1);
        let adv = be16(hmtx, 4 * i.min(last)).ok_or(SubsetError::Table("hmtx"))?;
        let lsb = if i < n_metrics {
            be16(hmtx, 4 * i + 2)
        } else {
            be16(hmtx, 4 * n_metrics + 2 * (i - n_metrics))
        }
        .ok_or(SubsetError::Table("hmtx"))?;
        Ok((adv, lsb))
    };

    // New glyph order: .notdef, then one glyph per wanted character in code-point order.
    let mut mapping: Vec<(char, u16)> = Vec::new();
    let mut old_ids = vec![0u16];
    let wanted: BTreeSet<char> = chars
        .into_iter()
        .filter(|c| (*c as u32) <= 0xFFFF)
        .collect();
    for c in wanted {
        if let Some(g) = face.glyph_index(c) {
            let new_id = match old_ids.iter().position(|o| *o == g.0) {
                Some(p) => p as u16,
                None => {
                    old_ids.push(g.0);
                    (old_ids.len() - 1) as u16
                }
            };
            mapping.push((c, new_id));
        }
    }

    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(4 * (old_ids.len() + 1));
    let mut new_hmtx = Vec::with_capacity(4 * old_ids.len());
    for &g in &old_ids {
        let (a, b) = glyph_range(g)?;
        let record = &glyf[a..b];
        if record.len() >= 2 && (record[0] & 0x80) != 0 {
            return Err(SubsetError::Composite(g));
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        new_glyf.extend_from_slice(record);
        while new_glyf.len() % 4 != 0 {
            new_glyf.push(0);
        }
        let (adv, lsb) = metrics(g)?;
        new_hmtx.extend_from_slice(&adv.to_be_bytes());
        new_hmtx.extend_from_slice(&lsb.to_be_bytes());
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    let n = old_ids.len() as u16;

    let mut new_head = head.to_vec();
    put32(&mut new_head, 8, 0); // checkSumAdjustment, set at the end
    put16(&mut new_head, 50, 1); // long loca
    let mut new_hhea = hhea.to_vec();
    put16(&mut new_hhea, 34, n);
    let mut new_maxp = maxp.to_vec();
    put16(&mut new_maxp, 4, n);

    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"cmap", cmap_format4(&mapping)),
        (*b"glyf", new_glyf),
        (*b"head", new_head),
        (*b"hhea", new_hhea),
        (*b"hmtx", new_hmtx),
        (*b"loca", new_loca),
        (*b"maxp", new_maxp),
    ];
    for (tag, name) in [(b"OS/2", "OS/2"), (b"name", "name"), (b"post", "post")] {
        tables.push((*tag, table(tag, name)?.to_vec()));
    }
    tables.sort_by_key(|t| t.0);
    Ok(write_sfnt(tables))
}

/// A cmap table with one format-4 subtable (Windows, Unicode BMP). `mapping` is sorted by
/// character; runs of consecutive characters with consecutive glyphs share a segment.
fn cmap_format4(mapping: &[(char, u16)]) -> Vec<u8> {
    let mut segments: Vec<(u16, u16, u16)> = Vec::new(); // (start, end, first glyph)
    for &(c, g) in mapping {
        let c = c as u16;
        match segments.last_mut() {
            Some((start, end, first))
                if c == end.wrapping_add(1) && g == first.wrapping_add(c - *start) =>
            {
                *end = c
            }
            _ => segments.push((c, c, g)),
        }
    }
    segments.push((0xFFFF, 0xFFFF, 0)); // the required final segment, to .notdef (delta 1)
    let seg_count = segments.len() as u16;
    let mut sub = Vec::new();
    let len = 16 + 8 * usize::from(seg_count);
    let entry_selector = 15 - seg_count.leading_zeros() as u16; // floor(log2(seg_count))
    let search_range = 2 * (1u16 << entry_selector);
    for v in [
        4,
        len as u16,
        0,
        seg_count * 2,
        search_range,
        entry_selector,
        seg_count * 2 - search_range,
    ] {
        sub.extend_from_slice(&v.to_be_bytes());
    }
    for s in &segments {
        sub.extend_from_slice(&s.1.to_be_bytes());
    }
    sub.extend_from_slice(&0u16.to_be_bytes()); // reservedPad
    for s in &segments {
        sub.extend_from_slice(&s.0.to_be_bytes());
    }
    for s in &segments {
        sub.extend_from_slice(&s.2.wrapping_sub(s.0).to_be_bytes());
    }
    for _ in &segments {
        sub.extend_from_slice(&0u16.to_be_bytes()); // idRangeOffset: deltas only
    }
    let mut cmap = Vec::new();
    for v in [0u16, 1, 3, 1] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    cmap.extend_from_slice(&12u32.to_be_bytes());
    cmap.extend_from_slice(&sub);
    cmap
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// Assembles an sfnt file from tables sorted by tag, with checksums and head's adjustment.
fn write_sfnt(tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    let n = tables.len() as u16;
    let entry_selector = 15 - n.leading_zeros() as u16;
    let search_range = 16 * (1u16 << entry_selector);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n, search_range, entry_selector, n * 16 - search_range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        put32(&mut out, at + 8, adjustment);
    }
    out
}

/// Standard base64 with padding (RFC 4648), for data URIs.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(ALPHABET[(v >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// A CSS `@font-face` rule declaring `FAMILY` with a subset covering every character of
/// `text` (and ASCII, so numbers typed later still render), as a data URI.
pub fn font_face_css(text: &str) -> Result<String, SubsetError> {
    let chars = text.chars().chain((0x20u8..0x7F).map(char::from));
    let font = subset(chars)?;
    Ok(format!(
        "@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:400;src:url(data:font/ttf;base64,{})format('truetype');}}",
        base64(&font)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn a_subset_parses_and_maps_exactly_its_characters() {
        let text = "Issue flow 事项流量 0.5";
        let bytes = subset(text.chars()).unwrap();
        assert!(
            bytes.len() < 40_000,
            "subset is small: {} bytes",
            bytes.len()
        );
        let sub = Face::parse(&bytes, 0).expect("the subset parses");
        let full = face();
        for c in text.chars() {
            let g = sub.glyph_index(c).unwrap_or_else(|| panic!("{c:?} mapped"));
            let fg = full.glyph_index(c).unwrap();
            assert_eq!(
                sub.glyph_hor_advance(g),
                full.glyph_hor_advance(fg),
                "{c:?}"
            );
            let (mut a, mut b) = (Outline(0), Outline(0));
            sub.outline_glyph(g, &mut a);
            full.outline_glyph(fg, &mut b);
            assert_eq!(a.0, b.0, "{c:?} keeps its outline");
        }
        assert!(sub.glyph_index('龙').is_none() || !text.contains('龙'));
        assert!(
            sub.glyph_index('Z').is_none(),
            "only the requested characters"
        );
        assert_eq!(
            sub.number_of_glyphs() as usize,
            1 + text.chars().collect::<BTreeSet<_>>().len()
        );
        assert_eq!(
            checksum(&bytes),
            0xB1B0_AFBA,
            "head checkSumAdjustment is right"
        );
    }

    struct Outline(usize);
    impl ttf_parser::OutlineBuilder for Outline {
        fn move_to(&mut self, _: f32, _: f32) {
            self.0 += 1
        }
        fn line_to(&mut self, _: f32, _: f32) {
            self.0 += 1
        }
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {
            self.0 += 1
        }
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
            self.0 += 1
        }
        fn close(&mut self) {
            self.0 += 1
        }
    }

    #[test]
    fn the_font_has_chinese_and_latin_and_reports_what_it_lacks() {
        assert!(missing("解决率 Resolution rate μ* σ（0–1）").is_empty());
        assert_eq!(missing("A\u{1F600}B\u{1F600}"), vec!['\u{1F600}']);
        assert!(text_width("事项", 31.0) > text_width("ab", 31.0));
    }

    #[test]
    fn font_face_css_is_a_data_uri() {
        let css = font_face_css("枫桥").unwrap();
        assert!(css.starts_with("@font-face{font-family:'CogovSans'"));
        assert!(css.contains("data:font/ttf;base64,AAEAAA"));
    }
}
