//! The calibration method, generic over a simulator: iterated history matching (Vernon,
//! Goldstein & Bower 2010) shrinks the prior's box to the space where the targets are not
//! implausible, then ABC-SMC (Beaumont et al. 2009; Del Moral, Doucet & Jasra 2012's adaptive
//! tolerance) samples the posterior inside that space.
//!
//! The algorithm asks the simulator for whole batches of runs (`Batch`): the city answers each
//! batch with one sweep of the experiment engine (`calibration::city`), a test with a formula.
//! Every proposal is a pure function of the seed and of the results of earlier batches, and
//! every sum runs in index order, so the outcome does not depend on threads, and a killed
//! calibration started again asks for the same batches, which the city finds journaled.
//!
//! Left out on purpose: an emulator (history matching here evaluates the model itself at every
//! point, and the non-implausible space is carried as a box around the points that survive),
//! and regression adjustment of the ABC sample.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::experiment::sweep::SweepError;
use crate::model::rng::{mix64, Stream};

/// The prior of one fitted parameter: flat on its own scale (`flat`) between `lo` and `hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prior {
    Uniform,
    /// Flat in log(x): every factor of ten between `lo` and `hi` equally likely.
    LogUniform,
}

impl Prior {
    pub fn name(self) -> &'static str {
        match self {
            Prior::Uniform => "uniform",
            Prior::LogUniform => "log-uniform",
        }
    }
}

/// A parameter to fit.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub key: String,
    pub prior: Prior,
    pub lo: f64,
    pub hi: f64,
}

impl Parameter {
    /// `x` on the prior's flat scale (log for a log-uniform prior).
    pub fn to_flat(&self, x: f64) -> f64 {
        match self.prior {
            Prior::Uniform => x,
            Prior::LogUniform => x.ln(),
        }
    }

    /// The value at `z` on the flat scale.
    pub fn from_flat(&self, z: f64) -> f64 {
        match self.prior {
            Prior::Uniform => z,
            Prior::LogUniform => z.exp(),
        }
        .clamp(self.lo, self.hi)
    }

    /// Mean and variance of the prior on the parameter's own scale (for contraction).
    pub fn prior_moments(&self) -> (f64, f64) {
        let (a, b) = (self.lo, self.hi);
        match self.prior {
            Prior::Uniform => ((a + b) / 2.0, (b - a).powi(2) / 12.0),
            Prior::LogUniform => {
                let l = (b / a).ln();
                let m1 = (b - a) / l;
                let m2 = (b * b - a * a) / (2.0 * l);
                (m1, (m2 - m1 * m1).max(0.0))
            }
        }
    }
}

/// A target as the method sees it: the observed value and the two variances stated in
/// advance (observation error and model discrepancy, as standard deviations).
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub name: String,
    pub observed: f64,
    pub sd: f64,
    pub discrepancy_sd: f64,
}

/// What is fitted to what.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub parameters: Vec<Parameter>,
    pub targets: Vec<Observation>,
}

/// Settings of the history-matching waves.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryMatching {
    pub waves: u32,
    /// Points per wave.
    pub points: u32,
    /// Replications per point (at least 2: the seed-noise variance comes from them).
    pub replications: u32,
    /// Largest implausibility a point may have and stay (3: Pukelsheim's three-sigma rule).
    pub cutoff: f64,
    /// Multiples of the stated discrepancy at which the non-implausible share is also shown;
    /// the method itself uses 1.
    pub discrepancy_scales: Vec<f64>,
}

/// Settings of ABC-SMC.
#[derive(Clone, Debug, PartialEq)]
pub struct AbcSmc {
    /// Particles per generation.
    pub population: u32,
    /// Generations after generation 0 (the prior inside the non-implausible box).
    pub generations: u32,
    /// The next tolerance is this weighted quantile of the current population's distances.
    pub quantile: f64,
    /// Stop when a generation accepts fewer than this share of its simulations.
    pub min_acceptance: f64,
    /// Stop once the tolerance reaches this distance.
    pub min_tolerance: f64,
    /// Draws from the posterior run again for the predictive distribution.
    pub predictive: u32,
}

/// The method's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    pub seed: u64,
    pub history_matching: HistoryMatching,
    pub abc: AbcSmc,
}

