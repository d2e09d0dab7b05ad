//! Output records and their writers: CSV tables, the JSON manifest, and atomic output
//! directories.
//!
//! Writers take `impl Write` and know nothing about paths; `AtomicDir` is the one place that
//! decides where files go and makes a run's directory appear only when it is complete.

pub mod games;
pub mod manifest;
pub mod place;
pub mod records;
pub mod validation;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::scenario::Scenario;
use records::Column;

/// Formats a value for CSV: integers without a fraction, others in Rust's shortest exact form,
/// so that equal runs give equal bytes.
pub fn format_value(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Writes a CSV table with the given header and rows. Refuses non-finite values: no NaN or
/// infinity ever reaches an output.
pub fn write_csv<W: Write>(
    out: W,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<f64>>,
) -> io::Result<()> {
    write_csv_gaps(out, columns, rows, columns.len())
}

/// `write_csv`, except that the columns from `gaps_from` on may have gaps: a non-finite value
/// there is written as an empty cell (a quantity not defined that week), never as NaN.
pub fn write_csv_gaps<W: Write>(
    out: W,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<f64>>,
    gaps_from: usize,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns.iter().map(|c| c.name.as_str()))?;
    for row in rows {
        if let Some(i) = row[..gaps_from.min(row.len())]
            .iter()
            .position(|x| !x.is_finite())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("non-finite value in column {}", columns[i].name),
            ));
        }
        w.write_record(row.iter().map(|x| {
            if x.is_finite() {
                format_value(*x)
            } else {
                String::new()
            }
        }))?;
    }
    w.flush()
}

/// A free-text CSV cell (a package name, a point label) as a spreadsheet will show it rather
/// than run it: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'`, as OWASP's advice on CSV injection says, so `=HYPERLINK(…)` stays text.
/// Numbers never pass through here (`format_value` writes them), so `-0.5` stays a number.
pub fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The manifest of a city run as JSON (`Scenario::manifest`); `kind` is `run`, or `base`
/// inside a sweep's manifest.
pub fn manifest_json(sc: &Scenario, kind: &str) -> Value {
    sc.manifest(kind).to_value()
}

