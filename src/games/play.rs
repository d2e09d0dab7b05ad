//! Running a `GameSpec` for a number of steps: the pure bridge between a game scenario and the
//! game engines that the CLI, `cogov validate` and the tests share. No I/O.

use super::bush_mosteller_pd::Pair;
use super::conditional_pgg::{self, Session};
use super::lattice::Lattice;
use super::logit_game::{self, Population};
use super::nowak_may::NowakMay;
use super::spatial_pgg::SpatialPgg;
use super::well_mixed::{integrate_mean_field, WellMixed};
use super::{GameKind, GameSpec, KernelFns};

/// The state after one step: for the imitation games step 0 is the initial state; the games of
/// the city's decision rule record rounds 1, 2, … (what was chosen in each round).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepRecord {
    pub step: u32,
    /// Cooperators after the step, or members who contributed (cooperated) in the round.
    pub cooperators: u64,
    pub fraction: f64,
    /// The mean-field share at this step: the replicator equation of the well-mixed game, the
    /// mean-field contribution rate of the logit and conditional games.
    pub mean_field: Option<f64>,
    /// Mean belief held when deciding (logit and conditional games).
    pub belief: Option<f64>,
    /// Mean realised public good Q of a group (logit games).
    pub public_good: Option<f64>,
    /// Mean probability of cooperating when choosing (Bush–Mosteller).
    pub p_cooperate: Option<f64>,
    /// Share of pairs that both cooperated (Bush–Mosteller).
    pub mutual: Option<f64>,
    /// Conditional cooperators' contribution minus their belief (conditional game, types).
    pub cc_gap: Option<f64>,
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
    /// The logit equilibrium the start belief leads to (logit games).
    pub equilibrium: Option<f64>,
    /// Share of pairs with both players' probability of cooperating above
    /// [`LOCKED_IN`] after the last round (Bush–Mosteller).
    pub locked_in: Option<f64>,
}

/// Probability of cooperating above which a Bush–Mosteller pair counts as locked in (the
/// threshold of `validate::city_rule::bm_lock_in_check`).
pub const LOCKED_IN: f64 = 0.99;

impl Played {
    fn new(kind: GameKind, players: u64, series: Vec<StepRecord>) -> Played {
        Played {
            kind,
            players,
            series,
            initial: None,
            last: None,
            equilibrium: None,
            locked_in: None,
        }
    }
}

