//! Variance-based sensitivity (Sobol' indices): the Saltelli design and its estimators.
//!
//! The design takes `samples` = N base rows of two independent quasi-random matrices A and B
//! (the first and second d dimensions of one Owen-scrambled Sobol sequence, `sobol_burley`,
//! seeded from the experiment's base seed) and, for each row, the d points AB⁽ⁱ⁾ that are A
//! with column i taken from B: N·(d + 2) points, in the order SALib's `sobol.analyze` reads
//! (A, AB⁽¹⁾ … AB⁽ᵈ⁾, B per row), so its output can be checked against SALib directly
//! (`benches/peers/sobol_salib.py`).
//!
//! Estimators (Saltelli et al. 2010, Table 2; the total index is Jansen's 1999 form), on
//! outputs centred on their overall mean and divided by the variance of A ∪ B:
//! S1ᵢ = mean(f(B)·(f(AB⁽ⁱ⁾) − f(A))) / V and STᵢ = ½·mean((f(A) − f(AB⁽ⁱ⁾))²) / V.
//! Intervals are percentile bootstrap intervals over the N rows, resampled from a stream of
//! the base seed, so they are as reproducible as everything else.
//!
//! For a stochastic model the output of a point is the mean of its replications on common
//! random numbers, and `seed_noise` says how much of the variance those means still owe to
//! the seeds (ten Broeke, van Voorn & Ligtenberg 2016).
//!
//! Left out on purpose: second-order indices (they need N·(2d + 2) runs; the gap ST − S1
//! already shows how much a parameter acts through interactions) and groups of parameters.

use rand::Rng;

use super::design::{design_stream, Point, Range};
use crate::model::rng::mix64;

/// Most base rows: `sobol_burley` gives 2^16 points of a sequence.
pub const MAX_SAMPLES: u32 = 1 << 16;

/// Most varied parameters: A and B take 2d of `sobol_burley`'s 256 dimensions.
pub const MAX_PARAMETERS: usize = 128;

/// Bootstrap resamples of the intervals.
pub const RESAMPLES: u32 = 1000;

/// The Saltelli points of `samples` base rows over `ranges`, in SALib's order.
pub fn saltelli_points(samples: u32, ranges: &[Range], base_seed: u64) -> Vec<Point> {
    let d = ranges.len();
    let seed = mix64(base_seed ^ 0x5_0B01) as u32;
    let mut out = Vec::with_capacity(samples as usize * (d + 2));
    let mut push = |unit: Vec<f64>, label: String| {
        let set = ranges
            .iter()
            .zip(&unit)
            .map(|(r, u)| (r.key.clone(), r.at(*u)))
            .collect();
        out.push(Point {
            id: out.len() as u32,
            label,
            set,
            unit,
        });
    };
    for j in 0..samples {
        let coordinate = |dim: usize| f64::from(sobol_burley::sample(j, dim as u32, seed));
        let a: Vec<f64> = (0..d).map(coordinate).collect();
        let b: Vec<f64> = (d..2 * d).map(coordinate).collect();
        push(a.clone(), format!("sobol-{j}-A"));
        for i in 0..d {
            let mut ab = a.clone();
            ab[i] = b[i];
            push(ab, format!("sobol-{j}-AB{}", i + 1));
        }
        push(b, format!("sobol-{j}-B"));
    }
    out
}

/// An index with its bootstrap 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// First-order and total indices of one parameter on one output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Indices {
    pub s1: Estimate,
    pub st: Estimate,
}

/// S1 and ST of each parameter from one value per row part, already centred.
fn point_indices(rows: &[usize], a: &[f64], b: &[f64], ab: &[Vec<f64>]) -> Option<Vec<[f64; 2]>> {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&j| a[j] + b[j]).sum::<f64>() / (2.0 * n);
    let var = rows
        .iter()
        .map(|&j| (a[j] - mean).powi(2) + (b[j] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    // Zero (or NaN, which the caller rules out): the output does not vary.
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    Some(
        ab.iter()
            .map(|abi| {
                let (mut first, mut total) = (0.0, 0.0);
                for &j in rows {
                    first += b[j] * (abi[j] - a[j]);
                    total += (a[j] - abi[j]).powi(2);
                }
                [first / n / var, 0.5 * total / n / var]
            })
            .collect(),
    )
}

/// The quantile `q` of sorted values, interpolated linearly between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (i, f) = (h.floor() as usize, h.fract());
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + f * (next - sorted[i]),
        None => sorted[i],
    }
}

