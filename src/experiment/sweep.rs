//! Running an experiment: blocks of runs in parallel, each block journaled durably in run
//! order, so memory stays bounded, a kill at any moment loses at most the block in flight, and
//! `--resume` continues to exactly the bytes an uninterrupted sweep writes.
//!
//! Files of a sweep directory:
//! - `runs.csv` — one row per finished run, in run order (the journal itself);
//! - `points.csv` — per design point: mean, sd and 95% CI of every metric (written at the end);
//! - `morris.csv` — μ*, μ, σ per lever and metric (Morris designs only);
//! - `sobol.csv` — S1 and ST with bootstrap 95% intervals and the seed-noise share per
//!   parameter and metric (Sobol designs only);
//! - `timeseries/run-NNNNNN.csv` — per-run series when the experiment asks for them;
//! - `manifest.json` — the experiment, its fingerprint, the shard, and `"complete"`;
//! - `charts/<lang>/` — charts, drawn by the CLI through the `finish` step of `sweep_with` and
//!   `merge_with` (`cogov plot` redraws them).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;

use super::design::{morris_effects, Design};
use super::stats::Moments;
use super::Experiment;
use crate::model::params::ParamValue;
use crate::output::manifest::{ExperimentRecord, Manifest, PointRecord, ShardRecord};
use crate::output::records::{
    hotline_weekly, hotline_weekly_column, summary_columns, summary_row, timeseries_columns,
    timeseries_row,
};
use crate::output::{format_value, place, text_cell, write_csv_gaps, OutputError};
use crate::run::{check_summary, simulate_checked, NonFinite};

/// Which part of the runs this process does: runs whose index ≡ `index` (mod `count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The shard as its manifest records it.
    pub fn record(self) -> ShardRecord {
        ShardRecord {
            count: self.count,
            index: self.index,
        }
    }

    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard: expected I/N, got `{text}`"))?;
        let (index, count): (u32, u32) = (
            i.trim()
                .parse()
                .map_err(|_| format!("--shard: `{i}` is not a shard number"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("--shard: `{n}` is not a shard count"))?,
        );
        if count == 0 || index >= count {
            return Err(format!("--shard: expected 0 <= I < N, got {index}/{count}"));
        }
        Ok(Shard { index, count })
    }

    fn runs(&self, total: u64) -> impl Iterator<Item = u64> + '_ {
        (self.index as u64..total).step_by(self.count as usize)
    }
}

/// Errors of a sweep or merge.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The user asked for something inconsistent (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The machine failed (exit 1).
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    /// The step run before a sweep is marked complete (drawing its charts) failed; every run
    /// is journaled, so `--resume` finishes the sweep (exit 1).
    #[error("{0}")]
    Finish(String),
    /// A calibration asked to leave its next batch to another runner (`cogov calibrate
    /// --next-batch`) stopped before it, with the batch's experiment file written.
    #[error("batch {batch} is left to run from {}", file.display())]
    Pending { batch: String, file: PathBuf },
}

/// Work done on a sweep directory after its statistics are written and before its manifest
/// says complete (the CLI draws the charts here), so that a failure leaves a sweep that
/// `--resume` finishes rather than a complete one without its charts.
pub type Finish<'a> = &'a (dyn Fn(&Path) -> Result<(), SweepError> + Sync);

