//! Speed of the canonical games on the peers' workloads (`../shared/peers/README.md`):
//! Nowak–May L = 200, 100 generations, b = 1.85 (site updates per second, 1 and 2 threads), and
//! the spatial public goods game L = 100, 100 MCS, r = 4.5, K = 0.5 (elementary steps per
//! second, one thread by nature, with and without the skip shortcut). Criterion reports the
//! rates as "elem/s". Building the lattice is outside the timed loop; the per-step cooperator
//! count and, for the PGG, drawing the random numbers are inside it, as in the peers.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use cogov::games::nowak_may::NowakMay;
use cogov::games::spatial_pgg::{PggParams, SpatialPgg};

fn nowak_may(c: &mut Criterion) {
    let (side, generations, b) = (200, 100u32, 1.85);
    let start = NowakMay::initial_lattice(side, 0.9, 1);
    let mut group = c.benchmark_group("nowak_may_L200_100gen");
    group.sample_size(20);
    group.throughput(Throughput::Elements(
        (side * side) as u64 * generations as u64,
    ));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        group.bench_function(format!("{threads}_threads"), |bench| {
            bench.iter_batched(
                || NowakMay::new(start.clone(), b),
                |mut nm| {
                    pool.install(|| {
                        let mut series = Vec::with_capacity(generations as usize);
                        for _ in 0..generations {
                            nm.step();
                            series.push(nm.cooperator_fraction());
                        }
                        series
                    })
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn spatial_pgg(c: &mut Criterion) {
    let (side, mcs, seed) = (100, 100u32, 1);
    let params = PggParams { r: 4.5, k: 0.5 };
    let start = SpatialPgg::initial_lattice(side, 0.5, seed);
    let mut group = c.benchmark_group("spatial_pgg_L100_100mcs");
    group.sample_size(20);
    group.throughput(Throughput::Elements((side * side) as u64 * mcs as u64));
    group.bench_function("skip", |bench| {
        bench.iter_batched(
            || SpatialPgg::new(start.clone(), params, seed),
            |mut g| {
                let mut series = Vec::with_capacity(mcs as usize);
                for _ in 0..mcs {
                    g.step();
                    series.push(g.cooperator_fraction());
                }
                series
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("no_skip", |bench| {
        bench.iter_batched(
            || SpatialPgg::new(start.clone(), params, seed),
            |mut g| {
                let mut series = Vec::with_capacity(mcs as usize);
                for _ in 0..mcs {
                    g.step_without_skip();
                    series.push(g.cooperator_fraction());
                }
                series
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, nowak_may, spatial_pgg);
criterion_main!(benches);
