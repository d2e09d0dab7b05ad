//! Charts and reports, end to end: the real binary on a small run and on tiny sweeps of every
//! design kind. They check what a reader relies on — every chart drawn in both languages and
//! both formats and not blank, SVGs with real text in the right language, `cogov plot`
//! redrawing exactly what `cogov run` or `cogov sweep` drew (the charts come from the files),
//! a report that is one self-contained file, bad sweep directories refused with the file named,
//! and a font that has every character of every label (a missing one would silently vanish
//! from a PNG).
//!
//! Opt-in: `COGOV_BROWSER_TEST=1 cargo test --test charts browser` opens the report in headless
//! Chromium (Debian's `chromium` package, or the binary named by `COGOV_CHROMIUM`) with only
//! a Latin font available, takes screenshots, and checks that they are not blank and that the
//! embedded font is what renders the Chinese text.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cogov::charts::{self, font, labels, Lang, RunData, SweepData, RUN_CHARTS};
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

/// `cogov plot RUN --lang zh --format svg -q` with `extra` options.
fn plot_zh_svg(tmp: &Path, run: &Path, extra: &[&str]) {
    let mut args = vec![
        "plot",
        run.to_str().unwrap(),
        "--lang",
        "zh",
        "--format",
        "svg",
        "-q",
    ];
    args.extend_from_slice(extra);
    ok(tmp, &args);
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
            &[
                "“枫桥经验”三项指标",
                "小事不出村",
                "大事不出镇",
                "矛盾不出区县",
                "越级上访",
            ][..],
        ),
        (
            "zh",
            "resolution_levels",
            &["事项在哪一级解决", "网格", "社区/村", "街道/乡镇", "区县"][..],
        ),
        (
            "zh",
            "actions_by_kind",
            &[
                "实质履职",
                "形式应付",
                "消极不作为（卸责）",
                "占行为选择的比例",
                "属地党委政府（块）",
                "网格员",
                "企事业单位",
            ][..],
        ),
        ("zh", "trust", &["信任与满意度", "居民对政府的信任"][..]),
        ("zh", "costs", &["治理成本", "工作量（人·周/周）"][..]),
        (
            "zh",
            "major_risks",
            &["重大风险事件", "事件数（次/周）"][..],
        ),
        (
            "zh",
            "motivation",
            &[
                "各类主体的内在动机",
                "平均内在动机（0–1）",
                "网格员",
                "职能部门（条）",
            ][..],
        ),
        (
            "en",
            "motivation",
            &[
                "Intrinsic motivation by actor kind",
                "Mean intrinsic motivation (0–1)",
            ][..],
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

    plot_zh_svg(tmp.path(), &run, &[]);
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

/// For a journal: `--svg-text outlines` writes Chinese SVGs whose words are glyph outlines —
/// no `<text>` element and no web font, so they render in rsvg-convert or a vector editor with
/// no font installed — and `--no-title` leaves titles to the caption. A run's charts say that
/// they show one seed.
#[test]
fn svgs_in_outline_mode_need_no_font_and_titles_can_be_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    let before = fs::read_to_string(chart_path(&run, "zh", "issue_flow", "svg")).unwrap();
    assert!(
        before.contains("单次运行（随机种子"),
        "one seed, said in the subtitle"
    );
    let title = "事项流量";
    assert!(before.contains(title));
    plot_zh_svg(tmp.path(), &run, &["--svg-text", "outlines"]);
    for id in RUN_CHARTS {
        let svg = fs::read_to_string(chart_path(&run, "zh", id, "svg")).unwrap();
        assert!(svg.starts_with("<svg"), "{id}");
        assert!(
            !svg.contains("<text") && !svg.contains("@font-face"),
            "{id}: text needs no font"
        );
        assert!(
            svg.matches("<path d=\"M").count() > 20,
            "{id}: glyphs as paths"
        );
    }
    plot_zh_svg(tmp.path(), &run, &["--no-title"]);
    let untitled = fs::read_to_string(chart_path(&run, "zh", "issue_flow", "svg")).unwrap();
    assert!(
        !untitled.contains(title) && !untitled.contains("单次运行"),
        "no title, no subtitle"
    );
    assert!(
        untitled.contains("<text"),
        "web-font text stays the default"
    );
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
    // --force: tests call this for several directories with one file name per language.
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
            "--force",
        ],
    );
    fs::read_to_string(file).unwrap()
}

