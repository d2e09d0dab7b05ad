//! Calibration (`cogov calibrate`): which parameters of a base scenario to fit, with which
//! priors, to which observed targets, by which method (issue 12 §2).
//!
//! `Calibration` is the validated calibration file; `method` is the algorithm (history
//! matching, then ABC-SMC), generic over a `method::Simulator`; `city` runs the city's batches
//! as sweeps of the experiment engine, so each batch is journaled, resumable, thread-invariant
//! and mergeable like any sweep; `output` writes the calibration directory. The file is read
//! twice, as every input is: TOML with spans, then each key checked against the parameter
//! table and the output columns.

pub mod city;
pub mod method;
pub mod output;

use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::params::{ParamKind, ParamValue};
use crate::output::records::summary_columns;
use crate::scenario::{self, ConfigError, Scenario, Source, MAX_TICKS};
use method::{AbcSmc, HistoryMatching, Method, Observation, Parameter, Prior, Problem};

/// Most parameters one calibration fits (ABC's efficiency falls fast with the dimension).
pub const MAX_PARAMETERS: usize = 10;

/// A parameter held fixed at a stated value, with where the value comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    pub key: String,
    pub value: ParamValue,
    pub source: String,
}

/// How a parameter carried as scenario uncertainty is drawn for each run.
#[derive(Clone, Debug, PartialEq)]
pub enum Draw {
    /// Uniform on `lo..hi`; exactly 0 with probability `zero_mass` (e.g. MAPPING.md's
    /// metric-inflation prior: 0 with probability 0.5, else U(0, 0.5)).
    Uniform { lo: f64, hi: f64, zero_mass: f64 },
    /// One of `values`, each equally likely.
    Values(Vec<ParamValue>),
}

/// A parameter (or a value an intervention sets, `interventions.N.<key>`) that is not fitted
/// but drawn afresh for every run, so its uncertainty enters the spread of the runs at a
/// parameter set: the seed-noise estimate of history matching, the ABC distance's scale, and
/// the predictive intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub key: String,
    pub draw: Draw,
    pub source: String,
}

impl Uncertain {
    /// One draw, from `rng`.
    pub fn draw(&self, rng: &mut crate::model::rng::Stream) -> ParamValue {
        use rand::Rng;
        match &self.draw {
            Draw::Uniform { lo, hi, zero_mass } => {
                let zero = *zero_mass > 0.0 && rng.random::<f64>() < *zero_mass;
                let u: f64 = rng.random();
                ParamValue::Float(if zero { 0.0 } else { lo + u * (hi - lo) })
            }
            Draw::Values(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The draw in words, for tables: `U(0, 0.5)`, `0 w.p. 0.5, else U(0, 0.5)`, `{1, 2}`.
    pub fn describe(&self) -> String {
        match &self.draw {
            Draw::Uniform { lo, hi, zero_mass } if *zero_mass > 0.0 => {
                format!("0 w.p. {zero_mass}, else U({lo}, {hi})")
            }
            Draw::Uniform { lo, hi, .. } => format!("U({lo}, {hi})"),
            Draw::Values(v) => {
                let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                format!("one of {{{}}}", v.join(", "))
            }
        }
    }
}

/// The model quantity a target is compared with.
///
/// The one extension point for new kinds of target: an arrival cohort's quantity (a share of
/// the issues arriving in stated weeks) becomes a variant here, its key in `[[targets]]`
/// (`read_target`) and its value in `city::quantities`.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// A `summary.csv` column: over the scenario's measurement window (after
    /// `observation.warmup_ticks`), as `cogov run` reports it.
    Summary { column: String, index: usize },
}

impl Quantity {
    pub fn describe(&self) -> String {
        match self {
            Quantity::Summary { column, .. } => format!("summary.csv:{column}"),
        }
    }
}

/// One observed target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub name: String,
    pub quantity: Quantity,
    pub observed: f64,
    /// Observation uncertainty (standard deviation).
    pub sd: f64,
    /// Model discrepancy (standard deviation), stated in advance.
    pub discrepancy_sd: f64,
    pub source: String,
    /// The scenario the quantity is read from: `None` for the base scenario, else an index
    /// into `Calibration::scenarios` (`scenario = "path.toml"`).
    pub scenario: Option<usize>,
}

/// The `[prediction]` section: a second scenario predicted from the posterior (not fitted).
#[derive(Clone, Debug)]
pub struct Prediction {
    /// The scenario file as written (relative to the calibration file).
    pub path: String,
    /// The prediction scenario, with the calibration's `[fixed]` values set where it does not
    /// state a value of its own (see `load_str`).
    pub scenario: Scenario,
    /// Posterior draws run on it.
    pub draws: u32,
    pub targets: Vec<Target>,
    /// Drawn for every prediction run: the calibration's `[[uncertain]]` whose keys apply to the
    /// prediction scenario, then `[[prediction.uncertain]]`.
    pub uncertain: Vec<Uncertain>,
}

impl Target {
    /// The target as the method sees it.
    pub fn observation(&self) -> Observation {
        Observation {
            name: self.name.clone(),
            observed: self.observed,
            sd: self.sd,
            discrepancy_sd: self.discrepancy_sd,
        }
    }
}

/// A validated calibration file.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// The base scenario with the fixed parameters set.
    pub base: Scenario,
    pub fixed: Vec<Fixed>,
    pub parameters: Vec<Parameter>,
    pub targets: Vec<Target>,
    /// Parameters drawn afresh for every run (`[[uncertain]]`).
    pub uncertain: Vec<Uncertain>,
    /// Further scenarios some targets are measured on (`[[targets]]`' `scenario`), as written
    /// and resolved like a prediction scenario; every batch runs each of them too.
    pub scenarios: Vec<(String, Scenario)>,
    /// A second scenario predicted from the posterior (`[prediction]`).
    pub prediction: Option<Prediction>,
    pub method: Method,
    /// The file's text (kept in the manifest).
    pub source: String,
}

impl Calibration {
    /// What the method needs of the file.
    pub fn problem(&self) -> Problem {
        Problem {
            parameters: self.parameters.clone(),
            targets: self.targets.iter().map(Target::observation).collect(),
        }
    }

    /// A fingerprint of everything that determines the calibration's results: the resolved
    /// base scenario, what is fixed, fitted and drawn, the targets and the method. Not the
    /// `[prediction]`, so a calibration resumed with another prediction keeps its batches.
    pub fn fingerprint(&self) -> String {
        let mut text = crate::output::manifest_json(&self.base, "calibration-base").to_string();
        // Where the method stops is left out: every batch up to there is the same whether it
        // stops sooner or later, so a calibration can be resumed with more or fewer ABC
        // generations, another final tolerance or another predictive count (each batch is
        // checked against its own fingerprint all the same).
        let mut method = self.method.clone();
        method.abc.generations = 0;
        method.abc.min_tolerance = 0.0;
        method.abc.predictive = 0;
        text.push_str(&format!(
            "|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.name, self.fixed, self.parameters, self.uncertain, self.targets, method
        ));
        for (path, sc) in &self.scenarios {
            text.push_str(&format!("|{path}|"));
            text.push_str(&crate::output::manifest_json(sc, "calibration-scenario").to_string());
        }
        super::fingerprint_of(&text)
    }
}

