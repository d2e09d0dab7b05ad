//! Game scenarios: a `[scenario]` table and a `[game]` table (TOML), or a game run's
//! `manifest.json`, → a validated `GameScenario` holding a `games::GameSpec`.
//!
//! The canonical games used for docking (`scenarios/validation/`) are not cities: each declares
//! its own parameter table (`KEYS` in its file under `games/`, reached by `GameKind::keys`) with
//! every key's type, range, default and meaning. The loader checks each key against it, so
//! unknown keys, wrong types and out-of-range values are refused with the file, line, key and
//! expected range, as the city loader does (and with its helpers); the game's own `spec` then
//! turns the checked values into a `GameSpec`. The `[scenario]` table is read by the city loader's own `read_meta`. An
//! initial lattice file (`init`) is read here, relative to the scenario file, so a bad file is
//! a configuration error. Nothing here runs a game.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{nearest, read_meta, toml_value, type_name, ConfigError, Scenario, Source};
use crate::games::lattice::Lattice;
use crate::games::{GameKey, GameKind, GameSpec, KeyKind, KeyValue, Values, MAX_SIDE};
use crate::model::params::ParamValue;
use crate::output::games::INITIAL_LATTICE_FILE;
use crate::output::manifest::{Manifest, ScenarioMeta};

/// A validated game scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct GameScenario {
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
    pub description_en: String,
    pub description_zh: String,
    pub seed: u64,
    /// Generations (Nowak–May), Monte Carlo steps (the imitation public goods games) or rounds
    /// (the games of the city's decision rule).
    pub ticks: u32,
    pub spec: GameSpec,
    /// Where the initial lattice came from, when it was read from a file.
    pub init_path: Option<PathBuf>,
}

/// A `[game]` value before validation.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Number(ParamValue),
    Text(String),
    /// Something else, described for the error message ("a table", "an array").
    Other(String),
}

/// One `[game]` assignment with where it came from.
#[derive(Clone, Debug)]
struct Entry {
    key: String,
    value: Raw,
    /// Span of the value in the TOML text (TOML only).
    span: Option<Range<usize>>,
    /// Span of the key in the TOML text (TOML only).
    key_span: Option<Range<usize>>,
    /// The value as written, for messages.
    shown: String,
}

/// Builds located errors for one source.
trait Locate {
    fn error(&self, span: Option<Range<usize>>, key: Option<&str>, message: String) -> ConfigError;
}

impl Locate for Source<'_> {
    fn error(&self, span: Option<Range<usize>>, key: Option<&str>, message: String) -> ConfigError {
        Source::error(self, span, key, message)
    }
}

/// A source without positions (a manifest, the command line).
struct Unlocated<'a>(&'a str);

impl Locate for Unlocated<'_> {
    fn error(&self, _: Option<Range<usize>>, key: Option<&str>, message: String) -> ConfigError {
        ConfigError {
            file: self.0.to_string(),
            line: None,
            column: None,
            key: key.map(str::to_string),
            message,
        }
    }
}

fn meta_into(sc: Scenario, spec: GameSpec, init_path: Option<PathBuf>) -> GameScenario {
    GameScenario {
        name: sc.name,
        title_en: sc.title_en,
        title_zh: sc.title_zh,
        description_en: sc.description_en,
        description_zh: sc.description_zh,
        seed: sc.seed,
        ticks: sc.ticks,
        spec,
        init_path,
    }
}

/// Parses and validates a TOML game scenario; `file` names it in errors and `base` is the
/// directory an `init` path is relative to.
pub fn load_str(text: &str, file: &str, base: &Path) -> Result<GameScenario, ConfigError> {
    let src = Source { file, text };
    from_toml(&src, &src.parse_toml()?, base)
}