/// Runs the method asks for at once: every point `replications` times.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// `wave-01`, `gen-02-01` (generation 2, its first batch), `predictive`.
    pub name: String,
    /// The batch's base seed; run seeds derive from it, the point and the replication.
    pub seed: u64,
    /// Parameter values, in `Problem::parameters` order, on the parameters' own scale.
    pub points: Vec<Vec<f64>>,
    pub replications: u32,
}

/// The target quantities of one run, in `Problem::targets` order; `None` if the run failed.
pub type RunValues = Option<Vec<f64>>;

/// A model the method can calibrate.
pub trait Simulator {
    /// Runs every point of `batch` `replications` times; the results point by point, the
    /// replications of a point together. The same batch must always give the same results.
    fn run(&mut self, batch: &Batch) -> Result<Vec<RunValues>, SweepError>;
}

/// Where the method is, for a progress display.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Stages started so far, this one included (a wave, a generation, the predictive runs).
    pub stage: u32,
    /// Stages planned (generations may stop early).
    pub stages: u32,
    pub label_en: String,
    pub label_zh: String,
    pub tolerance: Option<f64>,
}

/// One point of a wave.
#[derive(Clone, Debug, PartialEq)]
pub struct WavePoint {
    pub theta: Vec<f64>,
    /// Mean of each target over the point's successful replications (NaN: none succeeded).
    pub means: Vec<f64>,
    /// Largest implausibility over the targets at each discrepancy scale (infinite: no run).
    pub implausibility: Vec<f64>,
}

/// One wave of history matching.
#[derive(Clone, Debug, PartialEq)]
pub struct Wave {
    pub wave: u32,
    /// The box the wave sampled, on the parameters' own scale.
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub runs: u64,
    pub failed: u64,
    /// Seed-noise standard deviation of each target, pooled over every wave so far.
    pub seed_sd: Vec<f64>,
    /// Points with implausibility at most the cutoff, at each discrepancy scale.
    pub non_implausible: Vec<u64>,
    pub points: Vec<WavePoint>,
}

/// One weighted ABC particle.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    pub theta: Vec<f64>,
    /// Normalised: the weights of a generation sum to 1.
    pub weight: f64,
    pub distance: f64,
    /// The run's target quantities (before the observation noise is added).
    pub values: Vec<f64>,
}

/// One ABC-SMC generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    pub generation: u32,
    /// `None` for generation 0, which accepts every successful run.
    pub tolerance: Option<f64>,
    pub simulations: u64,
    pub accepted: u64,
    pub acceptance_rate: f64,
    pub ess: f64,
    pub particles: Vec<Particle>,
}

/// Why ABC-SMC stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// It ran every generation asked for.
    Generations,
    /// The tolerance reached `min_tolerance`.
    Tolerance,
    /// A generation accepted less than `min_acceptance` of its simulations.
    Acceptance,
    /// No point of this wave was non-implausible: the model cannot reach the targets at the
    /// stated discrepancy, and there is no posterior.
    NothingPlausible(u32),
}

impl Stop {
    pub fn describe(self) -> String {
        match self {
            Stop::Generations => "every generation asked for ran".into(),
            Stop::Tolerance => "the tolerance reached min_tolerance".into(),
            Stop::Acceptance => "the acceptance rate fell below min_acceptance".into(),
            Stop::NothingPlausible(w) => format!(
                "no point of wave {w} was non-implausible: the model does not reach the targets at the stated discrepancy"
            ),
        }
    }
}

/// Everything the method found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub waves: Vec<Wave>,
    /// The non-implausible box ABC-SMC sampled (empty if history matching found nothing).
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub generations: Vec<Generation>,
    pub stop: Stop,
    /// Posterior predictive draws of each target, observation noise and discrepancy included.
    pub predictive: Vec<Vec<f64>>,
}

impl Outcome {
    /// The last generation: the posterior.
    pub fn posterior(&self) -> Option<&Generation> {
        self.generations.last()
    }
}

/// Purposes of the method's random streams.
const PURPOSE_WAVE: u64 = 0x7761_7665;
const PURPOSE_PROPOSE: u64 = 0x7072_6f70;
const PURPOSE_NOISE: u64 = 0x6e6f_6973;
const PURPOSE_BATCH: u64 = 0x6261_7463;
const PURPOSE_RESAMPLE: u64 = 0x7265_7361;

