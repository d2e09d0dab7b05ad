//! What the Beijing 12345 calibration (issue 12 §4; docs/CALIBRATION.md) costs per run: one run
//! of the January-2019 baseline (267 weeks) and one of the reform to November 2021 (416 weeks),
//! each on the default city. A calibration's wall time is its run count (printed at the end of
//! `cogov calibrate`, and summed in `waves.csv` and `generations.csv`) times these, divided by the
//! threads; the target is the whole Beijing calibration under 30 minutes on 2 cores (README,
//! "Calibration").

use criterion::{criterion_group, criterion_main, Criterion};

use cogov::run::simulate;
use cogov::scenario::load_file;

fn beijing_runs(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut group = c.benchmark_group("beijing");
    group.sample_size(20);
    for (name, file) in [
        ("baseline_267_weeks", "beijing_2019_baseline.toml"),
        ("reform_416_weeks", "beijing_2021_reform.toml"),
    ] {
        let sc = load_file(&dir.join(file)).expect(file);
        group.bench_function(name, |b| b.iter(|| simulate(&sc, |_, _| {})));
    }
    group.finish();
}

criterion_group!(benches, beijing_runs);
criterion_main!(benches);
