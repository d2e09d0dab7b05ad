//! Locating the two extinction thresholds of the spatial public goods game at K = 0.5.
//!
//! Both transitions go into an absorbing state (no cooperator left below `r_c1`, no defector
//! above `r_c2`), so the density of the losing strategy decays to zero on one side of the
//! threshold and levels off on the other. A run of `T` MCS from a random start is classified by
//! how much that density fell between the windows `(0.4T, 0.5T]` and `(0.9T, T]`, pooled over
//! seeds: at the threshold of an absorbing transition in the directed-percolation class the
//! density decays as `t^−α` with `α ≈ 0.451` (2+1 dimensions; Hinrichsen, Adv. Phys. 49, 815,
//! 2000), so the critical ratio of the two window means is about `(0.95/0.45)^−α ≈ 0.71`. A
//! faster fall (or extinction) puts `r` on the absorbing side; a slower one on the active side.
//! Bisection on `r` with this classification brackets the threshold.
//!
//! This is less biased than "did the strategy survive `T` MCS?", which calls slowly dying runs
//! alive; it still assumes DP-like decay and enough size and time that a surviving phase does
//! not die out by chance (hence `L = 400` and 8000 MCS in the full check). The probes are kept
//! so that a reader can see every decision the search made.

use rayon::prelude::*;

use crate::games::spatial_pgg::{PggParams, SpatialPgg};

/// Which strategy dies out at the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Below `r_c1` cooperators die out.
    Cooperators,
    /// Above `r_c2` defectors die out.
    Defectors,
}

impl Side {
    /// The threshold reported for K = 0.5 (Szolnoki, Perc & Szabó 2009).
    pub fn expected(self) -> f64 {
        match self {
            Side::Cooperators => 3.74,
            Side::Defectors => 5.49,
        }
    }

    pub fn loser(self) -> &'static str {
        match self {
            Side::Cooperators => "cooperators",
            Side::Defectors => "defectors",
        }
    }

    /// A bracket known to contain the threshold: the peers saw cooperators die out at r = 3.6
    /// and survive at 3.9, defectors survive at 5.3 and die out at 5.7 (L = 100).
    pub fn bracket(self) -> (f64, f64) {
        match self {
            Side::Cooperators => (3.5, 4.0),
            Side::Defectors => (5.0, 6.0),
        }
    }
}

/// Decay exponent of the density at the critical point of 2+1-dimensional directed percolation.
pub const DP_DECAY_EXPONENT: f64 = 0.4505;

/// Ratio of the late to the middle window mean at the critical point.
pub fn critical_ratio() -> f64 {
    (0.95f64 / 0.45).powf(-DP_DECAY_EXPONENT)
}

/// How a threshold is searched for.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    pub which: Side,
    pub side: usize,
    pub mcs: u32,
    pub seeds: Vec<u64>,
    /// Bisection steps; the final bracket is the initial one over 2^iterations.
    pub iterations: u32,
}

impl Search {
    /// The full-mode search: L = 400, 8000 MCS, 4 seeds, bracket width below 0.016.
    pub fn full(which: Side) -> Search {
        let (lo, hi) = which.bracket();
        Search {
            which,
            side: 400,
            mcs: 8_000,
            seeds: vec![1, 2, 3, 4],
            iterations: ((hi - lo) / 0.016).log2().ceil() as u32,
        }
    }
}

/// One classified value of `r`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probe {
    pub r: f64,
    /// Pooled late/middle window ratio of the losing strategy's density (0 once extinct).
    pub ratio: f64,
    /// Runs (of the seeds) in which the losing strategy was still present at the end.
    pub alive: usize,
    /// True when `r` is on the side where the losing strategy survives.
    pub survives: bool,
}

/// A located threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub lo: f64,
    pub hi: f64,
    pub probes: Vec<Probe>,
}

impl Located {
    pub fn estimate(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }
}

/// Runs every seed at `r` and classifies it.
pub fn probe(search: &Search, r: f64) -> Probe {
    let (t, side) = (search.mcs, search.side);
    let windows: Vec<(f64, f64, bool)> = search
        .seeds
        .par_iter()
        .map(|&seed| {
            let params = PggParams { r, k: 0.5 };
            let mut g = SpatialPgg::new(SpatialPgg::initial_lattice(side, 0.5, seed), params, seed);
            let (mut mid, mut late) = (0.0, 0.0);
            for step in 1..=t {
                if g.absorbed() {
                    break;
                }
                g.step();
                let c = g.cooperator_fraction();
                let loser = match search.which {
                    Side::Cooperators => c,
                    Side::Defectors => 1.0 - c,
                };
                if step > t * 4 / 10 && step <= t / 2 {
                    mid += loser;
                }
                if step > t * 9 / 10 {
                    late += loser;
                }
            }
            let alive = match search.which {
                Side::Cooperators => g.cooperators() > 0,
                Side::Defectors => g.cooperators() < side * side,
            };
            (mid, late, alive)
        })
        .collect();
    let mid: f64 = windows.iter().map(|w| w.0).sum();
    let late: f64 = windows.iter().map(|w| w.1).sum();
    let ratio = if mid > 0.0 { late / mid } else { 0.0 };
    Probe {
        r,
        ratio,
        alive: windows.iter().filter(|w| w.2).count(),
        survives: ratio > critical_ratio(),
    }
}

/// Bisection for the threshold, reporting each probe to `progress`.
pub fn locate(search: &Search, mut progress: impl FnMut(&Probe)) -> Result<Located, String> {
    let (start_lo, start_hi) = search.which.bracket();
    let (mut lo, mut hi) = (start_lo, start_hi);
    let mut probes = Vec::new();
    for _ in 0..search.iterations {
        let mid = 0.5 * (lo + hi);
        let p = probe(search, mid);
        progress(&p);
        probes.push(p);
        // Cooperators survive above r_c1; defectors survive below r_c2.
        let above = match search.which {
            Side::Cooperators => !p.survives,
            Side::Defectors => p.survives,
        };
        if above {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if lo == start_lo || hi == start_hi {
        return Err(format!(
            "no threshold inside {start_lo}–{start_hi}: every probe fell on one side"
        ));
    }
    Ok(Located { lo, hi, probes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_critical_ratio_is_about_0_71() {
        assert!((critical_ratio() - 0.714).abs() < 0.002);
    }

    #[test]
    fn probes_classify_points_far_from_the_thresholds() {
        let small = |which| Search {
            which,
            side: 40,
            mcs: 400,
            seeds: vec![1, 2],
            iterations: 1,
        };
        assert!(!probe(&small(Side::Cooperators), 3.0).survives);
        assert!(probe(&small(Side::Cooperators), 4.5).survives);
        assert!(probe(&small(Side::Defectors), 4.5).survives);
    }
}
