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
//! As scenarios (`cogov run scenarios/validation/logit_pgg_*.toml`, `weakest_link_*.toml`) the
//! two games are `logit_pgg` and `weakest_link`, with the key tables [`LINEAR_KEYS`] and
//! [`WEAKEST_LINK_KEYS`]; a run is a [`Population`] stepped round by round, beside its mean
//! field ([`mean_field`]) and the logit equilibrium its start belief leads to
//! ([`equilibrium_from`]). `validate::city_rule` builds the same games with the same
//! constructors and defaults.
//!
//! Left out on purpose: the city's third action (symbolic work) is not offered (its utility is
//! −∞, so the kernel gives it probability 0), and so are habits, sanctions, congestion and
//! trust × reputation; `docs/VALIDATION.md` lists what remains undocked.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::{
    below, city, unit_interval, whole_groups, GameKey, GameSpec, KernelFns, KeyKind, KeyValue,
    Refusal, Values, LOGIT_GAME_UNIT,
};
use crate::model::rng::{stream, Purpose};

/// Largest group the game plays (fixed-size arrays keep the inner loop free of allocation).
pub const MAX_GROUP: usize = 16;

/// Altruism α of game 1: the weight a member puts on each other member's earnings.
/// Illustrative, of the order Anderson, Goeree & Holt (1998) and Goeree, Holt & Laury (2002)
/// discuss; the city's counterpart is m·v, the share of the group value a member internalises:
/// `m·v ↔ (1 + α(n − 1))/n`.
pub const ALTRUISM: f64 = 0.1;

/// The weakest link's public good, worth this to each member when every input is delivered
/// (the city's `behaviour.public_benefit`).
pub const WEAKEST_LINK_BENEFIT: f64 = city::PUBLIC_BENEFIT;

/// The CES exponent the weakest link is played with (the city's `behaviour.complement_exponent`
/// default). With binary inputs every `r < 0` gives the same game: pivotality `Π p_j`, and a
/// good of 1 only when every input is 1.
pub const WEAKEST_LINK_R: f64 = -2.0;

/// `n`, the group size of either game.
const fn group_key(default: i64) -> GameKey {
    GameKey {
        key: "n",
        kind: KeyKind::Int {
            lo: 2,
            hi: MAX_GROUP as i64,
            default,
        },
        en: "group size n",
        zh: "小组人数 n",
    }
}

/// The `[game]` table of `logit_pgg` (game 1), in manifest order.
pub const LINEAR_KEYS: &[GameKey] = &[
    group_key(4),
    GameKey {
        key: "mpcr",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 10.0,
            default: 0.3,
        },
        en: "marginal per-capita return: what each contribution of 1 returns to every member",
        zh: "边际人均回报：每贡献 1 单位，每名成员所得",
    },
    GameKey {
        key: "altruism",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: ALTRUISM,
        },
        en: "altruism α: weight on each other member's earnings (Anderson, Goeree & Holt 1998)",
        zh: "利他系数 α：对每名其他成员收益的权重（Anderson、Goeree 与 Holt 1998）",
    },
    GameKey::CHOICE_TEMPERATURE,
    GameKey::agents(1_200),
    GameKey::BELIEF_RATE,
    GameKey::start_belief(0.5),
];

/// The `[game]` table of `weakest_link` (game 2), in manifest order.
pub const WEAKEST_LINK_KEYS: &[GameKey] = &[
    group_key(3),
    GameKey {
        key: "benefit",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 100.0,
            default: WEAKEST_LINK_BENEFIT,
        },
        en: "value to each member of the good, delivered only when every member contributes",
        zh: "公共物品对每名成员的价值（仅当全员贡献时实现）",
    },
    GameKey {
        key: "cost",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 100.0,
            default: 1.0,
        },
        en: "cost of contributing (effort cost)",
        zh: "贡献成本（努力成本）",
    },
    GameKey::CHOICE_TEMPERATURE,
    GameKey::agents(1_200),
    GameKey::BELIEF_RATE,
    GameKey::start_belief(0.6),
];

/// Which public good a logit game shares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Good {
    /// Linear, with altruism (game 1, `logit_pgg`).
    Linear { mpcr: f64, altruism: f64 },
    /// Weakest link (game 2, `weakest_link`).
    WeakestLink { benefit: f64, cost: f64 },
}

/// A logit game as a scenario runs it: the game and how its population plays (the number of
/// rounds is the scenario's `ticks`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogitSpec {
    pub n: usize,
    pub good: Good,
    pub beta: f64,
    pub agents: usize,
    pub belief_rate: f64,
    pub start_belief: f64,
}