/// An HTML document that loads nothing from anywhere else.
fn assert_self_contained(doc: &str, what: &str) {
    assert!(doc.starts_with("<!DOCTYPE html>"), "{what}");
    assert!(
        !doc.contains("http://") && !doc.contains("https://"),
        "{what}: no external references"
    );
    for tag in ["<script", "<link", "<img", "<iframe", "@import", "src=\""] {
        assert!(
            !doc.contains(tag),
            "{what}: nothing loaded from elsewhere ({tag})"
        );
    }
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
                "“枫桥经验”三项指标",
            ][..],
        ),
        (
            "en",
            "Responsibility lists from week 4",
            &[
                "Parameters that differ from the defaults",
                "Key results",
                "resolved / issues of the window",
            ][..],
        ),
    ] {
        let doc = report(tmp.path(), &run, lang);
        assert_self_contained(&doc, lang);
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
// Sweeps: `cogov sweep` draws, `cogov plot` redraws, `cogov report` reports
// ----------------------------------------------------------------------------------------------

/// A small city for tiny sweeps.
const SWEEP_BASE: &str = r#"
[base]
territory.districts = 2
territory.streets_per_district = 2
territory.communities_per_street = 2
"#;

const PACKAGES: &str = r#"
[experiment]
name = "packages-test"
title_en = "Lists and block-led management against the baseline"
title_zh = "权责清单、以块为主与基线比较"
description_en = "Three packages on a small city."
description_zh = "小城市上的三个政策组合。"
replications = 3
base_seed = 5
ticks = 6
common_random_numbers = true

[design]
kind = "packages"

[[design.packages]]
name = "baseline / 基线"
set = {}

[[design.packages]]
name = "lists / 权责清单"
set = { motivation.responsibility_lists = 1.0 }

[[design.packages]]
name = "block-led / 以块为主"
set = { institutions.block_led = true }
"#;

const MORRIS: &str = r#"
[experiment]
name = "morris-test"
title_en = "Screening three levers"
title_zh = "三个杠杆的筛选"
replications = 1
ticks = 6
common_random_numbers = true

[design]
kind = "morris"
trajectories = 3
levels = 4

[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"tools.media_pressure" = [0.0, 0.2]
"institutions.block_led" = [false, true]
"#;

const SOBOL: &str = r#"
[experiment]
name = "sobol-test"
title_en = "Sobol' indices of two levers"
title_zh = "两个政策举措的Sobol指数"
replications = 2
ticks = 6

[design]
kind = "sobol"
samples = 4

[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"tools.media_pressure" = [0.0, 0.2]
"#;

const LHS: &str = r#"
[experiment]
name = "lhs-test"
title_en = "Two levers sampled"
title_zh = "两个杠杆的抽样"
replications = 2
ticks = 6

[design]
kind = "lhs"
points = 8

[design.ranges]
"motivation.incentive_compatibility" = [0.0, 1.0]
"motivation.lookback_interval_ticks" = [0, 26]
"#;

fn smoke_experiment() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/smoke.toml")
}

/// Runs `scenarios/experiments/smoke.toml` (a 2×2 grid) into `<tmp>/<name>`.
fn smoke_sweep(tmp: &Path, name: &str, extra: &[&str]) -> PathBuf {
    sweep(tmp, name, smoke_experiment().to_str().unwrap(), extra)
}

/// Runs an experiment (a file, or text written beside the output) into `<tmp>/<name>`.
fn sweep(tmp: &Path, name: &str, experiment: &str, extra: &[&str]) -> PathBuf {
    let file = if experiment.starts_with('/') {
        PathBuf::from(experiment)
    } else {
        let f = tmp.join(format!("{name}.toml"));
        fs::write(&f, format!("{experiment}{SWEEP_BASE}")).unwrap();
        f
    };
    let out = tmp.join(name);
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    ok(tmp, &args);
    out
}

fn key_metrics() -> Vec<&'static str> {
    charts::KEY_METRICS.iter().map(|k| k.column).collect()
}

/// Chart stems a design gets: one or two per key metric.
fn sweep_chart_ids(suffixes: &[&str]) -> Vec<String> {
    key_metrics()
        .iter()
        .flat_map(|m| suffixes.iter().map(move |s| format!("{m}_{s}")))
        .collect()
}

/// Every expected chart of a sweep is there in both languages and formats, not blank, and
/// nothing else is; returns the SVG texts by (lang, id).
fn check_sweep_charts(dir: &Path, ids: &[String]) -> Vec<(String, String, String)> {
    let mut svgs = Vec::new();
    for lang in ["en", "zh"] {
        let mut expected: Vec<String> = ids
            .iter()
            .flat_map(|id| [format!("{id}.png"), format!("{id}.svg")])
            .collect();
        expected.sort();
        let mut found: Vec<String> = fs::read_dir(dir.join("charts").join(lang))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        found.sort();
        assert_eq!(found, expected, "{}: charts/{lang}", dir.display());
        for id in ids {
            let png = chart_path(dir, lang, id, "png");
            let (w, h, rgb) = decode_png(&png);
            let (share, colours) = ink(&rgb);
            assert!(w >= 1200 && h >= 800, "{}: {w}x{h}", png.display());
            assert!(
                share > 0.02 && colours > 20,
                "{}: {:.1}% inked, {colours} colours",
                png.display(),
                100.0 * share
            );
            let svg = fs::read_to_string(chart_path(dir, lang, id, "svg")).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("<text"), "{id}.svg");
            assert_eq!(svg.matches("@font-face").count(), 1, "{id}.svg");
            svgs.push((lang.to_string(), id.clone(), svg));
        }
    }
    svgs
}

