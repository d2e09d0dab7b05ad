//! Batch experiments: a base scenario plus a design, replicated, run across threads, shards
//! and machines (issue "batch experiments").
//!
//! `Experiment` is the validated experiment file; `design` expands it into points; `sweep`
//! runs them with per-run seeds derived from (base seed, design point, replication), journals
//! every finished run durably so a killed sweep resumes exactly, and summarises per point;
//! `stats` holds the few statistics this needs. The model itself is untouched: a run here is
//! exactly `cogov run` of the point's scenario with the run's seed.

pub mod calibration;
pub mod design;
pub mod levers;
pub mod sobol;
pub mod stats;
pub mod sweep;

use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::params::{spec_of, ParamKind, ParamValue};
use crate::model::rng::mix64;
use crate::scenario::{self, ConfigError, Scenario, Source, DEFAULT_SCENARIO, MAX_TICKS};
use design::{Design, Package, Point, Range};

/// Most runs one experiment may ask for (points × replications).
pub const MAX_RUNS: u64 = 100_000_000;

/// Most design points one experiment may have: every point is held in memory while loading.
pub const MAX_POINTS: u64 = 1_000_000;

/// Most parameter values a design may hold (points × varied parameters), about a gigabyte.
pub const MAX_DESIGN_VALUES: u64 = 10_000_000;

/// A validated experiment.
#[derive(Clone, Debug)]
pub struct Experiment {
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// The scenario every point starts from (its ticks, interventions and parameters).
    pub base: Scenario,
    pub replications: u32,
    pub base_seed: u64,
    /// Write each run's time series too (streamed to disk, one file per run).
    pub timeseries: bool,
    /// Seeds depend on the replication only, so all points share random numbers.
    pub common_random_numbers: bool,
    pub design: Design,
    pub points: Vec<Point>,
    /// The experiment file's text, kept in sweep manifests so shards can be merged anywhere.
    pub source: String,
    /// What the file asks for that is not quite what it may seem (a range whose end is not
    /// on a step), said once when the experiment is run.
    pub notes: Vec<String>,
}

impl Experiment {
    pub fn total_runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64
    }

    /// Seed of a run: from (base seed, design point, replication), or (base seed,
    /// replication) under common random numbers.
    pub fn seed(&self, point: u32, replication: u32) -> u64 {
        let p = if self.common_random_numbers {
            0
        } else {
            point as u64 + 1
        };
        mix64(mix64(self.base_seed ^ 0x5EED) ^ mix64(p << 32 | replication as u64))
    }

    /// The scenario of one run: the point's parameters and intervention values set, its
    /// intervention weeks moved and the interventions it sets to week 0 removed.
    pub fn scenario_for(&self, point: &Point, replication: u32) -> Scenario {
        let mut sc = self.base.clone();
        let mut removed = Vec::new();
        for (k, v) in &point.set {
            if let Some(i) = apply_setting(&mut sc, k, *v) {
                removed.push(i);
            }
        }
        remove_interventions(&mut sc, removed);
        sc.seed = self.seed(point.id, replication);
        sc
    }

    /// The value design key `key` takes at `point` (for `runs.csv` and `points.csv`): the
    /// point's own, else the base scenario's (a parameter, or an intervention's week).
    pub fn setting(&self, point: &Point, key: &str) -> Option<ParamValue> {
        if let Some((_, v)) = point.set.iter().find(|(k, _)| k == key) {
            return Some(*v);
        }
        self.base_setting(key)
    }

    /// The value design key `key` has in the base scenario (a parameter, or an intervention's
    /// week).
    fn base_setting(&self, key: &str) -> Option<ParamValue> {
        setting_in(&self.base, key)
    }

    /// The design point every other point is compared with in `points.csv`'s paired
    /// differences: the first point that leaves the base scenario unchanged (a package with an
    /// empty `set`, or the grid point at the base's own values), else the first point. `None`
    /// unless the design is a grid or packages run on common random numbers: only there is
    /// replication r of every point the same city on the same seed, so that a difference per
    /// replication is a paired one. Latin hypercube and Morris points have no baseline.
    pub fn baseline_point(&self) -> Option<usize> {
        if !self.common_random_numbers
            || !matches!(self.design, Design::Grid(_) | Design::Packages(_))
            || self.points.is_empty()
        {
            return None;
        }
        let unchanged = |p: &Point| p.set.iter().all(|(k, v)| self.base_setting(k) == Some(*v));
        Some(self.points.iter().position(unchanged).unwrap_or(0))
    }

    /// A fingerprint of everything that determines the results (shards must agree on it).
    pub fn fingerprint(&self) -> String {
        let mut text = crate::output::manifest_json(&self.base, "experiment-base").to_string();
        text.push_str(&format!(
            "|{}|{}|{}|{}",
            self.replications, self.base_seed, self.common_random_numbers, self.timeseries
        ));
        for p in &self.points {
            text.push_str(&format!("|{}:{:?}", p.id, p.set));
        }
        fingerprint_of(&text)
    }
}

/// A fingerprint of `text`: FNV-1a, finished with a mix, so it is stable across platforms and
/// versions.
pub(crate) fn fingerprint_of(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}", mix64(h))
}

