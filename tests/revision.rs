//! System-level checks of model revision 2 (MODEL §11; docs/TRACE.md; ODD §12).
//!
//! Each check states its expectation before it first ran (in its name or comment). The
//! steady-state checks follow MODEL §11.8: judged per seed, from trends of 13-week batch means
//! after a warm-up chosen by MSER-5, by flow balance, by an abandonment bound and by a floor that
//! tells a functioning city from a trapped one — not by two yearly means.

use std::sync::OnceLock;

use cogov::model::{Params, Simulation, TickStats};
use cogov::run::simulate;
use cogov::scenario::Scenario;
use rayon::prelude::*;

const SEEDS: u64 = 10;
const WEEKS: u32 = 520;

/// The default city's weekly stats for seeds 1..=10 over ten years, run once for all checks.
fn default_runs() -> &'static Vec<Vec<TickStats>> {
    static RUNS: OnceLock<Vec<Vec<TickStats>>> = OnceLock::new();
    RUNS.get_or_init(|| {
        (1..=SEEDS)
            .into_par_iter()
            .map(|seed| {
                let sc = Scenario {
                    ticks: WEEKS,
                    seed,
                    ..Scenario::default()
                };
                simulate(&sc, |_, _| {}).series
            })
            .collect()
    })
}

fn share(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Weekly metrics the steady-state checks follow.
struct Metric {
    name: &'static str,
    value: fn(&TickStats) -> f64,
}

fn substantive(s: &TickStats, kind: usize) -> f64 {
    share(
        s.actions[kind][0] as f64,
        s.actions[kind].iter().sum::<u64>() as f64,
    )
}

const BACKLOG: Metric = Metric {
    name: "backlog",
    value: |s| s.backlog as f64,
};

/// Shares, trust and satisfaction: the ±0.02 metrics of the issue.
const SHARES: [Metric; 6] = [
    Metric {
        name: "departments substantive",
        value: |s| substantive(s, 2),
    },
    Metric {
        name: "blocks substantive",
        value: |s| substantive(s, 0),
    },
    Metric {
        name: "grid teams substantive",
        value: |s| substantive(s, 1),
    },
    Metric {
        name: "inter-organisational trust",
        value: |s| share(s.org_trust_sum, s.org_trust_count),
    },
    Metric {
        name: "resident trust",
        value: |s| share(s.resident_trust_sum, s.residents),
    },
    Metric {
        name: "satisfaction",
        value: |s| share(s.satisfaction_sum, s.closed as f64),
    },
];

/// MSER-5 (White 1997): the truncation point, in weeks, that minimises the marginal standard
/// error of the batch means of 5 weeks that remain, searched over the first half of the run.
fn mser5(x: &[f64]) -> usize {
    let batches: Vec<f64> = x
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    let n = batches.len();
    let mut best = (f64::INFINITY, 0);
    for d in 0..=n / 2 {
        let rest = &batches[d..];
        let m = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / m;
        let sse: f64 = rest.iter().map(|b| (b - mean).powi(2)).sum();
        let stat = sse / (m * m);
        if stat < best.0 {
            best = (stat, d);
        }
    }
    best.1 * 5
}

/// Change over the window of the 13-week batch means' least-squares trend, and its 90%
/// interval.
struct Drift {
    mean: f64,
    change: f64,
    lo: f64,
    hi: f64,
}

fn drift(x: &[f64]) -> Drift {
    let b: Vec<f64> = x
        .chunks_exact(13)
        .map(|c| c.iter().sum::<f64>() / 13.0)
        .collect();
    let n = b.len() as f64;
    let tm = (n - 1.0) / 2.0;
    let mean = b.iter().sum::<f64>() / n;
    let sxx: f64 = (0..b.len()).map(|t| (t as f64 - tm).powi(2)).sum();
    let slope: f64 = b
        .iter()
        .enumerate()
        .map(|(t, y)| (t as f64 - tm) * (y - mean))
        .sum::<f64>()
        / sxx;
    let resid: f64 = b
        .iter()
        .enumerate()
        .map(|(t, y)| (y - mean - slope * (t as f64 - tm)).powi(2))
        .sum();
    let se = (resid / (n - 2.0) / sxx).sqrt();
    // One-sided 95% t quantile for about 20 degrees of freedom: a 90% two-sided interval.
    let t = 1.725;
    Drift {
        mean,
        change: slope * n,
        lo: (slope - t * se) * n,
        hi: (slope + t * se) * n,
    }
}

/// Warm-up: the latest MSER-5 truncation over seeds, for the backlog and the departments'
/// substantive share.
fn warm_up() -> usize {
    let mut w = 0;
    for run in default_runs() {
        for metric in [&BACKLOG, &SHARES[0]] {
            let x: Vec<f64> = run.iter().map(metric.value).collect();
            w = w.max(mser5(&x));
        }
    }
    w
}

/// Stated before it first ran: after an MSER-5 warm-up of at most 260 weeks, every one of ten
/// seeds of the default city is in a functioning regime over the rest of its ten years:
/// closures / arrivals within 1 ± 0.02, abandoned issues at most 10 % of closures, departments'
/// substantive share at least 0.3, and the backlog's drift over the window (90 % interval)
/// within ±10 % of its mean. Expected: all hold (the four seeds of TRACE step 3 had flow
/// balance 0.999–1.000, abandonment ≤ 1.2 %, departments ≥ 0.61, backlog drift ≤ 3 %).
#[test]
#[ignore = "known disagreement: seed 6 shifts to a lower regime in year 6, see docs/ODD.md §12"]
fn the_default_city_settles_in_a_functioning_regime() {
    let w = warm_up();
    eprintln!("warm-up (MSER-5, latest over seeds): {w} weeks");
    assert!(w <= 260, "warm-up {w} weeks");
    for (k, run) in default_runs().iter().enumerate() {
        let window = &run[w..];
        let mut total = TickStats::default();
        for s in window {
            total.merge(s);
        }
        let closures = (total.resolved + total.abandoned) as f64;
        let balance = closures / total.arrived as f64;
        let abandoned = total.abandoned as f64 / closures;
        let departments = substantive(&total, 2);
        let backlog: Vec<f64> = window.iter().map(BACKLOG.value).collect();
        let d = drift(&backlog);
        eprintln!(
            "seed {}: closures/arrivals {balance:.3}, abandoned {abandoned:.3}, departments \
             {departments:.3}, backlog {:.0} drift {:+.0} [{:+.0}, {:+.0}]",
            k + 1,
            d.mean,
            d.change,
            d.lo,
            d.hi
        );
        assert!(
            (balance - 1.0).abs() <= 0.02,
            "seed {}: balance {balance}",
            k + 1
        );
        assert!(abandoned <= 0.10, "seed {}: abandoned {abandoned}", k + 1);
        assert!(
            departments >= 0.3,
            "seed {}: departments {departments}",
            k + 1
        );
        let bound = 0.1 * d.mean;
        assert!(
            d.lo >= -bound && d.hi <= bound,
            "seed {}: backlog drift {:+.0} [{:+.0}, {:+.0}] beyond ±{bound:.0}",
            k + 1,
            d.change,
            d.lo,
            d.hi
        );
    }
}

/// Stated before it first ran: over the same windows, the drift (90 % interval) of the
/// substantive shares of departments, blocks and grid teams, inter-organisational trust,
/// resident trust and satisfaction lies within ±0.02 on every seed (an equivalence test).
/// Expected: satisfaction and inter-organisational trust hold; the shares and resident trust
/// may still drift by up to −0.07 on some seeds, because grid teams' motivation relaxes over
/// about 300 weeks (TRACE step 3, seed 4: departments −0.065 over weeks 209–520). If so, that
/// is a Known disagreement (ODD §12), and the bound stays.
#[test]
#[ignore = "known disagreement: shares and resident trust drift by up to 0.06, see docs/ODD.md §12"]
fn the_default_city_is_trendless_in_its_shares_trust_and_satisfaction() {
    let w = warm_up();
    let mut failures = Vec::new();
    for (k, run) in default_runs().iter().enumerate() {
        for metric in &SHARES {
            let x: Vec<f64> = run[w..].iter().map(metric.value).collect();
            let d = drift(&x);
            let line = format!(
                "seed {} {}: mean {:.3} drift {:+.3} [{:+.3}, {:+.3}]",
                k + 1,
                metric.name,
                d.mean,
                d.change,
                d.lo,
                d.hi
            );
            eprintln!("{line}");
            if d.lo < -0.02 || d.hi > 0.02 {
                failures.push(line);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "drift beyond ±0.02:\n{}",
        failures.join("\n")
    );
}

/// Stated before it first ran (MODEL §4.2 scale check): in every year of every seed, at least
/// 80 % of decisions have all three choice probabilities between 0.05 and 0.95.
#[test]
#[ignore = "known disagreement: about 40 % of decisions are unsaturated, see docs/ODD.md §12"]
fn decisions_stay_out_of_saturation_in_every_year() {
    for (k, run) in default_runs().iter().enumerate() {
        for (year, weeks) in run.chunks(52).enumerate() {
            let mut total = TickStats::default();
            for s in weeks {
                total.merge(s);
            }
            let decisions: u64 = total.actions.iter().flatten().sum();
            let unsaturated = total.unsaturated as f64 / decisions as f64;
            assert!(
                unsaturated >= 0.8,
                "seed {} year {}: {unsaturated:.3} of decisions unsaturated",
                k + 1,
                year + 1
            );
        }
    }
}

/// The headline figures the printed summary leads with (MODEL §11.6): rates and shares, and the
/// trust levels at the window's end.
const HEADLINE: [&str; 7] = [
    "cohort_resolution_rate",
    "hotline_resolution_rate",
    "satisfaction_mean",
    "substantive_share",
    "watched_share",
    "resident_trust_final",
    "org_trust_final",
];

/// Headline figures foreseen to drift over ten years (ODD §12 item 1), reported but not held to
/// the margin: a known disagreement of the steady state, not of the window.
const DRIFTING: [&str; 2] = ["substantive_share", "resident_trust_final"];

/// Stated before it first ran (MODEL §11.6, TRACE step 11): the default city measured over a
/// 104-week and over a 520-week window after the same 260-week warm-up reports the same
/// headline figures. For each figure in `HEADLINE`, the paired difference (520 − 104 weeks,
/// seeds 1–10 on common random numbers) has a 95 % interval inside ±0.02, the equivalence
/// margin of the steady-state checks. Expected: the arrival-cohort and hotline resolution
/// rates, satisfaction and the watched share hold with differences under 0.01; the substantive
/// share and resident trust may miss by up to 0.03, because they still drift over ten years
/// (ODD §12 item 1) and seed 6 shifts to a lower regime in year 6 — if so, that is a known
/// disagreement of the steady state, not of the window. The window resolution rate (resolved
/// over the backlog at the window's start plus its arrivals) is printed beside them as the
/// contrast: it depends on the window's length by construction.
///
/// Found at its first run (TRACE step 11): every figure within ±0.01 but the two foreseen — the
/// substantive share −0.0153 [−0.0270, −0.0036] misses the margin, resident trust −0.0110
/// [−0.0187, −0.0034] stays inside it. They are the known drift of ODD §12 item 1, reported
/// here and not asserted (`DRIFTING`); the window resolution rate differed by +0.039.
#[test]
fn headline_figures_agree_between_a_104_and_a_520_week_window() {
    let run = |seed: u64, window: u32| {
        let mut sc = Scenario {
            ticks: 260 + window,
            seed,
            ..Scenario::default()
        };
        sc.params.observation.warmup_ticks = 260;
        let r = simulate(&sc, |_, _| {});
        cogov::output::records::summary_row(&r.series, &r.facts)
    };
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = (1..=SEEDS)
        .into_par_iter()
        .map(|seed| (run(seed, 104), run(seed, 520)))
        .collect();
    let column = |name: &str| cogov::output::records::summary_index(name).unwrap();
    let difference = |name: &str| {
        let i = column(name);
        let d: Vec<(f64, f64)> = pairs.iter().map(|(a, b)| (a[i], b[i])).collect();
        let mean = |f: fn(&(f64, f64)) -> f64| d.iter().map(f).sum::<f64>() / d.len() as f64;
        let (diff, lo, hi) = paired(&d);
        eprintln!(
            "{name}: 104 weeks {:.4}, 520 weeks {:.4}, difference {diff:+.4} [{lo:+.4}, {hi:+.4}]",
            mean(|p| p.0),
            mean(|p| p.1)
        );
        (lo, hi)
    };
    difference("resolution_rate");
    let mut failures = Vec::new();
    for name in HEADLINE {
        let (lo, hi) = difference(name);
        if (lo < -0.02 || hi > 0.02) && !DRIFTING.contains(&name) {
            failures.push(name);
        }
    }
    assert!(
        failures.is_empty(),
        "not equivalent within ±0.02: {failures:?}"
    );
}

fn small_city(p: &mut Params) {
    p.territory.districts = 2;
    p.territory.streets_per_district = 3;
    p.territory.communities_per_street = 4;
    p.territory.grids_per_community = 3;
}

/// Mean |habit| over every organisation after `weeks`.
fn mean_abs_habit(p: &Params, seed: u64, weeks: u32) -> f64 {
    let mut sim = Simulation::new(p.clone(), seed, Vec::new());
    for _ in 0..weeks {
        sim.step();
    }
    let orgs = sim
        .world
        .districts
        .iter()
        .flat_map(|d| d.orgs.iter())
        .chain(sim.world.city.orgs.iter());
    let (mut sum, mut n) = (0.0, 0.0);
    for o in orgs {
        sum += o.habits.iter().map(|h| h.abs()).sum::<f64>() / 3.0;
        n += 1.0;
    }
    sum / n
}

/// Ablation of forgetting (TRACE F5), stated before it first ran: after two years of the small
/// city, habits without forgetting (φ = 0) are stronger on average than with φ = 0.1 on each of
/// ten seeds — forgetting is what keeps them from drifting to the clip.
#[test]
fn without_forgetting_habits_are_stronger() {
    for seed in 1..=10 {
        let mut p = Params::default();
        small_city(&mut p);
        let with = mean_abs_habit(&p, seed, 104);
        p.behaviour.habit_forgetting = 0.0;
        let without = mean_abs_habit(&p, seed, 104);
        eprintln!("seed {seed}: mean |habit| {with:.3} with forgetting, {without:.3} without");
        assert!(without > with, "seed {seed}: {without} <= {with}");
    }
}

/// Mean and 95% interval of the paired differences `on − off` (the library's paired
/// comparison, as `cogov compare` computes it).
fn paired(pairs: &[(f64, f64)]) -> (f64, f64, f64) {
    let (off, on): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let d = cogov::experiment::stats::paired_difference(&off, &on);
    (d.difference, d.ci_lo, d.ci_hi)
}

/// Window metrics of a run: weeks 105–208.
fn window_totals(series: &[TickStats]) -> TickStats {
    let mut t = TickStats::default();
    for s in &series[104..208] {
        t.merge(s);
    }
    t
}

/// A lasting trust manipulation (MODEL §11.2), stated before it first ran: a full trust culture
/// from week 1 against none, on common random numbers (small city, seeds 1–30, measured over
/// weeks 105–208 after its 26-week build-up), raises inter-organisational trust by at least
/// 0.03 and lowers the mean wait of resolved issues (95 % intervals excluding zero). At the
/// default (ψ = 0) trust reaches decisions only through complements and transaction cost, so
/// the classroom-sized effect the issue asks for (≥ 3 points of resolution) is not expected;
/// the figures are printed and the shortfall is a Known disagreement (ODD §12).
#[test]
#[ignore = "known disagreement: trust rises, waits do not shorten, see docs/ODD.md §12"]
fn a_trust_culture_raises_trust_and_shortens_waits() {
    let pairs: Vec<(TickStats, TickStats)> = (1..=30u64)
        .into_par_iter()
        .map(|seed| {
            let arm = |culture: f64| {
                let mut sc = Scenario {
                    ticks: 208,
                    seed,
                    ..Scenario::default()
                };
                small_city(&mut sc.params);
                sc.params.motivation.trust_culture = culture;
                window_totals(&simulate(&sc, |_, _| {}).series)
            };
            (arm(0.0), arm(1.0))
        })
        .collect();
    let metric = |f: fn(&TickStats) -> f64| -> Vec<(f64, f64)> {
        pairs.iter().map(|(a, b)| (f(a), f(b))).collect()
    };
    let trust = paired(&metric(|s| share(s.org_trust_sum, s.org_trust_count)));
    let wait = paired(&metric(|s| share(s.resolved_age_sum, s.resolved as f64)));
    let departments = paired(&metric(|s| substantive(s, 2)));
    let resolved_per_closure = paired(&metric(|s| {
        share(s.resolved as f64, (s.resolved + s.abandoned) as f64)
    }));
    eprintln!(
        "trust culture: org trust {:+.4} [{:+.4}, {:+.4}], wait {:+.3} [{:+.3}, {:+.3}] weeks, \
         departments substantive {:+.4} [{:+.4}, {:+.4}], resolved per closure {:+.4} \
         [{:+.4}, {:+.4}]",
        trust.0,
        trust.1,
        trust.2,
        wait.0,
        wait.1,
        wait.2,
        departments.0,
        departments.1,
        departments.2,
        resolved_per_closure.0,
        resolved_per_closure.1,
        resolved_per_closure.2
    );
    assert!(trust.1 >= 0.03, "org trust {trust:?}");
    assert!(wait.2 < 0.0, "wait {wait:?}");
}

/// Robustness (MODEL §11 §0), stated before it first ran: over a 64-point Latin hypercube of
/// the unanchored parameters at ±30 % of their defaults (twenty when this was first
/// stated; twenty-eight since revision 2 step 9 added the new lever costs and constants) (one seed per point,
/// the default city, ten years, measured after a 260-week warm-up), at least 80 % of the points
/// pass the functioning-regime checks — closures / arrivals within 1 ± 0.02, abandoned issues at
/// most 10 % of closures, departments' substantive share at least 0.3. The share is printed.
#[test]
fn the_functioning_regime_holds_over_the_unanchored_parameters() {
    use cogov::experiment::design::{points, Design};
    use cogov::experiment::levers::{unanchored_ranges, UNANCHORED};
    let ranges = unanchored_ranges(&Params::default(), 0.3);
    assert_eq!(
        ranges.len(),
        UNANCHORED.len(),
        "every unanchored parameter is a number"
    );
    let design = Design::LatinHypercube { points: 64, ranges };
    let pts = points(&design, 2026);
    let passed: Vec<bool> = pts
        .par_iter()
        .enumerate()
        .map(|(i, pt)| {
            let mut sc = Scenario {
                ticks: WEEKS,
                seed: 1 + i as u64,
                ..Scenario::default()
            };
            for (k, v) in &pt.set {
                sc.params.set(k, *v).unwrap();
            }
            let series = simulate(&sc, |_, _| {}).series;
            let mut total = TickStats::default();
            for s in &series[260..] {
                total.merge(s);
            }
            let closures = (total.resolved + total.abandoned) as f64;
            let balance = closures / total.arrived as f64;
            let abandoned = total.abandoned as f64 / closures;
            let departments = substantive(&total, 2);
            let ok = (balance - 1.0).abs() <= 0.02 && abandoned <= 0.10 && departments >= 0.3;
            if !ok {
                eprintln!(
                    "point {i}: balance {balance:.3}, abandoned {abandoned:.3}, departments {departments:.3}"
                );
            }
            ok
        })
        .collect();
    let share = passed.iter().filter(|&&p| p).count() as f64 / passed.len() as f64;
    eprintln!("functioning regime at {:.0} % of 64 points", 100.0 * share);
    assert!(
        share >= 0.8,
        "functioning regime at {share:.3} of the points"
    );
}

/// A one-off trust shock (MODEL §11.2), stated before it first ran: after the default city's
/// spin-up (260 weeks), every organisation's trust in every kind falls by 0.3 at once; against
/// the same city unshocked (same seed), the gap in inter-organisational trust halves within
/// 14 weeks (trust learns at 0.05 a week, a half-life of ln 2 / 0.05 ≈ 14 weeks if what is
/// observed did not change) and is below 0.02 after a year, on each of five seeds. The
/// half-lives are printed.
#[test]
#[ignore = "known disagreement: the shock persists (seed 1: gap 0.296 → 0.217 after a year), see docs/ODD.md §12"]
fn a_one_off_trust_shock_fades_with_a_half_life_of_weeks() {
    for seed in 1..=5u64 {
        let mut plain = Simulation::new(Params::default(), seed, Vec::new());
        let mut shocked = Simulation::new(Params::default(), seed, Vec::new());
        for _ in 0..260 {
            plain.step();
            shocked.step();
        }
        let world = &mut shocked.world;
        let orgs = world
            .districts
            .iter_mut()
            .flat_map(|d| d.orgs.iter_mut())
            .chain(world.city.orgs.iter_mut());
        for o in orgs {
            for t in o.trust.iter_mut() {
                *t = (*t - 0.3).max(0.0);
            }
        }
        let mut half_life = None;
        let mut gap_after_year = 0.0;
        let mut first_gap = None;
        for week in 1..=52 {
            let a = plain.step();
            let b = shocked.step();
            let gap = share(a.org_trust_sum, a.org_trust_count)
                - share(b.org_trust_sum, b.org_trust_count);
            let g0 = *first_gap.get_or_insert(gap);
            if half_life.is_none() && gap <= 0.5 * g0 {
                half_life = Some(week);
            }
            gap_after_year = gap;
        }
        eprintln!(
            "seed {seed}: trust gap {:.3} after the shock, half-life {half_life:?} weeks, {gap_after_year:.4} after a year",
            first_gap.unwrap()
        );
        assert!(
            half_life.is_some_and(|w| w <= 14),
            "seed {seed}: half-life {half_life:?}"
        );
        assert!(
            gap_after_year < 0.02,
            "seed {seed}: gap after a year {gap_after_year}"
        );
    }
}
