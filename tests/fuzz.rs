//! Fuzzing every input path (issue 7): the scenario loader, run manifests, `--set` values, the
//! experiment loader, game scenarios (their `[game]` table, manifests and overrides) and the
//! lattice files games start from.
//!
//! Inputs come from structured generators (TOML of the right shape with random keys, values of
//! every type, extreme numbers, unicode), from mutations of the real files in `scenarios/`
//! (truncations, byte flips, insertions, swapped values) and from arbitrary text. Every input
//! must load fast and either give a scenario whose parameters are all within their ranges, or a
//! `ConfigError` that names the file. A panic, a hang or a value out of range fails the case.
//!
//! The default number of cases keeps this file under about 20 s in release mode; run many more
//! to look for bugs, e.g. `PROPTEST_CASES=20000 cargo test --release --test fuzz`. Every input
//! that ever failed lives in `tests/corpus/<loader>/` and is replayed by
//! `every_corpus_input_is_refused_or_loaded_cleanly`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cogov::experiment::{self, MAX_DESIGN_VALUES, MAX_POINTS, MAX_RUNS};
use cogov::games::lattice::Lattice;
use cogov::model::params::{param_specs, spec_of, Mutability, ParamKind, ParamValue, SECTIONS};
use cogov::scenario::game::{self, GameScenario};
use cogov::scenario::{self, ConfigError, Scenario, MAX_TICKS};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

/// The file name every fuzzed input is loaded under; errors must name it.
const FILE: &str = "fuzz/input.toml";

/// Longest generated input (the loaders must stay fast up to here).
const MAX_LEN: usize = 64 * 1024;

/// Longest a single load may take (release build, a busy machine). A real hang is far beyond.
const SLOW: Duration = Duration::from_secs(5);

// ----------------------------------------------------------------------------------------------
// Configuration
// ----------------------------------------------------------------------------------------------

/// Cases per property: `PROPTEST_CASES` when set, else the small CI default.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        // Failing inputs go to tests/corpus/ by hand, as readable files.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A directory that holds no files, so that relative paths in fuzzed inputs find nothing.
fn empty_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"))
        .path()
}

// ----------------------------------------------------------------------------------------------
// Properties
// ----------------------------------------------------------------------------------------------

/// Runs `load` once, failing the case if it panics or is slow.
fn timed<T>(what: &str, input: &str, load: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let started = Instant::now();
    let out = catch_unwind(AssertUnwindSafe(load))
        .map_err(|_| TestCaseError::fail(format!("{what} panicked on {input:?}")))?;
    let took = started.elapsed();
    prop_assert!(
        took < SLOW,
        "{what} took {took:?} on an input of {} bytes",
        input.len()
    );
    Ok(out)
}

/// An error names the file it is about, and says something.
fn check_error(e: &ConfigError, file: &str) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert_eq!(e.file.as_str(), file);
    prop_assert!(
        shown.starts_with(file),
        "error does not start with the file: {shown}"
    );
    prop_assert!(!e.message.trim().is_empty(), "empty error message: {shown}");
    prop_assert!(
        !shown.contains(['\n', '\r']),
        "the error is not one line: {shown:?}"
    );
    Ok(())
}

/// True when `v` has the spec's type and lies inside its range.
fn in_range(key: &str, v: ParamValue) -> bool {
    let Some(spec) = spec_of(key) else {
        return false;
    };
    match (spec.kind, v) {
        (ParamKind::Float, ParamValue::Float(x)) => x.is_finite() && spec.min <= x && x <= spec.max,
        (ParamKind::Integer, ParamValue::Int(i)) => spec.min <= i as f64 && i as f64 <= spec.max,
        (ParamKind::Bool, ParamValue::Bool(_)) => true,
        _ => false,
    }
}

/// A loaded scenario is one the model may see: every parameter in range, a sane length, a
/// city whose ids fit, and interventions that change only dynamic parameters to valid values.
fn check_scenario(sc: &Scenario) -> Result<(), TestCaseError> {
    for spec in param_specs() {
        let v = sc.params.get(spec.key);
        prop_assert!(
            v.is_some_and(|v| in_range(spec.key, v)),
            "{} = {v:?} is out of range",
            spec.key
        );
    }
    prop_assert!((1..=MAX_TICKS).contains(&sc.ticks), "ticks {}", sc.ticks);
    prop_assert!(scenario::check_size(&sc.params).is_ok());
    for l in &sc.interventions {
        let i = &l.intervention;
        prop_assert!(
            (1..=MAX_TICKS).contains(&i.tick),
            "intervention tick {}",
            i.tick
        );
        prop_assert!(!i.changes.is_empty());
        for (k, v) in &i.changes {
            prop_assert!(in_range(k, *v), "intervention sets {k} = {v:?}");
            let dynamic = spec_of(k).is_some_and(|s| s.mutability == Mutability::Dynamic);
            prop_assert!(dynamic, "intervention changes structural {k}");
        }
    }
    Ok(())
}

fn check_game(sc: &GameScenario) -> Result<(), TestCaseError> {
    prop_assert!((1..=MAX_TICKS).contains(&sc.ticks), "ticks {}", sc.ticks);
    // Every resolved value is inside the range of its key.
    for (key, value) in game::game_values(&sc.spec, None) {
        let Some(k) = sc.spec.kind().keys().iter().find(|k| k.key == key) else {
            prop_assert_eq!(key, "kind");
            continue;
        };
        match k.kind {
            cogov::games::KeyKind::Int { lo, hi, .. } => {
                let i = value.as_i64();
                prop_assert!(
                    i.is_some_and(|i| (lo..=hi).contains(&i)),
                    "game.{key} = {value}"
                );
            }
            cogov::games::KeyKind::Float { lo, hi, .. } => {
                let x = value.as_f64();
                prop_assert!(
                    x.is_some_and(|x| x.is_finite() && (lo..=hi).contains(&x)),
                    "game.{key} = {value}"
                );
            }
            cogov::games::KeyKind::Choice { options, .. } => {
                prop_assert!(
                    value.as_str().is_some_and(|s| options.contains(&s)),
                    "game.{key} = {value}"
                );
            }
            cogov::games::KeyKind::LatticeFile => {}
        }
    }
    Ok(())
}

fn check_scenario_text(text: &str) -> Result<(), TestCaseError> {
    match timed("scenario::load_str", text, || {
        scenario::load_str(text, FILE)
    })? {
        Ok(sc) => check_scenario(&sc),
        Err(e) => check_error(&e, FILE),
    }
}

fn check_manifest_text(text: &str) -> Result<(), TestCaseError> {
    const M: &str = "fuzz/manifest.json";
    match timed("load_manifest_str", text, || {
        scenario::load_manifest_str(text, M)
    })? {
        Ok(sc) => check_scenario(&sc),
        Err(e) => check_error(&e, M),
    }
}

fn check_set(assignment: &str) -> Result<(), TestCaseError> {
    let mut sc = Scenario::default();
    match timed("apply_override", assignment, || {
        scenario::apply_override(&mut sc, assignment)
    })? {
        Ok(()) => check_scenario(&sc),
        Err(e) => check_error(&e, "--set"),
    }
}

