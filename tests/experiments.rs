//! Batch experiments through the real binary: thread-count invariance, shards + merge equal
//! the whole, kill -9 + resume equals an uninterrupted sweep, Morris output, paired
//! comparison, the Slurm script, and clear refusals of bad experiment files.

#[path = "common/files.rs"]
mod files;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cogov");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cogov(args: &[&str], threads: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    c.output().expect("cogov runs")
}

fn ok(args: &[&str]) -> Output {
    let out = cogov(args, None);
    assert!(
        out.status.success(),
        "cogov {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn smoke() -> String {
    repo()
        .join("scenarios/experiments/smoke.toml")
        .display()
        .to_string()
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ok(&[
        "sweep",
        &smoke(),
        "--out",
        a.to_str().unwrap(),
        "--threads",
        "1",
        "-q",
    ]);
    ok(&[
        "sweep",
        &smoke(),
        "--out",
        b.to_str().unwrap(),
        "--threads",
        "2",
        "-q",
    ]);
    for f in ["runs.csv", "points.csv", "manifest.json"] {
        assert_eq!(
            read(&a, f),
            read(&b, f),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn shards_merged_equal_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    ok(&["sweep", &smoke(), "--out", whole.to_str().unwrap(), "-q"]);
    let shards: Vec<PathBuf> = (0..3).map(|i| tmp.path().join(format!("s{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        ok(&[
            "sweep",
            &smoke(),
            "--out",
            s.to_str().unwrap(),
            "--shard",
            &format!("{i}/3"),
            "-q",
        ]);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    // Any order of shard directories.
    args.extend([
        shards[2].to_str().unwrap(),
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
    ]);
    args.extend(["--out", merged.to_str().unwrap()]);
    ok(&args);
    assert_eq!(read(&whole, "runs.csv"), read(&merged, "runs.csv"));
    assert_eq!(read(&whole, "points.csv"), read(&merged, "points.csv"));

    // A missing shard, a shard twice and a shard of another experiment are refused.
    let out = cogov(
        &[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            tmp.path().join("m2").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shard 2/3 is missing"));
    let out = cogov(
        &[
            "merge",
            shards[0].to_str().unwrap(),
            shards[0].to_str().unwrap(),
            "--out",
            tmp.path().join("m3").to_str().unwrap(),
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("given twice"));
    let other = tmp.path().join("other.toml");
    fs::write(
        &other,
        fs::read_to_string(smoke())
            .unwrap()
            .replace("base_seed = 2026", "base_seed = 7"),
    )
    .unwrap();
    let o = tmp.path().join("o");
    ok(&[
        "sweep",
        other.to_str().unwrap(),
        "--out",
        o.to_str().unwrap(),
        "--shard",
        "1/3",
        "-q",
    ]);
    let out = cogov(
        &[
            "merge",
            shards[0].to_str().unwrap(),
            o.to_str().unwrap(),
            shards[2].to_str().unwrap(),
            "--out",
            tmp.path().join("m4").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("different experiment"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const LONG: &str = r#"
[experiment]
name = "long"
replications = 60
base_seed = 11
ticks = 12

[base]
territory.districts = 2
territory.streets_per_district = 2
territory.communities_per_street = 3

[design]
kind = "grid"
[design.factors]
"tools.media_pressure" = [0.0, 0.05, 0.1, 0.2]
"#;

fn lines(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("long.toml");
    fs::write(&exp, LONG).unwrap();
    let reference = tmp.path().join("reference");
    ok(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        reference.to_str().unwrap(),
        "-q",
    ]);

    let killed = tmp.path().join("killed");
    let mut child = Command::new(BIN)
        .args([
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "-q",
            "--threads",
            "2",
        ])
        .spawn()
        .unwrap();
    // Wait until some runs are journaled, then kill -9 in the middle of the sweep.
    let started = Instant::now();
    while lines(&killed.join("runs.csv")) < 20 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let journaled = lines(&killed.join("runs.csv"));
    assert!(
        journaled > 1 && journaled < 241,
        "the kill should land mid-sweep ({journaled} lines)"
    );
    let manifest = fs::read_to_string(killed.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"complete\": false"),
        "an interrupted sweep must not look complete"
    );
    assert!(!killed.join("points.csv").exists());

    // Without --resume or --force the directory is not touched.
    let out = cogov(
        &[
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "-q",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));

    ok(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        killed.to_str().unwrap(),
        "--resume",
        "-q",
    ]);
    for f in ["runs.csv", "points.csv", "manifest.json"] {
        assert_eq!(
            read(&reference, f),
            read(&killed, f),
            "{f} after kill -9 and --resume"
        );
    }
}

#[test]
fn a_torn_last_line_is_discarded_on_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = smoke();
    let reference = tmp.path().join("reference");
    ok(&["sweep", &exp, "--out", reference.to_str().unwrap(), "-q"]);
    let torn = tmp.path().join("torn");
    ok(&["sweep", &exp, "--out", torn.to_str().unwrap(), "-q"]);
    // Simulate a crash while writing: cut the journal in the middle of a line.
    let runs = fs::read(torn.join("runs.csv")).unwrap();
    fs::write(torn.join("runs.csv"), &runs[..runs.len() * 2 / 3]).unwrap();
    ok(&[
        "sweep",
        &exp,
        "--out",
        torn.to_str().unwrap(),
        "--resume",
        "-q",
    ]);
    assert_eq!(read(&reference, "runs.csv"), read(&torn, "runs.csv"));
}

#[test]
fn points_summarise_runs_with_hand_checkable_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    ok(&["sweep", &smoke(), "--out", out.to_str().unwrap(), "-q"]);
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let h = runs.headers().unwrap().clone();
    let col = h.iter().position(|c| c == "resolution_rate").unwrap();
    let values: Vec<f64> = runs
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == "0")
        .map(|r| r[col].parse().unwrap())
        .collect();
    assert_eq!(values.len(), 3);
    let mean = values.iter().sum::<f64>() / 3.0;
    let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let mut points = csv::Reader::from_path(out.join("points.csv")).unwrap();
    let ph = points.headers().unwrap().clone();
    let p0 = points.records().next().unwrap().unwrap();
    let get = |name: &str| -> f64 {
        p0[ph.iter().position(|c| c == name).unwrap()]
            .parse()
            .unwrap()
    };
    assert!((get("resolution_rate_mean") - mean).abs() < 1e-12);
    assert!((get("resolution_rate_sd") - sd).abs() < 1e-12);
    // t(2) = 4.303 for three replications.
    assert!((get("resolution_rate_ci95_hi") - (mean + 4.303 * sd / 3f64.sqrt())).abs() < 1e-9);
    assert_eq!(get("n"), 3.0);
}

/// Under common random numbers, `points.csv` gives every package its paired difference from
/// the baseline — the package that leaves the base unchanged, here the second — computed
/// replication by replication from `runs.csv`; the baseline's own cells are empty. Without
/// common random numbers (the smoke grid) there are no difference columns.
#[test]
fn points_give_paired_differences_from_the_baseline_under_common_random_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("p.toml");
    fs::write(
        &file,
        r#"[experiment]
name = "paired"
replications = 4
base_seed = 3
ticks = 6
common_random_numbers = true
[base]
territory.districts = 2
territory.streets_per_district = 2
territory.communities_per_street = 3
[design]
kind = "packages"
[[design.packages]]
name = "lists"
set = { motivation.responsibility_lists = 1.0 }
[[design.packages]]
name = "baseline"
set = {}
"#,
    )
    .unwrap();
    let out = tmp.path().join("s");
    let one = tmp.path().join("one-thread");
    for (dir, threads) in [(&out, "2"), (&one, "1")] {
        ok(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "-q",
            "--threads",
            threads,
        ]);
    }
    for f in ["points.csv", "charts/zh/resolution_rate_packages_diff.svg"] {
        assert_eq!(read(&out, f), read(&one, f), "{f}: 1 and 2 threads differ");
    }
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let h = runs.headers().unwrap().clone();
    let col = h.iter().position(|c| c == "resolution_rate").unwrap();
    let (mut lists, mut base) = (Vec::new(), Vec::new());
    for r in runs.records().map(|r| r.unwrap()) {
        let x: f64 = r[col].parse().unwrap();
        if &r[1] == "0" {
            lists.push(x)
        } else {
            base.push(x)
        }
    }
    let d: Vec<f64> = lists.iter().zip(&base).map(|(l, b)| l - b).collect();
    let mean = d.iter().sum::<f64>() / 4.0;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    let mut points = csv::Reader::from_path(out.join("points.csv")).unwrap();
    let ph = points.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = points.records().map(|r| r.unwrap()).collect();
    let cell =
        |row: usize, name: &str| rows[row][ph.iter().position(|c| c == name).unwrap()].to_string();
    assert!((cell(0, "resolution_rate_diff_mean").parse::<f64>().unwrap() - mean).abs() < 1e-12);
    // t(3) = 3.182 for four pairs.
    let hi: f64 = cell(0, "resolution_rate_diff_ci95_hi").parse().unwrap();
    assert!((hi - (mean + 3.182 * sd / 2.0)).abs() < 1e-9);
    assert_eq!(
        cell(1, "resolution_rate_diff_mean"),
        "",
        "the baseline's own row"
    );

    let grid = tmp.path().join("g");
    ok(&[
        "sweep",
        &smoke(),
        "--out",
        grid.to_str().unwrap(),
        "-q",
        "--no-charts",
    ]);
    let header = String::from_utf8(read(&grid, "points.csv")).unwrap();
    assert!(
        !header.lines().next().unwrap().contains("_diff_"),
        "no pairing without common random numbers"
    );
}

/// A design point whose runs all failed has no statistics: empty cells in `points.csv` (they
/// were once a mean of 0 with a 95% interval of [0, 0]), which charts and reports leave out.
#[test]
fn a_point_whose_runs_all_failed_reports_empty_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    ok(&[
        "sweep",
        &smoke(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--no-charts",
    ]);
    // Every run of point 1 fails, as the sweep journals a failure: status, message, no metrics.
    let runs = out.join("runs.csv");
    let mut reader = csv::Reader::from_path(&runs).unwrap();
    let header = reader.headers().unwrap().clone();
    let first_metric = header.iter().position(|c| c == "ticks").unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        let mut row: Vec<String> = r.iter().map(str::to_string).collect();
        if &r[1] == "1" {
            row[4] = "error".into();
            row[5] = "non-finite cost_transaction".into();
            for cell in &mut row[first_metric..] {
                cell.clear();
            }
        }
        w.write_record(&row).unwrap();
    }
    fs::write(&runs, w.into_inner().unwrap()).unwrap();
    let exp = cogov::experiment::load_file(Path::new(&smoke())).unwrap();
    cogov::experiment::sweep::summarise(&exp, &out, &runs).unwrap();
    let mut points = csv::Reader::from_path(out.join("points.csv")).unwrap();
    let ph = points.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = points.records().map(|r| r.unwrap()).collect();
    let cell =
        |row: usize, name: &str| rows[row][ph.iter().position(|c| c == name).unwrap()].to_string();
    assert_eq!(cell(1, "n"), "0");
    assert_eq!(cell(1, "failed"), "3");
    for stat in ["mean", "sd", "ci95_lo", "ci95_hi"] {
        assert_eq!(cell(1, &format!("resolution_rate_{stat}")), "", "{stat}");
        assert!(!cell(0, &format!("resolution_rate_{stat}")).is_empty());
    }
    // The charts and the report are drawn from the points that have statistics.
    ok(&["plot", out.to_str().unwrap()]);
    ok(&["report", out.to_str().unwrap(), "--force"]);
}

#[test]
fn a_morris_design_writes_mu_star_mu_and_sigma_for_every_lever_and_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("morris.toml");
    fs::write(
        &exp,
        r#"
[experiment]
name = "m"
replications = 1
ticks = 6
common_random_numbers = true
[base]
territory.districts = 2
territory.streets_per_district = 2
territory.communities_per_street = 2
[design]
kind = "morris"
trajectories = 4
levels = 4
[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"tools.media_pressure" = [0.0, 0.2]
"institutions.block_led" = [false, true]
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let text = fs::read_to_string(out.join("morris.csv")).unwrap();
    assert!(text.starts_with("lever,metric,mu_star,mu,sigma,trajectories\n"));
    let rows = text.lines().count() - 1;
    assert_eq!(rows, 3 * cogov::output::records::summary_columns().len());
    assert!(text.contains("motivation.incentive_compatibility,resolution_rate,"));
    assert_eq!(
        fs::read_to_string(out.join("points.csv"))
            .unwrap()
            .lines()
            .count()
            - 1,
        4 * 4
    );
}

#[test]
fn compare_reports_paired_differences_and_writes_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = tmp.path().join("cmp.csv");
    let base = repo().join("scenarios/baseline.toml");
    let reform = repo().join("scenarios/s2_4_process.toml");
    let out = ok(&[
        "compare",
        base.to_str().unwrap(),
        reform.to_str().unwrap(),
        "--reps",
        "4",
        "--ticks",
        "6",
        "--set",
        "territory.districts=2",
        "--out",
        csv_path.to_str().unwrap(),
        "--charts",
        tmp.path().join("charts").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("resolution_rate") && text.contains("95% CI"),
        "{text}"
    );
    assert!(
        text.contains("d_z = mean(B − A) / sd(B − A)") && text.contains("配对差值均值"),
        "{text}"
    );
    // The result as a dot-and-interval chart of the differences, in both languages.
    for (lang, words) in [
        ("en", ["s2_4_process minus baseline", "no difference"]),
        ("zh", ["s2_4_process与baseline之差", "无差异"]),
    ] {
        let dir = tmp.path().join("charts/charts").join(lang);
        let svg = fs::read_to_string(dir.join("compare_differences.svg")).unwrap();
        for w in words {
            assert!(svg.contains(w), "{lang}: {w}");
        }
        assert!(fs::read(dir.join("compare_differences.png"))
            .unwrap()
            .starts_with(b"\x89PNG"));
        // A and B week by week, each a mean with its 95% band, on one chart.
        let weekly = fs::read_to_string(dir.join("weekly_backlog.svg")).unwrap();
        assert!(
            weekly.contains("A: baseline") && weekly.contains("B: s2_4_process"),
            "{lang}"
        );
    }
    let table = fs::read_to_string(&csv_path).unwrap();
    assert!(table.starts_with("metric,n,mean_a,mean_b,difference,ci95_lo,ci95_hi,effect_size_dz\n"));
    assert!(table.contains("\nresolution_rate,4,"));
}

#[test]
fn the_slurm_script_runs_an_array_of_shards_then_a_dependent_merge() {
    let out = ok(&[
        "slurm",
        &smoke(),
        "--shards",
        "3",
        "--out",
        "/scratch/cogov run",
    ]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.starts_with("#!/bin/bash"));
    assert!(s.contains("#SBATCH --array=0-2"));
    assert!(s.contains("--shard \"$SLURM_ARRAY_TASK_ID\"/3"));
    assert!(s.contains("--dependency=afterok:"));
    assert!(s.contains(
        "merge '/scratch/cogov run'/shard-0 '/scratch/cogov run'/shard-1 '/scratch/cogov run'/shard-2"
    ));
    assert!(s.contains("OUT='/scratch/cogov run'"));
}

#[test]
fn bad_experiment_files_are_refused_with_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "replications = 3",
            "replications = -1",
            "experiment.replications",
        ),
        ("[0.2, 0.8]", "[0.2, 1.8]", "must be in 0..=1"),
        (
            "kind = \"grid\"",
            "kind = \"grd\"",
            "expected one of grid, packages, lhs, morris",
        ),
        ("[base]", "[bsae]", "unknown section"),
        (
            "\"motivation.responsibility_lists\"",
            "\"motivation.responsibility_list\"",
            "did you mean",
        ),
    ];
    let text = fs::read_to_string(smoke()).unwrap();
    for (from, to, expect) in cases {
        let path = tmp.path().join("bad.toml");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let out = cogov(
            &[
                "sweep",
                path.to_str().unwrap(),
                "--out",
                tmp.path().join("o").to_str().unwrap(),
            ],
            None,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {err}");
        assert!(
            err.contains("bad.toml:") && err.contains(expect),
            "{to}: {err}"
        );
        assert!(
            !tmp.path().join("o").exists(),
            "nothing is written for a bad file"
        );
    }
    let out = cogov(
        &[
            "sweep",
            &smoke(),
            "--out",
            tmp.path().join("o").to_str().unwrap(),
            "--shard",
            "3/3",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

// ----------------------------------------------------------------------------------------------
// Nothing lost, round two (issue 16): merges that validate first, locked sweep directories,
// resumes that refuse before touching, quoted Slurm scripts, neutral CSV cells
// ----------------------------------------------------------------------------------------------

/// Runs cogov and insists on a usage error (exit 2); returns stderr.
fn refused(args: &[&str]) -> String {
    let out = cogov(args, None);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "cogov {args:?}: {err}");
    err
}

/// The two shards of the smoke experiment, swept into `dir/s0` and `dir/s1`.
fn two_shards(dir: &Path) -> [PathBuf; 2] {
    let shards = [dir.join("s0"), dir.join("s1")];
    for (i, s) in shards.iter().enumerate() {
        ok(&[
            "sweep",
            &smoke(),
            "--out",
            s.to_str().unwrap(),
            "--shard",
            &format!("{i}/2"),
            "-q",
        ]);
    }
    shards
}

#[test]
fn merge_force_checks_every_shard_before_it_replaces_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let [s0, s1] = two_shards(tmp.path());
    let (s0s, s1s) = (s0.to_str().unwrap(), s1.to_str().unwrap());
    let merged = tmp.path().join("merged");
    let m = merged.to_str().unwrap();
    ok(&["merge", s0s, s1s, "--out", m, "--no-charts"]);
    let good = read(&merged, "runs.csv");

    // The output is one of the shards: refused, the shard kept.
    let shard0 = read(&s0, "runs.csv");
    let err = refused(&["merge", s0s, s1s, "--out", s0s, "--force"]);
    assert!(err.contains("is one of the shards"), "{err}");
    assert_eq!(read(&s0, "runs.csv"), shard0);
    assert!(read(&s0, "manifest.json").starts_with(b"{"));

    // A torn shard: the merge fails, and the previous merge is still whole.
    let runs = fs::read_to_string(s1.join("runs.csv")).unwrap();
    let mut lines: Vec<&str> = runs.lines().collect();
    lines.remove(2);
    fs::write(s1.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    let err = refused(&["merge", s0s, s1s, "--out", m, "--force", "--no-charts"]);
    assert!(err.contains("s1"), "{err}");
    assert_eq!(read(&merged, "runs.csv"), good);
    assert!(String::from_utf8_lossy(&read(&merged, "manifest.json")).contains("\"complete\": true"));
    fs::write(s1.join("runs.csv"), &runs).unwrap();

    // A shard whose journal holds a run twice (two sweeps appended to it at once).
    let second = runs.lines().nth(1).unwrap();
    fs::write(s1.join("runs.csv"), format!("{runs}{second}\n")).unwrap();
    let err = refused(&["merge", s0s, s1s, "--out", m, "--force", "--no-charts"]);
    assert!(err.contains("more runs than its shard"), "{err}");
    assert_eq!(read(&merged, "runs.csv"), good);

    // A run directory is not a shard.
    let run = tmp.path().join("run");
    ok(&[
        "run",
        "-q",
        "--no-charts",
        "--ticks",
        "2",
        "--set",
        "territory.districts=2",
        "--out",
        run.to_str().unwrap(),
    ]);
    let err = refused(&["merge", s0s, run.to_str().unwrap(), "--out", m, "--force"]);
    assert!(err.contains("is not a sweep"), "{err}");
    // Nor is a directory that is not there (a usage error, not a failure of the machine).
    let gone = tmp.path().join("gone");
    let err = refused(&["merge", gone.to_str().unwrap(), s1s, "--out", m, "--force"]);
    assert!(err.contains("gone") && err.contains("not found"), "{err}");
    let err = refused(&["merge", s0s, gone.to_str().unwrap(), "--out", m, "--force"]);
    assert!(err.contains("gone") && err.contains("not found"), "{err}");
    assert_eq!(read(&merged, "runs.csv"), good);
}

#[test]
fn a_second_process_on_a_sweep_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("long.toml");
    // Five times the runs of LONG (a few seconds on one thread), so the first sweep is still
    // at work when the others try.
    fs::write(
        &exp,
        LONG.replace("replications = 60", "replications = 300"),
    )
    .unwrap();
    let out = tmp.path().join("s");
    let (e, o) = (exp.to_str().unwrap(), out.to_str().unwrap());
    let mut first = Command::new(BIN)
        .args(["sweep", e, "--out", o, "-q", "--threads", "1"])
        .spawn()
        .unwrap();
    let started = Instant::now();
    while lines(&out.join("runs.csv")) < 3 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = cogov(&["sweep", e, "--out", o, "-q", "--resume"], None);
    let forced = cogov(&["sweep", e, "--out", o, "-q", "--force"], None);
    // Nor may another command's --force replace it under the sweep.
    let run_over = cogov(
        &[
            "run",
            "-q",
            "--no-charts",
            "--force",
            "--ticks",
            "2",
            "--set",
            "territory.districts=2",
            "--out",
            o,
        ],
        None,
    );
    let still_running = first.try_wait().unwrap().is_none();
    let _ = first.kill();
    first.wait().unwrap();
    for other in [second, forced, run_over] {
        let err = String::from_utf8_lossy(&other.stderr);
        assert_eq!(other.status.code(), Some(2), "{err}");
        assert!(err.contains("another cogov process"), "{err}");
    }
    assert!(still_running, "the first sweep should still be running");
    // The lock dies with its process: the killed sweep resumes.
    ok(&["sweep", e, "--out", o, "-q", "--resume", "--no-charts"]);
    assert_eq!(lines(&out.join("runs.csv")), 1201);
}

#[test]
fn a_resume_refused_for_its_journal_leaves_the_sweep_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let o = out.to_str().unwrap();
    ok(&["sweep", &smoke(), "--out", o, "-q", "--no-charts"]);
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines: Vec<&str> = runs.lines().collect();
    lines.swap(2, 3);
    let swapped = lines.join("\n") + "\n";
    fs::write(out.join("runs.csv"), &swapped).unwrap();
    let manifest = read(&out, "manifest.json");
    let err = refused(&["sweep", &smoke(), "--out", o, "-q", "--resume"]);
    assert!(err.contains("out of order"), "{err}");
    assert_eq!(
        read(&out, "manifest.json"),
        manifest,
        "the manifest is untouched"
    );
    assert_eq!(fs::read_to_string(out.join("runs.csv")).unwrap(), swapped);
}

/// A fake `sbatch` that records its arguments and prints a job id.
fn fake_sbatch(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    fs::create_dir_all(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    fs::write(
        &sbatch,
        "#!/bin/sh\necho \"$@\" >> \"$SBATCH_LOG\"\necho 4242\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&sbatch, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn the_slurm_script_runs_nothing_hidden_in_names_paths_or_flags() {
    let tmp = tempfile::tempdir().unwrap();
    // Every value that reaches the script carries a command substitution.
    let nasty = tmp.path().join("a $(touch PWNED1) `touch PWNED2` 'q\" b");
    fs::create_dir_all(&nasty).unwrap();
    let exp = nasty.join("smoke.toml");
    fs::copy(smoke(), &exp).unwrap();
    let out = nasty.join("out $(touch PWNED3)");
    let cogov_link = nasty.join("cogov `touch PWNED4`");
    std::os::unix::fs::symlink(BIN, &cogov_link).unwrap();
    let script = ok(&[
        "slurm",
        exp.to_str().unwrap(),
        "--shards",
        "2",
        "--cpus",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--cogov",
        cogov_link.to_str().unwrap(),
    ])
    .stdout;
    let submit = tmp.path().join("submit.sh");
    fs::write(&submit, &script).unwrap();
    let bin = fake_sbatch(tmp.path());
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let log = tmp.path().join("sbatch.log");
    let bash = |args: &[&str], task: Option<u32>| {
        let mut c = Command::new("bash");
        c.args(args)
            .current_dir(tmp.path())
            .env("PATH", &path)
            .env("SBATCH_LOG", &log);
        if let Some(t) = task {
            c.env("SLURM_ARRAY_TASK_ID", t.to_string());
        }
        let o = c.output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let mut results = vec![bash(&[submit.to_str().unwrap()], None)];
    let sbatch_calls = fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(sbatch_calls.lines().count(), 2, "{sbatch_calls}");
    // Run the job scripts as Slurm would: each array task, then the merge.
    for t in 0..2 {
        results.push(bash(
            &[out.join("shards.sbatch").to_str().unwrap()],
            Some(t),
        ));
    }
    results.push(bash(&[out.join("merge.sbatch").to_str().unwrap()], None));
    let pwned = files::named_under(tmp.path(), "PWNED");
    assert!(pwned.is_empty(), "commands ran: {pwned:?}");
    for (success, stderr) in results {
        assert!(success, "{stderr}");
    }
    assert!(out.join("merged/manifest.json").is_file());
}

#[test]
fn the_slurm_script_refuses_control_characters_and_bad_slurm_values() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("x.toml");
    fs::write(
        &exp,
        fs::read_to_string(smoke())
            .unwrap()
            .replace("name = \"smoke\"", "name = \"x\\\"\\ntouch PWNED #\""),
    )
    .unwrap();
    let err = refused(&["slurm", exp.to_str().unwrap(), "--out", "o"]);
    assert!(
        err.contains("control character") && err.contains("name"),
        "{err}"
    );
    let s = smoke();
    for (flag, value, expect) in [
        ("--time", "1:00:00\n#SBATCH --uid=0", "--time"),
        ("--time", "two hours", "--time"),
        ("--time", "1-2:3:4:5", "--time"),
        ("--partition", "gpu\n#SBATCH --uid=0", "--partition"),
        ("--partition", "a b", "--partition"),
        ("--cpus", "0", "--cpus"),
        ("--out", "o\nrm -rf ~", "--out"),
        ("--cogov", "/bin/cogov\nrm", "--cogov"),
    ] {
        let err = refused(&["slurm", &s, "--out", "o", flag, value]);
        assert!(err.contains(expect), "{flag} {value:?}: {err}");
    }
    for time in ["30", "30:00", "02:00:00", "1-12", "1-12:30", "1-12:30:00"] {
        ok(&[
            "slurm",
            &s,
            "--out",
            "o",
            "--time",
            time,
            "--partition",
            "gpu,long_q",
        ]);
    }
}

#[test]
fn package_names_reach_points_csv_as_text_not_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("p.toml");
    fs::write(
        &exp,
        r#"
[experiment]
name = "p"
replications = 2
ticks = 2

[base]
territory.districts = 2
territory.streets_per_district = 2
territory.communities_per_street = 3

[design]
kind = "packages"

[[design.packages]]
name = "=HYPERLINK(\"http://example.com\",\"x\")"
set = {}

[[design.packages]]
name = "-1+2"
set = { motivation.responsibility_lists = 1.0 }

[[design.packages]]
name = "plain"
set = {}
"#,
    )
    .unwrap();
    let out = tmp.path().join("s");
    ok(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let mut r = csv::Reader::from_path(out.join("points.csv")).unwrap();
    let labels: Vec<String> = r.records().map(|rec| rec.unwrap()[1].to_string()).collect();
    assert_eq!(
        labels,
        [
            "'=HYPERLINK(\"http://example.com\",\"x\")",
            "'-1+2",
            "plain"
        ]
    );
}

/// A Saltelli design of N = 4 base rows over three levers on the default city (8 weeks, two
/// replications on common random numbers): 4·(3 + 2) = 20 points, 40 runs. Expected:
/// `sobol.csv` has the documented columns and a row for each parameter and summary column;
/// resolution rate varies, so its indices and intervals are filled in (lo <= hi) with a seed-
/// noise share in 0..=1; one and two threads give the same bytes; a journal cut mid-line
/// resumes to the same bytes; the S1/ST charts are drawn in English and Chinese.
#[test]
fn a_sobol_sweep_writes_indices_the_same_on_any_thread_count_resumes_and_draws_both_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("sobol.toml");
    fs::write(
        &exp,
        r#"
[experiment]
name = "sobol-test"
title_en = "Sobol' indices of three levers"
title_zh = "三个政策举措的Sobol指数"
replications = 2
base_seed = 5
ticks = 8
[design]
kind = "sobol"
samples = 4
[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"tools.media_pressure" = [0.0, 0.2]
"institutions.block_led" = [false, true]
"#,
    )
    .unwrap();
    let sweep = |dir: &Path, threads: &str, extra: &[&str]| {
        let mut args = vec![
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "-q",
        ];
        args.extend_from_slice(extra);
        let out = cogov(&args, Some(threads));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    sweep(&one, "1", &[]);
    sweep(&two, "2", &["--no-charts"]);
    for f in ["runs.csv", "points.csv", "sobol.csv"] {
        assert_eq!(read(&one, f), read(&two, f), "{f}: 1 vs 2 threads");
    }

    let text = fs::read_to_string(one.join("sobol.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        cogov::experiment::sweep::SOBOL_COLUMNS.join(",")
    );
    let metrics = cogov::output::records::summary_columns().len();
    assert_eq!(text.lines().count() - 1, 3 * metrics);
    let row = text
        .lines()
        .find(|l| l.starts_with("motivation.incentive_compatibility,resolution_rate,"))
        .unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[2], "4", "every base row is used");
    let num = |i: usize| -> f64 { cells[i].parse().unwrap_or_else(|_| panic!("{row}")) };
    assert!(num(4) <= num(5) && num(7) <= num(8), "{row}");
    assert!((0.0..=1.0).contains(&num(9)), "{row}");

    // A crash in the middle of writing the journal: --resume gives the same bytes.
    let torn = tmp.path().join("torn");
    sweep(&torn, "2", &["--no-charts"]);
    let runs = fs::read(torn.join("runs.csv")).unwrap();
    fs::write(torn.join("runs.csv"), &runs[..runs.len() / 2]).unwrap();
    sweep(&torn, "2", &["--no-charts", "--resume"]);
    assert_eq!(read(&one, "sobol.csv"), read(&torn, "sobol.csv"));

    for (lang, title) in [
        ("en", "indices: Resolution rate"),
        ("zh", "Sobol指数：解决率"),
    ] {
        let svg = fs::read_to_string(one.join(format!("charts/{lang}/resolution_rate_sobol.svg")))
            .unwrap();
        assert!(svg.contains(title), "{lang}: {title}");
        assert!(one
            .join(format!("charts/{lang}/resolution_rate_sobol.png"))
            .is_file());
    }
    ok(&["report", one.to_str().unwrap(), "--force"]);
}

/// N must be a power of two: the error names the file, line, column and key and exits 2.
#[test]
fn a_sobol_design_refuses_samples_that_are_not_a_power_of_two() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("bad.toml");
    fs::write(
        &exp,
        "[design]\nkind = \"sobol\"\nsamples = 100\n[design.ranges]\n\"tools.media_pressure\" = [0.0, 0.2]\n",
    )
    .unwrap();
    let out = cogov(
        &[
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:3:11: design.samples: expected a power of two")
            && err.contains("got 100; the nearest are 64 and 128"),
        "{err}"
    );
    assert!(!tmp.path().join("o").exists());
}

/// A design key `interventions.N.<parameter>` varies the value the base scenario's N-th
/// intervention sets (here the Beijing reform's dispatch straight to streets, intervention 2 of
/// `beijing_2021_reform.toml`, at week 261): each run's row in `runs.csv` carries it, and on
/// common random numbers the runs at 0 and 1 differ only after the intervention takes effect
/// (the grid's two points give different summaries; the size of the effect is not asserted).
#[test]
fn a_sweep_varies_the_value_an_intervention_sets() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("iv.toml");
    fs::write(
        &exp,
        format!(
            "[experiment]\nbase = {:?}\nticks = 266\nreplications = 1\ncommon_random_numbers = true\n\n[base]\nterritory.districts = 2\nterritory.streets_per_district = 2\nterritory.communities_per_street = 2\nobservation.warmup_ticks = 256\n\n[design]\nkind = \"grid\"\n[design.factors]\n\"interventions.2.motivation.responsibility_lists\" = [0.0, 1.0]\n",
            repo().join("scenarios/beijing_2021_reform.toml").display().to_string()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--no-charts",
    ]);
    let runs = String::from_utf8(read(&out, "runs.csv")).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "interventions.2.motivation.responsibility_lists")
        .expect("a design column");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][col], "0");
    assert_eq!(rows[1][col], "1");
    assert_ne!(
        rows[0][col + 1..],
        rows[1][col + 1..],
        "the value reaches the runs"
    );
}
