//! Docking check of the city's conditional cooperation (issue 13, game 4): the repeated linear
//! public goods game of `games::conditional_pgg` against Fischbacher & Gächter (2010, AER 100:
//! 541–556) and Fischbacher, Gächter & Fehr (2001).
//!
//! **The published pattern.** In ten rounds of a linear public goods game with random
//! rematching, contributions start at about 40–60% of the endowment (Ledyard 1995's survey) and
//! decline; FG 2010 show the decline is driven by imperfect conditional cooperation — most
//! people contribute less than they believe the others contribute — and that beliefs decline
//! too, roughly in step with contributions; "after some time all types behave like
//! income-maximizing free riders". We take the decline over ten rounds as falling to roughly a
//! quarter to a third of the start (the figure this project's issue states; the stored copies of
//! FG 2010 we could search give the text, not the per-period table, so we did not read the exact
//! means off the paper). Type shares: FGF 2001, about 50% conditional cooperators, 30% free
//! riders.
//!
//! **The game at the city's defaults**, fixed before the first run: groups of four, the city's
//! logit temperature β = 0.5, cost 1 (no transaction cost), `value` = `public_benefit` 4 ×
//! E[max(0, cos θ)] of the city's value angles θ ~ N(0, 0.6²), i.e. 4·e^(−0.18) = 3.341, the
//! public-spirited members' motivation m = `motivation_mean` / (1 − free-rider share) =
//! 0.6/0.7 = 0.857 (so that the staff mean is the city's 0.6), beliefs start at 0.5 and move at
//! the city's trust rate 0.05 per round (`trust_gain_rate` = `trust_loss_rate`).
//!
//! **What the kernel predicts, derived before the first run** (mean field: every member holds
//! the population's belief b, which moves by 0.05(c − b); L the logistic function):
//! `c(b) = 0.5·L((K·b − 1)/β) + 0.2·L((K − 1)/β) + 0.3·L(−1/β)` with K = 3.341·0.857 = 2.864.
//! Round 1: c = 0.583. Because c(0.5) > 0.5, the conditional cooperators contribute *more* than
//! they believe the others do (0.68 against 0.5): the opposite of FG's imperfect conditional
//! cooperation. Contributions then *rise*, to 0.602 in round 10 (beliefs 0.50 → 0.53), toward
//! the fixed point 0.66. Over every K that puts round 1 in the published 40–60%, the largest
//! ten-round decline the kernel can give is to 0.96 of the start at the city's belief rate,
//! and to 0.85 even if beliefs jump to the last round's observation (rate 1); with all the
//! public-spirited conditional (cc = 0.7) it is 0.92 and 0.51. The logit keeps every type's
//! contribution above L(−1/β) = 0.12 and the unconditional fifth near L((K − 1)/β), so the
//! population settles at an interior fixed point near where it starts instead of unravelling.
//! So we expect the start check to pass and the decline and belief checks to **fail**, and the
//! mean-field check to pass (the simulation is what the derivation says).
//!
//! **The belief rule alone** (added after the first run of the checks above, its expectation
//! stated before its own first run): fed the published decline, does `update_trust` at the
//! city's rate move beliefs in step? Derived: no — ten rounds at 0.05 move a belief only
//! 1 − 0.95⁹ ≈ 37% of the way; see [`belief_rule_check`].

use rayon::prelude::*;

use super::checks::{result, seeds, summarise};
use super::{fmt, CheckResult, Mode, Rule};
use crate::games::conditional_pgg::{
    self as cc, CondGame, ConditionalSpec, Play, Population, Series,
};
use crate::games::KernelFns;

/// The city's `trust_gain_rate` = `trust_loss_rate` (revision 2, F3).
pub use crate::games::city::TRUST_RATE as CITY_BELIEF_RATE;
/// FGF 2001's type shares.
pub use crate::games::conditional_pgg::{
    FGF_CONDITIONAL_SHARE as CONDITIONAL_SHARE, FGF_FREE_RIDER_SHARE as FREE_RIDER_SHARE,
    START_BELIEF,
};
/// Ten rounds, as in FG 2010.
const ROUNDS: u32 = 10;

