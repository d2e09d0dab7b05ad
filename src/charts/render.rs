//! Drawing a `Figure` with plotters, to an SVG string or PNG bytes.
//!
//! One generic drawing function serves both backends, so a PNG and an SVG of a chart show the
//! same thing in the same place. Text is always drawn with the embedded font (`font`); SVG keeps
//! it as real `<text>` and `svg_standalone` embeds a subset of the font that covers exactly
//! the characters used, so the file renders the same in any browser. Legends are drawn in a
//! band under the title rather than over the data.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{
    fit_range, Figure, HeatmapPanel, IntervalPanel, LegendEntry, Panel, SeriesKind, Swatch, XyPanel,
};
use super::font::{self, text_width, FAMILY};
use super::page;
use super::style::*;
use super::text::TextFix;

/// A chart that could not be drawn (a plotters or encoder failure: a bug, not a user error).
#[derive(Debug, thiserror::Error)]
#[error("drawing chart {id}: {message}")]
pub struct RenderError {
    pub id: String,
    pub message: String,
}

type Draw = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn rgb(c: Colour) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn text_style(size: f64, c: Colour) -> TextStyle<'static> {
    let mut style = TextStyle::from((FAMILY, size).into_font());
    style.color = rgb(c).to_backend_color();
    style
}

/// Height of one line of text at plotters size `size` (1.24 em plus a little leading).
fn line_height(size: f64) -> i32 {
    (size * 1.08).round() as i32
}

/// The figure as an SVG document without an embedded font (for inlining into a report that
/// declares the font once).
pub fn svg(fig: &Figure) -> Result<String, RenderError> {
    font::register();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (fig.width, fig.height)).into_drawing_area();
        draw_figure(&root, fig)
            .and_then(|()| root.present().map_err(err))
            .map_err(|message| RenderError {
                id: fig.id.clone(),
                message,
            })?;
    }
    Ok(out)
}

/// The figure as a standalone SVG file: real text, with an `@font-face` subset of the chart
/// font holding just the characters it uses.
pub fn svg_standalone(fig: &Figure) -> Result<String, RenderError> {
    let doc = svg(fig)?;
    let css = font::font_face_css(&fig.texts().concat()).map_err(|e| RenderError {
        id: fig.id.clone(),
        message: e.to_string(),
    })?;
    Ok(insert_style(&doc, &format!("{css}{}", text_css())))
}

/// The CSS rule that makes SVG text use the chart font (with fallbacks).
pub fn text_css() -> String {
    format!("svg text{{font-family:'{FAMILY}',{};}}", font::CSS_FALLBACK)
}

fn insert_style(doc: &str, css: &str) -> String {
    match doc
        .find("<svg")
        .and_then(|s| doc[s..].find('>').map(|e| s + e + 1))
    {
        Some(at) => format!(
            "{}\n<defs><style>{css}</style></defs>{}",
            &doc[..at],
            &doc[at..]
        ),
        None => doc.to_string(),
    }
}

/// The figure as PNG bytes (RGB, 8 bits) at `dpi` (`page`: 254 dpi is a pixel a layout unit),
/// with its resolution recorded.
pub fn png(fig: &Figure, dpi: u32) -> Result<Vec<u8>, RenderError> {
    font::register();
    let fail = |message: String| RenderError {
        id: fig.id.clone(),
        message,
    };
    let (w, h) = page::pixels(fig.width, fig.height, dpi);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = TextFix::new(
            BitMapBackend::with_buffer(&mut buf, (w, h)),
            page::pixels_per_unit(dpi),
            (fig.width, fig.height),
        )
        .into_drawing_area();
        draw_figure(&root, fig)
            .and_then(|()| root.present().map_err(err))
            .map_err(fail)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        // Flat-coloured charts compress well with the Up filter; adaptive filtering costs
        // several times the encoding time for a few percent.
        enc.set_filter(png::Filter::Up);
        let ppm = page::pixels_per_metre(dpi);
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(|e| fail(e.to_string()))?;
        writer
            .write_image_data(&buf)
            .map_err(|e| fail(e.to_string()))?;
        writer.finish().map_err(|e| fail(e.to_string()))?;
    }
    Ok(out)
}

