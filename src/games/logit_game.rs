//! Symmetric N-player binary public-good games played with the city's own decision rule:
//! the docking ground for the logit choice of MODEL §4.2 (issue 13, games 1 and 2).
//!
//! A member either contributes (the kernel's `Substantive`) or keeps (`Shirk`). Its utility is
//! the city's: `U(contribute) = benefit · Π_i − cost`, where `Π_i` is `kernel::pivotality` of a
//! member whose partners each contribute with the probability it believes, and `U(keep) = 0`;
//! it chooses with `kernel::logit_probabilities` and `kernel::draw_action`. `benefit` is the
//! value to the member of the whole public good `Q ∈ [0, 1]` (the city's `value_per_progress`
//! scaled by the member's share), `cost` the cost of its input (the city's `1 + τ`).
//!
//! - `r = 1` (the city's ordinary issue): `Π_i = 1/n` whatever the partners do, so the logit
//!   equilibrium is a dominant-strategy one; with `benefit = n · mpcr · (1 + α(n − 1))` it is
//!   the linear public goods game with altruism `α` of Anderson, Goeree & Holt (1998).
//! - `r < 0` (cross-domain complements): `Π_i = Π_{j≠i} p_j`, the binary weakest-link game,
//!   whose symmetric logit equilibria solve `p = L((benefit · p^{n−1} − cost)/β)`.
//!
//! Beliefs are learned from observed contribution rates with `kernel::update_trust` at equal
//! gain and loss rates (exponentially weighted fictitious play), with no habits, so that the
//! population settles on logit equilibria (Hofbauer & Sandholm 2002). The realised public good
//! of each group is `kernel::ces_aggregate`.
//!
//! Left out on purpose: the city's third action (symbolic work) is not offered (its utility is
//! −∞, so the kernel gives it probability 0), and so are habits, sanctions, congestion and
//! trust × reputation; `docs/VALIDATION.md` lists what remains undocked.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::{below, unit_interval, KernelFns, LOGIT_GAME_UNIT};
use crate::model::rng::{stream, Purpose};

/// Largest group the game plays (fixed-size arrays keep the inner loop free of allocation).
pub const MAX_GROUP: usize = 16;

/// Utility that keeps an action out of the choice: the kernel's logit gives it weight 0.
const NOT_OFFERED: f64 = f64::NEG_INFINITY;

/// A symmetric binary public-good game and the noise of the logit choice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BinaryGame {
    /// Group size n (2..=MAX_GROUP).
    pub n: usize,
    /// CES exponent of the public good: 1 linear, < 0 complements (weakest link).
    pub r: f64,
    /// Value to a member of the whole public good Q = 1.
    pub benefit: f64,
    /// Cost of contributing.
    pub cost: f64,
    /// Logit temperature β (the city's `behaviour.choice_temperature`).
    pub beta: f64,
}

impl BinaryGame {
    /// The linear public goods game with altruism α: each contribution returns `mpcr` to every
    /// member, and a member values the others' earnings at α times its own.
    pub fn linear_with_altruism(n: usize, mpcr: f64, altruism: f64, beta: f64) -> BinaryGame {
        BinaryGame {
            n,
            r: 1.0,
            benefit: n as f64 * mpcr * (1.0 + altruism * (n as f64 - 1.0)),
            cost: 1.0,
            beta,
        }
    }

    /// Equal shares: every member's input is 1/n of the good.
    fn shares(&self) -> [f64; MAX_GROUP] {
        [1.0 / self.n as f64; MAX_GROUP]
    }

    /// Choice probabilities of a member who believes each partner contributes with probability
    /// `belief`: the kernel's pivotality inside the kernel's logit, as `collaboration::decide`
    /// computes them (no habits).
    pub fn choice(&self, k: &KernelFns, belief: f64) -> [f64; N_ACTIONS] {
        let n = self.n;
        let p = [belief; MAX_GROUP];
        let pi = (k.pivotality)(&self.shares()[..n], &p[..n], 0, self.r);
        let utilities = [self.benefit * pi - self.cost, NOT_OFFERED, 0.0];
        (k.logit_probabilities)(&utilities, &[0.0; N_ACTIONS], self.beta)
    }

    /// Probability of contributing at `belief`: the response whose fixed points are the
    /// symmetric logit equilibria.
    pub fn response(&self, k: &KernelFns, belief: f64) -> f64 {
        self.choice(k, belief)[Action::Substantive.index()]
    }
}

/// A fixed point of a response function and whether it attracts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedPoint {
    pub p: f64,
    /// True when the response crosses the diagonal from above (slope below 1): it attracts.
    pub stable: bool,
}

