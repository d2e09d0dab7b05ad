//! `cogov run` on a game scenario (a file with a `[game]` table, or a game run's manifest):
//! load → override → play → write atomically → summarise. `run.rs` sends such files here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::run::output_error;
use super::{CliError, RunArgs};
use crate::games::play::{play, Played};
use crate::games::GameKind;
use crate::output::games::{
    manifest_json, second_half_mean, summary_columns, summary_row, timeseries_columns,
    timeseries_rows, FINAL_LATTICE_FILE, INITIAL_LATTICE_FILE,
};
use crate::output::{default_run_dir, write_csv, write_json, AtomicDir};
use crate::scenario::game::{self, GameScenario};
use crate::scenario::MAX_TICKS;

/// Loads a game scenario with the command line's overrides.
pub fn load(path: &Path, args: &RunArgs) -> Result<GameScenario, CliError> {
    let config = |e: crate::scenario::ConfigError| CliError::Config(e.to_string());
    let mut sc = game::load_file(path).map_err(config)?;
    if let Some(s) = args.seed {
        sc.seed = s;
    }
    if let Some(t) = args.ticks {
        if t == 0 || t > MAX_TICKS {
            return Err(CliError::Config(format!(
                "--ticks: must be in 1..={MAX_TICKS}, got {t}"
            )));
        }
        sc.ticks = t;
    }
    for s in &args.set {
        game::apply_override(&mut sc, s).map_err(config)?;
    }
    Ok(sc)
}

pub fn run(path: &Path, args: &RunArgs) -> Result<(), CliError> {
    let sc = load(path, args)?;
    let target: PathBuf = match &args.out {
        Some(o) => o.clone(),
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            default_run_dir(Path::new("runs"), &sc.name, now)
        }
    };
    let dir = AtomicDir::create(&target, args.force).map_err(output_error)?;

    let started = Instant::now();
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let step_name = sc.spec.kind().step_name();
    let played = play(&sc.spec, sc.seed, sc.ticks, |t, total| {
        if show_progress && (t % 100 == 0 || t == total) {
            eprint!(
                "\r  {step_name} {t}/{total} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            if t == total {
                eprintln!();
            }
        }
    });
    let elapsed = started.elapsed();

    let kind = played.kind;
    dir.write_file("timeseries.csv", |w| {
        write_csv(w, &timeseries_columns(kind), timeseries_rows(&played))
    })
    .map_err(output_error)?;
    let summary = summary_row(&played);
    dir.write_file("summary.csv", |w| {
        write_csv(w, &summary_columns(kind), [summary.clone()])
    })
    .map_err(output_error)?;
    for (name, lattice) in [
        (INITIAL_LATTICE_FILE, &played.initial),
        (FINAL_LATTICE_FILE, &played.last),
    ] {
        if let Some(l) = lattice {
            dir.write_file(name, |w| w.write_all(l.to_text().as_bytes()))
                .map_err(output_error)?;
        }
    }
    dir.write_file("manifest.json", |w| write_json(w, &manifest_json(&sc)))
        .map_err(output_error)?;
    let written = dir.commit().map_err(output_error)?;

    if !args.quiet {
        print_summary(&sc, &played, &written, elapsed.as_secs_f64())?;
    }
    Ok(())
}

fn print_summary(
    sc: &GameScenario,
    played: &Played,
    dir: &Path,
    seconds: f64,
) -> Result<(), CliError> {
    let title = if sc.title_en.is_empty() {
        sc.name.clone()
    } else {
        format!("{} / {}", sc.title_en, sc.title_zh)
    };
    outln!("{title}")?;
    let kind = played.kind;
    let steps = match kind {
        GameKind::NowakMay => "generations",
        _ => "MCS",
    };
    outln!(
        "  {} ({} players), {} {steps}, seed {} — {:.2} s",
        kind.name(),
        played.players,
        sc.ticks,
        sc.seed,
        seconds
    )?;
    let last = played.series.last().map_or(0.0, |r| r.fraction);
    outln!("  final cooperator share    最终合作者比例  {last:.4}")?;
    outln!(
        "  mean over second half     后半程平均      {:.4}",
        second_half_mean(played)
    )?;
    if let Some(r) = played.series.iter().find(|r| r.cooperators == 0) {
        outln!("  cooperators died out at {} {}", kind.step_name(), r.step)?;
    }
    if let Some(r) = played
        .series
        .iter()
        .find(|r| r.cooperators == played.players)
    {
        outln!("  defectors died out at {} {}", kind.step_name(), r.step)?;
    }
    if let Some(m) = played.series.last().and_then(|r| r.mean_field) {
        let worst = played
            .series
            .iter()
            .filter_map(|r| r.mean_field.map(|x| (r.fraction - x).abs()))
            .fold(0.0, f64::max);
        outln!("  mean-field share          平均场比例      {m:.4} (max |deviation| {worst:.4})")?;
    }
    outln!("  output 输出: {}", dir.display())
}
