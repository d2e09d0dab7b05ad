//! A calibration directory: the method run on the city with its batches journaled under
//! `batches/`, then its tables.
//!
//! Files:
//! - `waves.csv` — per history-matching wave: the box sampled, runs, failures, the number of
//!   non-implausible points at each discrepancy scale, the pooled seed-noise sd per target;
//! - `wave_points.csv` — every wave's points: values, target means, implausibility;
//! - `generations.csv` — per ABC-SMC generation: tolerance, simulations, acceptance rate,
//!   effective sample size, and each parameter's weighted mean and sd;
//! - `posterior.csv` — the last generation's weighted particles;
//! - `estimates.csv` — per parameter: prior, posterior mean, sd, 5/50/95% quantiles and the
//!   contraction 1 − posterior variance / prior variance;
//! - `predictive.csv` — per target: the observation and its posterior predictive distribution;
//! - `prediction.csv`, `prediction_timeseries.csv` — with `[prediction]`, the second
//!   scenario's predictive distribution of each prediction target (hit or miss) and its
//!   weekly quantiles;
//! - `batches/<batch>/` — the sweep of every batch (journal, points, manifest);
//! - `next_batch.toml`, `base.toml` — with `--next-batch`, the experiment file of the batch to
//!   run elsewhere and the base scenario it names;
//! - `manifest.json` — the calibration file, its base scenario, fingerprint and `complete`.
//!
//! A killed calibration started again with `--resume` recomputes every proposal from the
//! seed and the journaled batches, finds the finished batches complete and the one in flight
//! resumable, and so ends with the bytes of an uninterrupted run.

use std::fs;
use std::path::Path;

use super::city::{Arm, CitySimulator};
use super::method::{self, weighted_moments, weighted_quantile, Outcome, Step};
use super::{Calibration, Prediction, Target};
use crate::experiment::sweep::{
    create_and_lock, io_at, output_error, write_json_atomic, write_table, Finish, SweepError,
};
use crate::output::manifest::Manifest;
use crate::output::{format_value, place};

/// Options of a calibration run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub resume: bool,
    pub force: bool,
    /// Stop before the first batch not yet complete, leaving its experiment file
    /// (`next_batch.toml`) to be run by `cogov sweep` or `cogov slurm`.
    pub next_batch: bool,
}

fn manifest(cal: &Calibration, complete: bool) -> Manifest {
    Manifest {
        base: Some(Box::new(cal.base.manifest("base"))),
        complete: Some(complete),
        experiment_source: Some(cal.source.clone()),
        fingerprint: Some(cal.fingerprint()),
        ..Manifest::new("calibration")
    }
}

