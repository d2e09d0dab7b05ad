//! The docking checks, each with its sizes per mode, expected value, source and tolerance.
//! Replications of one check run in parallel (rayon) and are collected in seed order, so the
//! numbers do not depend on the thread count.

use rayon::prelude::*;

use super::city_rule as cr;
use super::conditional as cc;
use super::thresholds::{self, Search, Side};
use super::{fmt, CheckResult, Mode, Rule};
use crate::experiment::stats::Moments;
use crate::games::lattice::Lattice;
use crate::games::nowak_may::{single_defector_counts, NowakMay};
use crate::games::play::play;
use crate::games::spatial_pgg::{single_cooperator_payoffs, PggParams, SpatialPgg};
use crate::games::well_mixed::{Imitation, WellMixedParams};
use crate::games::{GameSpec, KernelFns};

/// How a check runs: in a mode, reporting progress notes.
type RunCheck = fn(Mode, &mut dyn FnMut(&str)) -> CheckResult;

/// One check: its identifier and how to run it.
pub(super) struct Check {
    pub id: &'static str,
    pub run: RunCheck,
}

/// Checks whose failure is understood and written up in `docs/VALIDATION.md` ("Game 3"): each
/// keeps the expectation it was committed with. Found on their first run (2026-12-01).
pub(super) const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "bm_reference_lock_in",
        "the reference locks in with probability 1 but not always by round 1000: a tail of late lock-ins (about 0.2–0.5% of runs)",
    ),
    (
        "bm_city_near_cooperation",
        "the city's additive habits have no absorbing state; with forgetting (φ = 0.1) they settle at a mean-field P(C) ≈ 0.4, mutual cooperation ≈ 0.16, not lock-in",
    ),
    (
        "bm_habituation",
        "the stated expectation for the reference was wrong: habituation breaks its lock-in too (A → R silences the CC stimulus)",
    ),
    (
        "cc_fg2010_decline",
        "at the city's defaults the kernel's conditional cooperators contribute more than they believe, so contributions rise; no K with a 40–60% start declines below 0.85 of it in ten rounds",
    ),
    (
        "cc_fg2010_beliefs",
        "beliefs follow contributions, which rise: the kernel's conditional cooperation is over-, not imperfectly, conditional at the city's defaults (gap +0.20)",
    ),
    (
        "cc_belief_rule_in_step",
        "the city's trust rate 0.05 per week moves a belief about 37% of the way in nine rounds; beliefs fed the published decline fall to 0.88 of their start, not 0.38 (rates ≥ 0.34 would be in step)",
    ),
];

/// The known disagreement `id` is, if any.
pub(super) fn known_disagreement(id: &str) -> Option<&'static str> {
    KNOWN_DISAGREEMENTS
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, why)| *why)
}

