//! End-to-end tests of the `cogov` binary: they run the real executable on the files in
//! `scenarios/` and on small hand-written files, with every output going to a temporary
//! directory. They check what a user relies on — the files a run writes, byte-for-byte
//! reproducibility (across thread counts and through `manifest.json`), the scenario library,
//! one-line configuration errors with exit code 2, and output directories that are either
//! complete or absent.
//!
//! Runs shrink the city (`SMALL`) wherever a test does not need the default size, so the whole
//! file takes a few seconds. Model behaviour is tested elsewhere; here only the plumbing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cogov::model::params::{param_specs, spec_of, ParamKind, ParamValue};

/// A 2-district, 24-grid city for 8 weeks: enough to exercise every phase of a tick.
const SMALL: &[&str] = &[
    "--set",
    "territory.districts=2",
    "--set",
    "territory.streets_per_district=2",
    "--set",
    "territory.communities_per_street=3",
    "--ticks",
    "8",
];

const OUTPUT_FILES: [&str; 3] = ["timeseries.csv", "summary.csv", "manifest.json"];

// ----------------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------------

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn scenario(name: &str) -> PathBuf {
    scenarios_dir().join(name)
}

/// The binary, run from `cwd` so that a stray default output directory (`runs/`) can never land
/// in the repository.
fn cogov_in(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cogov"));
    c.current_dir(cwd);
    c.env_remove("RAYON_NUM_THREADS");
    c
}

fn run_in(cwd: &Path, args: &[&str]) -> Output {
    cogov_in(cwd)
        .args(args)
        .output()
        .expect("the cogov binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Runs and insists on success, showing stderr if it failed.
fn ok(cwd: &Path, args: &[&str]) -> Output {
    let out = run_in(cwd, args);
    assert!(
        out.status.success(),
        "cogov {args:?} failed with {:?}\nstderr: {}",
        out.status.code(),
        text(&out.stderr)
    );
    out
}

/// `cogov run` of `scenario` (None: the embedded default) into `out`, small city, quiet.
fn run_small(cwd: &Path, scenario: Option<&Path>, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["run".into()];
    if let Some(s) = scenario {
        args.push(s.display().to_string());
    }
    args.extend(["--quiet".into(), "--out".into(), out.display().to_string()]);
    args.extend(SMALL.iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(cwd, &refs)
}

/// The three output files of a run directory, by name.
fn read_outputs(dir: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    OUTPUT_FILES
        .iter()
        .map(|f| {
            let path = dir.join(f);
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (*f, bytes)
        })
        .collect()
}

fn assert_same_outputs(a: &Path, b: &Path, what: &str) {
    let (x, y) = (read_outputs(a), read_outputs(b));
    for f in OUTPUT_FILES {
        assert!(
            x[f] == y[f],
            "{what}: {f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Runs a command that must fail with a configuration error; returns its one stderr line.
fn config_error(cwd: &Path, args: &[&str]) -> String {
    let out = run_in(cwd, args);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "cogov {args:?} should exit 2\nstdout: {}\nstderr: {stderr}",
        text(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "a failed run prints nothing on stdout, got: {}",
        text(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected a single error line, got:\n{stderr}"
    );
    assert!(
        lines[0].starts_with("error: "),
        "the error line starts with `error: `: {}",
        lines[0]
    );
    lines[0].to_string()
}

fn assert_contains(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(haystack.contains(n), "`{n}` not found in: {haystack}");
    }
}

/// No staging directory (`.NAME.partial-PID`) anywhere under `dir`.
fn assert_no_staging(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            assert!(
                !name.contains(".partial-"),
                "staging directory left behind: {}",
                e.path().display()
            );
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(e.path());
            }
        }
    }
}

/// Writes `contents` to `dir/name` and returns the path.
fn write_file(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, contents).unwrap();
    p
}

/// Output column names and units, section by section, as `cogov columns` prints them.
fn printed_columns(cwd: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let out = ok(cwd, &["columns"]);
    let mut sections: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current = String::new();
    for line in text(&out.stdout).lines() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            current = line.trim().to_string();
            sections.entry(current.clone()).or_default();
        } else {
            let mut words = line.split_whitespace();
            let name = words.next().unwrap().to_string();
            let unit = words.next().unwrap_or("").to_string();
            sections.get_mut(&current).unwrap().push((name, unit));
        }
    }
    sections
}

/// Parses a CSV written by cogov (plain numbers, no quoting) into header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let body = fs::read_to_string(path).unwrap();
    let mut lines = body.lines();
    let header = lines
        .next()
        .expect("a header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Every cell parses as a finite number; NaN and infinity never reach an output.
fn assert_all_finite(path: &Path) {
    let (header, rows) = read_csv(path);
    for (r, row) in rows.iter().enumerate() {
        assert_eq!(
            row.len(),
            header.len(),
            "{}: row {} has {} cells for {} columns",
            path.display(),
            r + 1,
            row.len(),
            header.len()
        );
        for (cell, col) in row.iter().zip(&header) {
            let lower = cell.to_ascii_lowercase();
            assert!(
                !lower.contains("nan") && !lower.contains("inf"),
                "{}: {col} = {cell}",
                path.display()
            );
            let x: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{}: {col} = `{cell}` is not a number", path.display()));
            assert!(x.is_finite(), "{}: {col} = {cell}", path.display());
        }
    }
}

// ----------------------------------------------------------------------------------------------
// What a run writes
// ----------------------------------------------------------------------------------------------

#[test]
fn run_writes_timeseries_summary_and_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_small(tmp.path(), None, &out, &[]);

    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    // Charts are on by default; `--no-charts` is covered by tests/charts.rs.
    assert_eq!(
        names,
        ["charts", "manifest.json", "summary.csv", "timeseries.csv"]
    );

    let (ts_header, ts_rows) = read_csv(&out.join("timeseries.csv"));
    assert_eq!(ts_header[0], "tick");
    assert_eq!(ts_rows.len(), 8, "one row per tick");
    for (i, row) in ts_rows.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string(), "ticks are numbered 1..");
    }
    let (sum_header, sum_rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(sum_rows.len(), 1, "one summary row");
    let ticks = sum_header
        .iter()
        .position(|c| c == "ticks")
        .expect("a ticks column");
    assert_eq!(sum_rows[0][ticks], "8");

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["ticks"], 8);
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["scenario"]["name"], "default");
    assert_eq!(manifest["params"]["territory"]["districts"], 2);
    assert_eq!(manifest["params"]["territory"]["communities_per_street"], 3);
    assert!(manifest["cogov_version"].is_string());
}

#[test]
fn csv_headers_match_cogov_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_small(tmp.path(), None, &out, &[]);
    let printed = printed_columns(tmp.path());
    for file in ["timeseries.csv", "summary.csv"] {
        let (header, _) = read_csv(&out.join(file));
        let names: Vec<String> = printed
            .get(file)
            .unwrap_or_else(|| panic!("`cogov columns` has no {file} section"))
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        assert_eq!(header, names, "{file} header vs `cogov columns`");
    }
    // And the printed list is the library's list.
    let lib: Vec<String> = cogov::output::records::timeseries_columns()
        .into_iter()
        .map(|c| c.name)
        .collect();
    let printed_ts: Vec<String> = printed["timeseries.csv"]
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(printed_ts, lib);
}

#[test]
fn outputs_hold_no_nan_or_infinity_and_shares_stay_in_unit_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let printed = printed_columns(tmp.path());
    // A quiet small city and one with every lever pulled hard, where divisions by zero lurk.
    let levers = [
        "--set",
        "process.information_sharing=1",
        "--set",
        "tools.superior_attention=0",
        "--set",
        "institutions.block_led=true",
        "--set",
        "process.whistle_and_report=true",
        "--set",
        "motivation.responsibility_lists=1",
        "--set",
        "capability.socialisation=1",
        "--set",
        "issues.arrival_per_1000=0",
    ];
    for (i, extra) in [&[][..], &levers[..]].iter().enumerate() {
        let out = tmp.path().join(format!("run{i}"));
        run_small(tmp.path(), None, &out, extra);
        for file in ["timeseries.csv", "summary.csv"] {
            let path = out.join(file);
            assert_all_finite(&path);
            let (header, rows) = read_csv(&path);
            let units: BTreeMap<&str, &str> = printed[file]
                .iter()
                .map(|(n, u)| (n.as_str(), u.as_str()))
                .collect();
            for row in &rows {
                for (cell, col) in row.iter().zip(&header) {
                    if matches!(units.get(col.as_str()), Some(&"share") | Some(&"0..1")) {
                        let x: f64 = cell.parse().unwrap();
                        assert!(
                            (0.0..=1.0).contains(&x),
                            "{}: {col} = {x} outside 0..=1",
                            path.display()
                        );
                    }
                }
            }
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Reproducibility
// ----------------------------------------------------------------------------------------------

/// A small scenario with interventions of every value type, for the reproducibility tests.
const WITH_INTERVENTIONS: &str = r#"
[scenario]
name = "repro"
title_en = "Reproducibility probe"
title_zh = "可复现性检验"
seed = 7
ticks = 8

[territory]
districts = 3
streets_per_district = 2
communities_per_street = 3

[motivation]
incentive_compatibility = 0.55

[[interventions]]
tick = 3
label_en = "lists and reviews"
label_zh = "清单与回头看"
set = { "motivation.responsibility_lists" = 1.0, "motivation.lookback_interval_ticks" = 2 }

[[interventions]]
tick = 5
label_en = "whistle"
label_zh = "吹哨报到"
set = { institutions.block_led = true, process.whistle_and_report = true, tools.superior_attention = 0.5 }
"#;

#[test]
fn same_seed_gives_identical_bytes_across_thread_counts_and_repeats() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = write_file(tmp.path(), "repro.toml", WITH_INTERVENTIONS);
    let go = |dir: &str, threads: &str| {
        let out = tmp.path().join(dir);
        let o = cogov_in(tmp.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "-q", "--out"])
            .arg(&out)
            .arg(&sc)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        out
    };
    let one = go("t1", "1");
    let two = go("t2", "2");
    let two_again = go("t2b", "2");
    let four = go("t4", "4");
    assert_same_outputs(&one, &two, "1 vs 2 threads");
    assert_same_outputs(&two, &two_again, "twice in a row");
    assert_same_outputs(&one, &four, "1 vs 4 threads");
}

#[test]
fn default_city_is_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let o = cogov_in(tmp.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "-q", "--ticks", "8", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        dirs.push(out);
    }
    assert_same_outputs(&dirs[0], &dirs[1], "default city, 1 vs 2 threads");
}