fn draw_figure<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let mut y = MARGIN;
    if !fig.title.is_empty() {
        root.draw(&Text::new(
            fig.title.clone(),
            (MARGIN, y),
            text_style(TITLE_SIZE, INK),
        ))
        .map_err(err)?;
        y += line_height(TITLE_SIZE);
    }
    if !fig.subtitle.is_empty() {
        root.draw(&Text::new(
            fig.subtitle.clone(),
            (MARGIN, y),
            text_style(SUBTITLE_SIZE, MUTED),
        ))
        .map_err(err)?;
        y += line_height(SUBTITLE_SIZE);
    }
    y += 8;
    y = draw_legend(root, &fig.legend(), y, fig.width as i32)?;
    let notes: Vec<String> = fig
        .notes
        .iter()
        .flat_map(|n| wrap(n, NOTE_SIZE, f64::from(fig.width) - 2.0 * f64::from(MARGIN)))
        .collect();
    let notes_h = notes.len() as i32 * line_height(NOTE_SIZE);
    let mut note_y = fig.height as i32 - 8 - notes_h;
    for line in notes {
        root.draw(&Text::new(
            line,
            (MARGIN, note_y),
            text_style(NOTE_SIZE, MUTED),
        ))
        .map_err(err)?;
        note_y += line_height(NOTE_SIZE);
    }
    let body = root.margin(y + 4, 8 + notes_h, 8, MARGIN);
    let rows = fig.panels.len().div_ceil(fig.cols.max(1)).max(1);
    let cells = body.split_evenly((rows, fig.cols.max(1)));
    let compact = fig.panels.len() > 2;
    for (panel, cell) in fig.panels.iter().zip(cells.iter()) {
        match panel {
            Panel::Xy(p) => draw_xy(cell, p, compact)?,
            Panel::Heatmap(p) => draw_heatmap(cell, p)?,
            Panel::Intervals(p) => draw_intervals(cell, p)?,
        }
    }
    Ok(())
}

/// Legend entries in rows under the title; returns the y below the legend.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    top: i32,
    width: i32,
) -> Result<i32, String> {
    if entries.is_empty() {
        return Ok(top);
    }
    let row_h = line_height(LEGEND_SIZE) + 6;
    let (mut x, mut y) = (MARGIN, top);
    for e in entries {
        let w = 56 + text_width(&e.label, LEGEND_SIZE).ceil() as i32 + 36;
        if x > MARGIN && x + w > width - MARGIN {
            x = MARGIN;
            y += row_h;
        }
        let yc = y + (LEGEND_SIZE / 1.24 * 0.45).round() as i32;
        draw_swatch(root, e, x, yc)?;
        root.draw(&Text::new(
            e.label.clone(),
            (x + 56, y),
            text_style(LEGEND_SIZE, INK),
        ))
        .map_err(err)?;
        x += w;
    }
    Ok(y + row_h)
}

fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    e: &LegendEntry,
    x: i32,
    yc: i32,
) -> Draw {
    let c = rgb(e.colour);
    let line = c.stroke_width(LINE_WIDTH);
    match e.swatch {
        Swatch::Line { dashed: false } => root
            .draw(&PathElement::new(vec![(x, yc), (x + 44, yc)], line))
            .map_err(err),
        Swatch::Line { dashed: true } => root
            .draw(&DashedPathElement::new(
                vec![(x, yc), (x + 44, yc)],
                10,
                6,
                line,
            ))
            .map_err(err),
        Swatch::Area => root
            .draw(&Rectangle::new(
                [(x, yc - 11), (x + 44, yc + 11)],
                c.filled(),
            ))
            .map_err(err),
        Swatch::Band => root
            .draw(&Rectangle::new(
                [(x, yc - 11), (x + 44, yc + 11)],
                c.mix(0.3).filled(),
            ))
            .map_err(err),
        Swatch::Point => root
            .draw(&Circle::new((x + 22, yc), 9, c.filled()))
            .map_err(err),
        Swatch::Interval => {
            root.draw(&PathElement::new(vec![(x, yc), (x + 44, yc)], line))
                .map_err(err)?;
            for cap in [x, x + 44] {
                root.draw(&PathElement::new(vec![(cap, yc - 9), (cap, yc + 9)], line))
                    .map_err(err)?;
            }
            Ok(())
        }
    }
}

