//! "Compare with the baseline": the lesson as built — same preset, same seed, without the
//! class's changes — run in the background, with a band over a few replications on other
//! seeds, so the teacher can tell a change the class made from the week-to-week noise.
//!
//! The runs are deterministic: the baseline uses the class's seed, replication `r` the seed
//! `replication_seed(seed, r)`, whatever the thread count or the moment they run. They run on
//! their own thread, so the class never waits for them; the page gets the baseline's rows as
//! soon as they are ready, then the band. A new setup cancels the runs of the old one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::model::rng::mix64;
use crate::model::Simulation;
use crate::output::records::timeseries_row;
use crate::scenario::Scenario;

/// Replications on other seeds besides the baseline itself; the band spans all of them.
pub const REPLICATIONS: u32 = 4;

/// The seed of replication `r` (1-based) of a baseline on `seed`.
pub fn replication_seed(seed: u64, r: u32) -> u64 {
    mix64(mix64(seed ^ 0xBA5E_11E5) ^ r as u64)
}

/// The background runs of one setup; dropping it cancels them.
pub struct Baseline {
    /// The scenario they run (the preset with the class's seed).
    pub scenario: Scenario,
    cancel: Arc<AtomicBool>,
    /// The latest `baseline` message, for a page that connects later.
    latest: Arc<Mutex<Option<Value>>>,
}

impl Baseline {
    /// Starts the runs of `scenario` for its length; each result is broadcast on `events`.
    pub fn start(scenario: Scenario, events: broadcast::Sender<Value>) -> Baseline {
        let cancel = Arc::new(AtomicBool::new(false));
        let latest = Arc::new(Mutex::new(None));
        let (sc, stop, slot) = (scenario.clone(), cancel.clone(), latest.clone());
        let spawned = std::thread::Builder::new()
            .name("cogov-baseline".into())
            .spawn(move || compute(&sc, &stop, &slot, &events));
        if spawned.is_err() {
            // Without a thread there is no baseline; the class run is unaffected.
            cancel.store(true, Ordering::Relaxed);
        }
        Baseline {
            scenario,
            cancel,
            latest,
        }
    }

    /// The latest `baseline` message, if any is ready.
    pub fn message(&self) -> Option<Value> {
        self.latest.lock().ok().and_then(|m| m.clone())
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The rows of `sc` on `seed`, or `None` when cancelled.
fn rows(sc: &Scenario, seed: u64, cancel: &AtomicBool) -> Option<Vec<Vec<f64>>> {
    let mut sim = Simulation::new(sc.params.clone(), seed, sc.model_interventions());
    let mut out = Vec::with_capacity(sc.ticks as usize);
    for _ in 0..sc.ticks {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        out.push(timeseries_row(&sim.step()));
    }
    Some(out)
}

fn compute(
    sc: &Scenario,
    cancel: &AtomicBool,
    latest: &Mutex<Option<Value>>,
    events: &broadcast::Sender<Value>,
) {
    let publish = |v: Value| {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut m) = latest.lock() {
            *m = Some(v.clone());
        }
        let _ = events.send(v);
    };
    let Some(base) = rows(sc, sc.seed, cancel) else {
        return;
    };
    publish(json!({"type": "baseline", "seed": sc.seed, "rows": base, "replications": 0}));
    let (mut lo, mut hi) = (base.clone(), base.clone());
    for r in 1..=REPLICATIONS {
        let Some(rep) = rows(sc, replication_seed(sc.seed, r), cancel) else {
            return;
        };
        for (week, row) in rep.iter().enumerate() {
            for (c, x) in row.iter().enumerate() {
                lo[week][c] = lo[week][c].min(*x);
                hi[week][c] = hi[week][c].max(*x);
            }
        }
    }
    publish(json!({
        "type": "baseline",
        "seed": sc.seed,
        "rows": base,
        "replications": REPLICATIONS,
        "seeds": (1..=REPLICATIONS).map(|r| replication_seed(sc.seed, r)).collect::<Vec<_>>(),
        "lo": lo,
        "hi": hi,
    }));
}
