//! The city as a `method::Simulator`: every batch the method asks for is one sweep of the
//! experiment engine, into `DIR/batches/<batch>/`, over a `packages` design whose packages
//! are the batch's parameter sets. A batch is therefore journaled run by run, gives the same
//! bytes on any number of threads, resumes after a kill, and is a sweep directory like any
//! other (`cogov merge` and `cogov plot` read it; its manifest carries its experiment).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::method::{Batch, RunValues, Simulator};
use super::{Calibration, Quantity};
use crate::experiment::sweep::{self, Shard, SweepError, SweepOptions};
use crate::experiment::{self, Experiment};
use crate::output::manifest::Manifest;

/// Runs a calibration's batches as sweeps under `dir`.
pub struct CitySimulator<'a> {
    pub calibration: &'a Calibration,
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
pub fn batch_file_text(cal: &Calibration, batch: &Batch) -> String {
    batch_text(cal, batch).replacen("[experiment]\n", "[experiment]\nbase = \"base.toml\"\n", 1)
}

/// The experiment file of a batch: one package per parameter set, independent seeds from the
/// batch's seed. Values are written in Rust's shortest round-trip form, so the sweep runs
/// exactly the method's values.
pub fn batch_text(cal: &Calibration, batch: &Batch) -> String {
    let mut text = format!(
        "# Batch {} of calibration {}, written by cogov calibrate.\n[experiment]\nname = {:?}\nreplications = {}\nbase_seed = {}\ncommon_random_numbers = false\n\n[design]\nkind = \"packages\"\n",
        batch.name,
        cal.name,
        format!("{}-{}", cal.name, batch.name),
        batch.replications,
        batch.seed & i64::MAX as u64,
    );
    for (i, point) in batch.points.iter().enumerate() {
        let set: Vec<String> = cal
            .parameters
            .iter()
            .zip(point)
            .map(|(p, x)| format!("{:?} = {x:?}", p.key))
            .collect();
        let _ = write!(
            text,
            "\n[[design.packages]]\nname = \"p{i:06}\"\nset = {{ {} }}\n",
            set.join(", ")
        );
    }
    text
}

/// The batch as an experiment on the calibration's base scenario.
pub fn batch_experiment(cal: &Calibration, batch: &Batch) -> Result<Experiment, SweepError> {
    let file = format!("{}/batches/{}", cal.name, batch.name);
    experiment::load_with_base(&batch_text(cal, batch), &file, cal.base.clone())
        .map_err(|e| SweepError::Usage(format!("batch {}: {e}", batch.name)))
}

/// Whether `out` holds this experiment's complete sweep.
fn is_complete(out: &Path, exp: &Experiment) -> bool {
    let Ok(text) = std::fs::read_to_string(out.join("manifest.json")) else {
        return false;
    };
    Manifest::parse(&text, "manifest.json").is_ok_and(|m| {
        m.complete == Some(true) && m.fingerprint.as_deref() == Some(&exp.fingerprint()[..])
    })
}

/// The calibration's target quantities of one run, from its `summary.csv` row.
fn quantities(cal: &Calibration, summary: &[f64]) -> Option<Vec<f64>> {
    let values: Vec<f64> = cal
        .targets
        .iter()
        .map(|t| match &t.quantity {
            Quantity::Summary { index, .. } => summary.get(*index).copied().unwrap_or(f64::NAN),
        })
        .collect();
    // A quantity the run could not compute (no issue in the window) makes the run unusable.
    values.iter().all(|v| v.is_finite()).then_some(values)
}

impl Simulator for CitySimulator<'_> {
    fn run(&mut self, batch: &Batch) -> Result<Vec<RunValues>, SweepError> {
        let exp = batch_experiment(self.calibration, batch)?;
        let out = self.dir.join(&batch.name);
        if !is_complete(&out, &exp) {
            if let Some(dir) = &self.leave_to {
                let base = dir.join("base.toml");
                let file = dir.join("next_batch.toml");
                for (path, text) in [
                    (
                        &base,
                        crate::scenario::scenario_toml(&self.calibration.base),
                    ),
                    (&file, batch_file_text(self.calibration, batch)),
                ] {
                    std::fs::write(path, text).map_err(sweep::io_at(path))?;
                }
                return Err(SweepError::Pending {
                    batch: batch.name.clone(),
                    file,
                });
            }
            let opts = SweepOptions {
                shard: Shard::WHOLE,
                resume: true,
                force: false,
                block: 0,
            };
            sweep::sweep(&exp, &out, opts, self.progress)?;
        }
        let mut results: Vec<RunValues> = vec![None; exp.total_runs() as usize];
        let reps = exp.replications as usize;
        sweep::walk_runs(&exp, &out.join("runs.csv"), |point, rep, values| {
            results[point * reps + rep] = values.and_then(|v| {
                let summary: Vec<f64> = v.collect();
                quantities(self.calibration, &summary)
            });
        })?;
        Ok(results)
    }
}