/// What an `interventions.N.…` design key addresses (N from 1, the base scenario's
/// `[[interventions]]` tables in file order): the week the N-th takes effect
/// (`interventions.N.tick`), or the value it sets for a parameter
/// (`interventions.N.<parameter key>`, e.g. `interventions.2.motivation.responsibility_lists`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterventionKey<'a> {
    Week(usize),
    Value(usize, &'a str),
}

/// `key` as an intervention's week or value, if it has that form (whether the base scenario
/// has such an intervention is checked at load).
pub fn intervention_key(key: &str) -> Option<InterventionKey<'_>> {
    let (n, what) = key.strip_prefix("interventions.")?.split_once('.')?;
    if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = n.parse().ok()?;
    Some(match what {
        "tick" => InterventionKey::Week(n),
        _ => InterventionKey::Value(n, what),
    })
}

/// N of a design key `interventions.N.tick` (N from 1), which addresses the week of the base
/// scenario's N-th `[[interventions]]` table, in file order.
pub fn intervention_index(key: &str) -> Option<usize> {
    match intervention_key(key)? {
        InterventionKey::Week(n) => Some(n),
        InterventionKey::Value(..) => None,
    }
}

/// Sets design key `key` (validated against `sc` at load) to `value` in `sc`: a parameter, an
/// intervention's value, or an intervention's week. An intervention set to week 0 is not
/// removed here but returned (its index), so that the caller removes every such intervention
/// after all settings and the numbers N of the other keys still address the file's tables.
pub(crate) fn apply_setting(sc: &mut Scenario, key: &str, value: ParamValue) -> Option<usize> {
    match intervention_key(key) {
        Some(InterventionKey::Week(n)) => match (value, sc.interventions.get_mut(n - 1)) {
            (ParamValue::Int(0), _) => return Some(n - 1),
            (ParamValue::Int(t), Some(iv)) => iv.intervention.tick = t as u32,
            _ => debug_assert!(false, "intervention weeks are validated at load"),
        },
        Some(InterventionKey::Value(n, param)) => {
            let change = sc
                .interventions
                .get_mut(n - 1)
                .and_then(|iv| iv.intervention.changes.iter_mut().find(|(k, _)| k == param));
            debug_assert!(
                change.is_some(),
                "intervention values are validated at load"
            );
            if let Some((_, v)) = change {
                *v = value;
            }
        }
        None => {
            let applied = sc.params.set(key, value);
            debug_assert!(applied.is_ok(), "design values are validated at load");
        }
    }
    None
}

/// Removes the interventions at `indices` (from `apply_setting`), highest first.
pub(crate) fn remove_interventions(sc: &mut Scenario, mut indices: Vec<usize>) {
    indices.sort_unstable();
    indices.dedup();
    for i in indices.into_iter().rev() {
        sc.interventions.remove(i);
    }
}

/// Whether design key `key` addresses something in `sc`: any parameter, or an intervention
/// `sc` has (and, for a value, one that intervention sets).
pub(crate) fn key_applies(sc: &Scenario, key: &str) -> bool {
    match intervention_key(key) {
        Some(InterventionKey::Week(n)) => n <= sc.interventions.len(),
        Some(InterventionKey::Value(..)) => setting_in(sc, key).is_some(),
        None => spec_of(key).is_some(),
    }
}

/// The value design key `key` has in `sc` (a parameter, an intervention's value or week).
pub(crate) fn setting_in(sc: &Scenario, key: &str) -> Option<ParamValue> {
    match intervention_key(key) {
        Some(InterventionKey::Week(n)) => sc
            .interventions
            .get(n - 1)
            .map(|i| ParamValue::Int(i.intervention.tick as i64)),
        Some(InterventionKey::Value(n, param)) => sc.interventions.get(n - 1).and_then(|i| {
            i.intervention
                .changes
                .iter()
                .find(|(k, _)| k == param)
                .map(|(_, v)| *v)
        }),
        None => sc.params.get(key),
    }
}

