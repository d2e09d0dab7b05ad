//! `cogov sweep`, `cogov merge`, `cogov compare` and `cogov slurm`: batch experiments from
//! the command line. The work is in `experiment/`; here are arguments, progress display and
//! the Slurm script text.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::run::output_error;
use super::CliError;
use crate::charts::sweep_dir::weekly_intervals;
use crate::experiment::stats::paired_difference;
use crate::experiment::sweep::{self, Shard, SweepError, SweepOptions};
use crate::experiment::{self};
use crate::model::rng::mix64;
use crate::output::records::{
    summary_columns, summary_index, summary_row, timeseries_columns, timeseries_row,
};
use crate::output::{format_value, place};
use crate::run::{check_summary, simulate_checked, NonFinite};

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Experiment file (.toml) （实验设计文件）
    pub experiment: PathBuf,
    /// Output directory （输出目录）
    #[arg(long, short)]
    pub out: PathBuf,
    /// Worker threads (default: all cores) （线程数）
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only shard I of N (runs whose index ≡ I mod N) （只运行第 I/N 份）
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Continue an interrupted sweep in OUT (starts one if OUT does not exist) （断点续跑）
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing sweep in OUT （覆盖已有结果）
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// No progress display （不显示进度）
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts into charts/ （不绘制图表）
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Shard output directories （各分片输出目录）
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Merged output directory （合并后的输出目录）
    #[arg(long, short)]
    pub out: PathBuf,
    /// Replace an existing merged directory （覆盖已有结果）
    #[arg(long)]
    pub force: bool,
    /// Do not draw charts into charts/ （不绘制图表）
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// Scenario A (reference) （情景A，参照）
    pub a: PathBuf,
    /// Scenario B （情景B）
    pub b: PathBuf,
    /// Replications, run on the same seeds for A and B （重复次数，A与B共用随机种子）
    #[arg(long, default_value_t = 30)]
    pub reps: u32,
    /// Base seed of the replications （基础随机种子）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write every metric's comparison to this CSV file （另存为CSV）
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists （覆盖已存在的输出文件）
    #[arg(long)]
    pub force: bool,
    /// Override a parameter in both scenarios (repeatable) （同时覆盖两情景的参数）
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Weekly ticks for both (overrides the scenarios') （模拟周数）
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Language of the printed table: metric names and headers （输出语言）
    #[arg(long, value_enum, default_value_t = super::params::Lang::Both)]
    pub lang: super::params::Lang,
    /// Draw the differences as a chart into DIR/charts/en and DIR/charts/zh (PNG and SVG)
    /// （将差值图绘制到 DIR/charts/en 与 DIR/charts/zh）
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// Experiment or calibration file (.toml) （实验设计文件或校准设定文件）
    pub experiment: PathBuf,
    /// Number of shards (array tasks) （分片数）
    #[arg(long, default_value_t = 4)]
    pub shards: u32,
    /// Output directory on the cluster's shared file system; for a calibration, its
    /// calibration directory （集群共享目录中的输出目录；校准则为校准输出目录）
    #[arg(long, short)]
    pub out: PathBuf,
    /// CPUs per array task （每个任务的CPU数）
    #[arg(long, default_value_t = 2)]
    pub cpus: u32,
    /// Time limit per task （每个任务的时限）
    #[arg(long, default_value = "02:00:00")]
    pub time: String,
    /// Slurm partition （分区）
    #[arg(long)]
    pub partition: Option<String>,
    /// Memory per array task, as sbatch's --mem reads it: 4G, 500M, 16000 (MiB)
    /// （每个任务的内存）
    #[arg(long)]
    pub mem: Option<String>,
    /// Path of the cogov binary on the cluster (default: this binary) （集群上cogov的路径）
    #[arg(long)]
    pub cogov: Option<PathBuf>,
    /// Calibrations: time limit of the driver job that runs the batches one after another
    /// [default: 3-00:00:00] （校准：驱动作业的时限）
    #[arg(long)]
    pub driver_time: Option<String>,
    /// Calibrations: seconds between the driver's looks at its job array [default: 30]
    /// （校准：驱动作业查询作业数组状态的间隔秒数）
    #[arg(long)]
    pub poll: Option<u32>,
}