fn experiment_dir() -> PathBuf {
    repo().join("scenarios").join("experiments")
}

fn check_experiment_text(text: &str) -> Result<(), TestCaseError> {
    let dir = experiment_dir();
    match timed("experiment::load_str", text, || {
        experiment::load_str(text, FILE, Some(&dir))
    })? {
        Ok(exp) => {
            check_scenario(&exp.base)?;
            prop_assert!(exp.replications >= 1);
            prop_assert!(!exp.points.is_empty());
            prop_assert!(exp.points.len() as u64 <= MAX_POINTS);
            prop_assert!(
                exp.points.len() as u64 * exp.design.keys().len() as u64 <= MAX_DESIGN_VALUES
            );
            prop_assert!(exp.total_runs() <= MAX_RUNS);
            // Every point gives a valid scenario (a sample of them when there are many).
            let step = (exp.points.len() / 64).max(1);
            for p in exp.points.iter().step_by(step).chain(exp.points.last()) {
                check_scenario(&exp.scenario_for(p, 0))?;
            }
            Ok(())
        }
        Err(e) => check_error(&e, FILE),
    }
}

fn validation_dir() -> PathBuf {
    repo().join("scenarios").join("validation")
}

fn check_game_text(text: &str, base: &Path) -> Result<(), TestCaseError> {
    match timed("game::load_str", text, || game::load_str(text, FILE, base))? {
        Ok(sc) => check_game(&sc),
        Err(e) => check_error(&e, FILE),
    }
}

fn check_game_manifest_text(text: &str) -> Result<(), TestCaseError> {
    const M: &str = "fuzz/game-manifest.json";
    match timed("game::load_manifest_str", text, || {
        game::load_manifest_str(text, M, empty_dir())
    })? {
        Ok(sc) => check_game(&sc),
        Err(e) => check_error(&e, M),
    }
}

fn check_game_set(start: &GameScenario, assignment: &str) -> Result<(), TestCaseError> {
    let mut sc = start.clone();
    match timed("apply_override (game)", assignment, || {
        scenario::apply_override(&mut sc, assignment)
    })? {
        Ok(()) => check_game(&sc),
        Err(e) => check_error(&e, "--set"),
    }
}

fn check_lattice_text(text: &str) -> Result<(), TestCaseError> {
    if let Ok(l) = timed("Lattice::parse", text, || Lattice::parse(text))? {
        prop_assert!(l.side() >= cogov::games::lattice::MIN_SIDE);
        prop_assert_eq!(l.cells().len(), l.side() * l.side());
    }
    Ok(())
}

/// Every loader on one text (the text of one kind of file is fuzz for the others).
fn check_all_loaders(text: &str) -> Result<(), TestCaseError> {
    check_scenario_text(text)?;
    check_experiment_text(text)?;
    check_game_text(text, empty_dir())?;
    check_manifest_text(text)?;
    check_game_manifest_text(text)
}

// ----------------------------------------------------------------------------------------------
// Generators: values and keys
// ----------------------------------------------------------------------------------------------

/// TOML text of a number: ordinary, huge, negative, non-finite, in every notation.
fn number_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "+1",
        "-0",
        "00",
        "1_000",
        "1__0",
        "_1",
        "0x7FFFFFFFFFFFFFFF",
        "0xFFFFFFFFFFFFFFFF",
        "0x8000000000000000",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
        "0b1",
        "0b",
        "0o777",
        "0o8",
        "0xg",
        "4294967295",
        "4294967296",
        "2147483648",
        "65536",
        "1e308",
        "1e309",
        "-1e309",
        "5e-324",
        "1e-400",
        "0.0",
        "-0.0",
        "+0.0",
        "1.5",
        "0.5e3",
        "1_0.0_1",
        "1.",
        ".5",
        "1e",
        "1e+",
        "nan",
        "+nan",
        "-nan",
        "inf",
        "+inf",
        "-inf",
        "NaN",
        "Infinity",
        "1.7976931348623157e308",
        "4.0",
        "4.5",
        "-4.0",
        "9007199254740993",
        "9.0e15",
        "8.9e15",
        "1e15",
        "0.30000000000000004",
        "3.0e-0",
        "1E2",
        "0e0",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => special,
        2 => any::<i64>().prop_map(|i| i.to_string()),
        2 => (-5i64..200).prop_map(|i| i.to_string()),
        2 => any::<f64>().prop_map(|x| format!("{x:?}")),
        2 => (-2.0f64..2.0).prop_map(|x| format!("{x}")),
        1 => (-9i64..10, -400i32..400).prop_map(|(m, e)| format!("{m}e{e}")),
    ]
}

/// A TOML basic string with `s` escaped.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// TOML text of a string of any kind, content from all of unicode.
fn string_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| quoted(&s)),
        "[a-z_.]{0,20}".prop_map(|s| quoted(&s)),
        "[^'\n]{0,20}".prop_map(|s| format!("'{s}'")),
        any::<String>()
            .prop_map(|s| format!("\"\"\"{}\"\"\"", s.replace('"', "'").replace('\\', "/"))),
        prop::sample::select(vec![
            "\"\\uD800\"",
            "\"\\U0010FFFF\"",
            "\"\\U00110000\"",
            "\"\\x\"",
            "'''a'''",
            "\"\"",
            "\"grid\"",
            "\"lhs\"",
            "\"morris\"",
            "\"packages\"",
            "\"nowak_may\"",
            "\"spatial_pgg\"",
            "\"well_mixed\"",
            "\"fermi\"",
            "\"proportional\"",
            "\"../default.toml\"",
            "\"../city.toml\"",
            "\"/dev/null\"",
            "\".\""
        ])
        .prop_map(str::to_string),
    ]
}

/// TOML text of a scalar of any type.
fn scalar_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => number_text(),
        2 => string_text(),
        2 => prop::sample::select(vec!["true", "false", "True", "yes"]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "1979-05-27T07:32:00.999999-07:00", "2026-13-45"]).prop_map(str::to_string),
    ]
}

/// TOML text of any value: scalars, arrays and inline tables, nested a few levels.
fn value_text() -> impl Strategy<Value = String> {
    scalar_text().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key_text(), inner), 0..5).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

/// Every known dotted parameter key.
fn param_keys() -> Vec<String> {
    param_specs().iter().map(|s| s.key.to_string()).collect()
}