/// Decimals that make neighbouring ticks on a range distinct but not noisy: those of the
/// "nice" step (1, 2 or 5 × 10^k) about `ticks` labels would use.
fn decimals(lo: f64, hi: f64, ticks: usize) -> usize {
    let raw = (hi - lo).abs() / ticks.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let step = p * if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    if step >= 1.0 {
        0
    } else {
        ((-step.log10() - 1e-9).ceil() as usize).min(4)
    }
}

fn format_tick(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v);
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string() // no "-0.0"
    } else {
        s
    }
}

fn x_extent(p: &XyPanel) -> (f64, f64) {
    if let Some(r) = p.x_range {
        return r;
    }
    let xs: Vec<f64> = p
        .series
        .iter()
        .flat_map(|s| s.kind.extent())
        .map(|(x, _)| x)
        .chain(p.markers.iter().map(|m| m.x))
        .collect();
    if p.x_integer {
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() && hi > lo {
            return (lo, hi);
        }
    }
    fit_range(xs, false)
}

/// A range plotters can draw: finite ends and a finite, positive width. Values near
/// `f64::MAX` (a hand-edited CSV) widen to infinity, on which the axis code loops forever.
fn drawable((lo, hi): (f64, f64)) -> (f64, f64) {
    const LIMIT: f64 = f64::MAX / 4.0;
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    if !(lo.is_finite() && hi.is_finite()) {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        fit_range([lo, hi], false)
    }
}

fn draw_xy<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &XyPanel, compact: bool) -> Draw {
    let (x0, x1) = drawable(x_extent(p));
    let (y0, y1) = drawable(p.y_range.unwrap_or_else(|| {
        fit_range(
            p.series
                .iter()
                .flat_map(|s| s.kind.extent())
                .map(|(_, y)| y),
            p.y_zero,
        )
    }));
    let y_ticks = if compact { 5 } else { 7 };
    let x_ticks = {
        let n = if compact { 6 } else { 12 };
        if p.x_integer {
            n.min((x1 - x0).round().max(0.0) as usize + 1)
        } else {
            n
        }
    };
    let (xd, yd) = (
        if p.x_integer {
            0
        } else {
            decimals(x0, x1, x_ticks)
        },
        decimals(y0, y1, y_ticks),
    );
    let y_label_w = [y0, y1, (y0 + y1) / 2.0]
        .iter()
        .map(|v| text_width(&format_tick(*v, yd), TICK_SIZE))
        .fold(0.0, f64::max);
    let desc_h = AXIS_LABEL_SIZE / 1.24;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(14)
        .margin_right(40)
        .x_label_area_size((TICK_SIZE / 1.24 + desc_h + 34.0) as i32)
        .y_label_area_size((y_label_w + desc_h + 36.0) as i32);
    if !p.title.is_empty() {
        builder.caption(p.title.clone(), text_style(PANEL_TITLE_SIZE, INK));
    }
    let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
    let fx = move |v: &f64| format_tick(*v, xd);
    let fy = move |v: &f64| format_tick(*v, yd);
    chart
        .configure_mesh()
        .x_desc(p.x_label.clone())
        .y_desc(p.y_label.clone())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE, INK))
        .label_style(text_style(TICK_SIZE, MUTED))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_labels(x_ticks)
        .y_labels(y_ticks)
        .disable_x_mesh()
        .bold_line_style(rgb(GRID).stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(rgb(MUTED).stroke_width(2))
        .set_all_tick_mark_size(6)
        .draw()
        .map_err(err)?;

    for s in &p.series {
        let c = rgb(s.colour);
        match &s.kind {
            SeriesKind::Area {
                x,
                lower,
                upper,
                opacity,
            } => {
                let mut pts: Vec<(f64, f64)> =
                    x.iter().copied().zip(upper.iter().copied()).collect();
                pts.extend(x.iter().copied().zip(lower.iter().copied()).rev());
                if pts.len() >= 3 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(pts, c.mix(*opacity).filled())))
                        .map_err(err)?;
                }
            }
            SeriesKind::Bars { points, width } => {
                chart
                    .draw_series(points.iter().map(|&(x, y)| {
                        Rectangle::new([(x - width / 2.0, 0.0), (x + width / 2.0, y)], c.filled())
                    }))
                    .map_err(err)?;
            }
            _ => {}
        }
    }
    for s in &p.series {
        let style = rgb(s.colour).stroke_width(LINE_WIDTH);
        if let SeriesKind::Line { points, dashed } = &s.kind {
            if *dashed {
                chart
                    .draw_series(DashedLineSeries::new(points.clone(), 14, 9, style))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(points.clone(), style))
                    .map_err(err)?;
            }
            if points.len() == 1 {
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 5, style.filled())))
                    .map_err(err)?;
            }
        }
    }
    for s in &p.series {
        if let SeriesKind::Points { points, labels } = &s.kind {
            let c = rgb(s.colour);
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 9, c.filled())))
                .map_err(err)?;
            for (&pt, label) in points.iter().zip(labels) {
                if label.is_empty() {
                    continue;
                }
                let right_half = pt.0 > (x0 + x1) / 2.0;
                let anchor = if right_half { HPos::Right } else { HPos::Left };
                let dx = if right_half { -14 } else { 14 };
                let style = text_style(NOTE_SIZE, INK).pos(Pos::new(anchor, VPos::Bottom));
                chart
                    .plotting_area()
                    .draw(&(EmptyElement::at(pt) + Text::new(label.clone(), (dx, -6), style)))
                    .map_err(err)?;
            }
        }
    }
    draw_markers(&chart, p, (x0, x1), (y0, y1))
}