fn svg_of<'a>(svgs: &'a [(String, String, String)], lang: &str, id: &str) -> &'a str {
    svgs.iter()
        .find(|(l, i, _)| l == lang && i == id)
        .map(|(_, _, s)| s.as_str())
        .unwrap_or_else(|| panic!("no {lang}/{id}.svg"))
}

fn assert_has(doc: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(doc.contains(n), "{what} lacks {n:?}");
    }
}

#[test]
fn a_grid_sweep_draws_heatmaps_and_curves_and_plot_redraws_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = smoke_sweep(tmp.path(), "smoke", &[]);
    let svgs = check_sweep_charts(
        &dir,
        &sweep_chart_ids(&["heatmap", "by_incentive_compatibility"]),
    );
    assert_has(
        svg_of(&svgs, "zh", "resolution_rate_heatmap"),
        "zh heatmap",
        &[
            "解决率",
            "激励相容度κ",
            "权责清单a",
            "冒烟测试",
            "解决率（比例，0–1）",
        ],
    );
    assert_has(
        svg_of(&svgs, "zh", "resolution_rate_by_incentive_compatibility"),
        "zh curves",
        &["解决率随激励相容度κ的变化", "权责清单a = 0", "95%置信区间"],
    );
    assert_has(
        svg_of(&svgs, "en", "cost_total_by_incentive_compatibility"),
        "en curves",
        &[
            "Total cost of governance by incentive compatibility",
            "Total cost (person-weeks)",
            "mean of 3 replications per point",
        ],
    );
    assert_has(
        svg_of(&svgs, "en", "fengqiao_village_heatmap"),
        "en heatmap",
        &["Small matters stay in the village", "Smoke test"],
    );
    assert!(!svg_of(&svgs, "en", "resolution_rate_heatmap").contains("解决率"));

    // `cogov plot` redraws exactly what the sweep drew, in the language and format asked for.
    let original = fs::read(chart_path(&dir, "zh", "resolution_rate_heatmap", "png")).unwrap();
    fs::remove_dir_all(dir.join("charts")).unwrap();
    ok(
        tmp.path(),
        &[
            "plot",
            dir.to_str().unwrap(),
            "--lang",
            "zh",
            "--format",
            "png",
            "-q",
        ],
    );
    assert_eq!(
        fs::read(chart_path(&dir, "zh", "resolution_rate_heatmap", "png")).unwrap(),
        original
    );
    assert!(!dir.join("charts/en").exists());
    assert!(!chart_path(&dir, "zh", "resolution_rate_heatmap", "svg").exists());
    let out = ok(tmp.path(), &["plot", dir.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains(&format!("{} charts", 4 * key_metrics().len())),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn packages_morris_and_latin_hypercube_sweeps_get_their_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let packages = sweep(tmp.path(), "packages", PACKAGES, &[]);
    let svgs = check_sweep_charts(&packages, &sweep_chart_ids(&["packages", "packages_diff"]));
    // Common random numbers: each package minus the baseline, paired seed by seed.
    assert_has(
        svg_of(&svgs, "zh", "resolution_rate_packages_diff"),
        "zh package differences",
        &[
            "解决率：各政策组合与基线之差",
            "与“baseline / 基线”在3个共同随机种子上的配对差值",
            "lists / 权责清单",
            "无差异",
        ],
    );
    assert!(
        !svg_of(&svgs, "en", "cost_total_packages_diff").contains(">baseline / 基线<"),
        "the baseline has no row of its own"
    );
    assert_has(
        svg_of(&svgs, "zh", "resolution_rate_packages"),
        "zh packages",
        &[
            "各政策组合的解决率",
            "lists / 权责清单",
            "block-led / 以块为主",
            "基线",
            "95%置信区间",
            "均值",
        ],
    );
    assert_has(
        svg_of(&svgs, "en", "major_risks_total_packages"),
        "en packages",
        &[
            "Major risk events by policy package",
            "Major risk events (count)",
            "baseline",
            "3 replications per package",
        ],
    );

    let morris = sweep(tmp.path(), "morris", MORRIS, &[]);
    let svgs = check_sweep_charts(&morris, &sweep_chart_ids(&["morris"]));
    assert_has(
        svg_of(&svgs, "en", "resolution_rate_morris"),
        "en Morris",
        &[
            "Morris screening: Resolution rate",
            "incentive compatibility",
            "media pressure",
            "block led",
            "μ* (mean absolute elementary effect)",
            "per full range of a lever",
        ],
    );
    assert_has(
        svg_of(&svgs, "zh", "satisfaction_mean_morris"),
        "zh Morris",
        &["Morris筛选：满意度", "基本效应", "三个杠杆的筛选"],
    );

    // With --no-charts the sweep draws nothing; `cogov plot` draws them afterwards.
    let lhs = sweep(tmp.path(), "lhs", LHS, &["--no-charts"]);
    assert!(lhs.join("points.csv").exists() && !lhs.join("charts").exists());
    ok(tmp.path(), &["plot", lhs.to_str().unwrap(), "-q"]);
    let svgs = check_sweep_charts(&lhs, &sweep_chart_ids(&["lhs"]));
    assert_has(
        svg_of(&svgs, "en", "resolution_rate_lhs"),
        "en LHS",
        &[
            "Resolution rate across the sampled points",
            "Latin hypercube of 8 points",
            "the other parameters differ too",
            "lookback interval ticks [weeks]",
        ],
    );
    assert_has(
        svg_of(&svgs, "zh", "resolution_rate_lhs"),
        "zh LHS",
        &["各抽样点的解决率", "其他参数同时不同", "“回头看”间隔（周）"],
    );
}

#[test]
fn the_report_of_a_sweep_is_one_self_contained_file() {
    let tmp = tempfile::tempdir().unwrap();
    let smoke = smoke_sweep(tmp.path(), "smoke", &["--no-charts"]);
    let packages = sweep(tmp.path(), "packages", PACKAGES, &["--no-charts"]);
    let morris = sweep(tmp.path(), "morris", MORRIS, &["--no-charts"]);
    let cases: [(&Path, &str, usize, &[&str]); 5] = [
        (
            &smoke,
            "zh",
            2 * key_metrics().len(),
            &[
                "冒烟测试：激励相容×权责清单",
                "小城市上的2×2设计",
                "实验设计",
                "全因子网格",
                "激励相容度κ",
                "0.2, 0.8",
                "基准情景中与默认值不同的参数",
                "区县数",
                "主要结果",
                "95%置信区间",
                "解决率（比例，0–1）",
                "%",
            ],
        ),
        (
            &smoke,
            "en",
            2 * key_metrics().len(),
            &[
                "Smoke test: incentive compatibility × responsibility lists",
                "full factorial grid",
                "replications per point",
                "Key results",
                "incentive compatibility=0.2 responsibility lists=0",
                "cogov sweep smoke.toml",
            ],
        ),
        (
            &packages,
            "zh",
            // The means and the paired differences of each key metric.
            2 * key_metrics().len(),
            &[
                "权责清单、以块为主与基线比较",
                "政策组合",
                "lists / 权责清单",
                "权责清单a = 1",
                "共同随机数",
            ],
        ),
        (
            &packages,
            "en",
            // The means and the paired differences of each key metric.
            2 * key_metrics().len(),
            &[
                "Three packages on a small city.",
                "policy packages",
                "baseline / 基线",
            ],
        ),
        (
            &morris,
            "en",
            key_metrics().len(),
            &[
                "Morris elementary effects",
                "trajectories",
                "μ* (importance)",
                "<code>tools.media_pressure</code>",
                "0 – 0.2",
            ],
        ),
    ];
    for (dir, lang, figures, words) in cases {
        let what = format!("{} ({lang})", dir.display());
        let doc = report(tmp.path(), dir, lang);
        assert_self_contained(&doc, &what);
        assert_eq!(
            doc.matches("<svg").count(),
            figures,
            "{what}: every chart inline"
        );
        assert_eq!(
            doc.matches("@font-face").count(),
            1,
            "{what}: font embedded once"
        );
        assert!(
            doc.contains("&quot;kind&quot;: &quot;sweep&quot;"),
            "{what}: the manifest is included"
        );
        assert_has(&doc, &what, words);
    }
}

#[test]
fn merge_draws_the_charts_that_shards_leave_out() {
    let tmp = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (0..2)
        .map(|i| {
            smoke_sweep(
                tmp.path(),
                &format!("shard{i}"),
                &["--shard", &format!("{i}/2")],
            )
        })
        .collect();
    for s in &shards {
        assert!(
            !s.join("charts").exists(),
            "a shard's statistics cover its own runs only"
        );
    }
    let out = cogov(tmp.path(), &["plot", shards[0].to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("shard 0/2") && text(&out.stderr).contains("cogov merge"),
        "{}",
        text(&out.stderr)
    );
    let merged = tmp.path().join("merged");
    ok(
        tmp.path(),
        &[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
    );
    check_sweep_charts(
        &merged,
        &sweep_chart_ids(&["heatmap", "by_incentive_compatibility"]),
    );
    let whole = smoke_sweep(tmp.path(), "whole", &[]);
    assert_eq!(
        fs::read(chart_path(&merged, "en", "resolution_rate_heatmap", "svg")).unwrap(),
        fs::read(chart_path(&whole, "en", "resolution_rate_heatmap", "svg")).unwrap(),
        "merged shards chart what the whole sweep charts"
    );
}

#[test]
fn a_sweep_whose_charts_cannot_be_written_keeps_its_runs_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = smoke_experiment();
    let dir = smoke_sweep(tmp.path(), "smoke", &["--no-charts"]);
    let (runs, points) = (
        fs::read(dir.join("runs.csv")).unwrap(),
        fs::read(dir.join("points.csv")).unwrap(),
    );
    // A file where the charts directory should go: drawing fails after every run is done.
    fs::write(dir.join("charts"), "in the way").unwrap();
    let args = [
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--resume",
        "-q",
    ];
    let out = cogov(tmp.path(), &args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("charts") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(fs::read(dir.join("runs.csv")).unwrap(), runs);
    assert_eq!(fs::read(dir.join("points.csv")).unwrap(), points);
    let manifest = fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"complete\": false"),
        "not complete until its charts are drawn"
    );
    let out = cogov(tmp.path(), &["plot", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not complete"),
        "{}",
        text(&out.stderr)
    );

    fs::remove_file(dir.join("charts")).unwrap();
    ok(tmp.path(), &args);
    assert!(fs::read_to_string(dir.join("manifest.json"))
        .unwrap()
        .contains("\"complete\": true"));
    assert_eq!(fs::read(dir.join("runs.csv")).unwrap(), runs);
    check_sweep_charts(
        &dir,
        &sweep_chart_ids(&["heatmap", "by_incentive_compatibility"]),
    );
}

#[test]
fn bad_sweep_directories_are_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let smoke = smoke_sweep(tmp.path(), "smoke", &["--no-charts"]);
    let morris = sweep(tmp.path(), "morris", MORRIS, &["--no-charts"]);
    let points = fs::read_to_string(smoke.join("points.csv")).unwrap();
    let manifest = fs::read_to_string(smoke.join("manifest.json")).unwrap();
    let cases: Vec<(&Path, &str, String, &str)> = vec![
        (&smoke, "points.csv", String::new(), "points.csv: not found"),
        (
            &smoke,
            "points.csv",
            points[..points.len() / 2].to_string(),
            "points.csv",
        ),
        (
            &smoke,
            "points.csv",
            points.lines().take(3).map(|l| format!("{l}\n")).collect(),
            "expected 4 design points",
        ),
        (
            &smoke,
            "points.csv",
            points.replacen(",3,0,", ",x,0,", 1),
            "expected a number",
        ),
        (
            &smoke,
            "points.csv",
            points
                .lines()
                .next()
                .unwrap()
                .replace("resolution_rate_mean", "resolution_rate_avg")
                + "\n",
            "resolution_rate_mean",
        ),
        (
            &smoke,
            "manifest.json",
            manifest.replace("\"complete\": true", "\"complete\": false"),
            "not complete",
        ),
        (
            &smoke,
            "manifest.json",
            manifest[..manifest.len() / 2].to_string(),
            "manifest.json: invalid JSON",
        ),
        (
            &smoke,
            "manifest.json",
            manifest.replace("\"experiment_source\"", "\"experiment_sauce\""),
            "no experiment_source",
        ),
        (
            &morris,
            "morris.csv",
            String::new(),
            "morris.csv: not found",
        ),
        (
            &morris,
            "morris.csv",
            "lever,metric,mu_star,mu,sigma,trajectories\n".to_string(),
            "morris.csv: no row for lever",
        ),
    ];
    for (dir, file, content, needle) in cases {
        let path = dir.join(file);
        let saved = fs::read(&path).unwrap();
        if content.is_empty() {
            fs::remove_file(&path).unwrap();
        } else {
            fs::write(&path, &content).unwrap();
        }
        for command in ["plot", "report"] {
            let out = cogov(tmp.path(), &[command, dir.to_str().unwrap(), "-q"]);
            let stderr = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} with a bad {file} ({needle}): {stderr}"
            );
            assert!(
                stderr.starts_with("error: ") && stderr.trim().lines().count() == 1,
                "{stderr}"
            );
            assert!(
                stderr.contains(needle),
                "{command}: {stderr} should say {needle:?}"
            );
        }
        fs::write(&path, saved).unwrap();
    }
    assert!(
        !smoke.join("charts").exists() && !smoke.join("report_en.html").exists(),
        "nothing is written"
    );
}