/// What a design key addresses: a parameter, the week an intervention of the base scenario
/// takes effect (0: the intervention is removed), or the value an intervention sets for a
/// parameter (checked against that parameter's kind and range).
#[derive(Clone, Copy)]
pub(crate) enum Factor {
    Param(&'static crate::model::params::ParamSpec),
    Week,
    Value(&'static crate::model::params::ParamSpec),
}

impl Factor {
    pub(crate) fn kind(self) -> ParamKind {
        match self {
            Factor::Param(s) | Factor::Value(s) => s.kind,
            Factor::Week => ParamKind::Integer,
        }
    }
}

/// The base scenario's interventions with what each sets, as
/// `1 (week 26: a, b), 2 (week 40: c)`, for errors.
pub(crate) fn listed_interventions(base: &Scenario) -> String {
    if base.interventions.is_empty() {
        return "has no [[interventions]]".into();
    }
    let list: Vec<String> = base
        .interventions
        .iter()
        .enumerate()
        .map(|(i, iv)| {
            let keys: Vec<&str> = iv
                .intervention
                .changes
                .iter()
                .map(|(k, _)| k.as_str())
                .collect();
            format!(
                "{} (week {}: {})",
                i + 1,
                iv.intervention.tick,
                keys.join(", ")
            )
        })
        .collect();
    format!("has interventions {}", list.join("; "))
}

/// What design key `key` addresses in `base`, or an error at `v`.
pub(crate) fn factor(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
) -> Result<Factor, ConfigError> {
    if !key.starts_with("interventions.") {
        return known_spec(src, key, v).map(Factor::Param);
    }
    let err = |m: String| Err(src.error(Some(v.span()), Some(key), m));
    let (n, param) = match intervention_key(key) {
        None => return err("expected interventions.N.tick (the week the base scenario's N-th [[interventions]] table, from 1 in file order, takes effect) or interventions.N.<parameter key> (the value it sets)".into()),
        Some(InterventionKey::Week(n)) => (n, None),
        Some(InterventionKey::Value(n, p)) => (n, Some(p)),
    };
    let Some(iv) = base.interventions.get(n - 1) else {
        return err(format!(
            "no intervention {n}: the base scenario {}; N counts its [[interventions]] tables from 1, in file order",
            listed_interventions(base)
        ));
    };
    let Some(param) = param else {
        return Ok(Factor::Week);
    };
    match spec_of(param) {
        Some(spec) if iv.intervention.changes.iter().any(|(k, _)| k == param) => {
            Ok(Factor::Value(spec))
        }
        _ => err(format!(
            "intervention {n} does not set `{param}`; only a value an intervention sets can be varied. The base scenario {}",
            listed_interventions(base)
        )),
    }
}

/// Checks `value` (written `raw`) for design key `key`: a parameter's type and range, or an
/// intervention's week in 0..=ticks (0 removes it).
fn check_setting(
    src: &Source<'_>,
    key: &str,
    span: std::ops::Range<usize>,
    factor: Factor,
    value: ParamValue,
    raw: &str,
    base: &Scenario,
) -> Result<ParamValue, ConfigError> {
    match (factor, value) {
        (Factor::Week, ParamValue::Int(t)) if (0..=base.ticks as i64).contains(&t) => Ok(value),
        (Factor::Week, _) => Err(src.error(
            Some(span),
            Some(key),
            format!(
                "expected a week in 0..={} (the run's weeks; 0 removes the intervention), got {raw}",
                base.ticks
            ),
        )),
        (Factor::Param(spec) | Factor::Value(spec), _) => {
            let mut probe = crate::model::Params::default();
            probe.set(spec.key, value).map_err(|e| {
                src.error(
                    Some(span),
                    Some(key),
                    scenario::set_error_message(spec.key, &e, raw),
                )
            })?;
            Ok(probe.get(spec.key).expect("validated key"))
        }
    }
}

/// One value of design key `key` (a parameter, or an intervention's week or value).
pub(crate) fn design_value(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
) -> Result<ParamValue, ConfigError> {
    let f = factor(src, key, v, base)?;
    if let Factor::Param(_) = f {
        return value_of(src, key, v);
    }
    let raw = src.text[v.span().start.min(src.text.len())..v.span().end.min(src.text.len())].trim();
    let value = match (f, scenario::toml_value(v.get_ref())) {
        (_, Ok(value)) => value,
        (Factor::Value(spec), Err(found)) => {
            return Err(src.error(
                Some(v.span()),
                Some(key),
                format!("expected {}, got {found}", spec.kind.name()),
            ))
        }
        (_, Err(_)) => ParamValue::Float(f64::NAN),
    };
    check_setting(src, key, v.span(), f, value, raw, base)
}

/// The parameter `key` names, or an error at `v` that suggests the nearest real key.
fn known_spec(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
) -> Result<&'static crate::model::params::ParamSpec, ConfigError> {
    spec_of(key).ok_or_else(|| {
        src.error(
            Some(v.span()),
            Some(key),
            scenario::set_error_message(key, &crate::model::params::SetError::UnknownKey, ""),
        )
    })
}

fn value_of(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
) -> Result<ParamValue, ConfigError> {
    let spec = known_spec(src, key, v)?;
    let value = scenario::toml_value(v.get_ref()).map_err(|found| {
        src.error(
            Some(v.span()),
            Some(key),
            format!("expected {}, got {found}", spec.kind.name()),
        )
    })?;
    let mut probe = crate::model::Params::default();
    probe.set(key, value).map_err(|e| {
        let raw = &src.text[v.span().start.min(src.text.len())..v.span().end.min(src.text.len())];
        src.error(
            Some(v.span()),
            Some(key),
            scenario::set_error_message(key, &e, raw.trim()),
        )
    })?;
    Ok(probe.get(key).expect("validated key"))
}

/// Leaves of a design table: dotted keys (quoted or nested) to their values.
fn leaves<'t>(prefix: &str, t: &'t DeTable<'t>, out: &mut Vec<(String, &'t Spanned<DeValue<'t>>)>) {
    for (k, v) in t.iter() {
        let key = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        match v.get_ref() {
            DeValue::Table(inner)
                if !inner
                    .iter()
                    .any(|(k, _)| matches!(k.get_ref().as_ref(), "from" | "to" | "step"))
                    && key.matches('.').count() < 8 =>
            {
                leaves(&key, inner, out)
            }
            _ => out.push((key, v)),
        }
    }
}

fn table<'a>(
    src: &Source<'_>,
    key: &str,
    v: &'a Spanned<DeValue<'a>>,
) -> Result<&'a DeTable<'a>, ConfigError> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err(src.error(Some(v.span()), Some(key), "expected a table")),
    }
}

