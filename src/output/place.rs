//! Where outputs go: telling a cogov output from anything else, and replacing one without a
//! moment at which a half-deleted output looks complete.
//!
//! `--force` may only ever delete what cogov itself wrote. A directory is a cogov output when
//! its `manifest.json` says so (a `kind` cogov writes and a `cogov_version`) *and* it holds
//! nothing but the files cogov writes for that kind; a file called `manifest.json` alone proves
//! nothing (web apps have one). Everything that decides this is here (`recognise`, and
//! `is_data_path` for single files), so `run`, `sweep`, `merge`, `validate`, `report` and
//! `compare` all answer the same way.
//!
//! Replacing is rename-based: the new output (built under a hidden name) and the old one are
//! swapped in one step where Linux allows it, else the old one is renamed aside to a hidden
//! name and the new one renamed in; only then is the old one removed, manifest first. So a
//! `kill -9` at any moment leaves the complete old output or the complete new one under the
//! target's name, and whatever is half-deleted is hidden and has no manifest. The target is
//! checked again at that moment, so files a user put there while cogov worked are never
//! deleted.
//!
//! Left out on purpose: cleaning up hidden leftovers of killed processes (they are never
//! mistaken for outputs), and systems other than Unix (no directory lock there; no one-step
//! swap outside Linux).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::OutputError;

/// What `manifest.json` says an output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `cogov run` of a city scenario.
    Run,
    /// `cogov run` of a canonical-game scenario.
    Game,
    /// `cogov sweep` or `cogov merge`.
    Sweep,
    /// `cogov validate --out`.
    Validation,
    /// `cogov calibrate`: its tables, and one sweep directory per batch under `batches/`.
    Calibration,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Run,
        Kind::Game,
        Kind::Sweep,
        Kind::Validation,
        Kind::Calibration,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Game => "game",
            Kind::Sweep => "sweep",
            Kind::Validation => "validation",
            Kind::Calibration => "calibration",
        }
    }

    /// The data files of this kind at the top of its directory, besides `manifest.json`.
    fn data_files(self) -> &'static [&'static str] {
        match self {
            Kind::Run => &["timeseries.csv", "summary.csv"],
            Kind::Game => &[
                "timeseries.csv",
                "summary.csv",
                "initial_lattice.txt",
                "final_lattice.txt",
            ],
            Kind::Sweep => &["runs.csv", "points.csv", "morris.csv"],
            Kind::Validation => &["validation.csv"],
            Kind::Calibration => &[
                "waves.csv",
                "wave_points.csv",
                "generations.csv",
                "posterior.csv",
                "estimates.csv",
                "predictive.csv",
                "next_batch.toml",
                "base.toml",
            ],
        }
    }
}

/// True if `name` is a temporary name cogov gives `file` while writing it: `F.tmp`, `.F.tmp`
/// or `.F.partial-PID` (and `F.partial-PID` for charts, whose temporary keeps the extension).
fn is_temporary_of(name: &str, file: &str) -> bool {
    let pid = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
    name.strip_suffix(".tmp")
        .is_some_and(|f| f == file || f.strip_prefix('.') == Some(file))
        || name
            .strip_prefix(&format!(".{file}.partial-"))
            .is_some_and(pid)
        || name
            .strip_prefix(&format!("{file}.partial-"))
            .is_some_and(pid)
}

/// A report `cogov report` writes into the directory by default.
fn is_report(name: &str) -> bool {
    ["report_en.html", "report_zh.html"]
        .iter()
        .any(|r| name == *r || is_temporary_of(name, r))
}

/// A chart file name inside `charts/<lang>/` (or its temporary while being written).
fn is_chart(name: &str) -> bool {
    let stem = name.split(".partial-").next().unwrap_or(name);
    (stem.ends_with(".png") || stem.ends_with(".svg"))
        && !stem.starts_with('.')
        && (stem == name || is_temporary_of(name, stem))
}