/// Runs `cal` into `out` (or continues it there with `resume`), writes its tables, runs
/// `finish` (the charts), and marks it complete. Returns the method's outcome and, with a
/// `[prediction]`, each prediction target's summary.
pub fn calibrate_into(
    cal: &Calibration,
    out: &Path,
    opts: Options,
    on_step: &mut dyn FnMut(&Step),
    on_runs: &(dyn Fn(u64, u64) + Sync),
    finish: Finish<'_>,
) -> Result<(Outcome, Vec<PredictionSummary>), SweepError> {
    let manifest_path = out.join("manifest.json");
    let existed = fs::symlink_metadata(out).is_ok();
    if existed && !out.is_dir() {
        return Err(SweepError::Usage(format!(
            "{}: exists and is not a directory",
            out.display()
        )));
    }
    if existed && !opts.resume && !opts.force {
        return Err(SweepError::Usage(format!(
            "{}: already exists; pass --resume to continue it or --force to start again",
            out.display()
        )));
    }
    if existed && opts.resume {
        let text = fs::read_to_string(&manifest_path).map_err(|_| {
            SweepError::Usage(format!(
                "{}: nothing to resume (no manifest.json of a calibration)",
                out.display()
            ))
        })?;
        let old = Manifest::parse(&text, &manifest_path.display().to_string())
            .map_err(|e| SweepError::Usage(e.to_string()))?;
        if old.kind != "calibration" || old.fingerprint.as_deref() != Some(&cal.fingerprint()[..]) {
            return Err(SweepError::Usage(format!(
                "{}: holds a different calibration; resume with the same file, or start again with --force",
                out.display()
            )));
        }
    }
    if existed && opts.force {
        place::clear_dir(out).map_err(output_error)?;
    }
    let created = !existed || opts.force;
    let _lock = create_and_lock(out, created)?;
    let batches = out.join("batches");
    let started = write_json_atomic(&manifest_path, &manifest(cal, false))
        .and_then(|()| fs::create_dir_all(&batches).map_err(io_at(&batches)));
    if let Err(e) = started {
        if created {
            let _ = fs::remove_dir_all(out);
        }
        return Err(e);
    }
    let (arms, picks) = Arm::calibration(cal);
    let mut sim = CitySimulator {
        calibration: cal,
        arms,
        picks,
        dir: batches,
        progress: on_runs,
        leave_to: opts.next_batch.then(|| out.to_path_buf()),
    };
    let outcome = method::calibrate(&cal.problem(), &cal.method, &mut sim, on_step)?;
    let predicted = match (&cal.prediction, outcome.posterior()) {
        (Some(pred), Some(posterior)) => {
            on_step(&Step {
                stage: 1,
                stages: 1,
                label_en: format!("prediction of {}", pred.scenario.name),
                label_zh: format!("预测 {}", pred.scenario.name),
                tolerance: None,
            });
            sim.arms = vec![Arm::prediction(pred)];
            sim.picks = (0..pred.targets.len()).map(|j| (0, j)).collect();
            let observations: Vec<_> = pred.targets.iter().map(Target::observation).collect();
            let runs = method::predict(
                posterior,
                &observations,
                pred.draws,
                cal.method.seed,
                &mut sim,
            )?;
            Some(runs)
        }
        _ => None,
    };
    // Every batch is done: a batch file left for another runner is stale.
    let _ = fs::remove_file(out.join("next_batch.toml"));
    write_tables(cal, &outcome, out)?;
    let mut scored = Vec::new();
    if let (Some(pred), Some(runs)) = (&cal.prediction, &predicted) {
        scored = pred
            .targets
            .iter()
            .enumerate()
            .map(|(j, t)| prediction_summary(runs, j, t.observed))
            .collect();
        write_prediction(pred, &scored, runs.len(), &sim.dir.join("prediction"), out)?;
    }
    finish(out)?;
    write_json_atomic(&manifest_path, &manifest(cal, true))?;
    Ok((outcome, scored))
}

/// A number for a table: empty for NaN or infinity (no such value reaches a file).
fn cell(x: f64) -> String {
    if x.is_finite() {
        format_value(x)
    } else {
        String::new()
    }
}

/// A discrepancy scale as a column suffix: `x0.5`, `x1`, `x2`.
fn scale_suffix(s: f64) -> String {
    format!("x{}", format_value(s))
}

/// Per parameter: the posterior's weighted mean, sd and quantiles.
pub struct Estimate {
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub q50: f64,
    pub q95: f64,
    /// 1 − posterior variance / prior variance (Schad, Betancourt & Vasishth 2021): 0 when
    /// the data say nothing, near 1 when they pin the parameter down.
    pub contraction: f64,
}

/// The posterior estimates of every parameter of `outcome`.
pub fn estimates(cal: &Calibration, outcome: &Outcome) -> Vec<Estimate> {
    let Some(post) = outcome.posterior() else {
        return Vec::new();
    };
    let w: Vec<f64> = post.particles.iter().map(|p| p.weight).collect();
    cal.parameters
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let x: Vec<f64> = post.particles.iter().map(|q| q.theta[k]).collect();
            let (mean, sd) = weighted_moments(&x, &w);
            let prior_var = p.prior_moments().1;
            Estimate {
                mean,
                sd,
                q05: weighted_quantile(&x, &w, 0.05),
                q50: weighted_quantile(&x, &w, 0.5),
                q95: weighted_quantile(&x, &w, 0.95),
                contraction: 1.0 - sd * sd / prior_var,
            }
        })
        .collect()
}