fn grid_values(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
    notes: &mut Vec<String>,
) -> Result<Vec<ParamValue>, ConfigError> {
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                return Err(src.error(Some(v.span()), Some(key), "expected at least one value"));
            }
            items
                .iter()
                .map(|i| design_value(src, key, i, base))
                .collect()
        }
        DeValue::Table(t) => {
            // Decimal places written in from and step: the values are rounded to them, so
            // `step = 0.3` gives 0.9, not 0.8999999999999999.
            let mut places = 0usize;
            let mut get = |name: &str| -> Result<f64, ConfigError> {
                let (_, x) = t.iter().find(|(k, _)| k.get_ref() == name).ok_or_else(|| {
                    src.error(
                        Some(v.span()),
                        Some(key),
                        format!("a range needs from, to and step; `{name}` is missing"),
                    )
                })?;
                if name != "to" {
                    places = places.max(decimal_places(&src.text[x.span()]));
                }
                match scenario::toml_value(x.get_ref()) {
                    Ok(ParamValue::Float(f)) if f.is_finite() => Ok(f),
                    Ok(ParamValue::Int(i)) => Ok(i as f64),
                    _ => Err(src.error(
                        Some(x.span()),
                        Some(key),
                        format!("`{name}` must be a finite number"),
                    )),
                }
            };
            let (from, to, step) = (get("from")?, get("to")?, get("step")?);
            if step <= 0.0 || to < from {
                return Err(src.error(
                    Some(v.span()),
                    Some(key),
                    "a range needs from <= to and step > 0",
                ));
            }
            // Counted in floating point first: a range of 1e300 steps must not wrap around to
            // zero values when converted to an integer.
            let steps = ((to - from) / step + 1e-9).floor();
            if steps.is_nan() || steps >= 10_000.0 {
                let shown = if steps < 1e15 {
                    format!("{}", steps + 1.0)
                } else {
                    "too many".to_string()
                };
                return Err(src.error(
                    Some(v.span()),
                    Some(key),
                    format!("the range has {shown} values; at most 10000"),
                ));
            }
            let n = steps as u64 + 1;
            let last = round_to(from + steps * step, places);
            if (to - last).abs() > 1e-9 * step.max(to.abs()) {
                let message = format!(
                    "{to} is not on a step from {from} by {step}, so the last value is {last} / {to}不在步长网格上，末值为{last}"
                );
                notes.push(src.error(Some(v.span()), Some(key), message).to_string());
            }
            let f = factor(src, key, v, base)?;
            (0..n)
                .map(|i| {
                    let x = round_to(from + i as f64 * step, places);
                    let value = if f.kind() == ParamKind::Integer {
                        ParamValue::Int(x.round() as i64)
                    } else {
                        ParamValue::Float(x)
                    };
                    check_setting(src, key, v.span(), f, value, &format!("{x}"), base)
                })
                .collect()
        }
        _ => Err(src.error(
            Some(v.span()),
            Some(key),
            "expected an array of values or { from, to, step }",
        )),
    }
}

/// Digits after the decimal point of a TOML number as written (`0.25` → 2); a number with
/// an exponent counts as 15 places (rounding there changes nothing visible).
fn decimal_places(text: &str) -> usize {
    let text = text.trim().replace('_', "");
    if text.contains(['e', 'E']) {
        return 15;
    }
    text.split_once('.').map_or(0, |(_, d)| d.len()).min(15)
}

/// `x` rounded to `places` decimal places, as the nearest float to the decimal (`0.9`).
fn round_to(x: f64, places: usize) -> f64 {
    format!("{x:.places$}").parse().unwrap_or(x)
}

fn range_of(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
) -> Result<Range, ConfigError> {
    let DeValue::Array(items) = v.get_ref() else {
        return Err(src.error(Some(v.span()), Some(key), "expected [low, high]"));
    };
    if items.len() != 2 {
        return Err(src.error(Some(v.span()), Some(key), "expected [low, high]"));
    }
    let kind = factor(src, key, v, base)?.kind();
    let num = |x: ParamValue| match x {
        ParamValue::Float(f) => f,
        ParamValue::Int(i) => i as f64,
        ParamValue::Bool(b) => f64::from(u8::from(b)),
    };
    let lo = num(design_value(src, key, &items[0], base)?);
    let hi = num(design_value(src, key, &items[1], base)?);
    if hi <= lo && kind != ParamKind::Bool {
        return Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected low < high, got [{lo}, {hi}]"),
        ));
    }
    Ok(Range {
        key: key.to_string(),
        kind,
        lo,
        hi,
    })
}

/// A whole number in `lo..=hi` (with `hi` within `u32`).
fn positive(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    lo: i64,
    hi: i64,
) -> Result<u32, ConfigError> {
    scenario::integer_of(src, key, v, lo, hi).map(|i| i as u32)
}

fn boolean(src: &Source<'_>, key: &str, v: &Spanned<DeValue<'_>>) -> Result<bool, ConfigError> {
    match v.get_ref() {
        DeValue::Boolean(b) => Ok(*b),
        _ => Err(src.error(Some(v.span()), Some(key), "expected true or false")),
    }
}

