//! `cogov calibrate`: a calibration file in, a calibration directory out, with a progress bar
//! showing the stage, the tolerance and the ETA. The work is in `experiment::calibration`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use super::experiment::with_threads;
use super::CliError;
use crate::experiment::calibration::{self, method::Step, output};
use crate::experiment::sweep::SweepError;

#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// Calibration file (.toml) （校准设定文件）
    pub calibration: PathBuf,
    /// Output directory （输出目录）
    #[arg(long, short)]
    pub out: PathBuf,
    /// Worker threads (default: all cores) （线程数）
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue an interrupted calibration in OUT （断点续跑）
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing calibration in OUT （覆盖已有结果）
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// No progress display （不显示进度）
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts into charts/ （不绘制图表）
    #[arg(long)]
    pub no_charts: bool,
    /// Do not run the next batch: write it as OUT/next_batch.toml for `cogov sweep` or
    /// `cogov slurm`, and stop. The last line on stdout then says what is next, for scripts:
    /// `next-batch BATCH FILE` (run FILE, place its merged sweep at OUT/batches/BATCH) or
    /// `complete OUT` (every batch was done; the results are written); printed with --quiet
    /// too. Exit 1 if nothing is plausible, 2 for a bad file
    /// （不运行下一批模拟，写出其实验文件供 sweep 或 slurm 运行后退出；标准输出最后一行供脚本读取：
    /// `next-batch 批名 文件` 或 `complete 目录`）
    #[arg(long)]
    pub next_batch: bool,
}

fn sweep_error(e: SweepError) -> CliError {
    match e {
        SweepError::Usage(m) => CliError::Config(m),
        other => CliError::Runtime(other.to_string()),
    }
}

/// The progress display: a bar over the stages (waves, generations, predictive runs) with the
/// stage, its tolerance and the runs of its batch, and indicatif's ETA; a plain line per stage
/// when stderr is not a terminal.
struct Display {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    stage: Mutex<String>,
}

impl Display {
    fn new(quiet: bool) -> Display {
        let terminal = !quiet && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}  ETA {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Display {
            bar,
            plain: !quiet && !terminal,
            stage: Mutex::new(String::new()),
        }
    }

    fn step(&self, s: &Step) {
        let tolerance = s
            .tolerance
            .map(|t| format!(", tolerance 容差 {t:.4}"))
            .unwrap_or_default();
        let text = format!("{} {}{tolerance}", s.label_en, s.label_zh);
        if let Some(bar) = &self.bar {
            bar.set_length(s.stages as u64);
            bar.set_position(s.stage as u64 - 1);
            bar.set_message(text.clone());
        } else if self.plain {
            eprintln!("stage {}/{}: {text}", s.stage, s.stages);
        }
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = text;
    }

    fn runs(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            let stage = self.stage.lock().unwrap_or_else(|p| p.into_inner());
            bar.set_message(format!("{stage} · runs {done}/{total}"));
        }
    }
}