/// Quantiles of a sample (equal weights).
fn quantiles(x: &[f64], qs: &[f64]) -> Vec<f64> {
    let w = vec![1.0; x.len()];
    qs.iter().map(|q| weighted_quantile(x, &w, *q)).collect()
}

/// The predictive summaries of `predictive.csv`, per target: n, mean, sd, q05, q25, q50,
/// q75, q95.
pub fn predictive_summary(outcome: &Outcome) -> Vec<Vec<f64>> {
    outcome
        .predictive
        .iter()
        .map(|x| {
            let w = vec![1.0; x.len()];
            let (m, s) = if x.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                weighted_moments(x, &w)
            };
            let mut row = vec![x.len() as f64, m, s];
            row.extend(quantiles(x, &[0.05, 0.25, 0.5, 0.75, 0.95]));
            row
        })
        .collect()
}

fn write_tables(cal: &Calibration, outcome: &Outcome, out: &Path) -> Result<(), SweepError> {
    let keys: Vec<&str> = cal.parameters.iter().map(|p| p.key.as_str()).collect();
    let names: Vec<&str> = cal.targets.iter().map(|t| t.name.as_str()).collect();
    let hm = &cal.method.history_matching;

    let mut header: Vec<String> = ["wave", "points", "runs", "failed"]
        .map(String::from)
        .to_vec();
    for k in &keys {
        header.push(format!("{k}_lo"));
        header.push(format!("{k}_hi"));
    }
    for s in &hm.discrepancy_scales {
        header.push(format!("non_implausible_{}", scale_suffix(*s)));
    }
    for n in &names {
        header.push(format!("seed_sd_{n}"));
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    write_table(
        out,
        "waves.csv",
        &h,
        outcome.waves.iter().map(|w| {
            let mut row = vec![
                w.wave.to_string(),
                w.points.len().to_string(),
                w.runs.to_string(),
                w.failed.to_string(),
            ];
            for (lo, hi) in w.lo.iter().zip(&w.hi) {
                row.push(cell(*lo));
                row.push(cell(*hi));
            }
            row.extend(w.non_implausible.iter().map(|n| n.to_string()));
            row.extend(w.seed_sd.iter().map(|s| cell(*s)));
            row
        }),
    )?;

    let mut header: Vec<String> = vec!["wave".into(), "point".into()];
    header.extend(keys.iter().map(|k| k.to_string()));
    header.extend(names.iter().map(|n| format!("{n}_mean")));
    for s in &hm.discrepancy_scales {
        header.push(format!("implausibility_{}", scale_suffix(*s)));
    }
    header.push("non_implausible".into());
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let main = hm
        .discrepancy_scales
        .iter()
        .position(|s| *s == 1.0)
        .unwrap_or(0);
    write_table(
        out,
        "wave_points.csv",
        &h,
        outcome.waves.iter().flat_map(|w| {
            w.points.iter().enumerate().map(move |(i, p)| {
                let mut row = vec![w.wave.to_string(), i.to_string()];
                row.extend(p.theta.iter().map(|x| cell(*x)));
                row.extend(p.means.iter().map(|x| cell(*x)));
                row.extend(p.implausibility.iter().map(|x| cell(*x)));
                row.push((p.implausibility[main] <= hm.cutoff).to_string());
                row
            })
        }),
    )?;

    let mut header: Vec<String> = [
        "generation",
        "tolerance",
        "population",
        "simulations",
        "accepted",
        "acceptance_rate",
        "ess",
    ]
    .map(String::from)
    .to_vec();
    for k in &keys {
        header.push(format!("{k}_mean"));
        header.push(format!("{k}_sd"));
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    write_table(
        out,
        "generations.csv",
        &h,
        outcome.generations.iter().map(|g| {
            let mut row = vec![
                g.generation.to_string(),
                g.tolerance.map_or(String::new(), cell),
                g.particles.len().to_string(),
                g.simulations.to_string(),
                g.accepted.to_string(),
                cell(g.acceptance_rate),
                cell(g.ess),
            ];
            let w: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
            for k in 0..keys.len() {
                let x: Vec<f64> = g.particles.iter().map(|p| p.theta[k]).collect();
                let (m, s) = weighted_moments(&x, &w);
                row.push(cell(m));
                row.push(cell(s));
            }
            row
        }),
    )?;

    let mut header: Vec<String> = vec!["particle".into(), "weight".into()];
    header.extend(keys.iter().map(|k| k.to_string()));
    header.push("distance".into());
    header.extend(names.iter().map(|n| n.to_string()));
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let particles = outcome.posterior().map_or(&[][..], |g| &g.particles[..]);
    write_table(
        out,
        "posterior.csv",
        &h,
        particles.iter().enumerate().map(|(i, p)| {
            let mut row = vec![i.to_string(), cell(p.weight)];
            row.extend(p.theta.iter().map(|x| cell(*x)));
            row.push(cell(p.distance));
            row.extend(p.values.iter().map(|x| cell(*x)));
            row
        }),
    )?;

    write_table(
        out,
        "estimates.csv",
        &ESTIMATE_COLUMNS,
        cal.parameters
            .iter()
            .zip(estimates(cal, outcome))
            .enumerate()
            .map(|(k, (p, e))| {
                let (pm, pv) = p.prior_moments();
                vec![
                    p.key.clone(),
                    p.prior.name().to_string(),
                    cell(p.lo),
                    cell(p.hi),
                    cell(pm),
                    cell(pv.sqrt()),
                    outcome.lo.get(k).map_or(String::new(), |x| cell(*x)),
                    outcome.hi.get(k).map_or(String::new(), |x| cell(*x)),
                    cell(e.mean),
                    cell(e.sd),
                    cell(e.q05),
                    cell(e.q50),
                    cell(e.q95),
                    cell(e.contraction),
                ]
            }),
    )?;

    let summary = predictive_summary(outcome);
    write_table(
        out,
        "predictive.csv",
        &PREDICTIVE_COLUMNS,
        cal.targets.iter().zip(summary).map(|(t, s)| {
            let mut row = vec![
                t.name.clone(),
                t.quantity.describe(),
                cell(t.observed),
                cell(t.sd),
                cell(t.discrepancy_sd),
            ];
            row.push(format_value(s[0]));
            row.extend(s[1..].iter().map(|x| cell(*x)));
            row
        }),
    )?;
    Ok(())
}

/// Columns of `estimates.csv`.
pub const ESTIMATE_COLUMNS: [&str; 14] = [
    "parameter",
    "prior",
    "prior_lo",
    "prior_hi",
    "prior_mean",
    "prior_sd",
    "box_lo",
    "box_hi",
    "mean",
    "sd",
    "q05",
    "q50",
    "q95",
    "contraction",
];

/// Columns of `predictive.csv`.
pub const PREDICTIVE_COLUMNS: [&str; 13] = [
    "target",
    "quantity",
    "observed",
    "observed_sd",
    "discrepancy_sd",
    "n",
    "mean",
    "sd",
    "q05",
    "q25",
    "q50",
    "q75",
    "q95",
];

/// Columns of `prediction.csv`.
pub const PREDICTION_COLUMNS: [&str; 26] = [
    "target",
    "quantity",
    "observed",
    "observed_sd",
    "n",
    "mean",
    "sd",
    "q025",
    "q05",
    "q25",
    "q50",
    "q75",
    "q95",
    "q975",
    "hit_95",
    "model_mean",
    "model_sd",
    "model_q025",
    "model_q05",
    "model_q25",
    "model_q50",
    "model_q75",
    "model_q95",
    "model_q975",
    "window_first",
    "window_last",
];

/// The quantiles of `prediction.csv`.
const PREDICTION_QUANTILES: [f64; 7] = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975];

/// The weekly columns of `prediction_timeseries.csv` (the hotline's by week of report).
pub const PREDICTION_SERIES: [&str; 4] = [
    crate::output::records::HOTLINE_WEEKLY,
    crate::output::records::ts::SATISFACTION,
    crate::output::records::ts::RESIDENT_TRUST,
    crate::output::records::ts::BACKLOG,
];

/// The quantiles of `prediction_timeseries.csv`, as column suffixes.
pub const SERIES_QUANTILES: [(f64, &str); 5] = [
    (0.05, "q05"),
    (0.25, "q25"),
    (0.5, "q50"),
    (0.75, "q75"),
    (0.95, "q95"),
];

/// One prediction target's summary: n, mean, sd and the quantiles of the predictive
/// distribution (observation error included), whether the observation lies in its central
/// 95% interval, and mean, sd and quantiles of the model's values alone.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictionSummary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    /// At 2.5, 5, 25, 50, 75, 95 and 97.5%.
    pub quantiles: Vec<f64>,
    /// The observation inside [q2.5, q97.5] of the predictive distribution.
    pub hit_95: bool,
    pub model_mean: f64,
    pub model_sd: f64,
    pub model_quantiles: Vec<f64>,
}

