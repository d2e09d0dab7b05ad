//! Cost per tick against city size (issue "a whole city at one-to-one scale"): the default
//! city at 1×, 4× and 16× its districts, 10 weekly ticks each, reported per resident-tick.
//! The structure of each district is unchanged, so the work per resident should stay flat.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use cogov::run::simulate;
use cogov::scenario::{load_str, DEFAULT_SCENARIO};

const TICKS: u32 = 10;

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    for factor in [1u32, 4, 16] {
        let mut sc = load_str(DEFAULT_SCENARIO, "default.toml").expect("embedded scenario");
        sc.params.territory.districts *= factor;
        sc.ticks = TICKS;
        let residents = simulate(&cogov::scenario::Scenario { ticks: 1, ..sc.clone() }, |_, _| {}).facts.residents;
        // Throughput in resident-ticks, so criterion prints the cost per resident per tick.
        group.throughput(Throughput::Elements(residents * TICKS as u64));
        group.bench_with_input(BenchmarkId::new("default_x", factor), &sc, |b, sc| b.iter(|| simulate(sc, |_, _| {})));
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