/// The checks of `mode`, in the order they run and print.
pub(super) fn all(mode: Mode) -> Vec<Check> {
    let mut v = vec![
        Check {
            id: "nm_single_defector_b1.85",
            run: |_, _| single_defector(1.85, [9, 25]),
        },
        Check {
            id: "nm_single_defector_b1.75",
            run: |_, _| single_defector(1.75, [9, 9]),
        },
        Check {
            id: "nm_numpy_peer_lattices",
            run: |_, _| peer_lattices(),
        },
        Check {
            id: "nm_b1.85_share",
            run: |m, _| nm_share(m, Reference::Theory),
        },
        Check {
            id: "nm_b1.85_share_vs_peer",
            run: |m, _| nm_share(m, Reference::Peer),
        },
        Check {
            id: "pgg_hand_payoffs",
            run: |_, _| pgg_hand_payoffs(),
        },
        Check {
            id: "pgg_r3_cooperators_die_out",
            run: |m, _| pgg_extinction(m, 3.0),
        },
        Check {
            id: "pgg_r6_defectors_die_out",
            run: |m, _| pgg_extinction(m, 6.0),
        },
        Check {
            id: "pgg_r4.5_mixed_share",
            run: |m, _| pgg_mixed(m),
        },
        Check {
            id: "wm_replicator_r3",
            run: |m, _| well_mixed(m, 3.0, Imitation::Proportional),
        },
        Check {
            id: "wm_replicator_r8",
            run: |m, _| well_mixed(m, 8.0, Imitation::Proportional),
        },
        Check {
            id: "wm_fermi_mean_field_r6",
            run: |m, _| well_mixed(m, 6.0, Imitation::Fermi { k: 0.5 }),
        },
        // The city's own decision rule (city_rule.rs), on the functions the city calls.
        Check {
            id: "logit_pgg_mpcr0.3_n4",
            run: |m, _| cr::pgg_equilibrium_check(&KernelFns::CITY, m, 0.3, 4),
        },
        Check {
            id: "logit_pgg_mpcr0.75_n4",
            run: |m, _| cr::pgg_equilibrium_check(&KernelFns::CITY, m, 0.75, 4),
        },
        Check {
            id: "logit_pgg_mpcr0.3_n10",
            run: |m, _| cr::pgg_equilibrium_check(&KernelFns::CITY, m, 0.3, 10),
        },
        Check {
            id: "logit_pgg_mpcr0.75_n10",
            run: |m, _| cr::pgg_equilibrium_check(&KernelFns::CITY, m, 0.75, 10),
        },
        Check {
            id: "logit_pgg_comparative_statics",
            run: |m, _| cr::pgg_statics_check(&KernelFns::CITY, m),
        },
        Check {
            id: "wl_logit_fixed_points",
            run: |_, _| cr::wl_fixed_points_check(&KernelFns::CITY),
        },
        Check {
            id: "wl_settles_low_from_0.4",
            run: |m, _| cr::wl_basin_check(&KernelFns::CITY, m, 0.4),
        },
        Check {
            id: "wl_settles_high_from_0.6",
            run: |m, _| cr::wl_basin_check(&KernelFns::CITY, m, 0.6),
        },
        Check {
            id: "wl_effort_falls_with_cost_and_n",
            run: |m, _| cr::wl_statics_check(&KernelFns::CITY, m),
        },
        Check {
            id: "bm_reference_sce",
            run: |_, _| cr::bm_sce_check(),
        },
        Check {
            id: "bm_reference_lock_in",
            run: |m, _| cr::bm_lock_in_check(m),
        },
        Check {
            id: "bm_reference_slow_transient",
            run: |m, _| cr::bm_slow_transient_check(m),
        },
        Check {
            id: "bm_city_near_cooperation",
            run: |m, _| cr::bm_city_near_cooperation_check(&KernelFns::CITY, m),
        },
        Check {
            id: "bm_high_aspiration",
            run: |m, _| cr::bm_aspiration_check(&KernelFns::CITY, m),
        },
        Check {
            id: "bm_habituation",
            run: |m, _| cr::bm_habituation_check(&KernelFns::CITY, m),
        },
        Check {
            id: "cc_kernel_mean_field",
            run: |m, _| cc::mean_field_check(&KernelFns::CITY, m),
        },
        Check {
            id: "cc_fg2010_start",
            run: |m, _| cc::start_check(&KernelFns::CITY, m),
        },
        Check {
            id: "cc_fg2010_decline",
            run: |m, _| cc::decline_check(&KernelFns::CITY, m),
        },
        Check {
            id: "cc_fg2010_beliefs",
            run: |m, _| cc::beliefs_check(&KernelFns::CITY, m),
        },
        Check {
            id: "cc_belief_rule_in_step",
            run: |_, _| cc::belief_rule_check(&KernelFns::CITY),
        },
    ];
    if mode == Mode::Full {
        v.push(Check {
            id: "pgg_threshold_cooperators",
            run: |_, note| pgg_threshold(Side::Cooperators, note),
        });
        v.push(Check {
            id: "pgg_threshold_defectors",
            run: |_, note| pgg_threshold(Side::Defectors, note),
        });
    }
    v
}

/// Seeds 1..=n.
pub(super) fn seeds(n: u64) -> Vec<u64> {
    (1..=n).collect()
}

/// Mean and 95% interval of `values`.
pub(super) fn summarise(values: &[f64]) -> (f64, (f64, f64)) {
    let mut m = Moments::default();
    values.iter().for_each(|x| m.push(*x));
    let h = m.ci95_half_width();
    (m.mean(), (m.mean() - h, m.mean() + h))
}