pub(crate) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Output-layer refusals (`--force` on something that is not a cogov output, a directory
/// another process holds) are the user's to fix; failures of the machine are not.
pub(crate) fn output_error(e: OutputError) -> SweepError {
    match e {
        OutputError::Io { path, source } => SweepError::Io { path, source },
        other => SweepError::Usage(other.to_string()),
    }
}

/// How a sweep went.
#[derive(Clone, Debug, Default)]
pub struct SweepReport {
    pub runs_total: u64,
    pub runs_done_before: u64,
    pub runs_done_now: u64,
    pub failures: u64,
    pub complete: bool,
}

fn value_text(v: ParamValue) -> String {
    match v {
        ParamValue::Float(x) => format_value(x),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Bool(b) => b.to_string(),
    }
}

/// Header of `runs.csv`.
pub fn runs_header(exp: &Experiment) -> Vec<String> {
    let mut h: Vec<String> = ["run", "point", "replication", "seed", "status", "error"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.extend(exp.design.keys());
    h.extend(summary_columns().into_iter().map(|c| c.name));
    h
}

fn csv_line(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("utf-8 fields")
}

/// Runs one run and returns its `runs.csv` line (and writes its series if asked).
fn run_line(
    exp: &Experiment,
    run: u64,
    series_dir: Option<&Path>,
) -> Result<(String, bool), SweepError> {
    let reps = exp.replications as u64;
    let point = &exp.points[(run / reps) as usize];
    let rep = (run % reps) as u32;
    let sc = exp.scenario_for(point, rep);
    let mut fields = vec![
        run.to_string(),
        point.id.to_string(),
        rep.to_string(),
        sc.seed.to_string(),
    ];
    let keys = exp.design.keys();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let result = simulate_checked(&sc, |_, _| {})?;
        let summary = summary_row(&result.series, &result.facts);
        check_summary(&sc, &summary)?;
        Ok::<_, NonFinite>((result, summary))
    }));
    let n_metrics = summary_columns().len();
    let ok = match outcome {
        Ok(checked) => match checked {
            Err(e) => {
                fields.push("error".into());
                fields.push(e.short());
                fields.extend(
                    keys.iter()
                        .map(|k| exp.setting(point, k).map(value_text).unwrap_or_default()),
                );
                fields.extend(std::iter::repeat(String::new()).take(n_metrics));
                false
            }
            Ok((result, summary)) => {
                if let Some(dir) = series_dir {
                    let path = dir.join(format!("run-{run:06}.csv"));
                    let tmp = dir.join(format!(".run-{run:06}.csv.tmp"));
                    let file = File::create(&tmp).map_err(io_at(&tmp))?;
                    // The time series, then the hotline rate by week of report (a
                    // calibration's predictive band of the hotline trajectory reads it).
                    let mut columns = timeseries_columns();
                    let gaps_from = columns.len();
                    columns.push(hotline_weekly_column());
                    let hotline = hotline_weekly(&result.series, &result.facts);
                    write_csv_gaps(
                        io::BufWriter::new(file),
                        &columns,
                        result.series.iter().zip(hotline).map(|(s, h)| {
                            let mut row = timeseries_row(s);
                            row.push(h);
                            row
                        }),
                        gaps_from,
                    )
                    .map_err(io_at(&tmp))?;
                    fs::rename(&tmp, &path).map_err(io_at(&path))?;
                }
                fields.push("ok".into());
                fields.push(String::new());
                fields.extend(
                    keys.iter()
                        .map(|k| exp.setting(point, k).map(value_text).unwrap_or_default()),
                );
                fields.extend(summary.iter().map(|x| format_value(*x)));
                true
            }
        },
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the run panicked".into());
            fields.push("error".into());
            fields.push(msg);
            fields.extend(
                keys.iter()
                    .map(|k| exp.setting(point, k).map(value_text).unwrap_or_default()),
            );
            fields.extend(summary_columns().iter().map(|_| String::new()));
            false
        }
    };
    Ok((csv_line(&fields), ok))
}

fn sweep_manifest(exp: &Experiment, shard: Shard, complete: bool) -> Manifest {
    let points = exp
        .points
        .iter()
        .map(|p| PointRecord {
            id: p.id,
            label: p.label.clone(),
            set: p
                .set
                .iter()
                .map(|(k, v)| (k.clone(), json!(value_text(*v))))
                .collect(),
        })
        .collect();
    Manifest {
        base: Some(Box::new(exp.base.manifest("base"))),
        complete: Some(complete),
        experiment: Some(ExperimentRecord {
            base_seed: exp.base_seed,
            common_random_numbers: exp.common_random_numbers,
            description_en: exp.description_en.clone(),
            description_zh: exp.description_zh.clone(),
            design: exp.design.kind().to_string(),
            name: exp.name.clone(),
            replications: exp.replications,
            runs: exp.total_runs(),
            timeseries: exp.timeseries,
            title_en: exp.title_en.clone(),
            title_zh: exp.title_zh.clone(),
        }),
        experiment_source: Some(exp.source.clone()),
        fingerprint: Some(exp.fingerprint()),
        points: Some(points),
        shard: Some(shard.record()),
        ..Manifest::new("sweep")
    }
}

/// Whether a directory holds nothing a started sweep writes: no entries but the temporary file
/// of a manifest being written (`manifest.json.tmp`, see `write_json_atomic`) and an empty
/// `timeseries` directory.
fn holds_no_sweep(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.into_iter().all(|e| {
        let Ok(e) = e else { return false };
        let name = e.file_name();
        name == "manifest.json.tmp"
            || (name == "timeseries"
                && fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_none()))
    })
}