const TOP_KEYS: &str =
    "[calibration], [fixed], [[parameters]], [[uncertain]], [[targets]], [history_matching], [abc] and [prediction]";

/// Reads and validates a calibration file; a relative `base` path is resolved against the
/// file's folder.
pub fn load_file(path: &Path) -> Result<Calibration, ConfigError> {
    let (file, text) = super::read_input(path, "calibration")?;
    load_str(&text, &file, path.parent())
}

/// A number (integer or float) that is finite.
fn number(src: &Source<'_>, key: &str, v: &Spanned<DeValue<'_>>) -> Result<f64, ConfigError> {
    match scenario::toml_value(v.get_ref()) {
        Ok(ParamValue::Float(f)) if f.is_finite() => Ok(f),
        Ok(ParamValue::Int(i)) => Ok(i as f64),
        Ok(other) => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected a finite number, got {other}"),
        )),
        Err(found) => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected a finite number, got {found}"),
        )),
    }
}

/// A number in `lo..=hi` (`open_lo`: strictly above `lo`).
fn number_in(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    lo: f64,
    hi: f64,
    open_lo: bool,
) -> Result<f64, ConfigError> {
    let x = number(src, key, v)?;
    let ok = if open_lo { x > lo } else { x >= lo } && x <= hi;
    if !ok {
        let range = if open_lo {
            format!("({lo}, {hi}]")
        } else {
            format!("[{lo}, {hi}]")
        };
        return Err(src.error(
            Some(v.span()),
            Some(key),
            format!("must be in {range}, got {x}"),
        ));
    }
    Ok(x)
}

/// An unknown key of `section`, with the nearest known one.
fn unknown(
    src: &Source<'_>,
    span: std::ops::Range<usize>,
    key: &str,
    section: &str,
    known: &[&str],
) -> ConfigError {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let hint = match scenario::nearest(leaf, known) {
        Some(n) => format!("unknown key (did you mean `{n}`?); "),
        None => "unknown key; ".into(),
    };
    src.error(
        Some(span),
        Some(key),
        format!("{hint}{section} takes {}", known.join(", ")),
    )
}

fn array_of_tables<'a>(
    src: &Source<'_>,
    key: &str,
    v: &'a Spanned<DeValue<'a>>,
) -> Result<Vec<(&'a DeTable<'a>, std::ops::Range<usize>)>, ConfigError> {
    let DeValue::Array(items) = v.get_ref() else {
        return Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected [[{key}]] tables"),
        ));
    };
    items
        .iter()
        .map(|i| match i.get_ref() {
            DeValue::Table(t) => Ok((t, i.span())),
            _ => Err(src.error(
                Some(i.span()),
                Some(key),
                format!("expected [[{key}]] tables"),
            )),
        })
        .collect()
}