/// A TOML key: a real field name, a real dotted key, a near miss, a random word or any unicode.
fn key_text() -> impl Strategy<Value = String> {
    let fields: Vec<String> = param_specs()
        .iter()
        .map(|s| s.key.split_once('.').map_or(s.key, |(_, f)| f).to_string())
        .collect();
    let mut meta: Vec<String> = [
        "name",
        "title_en",
        "title_zh",
        "description_en",
        "description_zh",
        "seed",
        "ticks",
        "tick",
        "label_en",
        "label_zh",
        "set",
        "kind",
        "base",
        "replications",
        "base_seed",
        "timeseries",
        "common_random_numbers",
        "factors",
        "ranges",
        "packages",
        "points",
        "trajectories",
        "levels",
        "from",
        "to",
        "step",
        "L",
        "b",
        "p0",
        "r",
        "K",
        "init",
        "population",
        "group_size",
        "rule",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    meta.extend(SECTIONS.iter().map(|s| s.to_string()));
    prop_oneof![
        4 => prop::sample::select(fields),
        3 => prop::sample::select(param_keys()),
        3 => prop::sample::select(meta),
        2 => prop::sample::select(param_keys()).prop_map(|k| quoted(&k)),
        1 => "[a-z_]{1,12}",
        1 => "[a-z]{1,6}(\\.[a-z]{1,6}){1,10}",
        1 => any::<String>().prop_map(|s| quoted(&s)),
    ]
}

/// A table header: a parameter section, a meta table, an array of tables, or anything.
fn header_text() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = SECTIONS.iter().map(|s| s.to_string()).collect();
    names.extend(
        [
            "scenario",
            "experiment",
            "base",
            "design",
            "design.factors",
            "design.ranges",
            "game",
            "motivaton",
            "territory.x",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    prop_oneof![
        6 => prop::sample::select(names).prop_map(|n| format!("[{n}]")),
        2 => prop::sample::select(vec!["[[interventions]]", "[[design.packages]]", "[[scenario]]", "[[motivation]]", "[interventions]"]).prop_map(str::to_string),
        1 => key_text().prop_map(|k| format!("[{k}]")),
    ]
}

/// A document of the right shape: headers and `key = value` lines in random order.
fn toml_document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        2 => header_text(),
        6 => (key_text(), value_text()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => "#[^\n]{0,20}",
        1 => Just(String::new()),
    ];
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

/// One parameter assigned a random value in its own section: the range checks at work.
fn parameter_document() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(param_keys()),
            prop_oneof![4 => number_text(), 1 => value_text()],
        ),
        1..6,
    )
    .prop_map(|kv| {
        kv.into_iter()
            .map(|(k, v)| {
                let (section, field) = k.split_once('.').expect("dotted key");
                format!("[{section}]\n{field} = {v}\n")
            })
            .collect::<Vec<_>>()
            .join("")
    })
}

/// A plausible `[[interventions]]` block with random tick and changes.
fn intervention_document() -> impl Strategy<Value = String> {
    let change =
        (prop::sample::select(param_keys()), number_text()).prop_map(|(k, v)| format!("{k} = {v}"));
    prop::collection::vec(
        (
            number_text(),
            prop::collection::vec(change, 0..4),
            any::<String>(),
        ),
        1..4,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .map(|(tick, changes, label)| {
                format!(
                    "[[interventions]]\ntick = {tick}\nlabel_en = {}\nset = {{ {} }}\n",
                    quoted(&label),
                    changes.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// An experiment of the right shape with random sizes: the design-size guards at work.
fn experiment_document() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec!["grid", "lhs", "morris", "sobol", "packages", "grit"]);
    let size = prop_oneof![
        1u64..50,
        1u64..100_000,
        Just(10_000_000),
        Just(100_000_000),
        Just(1u64 << 40)
    ];
    let factor = (
        prop::sample::select(param_keys()),
        prop_oneof![
            prop::collection::vec(number_text(), 0..5).prop_map(|v| format!("[{}]", v.join(", "))),
            (number_text(), number_text(), number_text())
                .prop_map(|(a, b, c)| format!("{{ from = {a}, to = {b}, step = {c} }}")),
            (
                0.0f64..1.0,
                0.0f64..1.0,
                prop_oneof![Just(1e-4), Just(0.01), Just(0.5)]
            )
                .prop_map(|(a, b, c)| format!(
                    "{{ from = {}, to = {}, step = {c} }}",
                    a.min(b),
                    a.max(b)
                )),
        ],
    )
        .prop_map(|(k, v)| format!("{} = {v}", quoted(&k)));
    let range = (
        prop::sample::select(param_keys()),
        number_text(),
        number_text(),
    )
        .prop_map(|(k, a, b)| format!("{} = [{a}, {b}]", quoted(&k)));
    let package = (
        any::<String>(),
        prop::collection::vec((prop::sample::select(param_keys()), number_text()), 0..3),
    )
        .prop_map(|(n, set)| {
            let set: Vec<String> = set
                .into_iter()
                .map(|(k, v)| format!("{} = {v}", quoted(&k)))
                .collect();
            format!(
                "[[design.packages]]\nname = {}\nset = {{ {} }}\n",
                quoted(&n),
                set.join(", ")
            )
        });
    (
        kind,
        size.clone(),
        size,
        prop::collection::vec(factor, 0..6),
        prop::collection::vec(range, 0..6),
        prop::collection::vec(package, 0..4),
        parameter_document(),
        prop::option::of("\\.\\./[a-z_]{1,12}\\.toml"),
    )
        .prop_map(|(kind, reps, n, factors, ranges, packages, base, base_path)| {
            let base_path = base_path.map(|p| format!("base = {}\n", quoted(&p))).unwrap_or_default();
            // A [base] of parameter overrides, written as dotted keys.
            let base: String = base
                .lines()
                .scan(String::new(), |section, l| {
                    if let Some(s) = l.strip_prefix('[') {
                        *section = s.trim_end_matches(']').to_string();
                        Some(String::new())
                    } else {
                        Some(format!("{section}.{l}\n"))
                    }
                })
                .collect();
            format!(
                "[experiment]\nreplications = {reps}\nticks = 4\n{base_path}\n[base]\n{base}\n[design]\nkind = \"{kind}\"\npoints = {n}\ntrajectories = {n}\nsamples = {n}\nlevels = 4\n[design.factors]\n{}\n[design.ranges]\n{}\n{}",
                factors.join("\n"),
                ranges.join("\n"),
                packages.join("\n")
            )
        })
}

/// A game scenario of the right shape.
fn game_document() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        4 => prop::sample::select(vec!["nowak_may", "spatial_pgg", "well_mixed", "logit_pgg", "weakest_link", "bush_mosteller", "conditional_pgg"]).prop_map(|k| format!("\"{k}\"")),
        1 => value_text(),
    ];
    let keys = prop::sample::select(vec![
        "L",
        "b",
        "p0",
        "r",
        "K",
        "init",
        "population",
        "group_size",
        "rule",
        "kind",
        "l",
        "bb",
        "n",
        "mpcr",
        "altruism",
        "beta",
        "agents",
        "belief_rate",
        "start_belief",
        "benefit",
        "cost",
        "pairs",
        "T",
        "R",
        "P",
        "S",
        "rate",
        "aspiration",
        "forgetting",
        "conditional_share",
        "free_rider_share",
    ]);
    let entry = (
        keys,
        prop_oneof![4 => number_text(), 2 => string_text(), 1 => value_text()],
    )
        .prop_map(|(k, v)| format!("{k} = {v}"));
    (
        kind,
        prop::collection::vec(entry, 0..6),
        number_text(),
        number_text(),
    )
        .prop_map(|(kind, entries, seed, ticks)| {
            format!(
                "[scenario]\nseed = {seed}\nticks = {ticks}\n\n[game]\nkind = {kind}\n{}\n",
                entries.join("\n")
            )
        })
}

/// Any JSON value, with extreme numbers and deep-ish nesting.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        any::<f64>().prop_map(|x| json!(x)),
        prop::sample::select(vec![
            0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 5e-324, 4.0, 64.0, 400.0, 50_000.0, 1e15
        ])
        .prop_map(|x| json!(x)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof!["[a-z_]{1,12}", prop::sample::select(param_keys())],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

// ----------------------------------------------------------------------------------------------
// Generators: the real files, mutated
// ----------------------------------------------------------------------------------------------

/// Every file of the scenario library, experiments and games included, with its text.
fn real_files() -> &'static [(PathBuf, String)] {
    static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut out = Vec::new();
        for dir in [repo().join("scenarios"), experiment_dir(), validation_dir()] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for p in paths {
                let text =
                    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                out.push((p, text));
            }
        }
        assert!(
            out.len() >= 10,
            "the scenario library is where it should be"
        );
        out
    })
}

