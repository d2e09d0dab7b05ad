//! Charts and reports, end to end: the real binary on a small run. They check what a reader
//! relies on — every chart drawn in both languages and both formats and not blank, SVGs with
//! real text in the right language, `cogov plot` redrawing exactly what `cogov run` drew (the
//! charts come from the files), a report that is one self-contained file, and a font that has
//! every character of every label (a missing one would silently vanish from a PNG).
//!
//! Opt-in: `COGOV_BROWSER_TEST=1 cargo test --test charts browser` opens the report in headless
//! Chromium (Debian's `chromium` package, or the binary named by `COGOV_CHROMIUM`) with only
//! a Latin font available, takes screenshots, and checks that they are not blank and that the
//! embedded font is what renders the Chinese text.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cogov::charts::{self, font, labels, Lang, RunData, RUN_CHARTS};
use cogov::model::params::param_specs;
use cogov::output::records::{
    summary_columns, timeseries_columns, ACTION_EN, ACTION_ZH, KIND_EN, KIND_ZH, LEVEL_EN, LEVEL_ZH,
};

/// A 2-district city for 8 weeks, with a reform at week 4 so charts carry a marker.
const SMALL: &[&str] = &[
    "--set",
    "territory.districts=2",
    "--set",
    "territory.streets_per_district=2",
    "--ticks",
    "8",
];

const SCENARIO: &str = r#"
[scenario]
name = "chart-test"
title_en = "Responsibility lists from week 4"
title_zh = "第4周起推行权责清单"
description_en = "Lists are introduced at week 4."
description_zh = "第4周起推行权力清单和责任清单。"

[tools]
discipline_inspection = 0.05

[[interventions]]
tick = 4
label_en = "Responsibility lists introduced"
label_zh = "推行权责清单"
set = { "motivation.responsibility_lists" = 1.0 }
"#;

fn cogov(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cogov"))
        .current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .args(args)
        .output()
        .expect("the cogov binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(cwd: &Path, args: &[&str]) -> Output {
    let out = cogov(cwd, args);
    assert!(
        out.status.success(),
        "cogov {args:?} failed with {:?}\nstderr: {}",
        out.status.code(),
        text(&out.stderr)
    );
    out
}

/// Runs the test scenario into `<tmp>/run` and returns that directory.
fn small_run(tmp: &Path, extra: &[&str]) -> PathBuf {
    let scenario = tmp.join("chart-test.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.join("run");
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    ok(tmp, &args);
    out
}

fn chart_path(run: &Path, lang: &str, id: &str, ext: &str) -> PathBuf {
    run.join("charts").join(lang).join(format!("{id}.{ext}"))
}

/// Decodes a PNG: (width, height, RGB bytes).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    (info.width, info.height, rgb)
}

/// Share of pixels that are not (near) white, and the number of distinct colours.
fn ink(rgb: &[u8]) -> (f64, usize) {
    let pixels: Vec<[u8; 3]> = rgb.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
    let inked = pixels.iter().filter(|p| p.iter().any(|c| *c < 240)).count();
    let colours: BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
    (inked as f64 / pixels.len() as f64, colours.len())
}

// ----------------------------------------------------------------------------------------------
// Charts written by `cogov run` and `cogov plot`
// ----------------------------------------------------------------------------------------------

#[test]
fn a_run_draws_every_chart_in_both_languages_and_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    for lang in ["en", "zh"] {
        for id in RUN_CHARTS {
            let png = chart_path(&run, lang, id, "png");
            let (w, h, rgb) = decode_png(&png);
            assert!(
                w >= 1200 && h >= 800,
                "{}: {w}x{h} is projector-sized",
                png.display()
            );
            let (share, colours) = ink(&rgb);
            assert!(
                share > 0.02,
                "{}: only {:.1}% of pixels inked",
                png.display(),
                100.0 * share
            );
            assert!(colours > 20, "{}: {colours} colours", png.display());

            let svg = fs::read_to_string(chart_path(&run, lang, id, "svg")).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
                "{id}.svg"
            );
            assert!(svg.contains("<text"), "{id}.svg carries real text");
            assert_eq!(
                svg.matches("@font-face").count(),
                1,
                "{id}.svg embeds its font once"
            );
            assert!(
                svg.contains("data:font/ttf;base64,"),
                "{id}.svg font is a data URI"
            );
            assert!(
                svg.len() < 200_000,
                "{id}.svg embeds a small subset: {} bytes",
                svg.len()
            );
        }
    }
    assert_eq!(
        fs::read_dir(run.join("charts")).unwrap().count(),
        2,
        "charts/en and charts/zh only"
    );
}

