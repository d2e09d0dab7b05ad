//! End-to-end tests of the canonical games and `cogov validate`, through the real binary:
//! the quick docking checks pass, the validation scenarios run and reproduce byte for byte from
//! their manifests and across thread counts, Nowak–May started from the numpy peer's lattice
//! ends on the peer's final lattice (committed fixtures, so no Python is needed), and bad game
//! files are refused with exit code 2 and a located message.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cogov::validate::{check_ids, known_disagreements, Mode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validation_scenario(name: &str) -> PathBuf {
    root().join("scenarios/validation").join(name)
}

/// The binary run from `cwd`, so that a stray default output directory never lands in the repo.
fn cogov(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cogov"))
        .current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .args(args)
        .output()
        .expect("the cogov binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Every file of a run directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn quick_validation_passes_every_check() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cogov(tmp.path(), &["validate", "--quick", "--out", "v"]);
    assert_ok(&out);
    let stdout = text(&out.stdout);
    let ids = check_ids(Mode::Quick);
    assert!(ids.len() >= 10, "{ids:?}");
    for id in &ids {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no row for {id} in\n{stdout}"));
        // A documented known disagreement keeps failing its stated expectation; anything
        // else passes.
        let verdict = if known_disagreements().iter().any(|(k, _)| k == id) {
            "DISAGREES"
        } else {
            "PASS"
        };
        assert!(row.trim_end().ends_with(verdict), "{row}");
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(!stdout.contains("UNEXPECTED PASS"), "{stdout}");
    let csv = fs::read_to_string(tmp.path().join("v/validation.csv")).unwrap();
    assert!(csv.starts_with("check,what,expected,source,measured,ci95_low,ci95_high"));
    assert_eq!(csv.lines().count(), ids.len() + 1);
    // The output says what it is, so `--force` can replace it (issue 16: it used to refuse
    // its own output for want of a manifest).
    let manifest = fs::read_to_string(tmp.path().join("v/manifest.json")).unwrap();
    assert!(manifest.contains("\"kind\": \"validation\""), "{manifest}");
    let again = cogov(
        tmp.path(),
        &["validate", "--quick", "--out", "v", "--force"],
    );
    assert_ok(&again);
}

#[test]
fn the_readme_and_validation_md_name_every_check() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let doc = fs::read_to_string(root().join("docs/VALIDATION.md")).unwrap();
    for id in check_ids(Mode::Full) {
        let quoted = format!("`{id}`");
        assert!(readme.contains(&quoted), "README.md does not list {id}");
        assert!(
            doc.contains(&quoted),
            "docs/VALIDATION.md does not list {id}"
        );
    }
}

#[test]
fn nowak_may_from_the_numpy_peers_lattice_ends_on_its_final_lattice() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = validation_scenario("nowak_may_peer.toml");
    let out = cogov(
        tmp.path(),
        &["run", scenario.to_str().unwrap(), "--out", "nm", "-q"],
    );
    assert_ok(&out);
    let last = fs::read_to_string(tmp.path().join("nm/final_lattice.txt")).unwrap();
    let peer =
        fs::read_to_string(root().join("tests/fixtures/nm_L50_b1.85_seed3_gen60.txt")).unwrap();
    assert_eq!(last, peer);
    let first = fs::read_to_string(tmp.path().join("nm/initial_lattice.txt")).unwrap();
    let peer =
        fs::read_to_string(root().join("tests/fixtures/nm_L50_b1.85_seed3_init.txt")).unwrap();
    assert_eq!(first, peer);
}

#[test]
fn every_validation_scenario_runs_and_reproduces_from_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut names: Vec<PathBuf> = fs::read_dir(root().join("scenarios/validation"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    for path in names {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        // Short runs: the plumbing is under test here, the dynamics in `validate`.
        let mut args = vec![
            "run",
            path.to_str().unwrap(),
            "--out",
            &stem,
            "-q",
            "--ticks",
            "30",
        ];
        if stem.starts_with("well_mixed") {
            args.extend(["--set", "game.population=20000"]);
        }
        assert_ok(&cogov(tmp.path(), &args));
        let dir = tmp.path().join(&stem);
        let names: Vec<String> = files(&dir).into_iter().map(|f| f.0).collect();
        for f in ["manifest.json", "summary.csv", "timeseries.csv"] {
            assert!(names.contains(&f.to_string()), "{stem}: {names:?}");
        }
        let ts = fs::read_to_string(dir.join("timeseries.csv")).unwrap();
        assert!(ts.starts_with("step,cooperators,coop_fraction"), "{ts}");
        // Imitation games record their initial state as step 0; the games of the city's
        // decision rule record rounds 1..=30.
        let first = ts
            .lines()
            .nth(1)
            .unwrap_or("")
            .split(',')
            .next()
            .unwrap_or("");
        let rows = if first == "0" { 31 } else { 30 };
        assert!(first == "0" || first == "1", "{stem}: {first}");
        assert_eq!(ts.lines().count(), rows + 1, "{stem}: header + steps");
        assert!(ts.lines().last().unwrap().starts_with("30,"), "{stem}");

        let again = format!("{stem}_again");
        let manifest = dir.join("manifest.json");
        assert_ok(&cogov(
            tmp.path(),
            &["run", manifest.to_str().unwrap(), "--out", &again, "-q"],
        ));
        assert_eq!(files(&dir), files(&tmp.path().join(&again)), "{stem}");
    }
}

#[test]
fn nowak_may_gives_the_same_bytes_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = validation_scenario("nowak_may.toml");
    let args = |out: &'static str| {
        vec![
            "run".to_string(),
            scenario.to_string_lossy().into_owned(),
            "--out".into(),
            out.into(),
            "-q".into(),
            "--ticks".into(),
            "40".into(),
            "--set".into(),
            "game.L=300".into(),
        ]
    };
    for (threads, out) in [("1", "one"), ("2", "two"), ("3", "three")] {
        let o = Command::new(env!("CARGO_BIN_EXE_cogov"))
            .current_dir(tmp.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(args(out))
            .output()
            .unwrap();
        assert_ok(&o);
    }
    let one = files(&tmp.path().join("one"));
    assert_eq!(one, files(&tmp.path().join("two")));
    assert_eq!(one, files(&tmp.path().join("three")));
}