/// Parses a calibration from text; `dir` resolves a relative base scenario path.
pub fn load_str(text: &str, file: &str, dir: Option<&Path>) -> Result<Calibration, ConfigError> {
    let src = Source { file, text };
    let root = src.parse_toml()?;
    let mut cal = Calibration {
        name: "calibration".into(),
        title_en: String::new(),
        title_zh: String::new(),
        description_en: String::new(),
        description_zh: String::new(),
        base: Scenario::default(),
        fixed: Vec::new(),
        parameters: Vec::new(),
        targets: Vec::new(),
        uncertain: Vec::new(),
        scenarios: Vec::new(),
        prediction: None,
        method: Method {
            seed: 1,
            history_matching: HistoryMatching {
                waves: 3,
                points: 64,
                replications: 3,
                cutoff: 3.0,
                discrepancy_scales: vec![0.5, 1.0, 2.0],
            },
            abc: AbcSmc {
                population: 200,
                generations: 6,
                quantile: 0.5,
                min_acceptance: 0.02,
                min_tolerance: 0.0,
                predictive: 200,
            },
        },
        source: text.to_string(),
    };
    let mut base_path: Option<(String, std::ops::Range<usize>)> = None;
    let mut ticks = None;
    let (mut fixed, mut parameters, mut targets, mut uncertain) = (None, None, None, None);
    let mut prediction = None;
    for (k, v) in root.get_ref().iter() {
        match k.get_ref().as_ref() {
            "calibration" => {
                const KEYS: [&str; 8] = [
                    "name",
                    "title_en",
                    "title_zh",
                    "description_en",
                    "description_zh",
                    "base",
                    "seed",
                    "ticks",
                ];
                for (ck, cv) in super::table(&src, "calibration", v)?.iter() {
                    let key = format!("calibration.{}", ck.get_ref());
                    match ck.get_ref().as_ref() {
                        "name" => cal.name = scenario::string_of(&src, &key, cv)?,
                        "title_en" => cal.title_en = scenario::string_of(&src, &key, cv)?,
                        "title_zh" => cal.title_zh = scenario::string_of(&src, &key, cv)?,
                        "description_en" => {
                            cal.description_en = scenario::string_of(&src, &key, cv)?
                        }
                        "description_zh" => {
                            cal.description_zh = scenario::string_of(&src, &key, cv)?
                        }
                        "base" => {
                            base_path = Some((scenario::string_of(&src, &key, cv)?, cv.span()))
                        }
                        "seed" => {
                            cal.method.seed =
                                scenario::integer_of(&src, &key, cv, 0, i64::MAX)? as u64
                        }
                        "ticks" => {
                            ticks = Some(super::positive(&src, &key, cv, 1, MAX_TICKS as i64)?)
                        }
                        _ => return Err(unknown(&src, ck.span(), &key, "[calibration]", &KEYS)),
                    }
                }
            }
            "fixed" => fixed = Some(v),
            "parameters" => parameters = Some(v),
            "targets" => targets = Some(v),
            "uncertain" => uncertain = Some(v),
            "prediction" => prediction = Some(v),
            "history_matching" => {
                const KEYS: [&str; 5] = [
                    "waves",
                    "points",
                    "replications",
                    "cutoff",
                    "discrepancy_scales",
                ];
                let hm = &mut cal.method.history_matching;
                for (hk, hv) in super::table(&src, "history_matching", v)?.iter() {
                    let key = format!("history_matching.{}", hk.get_ref());
                    match hk.get_ref().as_ref() {
                        "waves" => hm.waves = super::positive(&src, &key, hv, 1, 20)?,
                        "points" => hm.points = super::positive(&src, &key, hv, 2, 100_000)?,
                        "replications" => {
                            hm.replications = super::positive(&src, &key, hv, 2, 1000)?
                        }
                        "cutoff" => hm.cutoff = number_in(&src, &key, hv, 0.0, 100.0, true)?,
                        "discrepancy_scales" => {
                            let DeValue::Array(items) = hv.get_ref() else {
                                return Err(src.error(Some(hv.span()), Some(&key), "expected an array of multiples of the stated discrepancy, e.g. [0.5, 1, 2]"));
                            };
                            let scales = items
                                .iter()
                                .map(|i| number_in(&src, &key, i, 0.0, 100.0, false))
                                .collect::<Result<Vec<f64>, _>>()?;
                            if !scales.contains(&1.0) || scales.len() > 5 {
                                return Err(src.error(Some(hv.span()), Some(&key), "expected at most five multiples, one of them 1 (the stated discrepancy, which the method uses)"));
                            }
                            hm.discrepancy_scales = scales;
                        }
                        _ => {
                            return Err(unknown(&src, hk.span(), &key, "[history_matching]", &KEYS))
                        }
                    }
                }
            }
            "abc" => {
                const KEYS: [&str; 6] = [
                    "population",
                    "generations",
                    "quantile",
                    "min_acceptance",
                    "min_tolerance",
                    "predictive",
                ];
                let abc = &mut cal.method.abc;
                for (ak, av) in super::table(&src, "abc", v)?.iter() {
                    let key = format!("abc.{}", ak.get_ref());
                    match ak.get_ref().as_ref() {
                        "population" => {
                            abc.population = super::positive(&src, &key, av, 10, 100_000)?
                        }
                        "generations" => abc.generations = super::positive(&src, &key, av, 0, 50)?,
                        "quantile" => abc.quantile = number_in(&src, &key, av, 0.0, 0.99, true)?,
                        "min_acceptance" => {
                            abc.min_acceptance = number_in(&src, &key, av, 0.0, 1.0, true)?
                        }
                        "min_tolerance" => {
                            abc.min_tolerance = number_in(&src, &key, av, 0.0, f64::MAX, false)?
                        }
                        "predictive" => {
                            abc.predictive = super::positive(&src, &key, av, 1, 100_000)?
                        }
                        _ => return Err(unknown(&src, ak.span(), &key, "[abc]", &KEYS)),
                    }
                }
            }
            other => {
                let known = [
                    "calibration",
                    "fixed",
                    "parameters",
                    "uncertain",
                    "targets",
                    "history_matching",
                    "abc",
                    "prediction",
                ];
                let hint = scenario::nearest(other, &known)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(src.error(
                    Some(k.span()),
                    Some(other),
                    format!("unknown section{hint}; a calibration file has {TOP_KEYS}"),
                ));
            }
        }
    }

    cal.base = super::base_scenario(&src, "calibration.base", base_path.as_ref(), dir)?;
    if let Some(t) = ticks {
        cal.base.ticks = t;
    }
    // The base scenario as its file states it, before [fixed]: a prediction scenario keeps a
    // value of its own where it differs from this.
    let stated_base = cal.base.clone();
    if let Some(v) = fixed {
        read_fixed(&src, "fixed", super::table(&src, "fixed", v)?, &mut cal)?;
        scenario::check_size(&cal.base.params)
            .map_err(|m| src.error(Some(v.span()), Some("fixed"), m))?;
    }
    let parameters = parameters.ok_or_else(|| {
        src.error(
            None,
            Some("parameters"),
            "missing: at least one [[parameters]] table (key, prior, lo, hi)",
        )
    })?;
    for (t, span) in array_of_tables(&src, "parameters", parameters)? {
        let p = read_parameter(&src, t, span.clone(), &cal)?;
        cal.parameters.push(p);
    }
    if cal.parameters.len() > MAX_PARAMETERS {
        return Err(src.error(
            Some(parameters.span()),
            Some("parameters"),
            format!(
                "at most {MAX_PARAMETERS} parameters, got {}; fix the others from data (Sobol' screening says which matter)",
                cal.parameters.len()
            ),
        ));
    }
    if let Some(v) = uncertain {
        for (t, span) in array_of_tables(&src, "uncertain", v)? {
            let u = read_uncertain(&src, "uncertain", t, span, &cal, &cal.base)?;
            cal.uncertain.push(u);
        }
    }
    let targets = targets.ok_or_else(|| {
        src.error(
            None,
            Some("targets"),
            "missing: at least one [[targets]] table (name, column, observed, sd, discrepancy_sd, source)",
        )
    })?;
    for (t, span) in array_of_tables(&src, "targets", targets)? {
        let (mut target, path) = read_target(&src, "targets", t, span, &cal.targets, true)?;
        if let Some(path) = path {
            let known = cal.scenarios.iter().position(|(p, _)| *p == path.0);
            target.scenario = Some(match known {
                Some(i) => i,
                None => {
                    let sc = derived_scenario(
                        &src,
                        "targets.scenario",
                        &path,
                        dir,
                        &cal,
                        &stated_base,
                        None,
                    )?;
                    cal.scenarios.push((path.0.clone(), sc));
                    cal.scenarios.len() - 1
                }
            });
        }
        cal.targets.push(target);
    }
    if let Some(v) = prediction {
        cal.prediction = Some(read_prediction(&src, v, dir, &cal, &stated_base)?);
    }
    Ok(cal)
}

/// A scenario other than the base that the calibration runs (a target's or the prediction's),
/// named at `key` by `path` (relative to the calibration file's folder `dir`), with `ticks`
/// if given. The calibration's `[fixed]` values are the model's, so they are set in it too —
/// except where it states a value of its own, i.e. one that differs from the base scenario's
/// file (a measurement window of its own, say), and except intervention keys that do not
/// apply to it. Every fitted key must apply to it.
fn derived_scenario(
    src: &Source<'_>,
    key: &str,
    path: &(String, std::ops::Range<usize>),
    dir: Option<&Path>,
    cal: &Calibration,
    stated_base: &Scenario,
    ticks: Option<u32>,
) -> Result<Scenario, ConfigError> {
    let mut sc = super::base_scenario(src, key, Some(path), dir)?;
    if let Some(t) = ticks {
        sc.ticks = t;
    }
    let mut removed = Vec::new();
    for f in &cal.fixed {
        let own = super::setting_in(&sc, &f.key) != super::setting_in(stated_base, &f.key);
        if super::key_applies(&sc, &f.key) && !own {
            removed.extend(super::apply_setting(&mut sc, &f.key, f.value));
        }
    }
    super::remove_interventions(&mut sc, removed);
    scenario::check_size(&sc.params).map_err(|m| src.error(Some(path.1.clone()), Some(key), m))?;
    for p in &cal.parameters {
        if !super::key_applies(&sc, &p.key) {
            return Err(src.error(
                Some(path.1.clone()),
                Some(key),
                format!(
                    "the fitted parameter {} does not apply to {}: it {}",
                    p.key,
                    path.0,
                    super::listed_interventions(&sc)
                ),
            ));
        }
    }
    Ok(sc)
}