#[test]
fn a_different_seed_gives_different_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let c = tmp.path().join("c");
    run_small(tmp.path(), None, &a, &[]);
    run_small(tmp.path(), None, &b, &["--seed", "43"]);
    run_small(tmp.path(), None, &c, &["--set", "scenario.seed=43"]);
    let (x, y) = (read_outputs(&a), read_outputs(&b));
    assert_ne!(x["timeseries.csv"], y["timeseries.csv"]);
    assert_ne!(x["summary.csv"], y["summary.csv"]);
    assert_ne!(x["manifest.json"], y["manifest.json"]);
    // --seed and --set scenario.seed are the same thing.
    assert_same_outputs(&b, &c, "--seed 43 vs --set scenario.seed=43");
}

#[test]
fn manifest_reproduces_a_run_with_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    run_small(
        tmp.path(),
        None,
        &first,
        &[
            "--seed",
            "1234",
            "--set",
            "motivation.incentive_compatibility=0.8",
            "--set",
            "institutions.block_led=true",
            "--set",
            "motivation.lookback_interval_ticks=3",
            "--set",
            "behaviour.complement_exponent=-3",
            "--set",
            "tools.media_pressure=0.015625",
        ],
    );
    let second = tmp.path().join("second");
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            first.join("manifest.json").to_str().unwrap(),
            "--out",
            second.to_str().unwrap(),
        ],
    );
    assert_same_outputs(&first, &second, "manifest replay with --set overrides");
    // A replay of the replay is still the same run.
    let third = tmp.path().join("third");
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            second.join("manifest.json").to_str().unwrap(),
            "--out",
            third.to_str().unwrap(),
        ],
    );
    assert_same_outputs(&first, &third, "replay of a replay");
}

#[test]
fn manifest_reproduces_a_run_with_interventions() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = write_file(tmp.path(), "repro.toml", WITH_INTERVENTIONS);
    let first = tmp.path().join("first");
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            sc.to_str().unwrap(),
            "--out",
            first.to_str().unwrap(),
        ],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(first.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["interventions"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["interventions"][1]["label_zh"], "吹哨报到");

    let second = tmp.path().join("second");
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            first.join("manifest.json").to_str().unwrap(),
            "--out",
            second.to_str().unwrap(),
        ],
    );
    assert_same_outputs(&first, &second, "manifest replay with interventions");
}

#[test]
fn manifest_reproduces_a_library_scenario_whose_intervention_fires() {
    // s2_1_motivation switches its package on at week 13; 14 weeks see both sides of it.
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let small_city = &SMALL[..6];
    let mut args = vec![
        "run",
        "-q",
        "--ticks",
        "14",
        "--out",
        first.to_str().unwrap(),
    ];
    let sc = scenario("s2_1_motivation.toml");
    args.push(sc.to_str().unwrap());
    args.extend_from_slice(small_city);
    ok(tmp.path(), &args);
    let second = tmp.path().join("second");
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            first.join("manifest.json").to_str().unwrap(),
            "--out",
            second.to_str().unwrap(),
        ],
    );
    assert_same_outputs(&first, &second, "replay of s2_1_motivation");
}

#[test]
fn the_intervention_changes_the_run_only_from_its_week() {
    // Interventions are applied at the start of their tick: rows before it are unchanged.
    let tmp = tempfile::tempdir().unwrap();
    let with = write_file(
        tmp.path(),
        "with.toml",
        "[[interventions]]\ntick = 5\nset = { \"tools.superior_attention\" = 0.0 }\n",
    );
    let without = write_file(tmp.path(), "without.toml", "");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    run_small(tmp.path(), Some(&with), &a, &[]);
    run_small(tmp.path(), Some(&without), &b, &[]);
    let (_, rows_a) = read_csv(&a.join("timeseries.csv"));
    let (_, rows_b) = read_csv(&b.join("timeseries.csv"));
    assert_eq!(
        rows_a[..4],
        rows_b[..4],
        "weeks 1-4 precede the intervention"
    );
    assert_ne!(
        rows_a[4..],
        rows_b[4..],
        "withdrawing attention changes weeks 5-8"
    );
}

// ----------------------------------------------------------------------------------------------
// The scenario library
// ----------------------------------------------------------------------------------------------

fn library() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(scenarios_dir())
        .expect("scenarios/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_library_holds_the_documented_scenarios() {
    let names: Vec<String> = library()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for expected in [
        "default.toml",
        "baseline.toml",
        "s2_1_motivation.toml",
        "s2_2_institutions.toml",
        "s2_3_tools.toml",
        "s2_4_process.toml",
        "whistle_and_report.toml",
        "lazy_governance_unconstrained.toml",
        "lazy_governance_constrained.toml",
        "reform_lists_week26.toml",
        "crowding_out.toml",
        "grassroots_empowerment.toml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "missing scenarios/{expected}"
        );
    }
}

