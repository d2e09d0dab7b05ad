//! `cogov validate [--quick] [--out DIR]`: run the docking checks, print the table, optionally
//! save it as `DIR/validation.csv` (with a `manifest.json` saying what it is), and fail
//! (exit 1) when any check fails.

use std::path::PathBuf;
use std::time::Instant;

use super::run::output_error;
use super::CliError;
use crate::output::validation::{validation_manifest, write_validation_csv};
use crate::output::AtomicDir;
use crate::validate::{self, Event, Mode};

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Small lattices and points away from the thresholds (under a minute); the default runs
    /// the full checks and locates both public goods thresholds, which takes many minutes
    /// （快速模式：小格子、远离阈值，一分钟内完成；默认完整模式需较长时间）
    #[arg(long)]
    pub quick: bool,
    /// Also write the table to DIR/validation.csv （同时把结果表写入 DIR/validation.csv）
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the output directory if it exists （覆盖已存在的输出目录）
    #[arg(long)]
    pub force: bool,
    /// Print only the table, no progress （只输出结果表，不显示进度）
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn validate(args: &ValidateArgs) -> Result<(), CliError> {
    let mode = if args.quick { Mode::Quick } else { Mode::Full };
    // Refuse an unusable --out before spending minutes on the checks.
    let dir = match &args.out {
        Some(o) => Some(AtomicDir::create(o, args.force).map_err(output_error)?),
        None => None,
    };
    let started = Instant::now();
    let total = validate::check_ids(mode).len();
    let mut done = 0;
    let results = validate::run(mode, |event| {
        if args.quiet {
            return;
        }
        let at = started.elapsed().as_secs_f64();
        match event {
            Event::Started(id) => {
                done += 1;
                eprintln!("  [{done}/{total}] {id} ({at:.1} s)");
            }
            Event::Note(text) => eprintln!("        {text} ({at:.1} s)"),
        }
    });
    let seconds = started.elapsed().as_secs_f64();

    out!("{}", validate::table(&results))?;
    for r in results.iter().filter(|r| !r.notes.is_empty()) {
        outln!("{}:", r.id)?;
        for n in &r.notes {
            outln!("  {n}")?;
        }
    }
    let failed = results.iter().filter(|r| r.fails_run()).count();
    let known = results
        .iter()
        .filter(|r| r.known.is_some() && !r.pass)
        .count();
    for r in results.iter().filter(|r| r.known.is_some()) {
        outln!(
            "{} (known disagreement): {}",
            r.id,
            r.known.unwrap_or_default()
        )?;
    }
    outln!(
        "{} mode: {} checks, {} passed, {known} known disagreements (docs/VALIDATION.md), {failed} failed, {seconds:.1} s",
        if args.quick { "quick" } else { "full" },
        results.len(),
        results.len() - failed - known
    )?;
    if let Some(dir) = dir {
        dir.write_file("validation.csv", |w| write_validation_csv(w, &results))
            .map_err(output_error)?;
        dir.write_file("manifest.json", |w| {
            validation_manifest(args.quick).write(w)
        })
        .map_err(output_error)?;
        let written = dir.commit().map_err(output_error)?;
        outln!("output 输出: {}", written.display())?;
    }
    if failed > 0 {
        return Err(CliError::Runtime(format!(
            "{failed} of {} docking checks failed",
            results.len()
        )));
    }
    Ok(())
}
