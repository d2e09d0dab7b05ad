//! `cogov run`: load → override → guard → simulate → write atomically → summarise, one
//! pipeline for every model (`run::Model`): the city, and the canonical games (`game.rs`
//! prints their summary).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{CliError, RunArgs};
use crate::output::records::summary_index;
use crate::output::{default_run_dir, write_csv, AtomicDir};
use crate::run::{Model, Outputs};
use crate::scenario::{self, AnyScenario, Scenario, DEFAULT_SCENARIO, MAX_TICKS};

/// Loads the scenario named on the command line (or the embedded default) with overrides.
pub fn load_scenario(
    path: Option<&Path>,
    seed: Option<u64>,
    ticks: Option<u32>,
    set: &[String],
) -> Result<Scenario, CliError> {
    let mut sc = match path {
        Some(p) => scenario::load_file(p),
        None => scenario::load_str(DEFAULT_SCENARIO, "<embedded default scenario>"),
    }
    .map_err(|e| CliError::Config(e.to_string()))?;
    configure(&mut sc, seed, ticks, set)?;
    for w in scenario::warnings(&sc) {
        eprintln!("warning: {w}");
    }
    Ok(sc)
}

/// Applies the command line's `--set`, `--seed` and `--ticks` to a scenario of any model.
fn configure<M: Model>(
    sc: &mut M,
    seed: Option<u64>,
    ticks: Option<u32>,
    set: &[String],
) -> Result<(), CliError> {
    scenario::apply_overrides(sc, set).map_err(|e| CliError::Config(e.to_string()))?;
    // The dedicated flags come after `--set`, so they win over `--set scenario.ticks=…` in any
    // order on the command line.
    let (sc_seed, sc_ticks) = sc.seed_and_ticks();
    if let Some(s) = seed {
        *sc_seed = s;
    }
    if let Some(t) = ticks {
        if t == 0 || t > MAX_TICKS {
            return Err(CliError::Config(format!(
                "--ticks: must be in 1..={MAX_TICKS}, got {t}"
            )));
        }
        *sc_ticks = t;
    }
    Ok(())
}

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let loaded = match args.scenario.as_deref() {
        Some(path) => scenario::load_any(path),
        None => scenario::load_str(DEFAULT_SCENARIO, "<embedded default scenario>")
            .map(AnyScenario::City),
    }
    .map_err(|e| CliError::Config(e.to_string()))?;
    match loaded {
        AnyScenario::City(mut sc) => {
            configure(&mut sc, args.seed, args.ticks, &args.set)?;
            for w in scenario::warnings(&sc) {
                eprintln!("warning: {w}");
            }
            super::memory::guard(&sc)?;
            run_model(&sc, args, |sc, _, outputs, dir, seconds| {
                print_summary(sc, &outputs.summary.rows[0], dir, seconds)?;
                for w in scenario_warnings(sc) {
                    eprintln!("warning: {w}");
                }
                Ok(())
            })
        }
        AnyScenario::Game(mut sc) => {
            configure(&mut sc, args.seed, args.ticks, &args.set)?;
            run_model(&sc, args, |sc, played, _, dir, seconds| {
                super::game::print_summary(sc, played, dir, seconds)
            })
        }
    }
}

/// The steps every model shares: choose and create the output directory, run with a progress
/// line, write the tables, the further files and the manifest, draw the charts, commit, and
/// `summarise` (unless `--quiet`).
fn run_model<M: Model>(
    sc: &M,
    args: &RunArgs,
    summarise: impl FnOnce(&M, &M::Output, &Outputs, &Path, f64) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let target: PathBuf = match &args.out {
        Some(o) => o.clone(),
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            default_run_dir(Path::new("runs"), sc.name(), now)
        }
    };
    let dir = AtomicDir::create(&target, args.force).map_err(output_error)?;

    let started = Instant::now();
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let step_name = sc.step_name();
    let result = sc
        .simulate(&mut |t, total| {
            if show_progress && (t % M::PROGRESS_EVERY == 0 || t == total) {
                eprint!(
                    "\r  {step_name} {t}/{total} ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
                if t == total {
                    eprintln!();
                }
            }
        })
        .map_err(CliError::Runtime)?;
    let elapsed = started.elapsed();

    let outputs = sc.outputs(&result).map_err(CliError::Runtime)?;
    for (name, table) in [
        ("timeseries.csv", &outputs.timeseries),
        ("summary.csv", &outputs.summary),
    ] {
        dir.write_file(name, |w| {
            write_csv(w, &table.columns, table.rows.iter().cloned())
        })
        .map_err(output_error)?;
    }
    for (name, text) in &outputs.files {
        dir.write_file(name, |w| std::io::Write::write_all(w, text.as_bytes()))
            .map_err(output_error)?;
    }
    dir.write_file("manifest.json", |w| sc.manifest().write(w))
        .map_err(output_error)?;
    if M::CHARTS && !args.no_charts {
        super::plot::draw_into_staging(&dir, args.quiet)?;
    }
    let written = dir.commit().map_err(output_error)?;

    if !args.quiet {
        summarise(sc, &result, &outputs, &written, elapsed.as_secs_f64())?;
    }
    Ok(())
}

