//! The charts of one run, drawn from the run's own files (`timeseries.csv`, `summary.csv`,
//! `manifest.json`) read back from its directory, so `cogov plot` can redraw any run and
//! every picture can be rebuilt from the files.
//!
//! Each series is taken from a column of `output::records` named by its constant there
//! (`records::ts`), so a renamed column cannot leave a chart without its line, and each axis
//! states the unit it expects; a column whose unit changed would be refused rather than
//! mislabelled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::figure::{Figure, Marker, Panel, Series, SeriesKind, XyPanel};
use super::files::{input, read_csv, Manifest};
use super::labels::{self as t, Lang, L};
use super::style::*;
use super::ChartError;
use crate::model::entities::ActorKind;
use crate::output::records::{
    timeseries_columns, ts, ACTION_EN, ACTION_ZH, KIND_EN, KIND_ZH, LEVEL_EN, LEVEL_ZH,
};
use crate::scenario::{self, Scenario};

/// A run directory read back: its scenario (from the manifest), the manifest text, and the
/// columns of its CSV files.
#[derive(Clone, Debug)]
pub struct RunData {
    pub dir: PathBuf,
    pub scenario: Scenario,
    /// `manifest.json` as written.
    pub manifest: String,
    /// `kind` in the manifest (`run` for `cogov run`).
    pub kind: String,
    pub cogov_version: String,
    /// `timeseries.csv`, column by column.
    pub series: BTreeMap<String, Vec<f64>>,
    /// `summary.csv` as (column, value), in file order.
    pub summary: Vec<(String, f64)>,
}

impl RunData {
    /// Reads a run directory written by `cogov run`.
    pub fn read(dir: &Path) -> Result<RunData, ChartError> {
        let manifest = Manifest::read(dir)?;
        RunData::from_manifest(dir, manifest)
    }

    /// Reads the rest of a run directory whose manifest is read.
    pub(super) fn from_manifest(dir: &Path, m: Manifest) -> Result<RunData, ChartError> {
        if m.kind == "sweep" {
            return Err(input(
                dir,
                "is a sweep directory, not a run directory (`cogov plot` and `cogov report` take either)",
            ));
        }
        if m.kind != "run" {
            return Err(m.unknown_kind());
        }
        let scenario =
            scenario::Scenario::from_manifest(&m.manifest, &m.path.display().to_string())
                .map_err(|e| input(&m.path, e.message.clone()))?;

        let ts_path = dir.join("timeseries.csv");
        let (header, rows) = read_csv(&ts_path)?;
        let mut series: BTreeMap<String, Vec<f64>> = header
            .iter()
            .map(|h| (h.clone(), Vec::with_capacity(rows.len())))
            .collect();
        for row in &rows {
            if row.len() != header.len() {
                return Err(input(&ts_path, "rows and header differ in length"));
            }
            for (h, v) in header.iter().zip(row) {
                series.get_mut(h).expect("header column").push(*v);
            }
        }
        let sum_path = dir.join("summary.csv");
        let (sum_header, sum_rows) = read_csv(&sum_path)?;
        let summary = match sum_rows.first() {
            Some(row) if row.len() == sum_header.len() => {
                sum_header.into_iter().zip(row.iter().copied()).collect()
            }
            _ => return Err(input(&sum_path, "expected a header and one row of numbers")),
        };
        Ok(RunData {
            dir: dir.to_path_buf(),
            scenario,
            manifest: m.text,
            kind: m.kind,
            cogov_version: m.cogov_version,
            series,
            summary,
        })
    }

    /// A time-series column that must have `unit` in `output::records`.
    fn column(&self, name: &str, unit: &str) -> Result<&[f64], ChartError> {
        let path = self.dir.join("timeseries.csv");
        match timeseries_columns().iter().find(|c| c.name == name) {
            Some(c) if c.unit == unit => {}
            Some(c) => {
                return Err(ChartError::Data(format!(
                    "chart expects column {name} in {unit}, but output::records says {}",
                    c.unit
                )))
            }
            None => {
                return Err(ChartError::Data(format!(
                    "chart uses unknown column {name}"
                )))
            }
        }
        self.series.get(name).map(Vec::as_slice).ok_or_else(|| {
            input(
                &path,
                format!("no column `{name}` (written by another cogov version?)"),
            )
        })
    }