/// `[prediction]`: `scenario` (a path relative to the calibration file), `draws`, `ticks`,
/// `[[prediction.targets]]` and `[[prediction.uncertain]]`.
///
/// The prediction scenario is resolved as `derived_scenario` says.
fn read_prediction(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
    dir: Option<&Path>,
    cal: &Calibration,
    stated_base: &Scenario,
) -> Result<Prediction, ConfigError> {
    const KEYS: [&str; 6] = [
        "scenario",
        "draws",
        "ticks",
        "warmup",
        "targets",
        "uncertain",
    ];
    let (mut path, mut draws, mut ticks, mut targets, mut uncertain) =
        (None, 200, None, None, None);
    let mut warmup = None;
    for (k, pv) in super::table(src, "prediction", v)?.iter() {
        let key = format!("prediction.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "scenario" => path = Some((scenario::string_of(src, &key, pv)?, pv.span())),
            "draws" => draws = super::positive(src, &key, pv, 1, 100_000)?,
            "ticks" => ticks = Some(super::positive(src, &key, pv, 1, MAX_TICKS as i64)?),
            "warmup" => warmup = Some((super::positive(src, &key, pv, 0, MAX_TICKS as i64)?, pv)),
            "targets" => targets = Some(pv),
            "uncertain" => uncertain = Some(pv),
            _ => return Err(unknown(src, k.span(), &key, "[prediction]", &KEYS)),
        }
    }
    let path = path.ok_or_else(|| {
        src.error(
            Some(v.span()),
            Some("prediction.scenario"),
            "missing: the scenario file to predict (a path relative to the calibration file)",
        )
    })?;
    let sc = derived_scenario(
        src,
        "prediction.scenario",
        &path,
        dir,
        cal,
        stated_base,
        ticks,
    )?;
    let mut sc = sc;
    if let Some((w, at)) = warmup {
        // The measurement window of the prediction: the weeks after `warmup` (a forecast of one
        // year runs to the year's end and starts its window at the year's first week).
        if w >= sc.ticks {
            return Err(src.error(
                Some(at.span()),
                Some("prediction.warmup"),
                format!(
                    "must be below the prediction's weeks ({}), got {w}",
                    sc.ticks
                ),
            ));
        }
        sc.params.observation.warmup_ticks = w;
    }
    let mut pred = Prediction {
        path: path.0,
        scenario: sc,
        draws,
        targets: Vec::new(),
        uncertain: Vec::new(),
    };
    pred.uncertain = cal
        .uncertain
        .iter()
        .filter(|u| super::key_applies(&pred.scenario, &u.key))
        .cloned()
        .collect();
    let targets = targets.ok_or_else(|| {
        src.error(
            Some(v.span()),
            Some("prediction.targets"),
            "missing: at least one [[prediction.targets]] table (name, column, observed, sd, source)",
        )
    })?;
    for (t, span) in array_of_tables(src, "prediction.targets", targets)? {
        let (target, _) = read_target(src, "prediction.targets", t, span, &pred.targets, false)?;
        pred.targets.push(target);
    }
    if let Some(u) = uncertain {
        for (t, span) in array_of_tables(src, "prediction.uncertain", u)? {
            let mut seen = cal.clone();
            seen.uncertain = pred.uncertain.clone();
            let u = read_uncertain(src, "prediction.uncertain", t, span, &seen, &pred.scenario)?;
            pred.uncertain.push(u);
        }
    }
    Ok(pred)
}

/// `[fixed]`: `key = { value = …, source = "…" }`, with dotted or nested keys.
fn read_fixed(
    src: &Source<'_>,
    prefix: &str,
    t: &DeTable<'_>,
    cal: &mut Calibration,
) -> Result<(), ConfigError> {
    for (k, v) in t.iter() {
        let key = if prefix == "fixed" {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        let DeValue::Table(inner) = v.get_ref() else {
            return Err(src.error(
                Some(v.span()),
                Some(&format!("fixed.{key}")),
                "expected { value = …, source = \"…\" }: a fixed parameter states where its value comes from",
            ));
        };
        if !inner.iter().any(|(k, _)| k.get_ref() == "value") {
            if key.matches('.').count() >= 8 {
                return Err(src.error(Some(v.span()), Some(&key), "nested too deep"));
            }
            read_fixed(src, &key, inner, cal)?;
            continue;
        }
        let (mut value, mut source) = (None, None);
        for (fk, fv) in inner.iter() {
            match fk.get_ref().as_ref() {
                "value" => value = Some((super::design_value(src, &key, fv, &cal.base)?, fv)),
                "source" => {
                    source = Some(scenario::string_of(
                        src,
                        &format!("fixed.{key}.source"),
                        fv,
                    )?)
                }
                other => {
                    return Err(unknown(
                        src,
                        fk.span(),
                        &format!("fixed.{key}.{other}"),
                        "a fixed parameter",
                        &["value", "source"],
                    ))
                }
            }
        }
        let source = source.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            src.error(
                Some(v.span()),
                Some(&format!("fixed.{key}.source")),
                "missing: where the value comes from (a citation, or `assumption`)",
            )
        })?;
        let (value, value_at) = value.expect("checked above");
        if cal.fixed.iter().any(|f| f.key == key) {
            return Err(src.error(Some(v.span()), Some(&format!("fixed.{key}")), "given twice"));
        }
        // Removing an intervention here would renumber the others under the later keys.
        if super::apply_setting(&mut cal.base, &key, value).is_some() {
            return Err(src.error(
                Some(value_at.span()),
                Some(&key),
                "week 0 would remove the intervention; remove it from the base scenario instead",
            ));
        }
        cal.fixed.push(Fixed { key, value, source });
    }
    Ok(())
}

