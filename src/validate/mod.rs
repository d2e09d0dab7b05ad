//! `cogov validate`: docking checks of the canonical games against published and peer results.
//!
//! Each check runs real engine code (`games::*`, on the shared kernel) for a fixed set of seeds,
//! summarises the replications by their mean and a t-based 95% confidence interval
//! (`experiment::stats`), and compares with an expected value whose source it names, under a
//! tolerance fixed here in advance. The rules, stated once:
//! - an **exact** check (hand cases, peer lattices) passes when every value is equal;
//! - an **estimate** passes when its whole 95% interval lies inside expected ± tolerance;
//! - a **bound** passes when the upper end of its 95% interval is at most the tolerance;
//! - an **extinction** check passes when the strategy died out in every replication;
//! - a **threshold** passes when the located value is within ± tolerance of the expected one;
//! - a **pattern** passes when the qualitative pattern its row states holds (orderings by
//!   disjoint 95% intervals, or every run showing it).
//!
//! A check whose failure is understood and written up in `docs/VALIDATION.md` is a **known
//! disagreement** (`known_disagreement`): it keeps its stated expectation, prints `DISAGREES`
//! instead of `FAIL` and does not fail the run. If it starts to pass, it prints
//! `UNEXPECTED PASS` and fails the run, so that the write-up is revisited rather than left
//! stale.
//!
//! `Mode::Quick` uses small lattices and points away from the thresholds and finishes in
//! seconds; `Mode::Full` uses the peers' sizes and longer runs and also locates both public goods
//! thresholds, which takes minutes. The seeds are fixed, so a mode always gives the same table.
//! Nothing here writes files; the CLI prints and saves the results.

mod checks;
pub mod city_rule;
pub mod conditional;
pub mod thresholds;

use std::time::Instant;

/// How thorough a validation run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Small lattices, points away from the thresholds: for CI, under a minute.
    Quick,
    /// The peers' lattice sizes, more replications, and the two PGG thresholds located.
    Full,
}

/// How a check decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Exact,
    Estimate,
    Bound,
    Extinction,
    Threshold,
    Pattern,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Estimate => "estimate",
            Rule::Bound => "bound",
            Rule::Extinction => "extinction",
            Rule::Threshold => "threshold",
            Rule::Pattern => "pattern",
        }
    }
}

/// The outcome of one docking check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Short stable identifier, e.g. `nm_b1.85_share`.
    pub id: &'static str,
    /// What was measured, in a phrase.
    pub what: String,
    pub expected: String,
    /// Where the expected value comes from.
    pub source: &'static str,
    pub measured: String,
    /// 95% confidence interval of the measured mean, when it is an estimate over replications.
    pub ci: Option<(f64, f64)>,
    pub replications: usize,
    pub tolerance: String,
    pub rule: Rule,
    pub pass: bool,
    /// Why the check is expected to fail, when it is a documented known disagreement.
    pub known: Option<&'static str>,
    pub seconds: f64,
    /// Extra lines worth printing under the table (e.g. each probe of a threshold search).
    pub notes: Vec<String>,
}

impl CheckResult {
    /// Records an estimate over `replications` with its 95 % interval `ci`, passing when the
    /// whole interval lies within `tolerance` of the expected value.
    pub fn estimate_within(
        &mut self,
        expected: f64,
        mean: f64,
        ci: (f64, f64),
        replications: usize,
        tolerance: f64,
    ) {
        self.measured = fmt(mean);
        self.ci = Some(ci);
        self.replications = replications;
        self.tolerance = format!("±{}", fmt(tolerance));
        self.pass = ci.0 >= expected - tolerance && ci.1 <= expected + tolerance;
    }
}

/// What `run` reports while it works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A check is starting.
    Started(&'a str),
    /// A long check made a step (e.g. one probe of a threshold search).
    Note(&'a str),
}

/// Runs every check of `mode` in a fixed order, reporting to `progress`.
pub fn run(mode: Mode, mut progress: impl FnMut(Event<'_>)) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for check in checks::all(mode) {
        progress(Event::Started(check.id));
        let started = Instant::now();
        let mut note = |s: &str| progress(Event::Note(s));
        let mut result = (check.run)(mode, &mut note);
        result.id = check.id;
        result.known = checks::known_disagreement(check.id);
        result.seconds = started.elapsed().as_secs_f64();
        out.push(result);
    }
    out
}

impl CheckResult {
    /// The result column: PASS, FAIL, DISAGREES (a known disagreement that still fails) or
    /// UNEXPECTED PASS (a known disagreement that passed).
    pub fn verdict(&self) -> &'static str {
        match (self.pass, self.known.is_some()) {
            (true, false) => "PASS",
            (false, false) => "FAIL",
            (false, true) => "DISAGREES",
            (true, true) => "UNEXPECTED PASS",
        }
    }

    /// Whether this result fails the run: a plain failure, or a known disagreement that
    /// passed (its write-up is stale).
    pub fn fails_run(&self) -> bool {
        self.pass == self.known.is_some()
    }
}

/// Identifiers of the checks that are documented known disagreements, with the reason.
pub fn known_disagreements() -> &'static [(&'static str, &'static str)] {
    checks::KNOWN_DISAGREEMENTS
}

/// Identifiers of the checks a mode runs, in order.
pub fn check_ids(mode: Mode) -> Vec<&'static str> {
    checks::all(mode).iter().map(|c| c.id).collect()
}

/// Formats a number for the table: up to four decimals, trailing zeros dropped.
pub fn fmt(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The results as an aligned text table (one header line, one line per check).
pub fn table(results: &[CheckResult]) -> String {
    let header = [
        "check",
        "expected",
        "source",
        "measured",
        "95% CI",
        "n",
        "tolerance",
        "result",
    ];
    let rows: Vec<[String; 8]> = results
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.expected.clone(),
                r.source.to_string(),
                r.measured.clone(),
                r.ci.map(|(lo, hi)| format!("[{}, {}]", fmt(lo), fmt(hi)))
                    .unwrap_or_else(|| "–".into()),
                r.replications.to_string(),
                r.tolerance.clone(),
                r.verdict().to_string(),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(width).enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header.map(String::from));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}