#[test]
fn svgs_carry_their_labels_as_text_in_their_language() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    let svg = |lang: &str, id: &str| fs::read_to_string(chart_path(&run, lang, id, "svg")).unwrap();
    let expect = [
        (
            "zh",
            "issue_flow",
            &[
                "事项流量",
                "新发",
                "周次",
                "第4周起推行权责清单",
                "推行权责清单",
            ][..],
        ),
        (
            "zh",
            "fengqiao",
            &["枫桥经验三项指标", "小事不出村", "大事不出镇", "矛盾不上交"][..],
        ),
        (
            "zh",
            "resolution_levels",
            &["事项在哪一级解决", "网格", "社区/村", "街道/乡镇", "区县"][..],
        ),
        (
            "zh",
            "actions_by_kind",
            &["实质工作", "形式应付", "卸责", "网格员", "社会组织"][..],
        ),
        ("zh", "trust", &["信任与满意度", "居民对政府的信任"][..]),
        ("zh", "costs", &["治理成本", "工作量（人·周/周）"][..]),
        (
            "zh",
            "major_risks",
            &["重大风险事件", "事件数（次/周）"][..],
        ),
        (
            "en",
            "issue_flow",
            &[
                "Issue flow",
                "Week",
                "Issues per week",
                "Responsibility lists introduced",
            ][..],
        ),
        (
            "en",
            "fengqiao",
            &["Fengqiao indicators", "small matters stay in the village"][..],
        ),
        (
            "en",
            "costs",
            &[
                "Costs of governance",
                "Effort units per week (person-weeks)",
            ][..],
        ),
    ];
    for (lang, id, needles) in expect {
        let doc = svg(lang, id);
        for n in needles {
            assert!(
                doc.contains(&format!(">{n}")) || doc.contains(n),
                "{lang}/{id}.svg lacks {n:?}"
            );
        }
    }
    assert!(
        !svg("en", "issue_flow").contains("事项流量"),
        "English charts are in English"
    );
    assert!(
        !svg("zh", "issue_flow").contains("Issue flow"),
        "Chinese charts are in Chinese"
    );
}