/// Writes JSON atomically (temporary file, fsync, rename).
pub(crate) fn write_json_atomic(path: &Path, m: &Manifest) -> Result<(), SweepError> {
    let tmp = path.with_extension("json.tmp");
    let written = (|| {
        let file = File::create(&tmp).map_err(io_at(&tmp))?;
        let mut w = io::BufWriter::new(file);
        m.write(&mut w).map_err(io_at(&tmp))?;
        w.get_ref().sync_all().map_err(io_at(&tmp))?;
        drop(w);
        fs::rename(&tmp, path).map_err(io_at(path))
    })();
    if written.is_err() {
        // A full disk leaves no half-written temporary file behind.
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Reads the complete lines of an existing journal without changing it: the number of
/// finished runs it holds and the length of those lines (a partly written last line is left
/// out, to be cut by `truncate_journal` once the resume is known to go ahead).
fn scan_journal(path: &Path, header: &str, expected: &[u64]) -> Result<(u64, u64), SweepError> {
    let file = File::open(path).map_err(io_at(path))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut good_len: u64 = 0;
    let mut done = 0u64;
    let mut first = true;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io_at(path))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        if first {
            if text != header {
                return Err(SweepError::Usage(format!(
                    "{}: its header does not match this experiment; start a new sweep with --force",
                    path.display()
                )));
            }
            first = false;
        } else {
            let run: u64 = text
                .split(',')
                .next()
                .and_then(|f| f.parse().ok())
                .ok_or_else(|| {
                    SweepError::Usage(format!(
                        "{}: line {} is not a run record; start a new sweep with --force",
                        path.display(),
                        done + 2
                    ))
                })?;
            if expected.get(done as usize) != Some(&run) {
                return Err(SweepError::Usage(format!(
                    "{}: line {}: run {run} is out of order or given twice; start a new sweep with --force",
                    path.display(),
                    done + 2
                )));
            }
            done += 1;
        }
        good_len += n as u64;
    }
    if first {
        // Not even a header survived: start the file again.
        good_len = 0;
    }
    Ok((done, good_len))
}

/// Cuts the journal to the complete lines `scan_journal` found.
fn truncate_journal(path: &Path, good_len: u64) -> Result<(), SweepError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_at(path))?;
    file.set_len(good_len).map_err(io_at(path))
}

/// Creates the output directory `out` when `create` says so, and takes its exclusive lock (one
/// process at a time works on an output written in place: a sweep, a calibration); a
/// directory this call made is removed again if the lock cannot be had.
pub(crate) fn create_and_lock(out: &Path, create: bool) -> Result<File, SweepError> {
    if create {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(io_at(parent))?;
        }
        // `create_dir`, not `create_dir_all`: a directory another process made meanwhile is
        // theirs, not ours.
        fs::create_dir(out).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                SweepError::Usage(format!(
                    "{}: already exists (another process created it just now); pass --resume to continue it",
                    out.display()
                ))
            } else {
                SweepError::Io {
                    path: out.to_path_buf(),
                    source: e,
                }
            }
        })?;
    }
    place::lock_dir(out, true).map_err(|e| {
        if create {
            let _ = fs::remove_dir(out);
        }
        output_error(e)
    })
}

/// Options of a sweep.
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    pub shard: Shard,
    pub resume: bool,
    pub force: bool,
    /// Runs per journaled block (bounded memory); 0 picks a size from the thread count.
    pub block: usize,
}

