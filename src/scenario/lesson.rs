//! The `[lesson]` table of a scenario file: what a teacher needs to use the scenario in class —
//! its question, what to watch on the charts and two or three discussion prompts, each in
//! Chinese and English.
//!
//! It is teaching material, not part of the run: the model never sees it, a run's manifest does
//! not record it, and a scenario without it runs the same. The classroom server (`serve/`)
//! shows it beside the lesson and prints it as a handout.

use toml::de::DeValue;
use toml::Spanned;

use super::{string_of, type_name, ConfigError, Source};

/// A lesson's question, what to watch and its discussion prompts, in both languages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Lesson {
    pub question_zh: String,
    pub question_en: String,
    pub watch_zh: String,
    pub watch_en: String,
    pub prompts_zh: Vec<String>,
    pub prompts_en: Vec<String>,
}

const KEYS: &[&str] = &[
    "question_zh",
    "question_en",
    "watch_zh",
    "watch_en",
    "prompts_zh",
    "prompts_en",
];

/// Reads and checks `[lesson]`: every key present, two or three prompts in each language and
/// as many in one as in the other.
pub(crate) fn read_lesson(
    src: &Source<'_>,
    v: &Spanned<DeValue<'_>>,
) -> Result<Lesson, ConfigError> {
    let DeValue::Table(t) = v.get_ref() else {
        return Err(src.error(Some(v.span()), Some("lesson"), "expected a table [lesson]"));
    };
    let mut l = Lesson {
        question_zh: String::new(),
        question_en: String::new(),
        watch_zh: String::new(),
        watch_en: String::new(),
        prompts_zh: Vec::new(),
        prompts_en: Vec::new(),
    };
    for (k, v) in t.iter() {
        let key = format!("lesson.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "question_zh" => l.question_zh = string_of(src, &key, v)?,
            "question_en" => l.question_en = string_of(src, &key, v)?,
            "watch_zh" => l.watch_zh = string_of(src, &key, v)?,
            "watch_en" => l.watch_en = string_of(src, &key, v)?,
            "prompts_zh" => l.prompts_zh = prompts(src, &key, v)?,
            "prompts_en" => l.prompts_en = prompts(src, &key, v)?,
            _ => {
                return Err(src.error(
                    Some(k.span()),
                    Some(&key),
                    format!("unknown key; [lesson] takes {}", KEYS.join(", ")),
                ))
            }
        }
    }
    for (key, empty) in [
        ("question_zh", l.question_zh.is_empty()),
        ("question_en", l.question_en.is_empty()),
        ("watch_zh", l.watch_zh.is_empty()),
        ("watch_en", l.watch_en.is_empty()),
        ("prompts_zh", l.prompts_zh.is_empty()),
        ("prompts_en", l.prompts_en.is_empty()),
    ] {
        if empty {
            return Err(src.error(
                Some(v.span()),
                Some(&format!("lesson.{key}")),
                "missing: a lesson states its question, what to watch and its prompts in both languages",
            ));
        }
    }
    if l.prompts_zh.len() != l.prompts_en.len() {
        return Err(src.error(
            Some(v.span()),
            Some("lesson.prompts_en"),
            format!(
                "expected as many prompts as lesson.prompts_zh ({}), got {}",
                l.prompts_zh.len(),
                l.prompts_en.len()
            ),
        ));
    }
    Ok(l)
}

/// Two or three non-empty strings.
fn prompts(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
) -> Result<Vec<String>, ConfigError> {
    let DeValue::Array(items) = v.get_ref() else {
        return Err(src.error(
            Some(v.span()),
            Some(key),
            format!(
                "expected an array of two or three strings, got {}",
                type_name(v.get_ref())
            ),
        ));
    };
    if !(2..=3).contains(&items.len()) {
        return Err(src.error(
            Some(v.span()),
            Some(key),
            format!(
                "expected two or three discussion prompts, got {}",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .map(|item| match string_of(src, key, item)? {
            s if s.trim().is_empty() => {
                Err(src.error(Some(item.span()), Some(key), "a prompt must not be empty"))
            }
            s => Ok(s),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_lesson_str;

    const GOOD: &str = "[lesson]\nquestion_zh = \"问\"\nquestion_en = \"Q\"\nwatch_zh = \"看\"\nwatch_en = \"W\"\nprompts_zh = [\"一\", \"二\"]\nprompts_en = [\"one\", \"two\"]\n";

    #[test]
    fn a_lesson_is_read_and_a_scenario_without_one_has_none() {
        let (_, l) = load_lesson_str(GOOD, "l.toml").unwrap();
        let l = l.unwrap();
        assert_eq!(l.prompts_en, ["one", "two"]);
        assert_eq!(l.question_zh, "问");
        assert_eq!(load_lesson_str("", "e.toml").unwrap().1, None);
        // `cogov run` reads the same file and ignores the lesson.
        assert!(crate::scenario::load_str(GOOD, "l.toml").is_ok());
    }

    #[test]
    fn bad_lessons_name_the_key() {
        for (bad, key) in [
            (GOOD.replace("watch_en = \"W\"\n", ""), "lesson.watch_en"),
            (
                GOOD.replace("[\"one\", \"two\"]", "[\"one\"]"),
                "lesson.prompts_en",
            ),
            (
                GOOD.replace("[\"one\", \"two\"]", "[\"a\", \"b\", \"c\"]"),
                "lesson.prompts_en",
            ),
            (GOOD.replace("watch_en", "watch_fr"), "lesson.watch_fr"),
            (GOOD.replace("\"一\", ", "3, "), "lesson.prompts_zh"),
        ] {
            let e = crate::scenario::load_str(&bad, "l.toml").unwrap_err();
            assert_eq!(e.key.as_deref(), Some(key), "{e}");
            assert!(e.line.is_some(), "{e}");
        }
    }
}
