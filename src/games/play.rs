//! Running a `GameSpec` for a number of steps: the pure bridge between a game scenario and the
//! game engines that the CLI, `cogov validate` and the tests share. No I/O.

use super::lattice::Lattice;
use super::nowak_may::NowakMay;
use super::spatial_pgg::SpatialPgg;
use super::well_mixed::{integrate_mean_field, WellMixed};
use super::{GameKind, GameSpec};

/// The state after one step (step 0 is the initial state).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepRecord {
    pub step: u32,
    pub cooperators: u64,
    pub fraction: f64,
    /// The mean-field (replicator) share at this step, for the well-mixed game.
    pub mean_field: Option<f64>,
}

/// What a finished game produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    pub kind: GameKind,
    pub players: u64,
    /// Steps 0..=steps.
    pub series: Vec<StepRecord>,
    /// Initial and final lattice of a lattice game.
    pub initial: Option<Lattice>,
    pub last: Option<Lattice>,
}

/// Runs `spec` from `seed` for `steps` steps, calling `on_step(step, steps)` after each. Once
/// only one strategy is left the state can never change again, so the remaining steps are
/// recorded without being simulated (same output, less time).
pub fn play(spec: &GameSpec, seed: u64, steps: u32, mut on_step: impl FnMut(u32, u32)) -> Played {
    let players = spec.players() as u64;
    let record = |step, cooperators: usize, mean_field| StepRecord {
        step,
        cooperators: cooperators as u64,
        fraction: cooperators as f64 / players as f64,
        mean_field,
    };
    let mut series = Vec::with_capacity(steps as usize + 1);
    match spec {
        GameSpec::NowakMay { side, b, p0, init } => {
            let start = init
                .clone()
                .unwrap_or_else(|| NowakMay::initial_lattice(*side, *p0, seed));
            let mut nm = NowakMay::new(start.clone(), *b);
            series.push(record(0, nm.cooperators(), None));
            for t in 1..=steps {
                let absorbed = nm.cooperators() == 0 || nm.cooperators() as u64 == players;
                if !absorbed {
                    nm.step();
                }
                series.push(record(t, nm.cooperators(), None));
                on_step(t, steps);
            }
            Played {
                kind: GameKind::NowakMay,
                players,
                series,
                initial: Some(start),
                last: Some(nm.lattice()),
            }
        }
        GameSpec::SpatialPgg {
            side,
            params,
            p0,
            init,
        } => {
            let start = init
                .clone()
                .unwrap_or_else(|| SpatialPgg::initial_lattice(*side, *p0, seed));
            let mut g = SpatialPgg::new(start.clone(), *params, seed);
            series.push(record(0, g.cooperators(), None));
            for t in 1..=steps {
                if !g.absorbed() {
                    g.step();
                }
                series.push(record(t, g.cooperators(), None));
                on_step(t, steps);
            }
            Played {
                kind: GameKind::SpatialPgg,
                players,
                series,
                initial: Some(start),
                last: Some(g.lattice()),
            }
        }
        GameSpec::WellMixed { params, p0 } => {
            let mut g = WellMixed::new(*params, *p0, seed);
            let ode = integrate_mean_field(g.tables(), g.cooperator_fraction(), steps);
            series.push(record(0, g.cooperators(), Some(ode[0])));
            for t in 1..=steps {
                if !g.absorbed() {
                    g.step();
                }
                series.push(record(t, g.cooperators(), Some(ode[t as usize])));
                on_step(t, steps);
            }
            Played {
                kind: GameKind::WellMixed,
                players,
                series,
                initial: None,
                last: None,
            }
        }
    }
}
