//! Every lever against a base scenario on common random numbers (MODEL §11.3, §11.7).
//!
//! Each lever's strong setting comes from `model::levers::LEVER_SETTINGS`. The base and each
//! lever run the same seeds and are compared on every summary column with a paired difference
//! and its 95 % interval; `cogov levers` prints the result and `tests/lever_audit.rs` holds the
//! ODD's list of free levers to it.

use rayon::prelude::*;

use super::stats::{paired_difference, PairedDifference};
use crate::model::levers::LEVER_SETTINGS;
use crate::model::params::ParamValue;
use crate::model::rng::mix64;
use crate::output::records::{summary_columns, summary_index, summary_row};
use crate::run::simulate;
use crate::scenario::Scenario;

/// The key outcomes, and whether more is better (MODEL §11.7).
pub const KEY_OUTCOMES: [(&str, bool); 6] = [
    ("resolution_rate", true),
    ("hotline_resolution_rate", true),
    ("major_risks_total", false),
    ("resident_trust_final", true),
    ("org_trust_final", true),
    ("satisfaction_mean", true),
];

/// One lever's paired differences against the base, for every summary column.
pub struct LeverEffect {
    pub key: &'static str,
    pub differences: Vec<PairedDifference>,
}

impl LeverEffect {
    pub fn of(&self, column: &str) -> &PairedDifference {
        &self.differences[summary_index(column).expect("a summary column")]
    }

    /// Improves every key outcome (95 % interval on the better side) at lower total cost.
    pub fn is_free(&self) -> bool {
        KEY_OUTCOMES.iter().all(|&(c, more)| {
            let d = self.of(c);
            if more {
                d.ci_lo > 0.0
            } else {
                d.ci_hi < 0.0
            }
        }) && self.of("cost_total").ci_hi < 0.0
    }
}

/// Runs `base` and every lever of MODEL §6 on `reps` common seeds derived from `seed`.
pub fn lever_effects(base: &Scenario, reps: u32, seed: u64) -> Vec<LeverEffect> {
    let settings: Vec<(&'static str, &[(&'static str, ParamValue)])> =
        LEVER_SETTINGS.iter().map(|l| (l.key, l.set)).collect();
    setting_effects(base, &settings, reps, seed)
}

/// Runs `base` and each named setting on `reps` common seeds derived from `seed`.
pub fn setting_effects(
    base: &Scenario,
    settings: &[(&'static str, &[(&'static str, ParamValue)])],
    reps: u32,
    seed: u64,
) -> Vec<LeverEffect> {
    let seeds: Vec<u64> = (0..reps)
        .map(|r| mix64(seed ^ mix64(r as u64 + 1)))
        .collect();
    let run = |sc: &Scenario, s: u64| {
        let sc = Scenario {
            seed: s,
            ..sc.clone()
        };
        let res = simulate(&sc, |_, _| {});
        summary_row(&res.series, &res.facts)
    };
    let base_rows: Vec<Vec<f64>> = seeds.par_iter().map(|&s| run(base, s)).collect();
    let columns = summary_columns().len();
    settings
        .iter()
        .map(|&(key, set)| {
            let mut sc = base.clone();
            for (k, v) in set {
                sc.params
                    .set(k, *v)
                    .expect("lever settings are valid parameters");
            }
            let rows: Vec<Vec<f64>> = seeds.par_iter().map(|&s| run(&sc, s)).collect();
            let differences = (0..columns)
                .map(|m| {
                    let a: Vec<f64> = base_rows.iter().map(|r| r[m]).collect();
                    let b: Vec<f64> = rows.iter().map(|r| r[m]).collect();
                    paired_difference(&a, &b)
                })
                .collect();
            LeverEffect { key, differences }
        })
        .collect()
}
