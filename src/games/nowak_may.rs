//! Nowak & May (1992) spatial prisoner's dilemma, as the Python peers define it
//! (`../shared/peers/README.md`).
//!
//! An `L × L` torus, one player per site. Each site plays its 8 Moore neighbours and itself
//! with R = 1, T = b, S = P = 0, then every site adopts, synchronously, the strategy of the
//! highest score in its 3×3 block. Ties: a site keeps its own strategy if its own score equals
//! the maximum; otherwise the first neighbour at the maximum wins, in the offset order
//! (-1,-1), (-1,0), (-1,1), (0,-1), (0,1), (1,-1), (1,0), (1,1).
//!
//! Payoffs come from the kernel's linear public good: each cooperator in the block delivers one
//! unit (`games::contributed_units`, unit weights, so the count is exact), a cooperator earns
//! R per unit and a defector T per unit. A site scores `n_C` or `b·n_C` — the very products the
//! numpy peer computes, so equal scores are equal here too and the tie rule resolves the same
//! way. Scores are replaced by their rank among the 20 possible values, so the update compares
//! bytes; comparisons of ranks and of the floats they stand for always agree.
//!
//! A generation is three passes over byte lattices (vertical block sums, ranks, update), each a
//! pure function of the previous lattice per row, so rows run in parallel with rayon for large
//! lattices and the result is the same whatever the thread count. Nothing here is random after
//! the initial lattice.

use rayon::prelude::*;

use super::lattice::{count_cooperators, Lattice, COOPERATOR, MIN_SIDE};
use super::{GameKey, GameSpec, KeyKind, KeyValue, Refusal, Values, NOWAK_MAY_UNIT};
use crate::model::rng::{stream, Purpose};

/// The `[game]` table of this game (besides `kind`): every key with its type, range, default
/// and meaning, in manifest order.
pub const KEYS: &[GameKey] = &[
    GameKey::side(200),
    GameKey {
        key: "b",
        kind: KeyKind::Float {
            lo: 1.0,
            hi: 3.0,
            default: 1.85,
        },
        en: "temptation T = b (R = 1, S = P = 0)",
        zh: "背叛诱惑 T = b（R = 1，S = P = 0）",
    },
    GameKey::site_p0(0.9),
    GameKey::INIT,
];

/// The game its checked `[game]` values describe.
pub fn spec(v: &Values) -> Result<GameSpec, Refusal> {
    let (side, init) = v.lattice("L")?;
    Ok(GameSpec::NowakMay {
        side,
        b: v.float("b"),
        p0: v.float("p0"),
        init,
    })
}

/// The `[game]` values of a game, in table order (the inverse of `spec`).
pub fn values(side: usize, b: f64, p0: f64) -> Vec<(&'static str, KeyValue)> {
    vec![
        ("L", KeyValue::Int(side as i64)),
        ("b", KeyValue::Float(b)),
        ("p0", KeyValue::Float(p0)),
    ]
}

/// Sites in a lattice from which the passes run rows in parallel: below it, thread hand-off
/// costs more than it saves.
pub const PARALLEL_MIN_SITES: usize = 1 << 14;

/// Sites per parallel task (whole rows).
const SITES_PER_TASK: usize = 1 << 13;

/// Possible cooperator counts in a 3×3 block: 0..=9.
const BLOCK: usize = 9;

/// Reward for mutual cooperation; the temptation is `b` and S = P = 0.
pub const REWARD: f64 = 1.0;

/// The Nowak–May lattice and its scratch space.
#[derive(Clone, Debug)]
pub struct NowakMay {
    side: usize,
    b: f64,
    strategies: Vec<u8>,
    next: Vec<u8>,
    block_cols: Vec<u8>,
    ranks: Vec<u8>,
    /// Rank of the score of (strategy, n_C), indexed `strategy · 16 + n_C` (padded to 32 so
    /// that a masked index needs no bounds check).
    rank_of: [u8; 32],
    /// Score of (strategy, n_C): `payoff[strategy][n_C]`.
    payoff: [[f64; BLOCK + 1]; 2],
    generation: u32,
    cooperators: usize,
}

/// Score of a site with `strategy` and `n_c` cooperators in its block (itself included):
/// the kernel's linear aggregate of the block's contributions times the benefit per unit.
pub fn payoff_table(b: f64) -> [[f64; BLOCK + 1]; 2] {
    let units = super::contributed_units(BLOCK);
    let benefit = [b, REWARD]; // defector (0) earns T = b per unit, cooperator (1) earns R
    let mut t = [[0.0; BLOCK + 1]; 2];
    for s in 0..2 {
        for n in 0..=BLOCK {
            t[s][n] = benefit[s] * units[n];
        }
    }
    t
}

