//! The charts of a sweep, drawn from its directory — `points.csv` (mean and 95% interval of
//! every metric at every design point), `morris.csv`, and the experiment carried in
//! `manifest.json` — so `cogov plot` can redraw any sweep and every picture can be rebuilt
//! from the files. The experiment is loaded by `experiment::sweep::experiment_from_manifest`,
//! the loader `cogov merge` uses, so its design points are the ones the sweep ran.
//!
//! Which charts a design gets, for each key metric (`KEY_METRICS`):
//! - grid, one factor: the metric against the factor with its 95% band (`<metric>_by_<factor>`);
//! - grid, two or more factors: a heatmap over the first two factors (`<metric>_heatmap`, x the
//!   first, y the second) and the metric against the first factor with one curve per value of
//!   the second (`<metric>_by_<factor>`). Further factors are averaged over — every
//!   combination weighs the same — and the subtitle says so;
//! - packages: the packages side by side with their intervals, the package with no settings
//!   as the baseline line (`<metric>_packages`);
//! - Latin hypercube: the point means against each varied parameter, one panel each
//!   (`<metric>_lhs`), as dots without lines, since neighbouring points differ in every
//!   parameter;
//! - Morris: μ* against σ of every lever (`<metric>_morris`), from `morris.csv`;
//! - Sobol: S1 and ST of every parameter with their intervals (`<metric>_sobol`), from
//!   `sobol.csv`; a key metric that did not vary (empty cells) gets no chart.
//!
//! Left out on purpose: the other metrics of `points.csv` (they are in the file and in
//! `cogov compare`), and points none of whose runs succeeded (n = 0: they have no estimate).
//! Where points are averaged over further factors, the 95% half-widths are combined as for
//! independent means, √(Σ hᵢ²)/k; under common random numbers the points are positively
//! correlated and this understates the interval a little.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::figure::Figure;
use super::files::{input, read_csv, Manifest, Table};
use super::labels::{self as t, Lang, L};
use super::names::{param_name, value_words};
use super::sweep::{self as chart, Axes, Curve, Estimate, MorrisPoint, Sampled, SobolBar};
use super::ChartError;
use crate::experiment::design::{Design, Point, Range};
use crate::experiment::stats::Moments;
use crate::experiment::sweep::{experiment_from_manifest, SOBOL_COLUMNS};
use crate::experiment::Experiment;
use crate::model::params::{spec_of, ParamKind, ParamValue};
use crate::output::format_value;
use crate::output::records::{summary, summary_columns, ts};

/// A mean with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub mean: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One row of `points.csv`.
#[derive(Clone, Debug)]
pub struct PointResult {
    /// Successful runs: the replications in the means.
    pub n: u64,
    pub failed: u64,
    /// Every metric of the file (`<metric>_mean`, `_ci95_lo`, `_ci95_hi`), by column name.
    pub metrics: BTreeMap<String, Interval>,
}

/// One row of `morris.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisRow {
    pub lever: String,
    pub metric: String,
    pub mu_star: f64,
    pub mu: f64,
    pub sigma: f64,
}

/// One row of `sobol.csv`: (value, lower, upper) of each index, `None` for a metric that did
/// not vary.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolRow {
    pub parameter: String,
    pub metric: String,
    pub s1: Option<[f64; 3]>,
    pub st: Option<[f64; 3]>,
    pub noise_share: Option<f64>,
}

/// A sweep directory read back.
#[derive(Clone, Debug)]
pub struct SweepData {
    pub dir: PathBuf,
    pub experiment: Experiment,
    /// `manifest.json` as written.
    pub manifest: String,
    pub cogov_version: String,
    /// One per design point, in design order (`experiment.points`).
    pub points: Vec<PointResult>,
    /// `morris.csv` (Morris designs only; empty otherwise).
    pub morris: Vec<MorrisRow>,
    /// `sobol.csv` (Sobol designs only; empty otherwise).
    pub sobol: Vec<SobolRow>,
    /// Week by week, across replications, from `timeseries/` (`weekly_series`): for each of
    /// `WEEKLY` in order, each design point's mean and 95% interval per week. Empty unless the
    /// experiment wrote time series and has at most `WEEKLY_POINTS` package or grid points.
    pub weekly: Vec<Vec<Vec<Interval>>>,
}

/// Time-series columns drawn week by week across replications: the column, its name, its axis.
pub const WEEKLY: [(&str, L, L); 4] = [
    (ts::RESOLVED, t::S_RESOLVED, t::Y_ISSUES_PER_WEEK),
    (ts::BACKLOG, t::BACKLOG_PANEL, t::Y_OPEN_ISSUES),
    (ts::RESIDENT_TRUST, t::S_RESIDENT_TRUST, t::Y_MEAN_LEVEL),
    (ts::ORG_TRUST, t::S_ORG_TRUST, t::Y_MEAN_LEVEL),
];

/// Most design points whose weekly series share one chart (one colour each).
pub const WEEKLY_POINTS: usize = 8;

