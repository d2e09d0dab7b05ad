//! One self-contained HTML report of a run or a sweep, for a seminar handout or a paper
//! appendix.
//!
//! Everything is inline: the charts as SVG with real text, the font once as an `@font-face`
//! data URI subset to the characters the report uses, and a stylesheet that also prints well
//! on A4. There are no scripts and no references to anything outside the file (not even the
//! SVG namespace URL, which inline SVG in HTML does not need), so the report opens offline on
//! a classroom machine and cannot leak a reader's address to a server.

use std::fmt::Write as _;

use super::figure::Figure;
use super::labels::{self as t, Lang};
use super::names::{self, param_name};
use super::run::{run_figures, RunData};
use super::sweep_dir::{sweep_figures, Interval, SweepData, KEY_METRICS};
use super::{font, render, ChartError, OutputDir};
use crate::experiment::design::{Design, Range};
use crate::model::params::{spec_of, ParamValue, Params};
use crate::output::records::{summary, summary_columns};
use crate::scenario::{changed_params, Scenario};

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

/// A parameter value as a reader of `lang` writes it: booleans as yes/no (是／否).
fn param_text(v: ParamValue, lang: Lang) -> String {
    match v {
        ParamValue::Bool(b) => t::yes_no(b).get(lang).to_string(),
        _ => v.to_string(),
    }
}

/// A parameter in a table cell: its key in English (what a scenario file writes), its short
/// name in Chinese (a Chinese report holds no raw key).
fn param_cell(key: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("<td><code>{}</code></td>", esc(key)),
        Lang::Zh => format!("<td>{}</td>", esc(&param_name(key, lang))),
    }
}

