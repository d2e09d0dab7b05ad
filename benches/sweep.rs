//! Sweep throughput at district scale (issue "batch experiments"): eight runs of the default
//! city for 26 weeks, with 1 and with 2 worker threads. Criterion reports runs per second; the
//! 2-thread figure should be at least 1.8× the 1-thread one.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use cogov::experiment::sweep::{sweep, Shard, SweepOptions};

const EXPERIMENT: &str = r#"
[experiment]
name = "bench"
replications = 4
base_seed = 1
ticks = 26
[design]
kind = "grid"
[design.factors]
"motivation.incentive_compatibility" = [0.3, 0.8]
"#;

fn throughput(c: &mut Criterion) {
    let exp =
        cogov::experiment::load_str(EXPERIMENT, "bench.toml", None).expect("bench experiment");
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut group = c.benchmark_group("sweep_district_scale");
    group.sample_size(10);
    group.throughput(Throughput::Elements(exp.total_runs()));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let out = dir.path().join(format!("t{threads}"));
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| {
                let opts = SweepOptions {
                    shard: Shard::WHOLE,
                    resume: false,
                    force: true,
                    block: 0,
                };
                pool.install(|| sweep(&exp, &out, opts, &|_, _| {}))
                    .expect("sweep")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
