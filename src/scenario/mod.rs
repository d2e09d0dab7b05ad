//! Scenario files: TOML (or a run's `manifest.json`) → a validated `Scenario`.
//!
//! Parsing happens twice: the text is parsed with spans, then every key is checked against the
//! parameter table (`model::params`) and turned into typed values, so the model only ever sees
//! a valid `Params`. Every error names the file, line, column and key, and what was expected.
//! Nothing here runs the model.

pub mod choices;
pub mod game;
pub mod lesson;
mod write;

pub use write::scenario_toml;

pub use game::GameScenario;
pub use lesson::Lesson;

use std::fmt;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::levers::InertLever;
use crate::model::params::{
    param_specs, spec_of, Mutability, ParamKind, ParamValue, Params, SetError, SECTIONS,
};
use crate::model::Intervention;
use crate::output::manifest::{InterventionRecord, Manifest, ScenarioMeta};
use crate::run::Model;

/// The embedded default city (district scale), used when `cogov run` gets no scenario.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// Longest run a scenario may ask for (resident bookkeeping stores ticks in 16 bits).
pub const MAX_TICKS: u32 = 10_000;

/// A validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
    pub description_en: String,
    pub description_zh: String,
    pub seed: u64,
    pub ticks: u32,
    pub params: Params,
    pub interventions: Vec<LabelledIntervention>,
    /// Role play: what the people who played organisations chose, week by week (`choices.rs`).
    pub choices: Vec<choices::RoleChoice>,
}

/// An intervention with its bilingual label (for charts and reports).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledIntervention {
    pub label_en: String,
    pub label_zh: String,
    pub intervention: Intervention,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "unnamed".into(),
            title_en: String::new(),
            title_zh: String::new(),
            description_en: String::new(),
            description_zh: String::new(),
            seed: 42,
            ticks: 52,
            params: Params::default(),
            interventions: Vec::new(),
            choices: Vec::new(),
        }
    }
}

impl Scenario {
    /// The bare interventions the model needs.
    /// Warnings, in English and Chinese, for levers that are on but do nothing because another
    /// lever they work through is off: at the start, and whenever an intervention makes another
    /// lever inert.
    pub fn inert_lever_warnings(&self) -> Vec<String> {
        /// Warns about the levers inert at `week` that were not inert before.
        fn note(p: &Params, week: u32, inert: &mut Vec<InertLever>, out: &mut Vec<String>) {
            let now = crate::model::levers::inert_levers(p);
            for l in now.iter().filter(|l| !inert.contains(*l)) {
                out.push(format!(
                    "{} is on from week {week} but does nothing while {} is off / 第{week}周起{}已开启，但{}关闭时不起作用",
                    l.key, l.needs, l.key, l.needs
                ));
            }
            *inert = now;
        }
        let mut ivs: Vec<&Intervention> =
            self.interventions.iter().map(|l| &l.intervention).collect();
        ivs.sort_by_key(|i| i.tick);
        let mut p = self.params.clone();
        let (mut inert, mut out) = (Vec::new(), Vec::new());
        note(&p, 1, &mut inert, &mut out);
        for iv in ivs {
            for (k, v) in &iv.changes {
                let _ = p.set(k, *v);
            }
            note(&p, iv.tick, &mut inert, &mut out);
        }
        out
    }

    pub fn model_interventions(&self) -> Vec<Intervention> {
        self.interventions
            .iter()
            .map(|l| l.intervention.clone())
            .collect()
    }
}

/// A configuration error with its location.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    /// 1-based line and column, when the source has them.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.file))?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "{}: ", one_line(k))?;
        }
        write!(f, "{}", one_line(&self.message))
    }
}

/// `text` with control characters escaped (`\n`), so that an error quoting a key or value
/// that holds a newline is still one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
}

