//! Spatial public goods game of Szolnoki, Perc & Szabó (Phys. Rev. E 80, 056109, 2009), as the
//! Python peers define it (`../shared/peers/README.md`).
//!
//! An `L × L` torus with von Neumann neighbourhoods. Every player belongs to five groups of
//! `G = 5`: the groups centred on itself and on its four neighbours. A cooperator pays 1 into
//! each of its groups, each group's pot `r·n_C` is shared by its five members, so
//! `P_x = r·S_x/5 − 5·s_x` with `S_x` the cooperator count summed over x's five groups and
//! `s_x = 1` for a cooperator. The payoff is the kernel's linear public good (unit weights over
//! x's 25 group memberships, hence exact counts) — the expression the peers evaluate.
//!
//! Update: random sequential. An elementary step picks a uniform site x and one of its
//! neighbours y in the order (-1,0), (0,-1), (0,1), (1,0); x adopts y's strategy with the
//! kernel's Fermi probability `1/(1 + exp((P_x − P_y)/K))`. One Monte Carlo step (MCS) is `L²`
//! elementary steps.
//!
//! Speed, with the same trajectory:
//! - **Skip.** When `s_x = s_y` adopting changes nothing, so no payoff is computed. The random
//!   numbers of that step are drawn anyway, so skipping changes no later draw and the trajectory
//!   is the one of the no-skip loop ([`SpatialPgg::step_without_skip`], used by tests and the
//!   bench). The peers do the same.
//! - **Incremental group counts.** `n_C` of every group is kept and the five affected groups are
//!   updated when a strategy flips, so `S_x` is five reads (the peers' `--incremental` mode).
//! - **Tables.** `P` depends only on `(s, S)` and the adoption probability only on
//!   `(s_x, S_x, S_y)`, so both are tabulated from the kernel when the game is built; the loop
//!   reads the table and never calls `exp`. Each site's four neighbours are tabulated too, so
//!   the loop never computes a row or column (the computed selects spilled to the stack and
//!   cost a third of the time).
//!
//! Random numbers: the initial lattice comes from the stream keyed (seed, 0, game, Setup) and
//! MCS `t` draws from its own stream keyed (seed, t, game, Decision) (`model::rng`), one 64-bit
//! word per elementary step: the site from the top 32 bits (Lemire's unbiased
//! multiply-and-reject over `L²`; a rejected draw takes the top 32 bits of the next word), the
//! neighbour from bits 30–31 and the uniform number `u = k / 2^30` from the low 30 bits.
//! `u < w` is decided as the integer comparison `k < ⌈w · 2^30⌉`, which is the same test
//! exactly. The peers use numpy's PCG64, so cogov and the peers agree in distribution, not draw
//! for draw. The loop allocates nothing.

use rand::RngCore;

use super::lattice::{Lattice, MIN_SIDE};
use super::{kernel, GameKey, GameSpec, KeyKind, KeyValue, Refusal, Values, SPATIAL_PGG_UNIT};
use crate::model::rng::{stream, Purpose, Stream};

/// The `[game]` table of this game (besides `kind`): every key with its type, range, default
/// and meaning, in manifest order.
pub const KEYS: &[GameKey] = &[
    GameKey::side(100),
    GameKey {
        key: "r",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 25.0,
            default: 4.5,
        },
        en: "multiplication factor of each group's pot",
        zh: "公共池增益系数 r",
    },
    GameKey::fermi_noise("noise of the Fermi imitation rule", "费米模仿规则的噪声 K"),
    GameKey::site_p0(0.5),
    GameKey::INIT,
];

/// The game its checked `[game]` values describe.
pub fn spec(v: &Values) -> Result<GameSpec, Refusal> {
    let (side, init) = v.lattice("L")?;
    Ok(GameSpec::SpatialPgg {
        side,
        params: PggParams {
            r: v.float("r"),
            k: v.float("K"),
        },
        p0: v.float("p0"),
        init,
    })
}

/// The `[game]` values of a game, in table order (the inverse of `spec`).
pub fn values(side: usize, params: &PggParams, p0: f64) -> Vec<(&'static str, KeyValue)> {
    vec![
        ("L", KeyValue::Int(side as i64)),
        ("r", KeyValue::Float(params.r)),
        ("K", KeyValue::Float(params.k)),
        ("p0", KeyValue::Float(p0)),
    ]
}