/// Refuses a sweep whose largest design point, run on every worker at once, would not fit in
/// memory (the resource guard of `cogov run`, before anything is written).
fn guard_sweep_memory(
    exp: &experiment::Experiment,
    threads: Option<usize>,
) -> Result<(), CliError> {
    let workers = threads
        .filter(|n| *n > 0)
        .unwrap_or_else(rayon::current_num_threads) as u64;
    let largest = exp
        .points
        .iter()
        .map(|p| exp.scenario_for(p, 0))
        .max_by_key(super::memory::run_bytes);
    let books =
        super::memory::sweep_bookkeeping(exp.points.len() as u64, exp.design.keys().len() as u64);
    match largest {
        Some(sc) => {
            super::memory::guard_parallel(&sc, workers.min(exp.total_runs()).max(1), &books)
        }
        None => Ok(()),
    }
}

fn sweep_error(e: SweepError) -> CliError {
    match e {
        SweepError::Usage(m) => CliError::Config(m),
        other => CliError::Runtime(other.to_string()),
    }
}

/// The chart step of a sweep or merge, run on its directory before it is marked complete.
/// Data no chart can show (every run failed) is a warning and the sweep completes without
/// charts; a failure to write them (a full disk) stops the sweep short of complete, with every
/// run journaled, so `--resume` draws them.
fn sweep_charts(
    exp: &experiment::Experiment,
    no_charts: bool,
    quiet: bool,
) -> impl Fn(&Path) -> Result<(), SweepError> + Sync + '_ {
    move |dir: &Path| {
        if no_charts {
            return Ok(());
        }
        match super::plot::draw_sweep_charts(dir, exp, quiet) {
            Ok(()) => Ok(()),
            Err(e) if e.is_usage() => {
                eprintln!("warning: no charts drawn: {e}");
                Ok(())
            }
            Err(e) => Err(SweepError::Finish(format!(
                "{e}; every run is finished and journaled: free the problem and finish with --resume (or pass --no-charts)"
            ))),
        }
    }
}

/// Most worker threads a sweep takes.
const MAX_THREADS: usize = 1024;

pub(super) fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, CliError> {
    match threads {
        Some(0) => Err(CliError::Config("--threads: must be at least 1".into())),
        // Each thread reserves a stack; far more threads than cores only costs memory.
        Some(n) if n > MAX_THREADS => Err(CliError::Config(format!(
            "--threads: at most {MAX_THREADS}, got {n} (this machine has {} cores)",
            std::thread::available_parallelism().map_or(1, |c| c.get())
        ))),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| CliError::Runtime(format!("thread pool: {e}")))?;
            Ok(pool.install(f))
        }
        None => Ok(f()),
    }
}