/// Runs (this shard of) an experiment into `out`.
pub fn sweep(
    exp: &Experiment,
    out: &Path,
    opts: SweepOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SweepReport, SweepError> {
    sweep_with(exp, out, opts, progress, &|_| Ok(()))
}

/// `sweep`, with `finish` run on `out` once the statistics are written.
pub fn sweep_with(
    exp: &Experiment,
    out: &Path,
    opts: SweepOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
    finish: Finish<'_>,
) -> Result<SweepReport, SweepError> {
    let manifest_path = out.join("manifest.json");
    let runs_path = out.join("runs.csv");
    let header = csv_line(&runs_header(exp));
    let mine: Vec<u64> = opts.shard.runs(exp.total_runs()).collect();

    let existed = fs::symlink_metadata(out).is_ok();
    if existed && !out.is_dir() {
        return Err(SweepError::Usage(format!(
            "{}: exists and is not a directory",
            out.display()
        )));
    }
    // A directory holding nothing a sweep writes before its manifest (a sweep killed while it
    // started, an empty directory made by hand) has nothing to resume or to protect: it is
    // started in, whatever the flags, so that it never blocks both a new sweep and --resume.
    let unstarted = existed && !opts.force && holds_no_sweep(out);
    if existed && !unstarted && !opts.resume && !opts.force {
        return Err(SweepError::Usage(format!(
            "{}: already exists; pass --resume to continue it or --force to start again",
            out.display()
        )));
    }
    if existed && opts.force {
        // Only a cogov output no other process is working on; renamed aside, then deleted.
        place::clear_dir(out).map_err(output_error)?;
    }
    // Built before the directory is made: for a design of a million points it is the largest
    // allocation of the start, and a failure here must leave nothing behind.
    let manifest = sweep_manifest(exp, opts.shard, false);
    let created = !existed || opts.force;
    // Held until this function returns: one process at a time works on a sweep directory.
    let _lock = create_and_lock(out, created)?;
    // Everything `--resume` could refuse is checked before the directory is touched.
    let mut journal_len = None;
    if !created && !unstarted {
        if !manifest_path.is_file() {
            return Err(SweepError::Usage(format!(
                "{}: nothing to resume (no manifest.json)",
                out.display()
            )));
        }
        let text = fs::read_to_string(&manifest_path).map_err(io_at(&manifest_path))?;
        let old = Manifest::parse(&text, &manifest_path.display().to_string())
            .map_err(|e| SweepError::Usage(e.to_string()))?;
        if old.fingerprint.as_deref() != Some(&exp.fingerprint()[..])
            || old.shard != Some(opts.shard.record())
        {
            return Err(SweepError::Usage(format!(
                "{}: holds a different experiment or shard; resume with the same file and --shard, or start again with --force",
                out.display()
            )));
        }
        if runs_path.is_file() {
            journal_len = Some(scan_journal(&runs_path, &header, &mine)?);
        }
    }
    let series_dir = out.join("timeseries");
    let started = (|| {
        if exp.timeseries {
            fs::create_dir_all(&series_dir).map_err(io_at(&series_dir))?;
        }
        write_json_atomic(&manifest_path, &manifest)
    })();
    drop(manifest);
    if let Err(e) = started {
        // Nothing was run yet: remove the directory this call made (a full disk must not leave
        // a directory that blocks both a new sweep and --resume).
        if created {
            let _ = fs::remove_dir_all(out);
        }
        return Err(e);
    }

    let done_before = match journal_len {
        Some((done, good_len)) => {
            truncate_journal(&runs_path, good_len)?;
            done
        }
        None => 0,
    };
    let mut journal = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&runs_path)
        .map_err(io_at(&runs_path))?;
    if journal.metadata().map_err(io_at(&runs_path))?.len() == 0 {
        journal
            .write_all(header.as_bytes())
            .map_err(io_at(&runs_path))?;
        journal.sync_data().map_err(io_at(&runs_path))?;
    }

    let block = if opts.block > 0 {
        opts.block
    } else {
        (rayon::current_num_threads() * 4).max(8)
    };
    let mut report = SweepReport {
        runs_total: mine.len() as u64,
        runs_done_before: done_before,
        ..SweepReport::default()
    };
    progress(done_before, mine.len() as u64);
    let series = exp.timeseries.then_some(series_dir.as_path());
    for chunk in mine[done_before as usize..].chunks(block) {
        let lines: Vec<Result<(String, bool), SweepError>> = chunk
            .par_iter()
            .map(|&run| run_line(exp, run, series))
            .collect();
        let mut text = String::new();
        for l in lines {
            let (line, ok) = l?;
            if !ok {
                report.failures += 1;
            }
            text.push_str(&line);
        }
        journal
            .write_all(text.as_bytes())
            .map_err(io_at(&runs_path))?;
        journal.sync_data().map_err(io_at(&runs_path))?;
        report.runs_done_now += chunk.len() as u64;
        progress(done_before + report.runs_done_now, mine.len() as u64);
    }
    drop(journal);

    summarise(exp, out, &runs_path)?;
    finish(out)?;
    write_json_atomic(&manifest_path, &sweep_manifest(exp, opts.shard, true))?;
    report.complete = true;
    Ok(report)
}

/// Writes a small table `name` into `out` atomically (temporary file, then rename).
pub(crate) fn write_table(
    out: &Path,
    name: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), SweepError> {
    let path = out.join(name);
    let tmp = out.join(format!(".{name}.tmp"));
    let err = |e: csv::Error| SweepError::Io {
        path: tmp.clone(),
        source: e.into(),
    };
    let mut w =
        csv::Writer::from_writer(io::BufWriter::new(File::create(&tmp).map_err(io_at(&tmp))?));
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    w.flush().map_err(io_at(&tmp))?;
    drop(w);
    fs::rename(&tmp, &path).map_err(io_at(&path))
}

/// Columns of `sobol.csv` (documented in the README, "Sobol' indices").
pub const SOBOL_COLUMNS: [&str; 11] = [
    "parameter",
    "metric",
    "n",
    "s1",
    "s1_lo",
    "s1_hi",
    "st",
    "st_lo",
    "st_hi",
    "noise_share",
    "replications_for_5pct_noise",
];