/// Group size: a site and its four von Neumann neighbours.
pub const GROUP: usize = 5;

/// Largest cooperator count summed over a player's five groups.
const MAX_S: usize = GROUP * GROUP;

/// Contribution of a cooperator to each of its groups.
pub const COST: f64 = 1.0;

/// The game's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PggParams {
    /// Multiplication factor of each group's pot.
    pub r: f64,
    /// Noise of the Fermi rule.
    pub k: f64,
}

/// Payoff of a player with strategy `s` (1 = cooperator) whose five groups hold `S` cooperators
/// in all: `payoff[s][S] = r · Σ_memberships y / G − G · COST · s`, the linear aggregate of the
/// 25 memberships with unit weights being exactly `S`.
pub fn payoff_table(r: f64) -> [[f64; MAX_S + 1]; 2] {
    let units = super::contributed_units(MAX_S);
    let mut t = [[0.0; MAX_S + 1]; 2];
    for s in 0..2 {
        let paid = if s == 1 { GROUP as f64 * COST } else { 0.0 };
        for n in 0..=MAX_S {
            t[s][n] = r * units[n] / GROUP as f64 - paid;
        }
    }
    t
}

/// The lattice, its group counts and the lookup tables.
#[derive(Clone, Debug)]
pub struct SpatialPgg {
    side: usize,
    params: PggParams,
    seed: u64,
    strategies: Vec<u8>,
    /// Cooperators in the group centred at each site (0..=5).
    group_coop: Vec<u8>,
    payoff: [[f64; MAX_S + 1]; 2],
    /// Adoption probability indexed `(s_x · 26 + S_x) · 26 + S_y` (y has the other strategy).
    adopt: Vec<u32>,
    /// The four neighbours of each site in the order (-1,0), (0,-1), (0,1), (1,0).
    nb: Vec<[u32; 4]>,
    cooperators: usize,
    mcs: u32,
    evaluations: u64,
}

impl SpatialPgg {
    /// The initial lattice drawn from `seed`: each site a cooperator with probability `p0`.
    pub fn initial_lattice(side: usize, p0: f64, seed: u64) -> Lattice {
        let mut rng = stream(seed, 0, SPATIAL_PGG_UNIT, Purpose::Setup);
        Lattice::random(side, p0, &mut rng)
    }

    /// Starts from `lattice`; the elementary steps draw from streams keyed by `seed`.
    pub fn new(lattice: Lattice, params: PggParams, seed: u64) -> SpatialPgg {
        assert!(lattice.side() >= MIN_SIDE, "lattice side below {MIN_SIDE}");
        assert!(lattice.side() <= u32::MAX as usize / lattice.side().max(1));
        assert!(params.k > 0.0 && params.r.is_finite());
        let side = lattice.side();
        let payoff = payoff_table(params.r);
        let mut adopt = vec![0; 2 * (MAX_S + 1) * (MAX_S + 1)];
        for sx in 0..2 {
            for big_sx in 0..=MAX_S {
                for big_sy in 0..=MAX_S {
                    adopt[(sx * (MAX_S + 1) + big_sx) * (MAX_S + 1) + big_sy] =
                        uniform_threshold(kernel::fermi_adoption(
                            payoff[sx][big_sx],
                            payoff[1 - sx][big_sy],
                            params.k,
                        ));
                }
            }
        }
        let cooperators = lattice.cooperators();
        let mut game = SpatialPgg {
            side,
            params,
            seed,
            strategies: lattice.into_cells(),
            group_coop: vec![0; side * side],
            payoff,
            adopt,
            nb: (0..side * side)
                .map(|x| torus_neighbours(side, x))
                .collect(),
            cooperators,
            mcs: 0,
            evaluations: 0,
        };
        game.group_coop = game.direct_group_counts();
        game
    }

    pub fn side(&self) -> usize {
        self.side
    }

    pub fn params(&self) -> PggParams {
        self.params
    }

    /// Monte Carlo steps run so far.
    pub fn mcs(&self) -> u32 {
        self.mcs
    }

    pub fn cooperators(&self) -> usize {
        self.cooperators
    }

