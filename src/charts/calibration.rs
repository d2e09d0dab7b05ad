//! The charts and report section of a calibration directory (`cogov calibrate`), drawn from
//! its CSV files only: prior against posterior for each parameter, the posterior pairwise,
//! the posterior predictive interval of every target against its observation, the
//! tolerance schedule with the acceptance rate and effective sample size, and, with a
//! `[prediction]`, the second scenario's predictive intervals (hit or miss) and weekly bands.

use std::fmt::Write as _;
use std::path::Path;

use super::figure::{
    fit_range, Figure, IntervalPanel, IntervalRow, LegendEntry, Panel, Series, SeriesKind, Swatch,
    XyPanel,
};
use super::files::{self, Table};
use super::labels::{self as t, Lang};
use super::style;
use super::ChartError;

/// One fitted parameter as `estimates.csv` gives it.
#[derive(Clone, Debug)]
pub struct Estimate {
    pub key: String,
    pub log_uniform: bool,
    pub lo: f64,
    pub hi: f64,
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub q95: f64,
    pub contraction: f64,
}

/// One target as `predictive.csv` gives it.
#[derive(Clone, Debug)]
pub struct Prediction {
    pub target: String,
    pub observed: f64,
    /// √(observation variance + discrepancy variance): the unit of the predictive chart.
    pub scale: f64,
    pub q05: f64,
    pub q25: f64,
    pub q50: f64,
    pub q75: f64,
    pub q95: f64,
}

/// One target of the prediction as `prediction.csv` gives it.
#[derive(Clone, Debug)]
pub struct PredictionTarget {
    pub target: String,
    /// The `summary.csv` column it compares with.
    pub column: String,
    pub observed: f64,
    pub sd: f64,
    pub q025: f64,
    pub q50: f64,
    pub q975: f64,
    pub hit: bool,
    /// First and last week of the measurement window.
    pub window: (f64, f64),
}

/// The prediction of a second scenario: `prediction.csv` and `prediction_timeseries.csv`.
#[derive(Clone, Debug)]
pub struct PredictionData {
    pub targets: Vec<PredictionTarget>,
    pub weeks: Vec<f64>,
    /// Per weekly column: its name and, per week, its 5/25/50/75/95% quantiles.
    pub series: Vec<(String, Vec<[f64; 5]>)>,
}

/// The suffixes of `prediction_timeseries.csv`'s quantile columns.
const SERIES_SUFFIXES: [&str; 5] = ["_q05", "_q25", "_q50", "_q75", "_q95"];

impl PredictionData {
    fn read(dir: &Path) -> Result<Option<PredictionData>, ChartError> {
        if !dir.join("prediction.csv").is_file() {
            return Ok(None);
        }
        let pred = Table::read(&dir.join("prediction.csv"))?;
        let c: Vec<usize> = [
            "target",
            "quantity",
            "observed",
            "observed_sd",
            "q025",
            "q50",
            "q975",
            "hit_95",
            "window_first",
            "window_last",
        ]
        .iter()
        .map(|c| pred.column(c))
        .collect::<Result<_, _>>()?;
        let mut targets = Vec::new();
        for r in 0..pred.records.len() {
            let quantity = pred.text(r, c[1]);
            targets.push(PredictionTarget {
                target: pred.text(r, c[0]).to_string(),
                column: quantity
                    .strip_prefix("summary.csv:")
                    .unwrap_or(quantity)
                    .to_string(),
                // A forecast's target may have no observed value yet.
                observed: number_or_nan(&pred, r, c[2]),
                sd: pred.number(r, c[3])?,
                q025: number_or_nan(&pred, r, c[4]),
                q50: number_or_nan(&pred, r, c[5]),
                q975: number_or_nan(&pred, r, c[6]),
                hit: pred.text(r, c[7]) == "true",
                window: (pred.number(r, c[8])?, pred.number(r, c[9])?),
            });
        }
        let ts = Table::read(&dir.join("prediction_timeseries.csv"))?;
        let tick = ts.column("tick")?;
        let weeks = (0..ts.records.len())
            .map(|r| ts.number(r, tick))
            .collect::<Result<Vec<f64>, _>>()?;
        let mut series = Vec::new();
        for name in ts.header.iter().filter_map(|h| h.strip_suffix("_q05")) {
            let cols: Vec<usize> = SERIES_SUFFIXES
                .iter()
                .map(|s| ts.column(&format!("{name}{s}")))
                .collect::<Result<_, _>>()?;
            let rows = (0..ts.records.len())
                .map(|r| std::array::from_fn(|k| number_or_nan(&ts, r, cols[k])))
                .collect();
            series.push((name.to_string(), rows));
        }
        Ok(Some(PredictionData {
            targets,
            weeks,
            series,
        }))
    }
}

