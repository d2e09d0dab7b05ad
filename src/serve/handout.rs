//! A lesson's one-page handout (讲义): its question, what to watch, the discussion prompts and
//! how the lesson is set up, in Chinese and then English, as an HTML page the browser prints
//! (`/handout/<lesson>`). The text comes from the scenario file's `[lesson]` table and its
//! `[scenario]` and `[[interventions]]` labels; nothing here is written twice.

use crate::charts::report::esc;
use crate::serve::Preset;

/// The handout of `p`, a self-contained page (its only outside reference is the server's
/// embedded font).
pub fn handout_html(p: &Preset) -> String {
    let sc = &p.scenario;
    let mut body = String::new();
    for zh in [true, false] {
        let pick = |zh_text: &str, en_text: &str| esc(if zh { zh_text } else { en_text });
        let title = pick(&sc.title_zh, &sc.title_en);
        let title = if title.is_empty() { esc(&p.id) } else { title };
        body.push_str(&format!(
            "<section lang=\"{}\">\n<h1>{}<small>{}</small></h1>\n<p class=\"summary\">{}</p>\n",
            if zh { "zh" } else { "en" },
            title,
            pick("cogov 课堂讲义", "cogov class handout"),
            pick(&sc.description_zh, &sc.description_en),
        ));
        match &p.lesson {
            Some(l) => {
                body.push_str(&format!(
                    "<h2>{}</h2>\n<p>{}</p>\n<h2>{}</h2>\n<p>{}</p>\n<h2>{}</h2>\n<ol>\n",
                    pick("问题", "Question"),
                    pick(&l.question_zh, &l.question_en),
                    pick("观察什么", "What to watch"),
                    pick(&l.watch_zh, &l.watch_en),
                    pick("讨论", "Discussion"),
                ));
                let prompts = if zh { &l.prompts_zh } else { &l.prompts_en };
                for q in prompts {
                    body.push_str(&format!("<li>{}</li>\n", esc(q)));
                }
                body.push_str("</ol>\n");
            }
            None => body.push_str(&format!(
                "<p class=\"note\">{}</p>\n",
                pick(
                    "此情景文件没有 [lesson] 表（问题、观察要点与讨论题）。",
                    "This scenario file has no [lesson] table (question, what to watch, prompts)."
                )
            )),
        }
        let mut setup = if zh {
            format!("随机种子 {}，共 {} 周。", sc.seed, sc.ticks)
        } else {
            format!("Seed {}, {} weeks.", sc.seed, sc.ticks)
        };
        for l in &sc.interventions {
            let week = l.intervention.tick;
            setup.push_str(&if zh {
                format!(" 第{week}周起：{}。", l.label_zh)
            } else {
                format!(" From week {week}: {}.", l.label_en)
            });
        }
        body.push_str(&format!(
            "<p class=\"setup\"><b>{}</b> {} <code>cogov serve</code> → {} <code>{}</code></p>\n</section>\n",
            pick("课例设置：", "Set-up:"),
            esc(&setup),
            pick("课例", "lesson"),
            esc(&p.id),
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<button class=\"print\" onclick=\"window.print()\">打印 / Print</button>\n{body}</body>\n</html>\n",
        title = esc(&format!("{} · {}", sc.title_zh, sc.title_en)),
    )
}

const STYLE: &str = r#"
@font-face { font-family: "Cogov Sans SC"; src: url("/font.ttf") format("truetype"); }
@page { size: A4; margin: 14mm; }
body { font-family: "Cogov Sans SC", system-ui, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; max-width: 46em; margin: 1em auto; }
section { margin-bottom: 1.2em; }
section + section { border-top: 1px solid #999; padding-top: 0.6em; }
h1 { font-size: 1.35em; margin: 0 0 0.3em; }
h1 small { font-size: 0.6em; font-weight: normal; color: #555; margin-left: 1em; }
h2 { font-size: 1.05em; margin: 0.6em 0 0.2em; color: #1f3b57; }
p, ol { margin: 0.2em 0; }
.summary, .setup, .note { color: #333; }
.setup { font-size: 0.9em; margin-top: 0.5em; }
.print { float: right; font: inherit; }
@media print { .print { display: none; } body { margin: 0; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_handout_has_its_prompts_in_both_languages_and_escapes_text() {
        for p in crate::serve::lesson_presets() {
            let html = handout_html(&p);
            if p.id == "default" {
                // The default city is free play: its handout says it has no lesson.
                assert!(p.lesson.is_none() && html.contains("[lesson]"));
                continue;
            }
            let l = p
                .lesson
                .as_ref()
                .expect("every embedded lesson has a [lesson] table");
            for q in l.prompts_zh.iter().chain(&l.prompts_en) {
                assert!(html.contains(&esc(q)), "{}: {q}", p.id);
            }
            assert!(
                html.contains("讨论") && html.contains("Discussion"),
                "{}",
                p.id
            );
        }
        let mut p = crate::serve::lesson_presets().remove(0);
        p.scenario.title_en = "<script>".into();
        assert!(!handout_html(&p).contains("<script>"));
    }
}
