//! What a chart shows, as plain data: a titled figure made of panels, each with its axes,
//! series and markers. Chart functions (`run`, `sweep`) build these from records; `render`
//! draws them with plotters to SVG or PNG. Keeping the two apart lets tests inspect what a
//! chart contains without rasterising it, and lets every chart share one visual style.
//!
//! Nothing here knows about files, languages or plotters.

use super::style::Colour;

/// A whole chart: title, subtitle, a grid of panels and a legend gathered from the panels.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem, e.g. `issue_flow`.
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub width: u32,
    pub height: u32,
    /// Panels per row.
    pub cols: usize,
    pub panels: Vec<Panel>,
    /// Lines of small print under the panels (what a chart leaves unlabelled), wrapped to
    /// the figure's width when drawn.
    pub notes: Vec<String>,
}

/// Standard size: 16:9, readable on a projector; SVG scales for paper.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

impl Figure {
    pub fn new(id: &str, title: &str, subtitle: &str, panels: Vec<Panel>) -> Figure {
        let cols = match panels.len() {
            0 | 1 => 1,
            2 | 4 => 2,
            _ => 3,
        };
        Figure {
            id: id.to_string(),
            title: title.to_string(),
            subtitle: subtitle.to_string(),
            width: WIDTH,
            height: HEIGHT,
            cols,
            panels,
            notes: Vec::new(),
        }
    }

    /// Legend entries of all panels, each label once, in order of first appearance.
    pub fn legend(&self) -> Vec<LegendEntry> {
        let mut out: Vec<LegendEntry> = Vec::new();
        for p in &self.panels {
            for e in p.legend() {
                if !out.iter().any(|o| o.label == e.label) {
                    out.push(e);
                }
            }
        }
        out
    }

    /// Every piece of text the figure draws (for font subsetting and tests).
    pub fn texts(&self) -> Vec<String> {
        let mut t = vec![self.title.clone(), self.subtitle.clone()];
        for p in &self.panels {
            t.extend(p.texts());
        }
        t.extend(self.notes.iter().cloned());
        t
    }
}

/// One plotting area.
#[derive(Clone, Debug)]
pub enum Panel {
    Xy(XyPanel),
    Heatmap(HeatmapPanel),
    Intervals(IntervalPanel),
}

impl Panel {
    fn legend(&self) -> Vec<LegendEntry> {
        match self {
            Panel::Xy(p) => p
                .series
                .iter()
                .filter(|s| !s.label.is_empty())
                .map(|s| LegendEntry {
                    label: s.label.clone(),
                    colour: s.colour,
                    swatch: match &s.kind {
                        SeriesKind::Line { dashed, .. } => Swatch::Line { dashed: *dashed },
                        SeriesKind::Area { opacity, .. } if *opacity < 0.5 => Swatch::Band,
                        SeriesKind::Area { .. } | SeriesKind::Bars { .. } => Swatch::Area,
                        SeriesKind::Points { .. } => Swatch::Point,
                    },
                })
                .collect(),
            Panel::Intervals(p) => p.legend.clone(),
            Panel::Heatmap(_) => Vec::new(),
        }
    }

    fn texts(&self) -> Vec<String> {
        match self {
            Panel::Xy(p) => {
                let mut t = vec![p.title.clone(), p.x_label.clone(), p.y_label.clone()];
                for s in &p.series {
                    t.push(s.label.clone());
                    if let SeriesKind::Points { labels, .. } = &s.kind {
                        t.extend(labels.iter().cloned());
                    }
                }
                t.extend(p.markers.iter().map(|m| m.label.clone()));
                t
            }
            Panel::Heatmap(p) => vec![
                p.title.clone(),
                p.x_label.clone(),
                p.y_label.clone(),
                p.z_label.clone(),
            ],
            Panel::Intervals(p) => {
                let mut t = vec![p.title.clone(), p.x_label.clone()];
                t.extend(p.rows.iter().map(|r| r.label.clone()));
                t.extend(p.reference.iter().map(|r| r.1.clone()));
                t.extend(p.legend.iter().map(|e| e.label.clone()));
                t
            }
        }
    }
}

