//! The city as a `method::Simulator`: every batch the method asks for is one sweep of the
//! experiment engine, into `DIR/batches/<batch>/`, over a `packages` design whose packages
//! are the batch's parameter sets. A batch is therefore journaled run by run, gives the same
//! bytes on any number of threads, resumes after a kill, and is a sweep directory like any
//! other (`cogov merge` and `cogov plot` read it; its manifest carries its experiment).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::SeedableRng;

use super::method::{Batch, RunValues, Simulator};
use super::{Calibration, Prediction, Quantity, Uncertain};
use crate::experiment::sweep::{self, Shard, SweepError, SweepOptions};
use crate::experiment::{self, Experiment};
use crate::model::params::ParamValue;
use crate::model::rng::{mix64, Stream};
use crate::output::manifest::Manifest;
use crate::scenario::Scenario;

/// A scenario the batches run on, with what is drawn afresh for each run there and what is
/// read from each run: the calibration's base scenario, or the prediction scenario.
#[derive(Clone, Debug)]
pub struct Arm {
    /// Appended to the batch's name for its directory and experiment name (`""` for the
    /// base scenario and the prediction, `-<scenario name>` for a target's scenario).
    pub label: String,
    pub scenario: Scenario,
    /// Drawn for every run; with any, every parameter set × replication is a package of its
    /// own (one replication), carrying its draws as design columns of `runs.csv`.
    pub uncertain: Vec<Uncertain>,
    /// Whether each of `uncertain` applies to this scenario (all are drawn, those that apply
    /// are set).
    pub applies: Vec<bool>,
    /// The quantities read from each run's `summary.csv` row.
    pub quantities: Vec<Quantity>,
    /// Write each run's time series (`timeseries/run-NNNNNN.csv`).
    pub timeseries: bool,
}

impl Arm {
    /// The calibration's arms — its base scenario, then each scenario a target is measured
    /// on — and, for each target, its arm and its place among that arm's quantities. Every
    /// arm draws every `[[uncertain]]` parameter from the same streams (so a key that applies
    /// to two scenarios takes the same value in both runs) and sets those that apply to it.
    pub fn calibration(cal: &Calibration) -> (Vec<Arm>, Vec<(usize, usize)>) {
        let scenarios = std::iter::once((String::new(), &cal.base)).chain(
            cal.scenarios
                .iter()
                .map(|(_, sc)| (format!("-{}", sc.name), sc)),
        );
        let mut arms: Vec<Arm> = Vec::new();
        for (label, sc) in scenarios {
            // Two scenarios of one name get their number too, so their directories differ.
            let label = if arms.iter().any(|a| a.label == label) {
                format!("{label}-{}", arms.len())
            } else {
                label
            };
            arms.push(Arm {
                label,
                scenario: sc.clone(),
                uncertain: cal.uncertain.clone(),
                applies: cal
                    .uncertain
                    .iter()
                    .map(|u| crate::experiment::key_applies(sc, &u.key))
                    .collect(),
                quantities: Vec::new(),
                timeseries: false,
            });
        }
        let picks = cal
            .targets
            .iter()
            .map(|t| {
                let a = t.scenario.map_or(0, |i| i + 1);
                arms[a].quantities.push(t.quantity.clone());
                (a, arms[a].quantities.len() - 1)
            })
            .collect();
        (arms, picks)
    }

    /// The prediction's batch: its scenario, draws and targets, with each run's time series.
    pub fn prediction(pred: &Prediction) -> Arm {
        Arm {
            label: String::new(),
            scenario: pred.scenario.clone(),
            uncertain: pred.uncertain.clone(),
            applies: vec![true; pred.uncertain.len()],
            quantities: pred.targets.iter().map(|t| t.quantity.clone()).collect(),
            timeseries: true,
        }
    }
}