fn stream(seed: u64, purpose: u64, a: u64, b: u64) -> Stream {
    Stream::seed_from_u64(mix64(mix64(mix64(seed ^ purpose) ^ a) ^ b))
}

fn batch_seed(seed: u64, a: u64, b: u64) -> u64 {
    mix64(mix64(mix64(seed ^ PURPOSE_BATCH) ^ a) ^ b)
}

/// Runs the whole method: waves, generations and the predictive runs.
pub fn calibrate(
    problem: &Problem,
    method: &Method,
    sim: &mut dyn Simulator,
    progress: &mut dyn FnMut(&Step),
) -> Result<Outcome, SweepError> {
    let hm = &method.history_matching;
    let abc = &method.abc;
    let stages = hm.waves + abc.generations + 2;
    let mut stage = 0;
    let mut step = |stage: &mut u32, en: String, zh: String, tolerance: Option<f64>| {
        *stage += 1;
        progress(&Step {
            stage: *stage,
            stages,
            label_en: en,
            label_zh: zh,
            tolerance,
        });
    };
    let flat_prior: Vec<(f64, f64)> = problem
        .parameters
        .iter()
        .map(|p| (p.to_flat(p.lo), p.to_flat(p.hi)))
        .collect();
    let mut bounds = flat_prior.clone();
    let mut waves: Vec<Wave> = Vec::new();
    let mut noise = SeedNoise::new(problem.targets.len());
    for w in 1..=hm.waves {
        step(
            &mut stage,
            format!("history matching, wave {w}/{}", hm.waves),
            format!("历史匹配 第{w}/{}轮", hm.waves),
            None,
        );
        let wave = run_wave(problem, method, sim, w, &bounds, &mut noise)?;
        let kept: Vec<&WavePoint> = wave
            .points
            .iter()
            .filter(|p| p.implausibility[main_scale(hm)] <= hm.cutoff)
            .collect();
        if kept.is_empty() {
            waves.push(wave);
            return Ok(Outcome {
                waves,
                lo: Vec::new(),
                hi: Vec::new(),
                generations: Vec::new(),
                stop: Stop::NothingPlausible(w),
                predictive: Vec::new(),
            });
        }
        bounds = shrink(problem, &bounds, &kept);
        waves.push(wave);
    }
    let seed_var = noise.variances();
    let scale: Vec<f64> = problem
        .targets
        .iter()
        .zip(&seed_var)
        .map(|(t, v)| t.sd.powi(2) + t.discrepancy_sd.powi(2) + v)
        .collect();

    // Generation 0: the prior inside the non-implausible box, every successful run kept.
    step(
        &mut stage,
        "ABC-SMC, generation 0 (prior in the non-implausible box)".into(),
        "ABC-SMC 第0代（非不可信区域内的先验）".into(),
        None,
    );
    let n = abc.population as usize;
    let mut rng = stream(method.seed, PURPOSE_PROPOSE, 0, 0);
    let thetas: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            bounds
                .iter()
                .zip(&problem.parameters)
                .map(|((lo, hi), p)| p.from_flat(lo + rng.random::<f64>() * (hi - lo)))
                .collect()
        })
        .collect();
    let batch = Batch {
        name: "gen-00-01".into(),
        seed: batch_seed(method.seed, 0, 1),
        points: thetas.clone(),
        replications: 1,
    };
    let results = checked_run(sim, &batch)?;
    let mut particles = Vec::new();
    for (i, (theta, r)) in thetas.into_iter().zip(results).enumerate() {
        if let Some(values) = r {
            let distance = distance(problem, &scale, &values, method.seed, 0, 1, i as u64);
            particles.push(Particle {
                theta,
                weight: 1.0,
                distance,
                values,
            });
        }
    }
    if particles.is_empty() {
        return Err(SweepError::Usage(
            "every run of ABC-SMC's generation 0 failed; see the runs.csv of batches/gen-00-01"
                .into(),
        ));
    }
    normalise(&mut particles);
    let accepted = particles.len() as u64;
    let mut generations = vec![Generation {
        generation: 0,
        tolerance: None,
        simulations: n as u64,
        accepted,
        acceptance_rate: accepted as f64 / n as f64,
        ess: ess(&particles),
        particles,
    }];
    let mut stop = Stop::Generations;
    let mut expected_rate = abc.quantile;
    for g in 1..=abc.generations {
        let prev = generations.last().expect("generation 0 exists");
        let distances: Vec<f64> = prev.particles.iter().map(|p| p.distance).collect();
        let weights: Vec<f64> = prev.particles.iter().map(|p| p.weight).collect();
        let eps = weighted_quantile(&distances, &weights, abc.quantile).max(abc.min_tolerance);
        step(
            &mut stage,
            format!("ABC-SMC, generation {g}/{}", abc.generations),
            format!("ABC-SMC 第{g}/{}代", abc.generations),
            Some(eps),
        );
        let kernel = Kernel::new(problem, &prev.particles, &bounds);
        let mut accepted: Vec<Particle> = Vec::new();
        let mut extra_accepted = 0u64;
        let mut simulations = 0u64;
        // A generation that cannot fill its population within this many runs is given up.
        let cap = ((n as f64 / abc.min_acceptance).ceil() as u64).max(n as u64);
        let mut b = 0u64;
        while accepted.len() < n && simulations < cap {
            b += 1;
            let needed = n - accepted.len();
            // The acceptance rate expected: this generation's so far, else the last one's.
            let rate = if simulations > 0 {
                (accepted.len() as u64 + extra_accepted) as f64 / simulations as f64
            } else {
                expected_rate
            };
            let size = ((needed as f64 / rate.max(abc.min_acceptance)) * 1.2).ceil() as u64;
            let size = size.clamp(needed as u64, cap - simulations) as usize;
            let mut rng = stream(method.seed, PURPOSE_PROPOSE, g as u64, b);
            let thetas: Vec<Vec<f64>> = (0..size)
                .map(|_| kernel.propose(problem, &prev.particles, &mut rng))
                .collect();
            let batch = Batch {
                name: format!("gen-{g:02}-{b:02}"),
                seed: batch_seed(method.seed, g as u64, b),
                points: thetas.clone(),
                replications: 1,
            };
            let results = checked_run(sim, &batch)?;
            simulations += size as u64;
            for (i, (theta, r)) in thetas.into_iter().zip(results).enumerate() {
                let Some(values) = r else { continue };
                let dist = distance(problem, &scale, &values, method.seed, g as u64, b, i as u64);
                if dist > eps {
                    continue;
                }
                if accepted.len() == n {
                    extra_accepted += 1;
                    continue;
                }
                let z: Vec<f64> = problem
                    .parameters
                    .iter()
                    .zip(&theta)
                    .map(|(p, x)| p.to_flat(*x))
                    .collect();
                accepted.push(Particle {
                    weight: 1.0 / kernel.density(&z),
                    theta,
                    distance: dist,
                    values,
                });
            }
        }
        let total_accepted = accepted.len() as u64 + extra_accepted;
        let rate = total_accepted as f64 / simulations.max(1) as f64;
        if accepted.len() < n {
            stop = Stop::Acceptance;
            break;
        }
        normalise(&mut accepted);
        generations.push(Generation {
            generation: g,
            tolerance: Some(eps),
            simulations,
            accepted: total_accepted,
            acceptance_rate: rate,
            ess: ess(&accepted),
            particles: accepted,
        });
        expected_rate = rate * 0.8;
        if rate < abc.min_acceptance {
            stop = Stop::Acceptance;
            break;
        }
        if eps <= abc.min_tolerance {
            stop = Stop::Tolerance;
            break;
        }
    }

    step(
        &mut stage,
        "posterior predictive runs".into(),
        "后验预测模拟".into(),
        None,
    );
    let posterior = &generations.last().expect("generation 0 exists").particles;
    let draws = systematic_resample(
        &posterior.iter().map(|p| p.weight).collect::<Vec<_>>(),
        abc.predictive as usize,
        &mut stream(method.seed, PURPOSE_RESAMPLE, 0, 0),
    );
    let batch = Batch {
        name: "predictive".into(),
        seed: batch_seed(method.seed, u64::MAX, 0),
        points: draws.iter().map(|i| posterior[*i].theta.clone()).collect(),
        replications: 1,
    };
    let results = checked_run(sim, &batch)?;
    let mut predictive = vec![Vec::new(); problem.targets.len()];
    for (i, r) in results.into_iter().enumerate() {
        let Some(values) = r else { continue };
        let mut rng = stream(method.seed, PURPOSE_NOISE, u64::MAX, i as u64);
        for (j, (t, v)) in problem.targets.iter().zip(values).enumerate() {
            predictive[j].push(v + observation_noise(t, &mut rng));
        }
    }
    let (lo, hi) = bounds
        .iter()
        .zip(&problem.parameters)
        .map(|((a, b), p)| (p.from_flat(*a), p.from_flat(*b)))
        .unzip();
    Ok(Outcome {
        waves,
        lo,
        hi,
        generations,
        stop,
        predictive,
    })
}