impl<'a> Source<'a> {
    /// The text as a TOML document with spans; a syntax error names the file, line and
    /// column and gives the parser's first line of explanation.
    pub(crate) fn parse_toml(&self) -> Result<Spanned<DeTable<'a>>, ConfigError> {
        DeTable::parse(self.text).map_err(|e| {
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            // The parser's "duplicate key" does not say which: the span points at it.
            let msg = match e.span().and_then(|s| self.text.get(s)) {
                Some(key) if msg == "duplicate key" && !key.is_empty() => {
                    format!("duplicate key `{}`", key.escape_debug())
                }
                _ => msg,
            };
            self.error(e.span(), None, format!("invalid TOML: {msg}"))
        })
    }

    pub(crate) fn error(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = match span {
            Some(s) => {
                let start = s.start.min(self.text.len());
                let before = &self.text[..start];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        ConfigError {
            file: self.file.to_string(),
            line,
            column,
            key: key.map(str::to_string),
            message: message.into(),
        }
    }
}

/// Explains a `SetError` for `key`.
pub fn set_error_message(key: &str, err: &SetError, got: &str) -> String {
    match err {
        SetError::UnknownKey => {
            let section = key.split('.').next().unwrap_or("");
            let known: Vec<&str> = param_specs()
                .iter()
                .filter(|s| s.key.starts_with(&format!("{section}.")))
                .map(|s| s.key.rsplit('.').next().unwrap_or(s.key))
                .collect();
            if known.is_empty() {
                // No such section: the nearest whole key (a misspelt section), else a key with
                // this last part (a section left out: `--set incentive_compatibility=0.8`).
                let keys: Vec<&str> = param_specs().iter().map(|s| s.key).collect();
                let leaf = key.rsplit('.').next().unwrap_or(key);
                let near = nearest(key, &keys).or_else(|| {
                    keys.iter()
                        .copied()
                        .find(|k| k.rsplit('.').next() == Some(leaf))
                });
                match near {
                    Some(n) => {
                        format!("unknown parameter (did you mean `{n}`?); see `cogov params`")
                    }
                    None => format!("unknown parameter; sections are: {}", SECTIONS.join(", ")),
                }
            } else {
                let near = nearest(key.rsplit('.').next().unwrap_or(key), &known);
                match near {
                    Some(n) => format!(
                        "unknown parameter (did you mean `{section}.{n}`?); see `cogov params`"
                    ),
                    None => format!("unknown parameter; `{section}` has: {}", known.join(", ")),
                }
            }
        }
        SetError::WrongType { expected } => format!("expected {expected}, got {got}"),
        SetError::OutOfRange { range } => format!("must be in {range}, got {got}"),
        SetError::NotFinite => format!("must be a finite number, got {got}"),
    }
}

/// The closest candidate by edit distance, if close enough to be a typo.
pub(crate) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push(
                    (prev[j] + usize::from(ca != *cb))
                        .min(prev[j + 1] + 1)
                        .min(cur[j] + 1),
                );
            }
            prev = cur;
        }
        prev[b.len()]
    }
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// TOML scalar → `ParamValue`; `Err` carries a description of what was found instead.
pub(crate) fn toml_value(v: &DeValue<'_>) -> Result<ParamValue, String> {
    match v {
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            let (neg, body) = match digits.strip_prefix('-') {
                Some(b) => (true, b.to_string()),
                None => (false, digits.trim_start_matches('+').to_string()),
            };
            let body = body
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            i64::from_str_radix(body, i.radix())
                .map(|x| ParamValue::Int(if neg { -x } else { x }))
                .map_err(|_| format!("an integer out of range ({})", i.as_str()))
        }
        DeValue::Float(f) => {
            let s: String = f.as_str().chars().filter(|c| *c != '_').collect();
            let x = match s.trim_start_matches('+') {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "-nan" => f64::NAN,
                other => other
                    .parse::<f64>()
                    .map_err(|_| format!("an unreadable number ({s})"))?,
            };
            Ok(ParamValue::Float(x))
        }
        DeValue::Boolean(b) => Ok(ParamValue::Bool(*b)),
        other => Err(type_name(other).to_string()),
    }
}

/// Parses a `--set` value: `true`/`false` (in any case), an integer or a number.
pub fn parse_cli_value(text: &str) -> ParamValue {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        return ParamValue::Bool(true);
    }
    if t.eq_ignore_ascii_case("false") {
        return ParamValue::Bool(false);
    }
    if let Ok(i) = t.parse::<i64>() {
        return ParamValue::Int(i);
    }
    match t.parse::<f64>() {
        Ok(x) => ParamValue::Float(x),
        Err(_) => ParamValue::Float(f64::NAN),
    }
}

/// What a `--set` without `=` should have been: `--set KEY VALUE` (a space) reaches cogov as
/// `KEY` alone, its value as the next argument.
pub fn set_syntax_message(assignment: &str) -> String {
    if spec_of(assignment.trim()).is_some() {
        format!(
            "expected KEY=VALUE, got `{assignment}`; write `--set {}=VALUE` (with `=`, no space)",
            assignment.trim()
        )
    } else {
        format!("expected KEY=VALUE, got `{assignment}`")
    }
}

/// Applies one `--set key=value` to a scenario (same checks as the file).
pub fn apply_override<M: Model>(scenario: &mut M, assignment: &str) -> Result<(), ConfigError> {
    apply_overrides(scenario, &[assignment])
}