/// A per-run series file of a sweep, `timeseries/run-NNNNNN.csv` (or its temporary).
fn is_run_series(name: &str) -> bool {
    let run = |n: &str| {
        n.strip_prefix("run-")
            .and_then(|r| r.strip_suffix(".csv"))
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    run(name)
        || name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .is_some_and(run)
}

/// True if cogov writes `rel` (a path relative to an output directory of `kind`, with `/`
/// between its parts). Reports are not counted: they are the user's to replace.
pub fn is_data_path(kind: Kind, rel: &[&str]) -> bool {
    match rel {
        [f] => *f == "manifest.json" || kind.data_files().contains(f),
        // `charts/<lang>/`, one folder per language of `charts/labels.rs`.
        ["charts", "en" | "zh", f] => is_chart(f),
        ["timeseries", f] => kind == Kind::Sweep && is_run_series(f),
        _ => false,
    }
}

/// Checks that every entry of `dir` (one of the output's own directories, at `rel`) is
/// something cogov writes there; returns the first that is not, as a path the user can find.
fn stranger_in(dir: &Path, kind: Kind, rel: &[&str]) -> io::Result<Option<PathBuf>> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Ok(Some(entry.path()));
        };
        let file_type = entry.file_type()?;
        let mut here: Vec<&str> = rel.to_vec();
        here.push(name);
        let owned = if file_type.is_dir() {
            match here.as_slice() {
                ["charts"] | ["charts", "en" | "zh"] => true,
                ["timeseries"] => kind == Kind::Sweep,
                ["batches"] | ["batches", _] => kind == Kind::Calibration,
                _ => false,
            }
        } else if file_type.is_file() {
            is_data_path(kind, &here)
                || (here.len() == 1
                    && (is_report(name)
                        || is_temporary_of(name, "manifest.json")
                        || kind.data_files().iter().any(|f| is_temporary_of(name, f))))
        } else {
            false // symbolic links, devices, sockets: never cogov's
        };
        if !owned {
            return Ok(Some(entry.path()));
        }
        if file_type.is_dir() {
            // A calibration's batch is a sweep directory of its own.
            let found = match here.as_slice() {
                ["batches", _] => stranger_in(&entry.path(), Kind::Sweep, &[])?,
                _ => stranger_in(&entry.path(), kind, &here)?,
            };
            if let Some(s) = found {
                return Ok(Some(s));
            }
        }
    }
    Ok(None)
}

/// The `kind` a `manifest.json` claims, or why it is not a cogov manifest (naming what it
/// holds instead).
pub fn manifest_kind(path: &Path) -> Result<Kind, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let json: serde_json::Value = serde_json::from_reader(io::BufReader::new(file))
        .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let Some(obj) = json.as_object() else {
        return Err(format!("{} is not a JSON object", path.display()));
    };
    let found = || {
        let keys: Vec<&str> = obj.keys().map(String::as_str).take(6).collect();
        if keys.is_empty() {
            "an empty object".to_string()
        } else {
            format!("keys {}", keys.join(", "))
        }
    };
    let kind = match obj.get("kind") {
        Some(serde_json::Value::String(k)) => k.as_str(),
        Some(other) => {
            return Err(format!(
                "{} has kind {other}, not one cogov writes",
                path.display()
            ))
        }
        None => {
            return Err(format!(
                "{} has no \"kind\"; found {}",
                path.display(),
                found()
            ))
        }
    };
    let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == kind) else {
        return Err(format!(
            "{} has kind {kind:?}; cogov writes run, game, sweep, validation or calibration",
            path.display()
        ));
    };
    if !obj.get("cogov_version").is_some_and(|v| v.is_string()) {
        return Err(format!(
            "{} has no \"cogov_version\"; found {}",
            path.display(),
            found()
        ));
    }
    Ok(kind)
}