    fn weeks(&self) -> Result<&[f64], ChartError> {
        self.column(ts::TICK, "week")
    }

    /// The scenario title in `lang` (the other language, then the name, if it has none).
    pub fn title(&self, lang: Lang) -> String {
        let sc = &self.scenario;
        t::either(lang, &sc.title_en, &sc.title_zh, &sc.name).to_string()
    }

    /// Interventions as chart markers, labelled in `lang`.
    pub fn markers(&self, lang: Lang) -> Vec<Marker> {
        self.scenario
            .interventions
            .iter()
            .map(|i| Marker {
                x: f64::from(i.intervention.tick),
                label: t::either(lang, &i.label_en, &i.label_zh, "").to_string(),
            })
            .collect()
    }

    fn subtitle(&self, lang: Lang) -> String {
        // A full-width comma in Chinese: U+00B7 is full-width in CJK fonts and looks gappy.
        let sep = lang.pick(" · ", "，");
        // Said on every chart: a single run is one draw of chance (issue 15 §1).
        format!(
            "{}{sep}{}{sep}{} {}",
            self.title(lang),
            t::ONE_SEED.fill(lang, &[("seed", &self.scenario.seed.to_string())]),
            self.weeks().map_or(0, <[f64]>::len),
            t::WEEKS.get(lang)
        )
    }
}

/// The values of `ys` at the weeks where `keep` holds. A share is undefined in a week whose
/// denominator is zero (the CSV holds 0 there); such weeks are left out of a chart rather
/// than drawn as a fall to zero.
fn kept(ys: &[f64], keep: &[bool]) -> Vec<f64> {
    ys.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(y, _)| *y)
        .collect()
}

fn line(
    weeks: &[f64],
    ys: &[f64],
    keep: &[bool],
    label: &str,
    colour: Colour,
    dashed: bool,
) -> Series {
    Series {
        label: label.to_string(),
        colour,
        kind: SeriesKind::Line {
            points: kept(weeks, keep).into_iter().zip(kept(ys, keep)).collect(),
            dashed,
        },
    }
}

/// Layers stacked bottom to top; returned top first, so the legend reads like the picture.
fn stack(weeks: &[f64], keep: &[bool], layers: Vec<(&[f64], String, Colour)>) -> Vec<Series> {
    let x = kept(weeks, keep);
    let mut base = vec![0.0; x.len()];
    let mut out = Vec::new();
    for (ys, label, colour) in layers {
        let upper: Vec<f64> = base
            .iter()
            .zip(kept(ys, keep))
            .map(|(b, y)| b + y)
            .collect();
        out.push(Series {
            label,
            colour,
            kind: SeriesKind::Area {
                x: x.clone(),
                lower: base,
                upper: upper.clone(),
                opacity: 0.9,
            },
        });
        base = upper;
    }
    out.reverse();
    out
}

fn week_panel(
    lang: Lang,
    title: &str,
    y_label: L,
    series: Vec<Series>,
    markers: &[Marker],
) -> XyPanel {
    XyPanel {
        title: title.to_string(),
        x_label: t::WEEK.get(lang).to_string(),
        y_label: y_label.get(lang).to_string(),
        x_integer: true,
        y_zero: true,
        series,
        markers: markers.to_vec(),
        ..XyPanel::default()
    }
}

/// Every week on the x axis, even those a series leaves out.
fn over_weeks(mut p: XyPanel, weeks: &[f64]) -> XyPanel {
    if let (Some(a), Some(b)) = (weeks.first(), weeks.last()) {
        if b > a {
            p.x_range = Some((*a, *b));
        }
    }
    p
}

fn share_axis(mut p: XyPanel) -> XyPanel {
    p.y_range = Some((0.0, 1.02));
    p
}

/// File stems of the run charts, in the order `run_figures` returns them.
pub const RUN_CHARTS: [&str; 8] = [
    "issue_flow",
    "resolution_levels",
    "fengqiao",
    "actions_by_kind",
    "trust",
    "costs",
    "major_risks",
    "motivation",
];