/// A package sweep that writes time series draws each weekly column across replications: the
/// baseline and every package on one chart, each a mean per week with its 95% band.
#[test]
fn a_sweep_with_time_series_draws_weekly_means_with_bands() {
    let tmp = tempfile::tempdir().unwrap();
    let text = PACKAGES.replace(
        "common_random_numbers = true",
        "common_random_numbers = true\ntimeseries = true",
    );
    let dir = sweep(tmp.path(), "weekly", &text, &[]);
    let mut ids = sweep_chart_ids(&["packages", "packages_diff"]);
    ids.extend(
        charts::sweep_dir::WEEKLY
            .iter()
            .map(|(c, _, _)| format!("weekly_{c}")),
    );
    let svgs = check_sweep_charts(&dir, &ids);
    assert_has(
        svg_of(&svgs, "zh", "weekly_backlog"),
        "zh weekly",
        &[
            "未结事项（逐周）",
            "baseline / 基线",
            "lists / 权责清单",
            "周次",
            "阴影",
        ],
    );
    assert_has(
        svg_of(&svgs, "en", "weekly_resolved"),
        "en weekly",
        &[
            "each week: mean of 3 replications",
            "95% confidence interval",
            "Week",
        ],
    );
}

#[test]
fn points_csv_cut_anywhere_is_an_error_or_a_chart_never_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sweep(tmp.path(), "packages", PACKAGES, &["--no-charts"]);
    let points = fs::read(dir.join("points.csv")).unwrap();
    let rows = points.iter().filter(|b| **b == b'\n').count();
    for cut in (0..points.len()).step_by(7) {
        fs::write(dir.join("points.csv"), &points[..cut]).unwrap();
        let read = std::panic::catch_unwind(|| {
            SweepData::read(&dir).and_then(|d| charts::sweep_figures(&d, Lang::Zh).map(|f| f.len()))
        });
        match read.unwrap_or_else(|_| panic!("a panic on points.csv cut at {cut}")) {
            // The means and the paired differences of each key metric.
            Ok(n) => assert_eq!(n, 2 * key_metrics().len(), "cut at {cut}"),
            Err(e) => {
                assert!(e.to_string().contains("points.csv"), "cut at {cut}: {e}");
                assert!(e.is_usage(), "cut at {cut}: {e}");
            }
        }
        let whole_rows = points[..cut].iter().filter(|b| **b == b'\n').count();
        if whole_rows < rows - 1 {
            assert!(
                SweepData::read(&dir).is_err(),
                "cut at {cut}: rows are missing"
            );
        }
    }
}