/// Applies several `--set key=value` in order, checking what spans keys (the city's size) once
/// at the end, so that the order of the flags does not matter (growing one size before
/// shrinking another is not refused on the way). `scenario.seed` and `scenario.ticks` are the
/// same for every model; other keys are the model's (`Model::set`).
pub fn apply_overrides<M: Model, S: AsRef<str>>(
    scenario: &mut M,
    assignments: &[S],
) -> Result<(), ConfigError> {
    for a in assignments {
        set_one(scenario, a.as_ref())?;
    }
    scenario
        .check()
        .map_err(|m| manifest_error("--set", None, m))
}

fn set_one<M: Model>(scenario: &mut M, assignment: &str) -> Result<(), ConfigError> {
    let err = |key: Option<&str>, message: String| manifest_error("--set", key, message);
    let Some((key, value)) = assignment.split_once('=') else {
        return Err(err(None, set_syntax_message(assignment)));
    };
    let key = key.trim();
    let v = parse_cli_value(value);
    let (seed, ticks) = scenario.seed_and_ticks();
    match key {
        "scenario.seed" => match v {
            ParamValue::Int(i) if i >= 0 => *seed = i as u64,
            _ => {
                return Err(err(
                    Some(key),
                    format!("expected a non-negative integer, got `{}`", value.trim()),
                ))
            }
        },
        "scenario.ticks" => match v {
            ParamValue::Int(i) if (1..=MAX_TICKS as i64).contains(&i) => *ticks = i as u32,
            _ => {
                return Err(err(
                    Some(key),
                    format!(
                        "must be an integer in 1..={MAX_TICKS}, got `{}`",
                        value.trim()
                    ),
                ))
            }
        },
        _ => scenario.set(key, value)?,
    }
    Ok(())
}

/// `--set` of one city parameter (`Model::set` of `Scenario`).
pub(crate) fn set_param(
    scenario: &mut Scenario,
    key: &str,
    value: &str,
) -> Result<(), ConfigError> {
    let v = parse_cli_value(value);
    let boolean = spec_of(key).is_some_and(|s| s.kind == ParamKind::Bool);
    let shown =
        if matches!(v, ParamValue::Float(x) if x.is_nan()) && value.trim() != "nan" && !boolean {
            format!("`{}` (not a number)", value.trim())
        } else {
            format!("`{}`", value.trim())
        };
    scenario
        .params
        .set(key, v)
        .map_err(|e| manifest_error("--set", Some(key), set_error_message(key, &e, &shown)))
}

/// Refuses parameter sets whose sizes cannot be addressed (MODEL §9; ids are `u32`).
pub fn check_size(p: &Params) -> Result<(), String> {
    let est = crate::model::world::estimate_size(p);
    if est.residents_max > u32::MAX as u64 / 2 {
        return Err(format!(
            "the territory would hold up to {} residents, more than cogov can address ({}); reduce territory sizes",
            est.residents_max,
            u32::MAX / 2
        ));
    }
    let per_district = est.residents_max / p.territory.districts.max(1) as u64;
    if per_district > u32::MAX as u64 / 2 {
        return Err(format!(
            "one district would hold {per_district} residents; split the city into more districts"
        ));
    }
    Ok(())
}

/// Largest scenario or experiment file cogov reads; real ones are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Largest run manifest cogov reads back. A manifest restates its scenario as JSON, which can
/// take up to twice the scenario's bytes (a newline or quote becomes two characters) plus the
/// full parameter table, so the scenario limit is not enough: a scenario just under it must
/// still reproduce from its manifest.
pub const MAX_MANIFEST_BYTES: u64 = 4 * MAX_FILE_BYTES + (1 << 20);

/// Reads a text file of at most `limit` bytes. A larger file, or an endless one such as
/// `/dev/zero`, is refused after `limit + 1` bytes instead of filling the memory; pipes work.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, too large to be a cogov input",
                limit >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// A scenario of any model, as `cogov run` takes it.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyScenario {
    City(Scenario),
    Game(GameScenario),
}