/// A game scenario from its parsed TOML (`scenario::load_any` sends files with `[game]` here).
pub(crate) fn from_toml(
    src: &Source<'_>,
    root: &Spanned<DeTable<'_>>,
    base: &Path,
) -> Result<GameScenario, ConfigError> {
    let src = *src;
    let mut meta = Scenario::default();
    let mut entries = None;
    for (k, v) in root.get_ref().iter() {
        let name: &str = k.get_ref();
        match name {
            "scenario" => read_meta(&src, v, &mut meta)?,
            "game" => entries = Some(toml_entries(&src, v)?),
            other => {
                return Err(src.error(
                    Some(k.span()),
                    Some(other),
                    format!(
                        "a game scenario takes only [scenario] and [game]; `{other}` belongs to city scenarios"
                    ),
                ))
            }
        }
    }
    let Some((entries, table_span)) = entries else {
        return Err(src.error(None, Some("game"), "missing: the [game] table"));
    };
    let (spec, init_path) = resolve(&entries, &src, Some(table_span), base)?;
    Ok(meta_into(meta, spec, init_path))
}

fn toml_entries(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
) -> Result<(Vec<Entry>, Range<usize>), ConfigError> {
    let DeValue::Table(t) = v.get_ref() else {
        return Err(src.error(
            Some(v.span()),
            Some("game"),
            format!("expected a table [game], got {}", type_name(v.get_ref())),
        ));
    };
    let mut out = Vec::new();
    for (k, value) in t.iter() {
        let span = value.span();
        let shown = src.text[span.start.min(src.text.len())..span.end.min(src.text.len())]
            .trim()
            .to_string();
        let raw = match value.get_ref() {
            DeValue::String(s) => Raw::Text(s.to_string()),
            other => match toml_value(other) {
                Ok(x) => Raw::Number(x),
                Err(found) => Raw::Other(found),
            },
        };
        out.push(Entry {
            key: k.get_ref().to_string(),
            value: raw,
            span: Some(span),
            key_span: Some(k.span()),
            shown,
        });
    }
    Ok((out, v.span()))
}

/// Turns `[game]` entries into a spec, reading an `init` file relative to `base`.
fn resolve(
    entries: &[Entry],
    at: &dyn Locate,
    table_span: Option<Range<usize>>,
    base: &Path,
) -> Result<(GameSpec, Option<PathBuf>), ConfigError> {
    let kinds = GameKind::ALL.map(GameKind::name);
    let kind = match entries.iter().find(|e| e.key == "kind") {
        None => {
            return Err(at.error(
                table_span,
                Some("game.kind"),
                format!("missing; expected one of: {}", kinds.join(", ")),
            ))
        }
        Some(e) => match &e.value {
            Raw::Text(t) => GameKind::ALL
                .into_iter()
                .find(|k| k.name() == t)
                .ok_or_else(|| {
                    at.error(
                        e.span.clone(),
                        Some("game.kind"),
                        format!("expected one of: {}, got {}", kinds.join(", "), e.shown),
                    )
                })?,
            _ => {
                return Err(at.error(
                    e.span.clone(),
                    Some("game.kind"),
                    format!(
                        "expected a string, one of: {}, got {}",
                        kinds.join(", "),
                        e.shown
                    ),
                ))
            }
        },
    };
    let keys = kind.keys();
    let mut values: Vec<Option<(Value, &Entry)>> = vec![None; keys.len()];
    for e in entries.iter().filter(|e| e.key != "kind") {
        let full = format!("game.{}", e.key);
        let Some(idx) = keys.iter().position(|k| k.key == e.key) else {
            let names: Vec<&str> = keys.iter().map(|k| k.key).collect();
            let hint = nearest(&e.key, &names)
                .map(|n| format!(" (did you mean `game.{n}`?)"))
                .unwrap_or_default();
            return Err(at.error(
                e.key_span.clone().or(e.span.clone()),
                Some(&full),
                format!(
                    "unknown key{hint}; {} takes kind, {}",
                    kind.name(),
                    names.join(", ")
                ),
            ));
        };
        let v = check(&keys[idx], e, at, base)?;
        values[idx] = Some((v, e));
    }
    let mut init = None;
    let given = values
        .into_iter()
        .map(|v| match v {
            Some((Value::Lattice(l, p), _)) => {
                init = Some((l, p));
                None
            }
            Some((Value::Key(v), _)) => Some(v),
            None => None,
        })
        .collect();
    let (lattice, path) = init.unzip();
    let spec = kind.spec(&Values::new(keys, given, lattice)).map_err(|r| {
        let span = entries
            .iter()
            .find(|e| e.key == r.key)
            .and_then(|e| e.span.clone())
            .or(table_span);
        at.error(span, Some(&format!("game.{}", r.key)), r.message)
    })?;
    Ok((spec, path))
}