/// The run manifests of every library scenario and the game manifests of every game.
fn real_manifests() -> &'static [String] {
    static MANIFESTS: OnceLock<Vec<String>> = OnceLock::new();
    MANIFESTS.get_or_init(|| {
        let mut out = Vec::new();
        for (path, text) in real_files() {
            if let Ok(sc) = scenario::load_str(text, "x.toml") {
                out.push(
                    serde_json::to_string_pretty(&cogov::output::manifest_json(&sc, "run"))
                        .unwrap(),
                );
            }
            if let Ok(g) = game::load_str(text, "x.toml", path.parent().unwrap()) {
                out.push(serde_json::to_string_pretty(&g.manifest().to_value()).unwrap());
            }
        }
        out
    })
}

/// One edit of a text's bytes.
#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    Flip(usize, u8),
    SetByte(usize, u8),
    Insert(usize, String),
    Delete(usize, usize),
    /// Replace the n-th number in the text.
    Number(usize, String),
    /// Repeat the line at this position.
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let snippet = prop_oneof![
        value_text(),
        prop::sample::select(vec![
            "[", "]", "{", "}", "=", "\"", "'", "\n", ".", ",", "#", "[[", "]]", "\"\"\"", "\\",
            "\r\n", "\u{0}", "\u{feff}", "𝕏", "é"
        ])
        .prop_map(str::to_string),
        (key_text(), value_text()).prop_map(|(k, v)| format!("\n{k} = {v}\n")),
        header_text().prop_map(|h| format!("\n{h}\n")),
    ];
    prop_oneof![
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), 0u8..8).prop_map(|(p, b)| Edit::Flip(p, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::SetByte(p, b)),
        2 => (any::<usize>(), snippet).prop_map(|(p, s)| Edit::Insert(p, s)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Delete(p, n)),
        4 => (any::<usize>(), number_text()).prop_map(|(n, v)| Edit::Number(n, v)),
        1 => any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

/// Byte ranges of the numbers (digit runs with sign, point and exponent) in a text.
fn number_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_')
        {
            let start = if i > 0 && (b[i - 1] == b'-' || b[i - 1] == b'+') {
                i - 1
            } else {
                i
            };
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b"._+-".contains(&b[j])) {
                j += 1;
            }
            out.push((start, j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut b = text.as_bytes().to_vec();
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match e {
            Edit::Truncate(p) => b.truncate(at(*p, b.len())),
            Edit::Flip(p, bit) if !b.is_empty() => {
                let i = p % b.len();
                b[i] ^= 1 << bit;
            }
            Edit::SetByte(p, x) if !b.is_empty() => {
                let i = p % b.len();
                b[i] = *x;
            }
            Edit::Insert(p, s) => {
                let i = at(*p, b.len());
                b.splice(i..i, s.bytes());
            }
            Edit::Delete(p, n) => {
                let i = at(*p, b.len());
                let j = (i + n).min(b.len());
                b.drain(i..j);
            }
            Edit::Number(n, v) => {
                let spans = number_spans(&b);
                if !spans.is_empty() {
                    let (i, j) = spans[n % spans.len()];
                    b.splice(i..j, v.bytes());
                }
            }
            Edit::DuplicateLine(p) => {
                let i = at(*p, b.len());
                let start = b[..i]
                    .iter()
                    .rposition(|c| *c == b'\n')
                    .map_or(0, |s| s + 1);
                let end = b[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(b.len(), |e| i + e + 1);
                let line = b[start..end].to_vec();
                b.splice(end..end, line);
            }
            _ => {}
        }
        b.truncate(MAX_LEN);
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// A library file with a few edits, and the file it came from.
fn mutated_file() -> impl Strategy<Value = (PathBuf, String)> {
    (0..real_files().len(), prop::collection::vec(edit(), 1..5)).prop_map(|(i, edits)| {
        let (path, text) = &real_files()[i];
        (path.clone(), apply_edits(text, &edits))
    })
}

/// Text made of TOML's own tokens, so the parser sees near-misses rather than noise.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        prop::sample::select(vec![
            "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "\n", " ",
            "#", "\\", "\r", "\t"
        ])
        .prop_map(str::to_string),
        key_text(),
        scalar_text(),
    ];
    prop::collection::vec(token, 0..80).prop_map(|t| t.concat())
}

/// Arbitrary text: unicode strings and lossily decoded bytes.
fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..2048)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        token_soup(),
    ]
}