/// One run of a prediction: its quantities, and the same with observation error added.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictedRun {
    /// `None` if the run failed.
    pub values: RunValues,
    pub noisy: RunValues,
}

/// Predicts `targets` of a second scenario (the simulator's) from `posterior`: `draws`
/// parameter sets drawn by systematic resampling (a stream of its own, so the calibration's
/// predictive draws are untouched), each run once in the batch `prediction`, and each run's
/// quantities with N(0, sd² + discrepancy_sd²) added, as the predictive runs are.
pub fn predict(
    posterior: &Generation,
    targets: &[Observation],
    draws: u32,
    seed: u64,
    sim: &mut dyn Simulator,
) -> Result<Vec<PredictedRun>, SweepError> {
    let particles = &posterior.particles;
    let chosen = systematic_resample(
        &particles.iter().map(|p| p.weight).collect::<Vec<_>>(),
        draws as usize,
        &mut stream(seed, PURPOSE_RESAMPLE, 1, 0),
    );
    let batch = Batch {
        name: "prediction".into(),
        seed: batch_seed(seed, u64::MAX, 1),
        points: chosen.iter().map(|i| particles[*i].theta.clone()).collect(),
        replications: 1,
    };
    let results = checked_run(sim, &batch)?;
    Ok(results
        .into_iter()
        .enumerate()
        .map(|(i, values)| {
            let mut rng = stream(seed, PURPOSE_NOISE, u64::MAX - 1, i as u64);
            let noisy = values.as_ref().map(|v| {
                targets
                    .iter()
                    .zip(v)
                    .map(|(t, x)| x + observation_noise(t, &mut rng))
                    .collect()
            });
            PredictedRun { values, noisy }
        })
        .collect())
}