#[test]
fn every_library_scenario_loads_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    for path in library() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let out = tmp.path().join(&stem);
        let o = run_in(
            tmp.path(),
            &[
                "run",
                "-q",
                path.to_str().unwrap(),
                "--ticks",
                "3",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "{} failed: {}",
            path.display(),
            text(&o.stderr)
        );
        let (_, rows) = read_csv(&out.join("timeseries.csv"));
        assert_eq!(rows.len(), 3, "{}", path.display());
        assert_all_finite(&out.join("timeseries.csv"));
        assert_all_finite(&out.join("summary.csv"));
    }
    assert_no_staging(tmp.path());
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_library_scenario_is_titled_and_described_in_both_languages() {
    for path in library() {
        let body = fs::read_to_string(&path).unwrap();
        let doc: toml::Table =
            toml::from_str(&body).unwrap_or_else(|e| panic!("{}: not TOML: {e}", path.display()));
        let meta = doc
            .get("scenario")
            .and_then(|v| v.as_table())
            .unwrap_or_else(|| panic!("{}: no [scenario] table", path.display()));
        for key in [
            "name",
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
        ] {
            let v = meta
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("{}: scenario.{key} missing", path.display()));
            assert!(
                !v.trim().is_empty(),
                "{}: scenario.{key} is empty",
                path.display()
            );
            if key.ends_with("_zh") {
                assert!(
                    has_cjk(v),
                    "{}: scenario.{key} is not Chinese",
                    path.display()
                );
            }
        }
        // Interventions carry labels in both languages, too.
        if let Some(list) = doc.get("interventions").and_then(|v| v.as_array()) {
            for item in list {
                for key in ["label_en", "label_zh"] {
                    let v = item.get(key).and_then(|v| v.as_str()).unwrap_or("");
                    assert!(
                        !v.trim().is_empty(),
                        "{}: an intervention has no {key}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn every_library_scenario_opens_with_a_bilingual_comment_zh_then_en() {
    for path in library() {
        let body = fs::read_to_string(&path).unwrap();
        let head: Vec<&str> = body.lines().take_while(|l| l.starts_with('#')).collect();
        assert!(
            !head.is_empty(),
            "{}: should open with a comment block",
            path.display()
        );
        let zh = head
            .iter()
            .position(|l| l.trim_start_matches('#').trim_start().starts_with("zh:"));
        let en = head
            .iter()
            .position(|l| l.trim_start_matches('#').trim_start().starts_with("en:"));
        match (zh, en) {
            (Some(z), Some(e)) => assert!(z < e, "{}: zh comes before en", path.display()),
            _ => panic!(
                "{}: the opening comment needs `zh:` and `en:` parts",
                path.display()
            ),
        }
        assert!(
            head.iter().any(|l| has_cjk(l)),
            "{}: the zh part is not Chinese",
            path.display()
        );
    }
}

/// Flattens `[section] key = value` (and nested tables) into dotted keys.
fn flatten_params(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in t {
        let key = format!("{prefix}.{k}");
        match v {
            toml::Value::Table(inner) => flatten_params(&key, inner, out),
            other => out.push((key, other.clone())),
        }
    }
}

#[test]
fn library_scenarios_state_only_parameters_that_differ_from_defaults() {
    for path in library() {
        let doc: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let mut params = Vec::new();
        for (section, v) in &doc {
            // `[lesson]` is teaching material, not parameters.
            if section == "scenario" || section == "interventions" || section == "lesson" {
                continue;
            }
            if let toml::Value::Table(t) = v {
                flatten_params(section, t, &mut params);
            }
        }
        for (key, value) in params {
            let spec = spec_of(&key)
                .unwrap_or_else(|| panic!("{}: {key} is not a parameter", path.display()));
            let same = match (spec.default, &value) {
                (ParamValue::Float(d), toml::Value::Float(x)) => d == *x,
                (ParamValue::Float(d), toml::Value::Integer(i)) => d == *i as f64,
                (ParamValue::Int(d), toml::Value::Integer(i)) => d == *i,
                (ParamValue::Bool(d), toml::Value::Boolean(b)) => d == *b,
                _ => false,
            };
            assert!(
                !same,
                "{}: {key} = {value:?} is the default; leave it out",
                path.display()
            );
        }
    }
}

#[test]
fn baseline_is_the_default_city() {
    // baseline.toml states no parameter, so it must run exactly like the embedded default.
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("baseline");
    let b = tmp.path().join("default");
    run_small(tmp.path(), Some(&scenario("baseline.toml")), &a, &[]);
    run_small(tmp.path(), None, &b, &[]);
    let (x, y) = (read_outputs(&a), read_outputs(&b));
    assert_eq!(x["timeseries.csv"], y["timeseries.csv"]);
    assert_eq!(x["summary.csv"], y["summary.csv"]);
}

#[test]
fn the_lazy_governance_pair_differs_only_in_the_constraints() {
    let pair: Vec<toml::Table> = [
        "lazy_governance_unconstrained.toml",
        "lazy_governance_constrained.toml",
    ]
    .iter()
    .map(|f| toml::from_str(&fs::read_to_string(scenario(f)).unwrap()).unwrap())
    .collect();
    let (u, c) = (&pair[0], &pair[1]);
    assert_eq!(
        u["interventions"], c["interventions"],
        "same attention schedule"
    );
    assert_eq!(u["behaviour"], c["behaviour"], "same low-motivation city");
    assert_eq!(
        u["scenario"]["seed"], c["scenario"]["seed"],
        "common random numbers"
    );
    assert_eq!(u["scenario"]["ticks"], c["scenario"]["ticks"]);
    assert_eq!(u["observation"], c["observation"], "same warm-up");
    assert_eq!(
        u["tools"]["superior_attention"], c["tools"]["superior_attention"],
        "same attention before the withdrawal"
    );
    assert!(u.get("motivation").is_none() && u["tools"].get("third_party_evaluation").is_none());
    assert_eq!(
        c["motivation"]["responsibility_lists"].as_float(),
        Some(1.0)
    );
    assert_eq!(c["tools"]["third_party_evaluation"].as_float(), Some(0.1));
}

// ----------------------------------------------------------------------------------------------
// Bad input: one line, exit code 2, file/line/key named
// ----------------------------------------------------------------------------------------------

/// Runs `cogov run FILE` on a file with `contents`; returns the error line. Checks that no
/// output directory and no staging directory was left.
fn bad_file(name: &str, contents: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_file(tmp.path(), name, contents);
    let out = tmp.path().join("out");
    let line = config_error(
        tmp.path(),
        &[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!out.exists(), "a refused run creates no output directory");
    assert_no_staging(tmp.path());
    line
}

fn bad_args(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut all = vec!["run", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let line = config_error(tmp.path(), &all);
    assert!(!out.exists(), "a refused run creates no output directory");
    assert_no_staging(tmp.path());
    line
}

#[test]
fn missing_scenario_file() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-city.toml");
    let line = config_error(
        tmp.path(),
        &["run", missing.to_str().unwrap(), "--out", "out"],
    );
    assert_contains(&line, &["no-such-city.toml", "cannot read"]);
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn malformed_toml() {
    let line = bad_file(
        "malformed.toml",
        "[scenario]\nname = \"x\"\n[motivation\nincentive_compatibility = 0.5\n",
    );
    assert_contains(&line, &["malformed.toml:3:", "invalid TOML"]);
}

#[test]
fn unknown_section_with_hint() {
    let line = bad_file(
        "unknown_section.toml",
        "[scenario]\nname = \"x\"\n\n[motivaton]\nincentive_compatibility = 0.5\n",
    );
    assert_contains(
        &line,
        &[
            "unknown_section.toml:4:",
            "motivaton",
            "unknown section",
            "did you mean `motivation`",
        ],
    );
}

#[test]
fn unknown_key_with_did_you_mean() {
    let line = bad_file(
        "unknown_key.toml",
        "[scenario]\nname = \"x\"\n\n[motivation]\nincentive_compatibilty = 0.5\n",
    );
    assert_contains(
        &line,
        &[
            "unknown_key.toml:5:",
            "motivation.incentive_compatibilty",
            "did you mean `motivation.incentive_compatibility`",
        ],
    );
}

#[test]
fn unknown_key_in_scenario_table() {
    let line = bad_file("meta.toml", "[scenario]\nname = \"x\"\nseeds = 4\n");
    assert_contains(&line, &["meta.toml:3:", "scenario.seeds", "seed"]);
}

#[test]
fn wrong_type() {
    let line = bad_file(
        "wrong_type.toml",
        "[scenario]\nname = \"x\"\n[territory]\ndistricts = \"four\"\n",
    );
    assert_contains(
        &line,
        &[
            "wrong_type.toml:4:",
            "territory.districts",
            "expected integer",
            "string",
        ],
    );
    let line = bad_file("wrong_bool.toml", "[institutions]\nblock_led = 1\n");
    assert_contains(
        &line,
        &["wrong_bool.toml:2:", "institutions.block_led", "boolean"],
    );
}

#[test]
fn out_of_range_value() {
    let line = bad_file(
        "range.toml",
        "[scenario]\nname = \"x\"\n\n[motivation]\n\nincentive_compatibility = 1.4\n",
    );
    assert_contains(
        &line,
        &[
            "range.toml:6:",
            "motivation.incentive_compatibility",
            "0..=1",
            "1.4",
        ],
    );
    let line = bad_file("ticks.toml", "[scenario]\nticks = 0\n");
    assert_contains(&line, &["ticks.toml:2:", "scenario.ticks", "0"]);
}

#[test]
fn nan_and_infinity_are_refused() {
    let line = bad_file("nan.toml", "[tools]\nmedia_pressure = nan\n");
    assert_contains(&line, &["nan.toml:2:", "tools.media_pressure", "finite"]);
    let line = bad_file("inf.toml", "[capacity]\n\ncity_block = inf\n");
    assert_contains(&line, &["inf.toml:3:", "capacity.city_block"]);
}

#[test]
fn structural_parameter_inside_an_intervention() {
    let line = bad_file(
        "structural.toml",
        "[scenario]\nname = \"x\"\n\n[[interventions]]\ntick = 2\nset = { \"territory.districts\" = 3 }\n",
    );
    assert_contains(
        &line,
        &["structural.toml:6:", "territory.districts", "structural"],
    );
}

#[test]
fn bad_values_inside_an_intervention() {
    let line = bad_file(
        "iv_range.toml",
        "[[interventions]]\ntick = 2\nset = { \"tools.superior_attention\" = 4.0 }\n",
    );
    assert_contains(
        &line,
        &["iv_range.toml:3:", "tools.superior_attention", "0..=3"],
    );
    let line = bad_file(
        "iv_key.toml",
        "[[interventions]]\ntick = 2\nset = { \"tools.superior_atention\" = 1.0 }\n",
    );
    assert_contains(
        &line,
        &["iv_key.toml:3:", "did you mean `tools.superior_attention`"],
    );
    let line = bad_file(
        "iv_tick.toml",
        "[[interventions]]\nset = { \"tools.media_pressure\" = 0.1 }\n",
    );
    assert_contains(&line, &["iv_tick.toml:", "interventions.tick", "missing"]);
}

#[test]
fn set_without_equals() {
    let line = bad_args(&["--set", "motivation.incentive_compatibility"]);
    assert_contains(
        &line,
        &["--set", "KEY=VALUE", "motivation.incentive_compatibility"],
    );
}

#[test]
fn set_with_unknown_key() {
    let line = bad_args(&["--set", "motivation.incentive_compatibilty=0.5"]);
    assert_contains(
        &line,
        &[
            "--set",
            "motivation.incentive_compatibilty",
            "did you mean `motivation.incentive_compatibility`",
        ],
    );
    let line = bad_args(&["--set", "nowhere.at_all=1"]);
    assert_contains(&line, &["--set", "nowhere.at_all", "unknown parameter"]);
}

#[test]
fn set_out_of_range_wrong_type_or_nan() {
    let line = bad_args(&["--set", "motivation.incentive_compatibility=3"]);
    assert_contains(
        &line,
        &["--set", "motivation.incentive_compatibility", "0..=1", "3"],
    );
    let line = bad_args(&["--set", "territory.districts=0"]);
    assert_contains(&line, &["--set", "territory.districts", "1..=64"]);
    let line = bad_args(&["--set", "institutions.block_led=yes"]);
    assert_contains(&line, &["--set", "institutions.block_led", "boolean"]);
    let line = bad_args(&["--set", "tools.media_pressure=nan"]);
    assert_contains(&line, &["--set", "tools.media_pressure", "finite"]);
}

#[test]
fn zero_ticks() {
    let line = bad_args(&["--ticks", "0"]);
    assert_contains(&line, &["--ticks", "1..=", "0"]);
}

#[test]
fn malformed_manifest() {
    let line = bad_file("manifest.json", "{ \"scenario\": ");
    assert_contains(&line, &["manifest.json", "invalid JSON"]);
    let line = bad_file("manifest.json", "{ \"kind\": \"run\" }\n");
    assert_contains(&line, &["manifest.json", "scenario"]);
}

// ----------------------------------------------------------------------------------------------
// Output safety
// ----------------------------------------------------------------------------------------------

#[test]
fn an_existing_output_directory_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();

    let mut args = vec!["run", "--out", out.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    let line = config_error(tmp.path(), &args);
    assert_contains(&line, &["run", "already exists", "--force"]);
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
    assert_no_staging(tmp.path());

    // --force replaces only cogov outputs: a directory without a manifest.json is kept.
    let mut forced = args.clone();
    forced.push("--force");
    let line = config_error(tmp.path(), &forced);
    assert_contains(&line, &["run", "manifest.json"]);
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
    assert_no_staging(tmp.path());

    fs::remove_dir_all(&out).unwrap();
    run_small(tmp.path(), None, &out, &[]);
    assert_no_staging(tmp.path());

    // Replacing a finished run with --force is also fine, and gives the same bytes.
    let before = read_outputs(&out);
    run_small(tmp.path(), None, &out, &["--force"]);
    assert_eq!(before, read_outputs(&out));
}

#[test]
fn an_output_path_under_a_regular_file_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let afile = write_file(tmp.path(), "afile", "not a directory");
    let out = afile.join("run");
    let mut args = vec!["run", "--out", out.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    let o = run_in(tmp.path(), &args);
    let stderr = text(&o.stderr);
    assert!(
        matches!(o.status.code(), Some(1) | Some(2)),
        "exit code {:?}: {stderr}",
        o.status.code()
    );
    assert!(
        stderr.contains("afile"),
        "the error names the path: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(fs::read_to_string(&afile).unwrap(), "not a directory");
    assert_no_staging(tmp.path());
    // Nothing that looks like a finished run appeared anywhere.
    for e in fs::read_dir(tmp.path()).unwrap().flatten() {
        assert!(
            !e.path().join("manifest.json").exists(),
            "unexpected run directory {}",
            e.path().display()
        );
    }
}

#[test]
fn force_does_not_replace_a_regular_file() {
    let tmp = tempfile::tempdir().unwrap();
    let afile = write_file(tmp.path(), "afile", "precious");
    let mut args = vec!["run", "-q", "--force", "--out", afile.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    let o = run_in(tmp.path(), &args);
    let stderr = text(&o.stderr);
    assert!(
        matches!(o.status.code(), Some(1) | Some(2)),
        "exit code {:?}: {stderr}",
        o.status.code()
    );
    assert!(
        stderr.contains("afile"),
        "the error names the path: {stderr}"
    );
    assert_eq!(fs::read_to_string(&afile).unwrap(), "precious");
    assert_no_staging(tmp.path());
}

#[test]
fn a_failed_run_leaves_no_staging_directory_next_to_its_target() {
    // Configuration errors are caught before anything is created; the staging directory of a
    // run that fails to commit is removed.
    let tmp = tempfile::tempdir().unwrap();
    let nested = tmp.path().join("a").join("b");
    let out = nested.join("run");
    let mut args = vec![
        "run",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "tools.media_pressure=2",
    ];
    args.extend_from_slice(SMALL);
    config_error(tmp.path(), &args);
    assert!(!out.exists());
    assert_no_staging(tmp.path());

    // A successful run into a not-yet-existing nested path creates its parents.
    run_small(tmp.path(), None, &out, &[]);
    read_outputs(&out);
    assert_no_staging(tmp.path());
}

#[test]
fn force_on_the_current_directory_does_not_delete_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("work");
    fs::create_dir(&cwd).unwrap();
    fs::write(cwd.join("precious.txt"), "keep me").unwrap();
    let mut args = vec!["run", "-q", "--force", "--out", "."];
    args.extend_from_slice(SMALL);
    let _ = run_in(&cwd, &args);
    assert_eq!(
        fs::read_to_string(cwd.join("precious.txt")).ok().as_deref(),
        Some("keep me"),
        "`--out . --force` must not delete the user's files"
    );
}

// ----------------------------------------------------------------------------------------------
// Help, parameters, the default run
// ----------------------------------------------------------------------------------------------

#[test]
fn help_and_version_exit_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let help = text(&ok(tmp.path(), &["--help"]).stdout);
    assert_contains(&help, &["run", "params", "columns"]);
    let run_help = text(&ok(tmp.path(), &["run", "--help"]).stdout);
    assert_contains(
        &run_help,
        &["--out", "--force", "--seed", "--ticks", "--set"],
    );
    let version = text(&ok(tmp.path(), &["--version"]).stdout);
    assert!(version.starts_with("cogov "), "{version}");
    // No subcommand is a usage error.
    assert_eq!(run_in(tmp.path(), &[]).status.code(), Some(2));
    assert_eq!(run_in(tmp.path(), &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn params_lists_every_parameter_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = text(&ok(tmp.path(), &["params"]).stdout);
    let lines: Vec<&str> = out.lines().collect();
    let mut listed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with(' ') || line.trim().is_empty() {
            continue;
        }
        let key = line.split(" = ").next().unwrap();
        let description = lines.get(i + 1).copied().unwrap_or("");
        listed.push((key.to_string(), line.to_string(), description.to_string()));
    }
    let specs = param_specs();
    assert_eq!(listed.len(), specs.len(), "one entry per parameter");
    for (spec, (key, line, description)) in specs.iter().zip(&listed) {
        assert_eq!(key, spec.key);
        assert!(line.contains(&spec.range_text()), "{line}");
        assert!(
            description.contains(spec.en) && description.contains(spec.zh),
            "{key}: both languages expected in `{description}`"
        );
        assert!(has_cjk(spec.zh), "{key}: the zh description is not Chinese");
        let default = match (spec.default, spec.kind) {
            (ParamValue::Bool(b), ParamKind::Bool) => b.to_string(),
            (v, _) => v.to_string(),
        };
        assert!(
            line.starts_with(&format!("{key} = {default} ")),
            "{line} should show the default {default}"
        );
    }

    let md = text(&ok(tmp.path(), &["params", "--format", "markdown"]).stdout);
    for spec in specs {
        assert!(md.contains(&format!("| `{}` |", spec.key)), "{}", spec.key);
    }
    let zh = text(&ok(tmp.path(), &["params", "--lang", "zh"]).stdout);
    assert!(zh.contains(specs[0].zh) && !zh.contains(specs[0].en));
}

#[test]
fn default_run_prints_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("default");
    let o = ok(tmp.path(), &["run", "--out", out.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    assert_contains(
        &stdout,
        &[
            "The default city",
            "默认城市",
            "312 weeks",
            "measured over weeks 261–312 after a 260-week warm-up",
            "resolution rate",
            "hotline resolution",
            "热线口径解决率",
            "解决率",
            "小事不出村",
            "大事不出镇",
            "矛盾不出区县",
            "越级上访",
            "resident trust",
            "居民信任",
            "satisfaction",
            "满意度",
            "major risk events",
            "重大风险事件",
            "total cost",
        ],
    );
    assert!(
        stdout.contains(out.to_str().unwrap()),
        "names the output: {stdout}"
    );
    let (_, rows) = read_csv(&out.join("timeseries.csv"));
    assert_eq!(rows.len(), 312);
    // The printed resolution rate is the summary's, as a percentage.
    let (header, summary) = read_csv(&out.join("summary.csv"));
    let i = header.iter().position(|c| c == "resolution_rate").unwrap();
    let rate: f64 = summary[0][i].parse().unwrap();
    assert!(
        stdout.contains(&format!("{:.1}%", 100.0 * rate)),
        "{stdout} should show {rate}"
    );
}

#[test]
fn default_output_goes_under_runs_in_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["run", "-q"];
    args.extend_from_slice(SMALL);
    let o = ok(tmp.path(), &args);
    assert!(
        o.stdout.is_empty(),
        "--quiet prints nothing: {}",
        text(&o.stdout)
    );
    let runs: Vec<PathBuf> = fs::read_dir(tmp.path().join("runs"))
        .expect("runs/ created")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let name = runs[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("default-"), "{name}");
    read_outputs(&runs[0]);
    assert_no_staging(tmp.path());
}

// ----------------------------------------------------------------------------------------------
// Nothing lost, round two (issue 16): what --force may delete, atomic replacement, file
// outputs, closed pipes
// ----------------------------------------------------------------------------------------------

/// `cogov run --out <out> --force`, small city, no charts; returns the whole output.
fn force_run(cwd: &Path, out: &Path) -> Output {
    let mut args = vec![
        "run",
        "-q",
        "--no-charts",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(SMALL);
    run_in(cwd, &args)
}

#[test]
fn force_refuses_a_directory_whose_manifest_json_is_not_cogovs() {
    let tmp = tempfile::tempdir().unwrap();
    // The issue's reproducer: a web app with its own manifest.json.
    let app = tmp.path().join("app");
    fs::create_dir_all(app.join("src")).unwrap();
    fs::write(app.join("manifest.json"), r#"{"name":"pwa"}"#).unwrap();
    fs::write(app.join("src/app.js"), "code").unwrap();
    let mut args = vec!["run", "--force", "--out", "app"];
    args.extend_from_slice(SMALL);
    let line = config_error(tmp.path(), &args);
    assert_contains(
        &line,
        &["app", "not a cogov output", "manifest.json", "kind", "name"],
    );
    assert_eq!(fs::read_to_string(app.join("src/app.js")).unwrap(), "code");
    assert_no_staging(tmp.path());

    // A manifest that claims to be a run, beside files cogov never writes: also refused,
    // naming the stranger.
    fs::write(
        app.join("manifest.json"),
        r#"{"cogov_version": "0.1.0", "kind": "run"}"#,
    )
    .unwrap();
    let line = config_error(tmp.path(), &args);
    assert_contains(&line, &["app", "src", "does not write"]);
    assert_eq!(fs::read_to_string(app.join("src/app.js")).unwrap(), "code");

    // A real run with a note the user added: refused; without the note: replaced.
    let run = tmp.path().join("run");
    run_small(tmp.path(), None, &run, &[]);
    fs::write(run.join("notes.md"), "mine").unwrap();
    let o = force_run(tmp.path(), &run);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_contains(&text(&o.stderr), &["notes.md", "refusing"]);
    assert_eq!(fs::read_to_string(run.join("notes.md")).unwrap(), "mine");
    fs::remove_file(run.join("notes.md")).unwrap();
    let o = force_run(tmp.path(), &run);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!run.join("charts").exists(), "the new run replaced the old");
}

#[test]
fn force_refuses_a_symbolic_link_to_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    run_small(tmp.path(), None, &run, &[]);
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&run, &link).unwrap();
    let o = force_run(tmp.path(), &link);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_contains(&text(&o.stderr), &["link", "symbolic link"]);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    read_outputs(&run);
}

/// Number of entries in `dir`, or None if it cannot be read.
fn entries(dir: &Path) -> Option<usize> {
    fs::read_dir(dir).ok().map(|d| d.count())
}

#[test]
fn a_kill_during_a_force_replacement_leaves_the_old_or_the_new_output_whole() {
    // The old output holds many chart files, so deleting it takes long enough for the kill
    // to land in the middle. Whatever moment it lands at, the target must be the complete old
    // output (every chart, its manifest) or the complete new one (no charts: --no-charts).
    const CHARTS: usize = 5_000;
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    run_small(tmp.path(), None, &target, &["--no-charts"]);
    let charts = target.join("charts/en");
    fs::create_dir_all(&charts).unwrap();
    for i in 0..CHARTS {
        fs::write(charts.join(format!("c{i:05}.png")), "").unwrap();
    }
    let old = read_outputs(&target);

    let mut args: Vec<String> = [
        "run",
        "-q",
        "--no-charts",
        "--force",
        "--seed",
        "99",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(target.display().to_string());
    args.extend(SMALL.iter().map(|s| s.to_string()));
    let mut child = cogov_in(tmp.path()).args(&args).spawn().unwrap();
    let started = std::time::Instant::now();
    // Kill as soon as the target is no longer the untouched old output.
    while entries(&charts) == Some(CHARTS) && started.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(
        entries(&charts) != Some(CHARTS),
        "the replacement never started"
    );
    let _ = child.kill(); // SIGKILL
    child.wait().unwrap();

    assert!(target.is_dir(), "the target must never be missing");
    if target.join("charts").exists() {
        assert_eq!(entries(&charts), Some(CHARTS), "half-deleted old output");
        assert_eq!(read_outputs(&target), old);
    } else {
        let new = read_outputs(&target);
        assert_ne!(new["manifest.json"], old["manifest.json"]);
        assert!(text(&new["manifest.json"]).contains("\"seed\": 99"));
    }
    // Whatever is left beside it is hidden and does not look like an output.
    for e in fs::read_dir(tmp.path()).unwrap().flatten() {
        if e.path() != target {
            let name = e.file_name().to_string_lossy().to_string();
            assert!(name.starts_with('.'), "{name} is not hidden");
        }
    }
}

#[test]
fn report_and_compare_refuse_links_devices_directories_and_cogovs_own_files() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    run_small(tmp.path(), None, &run, &["--no-charts"]);
    let run_s = run.to_str().unwrap();
    let manifest = fs::read(run.join("manifest.json")).unwrap();

    // The run's own files, even with --force.
    for own in ["manifest.json", "summary.csv"] {
        let target = run.join(own);
        let line = config_error(
            tmp.path(),
            &["report", run_s, "-o", target.to_str().unwrap(), "--force"],
        );
        assert_contains(&line, &[own, "cogov run output", "refusing"]);
    }
    assert_eq!(fs::read(run.join("manifest.json")).unwrap(), manifest);

    // A named pipe (a device as far as cogov is concerned), a directory, a symbolic link.
    let fifo = tmp.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let line = config_error(
        tmp.path(),
        &["report", run_s, "-o", fifo.to_str().unwrap(), "--force"],
    );
    assert_contains(&line, &["fifo", "not a regular file"]);
    assert!(!fs::symlink_metadata(&fifo).unwrap().is_file());
    let line = config_error(
        tmp.path(),
        &["report", run_s, "-o", tmp.path().to_str().unwrap()],
    );
    assert_contains(&line, &["is a directory"]);
    let real = write_file(tmp.path(), "real.html", "mine");
    let link = tmp.path().join("link.html");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let line = config_error(
        tmp.path(),
        &["report", run_s, "-o", link.to_str().unwrap(), "--force"],
    );
    assert_contains(&line, &["link.html", "symbolic link"]);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&real).unwrap(), "mine");

    // An existing file needs --force; the default report inside the run does not.
    let line = config_error(tmp.path(), &["report", run_s, "-o", real.to_str().unwrap()]);
    assert_contains(&line, &["real.html", "already exists", "--force"]);
    assert_eq!(fs::read_to_string(&real).unwrap(), "mine");
    ok(
        tmp.path(),
        &[
            "report",
            run_s,
            "-q",
            "-o",
            real.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(fs::read_to_string(&real).unwrap().contains("<html"));
    ok(tmp.path(), &["report", run_s, "-q"]);
    ok(tmp.path(), &["report", run_s, "-q"]);
    // A run holding its report is still a cogov output --force may replace.
    assert!(force_run(tmp.path(), &run).status.success());

    // compare --out: refused before any replication is run.
    let baseline = scenario("baseline.toml");
    let mut args = vec![
        "compare",
        baseline.to_str().unwrap(),
        baseline.to_str().unwrap(),
        "--reps",
        "2",
        "--out",
        real.to_str().unwrap(),
    ];
    args.extend_from_slice(SMALL);
    let line = config_error(tmp.path(), &args);
    assert_contains(&line, &["real.html", "already exists", "--force"]);
    let line = config_error(
        tmp.path(),
        &[
            "compare",
            baseline.to_str().unwrap(),
            baseline.to_str().unwrap(),
            "--out",
            fifo.to_str().unwrap(),
            "--force",
        ],
    );
    assert_contains(&line, &["fifo", "not a regular file"]);
    args.push("--force");
    ok(tmp.path(), &args);
    assert!(fs::read_to_string(&real).unwrap().starts_with("metric,"));
}

/// Runs cogov with its stdout a pipe whose reading end is already closed, as
/// `cogov … | head -c0` leaves it; returns the exit code and stderr.
fn with_closed_stdout(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = cogov_in(cwd)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stderr))
}

#[test]
fn a_closed_stdout_is_a_normal_end() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["run", "--no-charts", "--out", "r"];
    args.extend_from_slice(SMALL);
    let (code, stderr) = with_closed_stdout(tmp.path(), &args);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    read_outputs(&tmp.path().join("r"));
    let smoke = scenarios_dir().join("experiments/smoke.toml");
    let (code, stderr) = with_closed_stdout(
        tmp.path(),
        &["slurm", smoke.to_str().unwrap(), "--out", "s"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = with_closed_stdout(tmp.path(), &["params"]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// MODEL §11.5: a lever that works through another that is off is warned about, naming both.
#[test]
fn a_lever_that_needs_another_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "run",
            "--no-charts",
            "--ticks",
            "2",
            "--set",
            "process.whistle_and_report=true",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("process.whistle_and_report is on from week 1 but does nothing while institutions.block_led is off"),
        "{err}"
    );
}

/// Writes `small.toml` into `dir`: a one-district city of `ticks` weeks for `cogov levers`.
fn small_lever_base(dir: &Path, ticks: u32) {
    fs::write(
        dir.join("small.toml"),
        format!("[scenario]\nname = \"small\"\nticks = {ticks}\n\n[territory]\ndistricts = 1\nstreets_per_district = 1\ncommunities_per_street = 2\ngrids_per_community = 2\n"),
    )
    .unwrap();
}

/// `cogov levers` compares every lever with the base on common seeds, prints one line per lever
/// with its meaning from the parameter table, and writes every metric of every lever as CSV.
#[test]
fn levers_compares_every_lever_with_the_base() {
    let tmp = tempfile::tempdir().unwrap();
    small_lever_base(tmp.path(), 6);
    let o = run_in(
        tmp.path(),
        &[
            "levers",
            "--base",
            "small.toml",
            "--reps",
            "3",
            "--out",
            "levers.csv",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let levers = cogov::model::levers::LEVER_SETTINGS;
    for l in levers {
        assert!(text.contains(l.key), "{} missing from:\n{text}", l.key);
    }
    assert!(
        text.contains("信任文化"),
        "Chinese meanings come from the parameter table"
    );
    let csv = fs::read_to_string(tmp.path().join("levers.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(
        rows,
        levers.len() * cogov::output::records::summary_columns().len()
    );
    let again = run_in(
        tmp.path(),
        &[
            "levers",
            "--base",
            "small.toml",
            "--reps",
            "3",
            "--out",
            "levers.csv",
        ],
    );
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing --out needs --force"
    );
}

/// `cogov levers --charts` draws a forest plot per key outcome in both languages (the chart of
/// compare's differences); `--markdown` prints the ODD's table; `--robust` repeats the
/// comparison over the unanchored-parameter hypercube and reports, per lever and key outcome,
/// the shares of points where the sign and rank hold — the same bytes on 1 and 2 threads.
#[test]
fn levers_draw_a_forest_plot_and_report_robustness() {
    let tmp = tempfile::tempdir().unwrap();
    small_lever_base(tmp.path(), 4);
    let args = |out: &str| {
        vec![
            "levers".to_string(),
            "--base".into(),
            "small.toml".into(),
            "--reps".into(),
            "2".into(),
            "--markdown".into(),
            "--charts".into(),
            format!("{out}-charts"),
            "--robust".into(),
            "--robust-points".into(),
            "3".into(),
            "--robust-out".into(),
            format!("{out}.csv"),
        ]
    };
    let mut outputs = Vec::new();
    for (threads, name) in [("1", "one"), ("2", "two")] {
        let a = args(name);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = cogov_in(tmp.path())
            .args(&a)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push((
            o.stdout,
            fs::read(tmp.path().join(format!("{name}.csv"))).unwrap(),
            fs::read(tmp.path().join(format!(
                "{name}-charts/charts/zh/levers_resolution_rate.svg"
            )))
            .unwrap(),
        ));
    }
    assert!(
        outputs[0] == outputs[1],
        "1 and 2 threads give the same bytes"
    );
    let text = String::from_utf8_lossy(&outputs[0].0);
    let levers = cogov::model::levers::LEVER_SETTINGS;
    let table: Vec<&str> = text.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(table.len(), levers.len(), "{text}");
    assert!(text.contains("| lever | `resolution_rate` |"), "{text}");
    assert!(
        text.contains("Robustness: 3 Latin-hypercube points") && text.contains("稳健性"),
        "{text}"
    );
    let csv = String::from_utf8_lossy(&outputs[0].1);
    assert!(csv
        .starts_with("lever,outcome,sign_at_base,rank_at_base,sign_held_share,rank_held_share\n"));
    assert_eq!(csv.lines().count() - 1, levers.len() * 6);
    for lang in ["en", "zh"] {
        for outcome in ["resolution_rate", "major_risks_total", "satisfaction_mean"] {
            let svg = fs::read_to_string(
                tmp.path()
                    .join(format!("one-charts/charts/{lang}/levers_{outcome}.svg")),
            )
            .unwrap();
            assert!(
                svg.contains("trust_culture")
                    && svg.contains(if lang == "en" {
                        "no difference"
                    } else {
                        "无差异"
                    }),
                "{lang}/{outcome}"
            );
        }
    }
}

/// The Chinese interface speaks the policy language of `docs/ZH-TERMS.md`: one name per
/// concept, and none of the retired calques in help, parameters, columns or scenarios.
#[test]
fn chinese_text_uses_the_terms_of_zh_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let mut shown = String::new();
    for args in [
        &["--help"][..],
        &["params", "--lang", "zh"],
        &["columns"],
        &["run", "--help"],
    ] {
        shown += &text(&ok(tmp.path(), args).stdout);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["scenarios", "scenarios/experiments"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                shown += &fs::read_to_string(&path).unwrap();
            }
        }
    }
    for new in [
        "市域社会治理",
        "属地党委政府（块）",
        "职能部门（条）",
        "实质履职",
        "消极不作为（卸责）",
        "占行为选择的比例",
        "党委统筹协调机制健全度",
        "前线指挥部",
        "全流程协同联动机制",
        "平台型政府",
        "专班·周",
        "组建专班",
        "吹哨报到（源自北京“街乡吹哨、部门报到”）",
        "属地管理“有限责任”",
        "平均积压周数",
        "当周结束时未结事项数",
        "运行记录",
    ] {
        assert!(shown.contains(new), "no {new}");
    }
    for old in [
        "城市社会治理",
        "块（党政机关）",
        "仅限党政机关",
        "党的领导统筹核心",
        "一线指挥",
        "全过程机制",
        "协同周",
        "组建协同",
        "功劳",
        "误伤",
        "决策中",
        "周龄",
        "周末未结",
        "杠杆",
        "利益协商",
        "压力工具",
        "工作能力",
        "有限属地责任",
        "无限属地责任",
        "被召集的部门",
    ] {
        assert!(!shown.contains(old), "{old} is still shown");
    }
}

// ----------------------------------------------------------------------------------------------
// Valid but probably not meant (issue 16, item 14): warned, or decided in the user's favour.
// ----------------------------------------------------------------------------------------------

/// Two interventions of the same week on the same key: the later one wins, with a warning
/// naming both (it once won silently).
#[test]
fn same_week_interventions_on_one_key_are_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("twice.toml");
    fs::write(
        &file,
        "[[interventions]]\ntick = 3\nset = { \"tools.media_pressure\" = 0.1 }\n[[interventions]]\ntick = 3\nset = { \"tools.media_pressure\" = 0.3, \"behaviour.sanction\" = 2.0 }\n[[interventions]]\ntick = 4\nset = { \"tools.media_pressure\" = 0.2 }\n",
    )
    .unwrap();
    let mut args = vec![file.to_str().unwrap()];
    args.extend(&SMALL[..6]);
    let out = ok(
        tmp.path(),
        &[&["run"], &args[..], &["--out", "o", "-q", "--no-charts"]].concat(),
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: interventions 1 and 2 both change tools.media_pressure in week 3; the later one (tools.media_pressure = 0.3) wins"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("both change").count(), 1, "{stderr}");
}

/// `--ticks` wins over `--set scenario.ticks=…` in either order (the `--set` once won).
#[test]
fn the_ticks_flag_wins_over_set_scenario_ticks() {
    let tmp = tempfile::tempdir().unwrap();
    for (n, order) in [
        ["--set", "scenario.ticks=5", "--ticks", "2"],
        ["--ticks", "2", "--set", "scenario.ticks=5"],
    ]
    .iter()
    .enumerate()
    {
        let dir = format!("o{n}");
        let mut args = vec!["run", "--out", dir.as_str(), "-q", "--no-charts"];
        args.extend(&SMALL[..6]);
        args.extend(order);
        ok(tmp.path(), &args);
        let series = fs::read_to_string(tmp.path().join(&dir).join("timeseries.csv")).unwrap();
        assert_eq!(series.lines().count(), 3, "{order:?}: header and 2 weeks");
    }
}

/// `compare` of scenarios of different lengths says so (it once paired them without a word).
#[test]
fn compare_of_scenarios_of_different_lengths_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.toml"), tmp.path().join("b.toml"));
    let city =
        "[territory]\ndistricts = 1\nstreets_per_district = 2\n[observation]\nwarmup_ticks = 0\n";
    fs::write(&a, format!("[scenario]\nticks = 3\n{city}")).unwrap();
    fs::write(&b, format!("[scenario]\nticks = 4\n{city}")).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = ok(tmp.path(), &["compare", a, b, "--reps", "2"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("runs 3 weeks and")
            && stderr.contains("runs 4: their summaries cover different weeks; pass --ticks"),
        "{stderr}"
    );
    let out = ok(
        tmp.path(),
        &["compare", a, b, "--reps", "2", "--ticks", "3"],
    );
    assert!(!text(&out.stderr).contains("different weeks"));
}

// ----------------------------------------------------------------------------------------------
// Messages (issue 16, item 15).
// ----------------------------------------------------------------------------------------------

/// A duplicate key is named, with its line (the parser's message once said only "duplicate key").
#[test]
fn a_duplicate_key_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("dup.toml"),
        "[scenario]\nname = \"a\"\nname = \"b\"\n",
    )
    .unwrap();
    let out = run_in(tmp.path(), &["run", "dup.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("dup.toml:3:1: invalid TOML: duplicate key `name`"),
        "{stderr}"
    );
}

/// A default output directory never starts with `-` (it would read as a flag to `rm`, `ls`, or
/// `cogov plot`).
#[test]
fn default_directory_names_never_start_with_a_dash() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("dash.toml"), "[scenario]\nname = \"-rf\"\n").unwrap();
    let mut args = vec!["run", "dash.toml", "-q", "--no-charts"];
    args.extend(SMALL);
    ok(tmp.path(), &args);
    let names: Vec<String> = fs::read_dir(tmp.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].starts_with("_rf-"), "{names:?}");
}

/// `--threads 100000` is a usage error (exit 2) before anything starts; it once spawned the
/// threads and ran on.
#[test]
fn absurd_thread_counts_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let smoke = scenarios_dir().join("experiments/smoke.toml");
    let started = std::time::Instant::now();
    let out = run_in(
        tmp.path(),
        &[
            "sweep",
            smoke.to_str().unwrap(),
            "--out",
            "s",
            "--threads",
            "100000",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--threads: at most 1024, got 100000"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(!tmp.path().join("s").exists());
}

/// An `--out` name too long for its staging name is refused before the run, naming the limit
/// (it once failed after the run with exit 1, naming the hidden `.NAME.partial-PID` path).
#[test]
fn an_output_name_too_long_to_stage_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let long = "x".repeat(250);
    let mut args = vec!["run", "--out", long.as_str(), "-q", "--no-charts"];
    args.extend(SMALL);
    let out = run_in(tmp.path(), &args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("has a name of 250 bytes; at most 235") && !stderr.contains(".partial-"),
        "{stderr}"
    );
    // A long scenario name gives a default directory name that fits.
    fs::write(
        tmp.path().join("long.toml"),
        format!("[scenario]\nname = \"{long}\"\n"),
    )
    .unwrap();
    let mut args = vec!["run", "long.toml", "-q", "--no-charts"];
    args.extend(SMALL);
    ok(tmp.path(), &args);
}

/// Staging directories left by killed runs (`.NAME.partial-PID` of a process that is gone) are
/// removed by the next run to the same name; one whose process is alive is left alone (they
/// once piled up).
#[cfg(unix)]
#[test]
fn stale_staging_directories_of_dead_processes_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    // A process that has ended: its id is free (ids are not reused at once).
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = tmp.path().join(format!(".r.partial-{dead}"));
    let alive = tmp
        .path()
        .join(format!(".r.partial-{}", std::process::id()));
    let other = tmp.path().join(format!(".q.partial-{dead}"));
    for d in [&stale, &alive, &other] {
        fs::create_dir(d).unwrap();
        fs::write(d.join("timeseries.csv"), "tick\n").unwrap();
    }
    let mut args = vec!["run", "--out", "r", "-q", "--no-charts"];
    args.extend(SMALL);
    ok(tmp.path(), &args);
    assert!(!stale.exists(), "the dead run's staging is removed");
    assert!(alive.exists(), "a live process's staging is kept");
    assert!(
        other.exists(),
        "another output's staging is not this run's business"
    );
}