pub(super) fn result(
    what: String,
    expected: String,
    source: &'static str,
    rule: Rule,
) -> CheckResult {
    CheckResult {
        id: "",
        what,
        expected,
        source,
        measured: String::new(),
        ci: None,
        replications: 1,
        tolerance: "exact".into(),
        rule,
        pass: false,
        known: None,
        seconds: 0.0,
        notes: Vec::new(),
    }
}

fn single_defector(b: f64, expected: [usize; 2]) -> CheckResult {
    let got = single_defector_counts(11, b, 2);
    let mut r = result(
        format!("defectors after generations 1 and 2 from one defector in an all-C 11×11 torus, b = {b}"),
        format!("{}, {}", expected[0], expected[1]),
        "hand derivation; peers README (both peers)",
        Rule::Exact,
    );
    r.measured = format!("{}, {}", got[0], got[1]);
    r.pass = got == expected;
    r
}

/// The numpy peer's lattices (`nm_numpy.py --init-out/--final-out`), committed as fixtures.
const PEER_CASES: [(&str, &str, f64, u32); 2] = [
    (
        include_str!("../../tests/fixtures/nm_L50_b1.85_seed3_init.txt"),
        include_str!("../../tests/fixtures/nm_L50_b1.85_seed3_gen60.txt"),
        1.85,
        60,
    ),
    (
        include_str!("../../tests/fixtures/nm_L40_b2.0_seed2_init.txt"),
        include_str!("../../tests/fixtures/nm_L40_b2.0_seed2_gen60.txt"),
        2.0,
        60,
    ),
];

fn peer_lattices() -> CheckResult {
    let mut same = 0;
    let mut total = 0;
    for (init, fin, b, generations) in PEER_CASES {
        let start = Lattice::parse(init).expect("fixture lattice");
        let want = Lattice::parse(fin).expect("fixture lattice");
        let mut nm = NowakMay::new(start, b);
        for _ in 0..generations {
            nm.step();
        }
        total += want.cells().len();
        same += nm
            .strategies()
            .iter()
            .zip(want.cells())
            .filter(|(a, b)| a == b)
            .count();
    }
    let mut r = result(
        "final lattices from the numpy peer's initial lattices (L=50 b=1.85 seed 3; L=40 b=2.0 seed 2; 60 generations)".into(),
        format!("{total}/{total} sites equal"),
        "nm_numpy.py --init-out/--final-out (tests/fixtures)",
        Rule::Exact,
    );
    r.measured = format!("{same}/{total} sites equal");
    r.pass = same == total;
    r.replications = PEER_CASES.len();
    r
}

#[derive(Clone, Copy, PartialEq)]
enum Reference {
    Theory,
    Peer,
}

/// Time-averaged cooperator share of Nowak–May at b = 1.85 over generations 201..=G.
fn nm_share(mode: Mode, reference: Reference) -> CheckResult {
    let (side, n, generations) = match mode {
        Mode::Quick => (100, 5, 1000),
        Mode::Full => (200, 10, 2000),
    };
    let burn_in = 200;
    let means: Vec<f64> = seeds(n)
        .par_iter()
        .map(|&seed| {
            let mut nm = NowakMay::new(NowakMay::initial_lattice(side, 0.9, seed), 1.85);
            let mut sum = 0.0;
            for g in 1..=generations {
                nm.step();
                if g > burn_in {
                    sum += nm.cooperator_fraction();
                }
            }
            sum / (generations - burn_in) as f64
        })
        .collect();
    let (mean, ci) = summarise(&means);
    let (expected, tol, source) = match reference {
        Reference::Theory => (
            12.0 * std::f64::consts::LN_2 - 8.0,
            0.02,
            "Nowak & May 1992/1993: 12 ln 2 − 8",
        ),
        Reference::Peer => (
            0.3152,
            0.005,
            "peers README: numpy, L=100–200, 9 runs, gens 200–1000",
        ),
    };
    let mut r = result(
        format!("cooperator share, b = 1.85, p0 = 0.9, L = {side}, mean over generations {}–{generations}", burn_in + 1),
        fmt(expected),
        source,
        Rule::Estimate,
    );
    r.estimate_within(expected, mean, ci, n as usize, tol);
    r
}