// ----------------------------------------------------------------------------------------------
// The fuzz properties
// ----------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn scenario_loader_on_shaped_documents(text in toml_document()) {
        check_scenario_text(&text)?;
    }

    #[test]
    fn scenario_loader_checks_every_value_against_its_range(text in parameter_document()) {
        check_scenario_text(&text)?;
    }

    #[test]
    fn scenario_loader_on_interventions(text in intervention_document()) {
        check_scenario_text(&text)?;
    }

    #[test]
    fn every_loader_on_mutated_library_files((path, text) in mutated_file()) {
        // Each file through its own loader (with its folder for relative paths), then all.
        let dir = path.parent().unwrap().to_path_buf();
        if dir.ends_with("validation") {
            check_game_text(&text, &dir)?;
        }
        check_all_loaders(&text)?;
    }

    #[test]
    fn every_loader_on_arbitrary_text(text in arbitrary_text()) {
        check_all_loaders(&text)?;
        check_lattice_text(&text)?;
    }

    #[test]
    fn set_values(key in key_text(), value in prop_oneof![value_text(), any::<String>(), number_text()]) {
        check_set(&format!("{key}={value}"))?;
        check_set(&format!("{}={value}", key.trim_matches('"')))?;
        for scenario_key in ["scenario.seed", "scenario.ticks"] {
            check_set(&format!("{scenario_key}={value}"))?;
        }
    }

    #[test]
    fn set_arbitrary(text in any::<String>()) {
        check_set(&text)?;
    }

    #[test]
    fn experiment_loader_on_shaped_documents(text in experiment_document()) {
        check_experiment_text(&text)?;
    }

    #[test]
    fn game_loader_on_shaped_documents(text in game_document()) {
        check_game_text(&text, empty_dir())?;
    }

    #[test]
    fn game_set_values(
        kind in prop::sample::select(vec!["nowak_may", "spatial_pgg", "well_mixed", "logit_pgg", "weakest_link", "bush_mosteller", "conditional_pgg"]),
        key in prop::sample::select(vec!["game.L", "game.b", "game.p0", "game.r", "game.K", "game.init", "game.population", "game.group_size", "game.rule", "game.kind", "game.x", "game.n", "game.agents", "game.forgetting", "game.free_rider_share", "game.T", "scenario.seed", "scenario.ticks", "L", "motivation.media"]),
        value in prop_oneof![number_text(), any::<String>(), Just("fermi".to_string()), Just("well_mixed".to_string()), Just("macy_flache".to_string()), Just("organisations".to_string())],
    ) {
        let start = game::load_str(&format!("[game]\nkind = \"{kind}\"\n"), "x.toml", empty_dir()).unwrap();
        check_game_set(&start, &format!("{key}={value}"))?;
        check_game_set(&start, &value)?;
    }

    #[test]
    fn manifests_with_a_value_replaced(i in 0..64usize, path_seed in any::<u64>(), value in json_value()) {
        let manifests = real_manifests();
        let mut json: serde_json::Value = serde_json::from_str(&manifests[i % manifests.len()]).unwrap();
        replace_somewhere(&mut json, path_seed, value);
        let text = json.to_string();
        check_manifest_text(&text)?;
        check_game_manifest_text(&text)?;
    }

    #[test]
    fn manifests_mutated_as_bytes(i in 0..64usize, edits in prop::collection::vec(edit(), 1..5)) {
        let manifests = real_manifests();
        let text = apply_edits(&manifests[i % manifests.len()], &edits);
        check_manifest_text(&text)?;
        check_game_manifest_text(&text)?;
    }

    #[test]
    fn manifests_of_any_json(value in json_value()) {
        let text = value.to_string();
        check_manifest_text(&text)?;
        check_game_manifest_text(&text)?;
    }

    #[test]
    fn lattice_files(rows in prop::collection::vec("[01]{0,12}|[01 \t2x]{0,5}|", 0..14), crlf in any::<bool>()) {
        let text = rows.join(if crlf { "\r\n" } else { "\n" });
        check_lattice_text(&text)?;
    }
}

/// Replaces one node of `json` (chosen by `seed`) with `value`.
fn replace_somewhere(json: &mut serde_json::Value, mut seed: u64, value: serde_json::Value) {
    let mut node = json;
    loop {
        let children = match node {
            serde_json::Value::Object(m) => m.len(),
            serde_json::Value::Array(a) => a.len(),
            _ => 0,
        };
        // Stop here with probability 1/4, or at a leaf.
        if children == 0 || seed % 4 == 0 {
            *node = value;
            return;
        }
        seed /= 4;
        let pick = (seed % children as u64) as usize;
        seed = seed.rotate_right(7) ^ 0x9E37_79B9_7F4A_7C15;
        node = match node {
            serde_json::Value::Object(m) => m.values_mut().nth(pick).unwrap(),
            serde_json::Value::Array(a) => &mut a[pick],
            _ => unreachable!(),
        };
    }
}

// ----------------------------------------------------------------------------------------------
// The corpus of inputs that once failed
// ----------------------------------------------------------------------------------------------

/// Replays `tests/corpus/<loader>/*`: each file is one input for the loader its folder names
/// (`scenario`, `manifest`, `set`, `experiment`, `game`, `game-manifest`, `lattice`, and
/// `run-timeseries` for `plot` and `report`). None may panic or hang; most are refused, and a
/// refusal names the file.
#[test]
fn every_corpus_input_is_refused_or_loaded_cleanly() {
    let root = repo().join("tests").join("corpus");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root)
        .expect("tests/corpus exists")
        .flatten()
    {
        let loader = dir.file_name().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let result = match loader.as_str() {
                "scenario" => check_scenario_text(&text),
                "manifest" => check_manifest_text(&text),
                "set" => check_set(text.strip_suffix('\n').unwrap_or(&text)),
                "experiment" => check_experiment_text(&text),
                "game" => check_game_text(&text, empty_dir()),
                "game-manifest" => check_game_manifest_text(&text),
                "lattice" => check_lattice_text(&text),
                // A run's timeseries.csv, with the other files of a real run.
                "run-timeseries" => {
                    let mut files = real_run_files().to_vec();
                    files[0].1 = text.clone();
                    check_run_files(files, &path.display().to_string())
                }
                other => panic!("tests/corpus/{other}: unknown loader folder"),
            };
            if let Err(e) = result {
                panic!("{}: {e}", path.display());
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "the corpus is empty");
}

// ----------------------------------------------------------------------------------------------
// Deep nesting: no stack overflow
// ----------------------------------------------------------------------------------------------

const DEEP: usize = 100_000;

fn deep_toml() -> Vec<(&'static str, String)> {
    let dotted = vec!["a"; DEEP].join(".");
    vec![
        (
            "arrays",
            format!(
                "[motivation]\nx = {}{}\n",
                "[".repeat(DEEP),
                "]".repeat(DEEP)
            ),
        ),
        ("unclosed arrays", format!("x = {}\n", "[".repeat(DEEP))),
        (
            "inline tables",
            format!(
                "[motivation]\nx = {}1{}\n",
                "{a=".repeat(DEEP),
                "}".repeat(DEEP)
            ),
        ),
        (
            "unclosed inline tables",
            format!("x = {}\n", "{a=".repeat(DEEP)),
        ),
        ("dotted key", format!("[motivation]\n{dotted} = 1\n")),
        ("table header", format!("[{dotted}]\n")),
        ("section table header", format!("[motivation.{dotted}]\n")),
        ("array of tables", format!("[[{dotted}]]\n")),
        (
            "design factors",
            format!("[design]\nkind = \"grid\"\n[design.factors.{dotted}]\n"),
        ),
        (
            "intervention set",
            format!("[[interventions]]\ntick = 1\nset = {{ {dotted} = 1 }}\n"),
        ),
        (
            "game table",
            format!("[game]\nkind = \"nowak_may\"\n{dotted} = 1\n"),
        ),
    ]
}