/// Every chart of a run, in `lang`.
pub fn run_figures(data: &RunData, lang: Lang) -> Result<Vec<Figure>, ChartError> {
    let w = data.weeks()?;
    let every = vec![true; w.len()];
    let resolved = data.column(ts::RESOLVED, "issues")?;
    let any_resolved: Vec<bool> = resolved.iter().map(|r| *r > 0.0).collect();
    let closed: Vec<bool> = resolved
        .iter()
        .zip(data.column(ts::ABANDONED, "issues")?)
        .map(|(r, a)| r + a > 0.0)
        .collect();
    let markers = data.markers(lang);
    let sub = data.subtitle(lang);
    let l = |x: L| x.get(lang);
    let mut figs = Vec::new();

    // Issue flow: flows per week and the stock of open issues, on their own scales.
    let flows = week_panel(
        lang,
        l(t::FLOW_PANEL),
        t::Y_ISSUES_PER_WEEK,
        vec![
            line(
                w,
                data.column(ts::ARRIVED, "issues")?,
                &every,
                l(t::S_ARRIVED),
                BLUE,
                false,
            ),
            line(
                w,
                data.column(ts::RESOLVED, "issues")?,
                &every,
                l(t::S_RESOLVED),
                BLUISH_GREEN,
                false,
            ),
            line(
                w,
                data.column(ts::ABANDONED, "issues")?,
                &every,
                l(t::S_ABANDONED),
                VERMILLION,
                true,
            ),
        ],
        &markers,
    );
    let hidden = data.column(ts::HIDDEN, "issues")?;
    let stock = week_panel(
        lang,
        l(t::BACKLOG_PANEL),
        t::Y_OPEN_ISSUES,
        vec![
            Series {
                label: l(t::S_HIDDEN).to_string(),
                colour: SKY_BLUE,
                kind: SeriesKind::Area {
                    x: w.to_vec(),
                    lower: vec![0.0; w.len()],
                    upper: hidden.to_vec(),
                    opacity: 0.5,
                },
            },
            line(
                w,
                data.column(ts::BACKLOG, "issues")?,
                &every,
                l(t::S_BACKLOG),
                BLACK,
                false,
            ),
        ],
        &markers,
    );
    figs.push(Figure::new(
        RUN_CHARTS[0],
        l(t::ISSUE_FLOW),
        &sub,
        vec![Panel::Xy(flows), Panel::Xy(stock)],
    ));

    // Level of resolution, grid at the bottom, city on top.
    let level_colours = [VERMILLION, ORANGE, BLUE, SKY_BLUE, BLUISH_GREEN];
    let mut layers = Vec::new();
    for lv in (0..5).rev() {
        layers.push((
            data.column(&ts::resolved_share(lv), "share")?,
            lang.pick(LEVEL_EN[lv], LEVEL_ZH[lv]).to_string(),
            level_colours[lv],
        ));
    }
    let levels = over_weeks(
        share_axis(week_panel(
            lang,
            "",
            t::Y_SHARE_RESOLVED,
            stack(w, &any_resolved, layers),
            &markers,
        )),
        w,
    );
    figs.push(Figure::new(
        RUN_CHARTS[1],
        l(t::LEVELS),
        &sub,
        vec![Panel::Xy(levels)],
    ));

    let fengqiao = share_axis(week_panel(
        lang,
        l(t::FENGQIAO_PANEL),
        t::Y_SHARE_RESOLVED,
        vec![
            line(
                w,
                data.column(ts::FENGQIAO_VILLAGE, "share")?,
                &any_resolved,
                l(t::S_VILLAGE),
                BLUISH_GREEN,
                false,
            ),
            line(
                w,
                data.column(ts::FENGQIAO_TOWN, "share")?,
                &any_resolved,
                l(t::S_TOWN),
                BLUE,
                true,
            ),
            line(
                w,
                data.column(ts::FENGQIAO_NO_UPWARD, "share")?,
                &any_resolved,
                l(t::S_NO_UPWARD),
                VERMILLION,
                false,
            ),
        ],
        &markers,
    ));
    let fengqiao = over_weeks(fengqiao, w);
    // 矛盾不出区县 counts issues that never reached the city; whether conflicts are passed up
    // is judged by skip-level petitions, so they sit beside the three indicators.
    let petitions = week_panel(
        lang,
        l(t::PETITIONS_PANEL),
        t::Y_PETITIONS,
        vec![line(
            w,
            data.column(ts::PETITIONED, "occurrences")?,
            &every,
            l(t::S_PETITIONS),
            VERMILLION,
            false,
        )],
        &markers,
    );
    figs.push(Figure::new(
        RUN_CHARTS[2],
        l(t::FENGQIAO),
        &sub,
        vec![Panel::Xy(fengqiao), Panel::Xy(over_weeks(petitions, w))],
    ));

    // Substantive, symbolic and shirking shares: one small panel per actor kind.
    let action_colours = [BLUISH_GREEN, YELLOW, VERMILLION];
    let mut panels = Vec::new();
    for (k, kind) in ActorKind::ALL.iter().enumerate() {
        let mut layers = Vec::new();
        let mut decided = vec![false; w.len()];
        for a in 0..3 {
            let share = data.column(&ts::action_share(*kind, a), "share")?;
            for (d, s) in decided.iter_mut().zip(share) {
                *d |= *s > 0.0;
            }
            layers.push((
                share,
                lang.pick(ACTION_EN[a], ACTION_ZH[a]).to_string(),
                action_colours[a],
            ));
        }
        let title = lang.pick(KIND_EN[k], KIND_ZH[k]);
        let panel = share_axis(week_panel(
            lang,
            title,
            t::Y_SHARE_DECISIONS,
            stack(w, &decided, layers),
            &markers,
        ));
        panels.push(Panel::Xy(over_weeks(panel, w)));
    }
    let mut actions = Figure::new(RUN_CHARTS[3], l(t::ACTIONS), &sub, panels);
    actions.height = 1000;
    figs.push(actions);

    let trust = share_axis(week_panel(
        lang,
        "",
        t::Y_MEAN_LEVEL,
        vec![
            line(
                w,
                data.column(ts::ORG_TRUST, "0..1")?,
                &every,
                l(t::S_ORG_TRUST),
                BLUE,
                false,
            ),
            line(
                w,
                data.column(ts::RESIDENT_TRUST, "0..1")?,
                &every,
                l(t::S_RESIDENT_TRUST),
                VERMILLION,
                true,
            ),
            line(
                w,
                data.column(ts::SATISFACTION, "0..1")?,
                &closed,
                l(t::S_SATISFACTION),
                BLUISH_GREEN,
                false,
            ),
        ],
        &markers,
    ));
    let trust = over_weeks(trust, w);
    figs.push(Figure::new(
        RUN_CHARTS[4],
        l(t::TRUST),
        &sub,
        vec![Panel::Xy(trust)],
    ));

    let eu = "effort units";
    let costs = week_panel(
        lang,
        "",
        t::Y_EFFORT,
        stack(
            w,
            &every,
            vec![
                (
                    data.column(ts::COST_TRANSACTION, eu)?,
                    l(t::S_COST_TRANSACTION).to_string(),
                    BLUE,
                ),
                (
                    data.column(ts::COST_OVERSIGHT, eu)?,
                    l(t::S_COST_OVERSIGHT).to_string(),
                    ORANGE,
                ),
                (
                    data.column(ts::COST_PAPERWORK, eu)?,
                    l(t::S_COST_PAPERWORK).to_string(),
                    REDDISH_PURPLE,
                ),
                (
                    data.column(ts::COST_PROGRAMMES, eu)?,
                    l(t::S_COST_PROGRAMMES).to_string(),
                    SKY_BLUE,
                ),
            ],
        ),
        &markers,
    );
    figs.push(Figure::new(
        RUN_CHARTS[5],
        l(t::COSTS),
        &sub,
        vec![Panel::Xy(costs)],
    ));

    let risks = data.column(ts::MAJOR_RISKS, "events")?;
    let total: f64 = risks.iter().sum();
    let label = match lang {
        Lang::En => format!("{} ({} {total})", l(t::S_MAJOR_RISKS), l(t::TOTAL)),
        Lang::Zh => format!("{}（{} {total}）", l(t::S_MAJOR_RISKS), l(t::TOTAL)),
    };
    let bars = Series {
        label,
        colour: VERMILLION,
        kind: SeriesKind::Bars {
            points: w.iter().copied().zip(risks.iter().copied()).collect(),
            width: 0.7,
        },
    };
    let mut risk_panel = week_panel(lang, "", t::Y_EVENTS, vec![bars], &markers);
    if let (Some(a), Some(b)) = (w.first(), w.last()) {
        risk_panel.x_range = Some((a - 0.6, b + 0.6));
    }
    figs.push(Figure::new(
        RUN_CHARTS[6],
        l(t::RISKS),
        &sub,
        vec![Panel::Xy(risk_panel)],
    ));
    // Intrinsic motivation: where pressure crowds it out or values build it up (slow, so its
    // own chart rather than a panel beside the weekly actions).
    let kind_colours = [BLUE, ORANGE, VERMILLION, REDDISH_PURPLE, BLUISH_GREEN];
    let motivation = ActorKind::ALL
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            Ok(line(
                w,
                data.column(&ts::motivation(*kind), "0..1")?,
                &every,
                lang.pick(KIND_EN[k], KIND_ZH[k]),
                kind_colours[k],
                k % 2 == 1,
            ))
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let motivation = over_weeks(
        share_axis(week_panel(lang, "", t::Y_MOTIVATION, motivation, &markers)),
        w,
    );
    figs.push(Figure::new(
        RUN_CHARTS[7],
        l(t::MOTIVATION),
        &sub,
        vec![Panel::Xy(motivation)],
    ));
    debug_assert_eq!(
        figs.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        RUN_CHARTS
    );
    Ok(figs)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::output::records::summary_columns;

    /// A fake run: every column present, simple numbers.
    pub(crate) fn fake_run(weeks: usize) -> RunData {
        let mut sc = Scenario {
            title_en: "Test city".into(),
            title_zh: "测试城市".into(),
            ..Scenario::default()
        };
        sc.interventions
            .push(crate::scenario::LabelledIntervention {
                label_en: "lists".into(),
                label_zh: "推行权责清单".into(),
                intervention: crate::model::Intervention {
                    tick: 3,
                    changes: vec![],
                },
            });
        let series = timeseries_columns()
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let v = (1..=weeks)
                    .map(|t| {
                        if c.name == ts::TICK {
                            t as f64
                        } else if c.unit == "share" || c.unit == "0..1" {
                            0.2
                        } else {
                            (t + j) as f64
                        }
                    })
                    .collect();
                (c.name.clone(), v)
            })
            .collect();
        RunData {
            dir: PathBuf::from("fake"),
            scenario: sc,
            manifest: "{}".into(),
            kind: "run".into(),
            cogov_version: "0".into(),
            series,
            summary: summary_columns()
                .iter()
                .map(|c| (c.name.clone(), 1.0))
                .collect(),
        }
    }

    #[test]
    fn every_run_chart_is_built_in_both_languages_from_real_columns() {
        let data = fake_run(6);
        for lang in Lang::ALL {
            let figs = run_figures(&data, lang).expect("columns and units agree with records");
            assert_eq!(figs.len(), RUN_CHARTS.len());
            for f in &figs {
                assert!(f.subtitle.contains(&data.title(lang)), "{}", f.subtitle);
                assert!(!f.legend().is_empty(), "{} has a legend", f.id);
            }
            let zh = figs.iter().flat_map(|f| f.texts()).collect::<String>();
            if lang == Lang::Zh {
                assert!(zh.contains("枫桥") && zh.contains("推行权责清单") && zh.contains("网格"));
            }
        }
    }

    #[test]
    fn stacks_are_cumulative_and_listed_top_first() {
        let w = [1.0, 2.0];
        let s = stack(
            &w,
            &[true, true],
            vec![
                (&[0.5, 0.2][..], "a".into(), BLUE),
                (&[0.25, 0.3][..], "b".into(), RED_ISH),
            ],
        );
        assert_eq!(s[0].label, "b");
        match &s[0].kind {
            SeriesKind::Area { lower, upper, .. } => {
                assert_eq!(lower, &vec![0.5, 0.2]);
                assert_eq!(upper, &vec![0.75, 0.5]);
            }
            _ => panic!("area"),
        }
    }
    const RED_ISH: Colour = VERMILLION;

    #[test]
    fn a_missing_column_is_an_input_error_naming_it() {
        let mut data = fake_run(3);
        data.series.remove(ts::BACKLOG);
        let e = run_figures(&data, Lang::En).unwrap_err();
        assert!(e.to_string().contains("backlog"), "{e}");
        assert!(e.is_usage());
    }
}
