//! `manifest.json`: one typed structure, one writer and one reader for every output cogov
//! writes — a city run (`kind = "run"`), a canonical game (`"game"`), a sweep (`"sweep"`, with
//! its base scenario as a nested manifest of kind `"base"`), a validation directory
//! (`"validation"`). (`place::manifest_kind` still reads any JSON as a value: it must name what a
//! foreign `manifest.json` holds before refusing to delete it.)
//!
//! The fields are declared in the order the file has always listed them (alphabetical, as
//! serde_json's map sorts), so manifests keep their bytes. What a field means for a model —
//! the city's `params` and `interventions`, a game's `game` table — is read back by that model
//! (`run::Model::from_manifest`); this module only knows the shape. A model's values stay
//! untyped JSON here on purpose: the model's own table decides what they may be.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The descriptive fields of the scenario a run used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioMeta {
    pub description_en: String,
    pub description_zh: String,
    pub name: String,
    pub title_en: String,
    pub title_zh: String,
}

/// One intervention of a city run: its week, labels and parameter changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterventionRecord {
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub label_zh: String,
    pub set: Map<String, Value>,
    pub tick: u64,
}

/// One week of role-play choices of a city run (`scenario::choices`): organisation name →
/// action word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChoiceRecord {
    pub actors: Map<String, Value>,
    pub tick: u64,
}

/// What a sweep's manifest says of its experiment (the experiment file's text is in
/// `experiment_source`; this is for people and for `cogov plot`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentRecord {
    pub base_seed: u64,
    pub common_random_numbers: bool,
    pub description_en: String,
    pub description_zh: String,
    pub design: String,
    pub name: String,
    pub replications: u32,
    pub runs: u64,
    pub timeseries: bool,
    pub title_en: String,
    pub title_zh: String,
}

/// One design point of a sweep: its id, label and parameter values (as text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    pub id: u32,
    pub label: String,
    pub set: Map<String, Value>,
}

/// Which shard of a sweep a directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    pub count: u32,
    pub index: u32,
}

/// A `manifest.json`. `kind` says which output it belongs to; the other fields are present as
/// that kind needs them: a run's scenario, a game's table, a sweep's experiment and base
/// scenario, a validation output's `mode`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// A sweep's base scenario, as the manifest of a run of it (`kind = "base"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Box<Manifest>>,
    /// A city run's role-play choices, when people played organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<ChoiceRecord>>,
    /// Always written; a manifest without it is still read (its model's fields decide).
    #[serde(default)]
    pub cogov_version: String,
    /// Whether a sweep (shard) ran every one of its runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ExperimentRecord>,
    /// A sweep's experiment file, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_source: Option<String>,
    /// What shards of one sweep share (`Experiment::fingerprint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// A game's `[game]` table, resolved: `kind` and every key of its table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interventions: Option<Vec<InterventionRecord>>,
    #[serde(default)]
    pub kind: String,
    /// `quick` or `full` (a validation output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Every city parameter, `{section: {key: value}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
    /// A sweep's design points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<PointRecord>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticks: Option<u64>,
}

impl Manifest {
    /// A manifest of `kind` written by this cogov, with nothing else yet.
    pub fn new(kind: &str) -> Manifest {
        Manifest {
            base: None,
            choices: None,
            cogov_version: env!("CARGO_PKG_VERSION").to_string(),
            complete: None,
            experiment: None,
            experiment_source: None,
            fingerprint: None,
            game: None,
            interventions: None,
            kind: kind.to_string(),
            mode: None,
            params: None,
            points: None,
            scenario: None,
            seed: None,
            shard: None,
            ticks: None,
        }
    }

    /// The manifest as a JSON value (a sweep nests its base's; the fingerprint hashes it).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a manifest is plain data")
    }

    /// The one writer: pretty JSON and a newline.
    pub fn write<W: Write>(&self, out: W) -> io::Result<()> {
        super::write_json(out, &self.to_value())
    }

    /// The one reader: `text` of `file` as a manifest. Refuses invalid JSON, an object holding
    /// a key twice (serde_json would keep the last silently) and fields of the wrong type, naming
    /// the line.
    pub fn parse(text: &str, file: &str) -> Result<Manifest, crate::scenario::ConfigError> {
        let err = |line: usize, message: String| crate::scenario::ConfigError {
            file: file.to_string(),
            line: Some(line),
            column: None,
            key: None,
            message,
        };
        serde_json::from_str::<crate::scenario::UniqueKeys>(text)
            .map_err(|e| err(e.line(), format!("invalid JSON: {e}")))?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| err(e.line(), format!("invalid JSON: {e}")))?;
        if !value.is_object() {
            return Err(crate::scenario::ConfigError {
                line: None,
                ..err(0, "expected a JSON object (a cogov manifest)".into())
            });
        }
        serde_json::from_str(text).map_err(|e| {
            err(
                e.line(),
                format!("not a cogov manifest: {}", strip_position(&e.to_string())),
            )
        })
    }
}

/// serde_json's message without its trailing "at line L column C" (the error names the line).
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_round_trip_and_keep_their_key_order() {
        let mut m = Manifest::new("validation");
        m.mode = Some("quick".into());
        let mut buf = Vec::new();
        m.write(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            format!(
                "{{\n  \"cogov_version\": \"{}\",\n  \"kind\": \"validation\",\n  \"mode\": \"quick\"\n}}\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(Manifest::parse(&text, "m.json").unwrap(), m);
    }

    #[test]
    fn bad_manifests_are_refused_naming_the_line() {
        let e = Manifest::parse("{\"kind\": \"run\",\n\"seed\": -1}", "m.json").unwrap_err();
        assert!(
            e.to_string().starts_with("m.json:2: not a cogov manifest"),
            "{e}"
        );
        let e = Manifest::parse("{\"kind\": \"run\", \"kind\": \"game\"}", "m.json").unwrap_err();
        assert!(e.to_string().contains("duplicate key `kind`"), "{e}");
        let e = Manifest::parse("[1]", "m.json").unwrap_err();
        assert!(e.to_string().contains("expected a JSON object"), "{e}");
    }
}