fn pgg_hand_payoffs() -> CheckResult {
    let got = single_cooperator_payoffs(7, 4.5);
    let want = [-0.5, 1.8, 1.8, 0.9, 0.0];
    let worst = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0, f64::max);
    let mut r = result(
        "payoffs around one C in an all-D 7×7 torus, r = 4.5: C, nearest D, diagonal D, D at distance 2, far D".into(),
        "-0.5, 1.8, 1.8, 0.9, 0".into(),
        "peers README (hand derivation, Mesa agent.payoff())",
        Rule::Exact,
    );
    r.measured = got.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(", ");
    r.tolerance = "1e-12".into();
    r.pass = worst <= 1e-12;
    r
}

/// Extinction of cooperators (r = 3) or defectors (r = 6) in the spatial PGG.
fn pgg_extinction(mode: Mode, r: f64) -> CheckResult {
    let (side, n, max_mcs) = match (mode, r < 4.5) {
        (Mode::Quick, true) => (50, 5, 1_000),
        (Mode::Quick, false) => (50, 5, 20_000),
        (Mode::Full, true) => (100, 10, 2_000),
        (Mode::Full, false) => (100, 10, 20_000),
    };
    let cooperators_lose = r < 4.5;
    let outcomes: Vec<Option<u32>> = seeds(n)
        .par_iter()
        .map(|&seed| {
            let params = PggParams { r, k: 0.5 };
            let mut g = SpatialPgg::new(SpatialPgg::initial_lattice(side, 0.5, seed), params, seed);
            while !g.absorbed() && g.mcs() < max_mcs {
                g.step();
            }
            let lost = if cooperators_lose {
                g.cooperators() == 0
            } else {
                g.cooperators() == side * side
            };
            lost.then_some(g.mcs())
        })
        .collect();
    let times: Vec<f64> = outcomes.iter().flatten().map(|t| *t as f64).collect();
    let (mean, ci) = summarise(&times);
    let loser = if cooperators_lose {
        "cooperators"
    } else {
        "defectors"
    };
    let mut res = result(
        format!("{loser} extinct within {max_mcs} MCS, r = {r}, K = 0.5, L = {side}"),
        format!(
            "{loser} die out ({})",
            if cooperators_lose {
                "r < r_c1 ≈ 3.74"
            } else {
                "r > r_c2 ≈ 5.49"
            }
        ),
        if cooperators_lose {
            "Szolnoki, Perc & Szabó 2009; peers README: L=100, extinct by MCS 13–15"
        } else {
            "Szolnoki, Perc & Szabó 2009; peers README: L=100, extinct at MCS 1056–1269"
        },
        Rule::Extinction,
    );
    res.measured = format!("{}/{n} died out, mean at MCS {}", times.len(), fmt(mean));
    res.ci = (times.len() > 1).then_some(ci);
    res.replications = n as usize;
    res.tolerance = "all runs".into();
    res.pass = times.len() == n as usize;
    res
}

/// Stationary cooperator share at r = 4.5.
fn pgg_mixed(mode: Mode) -> CheckResult {
    let (side, n, mcs, from) = match mode {
        Mode::Quick => (100, 5, 5_000, 2_500),
        Mode::Full => (100, 10, 5_000, 2_500),
    };
    let means: Vec<f64> = seeds(n)
        .par_iter()
        .map(|&seed| {
            let params = PggParams { r: 4.5, k: 0.5 };
            let mut g = SpatialPgg::new(SpatialPgg::initial_lattice(side, 0.5, seed), params, seed);
            let mut sum = 0.0;
            for t in 1..=mcs {
                g.step();
                if t > from {
                    sum += g.cooperator_fraction();
                }
            }
            sum / (mcs - from) as f64
        })
        .collect();
    let (mean, ci) = summarise(&means);
    let (expected, tol) = (0.75, 0.02);
    let mut r = result(
        format!(
            "cooperator share, r = 4.5, K = 0.5, L = {side}, mean over MCS {}–{mcs}",
            from + 1
        ),
        fmt(expected),
        "peers README: numba, L=100, MCS 2500–5000: 0.753, 0.747, 0.747",
        Rule::Estimate,
    );
    r.estimate_within(expected, mean, ci, n as usize, tol);
    r
}