/// A calibration directory read back.
#[derive(Clone, Debug)]
pub struct CalibrationData {
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
    pub manifest: String,
    pub cogov_version: String,
    pub estimates: Vec<Estimate>,
    /// Posterior particles: weight and parameter values.
    pub weights: Vec<f64>,
    pub particles: Vec<Vec<f64>>,
    pub predictions: Vec<Prediction>,
    /// generation, tolerance (NaN for generation 0), acceptance rate, ESS / population.
    pub generations: Vec<(f64, f64, f64, f64)>,
    /// The prediction of a second scenario, if the calibration made one.
    pub prediction: Option<PredictionData>,
}

fn number_or_nan(table: &Table, row: usize, col: usize) -> f64 {
    table.text(row, col).parse().unwrap_or(f64::NAN)
}

impl CalibrationData {
    pub(super) fn from_manifest(dir: &Path, m: files::Manifest) -> Result<Self, ChartError> {
        let source = m.manifest.experiment_source.clone().unwrap_or_default();
        let meta: toml::Table = toml::from_str(&source).unwrap_or_default();
        let field = |k: &str| {
            meta.get("calibration")
                .and_then(|c| c.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let est = Table::read(&dir.join("estimates.csv"))?;
        let cols: Vec<usize> = [
            "parameter",
            "prior",
            "prior_lo",
            "prior_hi",
            "mean",
            "sd",
            "q05",
            "q95",
            "contraction",
        ]
        .iter()
        .map(|c| est.column(c))
        .collect::<Result<_, _>>()?;
        let mut estimates = Vec::new();
        for r in 0..est.records.len() {
            estimates.push(Estimate {
                key: est.text(r, cols[0]).to_string(),
                log_uniform: est.text(r, cols[1]) == "log-uniform",
                lo: est.number(r, cols[2])?,
                hi: est.number(r, cols[3])?,
                mean: number_or_nan(&est, r, cols[4]),
                sd: number_or_nan(&est, r, cols[5]),
                q05: number_or_nan(&est, r, cols[6]),
                q95: number_or_nan(&est, r, cols[7]),
                contraction: number_or_nan(&est, r, cols[8]),
            });
        }
        let post = Table::read(&dir.join("posterior.csv"))?;
        let w = post.column("weight")?;
        let pcols: Vec<usize> = estimates
            .iter()
            .map(|e| post.column(&e.key))
            .collect::<Result<_, _>>()?;
        let mut weights = Vec::new();
        let mut particles = Vec::new();
        for r in 0..post.records.len() {
            weights.push(post.number(r, w)?);
            particles.push(
                pcols
                    .iter()
                    .map(|c| post.number(r, *c))
                    .collect::<Result<Vec<f64>, _>>()?,
            );
        }
        let pred = Table::read(&dir.join("predictive.csv"))?;
        let c: Vec<usize> = [
            "target",
            "observed",
            "observed_sd",
            "discrepancy_sd",
            "q05",
            "q25",
            "q50",
            "q75",
            "q95",
        ]
        .iter()
        .map(|c| pred.column(c))
        .collect::<Result<_, _>>()?;
        let mut predictions = Vec::new();
        for r in 0..pred.records.len() {
            let (sd, disc) = (pred.number(r, c[2])?, pred.number(r, c[3])?);
            predictions.push(Prediction {
                target: pred.text(r, c[0]).to_string(),
                observed: pred.number(r, c[1])?,
                scale: (sd * sd + disc * disc).sqrt(),
                q05: number_or_nan(&pred, r, c[4]),
                q25: number_or_nan(&pred, r, c[5]),
                q50: number_or_nan(&pred, r, c[6]),
                q75: number_or_nan(&pred, r, c[7]),
                q95: number_or_nan(&pred, r, c[8]),
            });
        }
        let gens = Table::read(&dir.join("generations.csv"))?;
        let g: Vec<usize> = [
            "generation",
            "tolerance",
            "acceptance_rate",
            "ess",
            "population",
        ]
        .iter()
        .map(|c| gens.column(c))
        .collect::<Result<_, _>>()?;
        let mut generations = Vec::new();
        for r in 0..gens.records.len() {
            generations.push((
                gens.number(r, g[0])?,
                number_or_nan(&gens, r, g[1]),
                gens.number(r, g[2])?,
                gens.number(r, g[3])? / gens.number(r, g[4])?.max(1.0),
            ));
        }
        Ok(CalibrationData {
            name: field("name"),
            title_en: field("title_en"),
            title_zh: field("title_zh"),
            manifest: m.text,
            cogov_version: m.cogov_version,
            estimates,
            weights,
            particles,
            predictions,
            generations,
            prediction: PredictionData::read(dir)?,
        })
    }

    pub fn title(&self, lang: Lang) -> String {
        t::either(lang, &self.title_en, &self.title_zh, &self.name).to_string()
    }
}

/// A parameter's name in `lang`: its Chinese short name in Chinese charts.
fn parameter_name(key: &str, lang: Lang) -> String {
    match lang {
        Lang::En => key.to_string(),
        Lang::Zh => super::names::param_name(key, lang),
    }
}

/// Prior density against the posterior's weighted histogram, one panel per parameter.
fn marginals(data: &CalibrationData, lang: Lang) -> Figure {
    const BINS: usize = 24;
    let panels = data
        .estimates
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let width = (e.hi - e.lo) / BINS as f64;
            let mut mass = vec![0.0; BINS];
            for (p, w) in data.particles.iter().zip(&data.weights) {
                let b = (((p[k] - e.lo) / width) as usize).min(BINS - 1);
                mass[b] += w;
            }
            let bars: Vec<(f64, f64)> = mass
                .iter()
                .enumerate()
                .map(|(b, m)| (e.lo + (b as f64 + 0.5) * width, m / width))
                .collect();
            let prior: Vec<(f64, f64)> = (0..=100)
                .map(|i| {
                    let x = e.lo + (e.hi - e.lo) * i as f64 / 100.0;
                    let d = if e.log_uniform {
                        1.0 / (x * (e.hi / e.lo).ln())
                    } else {
                        1.0 / (e.hi - e.lo)
                    };
                    (x, d)
                })
                .collect();
            Panel::Xy(XyPanel {
                title: parameter_name(&e.key, lang),
                x_label: t::C_VALUE.get(lang).to_string(),
                y_label: t::C_DENSITY.get(lang).to_string(),
                x_range: Some((e.lo, e.hi)),
                y_zero: true,
                series: vec![
                    Series {
                        label: t::C_POSTERIOR.get(lang).to_string(),
                        colour: style::BLUE,
                        kind: SeriesKind::Bars {
                            points: bars,
                            width: width * 0.9,
                        },
                    },
                    Series {
                        label: t::C_PRIOR.get(lang).to_string(),
                        colour: style::VERMILLION,
                        kind: SeriesKind::Line {
                            points: prior,
                            dashed: true,
                        },
                    },
                ],
                ..XyPanel::default()
            })
        })
        .collect();
    let mut fig = Figure::new(
        "calibration_marginals",
        t::C_MARGINALS.get(lang),
        &data.title(lang),
        panels,
    );
    fig.notes.push(t::C_MARGINALS_NOTE.get(lang).to_string());
    fig
}

