//! Docking checks of the city's own decision rule (issue 13, games 1–3): the logit choice in the
//! linear public goods game with altruism, the logit equilibria of the binary weakest-link
//! game, and Bush–Mosteller habits against Macy & Flache's rule.
//!
//! Every check takes the kernel functions as a [`KernelFns`] value; `cogov validate` passes
//! [`KernelFns::CITY`], the functions the city calls, and a test passes a broken one to show the
//! check fails. Expected figures are computed here from the equations derived by hand (written
//! out below, not through the kernel), so a broken kernel cannot move the expectation with it.
//! Each expected figure and tolerance was fixed in this file before the check was first run.

use rayon::prelude::*;

use super::checks::{result, seeds, summarise};
use super::{fmt, CheckResult, Mode, Rule};
use crate::games::bush_mosteller_pd::{self as bm, Dilemma, Learning};
use crate::games::city::{self, CHOICE_TEMPERATURE as CITY_BETA};
pub use crate::games::logit_game::ALTRUISM;
use crate::games::logit_game::{
    fixed_points, simulate, BinaryGame, FixedPoint, Play, WEAKEST_LINK_BENEFIT,
};
use crate::games::KernelFns;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Population sizes per mode for the logit games.
fn population(mode: Mode, start_belief: f64) -> (Play, u64) {
    let (agents, n) = match mode {
        Mode::Quick => (1_200, 5),
        Mode::Full => (6_000, 10),
    };
    (
        Play {
            agents,
            rounds: 400,
            window: 100,
            belief_rate: city::TRUST_RATE,
            start_belief,
        },
        n,
    )
}

/// Mean contribution (and its interval) of `game` over the seeds of `mode`.
fn contributions(
    game: &BinaryGame,
    k: &KernelFns,
    mode: Mode,
    start: f64,
) -> (Vec<f64>, f64, (f64, f64)) {
    let (play, n) = population(mode, start);
    let values: Vec<f64> = seeds(n)
        .par_iter()
        .map(|&seed| simulate(game, k, &play, seed).contribution)
        .collect();
    let (mean, ci) = summarise(&values);
    (values, mean, ci)
}

// ---------------------------------------------------------------------------------------------
// Game 1: logit choice with altruism in the linear public goods game.

/// The treatments: Isaac & Walker's (1988) marginal per-capita returns 0.3 and 0.75 and group
/// sizes 4 and 10.
pub const PGG_TREATMENTS: [(f64, usize); 4] = [(0.3, 4), (0.75, 4), (0.3, 10), (0.75, 10)];

/// Logit equilibrium of the linear game, derived: contributing changes own earnings by
/// `mpcr − 1` and the others' by `(n − 1)·mpcr`, so `ΔU = mpcr(1 + α(n − 1)) − 1` whatever the
/// others do, and `p* = 1/(1 + exp(−ΔU/β))`. With α = 0.1 and β = 0.5:
/// (0.3, 4) → 0.2279; (0.75, 4) → 0.4875; (0.3, 10) → 0.2973; (0.75, 10) → 0.7006.
pub fn pgg_equilibrium(mpcr: f64, n: usize) -> f64 {
    logistic((mpcr * (1.0 + ALTRUISM * (n as f64 - 1.0)) - 1.0) / CITY_BETA)
}