fn draw_markers<DB: DrawingBackend>(
    chart: &ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    p: &XyPanel,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Draw {
    let area = chart.plotting_area();
    let h = line_height(NOTE_SIZE);
    for (i, m) in p.markers.iter().enumerate() {
        if m.x < x0 || m.x > x1 {
            continue;
        }
        area.draw(&DashedPathElement::new(
            vec![(m.x, y0), (m.x, y1)],
            10,
            7,
            rgb(MARKER).stroke_width(3),
        ))
        .map_err(err)?;
        if m.label.is_empty() {
            continue;
        }
        // The label goes on the side with more room, shortened with "…" if it does not fit.
        let px_per_x = f64::from(area.dim_in_pixel().0) / (x1 - x0);
        let room_right = (x1 - m.x) * px_per_x - 22.0;
        let room_left = (m.x - x0) * px_per_x - 22.0;
        let room = room_right.max(room_left);
        let text = fit_text(&m.label, NOTE_SIZE, room);
        if text.is_empty() {
            continue;
        }
        let w = text_width(&text, NOTE_SIZE).ceil() as i32;
        let on_left = room_left > room_right && f64::from(w) > room_right;
        let left = if on_left { -w - 18 } else { 8 };
        let top = 6 + (i % 3) as i32 * (h + 4);
        let label = EmptyElement::at((m.x, y1))
            + Rectangle::new(
                [(left, top - 2), (left + w + 10, top + h - 2)],
                WHITE.mix(0.85).filled(),
            )
            + Text::new(text, (left + 5, top), text_style(NOTE_SIZE, MARKER));
        area.draw(&label).map_err(err)?;
    }
    Ok(())
}

/// `text`, or its longest prefix with "…" that fits in `room` pixels ("" if not even one
/// character does).
fn fit_text(text: &str, size: f64, room: f64) -> String {
    if text_width(text, size) <= room {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let candidate: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&candidate, size) <= room {
            return candidate;
        }
    }
    String::new()
}

/// `text` in lines no wider than `room` at `size`, broken after a space or a Chinese comma
/// (a word longer than a line gets a line of its own).
fn wrap(text: &str, size: f64, room: f64) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        word.push(c);
        if matches!(c, ' ' | '、' | '，' | '；') {
            words.push(std::mem::take(&mut word));
        }
    }
    words.push(word);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        if !line.is_empty() && text_width(&(line.clone() + w.trim_end()), size) > room {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(&w);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Tick positions for the cells at `values`: every value, or every k-th when there are more
/// than `most`.
fn cell_ticks(values: &[f64], most: usize) -> Vec<f64> {
    let every = values.len().div_ceil(most.max(1)).max(1);
    values.iter().copied().step_by(every).collect()
}

/// A linear axis with ticks at given values.
struct Ticked(RangedCoordf64, Vec<f64>);

impl Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.0.map(value, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.1.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.0.range()
    }
}