/// Progress: a bar with rate and ETA on a terminal, a plain line every 10 s otherwise. Rate
/// and ETA count only the runs done by this process: a resumed sweep's first report is its
/// starting point (`first`), not work done in no time.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: Option<Mutex<Instant>>,
    started: Instant,
    /// Runs saved when this process started, once the sweep has said so.
    first: Mutex<Option<u64>>,
    /// Runs saved so far (journaled durably), for the message of an interrupted sweep.
    saved: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let started = Instant::now();
        let progress = |bar, plain| Progress {
            bar,
            plain,
            started,
            first: Mutex::new(None),
            saved: std::sync::atomic::AtomicU64::new(0),
        };
        if quiet {
            return progress(None, None);
        }
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                // The bar counts this process's runs (so indicatif's rate and ETA are
                // right after a resume); the message shows the sweep's.
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {msg} runs  {per_sec}  ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            progress(Some(bar), None)
        } else {
            progress(None, Some(Mutex::new(started - Duration::from_secs(60))))
        }
    }

    fn update(&self, done: u64, total: u64) {
        self.saved.store(done, std::sync::atomic::Ordering::SeqCst);
        let first = *self
            .first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(done);
        let (now, todo) = (done.saturating_sub(first), total.saturating_sub(first));
        if let Some(bar) = &self.bar {
            bar.set_length(todo);
            bar.set_position(now);
            bar.set_message(format!("{done}/{total}"));
        } else if let Some(last) = &self.plain {
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            if last.elapsed() >= Duration::from_secs(10) || done == total {
                *last = Instant::now();
                let secs = self.started.elapsed().as_secs_f64();
                let rate = now as f64 / secs.max(1e-9);
                let eta = if rate > 0.0 {
                    format!("{:.0} s", (todo - now) as f64 / rate)
                } else if now == todo {
                    "0 s".to_string()
                } else {
                    "unknown".to_string()
                };
                eprintln!("progress: {done}/{total} runs, {rate:.1} runs/s, ETA {eta}");
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// Ctrl-C during a sweep: say how many runs are saved (journaled durably; a run under way is
/// lost and redone) and the command that resumes it, then exit 130 as a shell expects. The
/// signal handler only sets a flag; a watcher thread prints and exits.
#[cfg(unix)]
fn on_interrupt(
    args: &SweepArgs,
    exp: &experiment::Experiment,
    progress: std::sync::Arc<Progress>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static INTERRUPTED: AtomicBool = AtomicBool::new(false);
    extern "C" fn on_sigint(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
    let handler: extern "C" fn(libc::c_int) = on_sigint;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
    }
    let mut resume = vec![
        "cogov".to_string(),
        "sweep".into(),
        sh(&args.experiment.display().to_string()),
        "--out".into(),
        sh(&args.out.display().to_string()),
    ];
    if let Some(s) = &args.shard {
        resume.extend(["--shard".into(), sh(s)]);
    }
    if let Some(n) = args.threads {
        resume.extend(["--threads".into(), n.to_string()]);
    }
    resume.push("--resume".into());
    let resume = resume.join(" ");
    let (total, name) = (exp.total_runs(), exp.name.clone());
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(50));
        if INTERRUPTED.load(Ordering::SeqCst) {
            if let Some(bar) = &progress.bar {
                bar.abandon();
            }
            let saved = progress.saved.load(Ordering::SeqCst);
            eprintln!(
                "\ninterrupted: {saved} of {total} runs of {name} are saved; resume with:\n  {resume}"
            );
            std::process::exit(130);
        }
    });
}

#[cfg(not(unix))]
fn on_interrupt(_: &SweepArgs, _: &experiment::Experiment, _: std::sync::Arc<Progress>) {}

pub fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    let exp =
        experiment::load_file(&args.experiment).map_err(|e| CliError::Config(e.to_string()))?;
    for w in crate::scenario::warnings(&exp.base) {
        eprintln!("warning: base scenario: {w}");
    }
    for note in &exp.notes {
        eprintln!("note: {note}");
    }
    guard_sweep_memory(&exp, args.threads)?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s).map_err(CliError::Config)?,
        None => Shard::WHOLE,
    };
    let progress = std::sync::Arc::new(Progress::new(args.quiet));
    on_interrupt(args, &exp, progress.clone());
    let opts = SweepOptions {
        shard,
        resume: args.resume,
        force: args.force,
        block: 0,
    };
    // A shard's statistics cover its own runs only: charts are drawn after `cogov merge`.
    let charts = sweep_charts(&exp, args.no_charts || shard.count > 1, args.quiet);
    let report = with_threads(args.threads, || {
        sweep::sweep_with(
            &exp,
            &args.out,
            opts,
            &|d, t| progress.update(d, t),
            &charts,
        )
    })?
    .map_err(sweep_error)?;
    progress.finish();
    if !args.quiet {
        outln!(
            "{}: {} runs ({} resumed, {} now, {} failed) in {:.1} s → {}",
            exp.name,
            report.runs_total,
            report.runs_done_before,
            report.runs_done_now,
            report.failures,
            progress.started.elapsed().as_secs_f64(),
            args.out.display()
        )?;
    }
    Ok(())
}

pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    let exp = sweep::experiment_of(&args.dirs[0]).map_err(sweep_error)?;
    sweep::merge_with(
        &exp,
        &args.dirs,
        &args.out,
        args.force,
        &sweep_charts(&exp, args.no_charts, false),
    )
    .map_err(sweep_error)?;
    outln!(
        "{}: merged {} shards → {}",
        exp.name,
        args.dirs.len(),
        args.out.display()
    )?;
    Ok(())
}

