//! Experimental designs: which parameter values each design point takes.
//!
//! Full factorial grids, named policy packages, Latin hypercube samples, Morris
//! elementary-effects trajectories and Saltelli's design for Sobol' indices (`sobol`).
//! Random designs draw from the experiment's base seed
//! through the model's counter-based streams, so a design is a pure function of the file.

use rand::Rng;

use crate::model::params::{ParamKind, ParamValue};
use crate::model::rng::{mix64, Stream};
use rand::SeedableRng;

/// A parameter range of a sampled design.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub key: String,
    pub kind: ParamKind,
    pub lo: f64,
    pub hi: f64,
}

impl Range {
    /// The value at position `u ∈ [0, 1]` of the range (integers rounded, booleans at 0.5).
    pub fn at(&self, u: f64) -> ParamValue {
        let x = self.lo + u.clamp(0.0, 1.0) * (self.hi - self.lo);
        match self.kind {
            ParamKind::Float => ParamValue::Float(x),
            ParamKind::Integer => ParamValue::Int(x.round() as i64),
            ParamKind::Bool => ParamValue::Bool(u >= 0.5),
        }
    }
}

/// A named package of parameter settings (a policy mix).
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub name: String,
    /// The package's name in Chinese charts and reports ("" when the file gives none: the
    /// `name` is shown).
    pub name_zh: String,
    pub set: Vec<(String, ParamValue)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Design {
    /// Every combination of the listed values, the first factor varying slowest.
    Grid(Vec<(String, Vec<ParamValue>)>),
    Packages(Vec<Package>),
    LatinHypercube {
        points: u32,
        ranges: Vec<Range>,
    },
    /// Morris (1991) trajectories on a `levels`-level grid, as improved by Campolongo et al.
    /// (2007) in using μ* (mean absolute elementary effect).
    Morris {
        trajectories: u32,
        levels: u32,
        ranges: Vec<Range>,
    },
    /// Saltelli's design for Sobol' indices: `samples` (a power of two) base rows of N·(d + 2)
    /// points (`sobol::saltelli_points`).
    Sobol {
        samples: u32,
        ranges: Vec<Range>,
    },
}

impl Design {
    pub fn kind(&self) -> &'static str {
        match self {
            Design::Grid(_) => "grid",
            Design::Packages(_) => "packages",
            Design::LatinHypercube { .. } => "lhs",
            Design::Morris { .. } => "morris",
            Design::Sobol { .. } => "sobol",
        }
    }

    /// Keys the design varies, in design order.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |k: &String| {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        };
        match self {
            Design::Grid(f) => f.iter().for_each(|(k, _)| add(k)),
            Design::Packages(ps) => ps
                .iter()
                .flat_map(|p| p.set.iter())
                .for_each(|(k, _)| add(k)),
            Design::LatinHypercube { ranges, .. }
            | Design::Morris { ranges, .. }
            | Design::Sobol { ranges, .. } => ranges.iter().for_each(|r| add(&r.key)),
        }
        keys
    }
}

/// One design point.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub id: u32,
    pub label: String,
    pub set: Vec<(String, ParamValue)>,
    /// Unit-cube coordinates of sampled designs (Morris needs them).
    pub unit: Vec<f64>,
}

pub(super) fn design_stream(base_seed: u64, purpose: u64) -> Stream {
    Stream::seed_from_u64(mix64(mix64(base_seed) ^ purpose))
}

/// How many points `points` would return, computed without expanding the design (saturating,
/// so an absurd grid is a large number rather than an overflow).
pub fn point_count(design: &Design) -> u64 {
    match design {
        Design::Grid(factors) => factors
            .iter()
            .fold(1u64, |n, (_, v)| n.saturating_mul(v.len() as u64)),
        Design::Packages(ps) => ps.len() as u64,
        Design::LatinHypercube { points, .. } => *points as u64,
        Design::Morris {
            trajectories,
            ranges,
            ..
        } => (*trajectories as u64).saturating_mul(ranges.len() as u64 + 1),
        Design::Sobol { samples, ranges } => {
            (*samples as u64).saturating_mul(ranges.len() as u64 + 2)
        }
    }
}

