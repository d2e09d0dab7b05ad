//! Disk and I/O faults (issue 7): a full or read-only output location gives a clear error
//! (exit 1, naming the path) and keeps whatever was already safely written, and writers that
//! fail part-way return errors rather than panicking.
//!
//! The file-system tests mount a small tmpfs, so they need root and a kernel that lets the
//! sandbox mount; elsewhere they print a note and pass. Each mount is unmounted when its guard
//! is dropped, also when an assertion fails.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cogov::output::records::{timeseries_columns, timeseries_row};
use cogov::output::{write_csv, write_json, AtomicDir, OutputError};
use cogov::run::simulate;
use cogov::scenario::{self, Scenario};

const BIN: &str = env!("CARGO_BIN_EXE_cogov");

/// A small city for a few weeks: enough output to fill a small file system.
const SMALL: &[&str] = &[
    "--set",
    "territory.districts=2",
    "--set",
    "territory.streets_per_district=2",
    "--set",
    "territory.communities_per_street=3",
    "--ticks",
    "8",
    "--no-charts",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn smoke() -> PathBuf {
    repo().join("scenarios/experiments/smoke.toml")
}

fn cogov(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("cogov runs")
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ----------------------------------------------------------------------------------------------
// A small tmpfs, unmounted on drop
// ----------------------------------------------------------------------------------------------

/// A tmpfs mounted on a temporary directory; unmounted (and the directory removed) on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` with extra mount `options`, or explains why it cannot.
    fn mount(size: &str, options: &str) -> Result<Tmpfs, String> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| format!("cannot run id: {e}"))?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return Err("not running as root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let opts = format!("size={size}{options}");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &opts, "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!("mount refused: {}", stderr_of(&out).trim()));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system with `filler` until only about `free` bytes are left.
    fn fill_leaving(&self, free: u64) -> PathBuf {
        let filler = self.path().join("filler");
        let mut f = fs::File::create(&filler).unwrap();
        let chunk = vec![0x55u8; 4096];
        let mut written = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => panic!("filling the tmpfs: {e}"),
            }
        }
        f.set_len(written.saturating_sub(free)).unwrap();
        f.sync_all().unwrap();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let status = Command::new("umount").arg(self.dir.path()).status();
        if !matches!(status, Ok(s) if s.success()) {
            // A busy mount still goes away once nothing uses it.
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// A mounted tmpfs, or `None` after printing why the test is skipped.
fn tmpfs(test: &str, size: &str, options: &str) -> Option<Tmpfs> {
    match Tmpfs::mount(size, options) {
        Ok(t) => Some(t),
        Err(why) => {
            eprintln!(
                "note: {test} skipped: {why} (it needs root and permission to mount a tmpfs)"
            );
            None
        }
    }
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A failure on a full disk: exit 1, one line, naming a path inside `mount`, saying why.
fn assert_no_space_error(o: &Output, mount: &Path, what: &str) {
    let err = stderr_of(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{what}: exit code 1 for a full disk: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
    assert!(
        err.contains(&mount.display().to_string()),
        "{what}: names the path: {err}"
    );
    assert!(
        err.contains("No space left on device"),
        "{what}: says why: {err}"
    );
}

// ----------------------------------------------------------------------------------------------
// cogov run on a full disk
// ----------------------------------------------------------------------------------------------

#[test]
fn a_run_on_a_full_disk_fails_cleanly_and_leaves_no_run_directory() {
    let Some(fs_) = tmpfs("a_run_on_a_full_disk", "256k", "") else {
        return;
    };
    // A finished run already on the disk, to be kept through everything that follows.
    let old = fs_.path().join("old");
    let mut args = vec!["run", "-q", "--out", old.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    let o = cogov(&args);
    assert!(o.status.success(), "the first run fits: {}", stderr_of(&o));
    let old_manifest = fs::read(old.join("manifest.json")).unwrap();
    let old_entries = entries(&old);

    // Then, with less and less room: a new run fails, or (with enough room) completes.
    let mut failures = 0;
    for free in [0u64, 4 << 10, 12 << 10, 24 << 10] {
        let filler = fs_.fill_leaving(free);
        let filler_len = fs::metadata(&filler).unwrap().len();
        let out = fs_.path().join("run");
        let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
        args.extend_from_slice(SMALL);
        let o = cogov(&args);
        let what = format!("run with {free} bytes free");
        if o.status.success() {
            assert!(
                out.join("manifest.json").is_file() && out.join("timeseries.csv").is_file(),
                "{what}: a finished run is whole"
            );
            fs::remove_dir_all(&out).unwrap();
        } else {
            failures += 1;
            assert_no_space_error(&o, fs_.path(), &what);
            assert!(!out.exists(), "{what}: no run directory may appear");
        }
        // No staging directory is left, nothing else appeared, nothing already there was touched.
        assert_eq!(entries(fs_.path()), vec!["filler", "old"], "{what}");
        assert_eq!(
            fs::metadata(&filler).unwrap().len(),
            filler_len,
            "{what}: the filler is untouched"
        );
        assert_eq!(
            fs::read(old.join("manifest.json")).unwrap(),
            old_manifest,
            "{what}: the earlier run is kept"
        );
        fs::remove_file(&filler).unwrap();
    }
    assert!(
        failures >= 2,
        "the disk was never full enough to fail a run"
    );

    // Charts (about 1.7 MB) do not fit the remaining room: the run fails while drawing them.
    let out = fs_.path().join("charted");
    let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
    args.extend(SMALL.iter().filter(|a| **a != "--no-charts"));
    let o = cogov(&args);
    assert_no_space_error(&o, fs_.path(), "a run whose charts do not fit");
    assert!(!out.exists());
    assert_eq!(entries(fs_.path()), vec!["old"]);

    // Replacing the earlier run with --force on a full disk fails before the old one is removed.
    let filler = fs_.fill_leaving(0);
    let mut args = vec!["run", "-q", "--force", "--out", old.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    args.extend(["--seed", "7"]);
    let o = cogov(&args);
    assert_no_space_error(&o, fs_.path(), "--force on a full disk");
    assert_eq!(
        entries(&old),
        old_entries,
        "the run that --force would have replaced is whole"
    );
    assert_eq!(fs::read(old.join("manifest.json")).unwrap(), old_manifest);
    fs::remove_file(filler).unwrap();
}

#[test]
fn a_read_only_output_location_is_a_clear_error() {
    let Some(ro) = tmpfs("a_read_only_output_location", "64k", ",ro") else {
        return;
    };
    let out = ro.path().join("run");
    let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    let o = cogov(&args);
    let err = stderr_of(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a read-only disk is a runtime failure: {err}"
    );
    assert!(
        err.contains(&ro.path().display().to_string()) && err.contains("Read-only file system"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let sweep = ro.path().join("sweep");
    let o = cogov(&[
        "sweep",
        smoke().to_str().unwrap(),
        "-q",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sweep") && err.contains("Read-only file system"),
        "{err}"
    );
    assert!(entries(ro.path()).is_empty());
}

// ----------------------------------------------------------------------------------------------
// cogov sweep on a full disk, then --resume
// ----------------------------------------------------------------------------------------------

#[test]
fn a_sweep_on_a_full_disk_keeps_its_finished_runs_and_resumes_to_the_same_bytes() {
    let Some(fs_) = tmpfs("a_sweep_on_a_full_disk", "256k", "") else {
        return;
    };
    // The journal is what this is about; charts (megabytes) would not fit on the small disk,
    // and their own failure is tested in tests/charts.rs.
    let reference = tempfile::tempdir().unwrap();
    let whole = reference.path().join("whole");
    let o = cogov(&[
        "sweep",
        smoke().to_str().unwrap(),
        "-q",
        "--no-charts",
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr_of(&o));

    let (mut failures, mut mid_journal) = (0, 0);
    // From no room at all to enough for the whole sweep, a page at a time: the disk fills up
    // while writing the manifest, the journal's header, a block of runs, the statistics and
    // the final manifest.
    for free in (0..12u64).map(|pages| pages * 4096) {
        let what = format!("sweep with {free} bytes free");
        let filler = fs_.fill_leaving(free);
        let out = fs_.path().join("sweep");
        // One run per block, so a full disk can stop the sweep between any two runs.
        let o = cogov(&[
            "sweep",
            smoke().to_str().unwrap(),
            "-q",
            "--no-charts",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ]);
        if !o.status.success() {
            failures += 1;
            assert_no_space_error(&o, fs_.path(), &what);
            // Whatever is there does not look complete, and every journaled run is whole.
            if let Ok(text) = fs::read_to_string(out.join("manifest.json")) {
                let m: serde_json::Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{what}: torn manifest: {e}"));
                assert_eq!(
                    m["complete"],
                    serde_json::json!(false),
                    "{what}: an unfinished sweep says so"
                );
            }
            if let Ok(runs) = fs::read_to_string(out.join("runs.csv")) {
                let reference_runs = fs::read_to_string(whole.join("runs.csv")).unwrap();
                let complete = &runs[..runs.rfind('\n').map_or(0, |i| i + 1)];
                assert!(
                    reference_runs.starts_with(complete),
                    "{what}: journaled runs are exactly the reference's first runs"
                );
                let journaled = complete.lines().count();
                if journaled > 1 && journaled < reference_runs.lines().count() {
                    mid_journal += 1;
                }
            }
        }
        // With room again, --resume finishes it to exactly the bytes of an uninterrupted sweep.
        fs::remove_file(&filler).unwrap();
        if !o.status.success() {
            let o = cogov(&[
                "sweep",
                smoke().to_str().unwrap(),
                "-q",
                "--no-charts",
                "--resume",
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(
                o.status.success(),
                "{what}: --resume after freeing space: {}",
                stderr_of(&o)
            );
        }
        for f in ["runs.csv", "points.csv", "manifest.json"] {
            assert_eq!(
                fs::read(out.join(f)).ok(),
                fs::read(whole.join(f)).ok(),
                "{what}: {f}"
            );
        }
        assert_eq!(
            entries(&out),
            entries(&whole),
            "{what}: no temporary files are left"
        );
        fs::remove_dir_all(&out).unwrap();
    }
    assert!(
        failures >= 3,
        "the disk was never full enough to stop a sweep"
    );
    assert!(
        mid_journal >= 1,
        "no sweep was stopped half-way through its runs"
    );
}

// ----------------------------------------------------------------------------------------------
// Injected writer errors
// ----------------------------------------------------------------------------------------------

/// A writer that accepts `budget` bytes, then fails every write (and the flush after that).
struct FailAfter {
    budget: usize,
    written: Vec<u8>,
    kind: io::ErrorKind,
    refused: bool,
}

impl Write for FailAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            self.refused = true;
            return match self.kind {
                // A writer that accepts nothing without saying why.
                io::ErrorKind::WriteZero => Ok(0),
                kind => Err(io::Error::new(kind, "injected failure")),
            };
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.refused && self.kind != io::ErrorKind::WriteZero {
            return Err(io::Error::new(self.kind, "injected failure at flush"));
        }
        Ok(())
    }
}

/// A writer that is interrupted on every other call, as a signal would (and must be retried).
struct Interrupted {
    written: Vec<u8>,
    calls: usize,
}

impl Write for Interrupted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 1 {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let n = buf.len().min(7);
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn small_series() -> Vec<Vec<f64>> {
    let mut sc = Scenario {
        ticks: 6,
        ..Scenario::default()
    };
    scenario::apply_overrides(
        &mut sc,
        &[
            "territory.districts=1",
            "territory.streets_per_district=2",
            "territory.communities_per_street=2",
        ],
    )
    .unwrap();
    simulate(&sc, |_, _| {})
        .series
        .iter()
        .map(timeseries_row)
        .collect()
}

#[test]
fn write_csv_returns_an_error_when_the_writer_fails_at_any_byte() {
    let rows = small_series();
    let cols = timeseries_columns();
    let mut full = Vec::new();
    write_csv(&mut full, &cols, rows.clone()).unwrap();
    assert!(full.len() > 1000);
    let step = (full.len() / 300).max(1);
    for kind in [
        io::ErrorKind::Other,
        io::ErrorKind::StorageFull,
        io::ErrorKind::WriteZero,
    ] {
        for budget in (0..full.len()).step_by(step).chain([full.len() - 1]) {
            let mut w = FailAfter {
                budget,
                written: Vec::new(),
                kind,
                refused: false,
            };
            let r = write_csv(&mut w, &cols, rows.clone());
            assert!(
                r.is_err(),
                "{kind:?} after {budget} of {} bytes went unnoticed",
                full.len()
            );
            assert!(
                full.starts_with(&w.written),
                "what was written is a prefix of the table"
            );
        }
        // With room for everything, the bytes are the table's.
        let mut w = FailAfter {
            budget: full.len(),
            written: Vec::new(),
            kind,
            refused: false,
        };
        write_csv(&mut w, &cols, rows.clone()).unwrap();
        assert_eq!(w.written, full);
    }
    let mut w = Interrupted {
        written: Vec::new(),
        calls: 0,
    };
    write_csv(&mut w, &cols, rows.clone()).unwrap();
    assert_eq!(w.written, full, "interrupted writes are retried");
}

#[test]
fn write_csv_refuses_non_finite_values_with_the_column_name() {
    let cols = timeseries_columns();
    let mut rows = small_series();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        rows[2][3] = bad;
        let e = write_csv(Vec::new(), &cols, rows.clone()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains(&cols[3].name), "{e}");
    }
}

#[test]
fn write_json_returns_an_error_when_the_writer_fails_at_any_byte() {
    let v = cogov::output::manifest_json(&Scenario::default(), "run");
    let mut full = Vec::new();
    write_json(&mut full, &v).unwrap();
    for budget in (0..full.len()).step_by(97).chain([full.len() - 1]) {
        let mut w = FailAfter {
            budget,
            written: Vec::new(),
            kind: io::ErrorKind::StorageFull,
            refused: false,
        };
        assert!(
            write_json(&mut w, &v).is_err(),
            "failure after {budget} bytes went unnoticed"
        );
    }
}

#[test]
fn a_failed_write_inside_an_atomic_directory_names_the_file_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    let rows = small_series();
    {
        let dir = AtomicDir::create(&target, false).unwrap();
        dir.write_file("summary.csv", |w| w.write_all(b"ok\n"))
            .unwrap();
        let e = dir
            .write_file("timeseries.csv", |w| {
                let mut failing = FailAfter {
                    budget: 300,
                    written: Vec::new(),
                    kind: io::ErrorKind::StorageFull,
                    refused: false,
                };
                write_csv(&mut failing, &timeseries_columns(), rows)?;
                w.write_all(&failing.written)
            })
            .unwrap_err();
        assert!(
            matches!(e, OutputError::Io { .. }) && !e.is_usage(),
            "a failed write is a runtime error: {e:?}"
        );
        let shown = e.to_string();
        assert!(
            shown.contains(&target.join("timeseries.csv").display().to_string()),
            "names the file as the user knows it: {shown}"
        );
        // Dropped without commit.
    }
    assert!(
        entries(tmp.path()).is_empty(),
        "nothing is left: {:?}",
        entries(tmp.path())
    );
}
