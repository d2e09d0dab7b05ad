//! Running a validated scenario to completion: the pure bridge between `scenario` and `model`
//! that the CLI, benches and tests share. No I/O.

use crate::model::{Simulation, TickStats};
use crate::output::records::RunFacts;
use crate::scenario::Scenario;

/// What a finished run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub series: Vec<TickStats>,
    pub facts: RunFacts,
}

/// Runs `sc` for its ticks, calling `on_tick` after each with (tick, total ticks).
pub fn simulate(sc: &Scenario, mut on_tick: impl FnMut(u32, u32)) -> RunResult {
    let mut sim = Simulation::new(sc.params.clone(), sc.seed, sc.model_interventions());
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
        residents: sim.world.resident_count(),
        grids: sim.world.n_grids,
        organisations: sim.world.n_orgs,
        initial_backlog,
    };
    let mut series = Vec::with_capacity(sc.ticks as usize);
    for t in 1..=sc.ticks {
        series.push(sim.step());
        on_tick(t, sc.ticks);
    }
    RunResult { series, facts }
}