/// Expands a design into its points.
pub fn points(design: &Design, base_seed: u64) -> Vec<Point> {
    match design {
        Design::Grid(factors) => {
            let total: usize = factors.iter().map(|(_, v)| v.len()).product();
            (0..total)
                .map(|i| {
                    let mut rest = i;
                    let mut set = vec![(String::new(), ParamValue::Int(0)); factors.len()];
                    for (f, (key, values)) in factors.iter().enumerate().rev() {
                        set[f] = (key.clone(), values[rest % values.len()]);
                        rest /= values.len();
                    }
                    let label = set
                        .iter()
                        .map(|(k, v)| format!("{}={v}", short(k)))
                        .collect::<Vec<_>>()
                        .join(" ");
                    Point {
                        id: i as u32,
                        label,
                        set,
                        unit: Vec::new(),
                    }
                })
                .collect()
        }
        Design::Packages(ps) => ps
            .iter()
            .enumerate()
            .map(|(i, p)| Point {
                id: i as u32,
                label: p.name.clone(),
                set: p.set.clone(),
                unit: Vec::new(),
            })
            .collect(),
        Design::LatinHypercube { points: n, ranges } => {
            let mut rng = design_stream(base_seed, 0x1A7);
            let n = *n as usize;
            // One random permutation of the n strata per dimension, a uniform draw inside each.
            let mut columns: Vec<Vec<f64>> = Vec::with_capacity(ranges.len());
            for _ in ranges {
                let mut strata: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    let j = rng.random_range(0..=i);
                    strata.swap(i, j);
                }
                columns.push(
                    strata
                        .iter()
                        .map(|&s| (s as f64 + rng.random::<f64>()) / n as f64)
                        .collect(),
                );
            }
            (0..n)
                .map(|i| {
                    let unit: Vec<f64> = columns.iter().map(|c| c[i]).collect();
                    let set = ranges
                        .iter()
                        .zip(&unit)
                        .map(|(r, u)| (r.key.clone(), r.at(*u)))
                        .collect();
                    Point {
                        id: i as u32,
                        label: format!("lhs-{i}"),
                        set,
                        unit,
                    }
                })
                .collect()
        }
        Design::Morris {
            trajectories,
            levels,
            ranges,
        } => {
            let mut rng = design_stream(base_seed, 0x304);
            let k = ranges.len();
            let p = *levels as f64;
            let delta = p / (2.0 * (p - 1.0));
            let mut out = Vec::new();
            for t in 0..*trajectories {
                // Base point on the grid {0, 1/(p-1), …} with room for a +Δ step.
                let max_level = ((1.0 - delta) * (p - 1.0) + 1e-9).floor() as u32;
                let mut x: Vec<f64> = (0..k)
                    .map(|_| rng.random_range(0..=max_level) as f64 / (p - 1.0))
                    .collect();
                let mut order: Vec<usize> = (0..k).collect();
                for i in (1..k).rev() {
                    let j = rng.random_range(0..=i);
                    order.swap(i, j);
                }
                let mut push = |x: &Vec<f64>, step: usize| {
                    let id = out.len() as u32;
                    let set = ranges
                        .iter()
                        .zip(x)
                        .map(|(r, u)| (r.key.clone(), r.at(*u)))
                        .collect();
                    out.push(Point {
                        id,
                        label: format!("morris-t{t}-s{step}"),
                        set,
                        unit: x.clone(),
                    });
                };
                push(&x, 0);
                for (step, &f) in order.iter().enumerate() {
                    x[f] += delta;
                    push(&x, step + 1);
                }
            }
            out
        }
        Design::Sobol { samples, ranges } => {
            super::sobol::saltelli_points(*samples, ranges, base_seed)
        }
    }
}

/// A key as a grid label names it: a parameter by its last part, an intervention's week
/// (`interventions.2.tick`) whole.
fn short(key: &str) -> &str {
    if key.starts_with("interventions.") {
        return key;
    }
    key.rsplit('.').next().unwrap_or(key)
}

