//! Running a validated scenario to completion: the pure bridge between `scenario` and `model`
//! that the CLI, benches and tests share. No I/O.
//!
//! `Model` is what one pipeline — load, override, run, write, summarise — needs of a model,
//! so the governance city (`Scenario`) and the canonical games (`GameScenario`) share the
//! loader's overrides, the manifest and `cogov run`'s writing instead of keeping a copy each.

use crate::games::play::{play, Played};
use crate::model::{Simulation, TickStats};
use crate::output::manifest::Manifest;
use crate::output::records::{
    summary_columns, summary_row, timeseries_columns, timeseries_row, Column, RunFacts,
};
use crate::scenario::{ConfigError, GameScenario, Scenario};

/// What the shared pipeline needs of a model: a scenario type that knows its seed and length,
/// takes `--set` overrides with the same checks as its file, records itself in a manifest
/// (read back by `scenario::load_any`) and runs to the tables of its output directory.
pub trait Model: Sized {
    /// What a finished run produced.
    type Output;
    /// The manifest's `kind` of a run of this model.
    const KIND: &'static str;
    /// Whether `cogov run` draws charts of the outputs.
    const CHARTS: bool;
    /// Steps between two progress lines.
    const PROGRESS_EVERY: u32;
    /// What one step is called in progress lines (`tick`, `generation`, `MCS`).
    fn step_name(&self) -> &'static str;
    /// The scenario's name (the default output directory's stem).
    fn name(&self) -> &str;
    /// The seed and the number of steps, which `--seed`, `--ticks` and `--set scenario.seed`,
    /// `--set scenario.ticks` change for every model alike.
    fn seed_and_ticks(&mut self) -> (&mut u64, &mut u32);
    /// One `--set KEY=VALUE` of a key of this model, with the checks of its file.
    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError>;
    /// What can only be checked once every override is in (the city's size).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
    /// The manifest that reproduces a run (`cogov run manifest.json`).
    fn manifest(&self) -> Manifest;
    /// Runs to completion, calling `on_step(step, steps)` after each step; `Err` is a runtime
    /// failure, one line.
    fn simulate(&self, on_step: &mut dyn FnMut(u32, u32)) -> Result<Self::Output, String>;
    /// The files of the output directory besides the manifest.
    fn outputs(&self, out: &Self::Output) -> Result<Outputs, String>;
}

/// One CSV table: its columns and rows.
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<f64>>,
}

/// What a run writes besides its manifest: `timeseries.csv`, the one-row `summary.csv`, and
/// further text files by name (a game's lattices).
pub struct Outputs {
    pub timeseries: Table,
    pub summary: Table,
    pub files: Vec<(&'static str, String)>,
}

impl Model for Scenario {
    type Output = RunResult;
    const KIND: &'static str = "run";
    const CHARTS: bool = true;
    const PROGRESS_EVERY: u32 = 10;

    fn step_name(&self) -> &'static str {
        "tick"
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn seed_and_ticks(&mut self) -> (&mut u64, &mut u32) {
        (&mut self.seed, &mut self.ticks)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        crate::scenario::set_param(self, key, value)
    }

    fn check(&self) -> Result<(), String> {
        crate::scenario::check_size(&self.params)?;
        crate::scenario::choices::check_choices(self).map_err(|m| format!("choices: {m}"))
    }

    fn manifest(&self) -> Manifest {
        Scenario::manifest(self, Self::KIND)
    }

    fn simulate(&self, on_step: &mut dyn FnMut(u32, u32)) -> Result<RunResult, String> {
        simulate_checked(self, on_step).map_err(|e| e.message())
    }

    fn outputs(&self, result: &RunResult) -> Result<Outputs, String> {
        let summary = summary_row(&result.series, &result.facts);
        check_summary(self, &summary).map_err(|e| e.message())?;
        Ok(Outputs {
            timeseries: Table {
                columns: timeseries_columns(),
                rows: result.series.iter().map(timeseries_row).collect(),
            },
            summary: Table {
                columns: summary_columns(),
                rows: vec![summary],
            },
            files: Vec::new(),
        })
    }
}

impl Model for GameScenario {
    type Output = Played;
    const KIND: &'static str = "game";
    const CHARTS: bool = false;
    const PROGRESS_EVERY: u32 = 100;

