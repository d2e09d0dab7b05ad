//! Charts of many runs, from plain numbers: a metric against a parameter with a confidence
//! band, a two-parameter heatmap (phase diagram), policy packages side by side with confidence
//! intervals, a Morris μ*–σ screening chart, Sobol' indices with their intervals, and the points
//! of a sampled design against each parameter.
//!
//! These functions take vectors and already-translated labels rather than sweep files, so they
//! do not depend on how a sweep stores its results; the code that reads a sweep directory
//! computes means and intervals and calls them. Bad input (lengths that differ, NaN) is
//! refused with a message naming the argument.

use super::figure::{
    fit_range, Figure, HeatmapPanel, IntervalPanel, IntervalRow, LegendEntry, Panel, Series,
    SeriesKind, Swatch, XyPanel,
};
use super::labels::{self as t, Lang, L};
use super::style::*;
use super::ChartError;

/// Title, subtitle and axis labels of a chart, already in the chart's language.
#[derive(Clone, Copy, Debug, Default)]
pub struct Axes<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// A metric's mean and confidence band at each value of a parameter.
#[derive(Clone, Copy, Debug)]
pub struct Curve<'a> {
    /// Legend label ("" for a single curve: it is called "mean").
    pub label: &'a str,
    pub x: &'a [f64],
    pub mean: &'a [f64],
    pub lower: &'a [f64],
    pub upper: &'a [f64],
}

/// A labelled estimate with its interval.
#[derive(Clone, Copy, Debug)]
pub struct Estimate<'a> {
    pub label: &'a str,
    pub mean: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One panel of a sampled design: the metric at each point against one parameter.
#[derive(Clone, Copy, Debug)]
pub struct Sampled<'a> {
    pub x_label: &'a str,
    pub x: &'a [f64],
    pub y: &'a [f64],
}

/// One parameter's Morris statistics.
#[derive(Clone, Copy, Debug)]
pub struct MorrisPoint<'a> {
    pub label: &'a str,
    pub mu_star: f64,
    pub sigma: f64,
}

/// One parameter's Sobol' indices, each (value, lower, upper).
#[derive(Clone, Copy, Debug)]
pub struct SobolBar<'a> {
    pub label: &'a str,
    pub s1: [f64; 3],
    pub st: [f64; 3],
}

fn bad(what: &str, message: impl std::fmt::Display) -> ChartError {
    ChartError::Data(format!("{what}: {message}"))
}

fn finite(what: &str, values: &[f64]) -> Result<(), ChartError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(bad(what, format_args!("value {i} is not a finite number"))),
        None => Ok(()),
    }
}