/// Parameter settings in words, one a line: `权责清单a = 1`.
fn settings_words(set: &[(String, ParamValue)], lang: Lang) -> String {
    set.iter()
        .map(|(k, v)| {
            format!(
                "{} = {}",
                esc(&param_name(k, lang)),
                esc(&param_text(*v, lang))
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
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
td.num small{display:block;color:var(--muted);font-size:.8em}\
.wide{overflow-x:auto}.wide table{font-size:.8rem}\
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

/// The heading of a report: its title and one line of facts.
fn header(b: &mut String, title: &str, meta: &str) {
    let _ = writeln!(
        b,
        "<header><h1>{}</h1><p class=\"meta\">{meta}</p></header>",
        esc(title)
    );
}

/// The table of contents. A sweep's report has a design section, and its parameters are the
/// base scenario's.
fn nav(b: &mut String, sweep: bool, lang: Lang) {
    let l = |x: t::L| x.get(lang);
    let mut sections = vec![("description", l(t::R_DESCRIPTION))];
    if sweep {
        sections.push(("design", l(t::R_DESIGN)));
    }
    sections.extend([
        (
            "parameters",
            l(if sweep {
                t::R_BASE_CHANGED
            } else {
                t::R_CHANGED
            }),
        ),
        ("interventions", l(t::R_INTERVENTIONS)),
        ("results", l(t::R_RESULTS)),
        ("charts", l(t::R_CHARTS)),
    ]);
    if lang == Lang::Zh {
        sections.push(("glossary", l(t::R_GLOSSARY)));
    }
    sections.push(("manifest", l(t::R_MANIFEST)));
    let _ = write!(b, "<nav><strong>{}</strong><ol>", l(t::R_CONTENTS));
    for (id, name) in sections {
        let _ = write!(b, "<li><a href=\"#{id}\">{}</a></li>", esc(name));
    }
    b.push_str("</ol></nav>\n");
}

fn description_section(b: &mut String, description: &str, lang: Lang) {
    let text = if description.trim().is_empty() {
        t::R_NO_DESCRIPTION.get(lang)
    } else {
        description
    };
    let _ = writeln!(
        b,
        "<section id=\"description\"><h2>{}</h2><p>{}</p></section>",
        t::R_DESCRIPTION.get(lang),
        esc(text)
    );
}

/// The parameters of `params` that differ from the defaults, with their meaning.
fn changed_section(b: &mut String, heading: &str, params: &Params, lang: Lang) {
    let l = |x: t::L| x.get(lang);
    let _ = write!(b, "<section id=\"parameters\"><h2>{}</h2>", esc(heading));
    let changed = changed_params(params);
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
                "<tr>{}<td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
                param_cell(key, lang),
                esc(&param_text(value, lang)),
                spec.map_or(String::new(), |s| esc(&param_text(s.default, lang))),
                unit_and_meaning(key, lang)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>\n");
}

/// Two table cells: the unit and the meaning of parameter `key` in `lang`.
fn unit_and_meaning(key: &str, lang: Lang) -> String {
    let spec = spec_of(key);
    format!(
        "<td>{}</td><td>{}</td>",
        spec.map_or(String::new(), |s| esc(&t::unit(s.unit, lang))),
        spec.map_or(String::new(), |s| esc(lang.pick(s.en, s.zh)))
    )
}

fn interventions_section(b: &mut String, sc: &Scenario, lang: Lang) {
    let l = |x: t::L| x.get(lang);
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
        for (i, words) in names::interventions_in_words(sc, lang) {
            let _ = write!(
                b,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                i.intervention.tick,
                esc(t::either(lang, &i.label_en, &i.label_zh, "")),
                esc(&words)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>\n");
}

/// The Chinese glossary: each lever's name, meaning and policy source (`names::POLICY_SOURCES`,
/// the same table as `docs/GLOSSARY-ZH.md`).
fn glossary_section(b: &mut String, lang: Lang) {
    if lang != Lang::Zh {
        return;
    }
    let l = |x: t::L| x.get(lang);
    let _ = write!(
        b,
        "<section id=\"glossary\"><h2>{}</h2><p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l(t::R_GLOSSARY),
        l(t::R_GLOSSARY_NOTE),
        l(t::R_LEVER),
        l(t::R_MEANING),
        l(t::R_SOURCE)
    );
    for (key, source) in names::POLICY_SOURCES {
        let meaning = spec_of(key).map_or("", |s| s.zh);
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&param_name(key, lang)),
            esc(meaning),
            esc(source)
        );
    }
    b.push_str("</tbody></table></section>\n");
}

/// The charts, inline as SVG, numbered.
fn charts_section(b: &mut String, figs: &[Figure], lang: Lang) -> Result<(), ChartError> {
    let l = |x: t::L| x.get(lang);
    let _ = write!(b, "<section id=\"charts\"><h2>{}</h2>", l(t::R_CHARTS));
    for (n, fig) in figs.iter().enumerate() {
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
    Ok(())
}

/// The manifest as written, after how to reproduce the output with `command`.
fn manifest_section(b: &mut String, how: &str, command: &str, manifest: &str, lang: Lang) {
    let _ = writeln!(
        b,
        "<section id=\"manifest\"><h2>{}</h2><p>{}</p><pre><code>{}</code></pre><pre>{}</pre></section>",
        t::R_MANIFEST.get(lang),
        how,
        esc(command),
        esc(manifest.trim_end())
    );
}

/// The whole document around `body`, with the font subset to the characters it uses.
fn page(title: &str, version: &str, body: &str, lang: Lang) -> Result<String, ChartError> {
    let l = |x: t::L| x.get(lang);
    let fonts = format!("'{}',{}", font::FAMILY, font::CSS_FALLBACK);
    let footer = format!(
        "<footer><p>{} {}</p></footer>\n",
        esc(&t::R_GENERATED.fill(lang, &[("version", version)])),
        l(t::R_FONT)
    );
    let css = font::font_face_css(&format!("{title}{body}{footer}"))
        .map_err(|e| ChartError::Data(e.to_string()))?;
    let html_lang = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cogov {}\">\n<title>{} — {}</title>\n<style>{css}{}{}</style>\n</head>\n<body>\n{body}{footer}</body>\n</html>\n",
        esc(version),
        esc(title),
        l(t::REPORT),
        STYLE.replace("FONTS", &fonts),
        render::text_css()
    ))
}

/// The report of a run or sweep directory in `lang`.
pub fn html_of(data: &OutputDir, lang: Lang) -> Result<String, ChartError> {
    match data {
        OutputDir::Run(r) => html(r, lang),
        OutputDir::Sweep(s) => sweep_html(s, lang),
        OutputDir::Calibration(c) => calibration_html(c, lang),
    }
}

/// The report of a calibration directory in `lang`: estimates, predictive check, charts and
/// the manifest (which holds the calibration file).
pub fn calibration_html(
    data: &crate::charts::calibration::CalibrationData,
    lang: Lang,
) -> Result<String, ChartError> {
    let l = |x: t::L| x.get(lang);
    let title = data.title(lang);
    let mut b = String::new();
    let meta = format!(
        "{}{}<code>{}</code> · cogov {}",
        l(t::R_CALIBRATION),
        lang.pick(": ", "："),
        esc(&data.name),
        esc(&data.cogov_version)
    );
    header(&mut b, &title, &meta);
    b.push_str(&crate::charts::calibration::results_html(data, lang));
    charts_section(
        &mut b,
        &crate::charts::calibration::calibration_figures(data, lang),
        lang,
    )?;
    manifest_section(
        &mut b,
        l(t::R_REPRODUCE),
        &format!(
            "cogov calibrate {}.toml --out {}-again",
            data.name, data.name
        ),
        &data.manifest,
        lang,
    );
    page(&title, &data.cogov_version, &b, lang)
}

/// The report of a run directory in `lang`, as one HTML document.
pub fn html(data: &RunData, lang: Lang) -> Result<String, ChartError> {
    let l = |x: t::L| x.get(lang);
    let sc = &data.scenario;
    let title = data.title(lang);
    let mut b = String::new();

    let meta = format!(
        "{}{}<code>{}</code> · {} {} · {} {} · cogov {}",
        l(t::R_SCENARIO),
        lang.pick(": ", "："),
        esc(&sc.name),
        l(t::SEED),
        sc.seed,
        sc.ticks,
        l(t::WEEKS),
        esc(&data.cogov_version)
    );
    header(&mut b, &title, &meta);
    nav(&mut b, false, lang);
    description_section(
        &mut b,
        t::either(lang, &sc.description_en, &sc.description_zh, ""),
        lang,
    );
    changed_section(&mut b, l(t::R_CHANGED), &sc.params, lang);
    interventions_section(&mut b, sc, lang);

    // Key results: summary.csv with the column meanings in both languages.
    let columns = summary_columns();
    let _ = write!(
        b,
        "<section id=\"results\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l(t::R_RESULTS), l(t::R_COLUMN), l(t::R_VALUE), l(t::R_UNIT), l(t::R_MEANING), l(t::R_MEANING_OTHER)
    );
    // Skip-level petitions right after 矛盾不出区县, which counts only issues that never reached
    // the city: whether conflicts are passed upward is read from the petitions.
    let mut rows: Vec<&(String, f64)> = data
        .summary
        .iter()
        .filter(|(n, _)| n != summary::PETITIONS_TOTAL)
        .collect();
    if let Some(p) = data
        .summary
        .iter()
        .find(|(n, _)| n == summary::PETITIONS_TOTAL)
    {
        let at = rows
            .iter()
            .position(|(n, _)| n == summary::FENGQIAO_NO_UPWARD)
            .map_or(rows.len(), |i| i + 1);
        rows.insert(at, p);
    }
    for (name, value) in rows {
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

    charts_section(&mut b, &run_figures(data, lang)?, lang)?;
    glossary_section(&mut b, lang);
    manifest_section(
        &mut b,
        l(t::R_REPRODUCE),
        &format!("cogov run manifest.json --out {}-again", sc.name),
        &data.manifest,
        lang,
    );
    page(&title, &data.cogov_version, &b, lang)
}

/// Most design points the results table of a sweep report lists (`points.csv` has them all).
const MAX_TABLE_POINTS: usize = 100;

/// A mean over its 95% interval, in one table cell.
fn estimate_cell(iv: Option<Interval>, unit: &str) -> String {
    match iv {
        Some(iv) => format!(
            "<td class=\"num\">{}<small>{} – {}</small></td>",
            esc(&format_result(iv.mean, unit)),
            esc(&format_result(iv.lower, unit)),
            esc(&format_result(iv.upper, unit))
        ),
        None => "<td class=\"num\">—</td>".to_string(),
    }
}

/// The header cells of the key metrics, with their units.
fn metric_headers(lang: Lang) -> String {
    KEY_METRICS
        .iter()
        .map(|k| format!("<th>{}</th>", esc(k.axis.get(lang))))
        .collect()
}

/// The kind of a design in words.
fn design_name(design: &Design) -> t::L {
    match design {
        Design::Grid(_) => t::D_GRID,
        Design::Packages(_) => t::D_PACKAGES,
        Design::LatinHypercube { .. } => t::D_LHS,
        Design::Morris { .. } => t::D_MORRIS,
        Design::Sobol { .. } => t::D_SOBOL,
    }
}

fn design_section(b: &mut String, data: &SweepData, lang: Lang) {
    let l = |x: t::L| x.get(lang);
    let exp = &data.experiment;
    let kind = design_name(&exp.design);
    let mut facts = vec![
        (
            l(t::R_DESIGN_KIND),
            format!("{} (<code>{}</code>)", l(kind), exp.design.kind()),
        ),
        (l(t::R_POINTS), exp.points.len().to_string()),
        (l(t::R_REPLICATIONS), exp.replications.to_string()),
        (l(t::R_RUNS), exp.total_runs().to_string()),
        (l(t::R_WEEKS_SIMULATED), exp.base.ticks.to_string()),
        (l(t::R_BASE_SEED), exp.base_seed.to_string()),
        (
            l(t::R_CRN),
            l(t::yes_no(exp.common_random_numbers)).to_string(),
        ),
    ];
    if let Design::Morris {
        trajectories,
        levels,
        ..
    } = &exp.design
    {
        facts.push((l(t::R_TRAJECTORIES), trajectories.to_string()));
        facts.push((l(t::R_LEVELS), levels.to_string()));
    }
    if let Design::Sobol { samples, .. } = &exp.design {
        facts.push((l(t::R_SAMPLES), samples.to_string()));
    }
    let _ = write!(
        b,
        "<section id=\"design\"><h2>{}</h2><table><tbody>",
        l(t::R_DESIGN)
    );
    for (name, value) in facts {
        let _ = write!(b, "<tr><th>{}</th><td>{value}</td></tr>", esc(name));
    }
    b.push_str("</tbody></table>");

    let _ = write!(b, "<h3>{}</h3>", l(t::R_FACTORS));
    let head = |first: &str, second: &str| {
        format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(first),
            esc(second),
            l(t::R_UNIT),
            l(t::R_MEANING)
        )
    };
    match &exp.design {
        Design::Grid(factors) => {
            b.push_str(&head(l(t::R_PARAMETER), l(t::R_VALUES)));
            for (key, values) in factors {
                let values: Vec<String> = values.iter().map(|v| param_text(*v, lang)).collect();
                let _ = write!(
                    b,
                    "<tr>{}<td>{}</td>{}</tr>",
                    param_cell(key, lang),
                    esc(&values.join(", ")),
                    unit_and_meaning(key, lang)
                );
            }
        }
        Design::LatinHypercube { ranges, .. }
        | Design::Morris { ranges, .. }
        | Design::Sobol { ranges, .. } => {
            b.push_str(&head(l(t::R_PARAMETER), l(t::R_RANGE)));
            for r in ranges {
                let _ = write!(
                    b,
                    "<tr>{}<td class=\"num\">{} – {}</td>{}</tr>",
                    param_cell(&r.key, lang),
                    r.lo,
                    r.hi,
                    unit_and_meaning(&r.key, lang)
                );
            }
        }
        Design::Packages(packages) => {
            let _ = write!(
                b,
                "<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
                l(t::R_PACKAGE),
                l(t::R_SETTINGS)
            );
            for (i, p) in packages.iter().enumerate() {
                let set = if p.set.is_empty() {
                    l(t::R_NO_CHANGES).to_string()
                } else {
                    settings_words(&p.set, lang)
                };
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td>{set}</td></tr>",
                    esc(&data.point_label(i, lang))
                );
            }
        }
    }
    b.push_str("</tbody></table></section>\n");
}

fn sweep_results_section(b: &mut String, data: &SweepData, lang: Lang) {
    let l = |x: t::L| x.get(lang);
    let exp = &data.experiment;
    let _ = write!(b, "<section id=\"results\"><h2>{}</h2>", l(t::R_RESULTS));
    // Screening designs: one row per parameter, one cell per key metric.
    let screening: Option<(&[Range], t::L, t::L)> = match &exp.design {
        Design::Morris { ranges, .. } => Some((ranges, t::R_MORRIS_NOTE, t::R_LEVER)),
        Design::Sobol { ranges, .. } => Some((ranges, t::R_SOBOL_NOTE, t::R_PARAMETER)),
        _ => None,
    };
    if let Some((ranges, note, first)) = screening {
        let _ = write!(
            b,
            "<p>{}</p><div class=\"wide\"><table><thead><tr><th>{}</th>{}</tr></thead><tbody>",
            l(note),
            l(first),
            metric_headers(lang)
        );
        for r in ranges {
            let _ = write!(b, "<tr>{}", param_cell(&r.key, lang));
            for k in &KEY_METRICS {
                let cell = match &exp.design {
                    Design::Morris { .. } => data
                        .morris_of(&r.key, k.column)
                        .map(|m| (m.mu_star, format!("σ {}", format_result(m.sigma, "")))),
                    _ => data.sobol_of(&r.key, k.column).and_then(|s| {
                        Some((s.s1?[0], format!("ST {}", format_result(s.st?[0], ""))))
                    }),
                };
                let _ = match cell {
                    Some((main, below)) => write!(
                        b,
                        "<td class=\"num\">{}<small>{}</small></td>",
                        esc(&format_result(main, "")),
                        esc(&below)
                    ),
                    None => write!(b, "<td class=\"num\">—</td>"),
                };
            }
            b.push_str("</tr>");
        }
        b.push_str("</tbody></table></div></section>\n");
        return;
    }
    let first = l(if matches!(exp.design, Design::Packages(_)) {
        t::R_PACKAGE
    } else {
        t::R_POINT
    });
    let _ = write!(
        b,
        "<p>{}</p><div class=\"wide\"><table><thead><tr><th>{}</th><th>n</th>{}</tr></thead><tbody>",
        l(t::R_CI_NOTE),
        esc(first),
        metric_headers(lang)
    );
    for i in 0..exp.points.len().min(MAX_TABLE_POINTS) {
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            esc(&data.point_label(i, lang)),
            data.points[i].n
        );
        for k in &KEY_METRICS {
            b.push_str(&estimate_cell(data.estimate(i, k.column), k.unit));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");
    if exp.points.len() > MAX_TABLE_POINTS {
        let _ = write!(
            b,
            "<p>{}</p>",
            esc(&t::R_FIRST_ROWS.fill(
                lang,
                &[
                    ("shown", &MAX_TABLE_POINTS.to_string()),
                    ("total", &exp.points.len().to_string())
                ]
            ))
        );
    }
    let failed: u64 = data.points.iter().map(|p| p.failed).sum();
    if failed > 0 {
        let _ = write!(
            b,
            "<p>{}</p>",
            esc(&t::R_FAILED.fill(lang, &[("failed", &failed.to_string())]))
        );
    }
    b.push_str("</section>\n");
}

/// The report of a sweep directory in `lang`, as one HTML document.
pub fn sweep_html(data: &SweepData, lang: Lang) -> Result<String, ChartError> {
    let l = |x: t::L| x.get(lang);
    let exp = &data.experiment;
    let title = data.title(lang);
    let mut b = String::new();
    let meta = format!(
        "{}{}<code>{}</code> · {} · {} × {} = {} {} · {} {} · cogov {}",
        l(t::R_EXPERIMENT),
        lang.pick(": ", "："),
        esc(&exp.name),
        l(design_name(&exp.design)),
        exp.points.len(),
        exp.replications,
        exp.total_runs(),
        l(t::R_RUNS),
        exp.base.ticks,
        l(t::WEEKS),
        esc(&data.cogov_version)
    );
    header(&mut b, &title, &meta);
    nav(&mut b, true, lang);
    description_section(&mut b, data.description(lang), lang);
    design_section(&mut b, data, lang);
    changed_section(&mut b, l(t::R_BASE_CHANGED), &exp.base.params, lang);
    interventions_section(&mut b, &exp.base, lang);
    sweep_results_section(&mut b, data, lang);
    charts_section(&mut b, &sweep_figures(data, lang)?, lang)?;
    glossary_section(&mut b, lang);
    manifest_section(
        &mut b,
        l(t::R_REPRODUCE_SWEEP),
        &format!("cogov sweep {}.toml --out {}-again", exp.name, exp.name),
        &data.manifest,
        lang,
    );
    page(&title, &data.cogov_version, &b, lang)
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
