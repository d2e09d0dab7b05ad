//! Well-mixed public goods game with imitation, and the mean-field (replicator) equation it
//! should follow.
//!
//! # The game
//! A population of `M` players, cooperators (C) and defectors (D). Whenever a player's payoff is
//! needed it plays one public goods game in a group of `N`: itself and `N − 1` co-players drawn
//! uniformly, with replacement, from the other `M − 1` players. Every cooperator in the group
//! pays `c = 1`; the pot is multiplied by `r` and shared by all `N`. With `n` cooperators in the
//! group (the kernel's linear aggregate of the members' contributions, unit weights):
//!
//! ```text
//! P_C(n) = r·n/N − 1        P_D(n) = r·n/N
//! ```
//!
//! An elementary step picks a focal player `f` and a model `m ≠ f` uniformly. If their
//! strategies differ, each plays its own freshly drawn group and `f` adopts `m`'s strategy with
//! probability `w(P_f, P_m)`, by one of two kernel rules:
//! - **proportional imitation** `w = max(0, P_m − P_f)/Δ`, with `Δ` the largest payoff
//!   difference the game allows (`kernel::proportional_imitation`);
//! - **Fermi imitation** `w = 1/(1 + exp((P_f − P_m)/K))` (`kernel::fermi_adoption`).
//!
//! When the strategies are equal nothing can change and no co-player or uniform is drawn (this
//! changes which numbers later steps get, but the trajectory is still a function of the seed
//! alone). One Monte Carlo step (MCS) is `M` elementary steps; MCS `t` draws from the stream
//! keyed (seed, t, game, Decision), the initial population from (seed, 0, game, Setup).
//!
//! # The mean-field equation
//! Let `x` be the cooperator share and `k₁, k₂ ~ Binomial(N − 1, x)` the cooperating co-players
//! of a cooperator's and a defector's group, drawn independently (for large `M`, drawing from
//! the other `M − 1` players is drawing with probability `x`). A step changes the number of
//! cooperators by +1 when `f` is D and `m` is C (probability `x(1 − x)`) and `f` adopts, and by
//! −1 when `f` is C and `m` is D (also `x(1 − x)`) and `f` adopts. With `M` steps per MCS and
//! each changing `x` by `1/M`, in MCS units
//!
//! ```text
//! dx/dt = x(1 − x) · E[ w(P_D(k₂), P_C(1 + k₁)) − w(P_C(1 + k₁), P_D(k₂)) ]
//! ```
//!
//! the expectation being a finite double sum over `k₁, k₂` ([`mean_field_rate`]).
//! - Proportional imitation: `w(a, b) − w(b, a) = (b − a)/Δ` for every pair, so the bracket is
//!   `E[P_C − P_D]/Δ = (r(1 + (N−1)x)/N − 1 − r(N−1)x/N)/Δ = (r/N − 1)/Δ` and
//!
//!   ```text
//!   dx/dt = x(1 − x)(r/N − 1)/Δ,
//!   ```
//!
//!   the replicator equation of the linear public goods game: the fitness gap `r/N − 1` does
//!   not depend on `x`, so defection takes over for `r < N` and cooperation for `r > N`, along a
//!   logistic curve.
//! - Fermi imitation: `w(a, b) − w(b, a) = tanh((b − a)/2K)`, so the bracket is
//!   `E[tanh((P_C − P_D)/2K)]` with `P_C − P_D = r(1 + k₁ − k₂)/N − 1`, symmetric about
//!   `r/N − 1`: the same direction, a different speed.
//!
//! [`integrate_mean_field`] integrates the equation with classical RK4; the docking check
//! compares it with the simulated share of a large population, whose deviation shrinks like
//! `1/√M`.

use rand::RngCore;

use super::{
    below, kernel, unit_interval, GameKey, GameSpec, KeyKind, KeyValue, Refusal, Values,
    WELL_MIXED_UNIT,
};
use crate::model::rng::{stream, Purpose, Stream};