pub fn compare(args: &CompareArgs) -> Result<(), CliError> {
    if args.reps < 2 {
        return Err(CliError::Config(
            "--reps: at least 2 replications are needed for a confidence interval".into(),
        ));
    }
    let a = super::run::load_scenario(Some(&args.a), None, args.ticks, &args.set)?;
    let b = super::run::load_scenario(Some(&args.b), None, args.ticks, &args.set)?;
    if a.ticks != b.ticks {
        eprintln!(
            "warning: {} runs {} weeks and {} runs {}: their summaries cover different weeks; pass --ticks to compare them over the same length",
            args.a.display(),
            a.ticks,
            args.b.display(),
            b.ticks
        );
    }
    // Each replication's two summary rows are kept for the paired statistics, and one metric
    // at a time is copied out of them: refused here rather than aborted while allocating.
    let workers = (rayon::current_num_threads() as u64).min(args.reps as u64);
    let mut row = (std::mem::size_of::<Vec<f64>>() + 8 * summary_columns().len()) as u64;
    if args.charts.is_some() {
        // Each run's time series, kept for the weekly charts.
        let week = (std::mem::size_of::<Vec<f64>>() + 8 * timeseries_columns().len()) as u64;
        row += week * u64::from(a.ticks.max(b.ticks));
    }
    let books = super::memory::Bookkeeping {
        bytes: (args.reps as u64).saturating_mul(2 * row + 16),
        what: format!("the results of --reps {}", args.reps),
        advice: "use fewer --reps".into(),
    };
    for sc in [&a, &b] {
        super::memory::guard_parallel(sc, workers, &books)?;
    }
    if let Some(out) = &args.out {
        place::check_file_target(out, args.force, false).map_err(output_error)?;
    }
    // Common random numbers: replication r runs both scenarios on the same seed.
    // A run's summary row, and its time series when charts are drawn (for the weekly charts).
    type Run = (Vec<f64>, Vec<Vec<f64>>);
    let rows: Vec<(Run, Run)> = (0..args.reps)
        .into_par_iter()
        .map(|r| {
            let seed = mix64(args.seed ^ mix64(r as u64 + 1));
            let run = |sc: &crate::scenario::Scenario| {
                let sc = crate::scenario::Scenario { seed, ..sc.clone() };
                let res = simulate_checked(&sc, |_, _| {})?;
                let summary = summary_row(&res.series, &res.facts);
                check_summary(&sc, &summary)?;
                let series = match args.charts {
                    Some(_) => res.series.iter().map(timeseries_row).collect(),
                    None => Vec::new(),
                };
                Ok((summary, series))
            };
            let named = |sc: &crate::scenario::Scenario| {
                run(sc).map_err(|e: NonFinite| {
                    CliError::Runtime(format!("{} (seed {seed}): {}", sc.name, e.message()))
                })
            };
            Ok((named(&a)?, named(&b)?))
        })
        .collect::<Result<_, CliError>>()?;
    let cols = summary_columns();
    let results: Vec<_> = (0..cols.len())
        .map(|m| {
            let xa: Vec<f64> = rows.iter().map(|r| r.0 .0[m]).collect();
            let xb: Vec<f64> = rows.iter().map(|r| r.1 .0[m]).collect();
            paired_difference(&xa, &xb)
        })
        .collect();
    use super::params::{pad, Lang};
    let lang = args.lang;
    let (en, zh) = (
        format!(
            "B = {} vs A = {} — {} paired replications (common random numbers)",
            b.name, a.name, args.reps
        ),
        format!(
            "B＝{} 对比 A＝{}：{}次配对重复（共同随机数）",
            crate::charts::labels::either(
                crate::charts::Lang::Zh,
                &b.title_en,
                &b.title_zh,
                &b.name
            ),
            crate::charts::labels::either(
                crate::charts::Lang::Zh,
                &a.title_en,
                &a.title_zh,
                &a.name
            ),
            args.reps
        ),
    );
    outln!("{}", if lang == Lang::Zh { zh } else { en })?;
    let (metric, ci) = match lang {
        Lang::En => ("metric", "95% CI"),
        Lang::Zh => ("指标", "95%置信区间"),
        Lang::Both => ("metric 指标", "95% CI"),
    };
    let width = match lang {
        Lang::En => 30,
        Lang::Zh => 20,
        Lang::Both => 28,
    };
    // Right-aligned in terminal columns (a Chinese character takes two).
    let ci = format!(
        "{}{ci}",
        " ".repeat(26usize.saturating_sub(super::params::display_width(ci)))
    );
    outln!(
        "{} {:>12} {:>12} {:>12} {ci} {:>8}",
        pad(metric, width),
        "A",
        "B",
        "B − A",
        "d_z"
    )?;
    // The run summary's headline metrics, printed and charted in that order.
    for (name, en, zh) in super::run::HEADLINE {
        if let Some(i) = summary_index(name) {
            let d = &results[i];
            let label = match lang {
                Lang::Both => format!("{name:<28}"),
                one => super::run::headline_label(en, zh, one),
            };
            outln!(
                "{} {:>12.4} {:>12.4} {:>12.4}  [{:>11.4}, {:>11.4}] {:>8.2}",
                label,
                d.mean_a,
                d.mean_b,
                d.difference,
                d.ci_lo,
                d.ci_hi,
                d.effect_size
            )?;
        }
    }
    let (dz_en, dz_zh) = DZ_EXPLAINED;
    match lang {
        Lang::En => outln!("{dz_en}")?,
        Lang::Zh => outln!("{dz_zh}")?,
        Lang::Both => outln!("{dz_en}\n{dz_zh}")?,
    }
    if let Some(dir) = &args.charts {
        let header: Vec<String> = timeseries_columns().into_iter().map(|c| c.name).collect();
        let weekly = |of: fn(&(Run, Run)) -> &Run| {
            weekly_intervals(&header, rows.iter().map(|r| of(r).1.as_slice()))
                .map_err(CliError::Runtime)
        };
        let (wa, wb) = (weekly(|r| &r.0)?, weekly(|r| &r.1)?);
        let comparison = crate::charts::Comparison {
            a: a.name.clone(),
            b: b.name.clone(),
            reps: args.reps,
            metrics: super::run::HEADLINE
                .iter()
                .filter_map(|(m, _, _)| Some((m.to_string(), results[summary_index(m)?])))
                .collect(),
            weekly: wa.into_iter().zip(wb).map(|(x, y)| vec![x, y]).collect(),
        };
        let langs = crate::charts::Lang::ALL;
        super::plot::write_charts(
            dir,
            &comparison,
            &langs,
            crate::charts::Formats::BOTH,
            false,
        )
        .map_err(super::plot::chart_error)?;
        outln!(
            "chart 图表: {}",
            dir.join(crate::charts::chart_dir(crate::charts::Lang::En))
                .join("compare_differences.svg")
                .display()
        )?;
    }
    if let Some(out) = &args.out {
        let rows = cols.iter().zip(&results).map(|(c, d)| {
            let mut row = vec![c.name.clone()];
            row.extend(paired_cells(d));
            row
        });
        let mut header = vec!["metric"];
        header.extend(PAIRED_HEADER);
        write_table(out, args.force, &header, rows)?;
    }
    Ok(())
}

