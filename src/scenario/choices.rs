//! Role-play choices in a scenario file: what the people who played organisations chose, week
//! by week, so that `cogov run` replays a class run (issue 14 §3).
//!
//! ```toml
//! [[choices]]
//! tick = 3
//! actors = { "d0/street/1" = "shirk", "d1/department/2" = "substantive" }
//! ```
//!
//! An organisation is named `d<district>/<kind>/<n>` (`model::roles::ActorId`): its district
//! (0-based), its kind (`street`, `department`, `social_org`, `enterprise`) and its number
//! among the district's organisations of that kind (0-based). The loader checks what the
//! parameters fix (districts, streets, departments); how many enterprises and social
//! organisations a district has is drawn when the city is built, so those are checked by
//! `check_choices` against the built city. The manifest records the same choices.

use serde_json::{Map, Value};
use toml::de::DeValue;
use toml::Spanned;

use super::{
    array_of_tables, integer_of, manifest_error, ConfigError, Scenario, Source, MAX_TICKS,
};
use crate::games::kernel::Action;
use crate::model::roles::{ActorId, Choice, RoleKind};
use crate::model::world::World;
use crate::model::Params;
use crate::output::manifest::ChoiceRecord;

/// One organisation's choice for one week, as the scenario names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleChoice {
    pub tick: u32,
    pub actor: ActorId,
    pub action: Action,
}

/// The word of a role kind in actor names.
pub fn kind_slug(k: RoleKind) -> &'static str {
    match k {
        RoleKind::Street => "street",
        RoleKind::Department => "department",
        RoleKind::SocialOrg => "social_org",
        RoleKind::Enterprise => "enterprise",
    }
}

/// The word of an action in scenario files and on the network.
pub fn action_word(a: Action) -> &'static str {
    match a {
        Action::Substantive => "substantive",
        Action::Symbolic => "symbolic",
        Action::Shirk => "shirk",
    }
}

/// An action from its word.
pub fn action_of(word: &str) -> Option<Action> {
    Action::ALL.into_iter().find(|a| action_word(*a) == word)
}

/// `d<district>/<kind>/<n>`.
pub fn actor_name(a: ActorId) -> String {
    format!("d{}/{}/{}", a.district, kind_slug(a.kind), a.n)
}

/// An actor from its name, or what was expected.
pub fn parse_actor(text: &str) -> Result<ActorId, String> {
    let expected = || {
        format!(
            "expected an organisation named d<district>/<kind>/<n> with kind one of {}, got `{}`",
            RoleKind::ALL.map(kind_slug).join(", "),
            text.escape_debug()
        )
    };
    let mut parts = text.split('/');
    let (Some(d), Some(k), Some(n), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(expected());
    };
    let district = d
        .strip_prefix('d')
        .and_then(|d| d.parse::<u16>().ok())
        .ok_or_else(expected)?;
    let kind = RoleKind::ALL
        .into_iter()
        .find(|r| kind_slug(*r) == k)
        .ok_or_else(expected)?;
    let n = n.parse::<u32>().map_err(|_| expected())?;
    Ok(ActorId { district, kind, n })
}

/// What the parameters alone say about an actor: its district exists, and for streets and
/// departments, its number.
fn check_static(a: ActorId, p: &Params) -> Result<(), String> {
    let districts = p.territory.districts;
    if u32::from(a.district) >= districts {
        return Err(format!(
            "{}: the city has {districts} districts (d0 to d{})",
            actor_name(a),
            districts - 1
        ));
    }
    let fixed = match a.kind {
        RoleKind::Street => Some(p.territory.streets_per_district),
        RoleKind::Department => Some(p.territory.domains),
        RoleKind::SocialOrg | RoleKind::Enterprise => None,
    };
    match fixed {
        Some(count) if a.n >= count => Err(format!(
            "{}: a district has {count} of kind {} (0 to {})",
            actor_name(a),
            kind_slug(a.kind),
            count - 1
        )),
        _ => Ok(()),
    }
}

