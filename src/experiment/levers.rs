//! Every lever against a base scenario on common random numbers (MODEL §11.3, §11.7).
//!
//! Each lever's strong setting comes from `model::levers::LEVER_SETTINGS`. The base and each
//! lever run the same seeds and are compared on every summary column with a paired difference
//! and its 95 % interval; `cogov levers` prints the result and `tests/lever_audit.rs` holds the
//! ODD's list of free levers to it.
//!
//! `robustness` repeats the comparison over a Latin hypercube of the unanchored behavioural
//! parameters (`UNANCHORED`, ±30 % around the base: issue 11 §0) and counts how often each
//! lever's sign and rank on each key outcome hold (`cogov levers --robust`).

use rayon::prelude::*;

use super::design::{points, Design, Range};
use super::stats::{paired_difference, PairedDifference};
use crate::model::levers::LEVER_SETTINGS;
use crate::model::params::{spec_of, ParamKind, ParamValue, Params};
use crate::model::rng::mix64;
use crate::output::records::{summary, summary_columns, summary_index, summary_row};
use crate::run::simulate;
use crate::scenario::Scenario;

/// The key outcomes, and whether more is better (MODEL §11.7).
pub const KEY_OUTCOMES: [(&str, bool); 6] = [
    (summary::RESOLUTION_RATE, true),
    (summary::HOTLINE_RESOLUTION_RATE, true),
    (summary::MAJOR_RISKS_TOTAL, false),
    (summary::RESIDENT_TRUST_FINAL, true),
    (summary::ORG_TRUST_FINAL, true),
    (summary::SATISFACTION_MEAN, true),
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
        }) && self.of(summary::COST_TOTAL).ci_hi < 0.0
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

/// Unanchored behavioural parameters and lever costs: no public figure sets them (ODD §10), so
/// the headline results — the signs and ranking of lever effects — must hold as they vary
/// (issue 11 §0). The last eight joined in revision 2 steps 7–9 (docs/TRACE.md).
pub const UNANCHORED: [&str; 28] = [
    "behaviour.choice_temperature",
    "behaviour.public_benefit",
    "behaviour.sanction",
    "behaviour.congestion_weight",
    "behaviour.symbolic_cost",
    "behaviour.lead_share",
    "behaviour.trust_gain_rate",
    "behaviour.trust_loss_rate",
    "behaviour.habit_rate",
    "behaviour.habit_forgetting",
    "behaviour.aspiration_rate",
    "behaviour.crowding_threshold",
    "behaviour.crowding_rate",
    "behaviour.recognition_rate",
    "behaviour.motivation_relax_rate",
    "behaviour.tau_base",
    "behaviour.tau_sideways",
    "behaviour.department_clout",
    "behaviour.policy_conflict_q",
    "tools.attention_detection",
    "behaviour.escalation_reputation_cost",
    "behaviour.escalation_pressure",
    "behaviour.visibility_base",
    "residents.petition_trust_cost",
    "residents.input_factor",
    "costs.block_coordination",
    "costs.trust_culture_capacity",
    "costs.township_evaluation_cost",
];

/// The ranges of the robustness hypercube: each unanchored parameter from (1 − `spread`) to
/// (1 + `spread`) times its value in `params`, the upper end capped at the parameter's maximum
/// (Grimm & Berger 2016).
pub fn unanchored_ranges(params: &Params, spread: f64) -> Vec<Range> {
    UNANCHORED
        .iter()
        .filter_map(|&k| {
            let spec = spec_of(k)?;
            let ParamValue::Float(d) = params.get(k)? else {
                return None;
            };
            Some(Range {
                key: k.to_string(),
                kind: ParamKind::Float,
                lo: ((1.0 - spread) * d).max(spec.min),
                hi: ((1.0 + spread) * d).min(spec.max),
            })
        })
        .collect()
}

