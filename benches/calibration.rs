//! What the Beijing 12345 calibration (issue 12 §4; docs/CALIBRATION.md) costs per run: one run
//! of the January-2019 baseline (267 weeks), of the reform to November 2021 (416 weeks) and of
//! the forecast to the end of 2024 (575 weeks), each on the default city at the posterior
//! medians of the committed calibration (`docs/calibration/beijing/2019/estimates.csv`): slower
//! work keeps more issues open than the defaults do, so a run there costs several times a
//! default run. A calibration's wall time is about its run count (summed in `waves.csv` and
//! `generations.csv`, plus the predictive and prediction draws) times these, halved on 2
//! threads; the target is the whole Beijing calibration under 30 minutes on 2 cores (README,
//! "Calibration").

use criterion::{criterion_group, criterion_main, Criterion};

use cogov::model::params::ParamValue;
use cogov::run::simulate;
use cogov::scenario::load_file;

/// The posterior medians (`q50`) of the committed Beijing 2019 calibration, by parameter key.
fn posterior_medians(root: &std::path::Path) -> Vec<(String, f64)> {
    let path = root.join("docs/calibration/beijing/2019/estimates.csv");
    let mut reader = csv::Reader::from_path(&path).expect("estimates.csv");
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (key, q50) = (col("parameter"), col("q50"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[key].to_string(), r[q50].parse().expect("q50"))
        })
        .collect()
}

fn beijing_runs(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let medians = posterior_medians(root);
    let mut group = c.benchmark_group("beijing");
    group.sample_size(10);
    for (name, file, ticks) in [
        ("baseline_267_weeks", "beijing_2019_baseline.toml", None),
        ("reform_416_weeks", "beijing_2021_reform.toml", None),
        ("forecast_575_weeks", "beijing_2021_reform.toml", Some(575)),
    ] {
        let mut sc = load_file(&root.join("scenarios").join(file)).expect(file);
        if let Some(t) = ticks {
            sc.ticks = t;
        }
        for (key, value) in &medians {
            sc.params.set(key, ParamValue::Float(*value)).expect(key);
        }
        group.bench_function(name, |b| b.iter(|| simulate(&sc, |_, _| {})));
    }
    group.finish();
}

criterion_group!(benches, beijing_runs);
criterion_main!(benches);