/// Deep nesting, on a thread with the default test stack (2 MiB, smaller than a main thread's).
#[test]
fn deeply_nested_toml_and_json_are_refused_without_overflowing_the_stack() {
    for (what, text) in deep_toml() {
        let e = scenario::load_str(&text, "deep.toml")
            .err()
            .unwrap_or_else(|| panic!("{what}: loaded"));
        assert!(e.to_string().starts_with("deep.toml"), "{what}: {e}");
        assert!(
            experiment::load_str(&text, "deep.toml", None).is_err(),
            "{what}"
        );
        assert!(
            game::load_str(&text, "deep.toml", empty_dir()).is_err(),
            "{what}"
        );
    }
    let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let objects = format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    let in_params = format!(
        "{{\"scenario\":{{}},\"seed\":1,\"ticks\":1,\"params\":{{\"motivation\":{}}}}}",
        objects
    );
    for (what, text) in [
        ("arrays", &arrays),
        ("objects", &objects),
        ("params", &in_params),
    ] {
        let e = scenario::load_manifest_str(text, "deep.json")
            .err()
            .unwrap_or_else(|| panic!("{what}: loaded"));
        assert!(e.to_string().starts_with("deep.json"), "{what}: {e}");
        assert!(
            game::load_manifest_str(text, "deep.json", empty_dir()).is_err(),
            "{what}"
        );
    }
    for text in [&arrays, &objects] {
        assert!(Lattice::parse(text).is_err());
    }
}

