//! `Scenario` → TOML text that `load_str` reads back to an equal `Scenario`: how the classroom
//! server (`serve/`) exports a class run so that `cogov run` repeats it.
//!
//! Only parameters away from their defaults are written (as scenario files do), each section
//! in table order, then the interventions in the order given. Comments and the layout of the
//! file a scenario came from are not kept; the manifest remains the full record of a run.

use std::fmt::Write;

use super::{changed_params, Scenario};
use crate::model::params::ParamValue;

/// The scenario as a TOML document; `load_str(&scenario_toml(sc), …) == Ok(sc.clone())`.
pub fn scenario_toml(sc: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "[scenario]");
    for (key, text) in [
        ("name", &sc.name),
        ("title_en", &sc.title_en),
        ("title_zh", &sc.title_zh),
        ("description_en", &sc.description_en),
        ("description_zh", &sc.description_zh),
    ] {
        let _ = writeln!(out, "{key} = {}", string(text));
    }
    let _ = writeln!(out, "seed = {}\nticks = {}", sc.seed, sc.ticks);
    let mut section = "";
    for (key, value) in changed_params(&sc.params) {
        let (head, field) = key.split_once('.').unwrap_or(("", key));
        if head != section {
            section = head;
            let _ = writeln!(out, "\n[{section}]");
        }
        let _ = writeln!(out, "{field} = {}", value_text(value));
    }
    for l in &sc.interventions {
        let set: Vec<String> = l
            .intervention
            .changes
            .iter()
            .map(|(k, v)| format!("{} = {}", string(k), value_text(*v)))
            .collect();
        let _ = writeln!(
            out,
            "\n[[interventions]]\ntick = {}\nlabel_en = {}\nlabel_zh = {}\nset = {{ {} }}",
            l.intervention.tick,
            string(&l.label_en),
            string(&l.label_zh),
            set.join(", ")
        );
    }
    for week in super::choices::choice_records(sc).unwrap_or_default() {
        let actors: Vec<String> = week
            .actors
            .iter()
            .map(|(k, v)| format!("{} = {v}", string(k)))
            .collect();
        let _ = writeln!(
            out,
            "\n[[choices]]\ntick = {}\nactors = {{ {} }}",
            week.tick,
            actors.join(", ")
        );
    }
    out
}

/// A TOML basic string: JSON's escapes (`\"`, `\\`, `\n`, `\uXXXX`) are all valid TOML.
fn string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Floats through `Debug`, which keeps a decimal point or an exponent (`1.0`, `1e-7`) and the
/// shortest digits that read back to the same bits.
fn value_text(v: ParamValue) -> String {
    match v {
        ParamValue::Float(x) => format!("{x:?}"),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Bool(b) => b.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Intervention;
    use crate::scenario::{load_str, LabelledIntervention, DEFAULT_SCENARIO};

    #[test]
    fn a_written_scenario_reads_back_equal() {
        let mut sc = load_str(DEFAULT_SCENARIO, "default.toml").unwrap();
        sc.title_zh = "引号\"与\\反斜杠\n换行".into();
        sc.seed = 7;
        sc.params
            .set(
                "motivation.incentive_compatibility",
                ParamValue::Float(0.1 + 0.2),
            )
            .unwrap();
        sc.params
            .set("tools.superior_attention", ParamValue::Float(1e-7))
            .unwrap();
        sc.interventions.push(LabelledIntervention {
            label_en: "class".into(),
            label_zh: "课堂".into(),
            intervention: Intervention {
                tick: 3,
                changes: vec![
                    ("process.whistle_and_report".into(), ParamValue::Bool(true)),
                    ("capability.socialisation".into(), ParamValue::Float(1.0)),
                ],
            },
        });
        let text = scenario_toml(&sc);
        assert_eq!(load_str(&text, "written.toml").unwrap(), sc, "{text}");
    }
}