/// A manifest that does not list every parameter, or holds a key twice, is refused naming what
/// is wrong (they once fell back to defaults, or to the last duplicate, silently).
#[test]
fn manifests_with_missing_or_duplicate_keys_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["run", "--out", "r", "-q", "--no-charts"];
    args.extend(SMALL);
    ok(tmp.path(), &args);
    let manifest = fs::read_to_string(tmp.path().join("r/manifest.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let n = param_specs().len();
    let refused = |name: &str, body: &str| -> String {
        fs::write(tmp.path().join(name), body).unwrap();
        let out = run_in(tmp.path(), &["run", name, "--out", "never", "-q"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(!tmp.path().join("never").exists());
        text(&out.stderr)
    };
    // The manifest as written runs.
    fs::write(tmp.path().join("whole.json"), &manifest).unwrap();
    ok(
        tmp.path(),
        &["run", "whole.json", "--out", "again", "-q", "--no-charts"],
    );

    json["params"]["tools"]
        .as_object_mut()
        .unwrap()
        .remove("media_pressure");
    let e = refused("one.json", &json.to_string());
    assert!(
        e.contains(&format!(
            "params: missing 1 of {n} parameters (tools.media_pressure)"
        )),
        "{e}"
    );
    json["params"] = serde_json::json!({});
    let e = refused("empty.json", &json.to_string());
    assert!(e.contains(&format!("missing {n} of {n} parameters")), "{e}");
    let twice = manifest.replacen("{", "{\n  \"seed\": 7,", 1);
    let e = refused("twice.json", &twice);
    assert!(e.contains("duplicate key `seed`"), "{e}");
}

/// Issue 16 item 14: a scenario just under the 16 MiB limit writes a manifest (its text restated
/// as JSON, up to twice as long) that `cogov run manifest.json` reads back and reproduces.
#[test]
fn a_scenario_near_the_size_limit_reproduces_from_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    // A description of one-letter lines: each newline becomes `\n` (two bytes) in the JSON,
    // so the manifest is half as long again as the scenario.
    let line = "a\n";
    let body = line.repeat((15 << 20) / line.len());
    fs::write(
        &big,
        format!(
            "[scenario]\nname = \"big\"\nticks = 2\ndescription_en = \"\"\"\n{body}\"\"\"\n\n[territory]\ndistricts = 1\nstreets_per_district = 1\ncommunities_per_street = 1\ngrids_per_community = 2\n"
        ),
    )
    .unwrap();
    assert!(fs::metadata(&big).unwrap().len() < 16 << 20);
    ok(
        tmp.path(),
        &["run", "-q", "--no-charts", "big.toml", "--out", "a"],
    );
    let manifest = tmp.path().join("a/manifest.json");
    assert!(fs::metadata(&manifest).unwrap().len() > 16 << 20);
    ok(
        tmp.path(),
        &[
            "run",
            "-q",
            "--no-charts",
            manifest.to_str().unwrap(),
            "--out",
            "b",
        ],
    );
    let (x, y) = (
        read_outputs(&tmp.path().join("a")),
        read_outputs(&tmp.path().join("b")),
    );
    assert_eq!(x["timeseries.csv"], y["timeseries.csv"]);
    assert_eq!(x["summary.csv"], y["summary.csv"]);
}

// ----------------------------------------------------------------------------------------------
// cogov eval
// ----------------------------------------------------------------------------------------------

/// `cogov eval` with `input` on stdin (8 weeks): its stdout, parsed line by line, and exit code.
fn eval(cwd: &Path, input: &str, threads: &str) -> (String, Vec<serde_json::Value>, Option<i32>) {
    use std::io::Write;
    let mut child = cogov_in(cwd)
        .args(["eval", "--ticks", "8"])
        .env("RAYON_NUM_THREADS", threads)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the cogov binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    (stdout, lines, out.status.code())
}

const SMALL_JSON: &str = r#""territory.districts": 2, "territory.streets_per_district": 2, "territory.communities_per_street": 3"#;

/// Two parameter sets in, two JSON lines out, in input order, each with `line`, `seed` and every
/// summary column; the same input gives the same bytes on one and two threads, and a line's
/// summary equals `cogov run`'s summary.csv for the same scenario and seed.
#[test]
fn eval_answers_each_json_line_with_its_summary_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = format!(
        "{{{SMALL_JSON}, \"motivation.incentive_compatibility\": 0.2, \"seed\": 3}}\n{{{SMALL_JSON}, \"motivation.incentive_compatibility\": 0.9, \"seed\": 4}}\n"
    );
    let (stdout, lines, code) = eval(tmp.path(), &input, "2");
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 2);
    for (i, (l, raw)) in lines.iter().zip(stdout.lines()).enumerate() {
        let start = format!("{{\"line\":{},\"seed\":{},", i + 1, i + 3);
        assert!(raw.starts_with(&start), "{raw}");
        for c in cogov::output::records::summary_columns() {
            assert!(l[&c.name].is_number(), "{}", c.name);
        }
    }
    assert_ne!(lines[0]["resolution_rate"], lines[1]["resolution_rate"]);
    assert_eq!(eval(tmp.path(), &input, "1").0, stdout, "1 vs 2 threads");

    // The same run through `cogov run`.
    let out = tmp.path().join("run");
    run_small(
        tmp.path(),
        None,
        &out,
        &[
            "--seed",
            "3",
            "--set",
            "motivation.incentive_compatibility=0.2",
        ],
    );
    // Compared as text: the same digits (serde_json's parser may round the last bit).
    let (header, rows) = read_csv(&out.join("summary.csv"));
    let first = stdout.lines().next().unwrap();
    for (h, v) in header.iter().zip(&rows[0]) {
        let at = first.find(&format!("\"{h}\":")).unwrap() + h.len() + 3;
        let digits = first[at..].split([',', '}']).next().unwrap();
        assert_eq!(digits, v, "{h}");
    }
}