// ----------------------------------------------------------------------------------------------
// The font
// ----------------------------------------------------------------------------------------------

/// Every label string charts and reports can show: the label table (sweep chart titles and
/// axes among them), column meanings, actor kinds, levels and actions, parameter meanings,
/// units, the library scenarios' titles, descriptions and intervention labels, and the
/// example experiments' titles, descriptions and package names.
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
    // Parameter short names name axes, legends and Morris points; policy sources fill the
    // glossary; interventions read as words (`第27周起：权责清单a 0→1`).
    for (_, zh) in charts::names::NAMES_ZH {
        all.push(zh.to_string());
    }
    all.push(charts::names::param_name("interventions.1.tick", Lang::Zh));
    for (_, source) in charts::names::POLICY_SOURCES {
        all.push(source.to_string());
    }
    all.push(charts::names::intervention_words(
        27,
        &[(
            "process.whistle_and_report",
            cogov::model::params::ParamValue::Bool(false),
            cogov::model::params::ParamValue::Bool(true),
        )],
        Lang::Zh,
    ));
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
    // The example experiments: titles and descriptions head sweep charts and reports, and
    // point labels (policy package names) label their rows.
    for e in fs::read_dir(dir.join("experiments")).unwrap() {
        let path = e.unwrap().path();
        // A calibration file (`cogov calibrate`): its titles head its charts.
        if let Ok(cal) = cogov::experiment::calibration::load_file(&path) {
            all.extend([cal.name, cal.title_en, cal.title_zh]);
            continue;
        }
        let exp = cogov::experiment::load_file(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        all.extend([
            exp.name,
            exp.title_en,
            exp.title_zh,
            exp.description_en,
            exp.description_zh,
        ]);
        if let cogov::experiment::design::Design::Packages(ps) = &exp.design {
            all.extend(ps.iter().map(|p| p.name_zh.clone()));
        }
        all.extend(exp.points.into_iter().map(|p| p.label));
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

#[test]
fn the_charts_of_real_sweeps_use_only_characters_the_font_has() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, experiment) in [
        ("smoke", smoke_experiment().display().to_string()),
        ("packages", PACKAGES.to_string()),
        ("morris", MORRIS.to_string()),
        ("lhs", LHS.to_string()),
        ("sobol", SOBOL.to_string()),
    ] {
        let dir = sweep(tmp.path(), name, &experiment, &["--no-charts"]);
        let data = SweepData::read(&dir).unwrap();
        assert_eq!(
            charts::missing_glyphs(&data, &Lang::ALL),
            Vec::<char>::new(),
            "{name}"
        );
    }
}