/// Decimals that show each of `values` exactly (at most 4).
fn value_decimals(values: &[f64]) -> usize {
    (0..4)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            values
                .iter()
                .all(|v| ((v * scale).round() / scale - v).abs() < 1e-9 * v.abs().max(1.0))
        })
        .unwrap_or(4)
}

/// Cell edges around grid values: halfway between neighbours, half a step beyond the ends.
fn edges(v: &[f64]) -> Vec<f64> {
    match v.len() {
        0 => vec![0.0, 1.0],
        1 => vec![v[0] - 0.5, v[0] + 0.5],
        n => {
            let mut e = vec![v[0] - (v[1] - v[0]) / 2.0];
            e.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2.0);
            e
        }
    }
}

fn draw_heatmap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &HeatmapPanel) -> Draw {
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w.saturating_sub(220) as i32);
    let (xe, ye) = (edges(&p.xs), edges(&p.ys));
    let (z0, z1) = {
        let (lo, hi) =
            p.z.iter()
                .flatten()
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if hi - lo < 1e-12 {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        }
    };
    let desc_h = AXIS_LABEL_SIZE / 1.24;
    let x_area = (TICK_SIZE / 1.24 + desc_h + 34.0) as i32;
    // Ticks at the cells' own values (a grid's levels), not at round numbers between them.
    let (x_ticks, y_ticks) = (cell_ticks(&p.xs, 12), cell_ticks(&p.ys, 10));
    let (xd, yd) = (value_decimals(&x_ticks), value_decimals(&y_ticks));
    let y_label_w =
        p.ys.iter()
            .map(|v| text_width(&format_tick(*v, yd), TICK_SIZE))
            .fold(0.0, f64::max);
    let caption = if p.title.is_empty() {
        None
    } else {
        Some(p.title.clone())
    };
    let mut builder = ChartBuilder::on(&main);
    builder
        .margin(14)
        .margin_right(24)
        .x_label_area_size(x_area)
        .y_label_area_size((y_label_w + desc_h + 36.0) as i32);
    if let Some(c) = &caption {
        builder.caption(c.clone(), text_style(PANEL_TITLE_SIZE, INK));
    }
    let mut chart = builder
        .build_cartesian_2d(
            Ticked(RangedCoordf64::from(xe[0]..xe[xe.len() - 1]), x_ticks),
            Ticked(RangedCoordf64::from(ye[0]..ye[ye.len() - 1]), y_ticks),
        )
        .map_err(err)?;
    let fx = move |v: &f64| format_tick(*v, xd);
    let fy = move |v: &f64| format_tick(*v, yd);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(p.x_label.clone())
        .y_desc(p.y_label.clone())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE, INK))
        .label_style(text_style(TICK_SIZE, MUTED))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .axis_style(rgb(MUTED).stroke_width(2))
        .draw()
        .map_err(err)?;
    let cells = p.z.iter().enumerate().flat_map(|(j, row)| {
        let (xe, ye) = (&xe, &ye);
        row.iter().enumerate().map(move |(i, &v)| {
            let c = if v.is_finite() {
                viridis((v - z0) / (z1 - z0))
            } else {
                GRID
            };
            Rectangle::new([(xe[i], ye[j]), (xe[i + 1], ye[j + 1])], rgb(c).filled())
        })
    });
    chart.draw_series(cells).map_err(err)?;
    draw_cell_values(&chart.plotting_area(), p, (&xe, &ye), (z0, z1))?;

    // Colour bar: labels and description on its left, so it sits next to the plot.
    let zd = decimals(z0, z1, 6);
    let z_label_w = [z0, z1]
        .iter()
        .map(|v| text_width(&format_tick(*v, zd), TICK_SIZE))
        .fold(0.0, f64::max);
    let mut builder = ChartBuilder::on(&bar);
    builder
        .margin(14)
        .margin_right(24)
        .x_label_area_size(x_area)
        .y_label_area_size((z_label_w + desc_h + 30.0) as i32);
    if let Some(c) = &caption {
        builder.caption(
            c.clone(),
            text_style(PANEL_TITLE_SIZE, Colour(255, 255, 255)),
        );
    }
    let mut cbar = builder.build_cartesian_2d(0.0..1.0, z0..z1).map_err(err)?;
    let fz = move |v: &f64| format_tick(*v, zd);
    cbar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(p.z_label.clone())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE, INK))
        .label_style(text_style(TICK_SIZE, MUTED))
        .y_label_formatter(&fz)
        .y_labels(6)
        .axis_style(rgb(MUTED).stroke_width(2))
        .draw()
        .map_err(err)?;
    let steps = 64;
    cbar.draw_series((0..steps).map(|k| {
        let a = z0 + (z1 - z0) * k as f64 / steps as f64;
        let b = z0 + (z1 - z0) * (k + 1) as f64 / steps as f64;
        let c = viridis((k as f64 + 0.5) / steps as f64);
        Rectangle::new([(0.0, a), (1.0, b)], rgb(c).filled())
    }))
    .map_err(err)?;
    Ok(())
}