/// The posterior's particles for every pair of parameters (at most six pairs).
fn pairs(data: &CalibrationData, lang: Lang) -> Option<Figure> {
    let d = data.estimates.len();
    let pairs: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .take(6)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let panels = pairs
        .into_iter()
        .map(|(i, j)| {
            let (a, b) = (&data.estimates[i], &data.estimates[j]);
            Panel::Xy(XyPanel {
                x_label: parameter_name(&a.key, lang),
                y_label: parameter_name(&b.key, lang),
                x_range: Some((a.lo, a.hi)),
                y_range: Some((b.lo, b.hi)),
                series: vec![Series {
                    label: t::C_POSTERIOR.get(lang).to_string(),
                    colour: style::BLUE,
                    kind: SeriesKind::Points {
                        points: data.particles.iter().map(|p| (p[i], p[j])).collect(),
                        labels: Vec::new(),
                    },
                }],
                ..XyPanel::default()
            })
        })
        .collect();
    Some(Figure::new(
        "calibration_pairs",
        t::C_PAIRS.get(lang),
        &data.title(lang),
        panels,
    ))
}

/// Each target's posterior predictive median and 90% interval, as distances from its
/// observation in units of the observation's total sd.
fn predictive(data: &CalibrationData, lang: Lang) -> Figure {
    let z = |p: &Prediction, x: f64| (x - p.observed) / p.scale;
    let rows = data
        .predictions
        .iter()
        .filter(|p| p.q50.is_finite())
        .map(|p| IntervalRow {
            label: p.target.clone(),
            value: z(p, p.q50),
            lower: z(p, p.q05),
            upper: z(p, p.q95),
        })
        .collect();
    against_observed(
        "calibration_predictive",
        [
            t::C_PREDICTIVE,
            t::C_PREDICTIVE_AXIS,
            t::C_PREDICTIVE_90,
            t::C_PREDICTIVE_NOTE,
        ],
        rows,
        data,
        lang,
    )
}