/// Mean and 95% interval per week of each `WEEKLY` column over `runs`, each run the rows of
/// its time series with the columns named by `header`, over the weeks every run has (one
/// `Vec` per `WEEKLY` column, empty when there is no run).
pub fn weekly_intervals<'a>(
    header: &[String],
    runs: impl IntoIterator<Item = &'a [Vec<f64>]>,
) -> Result<Vec<Vec<Interval>>, String> {
    let columns = WEEKLY
        .iter()
        .map(|(c, _, _)| {
            header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| format!("no column {c}"))
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let mut moments: Vec<Vec<Moments>> = vec![Vec::new(); WEEKLY.len()];
    for (r, rows) in runs.into_iter().enumerate() {
        for (m, &c) in moments.iter_mut().zip(&columns) {
            if r == 0 {
                m.resize(rows.len(), Moments::default());
            }
            m.truncate(rows.len());
            for (mom, row) in m.iter_mut().zip(rows) {
                mom.push(row.get(c).copied().unwrap_or(f64::NAN));
            }
        }
    }
    Ok(moments
        .iter()
        .map(|m| {
            m.iter()
                .map(|m| {
                    let h = m.ci95_half_width();
                    Interval {
                        mean: m.mean(),
                        lower: m.mean() - h,
                        upper: m.mean() + h,
                    }
                })
                .collect()
        })
        .collect())
}

/// `weekly_intervals` of each design point, from the runs' `timeseries/run-NNNNNN.csv` (failed
/// runs have none and are left out), by `WEEKLY` column and then point.
fn weekly_series(dir: &Path, exp: &Experiment) -> Result<Vec<Vec<Vec<Interval>>>, ChartError> {
    let wanted = exp.timeseries
        && matches!(exp.design, Design::Grid(_) | Design::Packages(_))
        && exp.points.len() <= WEEKLY_POINTS;
    if !wanted {
        return Ok(Vec::new());
    }
    let reps = exp.replications as usize;
    let mut out = vec![Vec::with_capacity(exp.points.len()); WEEKLY.len()];
    for p in 0..exp.points.len() {
        let mut header = Vec::new();
        let mut runs = Vec::new();
        for r in 0..reps {
            let path = dir.join(format!("timeseries/run-{:06}.csv", p * reps + r));
            if path.exists() {
                let (h, rows) = read_csv(&path)?;
                header = h;
                runs.push(rows);
            }
        }
        let weekly = weekly_intervals(&header, runs.iter().map(Vec::as_slice))
            .map_err(|e| input(&dir.join("timeseries"), e))?;
        for (column, weeks) in out.iter_mut().zip(weekly) {
            column.push(weeks);
        }
    }
    Ok(out)
}

/// A headline metric of sweep charts and reports: a `summary.csv` column, the unit it must
/// have in `output::records`, a short name for titles and an axis label with its unit.
#[derive(Clone, Copy, Debug)]
pub struct KeyMetric {
    pub column: &'static str,
    pub unit: &'static str,
    pub name: L,
    pub axis: L,
}

const fn key(column: &'static str, unit: &'static str, name: L, axis: L) -> KeyMetric {
    KeyMetric {
        column,
        unit,
        name,
        axis,
    }
}

/// The metrics sweep charts show: resolution, the three Fengqiao indicators with skip-level
/// petitions beside them, trust, satisfaction, major risks and cost.
pub const KEY_METRICS: [KeyMetric; 10] = [
    key(
        summary::RESOLUTION_RATE,
        "share",
        t::K_RESOLUTION,
        t::A_RESOLUTION,
    ),
    key(
        summary::FENGQIAO_VILLAGE,
        "share",
        t::K_VILLAGE,
        t::A_VILLAGE,
    ),
    key(summary::FENGQIAO_TOWN, "share", t::K_TOWN, t::A_TOWN),
    key(
        summary::FENGQIAO_NO_UPWARD,
        "share",
        t::K_NO_UPWARD,
        t::A_NO_UPWARD,
    ),
    // Beside 矛盾不出区县: whether conflicts are passed upward shows in skip-level petitions.
    key(
        summary::PETITIONS_TOTAL,
        "occurrences",
        t::K_PETITIONS,
        t::A_PETITIONS,
    ),
    key(
        summary::RESIDENT_TRUST_FINAL,
        "0..1",
        t::K_RESIDENT_TRUST,
        t::A_RESIDENT_TRUST,
    ),
    key(
        summary::ORG_TRUST_FINAL,
        "0..1",
        t::K_ORG_TRUST,
        t::A_ORG_TRUST,
    ),
    key(
        summary::SATISFACTION_MEAN,
        "0..1",
        t::K_SATISFACTION,
        t::A_SATISFACTION,
    ),
    key(summary::MAJOR_RISKS_TOTAL, "events", t::RISKS, t::A_RISKS),
    key(summary::COST_TOTAL, "effort units", t::K_COST, t::A_COST),
];

/// Refuses key metrics whose unit in `output::records` is not the one their labels state.
fn check_units() -> Result<(), ChartError> {
    let columns = summary_columns();
    for k in &KEY_METRICS {
        match columns.iter().find(|c| c.name == k.column) {
            Some(c) if c.unit == k.unit => {}
            Some(c) => {
                return Err(ChartError::Data(format!(
                    "chart expects {} in {}, but output::records says {}",
                    k.column, k.unit, c.unit
                )))
            }
            None => {
                return Err(ChartError::Data(format!(
                    "chart uses unknown summary column {}",
                    k.column
                )))
            }
        }
    }
    Ok(())
}

impl SweepData {
    /// Reads a complete, unsharded sweep directory written by `cogov sweep` or `cogov merge`.
    pub fn read(dir: &Path) -> Result<SweepData, ChartError> {
        SweepData::from_manifest(dir, Manifest::read(dir)?)
    }

    pub(super) fn from_manifest(dir: &Path, m: Manifest) -> Result<SweepData, ChartError> {
        if m.kind != "sweep" {
            return Err(m.unknown_kind());
        }
        let shard = m
            .manifest
            .shard
            .unwrap_or(crate::output::manifest::ShardRecord { count: 1, index: 0 });
        let shards = shard.count;
        if shards > 1 {
            return Err(input(
                dir,
                format!(
                    "is shard {}/{shards} of a sweep; merge the shards with `cogov merge` and use the merged directory",
                    shard.index
                ),
            ));
        }
        if m.manifest.complete != Some(true) {
            return Err(input(
                dir,
                "the sweep is not complete (its manifest says \"complete\": false); finish it with `cogov sweep EXPERIMENT --out DIR --resume`",
            ));
        }
        let experiment = experiment_from_manifest(&m.manifest, &m.path.display().to_string())
            .map_err(|e| ChartError::Experiment(e.to_string()))?;
        SweepData::load(dir, experiment, m.text, m.cogov_version)
    }

    /// Reads the results of `experiment` in `dir`: `points.csv`, and `morris.csv` for a
    /// Morris design. `cogov sweep` calls this before it marks the sweep complete.
    pub fn load(
        dir: &Path,
        experiment: Experiment,
        manifest: String,
        cogov_version: String,
    ) -> Result<SweepData, ChartError> {
        let table = Table::read(&dir.join("points.csv"))?;
        let path = table.path.clone();
        let (c_point, c_n, c_failed) = (
            table.column("point")?,
            table.column("n")?,
            table.column("failed")?,
        );
        for k in &KEY_METRICS {
            table.column(&format!("{}_mean", k.column))?;
        }
        if table.records.len() != experiment.points.len() {
            return Err(input(
                &path,
                format!(
                    "expected {} design points, one a row, found {}; is the file truncated?",
                    experiment.points.len(),
                    table.records.len()
                ),
            ));
        }
        let metric_columns = table
            .header
            .iter()
            .filter_map(|h| h.strip_suffix("_mean"))
            .map(|m| {
                Ok((
                    m.to_string(),
                    [
                        table.column(&format!("{m}_mean"))?,
                        table.column(&format!("{m}_ci95_lo"))?,
                        table.column(&format!("{m}_ci95_hi"))?,
                    ],
                ))
            })
            .collect::<Result<Vec<_>, ChartError>>()?;
        let mut points = Vec::with_capacity(experiment.points.len());
        for (row, p) in experiment.points.iter().enumerate() {
            let at_line = |message: String| input(&path, format!("line {}: {message}", row + 2));
            let count = |col: usize| -> Result<u64, ChartError> {
                let x = table.number(row, col)?;
                if x < 0.0 || x.fract() != 0.0 {
                    return Err(at_line(format!(
                        "column {}: expected a whole number, got {x}",
                        table.header[col]
                    )));
                }
                Ok(x as u64)
            };
            if count(c_point)? != u64::from(p.id) {
                return Err(at_line(format!(
                    "expected design point {}, got {}",
                    p.id,
                    table.text(row, c_point)
                )));
            }
            let mut metrics = BTreeMap::new();
            for (name, [mean, lower, upper]) in &metric_columns {
                // A metric no run of the point produced (every run failed) has empty cells.
                if [mean, lower, upper]
                    .iter()
                    .all(|c| table.text(row, **c).is_empty())
                {
                    continue;
                }
                let iv = Interval {
                    mean: table.number(row, *mean)?,
                    lower: table.number(row, *lower)?,
                    upper: table.number(row, *upper)?,
                };
                if !(iv.lower <= iv.mean && iv.mean <= iv.upper) {
                    return Err(at_line(format!(
                        "{name}: expected ci95_lo <= mean <= ci95_hi"
                    )));
                }
                metrics.insert(name.clone(), iv);
            }
            points.push(PointResult {
                n: count(c_n)?,
                failed: count(c_failed)?,
                metrics,
            });
        }
        let morris = match &experiment.design {
            Design::Morris { ranges, .. } => read_morris(dir, ranges)?,
            _ => Vec::new(),
        };
        let sobol = match &experiment.design {
            Design::Sobol { ranges, .. } => read_sobol(dir, ranges)?,
            _ => Vec::new(),
        };
        let weekly = weekly_series(dir, &experiment)?;
        Ok(SweepData {
            dir: dir.to_path_buf(),
            experiment,
            manifest,
            cogov_version,
            points,
            morris,
            sobol,
            weekly,
        })
    }

    /// The experiment's title in `lang` (the other language, then the base scenario's, then
    /// the experiment's name, if it has none).
    pub fn title(&self, lang: Lang) -> String {
        let (e, b) = (&self.experiment, &self.experiment.base);
        let base = t::either(lang, &b.title_en, &b.title_zh, &e.name);
        t::either(lang, &e.title_en, &e.title_zh, base).to_string()
    }

    /// The experiment's description in `lang`, else the base scenario's ("" if neither has one).
    pub fn description(&self, lang: Lang) -> &str {
        let (e, b) = (&self.experiment, &self.experiment.base);
        let base = t::either(lang, &b.description_en, &b.description_zh, "");
        t::either(lang, &e.description_en, &e.description_zh, base)
    }

    /// The label of design point `i` in `lang`: a package's name (its `name_zh` in Chinese,
    /// when it has one), a grid point's settings in words (`权责清单a=1，媒体曝光=0.1`), a
    /// sampled point's number.
    pub fn point_label(&self, i: usize, lang: Lang) -> String {
        let exp = &self.experiment;
        let Some(p) = exp.points.get(i) else {
            return String::new();
        };
        match &exp.design {
            Design::Packages(ps) => ps.get(i).map_or_else(
                || p.label.clone(),
                |pk| t::either(lang, &pk.name, &pk.name_zh, &pk.name).to_string(),
            ),
            Design::Grid(_) => p
                .set
                .iter()
                .map(|(k, v)| format!("{}={}", param_name(k, lang), value_words(*v, lang)))
                .collect::<Vec<_>>()
                .join(lang.pick(" ", "，")),
            _ => p.label.clone(),
        }
    }

    /// `metric` at design point `i`, if any of its runs succeeded.
    pub fn estimate(&self, i: usize, metric: &str) -> Option<Interval> {
        let p = self.points.get(i)?;
        if p.n == 0 {
            return None;
        }
        p.metrics.get(metric).copied()
    }

    /// Every design point's label in `lang` (`point_label`), in point order.
    pub fn point_labels(&self, lang: Lang) -> Vec<String> {
        (0..self.experiment.points.len())
            .map(|i| self.point_label(i, lang))
            .collect()
    }

    /// `metric` at every design point but `skip` that has it, labelled with `labels[point]`.
    fn estimates<'a>(
        &self,
        labels: &'a [String],
        metric: &str,
        skip: Option<usize>,
    ) -> Vec<Estimate<'a>> {
        labels
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .filter_map(|(i, label)| {
                let iv = self.estimate(i, metric)?;
                Some(Estimate {
                    label,
                    mean: iv.mean,
                    lower: iv.lower,
                    upper: iv.upper,
                })
            })
            .collect()
    }

    /// The Morris statistics of `lever` on `metric`.
    pub fn morris_of(&self, lever: &str, metric: &str) -> Option<&MorrisRow> {
        self.morris
            .iter()
            .find(|r| r.lever == lever && r.metric == metric)
    }

    /// The Sobol' indices of `parameter` on `metric`.
    pub fn sobol_of(&self, parameter: &str, metric: &str) -> Option<&SobolRow> {
        self.sobol
            .iter()
            .find(|r| r.parameter == parameter && r.metric == metric)
    }

    /// The estimates of `metric` grouped by the coordinates `at` gives each point, averaged
    /// within a group, in increasing order of coordinates.
    fn grouped(&self, metric: &str, at: impl Fn(&Point) -> Vec<f64>) -> Vec<(Vec<f64>, Interval)> {
        let mut all: Vec<(Vec<f64>, Interval)> = self
            .experiment
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((at(p), self.estimate(i, metric)?)))
            .collect();
        all.sort_by(|a, b| by_coordinates(&a.0, &b.0));
        let mut out: Vec<(Vec<f64>, Vec<Interval>)> = Vec::new();
        for (at, iv) in all {
            match out.last_mut() {
                Some((last, group)) if *last == at => group.push(iv),
                _ => out.push((at, vec![iv])),
            }
        }
        out.into_iter()
            .map(|(at, group)| (at, average(&group)))
            .collect()
    }
}

