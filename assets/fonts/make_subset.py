#!/usr/bin/env python3
"""Makes assets/fonts/CogovSansSC-Regular.ttf, the font cogov draws every chart with.

A one-off developer step: the result is committed, so building, testing and running cogov
never need Python, fontTools or the Debian font package. Run it again only when a label uses a
character the font lacks (`cargo test --test charts font` says which), from the repository root:

    apt-get install fonts-noto-cjk      # Debian/Ubuntu: /usr/share/fonts/opentype/noto/
    pip install fonttools
    python3 assets/fonts/make_subset.py

What it does:
  1. takes the Simplified Chinese face ("Noto Sans CJK SC", Regular) out of Debian's
     NotoSansCJK-Regular.ttc;
  2. keeps ASCII, Latin-1, GB2312 rows 1-3 and 6 (punctuation, symbols, numbered items,
     full-width forms, Greek), the 3,755 level-1 hanzi of GB2312 (rows 16-55), CJK punctuation, and every
     non-ASCII character that appears in src/ and scenarios/ (so every label, column meaning
     and scenario title is covered);
  3. drops what plotters and browsers do not need for horizontal text: hinting, layout tables
     (GSUB/GPOS/GDEF/BASE), vertical metrics, glyph names;
  4. converts the CFF outlines to TrueType quadratic outlines (fontTools cu2qu, max error
     2 units of 1000), so cogov's own Rust subsetter (src/charts/font.rs) can cut per-chart
     subsets for SVG @font-face embedding by copying glyf records;
  5. sets ascent 950 / descent -290 (sum 1.24 em) in hhea and OS/2, because plotters scales
     ab_glyph fonts by ascent-descent while its SVG backend writes font-size = size / 1.24;
     with these metrics a PNG and an SVG of the same chart have the same glyph size;
  6. renames the family to "Cogov Sans SC" (a modified version may not use the name Noto,
     a Google trademark, nor Adobe's reserved font name "Source"), keeping the copyright and
     licence records. Licence: SIL OFL 1.1, see OFL.txt next to the font.
"""

import pathlib
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

TTC = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "assets" / "fonts" / "CogovSansSC-Regular.ttf"
FAMILY = "Cogov Sans SC"
ASCENT, DESCENT = 950, -290
MAX_ERR = 2.0  # font units of 1000: 0.05 px at a 24 px label, invisible


def gb2312_rows(first, last):
    chars = set()
    for row in range(first, last + 1):
        for col in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row + 0xA0, col]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def repo_chars():
    chars = set()
    for pattern in ("src/**/*.rs", "scenarios/*.toml"):
        for path in sorted(ROOT.glob(pattern)):
            chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7E)
    return chars


def wanted_codepoints():
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0xA0, 0x100)}
    chars |= gb2312_rows(1, 3) | gb2312_rows(6, 6)
    level1 = gb2312_rows(16, 55)
    assert len(level1) == 3755, len(level1)
    chars |= level1
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    chars |= set("‐‑‒–—―‘’“”•…‰′″※℃№←↑→↓∈∑−√∞≈≠≤≥①②③④⑤μσ·×÷±")
    chars |= repo_chars()
    return sorted(ord(c) for c in chars if c.isprintable() or c == "\u3000")


def sc_face():
    for font in TTCollection(str(TTC)).fonts:
        if font["name"].getDebugName(1) == FACE:
            return font
    sys.exit(f"{TTC}: no face named {FACE}")


def cff_to_glyf(font):
    """Replaces the CFF table by glyf/loca (the usual fontTools otf2ttf recipe)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    del font["CFF "]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def set_metrics(font):
    hhea, os2 = font["hhea"], font["OS/2"]
    hhea.ascent, hhea.descent, hhea.lineGap = ASCENT, DESCENT, 0
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = ASCENT, DESCENT, 0
    head = font["head"]
    os2.usWinAscent = max(ASCENT, head.yMax)
    os2.usWinDescent = max(-DESCENT, -head.yMin)
    os2.version = max(os2.version, 4)
    os2.fsSelection |= 1 << 7  # USE_TYPO_METRICS: line spacing from the typo metrics


def rename(font):
    name = font["name"]
    keep = {0, 5, 8, 9, 10, 11, 12, 13, 14}
    records = [r for r in name.names if r.platformID == 3 and r.langID == 0x409 and r.nameID in keep]
    name.names = records
    for name_id, text in ((1, FAMILY), (2, "Regular"), (4, FAMILY),
                          (3, "cogov;" + FAMILY.replace(" ", "") + "-Regular"),
                          (6, FAMILY.replace(" ", "") + "-Regular")):
        name.setName(text, name_id, 3, 1, 0x409)
    name.names.sort(key=lambda r: r.nameID)


def main():
    font = sc_face()
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["BASE", "GDEF", "GPOS", "GSUB", "VORG", "vhea", "vmtx", "DSIG"]
    options.glyph_names = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    cff_to_glyf(font)
    set_metrics(font)
    rename(font)
    font.recalcTimestamp = False  # keep the source's date, so the output is reproducible
    font.save(str(OUT))
    cmap = font.getBestCmap()
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes, {len(cmap)} characters, "
          f"{len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main()