/// The index of scale 1 among the discrepancy scales (the loader puts it there).
fn main_scale(hm: &HistoryMatching) -> usize {
    hm.discrepancy_scales
        .iter()
        .position(|s| *s == 1.0)
        .unwrap_or(0)
}

/// Runs a batch and checks that the simulator returned one result per run.
fn checked_run(sim: &mut dyn Simulator, batch: &Batch) -> Result<Vec<RunValues>, SweepError> {
    let results = sim.run(batch)?;
    let runs = batch.points.len() * batch.replications as usize;
    if results.len() != runs {
        return Err(SweepError::Usage(format!(
            "batch {}: {} results for {runs} runs",
            batch.name,
            results.len()
        )));
    }
    Ok(results)
}

/// Within-point variance of every target, pooled over the points of all waves that had at
/// least two successful replications.
struct SeedNoise {
    sum: Vec<f64>,
    count: Vec<u64>,
}

impl SeedNoise {
    fn new(targets: usize) -> SeedNoise {
        SeedNoise {
            sum: vec![0.0; targets],
            count: vec![0; targets],
        }
    }

    fn variances(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.count)
            .map(|(s, c)| if *c == 0 { 0.0 } else { s / *c as f64 })
            .collect()
    }
}

/// One wave: points uniform in `bounds` (flat scale), each run `replications` times, and
/// their implausibility.
fn run_wave(
    problem: &Problem,
    method: &Method,
    sim: &mut dyn Simulator,
    w: u32,
    bounds: &[(f64, f64)],
    noise: &mut SeedNoise,
) -> Result<Wave, SweepError> {
    let hm = &method.history_matching;
    let mut rng = stream(method.seed, PURPOSE_WAVE, w as u64, 0);
    // A Latin hypercube in the box: every parameter's range is covered evenly even with few
    // points.
    let n = hm.points as usize;
    let columns: Vec<Vec<f64>> = bounds
        .iter()
        .map(|(lo, hi)| {
            let mut cells: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                cells.swap(i, rng.random_range(0..=i));
            }
            cells
                .into_iter()
                .map(|c| lo + (c as f64 + rng.random::<f64>()) / n as f64 * (hi - lo))
                .collect()
        })
        .collect();
    let thetas: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            problem
                .parameters
                .iter()
                .enumerate()
                .map(|(k, p)| p.from_flat(columns[k][i]))
                .collect()
        })
        .collect();
    let batch = Batch {
        name: format!("wave-{w:02}"),
        seed: batch_seed(method.seed, u64::MAX - w as u64, 0),
        points: thetas.clone(),
        replications: hm.replications,
    };
    let results = checked_run(sim, &batch)?;
    let reps = hm.replications as usize;
    let t = problem.targets.len();
    let mut failed = 0;
    let mut means = Vec::with_capacity(n);
    let mut counts = Vec::with_capacity(n);
    for runs in results.chunks(reps) {
        let ok: Vec<&Vec<f64>> = runs.iter().flatten().collect();
        failed += (reps - ok.len()) as u64;
        let mut m = vec![f64::NAN; t];
        if !ok.is_empty() {
            for (j, mj) in m.iter_mut().enumerate() {
                *mj = ok.iter().map(|v| v[j]).sum::<f64>() / ok.len() as f64;
                if ok.len() >= 2 {
                    let var = ok.iter().map(|v| (v[j] - *mj).powi(2)).sum::<f64>()
                        / (ok.len() - 1) as f64;
                    noise.sum[j] += var;
                    noise.count[j] += 1;
                }
            }
        }
        means.push(m);
        counts.push(ok.len());
    }
    let seed_var = noise.variances();
    let points: Vec<WavePoint> = thetas
        .into_iter()
        .zip(means)
        .zip(&counts)
        .map(|((theta, means), &k)| {
            let implausibility = hm
                .discrepancy_scales
                .iter()
                .map(|s| {
                    if k == 0 {
                        return f64::INFINITY;
                    }
                    problem
                        .targets
                        .iter()
                        .zip(&means)
                        .zip(&seed_var)
                        .map(|((tg, m), v)| {
                            // The observed world is one realisation (seed noise once) and
                            // the mean of k runs estimates the model's expectation (once more
                            // over k).
                            let var = tg.sd.powi(2)
                                + (s * tg.discrepancy_sd).powi(2)
                                + v * (1.0 + 1.0 / k as f64);
                            let dev = (m - tg.observed).abs();
                            if var > 0.0 {
                                dev / var.sqrt()
                            } else if dev == 0.0 {
                                0.0
                            } else {
                                f64::INFINITY
                            }
                        })
                        .fold(0.0, f64::max)
                })
                .collect();
            WavePoint {
                theta,
                means,
                implausibility,
            }
        })
        .collect();
    let non_implausible = (0..hm.discrepancy_scales.len())
        .map(|s| {
            points
                .iter()
                .filter(|p| p.implausibility[s] <= hm.cutoff)
                .count() as u64
        })
        .collect();
    let (lo, hi) = bounds
        .iter()
        .zip(&problem.parameters)
        .map(|((a, b), p)| (p.from_flat(*a), p.from_flat(*b)))
        .unzip();
    Ok(Wave {
        wave: w,
        lo,
        hi,
        runs: (n * reps) as u64,
        failed,
        seed_sd: seed_var.iter().map(|v| v.sqrt()).collect(),
        non_implausible,
        points,
    })
}