/// Reads `[[choices]]` into `sc.choices`.
pub(crate) fn read_choices(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
    sc: &mut Scenario,
) -> Result<(), ConfigError> {
    for (t, item) in array_of_tables(src, v, "choices", "tick and actors")? {
        let mut tick = None;
        let mut week = Vec::new();
        for (k, v) in t.iter() {
            let key = format!("choices.{}", k.get_ref());
            match k.get_ref().as_ref() {
                "tick" => tick = Some(integer_of(src, &key, v, 1, MAX_TICKS as i64)? as u32),
                "actors" => {
                    let DeValue::Table(actors) = v.get_ref() else {
                        return Err(src.error(
                            Some(v.span()),
                            Some(&key),
                            "expected a table of \"d<district>/<kind>/<n>\" = \"substantive\" | \"symbolic\" | \"shirk\"",
                        ));
                    };
                    for (ak, av) in actors.iter() {
                        let actor = parse_actor(ak.get_ref())
                            .and_then(|a| check_static(a, &sc.params).map(|_| a))
                            .map_err(|m| src.error(Some(ak.span()), Some(&key), m))?;
                        let action = match av.get_ref() {
                            DeValue::String(s) => action_of(s),
                            _ => None,
                        }
                        .ok_or_else(|| {
                            src.error(
                                Some(av.span()),
                                Some(&key),
                                "expected \"substantive\", \"symbolic\" or \"shirk\"",
                            )
                        })?;
                        week.push((actor, action));
                    }
                }
                _ => {
                    return Err(src.error(
                        Some(k.span()),
                        Some(&key),
                        "unknown key; a week of choices takes tick and actors",
                    ))
                }
            }
        }
        let Some(tick) = tick else {
            return Err(src.error(
                Some(item.span()),
                Some("choices.tick"),
                "missing: the tick (1-based week) the choices hold for",
            ));
        };
        sc.choices
            .extend(week.into_iter().map(|(actor, action)| RoleChoice {
                tick,
                actor,
                action,
            }));
    }
    Ok(())
}

/// The choices grouped by week, in the order given, as a manifest records them.
pub(crate) fn choice_records(sc: &Scenario) -> Option<Vec<ChoiceRecord>> {
    if sc.choices.is_empty() {
        return None;
    }
    let mut out: Vec<ChoiceRecord> = Vec::new();
    for c in &sc.choices {
        let name = actor_name(c.actor);
        let word = Value::from(action_word(c.action));
        match out.last_mut() {
            Some(r) if r.tick == u64::from(c.tick) => {
                r.actors.insert(name, word);
            }
            _ => {
                let mut actors = Map::new();
                actors.insert(name, word);
                out.push(ChoiceRecord {
                    tick: u64::from(c.tick),
                    actors,
                });
            }
        }
    }
    Some(out)
}

/// The choices a manifest records, checked as a scenario file's are.
pub(crate) fn choices_from_manifest(
    records: &[ChoiceRecord],
    p: &Params,
    file: &str,
) -> Result<Vec<RoleChoice>, ConfigError> {
    let mut out = Vec::new();
    for r in records {
        let tick = Some(r.tick)
            .filter(|t| (1..=MAX_TICKS as u64).contains(t))
            .ok_or_else(|| {
                manifest_error(
                    file,
                    Some("choices.tick"),
                    format!("expected an integer in 1..={MAX_TICKS}"),
                )
            })? as u32;
        for (name, word) in &r.actors {
            let err = |m: String| manifest_error(file, Some("choices.actors"), m);
            let actor = parse_actor(name)
                .and_then(|a| check_static(a, p).map(|_| a))
                .map_err(err)?;
            let action = word.as_str().and_then(action_of).ok_or_else(|| {
                err(format!(
                    "{name}: expected \"substantive\", \"symbolic\" or \"shirk\", got {word}"
                ))
            })?;
            out.push(RoleChoice {
                tick,
                actor,
                action,
            });
        }
    }
    Ok(out)
}