/// Writes pretty JSON followed by a newline.
pub fn write_json<W: Write>(mut out: W, v: &Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Errors of the output layer, naming the path at fault.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}: already exists; choose another --out or pass --force to replace it")]
    Exists(PathBuf),
    /// An output file (`report -o`, `compare --out`) that exists, without `--force`.
    #[error("{0}: already exists; choose another file name or pass --force to replace it")]
    FileExists(PathBuf),
    /// The path can never be an output directory (bad name, a file, not a cogov output).
    #[error("{path}: {reason}")]
    Unusable { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl OutputError {
    /// True for mistakes in what the user asked for (exit 2), false for failures (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            OutputError::Exists(_) | OutputError::FileExists(_) | OutputError::Unusable { .. }
        )
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn unusable(path: &Path, reason: &str) -> OutputError {
    OutputError::Unusable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// A directory that is built under a temporary name and renamed into place on `commit`, so a
/// killed or failed run never leaves a directory that looks complete. Dropped uncommitted, it
/// removes its temporary files.
pub struct AtomicDir {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    committed: bool,
    /// Held on the staging directory while this lives: a staging directory whose lock is free
    /// belongs to no running cogov (`place::remove_stale_staging`).
    _lock: Option<fs::File>,
}

impl AtomicDir {
    /// Checks everything that can be checked before any work is done: the name is a real
    /// directory name, its parent is a directory, an existing target is replaced only with
    /// `force` and only if it is an empty directory or a cogov output (`place::check_replaceable`).
    pub fn create(target: &Path, force: bool) -> Result<AtomicDir, OutputError> {
        if !matches!(
            target.components().next_back(),
            Some(std::path::Component::Normal(_))
        ) {
            return Err(unusable(target, "is not a directory name cogov can create (use a named directory such as runs/my-run)"));
        }
        // The staging name `.NAME.partial-PID` adds up to 20 bytes to the name, and file
        // systems take 255: a longer name would fail half-way, naming the hidden path.
        let name_len = target.file_name().map_or(0, |n| n.len());
        if name_len > MAX_OUTPUT_NAME {
            return Err(unusable(
                target,
                &format!("has a name of {name_len} bytes; at most {MAX_OUTPUT_NAME} (cogov writes it under a longer hidden name first)"),
            ));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if parent.exists() && !parent.is_dir() {
            return Err(unusable(
                parent,
                "is not a directory, so the output cannot go inside it",
            ));
        }
        if fs::symlink_metadata(target).is_ok() {
            if !force {
                if !target.is_dir() {
                    return Err(unusable(
                        target,
                        "exists and is not a directory; refusing to replace it",
                    ));
                }
                return Err(OutputError::Exists(target.to_path_buf()));
            }
            place::check_replaceable(target)?;
        }
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        place::remove_stale_staging(target);
        let staging = place::staging_beside(target);
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        fs::create_dir(&staging).map_err(io_err(&staging))?;
        Ok(AtomicDir {
            target: target.to_path_buf(),
            _lock: place::lock_dir(&staging, true).ok(),
            staging,
            force,
            committed: false,
        })
    }

    /// Writes one file inside the staging directory through `write`.
    pub fn write_file(
        &self,
        name: &str,
        write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.staging.join(name);
        // Errors name the file as the user will know it, not its temporary location.
        let shown = self.target.join(name);
        let file = fs::File::create(&path).map_err(io_err(&shown))?;
        let mut w = io::BufWriter::new(file);
        write(&mut w).map_err(io_err(&shown))?;
        w.flush().map_err(io_err(&shown))?;
        w.get_ref().sync_all().map_err(io_err(&shown))?;
        Ok(())
    }

    pub fn staging_path(&self) -> &Path {
        &self.staging
    }

    /// Moves the finished directory into place (`place::commit_dir`: an existing output is
    /// checked again and renamed aside, never deleted under its own name).
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        place::commit_dir(&self.staging, &self.target, self.force)?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Longest output directory name: 255 bytes (most file systems) less the staging name's
/// `.`, `.partial-` and a process id of up to 10 digits.
pub const MAX_OUTPUT_NAME: usize = 255 - 20;

/// `runs/<name>-<UTC timestamp>`, with a numeric suffix if that exists already.
pub fn default_run_dir(base: &Path, name: &str, unix_seconds: u64) -> PathBuf {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A name starting with `-` would read as a flag to the next command given the directory.
    let mut safe = match safe.strip_prefix('-') {
        Some(rest) => format!("_{rest}"),
        None => safe,
    };
    // Room for the timestamp and a suffix within MAX_OUTPUT_NAME.
    while safe.len() > MAX_OUTPUT_NAME - 32 {
        safe.pop();
    }
    let stem = format!(
        "{safe}-{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let mut dir = base.join(&stem);
    let mut n = 2;
    while dir.exists() {
        dir = base.join(format!("{stem}-{n}"));
        n += 1;
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_format_reproducibly() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.25), "0.25");
    }

    #[test]
    fn csv_refuses_nan() {
        let cols = vec![Column {
            name: "x".into(),
            unit: "",
            en: String::new(),
            zh: String::new(),
        }];
        let mut buf = Vec::new();
        assert!(write_csv(&mut buf, &cols, vec![vec![f64::NAN]]).is_err());
    }

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_are_quoted() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"] {
            assert_eq!(text_cell(bad), format!("'{bad}"));
        }
        assert_eq!(text_cell("lists only"), "lists only");
    }

    #[test]
    fn run_dirs_are_named_by_utc_time() {
        let d = default_run_dir(Path::new("/nonexistent-base"), "my run", 1_795_000_000);
        assert_eq!(d, Path::new("/nonexistent-base/my_run-20261118-110640"));
    }

    #[test]
    fn uncommitted_dirs_leave_nothing_and_existing_dirs_need_force() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        {
            let d = AtomicDir::create(&target, false).unwrap();
            d.write_file("a.txt", |w| w.write_all(b"x")).unwrap();
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
        let d = AtomicDir::create(&target, false).unwrap();
        d.write_file("manifest.json", |w| {
            w.write_all(br#"{"cogov_version": "0.1.0", "kind": "run"}"#)
        })
        .unwrap();
        d.commit().unwrap();
        assert!(matches!(
            AtomicDir::create(&target, false),
            Err(OutputError::Exists(_))
        ));
        assert!(AtomicDir::create(&target, true).is_ok());
    }

    #[test]
    fn unusable_targets_are_refused_before_any_work() {
        let tmp = tempfile::tempdir().unwrap();
        for bad in [Path::new("."), Path::new(".."), Path::new("/")] {
            assert!(
                matches!(
                    AtomicDir::create(bad, true),
                    Err(OutputError::Unusable { .. })
                ),
                "{bad:?}"
            );
        }
        let file = tmp.path().join("afile");
        fs::write(&file, b"x").unwrap();
        assert!(matches!(
            AtomicDir::create(&file, true),
            Err(OutputError::Unusable { .. })
        ));
        assert!(matches!(
            AtomicDir::create(&file.join("run"), true),
            Err(OutputError::Unusable { .. })
        ));
        let precious = tmp.path().join("precious");
        fs::create_dir(&precious).unwrap();
        fs::write(precious.join("thesis.tex"), b"x").unwrap();
        assert!(matches!(
            AtomicDir::create(&precious, true),
            Err(OutputError::Unusable { .. })
        ));
        assert!(precious.join("thesis.tex").exists());
    }
}
