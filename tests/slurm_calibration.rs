//! `cogov slurm CAL.toml` (issue 12 §2: a calibration runs on Slurm through `cogov slurm`):
//! the driver script it prints, run here against stand-ins for `sbatch` and `squeue` that run
//! every job at once in the foreground, and the machine-readable last line of
//! `cogov calibrate --next-batch` that the driver reads. The real Slurm run is
//! `.ci/slurm-check.sh`.

#[path = "common/files.rs"]
mod files;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cogov");

/// Stands in for sbatch: runs the job (each task of an array, with `SLURM_ARRAY_TASK_ID`) in
/// the foreground, writes its output where `--output` says, prints a job id, and logs every
/// array's arguments to `$FAKE_DIR/arrays.log`. With `FAKE_PARTIAL_ARRAY=N`, the N-th array
/// of this process tree runs only its task 0 (a task that failed).
const SBATCH: &str = r#"#!/bin/bash
array= output=/dev/null
while [ $# -gt 0 ]; do
    case $1 in
        --parsable) ;;
        --array=*) array=${1#--array=} ;;
        --output=*) output=${1#--output=} ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
n=$(( $(cat "$FAKE_DIR/jobs" 2>/dev/null || echo 0) + 1 ))
echo $n > "$FAKE_DIR/jobs"
if [ -n "$array" ]; then
    echo "$2" >> "$FAKE_DIR/arrays.log"
    k=$(( $(cat "$FAKE_DIR/arrays" 2>/dev/null || echo 0) + 1 ))
    echo $k > "$FAKE_DIR/arrays"
    last=${array#*-}
    if [ "$k" = "${FAKE_PARTIAL_ARRAY:-}" ]; then last=0; fi
    for ((i = ${array%-*}; i <= last; i++)); do
        log=${output//%a/$i}
        SLURM_ARRAY_TASK_ID=$i bash "$@" > "${log//%A/$n}" 2>&1 || true
    done
else
    bash "$@" > "${output//%j/$n}" 2>&1 || true
fi
echo "$n"
"#;

/// The synthetic calibration made smaller still: one wave, small populations (a few seconds).
fn small_calibration(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/experiments/calibration_synthetic.toml"),
    )
    .unwrap();
    let mut small = text;
    for (from, to) in [
        ("waves = 2", "waves = 1"),
        ("points = 16", "points = 12"),
        ("population = 40", "population = 16"),
        ("generations = 3", "generations = 1"),
        ("predictive = 40", "predictive = 8"),
        (
            "name = \"calibration_synthetic\"",
            "name = \"small $(touch PWNED1) `touch PWNED2` x\"",
        ),
    ] {
        assert!(small.contains(from), "{from}");
        small = small.replacen(from, to, 1);
    }
    let path = dir.join("small.toml");
    fs::write(&path, small).unwrap();
    path
}

fn cogov(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("cogov runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Runs the submit script with the stand-ins first on the PATH.
fn submit(fake: &Path, script: &Path, partial: Option<u32>) -> Output {
    let path = format!(
        "{}:{}",
        fake.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(fake)
        .env("PATH", path)
        .env("FAKE_DIR", fake)
        .env_remove("FAKE_PARTIAL_ARRAY");
    if let Some(n) = partial {
        cmd.env("FAKE_PARTIAL_ARRAY", n.to_string());
    }
    cmd.output().expect("bash runs")
}

fn driver_logs(dir: &Path) -> String {
    let mut text = String::new();
    for e in fs::read_dir(dir.join("slurm/logs")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("driver-")
        {
            text += &fs::read_to_string(p).unwrap();
        }
    }
    text
}

/// The driver ends with the bytes of a local `cogov calibrate`, through a failed shard task
/// (the driver stops; submitted again it re-runs only the missing shard of that batch and no
/// batch placed before), through a lone shard placed by hand as a batch (not taken as the
/// batch: set aside, kept), and a third submission of a complete calibration runs nothing;
/// nothing hidden in the paths or the calibration's name runs.
#[test]
fn driver_matches_a_local_calibration_and_resumes_where_it_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("fake");
    fs::create_dir_all(fake.join("bin")).unwrap();
    for (name, text) in [("sbatch", SBATCH), ("squeue", "#!/bin/sh\n")] {
        let p = fake.join("bin").join(name);
        fs::write(&p, text).unwrap();
        Command::new("chmod").arg("+x").arg(&p).status().unwrap();
    }
    // Every path and the calibration's name carry a command substitution.
    let nasty = tmp.path().join("a $(touch PWNED3) `touch PWNED4` 'q\" b");
    fs::create_dir_all(&nasty).unwrap();
    let cal = small_calibration(&nasty);
    let cal = cal.to_str().unwrap();
    let cogov_link = nasty.join("cogov `touch PWNED5`");
    std::os::unix::fs::symlink(BIN, &cogov_link).unwrap();
    let local = tmp.path().join("local");
    ok(&cogov(&[
        "calibrate",
        cal,
        "--out",
        local.to_str().unwrap(),
        "-q",
        "--no-charts",
    ]));

    // The machine-readable line: a fresh directory's first batch.
    let first = tmp.path().join("first");
    let said = ok(&cogov(&[
        "calibrate",
        cal,
        "--out",
        first.to_str().unwrap(),
        "-q",
        "--next-batch",
    ]));
    assert_eq!(
        said.lines().last().unwrap(),
        format!(
            "next-batch wave-01 {}",
            first.join("next_batch.toml").display()
        ),
        "{said}"
    );

    let dir = nasty.join("drv $(touch PWNED6)");
    let script = tmp.path().join("submit.sh");
    let text = ok(&cogov(&[
        "slurm",
        cal,
        "--out",
        dir.to_str().unwrap(),
        "--shards",
        "2",
        "--cpus",
        "1",
        "--poll",
        "1",
        "--cogov",
        cogov_link.to_str().unwrap(),
    ]));
    fs::write(&script, text).unwrap();

    // First submission: the second array loses its task 1, so the driver stops there.
    let run = submit(&fake, &script, Some(2));
    ok(&run);
    let logs = driver_logs(&dir);
    assert!(logs.contains("did not finish"), "{logs}");
    assert!(dir.join("batches/wave-01/manifest.json").is_file());
    assert!(!dir.join("posterior.csv").exists());
    let arrays = fs::read_to_string(fake.join("arrays.log")).unwrap();
    let second = arrays.lines().nth(1).unwrap().to_string();
    let second_batch = Path::new(&second)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    // A lone complete shard of that batch, placed by hand where the merged sweep belongs.
    let lone = dir.join("batches").join(&second_batch);
    assert!(Command::new("cp")
        .arg("-r")
        .arg(Path::new(&second).join("shard-0"))
        .arg(&lone)
        .status()
        .unwrap()
        .success());

    // Second submission: finishes.
    ok(&submit(&fake, &script, None));
    let logs = driver_logs(&dir);
    assert!(logs.contains("the calibration is complete"), "{logs}");
    assert!(fs::read_to_string(dir.join("report_zh.html"))
        .unwrap()
        .contains("后验估计"));
    assert!(dir.join("charts/en/calibration_marginals.svg").is_file());
    for f in [
        "posterior.csv",
        "estimates.csv",
        "waves.csv",
        "generations.csv",
        "predictive.csv",
    ] {
        assert_eq!(
            fs::read(local.join(f)).unwrap(),
            fs::read(dir.join(f)).unwrap(),
            "{f} differs from a local calibration"
        );
    }
    let arrays = fs::read_to_string(fake.join("arrays.log")).unwrap();
    let count = |b: &str| arrays.lines().filter(|l| l.ends_with(b)).count();
    assert_eq!(count("/wave-01"), 1, "a placed batch ran again: {arrays}");
    assert_eq!(count(&format!("/{second_batch}")), 2, "{arrays}");
    assert!(arrays.lines().count() >= 4, "{arrays}");
    let aside: Vec<_> = fs::read_dir(dir.join("slurm/set-aside"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(
        aside[0].join("runs.csv").is_file(),
        "the lone shard is kept"
    );
    assert_eq!(
        fs::read_dir(dir.join("slurm/scratch")).unwrap().count(),
        0,
        "every batch's scratch is removed once it is placed"
    );

    // Third submission: complete already, nothing submitted.
    ok(&submit(&fake, &script, None));
    assert_eq!(fs::read_to_string(fake.join("arrays.log")).unwrap(), arrays);
    // The machine-readable line of a complete calibration, alone with --quiet.
    let said = ok(&cogov(&[
        "calibrate",
        cal,
        "--out",
        dir.to_str().unwrap(),
        "--resume",
        "--next-batch",
        "-q",
        "--no-charts",
    ]));
    assert_eq!(said, format!("complete {}\n", dir.display()));

    let pwned = files::named_under(tmp.path(), "PWNED");
    assert!(pwned.is_empty(), "commands ran: {pwned:?}");
}

/// The script carries every option where it belongs (driver: 1 CPU and --driver-time; shards:
/// --cpus, --time, --mem; both: --partition); experiment files refuse the calibration-only
/// options, and bad values are refused with exit 2.
#[test]
fn calibration_script_carries_the_options_and_bad_values_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cal = small_calibration(tmp.path());
    let out = tmp.path().join("it's here");
    let base = [
        "slurm",
        cal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--shards",
        "3",
        "--cpus",
        "2",
        "--time",
        "00:30:00",
        "--partition",
        "long",
        "--mem",
        "4G",
        "--cogov",
        "/opt/cogov",
    ];
    let mut args = base.to_vec();
    args.extend(["--driver-time", "1-00:00:00", "--poll", "7"]);
    let text = ok(&cogov(&args));
    for needle in [
        "#SBATCH --job-name=cogov-driver\n#SBATCH --cpus-per-task=1\n#SBATCH --time=1-00:00:00\n#SBATCH --partition=long\n#SBATCH --mem=4G\n",
        "#SBATCH --job-name=cogov-shards\n#SBATCH --cpus-per-task=2\n#SBATCH --time=00:30:00\n#SBATCH --partition=long\n#SBATCH --mem=4G\n",
        "--array=0-2 ",
        "--shard \"$SLURM_ARRAY_TASK_ID\"/3 --threads 2 --resume",
        "for ((i = 0; i < 3; i++))",
        "sleep 7\n",
        "COGOV='/opt/cogov'",
        "it'\\''s here",
        "\"complete \"*)",
        "\"next-batch \"*)",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    assert!(!text.contains("@NAME@") && !text.contains("@SHARDS@"));
    let script = tmp.path().join("submit.sh");
    fs::write(&script, &text).unwrap();
    assert!(Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap()
        .success());
    // Defaults: three days for the driver, 30 s between looks.
    let text = ok(&cogov(&base));
    assert!(text.contains("#SBATCH --time=3-00:00:00\n") && text.contains("sleep 30\n"));

    let refused = |args: &[&str], says: &str| {
        let out = cogov(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    };
    let mut bad = base.to_vec();
    bad.extend(["--driver-time", "2 h"]);
    refused(&bad, "--driver-time: expected a Slurm time limit");
    let mut bad = base.to_vec();
    bad.extend(["--poll", "0"]);
    refused(&bad, "--poll: must be at least 1");
    let smoke = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/smoke.toml");
    let exp_args = [
        "slurm",
        smoke.to_str().unwrap(),
        "--out",
        "/tmp/x",
        "--poll",
        "5",
    ];
    refused(
        &exp_args,
        "--driver-time and --poll are for a calibration file",
    );
    // An experiment file still gets the job array and merge job of before.
    let text = ok(&cogov(&exp_args[..4]));
    assert!(text.contains("#SBATCH --job-name=cogov-merge") && !text.contains("driver"));
}