/// The game at the city's defaults (`value` = 4·e^(−0.18) = 3.341, m = 0.6/0.7 = 0.857): the
/// defaults of the scenario game `conditional_pgg`, built by the same code.
pub fn city_game(population: Population) -> CondGame {
    ConditionalSpec::city(population).game()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The derived mean-field series (written out here, not through the kernel): contributions and
/// beliefs round by round, every member holding the mean belief.
pub fn mean_field(game: &CondGame, rate: f64, start: f64, rounds: u32) -> (Vec<f64>, Vec<f64>) {
    let (cs, fr) = (game.conditional_share, game.free_rider_share);
    let k = game.value * game.public_spirited_motivation;
    let response = |b: f64| match game.population {
        Population::Types => {
            cs * logistic((k * b - game.cost) / game.beta)
                + (1.0 - cs - fr) * logistic((k - game.cost) / game.beta)
                + fr * logistic(-game.cost / game.beta)
        }
        Population::Organisations => {
            let psi = (cs / (1.0 - fr)).min(1.0);
            logistic(((1.0 - fr) * k * (1.0 - psi + psi * b) - game.cost) / game.beta)
        }
    };
    let (mut c, mut beliefs) = (Vec::new(), Vec::new());
    let mut b = start;
    for _ in 0..rounds {
        let x = response(b);
        c.push(x);
        beliefs.push(b);
        b += rate * (x - b);
    }
    (c, beliefs)
}

fn runs(mode: Mode) -> (usize, u64) {
    match mode {
        Mode::Quick => (2_000, 20),
        Mode::Full => (20_000, 20),
    }
}

/// All runs of the game at the city's defaults.
fn series(game: &CondGame, k: &KernelFns, mode: Mode, rate: f64) -> Vec<Series> {
    let (agents, n) = runs(mode);
    let p = Play {
        agents,
        rounds: ROUNDS,
        belief_rate: rate,
        start_belief: START_BELIEF,
    };
    seeds(n)
        .par_iter()
        .map(|&seed| cc::play(game, k, &p, seed))
        .collect()
}

/// Mean and interval of round `t` (0-based) of `pick` over the runs.
fn round_stat(runs: &[Series], t: usize, pick: fn(&Series) -> &Vec<f64>) -> (f64, (f64, f64)) {
    let v: Vec<f64> = runs.iter().map(|s| pick(s)[t]).collect();
    summarise(&v)
}

/// The simulation is the derived mean field: every round's contribution within ±0.02 of it,
/// in both populations (the organisation's ψ from `levers::conditionality`). Belief dispersion
/// (each member sees three partners) moves the mean by much less at rate 0.05.
pub fn mean_field_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let tol = 0.02;
    let mut worst: f64 = 0.0;
    let mut pass = true;
    let mut notes = Vec::new();
    for population in [Population::Types, Population::Organisations] {
        let game = city_game(population);
        let (want, _) = mean_field(&game, CITY_BELIEF_RATE, START_BELIEF, ROUNDS);
        let runs = series(&game, k, mode, CITY_BELIEF_RATE);
        let mut got = Vec::new();
        for (t, w) in want.iter().enumerate() {
            let (mean, ci) = round_stat(&runs, t, |s| &s.contribution);
            worst = worst.max((mean - w).abs());
            pass &= ci.0 >= w - tol && ci.1 <= w + tol;
            got.push(mean);
        }
        notes.push(format!(
            "{population:?}: derived {} ; simulated {}",
            want.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(" "),
            got.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(" ")
        ));
    }
    let mut r = result(
        "contributions, rounds 1–10, linear PGG n = 4, type shares 0.5 / 0.3, city defaults (value 3.341, m 0.857, β 0.5, belief rate 0.05), types and organisations: simulated vs derived mean field".into(),
        "derived mean field, every round".into(),
        "derived here: c(b) = Σ_types share · L((value·m·((1 − ψ) + ψb) − 1)/β)",
        Rule::Estimate,
    );
    r.measured = format!("max |simulated − derived| = {}", fmt(worst));
    r.replications = runs(mode).1 as usize;
    r.tolerance = format!("±{} each round", fmt(tol));
    r.pass = pass;
    r.notes = notes;
    r
}

/// Round-1 contribution in the published range 0.4–0.6 of the endowment (Ledyard 1995; FG
/// 2010). Derived: 0.583.
pub fn start_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let runs = series(&city_game(Population::Types), k, mode, CITY_BELIEF_RATE);
    let (mean, ci) = round_stat(&runs, 0, |s| &s.contribution);
    let mut r = result(
        "round-1 contribution (share of endowment), type shares 0.5 / 0.3, city defaults".into(),
        "0.4–0.6".into(),
        "Ledyard 1995; Fischbacher & Gächter 2010",
        Rule::Estimate,
    );
    r.measured = fmt(mean);
    r.ci = Some(ci);
    r.replications = runs.len();
    r.tolerance = "CI within [0.4, 0.6]".into();
    r.pass = ci.0 >= 0.4 && ci.1 <= 0.6;
    r
}