impl NowakMay {
    /// The initial lattice drawn from `seed` (stream keyed (seed, 0, game, Setup)): each site a
    /// cooperator with probability `p0`.
    pub fn initial_lattice(side: usize, p0: f64, seed: u64) -> Lattice {
        let mut rng = stream(seed, 0, NOWAK_MAY_UNIT, Purpose::Setup);
        Lattice::random(side, p0, &mut rng)
    }

    /// Starts from `lattice` with temptation `b`.
    pub fn new(lattice: Lattice, b: f64) -> NowakMay {
        assert!(lattice.side() >= MIN_SIDE, "lattice side below {MIN_SIDE}");
        assert!(b.is_finite(), "b must be finite");
        let side = lattice.side();
        let payoff = payoff_table(b);
        let mut values: Vec<f64> = payoff.iter().flatten().copied().collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        debug_assert!(values.len() < 128, "ranks must fit in i8 for `consider`");
        let mut rank_of = [0u8; 32];
        for s in 0..2 {
            for n in 0..=BLOCK {
                let v = payoff[s][n];
                rank_of[s * 16 + n] =
                    values.iter().position(|x| *x == v).expect("value listed") as u8;
            }
        }
        let cooperators = lattice.cooperators();
        let n = side * side;
        NowakMay {
            side,
            b,
            strategies: lattice.into_cells(),
            next: vec![0; n],
            block_cols: vec![0; n],
            ranks: vec![0; n],
            rank_of,
            payoff,
            generation: 0,
            cooperators,
        }
    }

    pub fn side(&self) -> usize {
        self.side
    }

    pub fn b(&self) -> f64 {
        self.b
    }

    /// Generations run so far.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub fn cooperators(&self) -> usize {
        self.cooperators
    }

    pub fn cooperator_fraction(&self) -> f64 {
        self.cooperators as f64 / (self.side * self.side) as f64
    }

    /// Row-major strategies (1 = cooperator).
    pub fn strategies(&self) -> &[u8] {
        &self.strategies
    }

    pub fn lattice(&self) -> Lattice {
        Lattice::from_cells(self.side, self.strategies.clone())
    }

    /// Score of site `(i, j)` in the current lattice (for tests and reports; the update uses
    /// ranks).
    pub fn score(&self, i: usize, j: usize) -> f64 {
        let l = self.side;
        let mut n_c = 0;
        for di in [l - 1, 0, 1] {
            for dj in [l - 1, 0, 1] {
                n_c += self.strategies[((i + di) % l) * l + (j + dj) % l] as usize;
            }
        }
        self.payoff[self.strategies[i * l + j] as usize][n_c]
    }

    /// One synchronous generation.
    pub fn step(&mut self) {
        let side = self.side;
        let parallel = side * side >= PARALLEL_MIN_SITES && rayon::current_num_threads() > 1;
        let s = &self.strategies;

        // Pass 1: column sums of each 3×1 stripe, so a block count is three reads.
        for_rows(&mut self.block_cols, side, parallel, |i, out| {
            let (up, mid, down) = rows_around(s, side, i);
            for j in 0..side {
                out[j] = up[j] + mid[j] + down[j];
            }
        });

        // Pass 2: rank of each site's score.
        let cols = &self.block_cols;
        let rank_of = &self.rank_of;
        for_rows(&mut self.ranks, side, parallel, |i, out| {
            let c = &cols[i * side..(i + 1) * side];
            let own = &s[i * side..(i + 1) * side];
            let rank = |strategy: u8, n_c: u8| rank_of[((strategy << 4) | n_c) as usize & 31];
            out[0] = rank(own[0], c[side - 1] + c[0] + c[1]);
            for j in 1..side - 1 {
                out[j] = rank(own[j], c[j - 1] + c[j] + c[j + 1]);
            }
            out[side - 1] = rank(own[side - 1], c[side - 2] + c[side - 1] + c[0]);
        });

        // Pass 3: adopt the best strategy of the block.
        let ranks = &self.ranks;
        for_rows(&mut self.next, side, parallel, |i, out| {
            let (ru, rm, rd) = rows_around(ranks, side, i);
            let (su, sm, sd) = rows_around(s, side, i);
            update_row(ru, rm, rd, su, sm, sd, out);
        });

        std::mem::swap(&mut self.strategies, &mut self.next);
        self.cooperators = count_cooperators(&self.strategies);
        self.generation += 1;
    }
}

/// The rows above, at and below row `i` of a row-major torus.
#[inline]
fn rows_around(cells: &[u8], side: usize, i: usize) -> (&[u8], &[u8], &[u8]) {
    let row = |k: usize| &cells[k * side..(k + 1) * side];
    (row((i + side - 1) % side), row(i), row((i + 1) % side))
}