/// Morris statistics of one lever on one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisEffect {
    pub lever: String,
    pub metric: String,
    /// Mean absolute elementary effect (Campolongo et al. 2007): importance.
    pub mu_star: f64,
    /// Mean elementary effect: direction.
    pub mu: f64,
    /// Standard deviation of the effects: non-linearity or interaction.
    pub sigma: f64,
    pub trajectories: u32,
}

/// Elementary effects from the mean metric value at each Morris point (`values[point][metric]`),
/// in units of the metric per full range of the lever.
pub fn morris_effects(
    design: &Design,
    points: &[Point],
    values: &[Vec<f64>],
    metrics: &[String],
) -> Vec<MorrisEffect> {
    let Design::Morris {
        trajectories,
        ranges,
        ..
    } = design
    else {
        return Vec::new();
    };
    let k = ranges.len();
    let mut effects: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); metrics.len()]; k];
    for t in 0..*trajectories as usize {
        let base = t * (k + 1);
        for s in 0..k {
            let (a, b) = (&points[base + s], &points[base + s + 1]);
            let f = (0..k)
                .find(|&i| (a.unit[i] - b.unit[i]).abs() > 1e-12)
                .expect("one factor moves per step");
            let du = b.unit[f] - a.unit[f];
            for m in 0..metrics.len() {
                let d = (values[base + s + 1][m] - values[base + s][m]) / du;
                // NaN: an end of the step has no value (every run of the point failed).
                if d.is_finite() {
                    effects[f][m].push(d);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (f, r) in ranges.iter().enumerate() {
        for (m, name) in metrics.iter().enumerate() {
            let e = &effects[f][m];
            let n = e.len().max(1) as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            out.push(MorrisEffect {
                lever: r.key.clone(),
                metric: name.clone(),
                mu_star,
                mu,
                sigma,
                trajectories: e.len() as u32,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(key: &str) -> Range {
        Range {
            key: key.into(),
            kind: ParamKind::Float,
            lo: 0.0,
            hi: 1.0,
        }
    }

    #[test]
    fn grid_is_the_full_factorial_with_the_first_factor_slowest() {
        let d = Design::Grid(vec![
            (
                "a.x".into(),
                vec![ParamValue::Float(0.0), ParamValue::Float(1.0)],
            ),
            (
                "a.y".into(),
                vec![ParamValue::Int(1), ParamValue::Int(2), ParamValue::Int(3)],
            ),
        ]);
        let p = points(&d, 1);
        assert_eq!(p.len(), 6);
        assert_eq!(
            p[1].set,
            vec![
                ("a.x".into(), ParamValue::Float(0.0)),
                ("a.y".into(), ParamValue::Int(2))
            ]
        );
        assert_eq!(p[3].set[0].1, ParamValue::Float(1.0));
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum_of_each_dimension() {
        let d = Design::LatinHypercube {
            points: 20,
            ranges: vec![range("a.x"), range("a.y")],
        };
        let p = points(&d, 9);
        for dim in 0..2 {
            let mut strata: Vec<usize> = p.iter().map(|q| (q.unit[dim] * 20.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..20).collect::<Vec<_>>());
        }
        assert_eq!(p, points(&d, 9), "a design is a function of the seed");
    }

    #[test]
    fn morris_recovers_known_effects_of_a_linear_function() {
        let d = Design::Morris {
            trajectories: 8,
            levels: 4,
            ranges: vec![range("a.x"), range("a.y"), range("a.z")],
        };
        let p = points(&d, 3);
        assert_eq!(p.len(), 8 * 4);
        // y = 2x − 3y + 0z: μ = (2, −3, 0), μ* = (2, 3, 0), σ = 0.
        let values: Vec<Vec<f64>> = p
            .iter()
            .map(|q| vec![2.0 * q.unit[0] - 3.0 * q.unit[1]])
            .collect();
        let e = morris_effects(&d, &p, &values, &["m".to_string()]);
        let expect = [(2.0, 2.0), (-3.0, 3.0), (0.0, 0.0)];
        for (eff, (mu, mu_star)) in e.iter().zip(expect) {
            assert!(
                (eff.mu - mu).abs() < 1e-9
                    && (eff.mu_star - mu_star).abs() < 1e-9
                    && eff.sigma < 1e-9,
                "{eff:?}"
            );
        }
    }
}