/// S1 and ST of each of `d` parameters from outputs `y` in Saltelli order (N·(d + 2) values,
/// see the module notes), with percentile bootstrap intervals from `resamples` resamples of
/// the rows drawn from `seed`. `None` when the output does not vary (the indices are
/// undefined) or there are fewer than two rows.
pub fn indices(y: &[f64], d: usize, resamples: u32, seed: u64) -> Option<Vec<Indices>> {
    let step = d + 2;
    if d == 0 || y.len() % step != 0 || y.len() / step < 2 || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = y.len() / step;
    let f0 = y.iter().sum::<f64>() / y.len() as f64;
    let part = |k: usize| -> Vec<f64> { (0..n).map(|j| y[j * step + k] - f0).collect() };
    let (a, b) = (part(0), part(d + 1));
    let ab: Vec<Vec<f64>> = (1..=d).map(part).collect();
    let all: Vec<usize> = (0..n).collect();
    let point = point_indices(&all, &a, &b, &ab)?;
    let mut rng = design_stream(seed, 0xB007);
    let mut draws: Vec<Vec<[f64; 2]>> = vec![Vec::with_capacity(resamples as usize); d];
    let mut rows = vec![0usize; n];
    for _ in 0..resamples {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..n);
        }
        // A resample that happens to be constant has no indices; it is left out.
        if let Some(s) = point_indices(&rows, &a, &b, &ab) {
            for (i, si) in s.into_iter().enumerate() {
                draws[i].push(si);
            }
        }
    }
    let interval = |value: f64, mut x: Vec<f64>| {
        if x.is_empty() {
            return Estimate {
                value,
                lo: value,
                hi: value,
            };
        }
        x.sort_by(f64::total_cmp);
        Estimate {
            value,
            lo: quantile(&x, 0.025),
            hi: quantile(&x, 0.975),
        }
    };
    Some(
        point
            .iter()
            .zip(draws)
            .map(|(p, dr)| Indices {
                s1: interval(p[0], dr.iter().map(|s| s[0]).collect()),
                st: interval(p[1], dr.iter().map(|s| s[1]).collect()),
            })
            .collect(),
    )
}

/// How much of the variance of the analysed point means is seed noise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeedNoise {
    /// E[s²ᵖ / nᵖ] / Var(means): the share of the variance of the replicate means that the
    /// seeds cause (ten Broeke et al. 2016); it falls as 1/replications. Under common random
    /// numbers part of the noise is shared by every point and cancels, so this is an upper
    /// bound.
    pub share: f64,
    /// Replications per point that would bring the share to 5% (`None` when the parameters
    /// explain none of the variance within this sample's precision).
    pub replications_for_5pct: Option<u64>,
}

/// Seed noise from the variance of the point means (`var_means`, the V of the indices) and
/// each point's sample variance and replications (points with fewer than two are skipped).
/// `None` without any point of two or more replications.
pub fn seed_noise(var_means: f64, within: impl Iterator<Item = (f64, u64)>) -> Option<SeedNoise> {
    let (mut of_means, mut of_runs, mut k) = (0.0, 0.0, 0u64);
    for (var, n) in within.filter(|(_, n)| *n >= 2) {
        of_means += var / n as f64;
        of_runs += var;
        k += 1;
    }
    if k == 0 || var_means.is_nan() || var_means <= 0.0 {
        return None;
    }
    let (of_means, of_runs) = (of_means / k as f64, of_runs / k as f64);
    // Var(means) = V_parameters + σ²/R: the share σ²/R / Var falls below q once
    // R ≥ σ² (1 − q) / (q V_parameters).
    let parameters = var_means - of_means;
    Some(SeedNoise {
        share: (of_means / var_means).min(1.0),
        replications_for_5pct: (parameters > 0.0)
            .then(|| (of_runs * 0.95 / (0.05 * parameters)).ceil().max(1.0) as u64),
    })
}

/// The population variance of the A and B values of `y` (the V of the indices).
pub fn output_variance(y: &[f64], d: usize) -> f64 {
    let step = d + 2;
    let ends: Vec<f64> = y
        .chunks(step)
        .flat_map(|row| [row[0], row[step - 1]])
        .collect();
    let n = ends.len().max(1) as f64;
    let mean = ends.iter().sum::<f64>() / n;
    ends.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
}

