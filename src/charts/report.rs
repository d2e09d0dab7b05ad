//! One self-contained HTML report of a run, for a seminar handout or a paper appendix.
//!
//! Everything is inline: the charts as SVG with real text, the font once as an `@font-face`
//! data URI subset to the characters the report uses, and a stylesheet that also prints well
//! on A4. There are no scripts and no references to anything outside the file (not even the
//! SVG namespace URL, which inline SVG in HTML does not need), so the report opens offline on
//! a classroom machine and cannot leak a reader's address to a server.

use std::fmt::Write as _;

use super::labels::{self as t, Lang};
use super::run::{run_figures, RunData};
use super::{font, render, ChartError};
use crate::model::params::{spec_of, ParamValue};
use crate::output::records::summary_columns;
use crate::scenario::changed_params;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A plotters SVG document made fit to sit inside HTML: no XML namespace URL (HTML parsers
/// know `<svg>`), scalable, labelled for screen readers, its font left to the page.
fn inline_svg(svg: &str, label: &str) -> String {
    let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(label)),
        1,
    )
}

/// A summary value formatted for a table: shares as percentages, counts as whole numbers.
fn format_result(x: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:.1}%", 100.0 * x)
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

fn param_text(v: ParamValue) -> String {
    v.to_string()
}

const STYLE: &str = "\
:root{--ink:#222;--muted:#555;--rule:#d8d8d8;--code:#f4f4f4}\
*{box-sizing:border-box}\
body{font-family:FONTS;color:var(--ink);background:#fff;max-width:1120px;margin:2rem auto;padding:0 1.25rem;line-height:1.6;font-size:17px}\
h1{font-size:1.9rem;line-height:1.3;margin:0 0 .4rem}\
h2{font-size:1.35rem;border-bottom:2px solid var(--rule);padding-bottom:.2rem;margin:2.2rem 0 .8rem}\
.meta{color:var(--muted);margin:0}\
nav ol{columns:2;margin:.4rem 0}\
a{color:#0072B2}\
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0}\
th,td{border-bottom:1px solid var(--rule);padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{border-bottom:2px solid var(--ink)}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,FONTS}\
code{font-size:.88em}\
pre{background:var(--code);padding:.8rem;font-size:.78rem;line-height:1.45;white-space:pre-wrap;word-break:break-all}\
figure{margin:1.6rem 0;break-inside:avoid;page-break-inside:avoid}\
figure svg{display:block;width:100%;height:auto;border:1px solid var(--rule)}\
figcaption{color:var(--muted);margin-top:.35rem}\
footer{margin-top:3rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--rule);padding-top:.6rem}\
@page{size:A4;margin:14mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt}nav{display:none}\
h2{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid}\
pre{background:none;border:1px solid var(--rule);font-size:7.5pt}a{color:inherit;text-decoration:none}\
figure svg{border:none}}";