fn read_parameter(
    src: &Source<'_>,
    t: &DeTable<'_>,
    span: std::ops::Range<usize>,
    cal: &Calibration,
) -> Result<Parameter, ConfigError> {
    const KEYS: [&str; 4] = ["key", "prior", "lo", "hi"];
    let (mut key, mut prior, mut lo, mut hi) = (None, None, None, None);
    for (k, v) in t.iter() {
        let name = format!("parameters.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "key" => {
                let text = scenario::string_of(src, &name, v)?;
                let kind = super::factor(src, &text, v, &cal.base)?.kind();
                if kind != ParamKind::Float {
                    return Err(src.error(
                        Some(v.span()),
                        Some(&text),
                        format!(
                            "is of type {}; only real-valued parameters can be fitted (fix it in [fixed])",
                            kind.name()
                        ),
                    ));
                }
                key = Some((text, v));
            }
            "prior" => {
                prior = Some(match scenario::string_of(src, &name, v)?.as_str() {
                    "uniform" => Prior::Uniform,
                    "log-uniform" | "log_uniform" | "loguniform" => Prior::LogUniform,
                    other => {
                        return Err(src.error(
                            Some(v.span()),
                            Some(&name),
                            format!("expected \"uniform\" or \"log-uniform\", got \"{other}\""),
                        ))
                    }
                })
            }
            "lo" => lo = Some((number(src, &name, v)?, v)),
            "hi" => hi = Some((number(src, &name, v)?, v)),
            _ => return Err(unknown(src, k.span(), &name, "[[parameters]]", &KEYS)),
        }
    }
    let missing = |what: &str| {
        src.error(
            Some(span.clone()),
            Some(&format!("parameters.{what}")),
            "missing: a fitted parameter needs key, prior, lo and hi",
        )
    };
    let (key, key_at) = key.ok_or_else(|| missing("key"))?;
    let prior = prior.ok_or_else(|| missing("prior"))?;
    let (lo, lo_at) = lo.ok_or_else(|| missing("lo"))?;
    let (hi, hi_at) = hi.ok_or_else(|| missing("hi"))?;
    for at in [lo_at, hi_at] {
        super::design_value(src, &key, at, &cal.base)?;
    }
    if hi <= lo {
        return Err(src.error(
            Some(span),
            Some(&key),
            format!("expected lo < hi, got lo = {lo}, hi = {hi}"),
        ));
    }
    if prior == Prior::LogUniform && lo <= 0.0 {
        return Err(src.error(
            Some(lo_at.span()),
            Some(&key),
            format!("a log-uniform prior needs lo > 0, got {lo}"),
        ));
    }
    if cal.fixed.iter().any(|f| f.key == key) {
        return Err(src.error(
            Some(key_at.span()),
            Some(&key),
            "is both fitted and held fixed in [fixed]; keep one",
        ));
    }
    if cal.parameters.iter().any(|p| p.key == key) {
        return Err(src.error(Some(key_at.span()), Some(&key), "is fitted twice"));
    }
    Ok(Parameter { key, prior, lo, hi })
}

/// One `[[uncertain]]` table of `section` (`uncertain`, `prediction.uncertain`), its key
/// checked against `scenario`: `{ key, lo, hi }` (uniform, with an optional `zero_mass`) or
/// `{ key, values = [..] }`, and an optional `source`.
fn read_uncertain(
    src: &Source<'_>,
    section: &str,
    t: &DeTable<'_>,
    span: std::ops::Range<usize>,
    cal: &Calibration,
    scenario: &Scenario,
) -> Result<Uncertain, ConfigError> {
    const KEYS: [&str; 6] = ["key", "lo", "hi", "values", "zero_mass", "source"];
    let (mut key, mut lo, mut hi, mut values, mut zero_mass, mut source) =
        (None, None, None, None, None, String::new());
    for (k, v) in t.iter() {
        let name = format!("{section}.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "key" => {
                let text = scenario::string_of(src, &name, v)?;
                super::factor(src, &text, v, scenario)?;
                key = Some((text, v));
            }
            "lo" => lo = Some(v),
            "hi" => hi = Some(v),
            "values" => values = Some(v),
            "zero_mass" => zero_mass = Some((number_in(src, &name, v, 0.0, 1.0, false)?, v)),
            "source" => source = scenario::string_of(src, &name, v)?,
            _ => {
                return Err(unknown(
                    src,
                    k.span(),
                    &name,
                    &format!("[[{section}]]"),
                    &KEYS,
                ))
            }
        }
    }
    let (key, key_at) = key.ok_or_else(|| {
        src.error(
            Some(span.clone()),
            Some(&format!("{section}.key")),
            "missing: the parameter drawn for every run",
        )
    })?;
    let repeated = if cal.fixed.iter().any(|f| f.key == key) {
        Some("is held fixed in [fixed]")
    } else if cal.parameters.iter().any(|p| p.key == key) {
        Some("is fitted in [[parameters]]")
    } else if cal.uncertain.iter().any(|u| u.key == key) {
        Some("is drawn twice: it is in [[uncertain]] already")
    } else {
        None
    };
    if let Some(why) = repeated {
        return Err(src.error(
            Some(key_at.span()),
            Some(&key),
            format!("{why}; a parameter is either fixed, fitted or drawn"),
        ));
    }
    let factor = super::factor(src, &key, key_at, scenario)?;
    let kind = factor.kind();
    let draw = match (lo, hi, values) {
        (Some(lo_at), Some(hi_at), None) => {
            if kind != ParamKind::Float {
                return Err(src.error(
                    Some(key_at.span()),
                    Some(&key),
                    format!(
                        "is of type {}; draw it from a list instead: values = [..]",
                        kind.name()
                    ),
                ));
            }
            let num = |at| match super::design_value(src, &key, at, scenario)? {
                ParamValue::Float(x) => Ok(x),
                ParamValue::Int(i) => Ok(i as f64),
                ParamValue::Bool(_) => unreachable!("a real-valued parameter"),
            };
            let (lo, hi) = (num(lo_at)?, num(hi_at)?);
            if hi <= lo {
                return Err(src.error(
                    Some(span),
                    Some(&key),
                    format!("expected lo < hi, got lo = {lo}, hi = {hi}"),
                ));
            }
            let zero_mass = match zero_mass {
                Some((p, at)) => {
                    let (min, max) = match factor {
                        super::Factor::Param(spec) | super::Factor::Value(spec) => {
                            (spec.min, spec.max)
                        }
                        super::Factor::Week => (f64::NAN, f64::NAN),
                    };
                    if !(min <= 0.0 && 0.0 <= max) {
                        return Err(src.error(
                            Some(at.span()),
                            Some(&format!("{section}.zero_mass")),
                            format!("{key} cannot be 0 (its range is {min}..={max}), so it cannot have a mass at 0"),
                        ));
                    }
                    p
                }
                None => 0.0,
            };
            Draw::Uniform { lo, hi, zero_mass }
        }
        (None, None, Some(list)) => {
            if let Some((_, at)) = zero_mass {
                return Err(src.error(
                    Some(at.span()),
                    Some(&format!("{section}.zero_mass")),
                    "goes with a uniform draw (lo, hi); with values = [..], list 0 as often as it should come up",
                ));
            }
            let DeValue::Array(items) = list.get_ref() else {
                return Err(src.error(Some(list.span()), Some(&key), "expected values = [..], each equally likely"));
            };
            if items.is_empty() {
                return Err(src.error(Some(list.span()), Some(&key), "expected at least one value"));
            }
            Draw::Values(
                items
                    .iter()
                    .map(|i| super::design_value(src, &key, i, scenario))
                    .collect::<Result<_, _>>()?,
            )
        }
        _ => {
            return Err(src.error(
                Some(span),
                Some(&key),
                format!("[[{section}]] takes either lo and hi (uniform, optionally with zero_mass) or values = [..] (each equally likely)"),
            ))
        }
    };
    Ok(Uncertain { key, draw, source })
}