/// The next wave's box (flat scale): the box of the non-implausible points, widened on each
/// side by a tenth of the current box's width (the space between sampled points may still be
/// non-implausible), inside the current box.
fn shrink(problem: &Problem, bounds: &[(f64, f64)], kept: &[&WavePoint]) -> Vec<(f64, f64)> {
    bounds
        .iter()
        .enumerate()
        .map(|(k, (lo, hi))| {
            let p = &problem.parameters[k];
            let zs = kept.iter().map(|w| p.to_flat(w.theta[k]));
            let (a, b) = zs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), z| {
                (a.min(z), b.max(z))
            });
            let margin = (hi - lo) / 10.0;
            ((a - margin).max(*lo), (b + margin).min(*hi))
        })
        .collect()
}

/// A draw of the observation error plus model discrepancy of one target. Adding it to the
/// model's output makes ABC's posterior, as the tolerance goes to zero, the posterior under
/// that error model (Wilkinson 2013).
fn observation_noise(t: &Observation, rng: &mut Stream) -> f64 {
    let sd = (t.sd.powi(2) + t.discrepancy_sd.powi(2)).sqrt();
    let z: f64 = StandardNormal.sample(rng);
    sd * z
}

/// The distance of one run from the observations: the root mean square of the targets'
/// standardised errors, each run's output with its own observation noise added.
fn distance(
    problem: &Problem,
    scale: &[f64],
    values: &[f64],
    seed: u64,
    g: u64,
    b: u64,
    i: u64,
) -> f64 {
    let mut rng = stream(seed, PURPOSE_NOISE, g << 32 | b, i);
    let sum: f64 = problem
        .targets
        .iter()
        .zip(values)
        .zip(scale)
        .map(|((t, v), var)| {
            let e = v + observation_noise(t, &mut rng) - t.observed;
            if *var > 0.0 {
                e * e / var
            } else if e == 0.0 {
                0.0
            } else {
                f64::INFINITY
            }
        })
        .sum();
    let d = (sum / problem.targets.len() as f64).sqrt();
    if d.is_nan() {
        f64::INFINITY
    } else {
        d
    }
}

