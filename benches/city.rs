//! One simulated year of `scenarios/city.toml` (about 10 million residents, 16,800 grids):
//! the city-scale target is under 20 s of wall time with 2 threads. Run with
//! `RAYON_NUM_THREADS=1` and `=2` to measure the parallel speed-up (target ≥ 1.7×).

use criterion::{criterion_group, criterion_main, Criterion};

use cogov::run::simulate;
use cogov::scenario::load_file;

fn city_year(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/city.toml");
    let sc = load_file(&path).expect("scenarios/city.toml");
    let mut group = c.benchmark_group("city");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(60));
    group.bench_function("52_ticks", |b| b.iter(|| simulate(&sc, |_, _| {})));
    group.finish();
}

criterion_group!(benches, city_year);
criterion_main!(benches);