/// Calls `f(row index, row)` on every row of `out`, in parallel tasks of whole rows when asked.
/// `f` must depend only on its row index, so the split cannot change the result.
fn for_rows(out: &mut [u8], side: usize, parallel: bool, f: impl Fn(usize, &mut [u8]) + Sync) {
    if parallel {
        let rows_per_task = (SITES_PER_TASK / side).max(1);
        out.par_chunks_mut(rows_per_task * side)
            .enumerate()
            .for_each(|(task, chunk)| {
                for (k, row) in chunk.chunks_mut(side).enumerate() {
                    f(task * rows_per_task + k, row);
                }
            });
    } else {
        for (i, row) in out.chunks_mut(side).enumerate() {
            f(i, row);
        }
    }
}

/// Takes the neighbour's strategy if its rank is strictly higher than the best so far.
///
/// Branch-free on purpose: the outcome is data-dependent and would mispredict, and the mask
/// form vectorises. Ranks are below 128, so `best − rank` is negative as an `i8` exactly when
/// the neighbour is better, and its sign bit spread over the byte is the select mask.
#[inline(always)]
fn consider(best: &mut u8, strategy: &mut u8, rank: u8, their_strategy: u8) {
    let mask = ((best.wrapping_sub(rank) as i8) >> 7) as u8;
    *best ^= (*best ^ rank) & mask;
    *strategy ^= (*strategy ^ their_strategy) & mask;
}

/// New strategies of one row from the ranks and strategies of the rows above, at and below.
/// The interior is processed in fixed-width blocks so that it vectorises; the two edge columns
/// and the tail wrap or fall back to the scalar rule.
fn update_row(ru: &[u8], rm: &[u8], rd: &[u8], su: &[u8], sm: &[u8], sd: &[u8], out: &mut [u8]) {
    let side = out.len();
    // One site, with its left and right columns given (so the edges need no modulo).
    let site = |j: usize, jl: usize, jr: usize| {
        let mut best = rm[j];
        let mut st = sm[j];
        consider(&mut best, &mut st, ru[jl], su[jl]);
        consider(&mut best, &mut st, ru[j], su[j]);
        consider(&mut best, &mut st, ru[jr], su[jr]);
        consider(&mut best, &mut st, rm[jl], sm[jl]);
        consider(&mut best, &mut st, rm[jr], sm[jr]);
        consider(&mut best, &mut st, rd[jl], sd[jl]);
        consider(&mut best, &mut st, rd[j], sd[j]);
        consider(&mut best, &mut st, rd[jr], sd[jr]);
        st
    };
    out[0] = site(0, side - 1, 1);
    out[side - 1] = site(side - 1, side - 2, 0);

    // Interior columns 1..side-1 in blocks of LANES: the neighbour at offset (di, dj) of
    // column j is row di at column j + dj, i.e. slice position (j - 1) + (dj + 1).
    const LANES: usize = 32;
    let n = side - 2;
    let mut k = 0;
    while k + LANES <= n {
        let mut best = [0u8; LANES];
        let mut st = [0u8; LANES];
        best.copy_from_slice(&rm[k + 1..k + 1 + LANES]);
        st.copy_from_slice(&sm[k + 1..k + 1 + LANES]);
        // Offset order (-1,-1), (-1,0), (-1,1), (0,-1), (0,1), (1,-1), (1,0), (1,1).
        let neighbours: [(&[u8], &[u8], usize); 8] = [
            (ru, su, 0),
            (ru, su, 1),
            (ru, su, 2),
            (rm, sm, 0),
            (rm, sm, 2),
            (rd, sd, 0),
            (rd, sd, 1),
            (rd, sd, 2),
        ];
        for (r, s, shift) in neighbours {
            let r: &[u8; LANES] = r[k + shift..k + shift + LANES].try_into().expect("lanes");
            let s: &[u8; LANES] = s[k + shift..k + shift + LANES].try_into().expect("lanes");
            for t in 0..LANES {
                consider(&mut best[t], &mut st[t], r[t], s[t]);
            }
        }
        out[k + 1..k + 1 + LANES].copy_from_slice(&st);
        k += LANES;
    }
    for j in k + 1..side - 1 {
        out[j] = site(j, j - 1, j + 1);
    }
}