/// The `[game]` table of this game (besides `kind`): every key with its type, range, default
/// and meaning, in manifest order.
pub const KEYS: &[GameKey] = &[
    GameKey {
        key: "population",
        kind: KeyKind::Int {
            lo: 2,
            hi: MAX_POPULATION,
            default: 100_000,
        },
        en: "number of players M",
        zh: "参与者人数 M",
    },
    GameKey {
        key: "group_size",
        kind: KeyKind::Int {
            lo: 2,
            hi: MAX_GROUP,
            default: 5,
        },
        en: "players per public goods game N (at most the population)",
        zh: "每局公共物品博弈人数 N（不超过总人数）",
    },
    GameKey {
        key: "r",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 100.0,
            default: 3.0,
        },
        en: "multiplication factor of the pot; cooperation wins when r > N",
        zh: "公共池增益系数 r；r > N 时合作占优",
    },
    GameKey {
        key: "rule",
        kind: KeyKind::Choice {
            options: &["proportional", "fermi"],
            default: "proportional",
        },
        en: "imitation rule: proportional (replicator dynamics) or fermi",
        zh: "模仿规则：proportional（复制者动态）或 fermi",
    },
    GameKey::fermi_noise(
        "noise of the Fermi rule (only with rule = \"fermi\")",
        "费米规则噪声（仅用于 rule = \"fermi\"）",
    ),
    GameKey {
        key: "p0",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: 0.5,
        },
        en: "initial cooperator probability per player",
        zh: "初始合作者概率",
    },
];

/// Largest population.
pub const MAX_POPULATION: i64 = 100_000_000;

/// Largest group.
pub const MAX_GROUP: i64 = 100;

/// The game its checked `[game]` values describe: a group is at most the population, and the
/// Fermi noise `K` goes with the Fermi rule only.
pub fn spec(v: &Values) -> Result<GameSpec, Refusal> {
    let population = v.int("population") as usize;
    let group_size = v.int("group_size") as usize;
    if group_size > population {
        return Err(Refusal {
            key: "group_size",
            message: format!("must be at most the population ({population}), got {group_size}"),
        });
    }
    let rule = match v.text("rule").as_str() {
        "fermi" => Imitation::Fermi { k: v.float("K") },
        _ if v.given("K") => {
            return Err(Refusal {
                key: "K",
                message: "applies only to rule = \"fermi\"; remove it or set the rule".into(),
            })
        }
        _ => Imitation::Proportional,
    };
    Ok(GameSpec::WellMixed {
        params: WellMixedParams {
            population,
            group_size,
            r: v.float("r"),
            rule,
        },
        p0: v.float("p0"),
    })
}

/// The `[game]` values of a game, in table order (the inverse of `spec`).
pub fn values(params: &WellMixedParams, p0: f64) -> Vec<(&'static str, KeyValue)> {
    let mut out = vec![
        ("population", KeyValue::Int(params.population as i64)),
        ("group_size", KeyValue::Int(params.group_size as i64)),
        ("r", KeyValue::Float(params.r)),
    ];
    match params.rule {
        Imitation::Proportional => out.push(("rule", KeyValue::Text("proportional".into()))),
        Imitation::Fermi { k } => {
            out.push(("rule", KeyValue::Text("fermi".into())));
            out.push(("K", KeyValue::Float(k)));
        }
    }
    out.push(("p0", KeyValue::Float(p0)));
    out
}

/// Contribution of a cooperator.
pub const COST: f64 = 1.0;

/// How a focal player imitates its model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Imitation {
    /// `max(0, P_m − P_f)/Δ`: the replicator dynamics.
    Proportional,
    /// `1/(1 + exp((P_f − P_m)/K))`.
    Fermi { k: f64 },
}

/// The game's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WellMixedParams {
    /// Players `M`.
    pub population: usize,
    /// Group size `N` (at least 2).
    pub group_size: usize,
    /// Multiplication factor of the pot.
    pub r: f64,
    pub rule: Imitation,
}

/// Payoff tables and adoption probabilities derived from the parameters through the kernel.
#[derive(Clone, Debug)]
pub struct Tables {
    group: usize,
    /// `payoff[s][n]`: strategy `s` (1 = C) in a group with `n` cooperators, itself included.
    payoff: [Vec<f64>; 2],
    /// Largest payoff difference `Δ` between a cooperator and a defector.
    max_difference: f64,
    /// Adoption probability indexed `(s_f · (N+1) + n_f) · (N+1) + n_m` (model has `1 − s_f`).
    adopt: Vec<f64>,
}