fn read_design(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
    notes: &mut Vec<String>,
) -> Result<Design, ConfigError> {
    let t = table(src, "design", v)?;
    let mut kind = None;
    let (mut factors, mut packages, mut ranges) = (None, Vec::new(), None);
    let (mut points, mut trajectories, mut levels, mut samples) = (None, None, 4u32, None);
    for (k, val) in t.iter() {
        let key = format!("design.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "kind" => kind = Some((scenario::string_of(src, &key, val)?, val.span())),
            "factors" => {
                let mut out = Vec::new();
                let mut found = Vec::new();
                leaves("", table(src, &key, val)?, &mut found);
                for (pk, pv) in found {
                    out.push((pk.clone(), grid_values(src, &pk, pv, base, notes)?));
                }
                factors = Some(out);
            }
            "ranges" => {
                let mut out = Vec::new();
                let mut found = Vec::new();
                leaves("", table(src, &key, val)?, &mut found);
                for (pk, pv) in found {
                    out.push(range_of(src, &pk, pv, base)?);
                }
                ranges = Some(out);
            }
            "packages" => {
                let DeValue::Array(items) = val.get_ref() else {
                    return Err(src.error(Some(val.span()), Some(&key), "expected [[design.packages]] tables"));
                };
                for item in items.iter() {
                    let pt = table(src, &key, item)?;
                    let mut name = None;
                    let mut name_zh = String::new();
                    let mut set = Vec::new();
                    for (pk, pv) in pt.iter() {
                        match pk.get_ref().as_ref() {
                            "name" => name = Some(scenario::string_of(src, "design.packages.name", pv)?),
                            "name_zh" => name_zh = scenario::string_of(src, "design.packages.name_zh", pv)?,
                            "set" => {
                                let mut found = Vec::new();
                                leaves("", table(src, "design.packages.set", pv)?, &mut found);
                                for (sk, sv) in found {
                                    set.push((sk.clone(), design_value(src, &sk, sv, base)?));
                                }
                            }
                            "remove_interventions" => {
                                let DeValue::Array(list) = pv.get_ref() else {
                                    return Err(src.error(Some(pv.span()), Some("design.packages.remove_interventions"), "expected an array of intervention numbers, e.g. [1, 3]"));
                                };
                                for n in list.iter() {
                                    let i = scenario::integer_of(src, "design.packages.remove_interventions", n, 1, base.interventions.len().max(1) as i64)
                                        .ok()
                                        .filter(|i| *i as usize <= base.interventions.len())
                                        .ok_or_else(|| src.error(Some(n.span()), Some("design.packages.remove_interventions"), format!("expected the number of one of the base scenario's [[interventions]] (from 1, in file order); the base scenario {}", listed_interventions(base))))?;
                                    set.push((format!("interventions.{i}.tick"), ParamValue::Int(0)));
                                }
                            }
                            other => {
                                return Err(src.error(Some(pk.span()), Some(&format!("design.packages.{other}")), "unknown key; a package takes name, name_zh, set and remove_interventions"))
                            }
                        }
                    }
                    let name = name.ok_or_else(|| src.error(Some(item.span()), Some("design.packages.name"), "missing: every package needs a name"))?;
                    packages.push(Package { name, name_zh, set });
                }
            }
            "points" => points = Some(positive(src, &key, val, 1, 10_000_000)?),
            "trajectories" => trajectories = Some(positive(src, &key, val, 2, 100_000)?),
            "levels" => levels = positive(src, &key, val, 2, 100)?,
            "samples" => {
                let n = positive(src, &key, val, 2, sobol::MAX_SAMPLES as i64)?;
                if !n.is_power_of_two() {
                    return Err(src.error(
                        Some(val.span()),
                        Some(&key),
                        format!(
                            "expected a power of two (Sobol' points balance only in blocks of 2^k), got {n}; the nearest are {} and {}",
                            n.next_power_of_two() / 2,
                            n.next_power_of_two()
                        ),
                    ));
                }
                samples = Some(n);
            }
            _ => {
                return Err(src.error(
                    Some(k.span()),
                    Some(&key),
                    "unknown key; [design] takes kind, factors (grid), packages, points and ranges (lhs), trajectories, levels and ranges (morris), samples and ranges (sobol)",
                ))
            }
        }
    }
    let (kind, span) = kind.ok_or_else(|| {
        src.error(
            Some(v.span()),
            Some("design.kind"),
            "missing: one of grid, packages, lhs, morris, sobol",
        )
    })?;
    let need = |what: &str| {
        src.error(
            Some(v.span()),
            Some(&format!("design.{what}")),
            format!("missing for a {kind} design"),
        )
    };
    match kind.as_str() {
        "grid" => {
            let f = factors.ok_or_else(|| need("factors"))?;
            if f.is_empty() {
                return Err(need("factors"));
            }
            Ok(Design::Grid(f))
        }
        "packages" => {
            if packages.is_empty() {
                return Err(need("packages"));
            }
            Ok(Design::Packages(packages))
        }
        "lhs" => Ok(Design::LatinHypercube {
            points: points.ok_or_else(|| need("points"))?,
            ranges: ranges
                .filter(|r| !r.is_empty())
                .ok_or_else(|| need("ranges"))?,
        }),
        "morris" => Ok(Design::Morris {
            trajectories: trajectories.ok_or_else(|| need("trajectories"))?,
            levels,
            ranges: ranges
                .filter(|r| !r.is_empty())
                .ok_or_else(|| need("ranges"))?,
        }),
        "sobol" => {
            let ranges = ranges
                .filter(|r| !r.is_empty())
                .ok_or_else(|| need("ranges"))?;
            if ranges.len() > sobol::MAX_PARAMETERS {
                return Err(src.error(
                    Some(v.span()),
                    Some("design.ranges"),
                    format!(
                        "a sobol design varies at most {} parameters, got {}",
                        sobol::MAX_PARAMETERS,
                        ranges.len()
                    ),
                ));
            }
            Ok(Design::Sobol {
                samples: samples.ok_or_else(|| need("samples"))?,
                ranges,
            })
        }
        other => Err(src.error(
            Some(span),
            Some("design.kind"),
            format!("expected one of grid, packages, lhs, morris, sobol, got `{other}`"),
        )),
    }
}