/// Defector count after each of `generations` generations, starting from a single defector in
/// the middle of an all-cooperator `side × side` torus (the peers' hand case).
pub fn single_defector_counts(side: usize, b: f64, generations: u32) -> Vec<usize> {
    let mut lattice = Lattice::all_cooperators(side);
    lattice.set(side / 2, side / 2, 1 - COOPERATOR);
    let mut nm = NowakMay::new(lattice, b);
    (0..generations)
        .map(|_| {
            nm.step();
            side * side - nm.cooperators()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward reference: float scores, the peers' loop, no ranks, no slicing.
    fn reference_step(cells: &[u8], side: usize, b: f64) -> Vec<u8> {
        let at = |i: usize, j: usize, di: isize, dj: isize| {
            let ii = (i as isize + di).rem_euclid(side as isize) as usize;
            let jj = (j as isize + dj).rem_euclid(side as isize) as usize;
            ii * side + jj
        };
        let mut score = vec![0.0; side * side];
        for i in 0..side {
            for j in 0..side {
                let mut n = 0.0;
                for di in -1..=1 {
                    for dj in -1..=1 {
                        n += cells[at(i, j, di, dj)] as f64;
                    }
                }
                score[i * side + j] = if cells[i * side + j] == 1 { n } else { b * n };
            }
        }
        let offsets = [
            (-1, -1),
            (-1, 0),
            (-1, 1),
            (0, -1),
            (0, 1),
            (1, -1),
            (1, 0),
            (1, 1),
        ];
        let mut next = cells.to_vec();
        for i in 0..side {
            for j in 0..side {
                let mut best = score[i * side + j];
                for (di, dj) in offsets {
                    let k = at(i, j, di, dj);
                    if score[k] > best {
                        best = score[k];
                        next[i * side + j] = cells[k];
                    }
                }
            }
        }
        next
    }

    #[test]
    fn a_single_defector_grows_only_when_b_exceeds_1_8() {
        assert_eq!(single_defector_counts(11, 1.85, 2), vec![9, 25]);
        assert_eq!(single_defector_counts(11, 1.75, 2), vec![9, 9]);
    }

    #[test]
    fn scores_are_the_pd_payoffs_against_the_block() {
        let mut l = Lattice::all_cooperators(5);
        l.set(2, 2, 0);
        let nm = NowakMay::new(l, 1.85);
        assert_eq!(nm.score(2, 2), 1.85 * 8.0);
        assert_eq!(nm.score(1, 1), 8.0);
        assert_eq!(nm.score(0, 0), 9.0);
    }

    #[test]
    fn matches_the_reference_loop_including_ties() {
        // b = 2.0 and 1.5 make C/D ties; b = 1.9 and 1.85 do not.
        for (side, b, seed) in [
            (13, 2.0, 1),
            (16, 1.5, 2),
            (20, 1.85, 3),
            (9, 1.9, 4),
            (37, 2.0, 5),
        ] {
            let mut rng = stream(seed, 0, 0, Purpose::Setup);
            let start = Lattice::random(side, 0.8, &mut rng);
            let mut cells = start.cells().to_vec();
            let mut nm = NowakMay::new(start, b);
            for g in 0..30 {
                cells = reference_step(&cells, side, b);
                nm.step();
                assert_eq!(
                    nm.strategies(),
                    &cells[..],
                    "side {side} b {b} generation {g}"
                );
            }
        }
    }

    #[test]
    fn parallel_rows_give_identical_lattices_for_any_thread_count() {
        let side = 160; // above PARALLEL_MIN_SITES
        assert!(side * side >= PARALLEL_MIN_SITES);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut rng = stream(9, 0, 0, Purpose::Setup);
                let mut nm = NowakMay::new(Lattice::random(side, 0.9, &mut rng), 1.85);
                for _ in 0..40 {
                    nm.step();
                }
                nm.strategies().to_vec()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
        assert_eq!(one, run(8));
    }

    #[test]
    fn ends_on_the_numpy_peers_final_lattices() {
        // nm_numpy.py --L 50 --steps 60 --b 1.85 --seed 3 --init-out .. --final-out ..
        // nm_numpy.py --L 40 --steps 60 --b 2.0 --seed 2 ... (C/D ties decided by the tie rule)
        let cases = [
            (
                include_str!("../../tests/fixtures/nm_L50_b1.85_seed3_init.txt"),
                include_str!("../../tests/fixtures/nm_L50_b1.85_seed3_gen60.txt"),
                1.85,
            ),
            (
                include_str!("../../tests/fixtures/nm_L40_b2.0_seed2_init.txt"),
                include_str!("../../tests/fixtures/nm_L40_b2.0_seed2_gen60.txt"),
                2.0,
            ),
        ];
        for (init, fin, b) in cases {
            let mut nm = NowakMay::new(Lattice::parse(init).unwrap(), b);
            for _ in 0..60 {
                nm.step();
            }
            assert_eq!(nm.lattice(), Lattice::parse(fin).unwrap(), "b = {b}");
        }
    }
}
