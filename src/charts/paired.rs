//! Charts of paired comparisons on common random numbers, drawn from the differences `cogov
//! compare` and `cogov levers` print and write to CSV: B − A per key metric, and every lever
//! against the base per key outcome (a forest plot). Both are `sweep::differences`, the chart
//! of a sweep's difference view, so a paired difference looks the same wherever it is shown.
//!
//! Left out on purpose: the means of A and B (they are in the printed table and the CSV), since
//! two overlapping intervals of means hide a clear paired effect.

use super::figure::Figure;
use super::labels::{self as t, Lang};
use super::sweep::{difference_chart, differences, Axes, DifferencePanel, Estimate};
use super::sweep_dir::{short_key, weekly_charts, Interval, KEY_METRICS};
use super::{ChartError, Charted};
use crate::experiment::stats::PairedDifference;
use crate::output::records::summary_columns;

/// A summary column's name (for a title) and axis label (with its unit) in `lang`: the key
/// metrics' own words, else the column's meaning and unit from `output::records`.
fn metric_words(column: &str, lang: Lang) -> (String, String) {
    if let Some(k) = KEY_METRICS.iter().find(|k| k.column == column) {
        return (k.name.get(lang).to_string(), k.axis.get(lang).to_string());
    }
    match summary_columns().into_iter().find(|c| c.name == column) {
        Some(c) => {
            let name = lang.pick(&c.en, &c.zh).to_string();
            let unit = t::unit(c.unit, lang);
            let axis = format!(
                "{name}{}",
                lang.pick(&format!(" [{unit}]"), &format!("（{unit}）"))
            );
            (name, axis)
        }
        None => (column.to_string(), column.to_string()),
    }
}

fn estimate<'a>(label: &'a str, d: &PairedDifference) -> Estimate<'a> {
    Estimate {
        label,
        mean: d.difference,
        lower: d.ci_lo,
        upper: d.ci_hi,
    }
}

/// `cogov compare`'s result: B − A for each of `metrics` (summary columns).
#[derive(Clone, Debug)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub reps: u32,
    pub metrics: Vec<(String, PairedDifference)>,
    /// Week by week (`sweep_dir::weekly_intervals`), by `WEEKLY` column: A's and B's.
    pub weekly: Vec<Vec<Vec<Interval>>>,
}

impl Charted for Comparison {
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        let words: Vec<(String, String)> = self
            .metrics
            .iter()
            .map(|(c, _)| {
                let (name, axis) = metric_words(c, lang);
                (name, t::A_DIFFERENCE.fill(lang, &[("axis", &axis)]))
            })
            .collect();
        let panels: Vec<DifferencePanel> = self
            .metrics
            .iter()
            .zip(&words)
            .map(|((_, d), (name, axis))| DifferencePanel {
                title: name,
                x_label: axis,
                rows: vec![estimate("B − A", d)],
            })
            .collect();
        let title = t::T_COMPARE.fill(lang, &[("a", &self.a), ("b", &self.b)]);
        let subtitle =
            t::SUB_COMPARE.fill(lang, &[("reps", &self.reps.to_string()), ("a", &self.a)]);
        let axes = Axes {
            title: &title,
            subtitle: &subtitle,
            ..Axes::default()
        };
        let mut fig = differences("compare_differences", axes, &panels, lang)?;
        fig.notes.push(t::DZ_NOTE.get(lang).to_string());
        let labels = [format!("A: {}", self.a), format!("B: {}", self.b)];
        let labels = [labels[0].as_str(), labels[1].as_str()];
        let subtitle = t::SUB_WEEKLY_PAIRED.fill(lang, &[("reps", &self.reps.to_string())]);
        let mut figs = vec![fig];
        figs.extend(weekly_charts(&labels, &self.weekly, &subtitle, lang)?);
        Ok(figs)
    }
}

/// `cogov levers`' result: each lever's paired differences against the base, one per key
/// outcome (`outcomes`, summary columns, in the order of each lever's `differences`).
#[derive(Clone, Debug)]
pub struct LeverForest {
    pub base: String,
    pub reps: u32,
    pub outcomes: Vec<String>,
    /// (lever key, one difference per outcome).
    pub levers: Vec<(String, Vec<PairedDifference>)>,
}

impl Charted for LeverForest {
    /// One forest plot per outcome (`levers_<outcome>`): a row per lever, in the order given.
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        let reps = self.reps.to_string();
        let subtitle = t::SUB_LEVERS.fill(lang, &[("title", &self.base), ("reps", &reps)]);
        self.outcomes
            .iter()
            .enumerate()
            .map(|(o, column)| {
                let (name, axis) = metric_words(column, lang);
                let title = t::T_LEVERS.fill(lang, &[("metric", &name)]);
                let x_label = t::A_DIFFERENCE.fill(lang, &[("axis", &axis)]);
                let rows = self
                    .levers
                    .iter()
                    .map(|(key, ds)| estimate(short_key(key), &ds[o]))
                    .collect();
                let axes = Axes {
                    title: &title,
                    subtitle: &subtitle,
                    x_label: &x_label,
                    y_label: "",
                };
                difference_chart(&format!("levers_{column}"), axes, rows, lang)
            })
            .collect()
    }
}