pub fn calibrate(args: &CalibrateArgs) -> Result<(), CliError> {
    let cal =
        calibration::load_file(&args.calibration).map_err(|e| CliError::Config(e.to_string()))?;
    for w in crate::scenario::warnings(&cal.base) {
        eprintln!("warning: base scenario: {w}");
    }
    let workers = args
        .threads
        .filter(|n| *n > 0)
        .unwrap_or_else(rayon::current_num_threads) as u64;
    let books = super::memory::sweep_bookkeeping(
        cal.method
            .abc
            .population
            .max(cal.method.history_matching.points) as u64,
        cal.parameters.len() as u64,
    );
    super::memory::guard_parallel(&cal.base, workers, &books)?;
    let display = Display::new(args.quiet);
    let started = Instant::now();
    let charts = |dir: &std::path::Path| -> Result<(), SweepError> {
        if args.no_charts {
            return Ok(());
        }
        let drawn = crate::charts::OutputDir::read(dir).and_then(|data| {
            super::plot::write_charts(
                dir,
                &data,
                &crate::charts::Lang::ALL,
                crate::charts::Formats::BOTH,
                args.quiet,
            )
        });
        drawn.map(|_| ()).map_err(|e| {
            SweepError::Finish(format!(
                "{e}; every batch is journaled: free the problem and finish with --resume (or pass --no-charts)"
            ))
        })
    };
    let opts = output::Options {
        resume: args.resume,
        force: args.force,
        next_batch: args.next_batch,
    };
    let outcome = with_threads(args.threads, || {
        output::calibrate_into(
            &cal,
            &args.out,
            opts,
            &mut |s| display.step(s),
            &|d, t| display.runs(d, t),
            &charts,
        )
    })?;
    if let Some(bar) = &display.bar {
        bar.finish_and_clear();
    }
    let outcome = match outcome {
        Err(SweepError::Pending { batch, file }) => {
            let out = args.out.display();
            outln!(
                "next batch 下一批: {batch} → {}
  run it, e.g. on Slurm 运行（如在Slurm上）:  cogov slurm {} --out SCRATCH --shards 8 | bash
  then 然后:  mv SCRATCH/merged {out}/batches/{batch}
  and continue 继续:  cogov calibrate {} --out {out} --resume --next-batch
  (or let a Slurm driver job do it all 或由Slurm驱动作业完成全部批次:  cogov slurm {} --out {out} | bash)",
                file.display(),
                file.display(),
                args.calibration.display(),
                args.calibration.display()
            )?;
            outln!("{NEXT_BATCH} {batch} {}", file.display())?;
            return Ok(());
        }
        other => other.map_err(sweep_error)?,
    };
    let (outcome, scored) = outcome;
    if let calibration::method::Stop::NothingPlausible(_) = outcome.stop {
        return Err(CliError::Runtime(format!(
            "{}: {}; see {}",
            cal.name,
            outcome.stop.describe(),
            args.out.join("waves.csv").display()
        )));
    }
    if !args.quiet {
        summary(&cal, &outcome, &scored, started, args)?;
    }
    if args.next_batch {
        outln!("{COMPLETE} {}", args.out.display())?;
    }
    Ok(())
}

/// The first word of the last line `--next-batch` prints when a batch is left to run.
pub const NEXT_BATCH: &str = "next-batch";
/// The first word of the last line `--next-batch` prints when the calibration is complete.
pub const COMPLETE: &str = "complete";

/// The summary of a finished calibration: its stages, the estimates and the predictive
/// intervals of the targets.
fn summary(
    cal: &calibration::Calibration,
    outcome: &calibration::method::Outcome,
    scored: &[output::PredictionSummary],
    started: Instant,
    args: &CalibrateArgs,
) -> Result<(), CliError> {
    let post = outcome
        .posterior()
        .expect("a posterior unless nothing was plausible");
    outln!(
        "{}: {} waves, {} generations (tolerance {}, ESS {:.0}; stopped: {}) in {:.1} s → {}",
        cal.name,
        outcome.waves.len(),
        outcome.generations.len() - 1,
        post.tolerance
            .map_or("none".to_string(), |t| format!("{t:.4}")),
        post.ess,
        outcome.stop.describe(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    )?;
    outln!("parameter 参数                                   mean 均值      sd 标准差   90% interval 区间        contraction 收缩")?;
    for (p, e) in cal.parameters.iter().zip(output::estimates(cal, outcome)) {
        outln!(
            "{:<46} {:>10.4} {:>10.4}   [{:.4}, {:.4}]   {:.2}",
            p.key,
            e.mean,
            e.sd,
            e.q05,
            e.q95,
            e.contraction
        )?;
    }
    outln!("target 目标                    observed 观测值   predictive 90% 预测区间")?;
    for (t, s) in cal.targets.iter().zip(output::predictive_summary(outcome)) {
        outln!(
            "{:<30} {:>10.4}   [{:.4}, {:.4}]",
            t.name,
            t.observed,
            s[3],
            s[7]
        )?;
    }
    if let Some(pred) = &cal.prediction {
        outln!(
            "prediction 预测 ({}): observed 观测值   predictive 95% 预测区间",
            pred.path
        )?;
        for (t, s) in pred.targets.iter().zip(scored) {
            outln!(
                "{:<30} {:>10.4}   [{:.4}, {:.4}]   {}",
                t.name,
                t.observed,
                s.quantiles[0],
                s.quantiles[6],
                match (t.observed.is_finite(), s.hit_95) {
                    // A forecast made before its value is published: no verdict yet.
                    (false, _) => "—",
                    (true, true) => "hit 命中",
                    (true, false) => "miss 未命中",
                }
            )?;
        }
    }
    Ok(())
}