    pub fn cooperator_fraction(&self) -> f64 {
        self.cooperators as f64 / (self.side * self.side) as f64
    }

    /// Elementary steps so far whose two strategies differed (payoff pairs evaluated).
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// Only one strategy left: imitation can never bring the other back.
    pub fn absorbed(&self) -> bool {
        self.cooperators == 0 || self.cooperators == self.side * self.side
    }

    pub fn strategies(&self) -> &[u8] {
        &self.strategies
    }

    pub fn lattice(&self) -> Lattice {
        Lattice::from_cells(self.side, self.strategies.clone())
    }

    /// `S` of site `x` whose neighbours are `nb`.
    #[inline(always)]
    fn summed_at(&self, x: usize, nb: [u32; 4]) -> usize {
        let g = &self.group_coop;
        (g[x] + g[nb[0] as usize] + g[nb[1] as usize] + g[nb[2] as usize] + g[nb[3] as usize])
            as usize
    }

    /// Payoff of site `(i, j)` in the current lattice.
    pub fn payoff(&self, i: usize, j: usize) -> f64 {
        let x = i * self.side + j;
        self.payoff[self.strategies[x] as usize][self.summed_at(x, self.nb[x])]
    }

    /// Group counts computed from scratch (the peers' "direct" definition).
    fn direct_group_counts(&self) -> Vec<u8> {
        let l = self.side;
        (0..l * l)
            .map(|x| {
                self.strategies[x]
                    + self.nb[x]
                        .iter()
                        .map(|&y| self.strategies[y as usize])
                        .sum::<u8>()
            })
            .collect()
    }

    /// True when the incremental group counts equal the direct ones (a test hook).
    pub fn group_counts_consistent(&self) -> bool {
        self.group_coop == self.direct_group_counts()
    }

    /// One Monte Carlo step (`L²` elementary steps) with the skip shortcut.
    pub fn step(&mut self) {
        self.run_mcs::<true>();
    }

    /// One Monte Carlo step that evaluates both payoffs on every elementary step, as the peers'
    /// `--no-skip`. Same draws, same trajectory as [`SpatialPgg::step`]; only slower.
    pub fn step_without_skip(&mut self) {
        self.run_mcs::<false>();
    }

    fn run_mcs<const SKIP: bool>(&mut self) {
        self.mcs += 1;
        let mut rng = stream(self.seed, self.mcs, SPATIAL_PGG_UNIT, Purpose::Decision);
        let side = self.side;
        let n32 = (side * side) as u32;
        for _ in 0..side * side {
            let word = rng.next_u64();
            let x = below_u32((word >> 32) as u32, n32, &mut rng) as usize;
            let d = ((word >> UNIFORM_BITS) & 3) as usize;
            let u = (word as u32) & UNIFORM_MASK;
            let y = self.nb[x][d] as usize;
            let sx = self.strategies[x];
            let sy = self.strategies[y];
            if SKIP && sx == sy {
                continue;
            }
            self.evaluations += u64::from(sx != sy);
            let nbx = self.nb[x];
            let big_sx = self.summed_at(x, nbx);
            let big_sy = self.summed_at(y, self.nb[y]);
            let threshold = if sx == sy {
                // Only reached without the skip: the payoffs are computed as the literal rule
                // asks, and adopting an equal strategy changes nothing.
                uniform_threshold(kernel::fermi_adoption(
                    self.payoff[sx as usize][big_sx],
                    self.payoff[sy as usize][big_sy],
                    self.params.k,
                ))
            } else {
                self.adopt[(sx as usize * (MAX_S + 1) + big_sx) * (MAX_S + 1) + big_sy]
            };
            if u < threshold && sx != sy {
                self.strategies[x] = sy;
                let nb = nbx.map(|z| z as usize);
                if sy == 1 {
                    self.group_coop[x] += 1;
                    for z in nb {
                        self.group_coop[z] += 1;
                    }
                    self.cooperators += 1;
                } else {
                    self.group_coop[x] -= 1;
                    for z in nb {
                        self.group_coop[z] -= 1;
                    }
                    self.cooperators -= 1;
                }
            }
        }
    }
}