/// Every fixed point `p = response(p)` in [0, 1]: sign changes of `response(p) − p` on a grid
/// of 20,000 cells, each refined by bisection. A logit response is strictly inside (0, 1), so
/// `response − p` is positive at 0 and negative at 1 and there is at least one.
pub fn fixed_points(response: impl Fn(f64) -> f64) -> Vec<FixedPoint> {
    const CELLS: usize = 20_000;
    let g = |p: f64| response(p) - p;
    let mut out = Vec::new();
    let mut lo = 0.0;
    let mut g_lo = g(lo);
    for c in 1..=CELLS {
        let hi = c as f64 / CELLS as f64;
        let g_hi = g(hi);
        if g_hi == 0.0 || ((g_lo > 0.0) != (g_hi > 0.0) && g_lo != 0.0) {
            let (mut a, mut b) = (lo, hi);
            for _ in 0..60 {
                let m = 0.5 * (a + b);
                if (g(m) > 0.0) == (g_lo > 0.0) {
                    a = m;
                } else {
                    b = m;
                }
            }
            out.push(FixedPoint {
                p: 0.5 * (a + b),
                stable: g_lo > 0.0,
            });
        }
        lo = hi;
        g_lo = g_hi;
    }
    out
}

/// How a population plays the game.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Play {
    /// Agents (a multiple of the group size), rematched into random groups every round.
    pub agents: usize,
    pub rounds: u32,
    /// The last `window` rounds are averaged.
    pub window: u32,
    /// Rate at which a belief moves toward the partners' observed contribution rate.
    pub belief_rate: f64,
    /// Every agent's belief at the start.
    pub start_belief: f64,
}

/// What a population did over the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Played {
    /// Mean share of agents contributing.
    pub contribution: f64,
    /// Mean realised public good Q of a group (`ces_aggregate` of its inputs).
    pub public_good: f64,
    /// Mean belief at the end.
    pub belief: f64,
}

/// Plays `play.rounds` rounds from `seed`. Each round draws one stream: first the random
/// matching (a Fisher–Yates shuffle), then one uniform per agent in group order.
pub fn simulate(game: &BinaryGame, k: &KernelFns, play: &Play, seed: u64) -> Played {
    let n = game.n;
    debug_assert!((2..=MAX_GROUP).contains(&n) && play.agents % n == 0);
    let shares = game.shares();
    let mut belief = vec![play.start_belief; play.agents];
    let mut order: Vec<usize> = (0..play.agents).collect();
    let (mut contributed, mut public_good) = (0.0, 0.0);
    let groups = play.agents / n;
    for round in 0..play.rounds {
        let mut rng = stream(seed, round, LOGIT_GAME_UNIT, Purpose::Decision);
        for i in (1..order.len()).rev() {
            order.swap(i, below(&mut rng, i as u64 + 1) as usize);
        }
        let counted = round >= play.rounds - play.window;
        for group in order.chunks_exact(n) {
            let mut y = [0.0; MAX_GROUP];
            for (slot, &a) in group.iter().enumerate() {
                let probs = game.choice(k, belief[a]);
                let action = (k.draw_action)(&probs, unit_interval(rng.next_u64()));
                y[slot] = if action == Action::Substantive {
                    1.0
                } else {
                    0.0
                };
            }
            let total: f64 = y[..n].iter().sum();
            for (slot, &a) in group.iter().enumerate() {
                let observed = (total - y[slot]) / (n - 1) as f64;
                belief[a] =
                    (k.update_trust)(belief[a], observed, play.belief_rate, play.belief_rate);
            }
            if counted {
                contributed += total;
                public_good += (k.ces_aggregate)(&shares[..n], &y[..n], game.r);
            }
        }
    }
    let counted_rounds = play.window as f64;
    Played {
        contribution: contributed / (counted_rounds * play.agents as f64),
        public_good: public_good / (counted_rounds * groups as f64),
        belief: belief.iter().sum::<f64>() / play.agents as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logistic(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    #[test]
    fn the_kernel_response_is_the_derived_logit() {
        let k = KernelFns::CITY;
        let linear = BinaryGame::linear_with_altruism(4, 0.3, 0.1, 0.5);
        let want = logistic((0.3 * 1.3 - 1.0) / 0.5);
        assert!((linear.response(&k, 0.2) - want).abs() < 1e-12);
        assert!((linear.response(&k, 0.9) - want).abs() < 1e-12);
        let wl = BinaryGame {
            n: 3,
            r: -2.0,
            benefit: 4.0,
            cost: 1.0,
            beta: 0.5,
        };
        let q: f64 = 0.7;
        assert!((wl.response(&k, q) - logistic((4.0 * q * q - 1.0) / 0.5)).abs() < 1e-12);
    }

    #[test]
    fn fixed_points_are_found_and_classified() {
        // p = L(2(4p² − 1)) crosses at 0.5 exactly, with a stable point on each side.
        let f = fixed_points(|p| logistic(2.0 * (4.0 * p * p - 1.0)));
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].stable && !f[1].stable && f[2].stable);
        assert!((f[1].p - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_run_is_a_function_of_its_seed() {
        let game = BinaryGame {
            n: 3,
            r: -2.0,
            benefit: 4.0,
            cost: 1.0,
            beta: 0.5,
        };
        let play = Play {
            agents: 30,
            rounds: 20,
            window: 10,
            belief_rate: 0.05,
            start_belief: 0.6,
        };
        let k = KernelFns::CITY;
        assert_eq!(simulate(&game, &k, &play, 3), simulate(&game, &k, &play, 3));
        assert_ne!(simulate(&game, &k, &play, 3), simulate(&game, &k, &play, 4));
    }
}