/// What `cogov compare` prints under its table about d_z (the README says the same).
/// What d_z means, printed under `cogov compare`'s table in English and in Chinese.
pub const DZ_EXPLAINED: (&str, &str) = (
    "d_z = mean(B − A) / sd(B − A), the paired differences of the replications: how consistently B differs from A seed by seed, not how large the difference is (more replications do not shrink d_z, but a tiny difference with little seed-to-seed spread has a large d_z); judge the size by B − A in the metric's unit and its 95% CI.",
    "d_z = 配对差值均值 / 差值标准差：衡量B与A之差在各随机种子上是否一致，而非差值大小（差值很小但各种子间波动更小时d_z也会很大）；差值大小应看以指标原单位表示的 B − A 及其95%置信区间。",
);

/// Column names of a paired difference in a CSV file (`paired_cells`).
pub const PAIRED_HEADER: [&str; 7] = [
    "n",
    "mean_a",
    "mean_b",
    "difference",
    "ci95_lo",
    "ci95_hi",
    "effect_size_dz",
];

/// A paired difference as CSV cells, in the order of `PAIRED_HEADER`.
pub fn paired_cells(d: &crate::experiment::stats::PairedDifference) -> Vec<String> {
    vec![
        d.n.to_string(),
        format_value(d.mean_a),
        format_value(d.mean_b),
        format_value(d.difference),
        format_value(d.ci_lo),
        format_value(d.ci_hi),
        format_value(d.effect_size),
    ]
}