/// Each cell's value printed at its centre, dark on light cells and white on dark ones, with
/// as many decimals as the colour bar's range needs plus one; left out when the cells are too
/// small for a number at the smallest readable size.
fn draw_cell_values<DB: DrawingBackend, X: Ranged<ValueType = f64>, Y: Ranged<ValueType = f64>>(
    plot: &DrawingArea<DB, plotters::coord::cartesian::Cartesian2d<X, Y>>,
    p: &HeatmapPanel,
    (xe, ye): (&[f64], &[f64]),
    (z0, z1): (f64, f64),
) -> Draw {
    let (w, h) = plot.dim_in_pixel();
    let cell_w = f64::from(w) / p.xs.len().max(1) as f64;
    let cell_h = f64::from(h) / p.ys.len().max(1) as f64;
    let zd = decimals(z0, z1, 6) + 1;
    let texts: Vec<String> = p.z.iter().flatten().map(|v| format_tick(*v, zd)).collect();
    let widest = texts.iter().map(|s| text_width(s, 1.0)).fold(0.0, f64::max);
    // Size per unit width is linear: the largest size (up to a tick's) that fits 85% of a cell.
    let size = (0.85 * cell_w / widest.max(1e-9))
        .min(0.6 * cell_h)
        .min(TICK_SIZE);
    if size < 0.6 * NOTE_SIZE {
        return Ok(());
    }
    for (j, row) in p.z.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let light = (v - z0) / (z1 - z0) > 0.55;
            let colour = if light { INK } else { Colour(255, 255, 255) };
            let style = text_style(size, colour).pos(Pos::new(HPos::Center, VPos::Center));
            let at = ((xe[i] + xe[i + 1]) / 2.0, (ye[j] + ye[j + 1]) / 2.0);
            plot.draw(&Text::new(format_tick(v, zd), at, style))
                .map_err(err)?;
        }
    }
    Ok(())
}

