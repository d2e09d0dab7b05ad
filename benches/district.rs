//! Speed of the default (district-scale) city without file output: a year (52 weekly ticks,
//! the first model's whole run) and the whole `cogov run` workload since revision 2 (312 ticks:
//! the 260-week spin-up and the measured year). Target (issue "simulation core"): a year under
//! 2 s on the 2-core machine.

use criterion::{criterion_group, criterion_main, Criterion};

use cogov::run::simulate;
use cogov::scenario::{load_str, DEFAULT_SCENARIO};

fn default_city_year(c: &mut Criterion) {
    let sc = load_str(DEFAULT_SCENARIO, "default.toml").expect("embedded scenario");
    let year = cogov::scenario::Scenario {
        ticks: 52,
        ..sc.clone()
    };
    let mut group = c.benchmark_group("default_city");
    group.sample_size(10);
    group.bench_function("52_ticks", |b| b.iter(|| simulate(&year, |_, _| {})));
    group.bench_function("312_ticks", |b| b.iter(|| simulate(&sc, |_, _| {})));
    group.bench_function("setup_only", |b| {
        b.iter(|| cogov::model::Simulation::new(sc.params.clone(), sc.seed, vec![]))
    });
    group.finish();
}

criterion_group!(benches, default_city_year);
criterion_main!(benches);
