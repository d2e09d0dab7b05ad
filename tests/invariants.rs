//! Invariants over many seeds and random parameter sets: issues are conserved, shares lie in
//! 0..=1, nothing is NaN or infinite, and extreme but legal settings run sensibly.

use cogov::model::params::{param_specs, Mutability, ParamKind};
use cogov::model::{ParamValue, Params, Simulation};
use cogov::output::records::{summary_columns, summary_row, timeseries_columns, timeseries_row};
use cogov::run::simulate;
use cogov::scenario::Scenario;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

fn tiny(p: &mut Params) {
    p.territory.districts = 2;
    p.territory.streets_per_district = 2;
    p.territory.communities_per_street = 2;
    p.territory.grids_per_community = 2;
    p.territory.residents_per_grid = 200;
}

/// Every dynamic parameter drawn uniformly from its range (integers and booleans too).
fn random_params(seed: u64) -> Params {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut p = Params::default();
    for spec in param_specs()
        .iter()
        .filter(|s| s.mutability == Mutability::Dynamic)
    {
        let v = match spec.kind {
            ParamKind::Bool => ParamValue::Bool(rng.random()),
            ParamKind::Integer => {
                let hi = spec.max.min(60.0) as i64;
                ParamValue::Int(rng.random_range(spec.min as i64..=hi))
            }
            ParamKind::Float => {
                // Keep arrival rates in a range a tiny city can run quickly.
                let hi = if spec.key == "issues.arrival_per_1000" {
                    20.0
                } else {
                    spec.max
                };
                ParamValue::Float(spec.min + rng.random::<f64>() * (hi - spec.min))
            }
        };
        p.set(spec.key, v).expect("value drawn inside its range");
    }
    tiny(&mut p);
    p
}

fn check_run(p: Params, seed: u64, ticks: u32) {
    let sc = Scenario {
        params: p.clone(),
        seed,
        ticks,
        ..Scenario::default()
    };
    let r = simulate(&sc, |_, _| {});
    let mut arrived = 0u64;
    let mut closed = 0u64;
    let ts_cols = timeseries_columns();
    for s in &r.series {
        arrived += s.arrived;
        closed += s.resolved + s.abandoned;
        assert_eq!(
            s.closed,
            s.resolved + s.abandoned,
            "seed {seed}: closed = resolved + abandoned"
        );
        assert!(s.hidden <= s.backlog);
        assert_eq!(s.resolved_at_level.iter().sum::<u64>(), s.resolved);
        assert!(s.resolved_below_city <= s.resolved);
        // Every issue is in exactly one state: open (hidden or discovered) or closed.
        assert_eq!(
            r.facts.initial_backlog + arrived,
            closed + s.backlog,
            "seed {seed} tick {}: issues not conserved",
            s.tick
        );
        let row = timeseries_row(s);
        for (c, x) in ts_cols.iter().zip(&row) {
            assert!(x.is_finite(), "seed {seed}: {} is {x}", c.name);
            if c.unit == "share" || c.unit == "0..1" {
                assert!(
                    (0.0..=1.0 + 1e-9).contains(x),
                    "seed {seed}: {} = {x} outside 0..=1",
                    c.name
                );
            }
            if c.unit != "rate" {
                assert!(*x >= 0.0, "seed {seed}: {} = {x} negative", c.name);
            }
        }
    }
    let summary = summary_row(&r.series, &r.facts);
    for (c, x) in summary_columns().iter().zip(&summary) {
        assert!(x.is_finite(), "seed {seed}: summary {} is {x}", c.name);
        if c.unit == "share" || c.unit == "0..1" {
            assert!(
                (0.0..=1.0 + 1e-9).contains(x),
                "seed {seed}: summary {} = {x}",
                c.name
            );
        }
    }
}

#[test]
fn invariants_hold_over_200_seeds_at_default_parameters() {
    (0..200u64).into_par_iter().for_each(|seed| {
        let mut p = Params::default();
        tiny(&mut p);
        check_run(p, seed, 12);
    });
}

#[test]
fn invariants_hold_over_300_random_parameter_sets() {
    (0..300u64)
        .into_par_iter()
        .for_each(|seed| check_run(random_params(seed), seed, 10));
}

/// Superiors' attention breaks ties between equally pressing issues by position, which stands
/// for serial number only because a district keeps its issues in arrival order.
#[test]
fn a_district_keeps_its_issues_in_arrival_order() {
    (0..60u64).into_par_iter().for_each(|seed| {
        let mut sim = Simulation::new(random_params(seed), seed, Vec::new());
        for _ in 0..15 {
            sim.step();
            for d in &sim.world.districts {
                assert!(
                    d.issues.windows(2).all(|w| w[0].id < w[1].id),
                    "seed {seed} week {} district {}: issues out of arrival order",
                    sim.tick,
                    d.index
                );
            }
        }
    });
}

fn every_lever(p: &mut Params, high: bool) {
    for spec in param_specs()
        .iter()
        .filter(|s| s.mutability == Mutability::Dynamic && !s.key.starts_with("issues."))
    {
        let v = match spec.kind {
            ParamKind::Bool => ParamValue::Bool(high),
            ParamKind::Integer => ParamValue::Int(if high {
                spec.max.min(52.0) as i64
            } else {
                spec.min as i64
            }),
            ParamKind::Float => ParamValue::Float(if high { spec.max } else { spec.min }),
        };
        p.set(spec.key, v).unwrap();
    }
}

#[test]
fn every_lever_at_zero_and_at_its_maximum_runs_and_stays_sane() {
    for high in [false, true] {
        let mut p = Params::default();
        every_lever(&mut p, high);
        tiny(&mut p);
        check_run(p, 3, 20);
    }
}

#[test]
fn a_single_grid_and_a_zero_issue_rate_run() {
    let mut p = Params::default();
    p.territory.districts = 1;
    p.territory.streets_per_district = 1;
    p.territory.communities_per_street = 1;
    p.territory.grids_per_community = 1;
    p.territory.residents_per_grid = 1;
    check_run(p.clone(), 1, 30);
    p.issues.arrival_per_1000 = 0.0;
    p.issues.legacy_backlog_per_grid = 0.0;
    let sc = Scenario {
        params: p,
        seed: 1,
        ticks: 10,
        ..Scenario::default()
    };
    let r = simulate(&sc, |_, _| {});
    assert!(r
        .series
        .iter()
        .all(|s| s.arrived == 0 && s.backlog == 0 && s.resolved == 0));
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_does_not() {
    let mut p = Params::default();
    tiny(&mut p);
    let run = |seed| {
        let mut sim = Simulation::new(p.clone(), seed, vec![]);
        (0..15).map(|_| sim.step()).collect::<Vec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut p = Params::default();
    p.territory.districts = 5;
    let sc = Scenario {
        params: p,
        seed: 11,
        ticks: 10,
        ..Scenario::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| simulate(&sc, |_, _| {}));
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap()
        .install(|| simulate(&sc, |_, _| {}));
    assert_eq!(one.series, three.series);
}