/// Predicted intervals against the observations (at 0, in units of each one's sd), one row
/// per target: `words` are the title, axis, legend and note.
fn against_observed(
    id: &str,
    words: [t::L; 4],
    rows: Vec<IntervalRow>,
    data: &CalibrationData,
    lang: Lang,
) -> Figure {
    let [title, axis, legend, note] = words;
    let mut fig = Figure::new(
        id,
        title.get(lang),
        &data.title(lang),
        vec![Panel::Intervals(IntervalPanel {
            title: String::new(),
            x_label: axis.get(lang).to_string(),
            rows,
            reference: Some((0.0, t::C_OBSERVED.get(lang).to_string())),
            colour: style::BLUE,
            legend: vec![LegendEntry {
                label: legend.get(lang).to_string(),
                colour: style::BLUE,
                swatch: Swatch::Interval,
            }],
        })],
    );
    fig.notes.push(note.get(lang).to_string());
    fig
}

/// The tolerance of each generation, and its acceptance rate and ESS share.
fn tolerance(data: &CalibrationData, lang: Lang) -> Figure {
    let eps: Vec<(f64, f64)> = data
        .generations
        .iter()
        .filter(|g| g.1.is_finite())
        .map(|g| (g.0, g.1))
        .collect();
    let rates = |f: fn(&(f64, f64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
        data.generations.iter().map(|g| (g.0, f(g))).collect()
    };
    let panels = vec![
        Panel::Xy(XyPanel {
            title: t::C_TOLERANCE.get(lang).to_string(),
            x_label: t::C_GENERATION.get(lang).to_string(),
            y_label: t::C_TOLERANCE.get(lang).to_string(),
            x_integer: true,
            y_zero: true,
            y_range: Some(fit_range(eps.iter().map(|p| p.1), true)),
            series: vec![Series {
                label: t::C_TOLERANCE.get(lang).to_string(),
                colour: style::BLUE,
                kind: SeriesKind::Line {
                    points: eps,
                    dashed: false,
                },
            }],
            ..XyPanel::default()
        }),
        Panel::Xy(XyPanel {
            title: t::C_EFFICIENCY.get(lang).to_string(),
            x_label: t::C_GENERATION.get(lang).to_string(),
            y_label: t::C_SHARE.get(lang).to_string(),
            x_integer: true,
            y_range: Some((0.0, 1.05)),
            series: vec![
                Series {
                    label: t::C_ACCEPTANCE.get(lang).to_string(),
                    colour: style::VERMILLION,
                    kind: SeriesKind::Line {
                        points: rates(|g| g.2),
                        dashed: false,
                    },
                },
                Series {
                    label: t::C_ESS.get(lang).to_string(),
                    colour: style::BLUISH_GREEN,
                    kind: SeriesKind::Line {
                        points: rates(|g| g.3),
                        dashed: true,
                    },
                },
            ],
            ..XyPanel::default()
        }),
    ];
    Figure::new(
        "calibration_tolerance",
        t::C_SCHEDULE.get(lang),
        &data.title(lang),
        panels,
    )
}

/// A prediction target's label: its name and whether it was a hit.
fn hit_label(p: &PredictionTarget, lang: Lang) -> String {
    let verdict = if p.hit { t::C_HIT } else { t::C_MISS };
    format!("{} ({})", p.target, verdict.get(lang))
}

/// Each prediction target's predictive median and 95% interval, as distances from its
/// observation in units of the observation's sd, labelled hit or miss.
fn prediction_check(pred: &PredictionData, data: &CalibrationData, lang: Lang) -> Figure {
    let z = |p: &PredictionTarget, x: f64| (x - p.observed) / p.sd;
    let rows = pred
        .targets
        .iter()
        .filter(|p| p.q50.is_finite() && p.observed.is_finite())
        .map(|p| IntervalRow {
            label: hit_label(p, lang),
            value: z(p, p.q50),
            lower: z(p, p.q025),
            upper: z(p, p.q975),
        })
        .collect();
    against_observed(
        "calibration_prediction",
        [
            t::C_PREDICTION,
            t::C_PREDICTION_AXIS,
            t::C_PREDICTION_95,
            t::C_PREDICTION_NOTE,
        ],
        rows,
        data,
        lang,
    )
}

/// The predictive band of each weekly column over the weeks, with the observed prediction
/// targets of that quantity (a summary column named after it) as points.
fn prediction_series(pred: &PredictionData, data: &CalibrationData, lang: Lang) -> Option<Figure> {
    if pred.weeks.is_empty() || pred.series.is_empty() {
        return None;
    }
    let mut columns = crate::output::records::timeseries_columns();
    columns.push(crate::output::records::hotline_weekly_column());
    let panels = pred
        .series
        .iter()
        .map(|(name, rows)| {
            // Weeks with a value only (the hotline's last weeks have no return visit yet).
            let weeks: Vec<usize> = (0..rows.len())
                .filter(|w| rows[*w].iter().all(|x| x.is_finite()))
                .collect();
            let x: Vec<f64> = weeks.iter().map(|w| pred.weeks[*w]).collect();
            let q = |k: usize| weeks.iter().map(|w| rows[*w][k]).collect::<Vec<f64>>();
            let title = columns
                .iter()
                .find(|c| &c.name == name)
                .map_or(name.clone(), |c| lang.pick(&c.en, &c.zh).to_string());
            let band = |label: t::L, lo: usize, hi: usize, opacity: f64| Series {
                label: label.get(lang).to_string(),
                colour: style::BLUE,
                kind: SeriesKind::Area {
                    x: x.clone(),
                    lower: q(lo),
                    upper: q(hi),
                    opacity,
                },
            };
            let mut series = vec![
                band(t::C_BAND_90, 0, 4, 0.18),
                band(t::C_BAND_50, 1, 3, 0.35),
                Series {
                    label: t::C_MEDIAN_DRAWS.get(lang).to_string(),
                    colour: style::BLUE,
                    kind: SeriesKind::Line {
                        points: x.iter().copied().zip(q(2)).collect(),
                        dashed: false,
                    },
                },
            ];
            let observed: Vec<&PredictionTarget> = pred
                .targets
                .iter()
                .filter(|p| {
                    p.observed.is_finite() && p.column.starts_with(name.trim_end_matches("_weekly"))
                })
                .collect();
            if !observed.is_empty() {
                series.push(Series {
                    label: t::C_OBSERVED.get(lang).to_string(),
                    colour: style::VERMILLION,
                    kind: SeriesKind::Points {
                        points: observed
                            .iter()
                            .map(|p| ((p.window.0 + p.window.1) / 2.0, p.observed))
                            .collect(),
                        labels: observed.iter().map(|p| hit_label(p, lang)).collect(),
                    },
                });
            }
            Panel::Xy(XyPanel {
                title,
                x_label: t::WEEK.get(lang).to_string(),
                y_label: String::new(),
                x_integer: true,
                series,
                ..XyPanel::default()
            })
        })
        .collect();
    let mut fig = Figure::new(
        "calibration_prediction_series",
        t::C_PREDICTION_SERIES.get(lang),
        &data.title(lang),
        panels,
    );
    fig.notes
        .push(t::C_PREDICTION_SERIES_NOTE.get(lang).to_string());
    Some(fig)
}

/// Every chart of a calibration directory, in `lang`.
pub fn calibration_figures(data: &CalibrationData, lang: Lang) -> Vec<Figure> {
    let mut figs = vec![marginals(data, lang)];
    figs.extend(pairs(data, lang));
    figs.push(predictive(data, lang));
    figs.push(tolerance(data, lang));
    if let Some(pred) = &data.prediction {
        figs.push(prediction_check(pred, data, lang));
        figs.extend(prediction_series(pred, data, lang));
    }
    figs
}

/// The results section of a calibration's report: the estimates and the predictive check.
pub fn results_html(data: &CalibrationData, lang: Lang) -> String {
    let l = |x: t::L| x.get(lang);
    let esc = super::report::esc;
    let mut b = String::new();
    let _ = write!(
        b,
        "<section id=\"results\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l(t::C_ESTIMATES),
        l(t::C_PARAMETER),
        l(t::C_PRIOR),
        l(t::C_MEAN),
        l(t::C_SD),
        l(t::C_INTERVAL_90),
        l(t::C_CONTRACTION)
    );
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.4}")
        } else {
            "—".into()
        }
    };
    for e in &data.estimates {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{} [{}, {}]</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
            esc(&parameter_name(&e.key, lang)),
            if e.log_uniform { "log-uniform" } else { "uniform" },
            num(e.lo),
            num(e.hi),
            num(e.mean),
            num(e.sd),
            num(e.q05),
            num(e.q95),
            if e.contraction.is_finite() { format!("{:.2}", e.contraction) } else { "—".into() }
        );
    }
    let _ = write!(
        b,
        "</tbody></table><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l(t::C_TARGET),
        l(t::C_OBSERVED),
        l(t::C_MEDIAN),
        l(t::C_PREDICTIVE_90)
    );
    for p in &data.predictions {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td></tr>",
            esc(&p.target),
            num(p.observed),
            num(p.q50),
            num(p.q05),
            num(p.q95)
        );
    }
    let _ = write!(
        b,
        "</tbody></table><p>{}</p>",
        esc(l(t::C_CONTRACTION_NOTE))
    );
    if let Some(pred) = &data.prediction {
        let _ = write!(
            b,
            "<h3>{}</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
            l(t::C_PREDICTION),
            l(t::C_TARGET),
            l(t::C_OBSERVED),
            l(t::C_MEDIAN),
            l(t::C_INTERVAL_95),
        );
        for p in &pred.targets {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{} ± {}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
                esc(&p.target),
                num(p.observed),
                num(p.sd),
                num(p.q50),
                num(p.q025),
                num(p.q975),
                l(if p.hit { t::C_HIT } else { t::C_MISS })
            );
        }
        let _ = write!(b, "</tbody></table><p>{}</p>", esc(l(t::C_PREDICTION_NOTE)));
    }
    b.push_str("</section>\n");
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two parameters give four charts, the pairwise one with one panel; one parameter has no
    /// pairwise chart.
    #[test]
    fn a_calibration_of_two_parameters_has_a_pairwise_chart() {
        let estimate = |key: &str| Estimate {
            key: key.into(),
            log_uniform: key.ends_with('b'),
            lo: 0.1,
            hi: 1.0,
            mean: 0.5,
            sd: 0.1,
            q05: 0.3,
            q95: 0.7,
            contraction: 0.8,
        };
        let mut data = CalibrationData {
            name: "t".into(),
            title_en: String::new(),
            title_zh: String::new(),
            manifest: "{}".into(),
            cogov_version: "0".into(),
            estimates: vec![estimate("x.a"), estimate("x.b")],
            weights: vec![0.5, 0.25, 0.25],
            particles: vec![vec![0.4, 0.5], vec![0.6, 0.2], vec![1.0, 0.1]],
            predictions: vec![Prediction {
                target: "y".into(),
                observed: 0.5,
                scale: 0.1,
                q05: 0.3,
                q25: 0.4,
                q50: 0.5,
                q75: 0.6,
                q95: 0.7,
            }],
            generations: vec![(0.0, f64::NAN, 1.0, 1.0), (1.0, 0.5, 0.4, 0.9)],
            prediction: None,
        };
        let ids = |d: &CalibrationData| -> Vec<String> {
            calibration_figures(d, Lang::Zh)
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(
            ids(&data),
            [
                "calibration_marginals",
                "calibration_pairs",
                "calibration_predictive",
                "calibration_tolerance"
            ]
        );
        let pairs = pairs(&data, Lang::En).unwrap();
        assert_eq!(pairs.panels.len(), 1);
        // The posterior's weighted histogram integrates to 1 over the prior's range.
        let fig = marginals(&data, Lang::En);
        let Panel::Xy(p) = &fig.panels[0] else {
            panic!("a marginal is an x-y panel");
        };
        let SeriesKind::Bars { points, .. } = &p.series[0].kind else {
            panic!("the posterior is drawn as bars");
        };
        let width = 0.9 / 24.0;
        let total: f64 = points.iter().map(|(_, d)| d * width).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        data.estimates.pop();
        data.particles.iter_mut().for_each(|p| {
            p.pop();
        });
        assert_eq!(ids(&data).len(), 3);
        assert!(results_html(&data, Lang::Zh).contains("收缩度"));
    }

    /// Every fixed word of the calibration charts is in the embedded font.
    #[test]
    fn calibration_labels_are_in_the_font() {
        let words: String = [
            t::C_VALUE,
            t::C_DENSITY,
            t::C_POSTERIOR,
            t::C_PRIOR,
            t::C_MARGINALS,
            t::C_MARGINALS_NOTE,
            t::C_PAIRS,
            t::C_PREDICTIVE,
            t::C_PREDICTIVE_AXIS,
            t::C_PREDICTIVE_90,
            t::C_PREDICTIVE_NOTE,
            t::C_OBSERVED,
            t::C_TOLERANCE,
            t::C_GENERATION,
            t::C_EFFICIENCY,
            t::C_SHARE,
            t::C_ACCEPTANCE,
            t::C_ESS,
            t::C_SCHEDULE,
            t::C_ESTIMATES,
            t::C_PARAMETER,
            t::C_MEAN,
            t::C_SD,
            t::C_INTERVAL_90,
            t::C_CONTRACTION,
            t::C_TARGET,
            t::C_MEDIAN,
            t::C_CONTRACTION_NOTE,
            t::R_CALIBRATION,
            t::C_PREDICTION,
            t::C_PREDICTION_AXIS,
            t::C_PREDICTION_95,
            t::C_PREDICTION_NOTE,
            t::C_PREDICTION_SERIES,
            t::C_PREDICTION_SERIES_NOTE,
            t::C_BAND_50,
            t::C_BAND_90,
            t::C_MEDIAN_DRAWS,
            t::C_HIT,
            t::C_MISS,
            t::C_INTERVAL_95,
        ]
        .iter()
        .map(|l| l.zh)
        .collect();
        assert_eq!(super::super::font::missing(&words), Vec::<char>::new());
    }
}