/// The report of a run directory in `lang`, as one HTML document.
pub fn html(data: &RunData, lang: Lang) -> Result<String, ChartError> {
    let l = |x: t::L| x.get(lang);
    let sc = &data.scenario;
    let title = data.title(lang);
    let mut b = String::new();

    // Heading and contents.
    let _ = writeln!(
        b,
        "<header><h1>{}</h1><p class=\"meta\">{}{}<code>{}</code> · {} {} · {} {} · cogov {}</p></header>",
        esc(&title),
        l(t::R_SCENARIO),
        lang.pick(": ", "："),
        esc(&sc.name),
        l(t::SEED),
        sc.seed,
        sc.ticks,
        l(t::WEEKS),
        esc(&data.cogov_version)
    );
    let sections = [
        ("description", l(t::R_DESCRIPTION)),
        ("parameters", l(t::R_CHANGED)),
        ("interventions", l(t::R_INTERVENTIONS)),
        ("results", l(t::R_RESULTS)),
        ("charts", l(t::R_CHARTS)),
        ("manifest", l(t::R_MANIFEST)),
    ];
    let _ = write!(b, "<nav><strong>{}</strong><ol>", l(t::R_CONTENTS));
    for (id, name) in sections {
        let _ = write!(b, "<li><a href=\"#{id}\">{}</a></li>", esc(name));
    }
    b.push_str("</ol></nav>\n");

    // Description.
    let description = match lang {
        Lang::En => [&sc.description_en, &sc.description_zh],
        Lang::Zh => [&sc.description_zh, &sc.description_en],
    }
    .into_iter()
    .find(|d| !d.trim().is_empty())
    .map_or_else(|| l(t::R_NO_DESCRIPTION).to_string(), |d| d.clone());
    let _ = writeln!(
        b,
        "<section id=\"description\"><h2>{}</h2><p>{}</p></section>",
        l(t::R_DESCRIPTION),
        esc(&description)
    );

    // Parameters that differ from the defaults.
    let _ = write!(b, "<section id=\"parameters\"><h2>{}</h2>", l(t::R_CHANGED));
    let changed = changed_params(&sc.params);
    if changed.is_empty() {
        let _ = write!(b, "<p>{}</p>", l(t::R_NO_CHANGES));
    } else {
        let _ = write!(
            b,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l(t::R_PARAMETER), l(t::R_VALUE), l(t::R_DEFAULT), l(t::R_UNIT), l(t::R_MEANING)
        );
        for (key, value) in changed {
            let spec = spec_of(key);
            let _ = write!(
                b,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(key),
                esc(&param_text(value)),
                spec.map_or(String::new(), |s| esc(&param_text(s.default))),
                spec.map_or(String::new(), |s| esc(&t::unit(s.unit, lang))),
                spec.map_or(String::new(), |s| esc(lang.pick(s.en, s.zh)))
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>\n");

    // Interventions.
    let _ = write!(
        b,
        "<section id=\"interventions\"><h2>{}</h2>",
        l(t::R_INTERVENTIONS)
    );
    if sc.interventions.is_empty() {
        let _ = write!(b, "<p>{}</p>", l(t::R_NO_INTERVENTIONS));
    } else {
        let _ = write!(
            b,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l(t::WEEK),
            l(t::R_DESCRIPTION),
            l(t::R_CHANGES)
        );
        for i in &sc.interventions {
            let label = if lang == Lang::Zh && !i.label_zh.is_empty() {
                &i.label_zh
            } else if !i.label_en.is_empty() {
                &i.label_en
            } else {
                &i.label_zh
            };
            let changes: Vec<String> = i
                .intervention
                .changes
                .iter()
                .map(|(k, v)| format!("<code>{}</code> = {}", esc(k), esc(&param_text(*v))))
                .collect();
            let _ = write!(
                b,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                i.intervention.tick,
                esc(label),
                changes.join("<br>")
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>\n");

    // Key results: summary.csv with the column meanings in both languages.
    let columns = summary_columns();
    let _ = write!(
        b,
        "<section id=\"results\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l(t::R_RESULTS), l(t::R_COLUMN), l(t::R_VALUE), l(t::R_UNIT), l(t::R_MEANING), l(t::R_MEANING_OTHER)
    );
    for (name, value) in &data.summary {
        let col = columns.iter().find(|c| &c.name == name);
        let unit = col.map_or("", |c| c.unit);
        let (mine, other) = match (col, lang) {
            (Some(c), Lang::En) => (c.en.as_str(), c.zh.as_str()),
            (Some(c), Lang::Zh) => (c.zh.as_str(), c.en.as_str()),
            (None, _) => ("", ""),
        };
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            esc(&format_result(*value, unit)),
            esc(&t::unit(unit, lang)),
            esc(mine),
            esc(other)
        );
    }
    b.push_str("</tbody></table></section>\n");

    // Charts, inline.
    let _ = write!(b, "<section id=\"charts\"><h2>{}</h2>", l(t::R_CHARTS));
    for (n, fig) in run_figures(data, lang)?.iter().enumerate() {
        let svg = render::svg(fig)?;
        let caption = match lang {
            Lang::En => format!("{} {}. {}", l(t::R_FIGURE), n + 1, fig.title),
            Lang::Zh => format!("{}{}　{}", l(t::R_FIGURE), n + 1, fig.title),
        };
        let _ = writeln!(
            b,
            "<figure id=\"fig-{}\">{}<figcaption>{}</figcaption></figure>",
            fig.id,
            inline_svg(&svg, &fig.title),
            esc(&caption)
        );
    }
    b.push_str("</section>\n");

    // Manifest.
    let _ = writeln!(
        b,
        "<section id=\"manifest\"><h2>{}</h2><p>{}</p><pre><code>cogov run manifest.json --out {}-again</code></pre><pre>{}</pre></section>",
        l(t::R_MANIFEST),
        l(t::R_REPRODUCE),
        esc(&sc.name),
        esc(data.manifest.trim_end())
    );
    let _ = writeln!(
        b,
        "<footer><p>{} {}. {}</p></footer>",
        l(t::R_GENERATED),
        esc(&data.cogov_version),
        l(t::R_FONT)
    );

    let fonts = format!("'{}',{}", font::FAMILY, font::CSS_FALLBACK);
    let css =
        font::font_face_css(&format!("{title}{b}")).map_err(|e| ChartError::Data(e.to_string()))?;
    let html_lang = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cogov {}\">\n<title>{} — {}</title>\n<style>{css}{}{}</style>\n</head>\n<body>\n{b}</body>\n</html>\n",
        esc(&data.cogov_version),
        esc(&title),
        l(t::REPORT),
        STYLE.replace("FONTS", &fonts),
        render::text_css()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::run::tests::fake_run;

    #[test]
    fn html_escapes_markup() {
        assert_eq!(esc("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
    }

    #[test]
    fn the_report_is_self_contained_and_in_its_language() {
        let data = fake_run(5);
        for lang in Lang::ALL {
            let doc = html(&data, lang).unwrap();
            assert!(
                !doc.contains("http://") && !doc.contains("https://"),
                "no external references"
            );
            assert!(!doc.contains("<script"), "no scripts");
            assert_eq!(doc.matches("@font-face").count(), 1, "font embedded once");
            assert_eq!(doc.matches("<svg").count(), crate::charts::RUN_CHARTS.len());
            assert!(doc.contains(&data.title(lang)));
            let marker = lang.pick("Key results", "主要结果");
            assert!(doc.contains(marker), "{marker}");
        }
    }

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(format_result(0.7234, "share"), "72.3%");
        assert_eq!(format_result(259.0, "events"), "259");
        assert_eq!(format_result(0.5364, "0..1"), "0.536");
        assert_eq!(format_result(70732.4, "effort units"), "70732");
    }
}