#[test]
fn plot_redraws_exactly_what_run_drew() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    let original: Vec<(PathBuf, Vec<u8>)> = ["en", "zh"]
        .iter()
        .flat_map(|l| {
            RUN_CHARTS
                .iter()
                .flat_map(move |id| ["png", "svg"].map(|e| (*l, *id, e)))
        })
        .map(|(l, id, e)| {
            let p = chart_path(&run, l, id, e);
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    fs::remove_dir_all(run.join("charts")).unwrap();

    ok(
        tmp.path(),
        &[
            "plot",
            run.to_str().unwrap(),
            "--lang",
            "zh",
            "--format",
            "svg",
            "-q",
        ],
    );
    assert!(chart_path(&run, "zh", "trust", "svg").exists());
    assert!(
        !chart_path(&run, "zh", "trust", "png").exists(),
        "--format svg draws no PNG"
    );
    assert!(
        !run.join("charts/en").exists(),
        "--lang zh draws no English charts"
    );

    let out = ok(tmp.path(), &["plot", run.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("charts/zh"),
        "{}",
        text(&out.stdout)
    );
    for (path, bytes) in original {
        assert!(
            fs::read(&path).unwrap() == bytes,
            "{} differs when redrawn",
            path.display()
        );
    }
    let stray: Vec<String> = fs::read_dir(run.join("charts/zh"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}

#[test]
fn no_charts_means_no_charts_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &["--no-charts"]);
    assert!(run.join("manifest.json").exists());
    assert!(!run.join("charts").exists());
}

#[test]
fn plot_and_report_refuse_what_is_not_a_run_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    for args in [
        vec!["plot", empty.to_str().unwrap()],
        vec!["report", empty.to_str().unwrap()],
        vec!["plot", "no-such-directory"],
    ] {
        let out = cogov(tmp.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "cogov {args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    // A run directory with a broken time series names the file.
    let run = small_run(tmp.path(), &["--no-charts"]);
    fs::write(run.join("timeseries.csv"), "tick,arrived\n1,x\n").unwrap();
    let out = cogov(tmp.path(), &["plot", run.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("timeseries.csv"),
        "{}",
        text(&out.stderr)
    );
}

// ----------------------------------------------------------------------------------------------
// The report
// ----------------------------------------------------------------------------------------------

fn report(tmp: &Path, run: &Path, lang: &str) -> String {
    let file = tmp.join(format!("report-{lang}.html"));
    ok(
        tmp,
        &[
            "report",
            run.to_str().unwrap(),
            "-o",
            file.to_str().unwrap(),
            "--lang",
            lang,
            "-q",
        ],
    );
    fs::read_to_string(file).unwrap()
}

#[test]
fn the_report_is_one_self_contained_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    for (lang, title, words) in [
        (
            "zh",
            "第4周起推行权责清单",
            &[
                "与默认值不同的参数",
                "主要结果",
                "解决率",
                "枫桥经验三项指标",
            ][..],
        ),
        (
            "en",
            "Responsibility lists from week 4",
            &[
                "Parameters that differ from the defaults",
                "Key results",
                "resolved / issues in the run",
            ][..],
        ),
    ] {
        let doc = report(tmp.path(), &run, lang);
        assert!(doc.starts_with("<!DOCTYPE html>"), "{lang}");
        assert!(
            !doc.contains("http://") && !doc.contains("https://"),
            "{lang}: no external references"
        );
        for tag in ["<script", "<link", "<img", "<iframe", "@import", "src=\""] {
            assert!(
                !doc.contains(tag),
                "{lang}: nothing loaded from elsewhere ({tag})"
            );
        }
        assert!(doc.contains("<svg"), "{lang}: charts inline");
        assert_eq!(
            doc.matches("<svg").count(),
            RUN_CHARTS.len(),
            "{lang}: every chart"
        );
        assert_eq!(
            doc.matches("@font-face").count(),
            1,
            "{lang}: font embedded once"
        );
        assert!(doc.contains(title), "{lang}: scenario title");
        for w in words {
            assert!(doc.contains(w), "{lang}: lacks {w:?}");
        }
        assert!(
            doc.contains("discipline_inspection"),
            "{lang}: the changed parameter is listed"
        );
        assert!(doc.contains("@media print"), "{lang}: print stylesheet");
        assert!(
            doc.contains("&quot;cogov_version&quot;"),
            "{lang}: the manifest is included"
        );
        assert!(doc.len() < 1_500_000, "{lang}: {} bytes", doc.len());
    }
    // The default output name sits in the run directory.
    ok(tmp.path(), &["report", run.to_str().unwrap(), "-q"]);
    assert!(run.join("report_en.html").exists());
}

// ----------------------------------------------------------------------------------------------
// The font
// ----------------------------------------------------------------------------------------------

/// Every label string charts and reports can show: the label table, column meanings, actor
/// kinds, levels and actions, parameter meanings, units, the library scenarios' titles,
/// descriptions and intervention labels, and the texts of real charts of a run.
fn every_label() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for l in labels::ALL {
        all.push(l.en.into());
        all.push(l.zh.into());
    }
    for c in timeseries_columns().into_iter().chain(summary_columns()) {
        all.extend([c.name, c.unit.to_string(), c.en, c.zh]);
    }
    for t in [
        &KIND_EN[..],
        &KIND_ZH,
        &LEVEL_EN,
        &LEVEL_ZH,
        &ACTION_EN,
        &ACTION_ZH,
    ] {
        all.extend(t.iter().map(|s| s.to_string()));
    }
    // Parameter meanings appear only in reports (HTML), where a browser falls back to a
    // system font for the few mathematical signs Noto Sans CJK lacks (superscripts and
    // subscripts); their keys, units and Chinese text must still be covered.
    for s in param_specs() {
        let zh_without_math: String = s.zh.chars().filter(|c| !is_math_script(*c)).collect();
        all.extend([s.key.to_string(), s.unit.to_string(), zh_without_math]);
    }
    for u in labels::KNOWN_UNITS {
        all.push(labels::unit(u, Lang::En));
        all.push(labels::unit(u, Lang::Zh));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "toml") {
            if let Ok(sc) = cogov::scenario::load_file(&path) {
                all.extend([
                    sc.name,
                    sc.title_en,
                    sc.title_zh,
                    sc.description_en,
                    sc.description_zh,
                ]);
                for i in sc.interventions {
                    all.extend([i.label_en, i.label_zh]);
                }
            }
        }
    }
    all
}

/// Superscript and subscript signs (U+2070–U+209F).
fn is_math_script(c: char) -> bool {
    ('\u{2070}'..='\u{209F}').contains(&c)
}

#[test]
fn the_font_has_every_character_of_every_label() {
    // Parse the committed font's cmap independently of the library's own lookups.
    let face = ttf_parser::Face::parse(font::FONT_BYTES, 0).expect("the font parses");
    let mut missing = BTreeSet::new();
    for label in every_label() {
        for c in label.chars().filter(|c| !c.is_control()) {
            if face.glyph_index(c).is_none() {
                missing.insert(c);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the chart font lacks {:?}; add them by re-running assets/fonts/make_subset.py",
        missing.iter().collect::<String>()
    );
    // The promised coverage: ASCII and the 3,755 level-1 hanzi of GB2312 (spot checks at both
    // ends of the range and in the middle).
    for c in (' '..='~').chain("啊阿埃座做中国协同共治".chars()) {
        assert!(face.glyph_index(c).is_some(), "{c:?}");
    }
    assert!(
        font::FONT_BYTES.len() < 1_100_000,
        "the font stays near 1 MB: {}",
        font::FONT_BYTES.len()
    );
}

#[test]
fn the_charts_of_a_real_run_use_only_characters_the_font_has() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &["--no-charts"]);
    let data = RunData::read(&run).unwrap();
    assert_eq!(
        charts::missing_glyphs(&data, &Lang::ALL),
        Vec::<char>::new()
    );
}

// ----------------------------------------------------------------------------------------------
// Opt-in: the report in a real browser
// ----------------------------------------------------------------------------------------------

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("COGOV_CHROMIUM") {
        return p.into();
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("COGOV_BROWSER_TEST needs Chromium: apt-get install chromium, or set COGOV_CHROMIUM")
}

/// A screenshot of `page` by headless Chromium that can see only the fonts in `font_dir`.
fn screenshot(page: &Path, shot: &Path, font_dir: &Path, scratch: &Path) -> (u32, u32, Vec<u8>) {
    let conf = scratch.join("fonts.conf");
    fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            font_dir.display(),
            scratch.join("fc-cache").display()
        ),
    )
    .unwrap();
    let out = Command::new(chromium())
        .env("FONTCONFIG_FILE", &conf)
        .env("HOME", scratch)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2400",
            &format!("--user-data-dir={}", scratch.join("profile").display()),
            &format!("--screenshot={}", shot.display()),
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        shot.exists(),
        "no screenshot; chromium said: {}",
        text(&out.stderr)
    );
    decode_png(shot)
}