/// The rows of `sobol.csv`: every parameter on every metric. Each point's value is the mean of
/// its successful replications; a base row with a point without one is left out (`n` counts
/// the rows used). A metric that does not vary gets empty cells.
fn sobol_rows(
    exp: &Experiment,
    ranges: &[super::design::Range],
    metrics: &[String],
    moments: &[Vec<Moments>],
) -> Vec<Vec<String>> {
    let d = ranges.len();
    let per_metric: Vec<Vec<Vec<String>>> = (0..metrics.len())
        .into_par_iter()
        .map(|m| {
            let kept: Vec<&[Vec<Moments>]> = moments
                .chunks(d + 2)
                .filter(|row| row.iter().all(|p| p[m].n > 0))
                .collect();
            let y: Vec<f64> = kept
                .iter()
                .flat_map(|row| row.iter().map(|p| p[m].mean()))
                .collect();
            let found = super::sobol::indices(&y, d, super::sobol::RESAMPLES, exp.base_seed);
            let noise = found.as_ref().and_then(|_| {
                super::sobol::seed_noise(
                    super::sobol::output_variance(&y, d),
                    kept.iter()
                        .flat_map(|row| row.iter().map(|p| (p[m].sd().powi(2), p[m].n))),
                )
            });
            ranges
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut row = vec![r.key.clone(), metrics[m].clone(), kept.len().to_string()];
                    match &found {
                        Some(f) => {
                            for e in [f[i].s1, f[i].st] {
                                row.extend([e.value, e.lo, e.hi].map(format_value));
                            }
                        }
                        None => row.extend(std::iter::repeat(String::new()).take(6)),
                    }
                    row.push(noise.map_or(String::new(), |n| format_value(n.share)));
                    row.push(
                        noise
                            .and_then(|n| n.replications_for_5pct)
                            .map_or(String::new(), |r| r.to_string()),
                    );
                    row
                })
                .collect()
        })
        .collect();
    // Parameter-major, as morris.csv: every metric of the first parameter, then the next.
    (0..d)
        .flat_map(|i| per_metric.iter().map(move |rows| rows[i].clone()))
        .collect()
}

/// Walks a complete, ordered `runs.csv`, streaming it: `each(point, replication, metrics)`
/// for every run, `metrics` `None` for a failed run and NaN for a cell without a number.
pub(crate) fn walk_runs(
    exp: &Experiment,
    runs_path: &Path,
    mut each: impl FnMut(usize, usize, Option<&mut dyn Iterator<Item = f64>>),
) -> Result<(), SweepError> {
    let first_metric = 6 + exp.design.keys().len();
    let file = File::open(runs_path).map_err(io_at(runs_path))?;
    let mut reader = csv::Reader::from_reader(BufReader::new(file));
    let mut last_run: Option<u64> = None;
    for rec in reader.records() {
        let rec = rec.map_err(|e| SweepError::Usage(format!("{}: {e}", runs_path.display())))?;
        // A journal is in run order with each run once; anything else (two processes appending
        // to one journal) would count runs twice in every statistic.
        let run: Option<u64> = rec.get(0).and_then(|r| r.parse().ok());
        match run {
            Some(r) if last_run.map_or(true, |l| r > l) => last_run = Some(r),
            _ => {
                return Err(SweepError::Usage(format!(
                    "{}: line {}: run {} is out of order or given twice; sweep again with --force",
                    runs_path.display(),
                    rec.position().map_or(0, |p| p.line()),
                    rec.get(0).unwrap_or("")
                )))
            }
        }
        let point: usize = rec
            .get(1)
            .and_then(|p| p.parse().ok())
            .filter(|p| *p < exp.points.len())
            .ok_or_else(|| {
                SweepError::Usage(format!("{}: bad point column", runs_path.display()))
            })?;
        let replication: usize = rec
            .get(2)
            .and_then(|r| r.parse().ok())
            .filter(|r| *r < exp.replications as usize)
            .ok_or_else(|| {
                SweepError::Usage(format!("{}: bad replication column", runs_path.display()))
            })?;
        if rec.get(4) != Some("ok") {
            each(point, replication, None);
            continue;
        }
        let mut values = (first_metric..rec.len())
            .map(|c| rec.get(c).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN));
        each(point, replication, Some(&mut values));
    }
    Ok(())
}

/// Suffixes of the paired-difference columns of `points.csv`: a metric `m` has `m_diff_mean`,
/// `m_diff_ci95_lo` and `m_diff_ci95_hi`.
pub const DIFFERENCE_SUFFIXES: [&str; 3] = ["_diff_mean", "_diff_ci95_lo", "_diff_ci95_hi"];