impl Tables {
    pub fn new(params: &WellMixedParams) -> Tables {
        let g = params.group_size;
        assert!(g >= 2, "group size below 2");
        let units = super::contributed_units(g);
        let payoff = [
            (0..=g)
                .map(|n| params.r * units[n] / g as f64)
                .collect::<Vec<_>>(),
            (0..=g)
                .map(|n| params.r * units[n] / g as f64 - COST)
                .collect::<Vec<_>>(),
        ];
        // Reachable payoffs: a cooperator's group holds 1..=N cooperators, a defector's 0..N.
        let c_range = &payoff[1][1..=g];
        let d_range = &payoff[0][..g];
        let max_of = |v: &[f64]| v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let min_of = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
        let max_difference = (max_of(c_range) - min_of(d_range))
            .max(max_of(d_range) - min_of(c_range))
            .max(f64::MIN_POSITIVE);
        let mut adopt = vec![0.0; 2 * (g + 1) * (g + 1)];
        for sf in 0..2 {
            for nf in 0..=g {
                for nm in 0..=g {
                    let own = payoff[sf][nf];
                    let model = payoff[1 - sf][nm];
                    adopt[(sf * (g + 1) + nf) * (g + 1) + nm] = match params.rule {
                        Imitation::Proportional => {
                            kernel::proportional_imitation(own, model, max_difference)
                        }
                        Imitation::Fermi { k } => kernel::fermi_adoption(own, model, k),
                    };
                }
            }
        }
        Tables {
            group: g,
            payoff,
            max_difference,
            adopt,
        }
    }

    /// Probability that a focal player with strategy `sf` and `nf` cooperators in its group
    /// adopts the other strategy from a model with `nm`.
    #[inline(always)]
    pub fn adopt(&self, sf: u8, nf: usize, nm: usize) -> f64 {
        self.adopt[(sf as usize * (self.group + 1) + nf) * (self.group + 1) + nm]
    }

    pub fn payoff(&self, strategy: u8, cooperators_in_group: usize) -> f64 {
        self.payoff[strategy as usize][cooperators_in_group]
    }

    /// `Δ`, the normaliser of proportional imitation.
    pub fn max_difference(&self) -> f64 {
        self.max_difference
    }
}

/// The population.
#[derive(Clone, Debug)]
pub struct WellMixed {
    params: WellMixedParams,
    tables: Tables,
    seed: u64,
    strategies: Vec<u8>,
    cooperators: usize,
    mcs: u32,
}

impl WellMixed {
    /// A population where each player cooperates with probability `p0`.
    pub fn new(params: WellMixedParams, p0: f64, seed: u64) -> WellMixed {
        assert!(params.population >= 2, "population below 2");
        let mut rng = stream(seed, 0, WELL_MIXED_UNIT, Purpose::Setup);
        let strategies: Vec<u8> = (0..params.population)
            .map(|_| u8::from(unit_interval(rng.next_u64()) < p0))
            .collect();
        let cooperators = strategies.iter().map(|&s| s as usize).sum();
        WellMixed {
            tables: Tables::new(&params),
            params,
            seed,
            strategies,
            cooperators,
            mcs: 0,
        }
    }