/// Mean, sd and `PREDICTION_QUANTILES` of a sample (NaN if empty).
fn describe(x: &[f64]) -> (f64, f64, Vec<f64>) {
    if x.is_empty() {
        return (
            f64::NAN,
            f64::NAN,
            vec![f64::NAN; PREDICTION_QUANTILES.len()],
        );
    }
    let w = vec![1.0; x.len()];
    let (m, s) = weighted_moments(x, &w);
    (m, s, quantiles(x, &PREDICTION_QUANTILES))
}

/// The summary of target `j` (observed `observed`) over the prediction's runs.
pub fn prediction_summary(
    runs: &[method::PredictedRun],
    j: usize,
    observed: f64,
) -> PredictionSummary {
    let noisy: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.noisy.as_ref().map(|v| v[j]))
        .collect();
    let model: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.values.as_ref().map(|v| v[j]))
        .collect();
    let (mean, sd, q) = describe(&noisy);
    let (model_mean, model_sd, model_quantiles) = describe(&model);
    PredictionSummary {
        n: noisy.len(),
        mean,
        sd,
        hit_95: !noisy.is_empty() && q[0] <= observed && observed <= q[6],
        quantiles: q,
        model_mean,
        model_sd,
        model_quantiles,
    }
}

/// Per week, `SERIES_QUANTILES` of each of `PREDICTION_SERIES` over the runs whose time
/// series `batch/timeseries/run-NNNNNN.csv` exists (the successful ones); NaN cells skipped.
fn weekly_quantiles(runs: usize, batch: &Path) -> Result<Vec<(u32, Vec<Vec<f64>>)>, SweepError> {
    // values[week][series] = the runs' values
    let mut values: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut ticks: Vec<u32> = Vec::new();
    for run in 0..runs {
        let path = batch.join("timeseries").join(format!("run-{run:06}.csv"));
        if !path.is_file() {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path)
            .map_err(|e| SweepError::Usage(format!("{}: {e}", path.display())))?;
        let header = reader
            .headers()
            .map_err(|e| SweepError::Usage(format!("{}: {e}", path.display())))?
            .clone();
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| SweepError::Usage(format!("{}: no column {name}", path.display())))
        };
        let tick_col = find(crate::output::records::ts::TICK)?;
        let cols: Vec<usize> = PREDICTION_SERIES
            .iter()
            .map(|c| find(c))
            .collect::<Result<_, _>>()?;
        for (w, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| SweepError::Usage(format!("{}: {e}", path.display())))?;
            if values.len() <= w {
                values.push(vec![Vec::new(); cols.len()]);
                ticks.push(
                    rec.get(tick_col)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(w as u32 + 1),
                );
            }
            for (k, c) in cols.iter().enumerate() {
                if let Some(x) = rec
                    .get(*c)
                    .and_then(|x| x.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                {
                    values[w][k].push(x);
                }
            }
        }
    }
    let qs: Vec<f64> = SERIES_QUANTILES.iter().map(|(q, _)| *q).collect();
    Ok(ticks
        .into_iter()
        .zip(values)
        .map(|(t, per)| {
            let q = per
                .iter()
                .map(|x| {
                    if x.is_empty() {
                        vec![f64::NAN; qs.len()]
                    } else {
                        quantiles(x, &qs)
                    }
                })
                .collect();
            (t, q)
        })
        .collect())
}