/// The Ishigami function (a = 7, b = 0.1), the usual check of Sobol' estimators, with its
/// analytic indices (Saltelli et al. 2008, §4.8); shared by the unit test and the SALib peer
/// check (`examples/sobol_ishigami.rs`).
pub mod ishigami {
    use super::Range;
    use crate::model::params::ParamKind;
    use std::f64::consts::PI;

    /// S1 of x1, x2, x3.
    pub const S1: [f64; 3] = [0.3139, 0.4424, 0.0];
    /// ST of x1, x2, x3.
    pub const ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

    /// x1, x2 and x3, each uniform on [−π, π].
    pub fn ranges() -> Vec<Range> {
        ["x1", "x2", "x3"]
            .iter()
            .map(|k| Range {
                key: k.to_string(),
                kind: ParamKind::Float,
                lo: -PI,
                hi: PI,
            })
            .collect()
    }

    /// The coordinates of a point of the unit cube.
    pub fn coordinates(unit: &[f64]) -> Vec<f64> {
        unit.iter().map(|u| -PI + u * 2.0 * PI).collect()
    }

    pub fn value(x: &[f64]) -> f64 {
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saltelli_design_is_a_b_and_one_column_swapped_per_parameter() {
        let ranges = ishigami::ranges();
        let p = saltelli_points(8, &ranges, 5);
        assert_eq!(p.len(), 8 * 5);
        for row in p.chunks(5) {
            let (a, b) = (&row[0].unit, &row[4].unit);
            for i in 0..3 {
                for c in 0..3 {
                    let expect = if c == i { b[c] } else { a[c] };
                    assert_eq!(row[1 + i].unit[c], expect);
                }
            }
        }
        assert_eq!(p, saltelli_points(8, &ranges, 5), "a function of the seed");
        assert_ne!(p, saltelli_points(8, &ranges, 6));
    }

    /// Ishigami (a = 7, b = 0.1) has analytic indices S1 = (0.3139, 0.4424, 0) and
    /// ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, §4.8): with N = 4096 base rows each
    /// must lie inside its bootstrap 95% interval, the intervals must be narrower than 0.1,
    /// and the same sample must give the same numbers twice. Measured (seed 1): S1 = 0.316
    /// [0.286, 0.346], 0.441 [0.414, 0.468], 0.000 [−0.028, 0.027]; ST = 0.555 [0.514, 0.601],
    /// 0.442 [0.422, 0.464], 0.245 [0.232, 0.258] (SALib on the same outputs: the same to 1e-15).
    #[test]
    fn ishigami_indices_are_recovered_within_their_intervals() {
        let ranges = ishigami::ranges();
        let points = saltelli_points(4096, &ranges, 1);
        let y: Vec<f64> = points
            .iter()
            .map(|p| ishigami::value(&ishigami::coordinates(&p.unit)))
            .collect();
        let got = indices(&y, 3, RESAMPLES, 1).unwrap();
        let (s1, st) = (ishigami::S1, ishigami::ST);
        for i in 0..3 {
            for (e, truth) in [(got[i].s1, s1[i]), (got[i].st, st[i])] {
                assert!(
                    e.lo <= truth && truth <= e.hi,
                    "x{}: {e:?} vs {truth}",
                    i + 1
                );
                assert!(e.hi - e.lo < 0.1, "x{}: {e:?}", i + 1);
            }
        }
        assert_eq!(got, indices(&y, 3, RESAMPLES, 1).unwrap());
    }

    #[test]
    fn a_constant_output_has_no_indices() {
        assert_eq!(indices(&[1.0; 20], 3, 10, 1), None);
        assert_eq!(indices(&[1.0; 19], 3, 10, 1), None, "not N·(d + 2) values");
    }

    /// Means of 4 replications with within-point variance 0.4 contribute 0.1 to a total
    /// variance of 0.5: a share of 0.2; the parameters' 0.4 would need 0.4·0.95/(0.05·0.4) = 19
    /// replications for a share of 5%.
    #[test]
    fn seed_noise_by_hand() {
        let n = seed_noise(0.5, std::iter::repeat((0.4, 4)).take(10)).unwrap();
        assert!((n.share - 0.2).abs() < 1e-12);
        assert_eq!(n.replications_for_5pct, Some(19));
        assert_eq!(seed_noise(0.5, std::iter::repeat((0.4, 1)).take(3)), None);
    }
}