impl LogitSpec {
    /// The game it plays.
    pub fn game(&self) -> BinaryGame {
        match self.good {
            Good::Linear { mpcr, altruism } => {
                BinaryGame::linear_with_altruism(self.n, mpcr, altruism, self.beta)
            }
            Good::WeakestLink { benefit, cost } => {
                BinaryGame::weakest_link(self.n, benefit, cost, self.beta)
            }
        }
    }
}

fn logit_spec(v: &Values, good: Good) -> Result<GameSpec, Refusal> {
    let n = v.int("n") as usize;
    let agents = v.int("agents") as usize;
    whole_groups(agents, n)?;
    Ok(GameSpec::Logit(LogitSpec {
        n,
        good,
        beta: v.float("beta"),
        agents,
        belief_rate: v.float("belief_rate"),
        start_belief: v.float("start_belief"),
    }))
}

/// `logit_pgg` from its checked values: the population splits into groups of `n`.
pub fn linear_spec(v: &Values) -> Result<GameSpec, Refusal> {
    logit_spec(
        v,
        Good::Linear {
            mpcr: v.float("mpcr"),
            altruism: v.float("altruism"),
        },
    )
}

/// `weakest_link` from its checked values: the population splits into groups of `n`.
pub fn weakest_link_spec(v: &Values) -> Result<GameSpec, Refusal> {
    logit_spec(
        v,
        Good::WeakestLink {
            benefit: v.float("benefit"),
            cost: v.float("cost"),
        },
    )
}