/// Axes with numbers on both.
#[derive(Clone, Debug, Default)]
pub struct XyPanel {
    /// Shown above the panel when a figure has several ("" for none).
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Fixed ranges; `None` fits the data.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// Whole numbers only on the x axis (weeks).
    pub x_integer: bool,
    /// A fitted y range includes 0 (counts, costs, shares).
    pub y_zero: bool,
    /// Drawn in order: areas first, then lines, then points, whatever the order here.
    pub series: Vec<Series>,
    /// Vertical lines with a label (interventions).
    pub markers: Vec<Marker>,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub colour: Colour,
    pub kind: SeriesKind,
}

#[derive(Clone, Debug)]
pub enum SeriesKind {
    Line {
        points: Vec<(f64, f64)>,
        dashed: bool,
    },
    /// The region between `lower` and `upper` over `x`: a layer of a stack or a confidence
    /// band. `opacity` in 0..=1.
    Area {
        x: Vec<f64>,
        lower: Vec<f64>,
        upper: Vec<f64>,
        opacity: f64,
    },
    Bars {
        points: Vec<(f64, f64)>,
        width: f64,
    },
    /// Dots, each with an optional text next to it.
    Points {
        points: Vec<(f64, f64)>,
        labels: Vec<String>,
    },
}

impl SeriesKind {
    /// Every (x, y) the series covers, for fitting ranges.
    pub fn extent(&self) -> Vec<(f64, f64)> {
        match self {
            SeriesKind::Line { points, .. } | SeriesKind::Points { points, .. } => points.clone(),
            SeriesKind::Bars { points, width } => points
                .iter()
                .flat_map(|&(x, y)| [(x - width / 2.0, 0.0), (x + width / 2.0, y)])
                .collect(),
            SeriesKind::Area {
                x, lower, upper, ..
            } => x
                .iter()
                .zip(lower)
                .zip(upper)
                .flat_map(|((&x, &l), &u)| [(x, l), (x, u)])
                .collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

/// A grid of coloured cells: `z[j][i]` at (`xs[i]`, `ys[j]`).
#[derive(Clone, Debug)]
pub struct HeatmapPanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// What the colour means (shown along the colour bar).
    pub z_label: String,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub z: Vec<Vec<f64>>,
}

/// Categories listed top to bottom, each a point with an interval along the x axis.
#[derive(Clone, Debug)]
pub struct IntervalPanel {
    pub title: String,
    pub x_label: String,
    pub rows: Vec<IntervalRow>,
    /// A vertical reference line (value, label), e.g. the baseline package.
    pub reference: Option<(f64, String)>,
    pub colour: Colour,
    pub legend: Vec<LegendEntry>,
}

#[derive(Clone, Debug)]
pub struct IntervalRow {
    pub label: String,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub colour: Colour,
    pub swatch: Swatch,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    Line {
        dashed: bool,
    },
    Area,
    /// A translucent area (a confidence band).
    Band,
    Point,
    Interval,
}

/// A range that contains every value, widened a little so nothing sits on the frame, and
/// never empty. With `from_zero` the range includes 0 (counts, costs).
pub fn fit_range(values: impl IntoIterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 1e-12 {
            hi.abs() * 0.1
        } else {
            1.0
        };
        return (
            lo - if from_zero && lo == 0.0 { 0.0 } else { pad },
            hi + pad,
        );
    }
    let pad = 0.06 * (hi - lo);
    let lo = if from_zero && lo >= 0.0 { lo } else { lo - pad };
    (lo, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty_and_include_zero_when_asked() {
        assert_eq!(fit_range([], false), (0.0, 1.0));
        let (lo, hi) = fit_range([5.0, 5.0], true);
        assert!(lo == 0.0 && hi > 5.0);
        let (lo, hi) = fit_range([2.0, 4.0], true);
        assert!(lo == 0.0 && hi > 4.0);
        let (lo, hi) = fit_range([-1.0, 1.0, f64::NAN], false);
        assert!(lo < -1.0 && hi > 1.0);
        let (lo, hi) = fit_range([0.0, 0.0], true);
        assert!(lo == 0.0 && hi == 1.0);
    }
}