/// A checked value: one of the table's, or the lattice an `init` file holds (with its path).
#[derive(Clone, Debug)]
enum Value {
    Key(KeyValue),
    Lattice(Lattice, PathBuf),
}

/// The expected type and range of a key, as messages print it.
pub fn expected(k: &GameKey) -> String {
    match k.kind {
        KeyKind::Int { lo, hi, .. } => format!("an integer in {lo}..={hi}"),
        KeyKind::Float { lo, hi, .. } => format!("a number in {lo}..={hi}"),
        KeyKind::Choice { options, .. } => format!("one of: {}", options.join(", ")),
        KeyKind::LatticeFile => "a path to a lattice file".into(),
    }
}

fn check(k: &GameKey, e: &Entry, at: &dyn Locate, base: &Path) -> Result<Value, ConfigError> {
    let key = format!("game.{}", k.key);
    let bad = |message: String| at.error(e.span.clone(), Some(&key), message);
    let got = || match &e.value {
        Raw::Number(_) => e.shown.clone(),
        Raw::Text(_) => format!("a string ({})", e.shown),
        Raw::Other(found) => found.clone(),
    };
    match (k.kind, &e.value) {
        (KeyKind::Int { lo, hi, .. }, Raw::Number(ParamValue::Int(i))) => {
            if (lo..=hi).contains(i) {
                Ok(Value::Key(KeyValue::Int(*i)))
            } else {
                Err(bad(format!("must be in {lo}..={hi}, got {}", e.shown)))
            }
        }
        (
            KeyKind::Float { lo, hi, .. },
            Raw::Number(v @ (ParamValue::Int(_) | ParamValue::Float(_))),
        ) => {
            let x = match v {
                ParamValue::Int(i) => *i as f64,
                ParamValue::Float(x) => *x,
                ParamValue::Bool(_) => unreachable!(),
            };
            if !x.is_finite() {
                Err(bad(format!("must be a finite number, got {}", e.shown)))
            } else if (lo..=hi).contains(&x) {
                Ok(Value::Key(KeyValue::Float(x)))
            } else {
                Err(bad(format!("must be in {lo}..={hi}, got {}", e.shown)))
            }
        }
        (KeyKind::Choice { options, .. }, Raw::Text(t)) => {
            if options.contains(&t.as_str()) {
                Ok(Value::Key(KeyValue::Text(t.clone())))
            } else {
                Err(bad(format!(
                    "expected one of: {}, got {}",
                    options.join(", "),
                    e.shown
                )))
            }
        }
        (KeyKind::LatticeFile, Raw::Text(t)) => {
            let path = base.join(t);
            // A lattice file holds at most MAX_SIDE rows of MAX_SIDE cells (and line ends).
            let limit = (MAX_SIDE as u64 + 2) * (MAX_SIDE as u64 + 2);
            let text = super::read_text(&path, limit).map_err(|err| {
                bad(format!(
                    "cannot read the lattice file {}: {err}",
                    path.display()
                ))
            })?;
            let lattice =
                Lattice::parse(&text).map_err(|err| bad(format!("{}: {err}", path.display())))?;
            if lattice.side() as i64 > MAX_SIDE {
                return Err(bad(format!(
                    "{}: the lattice side must be at most {MAX_SIDE}, got {}",
                    path.display(),
                    lattice.side()
                )));
            }
            Ok(Value::Lattice(lattice, PathBuf::from(t)))
        }
        _ => Err(bad(format!("expected {}, got {}", expected(k), got()))),
    }
}