/// Reads and validates a scenario file of any model (`.toml`, or a run's `manifest.json`): a
/// file with a `[game]` table (a manifest with a `game` object) is a canonical game, any other
/// a city. The text is read and parsed once; each model then reads its own tables.
pub fn load_any(path: &Path) -> Result<AnyScenario, ConfigError> {
    let file = path.display().to_string();
    let manifest = path.extension().is_some_and(|e| e == "json");
    let limit = if manifest {
        MAX_MANIFEST_BYTES
    } else {
        MAX_FILE_BYTES
    };
    let text = read_text(path, limit).map_err(|e| ConfigError {
        file: file.clone(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read the scenario file: {e}"),
    })?;
    // A game's `init` lattice file is relative to the file naming it.
    let base = path.parent().unwrap_or(Path::new(""));
    if manifest {
        let m = Manifest::parse(&text, &file)?;
        if m.game.is_some() {
            GameScenario::from_manifest(&m, &file, base).map(AnyScenario::Game)
        } else {
            Scenario::from_manifest(&m, &file).map(AnyScenario::City)
        }
    } else {
        let src = Source {
            file: &file,
            text: &text,
        };
        let root = src.parse_toml()?;
        if root.get_ref().get("game").is_some() {
            game::from_toml(&src, &root, base).map(AnyScenario::Game)
        } else {
            from_toml(&src, &root).map(AnyScenario::City)
        }
    }
}

/// Reads and validates a city scenario file (`.toml`, or a run's `manifest.json`).
pub fn load_file(path: &Path) -> Result<Scenario, ConfigError> {
    match load_any(path)? {
        AnyScenario::City(sc) => Ok(sc),
        AnyScenario::Game(_) => Err(ConfigError {
            file: path.display().to_string(),
            line: None,
            column: None,
            key: Some("game".into()),
            message: "is a canonical game, not a city scenario; run it with `cogov run`".into(),
        }),
    }
}

pub(crate) fn string_of(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
) -> Result<String, ConfigError> {
    match v.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        other => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected a string, got {}", type_name(other)),
        )),
    }
}

pub(crate) fn integer_of(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    lo: i64,
    hi: i64,
) -> Result<i64, ConfigError> {
    match toml_value(v.get_ref()) {
        Ok(ParamValue::Int(i)) if (lo..=hi).contains(&i) => Ok(i),
        Ok(ParamValue::Int(i)) => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("must be in {lo}..={hi}, got {i}"),
        )),
        Ok(other) => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected an integer in {lo}..={hi}, got {other}"),
        )),
        Err(found) => Err(src.error(
            Some(v.span()),
            Some(key),
            format!("expected an integer in {lo}..={hi}, got {found}"),
        )),
    }
}

/// Parses and validates TOML scenario text; `file` names it in errors.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, ConfigError> {
    load_lesson_str(text, file).map(|(sc, _)| sc)
}

/// Like `load_str`, with the file's `[lesson]` table (teaching material the run ignores).
pub fn load_lesson_str(text: &str, file: &str) -> Result<(Scenario, Option<Lesson>), ConfigError> {
    let src = Source { file, text };
    from_toml_lesson(&src, &src.parse_toml()?)
}

/// A city scenario from its parsed TOML.
fn from_toml(src: &Source<'_>, root: &Spanned<DeTable<'_>>) -> Result<Scenario, ConfigError> {
    from_toml_lesson(src, root).map(|(sc, _)| sc)
}