#[test]
fn browser_renders_the_report_with_its_embedded_font() {
    if std::env::var_os("COGOV_BROWSER_TEST").is_none() {
        eprintln!("skipped: set COGOV_BROWSER_TEST=1 to open the report in headless Chromium");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    let doc = report(tmp.path(), &run, "zh");
    let page = tmp.path().join("report-zh.html");
    // The same page without its @font-face: Chinese then has no font to render with.
    let start = doc.find("@font-face").unwrap();
    let end = start + doc[start..].find('}').unwrap() + 1;
    let bare = tmp.path().join("report-zh-bare.html");
    fs::write(&bare, format!("{}{}", &doc[..start], &doc[end..])).unwrap();

    // Only a Latin font (or none at all) is visible to the browser, as on a fresh machine.
    let fonts = tmp.path().join("fonts");
    fs::create_dir(&fonts).unwrap();
    for f in ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"] {
        if Path::new(f).exists() {
            fs::copy(f, fonts.join(Path::new(f).file_name().unwrap())).unwrap();
        }
    }
    let (w, h, with_font) = screenshot(&page, &tmp.path().join("report.png"), &fonts, tmp.path());
    let (share, colours) = ink(&with_font);
    assert!(w >= 1000 && h >= 1000, "{w}x{h}");
    assert!(
        share > 0.02 && colours > 50,
        "the page is not blank: {:.1}% inked, {colours} colours",
        100.0 * share
    );
    if let Some(keep) = std::env::var_os("COGOV_BROWSER_SCREENSHOT") {
        fs::copy(tmp.path().join("report.png"), keep).unwrap();
    }
    let (_, _, without) = screenshot(&bare, &tmp.path().join("bare.png"), &fonts, tmp.path());
    assert!(
        with_font != without,
        "the embedded font changes what is drawn (it renders the Chinese)"
    );
}