fn normalise(particles: &mut [Particle]) {
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    for p in particles {
        p.weight /= total;
    }
}

/// Effective sample size of normalised weights, (Σw)² / Σw².
fn ess(particles: &[Particle]) -> f64 {
    let s2: f64 = particles.iter().map(|p| p.weight * p.weight).sum();
    if s2 > 0.0 {
        1.0 / s2
    } else {
        0.0
    }
}

/// The weighted `q`-quantile: the smallest value whose cumulative weight reaches `q` of the
/// total (ties broken by position, so the result is exact and order-independent).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]).then(a.cmp(b)));
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for i in &order {
        acc += weights[*i];
        if acc >= q * total {
            return values[*i];
        }
    }
    order.last().map_or(f64::NAN, |i| values[*i])
}

/// Weighted mean and standard deviation.
pub fn weighted_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total;
    let var = values
        .iter()
        .zip(weights)
        .map(|(x, w)| w * (x - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var.max(0.0).sqrt())
}

/// `m` indices drawn in proportion to `weights` by systematic resampling (one uniform number).
pub fn systematic_resample(weights: &[f64], m: usize, rng: &mut Stream) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    let u0: f64 = rng.random::<f64>();
    let mut out = Vec::with_capacity(m);
    let (mut i, mut acc) = (0usize, weights.first().copied().unwrap_or(0.0));
    for k in 0..m {
        let target = (u0 + k as f64) / m as f64 * total;
        while acc < target && i + 1 < weights.len() {
            i += 1;
            acc += weights[i];
        }
        out.push(i);
    }
    out
}

/// The perturbation kernel of a generation: a Gaussian on the flat scale with twice the
/// previous population's weighted covariance (Beaumont et al. 2009), proposals outside the
/// non-implausible box refused.
struct Kernel {
    /// Lower-triangular Cholesky factor of the covariance.
    chol: Vec<Vec<f64>>,
    /// Previous particles on the flat scale, and their weights.
    centres: Vec<Vec<f64>>,
    weights: Vec<f64>,
    bounds: Vec<(f64, f64)>,
}