/// The scenario's choices as the model takes them, or the first actor this city does not have.
pub fn model_choices(sc: &Scenario, world: &World) -> Result<Vec<Choice>, String> {
    sc.choices
        .iter()
        .map(|c| {
            let org = world.org_of(c.actor).ok_or_else(|| {
                format!(
                    "week {}: {} is not in this city (district {} has {} of kind {})",
                    c.tick,
                    actor_name(c.actor),
                    c.actor.district,
                    world.role_count(c.actor.district, c.actor.kind),
                    kind_slug(c.actor.kind)
                )
            })?;
            Ok(Choice {
                tick: c.tick,
                org,
                action: c.action,
            })
        })
        .collect()
}

/// Checks every chosen actor against the city the scenario builds (only when there are
/// choices: building a city takes a moment).
pub fn check_choices(sc: &Scenario) -> Result<(), String> {
    if sc.choices.is_empty() {
        return Ok(());
    }
    model_choices(sc, &World::new(&sc.params, sc.seed)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_back_from_toml_and_bad_ones_name_line_key_and_what_was_expected() {
        use crate::scenario::{load_str, scenario_toml};
        let text = "[scenario]\nseed = 3\nticks = 4\n\n[[choices]]\ntick = 2\nactors = { \"d0/street/1\" = \"shirk\", \"d1/enterprise/0\" = \"symbolic\" }\n";
        let sc = load_str(text, "class.toml").unwrap();
        assert_eq!(sc.choices.len(), 2);
        assert_eq!(load_str(&scenario_toml(&sc), "again.toml").unwrap(), sc);
        for (bad, line, expected) in [
            (
                "[[choices]]\ntick = 2\nactors = { \"d9/street/0\" = \"shirk\" }\n",
                3,
                "4 districts",
            ),
            (
                "[[choices]]\ntick = 2\nactors = { \"d0/street/0\" = \"nap\" }\n",
                3,
                "\"shirk\"",
            ),
            (
                "[[choices]]\ntick = 2\nactors = { \"d0/mayor/0\" = \"shirk\" }\n",
                3,
                "d<district>/<kind>/<n>",
            ),
            (
                "[[choices]]\nactors = { \"d0/street/0\" = \"shirk\" }\n",
                1,
                "missing",
            ),
            ("[[choices]]\ntick = 2\nwho = 1\n", 3, "unknown key"),
            (
                "[[choices]]\ntick = 2\nactors = { \"d0/department/6\" = \"shirk\" }\n",
                3,
                "0 to 5",
            ),
        ] {
            let e = load_str(bad, "c.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{bad}: {e}");
            assert!(e.to_string().contains(expected), "{bad}: {e}");
        }
        // Enterprises are drawn when the city is built: checked against the built city.
        let e = load_str(
            "[[choices]]\ntick = 2\nactors = { \"d0/enterprise/5000\" = \"shirk\" }\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("is not in this city"), "{e}");
    }

    #[test]
    fn actor_names_read_back_and_bad_ones_say_what_was_expected() {
        for kind in RoleKind::ALL {
            let a = ActorId {
                district: 3,
                kind,
                n: 17,
            };
            assert_eq!(parse_actor(&actor_name(a)), Ok(a));
        }
        for bad in [
            "",
            "d0/street",
            "x0/street/1",
            "d0/mayor/1",
            "d0/street/-1",
            "d0/street/1/2",
        ] {
            let e = parse_actor(bad).unwrap_err();
            assert!(e.contains("d<district>/<kind>/<n>"), "{bad}: {e}");
        }
        for a in Action::ALL {
            assert_eq!(action_of(action_word(a)), Some(a));
        }
    }
}