/// A misspelt key gets an error line naming the line, the key and the nearest real key; the
/// good lines around it still run, and the exit code is 2.
#[test]
fn eval_answers_a_bad_key_with_an_error_line_and_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let input = format!(
        "{{{SMALL_JSON}}}\n{{\"motivation.incentive_compatibilty\": 0.5}}\n{{{SMALL_JSON}, \"seed\": 9}}\n"
    );
    let (_, lines, code) = eval(tmp.path(), &input, "2");
    assert_eq!(code, Some(2));
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["resolution_rate"].is_number());
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["key"], "motivation.incentive_compatibilty");
    let e = lines[1]["error"].as_str().unwrap();
    assert!(
        e.starts_with("line 2: motivation.incentive_compatibilty: unknown parameter")
            && e.contains("did you mean `motivation.incentive_compatibility`"),
        "{e}"
    );
    assert_eq!(lines[2]["seed"], 9);
}

// ----------------------------------------------------------------------------------------------
// Chinese charts, reports and tables (issue 15 §2)
// ----------------------------------------------------------------------------------------------

/// Every parameter key and the last part of each (`responsibility_lists`) found in `doc`.
fn parameter_keys_in(doc: &str) -> Vec<String> {
    let mut found = Vec::new();
    for s in param_specs() {
        let leaf = s.key.rsplit('.').next().unwrap();
        for k in [s.key, leaf] {
            if doc.contains(k) && !found.iter().any(|f: &String| f == k) {
                found.push(k.to_string());
            }
        }
    }
    found
}