/// The same through the binary: exit 2 and one line naming the file, for every loader.
#[test]
fn the_binary_refuses_deeply_nested_files_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = tmp.path().join("deep.toml");
    std::fs::write(&toml, &deep_toml()[0].1).unwrap();
    let json = tmp.path().join("deep.json");
    std::fs::write(&json, format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP))).unwrap();
    let out = tmp.path().join("out");
    for args in [
        vec![
            "run",
            toml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        vec![
            "run",
            json.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        vec![
            "sweep",
            toml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = cogov(tmp.path(), &args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("deep."), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!out.exists());
    }
}

// ----------------------------------------------------------------------------------------------
// Absurd but parseable files through the binary: refused before anything is allocated
// ----------------------------------------------------------------------------------------------

fn cogov(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cogov"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the cogov binary runs")
}

/// Every territory size at its maximum, except what keeps resident ids addressable, so that only
/// the memory estimate can refuse it.
const HUGE_BUT_ADDRESSABLE: &str = "[territory]
districts = 64
streets_per_district = 400
communities_per_street = 400
grids_per_community = 100
residents_per_grid = 1
residents_spread = 0.9
enterprises_per_grid = 100
social_orgs_per_community = 100
domains = 16
";

#[test]
fn absurd_cities_are_refused_with_a_message_and_before_allocation() {
    let tmp = tempfile::tempdir().unwrap();
    let every_max = "[territory]\ndistricts = 64\nstreets_per_district = 400\ncommunities_per_street = 400\ngrids_per_community = 100\nresidents_per_grid = 50000\nresidents_spread = 0.9\n";
    let cases: [(&str, &str, &[&str]); 4] = [
        ("every territory size at its maximum", every_max, &["more than cogov can address", "reduce territory sizes"]),
        ("a city that only the memory estimate refuses", HUGE_BUT_ADDRESSABLE, &["GiB", "is available", "reduce territory sizes"]),
        ("at most 10000 weeks", "[scenario]\nticks = 10001\n", &["scenario.ticks", "1..=10000"]),
        ("arrivals at their maximum in the largest addressable city", "[territory]\ndistricts = 64\nstreets_per_district = 400\ncommunities_per_street = 400\ngrids_per_community = 1\nresidents_per_grid = 150\n[issues]\narrival_per_1000 = 1000\n", &["GiB", "reduce territory sizes"]),
    ];
    for (what, text, needles) in cases {
        let file = tmp.path().join("absurd.toml");
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join("run");
        let started = Instant::now();
        let o = cogov(
            tmp.path(),
            &[
                "run",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {stderr}");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{what}: one line: {stderr}"
        );
        for n in needles {
            assert!(stderr.contains(n), "{what}: expected `{n}` in: {stderr}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: refused only after {:?}",
            started.elapsed()
        );
        assert!(!out.exists(), "{what}: no output directory");
    }
    // The same city through --set, and as the base of a sweep (run on every worker at once).
    let mut args = vec!["run", "--out", "never"];
    let sets: Vec<String> = HUGE_BUT_ADDRESSABLE
        .lines()
        .skip(1)
        .map(|l| format!("territory.{}", l.replace(" = ", "=")))
        .collect();
    for s in &sets {
        args.extend(["--set", s.as_str()]);
    }
    let o = cogov(tmp.path(), &args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("GiB"), "{stderr}");
    let base: String = HUGE_BUT_ADDRESSABLE
        .lines()
        .skip(1)
        .map(|l| format!("territory.{l}\n"))
        .collect();
    let exp = tmp.path().join("huge-sweep.toml");
    std::fs::write(&exp, format!("[experiment]\nticks = 2\n[base]\n{base}\n[design]\nkind = \"grid\"\n[design.factors]\n\"tools.media_pressure\" = [0.1, 0.2]\n")).unwrap();
    let out = tmp.path().join("sweep");
    let o = cogov(
        tmp.path(),
        &[
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("GiB"), "{stderr}");
    assert!(!out.exists(), "a refused sweep writes nothing");
    assert!(!tmp.path().join("never").exists());
}

/// Runs cogov under an address-space limit of `kib` KiB (`ulimit -v`, as batch systems set).
#[cfg(target_os = "linux")]
fn cogov_under_ulimit(cwd: &Path, kib: u64, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .current_dir(cwd)
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cogov"))
        .args(args)
        .output()
        .expect("sh runs")
}

/// The guard honours `ulimit -v`: a 10-million-resident city under a 200 MiB address space is
/// refused naming the limit (it once ended in SIGABRT with a backtrace, the guard reading only
/// `MemAvailable`). The cgroup limits are read the same way (unit tests in `cli::memory`).
#[cfg(target_os = "linux")]
#[test]
fn a_city_beyond_the_address_space_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let city = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/city.toml");
    let out = tmp.path().join("run");
    let o = cogov_under_ulimit(
        tmp.path(),
        200 << 10,
        &[
            "run",
            city.to_str().unwrap(),
            "--ticks",
            "2",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    for n in [
        "GiB",
        "address-space limit (ulimit -v)",
        "reduce territory sizes",
    ] {
        assert!(stderr.contains(n), "expected `{n}` in: {stderr}");
    }
    assert!(!out.exists());
}

/// The backlog is part of the estimate: a small city with arrivals at their maximum and issues
/// that live 20 years is refused before it starts, naming the two parameters (it once grew its
/// backlog by gigabytes a minute until it aborted).
#[test]
fn a_backlog_that_would_outgrow_memory_is_refused_naming_its_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let args = [
        "run",
        "--set",
        "issues.arrival_per_1000=1000",
        "--set",
        "issues.max_age_ticks=1040",
        "--ticks",
        "1040",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ];
    // Refused on any machine with under a few TiB (the default city, 20 times the residents)...
    let mut big = args.to_vec();
    big.extend(["--set", "territory.residents_per_grid=12000"]);
    let mut outputs = vec![cogov(tmp.path(), &big)];
    // ...and, under a 2 GiB address space, the default city itself.
    #[cfg(target_os = "linux")]
    outputs.push(cogov_under_ulimit(tmp.path(), 2 << 20, &args));
    for o in outputs {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        for n in [
            "backlog of open issues",
            "issues.arrival_per_1000 = 1000",
            "issues.max_age_ticks = 1040",
        ] {
            assert!(stderr.contains(n), "expected `{n}` in: {stderr}");
        }
        assert!(!out.exists());
    }
    // The same through an intervention that raises the arrival rate in week 10.
    let file = tmp.path().join("later.toml");
    std::fs::write(
        &file,
        "[territory]\nresidents_per_grid = 12000\n[issues]\nmax_age_ticks = 1040\n[[interventions]]\ntick = 10\nset = { \"issues.arrival_per_1000\" = 1000.0 }\n",
    )
    .unwrap();
    let o = cogov(
        tmp.path(),
        &[
            "run",
            file.to_str().unwrap(),
            "--ticks",
            "1040",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("issues.arrival_per_1000 = 1000"),
        "{stderr}"
    );
}

/// `compare --reps` is checked against the memory before the results are allocated (four
/// billion replications once aborted allocating their result vector), and writes nothing.
#[test]
fn compare_with_absurd_reps_is_refused_before_allocating() {
    let tmp = tempfile::tempdir().unwrap();
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let d = default.to_str().unwrap();
    let out = tmp.path().join("c.csv");
    let started = Instant::now();
    let o = cogov(
        tmp.path(),
        &[
            "compare",
            d,
            d,
            "--reps",
            "4000000000",
            "--ticks",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    for n in [
        "the results of --reps 4000000000",
        "GiB",
        "use fewer --reps",
    ] {
        assert!(stderr.contains(n), "expected `{n}` in: {stderr}");
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.exists());
}

/// A million-point design passes the design limits but its manifest and statistics need
/// gigabytes: under a 2 GiB address space it is refused before the directory is made (it
/// once aborted building the manifest and left an empty directory behind).
#[cfg(target_os = "linux")]
#[test]
fn a_design_too_large_for_memory_is_refused_leaving_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("big.toml");
    std::fs::write(
        &exp,
        "[experiment]\nticks = 1\n[design]\nkind = \"grid\"\n[design.factors]\n\"tools.media_pressure\" = { from = 0.0, to = 0.999, step = 0.001 }\n\"motivation.responsibility_lists\" = { from = 0.0, to = 0.999, step = 0.001 }\n",
    )
    .unwrap();
    let out = tmp.path().join("s");
    let o = cogov_under_ulimit(
        tmp.path(),
        2 << 20,
        &[
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for n in [
        "1000000 design points",
        "GiB",
        "ulimit -v",
        "use fewer design points",
    ] {
        assert!(stderr.contains(n), "expected `{n}` in: {stderr}");
    }
    assert!(!out.exists(), "a refused sweep leaves no directory");
}

/// A sweep killed before its manifest was written leaves a directory with nothing in it (or a
/// half-written `manifest.json.tmp`): it no longer blocks a new sweep or `--resume` (both once
/// refused it, "already exists" and "nothing to resume").
#[test]
fn a_sweep_directory_left_before_its_manifest_blocks_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("e.toml");
    std::fs::write(
        &exp,
        "[experiment]\nticks = 2\n[base]\n\"territory.districts\" = 1\n\"territory.streets_per_district\" = 1\n[design]\nkind = \"grid\"\n[design.factors]\n\"tools.media_pressure\" = [0.1, 0.2]\n",
    )
    .unwrap();
    for resume in [false, true] {
        let out = tmp.path().join(format!("s{resume}"));
        std::fs::create_dir_all(out.join("timeseries")).unwrap();
        std::fs::write(out.join("manifest.json.tmp"), "{\"cogov_ver").unwrap();
        let mut args = vec![
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--no-charts",
        ];
        if resume {
            args.push("--resume");
        }
        let o = cogov(tmp.path(), &args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "resume {resume}: {stderr}");
        assert!(out.join("points.csv").is_file());
        assert!(!out.join("manifest.json.tmp").exists());
    }
    // A directory with anything else in it is still protected.
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.md"), "mine").unwrap();
    let o = cogov(
        tmp.path(),
        &[
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
}

/// Severity growth at its maximum over twenty years stays finite (it once ran to the end and
/// then failed with "non-finite value in column cost_transaction"; the model now stops growth
/// at the major-risk threshold). Should any value still leave the finite numbers, the run stops
/// at that week naming the parameters away from their defaults (`run::NonFinite`).
#[test]
fn maximal_severity_growth_over_twenty_years_stays_finite() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = cogov(
        tmp.path(),
        &[
            "run",
            "--set",
            "issues.severity_growth=1",
            "--set",
            "issues.max_age_ticks=1040",
            "--ticks",
            "1040",
            "--set",
            "territory.districts=1",
            "--set",
            "territory.streets_per_district=2",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "-q",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for file in ["timeseries.csv", "summary.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        for cell in text.lines().skip(1).flat_map(|l| l.split(',')) {
            let x: f64 = cell.parse().unwrap();
            assert!(x.is_finite() && x.abs() < 1e15, "{file}: {cell}");
        }
    }
}

/// `--set` flags are checked for size together, so their order does not matter (growing the
/// city before shrinking its grids was once refused on the way).
#[test]
fn the_order_of_set_flags_does_not_matter() {
    let grow_then_shrink = [
        "territory.districts=64",
        "territory.streets_per_district=400",
        "territory.communities_per_street=400",
        "territory.residents_per_grid=1",
    ];
    let mut shrink_then_grow = grow_then_shrink;
    shrink_then_grow.reverse();
    for order in [grow_then_shrink, shrink_then_grow] {
        let mut sc = Scenario::default();
        scenario::apply_overrides(&mut sc, &order).unwrap_or_else(|e| panic!("{order:?}: {e}"));
        assert_eq!(sc.params.territory.communities_per_street, 400);
    }
    let mut sc = Scenario::default();
    let e = scenario::apply_overrides(&mut sc, &grow_then_shrink[..3])
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("--set: ") && e.contains("more than cogov can address"),
        "{e}"
    );
}

/// Designs too large to hold are refused before they are expanded (they once filled memory).
#[test]
fn absurd_designs_are_refused_before_expansion() {
    let keys = [
        "motivation.incentive_compatibility",
        "motivation.responsibility_lists",
        "tools.media_pressure",
        "territory.residents_spread",
        "behaviour.motivation_sd",
    ];
    let mut grid = String::from("[design]\nkind = \"grid\"\n[design.factors]\n");
    for k in keys {
        grid.push_str(&format!(
            "\"{k}\" = {{ from = 0.0, to = 0.9, step = 0.0001 }}\n"
        ));
    }
    let mut lhs = String::from("[design]\nkind = \"lhs\"\npoints = 10000000\n[design.ranges]\n");
    // 100000 trajectories of 13 points each.
    let mut morris =
        String::from("[design]\nkind = \"morris\"\ntrajectories = 100000\n[design.ranges]\n");
    for k in keys {
        lhs.push_str(&format!("\"{k}\" = [0.0, 0.5]\n"));
    }
    for spec in param_specs()
        .iter()
        .filter(|s| s.kind == ParamKind::Float && s.min < s.max)
        .take(12)
    {
        morris.push_str(&format!(
            "\"{}\" = [{:?}, {:?}]\n",
            spec.key, spec.min, spec.max
        ));
    }
    let many_reps = "[experiment]\nreplications = 1000000\n[design]\nkind = \"lhs\"\npoints = 1000\n[design.ranges]\n\"tools.media_pressure\" = [0.0, 0.5]\n";
    for (what, text) in [
        ("grid", grid.as_str()),
        ("lhs", &lhs),
        ("morris", &morris),
        ("replications", many_reps),
    ] {
        let started = Instant::now();
        let e = match experiment::load_str(text, "big.toml", None) {
            Ok(exp) => panic!("{what}: loaded with {} points", exp.points.len()),
            Err(e) => e.to_string(),
        };
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what}: took {:?}",
            started.elapsed()
        );
        assert!(
            e.starts_with("big.toml: design: ") && e.contains("at most"),
            "{what}: {e}"
        );
    }
}

/// Blank lines inside a lattice file are scanned once, not once per blank line (a file of many
/// blank lines followed by a row once took quadratic time).
#[test]
fn lattice_files_with_many_blank_lines_parse_in_linear_time() {
    for text in [
        format!("{}111\n", "\n".repeat(200_000)),
        format!("111\n{}111\n111\n", "\n".repeat(200_000)),
        "\n".repeat(200_000),
    ] {
        let started = Instant::now();
        assert!(Lattice::parse(&text).is_err());
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }
}

/// Inputs are read with a size limit: an endless file is refused, not read into memory.
#[test]
fn endless_and_oversized_input_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let big = tmp.path().join("big.toml");
    std::fs::write(
        &big,
        format!(
            "# {}\n",
            "x".repeat((scenario::MAX_FILE_BYTES + 10) as usize)
        ),
    )
    .unwrap();
    let lattice_dir = tmp.path().join("game");
    std::fs::create_dir(&lattice_dir).unwrap();
    let endless_game = lattice_dir.join("endless.toml");
    std::fs::write(
        &endless_game,
        "[game]\nkind = \"nowak_may\"\ninit = \"/dev/zero\"\n",
    )
    .unwrap();
    let endless_base = tmp.path().join("endless-base.toml");
    std::fs::write(&endless_base, "[experiment]\nbase = \"/dev/zero\"\n[design]\nkind = \"packages\"\n[[design.packages]]\nname = \"a\"\n").unwrap();
    for (args, needle) in [
        (
            vec!["run", "/dev/zero", "--out", out.to_str().unwrap()],
            "too large",
        ),
        (
            vec!["run", big.to_str().unwrap(), "--out", out.to_str().unwrap()],
            "too large",
        ),
        (
            vec!["sweep", "/dev/zero", "--out", out.to_str().unwrap()],
            "too large",
        ),
        (
            vec![
                "run",
                endless_game.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            "too large",
        ),
        (
            vec![
                "sweep",
                endless_base.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            "no scenario file",
        ),
    ] {
        let started = Instant::now();
        let o = cogov(tmp.path(), &args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
        assert!(!out.exists());
    }
}

/// A scenario piped in (`cogov run /dev/stdin`) is read once, by the loader, not swallowed by
/// the check for a game file (which once made it run the default city under the name
/// "unnamed").
#[test]
fn a_scenario_piped_through_stdin_is_the_one_that_runs() {
    use std::io::Write as _;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("piped");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogov"))
        .current_dir(tmp.path())
        .args([
            "run",
            "/dev/stdin",
            "-q",
            "--no-charts",
            "--ticks",
            "2",
            "--out",
            out.to_str().unwrap(),
        ])
        .args([
            "--set",
            "territory.districts=1",
            "--set",
            "territory.streets_per_district=1",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"[scenario]\nname = \"piped\"\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"name\": \"piped\""), "{manifest}");
}

// ----------------------------------------------------------------------------------------------
// Run directories, as `cogov plot` and `cogov report` read them
// ----------------------------------------------------------------------------------------------

/// The files of one small real run (`timeseries.csv`, `summary.csv`, `manifest.json`).
fn real_run_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let o = cogov(
            tmp.path(),
            &[
                "run",
                "-q",
                "--no-charts",
                "--ticks",
                "12",
                "--out",
                out.to_str().unwrap(),
                "--set",
                "territory.districts=2",
                "--set",
                "territory.streets_per_district=2",
                "--set",
                "territory.communities_per_street=3",
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ["timeseries.csv", "summary.csv", "manifest.json"]
            .iter()
            .map(|f| (f.to_string(), std::fs::read_to_string(out.join(f)).unwrap()))
            .collect()
    })
}

/// Reading a run directory with one file mutated, building every chart in both languages,
/// drawing them as SVG and writing the HTML report: an error or a picture, never a panic.
fn check_run_dir(file: usize, edits: &[Edit]) -> Result<(), TestCaseError> {
    let files = real_run_files()
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            let text = if i == file {
                apply_edits(text, edits)
            } else {
                text.clone()
            };
            (name.clone(), text)
        })
        .collect();
    check_run_files(files, &format!("{edits:?}"))
}

/// The files of a run directory through `plot` and `report`, on a thread with a time limit.
fn check_run_files(files: Vec<(String, String)>, what: &str) -> Result<(), TestCaseError> {
    use cogov::charts::{render, report, run_figures, Lang, RunData};
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in &files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let dir = tmp.path().to_path_buf();
    // On a thread, so that a hang (a chart library looping forever) fails the case instead
    // of the whole test binary; the stuck thread is left behind.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let drawn = catch_unwind(AssertUnwindSafe(|| {
            let Ok(data) = RunData::read(&dir) else {
                return;
            };
            for lang in [Lang::En, Lang::Zh] {
                if let Ok(figs) = run_figures(&data, lang) {
                    for f in &figs {
                        let _ = render::svg(f);
                    }
                }
                let _ = report::html(&data, lang);
            }
        }));
        let _ = done.send(drawn.is_ok());
        drop(tmp);
    });
    match finished.recv_timeout(SLOW * 2) {
        Ok(true) => Ok(()),
        Ok(false) => Err(TestCaseError::fail(format!(
            "plot or report panicked on {what}"
        ))),
        Err(_) => Err(TestCaseError::fail(format!(
            "plot or report hung on {what}"
        ))),
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn plot_and_report_on_mutated_run_directories(
        file in 0..3usize,
        // Mostly numbers replaced, so that the files still parse and the charts get drawn.
        edits in prop::collection::vec(prop_oneof![
            4 => (any::<usize>(), number_text()).prop_map(|(n, v)| Edit::Number(n, v)),
            1 => edit(),
        ], 1..6),
    ) {
        check_run_dir(file, &edits)?;
    }
}

/// The harness above draws real charts: an unchanged run directory gives figures.
#[test]
fn an_unchanged_run_directory_gives_charts_and_a_report() {
    use cogov::charts::{run_figures, Lang, RunData};
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in real_run_files() {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let data = RunData::read(tmp.path()).unwrap();
    assert!(run_figures(&data, Lang::Zh).unwrap().len() >= 4);
    assert!(check_run_dir(0, &[]).is_ok());
}