/// What kind of cogov output `dir` is, or why it is not one: its manifest must say so and it
/// must hold nothing else. A directory holding only `validation.csv` is the output of a
/// `cogov validate` from before validation outputs had a manifest.
pub fn recognise(dir: &Path) -> Result<Kind, String> {
    let manifest = dir.join("manifest.json");
    let kind = if fs::symlink_metadata(&manifest).is_ok_and(|m| m.is_file()) {
        manifest_kind(&manifest)?
    } else if fs::symlink_metadata(dir.join("validation.csv")).is_ok_and(|m| m.is_file()) {
        Kind::Validation
    } else {
        return Err("it holds no manifest.json".into());
    };
    match stranger_in(dir, kind, &[]) {
        Ok(None) => Ok(kind),
        Ok(Some(p)) => Err(format!(
            "it holds {}, which cogov does not write into a {} output",
            p.display(),
            kind.name()
        )),
        Err(e) => Err(format!("it cannot be listed: {e}")),
    }
}

/// Checks that the existing `target` may be deleted by `--force`: an empty directory or a
/// cogov output holding nothing else.
pub fn check_replaceable(target: &Path) -> Result<(), OutputError> {
    let meta = fs::symlink_metadata(target).map_err(|source| OutputError::Io {
        path: target.to_path_buf(),
        source,
    })?;
    let refuse = |reason: String| OutputError::Unusable {
        path: target.to_path_buf(),
        reason: format!("{reason}; refusing to replace it even with --force"),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "is a symbolic link, not a cogov output directory (give the directory it points to)"
                .into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse("exists and is not a directory".into()));
    }
    let empty = fs::read_dir(target)
        .map_err(|source| OutputError::Io {
            path: target.to_path_buf(),
            source,
        })?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    recognise(target)
        .map(|_| ())
        .map_err(|why| refuse(format!("is not a cogov output directory ({why})")))
}