/// Contributions decline over ten rounds to a quarter to a third of the start: the ratio of
/// round 10 to round 1 within [0.2, 0.4] (the interval of the ratio over runs). Derived:
/// 1.03 (they rise), so expected to fail.
pub fn decline_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let runs = series(&city_game(Population::Types), k, mode, CITY_BELIEF_RATE);
    let ratios: Vec<f64> = runs
        .iter()
        .map(|s| s.contribution[ROUNDS as usize - 1] / s.contribution[0])
        .collect();
    let (mean, ci) = summarise(&ratios);
    let (c1, _) = round_stat(&runs, 0, |s| &s.contribution);
    let (c10, _) = round_stat(&runs, ROUNDS as usize - 1, |s| &s.contribution);
    let mut r = result(
        "round-10 / round-1 contribution, type shares 0.5 / 0.3, city defaults, belief rate 0.05"
            .into(),
        "0.25–0.33 (decline to a quarter to a third)".into(),
        "Fischbacher & Gächter 2010; Ledyard 1995",
        Rule::Estimate,
    );
    r.measured = format!("{} ({} → {})", fmt(mean), fmt(c1), fmt(c10));
    r.ci = Some(ci);
    r.replications = runs.len();
    r.tolerance = "CI within [0.2, 0.4]".into();
    r.pass = ci.0 >= 0.2 && ci.1 <= 0.4;
    // The most favourable settings for a decline, from the derived mean field (not simulated).
    r.notes = best_case_notes();
    r
}

/// The smallest ten-round ratio the derived mean field gives over every K = value·m that puts
/// round 1 in 0.4–0.6, at belief rates 0.05 and 1, for the published shares and with every
/// public-spirited member conditional.
pub fn best_case_notes() -> Vec<String> {
    let mut notes = Vec::new();
    for (cs, label) in [
        (CONDITIONAL_SHARE, "cc 0.5"),
        (0.7, "cc 0.7 (no unconditional)"),
    ] {
        for rate in [CITY_BELIEF_RATE, 1.0] {
            let mut best: Option<(f64, f64, f64)> = None;
            for i in 100..=600 {
                let game = CondGame {
                    conditional_share: cs,
                    value: i as f64 / 100.0,
                    public_spirited_motivation: 1.0,
                    ..city_game(Population::Types)
                };
                let (c, _) = mean_field(&game, rate, START_BELIEF, ROUNDS);
                if (0.4..=0.6).contains(&c[0]) {
                    let ratio = c[ROUNDS as usize - 1] / c[0];
                    if best.map_or(true, |b| ratio < b.0) {
                        best = Some((ratio, game.value, c[0]));
                    }
                }
            }
            if let Some((ratio, value, c1)) = best {
                notes.push(format!(
                    "best case, {label}, belief rate {rate}: ratio {} at value·m = {} (round 1 {})",
                    fmt(ratio),
                    fmt(value),
                    fmt(c1)
                ));
            }
        }
    }
    notes
}

/// Beliefs decline roughly in step with contributions, and conditional cooperators contribute
/// less than they believe (FG 2010): mean belief in round 10 below round 1 (disjoint intervals)
/// and the conditional cooperators' round-1 contribution below their belief (interval of the gap
/// below 0). Derived: beliefs rise 0.50 → 0.53 and the gap is +0.18, so expected to fail.
pub fn beliefs_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let runs = series(&city_game(Population::Types), k, mode, CITY_BELIEF_RATE);
    let (b1, b1_ci) = round_stat(&runs, 0, |s| &s.belief);
    let (b10, b10_ci) = round_stat(&runs, ROUNDS as usize - 1, |s| &s.belief);
    let (gap, gap_ci) = round_stat(&runs, 0, |s| &s.cc_gap);
    let mut r = result(
        "beliefs (update_trust, rate 0.05) round 1 vs 10; conditional cooperators' round-1 contribution − belief".into(),
        "beliefs fall; gap < 0 (imperfect conditional cooperation)".into(),
        "Fischbacher & Gächter 2010 (elicited beliefs)",
        Rule::Pattern,
    );
    r.measured = format!("belief {} → {}; gap {}", fmt(b1), fmt(b10), fmt(gap));
    r.ci = Some(gap_ci);
    r.replications = runs.len();
    r.tolerance = "disjoint CIs; gap CI < 0".into();
    r.pass = b10_ci.1 < b1_ci.0 && gap_ci.1 < 0.0;
    r
}