fn from_toml_lesson(
    src: &Source<'_>,
    root: &Spanned<DeTable<'_>>,
) -> Result<(Scenario, Option<Lesson>), ConfigError> {
    let src = *src;
    let mut sc = Scenario::default();
    // Choices are checked against the city's size, so they are read after every section.
    let mut choices_later = Vec::new();
    let mut lesson = None;
    for (k, v) in root.get_ref().iter() {
        let name: &str = k.get_ref();
        match name {
            "scenario" => read_meta(&src, v, &mut sc)?,
            "interventions" => read_interventions(&src, v, &mut sc)?,
            "choices" => choices_later.push(v),
            "lesson" => lesson = Some(lesson::read_lesson(&src, v)?),
            section if SECTIONS.contains(&section) => {
                let DeValue::Table(t) = v.get_ref() else {
                    return Err(src.error(
                        Some(v.span()),
                        Some(section),
                        format!(
                            "expected a table [{section}], got {}",
                            type_name(v.get_ref())
                        ),
                    ));
                };
                let mut assignments = Vec::new();
                flatten(&src, section, t, &mut assignments)?;
                for (key, key_span, span, value) in assignments {
                    apply(&src, &mut sc.params, &key, key_span, span, value, false)?;
                }
            }
            "experiment" | "design" | "base" => {
                return Err(src.error(
                    Some(k.span()),
                    Some(name),
                    format!(
                        "this is an experiment file ([experiment], [base], [design]), not a scenario; run it with `cogov sweep {} --out DIR`",
                        one_line(src.file)
                    ),
                ));
            }
            other => {
                let mut known: Vec<&str> = SECTIONS.to_vec();
                known.push("scenario");
                known.push("interventions");
                known.push("choices");
                known.push("lesson");
                let hint = nearest(other, &known)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(src.error(
                    Some(k.span()),
                    Some(other),
                    format!(
                        "unknown section{hint}; expected one of: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    check_size(&sc.params).map_err(|m| src.error(None, None, m))?;
    for v in choices_later {
        choices::read_choices(&src, v, &mut sc)?;
    }
    choices::check_choices(&sc).map_err(|m| src.error(None, Some("choices"), m))?;
    Ok((sc, lesson))
}

/// (dotted key, span of the key, span of the value, value).
pub(crate) type Assignment<'t> = (
    String,
    std::ops::Range<usize>,
    std::ops::Range<usize>,
    &'t Spanned<DeValue<'t>>,
);

/// Flattens nested tables into dotted keys with the span of each value.
pub(crate) fn flatten<'t>(
    src: &Source<'_>,
    prefix: &str,
    t: &'t DeTable<'t>,
    out: &mut Vec<Assignment<'t>>,
) -> Result<(), ConfigError> {
    for (k, v) in t.iter() {
        let key = format!("{prefix}.{}", k.get_ref());
        if key.matches('.').count() > 8 {
            return Err(src.error(Some(k.span()), Some(&key), "tables nested too deeply"));
        }
        match v.get_ref() {
            DeValue::Table(inner) => flatten(src, &key, inner, out)?,
            _ => out.push((key, k.span(), v.span(), v)),
        }
    }
    Ok(())
}

pub(crate) fn apply(
    src: &Source<'_>,
    params: &mut Params,
    key: &str,
    key_span: std::ops::Range<usize>,
    span: std::ops::Range<usize>,
    v: &Spanned<DeValue<'_>>,
    dynamic_only: bool,
) -> Result<(), ConfigError> {
    // An unknown key is reported at the key, a bad value at the value.
    if spec_of(key).is_none() {
        return Err(src.error(
            Some(key_span),
            Some(key),
            set_error_message(key, &SetError::UnknownKey, ""),
        ));
    }
    let value = match toml_value(v.get_ref()) {
        Ok(x) => x,
        Err(found) => {
            let expected = spec_of(key).map_or("a value", |s| match s.kind {
                ParamKind::Bool => "true or false (unquoted)",
                other => other.name(),
            });
            let msg = if spec_of(key).is_some() {
                format!("expected {expected}, got {found}")
            } else {
                set_error_message(key, &SetError::UnknownKey, &found)
            };
            return Err(src.error(Some(span), Some(key), msg));
        }
    };
    if dynamic_only {
        if let Some(spec) = spec_of(key) {
            if spec.mutability == Mutability::Structural {
                return Err(src.error(
                    Some(span),
                    Some(key),
                    "is structural (fixed at set-up) and cannot be changed by an intervention",
                ));
            }
        }
    }
    let raw = &src.text[span.start.min(src.text.len())..span.end.min(src.text.len())];
    params.set(key, value).map_err(|e| {
        src.error(
            Some(span.clone()),
            Some(key),
            set_error_message(key, &e, raw.trim()),
        )
    })
}

pub(crate) fn read_meta(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
    sc: &mut Scenario,
) -> Result<(), ConfigError> {
    let DeValue::Table(t) = v.get_ref() else {
        return Err(src.error(
            Some(v.span()),
            Some("scenario"),
            "expected a table [scenario]",
        ));
    };
    for (k, v) in t.iter() {
        let key = format!("scenario.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "name" => sc.name = string_of(src, &key, v)?,
            "title_en" => sc.title_en = string_of(src, &key, v)?,
            "title_zh" => sc.title_zh = string_of(src, &key, v)?,
            "description_en" => sc.description_en = string_of(src, &key, v)?,
            "description_zh" => sc.description_zh = string_of(src, &key, v)?,
            "seed" => sc.seed = integer_of(src, &key, v, 0, i64::MAX)? as u64,
            "ticks" => sc.ticks = integer_of(src, &key, v, 1, MAX_TICKS as i64)? as u32,
            _ => {
                return Err(src.error(
                    Some(k.span()),
                    Some(&key),
                    "unknown key; [scenario] takes name, title_en, title_zh, description_en, description_zh, seed, ticks",
                ))
            }
        }
    }
    Ok(())
}

/// The tables of `[[name]]` with their spans, or an error naming what each takes.
pub(crate) fn array_of_tables<'a, 't>(
    src: &Source<'_>,
    v: &'a Spanned<DeValue<'t>>,
    name: &str,
    takes: &str,
) -> Result<Vec<(&'a DeTable<'t>, &'a Spanned<DeValue<'t>>)>, ConfigError> {
    let DeValue::Array(items) = v.get_ref() else {
        return Err(src.error(
            Some(v.span()),
            Some(name),
            format!("expected an array of tables [[{name}]]"),
        ));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(t) => Ok((t, item)),
            _ => Err(src.error(
                Some(item.span()),
                Some(name),
                format!("expected a table with {takes}"),
            )),
        })
        .collect()
}

fn read_interventions(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
    sc: &mut Scenario,
) -> Result<(), ConfigError> {
    for (t, item) in array_of_tables(src, v, "interventions", "tick, label_en, label_zh and set")? {
        let mut tick = None;
        let mut label_en = String::new();
        let mut label_zh = String::new();
        let mut changes = Vec::new();
        for (k, v) in t.iter() {
            let key = format!("interventions.{}", k.get_ref());
            match k.get_ref().as_ref() {
                "tick" => tick = Some(integer_of(src, &key, v, 1, MAX_TICKS as i64)? as u32),
                "label_en" => label_en = string_of(src, &key, v)?,
                "label_zh" => label_zh = string_of(src, &key, v)?,
                "set" => {
                    let DeValue::Table(set) = v.get_ref() else {
                        return Err(src.error(
                            Some(v.span()),
                            Some(&key),
                            "expected a table of parameter = value",
                        ));
                    };
                    let mut assignments = Vec::new();
                    for (sk, sv) in set.iter() {
                        match sv.get_ref() {
                            DeValue::Table(inner) => {
                                flatten(src, sk.get_ref(), inner, &mut assignments)?
                            }
                            _ => assignments.push((
                                sk.get_ref().to_string(),
                                sk.span(),
                                sv.span(),
                                sv,
                            )),
                        }
                    }
                    let mut probe = Params::default();
                    for (pk, key_span, span, pv) in assignments {
                        apply(src, &mut probe, &pk, key_span, span, pv, true)?;
                        let value = probe.get(&pk).expect("validated key");
                        changes.push((pk, value));
                    }
                }
                _ => {
                    return Err(src.error(
                        Some(k.span()),
                        Some(&key),
                        "unknown key; an intervention takes tick, label_en, label_zh, set",
                    ))
                }
            }
        }
        let Some(tick) = tick else {
            return Err(src.error(
                Some(item.span()),
                Some("interventions.tick"),
                "missing: the tick (1-based week) the change takes effect",
            ));
        };
        if changes.is_empty() {
            return Err(src.error(
                Some(item.span()),
                Some("interventions.set"),
                "missing: at least one parameter to change",
            ));
        }
        sc.interventions.push(LabelledIntervention {
            label_en,
            label_zh,
            intervention: Intervention { tick, changes },
        });
    }
    Ok(())
}

/// Parses a run's `manifest.json` back into the scenario it ran.
pub fn load_manifest_str(text: &str, file: &str) -> Result<Scenario, ConfigError> {
    Scenario::from_manifest(&Manifest::parse(text, file)?, file)
}

/// An error of a manifest, which has no positions to give beyond the parser's.
pub(crate) fn manifest_error(file: &str, key: Option<&str>, message: String) -> ConfigError {
    ConfigError {
        file: file.to_string(),
        line: None,
        column: None,
        key: key.map(str::to_string),
        message,
    }
}

/// The scenario's descriptive fields, seed and ticks as a manifest records them (shared by
/// every model).
pub(crate) fn meta_from_manifest(m: &Manifest, file: &str) -> Result<Scenario, ConfigError> {
    let err = |key: &str, message: String| manifest_error(file, Some(key), message);
    let meta = m
        .scenario
        .clone()
        .ok_or_else(|| err("scenario", "missing: not a cogov manifest".into()))?;
    let seed = m
        .seed
        .ok_or_else(|| err("seed", "expected a non-negative integer".into()))?;
    let ticks = m
        .ticks
        .filter(|t| (1..=MAX_TICKS as u64).contains(t))
        .ok_or_else(|| err("ticks", format!("expected an integer in 1..={MAX_TICKS}")))?;
    Ok(Scenario {
        name: meta.name,
        title_en: meta.title_en,
        title_zh: meta.title_zh,
        description_en: meta.description_en,
        description_zh: meta.description_zh,
        seed,
        ticks: ticks as u32,
        ..Scenario::default()
    })
}

impl Scenario {
    /// The descriptive fields a manifest records.
    pub fn meta(&self) -> ScenarioMeta {
        ScenarioMeta {
            description_en: self.description_en.clone(),
            description_zh: self.description_zh.clone(),
            name: self.name.clone(),
            title_en: self.title_en.clone(),
            title_zh: self.title_zh.clone(),
        }
    }

    /// The manifest of a run of this scenario (`kind` is `run`, or `base` inside a sweep's).
    pub fn manifest(&self, kind: &str) -> Manifest {
        let interventions = self
            .interventions
            .iter()
            .map(|l| InterventionRecord {
                label_en: l.label_en.clone(),
                label_zh: l.label_zh.clone(),
                set: l
                    .intervention
                    .changes
                    .iter()
                    .map(|(k, v)| (k.clone(), param_json(*v)))
                    .collect(),
                tick: l.intervention.tick as u64,
            })
            .collect();
        Manifest {
            interventions: Some(interventions),
            params: Some(params_json(&self.params)),
            scenario: Some(self.meta()),
            seed: Some(self.seed),
            ticks: Some(self.ticks as u64),
            choices: choices::choice_records(self),
            ..Manifest::new(kind)
        }
    }

    /// The scenario a city run's manifest records, checked as a scenario file is: every
    /// parameter present and in range, interventions in range and on dynamic parameters only.
    pub fn from_manifest(m: &Manifest, file: &str) -> Result<Scenario, ConfigError> {
        let err = |key: Option<&str>, message: String| manifest_error(file, key, message);
        let mut sc = meta_from_manifest(m, file)?;
        let params = m
            .params
            .as_ref()
            .ok_or_else(|| err(Some("params"), "missing".into()))?;
        for (section, body) in params {
            let body = body
                .as_object()
                .ok_or_else(|| err(Some(section), "expected an object".into()))?;
            for (k, v) in body {
                let key = format!("{section}.{k}");
                let value = json_value(v).ok_or_else(|| {
                    err(Some(&key), format!("expected a number or boolean, got {v}"))
                })?;
                sc.params
                    .set(&key, value)
                    .map_err(|e| err(Some(&key), set_error_message(&key, &e, &v.to_string())))?;
            }
        }
        // A manifest lists every parameter; one left out would silently take today's default,
        // and the run would not be the one the manifest records.
        let missing: Vec<&str> = param_specs()
            .iter()
            .map(|s| s.key)
            .filter(|k| {
                let (section, field) = k.split_once('.').unwrap_or((k, ""));
                params.get(section).and_then(|b| b.get(field)).is_none()
            })
            .collect();
        if !missing.is_empty() {
            return Err(err(
                Some("params"),
                format!(
                    "missing {} of {} parameters ({}); a manifest lists every parameter, so this one is from another cogov version or was edited (give the values in a scenario file instead)",
                    missing.len(),
                    param_specs().len(),
                    missing.join(", ")
                ),
            ));
        }
        // The same rules as a scenario file's [[interventions]]: a tick in range, at least one
        // change, dynamic parameters only.
        for item in m.interventions.iter().flatten() {
            let tick = Some(item.tick)
                .filter(|t| (1..=MAX_TICKS as u64).contains(t))
                .ok_or_else(|| {
                    err(
                        Some("interventions.tick"),
                        format!("expected an integer in 1..={MAX_TICKS}"),
                    )
                })? as u32;
            if item.set.is_empty() {
                return Err(err(
                    Some("interventions.set"),
                    "expected an object with at least one parameter".into(),
                ));
            }
            let mut changes = Vec::new();
            let mut probe = Params::default();
            for (k, v) in &item.set {
                let value = json_value(v)
                    .ok_or_else(|| err(Some(k), "expected a number or boolean".into()))?;
                probe
                    .set(k, value)
                    .map_err(|e| err(Some(k), set_error_message(k, &e, &v.to_string())))?;
                if spec_of(k).is_some_and(|s| s.mutability == Mutability::Structural) {
                    return Err(err(
                        Some(k),
                        "is structural (fixed at set-up) and cannot be changed by an intervention"
                            .into(),
                    ));
                }
                changes.push((k.clone(), probe.get(k).expect("validated key")));
            }
            sc.interventions.push(LabelledIntervention {
                label_en: item.label_en.clone(),
                label_zh: item.label_zh.clone(),
                intervention: Intervention { tick, changes },
            });
        }
        check_size(&sc.params).map_err(|m| err(None, m))?;
        if let Some(records) = &m.choices {
            sc.choices = choices::choices_from_manifest(records, &sc.params, file)?;
            choices::check_choices(&sc).map_err(|m| err(Some("choices"), m))?;
        }
        Ok(sc)
    }
}

/// A parameter value as a JSON number or boolean.
pub fn param_json(v: ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Float(x) => serde_json::json!(x),
        ParamValue::Int(i) => serde_json::json!(i),
        ParamValue::Bool(b) => serde_json::json!(b),
    }
}

/// Every parameter as `{section: {key: value}}`, in table order.
pub fn params_json(p: &Params) -> serde_json::Map<String, serde_json::Value> {
    let mut root = serde_json::Map::new();
    for section in SECTIONS {
        let mut m = serde_json::Map::new();
        for spec in param_specs()
            .iter()
            .filter(|s| s.key.split('.').next() == Some(section))
        {
            let field = spec.key.split_once('.').map_or(spec.key, |(_, f)| f);
            m.insert(
                field.to_string(),
                param_json(p.get(spec.key).expect("spec key")),
            );
        }
        root.insert(section.to_string(), serde_json::Value::Object(m));
    }
    root
}
/// A JSON document deserialised only to refuse an object holding the same key twice.
pub(crate) struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    key.escape_debug()
                )));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }
}