/// The `[game]` values of either game, in table order (the inverse of its spec).
pub fn values(s: &LogitSpec) -> Vec<(&'static str, KeyValue)> {
    let mut out = vec![("n", KeyValue::Int(s.n as i64))];
    match s.good {
        Good::Linear { mpcr, altruism } => {
            out.push(("mpcr", KeyValue::Float(mpcr)));
            out.push(("altruism", KeyValue::Float(altruism)));
        }
        Good::WeakestLink { benefit, cost } => {
            out.push(("benefit", KeyValue::Float(benefit)));
            out.push(("cost", KeyValue::Float(cost)));
        }
    }
    out.extend([
        ("beta", KeyValue::Float(s.beta)),
        ("agents", KeyValue::Int(s.agents as i64)),
        ("belief_rate", KeyValue::Float(s.belief_rate)),
        ("start_belief", KeyValue::Float(s.start_belief)),
    ]);
    out
}

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

    /// The binary weakest-link game (complements, `r` = [`WEAKEST_LINK_R`]): the good, worth
    /// `benefit` to each member, is delivered only when every member contributes.
    pub fn weakest_link(n: usize, benefit: f64, cost: f64, beta: f64) -> BinaryGame {
        BinaryGame {
            n,
            r: WEAKEST_LINK_R,
            benefit,
            cost,
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

/// What one round of a [`Population`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Round {
    /// Members who contributed.
    pub contributors: usize,
    /// Sum over the groups of the realised public good Q (`ces_aggregate` of their inputs).
    pub public_good: f64,
    /// Mean belief the members held when deciding.
    pub belief: f64,
}

/// A population playing a binary game round after round: rematched into random groups, each
/// member choosing with the kernel's logit at its belief, then moving its belief toward its
/// partners' observed contribution rate with `update_trust` (equal rates, no habits).
#[derive(Clone, Debug)]
pub struct Population {
    game: BinaryGame,
    k: KernelFns,
    belief: Vec<f64>,
    order: Vec<usize>,
    belief_rate: f64,
    seed: u64,
    round: u32,
}

impl Population {
    /// `agents` (a multiple of the group size) all believing `start_belief`.
    pub fn new(
        game: &BinaryGame,
        k: &KernelFns,
        agents: usize,
        belief_rate: f64,
        start_belief: f64,
        seed: u64,
    ) -> Population {
        debug_assert!((2..=MAX_GROUP).contains(&game.n) && agents % game.n == 0);
        Population {
            game: *game,
            k: *k,
            belief: vec![start_belief; agents],
            order: (0..agents).collect(),
            belief_rate,
            seed,
            round: 0,
        }
    }

    /// The groups of a round.
    pub fn groups(&self) -> usize {
        self.belief.len() / self.game.n
    }

    /// The members' mean belief now.
    pub fn mean_belief(&self) -> f64 {
        self.belief.iter().sum::<f64>() / self.belief.len() as f64
    }

    /// Plays the next round. Round `t` (0-based) draws one stream: first the random matching
    /// (a Fisher–Yates shuffle), then one uniform per agent in group order.
    pub fn step(&mut self) -> Round {
        let (game, k, n) = (&self.game, &self.k, self.game.n);
        let shares = game.shares();
        let mut rng = stream(self.seed, self.round, LOGIT_GAME_UNIT, Purpose::Decision);
        self.round += 1;
        for i in (1..self.order.len()).rev() {
            self.order.swap(i, below(&mut rng, i as u64 + 1) as usize);
        }
        let held = self.mean_belief();
        let (mut contributors, mut public_good) = (0.0, 0.0);
        for group in self.order.chunks_exact(n) {
            let mut y = [0.0; MAX_GROUP];
            for (slot, &a) in group.iter().enumerate() {
                let probs = game.choice(k, self.belief[a]);
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
                self.belief[a] =
                    (k.update_trust)(self.belief[a], observed, self.belief_rate, self.belief_rate);
            }
            contributors += total;
            public_good += (k.ces_aggregate)(&shares[..n], &y[..n], game.r);
        }
        Round {
            contributors: contributors as usize,
            public_good,
            belief: held,
        }
    }
}

/// Plays `play.rounds` rounds of a [`Population`] from `seed`, averaging the last
/// `play.window`.
pub fn simulate(game: &BinaryGame, k: &KernelFns, play: &Play, seed: u64) -> Played {
    let mut population = Population::new(
        game,
        k,
        play.agents,
        play.belief_rate,
        play.start_belief,
        seed,
    );
    let (mut contributed, mut public_good) = (0.0, 0.0);
    for round in 0..play.rounds {
        let r = population.step();
        if round >= play.rounds - play.window {
            contributed += r.contributors as f64;
            public_good += r.public_good;
        }
    }
    let counted_rounds = play.window as f64;
    Played {
        contribution: contributed / (counted_rounds * play.agents as f64),
        public_good: public_good / (counted_rounds * population.groups() as f64),
        belief: population.mean_belief(),
    }
}

/// The mean-field contribution rate in rounds 1..=`rounds`: every member holds the mean belief
/// b, contributes with the kernel's response R(b), and b moves toward R(b) by `update_trust`.
pub fn mean_field(
    game: &BinaryGame,
    k: &KernelFns,
    belief_rate: f64,
    start_belief: f64,
    rounds: u32,
) -> Vec<f64> {
    let mut b = start_belief;
    (0..rounds)
        .map(|_| {
            let c = game.response(k, b);
            b = (k.update_trust)(b, c, belief_rate, belief_rate);
            c
        })
        .collect()
}

/// The symmetric logit equilibrium a population starting from `start_belief` settles on: the
/// stable fixed point of the kernel's response in the basin holding the start (no unstable
/// fixed point between them). A start exactly on an unstable point is its own answer.
pub fn equilibrium_from(game: &BinaryGame, k: &KernelFns, start_belief: f64) -> f64 {
    let points = fixed_points(|q| game.response(k, q));
    let edge_below = points
        .iter()
        .filter(|f| !f.stable && f.p <= start_belief)
        .map(|f| f.p)
        .fold(f64::NEG_INFINITY, f64::max);
    let edge_above = points
        .iter()
        .filter(|f| !f.stable && f.p >= start_belief)
        .map(|f| f.p)
        .fold(f64::INFINITY, f64::min);
    points
        .iter()
        .find(|f| f.stable && f.p > edge_below && f.p < edge_above)
        .map_or(start_belief, |f| f.p)
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
    fn the_equilibrium_is_the_stable_point_of_the_start_basin() {
        let k = KernelFns::CITY;
        let wl = BinaryGame::weakest_link(3, 4.0, 1.0, 0.5);
        assert!((equilibrium_from(&wl, &k, 0.4) - 0.1355).abs() < 1e-3);
        assert!((equilibrium_from(&wl, &k, 0.6) - 0.9974).abs() < 1e-3);
        let linear = BinaryGame::linear_with_altruism(4, 0.3, 0.1, 0.5);
        let want = logistic((0.3 * 1.3 - 1.0) / 0.5);
        assert!((equilibrium_from(&linear, &k, 0.9) - want).abs() < 1e-9);
        // The mean field from 0.6 climbs toward the high point.
        let m = mean_field(&wl, &k, 0.05, 0.6, 200);
        assert!(m[0] < m[199] && (m[199] - 0.9974).abs() < 0.01, "{m:?}");
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