/// Writes `points.csv` (and `morris.csv` or `sobol.csv`) from a complete, ordered `runs.csv`,
/// streaming it.
///
/// With a baseline (`Experiment::baseline_point`), every metric also gets the mean and 95%
/// interval of its paired difference from the baseline, replication by replication
/// (`<metric>_diff_mean`, `_diff_ci95_lo`, `_diff_ci95_hi`; empty on the baseline's own row
/// and where no replication has both runs). The baseline's values are read in a first pass,
/// one row per replication, and the differences in a second.
pub fn summarise(exp: &Experiment, out: &Path, runs_path: &Path) -> Result<(), SweepError> {
    let metrics: Vec<String> = summary_columns().into_iter().map(|c| c.name).collect();
    let keys = exp.design.keys();
    let mut moments: Vec<Vec<Moments>> =
        vec![vec![Moments::default(); metrics.len()]; exp.points.len()];
    let mut failures = vec![0u64; exp.points.len()];
    let baseline = exp.baseline_point();
    let mut base_rows: Vec<Option<Vec<f64>>> = Vec::new();
    if baseline.is_some() {
        base_rows.resize(exp.replications as usize, None);
    }
    walk_runs(exp, runs_path, |point, rep, values| {
        let Some(values) = values else {
            failures[point] += 1;
            return;
        };
        let values: Vec<f64> = values.take(metrics.len()).collect();
        for (mom, x) in moments[point].iter_mut().zip(&values) {
            if x.is_finite() {
                mom.push(*x);
            }
        }
        if Some(point) == baseline {
            base_rows[rep] = Some(values);
        }
    })?;
    let mut differences: Vec<Vec<Moments>> = Vec::new();
    if let Some(b) = baseline {
        differences = vec![vec![Moments::default(); metrics.len()]; exp.points.len()];
        walk_runs(exp, runs_path, |point, rep, values| {
            let (Some(values), Some(base)) = (values, &base_rows[rep]) else {
                return;
            };
            if point == b {
                return;
            }
            for ((mom, x), y) in differences[point].iter_mut().zip(values).zip(base) {
                if x.is_finite() && y.is_finite() {
                    mom.push(x - y);
                }
            }
        })?;
    }
    let mut header: Vec<String> = vec!["point".into(), "label".into()];
    header.extend(keys.iter().cloned());
    header.push("n".into());
    header.push("failed".into());
    for m in &metrics {
        for s in ["mean", "sd", "ci95_lo", "ci95_hi"] {
            header.push(format!("{m}_{s}"));
        }
    }
    if baseline.is_some() {
        for m in &metrics {
            for s in DIFFERENCE_SUFFIXES {
                header.push(format!("{m}{s}"));
            }
        }
    }
    let path = out.join("points.csv");
    let tmp = out.join(".points.csv.tmp");
    {
        let mut w =
            csv::Writer::from_writer(io::BufWriter::new(File::create(&tmp).map_err(io_at(&tmp))?));
        w.write_record(&header).map_err(|e| SweepError::Io {
            path: tmp.clone(),
            source: e.into(),
        })?;
        for (p, point) in exp.points.iter().enumerate() {
            let mut row = vec![point.id.to_string(), text_cell(&point.label).into_owned()];
            row.extend(
                keys.iter()
                    .map(|k| exp.setting(point, k).map(value_text).unwrap_or_default()),
            );
            row.push(moments[p].first().map_or(0, |m| m.n).to_string());
            row.push(failures[p].to_string());
            for m in &moments[p] {
                // No successful run, no statistic: empty cells, not a mean of 0 ± 0.
                if m.n == 0 {
                    row.extend(std::iter::repeat(String::new()).take(4));
                    continue;
                }
                let h = m.ci95_half_width();
                for x in [m.mean(), m.sd(), m.mean() - h, m.mean() + h] {
                    row.push(format_value(x));
                }
            }
            for d in differences.get(p).into_iter().flatten() {
                if d.n == 0 {
                    row.extend(std::iter::repeat(String::new()).take(3));
                    continue;
                }
                let h = d.ci95_half_width();
                for x in [d.mean(), d.mean() - h, d.mean() + h] {
                    row.push(format_value(x));
                }
            }
            w.write_record(&row).map_err(|e| SweepError::Io {
                path: tmp.clone(),
                source: e.into(),
            })?;
        }
        w.flush().map_err(io_at(&tmp))?;
    }
    fs::rename(&tmp, &path).map_err(io_at(&path))?;

    if matches!(exp.design, Design::Morris { .. }) {
        let means: Vec<Vec<f64>> = moments
            .iter()
            // A point without a successful run has no mean; its steps are left out of the
            // effects (`trajectories` counts the steps that remain).
            .map(|ms| {
                ms.iter()
                    .map(|m| if m.n == 0 { f64::NAN } else { m.mean() })
                    .collect()
            })
            .collect();
        let effects = morris_effects(&exp.design, &exp.points, &means, &metrics);
        write_table(
            out,
            "morris.csv",
            &["lever", "metric", "mu_star", "mu", "sigma", "trajectories"],
            effects.into_iter().map(|e| {
                vec![
                    e.lever,
                    e.metric,
                    format_value(e.mu_star),
                    format_value(e.mu),
                    format_value(e.sigma),
                    e.trajectories.to_string(),
                ]
            }),
        )?;
    }
    if let Design::Sobol { ranges, .. } = &exp.design {
        write_table(
            out,
            "sobol.csv",
            &SOBOL_COLUMNS,
            sobol_rows(exp, ranges, &metrics, &moments).into_iter(),
        )?;
    }
    Ok(())
}