/// Runs a calibration's batches as sweeps under `dir`: each batch on every arm (the base
/// scenario and the scenarios targets are measured on, into `batches/<batch>` and
/// `batches/<batch>-<scenario name>`), or on the prediction's.
pub struct CitySimulator<'a> {
    pub calibration: &'a Calibration,
    pub arms: Vec<Arm>,
    /// For each target, in order: its arm and its place among that arm's quantities.
    pub picks: Vec<(usize, usize)>,
    pub dir: PathBuf,
    /// Runs done and runs in the batch, as a sweep reports them.
    pub progress: &'a (dyn Fn(u64, u64) + Sync),
    /// Instead of running a batch that is not complete, write its experiment file
    /// (`next_batch.toml`, on the base scenario written as `base.toml`) into `out` and stop
    /// with `SweepError::Pending`: the batch is then run elsewhere (`cogov slurm`) and its
    /// merged sweep placed at `batches/<batch>`.
    pub leave_to: Option<PathBuf>,
}

/// The experiment file of a batch as a file of its own beside `base.toml`: loaded with
/// `experiment::load_file`, it is the experiment `batch_experiment` makes (same fingerprint).
pub fn batch_file_text(cal: &Calibration, arm: &Arm, batch: &Batch) -> String {
    batch_text(cal, arm, batch).replacen(
        "[experiment]\n",
        "[experiment]\nbase = \"base.toml\"\n",
        1,
    )
}

/// Purpose of the streams of the per-run draws.
const PURPOSE_UNCERTAIN: u64 = 0x756e_6365;

/// The draws of `uncertain` for run `run` (parameter set × replications + replication) of the
/// batch with seed `seed`: a pure function of them, so a batch always carries the same draws.
pub fn draws(uncertain: &[Uncertain], seed: u64, run: u64) -> Vec<(String, ParamValue)> {
    let mut rng = Stream::seed_from_u64(mix64(mix64(seed ^ PURPOSE_UNCERTAIN) ^ run));
    uncertain
        .iter()
        .map(|u| (u.key.clone(), u.draw(&mut rng)))
        .collect()
}

/// A value as TOML, exactly (Rust's shortest round-trip form for floats).
fn toml_text(v: ParamValue) -> String {
    match v {
        ParamValue::Float(x) => format!("{x:?}"),
        other => other.to_string(),
    }
}

/// The experiment file of a batch: one package per parameter set (with scenario uncertainty,
/// per parameter set and replication, with its draws), independent seeds from the batch's
/// seed. Values are written in Rust's shortest round-trip form, so the sweep runs exactly the
/// method's values.
pub fn batch_text(cal: &Calibration, arm: &Arm, batch: &Batch) -> String {
    let expand = !arm.uncertain.is_empty();
    let reps = if expand { 1 } else { batch.replications };
    let mut text = format!(
        "# Batch {} of calibration {}, written by cogov calibrate.\n[experiment]\nname = {:?}\nreplications = {}\nbase_seed = {}\ncommon_random_numbers = false\ntimeseries = {}\n\n[design]\nkind = \"packages\"\n",
        batch.name,
        cal.name,
        format!("{}{}-{}", cal.name, arm.label, batch.name),
        reps,
        batch.seed & i64::MAX as u64,
        arm.timeseries,
    );
    let r = if expand { batch.replications } else { 1 };
    for (i, point) in batch.points.iter().enumerate() {
        for rep in 0..r {
            let run = i as u64 * r as u64 + rep as u64;
            let mut set: Vec<String> = cal
                .parameters
                .iter()
                .zip(point)
                .map(|(p, x)| format!("{:?} = {x:?}", p.key))
                .collect();
            set.extend(
                draws(&arm.uncertain, batch.seed, run)
                    .into_iter()
                    .zip(&arm.applies)
                    .filter(|(_, applies)| **applies)
                    .map(|((k, v), _)| format!("{k:?} = {}", toml_text(v))),
            );
            let _ = write!(
                text,
                "\n[[design.packages]]\nname = \"p{run:06}\"\nset = {{ {} }}\n",
                set.join(", ")
            );
        }
    }
    text
}

/// The batch as an experiment on the arm's scenario.
pub fn batch_experiment(
    cal: &Calibration,
    arm: &Arm,
    batch: &Batch,
) -> Result<Experiment, SweepError> {
    let file = format!("{}/batches/{}", cal.name, batch.name);
    experiment::load_with_base(&batch_text(cal, arm, batch), &file, arm.scenario.clone())
        .map_err(|e| SweepError::Usage(format!("batch {}: {e}", batch.name)))
}