/// Simulated contribution in one treatment against its logit equilibrium, ±0.01 (sampling
/// noise of 1,200 × 100 choices per run is about 0.0015).
pub fn pgg_equilibrium_check(k: &KernelFns, mode: Mode, mpcr: f64, n: usize) -> CheckResult {
    let game = BinaryGame::linear_with_altruism(n, mpcr, ALTRUISM, CITY_BETA);
    let expected = pgg_equilibrium(mpcr, n);
    let (values, mean, ci) = contributions(&game, k, mode, 0.5);
    // The solved fixed point of the kernel's own response, to show the simulation's target.
    let solved: Vec<FixedPoint> = fixed_points(|q| game.response(k, q));
    let tol = 0.01;
    let mut r = result(
        format!("contribution rate, linear PGG, mpcr = {mpcr}, n = {n}, altruism α = {ALTRUISM}, β = {CITY_BETA}, kernel logit + pivotality (r = 1)"),
        fmt(expected),
        "logit equilibrium with altruism, Anderson, Goeree & Holt 1998; Goeree, Holt & Laury 2002",
        Rule::Estimate,
    );
    r.estimate_within(expected, mean, ci, values.len(), tol);
    r.notes = vec![format!(
        "fixed points of the kernel's response: {}",
        solved
            .iter()
            .map(|f| fmt(f.p))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    r
}

/// Contributions rise with the marginal return and with group size (Isaac & Walker 1988;
/// Goeree, Holt & Laury 2002; the altruism model of Anderson, Goeree & Holt 1998): the
/// simulated rates, with disjoint intervals, must order as 0.3/4 < 0.75/4, 0.3/4 < 0.3/10,
/// 0.3/10 < 0.75/10 and 0.75/4 < 0.75/10.
pub fn pgg_statics_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let runs: Vec<(f64, (f64, f64))> = PGG_TREATMENTS
        .iter()
        .map(|&(mpcr, n)| {
            let game = BinaryGame::linear_with_altruism(n, mpcr, ALTRUISM, CITY_BETA);
            let (_, mean, ci) = contributions(&game, k, mode, 0.5);
            (mean, ci)
        })
        .collect();
    let below = |a: usize, b: usize| runs[a].1 .1 < runs[b].1 .0;
    let ordered = below(0, 1) && below(0, 2) && below(2, 3) && below(1, 3);
    let mut r = result(
        "contribution rates across mpcr ∈ {0.3, 0.75} × n ∈ {4, 10}".into(),
        "rise with mpcr and with n".into(),
        "Isaac & Walker 1988; Goeree, Holt & Laury 2002; Anderson, Goeree & Holt 1998",
        Rule::Pattern,
    );
    r.measured = PGG_TREATMENTS
        .iter()
        .zip(&runs)
        .map(|(&(m, n), (mean, _))| format!("{m}/{n}: {}", fmt(*mean)))
        .collect::<Vec<_>>()
        .join(", ");
    r.replications = population(mode, 0.5).1 as usize;
    r.tolerance = "disjoint 95% CIs".into();
    r.pass = ordered;
    r
}

// ---------------------------------------------------------------------------------------------
// Game 2: logit equilibria of the binary weakest-link game.

/// The weakest-link game at the city's β and complement exponent: the public good is 1 only
/// when every member contributes (`r = −2`), worth 4 to each member against a contribution
/// cost `cost`. In the city's terms (its `pivotal_ratio` divides by the share 1/n) that is
/// `n·b·m·v`, e.g. `public_benefit` b = 4 with m·v = 1/3 at n = 3.
pub fn weakest_link(n: usize, cost: f64) -> BinaryGame {
    BinaryGame::weakest_link(n, WEAKEST_LINK_BENEFIT, cost, CITY_BETA)
}

/// The derived fixed-point equation: a member believing each partner contributes with
/// probability `q` gains `benefit` only if all `n − 1` do, so `ΔU = benefit·q^{n−1} − cost` and
/// the symmetric logit equilibria solve `p = 1/(1 + exp(−(benefit·p^{n−1} − cost)/β))`.
///
/// For n = 3, cost 1 (β = 0.5): `p = L(2(4p² − 1))` has three solutions, 0.1353 (stable),
/// exactly 0.5 (unstable: slope 2 there) and 0.9974 (stable). For cost 1.5 (n = 3) the
/// solutions are ≈ 0.048, ≈ 0.68, ≈ 0.993; for n = 4 (cost 1) ≈ 0.121, ≈ 0.71, ≈ 0.9974.
pub fn derived_response(game: &BinaryGame, q: f64) -> f64 {
    logistic((game.benefit * q.powi(game.n as i32 - 1) - game.cost) / game.beta)
}

/// The kernel's response equals the derived one (to 1e-12 on a grid of beliefs), and the
/// derived equation has three solutions at n = 3, cost 1: stable 0.1353, unstable 0.5, stable
/// 0.9974 (±0.0005).
pub fn wl_fixed_points_check(k: &KernelFns) -> CheckResult {
    let game = weakest_link(3, 1.0);
    let worst = (0..=1000)
        .map(|i| {
            let q = i as f64 / 1000.0;
            (game.response(k, q) - derived_response(&game, q)).abs()
        })
        .fold(0.0, f64::max);
    let found = fixed_points(|q| derived_response(&game, q));
    let want = [(0.1353, true), (0.5, false), (0.9974, true)];
    let tol = 0.0005;
    let matches = found.len() == 3
        && found
            .iter()
            .zip(want)
            .all(|(f, (p, stable))| (f.p - p).abs() <= tol && f.stable == stable);
    let mut r = result(
        "symmetric logit equilibria of the binary weakest-link game, n = 3, benefit 4, cost 1, β = 0.5, r = −2; kernel response vs derived".into(),
        "0.1353 stable, 0.5 unstable, 0.9974 stable; kernel = derived".into(),
        "derived here: p = L((b·p^(n−1) − c)/β); Anderson, Goeree & Holt 2001",
        Rule::Exact,
    );
    r.measured = format!(
        "{}; max |kernel − derived| = {:.1e}",
        found
            .iter()
            .map(|f| format!(
                "{} {}",
                fmt(f.p),
                if f.stable { "stable" } else { "unstable" }
            ))
            .collect::<Vec<_>>()
            .join(", "),
        worst
    );
    r.tolerance = format!("±{} (points), 1e-12 (response)", fmt(tol));
    r.pass = matches && worst <= 1e-12;
    r
}

/// From a common belief on one side of the unstable point, the population (kernel logit,
/// beliefs from observed rates, no habits) settles on the stable point of that side:
/// start 0.4 → 0.1353, start 0.6 → 0.9974, each ±0.02 (belief dispersion with rate 0.05 moves
/// the mean by well under 0.01).
pub fn wl_basin_check(k: &KernelFns, mode: Mode, start: f64) -> CheckResult {
    let game = weakest_link(3, 1.0);
    let stable: Vec<f64> = fixed_points(|q| derived_response(&game, q))
        .into_iter()
        .filter(|f| f.stable)
        .map(|f| f.p)
        .collect();
    let expected = if start < 0.5 {
        stable[0]
    } else {
        stable[stable.len() - 1]
    };
    let (values, mean, ci) = contributions(&game, k, mode, start);
    let tol = 0.02;
    let (play, _) = population(mode, start);
    let mut r = result(
        format!("contribution rate after {} rounds from belief {start}, weakest link n = 3, cost 1, {} agents rematched each round, belief rate {}", play.rounds, play.agents, play.belief_rate),
        format!("{} (the stable point on that side of 0.5)", fmt(expected)),
        "derived fixed points; stochastic fictitious play → logit equilibria, Hofbauer & Sandholm 2002",
        Rule::Estimate,
    );
    r.estimate_within(expected, mean, ci, values.len(), tol);
    r
}

/// Effort falls with its cost and with group size: (a) every stable solution of the derived
/// equation is lower, and the unstable one (the edge of the high-effort basin) higher, at
/// cost 1.5 than at cost 1 and at n = 4 than at n = 3; (b) from the same belief 0.6 the
/// simulated contribution is lower (disjoint intervals) at cost 1.5 and at n = 4 than at
/// n = 3, cost 1 — the first ends near 0.9974, the others near 0.048 and 0.121.
pub fn wl_statics_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let base = weakest_link(3, 1.0);
    let variants = [weakest_link(3, 1.5), weakest_link(4, 1.0)];
    let points = |g: &BinaryGame| fixed_points(|q| derived_response(g, q));
    let falls = |a: &[FixedPoint], b: &[FixedPoint]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| if x.stable { y.p < x.p } else { y.p > x.p })
    };
    let base_points = points(&base);
    let derived_ok = variants.iter().all(|v| falls(&base_points, &points(v)));
    let (_, base_mean, base_ci) = contributions(&base, k, mode, 0.6);
    let sims: Vec<(f64, (f64, f64))> = variants
        .iter()
        .map(|v| {
            let (_, m, ci) = contributions(v, k, mode, 0.6);
            (m, ci)
        })
        .collect();
    let simulated_ok = sims.iter().all(|(_, ci)| ci.1 < base_ci.0);
    let mut r = result(
        "weakest link: equilibria and simulated contribution from belief 0.6 at (n, cost) = (3, 1), (3, 1.5), (4, 1)".into(),
        "effort falls with cost and with n".into(),
        "Anderson, Goeree & Holt 2001; Van Huyck, Battalio & Beil 1990 (n); Goeree & Holt 2005 (cost)",
        Rule::Pattern,
    );
    r.measured = format!(
        "(3, 1): {}, (3, 1.5): {}, (4, 1): {}; equilibria {}",
        fmt(base_mean),
        fmt(sims[0].0),
        fmt(sims[1].0),
        if derived_ok { "ordered" } else { "NOT ordered" }
    );
    r.replications = population(mode, 0.6).1 as usize;
    r.tolerance = "disjoint 95% CIs".into();
    r.pass = derived_ok && simulated_ok;
    r.notes = [&base, &variants[0], &variants[1]]
        .iter()
        .map(|g| {
            format!(
                "n = {}, cost {}: fixed points {}",
                g.n,
                g.cost,
                points(g)
                    .iter()
                    .map(|f| fmt(f.p))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    r
}

// ---------------------------------------------------------------------------------------------
// Game 3: Bush–Mosteller in the repeated prisoner's dilemma.

/// The reference setting of Izquierdo, Izquierdo & Gotts (2008): PD [4, 3, 1, 0], aspiration 2.
fn reference(rate: f64, aspiration: f64, habituation: f64) -> Learning {
    Learning {
        dilemma: Dilemma::PD,
        rule: bm::Rule::MacyFlache,
        rate,
        aspiration,
        habituation,
        forgetting: 0.0,
    }
}

/// The city's rule at its own defaults: `habit_rate` 0.1, forgetting 0.1, and `aspiration_rate`
/// 0.05 when it habituates.
///
/// **Expectations with forgetting, derived before the first run with it** (mean field, two
/// symmetric players cooperating with probability p; stated here and committed before any
/// `bm_city_*` figure with forgetting was measured). Forgetting at φ = 0.1 with habit_rate 0.1
/// makes each habit settle where forgetting balances learning: ρ(a) ≈ (0.1/φ)·P(a)·E[π − A | a]
/// = P(a)·E[π − A | a] (at most 0.1·2/0.1 = 2 in size, so the clip ±2 never binds). With
/// PD [4, 3, 1, 0]: E[π | C] = 3p, E[π | D] = 3p + 1, so the log-odds x = ρ_C − ρ_D and
/// p = 1/(1 + e^(−x)) solve
/// - A = 2: x = p(3p − 2) − (1 − p)(3p − 1) = 6p² − 6p + 1, a unique fixed point p ≈ 0.395, so
///   mutual cooperation ≈ p² ≈ 0.16 (we expect 0.13–0.21 with the correlation between the pair's
///   habits): far from the reference's lock-in and the ≥ 0.8 the check asks (still a known
///   disagreement), but no longer the 0.012 of the rule without forgetting;
/// - A = 0.5: x = 6p² − 3p − 0.5, fixed point p ≈ 0.297, mutual cooperation ≈ 0.09 (0.07–0.14):
///   **lower than at A = 2**, so `bm_high_aspiration` is now expected to pass in both rules
///   (the reference is unchanged: 0.9995 vs 0.075) and leaves the known disagreements;
/// - habituating A (rate 0.05) tracks the mean payoff 2p + 1: x = −2p(1 − p), fixed point
///   p ≈ 0.384, mutual cooperation ≈ 0.148, about 0.008 below the fixed-aspiration 0.156. The
///   city's difference is expected in −0.02..0 (sign negative, as the check asks, but small);
///   the reference part is unchanged (−0.37), so `bm_habituation` stays a known disagreement.
fn city(aspiration: f64, habituation: f64) -> Learning {
    Learning {
        rule: bm::Rule::CityHabits,
        forgetting: city::HABIT_FORGETTING,
        ..reference(city::HABIT_RATE, aspiration, habituation)
    }
}

fn pairs(mode: Mode) -> u64 {
    match mode {
        Mode::Quick => 200,
        Mode::Full => 2_000,
    }
}

/// Runs `pairs(mode)` pairs for `rounds`, averaging over `window`.
fn pair_runs(
    l: &Learning,
    k: &KernelFns,
    mode: Mode,
    rounds: u32,
    window: (u32, u32),
) -> Vec<bm::Run> {
    seeds(pairs(mode))
        .par_iter()
        .map(|&seed| bm::play(l, k, rounds, window, seed))
        .collect()
}

/// The reference's self-correcting equilibrium: the symmetric zero of its expected motion.
/// Izquierdo & Izquierdo (2008) report the SCE of [4, 3, 1, 0 | 2] at [0.37, 0.37]; derived,
/// `(1 − p)(1/2 − p − p²) = 0` gives (√3 − 1)/2 = 0.3660. Tolerance ±0.005 (two decimals).
pub fn bm_sce_check() -> CheckResult {
    let found = bm::self_correcting_equilibria(&reference(0.5, 2.0, 0.0));
    let (expected, tol) = (0.37, 0.005);
    let mut r = result(
        "SCE of Macy & Flache's rule (reference), PD [4, 3, 1, 0], aspiration 2: zero of the expected motion".into(),
        fmt(expected),
        "Izquierdo & Izquierdo 2008 (SCE [0.37, 0.37]); Izquierdo, Izquierdo & Gotts 2008",
        Rule::Threshold,
    );
    r.measured = found
        .iter()
        .map(|f| fmt(f.p))
        .collect::<Vec<_>>()
        .join(", ");
    r.tolerance = format!("±{}", fmt(tol));
    r.pass = found.len() == 1 && (found[0].p - expected).abs() <= tol;
    r
}

/// With fast learning (l = 0.5) the reference locks into the unique SRE, mutual cooperation:
/// expected in every run, both players' probability of cooperating above 0.99 after 1,000
/// rounds (Izquierdo, Izquierdo & Gotts 2008: with high learning rates the system quickly
/// reaches its asymptotic behaviour, the SRE [1, 1]).
pub fn bm_lock_in_check(mode: Mode) -> CheckResult {
    let runs = pair_runs(
        &reference(0.5, 2.0, 0.0),
        &KernelFns::CITY,
        mode,
        1_000,
        (900, 1_000),
    );
    let locked = runs
        .iter()
        .filter(|r| r.final_p.iter().all(|p| *p > 0.99))
        .count();
    let mut r = result(
        "reference, PD [4, 3, 1, 0 | A = 2 | l = 0.5]: runs with both P(C) > 0.99 after 1000 rounds".into(),
        "all runs (lock-in to mutual cooperation)".into(),
        "Izquierdo, Izquierdo & Gotts 2008; Macy & Flache 2002",
        Rule::Pattern,
    );
    r.measured = format!("{locked}/{}", runs.len());
    r.replications = runs.len();
    r.tolerance = "all runs".into();
    r.pass = locked == runs.len();
    r
}

/// With slow learning (l = 2⁻⁴) the reference first moves to the SCE and lingers there: the
/// mean P(C) over rounds 101–300 is expected at 0.37 ± 0.05 (Izquierdo & Izquierdo 2008, the
/// transient regime of slow learning; figure 2 runs 1,000 rounds of this game).
pub fn bm_slow_transient_check(mode: Mode) -> CheckResult {
    let runs = pair_runs(
        &reference(1.0 / 16.0, 2.0, 0.0),
        &KernelFns::CITY,
        mode,
        300,
        (100, 300),
    );
    let values: Vec<f64> = runs.iter().map(|r| r.mean_p).collect();
    let (mean, ci) = summarise(&values);
    let (expected, tol) = (0.37, 0.05);
    let mut r = result(
        "reference, PD [4, 3, 1, 0 | A = 2 | l = 1/16]: mean P(C) over rounds 101–300".into(),
        fmt(expected),
        "Izquierdo & Izquierdo 2008; Izquierdo, Izquierdo & Gotts 2008 (slow learning: transient near the SCE)",
        Rule::Estimate,
    );
    r.estimate_within(expected, mean, ci, values.len(), tol);
    r
}

/// Mutual-cooperation rate over rounds 1001–2000 of each run.
fn mutual_cooperation(l: &Learning, k: &KernelFns, mode: Mode) -> (f64, (f64, f64)) {
    let runs = pair_runs(l, k, mode, 2_000, (1_000, 2_000));
    let values: Vec<f64> = runs.iter().map(|r| r.mutual_cooperation).collect();
    summarise(&values)
}

/// The city's rule comes near mutual cooperation with a high aspiration (A = 2, between P and
/// R) but cannot lock in: its clip caps P(CC) at 0.982² = 0.964. Expected: the mutual
/// cooperation rate over rounds 1001–2000 at least 0.8 (lower end of the interval), below the
/// ceiling; the reference is at 1 there (absorbing). (With forgetting we derive ≈ 0.16
/// instead, see [`city`]; the check keeps the pattern it was committed with.)
pub fn bm_city_near_cooperation_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let (mean, ci) = mutual_cooperation(&city(2.0, 0.0), k, mode);
    let ceiling = {
        let p = (2.0f64).exp() / ((2.0f64).exp() + (-2.0f64).exp());
        p * p
    };
    let mut r = result(
        "city rule (habits in a logit, habit_rate 0.1), PD [4, 3, 1, 0], A = 2: mutual cooperation over rounds 1001–2000".into(),
        format!("≥ 0.8, ≤ {} (clip ceiling); reference: 1", fmt(ceiling)),
        "relational equivalence with Macy & Flache 2002 lock-in (Axtell et al. 1996)",
        Rule::Pattern,
    );
    r.measured = fmt(mean);
    r.ci = Some(ci);
    r.replications = pairs(mode) as usize;
    r.tolerance = "CI within [0.8, ceiling]".into();
    r.pass = ci.0 >= 0.8 && ci.1 <= ceiling;
    r
}

/// Lock-in near mutual cooperation needs a high aspiration: with A = 0.5 (below P, so mutual
/// defection also satisfies) mutual cooperation is lower than with A = 2, in the reference
/// (where mutual defection becomes a second SRE) and in the city's rule (where both habits
/// are reinforced and the logit spreads between them). Expected: CC(A = 2) > CC(A = 0.5) in
/// both, with disjoint intervals. (Without forgetting the city's rule reversed the order; with
/// the city's forgetting the derived figures are ≈ 0.16 vs ≈ 0.09, see [`city`].)
pub fn bm_aspiration_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let rows = [
        (
            "reference",
            reference(0.5, 2.0, 0.0),
            reference(0.5, 0.5, 0.0),
        ),
        ("city", city(2.0, 0.0), city(0.5, 0.0)),
    ];
    let mut measured = Vec::new();
    let mut pass = true;
    for (name, high, low) in rows {
        let (h, h_ci) = mutual_cooperation(&high, k, mode);
        let (l, l_ci) = mutual_cooperation(&low, k, mode);
        pass &= l_ci.1 < h_ci.0;
        measured.push(format!("{name}: A=2 {}, A=0.5 {}", fmt(h), fmt(l)));
    }
    let mut r = result(
        "mutual cooperation over rounds 1001–2000, PD [4, 3, 1, 0], aspiration 2 vs 0.5, reference (l = 0.5) and city rule (habit_rate 0.1)".into(),
        "higher with A = 2 in both".into(),
        "Macy & Flache 2002 (SREs: CC only when P < A < R); relational equivalence",
        Rule::Pattern,
    );
    r.measured = measured.join("; ");
    r.replications = pairs(mode) as usize;
    r.tolerance = "disjoint 95% CIs".into();
    r.pass = pass;
    r
}