/// The experiment a sweep directory was made from (its manifest carries the experiment file's
/// text and the resolved base scenario), so `cogov merge` needs only the directories.
pub fn experiment_of(dir: &Path) -> Result<Experiment, SweepError> {
    let m = sweep_manifest_of(dir)?;
    experiment_from_manifest(&m, &dir.join("manifest.json").display().to_string())
}

/// The parsed `manifest.json` of the sweep directory `dir`; a missing directory or manifest,
/// bad JSON, or another kind of output is the user's mistake (exit 2).
fn sweep_manifest_of(dir: &Path) -> Result<Manifest, SweepError> {
    let mpath = dir.join("manifest.json");
    let text = fs::read_to_string(&mpath).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            SweepError::Usage(format!(
                "{}: not found; expected a directory written by `cogov sweep` (a shard)",
                mpath.display()
            ))
        } else {
            SweepError::Io {
                path: mpath.clone(),
                source: e,
            }
        }
    })?;
    let m = Manifest::parse(&text, &mpath.display().to_string())
        .map_err(|e| SweepError::Usage(e.to_string()))?;
    if m.kind != "sweep" {
        return Err(SweepError::Usage(format!(
            "{}: is not a sweep (kind {:?}); merge the shard directories of one `cogov sweep`",
            dir.display(),
            m.kind
        )));
    }
    Ok(m)
}

/// The experiment of a sweep manifest already parsed from `file` (which must be of kind
/// `sweep`): its experiment file's text, loaded onto the resolved base scenario.
pub fn experiment_from_manifest(m: &Manifest, file: &str) -> Result<Experiment, SweepError> {
    let base = m
        .base
        .as_deref()
        .ok_or_else(|| SweepError::Usage(format!("{file}: base: missing: not a cogov manifest")))?;
    let base = crate::scenario::Scenario::from_manifest(base, file)
        .map_err(|e| SweepError::Usage(e.to_string()))?;
    let source = m
        .experiment_source
        .as_deref()
        .ok_or_else(|| SweepError::Usage(format!("{file}: no experiment_source")))?;
    super::load_with_base(source, file, base).map_err(|e| SweepError::Usage(e.to_string()))
}

/// Merges the outputs of the shards of one experiment into `out`: runs in run order, then
/// points and Morris results recomputed. Refuses shards of different experiments, duplicate
/// or missing shards, and incomplete shards.
pub fn merge(
    exp: &Experiment,
    shard_dirs: &[PathBuf],
    out: &Path,
    force: bool,
) -> Result<(), SweepError> {
    merge_with(exp, shard_dirs, out, force, &|_| Ok(()))
}

