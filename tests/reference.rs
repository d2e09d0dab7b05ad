//! Reference outputs: four library scenarios, 30 weeks each, against the outputs the code made
//! when they were last regenerated on purpose (`tests/fixtures/reference/`): first by the build
//! of commit 5b5d984, before the speed-ups; then for model revision 2 (docs/TRACE.md), whose
//! forms change every output. (The default scenario's 260-week warm-up is longer than these
//! 30 weeks, so its `summary.csv` covers week 30 only.)
//! A change meant to keep results (a faster sort, a parallel phase) must pass unchanged. A
//! change meant to alter them is marked **[outputs]** in `CHANGELOG.md` and regenerates the
//! references with `COGOV_UPDATE_REFERENCE=1 cargo test --release --test reference`.
//!
//! Numbers are compared to a relative 1e-9, not byte for byte, so that another platform's
//! `exp` and `pow`, which may differ in the last bit, do not fail the test; a change of logic
//! moves whole counts and shows up at once.

use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIOS: [&str; 4] = [
    "default",
    "whistle_and_report",
    "reform_lists_week26",
    "s2_4_process",
];
const WEEKS: &str = "30";
const FILES: [&str; 2] = ["timeseries.csv", "summary.csv"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(scenario: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_cogov"))
        .args(["run", "--ticks", WEEKS, "--no-charts", "-q", "--out"])
        .arg(out)
        .arg(root().join("scenarios").join(format!("{scenario}.toml")))
        .status()
        .expect("cogov runs");
    assert!(status.success(), "cogov run {scenario} failed");
}

/// Where two CSV texts differ beyond rounding: file, line, column and both values.
fn differences(name: &str, expected: &str, got: &str) -> Vec<String> {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut found = Vec::new();
    if e.len() != g.len() {
        found.push(format!(
            "{name}: {} lines expected, {} written",
            e.len(),
            g.len()
        ));
    }
    let header: Vec<&str> = e.first().map_or(Vec::new(), |h| h.split(',').collect());
    for (line, (a, b)) in e.iter().zip(&g).enumerate() {
        for (col, (x, y)) in a.split(',').zip(b.split(',')).enumerate() {
            let same = match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
                _ => x == y,
            };
            if !same {
                let column = header.get(col).copied().unwrap_or("?");
                found.push(format!(
                    "{name} line {}, column {column}: expected {x}, got {y}",
                    line + 1
                ));
            }
        }
    }
    found
}

#[test]
fn library_scenarios_reproduce_their_reference_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let update = std::env::var_os("COGOV_UPDATE_REFERENCE").is_some();
    let mut found = Vec::new();
    for scenario in SCENARIOS {
        let out = tmp.path().join(scenario);
        run(scenario, &out);
        let reference = root().join("tests/fixtures/reference").join(scenario);
        for file in FILES {
            let got = std::fs::read_to_string(out.join(file)).unwrap();
            if update {
                std::fs::create_dir_all(&reference).unwrap();
                std::fs::write(reference.join(file), &got).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(reference.join(file)).unwrap();
            found.extend(differences(&format!("{scenario}/{file}"), &expected, &got));
        }
    }
    assert!(
        found.is_empty(),
        "outputs moved from the references ({} differences; the first 20):\n{}",
        found.len(),
        found[..found.len().min(20)].join("\n")
    );
}

#[test]
fn the_comparison_sees_a_moved_count_and_forgives_the_last_bit() {
    let expected = "tick,resolved,trust\n1,72,0.5952864010113218\n";
    let last_bit = "tick,resolved,trust\n1,72,0.5952864010113219\n";
    let moved = "tick,resolved,trust\n1,73,0.5952864010113218\n";
    assert!(differences("x", expected, last_bit).is_empty());
    let found = differences("x", expected, moved);
    assert_eq!(found, ["x line 2, column resolved: expected 72, got 73"]);
}