/// Points of the robustness hypercube, their spread around the base, and the seed of the design.
pub const ROBUST_POINTS: u32 = 64;
pub const ROBUST_SPREAD: f64 = 0.3;
const ROBUST_DESIGN_SEED: u64 = 2026;

/// How far a lever's rank may move and still "hold": two places either way.
pub const RANK_TOLERANCE: usize = 2;

/// How often one lever's effects hold across the hypercube, per key outcome.
#[derive(Clone, Debug)]
pub struct Robustness {
    pub key: &'static str,
    /// Per key outcome: the sign of the mean difference at the base.
    pub sign: Vec<i8>,
    /// Per key outcome: the lever's rank at the base (1 = best for that outcome).
    pub rank: Vec<usize>,
    /// Per key outcome: the share of points where the sign of the mean difference is the same.
    pub sign_held: Vec<f64>,
    /// Per key outcome: the share of points where the rank is within `RANK_TOLERANCE` places.
    pub rank_held: Vec<f64>,
}

fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// Ranks (1 = best) of the levers on each key outcome, best being the largest improvement
/// (ties in lever order).
fn ranks(effects: &[LeverEffect]) -> Vec<Vec<usize>> {
    KEY_OUTCOMES
        .iter()
        .map(|&(c, more)| {
            let gain = |e: &LeverEffect| {
                let d = e.of(c).difference;
                if more {
                    d
                } else {
                    -d
                }
            };
            let mut order: Vec<usize> = (0..effects.len()).collect();
            order.sort_by(|&a, &b| gain(&effects[b]).total_cmp(&gain(&effects[a])));
            let mut rank = vec![0; effects.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r + 1;
            }
            rank
        })
        .collect()
}

/// Repeats `lever_effects` at each of `n_points` points of a Latin hypercube over the
/// unanchored parameters (±`ROBUST_SPREAD` around `base`), `reps` common seeds each, and
/// counts how often each lever's sign and rank on each key outcome agree with `main` (the
/// comparison at the base itself). Runs n_points × (levers + 1) × reps simulations.
pub fn robustness(
    base: &Scenario,
    main: &[LeverEffect],
    n_points: u32,
    reps: u32,
    seed: u64,
) -> Vec<Robustness> {
    let design = Design::LatinHypercube {
        points: n_points,
        ranges: unanchored_ranges(&base.params, ROBUST_SPREAD),
    };
    let main_ranks = ranks(main);
    let mut out: Vec<Robustness> = main
        .iter()
        .enumerate()
        .map(|(l, e)| Robustness {
            key: e.key,
            sign: KEY_OUTCOMES
                .iter()
                .map(|&(c, _)| sign(e.of(c).difference))
                .collect(),
            rank: main_ranks.iter().map(|r| r[l]).collect(),
            sign_held: vec![0.0; KEY_OUTCOMES.len()],
            rank_held: vec![0.0; KEY_OUTCOMES.len()],
        })
        .collect();
    let pts = points(&design, ROBUST_DESIGN_SEED);
    for pt in &pts {
        let mut sc = base.clone();
        for (k, v) in &pt.set {
            let applied = sc.params.set(k, *v);
            debug_assert!(
                applied.is_ok(),
                "hypercube ranges lie inside the parameters' ranges"
            );
        }
        let effects = lever_effects(&sc, reps, seed);
        let at = ranks(&effects);
        for (l, (r, e)) in out.iter_mut().zip(&effects).enumerate() {
            for (o, &(c, _)) in KEY_OUTCOMES.iter().enumerate() {
                if sign(e.of(c).difference) == r.sign[o] {
                    r.sign_held[o] += 1.0;
                }
                if at[o][l].abs_diff(r.rank[o]) <= RANK_TOLERANCE {
                    r.rank_held[o] += 1.0;
                }
            }
        }
    }
    let n = pts.len().max(1) as f64;
    for r in &mut out {
        r.sign_held.iter_mut().for_each(|x| *x /= n);
        r.rank_held.iter_mut().for_each(|x| *x /= n);
    }
    out
}