/// `--set game.KEY=VALUE` (`Model::set` of a game) with the same checks as the file; an `init`
/// path is taken relative to the working directory.
pub(crate) fn set_key(sc: &mut GameScenario, key: &str, value: &str) -> Result<(), ConfigError> {
    let at = Unlocated("--set");
    let value = value.trim();
    let parsed = super::parse_cli_value(value);
    let Some(field) = key.strip_prefix("game.") else {
        return Err(at.error(
            None,
            Some(key),
            "a game scenario takes game.KEY, scenario.seed or scenario.ticks".into(),
        ));
    };
    let raw = if matches!(parsed, ParamValue::Float(x) if x.is_nan()) && value != "nan" {
        Raw::Text(value.trim_matches('"').to_string())
    } else {
        Raw::Number(parsed)
    };
    let new = Entry {
        key: field.to_string(),
        value: raw,
        span: None,
        key_span: None,
        shown: value.to_string(),
    };
    // Rebuild the table from the resolved values (without `init`: a lattice already loaded is
    // kept as it is), change one key and validate it all again.
    let mut entries = spec_entries(&sc.spec, None);
    if field == "kind" {
        entries.clear();
    }
    entries.retain(|e| e.key != field);
    entries.push(new);
    let (mut spec, mut path) = resolve(&entries, &at, None, Path::new(""))?;
    if field != "init" {
        if let Some(l) = sc.spec.initial_lattice() {
            if spec.lattice_side() != Some(l.side()) {
                return Err(at.error(
                    None,
                    Some(key),
                    format!(
                        "conflicts with the {}×{} init lattice of the scenario",
                        l.side(),
                        l.side()
                    ),
                ));
            }
            spec.set_initial_lattice(l.clone());
            path = sc.init_path.clone();
        }
    }
    sc.spec = spec;
    sc.init_path = path;
    Ok(())
}

/// The resolved `[game]` values of `spec` as entries, `kind` first then in table order; `init`
/// names `init_path` when there is one.
fn spec_entries(spec: &GameSpec, init_path: Option<&Path>) -> Vec<Entry> {
    game_values(spec, init_path)
        .into_iter()
        .map(|(key, v)| {
            let (value, shown) = match v {
                serde_json::Value::String(s) => (Raw::Text(s.clone()), format!("\"{s}\"")),
                serde_json::Value::Number(n) => (
                    Raw::Number(
                        n.as_i64()
                            .map(ParamValue::Int)
                            .unwrap_or_else(|| ParamValue::Float(n.as_f64().unwrap_or(f64::NAN))),
                    ),
                    n.to_string(),
                ),
                other => (Raw::Other(other.to_string()), other.to_string()),
            };
            Entry {
                key: key.to_string(),
                value,
                span: None,
                key_span: None,
                shown,
            }
        })
        .collect()
}

/// The resolved `[game]` table of `spec` as (key, JSON value): `kind` first, then every key of
/// its table in order, `init` only when the lattice came from a file (named `init_path`).
pub fn game_values(
    spec: &GameSpec,
    init_path: Option<&Path>,
) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let mut out = vec![("kind", json!(spec.kind().name()))];
    out.extend(spec.values().into_iter().map(|(k, v)| {
        let v = match v {
            KeyValue::Int(i) => json!(i),
            KeyValue::Float(x) => json!(x),
            KeyValue::Text(t) => json!(t),
        };
        (k, v)
    }));
    if let (Some(p), Some(_)) = (init_path, spec.initial_lattice()) {
        out.push(("init", json!(p.to_string_lossy())));
    }
    out
}