/// Writes `prediction.csv` and `prediction_timeseries.csv` from the prediction's runs (their
/// sweep in `batch`).
fn write_prediction(
    pred: &Prediction,
    scored: &[PredictionSummary],
    runs: usize,
    batch: &Path,
    out: &Path,
) -> Result<(), SweepError> {
    // The weeks the summary's window covers (after the warm-up).
    let sc = &pred.scenario;
    let window = (
        (sc.params.observation.warmup_ticks + 1).min(sc.ticks),
        sc.ticks,
    );
    write_table(
        out,
        "prediction.csv",
        &PREDICTION_COLUMNS,
        pred.targets.iter().zip(scored).map(|(t, s)| {
            let mut row = vec![
                t.name.clone(),
                t.quantity.describe(),
                cell(t.observed),
                cell(t.sd),
                s.n.to_string(),
                cell(s.mean),
                cell(s.sd),
            ];
            row.extend(s.quantiles.iter().map(|x| cell(*x)));
            // No observed value (a forecast made before its year is published): no verdict.
            row.push(if t.observed.is_finite() {
                s.hit_95.to_string()
            } else {
                String::new()
            });
            row.push(cell(s.model_mean));
            row.push(cell(s.model_sd));
            row.extend(s.model_quantiles.iter().map(|x| cell(*x)));
            row.push(window.0.to_string());
            row.push(window.1.to_string());
            row
        }),
    )?;
    let mut header = vec![crate::output::records::ts::TICK.to_string()];
    for c in PREDICTION_SERIES {
        header.extend(SERIES_QUANTILES.iter().map(|(_, s)| format!("{c}_{s}")));
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    write_table(
        out,
        "prediction_timeseries.csv",
        &h,
        weekly_quantiles(runs, batch)?.into_iter().map(|(t, per)| {
            let mut row = vec![t.to_string()];
            row.extend(per.iter().flatten().map(|x| cell(*x)));
            row
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use method::PredictedRun;

    /// hit_95: the observation inside [q2.5, q97.5] of the predictive draws (here 0..=99, so
    /// the interval is [2, 97]); a miss outside it, and never a hit without a successful run.
    #[test]
    fn a_prediction_hits_when_the_observation_is_in_the_central_95_percent() {
        let runs: Vec<PredictedRun> = (0..100)
            .map(|i| PredictedRun {
                values: Some(vec![50.0]),
                noisy: Some(vec![i as f64]),
            })
            .chain(std::iter::once(PredictedRun {
                values: None,
                noisy: None,
            }))
            .collect();
        let s = prediction_summary(&runs, 0, 50.0);
        assert_eq!(s.n, 100);
        assert_eq!((s.quantiles[0], s.quantiles[6]), (2.0, 97.0));
        assert!(s.hit_95);
        assert_eq!(s.model_quantiles, vec![50.0; 7], "the model's values alone");
        assert!(!prediction_summary(&runs, 0, 98.0).hit_95);
        assert!(!prediction_summary(&runs, 0, 1.5).hit_95);
        assert!(prediction_summary(&runs, 0, 2.0).hit_95);
        assert!(!prediction_summary(&runs[100..], 0, 50.0).hit_95);
    }
}