    pub fn params(&self) -> &WellMixedParams {
        &self.params
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    pub fn mcs(&self) -> u32 {
        self.mcs
    }

    pub fn cooperators(&self) -> usize {
        self.cooperators
    }

    pub fn cooperator_fraction(&self) -> f64 {
        self.cooperators as f64 / self.params.population as f64
    }

    pub fn absorbed(&self) -> bool {
        self.cooperators == 0 || self.cooperators == self.params.population
    }

    /// Cooperators in a group of `focal` and `N − 1` co-players drawn from the others.
    #[inline]
    fn group_cooperators(&self, focal: usize, rng: &mut Stream) -> usize {
        let others = (self.params.population - 1) as u64;
        let mut n = self.strategies[focal] as usize;
        for _ in 1..self.params.group_size {
            let mut z = below(rng, others) as usize;
            if z >= focal {
                z += 1;
            }
            n += self.strategies[z] as usize;
        }
        n
    }

    /// One Monte Carlo step: `M` elementary steps.
    pub fn step(&mut self) {
        self.mcs += 1;
        let mut rng = stream(self.seed, self.mcs, WELL_MIXED_UNIT, Purpose::Decision);
        let m_pop = self.params.population as u64;
        for _ in 0..m_pop {
            let f = below(&mut rng, m_pop) as usize;
            let mut m = below(&mut rng, m_pop - 1) as usize;
            if m >= f {
                m += 1;
            }
            let sf = self.strategies[f];
            let sm = self.strategies[m];
            if sf == sm {
                continue;
            }
            let nf = self.group_cooperators(f, &mut rng);
            let nm = self.group_cooperators(m, &mut rng);
            let u = unit_interval(rng.next_u64());
            if u < self.tables.adopt(sf, nf, nm) {
                self.strategies[f] = sm;
                if sm == 1 {
                    self.cooperators += 1;
                } else {
                    self.cooperators -= 1;
                }
            }
        }
    }
}

/// Binomial probabilities `P(k; n, x)` for `k = 0..=n`.
fn binomial_pmf(n: usize, x: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let mut coeff = 1.0f64;
    for k in 0..=n {
        if k > 0 {
            coeff = coeff * (n - k + 1) as f64 / k as f64;
        }
        out.push(coeff * x.powi(k as i32) * (1.0 - x).powi((n - k) as i32));
    }
    out
}

/// `dx/dt` of the mean-field equation at cooperator share `x` (see the module docs).
pub fn mean_field_rate(tables: &Tables, x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    let n = tables.group - 1;
    let pmf = binomial_pmf(n, x);
    let mut bracket = 0.0;
    for (k1, p1) in pmf.iter().enumerate() {
        for (k2, p2) in pmf.iter().enumerate() {
            let d_to_c = tables.adopt(0, k2, 1 + k1);
            let c_to_d = tables.adopt(1, 1 + k1, k2);
            bracket += p1 * p2 * (d_to_c - c_to_d);
        }
    }
    x * (1.0 - x) * bracket
}

/// Sub-steps of one MCS in [`integrate_mean_field`].
pub const RK4_STEPS_PER_MCS: u32 = 20;

/// The mean-field share at `t = 0, 1, …, mcs` from `x0`, by classical RK4 with
/// [`RK4_STEPS_PER_MCS`] steps per MCS.
pub fn integrate_mean_field(tables: &Tables, x0: f64, mcs: u32) -> Vec<f64> {
    let h = 1.0 / RK4_STEPS_PER_MCS as f64;
    let f = |x: f64| mean_field_rate(tables, x);
    let mut x = x0;
    let mut out = Vec::with_capacity(mcs as usize + 1);
    out.push(x);
    for _ in 0..mcs {
        for _ in 0..RK4_STEPS_PER_MCS {
            let k1 = f(x);
            let k2 = f(x + 0.5 * h * k1);
            let k3 = f(x + 0.5 * h * k2);
            let k4 = f(x + h * k3);
            x += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        out.push(x.clamp(0.0, 1.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(r: f64, rule: Imitation) -> WellMixedParams {
        WellMixedParams {
            population: 20_000,
            group_size: 5,
            r,
            rule,
        }
    }

    #[test]
    fn proportional_mean_field_is_the_replicator_equation() {
        for r in [2.0, 3.0, 5.0, 8.0] {
            let t = Tables::new(&params(r, Imitation::Proportional));
            for x in [0.0, 0.1, 0.37, 0.5, 0.9, 1.0] {
                let closed = x * (1.0 - x) * (r / 5.0 - 1.0) / t.max_difference();
                assert!(
                    (mean_field_rate(&t, x) - closed).abs() < 1e-12,
                    "r {r} x {x}"
                );
            }
        }
    }

    #[test]
    fn rk4_follows_the_logistic_solution() {
        let r = 3.0;
        let t = Tables::new(&params(r, Imitation::Proportional));
        let a = (r / 5.0 - 1.0) / t.max_difference();
        let x0: f64 = 0.6;
        let xs = integrate_mean_field(&t, x0, 60);
        for (s, x) in xs.iter().enumerate() {
            let exact = 1.0 / (1.0 + (1.0 - x0) / x0 * (-a * s as f64).exp());
            assert!((x - exact).abs() < 1e-9, "t {s}: {x} vs {exact}");
        }
    }

    #[test]
    fn defection_wins_below_n_and_cooperation_above() {
        for rule in [Imitation::Proportional, Imitation::Fermi { k: 0.5 }] {
            let low = Tables::new(&params(4.0, rule));
            let high = Tables::new(&params(6.0, rule));
            for x in [0.05, 0.5, 0.95] {
                assert!(mean_field_rate(&low, x) < 0.0);
                assert!(mean_field_rate(&high, x) > 0.0);
            }
        }
    }

    #[test]
    fn a_large_population_follows_the_mean_field() {
        for (r, rule) in [
            (3.0, Imitation::Proportional),
            (8.0, Imitation::Proportional),
            (4.0, Imitation::Fermi { k: 0.5 }),
        ] {
            let mut g = WellMixed::new(params(r, rule), 0.5, 11);
            let ode = integrate_mean_field(g.tables(), g.cooperator_fraction(), 30);
            let mut worst: f64 = 0.0;
            for x in &ode[1..] {
                g.step();
                worst = worst.max((g.cooperator_fraction() - x).abs());
            }
            assert!(worst < 0.03, "r {r} {rule:?}: max deviation {worst}");
        }
    }
}