fn draw_intervals<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &IntervalPanel) -> Draw {
    let n = p.rows.len();
    let (x0, x1) = drawable(fit_range(
        p.rows
            .iter()
            .flat_map(|r| [r.lower, r.upper, r.value])
            .chain(p.reference.iter().map(|r| r.0)),
        false,
    ));
    let label_w = p
        .rows
        .iter()
        .map(|r| text_width(&r.label, LEGEND_SIZE))
        .fold(0.0, f64::max);
    let desc_h = AXIS_LABEL_SIZE / 1.24;
    let (w, _) = area.dim_in_pixel();
    // Panels side by side are narrow: fewer ticks, and titles shortened to fit.
    let room = f64::from(w) - 60.0;
    let x_ticks = ((room - label_w) / 140.0).clamp(3.0, 8.0) as usize;
    let xd = decimals(x0, x1, x_ticks);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(14)
        .margin_right(40)
        .x_label_area_size((TICK_SIZE / 1.24 + desc_h + 34.0) as i32)
        .y_label_area_size((label_w + 30.0) as i32);
    if !p.title.is_empty() {
        builder.caption(
            fit_text(&p.title, PANEL_TITLE_SIZE, room),
            text_style(PANEL_TITLE_SIZE, INK),
        );
    }
    // Row k (top to bottom) sits at y = n - 1 - k.
    let mut chart = builder
        .build_cartesian_2d(x0..x1, -0.6..(n as f64 - 0.4))
        .map_err(err)?;
    let fx = move |v: &f64| format_tick(*v, xd);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(fit_text(&p.x_label, AXIS_LABEL_SIZE, room - label_w))
        .axis_desc_style(text_style(AXIS_LABEL_SIZE, INK))
        .label_style(text_style(TICK_SIZE, MUTED))
        .x_label_formatter(&fx)
        .x_labels(x_ticks)
        .bold_line_style(rgb(GRID).stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(rgb(MUTED).stroke_width(2))
        .draw()
        .map_err(err)?;
    let c = rgb(p.colour);
    let line = c.stroke_width(LINE_WIDTH);
    let plot = chart.plotting_area();
    if let Some((v, label)) = &p.reference {
        plot.draw(&DashedPathElement::new(
            vec![(*v, -0.6), (*v, n as f64 - 0.4)],
            10,
            7,
            rgb(MARKER).stroke_width(3),
        ))
        .map_err(err)?;
        let style = text_style(NOTE_SIZE, MARKER);
        plot.draw(
            &(EmptyElement::at((*v, n as f64 - 0.4)) + Text::new(label.clone(), (8, 4), style)),
        )
        .map_err(err)?;
    }
    for (k, r) in p.rows.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        plot.draw(&PathElement::new(vec![(r.lower, y), (r.upper, y)], line))
            .map_err(err)?;
        for cap in [r.lower, r.upper] {
            plot.draw(
                &(EmptyElement::at((cap, y)) + PathElement::new(vec![(0, -10), (0, 10)], line)),
            )
            .map_err(err)?;
        }
        plot.draw(&Circle::new((r.value, y), 10, c.filled()))
            .map_err(err)?;
        let style = text_style(LEGEND_SIZE, INK).pos(Pos::new(HPos::Right, VPos::Center));
        plot.draw(&(EmptyElement::at((x0, y)) + Text::new(r.label.clone(), (-14, 0), style)))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_as_many_decimals_as_the_range_needs() {
        assert_eq!(decimals(0.0, 100.0, 10), 0);
        assert_eq!(decimals(0.0, 6.36, 7), 0, "counts have whole ticks");
        assert_eq!(decimals(0.0, 1.02, 7), 1);
        assert_eq!(decimals(0.0, 1.0, 5), 1);
        assert_eq!(decimals(0.0, 0.05, 5), 2);
        assert_eq!(decimals(0.0, 0.012, 5), 3);
        assert_eq!(format_tick(-0.0001, 2), "0.00");
        assert_eq!(format_tick(-1.5, 1), "-1.5");
    }

    #[test]
    fn long_labels_are_shortened_to_fit() {
        let label = "Responsibility lists introduced";
        assert_eq!(fit_text(label, NOTE_SIZE, 10_000.0), label);
        let short = fit_text(label, NOTE_SIZE, 150.0);
        assert!(
            short.ends_with('…') && text_width(&short, NOTE_SIZE) <= 150.0,
            "{short}"
        );
        assert_eq!(fit_text(label, NOTE_SIZE, 1.0), "");
    }

    #[test]
    fn heatmap_ticks_sit_at_the_cell_values() {
        assert_eq!(cell_ticks(&[0.2, 0.8], 12), vec![0.2, 0.8]);
        assert_eq!(cell_ticks(&[1.0, 2.0, 3.0, 4.0, 5.0], 2), vec![1.0, 4.0]);
        assert_eq!(value_decimals(&[0.2, 0.8]), 1);
        assert_eq!(value_decimals(&[0.0, 1.0, 26.0]), 0);
        assert_eq!(value_decimals(&[0.125]), 3);
        assert_eq!(value_decimals(&[1.0 / 3.0]), 4);
    }

    #[test]
    fn heatmap_cells_surround_their_values() {
        assert_eq!(edges(&[0.0, 1.0, 2.0]), vec![-0.5, 0.5, 1.5, 2.5]);
        assert_eq!(edges(&[3.0]), vec![2.5, 3.5]);
    }

    #[test]
    fn styles_go_inside_the_svg_root() {
        let doc = "<svg width=\"1\" height=\"1\" xmlns=\"x\">\n<rect/>\n</svg>\n";
        let out = insert_style(doc, "a{}");
        assert!(out.starts_with(
            "<svg width=\"1\" height=\"1\" xmlns=\"x\">\n<defs><style>a{}</style></defs>"
        ));
    }
}