/// A metric against one parameter: a line through the means and a shaded 95% band, one per
/// curve (e.g. one per policy package), in the Okabe–Ito order.
pub fn metric_vs_parameter(
    id: &str,
    axes: Axes<'_>,
    curves: &[Curve<'_>],
    lang: Lang,
) -> Result<Figure, ChartError> {
    if curves.is_empty() {
        return Err(bad("curves", "at least one curve is needed"));
    }
    let mut series = Vec::new();
    for (k, c) in curves.iter().enumerate() {
        let n = c.x.len();
        if n == 0
            || [c.mean.len(), c.lower.len(), c.upper.len()]
                .iter()
                .any(|&m| m != n)
        {
            return Err(bad(
                "curve",
                format_args!(
                    "{:?}: x, mean, lower and upper must have the same non-zero length",
                    c.label
                ),
            ));
        }
        for (what, v) in [
            ("x", c.x),
            ("mean", c.mean),
            ("lower", c.lower),
            ("upper", c.upper),
        ] {
            finite(what, v)?;
        }
        let colour = OKABE_ITO[k % OKABE_ITO.len()];
        let name = if c.label.is_empty() {
            t::MEAN.get(lang).to_string()
        } else {
            c.label.to_string()
        };
        let band_label = if curves.len() == 1 {
            t::CI95.get(lang).to_string()
        } else {
            String::new()
        };
        series.push(Series {
            label: band_label,
            colour,
            kind: SeriesKind::Area {
                x: c.x.to_vec(),
                lower: c.lower.to_vec(),
                upper: c.upper.to_vec(),
                opacity: 0.25,
            },
        });
        series.push(Series {
            label: name,
            colour,
            kind: SeriesKind::Line {
                points: c.x.iter().copied().zip(c.mean.iter().copied()).collect(),
                dashed: k % 2 == 1,
            },
        });
    }
    let panel = XyPanel {
        x_label: axes.x_label.to_string(),
        y_label: axes.y_label.to_string(),
        series,
        ..XyPanel::default()
    };
    let mut subtitle = axes.subtitle.to_string();
    if curves.len() > 1 {
        let note = format!(
            "{}{}{}",
            t::SHADED.get(lang),
            lang.pick(": ", "："),
            t::CI95.get(lang)
        );
        subtitle = if subtitle.is_empty() {
            note
        } else {
            format!("{subtitle}{}{note}", lang.pick(" · ", "；"))
        };
    }
    Ok(Figure::new(
        id,
        axes.title,
        &subtitle,
        vec![Panel::Xy(panel)],
    ))
}

/// A metric over a grid of two parameters: `z[j][i]` is the value at (`xs[i]`, `ys[j]`).
pub fn heatmap(
    id: &str,
    axes: Axes<'_>,
    z_label: &str,
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
) -> Result<Figure, ChartError> {
    if xs.is_empty() || ys.is_empty() {
        return Err(bad("heatmap", "xs and ys must not be empty"));
    }
    finite("xs", xs)?;
    finite("ys", ys)?;
    if z.len() != ys.len() || z.iter().any(|row| row.len() != xs.len()) {
        return Err(bad(
            "z",
            format_args!(
                "expected {} rows of {} values (one row per y)",
                ys.len(),
                xs.len()
            ),
        ));
    }
    for row in z {
        finite("z", row)?;
    }
    let increasing = |v: &[f64]| v.windows(2).all(|w| w[1] > w[0]);
    if !increasing(xs) || !increasing(ys) {
        return Err(bad("heatmap", "xs and ys must be strictly increasing"));
    }
    let panel = HeatmapPanel {
        title: String::new(),
        x_label: axes.x_label.to_string(),
        y_label: axes.y_label.to_string(),
        z_label: z_label.to_string(),
        xs: xs.to_vec(),
        ys: ys.to_vec(),
        z: z.to_vec(),
    };
    Ok(Figure::new(
        id,
        axes.title,
        axes.subtitle,
        vec![Panel::Heatmap(panel)],
    ))
}

/// Policy packages (or any alternatives) listed top to bottom, each a mean with its 95%
/// interval along the metric's axis; `baseline` draws a reference line.
pub fn policy_packages(
    id: &str,
    axes: Axes<'_>,
    packages: &[Estimate<'_>],
    baseline: Option<f64>,
    lang: Lang,
) -> Result<Figure, ChartError> {
    if packages.is_empty() {
        return Err(bad("packages", "at least one package is needed"));
    }
    for p in packages {
        finite(p.label, &[p.mean, p.lower, p.upper])?;
        if p.lower > p.mean || p.mean > p.upper {
            return Err(bad(p.label, "expected lower <= mean <= upper"));
        }
    }
    if let Some(b) = baseline {
        finite("baseline", &[b])?;
    }
    let reference = baseline.map(|b| (b, t::BASELINE.get(lang).to_string()));
    let panel = interval_panel("", axes.x_label, packages, reference, lang);
    let mut fig = Figure::new(id, axes.title, axes.subtitle, vec![Panel::Intervals(panel)]);
    fig.height = fig.height.max(260 + 70 * packages.len() as u32);
    Ok(fig)
}

/// Estimates listed top to bottom as dots with their 95% intervals, in one style whatever
/// they are (packages, paired differences, levers).
fn interval_panel(
    title: &str,
    x_label: &str,
    rows: &[Estimate<'_>],
    reference: Option<(f64, String)>,
    lang: Lang,
) -> IntervalPanel {
    IntervalPanel {
        title: title.to_string(),
        x_label: x_label.to_string(),
        rows: rows
            .iter()
            .map(|p| IntervalRow {
                label: p.label.to_string(),
                value: p.mean,
                lower: p.lower,
                upper: p.upper,
            })
            .collect(),
        reference,
        colour: BLUE,
        legend: vec![
            LegendEntry {
                label: t::MEAN.get(lang).to_string(),
                colour: BLUE,
                swatch: Swatch::Point,
            },
            LegendEntry {
                label: t::CI95.get(lang).to_string(),
                colour: BLUE,
                swatch: Swatch::Interval,
            },
        ],
    }
}

/// One panel of a difference chart: an outcome, its axis and a row per alternative.
#[derive(Clone, Debug)]
pub struct DifferencePanel<'a> {
    /// Shown above the panel when the chart has several ("" for none).
    pub title: &'a str,
    pub x_label: &'a str,
    /// Each row: the mean paired difference with its 95% interval.
    pub rows: Vec<Estimate<'a>>,
}

/// Paired differences as dots with their 95% intervals and a line at zero ("no difference"),
/// one panel per outcome: `cogov compare` (one row, B − A, per metric), the difference view of
/// package and grid sweeps (a row per point, minus the baseline) and `cogov levers`' forest plot
/// (a row per lever). Under common random numbers a difference's interval is much narrower
/// than the two intervals of the means it comes from; this chart shows the one that counts.
pub fn differences(
    id: &str,
    axes: Axes<'_>,
    panels: &[DifferencePanel<'_>],
    lang: Lang,
) -> Result<Figure, ChartError> {
    if panels.is_empty() || panels.iter().any(|p| p.rows.is_empty()) {
        return Err(bad("differences", "every panel needs at least one row"));
    }
    for p in panels.iter().flat_map(|p| &p.rows) {
        finite(p.label, &[p.mean, p.lower, p.upper])?;
        if p.lower > p.mean || p.mean > p.upper {
            return Err(bad(p.label, "expected lower <= mean <= upper"));
        }
    }
    let zero = || Some((0.0, t::NO_DIFFERENCE.get(lang).to_string()));
    let out: Vec<Panel> = panels
        .iter()
        .map(|p| Panel::Intervals(interval_panel(p.title, p.x_label, &p.rows, zero(), lang)))
        .collect();
    let mut fig = Figure::new(id, axes.title, axes.subtitle, out);
    fig.cols = panels.len().min(2);
    let most = panels.iter().map(|p| p.rows.len()).max().unwrap_or(1) as u32;
    let panel_rows = panels.len().div_ceil(fig.cols) as u32;
    fig.height = fig.height.max(260 + panel_rows * (150 + 56 * most));
    Ok(fig)
}

/// `differences` with a single panel, its axis `axes.x_label`.
pub fn difference_chart(
    id: &str,
    axes: Axes<'_>,
    rows: Vec<Estimate<'_>>,
    lang: Lang,
) -> Result<Figure, ChartError> {
    let panel = DifferencePanel {
        title: "",
        x_label: axes.x_label,
        rows,
    };
    differences(id, axes, &[panel], lang)
}

/// A metric at the points of a sampled design (a Latin hypercube) against each varied
/// parameter: one panel per parameter, one dot per point, labelled `dot_label` in the legend.
/// No line and no band: neighbouring points differ in every parameter at once, so a curve
/// would suggest an effect the design does not isolate.
pub fn sampled(
    id: &str,
    axes: Axes<'_>,
    dot_label: &str,
    panels: &[Sampled<'_>],
) -> Result<Figure, ChartError> {
    if panels.is_empty() {
        return Err(bad("sampled", "at least one parameter is needed"));
    }
    let mut out = Vec::new();
    for p in panels {
        if p.x.is_empty() || p.x.len() != p.y.len() {
            return Err(bad(p.x_label, "x and y must have the same non-zero length"));
        }
        finite("x", p.x)?;
        finite("y", p.y)?;
        out.push(Panel::Xy(XyPanel {
            x_label: p.x_label.to_string(),
            y_label: axes.y_label.to_string(),
            series: vec![Series {
                label: dot_label.to_string(),
                colour: BLUE,
                kind: SeriesKind::Points {
                    points: p.x.iter().copied().zip(p.y.iter().copied()).collect(),
                    labels: Vec::new(),
                },
            }],
            ..XyPanel::default()
        }));
    }
    let n = out.len();
    let mut fig = Figure::new(id, axes.title, axes.subtitle, out);
    // Two panels a row at most, each tall enough for its axis labels.
    fig.cols = n.min(2);
    fig.height = fig.height.max(260 + 560 * n.div_ceil(2) as u32);
    Ok(fig)
}

/// Morris elementary-effects screening: μ* (importance) against σ (non-linearity or
/// interaction), one dot per parameter — the `MORRIS_LABELLED` largest μ* named next to their
/// dots, the others listed in a note under the chart — with the lines σ/μ* = 0.1, 0.5 and 1
/// (named in the legend) that separate near-linear from strongly non-linear effects. Empty axis labels get the standard
/// ones.
pub fn morris(
    id: &str,
    axes: Axes<'_>,
    params: &[MorrisPoint<'_>],
    lang: Lang,
) -> Result<Figure, ChartError> {
    if params.is_empty() {
        return Err(bad("morris", "at least one parameter is needed"));
    }
    for p in params {
        finite(p.label, &[p.mu_star, p.sigma])?;
        if p.mu_star < 0.0 || p.sigma < 0.0 {
            return Err(bad(p.label, "μ* and σ cannot be negative"));
        }
    }
    let (_, xmax) = fit_range(params.iter().map(|p| p.mu_star), true);
    let (_, ymax) = fit_range(params.iter().map(|p| p.sigma), true);
    let mut series = Vec::new();
    // The largest μ* are labelled; the rest are dots listed in a note, so labels stay legible.
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by(|&a, &b| params[b].mu_star.total_cmp(&params[a].mu_star));
    let labelled = &order[..order.len().min(MORRIS_LABELLED)];
    let rest: Vec<&str> = order[labelled.len()..]
        .iter()
        .map(|&i| params[i].label)
        .collect();
    for (k, ratio) in [0.1, 0.5, 1.0].into_iter().enumerate() {
        let end = if ratio * xmax > ymax {
            (ymax / ratio, ymax)
        } else {
            (xmax, ratio * xmax)
        };
        series.push(Series {
            label: if k == 0 {
                t::MORRIS_LINES.get(lang).to_string()
            } else {
                String::new()
            },
            colour: MUTED,
            kind: SeriesKind::Line {
                points: vec![(0.0, 0.0), end],
                dashed: true,
            },
        });
    }
    series.push(Series {
        label: String::new(),
        colour: BLUE,
        kind: SeriesKind::Points {
            points: params.iter().map(|p| (p.mu_star, p.sigma)).collect(),
            labels: (0..params.len())
                .map(|i| {
                    if labelled.contains(&i) {
                        params[i].label.to_string()
                    } else {
                        String::new()
                    }
                })
                .collect(),
        },
    });
    let pick = |given: &str, default: &str| {
        if given.is_empty() {
            default.to_string()
        } else {
            given.to_string()
        }
    };
    let panel = XyPanel {
        x_label: pick(axes.x_label, t::MORRIS_X.get(lang)),
        y_label: pick(axes.y_label, t::MORRIS_Y.get(lang)),
        x_range: Some((0.0, xmax)),
        y_range: Some((0.0, ymax)),
        series,
        ..XyPanel::default()
    };
    let mut fig = Figure::new(id, axes.title, axes.subtitle, vec![Panel::Xy(panel)]);
    if !rest.is_empty() {
        let list = rest.join(lang.pick(", ", "、"));
        fig.notes
            .push(t::MORRIS_REST.fill(lang, &[("list", &list)]));
    }
    Ok(fig)
}

/// Sobol' indices: the first-order index S1 (left) and the total index ST (right) of every
/// parameter, each with its bootstrap 95% interval, parameters top to bottom in the same order
/// in both panels so a row reads across. ST − S1 is what a parameter does through interactions.
pub fn sobol(
    id: &str,
    axes: Axes<'_>,
    params: &[SobolBar<'_>],
    lang: Lang,
) -> Result<Figure, ChartError> {
    if params.is_empty() {
        return Err(bad("sobol", "at least one parameter is needed"));
    }
    for p in params {
        finite(p.label, &[p.s1, p.st].concat())?;
    }
    let panel = |title: L, colour, pick: fn(&SobolBar) -> [f64; 3]| {
        Panel::Intervals(IntervalPanel {
            title: title.get(lang).to_string(),
            x_label: t::SOBOL_X.get(lang).to_string(),
            rows: params
                .iter()
                .map(|p| {
                    let [value, lower, upper] = pick(p);
                    IntervalRow {
                        label: p.label.to_string(),
                        value,
                        lower,
                        upper,
                    }
                })
                .collect(),
            reference: None,
            colour,
            legend: vec![
                LegendEntry {
                    label: title.get(lang).to_string(),
                    colour,
                    swatch: Swatch::Point,
                },
                LegendEntry {
                    label: t::BOOTSTRAP95.get(lang).to_string(),
                    colour: MUTED,
                    swatch: Swatch::Interval,
                },
            ],
        })
    };
    let mut fig = Figure::new(
        id,
        axes.title,
        axes.subtitle,
        vec![
            panel(t::SOBOL_S1, BLUE, |p| p.s1),
            panel(t::SOBOL_ST, VERMILLION, |p| p.st),
        ],
    );
    fig.height = fig.height.max(260 + 70 * params.len() as u32);
    Ok(fig)
}

/// Most parameters a Morris chart labels by name (those of largest μ*).
pub const MORRIS_LABELLED: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::render;

    fn axes<'a>() -> Axes<'a> {
        Axes {
            title: "解决率与激励相容",
            subtitle: "30 replications",
            x_label: "incentive compatibility",
            y_label: "resolution rate",
        }
    }

    fn renders(fig: &Figure, expect: &[&str]) {
        let svg = render::svg_standalone(fig).unwrap();
        for e in expect {
            assert!(svg.contains(e), "{} lacks {e:?}", fig.id);
        }
        assert!(svg.contains("@font-face"));
        let png = render::png(fig, crate::charts::page::DEFAULT_DPI).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000,
            "{}",
            fig.id
        );
        // For looking at them: COGOV_CHART_DUMP=/tmp/charts cargo test --lib charts::sweep
        if let Some(dir) = std::env::var_os("COGOV_CHART_DUMP") {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{}.png", fig.id)), &png).unwrap();
            std::fs::write(dir.join(format!("{}.svg", fig.id)), &svg).unwrap();
        }
    }

    #[test]
    fn metric_vs_parameter_draws_a_band_per_curve() {
        let x = [0.0, 0.25, 0.5, 0.75, 1.0];
        let mean = [0.5, 0.55, 0.6, 0.68, 0.7];
        let lo: Vec<f64> = mean.iter().map(|m| m - 0.03).collect();
        let hi: Vec<f64> = mean.iter().map(|m| m + 0.03).collect();
        let one = [Curve {
            label: "",
            x: &x,
            mean: &mean,
            lower: &lo,
            upper: &hi,
        }];
        let fig = metric_vs_parameter("m", axes(), &one, Lang::Zh).unwrap();
        let labels: Vec<String> = fig.legend().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["95%置信区间", "均值"]);
        renders(
            &fig,
            &["解决率与激励相容", "incentive compatibility", "均值"],
        );
        let two = [
            one[0],
            Curve {
                label: "with lists",
                ..one[0]
            },
        ];
        let fig = metric_vs_parameter("m2", axes(), &two, Lang::En).unwrap();
        assert_eq!(fig.legend().len(), 2, "one entry per curve");
        assert!(fig.subtitle.contains("95% confidence interval"));
        let short = [Curve {
            mean: &mean[..3],
            ..one[0]
        }];
        assert!(metric_vs_parameter("m", axes(), &short, Lang::En).is_err());
        let nan = [f64::NAN; 5];
        let with_nan = [Curve {
            mean: &nan,
            ..one[0]
        }];
        assert!(metric_vs_parameter("m", axes(), &with_nan, Lang::En)
            .unwrap_err()
            .to_string()
            .contains("mean"));
    }

    #[test]
    fn heatmap_checks_its_grid() {
        let xs = [0.0, 0.5, 1.0];
        let ys = [0.1, 0.2];
        let z = vec![vec![0.1, 0.2, 0.3], vec![0.4, 0.5, 0.9]];
        let fig = heatmap("h", axes(), "解决率", &xs, &ys, &z).unwrap();
        renders(&fig, &["解决率", "resolution rate"]);
        assert!(heatmap("h", axes(), "z", &xs, &ys, &z[..1]).is_err());
        assert!(heatmap("h", axes(), "z", &[1.0, 0.0, 2.0], &ys, &z).is_err());
    }

    #[test]
    fn policy_packages_list_each_package_with_its_interval() {
        let p = [
            Estimate {
                label: "基线",
                mean: 0.6,
                lower: 0.58,
                upper: 0.62,
            },
            Estimate {
                label: "权责清单 + 回头看",
                mean: 0.7,
                lower: 0.66,
                upper: 0.73,
            },
            Estimate {
                label: "whistle-and-report",
                mean: 0.65,
                lower: 0.6,
                upper: 0.7,
            },
        ];
        let fig = policy_packages("p", axes(), &p, Some(0.6), Lang::Zh).unwrap();
        renders(
            &fig,
            &[
                "权责清单 + 回头看",
                "whistle-and-report",
                "基线",
                "95%置信区间",
            ],
        );
        let wrong = [Estimate { lower: 0.9, ..p[0] }];
        assert!(policy_packages("p", axes(), &wrong, None, Lang::En).is_err());
    }

    #[test]
    fn sampled_points_get_a_panel_per_parameter() {
        let (a, b, y) = ([0.1, 0.5, 0.9], [3.0, 1.0, 2.0], [0.4, 0.6, 0.5]);
        let panels = [
            Sampled {
                x_label: "incentive_compatibility",
                x: &a,
                y: &y,
            },
            Sampled {
                x_label: "media_pressure",
                x: &b,
                y: &y,
            },
            Sampled {
                x_label: "trust_culture",
                x: &a,
                y: &y,
            },
        ];
        let fig = sampled("s", axes(), "一个抽样点", &panels).unwrap();
        assert_eq!((fig.panels.len(), fig.cols), (3, 2));
        renders(&fig, &["media_pressure", "一个抽样点"]);
        let short = [Sampled {
            y: &y[..2],
            ..panels[0]
        }];
        assert!(sampled("s", axes(), "", &short).is_err());
        assert!(sampled("s", axes(), "", &[]).is_err());
    }

    #[test]
    fn morris_labels_every_parameter_and_draws_reference_lines() {
        let p = [
            MorrisPoint {
                label: "incentive_compatibility",
                mu_star: 0.12,
                sigma: 0.05,
            },
            MorrisPoint {
                label: "trust_culture",
                mu_star: 0.03,
                sigma: 0.04,
            },
            MorrisPoint {
                label: "responsibility_lists",
                mu_star: 0.08,
                sigma: 0.01,
            },
        ];
        let fig = morris(
            "mo",
            Axes {
                title: "Morris",
                ..Axes::default()
            },
            &p,
            Lang::En,
        )
        .unwrap();
        renders(
            &fig,
            &[
                "incentive_compatibility",
                "trust_culture",
                "μ* (mean absolute elementary effect)",
            ],
        );
        let zh = morris("mo", Axes::default(), &p, Lang::Zh).unwrap();
        assert!(zh.texts().concat().contains("基本效应"));
        let negative = [MorrisPoint {
            sigma: -1.0,
            ..p[0]
        }];
        assert!(morris("mo", Axes::default(), &negative, Lang::En).is_err());
    }

    #[test]
    fn sobol_draws_s1_and_st_side_by_side_with_a_row_per_parameter() {
        let p = [
            SobolBar {
                label: "incentive_compatibility",
                s1: [0.4, 0.3, 0.5],
                st: [0.55, 0.45, 0.7],
            },
            SobolBar {
                label: "sanction",
                s1: [-0.02, -0.1, 0.06],
                st: [0.05, 0.01, 0.1],
            },
        ];
        let fig = sobol("so", axes(), &p, Lang::En).unwrap();
        assert_eq!(fig.panels.len(), 2);
        renders(
            &fig,
            &["incentive_compatibility", "sanction", "total index ST"],
        );
        let zh = sobol("so", Axes::default(), &p, Lang::Zh).unwrap();
        let texts = zh.texts().concat();
        assert!(texts.contains("一阶指数S1") && texts.contains("自助法95%区间"));
        let nan = [SobolBar {
            st: [f64::NAN, 0.0, 1.0],
            ..p[0]
        }];
        assert!(sobol("so", Axes::default(), &nan, Lang::En).is_err());
    }
}