impl GameScenario {
    /// The manifest of a run of this game: enough to reproduce it with `cogov run
    /// manifest.json`. An initial lattice read from a file is named as `initial_lattice.txt`,
    /// the copy the run writes next to the manifest.
    pub fn manifest(&self) -> Manifest {
        let init = self
            .init_path
            .as_ref()
            .map(|_| Path::new(INITIAL_LATTICE_FILE));
        Manifest {
            game: Some(
                game_values(&self.spec, init)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            scenario: Some(ScenarioMeta {
                description_en: self.description_en.clone(),
                description_zh: self.description_zh.clone(),
                name: self.name.clone(),
                title_en: self.title_en.clone(),
                title_zh: self.title_zh.clone(),
            }),
            seed: Some(self.seed),
            ticks: Some(self.ticks as u64),
            ..Manifest::new("game")
        }
    }

    /// The game a game run's manifest records; `base` is the directory an `init` path is
    /// relative to.
    pub fn from_manifest(
        m: &Manifest,
        file: &str,
        base: &Path,
    ) -> Result<GameScenario, ConfigError> {
        let meta = super::meta_from_manifest(m, file)?;
        let game = m.game.as_ref().ok_or_else(|| {
            super::manifest_error(file, Some("game"), "missing: not a game manifest".into())
        })?;
        let entries: Vec<Entry> = game
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    serde_json::Value::String(s) => Raw::Text(s.clone()),
                    other => match super::json_value(other) {
                        Some(x) => Raw::Number(x),
                        None => Raw::Other(format!("{other}")),
                    },
                };
                Entry {
                    key: k.clone(),
                    value,
                    span: None,
                    key_span: None,
                    shown: v.to_string(),
                }
            })
            .collect();
        let (spec, init_path) = resolve(&entries, &Unlocated(file), None, base)?;
        Ok(meta_into(meta, spec, init_path))
    }
}