#[test]
fn the_games_of_the_city_rule_give_the_same_bytes_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "weakest_link_from_0.6",
        "bush_mosteller_A2",
        "conditional_pgg_fg2010",
    ] {
        let scenario = validation_scenario(&format!("{name}.toml"));
        for threads in ["1", "2"] {
            let o = Command::new(env!("CARGO_BIN_EXE_cogov"))
                .current_dir(tmp.path())
                .env("RAYON_NUM_THREADS", threads)
                .args([
                    "run",
                    scenario.to_str().unwrap(),
                    "--out",
                    &format!("{name}_{threads}"),
                    "-q",
                    "--ticks",
                    "50",
                ])
                .output()
                .unwrap();
            assert_ok(&o);
        }
        assert_eq!(
            files(&tmp.path().join(format!("{name}_1"))),
            files(&tmp.path().join(format!("{name}_2"))),
            "{name}"
        );
    }
}

/// A validation file with one line replaced, written to `dir/bad.toml`.
fn with_line(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = fs::read_to_string(validation_scenario(name)).unwrap();
    assert!(text.contains(from), "{name} has no line {from}");
    fs::write(dir.join("bad.toml"), text.replacen(from, to, 1)).unwrap();
    let line = text.lines().position(|l| l == from).unwrap() + 1;
    format!("bad.toml:{line}:")
}

#[test]
fn bad_values_in_the_city_rule_files_name_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "logit_pgg_mpcr0.3_n4.toml",
            "altruism = 0.1",
            "altruism = 1.5",
            "game.altruism: must be in 0..=1, got 1.5",
        ),
        (
            "weakest_link_from_0.6.toml",
            "agents = 1200",
            "agents = 1000",
            "game.agents: must be a multiple of the group size 3, got 1000 (try 999)",
        ),
        (
            "bush_mosteller_A2.toml",
            "aspiration = 2.0",
            "aspirations = 2.0",
            "game.aspirations: unknown key (did you mean `game.aspiration`?)",
        ),
        (
            "conditional_pgg_fg2010.toml",
            "free_rider_share = 0.3",
            "free_rider_share = 0.6",
            "game.free_rider_share: with conditional_share 0.5 the shares sum to 1.1, above 1",
        ),
        (
            "bush_mosteller_reference_A2.toml",
            "rule = \"macy_flache\"",
            "rule = \"macy\"",
            "game.rule: expected one of: city, macy_flache, got \"macy\"",
        ),
    ];
    for (name, from, to, message) in cases {
        let at = with_line(tmp.path(), name, from, to);
        let out = cogov(tmp.path(), &["run", "bad.toml", "--out", "x"]);
        assert_eq!(out.status.code(), Some(2), "{name}: {to}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&at) && stderr.contains(message),
            "{name}: want {at}…{message}\n{stderr}"
        );
        assert!(!tmp.path().join("x").exists());
    }
}

#[test]
fn bad_game_files_are_refused_with_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[game]\nkind = \"spatial_pgg\"\nr = 30\n",
            "bad.toml:3:5: game.r: must be in 0..=25, got 30",
        ),
        (
            "[game]\nkind = \"nowak_may\"\nbb = 2\n",
            "bad.toml:3:1: game.bb: unknown key",
        ),
        (
            "[game]\nkind = \"well_mixed\"\ngroup_size = 1.5\n",
            "game.group_size: expected an integer in 2..=100",
        ),
        (
            "[game]\nkind = \"dice\"\n",
            "game.kind: expected one of: nowak_may, spatial_pgg, well_mixed, logit_pgg, weakest_link, bush_mosteller, conditional_pgg",
        ),
    ];
    for (body, message) in cases {
        fs::write(tmp.path().join("bad.toml"), body).unwrap();
        let out = cogov(tmp.path(), &["run", "bad.toml", "--out", "x"]);
        assert_eq!(out.status.code(), Some(2), "{body}");
        assert!(text(&out.stderr).contains(message), "{}", text(&out.stderr));
        assert!(!tmp.path().join("x").exists());
    }
    let out = cogov(
        tmp.path(),
        &[
            "run",
            validation_scenario("pgg_r3.toml").to_str().unwrap(),
            "--set",
            "game.K=0",
            "--out",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("game.K: must be in 0.001..=100"),
        "{}",
        text(&out.stderr)
    );
}