/// The published decline as a series of round means: from 0.5 of the endowment in round 1 to
/// 0.15 in round 10 (to 30%, the middle of "a quarter to a third"), linearly.
pub fn published_series() -> Vec<f64> {
    (0..ROUNDS)
        .map(|t| 0.5 * (1.0 - 0.7 * t as f64 / (ROUNDS - 1) as f64))
        .collect()
}

/// Beliefs held before each round by a member who sees `observed` after each round and
/// updates with `update_trust` at `rate` from 0.5.
fn beliefs_fed(k: &KernelFns, observed: &[f64], rate: f64) -> Vec<f64> {
    let mut b = START_BELIEF;
    observed
        .iter()
        .map(|c| {
            let held = b;
            b = (k.update_trust)(b, *c, rate, rate);
            held
        })
        .collect()
}

/// The belief rule alone, fed the published decline: do beliefs fall in step with the
/// contributions they observe, as FG 2010's elicited beliefs did? In step: the ten-round belief
/// ratio b₁₀/b₁ within ±0.15 of the ratio of the contributions observed by then, c₉/c₁ = 0.378
/// (a belief held before round 10 has seen rounds 1–9). Derived before the first run: at the
/// city's rate 0.05 the ratio is 0.875 (beliefs 0.50 → 0.44), so expected to fail; rate 0.2
/// gives 0.637, 0.5 gives 0.455 (in step), 1 gives 0.378.
pub fn belief_rule_check(k: &KernelFns) -> CheckResult {
    let c = published_series();
    let target = c[ROUNDS as usize - 2] / c[0];
    let ratio = |rate: f64| {
        let b = beliefs_fed(k, &c, rate);
        b[ROUNDS as usize - 1] / b[0]
    };
    let measured = ratio(CITY_BELIEF_RATE);
    let tol = 0.15;
    let slowest_in_step = (1..=100)
        .map(|i| i as f64 / 100.0)
        .find(|&rate| (ratio(rate) - target).abs() <= tol);
    let mut r = result(
        "belief ratio round 10 / round 1, update_trust at the city's rate 0.05, fed the published decline 0.5 → 0.15".into(),
        format!("{} ± {} (in step with the contributions observed)", fmt(target), fmt(tol)),
        "Fischbacher & Gächter 2010 (elicited beliefs decline with contributions)",
        Rule::Pattern,
    );
    r.measured = format!(
        "{} (beliefs {} → {})",
        fmt(measured),
        fmt(START_BELIEF),
        fmt(beliefs_fed(k, &c, CITY_BELIEF_RATE)[ROUNDS as usize - 1])
    );
    r.tolerance = format!("±{}", fmt(tol));
    r.pass = (measured - target).abs() <= tol;
    r.notes = vec![format!(
        "ratio at rates 0.2, 0.5, 1: {}, {}, {}; slowest rate in step: {}",
        fmt(ratio(0.2)),
        fmt(ratio(0.5)),
        fmt(ratio(1.0)),
        slowest_in_step.map_or("none".into(), fmt)
    )];
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::games::kernel;

    /// Conditional cooperation switched off: the weight ignores ψ.
    fn unconditional(_psi: f64, _expected: f64) -> f64 {
        1.0
    }

    #[test]
    fn the_derived_figures_are_those_stated() {
        let (c, b) = mean_field(&city_game(Population::Types), CITY_BELIEF_RATE, 0.5, 10);
        assert!((c[0] - 0.583).abs() < 0.001, "{c:?}");
        assert!((c[9] - 0.602).abs() < 0.001, "{c:?}");
        assert!((b[9] - 0.534).abs() < 0.001, "{b:?}");
        // The city's ψ at the published shares.
        assert!((crate::model::levers::conditionality(0.5, 0.3) - 0.5 / 0.7).abs() < 1e-12);
        assert_eq!(kernel::conditional_weight(0.0, 0.3), 1.0);
    }

    #[test]
    fn the_mean_field_check_fails_when_conditional_cooperation_is_broken() {
        let city = KernelFns::CITY;
        assert!(mean_field_check(&city, Mode::Quick).pass);
        let broken = KernelFns {
            conditional_weight: unconditional,
            ..city
        };
        assert!(!mean_field_check(&broken, Mode::Quick).pass);
    }
}