/// Habituating aspirations (rate 0.05, the city's `aspiration_rate`), from A = 2. Expected,
/// derived here (not a published figure): in the city's rule the aspiration rises toward the
/// mutual-cooperation payoff, so mutual cooperation stops reinforcing the cooperative habit
/// while temptation still rewards defection and the sucker's payoff punishes cooperation:
/// mutual cooperation falls (difference below 0, interval excluding 0). In the reference,
/// lock-in at l = 0.5 takes tens of rounds, before the aspiration has moved much, and a locked
/// state stays locked (R ≥ A throughout): the difference is expected within ±0.05.
pub fn bm_habituation_check(k: &KernelFns, mode: Mode) -> CheckResult {
    let diff = |fixed: Learning, habituating: Learning| {
        let a: Vec<f64> = pair_runs(&fixed, k, mode, 2_000, (1_000, 2_000))
            .iter()
            .map(|r| r.mutual_cooperation)
            .collect();
        let b: Vec<f64> = pair_runs(&habituating, k, mode, 2_000, (1_000, 2_000))
            .iter()
            .map(|r| r.mutual_cooperation)
            .collect();
        let d: Vec<f64> = b.iter().zip(&a).map(|(x, y)| x - y).collect();
        summarise(&d)
    };
    let (ref_d, ref_ci) = diff(reference(0.5, 2.0, 0.0), reference(0.5, 2.0, 0.05));
    let (city_d, city_ci) = diff(city(2.0, 0.0), city(2.0, 0.05));
    let mut r = result(
        "change in mutual cooperation (rounds 1001–2000) when aspirations habituate at 0.05, from A = 2; paired by seed".into(),
        "city: < 0; reference: within ±0.05".into(),
        "derived here (see docs/VALIDATION.md); Macy & Flache 2002 habituation",
        Rule::Pattern,
    );
    r.measured = format!("city {}, reference {}", fmt(city_d), fmt(ref_d));
    r.ci = Some(city_ci);
    r.replications = pairs(mode) as usize;
    r.tolerance = "city CI < 0; reference CI within ±0.05".into();
    r.pass = city_ci.1 < 0.0 && ref_ci.0 >= -0.05 && ref_ci.1 <= 0.05;
    r.notes = vec![format!(
        "reference difference CI [{}, {}]",
        fmt(ref_ci.0),
        fmt(ref_ci.1)
    )];
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::games::kernel::{self, N_ACTIONS};

    /// The city's logit with a temperature twice the one it is given: a plausible slip.
    fn hot_logit(u: &[f64; N_ACTIONS], h: &[f64; N_ACTIONS], beta: f64) -> [f64; N_ACTIONS] {
        kernel::logit_probabilities(u, h, 2.0 * beta)
    }

    /// Pivotality that ignores the exponent and treats every issue as substitutes.
    fn substitutes_pivotality(shares: &[f64], p: &[f64], i: usize, _r: f64) -> f64 {
        kernel::pivotality(shares, p, i, 1.0)
    }

    #[test]
    fn the_checks_fail_when_the_kernel_function_they_exercise_is_broken() {
        let city = KernelFns::CITY;
        let broken_logit = KernelFns {
            logit_probabilities: hot_logit,
            ..city
        };
        assert!(pgg_equilibrium_check(&city, Mode::Quick, 0.3, 4).pass);
        assert!(!pgg_equilibrium_check(&broken_logit, Mode::Quick, 0.3, 4).pass);
        assert!(wl_fixed_points_check(&city).pass);
        assert!(!wl_fixed_points_check(&broken_logit).pass);
        let broken_pivotality = KernelFns {
            pivotality: substitutes_pivotality,
            ..city
        };
        assert!(!wl_fixed_points_check(&broken_pivotality).pass);
        // Game 3 docks forgetting: without it the city's rule reverses the aspiration effect.
        let no_forgetting = KernelFns {
            forget_habits: |_, _| {},
            ..city
        };
        assert!(bm_aspiration_check(&city, Mode::Quick).pass);
        assert!(!bm_aspiration_check(&no_forgetting, Mode::Quick).pass);
    }
}
