//! Cost per tick against city size (issue "a whole city at one-to-one scale"): the default
//! city at 1×, 4× and 16× its districts, reported per resident-tick. The structure of each
//! district is unchanged, and the city level's own capacities (its block, departments and
//! attention) grow with the city, as `scenarios/city.toml` scales them, so every size does
//! about the same model work per resident and the cost per resident-tick should stay flat.
//!
//! A fourth size, 64× (64 districts of 16 streets: district count is capped at 64), shows where
//! the cost per resident goes once the city's state no longer fits the last-level cache.
//!
//! What is timed is ten weekly ticks of a city built beforehand (weeks 1–10): the cost per
//! tick, as the issue asks, without the one-off set-up, whose page faults on fresh memory
//! would otherwise weigh more at sizes whose allocations the allocator hands back to the
//! kernel between iterations.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

use cogov::model::Simulation;
use cogov::scenario::{load_str, DEFAULT_SCENARIO};

const TICKS: u32 = 10;

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    for factor in [1u32, 4, 16, 64] {
        let mut sc = load_str(DEFAULT_SCENARIO, "default.toml").expect("embedded scenario");
        let districts = (sc.params.territory.districts * factor).min(64);
        sc.params.territory.streets_per_district *=
            sc.params.territory.districts * factor / districts;
        sc.params.territory.districts = districts;
        sc.params.capacity.city_block *= f64::from(factor);
        sc.params.capacity.city_department *= f64::from(factor);
        sc.params.capacity.attention_city *= f64::from(factor);
        let build = || Simulation::new(sc.params.clone(), sc.seed, sc.model_interventions());
        let residents = build().world.resident_count();
        // Throughput in resident-ticks, so criterion prints the cost per resident per tick.
        group.throughput(Throughput::Elements(residents * u64::from(TICKS)));
        group.bench_function(BenchmarkId::new("default_x", factor), |b| {
            b.iter_batched(
                build,
                |mut sim| {
                    for _ in 0..TICKS {
                        std::hint::black_box(sim.step());
                    }
                    sim
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
