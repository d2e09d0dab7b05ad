//! Speed of the default (district-scale) city: 52 weekly ticks, the `cogov run` workload
//! without file output. Target (issue "simulation core"): under 2 s on the 2-core machine.

use criterion::{criterion_group, criterion_main, Criterion};

use cogov::run::simulate;
use cogov::scenario::{load_str, DEFAULT_SCENARIO};

fn default_city_year(c: &mut Criterion) {
    let sc = load_str(DEFAULT_SCENARIO, "default.toml").expect("embedded scenario");
    let mut group = c.benchmark_group("default_city");
    group.sample_size(10);
    group.bench_function("52_ticks", |b| b.iter(|| simulate(&sc, |_, _| {})));
    group.bench_function("setup_only", |b| {
        b.iter(|| cogov::model::Simulation::new(sc.params.clone(), sc.seed, vec![]))
    });
    group.finish();
}

criterion_group!(benches, default_city_year);
criterion_main!(benches);