// ----------------------------------------------------------------------------------------------
// Opt-in: the report in a real browser
// ----------------------------------------------------------------------------------------------

#[path = "common/chromium.rs"]
mod chromium_path;

fn chromium() -> PathBuf {
    chromium_path::chromium().expect(
        "COGOV_BROWSER_TEST needs Chromium: apt-get install chromium, or set COGOV_CHROMIUM",
    )
}

/// A screenshot of `page` by headless Chromium that can see only the fonts in `font_dir`.
fn screenshot(page: &Path, shot: &Path, font_dir: &Path, scratch: &Path) -> (u32, u32, Vec<u8>) {
    let conf = chromium_path::fontconfig(font_dir, scratch);
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

// ----------------------------------------------------------------------------------------------
// Charts for a paper: PDF, size and resolution (issue 15 §3)
// ----------------------------------------------------------------------------------------------

/// The decompressed content of every Flate stream of a PDF, concatenated.
fn pdf_streams(pdf: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = pdf;
    // A stream follows its dictionary (`>>`); `endstream` does not.
    while let Some(start) = find(rest, b">>\nstream\n") {
        let body = &rest[start + b">>\nstream\n".len()..];
        let Some(end) = find(body, b"\nendstream") else {
            break;
        };
        if let Ok(bytes) = miniz_oxide::inflate::decompress_to_vec_zlib(&body[..end]) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
        rest = &body[end..];
    }
    out
}

/// A PDF's bytes as text, byte for byte (binary bytes as `?`), so offsets stay offsets.
fn ascii(pdf: &[u8]) -> String {
    pdf.iter()
        .map(|&b| if b.is_ascii() { b as char } else { '?' })
        .collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A PDF's structure as a reader walks it: header, `startxref` pointing at the cross-reference
/// table, one entry there for each object in the file, one page, and its media box in points.
fn pdf_page_size(pdf: &[u8], what: &str) -> (f64, f64) {
    let text = ascii(pdf);
    assert!(text.starts_with("%PDF-1."), "{what}: a PDF header");
    assert!(
        text.trim_end().ends_with("%%EOF"),
        "{what}: ends with %%EOF"
    );
    let at = text.rfind("startxref").expect("startxref");
    let offset: usize = text[at + "startxref".len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("an offset after startxref");
    assert!(
        pdf[offset..].starts_with(b"xref"),
        "{what}: startxref points at the cross-reference table"
    );
    let header: Vec<usize> = text[offset..]
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let objects = text.matches(" 0 obj").count();
    assert_eq!(header[1], objects + 1, "{what}: an xref entry per object");
    assert_eq!(
        text.matches("/Type /Page\n").count()
            + text.matches("/Type /Page/").count()
            + text.matches("/Type /Page ").count(),
        1,
        "{what}: one page"
    );
    let mb = text.find("/MediaBox [").expect("a media box") + "/MediaBox [".len();
    let v: Vec<f64> = text[mb..mb + text[mb..].find(']').unwrap()]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (v[2] - v[0], v[3] - v[1])
}

fn points_to_mm(pt: f64) -> f64 {
    pt / 72.0 * 25.4
}

/// `--format pdf,png,svg --size 120x80mm --dpi 300` on a Chinese run: every chart a valid one-page
/// PDF of 120 × 80 mm whose words are glyph outlines (no font, no text operator, hundreds of
/// curves — Chinese glyphs are curve-heavy), a PNG of 1417 × 945 pixels that records 300 dpi,
/// and an SVG that states its size in millimetres. Where poppler's `pdftoppm` is installed the
/// PDF is also rasterised and must not be blank, with ink in its title band.
#[test]
fn pdf_png_and_svg_for_a_paper_come_at_the_size_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &["--no-charts"]);
    let dir = run.to_str().unwrap();
    let args = [
        "plot",
        dir,
        "--lang",
        "zh",
        "--format",
        "pdf,png,svg",
        "--size",
        "120x80mm",
        "--dpi",
        "300",
        "-q",
    ];
    ok(tmp.path(), &args);
    let rasteriser = Command::new("pdftoppm").arg("-v").output().is_ok();
    for id in RUN_CHARTS {
        let path = chart_path(&run, "zh", id, "pdf");
        let pdf = fs::read(&path).unwrap();
        let (w, h) = pdf_page_size(&pdf, id);
        assert!(
            (points_to_mm(w) - 120.0).abs() < 0.01 && (points_to_mm(h) - 80.0).abs() < 0.01,
            "{id}: {w}x{h} pt"
        );
        let content = pdf_streams(&pdf);
        assert!(
            !content.contains(" Tf") && !ascii(&pdf).contains("/FontFile"),
            "{id}: no font, no text operators: the words are outlines"
        );
        let curves = content.matches(" c\n").count();
        assert!(curves > 500, "{id}: {curves} curves (glyph outlines)");

        let (pw, ph, _) = decode_png(&chart_path(&run, "zh", id, "png"));
        assert_eq!((pw, ph), (1417, 945), "{id}: 120 x 80 mm at 300 dpi");
        let png = fs::read(chart_path(&run, "zh", id, "png")).unwrap();
        let phys = find(&png, b"pHYs").expect("a pHYs chunk") + 4;
        let ppm = u32::from_be_bytes(png[phys..phys + 4].try_into().unwrap());
        assert_eq!(
            (ppm, png[phys + 8]),
            (11811, 1),
            "{id}: 300 dpi in pixels per metre"
        );

        let svg = fs::read_to_string(chart_path(&run, "zh", id, "svg")).unwrap();
        assert!(
            svg.contains("width=\"120mm\" height=\"80mm\" viewBox=\"0 0 1200 800\""),
            "{id}: an SVG of 120 x 80 mm"
        );

        if rasteriser {
            let stem = tmp.path().join(format!("{id}-raster"));
            let status = Command::new("pdftoppm")
                .args(["-r", "100", "-png", "-singlefile"])
                .arg(&path)
                .arg(&stem)
                .status()
                .unwrap();
            assert!(status.success(), "{id}: pdftoppm reads the PDF");
            let (rw, rh, rgb) = decode_png(&stem.with_extension("png"));
            assert!(
                rw.abs_diff(472) <= 1 && rh.abs_diff(315) <= 1,
                "{id}: {rw}x{rh}, 120 x 80 mm at 100 dpi"
            );
            let (share, _) = ink(&rgb);
            assert!(share > 0.02, "{id}: {:.1}% inked", 100.0 * share);
            let title_band = &rgb[..rw as usize * 3 * 30];
            assert!(ink(title_band).0 > 0.01, "{id}: the Chinese title is drawn");
        } else {
            eprintln!("pdftoppm not installed: the PDFs were checked, not rasterised");
        }
    }
}

/// Without `--size` a PDF is the chart's own size, 160 × 90 mm for most; the default PNG is a
/// pixel a layout unit (1600 × 900) and records 254 dpi.
#[test]
fn the_default_size_is_160_by_90_mm_at_254_dpi() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &[]);
    let (w, h, _) = decode_png(&chart_path(&run, "en", "trust", "png"));
    assert_eq!((w, h), (1600, 900));
    ok(
        tmp.path(),
        &[
            "plot",
            run.to_str().unwrap(),
            "--lang",
            "en",
            "--format",
            "pdf",
            "-q",
        ],
    );
    let (w, h) = pdf_page_size(
        &fs::read(chart_path(&run, "en", "trust", "pdf")).unwrap(),
        "trust",
    );
    assert!(
        (points_to_mm(w) - 160.0).abs() < 0.01 && (points_to_mm(h) - 90.0).abs() < 0.01,
        "{w}x{h} pt"
    );
    let svg = fs::read_to_string(chart_path(&run, "en", "trust", "svg")).unwrap();
    assert!(
        svg.contains("<svg width=\"1600\" height=\"900\""),
        "without --size the SVG is as before"
    );
}