/// One `[[targets]]` table (`section`; `fitted`), with the scenario it names if any, or a
/// `[[prediction.targets]]` table, which names no scenario and whose `discrepancy_sd` is
/// optional (0: a prediction is scored against the observation's own uncertainty).
fn read_target(
    src: &Source<'_>,
    section: &str,
    t: &DeTable<'_>,
    span: std::ops::Range<usize>,
    earlier: &[Target],
    fitted: bool,
) -> Result<(Target, Option<(String, std::ops::Range<usize>)>), ConfigError> {
    const KEYS: [&str; 7] = [
        "name",
        "column",
        "observed",
        "sd",
        "discrepancy_sd",
        "source",
        "scenario",
    ];
    // A prediction target is read from the prediction scenario.
    let keys = if fitted { &KEYS[..] } else { &KEYS[..6] };
    let (mut name, mut quantity, mut observed, mut sd, mut discrepancy, mut source) =
        (None, None, None, None, None, None);
    let mut path = None;
    for (k, v) in t.iter() {
        let key = format!("{section}.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "name" => name = Some((scenario::string_of(src, &key, v)?, v.span())),
            "column" => {
                let column = scenario::string_of(src, &key, v)?;
                let columns = summary_columns();
                let index = columns
                    .iter()
                    .position(|c| c.name == column)
                    .ok_or_else(|| {
                        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                        let hint = scenario::nearest(&column, &names)
                            .map(|n| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        src.error(
                            Some(v.span()),
                            Some(&key),
                            format!("no summary.csv column `{column}`{hint}; see `cogov columns`"),
                        )
                    })?;
                quantity = Some(Quantity::Summary { column, index });
            }
            "observed" => observed = Some(number(src, &key, v)?),
            "sd" => sd = Some(number_in(src, &key, v, 0.0, f64::MAX, true)?),
            "discrepancy_sd" => discrepancy = Some(number_in(src, &key, v, 0.0, f64::MAX, false)?),
            "source" => source = Some(scenario::string_of(src, &key, v)?),
            "scenario" if fitted => path = Some((scenario::string_of(src, &key, v)?, v.span())),
            _ => {
                return Err(unknown(
                    src,
                    k.span(),
                    &key,
                    &format!("[[{section}]]"),
                    keys,
                ))
            }
        }
    }
    let missing = |what: &str, why: &str| {
        src.error(
            Some(span.clone()),
            Some(&format!("{section}.{what}")),
            format!("missing: {why}"),
        )
    };
    let (name, name_at) = name.ok_or_else(|| missing("name", "every target needs a name"))?;
    if earlier.iter().any(|t| t.name == name) {
        return Err(src.error(
            Some(name_at),
            Some(&format!("{section}.name")),
            format!("`{name}` is given twice"),
        ));
    }
    let target = Target {
        quantity: quantity.ok_or_else(|| {
            missing(
                "column",
                "the model quantity: a summary.csv column (see `cogov columns`)",
            )
        })?,
        // A prediction may forecast what is not yet observed (no hit or miss then).
        observed: match observed {
            Some(x) => x,
            None if !fitted => f64::NAN,
            None => return Err(missing("observed", "the observed value")),
        },
        sd: sd.ok_or_else(|| {
            missing(
                "sd",
                "the observation's uncertainty (a standard deviation > 0)",
            )
        })?,
        discrepancy_sd: match discrepancy {
            Some(d) => d,
            None if !fitted => 0.0,
            None => {
                return Err(missing(
                    "discrepancy_sd",
                    "the model discrepancy stated in advance (a standard deviation; 0 if none)",
                ))
            }
        },
        source: source.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            missing(
                "source",
                "where the observed value comes from (a citation, or `synthetic`)",
            )
        })?,
        name,
        scenario: None,
    };
    Ok((target, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SMALL: &str = r#"
[calibration]
name = "t"
seed = 3
ticks = 10

[fixed]
"territory.districts" = { value = 2, source = "small test city" }

[[parameters]]
key = "motivation.incentive_compatibility"
prior = "uniform"
lo = 0.0
hi = 1.0

[[targets]]
name = "resolution"
column = "resolution_rate"
observed = 0.3
sd = 0.02
discrepancy_sd = 0.01
source = "synthetic"
"#;

    #[test]
    fn a_calibration_file_loads_with_its_defaults() {
        let c = load_str(SMALL, "c.toml", None).unwrap();
        assert_eq!(c.base.params.territory.districts, 2);
        assert_eq!(c.base.ticks, 10);
        assert_eq!(c.method.seed, 3);
        assert_eq!(c.parameters[0].prior, Prior::Uniform);
        assert_eq!(c.method.history_matching.cutoff, 3.0);
        assert_eq!(
            c.targets[0].quantity,
            Quantity::Summary {
                column: "resolution_rate".into(),
                index: crate::output::records::summary_index("resolution_rate").unwrap()
            }
        );
    }

    const UNCERTAIN: &str = "\n[[uncertain]]\nkey = \"tools.media_pressure\"\nlo = 0.0\nhi = 0.5\nzero_mass = 0.5\nsource = \"MAPPING.md\"\n";

    /// `[[uncertain]]`: a uniform with a mass at 0 (about half the draws exactly 0, the rest
    /// in 0..0.5) and a discrete list load; the draws of a run are a pure function of the
    /// batch seed and the run; intervention values are accepted.
    #[test]
    fn uncertain_parameters_load_and_draw_deterministically() {
        let text = format!(
            "{SMALL}{UNCERTAIN}\n[[uncertain]]\nkey = \"territory.grids_per_community\"\nvalues = [1, 2]\n"
        );
        let c = load_str(&text, "c.toml", None).unwrap();
        assert_eq!(c.uncertain.len(), 2);
        assert_eq!(
            c.uncertain[0].draw,
            Draw::Uniform {
                lo: 0.0,
                hi: 0.5,
                zero_mass: 0.5
            }
        );
        assert_eq!(
            c.uncertain[1].draw,
            Draw::Values(vec![ParamValue::Int(1), ParamValue::Int(2)])
        );
        let runs: Vec<_> = (0..400).map(|r| city::draws(&c.uncertain, 11, r)).collect();
        assert_eq!(
            runs,
            (0..400)
                .map(|r| city::draws(&c.uncertain, 11, r))
                .collect::<Vec<_>>()
        );
        assert_ne!(runs[0], city::draws(&c.uncertain, 12, 0));
        let zeros = runs
            .iter()
            .filter(|d| d[0].1 == ParamValue::Float(0.0))
            .count();
        assert!((160..240).contains(&zeros), "{zeros} of 400 exactly 0");
        for d in &runs {
            let ParamValue::Float(x) = d[0].1 else {
                panic!()
            };
            assert!((0.0..0.5).contains(&x));
        }
        let twos = runs.iter().filter(|d| d[1].1 == ParamValue::Int(2)).count();
        assert!((160..240).contains(&twos), "{twos} of 400 are 2");
    }

    /// Intervention values (`interventions.N.<key>`) can be fitted, fixed and drawn: the fixed
    /// one is set in the base scenario, and a batch's runs carry the fitted one.
    #[test]
    fn intervention_values_are_calibration_keys() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let text = SMALL
            .replace("ticks = 10", "base = \"beijing_2021_reform.toml\"")
            .replace(
                "motivation.incentive_compatibility\"",
                "interventions.2.motivation.responsibility_lists\"",
            )
            .replace(
                "[fixed]\n",
                "[fixed]\n\"interventions.3.motivation.incentive_compatibility\" = { value = 0.7, source = \"test\" }\n",
            );
        let text = format!(
            "{text}\n[[uncertain]]\nkey = \"interventions.4.process.information_sharing\"\nlo = 0.3\nhi = 0.7\n"
        );
        let c = load_str(&text, "c.toml", Some(&dir)).unwrap();
        assert_eq!(
            c.base.interventions[2].intervention.changes[1],
            (
                "motivation.incentive_compatibility".to_string(),
                ParamValue::Float(0.7)
            )
        );
        let batch = method::Batch {
            name: "wave-01".into(),
            seed: 5,
            points: vec![vec![0.25], vec![0.75]],
            replications: 2,
        };
        let (arms, _) = city::Arm::calibration(&c);
        let exp = city::batch_experiment(&c, &arms[0], &batch).unwrap();
        assert_eq!(
            exp.points.len(),
            4,
            "one package per parameter set and replication"
        );
        for (i, p) in exp.points.iter().enumerate() {
            let sc = exp.scenario_for(p, 0);
            let fitted = [0.25, 0.75][i / 2];
            assert_eq!(
                sc.interventions[1].intervention.changes[0].1,
                ParamValue::Float(fitted)
            );
            let ParamValue::Float(x) = sc.interventions[3].intervention.changes[0].1 else {
                panic!()
            };
            assert!((0.3..0.7).contains(&x));
            assert_eq!(
                Some(ParamValue::Float(x)),
                exp.setting(p, "interventions.4.process.information_sharing")
            );
        }
    }

    const PREDICTION: &str = "\n[prediction]\nscenario = \"beijing_2021_reform.toml\"\ndraws = 20\n\n[[prediction.targets]]\nname = \"resolved\"\ncolumn = \"hotline_resolution_rate\"\nobserved = 0.89\nsd = 0.02\nsource = \"test\"\n";

    /// `[prediction]`: its scenario gets the calibration's [fixed] values except where it
    /// states its own (the reform file's warm-up), the applicable [[uncertain]], and its own.
    #[test]
    fn a_prediction_section_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let text = SMALL.replace(
            "[fixed]\n",
            "[fixed]\n\"observation.warmup_ticks\" = { value = 5, source = \"test\" }\n",
        );
        let text = format!("{text}{UNCERTAIN}{PREDICTION}\n[[prediction.uncertain]]\nkey = \"interventions.2.motivation.responsibility_lists\"\nvalues = [0.25, 0.5]\n");
        let c = load_str(&text, "c.toml", Some(&dir)).unwrap();
        let p = c.prediction.as_ref().unwrap();
        assert_eq!(p.draws, 20);
        assert_eq!(p.scenario.params.territory.districts, 2, "[fixed] applies");
        assert_eq!(
            p.scenario.params.observation.warmup_ticks, 408,
            "the file's own window"
        );
        assert_eq!(p.scenario.ticks, 416);
        assert_eq!(p.targets[0].discrepancy_sd, 0.0);
        let keys: Vec<&str> = p.uncertain.iter().map(|u| u.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "tools.media_pressure",
                "interventions.2.motivation.responsibility_lists"
            ]
        );
        // The calibration's fingerprint leaves the prediction out.
        let without = load_str(
            &text.replace("draws = 20", "draws = 30"),
            "c.toml",
            Some(&dir),
        )
        .unwrap();
        assert_eq!(c.fingerprint(), without.fingerprint());
    }

    /// The Beijing calibration file: its prediction of the reform keeps the reform file's own
    /// measurement window, takes the calibration's fixed return visit, and draws the
    /// unsettleable share (from [[uncertain]]) beside the reform's own intensities.
    #[test]
    fn the_beijing_calibration_predicts_the_reform_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/experiments/beijing_2019_calibration.toml");
        let c = load_file(&path).unwrap();
        let p = c.prediction.as_ref().unwrap();
        assert_eq!(p.scenario.name, "beijing_2021_reform");
        assert_eq!(p.scenario.params.observation.warmup_ticks, 408);
        assert_eq!(p.scenario.params.observation.return_visit_ticks, 3);
        assert_eq!(p.uncertain[0].key, "observation.unsettleable_share");
        assert!(p.uncertain.len() > c.uncertain.len());
    }

    /// A target with `scenario` is read from that scenario's run: each distinct scenario
    /// once, [fixed] set in it as in a prediction scenario; a bad path and `scenario` in a
    /// prediction target are refused.
    #[test]
    fn targets_may_be_measured_on_a_second_scenario() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let second = "\n[[targets]]\nname = \"reformed\"\nscenario = \"beijing_2021_reform.toml\"\ncolumn = \"hotline_resolution_rate\"\nobserved = 0.89\nsd = 0.02\ndiscrepancy_sd = 0.0\nsource = \"test\"\n";
        let text = format!(
            "{SMALL}{UNCERTAIN}{second}{}",
            second.replace("\"reformed\"", "\"again\"")
        );
        let c = load_str(&text, "c.toml", Some(&dir)).unwrap();
        assert_eq!(c.scenarios.len(), 1, "one scenario, named twice");
        assert_eq!(c.scenarios[0].1.params.territory.districts, 2);
        assert_eq!(c.targets[0].scenario, None);
        assert_eq!(c.targets[1].scenario, Some(0));
        assert_eq!(c.targets[2].scenario, Some(0));
        let (arms, picks) = city::Arm::calibration(&c);
        assert_eq!(arms.len(), 2);
        assert_eq!(arms[1].label, "-beijing_2021_reform");
        assert_eq!(picks, [(0, 0), (1, 0), (1, 1)]);
        let e = load_str(
            &text.replace("beijing_2021_reform.toml", "nowhere.toml"),
            "c.toml",
            Some(&dir),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("c.toml:33:12: targets.scenario: no scenario file at"),
            "{e}"
        );
        let bad = format!("{SMALL}{PREDICTION}").replace(
            "name = \"resolved\"",
            "name = \"resolved\"\nscenario = \"x.toml\"",
        );
        let e = load_str(&bad, "c.toml", Some(&dir))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("prediction.targets.scenario: unknown key"),
            "{e}"
        );
    }

    #[test]
    fn bad_prediction_sections_are_refused_with_location() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let with = |p: &str| format!("{SMALL}{UNCERTAIN}{p}");
        let cases = [
            (
                with(&PREDICTION.replace("beijing_2021_reform", "nowhere")),
                "c.toml:32:12: prediction.scenario: no scenario file at",
            ),
            (
                with(&PREDICTION.replace("draws", "drows")),
                "c.toml:33:1: prediction.drows: unknown key (did you mean `draws`?)",
            ),
            (
                with(&PREDICTION.replace("draws = 20", "draws = 0")),
                "c.toml:33:9: prediction.draws",
            ),
            (
                with(&PREDICTION.replace("hotline_resolution_rate", "hotline_rate")),
                "c.toml:37:10: prediction.targets.column: no summary.csv column `hotline_rate`",
            ),
            (
                with(&format!("{PREDICTION}\n[[prediction.uncertain]]\nkey = \"tools.media_pressure\"\nvalues = [0.1]\n")),
                "c.toml:43:7: tools.media_pressure: is drawn twice",
            ),
            (
                with(&format!("{PREDICTION}\n[[prediction.uncertain]]\nkey = \"interventions.2.tools.media_pressure\"\nvalues = [0.1]\n")),
                "c.toml:43:7: interventions.2.tools.media_pressure: intervention 2 does not set `tools.media_pressure`",
            ),
            (
                with(&PREDICTION.replace("[[prediction.targets]]", "[[prediction.target]]")),
                "c.toml:35:14: prediction.target: unknown key (did you mean `targets`?)",
            ),
        ];
        for (text, expected) in cases {
            let e = load_str(&text, "c.toml", Some(&dir))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
        }
    }

    #[test]
    fn bad_uncertain_tables_are_refused_with_location() {
        let with = |u: &str| format!("{SMALL}{u}");
        let cases = [
            (
                with(&UNCERTAIN.replace("tools.media_pressure", "motivation.incentive_compatibility")),
                "c.toml:25:7: motivation.incentive_compatibility: is fitted in [[parameters]]; a parameter is either fixed, fitted or drawn",
            ),
            (
                with(&UNCERTAIN.replace("tools.media_pressure", "territory.districts")),
                "c.toml:25:7: territory.districts: is held fixed in [fixed]",
            ),
            (
                with(&UNCERTAIN.replace("hi = 0.5", "hi = 5")),
                "c.toml:27:6: tools.media_pressure: must be in 0..=1, got 5",
            ),
            (
                with(&UNCERTAIN.replace("lo = 0.0\nhi = 0.5", "values = [0.1, 0.2]")),
                "c.toml:27:13: uncertain.zero_mass: goes with a uniform draw",
            ),
            (
                with(&UNCERTAIN.replace("zero_mass = 0.5", "zero_mass = 1.5")),
                "c.toml:28:13: uncertain.zero_mass: must be in [0, 1], got 1.5",
            ),
            (
                with(&UNCERTAIN.replace("tools.media_pressure", "capacity.progress_rate").replace("lo = 0.0", "lo = 0.1")),
                "c.toml:28:13: uncertain.zero_mass: capacity.progress_rate cannot be 0 (its range is 0.01..=1)",
            ),
            (
                with(&UNCERTAIN.replace("tools.media_pressure", "territory.grids_per_community").replace("lo = 0.0\nhi = 0.5\nzero_mass = 0.5", "lo = 1\nhi = 3")),
                "c.toml:25:7: territory.grids_per_community: is of type integer; draw it from a list instead",
            ),
            (
                with(&UNCERTAIN.replace("hi = 0.5\n", "")),
                "c.toml:24:1: tools.media_pressure: [[uncertain]] takes either lo and hi",
            ),
            (
                with(&UNCERTAIN.replace("source", "sourc")),
                "c.toml:29:1: uncertain.sourc: unknown key (did you mean `source`?)",
            ),
            (
                with(&UNCERTAIN.replace("tools.media_pressure", "interventions.1.tools.media_pressure")),
                "c.toml:25:7: interventions.1.tools.media_pressure: no intervention 1: the base scenario has no [[interventions]]",
            ),
        ];
        for (text, expected) in cases {
            let e = load_str(&text, "c.toml", None).unwrap_err().to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
        }
    }

    /// Every mistake names file, line, key and what was expected.
    #[test]
    fn bad_calibration_files_are_refused_with_location() {
        let cases = [
            (
                SMALL.replace("resolution_rate", "resolution_rat"),
                "c.toml:18:10: targets.column: no summary.csv column `resolution_rat` (did you mean `resolution_rate`?)",
            ),
            (
                SMALL.replace("prior = \"uniform\"", "prior = \"normal\""),
                "c.toml:12:9: parameters.prior: expected \"uniform\" or \"log-uniform\", got \"normal\"",
            ),
            (
                SMALL.replace("hi = 1.0", "hi = 1.5"),
                "c.toml:14:6: motivation.incentive_compatibility: must be in 0..=1, got 1.5",
            ),
            (
                SMALL.replace("source = \"small test city\"", "sourc = \"x\""),
                "c.toml:8:38: fixed.territory.districts.sourc: unknown key (did you mean `source`?)",
            ),
            (
                SMALL.replace("[calibration]", "[calibraton]"),
                "c.toml:2:2: calibraton: unknown section (did you mean `calibration`?)",
            ),
            (
                SMALL.replace("sd = 0.02", "sd = 0"),
                "c.toml:20:6: targets.sd: must be in (0,",
            ),
            (
                SMALL.replace("key = \"motivation.incentive_compatibility\"", "key = \"territory.districts\""),
                "c.toml:11:7: territory.districts: is of type integer; only real-valued parameters",
            ),
            (
                SMALL.replace("prior = \"uniform\"", "prior = \"log-uniform\""),
                "c.toml:13:6: motivation.incentive_compatibility: a log-uniform prior needs lo > 0",
            ),
            (
                SMALL.replace("source = \"synthetic\"\n", ""),
                "c.toml:16:1: targets.source: missing",
            ),
            (
                format!("{SMALL}\n[history_matching]\ndiscrepancy_scales = [0.5, 2]\n"),
                "c.toml:25:22: history_matching.discrepancy_scales: expected at most five multiples, one of them 1",
            ),
            (
                format!("{SMALL}\n[abc]\npopulaton = 10\n"),
                "c.toml:25:1: abc.populaton: unknown key (did you mean `population`?)",
            ),
        ];
        for (text, expected) in cases {
            let e = load_str(&text, "c.toml", None).unwrap_err().to_string();
            assert!(e.starts_with(expected), "{e}\n  expected: {expected}");
        }
    }
}