pub(crate) fn json_value(v: &serde_json::Value) -> Option<ParamValue> {
    match v {
        serde_json::Value::Bool(b) => Some(ParamValue::Bool(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(ParamValue::Int)
            .or_else(|| n.as_f64().map(ParamValue::Float)),
        _ => None,
    }
}

/// What is valid but probably not meant, one line each: two interventions of the same week
/// changing the same key (the later one in the file wins); an intervention after the last
/// week, which never takes effect.
pub fn warnings(sc: &Scenario) -> Vec<String> {
    let mut seen: Vec<(u32, &str, usize)> = Vec::new();
    let mut out = Vec::new();
    for (n, i) in sc.interventions.iter().enumerate() {
        let i = &i.intervention;
        if i.tick > sc.ticks {
            out.push(format!(
                "intervention {} (week {}) comes after the last week of the run ({}): it never takes effect / 第{}周的干预晚于模拟结束（第{}周），不会生效",
                n + 1,
                i.tick,
                sc.ticks,
                i.tick,
                sc.ticks
            ));
        }
        for (key, value) in &i.changes {
            if let Some(&(_, _, first)) = seen.iter().find(|(t, k, _)| *t == i.tick && k == key) {
                out.push(format!(
                    "interventions {} and {} both change {key} in week {}; the later one ({key} = {value}) wins",
                    first + 1,
                    n + 1,
                    i.tick
                ));
            } else {
                seen.push((i.tick, key, n));
            }
        }
    }
    out
}

/// The parameters of `p` that differ from the defaults, as (key, value) in table order.
pub fn changed_params(p: &Params) -> Vec<(&'static str, ParamValue)> {
    param_specs()
        .iter()
        .filter_map(|s| {
            let v = p.get(s.key)?;
            (v != s.default).then_some((s.key, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_default_city() {
        let sc = load_str("", "empty.toml").unwrap();
        assert_eq!(sc.params, Params::default());
    }

    #[test]
    fn the_embedded_default_loads() {
        load_str(DEFAULT_SCENARIO, "default.toml").unwrap();
    }

    #[test]
    fn errors_name_file_line_key_and_range() {
        let e = load_str("[motivation]\n\nincentive_compatibility = 1.4\n", "x.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.toml:3:27: motivation.incentive_compatibility: must be in 0..=1, got 1.4"
        );
        let e = load_str("[motivation]\nincentive_compatibilty = 0.4\n", "x.toml").unwrap_err();
        assert!(
            e.to_string()
                .contains("did you mean `motivation.incentive_compatibility`"),
            "{e}"
        );
        let e = load_str("[territory]\ndistricts = \"four\"\n", "x.toml").unwrap_err();
        assert!(
            e.to_string().contains("expected integer, got a string"),
            "{e}"
        );
        let e = load_str("[tools]\nmedia_pressure = nan\n", "x.toml").unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
        let e = load_str("[motivaton]\n", "x.toml").unwrap_err();
        assert!(e.to_string().contains("did you mean `motivation`"), "{e}");
        let e = load_str("[territory\n", "x.toml").unwrap_err();
        assert!(e.to_string().starts_with("x.toml:1:"), "{e}");
    }

    #[test]
    fn interventions_accept_dotted_and_nested_keys_but_not_structural_ones() {
        let sc = load_str(
            "[[interventions]]\ntick = 26\nset = { motivation.responsibility_lists = 1.0, \"tools.media_pressure\" = 0.05 }\n",
            "x.toml",
        )
        .unwrap();
        assert_eq!(sc.interventions[0].intervention.changes.len(), 2);
        let e = load_str(
            "[[interventions]]\ntick = 2\nset = { territory.districts = 3 }\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("structural"), "{e}");
        let e = load_str(
            "[[interventions]]\nset = { tools.media_pressure = 0.1 }\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    #[test]
    fn overrides_use_the_same_checks() {
        let mut sc = Scenario::default();
        apply_override(&mut sc, "motivation.incentive_compatibility=0.8").unwrap();
        assert_eq!(sc.params.motivation.incentive_compatibility, 0.8);
        assert!(apply_override(&mut sc, "motivation.incentive_compatibility=abc").is_err());
        assert!(apply_override(&mut sc, "territory.districts=0").is_err());
        assert!(apply_override(&mut sc, "nothing").is_err());
        let e = apply_override(&mut sc, "territory.residents_per_grid=50000").err();
        assert!(e.is_none() || e.unwrap().message.contains("address"));
    }

    #[test]
    fn absurd_sizes_are_refused_before_allocation() {
        let e = load_str(
            "[territory]\ndistricts = 64\nstreets_per_district = 400\ncommunities_per_street = 400\ngrids_per_community = 100\nresidents_per_grid = 50000\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("address"), "{e}");
    }
}