/// Writes a table as a CSV file at `out`, atomically and only over a file `--force` allows.
pub fn write_table(
    out: &Path,
    force: bool,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), CliError> {
    let csv_err = |e: csv::Error| CliError::Runtime(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(csv_err)?;
    for row in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    place::write_file_atomically(out, &bytes, force, false).map_err(output_error)
}

/// Quotes text for a POSIX shell: inside single quotes nothing is special but the quote itself.
pub(super) fn sh(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `what`'s text, refused if it holds a control character: a newline would end the comment or
/// the `#SBATCH` line it is printed on and start a line of its own in the script.
pub(super) fn script_text<'a>(what: &str, text: &'a str) -> Result<&'a str, CliError> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(CliError::Config(format!(
            "{what}: holds the control character {:?} ({}); it cannot go into a job script",
            c,
            text.escape_debug()
        ))),
        None => Ok(text),
    }
}

/// A path as script text: UTF-8 (a shell script is text) without control characters.
pub(super) fn script_path(what: &str, p: &Path) -> Result<String, CliError> {
    let text = p.to_str().ok_or_else(|| {
        CliError::Config(format!(
            "{what}: {} is not UTF-8; it cannot go into a job script",
            p.display()
        ))
    })?;
    script_text(what, text).map(str::to_string)
}