    fn step_name(&self) -> &'static str {
        self.spec.kind().step_name()
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn seed_and_ticks(&mut self) -> (&mut u64, &mut u32) {
        (&mut self.seed, &mut self.ticks)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        crate::scenario::game::set_key(self, key, value)
    }

    fn manifest(&self) -> Manifest {
        GameScenario::manifest(self)
    }

    fn simulate(&self, on_step: &mut dyn FnMut(u32, u32)) -> Result<Played, String> {
        Ok(play(&self.spec, self.seed, self.ticks, on_step))
    }

    fn outputs(&self, played: &Played) -> Result<Outputs, String> {
        use crate::output::games;
        let files = [
            (games::INITIAL_LATTICE_FILE, &played.initial),
            (games::FINAL_LATTICE_FILE, &played.last),
        ]
        .into_iter()
        .filter_map(|(name, l)| Some((name, l.as_ref()?.to_text())))
        .collect();
        Ok(Outputs {
            timeseries: Table {
                columns: games::timeseries_columns(played.kind),
                rows: games::timeseries_rows(played).collect(),
            },
            summary: Table {
                columns: games::summary_columns(played.kind),
                rows: vec![games::summary_row(played)],
            },
            files,
        })
    }
}

/// What a finished run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub series: Vec<TickStats>,
    pub facts: RunFacts,
}

/// The first value of a run that left finite arithmetic: no NaN or infinity reaches an output,
/// so the run stops there, and the refusal names what drove it (`message`).
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    /// The week, or `None` for the summary of finite weeks (a ratio of two sums).
    pub tick: Option<u32>,
    pub column: String,
    pub value: f64,
    /// `key = value` of every parameter away from its default, and `key (week N)` of every
    /// intervention applied so far: the only candidates, since the defaults stay finite.
    pub suspects: Vec<String>,
}

impl NonFinite {
    pub fn new(sc: &Scenario, tick: Option<u32>, column: &str, value: f64) -> NonFinite {
        let mut suspects: Vec<String> = crate::scenario::changed_params(&sc.params)
            .into_iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        for i in &sc.interventions {
            let i = &i.intervention;
            if tick.map_or(true, |t| i.tick <= t) {
                suspects.extend(
                    i.changes
                        .iter()
                        .map(|(k, v)| format!("{k} = {v} (week {})", i.tick)),
                );
            }
        }
        NonFinite {
            tick,
            column: column.to_string(),
            value,
            suspects,
        }
    }

    /// One line for the user: where, what, and which parameters to look at.
    pub fn message(&self) -> String {
        let at = match self.tick {
            Some(t) => format!("week {t}"),
            None => "the summary".into(),
        };
        let driven = if self.suspects.is_empty() {
            "with every parameter at its default; this is a bug, please report it".to_string()
        } else {
            format!(
                "driven by the parameters away from their defaults: {}; bring them back toward their defaults (see `cogov params`)",
                self.suspects.join(", ")
            )
        };
        format!(
            "{at}: the simulation left finite arithmetic ({} = {}), {driven}",
            self.column, self.value
        )
    }

    /// The short form for a sweep journal's `error` cell (the point's values are in its row).
    pub fn short(&self) -> String {
        match self.tick {
            Some(t) => format!("week {t}: non-finite {}", self.column),
            None => format!("non-finite {}", self.column),
        }
    }
}

/// Runs `sc` for its ticks, calling `on_tick` after each with (tick, total ticks).
pub fn simulate(sc: &Scenario, on_tick: impl FnMut(u32, u32)) -> RunResult {
    run_ticks(sc, on_tick, false).0
}