/// The four neighbours of site `x` of a `side × side` torus in the order (-1,0), (0,-1), (0,1),
/// (1,0).
fn torus_neighbours(side: usize, x: usize) -> [u32; 4] {
    let (i, j) = (x / side, x % side);
    let (up, down) = ((i + side - 1) % side, (i + 1) % side);
    let (left, right) = ((j + side - 1) % side, (j + 1) % side);
    [
        up * side + j,
        i * side + left,
        i * side + right,
        down * side + j,
    ]
    .map(|y| y as u32)
}

/// Bits of an elementary step's word that make its uniform number `u = bits / 2^30`.
const UNIFORM_BITS: u32 = 30;
const UNIFORM_MASK: u32 = (1 << UNIFORM_BITS) - 1;

/// `u < w` for the uniform `u = k / 2^30` exactly when `k < ceil(w · 2^30)`: the adoption
/// probability as an integer threshold, so the loop compares integers.
fn uniform_threshold(w: f64) -> u32 {
    (w * f64::from(1u32 << UNIFORM_BITS)).ceil() as u32
}

/// A uniform integer in `0..n` from 32 random bits `first` by Lemire's multiply-and-reject;
/// the rare rejected draw is replaced by the top 32 bits of a fresh word.
#[inline(always)]
fn below_u32(first: u32, n: u32, rng: &mut Stream) -> u32 {
    let mut m = first as u64 * n as u64;
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = (rng.next_u64() >> 32) * n as u64;
        }
    }
    (m >> 32) as u32
}

/// Payoffs around a single cooperator at the centre of an all-defector `side × side` torus:
/// (cooperator, nearest defector, diagonal defector, defector at axial distance 2, far
/// defector) — the peers' hand case.
pub fn single_cooperator_payoffs(side: usize, r: f64) -> [f64; 5] {
    assert!(side >= 7);
    let mut l = Lattice::all_defectors(side);
    let c = side / 2;
    l.set(c, c, 1);
    let g = SpatialPgg::new(l, PggParams { r, k: 0.5 }, 0);
    [
        g.payoff(c, c),
        g.payoff(c - 1, c),
        g.payoff(c - 1, c - 1),
        g.payoff(c - 2, c),
        g.payoff(0, 0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(side: usize, r: f64, seed: u64) -> SpatialPgg {
        SpatialPgg::new(
            SpatialPgg::initial_lattice(side, 0.5, seed),
            PggParams { r, k: 0.5 },
            seed,
        )
    }

    #[test]
    fn hand_payoffs_around_one_cooperator() {
        let p = single_cooperator_payoffs(7, 4.5);
        let expected = [-0.5, 1.8, 1.8, 0.9, 0.0];
        for (got, want) in p.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn payoffs_are_the_peers_expression() {
        let t = payoff_table(4.5);
        for s in 0..=MAX_S {
            assert_eq!(t[0][s], 4.5 * s as f64 / 5.0);
            assert_eq!(t[1][s], 4.5 * s as f64 / 5.0 - 5.0);
        }
    }

    #[test]
    fn incremental_counts_stay_equal_to_direct_ones() {
        let mut g = game(12, 4.0, 3);
        for _ in 0..20 {
            g.step();
            assert!(g.group_counts_consistent());
            assert_eq!(g.cooperators(), g.lattice().cooperators());
        }
    }

    #[test]
    fn skipping_equal_pairs_leaves_the_trajectory_unchanged() {
        let mut a = game(16, 4.5, 7);
        let mut b = a.clone();
        for _ in 0..25 {
            a.step();
            b.step_without_skip();
            assert_eq!(a.strategies(), b.strategies());
        }
    }

    #[test]
    fn runs_repeat_and_seeds_differ() {
        let run = |seed| {
            let mut g = game(20, 4.5, seed);
            for _ in 0..10 {
                g.step();
            }
            g.strategies().to_vec()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn cooperators_die_out_at_r3_and_defectors_at_r6() {
        let mut low = game(30, 3.0, 1);
        while !low.absorbed() && low.mcs() < 500 {
            low.step();
        }
        assert_eq!(low.cooperators(), 0);
        let mut high = game(30, 6.0, 1);
        while !high.absorbed() && high.mcs() < 20_000 {
            high.step();
        }
        assert_eq!(high.cooperators(), 30 * 30);
    }
}