/// What a scenario asks for that will not do what it seems to: levers that need another that
/// is off (MODEL §11.5), a warm-up as long as the run. Printed after a run that succeeded, so a
/// failure stays one line.
pub fn scenario_warnings(sc: &Scenario) -> Vec<String> {
    let mut out = sc.inert_lever_warnings();
    let warmup = sc.params.observation.warmup_ticks;
    if warmup >= sc.ticks {
        out.push(format!(
            "observation.warmup_ticks ({warmup}) is not shorter than the run ({} weeks): the summary covers the last week only / 预热期不短于模拟周数，汇总仅统计最后一周",
            sc.ticks
        ));
    }
    out
}

/// Output errors: the user's mistakes exit 2, failures of the machine exit 1.
pub fn output_error(e: crate::output::OutputError) -> CliError {
    if e.is_usage() {
        CliError::Config(e.to_string())
    } else {
        CliError::Runtime(e.to_string())
    }
}

fn print_summary(sc: &Scenario, summary: &[f64], dir: &Path, seconds: f64) -> Result<(), CliError> {
    let get = |name: &str| summary_index(name).map_or(0.0, |i| summary[i]);
    let title = if sc.title_en.is_empty() {
        sc.name.clone()
    } else {
        format!("{} / {}", sc.title_en, sc.title_zh)
    };
    outln!("{title}")?;
    outln!(
        "  {} residents, {} grids, {} weeks, seed {} — {:.2} s",
        get("residents") as u64,
        get("grids") as u64,
        sc.ticks,
        sc.seed,
        seconds
    )?;
    let start = get("window_start") as u32;
    if start > 1 {
        outln!(
            "  measured over weeks {start}–{} after a {}-week warm-up / 预热{}周后第{start}–{}周的测量窗口",
            sc.ticks,
            start - 1,
            start - 1,
            sc.ticks
        )?;
    }
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    outln!(
        "  resolution rate       解决率          {}",
        pct(get("resolution_rate"))
    )?;
    outln!(
        "  hotline resolution    热线口径解决率  {} (return visit after {} weeks / {}周后回访)",
        pct(get("hotline_resolution_rate")),
        sc.params.observation.return_visit_ticks,
        sc.params.observation.return_visit_ticks
    )?;
    outln!(
        "  small matters in village 小事不出村   {}",
        pct(get("fengqiao_village"))
    )?;
    outln!(
        "  big matters in town   大事不出镇      {}",
        pct(get("fengqiao_town"))
    )?;
    outln!(
        "  no passing upward     矛盾不上交      {}",
        pct(get("fengqiao_no_upward"))
    )?;
    outln!(
        "  resident trust        居民信任        {:.3}",
        get("resident_trust_final")
    )?;
    outln!(
        "  satisfaction          满意度          {:.3}",
        get("satisfaction_mean")
    )?;
    outln!(
        "  org. trust            组织间信任      {:.3}",
        get("org_trust_final")
    )?;
    outln!(
        "  major risk events     重大风险事件    {}",
        get("major_risks_total") as u64
    )?;
    outln!(
        "  total cost (eu)       总成本（人·周）  {:.0}",
        get("cost_total")
    )?;
    outln!("  output 输出: {}", dir.display())
}