impl Kernel {
    fn new(problem: &Problem, particles: &[Particle], bounds: &[(f64, f64)]) -> Kernel {
        let d = problem.parameters.len();
        let centres: Vec<Vec<f64>> = particles
            .iter()
            .map(|p| {
                problem
                    .parameters
                    .iter()
                    .zip(&p.theta)
                    .map(|(q, x)| q.to_flat(*x))
                    .collect()
            })
            .collect();
        let weights: Vec<f64> = particles.iter().map(|p| p.weight).collect();
        let mean: Vec<f64> = (0..d)
            .map(|k| centres.iter().zip(&weights).map(|(c, w)| c[k] * w).sum())
            .collect();
        let mut cov = vec![vec![0.0; d]; d];
        for (c, w) in centres.iter().zip(&weights) {
            for a in 0..d {
                for b in 0..=a {
                    cov[a][b] += w * (c[a] - mean[a]) * (c[b] - mean[b]);
                }
            }
        }
        for a in 0..d {
            for b in 0..=a {
                cov[a][b] *= 2.0;
                cov[b][a] = cov[a][b];
            }
            // A population collapsed onto one value still gets a kernel of some width.
            let width = bounds[a].1 - bounds[a].0;
            cov[a][a] += (width * 1e-6).powi(2);
        }
        Kernel {
            chol: cholesky(&cov),
            centres,
            weights,
            bounds: bounds.to_vec(),
        }
    }

    /// A proposal: an ancestor drawn by weight, moved by the kernel, inside the box.
    fn propose(&self, problem: &Problem, particles: &[Particle], rng: &mut Stream) -> Vec<f64> {
        let d = self.chol.len();
        for _ in 0..10_000 {
            let u: f64 = rng.random::<f64>();
            let mut acc = 0.0;
            let mut a = self.weights.len() - 1;
            for (i, w) in self.weights.iter().enumerate() {
                acc += w;
                if acc >= u {
                    a = i;
                    break;
                }
            }
            let e: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
            let z: Vec<f64> = (0..d)
                .map(|r| self.centres[a][r] + (0..=r).map(|c| self.chol[r][c] * e[c]).sum::<f64>())
                .collect();
            if z.iter()
                .zip(&self.bounds)
                .all(|(z, (lo, hi))| *z >= *lo && *z <= *hi)
            {
                return problem
                    .parameters
                    .iter()
                    .zip(&z)
                    .map(|(p, z)| p.from_flat(*z))
                    .collect();
            }
        }
        // A kernel far wider than the box: the ancestor itself (never reached in practice).
        particles[0].theta.clone()
    }

    /// Σ_a W_a K(z | centre_a), without the kernel's constant (it cancels in the weights).
    fn density(&self, z: &[f64]) -> f64 {
        let d = self.chol.len();
        let mut y = vec![0.0; d];
        self.centres
            .iter()
            .zip(&self.weights)
            .map(|(c, w)| {
                for r in 0..d {
                    let s: f64 = (0..r).map(|k| self.chol[r][k] * y[k]).sum();
                    y[r] = (z[r] - c[r] - s) / self.chol[r][r];
                }
                w * (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
            })
            .sum::<f64>()
            .max(f64::MIN_POSITIVE)
    }
}

/// Cholesky factor of a symmetric positive-definite matrix (tiny pivots floored).
fn cholesky(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = a.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                l[i][j] = (a[i][i] - s).max(1e-300).sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_and_resampling_follow_the_weights() {
        let v = [3.0, 1.0, 2.0, 4.0];
        let w = [1.0, 1.0, 1.0, 1.0];
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &[0.0, 0.0, 0.0, 1.0], 0.5), 4.0);
        let mut rng = stream(1, 2, 3, 4);
        let draws = systematic_resample(&[0.25, 0.0, 0.75], 8, &mut rng);
        assert_eq!(draws.iter().filter(|i| **i == 0).count(), 2);
        assert_eq!(draws.iter().filter(|i| **i == 2).count(), 6);
    }

    #[test]
    fn the_cholesky_factor_reproduces_its_matrix() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let l = cholesky(&a);
        for i in 0..2 {
            for j in 0..2 {
                let s: f64 = (0..2).map(|k| l[i][k] * l[j][k]).sum();
                assert!((s - a[i][j]).abs() < 1e-12);
            }
        }
    }

    /// A log-uniform prior on [1, e²] has mean (e² − 1)/2 and is flat in log x.
    #[test]
    fn log_uniform_priors_are_flat_in_the_logarithm() {
        let p = Parameter {
            key: "k".into(),
            prior: Prior::LogUniform,
            lo: 1.0,
            hi: std::f64::consts::E.powi(2),
        };
        assert!((p.to_flat(p.hi) - 2.0).abs() < 1e-12);
        assert!((p.prior_moments().0 - (p.hi - 1.0) / 2.0).abs() < 1e-12);
    }
}