/// `merge`, with `finish` run on the merged directory (before it takes its final name) once
/// the statistics are written.
pub fn merge_with(
    exp: &Experiment,
    shard_dirs: &[PathBuf],
    out: &Path,
    force: bool,
    finish: Finish<'_>,
) -> Result<(), SweepError> {
    let fingerprint = exp.fingerprint();
    // The output is checked first and replaced last: a merge that fails on any shard leaves
    // the previous merged output as it was.
    if fs::symlink_metadata(out).is_ok() {
        if !force {
            return Err(SweepError::Usage(format!(
                "{}: already exists; pass --force to replace it",
                out.display()
            )));
        }
        place::check_replaceable(out).map_err(output_error)?;
        let same = |d: &Path| match (fs::canonicalize(d), fs::canonicalize(out)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if let Some(d) = shard_dirs.iter().find(|d| same(d)) {
            return Err(SweepError::Usage(format!(
                "{}: is one of the shards being merged ({}); choose another --out",
                out.display(),
                d.display()
            )));
        }
    }
    let mut count = None;
    let mut seen = Vec::new();
    // Shared locks: a shard that a sweep is still writing is not merged.
    let mut _locks = Vec::new();
    for dir in shard_dirs {
        if dir.is_dir() {
            _locks.push(place::lock_dir(dir, false).map_err(output_error)?);
        }
        let m = sweep_manifest_of(dir)?;
        if m.fingerprint.as_deref() != Some(&fingerprint[..]) {
            return Err(SweepError::Usage(format!(
                "{}: is a shard of a different experiment (fingerprint {:?} vs {fingerprint})",
                dir.display(),
                m.fingerprint.unwrap_or_default()
            )));
        }
        if m.complete != Some(true) {
            return Err(SweepError::Usage(format!(
                "{}: the shard is not complete; finish it with --resume first",
                dir.display()
            )));
        }
        let shard = m.shard.unwrap_or(Shard::WHOLE.record());
        let (i, n) = (shard.index as u64, shard.count as u64);
        if *count.get_or_insert(n) != n {
            return Err(SweepError::Usage(format!(
                "{}: was cut into {n} shards, the others into {}",
                dir.display(),
                count.unwrap_or(0)
            )));
        }
        if seen.contains(&i) {
            return Err(SweepError::Usage(format!(
                "{}: shard {i} is given twice",
                dir.display()
            )));
        }
        seen.push(i);
    }
    let n = count.unwrap_or(0);
    if let Some(missing) = (0..n).find(|i| !seen.contains(i)) {
        return Err(SweepError::Usage(format!("shard {missing}/{n} is missing")));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    let staging = place::staging_beside(out);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_at(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io_at(&staging))?;
    let result = (|| {
        // Runs of shard i are i, i+n, i+2n, …: interleave the shards' journals line by line.
        let mut readers: Vec<_> = shard_dirs
            .iter()
            .map(|d| {
                (
                    d.join("runs.csv"),
                    seen[shard_dirs.iter().position(|x| x == d).unwrap_or(0)],
                )
            })
            .collect();
        readers.sort_by_key(|(_, i)| *i);
        let mut files: Vec<(PathBuf, io::Lines<BufReader<File>>)> = Vec::new();
        let mut header = None;
        for (path, _) in &readers {
            let mut lines = BufReader::new(File::open(path).map_err(io_at(path))?).lines();
            let h = lines
                .next()
                .transpose()
                .map_err(io_at(path))?
                .unwrap_or_default();
            if *header.get_or_insert(h.clone()) != h {
                return Err(SweepError::Usage(format!(
                    "{}: header differs from the other shards",
                    path.display()
                )));
            }
            files.push((path.clone(), lines));
        }
        let runs_path = staging.join("runs.csv");
        let mut w = io::BufWriter::new(File::create(&runs_path).map_err(io_at(&runs_path))?);
        writeln!(w, "{}", header.unwrap_or_default()).map_err(io_at(&runs_path))?;
        for run in 0..exp.total_runs() {
            let (path, lines) = &mut files[(run % n.max(1)) as usize];
            let line = lines
                .next()
                .transpose()
                .map_err(io_at(path))?
                .ok_or_else(|| {
                    SweepError::Usage(format!("{}: run {run} is missing", path.display()))
                })?;
            if !line.starts_with(&format!("{run},")) {
                return Err(SweepError::Usage(format!(
                    "{}: expected run {run}",
                    path.display()
                )));
            }
            writeln!(w, "{line}").map_err(io_at(&runs_path))?;
        }
        for (path, lines) in &mut files {
            if let Some(extra) = lines.next().transpose().map_err(io_at(path))? {
                return Err(SweepError::Usage(format!(
                    "{}: holds more runs than its shard has (run {} again after the last); was the shard swept twice at once? Sweep it again with --force",
                    path.display(),
                    extra.split(',').next().unwrap_or("?")
                )));
            }
        }
        w.flush().map_err(io_at(&runs_path))?;
        drop(w);
        if exp.timeseries {
            let series = staging.join("timeseries");
            fs::create_dir_all(&series).map_err(io_at(&series))?;
            for d in shard_dirs {
                let from = d.join("timeseries");
                for entry in fs::read_dir(&from).map_err(io_at(&from))? {
                    let entry = entry.map_err(io_at(&from))?;
                    let to = series.join(entry.file_name());
                    fs::copy(entry.path(), &to).map_err(io_at(&to))?;
                }
            }
        }
        summarise(exp, &staging, &runs_path)?;
        finish(&staging)?;
        write_json_atomic(
            &staging.join("manifest.json"),
            &sweep_manifest(exp, Shard::WHOLE, true),
        )?;
        place::commit_dir(&staging, out, force).map_err(output_error)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}