/// `simulate`, stopping at the first week with a non-finite value in its time-series row.
pub fn simulate_checked(
    sc: &Scenario,
    on_tick: impl FnMut(u32, u32),
) -> Result<RunResult, NonFinite> {
    match run_ticks(sc, on_tick, true) {
        (_, Some(e)) => Err(e),
        (r, None) => Ok(r),
    }
}

/// The loop of both: with `check`, each week's row is checked as it is made, and the run
/// stops at the first non-finite one (returned with the weeks so far).
fn run_ticks(
    sc: &Scenario,
    mut on_tick: impl FnMut(u32, u32),
    check: bool,
) -> (RunResult, Option<NonFinite>) {
    let mut sim = Simulation::new(sc.params.clone(), sc.seed, sc.model_interventions());
    // `Model::check` has refused choices of organisations this city lacks.
    let choices = crate::scenario::choices::model_choices(sc, &sim.world);
    debug_assert!(choices.is_ok(), "{choices:?}");
    sim.choices = choices.unwrap_or_default();
    let initial_backlog = sim
        .world
        .districts
        .iter()
        .map(|d| d.issues.len() as u64)
        .sum::<u64>()
        + sim.world.city.issues.len() as u64;
    let facts = RunFacts {
        warmup: sc.params.observation.warmup_ticks,
        return_visit: sc.params.observation.return_visit_ticks,
        unsettleable: sc.params.observation.unsettleable_share,
        inflation: sc.params.observation.metric_inflation,
        inflation_from: sc.params.observation.metric_inflation_from_tick,
        cohort_horizon: sc.params.observation.cohort_horizon_ticks,
        residents: sim.world.resident_count(),
        grids: sim.world.n_grids,
        organisations: sim.world.n_orgs,
        initial_backlog,
    };
    let mut series = Vec::with_capacity(sc.ticks as usize);
    for t in 1..=sc.ticks {
        let stats = sim.step();
        let bad = check
            .then(|| first_non_finite(&timeseries_row(&stats)))
            .flatten();
        series.push(stats);
        if let Some((column, value)) = bad {
            let e = NonFinite::new(sc, Some(t), &column, value);
            return (RunResult { series, facts }, Some(e));
        }
        on_tick(t, sc.ticks);
    }
    (RunResult { series, facts }, None)
}

/// Refuses a summary row (`output::records::summary_row`) holding a non-finite value: the
/// weeks can all be finite and a ratio of their sums not.
pub fn check_summary(sc: &Scenario, summary: &[f64]) -> Result<(), NonFinite> {
    match summary.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(NonFinite::new(
            sc,
            None,
            &summary_columns()[i].name,
            summary[i],
        )),
        None => Ok(()),
    }
}

/// The column and value of the first non-finite entry of a time-series row.
pub fn first_non_finite(row: &[f64]) -> Option<(String, f64)> {
    let i = row.iter().position(|x| !x.is_finite())?;
    Some((timeseries_columns()[i].name.clone(), row[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_non_finite_value_is_named_with_the_changed_parameters() {
        let mut row = vec![1.0; timeseries_columns().len()];
        assert_eq!(first_non_finite(&row), None);
        row[3] = f64::INFINITY;
        row[5] = f64::NAN;
        let (column, value) = first_non_finite(&row).unwrap();
        assert_eq!(column, timeseries_columns()[3].name);
        assert_eq!(value, f64::INFINITY);

        let mut sc = Scenario::default();
        let e = NonFinite::new(&sc, Some(7), "cost_transaction", f64::INFINITY).message();
        assert!(
            e.starts_with("week 7: ") && e.contains("cost_transaction = inf"),
            "{e}"
        );
        assert!(e.contains("every parameter at its default"), "{e}");
        crate::scenario::apply_overrides(
            &mut sc,
            &["issues.severity_growth=1", "issues.max_age_ticks=1040"],
        )
        .unwrap();
        let e = NonFinite::new(&sc, None, "cost_total", f64::NAN).message();
        assert!(
            e.starts_with("the summary: ")
                && e.contains("issues.severity_growth = 1, issues.max_age_ticks = 1040;"),
            "{e}"
        );
    }
}