/// `.NAME.TAG-PID` beside `target`: hidden, and named for what it is.
fn hidden_beside(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// The staging directory name of `target` (`.NAME.partial-PID`).
pub fn staging_beside(target: &Path) -> PathBuf {
    hidden_beside(target, "partial")
}

/// Removes the staging directories of `target` (`.NAME.partial-PID`) that runs killed before
/// their commit left behind: those whose process is gone from this machine and whose lock
/// (`AtomicDir` holds one on its staging) nobody holds, so a run on another machine sharing
/// the file system is left alone. Failures are ignored: the new run does not need them gone.
pub fn remove_stale_staging(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.partial-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if pid != std::process::id() && is_dir && !process_alive(pid) {
            if let Ok(_lock) = lock_dir(&path, true) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

/// Whether process `pid` exists on this machine (`kill(pid, 0)`: no such process is ESRCH).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let signalled = unsafe { libc::kill(pid, 0) } == 0;
    signalled || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Elsewhere every process might be alive: nothing is removed.
#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// Removes an output renamed aside: its manifest first, so that if this is killed half-way
/// what is left does not look like an output to `plot`, `report` or `merge`. A failure
/// leaves a hidden directory behind and is not reported: the new output is already in place.
fn discard(aside: &Path) {
    let _ = fs::remove_file(aside.join("manifest.json"));
    let _ = fs::remove_dir_all(aside);
}

/// Checks, now, that `--force` may replace the existing `target`, and takes its lock (held
/// while the returned file lives), so an output another cogov process is still writing (a
/// sweep) is never replaced under it.
fn claim(target: &Path) -> Result<fs::File, OutputError> {
    check_replaceable(target)?;
    lock_dir(target, true)
}

/// Renames the existing `target` aside to a hidden name and returns that name.
fn move_aside(target: &Path) -> Result<PathBuf, OutputError> {
    let aside = hidden_beside(target, "replaced");
    if fs::symlink_metadata(&aside).is_ok() {
        discard(&aside);
    }
    fs::rename(target, &aside).map_err(|source| OutputError::Io {
        path: target.to_path_buf(),
        source,
    })?;
    Ok(aside)
}

/// Swaps two directory entries in one step (Linux `renameat2` with `RENAME_EXCHANGE`), so
/// there is no moment at which `b` is missing. `Ok(false)` where the kernel or the file
/// system cannot; the caller then renames in two steps.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are NUL-terminated strings that outlive the call, which only
    // reads them; the raw syscall avoids needing a glibc new enough to wrap it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Moves the finished directory `staging` to `target`. An existing target is replaced only
/// with `force`, only if it is (still, now) a cogov output or empty, and only if no other cogov
/// process holds it; the two are swapped in
/// one step where the system can, else the old one is renamed aside first, and only then is
/// the old output removed.
pub fn commit_dir(staging: &Path, target: &Path, force: bool) -> Result<(), OutputError> {
    let exists = fs::symlink_metadata(target).is_ok();
    if exists && !force {
        return Err(OutputError::Exists(target.to_path_buf()));
    }
    let aside = if exists {
        let _claimed = claim(target)?;
        let swapped = exchange(staging, target).map_err(|source| OutputError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        if swapped {
            // `staging` now holds the old output.
            discard(staging);
            return Ok(());
        }
        Some(move_aside(target)?)
    } else {
        None
    };
    if let Err(source) = fs::rename(staging, target) {
        if let Some(aside) = &aside {
            // Put the old output back: the failed replacement must not lose it.
            let _ = fs::rename(aside, target);
        }
        return Err(OutputError::Io {
            path: target.to_path_buf(),
            source,
        });
    }
    if let Some(aside) = aside {
        discard(&aside);
    }
    Ok(())
}

/// Removes the existing output `target` for `--force` of a directory that is then written in
/// place (a sweep, which journals as it goes): checked as `commit_dir` checks it, renamed aside,
/// then deleted, so a kill leaves no half-deleted output under the target's name.
pub fn clear_dir(target: &Path) -> Result<(), OutputError> {
    let claimed = claim(target)?;
    let aside = move_aside(target)?;
    drop(claimed);
    discard(&aside);
    Ok(())
}

/// Checks a file target that cogov is about to write (`report -o`, `compare --out`) before any
/// work: it may not be a directory, a device, a symbolic link, or one of the data files of a
/// cogov output; an existing regular file is replaced only with `force` (or when `own` says
/// cogov made it, as the default report path of a directory is).
pub fn check_file_target(target: &Path, force: bool, own: bool) -> Result<(), OutputError> {
    let refuse = |reason: &str| OutputError::Unusable {
        path: target.to_path_buf(),
        reason: reason.to_string(),
    };
    if let Some((dir, kind, rel)) = owning_output(target) {
        return Err(OutputError::Unusable {
            path: target.to_path_buf(),
            reason: format!(
                "is {} of the cogov {} output {}; refusing to overwrite it (write the file elsewhere)",
                rel.join("/"),
                kind.name(),
                dir.display()
            ),
        });
    }
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(OutputError::Io {
            path: target.to_path_buf(),
            source,
        }),
        Ok(m) if m.file_type().is_symlink() => Err(refuse(
            "is a symbolic link; give the file it points to, or another name",
        )),
        Ok(m) if m.is_dir() => Err(refuse("is a directory; give the name of a file to write")),
        Ok(m) if !m.is_file() => Err(refuse(
            "is not a regular file (a device, pipe or socket); refusing to replace it",
        )),
        Ok(_) if !force && !own => Err(OutputError::FileExists(target.to_path_buf())),
        Ok(_) => Ok(()),
    }
}

/// The cogov output (directory, kind, and the path inside it) of which `target` would be a
/// data file, looking up to three levels up (`charts/<lang>/<file>` is the deepest).
fn owning_output(target: &Path) -> Option<(PathBuf, Kind, Vec<String>)> {
    let absolute = if target.is_absolute() {
        target.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(target)
    };
    let mut rel: Vec<String> = Vec::new();
    let mut at = absolute.as_path();
    for _ in 0..3 {
        match at.components().next_back() {
            Some(Component::Normal(n)) => rel.insert(0, n.to_string_lossy().into_owned()),
            _ => return None,
        }
        at = at.parent()?;
        let manifest = at.join("manifest.json");
        if manifest.is_file() {
            if let Ok(kind) = manifest_kind(&manifest) {
                let parts: Vec<&str> = rel.iter().map(String::as_str).collect();
                if is_data_path(kind, &parts) {
                    return Some((at.to_path_buf(), kind, rel));
                }
            }
        }
    }
    None
}

/// Writes `bytes` to `target` through a temporary file beside it and a rename, so the file is
/// never half-written; `check_file_target` is applied again just before the rename.
pub fn write_file_atomically(
    target: &Path,
    bytes: &[u8],
    force: bool,
    own: bool,
) -> Result<(), OutputError> {
    use std::io::Write;
    check_file_target(target, force, own)?;
    let tmp = staging_beside(target);
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|source| OutputError::Io {
            path: target.to_path_buf(),
            source,
        })
        .and_then(|()| check_file_target(target, force, own))
        .and_then(|()| {
            fs::rename(&tmp, target).map_err(|source| OutputError::Io {
                path: target.to_path_buf(),
                source,
            })
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Takes an OS lock on the directory `dir` (held until the returned file is dropped, or the
/// process dies), exclusive for a process that writes it, shared for one that only reads it.
/// Refused at once, not waited for, when another process holds a conflicting lock: two
/// `cogov sweep --resume` on one directory would otherwise both append every run to one
/// journal. The lock is on the directory itself, so no lock file is ever left in an output.
pub fn lock_dir(dir: &Path, exclusive: bool) -> Result<fs::File, OutputError> {
    let file = fs::File::open(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    match try_lock(&file, exclusive) {
        Ok(true) => Ok(file),
        Ok(false) => Err(OutputError::Unusable {
            path: dir.to_path_buf(),
            reason: "another cogov process is working on this directory (it holds its lock); wait for it to finish".into(),
        }),
        Err(source) => Err(OutputError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// `flock` without waiting: `Ok(false)` if another process holds a conflicting lock. (std's
/// `File::try_lock` does the same from Rust 1.89, above this crate's minimum version.)
#[cfg(unix)]
fn try_lock(file: &fs::File, exclusive: bool) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let mode = if exclusive {
        libc::LOCK_EX
    } else {
        libc::LOCK_SH
    };
    // SAFETY: `flock` on a descriptor this function borrows for the length of the call.
    if unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// No lock where there is no `flock`: two processes on one directory are not refused there.
#[cfg(not(unix))]
fn try_lock(_: &fs::File, _: bool) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_dir(at: &Path) {
        fs::create_dir_all(at.join("charts/en")).unwrap();
        fs::write(
            at.join("manifest.json"),
            r#"{"cogov_version": "0.1.0", "kind": "run"}"#,
        )
        .unwrap();
        fs::write(at.join("summary.csv"), "a\n1\n").unwrap();
        fs::write(at.join("timeseries.csv"), "a\n1\n").unwrap();
        fs::write(at.join("charts/en/issue_flow.png"), "png").unwrap();
    }

    #[test]
    fn a_cogov_output_is_recognised_by_its_manifest_and_its_contents() {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path().join("run");
        run_dir(&run);
        assert_eq!(recognise(&run), Ok(Kind::Run));
        fs::write(run.join("report_en.html"), "<html>").unwrap();
        assert_eq!(recognise(&run), Ok(Kind::Run));
        fs::write(run.join("notes.txt"), "mine").unwrap();
        let why = recognise(&run).unwrap_err();
        assert!(why.contains("notes.txt"), "{why}");
        fs::remove_file(run.join("notes.txt")).unwrap();
        fs::write(run.join("charts/en/x.pdf"), "mine").unwrap();
        assert!(recognise(&run).unwrap_err().contains("x.pdf"));
        fs::remove_file(run.join("charts/en/x.pdf")).unwrap();
        // A sweep's per-run series are not a run's.
        fs::create_dir(run.join("timeseries")).unwrap();
        assert!(recognise(&run).is_err());
    }

    #[test]
    fn validation_outputs_old_and_new_are_recognised() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join("v");
        fs::create_dir(&v).unwrap();
        fs::write(v.join("validation.csv"), "check\n").unwrap();
        assert_eq!(recognise(&v), Ok(Kind::Validation));
        fs::write(
            v.join("manifest.json"),
            crate::output::validation::validation_manifest(true)
                .to_value()
                .to_string(),
        )
        .unwrap();
        assert_eq!(recognise(&v), Ok(Kind::Validation));
        assert!(check_replaceable(&v).is_ok());
    }

    #[test]
    fn a_manifest_that_is_not_cogovs_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let app = tmp.path().join("app");
        fs::create_dir(&app).unwrap();
        fs::write(app.join("manifest.json"), r#"{"name": "pwa"}"#).unwrap();
        let why = recognise(&app).unwrap_err();
        assert!(why.contains("no \"kind\"") && why.contains("name"), "{why}");
        fs::write(
            app.join("manifest.json"),
            r#"{"kind": "webapp", "cogov_version": "1"}"#,
        )
        .unwrap();
        assert!(recognise(&app).unwrap_err().contains("webapp"));
        fs::write(app.join("manifest.json"), r#"{"kind": "run"}"#).unwrap();
        assert!(recognise(&app).unwrap_err().contains("cogov_version"));
    }

    #[test]
    fn temporary_names_are_only_those_cogov_uses() {
        assert!(is_temporary_of(".points.csv.tmp", "points.csv"));
        assert!(is_temporary_of("manifest.json.tmp", "manifest.json"));
        assert!(is_temporary_of(
            ".report_en.html.partial-12",
            "report_en.html"
        ));
        assert!(!is_temporary_of(
            ".report_en.html.partial-",
            "report_en.html"
        ));
        assert!(!is_temporary_of("points.csv.bak", "points.csv"));
        assert!(is_chart("a.svg.partial-7") && is_chart("a.png") && !is_chart("a.pdf"));
        assert!(is_run_series("run-000001.csv") && is_run_series(".run-000001.csv.tmp"));
        assert!(!is_run_series("run-.csv"));
    }

    #[test]
    fn a_replacement_renames_and_keeps_files_added_meanwhile() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        run_dir(&target);
        let staging = tmp.path().join(".new");
        run_dir(&staging);
        fs::write(staging.join("summary.csv"), "new\n").unwrap();
        // A user adds a file to the old output while the new one is being made.
        fs::write(target.join("thesis.tex"), "mine").unwrap();
        let e = commit_dir(&staging, &target, true).unwrap_err();
        assert!(e.to_string().contains("thesis.tex"), "{e}");
        assert_eq!(
            fs::read_to_string(target.join("thesis.tex")).unwrap(),
            "mine"
        );
        assert!(staging.exists());
        fs::remove_file(target.join("thesis.tex")).unwrap();
        commit_dir(&staging, &target, true).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new\n"
        );
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "the old output is removed: {left:?}");
    }

    #[test]
    fn file_targets_refuse_devices_directories_links_and_cogovs_files() {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path().join("run");
        run_dir(&run);
        let is_unusable = |p: &Path| {
            matches!(
                check_file_target(p, true, false),
                Err(OutputError::Unusable { .. })
            )
        };
        assert!(is_unusable(Path::new("/dev/null")));
        assert!(is_unusable(&run));
        assert!(is_unusable(&run.join("manifest.json")));
        assert!(is_unusable(&run.join("charts/en/issue_flow.png")));
        assert!(check_file_target(&run.join("report_en.html"), false, true).is_ok());
        #[cfg(unix)]
        {
            let link = tmp.path().join("link.csv");
            std::os::unix::fs::symlink(tmp.path().join("x.csv"), &link).unwrap();
            assert!(is_unusable(&link));
        }
        let plain = tmp.path().join("plain.csv");
        fs::write(&plain, "x").unwrap();
        assert!(matches!(
            check_file_target(&plain, false, false),
            Err(OutputError::FileExists(_))
        ));
        assert!(check_file_target(&plain, true, false).is_ok());
    }
}
