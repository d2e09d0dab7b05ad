//! The `validation.csv` table written by `cogov validate --out DIR`: one row per docking check,
//! the same cells the terminal table shows plus the interval bounds as numbers, the rule and the
//! time taken; and the directory's `manifest.json`, which marks it as cogov's (so `--force`
//! may replace it) and says which mode ran.

use std::io::{self, Write};

use crate::validate::CheckResult;

/// The manifest of a validation output: what `--force` needs to recognise it as cogov's.
pub fn validation_manifest(quick: bool) -> super::manifest::Manifest {
    super::manifest::Manifest {
        mode: Some(if quick { "quick" } else { "full" }.into()),
        ..super::manifest::Manifest::new("validation")
    }
}

/// Header of `validation.csv`.
pub const VALIDATION_COLUMNS: [&str; 13] = [
    "check",
    "what",
    "expected",
    "source",
    "measured",
    "ci95_low",
    "ci95_high",
    "replications",
    "tolerance",
    "rule",
    "result",
    "seconds",
    "notes",
];

/// Writes the results as CSV. Interval bounds are empty when a check has none.
pub fn write_validation_csv<W: Write>(out: W, results: &[CheckResult]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(VALIDATION_COLUMNS)?;
    for r in results {
        let (lo, hi) =
            r.ci.map(|(lo, hi)| (lo.to_string(), hi.to_string()))
                .unwrap_or_default();
        w.write_record([
            r.id.to_string(),
            r.what.clone(),
            r.expected.clone(),
            r.source.to_string(),
            r.measured.clone(),
            lo,
            hi,
            r.replications.to_string(),
            r.tolerance.clone(),
            r.rule.name().to_string(),
            r.verdict().to_string(),
            format!("{:.3}", r.seconds),
            r.notes.join("; "),
        ])?;
    }
    w.flush()
}