/// Sizes and resolutions that cannot be drawn are refused before anything is, with exit 2 and
/// a message that says what was expected.
#[test]
fn bad_sizes_and_resolutions_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let run = small_run(tmp.path(), &["--no-charts"]);
    let dir = run.to_str().unwrap();
    for (extra, says) in [
        (vec!["--size", "160x100"], "with a unit mm, cm or in"),
        (vec!["--size", "30x20mm"], "at least 80×50 mm"),
        (vec!["--size", "abcmm"], "WIDTHxHEIGHT"),
        (vec!["--dpi", "20"], "50..=2400"),
        (vec!["--format", "tiff"], "possible values"),
        (
            vec!["--size", "1000x1000mm", "--dpi", "600"],
            "pixels at 600 dpi",
        ),
    ] {
        let mut args = vec!["plot", dir, "-q"];
        args.extend(&extra);
        let out = cogov(tmp.path(), &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
        assert!(!run.join("charts").exists(), "{extra:?}: nothing drawn");
    }
    // A size that leaves panels too little room is drawn, with a warning naming the charts.
    let args = [
        "plot", dir, "--lang", "en", "--format", "svg", "--size", "90x60mm",
    ];
    let warned = text(&ok(tmp.path(), &args).stderr);
    assert!(
        warned.contains("actions_by_kind") && !warned.contains("trust"),
        "five panels in 90 mm are cramped, one is not: {warned}"
    );
}

/// Every design's charts draw at the smallest and the largest size `--size` accepts, in every
/// format, without a failure or a panic (a layout with no room left for a panel is still drawn).
#[test]
fn every_sweep_chart_draws_at_the_extreme_sizes() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = [
        smoke_sweep(tmp.path(), "grid", &[]),
        sweep(tmp.path(), "packages", PACKAGES, &[]),
        sweep(tmp.path(), "morris", MORRIS, &[]),
        sweep(tmp.path(), "sobol", SOBOL, &[]),
        sweep(tmp.path(), "lhs", LHS, &[]),
    ];
    for dir in &dirs {
        for size in ["80x50mm", "1200x1200mm"] {
            let d = dir.to_str().unwrap();
            let args = [
                "plot", d, "--lang", "zh", "--format", "png,pdf", "--size", size, "--dpi", "50",
                "-q",
            ];
            ok(tmp.path(), &args);
            let pdfs = fs::read_dir(dir.join("charts/zh"))
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension() == Some("pdf".as_ref()))
                .count();
            assert!(pdfs >= 2, "{d} at {size}: {pdfs} PDFs");
        }
    }
}
