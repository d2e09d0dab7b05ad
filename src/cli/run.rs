//! `cogov run`: load → override → guard → simulate → write atomically → summarise, one
//! pipeline for every model (`run::Model`): the city, and the canonical games (`game.rs`
//! prints their summary).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::params::{pad, Lang};
use super::{CliError, RunArgs};
use crate::charts::labels::Lang as ChartLang;
use crate::output::records::{summary_columns, summary_index};
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
    check_set_syntax(set)?;
    let mut sc = match path {
        Some(p) => scenario::load_file(p),
        None => scenario::load_str(DEFAULT_SCENARIO, "<embedded default scenario>"),
    }
    .map_err(|e| CliError::Config(e.to_string()))?;
    configure(&mut sc, seed, ticks, set)?;
    for w in scenario::warnings(&sc)
        .into_iter()
        .chain(overridden_sets(&sc, set))
    {
        eprintln!("warning: {w}");
    }
    Ok(sc)
}

/// `--set KEY VALUE` leaves `KEY` without `=` and VALUE as the scenario's path: the hint about
/// the space comes before any complaint about that path.
fn check_set_syntax(set: &[String]) -> Result<(), CliError> {
    match set.iter().find(|a| !a.contains('=')) {
        Some(bad) => Err(CliError::Config(format!(
            "--set: {}",
            scenario::set_syntax_message(bad)
        ))),
        None => Ok(()),
    }
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

/// A `--set` of a key that one of the scenario's own interventions changes later: the flag
/// holds only until that week.
fn overridden_sets(sc: &Scenario, set: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in set {
        let Some((key, _)) = a.split_once('=') else {
            continue;
        };
        let key = key.trim();
        for (n, i) in sc.interventions.iter().enumerate() {
            let iv = &i.intervention;
            if iv.tick > sc.ticks {
                continue;
            }
            if let Some((_, v)) = iv.changes.iter().find(|(k, _)| k == key) {
                out.push(format!(
                    "--set {key} holds only until week {}: intervention {} of the scenario then sets it to {v} / 第{}周起情景自身的干预将{key}改为{v}，--set 的取值只在此前有效",
                    iv.tick,
                    n + 1,
                    iv.tick
                ));
            }
        }
    }
    out
}

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    check_set_syntax(&args.set)?;
    let loaded = match args.scenario.as_deref() {
        Some(path) => scenario::load_any(path),
        None => scenario::load_str(DEFAULT_SCENARIO, "<embedded default scenario>")
            .map(AnyScenario::City),
    }
    .map_err(|e| CliError::Config(e.to_string()))?;
    match loaded {
        AnyScenario::City(mut sc) => {
            configure(&mut sc, args.seed, args.ticks, &args.set)?;
            for w in scenario::warnings(&sc)
                .into_iter()
                .chain(overridden_sets(&sc, &args.set))
            {
                eprintln!("warning: {w}");
            }
            super::memory::guard(&sc)?;
            run_model(&sc, args, |sc, _, outputs, dir, seconds| {
                print_summary(sc, &outputs.summary.rows[0], dir, seconds, args.lang)?;
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

/// The headline metrics `cogov run` prints and `cogov compare` compares: (summary column,
/// English, Chinese with its unit). 矛盾不出区县 counts issues that never reached the city;
/// whether conflicts are passed up shows in skip-level petitions, listed beside it.
pub const HEADLINE: [(&str, &str, &str); 13] = [
    (
        "cohort_resolution_rate",
        "resolved within horizon",
        "跟踪期内解决率",
    ),
    ("resolution_rate", "resolution rate (window)", "窗口解决率"),
    (
        "hotline_resolution_rate",
        "hotline resolution",
        "热线口径解决率",
    ),
    ("fengqiao_village", "small matters in village", "小事不出村"),
    ("fengqiao_town", "big matters in town", "大事不出镇"),
    (
        "fengqiao_no_upward",
        "stays in the district",
        "矛盾不出区县",
    ),
    (
        "petitions_total",
        "skip-level petitions (issues)",
        "越级上访（件）",
    ),
    ("resident_trust_final", "resident trust", "居民信任"),
    ("satisfaction_mean", "satisfaction", "满意度"),
    ("org_trust_final", "org. trust", "组织间信任"),
    ("substantive_share", "substantive work", "实质履职比例"),
    (
        "major_risks_total",
        "major risk events",
        "重大风险事件（次）",
    ),
    ("cost_total", "total cost (eu)", "总成本（人·周）"),
];

/// A headline label in `lang`, padded to one column width.
pub fn headline_label(en: &str, zh: &str, lang: Lang) -> String {
    match lang {
        Lang::En => pad(en, 30),
        Lang::Zh => pad(zh, 20),
        Lang::Both => format!("{}{}", pad(en, 30), pad(zh, 20)),
    }
}

fn print_summary(
    sc: &Scenario,
    summary: &[f64],
    dir: &Path,
    seconds: f64,
    lang: Lang,
) -> Result<(), CliError> {
    let get = |name: &str| summary_index(name).map_or(0.0, |i| summary[i]);
    let title = match lang {
        _ if sc.title_en.is_empty() && sc.title_zh.is_empty() => sc.name.clone(),
        Lang::Both => format!("{} / {}", sc.title_en, sc.title_zh),
        one => crate::charts::labels::either(
            one.chart(ChartLang::En),
            &sc.title_en,
            &sc.title_zh,
            &sc.name,
        )
        .to_string(),
    };
    outln!("{title}")?;
    let (residents, grids) = (get("residents") as u64, get("grids") as u64);
    let (ticks, seed) = (sc.ticks, sc.seed);
    outln!(
        "  {}",
        match lang {
            Lang::Zh => format!(
                "居民{residents}人，网格{grids}个，模拟{ticks}周，随机种子{seed}，用时{seconds:.2}秒"
            ),
            _ => format!(
                "{residents} residents, {grids} grids, {ticks} weeks, seed {seed} — {seconds:.2} s"
            ),
        }
    )?;
    let start = get("window_start") as u32;
    if start > 1 {
        let warm = start - 1;
        let en = format!("measured over weeks {start}–{ticks} after a {warm}-week warm-up");
        let zh = format!("预热{warm}周后第{start}–{ticks}周的测量窗口");
        let line = match lang {
            Lang::En => en,
            Lang::Zh => zh,
            Lang::Both => format!("{en} / {zh}"),
        };
        outln!("  {line}")?;
    }
    let visit = sc.params.observation.return_visit_ticks;
    let horizon = sc.params.observation.cohort_horizon_ticks;
    for (column, en, zh) in HEADLINE {
        let mut value = headline_value(column, get(column));
        let note = match column {
            "hotline_resolution_rate" => Some((
                format!("return visit after {visit} weeks"),
                format!("{visit}周后回访"),
            )),
            "cohort_resolution_rate" if get("cohort_arrivals") == 0.0 => Some((
                format!("no arrivals can be followed {horizon} weeks inside the window"),
                format!("窗口内没有可跟踪{horizon}周的新发事项"),
            )),
            "cohort_resolution_rate" => Some((
                format!("window's arrivals followed {horizon} weeks"),
                format!("窗口内新发事项跟踪{horizon}周"),
            )),
            _ => None,
        };
        if let Some((en, zh)) = note {
            value += &match lang {
                Lang::Zh => format!("（{zh}）"),
                Lang::En => format!(" ({en})"),
                Lang::Both => format!(" ({en} / {zh})"),
            };
        }
        outln!("  {}{value}", headline_label(en, zh, lang))?;
    }
    outln!(
        "  {}{}",
        headline_label("output", "输出", lang),
        dir.display()
    )
}

/// A headline value as printed: shares as percentages, counts whole, indices to 3 places,
/// effort to whole person-weeks.
pub fn headline_value(column: &str, x: f64) -> String {
    let unit = summary_columns()
        .into_iter()
        .find(|c| c.name == column)
        .map_or("", |c| c.unit);
    match unit {
        "share" => format!("{:.1}%", 100.0 * x),
        "0..1" => format!("{x:.3}"),
        "effort units" => format!("{x:.0}"),
        _ => format!("{}", x as u64),
    }
}