/// Reads and validates an experiment file; a relative `base` path is resolved against the
/// experiment file's folder.
pub fn load_file(path: &Path) -> Result<Experiment, ConfigError> {
    let (file, text) = read_input(path, "experiment")?;
    load_str(&text, &file, path.parent())
}

/// The name and text of the `what` file (experiment, calibration) at `path`.
fn read_input(path: &Path, what: &str) -> Result<(String, String), ConfigError> {
    let file = path.display().to_string();
    let text = scenario::read_text(path, scenario::MAX_FILE_BYTES).map_err(|e| ConfigError {
        file: file.clone(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read the {what} file: {e}"),
    })?;
    Ok((file, text))
}

/// Parses an experiment from text; `dir` resolves a relative base scenario path.
pub fn load_str(text: &str, file: &str, dir: Option<&Path>) -> Result<Experiment, ConfigError> {
    parse(text, file, dir, None)
}

/// Parses an experiment whose base scenario is already resolved (from a sweep manifest): the
/// file's `base` path, `[base]` overrides and `ticks` are already in `base`.
pub fn load_with_base(text: &str, file: &str, base: Scenario) -> Result<Experiment, ConfigError> {
    parse(text, file, None, Some(base))
}

fn parse(
    text: &str,
    file: &str,
    dir: Option<&Path>,
    resolved_base: Option<Scenario>,
) -> Result<Experiment, ConfigError> {
    let src = Source { file, text };
    let root = src.parse_toml()?;
    let mut exp = Experiment {
        name: "experiment".into(),
        title_en: String::new(),
        title_zh: String::new(),
        description_en: String::new(),
        description_zh: String::new(),
        base: Scenario::default(),
        replications: 1,
        base_seed: 1,
        timeseries: false,
        common_random_numbers: false,
        design: Design::Packages(Vec::new()),
        points: Vec::new(),
        source: text.to_string(),
        notes: Vec::new(),
    };
    let mut base_path: Option<(String, std::ops::Range<usize>)> = None;
    let mut ticks = None;
    let mut overrides = None;
    let mut design = None;
    let mut crn = None;
    for (k, v) in root.get_ref().iter() {
        match k.get_ref().as_ref() {
            "experiment" => {
                for (ek, ev) in table(&src, "experiment", v)?.iter() {
                    let key = format!("experiment.{}", ek.get_ref());
                    match ek.get_ref().as_ref() {
                        "name" => exp.name = scenario::string_of(&src, &key, ev)?,
                        "title_en" => exp.title_en = scenario::string_of(&src, &key, ev)?,
                        "title_zh" => exp.title_zh = scenario::string_of(&src, &key, ev)?,
                        "description_en" => exp.description_en = scenario::string_of(&src, &key, ev)?,
                        "description_zh" => exp.description_zh = scenario::string_of(&src, &key, ev)?,
                        "base" => base_path = Some((scenario::string_of(&src, &key, ev)?, ev.span())),
                        "replications" => exp.replications = positive(&src, &key, ev, 1, 1_000_000)?,
                        "base_seed" => exp.base_seed = scenario::integer_of(&src, &key, ev, 0, i64::MAX)? as u64,
                        "ticks" => ticks = Some(positive(&src, &key, ev, 1, MAX_TICKS as i64)?),
                        "timeseries" => exp.timeseries = boolean(&src, &key, ev)?,
                        "common_random_numbers" => crn = Some(boolean(&src, &key, ev)?),
                        _ => {
                            return Err(src.error(
                                Some(ek.span()),
                                Some(&key),
                                "unknown key; [experiment] takes name, title_en, title_zh, description_en, description_zh, base, replications, base_seed, ticks, timeseries, common_random_numbers",
                            ))
                        }
                    }
                }
            }
            "base" => overrides = Some(v),
            // Read once the base scenario is known: a design may address its interventions.
            "design" => design = Some(v),
            other => {
                return Err(src.error(
                    Some(k.span()),
                    Some(other),
                    "unknown section; an experiment has [experiment], [base] and [design]",
                ))
            }
        }
    }
    if let Some(base) = resolved_base {
        exp.base = base;
    } else {
        exp.base = base_scenario(&src, "experiment.base", base_path.as_ref(), dir)?;
        if let Some(v) = overrides {
            let mut found = Vec::new();
            leaves("", table(&src, "base", v)?, &mut found);
            for (key, val) in found {
                let value = value_of(&src, &key, val)?;
                exp.base.params.set(&key, value).expect("validated");
            }
            scenario::check_size(&exp.base.params)
                .map_err(|m| src.error(Some(v.span()), Some("base"), m))?;
        }
        if let Some(t) = ticks {
            exp.base.ticks = t;
        }
    }
    let design =
        design.ok_or_else(|| src.error(None, Some("design"), "missing: the [design] table"))?;
    exp.design = read_design(&src, design, &exp.base, &mut exp.notes)?;
    // A Morris effect is the difference between neighbouring points: on independent seeds the
    // seed noise dominates μ*, so Morris designs share seeds unless told otherwise. Sobol'
    // estimators difference A and AB⁽ⁱ⁾ the same way, and analyse replicate means on common
    // random numbers.
    exp.common_random_numbers = crn.unwrap_or(matches!(
        exp.design,
        design::Design::Morris { .. } | design::Design::Sobol { .. }
    ));
    // Sizes are checked before the design is expanded, so an absurd grid is refused in
    // microseconds instead of filling the memory.
    let n_points = design::point_count(&exp.design);
    let n_values = n_points.saturating_mul(exp.design.keys().len() as u64);
    if n_points > MAX_POINTS || n_values > MAX_DESIGN_VALUES {
        return Err(src.error(
            None,
            Some("design"),
            format!(
                "{n_points} points of {} parameters; at most {MAX_POINTS} points and {MAX_DESIGN_VALUES} values in all (split the experiment or use a sampled design)",
                exp.design.keys().len()
            ),
        ));
    }
    if n_points.saturating_mul(exp.replications as u64) > MAX_RUNS {
        return Err(src.error(
            None,
            Some("design"),
            format!(
                "{} runs; at most {MAX_RUNS}",
                n_points.saturating_mul(exp.replications as u64)
            ),
        ));
    }
    exp.points = design::points(&exp.design, exp.base_seed);
    // Every point must give a city cogov can build.
    for point in &exp.points {
        let sc = exp.scenario_for(point, 0);
        scenario::check_size(&sc.params).map_err(|m| {
            src.error(
                None,
                Some("design"),
                format!("point {} ({}): {m}", point.id, point.label),
            )
        })?;
    }
    if exp.total_runs() > MAX_RUNS {
        return Err(src.error(
            None,
            Some("design"),
            format!("{} runs; at most {MAX_RUNS}", exp.total_runs()),
        ));
    }
    Ok(exp)
}

/// The base scenario an experiment or calibration file names at `key` (a path relative to the
/// file's folder `dir`), or the embedded default city.
fn base_scenario(
    src: &Source<'_>,
    key: &str,
    path: Option<&(String, std::ops::Range<usize>)>,
    dir: Option<&Path>,
) -> Result<Scenario, ConfigError> {
    let Some((p, span)) = path else {
        return scenario::load_str(DEFAULT_SCENARIO, "<embedded default scenario>");
    };
    let path = dir
        .map(|d| d.join(p))
        .unwrap_or_else(|| Path::new(p).to_path_buf());
    if !path.is_file() {
        return Err(src.error(
            Some(span.clone()),
            Some(key),
            format!("no scenario file at {}", path.display()),
        ));
    }
    scenario::load_file(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = r#"
[experiment]
name = "t"
replications = 3
base_seed = 7
ticks = 4

[base]
territory.districts = 2

[design]
kind = "grid"
[design.factors]
"motivation.incentive_compatibility" = [0.0, 1.0]
motivation.responsibility_lists = { from = 0.0, to = 1.0, step = 0.5 }
"#;

    #[test]
    fn a_grid_experiment_loads_with_both_key_styles() {
        let e = load_str(GRID, "t.toml", None).unwrap();
        assert_eq!(e.points.len(), 6);
        assert_eq!(e.total_runs(), 18);
        assert_eq!(e.base.params.territory.districts, 2);
        assert_eq!(e.base.ticks, 4);
        assert_eq!(
            e.design.keys(),
            vec![
                "motivation.incentive_compatibility",
                "motivation.responsibility_lists"
            ]
        );
    }

    /// Morris designs share seeds unless the file says otherwise (seed noise once dominated μ*);
    /// other designs keep independent seeds by default.
    #[test]
    fn morris_designs_default_to_common_random_numbers() {
        let morris = "[design]\nkind = \"morris\"\ntrajectories = 2\n[design.ranges]\n\"tools.media_pressure\" = [0.0, 0.5]\n";
        assert!(
            load_str(morris, "m.toml", None)
                .unwrap()
                .common_random_numbers
        );
        let off = format!("[experiment]\ncommon_random_numbers = false\n{morris}");
        assert!(
            !load_str(&off, "m.toml", None)
                .unwrap()
                .common_random_numbers
        );
        assert!(
            !load_str(GRID, "g.toml", None)
                .unwrap()
                .common_random_numbers
        );
    }

    #[test]
    fn seeds_depend_on_point_and_replication_unless_common_random_numbers() {
        let mut e = load_str(GRID, "t.toml", None).unwrap();
        assert_ne!(e.seed(0, 0), e.seed(1, 0));
        assert_ne!(e.seed(0, 0), e.seed(0, 1));
        e.common_random_numbers = true;
        assert_eq!(e.seed(0, 0), e.seed(1, 0));
    }

    #[test]
    fn bad_experiments_are_refused_with_location() {
        let bad = GRID.replace("[0.0, 1.0]", "[0.0, 1.5]");
        let e = load_str(&bad, "t.toml", None).unwrap_err().to_string();
        assert!(
            e.starts_with("t.toml:14:46:") && e.contains("must be in 0..=1"),
            "{e}"
        );
        let bad = GRID.replace("kind = \"grid\"", "kind = \"grit\"");
        assert!(load_str(&bad, "t.toml", None)
            .unwrap_err()
            .to_string()
            .contains("expected one of grid"));
        let bad = GRID.replace("replications = 3", "replications = 0");
        assert!(load_str(&bad, "t.toml", None)
            .unwrap_err()
            .to_string()
            .contains("replications"));
        let bad = GRID.replace("[base]", "[bsae]");
        assert!(load_str(&bad, "t.toml", None)
            .unwrap_err()
            .to_string()
            .contains("unknown section"));
    }

    /// A Saltelli design of N = 4 rows over 2 parameters has 4·(2 + 2) = 16 points on common
    /// random numbers; N must be a power of two, and the error names file, line, key and the
    /// nearest valid values.
    #[test]
    fn sobol_designs_need_a_power_of_two_samples() {
        let text = "[design]\nkind = \"sobol\"\nsamples = 4\n[design.ranges]\n\"tools.media_pressure\" = [0.0, 0.2]\n\"motivation.trust_culture\" = [0.0, 1.0]\n";
        let e = load_str(text, "s.toml", None).unwrap();
        assert_eq!(e.points.len(), 16);
        assert!(e.common_random_numbers);
        let bad = load_str(&text.replace("= 4", "= 48"), "s.toml", None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            bad,
            "s.toml:3:11: design.samples: expected a power of two (Sobol' points balance only in blocks of 2^k), got 48; the nearest are 32 and 64"
        );
        let missing = load_str(&text.replace("samples = 4\n", ""), "s.toml", None)
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("design.samples: missing for a sobol design"),
            "{missing}"
        );
    }

    /// `interventions.N.<parameter>` addresses the value the base scenario's N-th intervention
    /// sets: every design accepts it, each run's scenario carries it, and a key the
    /// intervention does not set, an N out of range or a value out of the parameter's range is
    /// refused with file, line, key and the list of interventions.
    #[test]
    fn designs_vary_the_value_an_intervention_sets() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments");
        let key = "interventions.2.motivation.responsibility_lists";
        let grid = format!(
            "[experiment]\nbase = \"../beijing_2021_reform.toml\"\n[design]\nkind = \"grid\"\n[design.factors]\n\"{key}\" = [0.25, 1.0]\n"
        );
        let e = load_str(&grid, "x.toml", Some(&dir)).unwrap();
        for (point, want) in e.points.iter().zip([0.25, 1.0]) {
            let sc = e.scenario_for(point, 0);
            let changes = &sc.interventions[1].intervention.changes;
            assert_eq!(
                changes,
                &vec![(
                    "motivation.responsibility_lists".to_string(),
                    ParamValue::Float(want)
                )]
            );
            assert_eq!(e.setting(point, key), Some(ParamValue::Float(want)));
            // The other interventions and the parameters are the base scenario's.
            assert_eq!(sc.interventions[2], e.base.interventions[2]);
            assert_eq!(sc.params, e.base.params);
        }
        let lhs = format!(
            "[experiment]\nbase = \"../beijing_2021_reform.toml\"\n[design]\nkind = \"lhs\"\npoints = 4\n[design.ranges]\n\"{key}\" = [0.2, 0.8]\n"
        );
        let e = load_str(&lhs, "x.toml", Some(&dir)).unwrap();
        for point in &e.points {
            let Some(ParamValue::Float(x)) = e.setting(point, key) else {
                panic!("no value")
            };
            assert!((0.2..=0.8).contains(&x));
            let sc = e.scenario_for(point, 0);
            assert_eq!(
                sc.interventions[1].intervention.changes[0].1,
                ParamValue::Float(x)
            );
        }
        let cases = [
            (
                grid.replace("[0.25, 1.0]", "[0.25, 1.5]"),
                "x.toml:6:60: interventions.2.motivation.responsibility_lists: must be in 0..=1, got 1.5",
            ),
            (
                grid.replace("interventions.2.", "interventions.3."),
                "x.toml:6:54: interventions.3.motivation.responsibility_lists: intervention 3 does not set `motivation.responsibility_lists`; only a value an intervention sets can be varied. The base scenario has interventions 1 (week 209: institutions.block_led, process.whistle_and_report, process.township_evaluation); 2 (week 261: motivation.responsibility_lists); 3 (week 261:",
            ),
            (
                grid.replace("interventions.2.", "interventions.9."),
                "x.toml:6:54: interventions.9.motivation.responsibility_lists: no intervention 9: the base scenario has interventions 1 (week 209:",
            ),
            (
                grid.replace("[0.25, 1.0]", "[true]"),
                "x.toml:6:54: interventions.2.motivation.responsibility_lists: expected number, got true",
            ),
        ];
        for (text, expected) in cases {
            let e = load_str(&text, "x.toml", Some(&dir))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
        }
    }

    #[test]
    fn the_fingerprint_changes_with_anything_that_changes_results() {
        let a = load_str(GRID, "t.toml", None).unwrap();
        let b = load_str(
            &GRID.replace("base_seed = 7", "base_seed = 8"),
            "t.toml",
            None,
        )
        .unwrap();
        assert_eq!(
            a.fingerprint(),
            load_str(GRID, "t.toml", None).unwrap().fingerprint()
        );
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