/// Parses a game run's `manifest.json`; `base` is the directory an `init` path is relative to.
pub fn load_manifest_str(text: &str, file: &str, base: &Path) -> Result<GameScenario, ConfigError> {
    GameScenario::from_manifest(&Manifest::parse(text, file)?, file, base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::games::spatial_pgg::PggParams;
    use crate::games::well_mixed::Imitation;
    use crate::scenario::apply_override;

    fn load(text: &str) -> Result<GameScenario, ConfigError> {
        load_str(text, "x.toml", Path::new("."))
    }

    #[test]
    fn a_minimal_game_takes_the_documented_defaults() {
        let sc = load("[game]\nkind = \"spatial_pgg\"\n").unwrap();
        assert_eq!(
            sc.spec,
            GameSpec::SpatialPgg {
                side: 100,
                params: PggParams { r: 4.5, k: 0.5 },
                p0: 0.5,
                init: None
            }
        );
        let sc = load("[scenario]\nseed = 3\nticks = 20\n[game]\nkind = \"well_mixed\"\nrule = \"fermi\"\nK = 0.2\nr = 6\n").unwrap();
        assert_eq!((sc.seed, sc.ticks), (3, 20));
        let GameSpec::WellMixed { params, .. } = sc.spec else {
            panic!()
        };
        assert_eq!(params.rule, Imitation::Fermi { k: 0.2 });
        assert_eq!(params.r, 6.0);
    }

    #[test]
    fn errors_name_file_line_key_and_range() {
        let e = load("[game]\nkind = \"spatial_pgg\"\nr = 30\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.toml:3:5: game.r: must be in 0..=25, got 30"
        );
        let e = load("[game]\nkind = \"nowak_may\"\nL = 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.toml:3:5: game.L: must be in 3..=10000, got 2"
        );
        let e = load("[game]\nkind = \"nowak_may\"\nbb = 1.9\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.toml:3:1: game.bb: unknown key (did you mean `game.b`?)"),
            "{e}"
        );
        let e = load("[game]\nkind = \"nowak_may\"\nL = \"big\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("game.L: expected an integer in 3..=10000, got a string"),
            "{e}"
        );
        let e = load("[game]\nkind = \"nowak_may\"\nL = 20.5\n").unwrap_err();
        assert!(e.to_string().contains("expected an integer"), "{e}");
        let e = load("[game]\nkind = \"chess\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("game.kind: expected one of: nowak_may, spatial_pgg, well_mixed"),
            "{e}"
        );
        let e = load("[game]\nL = 20\n").unwrap_err();
        assert!(e.to_string().contains("game.kind: missing"), "{e}");
        let e = load("[game]\nkind = \"well_mixed\"\nK = 0.5\n").unwrap_err();
        assert!(e.to_string().contains("applies only to rule"), "{e}");
        let e = load("[game]\nkind = \"well_mixed\"\npopulation = 3\n").unwrap_err();
        assert!(e.to_string().contains("at most the population"), "{e}");
        let e = load("[game]\nkind = \"logit_pgg\"\nn = 7\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("game.agents: must be a multiple of the group size 7"),
            "{e}"
        );
        let e =
            load("[game]\nkind = \"bush_mosteller\"\nrule = \"macy_flache\"\nforgetting = 0.1\n")
                .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.toml:4:14: game.forgetting: applies only to rule = \"city\""),
            "{e}"
        );
        let e = load("[game]\nkind = \"bush_mosteller\"\nrule = \"macy_flache\"\nT = 2\nR = 2\nP = 2\nS = 2\n")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("game.aspiration: equals every payoff"),
            "{e}"
        );
        let e = load("[game]\nkind = \"nowak_may\"\n[motivation]\n").unwrap_err();
        assert!(e.to_string().contains("belongs to city scenarios"), "{e}");
        let e = load("[game]\nkind = \"spatial_pgg\"\nK = nan\n").unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
        let e = load("[game]\nkind = \"nowak_may\"\ninit = \"no/such/file.txt\"\n").unwrap_err();
        assert!(
            e.to_string().contains("cannot read the lattice file"),
            "{e}"
        );
    }

    #[test]
    fn init_files_load_relative_to_the_scenario_and_fix_the_side() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("start.txt"), "0110\n1111\n1011\n1111\n").unwrap();
        let sc = load_str(
            "[game]\nkind = \"nowak_may\"\ninit = \"start.txt\"\n",
            "x.toml",
            dir.path(),
        )
        .unwrap();
        let GameSpec::NowakMay { side, init, .. } = &sc.spec else {
            panic!()
        };
        assert_eq!(*side, 4);
        assert_eq!(init.as_ref().unwrap().cooperators(), 13);
        let e = load_str(
            "[game]\nkind = \"nowak_may\"\nL = 5\ninit = \"start.txt\"\n",
            "x.toml",
            dir.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("4×4"), "{e}");
        std::fs::write(dir.path().join("bad.txt"), "0110\n1121\n").unwrap();
        let e = load_str(
            "[game]\nkind = \"nowak_may\"\ninit = \"bad.txt\"\n",
            "x.toml",
            dir.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn overrides_use_the_same_checks() {
        let mut sc = load("[game]\nkind = \"spatial_pgg\"\n").unwrap();
        apply_override(&mut sc, "game.r=3.5").unwrap();
        let GameSpec::SpatialPgg { params, .. } = sc.spec else {
            panic!()
        };
        assert_eq!(params.r, 3.5);
        assert!(apply_override(&mut sc, "game.r=99").is_err());
        assert!(apply_override(&mut sc, "game.rr=1").is_err());
        assert!(apply_override(&mut sc, "motivation.x=1").is_err());
        apply_override(&mut sc, "scenario.ticks=7").unwrap();
        assert_eq!(sc.ticks, 7);
    }

    #[test]
    fn manifests_round_trip() {
        for text in [
            "[game]\nkind = \"nowak_may\"\nL = 30\nb = 2\n",
            "[game]\nkind = \"spatial_pgg\"\nr = 3.75\nK = 0.25\n",
            "[game]\nkind = \"well_mixed\"\nrule = \"fermi\"\nK = 0.1\ngroup_size = 7\n",
            "[game]\nkind = \"logit_pgg\"\nn = 5\nmpcr = 0.4\nagents = 500\n",
            "[game]\nkind = \"weakest_link\"\ncost = 1.5\nstart_belief = 0.3\n",
            "[game]\nkind = \"bush_mosteller\"\nrule = \"macy_flache\"\nrate = 0.5\n",
            "[game]\nkind = \"bush_mosteller\"\nforgetting = 0.2\nhabituation = 0.05\n",
            "[game]\nkind = \"conditional_pgg\"\npopulation = \"organisations\"\n",
        ] {
            let sc = load(text).unwrap();
            let game: serde_json::Map<String, serde_json::Value> = game_values(&sc.spec, None)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            let manifest = serde_json::json!({
                "scenario": {"name": sc.name},
                "seed": sc.seed, "ticks": sc.ticks, "game": game,
            });
            let back = load_manifest_str(&manifest.to_string(), "m.json", Path::new(".")).unwrap();
            assert_eq!(back.spec, sc.spec);
        }
    }
}