/// The text of an SVG or HTML document: what is between its tags (attributes such as element
/// ids and file names are not text a reader sees).
fn visible_text(doc: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in doc.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `doc` without its `<tag>…</tag>` elements: a report's stylesheet (the font as base64) and
/// its listings of files (`<pre>`: the manifest as written, the command that reproduces it).
fn without(doc: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = String::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(&close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A base scenario with an intervention, a package design (with `name_zh`) and a Morris design
/// over it, and a comparison: no Chinese chart, report or table names a parameter by its key.
#[test]
fn chinese_charts_reports_and_compare_hold_no_parameter_key() {
    let tmp = tempfile::tempdir().unwrap();
    let base = write_file(
        tmp.path(),
        "base.toml",
        r#"[scenario]
name = "base"
title_en = "Base"
title_zh = "基准"
ticks = 6
[territory]
districts = 1
streets_per_district = 2
communities_per_street = 2
[[interventions]]
tick = 4
label_en = "Lists"
label_zh = "推行权责清单"
set = { motivation.responsibility_lists = 1.0, process.whistle_and_report = true }
"#,
    );
    write_file(
        tmp.path(),
        "packages.toml",
        r#"[experiment]
name = "pk"
title_zh = "政策组合"
base = "base.toml"
replications = 2
[design]
kind = "packages"
[[design.packages]]
name = "baseline"
name_zh = "基线"
set = {}
[[design.packages]]
name = "lists and block-led"
name_zh = "权责清单与以块为主"
set = { motivation.incentive_compatibility = 0.7, institutions.block_led = true }
"#,
    );
    write_file(
        tmp.path(),
        "morris.toml",
        r#"[experiment]
name = "mo"
base = "base.toml"
replications = 1
[design]
kind = "morris"
trajectories = 2
[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"tools.media_pressure" = [0.0, 0.2]
"institutions.block_led" = [false, true]
"#,
    );
    write_file(
        tmp.path(),
        "grid.toml",
        r#"[experiment]
name = "gr"
base = "base.toml"
replications = 2
[design]
kind = "grid"
[design.factors]
"costs.blame_noise" = [0.0, 0.2]
"capability.rule_of_law" = [0.0, 1.0]
"motivation.lookback_interval_ticks" = [0, 2]
"#,
    );
    let mut documents: Vec<(String, String)> = Vec::new();
    for name in ["packages", "morris", "grid"] {
        let out = tmp.path().join(name);
        ok(
            tmp.path(),
            &[
                "sweep",
                &format!("{name}.toml"),
                "--out",
                out.to_str().unwrap(),
                "-q",
            ],
        );
        ok(
            tmp.path(),
            &["report", out.to_str().unwrap(), "--lang", "zh", "-q"],
        );
        documents.push((
            format!("{name} report"),
            fs::read_to_string(out.join("report_zh.html")).unwrap(),
        ));
        for e in fs::read_dir(out.join("charts/zh")).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "svg") {
                documents.push((
                    path.display().to_string(),
                    fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let run = tmp.path().join("run");
    ok(
        tmp.path(),
        &["run", "base.toml", "--out", run.to_str().unwrap(), "-q"],
    );
    ok(
        tmp.path(),
        &["report", run.to_str().unwrap(), "--lang", "zh", "-q"],
    );
    documents.push((
        "run report".into(),
        fs::read_to_string(run.join("report_zh.html")).unwrap(),
    ));
    let compare = ok(
        tmp.path(),
        &[
            "compare",
            "base.toml",
            base.to_str().unwrap(),
            "--reps",
            "2",
            "--lang",
            "zh",
        ],
    );
    documents.push(("compare --lang zh".into(), text(&compare.stdout)));
    let summary = ok(
        tmp.path(),
        &[
            "run",
            "base.toml",
            "--out",
            "again",
            "--no-charts",
            "--lang",
            "zh",
        ],
    );
    documents.push(("run --lang zh".into(), text(&summary.stdout)));
    assert!(documents.len() > 20, "{} documents", documents.len());
    for (what, doc) in &documents {
        let shown = visible_text(&without(&without(doc, "style"), "pre"));
        let keys = parameter_keys_in(&shown);
        assert!(keys.is_empty(), "{what} names parameters by key: {keys:?}");
    }
    // What the words say: packages by name_zh, interventions as changes, the glossary.
    let report = &documents[0].1;
    assert_contains(
        report,
        &[
            "权责清单与以块为主",
            "第4周起：权责清单a 0→1；吹哨报到 关闭→开启",
            "术语表：政策举措及其政策出处",
            "容错纠错机制与“三个区分开来”",
            "矛盾不出区县",
            "越级上访",
        ],
    );
    // The run's key results show skip-level petitions right after 矛盾不出区县.
    let run_report = &documents.iter().find(|(w, _)| w == "run report").unwrap().1;
    let at = |col: &str| run_report.find(&format!("<code>{col}</code>")).unwrap();
    assert!(at("fengqiao_no_upward") < at("petitions_total"));
    assert_contains(
        &documents.last().unwrap().1,
        // Petitions are counted per occurrence: 件次, as petition statistics count them.
        &["矛盾不出区县", "越级上访（件次）", "解决率"],
    );
}

/// `--lang zh` prints Chinese headers, names and units; `--lang en` no Chinese.
#[test]
fn params_compare_and_the_run_summary_speak_one_language() {
    let tmp = tempfile::tempdir().unwrap();
    let zh = text(&ok(tmp.path(), &["params", "--lang", "zh"]).stdout);
    assert_contains(&zh, &["权责清单a", "[0..=1]", "true 或 false", "每周概率"]);
    let md = text(
        &ok(
            tmp.path(),
            &["params", "--lang", "zh", "--format", "markdown"],
        )
        .stdout,
    );
    assert!(
        md.starts_with("| 名称 | 参数 key | 默认值 | 取值范围 | 单位 |"),
        "{md}"
    );
    let a = scenario("baseline.toml");
    let mut args = vec![
        "compare",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--reps",
        "2",
    ];
    args.extend_from_slice(&SMALL[..6]);
    args.extend(["--ticks", "3", "--lang", "en"]);
    let en = text(&ok(tmp.path(), &args).stdout);
    assert!(!has_cjk(&en), "{en}");
    assert_contains(
        &en,
        &[
            "metric",
            "resolution rate",
            "stays in the district",
            "skip-level petitions",
        ],
    );
    let n = args.len();
    args[n - 1] = "zh";
    let zh = text(&ok(tmp.path(), &args).stdout);
    assert_contains(
        &zh,
        &[
            "指标",
            "95%置信区间",
            "解决率",
            "总成本（人·周）",
            "共同随机数",
        ],
    );
    let mut run = vec!["run", "--no-charts", "--out", "r", "--lang", "en"];
    run.extend_from_slice(SMALL);
    let en = text(&ok(tmp.path(), &run).stdout);
    assert!(!has_cjk(&en), "{en}");
    assert_contains(
        &en,
        &["residents", "resolution rate", "skip-level petitions"],
    );
}

// ----------------------------------------------------------------------------------------------
// Rough edges (issue 15 §4)
// ----------------------------------------------------------------------------------------------

/// An intervention after the last week never takes effect: the run says so.
#[test]
fn an_intervention_after_the_last_week_is_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_small(
        tmp.path(),
        Some(&scenario("reform_lists_week26.toml")),
        &tmp.path().join("r"),
        &[],
    );
    assert!(o.status.success());
    assert_contains(
        &text(&o.stderr),
        &["intervention 1 (week 26) comes after the last week of the run (8): it never takes effect"],
    );
}

/// A `--set` of a key the scenario's own intervention changes later holds only until then.
#[test]
fn a_set_that_an_intervention_overrides_is_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let reform = scenario("reform_lists_week26.toml");
    let mut args = vec!["run", reform.to_str().unwrap(), "-q", "--out", "r"];
    args.extend_from_slice(&SMALL[..6]);
    args.extend([
        "--ticks",
        "30",
        "--set",
        "motivation.responsibility_lists=0.5",
    ]);
    let o = run_in(tmp.path(), &args);
    assert!(o.status.success());
    let err = text(&o.stderr);
    assert_contains(
        &err,
        &["--set motivation.responsibility_lists holds only until week 26: intervention 1 of the scenario then sets it to 1"],
    );
    assert!(!err.contains("comes after the last week"), "{err}");
}

/// `cogov run` of an experiment file points at `cogov sweep`.
#[test]
fn run_on_an_experiment_file_says_to_use_sweep() {
    let smoke = scenario("experiments/smoke.toml");
    let line = bad_args(&[smoke.to_str().unwrap()]);
    assert_contains(
        &line,
        &[
            "smoke.toml:7:2: experiment: this is an experiment file",
            "run it with `cogov sweep",
        ],
    );
}

/// `--set` suggests keys as files do (a misspelt section, a section left out), hints at
/// `--set KEY VALUE`, and takes booleans as true/false in any case, saying so when refused.
#[test]
fn set_gets_did_you_mean_a_space_hint_and_true_or_false() {
    let line = bad_args(&["--set", "motivaton.incentive_compatibility=0.5"]);
    assert_contains(
        &line,
        &["did you mean `motivation.incentive_compatibility`?"],
    );
    let line = bad_args(&["--set", "incentive_compatibility=0.5"]);
    assert_contains(
        &line,
        &["did you mean `motivation.incentive_compatibility`?"],
    );
    let line = bad_args(&["--set", "motivation.incentive_compatibility", "0.5"]);
    assert_contains(
        &line,
        &[
            "--set: expected KEY=VALUE",
            "write `--set motivation.incentive_compatibility=VALUE` (with `=`, no space)",
        ],
    );
    let line = bad_args(&["--set", "institutions.block_led=yes"]);
    assert_contains(&line, &["expected boolean (true or false), got `yes`"]);
    assert!(!line.contains("not a number"), "{line}");
    let tmp = tempfile::tempdir().unwrap();
    let bad = write_file(
        tmp.path(),
        "b.toml",
        "[institutions]\nblock_led = \"true\"\n",
    );
    let line = bad_args(&[bad.to_str().unwrap()]);
    assert_contains(&line, &["expected true or false (unquoted), got a string"]);
    let o = run_small(
        tmp.path(),
        None,
        &tmp.path().join("r"),
        &["--set", "institutions.block_led=True"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
}

/// A grid range gives the decimals it is written with (0.3 × 3 = 0.9) and includes its end
/// when the end falls on a step.
#[test]
fn grid_steps_give_exact_decimals_and_include_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(
        tmp.path(),
        "g.toml",
        "[experiment]\nname = \"g\"\nticks = 1\n[base]\nterritory.districts = 1\nterritory.streets_per_district = 1\nterritory.communities_per_street = 1\n[design]\nkind = \"grid\"\n[design.factors]\n\"tools.media_pressure\" = { from = 0, to = 1, step = 0.3 }\n\"motivation.incentive_compatibility\" = { from = 0.1, to = 0.3, step = 0.1 }\n",
    );
    let o = ok(
        tmp.path(),
        &["sweep", "g.toml", "--out", "g", "-q", "--no-charts"],
    );
    let stderr = text(&o.stderr);
    assert_contains(
        &stderr,
        &[
            "g.toml:",
            "tools.media_pressure",
            "1 is not on a step from 0 by 0.3, so the last value is 0.9",
        ],
    );
    assert!(
        !stderr.contains("motivation.incentive_compatibility"),
        "an end on a step needs no note: {stderr}"
    );
    let (header, rows) = read_csv(&tmp.path().join("g/points.csv"));
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let media: Vec<&str> = rows
        .iter()
        .map(|r| r[col("tools.media_pressure")].as_str())
        .collect();
    let kappa: Vec<&str> = rows
        .iter()
        .map(|r| r[col("motivation.incentive_compatibility")].as_str())
        .collect();
    assert_eq!(
        media.iter().step_by(3).copied().collect::<Vec<_>>(),
        ["0", "0.3", "0.6", "0.9"]
    );
    assert_eq!(
        &kappa[..3],
        ["0.1", "0.2", "0.3"],
        "the end is included when it falls on a step"
    );
}

/// `cogov slurm --mem` asks for memory per task; more shards than runs is warned about.
#[test]
fn slurm_offers_mem_and_warns_when_shards_outnumber_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let smoke = scenario("experiments/smoke.toml");
    let o = ok(
        tmp.path(),
        &[
            "slurm",
            smoke.to_str().unwrap(),
            "--out",
            "o",
            "--mem",
            "4G",
            "--shards",
            "20",
        ],
    );
    // The shards ask for it; the merge job reads summaries only.
    assert_eq!(text(&o.stdout).matches("#SBATCH --mem=4G").count(), 1);
    assert_contains(
        &text(&o.stderr),
        &["warning: 20 shards for 12 runs: 8 array tasks get no run; pass --shards 12 or fewer"],
    );
    let line = config_error(
        tmp.path(),
        &[
            "slurm",
            smoke.to_str().unwrap(),
            "--out",
            "o",
            "--mem",
            "4 GB",
        ],
    );
    assert_contains(&line, &["--mem: expected a Slurm memory size such as 4G"]);
}

/// Ctrl-C during a sweep says how many runs are saved and how to resume; after a resume the
/// progress line's rate and ETA count only the runs of the new process.
#[cfg(unix)]
#[test]
fn ctrl_c_during_a_sweep_says_what_is_saved_and_resume_counts_its_own_rate() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(
        tmp.path(),
        "long.toml",
        "[experiment]\nname = \"long\"\nticks = 26\nreplications = 400\n[base]\nterritory.districts = 1\nterritory.streets_per_district = 2\nterritory.communities_per_street = 2\n[design]\nkind = \"grid\"\n[design.factors]\n\"tools.media_pressure\" = [0.0, 0.1]\n",
    );
    let out = tmp.path().join("s");
    let child = cogov_in(tmp.path())
        .args([
            "sweep",
            "long.toml",
            "--out",
            "s",
            "--threads",
            "2",
            "--no-charts",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let journaled =
        |p: &Path| fs::read_to_string(p.join("runs.csv")).map_or(0, |t| t.lines().count());
    let started = std::time::Instant::now();
    while journaled(&out) < 2 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    // The message counts the runs journaled when it was printed (a block synced in the
    // instant before the exit may be one more).
    let saved = journaled(&out) - 1;
    assert!(saved < 800, "the sweep was interrupted before its end");
    let said: usize = err
        .split("interrupted: ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of saved runs in: {err}"));
    assert!(said <= saved, "said {said}, journaled {saved}");
    assert_contains(
        &err,
        &[
            &format!("interrupted: {said} of 800 runs of long are saved; resume with:"),
            "cogov sweep 'long.toml' --out 's' --threads 2 --resume",
        ],
    );
    let o = ok(
        tmp.path(),
        &[
            "sweep",
            "long.toml",
            "--out",
            "s",
            "--threads",
            "2",
            "--resume",
            "--no-charts",
        ],
    );
    let err = text(&o.stderr);
    let first = err
        .lines()
        .find(|l| l.starts_with("progress:"))
        .unwrap_or("");
    assert_eq!(
        first,
        format!("progress: {saved}/800 runs, 0.0 runs/s, ETA unknown"),
        "the resumed runs are the start, not work done in no time: {err}"
    );
}

// ----------------------------------------------------------------------------------------------
// Interventions as design factors (issue 15 §1)
// ----------------------------------------------------------------------------------------------

const WITH_TWO_INTERVENTIONS: &str = "[scenario]\nname = \"b\"\nticks = 10\n[territory]\ndistricts = 1\nstreets_per_district = 2\ncommunities_per_street = 2\n[[interventions]]\ntick = 3\nset = { motivation.responsibility_lists = 1.0 }\n[[interventions]]\ntick = 5\nset = { tools.superior_attention = 0.0 }\n";

/// The metric cells of every row of a sweep's `runs.csv` (after the design's keys).
fn run_metrics(dir: &Path) -> Vec<Vec<String>> {
    let (header, rows) = read_csv(&dir.join("runs.csv"));
    let first = header.iter().position(|c| c == "resolution_rate").unwrap();
    rows.into_iter().map(|r| r[first..].to_vec()).collect()
}

/// `interventions.N.tick` sweeps the week of the base scenario's N-th intervention (0: without
/// it), and a package's `remove_interventions` removes one: the runs are those of a base
/// scenario without it, to the byte.
#[test]
fn an_intervention_week_is_a_design_factor_and_a_package_can_remove_one() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(tmp.path(), "base.toml", WITH_TWO_INTERVENTIONS);
    let without_second = WITH_TWO_INTERVENTIONS
        .split("[[interventions]]")
        .take(2)
        .collect::<Vec<_>>()
        .join("[[interventions]]");
    write_file(tmp.path(), "without.toml", &without_second);
    let experiment = |base: &str, design: &str| {
        format!("[experiment]\nname = \"x\"\nbase = \"{base}\"\nreplications = 2\ncommon_random_numbers = true\n[design]\n{design}")
    };
    write_file(
        tmp.path(),
        "grid.toml",
        &experiment(
            "base.toml",
            "kind = \"grid\"\n[design.factors]\n\"interventions.1.tick\" = [0, 3, 8]\n",
        ),
    );
    ok(
        tmp.path(),
        &["sweep", "grid.toml", "--out", "grid", "-q", "--no-charts"],
    );
    let (header, rows) = read_csv(&tmp.path().join("grid/points.csv"));
    let week = header
        .iter()
        .position(|c| c == "interventions.1.tick")
        .unwrap();
    let weeks: Vec<&str> = rows.iter().map(|r| r[week].as_str()).collect();
    assert_eq!(weeks, ["0", "3", "8"]);
    let m = run_metrics(&tmp.path().join("grid"));
    assert_ne!(m[0], m[2], "the week of the lists changes the runs");
    assert_ne!(m[2], m[4]);

    write_file(
        tmp.path(),
        "remove.toml",
        &experiment("base.toml", "kind = \"packages\"\n[[design.packages]]\nname = \"without withdrawal\"\nname_zh = \"不撤出上级注意力\"\nremove_interventions = [2]\n"),
    );
    write_file(
        tmp.path(),
        "reference.toml",
        &experiment(
            "without.toml",
            "kind = \"packages\"\n[[design.packages]]\nname = \"as is\"\nset = {}\n",
        ),
    );
    ok(
        tmp.path(),
        &[
            "sweep",
            "remove.toml",
            "--out",
            "remove",
            "-q",
            "--no-charts",
        ],
    );
    ok(
        tmp.path(),
        &[
            "sweep",
            "reference.toml",
            "--out",
            "reference",
            "-q",
            "--no-charts",
        ],
    );
    assert_eq!(
        run_metrics(&tmp.path().join("remove")),
        run_metrics(&tmp.path().join("reference"))
    );

    // Strict: a number the base has no intervention for, a week past the run, a bad key.
    for (design, expected) in [
        ("kind = \"grid\"\n[design.factors]\n\"interventions.3.tick\" = [1]\n", "interventions.3.tick: no intervention 3: the base scenario has interventions 1 (week 3: motivation.responsibility_lists); 2 (week 5: tools.superior_attention)"),
        ("kind = \"grid\"\n[design.factors]\n\"interventions.1.tick\" = [0, 11]\n", "interventions.1.tick: expected a week in 0..=10 (the run's weeks; 0 removes the intervention), got 11"),
        ("kind = \"grid\"\n[design.factors]\n\"interventions.first.tick\" = [1]\n", "expected interventions.N.tick"),
        ("kind = \"packages\"\n[[design.packages]]\nname = \"x\"\nremove_interventions = [3]\n", "design.packages.remove_interventions: expected the number of one of the base scenario's [[interventions]]"),
    ] {
        write_file(tmp.path(), "bad.toml", &experiment("base.toml", design));
        let line = config_error(tmp.path(), &["sweep", "bad.toml", "--out", "bad"]);
        assert_contains(&line, &["bad.toml:", expected]);
    }
}