/// Largest deviation of a well-mixed population from its integrated mean-field equation, and
/// the winner the equation predicts.
fn well_mixed(mode: Mode, r: f64, rule: Imitation) -> CheckResult {
    let (population, n, tol) = match mode {
        Mode::Quick => (100_000, 5, 0.03),
        Mode::Full => (1_000_000, 10, 0.01),
    };
    let (group_size, mcs) = (5, 100);
    let spec = GameSpec::WellMixed {
        params: WellMixedParams {
            population,
            group_size,
            r,
            rule,
        },
        p0: 0.5,
    };
    let runs: Vec<(f64, f64)> = seeds(n)
        .par_iter()
        .map(|&seed| {
            let played = play(&spec, seed, mcs, |_, _| {});
            let worst = played
                .series
                .iter()
                .filter_map(|s| s.mean_field.map(|m| (s.fraction - m).abs()))
                .fold(0.0, f64::max);
            (worst, played.series.last().map_or(0.0, |s| s.fraction))
        })
        .collect();
    let worst: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let (mean, ci) = summarise(&worst);
    let cooperation_wins = r > group_size as f64;
    let right_winner = runs.iter().all(|&(_, last)| {
        if cooperation_wins {
            last > 0.99
        } else {
            last < 0.01
        }
    });
    let (rule_name, equation) = match rule {
        Imitation::Proportional => ("proportional imitation", "replicator equation, RK4"),
        Imitation::Fermi { .. } => ("Fermi imitation K = 0.5", "mean-field equation, RK4"),
    };
    let mut res = result(
        format!("max |x_sim − x_RK4| over {mcs} MCS, {rule_name}, r = {r}, N = {group_size}, M = {population}, p0 = 0.5"),
        format!(
            "0 (sampling noise); {} wins",
            if cooperation_wins { "cooperation" } else { "defection" }
        ),
        equation,
        Rule::Bound,
    );
    res.measured = format!(
        "{}; {}",
        fmt(mean),
        if right_winner {
            if cooperation_wins {
                "C took over"
            } else {
                "D took over"
            }
        } else {
            "wrong winner"
        }
    );
    res.ci = Some(ci);
    res.replications = n as usize;
    res.tolerance = format!("≤ {}", fmt(tol));
    res.pass = ci.1 <= tol && right_winner;
    res
}

/// Locates a PGG threshold at K = 0.5 (full mode only).
fn pgg_threshold(side: Side, note: &mut dyn FnMut(&str)) -> CheckResult {
    let search = Search::full(side);
    let (expected, tol) = (side.expected(), 0.05);
    let describe = |p: &thresholds::Probe| {
        format!(
            "r = {}: late/middle density ratio {} (critical {}), {} alive in {}/{} runs → {}",
            fmt(p.r),
            fmt(p.ratio),
            fmt(thresholds::critical_ratio()),
            side.loser(),
            p.alive,
            search.seeds.len(),
            if p.survives { "survive" } else { "die out" }
        )
    };
    let found = thresholds::locate(&search, |p| note(&describe(p)));
    let mut r = result(
        format!(
            "r where {} die out, K = 0.5, L = {}, {} MCS, {} seeds, bisection on the decay of ρ",
            side.loser(),
            search.side,
            search.mcs,
            search.seeds.len()
        ),
        fmt(expected),
        "Szolnoki, Perc & Szabó 2009 (K = 0.5); peers README",
        Rule::Threshold,
    );
    r.replications = search.seeds.len();
    r.tolerance = format!("±{}", fmt(tol));
    match found {
        Ok(t) => {
            r.measured = format!(
                "{} (bracket {}–{})",
                fmt(t.estimate()),
                fmt(t.lo),
                fmt(t.hi)
            );
            r.pass = (t.estimate() - expected).abs() <= tol;
            r.notes = t.probes.iter().map(describe).collect();
        }
        Err(e) => {
            r.measured = e;
            r.pass = false;
        }
    }
    r
}