/// The manifest of the sweep in `out`, if any.
fn manifest_in(out: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(out.join("manifest.json")).ok()?;
    Manifest::parse(&text, "manifest.json").ok()
}

/// Whether `out` holds this experiment's complete sweep: complete, with its fingerprint, and
/// whole (one shard of it, placed by hand instead of the merged sweep, is complete too but
/// lacks the other shards' runs).
fn is_complete(out: &Path, exp: &Experiment) -> bool {
    manifest_in(out).is_some_and(|m| {
        m.complete == Some(true)
            && m.fingerprint.as_deref() == Some(&exp.fingerprint()[..])
            && m.shard.is_none_or(|s| s == Shard::WHOLE.record())
    })
}

/// The arm's quantities of one run, from its `summary.csv` row.
fn quantities(arm: &Arm, summary: &[f64]) -> Option<Vec<f64>> {
    let values: Vec<f64> = arm
        .quantities
        .iter()
        .map(|q| match q {
            Quantity::Summary { index, .. } => summary.get(*index).copied().unwrap_or(f64::NAN),
        })
        .collect();
    // A quantity the run could not compute (no issue in the window) makes the run unusable.
    values.iter().all(|v| v.is_finite()).then_some(values)
}

impl CitySimulator<'_> {
    /// Runs `batch` on `arm` (or leaves it to another runner): each run's quantities.
    fn run_arm(&self, arm: &Arm, batch: &Batch) -> Result<Vec<RunValues>, SweepError> {
        let exp = batch_experiment(self.calibration, arm, batch)?;
        let name = format!("{}{}", batch.name, arm.label);
        let out = self.dir.join(&name);
        if !is_complete(&out, &exp) {
            if let Some(dir) = &self.leave_to {
                let base = dir.join("base.toml");
                let file = dir.join("next_batch.toml");
                for (path, text) in [
                    (&base, crate::scenario::scenario_toml(&arm.scenario)),
                    (&file, batch_file_text(self.calibration, arm, batch)),
                ] {
                    std::fs::write(path, text).map_err(sweep::io_at(path))?;
                }
                return Err(SweepError::Pending { batch: name, file });
            }
            // A batch directory holding another experiment is stale, not foreign: the
            // calibration's own fingerprint matched before any batch ran, so it was made under
            // another `[prediction]` or other stopping settings (the predictive runs of a
            // calibration that stopped at another generation). It is replaced, not refused.
            let stale = manifest_in(&out)
                .is_some_and(|m| m.fingerprint.as_deref() != Some(&exp.fingerprint()[..]));
            let opts = SweepOptions {
                shard: Shard::WHOLE,
                resume: !stale,
                force: stale,
                block: 0,
            };
            sweep::sweep(&exp, &out, opts, self.progress)?;
        }
        let mut results: Vec<RunValues> = vec![None; exp.total_runs() as usize];
        let reps = exp.replications as usize;
        sweep::walk_runs(&exp, &out.join("runs.csv"), |point, rep, values| {
            results[point * reps + rep] = values.and_then(|v| {
                let summary: Vec<f64> = v.collect();
                quantities(arm, &summary)
            });
        })?;
        Ok(results)
    }
}

impl Simulator for CitySimulator<'_> {
    /// Every arm's sweep of the batch, then each run's targets in order, each from its arm: a
    /// run failed if it failed on any arm.
    fn run(&mut self, batch: &Batch) -> Result<Vec<RunValues>, SweepError> {
        let per_arm = self
            .arms
            .iter()
            .map(|arm| self.run_arm(arm, batch))
            .collect::<Result<Vec<_>, _>>()?;
        let runs = per_arm.first().map_or(0, Vec::len);
        Ok((0..runs)
            .map(|i| {
                self.picks
                    .iter()
                    .map(|(a, k)| per_arm[*a][i].as_ref().map(|v| v[*k]))
                    .collect()
            })
            .collect())
    }
}