/// Checks a Slurm time limit: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M` or `D-H:M:S` (whole
/// numbers), or `UNLIMITED`/`INFINITE`, as sbatch's `--time` reads it.
pub(super) fn check_slurm_time(text: &str) -> Result<(), CliError> {
    let number = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match text.split_once('-') {
        _ if text == "UNLIMITED" || text == "INFINITE" => true,
        Some((days, rest)) => {
            let parts: Vec<&str> = rest.split(':').collect();
            number(days) && parts.len() <= 3 && parts.iter().all(|p| number(p))
        }
        None => {
            let parts: Vec<&str> = text.split(':').collect();
            parts.len() <= 3 && parts.iter().all(|p| number(p))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(CliError::Config(format!(
            "--time: expected a Slurm time limit such as 30, 02:00:00 or 1-12:00:00 (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S), got {:?}",
            text
        )))
    }
}

/// Checks a Slurm partition list: names of letters, digits, `_`, `.` and `-`, separated by
/// commas.
fn check_partition(text: &str) -> Result<(), CliError> {
    let name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if text.split(',').all(name) {
        Ok(())
    } else {
        Err(CliError::Config(format!(
            "--partition: expected partition names of letters, digits, _, . and - (several separated by commas), got {:?}",
            text
        )))
    }
}

/// Checks a Slurm memory size: a whole number with an optional unit K, M, G or T (MiB without).
fn check_slurm_mem(text: &str) -> Result<(), CliError> {
    let digits = text.trim_end_matches(['K', 'M', 'G', 'T']);
    let ok = !digits.is_empty()
        && digits.len() <= 12
        && digits.bytes().all(|b| b.is_ascii_digit())
        && text.len() - digits.len() <= 1
        && digits.bytes().any(|b| b != b'0');
    if ok {
        Ok(())
    } else {
        Err(CliError::Config(format!(
            "--mem: expected a Slurm memory size such as 4G, 500M or 16000 (a whole number, MiB unless K, M, G or T follows), got {text:?}"
        )))
    }
}

pub(super) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// The submit script `cogov slurm` prints. Every value that comes from the user is checked
/// (no control characters; Slurm's own syntax for the time, CPUs and partition) and reaches
/// the shell only inside single quotes; the job scripts are written through quoted heredocs,
/// so nothing in them is expanded when they are written.
pub fn slurm_script(args: &SlurmArgs, name: &str, runs: u64) -> Result<String, CliError> {
    let SlurmJobs {
        input: exp,
        out,
        bin,
        partition,
        mem,
    } = slurm_jobs(args)?;
    let name = sh(script_text("the experiment's name", name)?);
    let n = args.shards;
    let shard_dirs: Vec<String> = (0..n).map(|i| format!("{out}/shard-{i}")).collect();
    Ok(format!(
        r#"#!/bin/bash
# cogov on Slurm: experiment {name}, {runs} runs in {n} shards, then a merge job.
# Submit with:  bash THIS_FILE      (needs sbatch on the PATH)
# Each array task runs one shard and resumes it if the task is requeued; the merge job starts
# only when every shard has succeeded (afterok) and writes "$OUT"/merged.
set -euo pipefail
OUT={out}
mkdir -p "$OUT/logs"

cat > "$OUT/shards.sbatch" <<'COGOV_EOF'
#!/bin/bash
#SBATCH --job-name=cogov-shards
#SBATCH --array=0-{last}
#SBATCH --cpus-per-task={cpus}
#SBATCH --time={time}
{partition}{mem}set -euo pipefail
exec {bin} sweep {exp} --out {out}/shard-"$SLURM_ARRAY_TASK_ID" --shard "$SLURM_ARRAY_TASK_ID"/{n} --threads {cpus} --resume --quiet
COGOV_EOF

cat > "$OUT/merge.sbatch" <<'COGOV_EOF'
#!/bin/bash
#SBATCH --job-name=cogov-merge
#SBATCH --cpus-per-task=1
#SBATCH --time={time}
{partition}set -euo pipefail
exec {bin} merge {dirs} --out {out}/merged --force
COGOV_EOF

shards=$(sbatch --parsable --output="$OUT/logs/shard-%a.out" "$OUT/shards.sbatch")
merge=$(sbatch --parsable --output="$OUT/logs/merge.out" --dependency=afterok:"${{shards%%;*}}" "$OUT/merge.sbatch")
echo "submitted shards ${{shards%%;*}} and merge $merge; results in $OUT/merged"
"#,
        last = n - 1,
        cpus = args.cpus,
        time = args.time,
        dirs = shard_dirs.join(" "),
    ))
}

/// What every job script of `cogov slurm` takes from the command line, checked, made absolute
/// and single-quoted for the shell; `partition` and `mem` are `#SBATCH` lines or empty.
pub(super) struct SlurmJobs {
    pub input: String,
    pub out: String,
    pub bin: String,
    pub partition: String,
    pub mem: String,
}

/// Checks the options common to experiments and calibrations (`--shards`, `--cpus`, `--time`,
/// `--partition`, `--mem`, paths) and quotes them.
pub(super) fn slurm_jobs(args: &SlurmArgs) -> Result<SlurmJobs, CliError> {
    if args.shards == 0 {
        return Err(CliError::Config("--shards: must be at least 1".into()));
    }
    if args.cpus == 0 {
        return Err(CliError::Config(
            "--cpus: must be at least 1 (it is also the sweep's --threads)".into(),
        ));
    }
    check_slurm_time(&args.time)?;
    if let Some(p) = &args.partition {
        check_partition(p)?;
    }
    if let Some(m) = &args.mem {
        check_slurm_mem(m)?;
    }
    let cogov = match &args.cogov {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| CliError::Runtime(format!("cannot find this binary: {e}")))?,
    };
    let exp = sh(&script_path(
        "the experiment file",
        &absolute(&args.experiment),
    )?);
    let out = sh(&script_path("--out", &absolute(&args.out))?);
    let bin = sh(&script_path("--cogov", &absolute(&cogov))?);
    let partition = args
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let mem = args
        .mem
        .as_ref()
        .map(|m| format!("#SBATCH --mem={m}\n"))
        .unwrap_or_default();
    Ok(SlurmJobs {
        input: exp,
        out,
        bin,
        partition,
        mem,
    })
}

pub fn slurm(args: &SlurmArgs) -> Result<(), CliError> {
    if super::slurm_calibration::is_calibration(&args.experiment) {
        let script = super::slurm_calibration::driver_script(args)?;
        out!("{script}")?;
        return Ok(());
    }
    if args.driver_time.is_some() || args.poll.is_some() {
        return Err(CliError::Config(format!(
            "--driver-time and --poll are for a calibration file (with a [calibration] table); {} is an experiment",
            args.experiment.display()
        )));
    }
    let exp =
        experiment::load_file(&args.experiment).map_err(|e| CliError::Config(e.to_string()))?;
    let script = slurm_script(args, &exp.name, exp.total_runs())?;
    if u64::from(args.shards) > exp.total_runs() {
        eprintln!(
            "warning: {} shards for {} runs: {} array tasks get no run; pass --shards {} or fewer",
            args.shards,
            exp.total_runs(),
            u64::from(args.shards) - exp.total_runs(),
            exp.total_runs()
        );
    }
    out!("{script}")?;
    Ok(())
}