/// Runs `spec` from `seed` for `steps` steps, calling `on_step(step, steps)` after each. Once
/// only one strategy is left in an imitation game the state can never change again, so the
/// remaining steps are recorded without being simulated (same output, less time). The games of
/// the city's decision rule play with the city's own kernel functions (`KernelFns::CITY`).
pub fn play(spec: &GameSpec, seed: u64, steps: u32, mut on_step: impl FnMut(u32, u32)) -> Played {
    let players = spec.players() as u64;
    let record = |step, cooperators: usize, mean_field| StepRecord {
        step,
        cooperators: cooperators as u64,
        fraction: cooperators as f64 / players as f64,
        mean_field,
        ..StepRecord::default()
    };
    let k = &KernelFns::CITY;
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
                initial: Some(start),
                last: Some(nm.lattice()),
                ..Played::new(GameKind::NowakMay, players, series)
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
                initial: Some(start),
                last: Some(g.lattice()),
                ..Played::new(GameKind::SpatialPgg, players, series)
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
            Played::new(GameKind::WellMixed, players, series)
        }
        GameSpec::Logit(s) => {
            let game = s.game();
            let mut population =
                Population::new(&game, k, s.agents, s.belief_rate, s.start_belief, seed);
            let mean_field = logit_game::mean_field(&game, k, s.belief_rate, s.start_belief, steps);
            for t in 1..=steps {
                let r = population.step();
                series.push(StepRecord {
                    belief: Some(r.belief),
                    public_good: Some(r.public_good / population.groups() as f64),
                    ..record(t, r.contributors, Some(mean_field[t as usize - 1]))
                });
                on_step(t, steps);
            }
            Played {
                equilibrium: Some(logit_game::equilibrium_from(&game, k, s.start_belief)),
                ..Played::new(spec.kind(), players, series)
            }
        }
        GameSpec::BushMosteller(s) => {
            let l = &s.learning;
            let mut pairs: Vec<Pair> = (0..s.pairs as u64).map(|i| Pair::new(l, seed, i)).collect();
            for t in 1..=steps {
                let (mut cooperators, mut mutual, mut p_sum) = (0, 0, 0.0);
                for pair in &mut pairs {
                    let r = pair.step(l, k);
                    cooperators += r.cooperated.iter().filter(|c| **c).count();
                    mutual += usize::from(r.cooperated[0] && r.cooperated[1]);
                    p_sum += r.p[0] + r.p[1];
                }
                series.push(StepRecord {
                    p_cooperate: Some(p_sum / players as f64),
                    mutual: Some(mutual as f64 / s.pairs as f64),
                    ..record(t, cooperators, None)
                });
                on_step(t, steps);
            }
            let locked = pairs
                .iter()
                .filter(|pair| {
                    pair.cooperation_probabilities(l, k)
                        .iter()
                        .all(|p| *p > LOCKED_IN)
                })
                .count();
            Played {
                locked_in: Some(locked as f64 / s.pairs as f64),
                ..Played::new(GameKind::BushMosteller, players, series)
            }
        }
        GameSpec::ConditionalPgg(s) => {
            let (game, play) = (s.game(), s.play(steps));
            let mut session = Session::new(&game, k, &play, seed);
            let mean_field = conditional_pgg::mean_field(&game, k, session.members(), &play);
            for t in 1..=steps {
                let r = session.step();
                series.push(StepRecord {
                    belief: Some(r.belief),
                    cc_gap: (s.population == conditional_pgg::Population::Types)
                        .then_some(r.cc_gap),
                    ..record(t, r.contributors, Some(mean_field[t as usize - 1]))
                });
                on_step(t, steps);
            }
            Played::new(GameKind::ConditionalPgg, players, series)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::games::bush_mosteller_pd::{self as bm, PairsSpec};
    use crate::games::conditional_pgg::{ConditionalSpec, Population as Members};
    use crate::games::logit_game::{Good, LogitSpec, Play};

    /// A scenario run with seed `s` is the docking check's replication `s`: the same steppers,
    /// the same streams (so `cogov run` of a validation file repeats what `cogov validate` saw).
    #[test]
    fn a_scenario_run_is_the_checks_replication_of_its_seed() {
        let k = &KernelFns::CITY;
        let spec = LogitSpec {
            n: 3,
            good: Good::WeakestLink {
                benefit: 4.0,
                cost: 1.0,
            },
            beta: 0.5,
            agents: 60,
            belief_rate: 0.05,
            start_belief: 0.6,
        };
        let played = play(&GameSpec::Logit(spec), 7, 40, |_, _| {});
        let play_all = Play {
            agents: 60,
            rounds: 40,
            window: 40,
            belief_rate: 0.05,
            start_belief: 0.6,
        };
        let checked = logit_game::simulate(&spec.game(), k, &play_all, 7);
        let total: u64 = played.series.iter().map(|r| r.cooperators).sum();
        assert_eq!(total as f64 / (40.0 * 60.0), checked.contribution);

        let learning = bm::Learning {
            dilemma: bm::Dilemma::PD,
            rule: bm::Rule::CityHabits,
            rate: 0.1,
            aspiration: 2.0,
            habituation: 0.0,
            forgetting: 0.1,
        };
        let spec = PairsSpec { learning, pairs: 1 };
        let played = play(&GameSpec::BushMosteller(spec), 5, 300, |_, _| {});
        let checked = bm::play(&learning, k, 300, (0, 300), 5);
        let mutual: f64 = played.series.iter().filter_map(|r| r.mutual).sum();
        let p: f64 = played.series.iter().filter_map(|r| r.p_cooperate).sum();
        assert_eq!(mutual / 300.0, checked.mutual_cooperation);
        assert_eq!(p / 300.0, checked.mean_p);

        let spec = ConditionalSpec {
            agents: 400,
            ..ConditionalSpec::city(Members::Types)
        };
        let played = play(&GameSpec::ConditionalPgg(spec), 3, 10, |_, _| {});
        let checked = conditional_pgg::play(&spec.game(), k, &spec.play(10), 3);
        let fractions: Vec<f64> = played.series.iter().map(|r| r.fraction).collect();
        assert_eq!(fractions, checked.contribution);
        let beliefs: Vec<f64> = played.series.iter().filter_map(|r| r.belief).collect();
        assert_eq!(beliefs, checked.belief);
    }
}