/// Coordinates in lexicographic order.
fn by_coordinates(a: &[f64], b: &[f64]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Refuses a screening table (`morris.csv`, `sobol.csv`) that lacks the row of a varied
/// parameter and a key metric; `rows` gives each row's (parameter, metric).
fn check_screening_rows<'a>(
    table: &Table,
    ranges: &[Range],
    what: &str,
    rows: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Result<(), ChartError> {
    for r in ranges {
        for k in &KEY_METRICS {
            if !rows.clone().any(|(p, m)| p == r.key && m == k.column) {
                return Err(input(
                    &table.path,
                    format!(
                        "no row for {what} {} and metric {}; is the file truncated?",
                        r.key, k.column
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn read_sobol(dir: &Path, ranges: &[Range]) -> Result<Vec<SobolRow>, ChartError> {
    let table = Table::read(&dir.join("sobol.csv"))?;
    // Every column `cogov sweep` writes, in its order (parameter, metric, n, s1 … st_hi,
    // noise_share, replications_for_5pct_noise).
    let cols = SOBOL_COLUMNS
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    // Empty cells: the metric did not vary, so it has no indices.
    let optional = |i: usize, c: usize| -> Result<Option<f64>, ChartError> {
        if table.text(i, cols[c]).is_empty() {
            Ok(None)
        } else {
            table.number(i, cols[c]).map(Some)
        }
    };
    let triple = |i: usize, from: usize| -> Result<Option<[f64; 3]>, ChartError> {
        Ok(
            match [
                optional(i, from)?,
                optional(i, from + 1)?,
                optional(i, from + 2)?,
            ] {
                [Some(a), Some(b), Some(c)] => Some([a, b, c]),
                _ => None,
            },
        )
    };
    let rows = (0..table.records.len())
        .map(|i| {
            Ok(SobolRow {
                parameter: table.text(i, cols[0]).to_string(),
                metric: table.text(i, cols[1]).to_string(),
                s1: triple(i, 3)?,
                st: triple(i, 6)?,
                noise_share: optional(i, 9)?,
            })
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let keys = rows
        .iter()
        .map(|r| (r.parameter.as_str(), r.metric.as_str()));
    check_screening_rows(&table, ranges, "parameter", keys)?;
    Ok(rows)
}

fn read_morris(dir: &Path, ranges: &[Range]) -> Result<Vec<MorrisRow>, ChartError> {
    let table = Table::read(&dir.join("morris.csv"))?;
    let cols = ["lever", "metric", "mu_star", "mu", "sigma"]
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = (0..table.records.len())
        .map(|i| {
            Ok(MorrisRow {
                lever: table.text(i, cols[0]).to_string(),
                metric: table.text(i, cols[1]).to_string(),
                mu_star: table.number(i, cols[2])?,
                mu: table.number(i, cols[3])?,
                sigma: table.number(i, cols[4])?,
            })
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let keys = rows.iter().map(|r| (r.lever.as_str(), r.metric.as_str()));
    check_screening_rows(&table, ranges, "lever", keys)?;
    Ok(rows)
}

/// The mean of estimates with the half-widths combined as for independent means.
fn average(group: &[Interval]) -> Interval {
    if let [one] = group {
        return *one;
    }
    let k = group.len() as f64;
    let mean = group.iter().map(|g| g.mean).sum::<f64>() / k;
    let half = group
        .iter()
        .map(|g| ((g.upper - g.lower) / 2.0).powi(2))
        .sum::<f64>()
        .sqrt()
        / k;
    Interval {
        mean,
        lower: mean - half,
        upper: mean + half,
    }
}

/// A parameter value as a number on an axis (booleans as 0 and 1).
fn number(v: ParamValue) -> f64 {
    match v {
        ParamValue::Float(x) => x,
        ParamValue::Int(i) => i as f64,
        ParamValue::Bool(b) => f64::from(u8::from(b)),
    }
}

/// The value of `key` at a point (every design point sets every key its design varies).
fn value_at(p: &Point, key: &str) -> f64 {
    p.set
        .iter()
        .find(|(k, _)| k == key)
        .map_or(f64::NAN, |(_, v)| number(*v))
}

/// The last part of a dotted key: `incentive_compatibility` for
/// `motivation.incentive_compatibility`.
pub fn short_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// An axis label for a parameter: its short name and unit in words (booleans as 0/1).
pub fn parameter_axis(key: &str, lang: Lang) -> String {
    let name = param_name(key, lang);
    let unit = match spec_of(key) {
        Some(s) if s.kind == ParamKind::Bool => t::BOOL_AXIS.get(lang).to_string(),
        Some(s) if t::KNOWN_UNITS.contains(&s.unit) => t::unit(s.unit, lang),
        _ => return name,
    };
    match lang {
        Lang::En => format!("{name} [{unit}]"),
        Lang::Zh => format!("{name}（{unit}）"),
    }
}

/// A value of `key` in `lang`: booleans as on/off (开启／关闭), numbers as written.
fn value_text(key: &str, x: f64, lang: Lang) -> String {
    match spec_of(key) {
        Some(s) if s.kind == ParamKind::Bool => value_words(ParamValue::Bool(x >= 0.5), lang),
        _ => format_value(x),
    }
}

/// What a subtitle adds for factors that are averaged over ("" for none).
fn averaged_note(keys: &[&str], lang: Lang) -> String {
    if keys.is_empty() {
        return String::new();
    }
    let names: Vec<String> = keys.iter().map(|k| param_name(k, lang)).collect();
    format!(
        "{}{}",
        lang.pick(" · ", "，"),
        t::SUB_AVERAGED.fill(lang, &[("keys", &names.join(lang.pick(", ", "、")))])
    )
}

/// Every chart of a sweep in `lang`, grouped by key metric.
pub fn sweep_figures(data: &SweepData, lang: Lang) -> Result<Vec<Figure>, ChartError> {
    check_units()?;
    let cx = Context {
        data,
        lang,
        title: data.title(lang),
        reps: data.experiment.replications.to_string(),
    };
    let mut figs = Vec::new();
    figs.extend(weekly_figures(&cx)?);
    for metric in &KEY_METRICS {
        match &data.experiment.design {
            Design::Grid(factors) => {
                grid_figures(&cx, metric, factors, &mut figs)?;
                figs.extend(difference_figure(&cx, metric, t::T_DIFF_GRID, "grid")?);
            }
            Design::Packages(_) => {
                figs.push(packages_figure(&cx, metric)?);
                figs.extend(difference_figure(
                    &cx,
                    metric,
                    t::T_DIFF_PACKAGES,
                    "packages",
                )?);
            }
            Design::LatinHypercube { ranges, .. } => {
                figs.push(sampled_figure(&cx, metric, ranges)?)
            }
            Design::Morris { ranges, .. } => figs.push(morris_figure(&cx, metric, ranges)?),
            Design::Sobol { samples, ranges } => {
                figs.extend(sobol_figure(&cx, metric, *samples, ranges)?)
            }
        }
    }
    Ok(figs)
}

/// What every chart of one sweep in one language shares.
struct Context<'a> {
    data: &'a SweepData,
    lang: Lang,
    title: String,
    reps: String,
}

impl Context<'_> {
    /// A subtitle template filled with the experiment's title and replications.
    fn subtitle(&self, template: L) -> String {
        template.fill(self.lang, &[("title", &self.title), ("reps", &self.reps)])
    }
}

fn no_data(metric: &KeyMetric) -> ChartError {
    ChartError::Data(format!(
        "{}: no design point has a successful run (see runs.csv)",
        metric.column
    ))
}

/// Grouped estimates, keyed (y, x), as the columns of a curve: x, mean, lower, upper.
fn curve_columns<'a>(rows: impl Iterator<Item = &'a (Vec<f64>, Interval)>) -> [Vec<f64>; 4] {
    let mut out: [Vec<f64>; 4] = Default::default();
    for (at, iv) in rows {
        for (column, v) in out.iter_mut().zip([at[1], iv.mean, iv.lower, iv.upper]) {
            column.push(v);
        }
    }
    out
}

/// Labelled columns (x, mean, lower, upper) as curves, leaving out those without points.
fn curves_of<'a>(columns: impl Iterator<Item = (&'a str, &'a [Vec<f64>; 4])>) -> Vec<Curve<'a>> {
    columns
        .filter(|(_, [x, ..])| !x.is_empty())
        .map(|(label, [x, mean, lower, upper])| Curve {
            label,
            x,
            mean,
            lower,
            upper,
        })
        .collect()
}

/// A grid's charts of `metric`: a heatmap over the first two factors (when there are two),
/// and the metric against the first factor with one curve per value of the second.
fn grid_figures(
    cx: &Context,
    metric: &KeyMetric,
    factors: &[(String, Vec<ParamValue>)],
    figs: &mut Vec<Figure>,
) -> Result<(), ChartError> {
    let (lang, m) = (cx.lang, metric.column);
    let keys: Vec<&str> = factors.iter().map(|(k, _)| k.as_str()).collect();
    let (x_key, y_key) = (keys[0], keys.get(1).copied());
    let note = averaged_note(keys.get(2..).unwrap_or(&[]), lang);
    // Grouped by (y, x): consecutive groups with one y make a curve.
    let g = cx.data.grouped(m, |p| {
        vec![y_key.map_or(0.0, |k| value_at(p, k)), value_at(p, x_key)]
    });
    if g.is_empty() {
        return Err(no_data(metric));
    }
    let mut ys: Vec<f64> = g.iter().map(|(at, _)| at[0]).collect();
    ys.dedup();
    let x_axis = parameter_axis(x_key, lang);
    if let Some(y_key) = y_key {
        let mut xs: Vec<f64> = g.iter().map(|(at, _)| at[1]).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let mean_at = |y: f64, x: f64| {
            let i = g
                .binary_search_by(|(at, _)| by_coordinates(at, &[y, x]))
                .ok()?;
            Some(g[i].1.mean)
        };
        let z: Option<Vec<Vec<f64>>> = ys
            .iter()
            .map(|&y| xs.iter().map(|&x| mean_at(y, x)).collect())
            .collect();
        // A cell without data (every run of its points failed) leaves the map out.
        if let Some(z) = z {
            let over = t::T_OVER.fill(
                lang,
                &[
                    ("metric", metric.name.get(lang)),
                    ("x", &param_name(x_key, lang)),
                    ("y", &param_name(y_key, lang)),
                ],
            );
            let axes = Axes {
                title: &over,
                subtitle: &(cx.subtitle(t::SUB_CELLS) + &note),
                x_label: &x_axis,
                y_label: &parameter_axis(y_key, lang),
            };
            let id = format!("{m}_heatmap");
            figs.push(chart::heatmap(
                &id,
                axes,
                metric.axis.get(lang),
                &xs,
                &ys,
                &z,
            )?);
        }
    }
    let curves: Vec<(String, [Vec<f64>; 4])> = ys
        .iter()
        .map(|&y| {
            let label = y_key.map_or(String::new(), |k| {
                format!("{} = {}", param_name(k, lang), value_text(k, y, lang))
            });
            (label, curve_columns(g.iter().filter(|(at, _)| at[0] == y)))
        })
        .collect();
    let curves = curves_of(curves.iter().map(|(label, c)| (label.as_str(), c)));
    let by = t::T_BY.fill(
        lang,
        &[
            ("metric", metric.name.get(lang)),
            ("parameter", &param_name(x_key, lang)),
        ],
    );
    let axes = Axes {
        title: &by,
        subtitle: &(cx.subtitle(t::SUB_MEANS) + &note),
        x_label: &x_axis,
        y_label: metric.axis.get(lang),
    };
    let id = format!("{m}_by_{}", short_key(x_key));
    figs.push(chart::metric_vs_parameter(&id, axes, &curves, lang)?);
    Ok(())
}

/// Policy packages side by side; the package that changes nothing is the baseline.
fn packages_figure(cx: &Context, metric: &KeyMetric) -> Result<Figure, ChartError> {
    let (data, lang, m) = (cx.data, cx.lang, metric.column);
    let points = &data.experiment.points;
    let labels = data.point_labels(lang);
    let rows = data.estimates(&labels, m, None);
    if rows.is_empty() {
        return Err(no_data(metric));
    }
    let baseline = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.set.is_empty())
        .find_map(|(i, _)| data.estimate(i, m))
        .map(|iv| iv.mean);
    let title = t::T_PACKAGES.fill(lang, &[("metric", metric.name.get(lang))]);
    let axes = Axes {
        title: &title,
        subtitle: &cx.subtitle(t::SUB_PACKAGES),
        x_label: metric.axis.get(lang),
        y_label: "",
    };
    chart::policy_packages(&format!("{m}_packages"), axes, &rows, baseline, lang)
}

/// The difference view of a package or grid design on common random numbers: every other
/// point minus the baseline (`Experiment::baseline_point`), paired replication by replication
/// (`<metric>_diff_*` of `points.csv`), as dots with their 95% intervals (`<metric>_<kind>_diff`).
/// `None` without a baseline, or when no point has a difference.
fn difference_figure(
    cx: &Context,
    metric: &KeyMetric,
    title: L,
    kind: &str,
) -> Result<Option<Figure>, ChartError> {
    let (data, lang, m) = (cx.data, cx.lang, metric.column);
    let Some(b) = data.experiment.baseline_point() else {
        return Ok(None);
    };
    let points = &data.experiment.points;
    let labels = data.point_labels(lang);
    let rows = data.estimates(&labels, &format!("{m}_diff"), Some(b));
    if rows.is_empty() {
        return Ok(None);
    }
    let title = title.fill(lang, &[("metric", metric.name.get(lang))]);
    let subtitle = t::SUB_DIFF.fill(
        lang,
        &[
            ("title", &cx.title),
            ("baseline", &points[b].label),
            ("reps", &cx.reps),
        ],
    );
    let x_label = t::A_DIFFERENCE.fill(lang, &[("axis", metric.axis.get(lang))]);
    let axes = Axes {
        title: &title,
        subtitle: &subtitle,
        x_label: &x_label,
        y_label: "",
    };
    chart::difference_chart(&format!("{m}_{kind}_diff"), axes, rows, lang).map(Some)
}

/// Each `WEEKLY` column week by week, one curve per design point (the baseline and every
/// treatment on one chart), each the mean of the replications with its 95% band
/// (`weekly_<column>`).
fn weekly_figures(cx: &Context) -> Result<Vec<Figure>, ChartError> {
    let labels: Vec<&str> = cx
        .data
        .experiment
        .points
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    weekly_charts(
        &labels,
        &cx.data.weekly,
        &cx.subtitle(t::SUB_WEEKLY),
        cx.lang,
    )
}

/// A chart per `WEEKLY` column (`weekly_<column>`): one curve per label, the mean per week with
/// its 95% band; `weekly[column][curve]` as `weekly_intervals` gives it. Curves without weeks
/// are left out, and so is a column without curves.
pub fn weekly_charts(
    labels: &[&str],
    weekly: &[Vec<Vec<Interval>>],
    subtitle: &str,
    lang: Lang,
) -> Result<Vec<Figure>, ChartError> {
    let mut figs = Vec::new();
    for ((column, name, axis), per_curve) in WEEKLY.iter().zip(weekly) {
        let columns: Vec<[Vec<f64>; 4]> = per_curve
            .iter()
            .map(|weeks| {
                let mut c: [Vec<f64>; 4] = Default::default();
                for (k, iv) in weeks.iter().enumerate() {
                    for (col, v) in c
                        .iter_mut()
                        .zip([(k + 1) as f64, iv.mean, iv.lower, iv.upper])
                    {
                        col.push(v);
                    }
                }
                c
            })
            .collect();
        let curves = curves_of(labels.iter().copied().zip(&columns));
        if curves.is_empty() {
            continue;
        }
        let title = t::T_WEEKLY.fill(lang, &[("metric", name.get(lang))]);
        let axes = Axes {
            title: &title,
            subtitle,
            x_label: t::WEEK.get(lang),
            y_label: axis.get(lang),
        };
        figs.push(chart::metric_vs_parameter(
            &format!("weekly_{column}"),
            axes,
            &curves,
            lang,
        )?);
    }
    Ok(figs)
}

/// The points of a Latin hypercube against each varied parameter.
fn sampled_figure(
    cx: &Context,
    metric: &KeyMetric,
    ranges: &[Range],
) -> Result<Figure, ChartError> {
    let (data, lang, m) = (cx.data, cx.lang, metric.column);
    let points = &data.experiment.points;
    let estimates: Vec<(usize, Interval)> = (0..points.len())
        .filter_map(|i| Some((i, data.estimate(i, m)?)))
        .collect();
    if estimates.is_empty() {
        return Err(no_data(metric));
    }
    let y: Vec<f64> = estimates.iter().map(|(_, iv)| iv.mean).collect();
    let columns: Vec<(String, Vec<f64>)> = ranges
        .iter()
        .map(|r| {
            let x = estimates
                .iter()
                .map(|(i, _)| value_at(&points[*i], &r.key))
                .collect();
            (parameter_axis(&r.key, lang), x)
        })
        .collect();
    let panels: Vec<Sampled> = columns
        .iter()
        .map(|(x_label, x)| Sampled { x_label, x, y: &y })
        .collect();
    let title = t::T_SAMPLED.fill(lang, &[("metric", metric.name.get(lang))]);
    let subtitle = t::SUB_SAMPLED.fill(
        lang,
        &[
            ("title", &cx.title),
            ("points", &points.len().to_string()),
            ("reps", &cx.reps),
        ],
    );
    let axes = Axes {
        title: &title,
        subtitle: &subtitle,
        x_label: "",
        y_label: metric.axis.get(lang),
    };
    let dot = t::S_SAMPLED.get(lang);
    chart::sampled(&format!("{m}_lhs"), axes, dot, &panels)
}

/// μ* against σ of every lever, from `morris.csv`.
fn morris_figure(cx: &Context, metric: &KeyMetric, ranges: &[Range]) -> Result<Figure, ChartError> {
    let (data, lang, m) = (cx.data, cx.lang, metric.column);
    let names: Vec<String> = ranges.iter().map(|r| param_name(&r.key, lang)).collect();
    let levers = ranges
        .iter()
        .zip(&names)
        .map(|(r, name)| {
            let row = data.morris_of(&r.key, m).ok_or_else(|| {
                input(
                    &data.dir.join("morris.csv"),
                    format!("no row for lever {} and metric {m}", r.key),
                )
            })?;
            Ok(MorrisPoint {
                label: name,
                mu_star: row.mu_star,
                sigma: row.sigma,
            })
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let title = t::T_MORRIS.fill(lang, &[("metric", metric.name.get(lang))]);
    let subtitle = t::SUB_MORRIS.fill(
        lang,
        &[("title", &cx.title), ("unit", &t::unit(metric.unit, lang))],
    );
    let axes = Axes {
        title: &title,
        subtitle: &subtitle,
        ..Axes::default()
    };
    chart::morris(&format!("{m}_morris"), axes, &levers, lang)
}

/// S1 and ST of every parameter, from `sobol.csv`; `None` for a metric that did not vary.
fn sobol_figure(
    cx: &Context,
    metric: &KeyMetric,
    samples: u32,
    ranges: &[Range],
) -> Result<Option<Figure>, ChartError> {
    let (data, lang, m) = (cx.data, cx.lang, metric.column);
    let rows = ranges
        .iter()
        .map(|r| {
            data.sobol_of(&r.key, m).ok_or_else(|| {
                input(
                    &data.dir.join("sobol.csv"),
                    format!("no row for parameter {} and metric {m}", r.key),
                )
            })
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let names: Vec<String> = ranges.iter().map(|r| param_name(&r.key, lang)).collect();
    let bars: Vec<SobolBar> = names
        .iter()
        .zip(&rows)
        .filter_map(|(name, row)| {
            Some(SobolBar {
                label: name,
                s1: row.s1?,
                st: row.st?,
            })
        })
        .collect();
    if bars.len() < ranges.len() {
        return Ok(None);
    }
    let noise = rows
        .first()
        .and_then(|r| r.noise_share)
        .map_or("—".to_string(), |x| format!("{:.0}%", 100.0 * x));
    let title = t::T_SOBOL.fill(lang, &[("metric", metric.name.get(lang))]);
    let subtitle = t::SUB_SOBOL.fill(
        lang,
        &[
            ("title", &cx.title),
            ("samples", &samples.to_string()),
            ("reps", &cx.reps),
            ("noise", &noise),
        ],
    );
    let axes = Axes {
        title: &title,
        subtitle: &subtitle,
        ..Axes::default()
    };
    chart::sobol(&format!("{m}_sobol"), axes, &bars, lang).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_metrics_have_the_units_output_records_give_them() {
        check_units().expect("KEY_METRICS agree with output::records");
        for k in &KEY_METRICS {
            assert!(t::KNOWN_UNITS.contains(&k.unit), "{}", k.column);
        }
    }

    #[test]
    fn averaging_combines_half_widths_as_for_independent_means() {
        let one = Interval {
            mean: 0.5,
            lower: 0.4,
            upper: 0.6,
        };
        assert_eq!(
            average(&[one]),
            one,
            "a single point keeps its own interval"
        );
        let two = average(&[
            one,
            Interval {
                mean: 0.7,
                lower: 0.6,
                upper: 0.8,
            },
        ]);
        assert!((two.mean - 0.6).abs() < 1e-12);
        // Half-widths 0.1 and 0.1: √(0.01 + 0.01) / 2.
        assert!((two.upper - two.mean - 0.02f64.sqrt() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn parameter_axes_name_the_parameter_and_its_unit_in_both_languages() {
        assert_eq!(
            parameter_axis("tools.media_pressure", Lang::En),
            "media pressure [probability per week]"
        );
        assert_eq!(
            parameter_axis("tools.media_pressure", Lang::Zh),
            "媒体曝光（每周概率）"
        );
        assert_eq!(
            parameter_axis("institutions.block_led", Lang::Zh),
            "以块为主（0=否，1=是）"
        );
        assert_eq!(value_text("institutions.block_led", 1.0, Lang::En), "on");
        assert_eq!(value_text("institutions.block_led", 0.0, Lang::Zh), "关闭");
        assert_eq!(value_text("tools.media_pressure", 0.25, Lang::Zh), "0.25");
        assert_eq!(
            t::T_BY.fill(
                Lang::Zh,
                &[
                    ("metric", "解决率"),
                    ("parameter", &param_name("tools.media_pressure", Lang::Zh))
                ]
            ),
            "解决率随媒体曝光的变化"
        );
    }
}
