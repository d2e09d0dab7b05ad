//! Output records: the columns of `timeseries.csv` and `summary.csv`, each with its unit and
//! a bilingual meaning, derived from the model's raw `TickStats`.
//!
//! Each column is declared once (`ColumnDef`: name, unit, English and Chinese meaning, and the
//! function computing its value), in one table per file (`timeseries_defs`, `summary_defs`),
//! so a header and its values cannot be matched by position and drift apart. The CSV header
//! and rows, `cogov columns` (and the README's tables, held to it by `tests/docs.rs`) and
//! chart labels all come from these tables; the games' tables (`games.rs`) are built the same
//! way.

use crate::model::entities::{ActorKind, N_KINDS};
use crate::model::stats::WAIT_BINS;
use crate::model::TickStats;

/// One output column.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub unit: &'static str,
    pub en: String,
    pub zh: String,
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 && num.is_finite() {
        num / den
    } else {
        0.0
    }
}

/// Short names of the actor kinds, levels and actions, shared with chart legends.
pub const KIND_ZH: [&str; N_KINDS] = [
    "属地党委政府（块）",
    "网格员",
    "职能部门（条）",
    "企事业单位",
    "社会组织",
];
pub const KIND_EN: [&str; N_KINDS] = [
    "blocks (party-government bodies)",
    "grid teams",
    "departments",
    "enterprises",
    "social organisations",
];
pub const ACTION_SLUG: [&str; 3] = ["substantive", "symbolic", "shirk"];
pub const ACTION_EN: [&str; 3] = ["substantive work", "symbolic work", "shirking"];
pub const ACTION_ZH: [&str; 3] = ["实质履职", "形式应付", "消极不作为（卸责）"];
pub const LEVEL_ZH: [&str; 5] = ["市", "区县", "街道/乡镇", "社区/村", "网格"];
pub const LEVEL_EN: [&str; 5] = [
    "city",
    "district",
    "street/township",
    "community/village",
    "grid",
];

/// Names of the `timeseries.csv` columns that code outside this table reads (charts, reports,
/// the terminal summary): each column's `ColumnDef` takes its name from here and every reader
/// names it by the constant or function, so renaming a column renames it for all of them, and
/// removing one is a compile error rather than a chart that silently lacks a line (issue 15 §5).
pub mod ts {
    use crate::model::entities::ActorKind;

    pub const TICK: &str = "tick";
    pub const ARRIVED: &str = "arrived";
    pub const RESOLVED: &str = "resolved";
    pub const ABANDONED: &str = "abandoned";
    pub const BACKLOG: &str = "backlog";
    pub const HIDDEN: &str = "hidden";
    pub const ESCALATED: &str = "escalated";
    pub const PETITIONED: &str = "petitioned";
    pub const MAJOR_RISKS: &str = "major_risks";
    pub const REFUSED: &str = "refused";
    pub const FENGQIAO_VILLAGE: &str = "fengqiao_village";
    pub const FENGQIAO_TOWN: &str = "fengqiao_town";
    pub const FENGQIAO_NO_UPWARD: &str = "fengqiao_no_upward";
    pub const ORG_TRUST: &str = "org_trust";
    pub const RESIDENT_TRUST: &str = "resident_trust";
    pub const SATISFACTION: &str = "satisfaction";
    pub const COST_TRANSACTION: &str = "cost_transaction";
    pub const COST_OVERSIGHT: &str = "cost_oversight";
    pub const COST_PAPERWORK: &str = "cost_paperwork";
    pub const COST_PROGRAMMES: &str = "cost_programmes";

    /// Share of the week's resolved issues settled at level `level` (0 is the city).
    pub fn resolved_share(level: usize) -> String {
        format!("resolved_share_l{}", level + 1)
    }

    /// Share of the decisions of `kind` that took action `action` (`super::ACTION_SLUG`).
    pub fn action_share(kind: ActorKind, action: usize) -> String {
        format!("{}_share_{}", super::ACTION_SLUG[action], kind.slug())
    }

    /// Mean intrinsic motivation of `kind`.
    pub fn motivation(kind: ActorKind) -> String {
        format!("motivation_{}", kind.slug())
    }
}

/// Names of the `summary.csv` columns that code outside this table reads, as `ts` is for
/// `timeseries.csv`.
pub mod summary {
    pub const RESIDENTS: &str = "residents";
    pub const GRIDS: &str = "grids";
    pub const WINDOW_START: &str = "window_start";
    pub const RESOLUTION_RATE: &str = "resolution_rate";
    pub const HOTLINE_RESOLUTION_RATE: &str = "hotline_resolution_rate";
    pub const HOTLINE_RESOLUTION_TRUE: &str = "hotline_resolution_true";
    pub const COHORT_RESOLUTION_RATE: &str = "cohort_resolution_rate";
    pub const COHORT_ARRIVALS: &str = "cohort_arrivals";
    pub const MEAN_WEEKS_TO_RESOLVE: &str = "mean_weeks_to_resolve";
    pub const FENGQIAO_VILLAGE: &str = "fengqiao_village";
    pub const FENGQIAO_TOWN: &str = "fengqiao_town";
    pub const FENGQIAO_NO_UPWARD: &str = "fengqiao_no_upward";
    pub const ESCALATIONS_TOTAL: &str = "escalations_total";
    pub const PETITIONS_TOTAL: &str = "petitions_total";
    pub const MAJOR_RISKS_TOTAL: &str = "major_risks_total";
    pub const REFUSED_TOTAL: &str = "refused_total";
    pub const BACKLOG_FINAL: &str = "backlog_final";
    pub const RESIDENT_TRUST_FINAL: &str = "resident_trust_final";
    pub const ORG_TRUST_FINAL: &str = "org_trust_final";
    pub const SATISFACTION_MEAN: &str = "satisfaction_mean";
    pub const SATISFACTION_REPORTED: &str = "satisfaction_reported";
    pub const SUBSTANTIVE_SHARE: &str = "substantive_share";
    pub const COST_TOTAL: &str = "cost_total";
}

/// Every column of `timeseries.csv`, in order, with its value from one week's `TickStats`.
fn timeseries_defs() -> Vec<ColumnDef<TickStats>> {
    let mut c = vec![
        def(
            ts::TICK,
            "week",
            "week of the run",
            "周次",
            |s: &TickStats| s.tick as f64,
        ),
        def(
            ts::ARRIVED,
            "issues",
            "new issues that arose",
            "新发事项数",
            |s: &TickStats| s.arrived as f64,
        ),
        def(
            "discovered",
            "issues",
            "issues discovered (by grid teams or reports)",
            "被发现（网格巡查或居民上报）的事项数",
            |s: &TickStats| s.discovered as f64,
        ),
        def(
            ts::RESOLVED,
            "issues",
            "issues resolved",
            "已解决事项数",
            |s: &TickStats| s.resolved as f64,
        ),
        def(
            ts::ABANDONED,
            "issues",
            "issues closed unresolved at the maximum age",
            "超期未解决关闭的事项数",
            |s: &TickStats| s.abandoned as f64,
        ),
        def(
            ts::BACKLOG,
            "issues",
            "open issues at the end of the week, hidden included",
            "当周结束时未结事项数（含未发现）",
            |s: &TickStats| s.backlog as f64,
        ),
        def(
            ts::HIDDEN,
            "issues",
            "open issues nobody has discovered yet",
            "尚未被发现的事项数",
            |s: &TickStats| s.hidden as f64,
        ),
        def(
            "mean_age",
            "weeks",
            "mean age of open issues",
            "未结事项平均积压周数",
            |s: &TickStats| ratio(s.backlog_age_sum, s.backlog as f64),
        ),
        def(
            ts::ESCALATED,
            "occurrences",
            "issues moved up one level past their deadline",
            "超期上交一级的件次",
            |s: &TickStats| s.escalated as f64,
        ),
        def(
            ts::PETITIONED,
            "occurrences",
            "issues taken past their level by petition",
            "越级上访件次",
            |s: &TickStats| s.petitioned as f64,
        ),
        def(
            ts::MAJOR_RISKS,
            "events",
            "issues that became major risk events",
            "演变为重大风险事件的事项数",
            |s: &TickStats| s.major_risks as f64,
        ),
        def(
            ts::REFUSED,
            "occurrences",
            "unlisted issues a listed lead refused (buck-passing)",
            "清单外事项被推诿次数",
            |s: &TickStats| s.refused as f64,
        ),
    ];
    for i in 0..LEVEL_EN.len() {
        c.push(def(
            ts::resolved_share(i),
            "share",
            format!(
                "share of this week's resolved issues settled at the {} level",
                LEVEL_EN[i]
            ),
            format!("本周已解决事项中在{}层级解决的比例", LEVEL_ZH[i]),
            move |s: &TickStats| ratio(s.resolved_at_level[i] as f64, s.resolved as f64),
        ));
    }
    c.extend([
        def(
            ts::FENGQIAO_VILLAGE,
            "share",
            "resolved at community/grid level (small matters stay in the village)",
            "在社区/网格解决的比例（小事不出村）",
            |s: &TickStats| ratio(resolved_at(s, 3, 5), s.resolved as f64),
        ),
        def(
            ts::FENGQIAO_TOWN,
            "share",
            "resolved at street level or below (big matters stay in the town)",
            "在街道及以下解决的比例（大事不出镇）",
            |s: &TickStats| ratio(resolved_at(s, 2, 5), s.resolved as f64),
        ),
        def(
            ts::FENGQIAO_NO_UPWARD,
            "share",
            "resolved without ever reaching the city: stays in the district (whether conflicts are passed up shows in petitioned)",
            "从未上交到市级即解决的比例（矛盾不出区县；矛盾是否上交看越级上访）",
            |s: &TickStats| ratio(s.resolved_below_city as f64, s.resolved as f64),
        ),
    ]);
    for (k, kind) in ActorKind::ALL.iter().enumerate() {
        for a in 0..ACTION_SLUG.len() {
            c.push(def(
                ts::action_share(*kind, a),
                "share",
                format!(
                    "share of decisions by {} that were {}",
                    KIND_EN[k], ACTION_EN[a]
                ),
                format!("{}的{}占行为选择的比例", KIND_ZH[k], ACTION_ZH[a]),
                move |s: &TickStats| {
                    let total: u64 = s.actions[k].iter().sum();
                    ratio(s.actions[k][a] as f64, total as f64)
                },
            ));
        }
    }
    for (k, kind) in ActorKind::ALL.iter().enumerate() {
        c.push(def(
            ts::motivation(*kind),
            "0..1",
            format!("mean intrinsic motivation of {}", KIND_EN[k]),
            format!("{}平均内在动机", KIND_ZH[k]),
            move |s: &TickStats| ratio(s.motivation_sum[k], s.org_count[k]),
        ));
    }
    c.extend([
        def(
            "overloaded_share",
            "share",
            "substantive decisions capacity could not serve in full",
            "因工作力量不足未能完全落实的实质履职比例",
            |s: &TickStats| {
                ratio(
                    s.overloaded.iter().sum::<u64>() as f64,
                    (0..N_KINDS).map(|k| s.actions[k][0]).sum::<u64>() as f64,
                )
            },
        ),
        def(
            "unsaturated_share",
            "share",
            "decisions whose choice probabilities all lay between 0.05 and 0.95",
            "各选项概率均在0.05至0.95之间的行为选择比例",
            |s: &TickStats| {
                ratio(
                    s.unsaturated as f64,
                    s.actions.iter().flatten().sum::<u64>() as f64,
                )
            },
        ),
        def(
            "watched_share",
            "share",
            "share of government decisions taken on watched tasks (superiors' attention or a summons)",
            "政府主体行为选择中受上级关注（含吹哨报到）的比例",
            watched_share,
        ),
        def(
            "coalition_success_rate",
            "share",
            "coalition-weeks that made progress",
            "取得进展的专班·周比例",
            |s: &TickStats| {
                ratio(
                    s.coalition_ticks_with_progress as f64,
                    s.coalition_ticks as f64,
                )
            },
        ),
        def(
            "conflicts_per_coalition_tick",
            "rate",
            "policy conflicts per coalition-week",
            "每专班·周的政策冲突次数",
            |s: &TickStats| ratio(s.conflicts as f64, s.coalition_ticks as f64),
        ),
        def(
            "formation_waits",
            "issues",
            "cross-domain issues still waiting for their coalition to form",
            "仍在等待组建专班的跨领域事项数",
            |s: &TickStats| s.formation_waits as f64,
        ),
        def(
            ts::ORG_TRUST,
            "0..1",
            "mean inter-organisational trust",
            "组织间平均信任",
            |s: &TickStats| ratio(s.org_trust_sum, s.org_trust_count),
        ),
        def(
            ts::RESIDENT_TRUST,
            "0..1",
            "mean resident trust in government",
            "居民对政府的平均信任",
            |s: &TickStats| ratio(s.resident_trust_sum, s.residents),
        ),
        def(
            ts::SATISFACTION,
            "0..1",
            "mean satisfaction on issues closed this week",
            "本周办结事项的平均满意度",
            |s: &TickStats| ratio(s.satisfaction_sum, s.closed as f64),
        ),
        def(
            ts::COST_TRANSACTION,
            "effort units",
            "transaction cost of coalition work",
            "协同交易成本",
            |s: &TickStats| s.cost_transaction,
        ),
        def(
            ts::COST_OVERSIGHT,
            "effort units",
            "oversight cost (attention, inspection, evaluation, measurement)",
            "监督成本（注意力、纪检、评估、测量）",
            |s: &TickStats| s.cost_oversight,
        ),
        def(
            ts::COST_PAPERWORK,
            "effort units",
            "paperwork and symbolic work",
            "填表留痕与形式工作成本",
            |s: &TickStats| s.cost_paperwork,
        ),
        def(
            ts::COST_PROGRAMMES,
            "effort units",
            "running cost of lever programmes (systems, funding, meetings…)",
            "各项政策举措运行成本（系统、资助、会议等）",
            |s: &TickStats| s.cost_programmes,
        ),
        def(
            "effort_spent",
            "effort units",
            "effort spent on issues, overheads included",
            "投入事项的工作量（含开销）",
            |s: &TickStats| s.effort_spent,
        ),
        def(
            "attention_used",
            "slots",
            "superiors' attention slots used",
            "已用上级注意力名额",
            |s: &TickStats| s.attention_used,
        ),
    ]);
    c
}

/// Every column of `summary.csv`, in order, with its value from the run's measurement `Window`.
fn summary_defs() -> Vec<ColumnDef<Window>> {
    vec![
        def("ticks", "weeks", "weeks simulated", "模拟周数", |w: &Window| w.ticks as f64),
        def(
            summary::WINDOW_START,
            "week",
            "first week of the measurement window the other columns cover (after the warm-up)",
            "其余各列所统计测量窗口的起始周（预热期之后）", |w: &Window| (w.warmup + 1) as f64),
        def(
            summary::RESIDENTS,
            "residents",
            "residents in the city",
            "居民数", |w: &Window| w.facts.residents as f64),
        def(summary::GRIDS, "grids", "grids in the city", "网格数", |w: &Window| w.facts.grids as f64),
        def(
            "organisations",
            "organisations",
            "organisational actors",
            "组织主体数", |w: &Window| w.facts.organisations as f64),
        def(
            "issues_total",
            "issues",
            "issues in the run: the legacy backlog plus all arrivals",
            "本次运行的事项总数（历史遗留加新发）", |w: &Window| w.issues()),
        def(
            "resolved_total",
            "issues",
            "issues resolved",
            "已解决事项总数", |w: &Window| w.total.resolved as f64),
        def(
            summary::RESOLUTION_RATE,
            "share",
            "resolved / issues of the window (open at its start or arriving in it)",
            "解决率（窗口内已解决/窗口期初未结及新发事项数）", |w: &Window| ratio(w.total.resolved as f64, w.issues())),
        def(
            summary::COHORT_RESOLUTION_RATE,
            "share",
            "headline: share of the window's arrivals resolved within the cohort horizon (a quarter by default; arrival cohorts followed that long, so independent of the window's length)",
            "首要指标：窗口内新发事项在跟踪期内解决的比例（按批跟踪，与窗口长短无关）", |w: &Window| w.cohort.rate()),
        def(
            summary::COHORT_ARRIVALS,
            "issues",
            "arrivals in the cohorts behind cohort_resolution_rate (0: the window is not longer than the horizon)",
            "首要解决率所跟踪的新发事项数（为0表示窗口不长于跟踪期）", |w: &Window| w.cohort.arrived as f64),
        def(
            summary::HOTLINE_RESOLUTION_RATE,
            "share",
            "hotline-style resolution rate as reported: issues reported in the window resolved by the return visit after the report, less those no agency could settle, plus any metric inflation",
            "热线口径解决率（上报值）：窗口内受理的诉求在受理后回访时已解决的比例（扣除无法解决的诉求，含指标虚高）", |w: &Window| w.hotline.reported_rate()),
        def(
            summary::HOTLINE_RESOLUTION_TRUE,
            "share",
            "hotline-style resolution rate without metric inflation (equal to the reported rate when there is none)",
            "不含指标虚高的热线口径解决率（指标虚高为0时与上报值相同）", |w: &Window| w.hotline.true_rate()),
        def(
            summary::MEAN_WEEKS_TO_RESOLVE,
            "weeks",
            "mean weeks from arrival to resolution",
            "从发生到解决的平均周数", |w: &Window| ratio(w.total.resolved_age_sum, w.total.resolved as f64)),
        def(
            summary::FENGQIAO_VILLAGE,
            "share",
            "resolved at community/grid level (小事不出村)",
            "小事不出村：在社区/网格解决的比例", |w: &Window| ratio(resolved_at(&w.total, 3, 5), w.total.resolved as f64)),
        def(
            summary::FENGQIAO_TOWN,
            "share",
            "resolved at street level or below (大事不出镇)",
            "大事不出镇：在街道及以下解决的比例", |w: &Window| ratio(resolved_at(&w.total, 2, 5), w.total.resolved as f64)),
        def(
            summary::FENGQIAO_NO_UPWARD,
            "share",
            "resolved without reaching the city: stays in the district (whether conflicts are passed up shows in petitions_total)",
            "矛盾不出区县：未上交市级即解决的比例（矛盾是否上交看越级上访次数）", |w: &Window| ratio(w.total.resolved_below_city as f64, w.total.resolved as f64)),
        def(
            summary::ESCALATIONS_TOTAL,
            "occurrences",
            "escalations past deadlines",
            "超期上交次数", |w: &Window| w.total.escalated as f64),
        def(summary::PETITIONS_TOTAL, "occurrences", "petitions", "越级上访次数", |w: &Window| w.total.petitioned as f64),
        def(
            summary::MAJOR_RISKS_TOTAL,
            "events",
            "major risk events",
            "重大风险事件数", |w: &Window| w.total.major_risks as f64),
        def(
            summary::REFUSED_TOTAL,
            "occurrences",
            "refusals of unlisted issues",
            "清单外事项被推诿次数", |w: &Window| w.total.refused as f64),
        def(
            summary::BACKLOG_FINAL,
            "issues",
            "open issues at the end",
            "期末未结事项数", |w: &Window| w.last.backlog as f64),
        def(
            summary::SUBSTANTIVE_SHARE,
            "share",
            "share of all decisions that were substantive",
            "实质履职占全部行为选择的比例", |w: &Window| w.action_share(0)),
        def(
            "symbolic_share",
            "share",
            "share of all decisions that were symbolic",
            "形式应付占全部行为选择的比例", |w: &Window| w.action_share(1)),
        def(
            "shirk_share",
            "share",
            "share of all decisions that were shirking",
            "消极不作为（卸责）占全部行为选择的比例", |w: &Window| w.action_share(2)),
        def(
            "watched_share",
            "share",
            "share of government decisions taken on watched tasks (superiors' attention or a summons)",
            "政府主体行为选择中受上级关注（含吹哨报到）的比例", |w: &Window| watched_share(&w.total)),
        def(
            "coalition_success_rate",
            "share",
            "coalition-weeks that made progress",
            "取得进展的专班·周比例", |w: &Window| ratio(w.total.coalition_ticks_with_progress as f64, w.total.coalition_ticks as f64)),
        def(
            "conflicts_per_coalition_tick",
            "rate",
            "policy conflicts per coalition-week",
            "每专班·周的政策冲突次数", |w: &Window| ratio(w.total.conflicts as f64, w.total.coalition_ticks as f64)),
        def(
            summary::ORG_TRUST_FINAL,
            "0..1",
            "inter-organisational trust at the end",
            "期末组织间信任", |w: &Window| ratio(w.last.org_trust_sum, w.last.org_trust_count)),
        def(
            summary::RESIDENT_TRUST_FINAL,
            "0..1",
            "resident trust at the end",
            "期末居民信任", |w: &Window| ratio(w.last.resident_trust_sum, w.last.residents)),
        def(
            summary::SATISFACTION_MEAN,
            "0..1",
            "mean satisfaction over all closed issues",
            "全部办结事项平均满意度", |w: &Window| ratio(w.total.satisfaction_sum, w.total.closed as f64)),
        def(
            summary::SATISFACTION_REPORTED,
            "0..1",
            "mean satisfaction over all closed issues as reported, with any metric inflation (equal to the mean satisfaction when there is none)",
            "上报的办结事项平均满意度（含指标虚高；指标虚高为0时与平均满意度相同）", |w: &Window| ratio(w.satisfaction_reported, w.total.closed as f64)),
        def(
            "cost_transaction_total",
            "effort units",
            "transaction cost",
            "协同交易成本合计", |w: &Window| w.costs()[0]),
        def(
            "cost_oversight_total",
            "effort units",
            "oversight cost",
            "监督成本合计", |w: &Window| w.costs()[1]),
        def(
            "cost_paperwork_total",
            "effort units",
            "paperwork cost",
            "填表留痕与形式工作成本合计", |w: &Window| w.costs()[2]),
        def(
            "cost_programmes_total",
            "effort units",
            "lever programme cost",
            "政策举措运行成本合计", |w: &Window| w.costs()[3]),
        def(summary::COST_TOTAL, "effort units", "all costs", "总成本", |w: &Window| w.costs().iter().sum()),
        def(
            "effort_total",
            "effort units",
            "effort spent on issues",
            "投入事项的工作量合计", |w: &Window| w.total.effort_spent),
    ]
}

/// Facts about the city a summary needs besides the series.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunFacts {
    /// Weeks of warm-up before the measurement window (`observation.warmup_ticks`, at most
    /// one less than the run).
    pub warmup: u32,
    /// The hotline observation model (`observation.return_visit_ticks`,
    /// `observation.unsettleable_share`).
    pub return_visit: u32,
    pub unsettleable: f64,
    /// Metric inflation (`observation.metric_inflation`) and the first week it applies to
    /// (`observation.metric_inflation_from_tick`).
    pub inflation: f64,
    pub inflation_from: u32,
    /// Weeks each arrival cohort of the window is followed (`observation.cohort_horizon_ticks`).
    pub cohort_horizon: u32,
    pub residents: u64,
    pub grids: u64,
    pub organisations: u64,
    pub initial_backlog: u64,
}

/// One output column with the function that computes its value from a `T` (a week's
/// `TickStats`, or the measurement `Window` of a run): the only place either is said, so a
/// header and its values cannot drift apart (Mesa's `model_reporters` keep name and function
/// side by side for this reason).
pub struct ColumnDef<T> {
    pub column: Column,
    pub value: Box<dyn Fn(&T) -> f64 + Send + Sync>,
}

pub(crate) fn def<T>(
    name: impl Into<String>,
    unit: &'static str,
    en: impl Into<String>,
    zh: impl Into<String>,
    value: impl Fn(&T) -> f64 + Send + Sync + 'static,
) -> ColumnDef<T> {
    ColumnDef {
        column: Column {
            name: name.into(),
            unit,
            en: en.into(),
            zh: zh.into(),
        },
        value: Box::new(value),
    }
}

/// Issues resolved at levels `a..b` (0 is the city).
fn resolved_at(s: &TickStats, a: usize, b: usize) -> f64 {
    (a..b).map(|l| s.resolved_at_level[l] as f64).sum()
}

/// The columns of `timeseries.csv`, built once.
fn timeseries_table() -> &'static [ColumnDef<TickStats>] {
    static TABLE: std::sync::OnceLock<Vec<ColumnDef<TickStats>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(timeseries_defs)
}

/// The columns of `summary.csv`, built once.
fn summary_table() -> &'static [ColumnDef<Window>] {
    static TABLE: std::sync::OnceLock<Vec<ColumnDef<Window>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(summary_defs)
}

/// Columns of `timeseries.csv`, in order.
pub fn timeseries_columns() -> Vec<Column> {
    timeseries_table()
        .iter()
        .map(|d| d.column.clone())
        .collect()
}

/// One row of `timeseries.csv`: every column's value for week `s`.
pub fn timeseries_row(s: &TickStats) -> Vec<f64> {
    timeseries_table().iter().map(|d| (d.value)(s)).collect()
}

/// Columns of `summary.csv` (whole-run metrics), in order.
pub fn summary_columns() -> Vec<Column> {
    summary_table().iter().map(|d| d.column.clone()).collect()
}

/// The measurement window of a run (the weeks after the warm-up), summed: what every
/// `summary.csv` column is computed from.
pub struct Window {
    /// Weeks simulated.
    ticks: usize,
    /// Weeks of warm-up before the window.
    warmup: usize,
    /// The window's weeks merged.
    total: TickStats,
    /// Its last week.
    last: TickStats,
    /// Issues open when the window starts.
    open_at_start: u64,
    /// The window's arrival cohorts followed for `cohort_horizon` weeks, and its report
    /// cohorts followed to the hotline's return visit.
    cohort: Cohort,
    hotline: HotlineCohorts,
    /// The window's satisfaction sum as reported (with metric inflation).
    satisfaction_reported: f64,
    facts: RunFacts,
}

/// Issues that arrived in a span of weeks, and how many of them were resolved within a horizon.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cohort {
    pub arrived: u64,
    pub resolved: u64,
}

impl Cohort {
    pub fn rate(&self) -> f64 {
        ratio(self.resolved as f64, self.arrived as f64)
    }
}

/// Per arrival week (the index of `series`), the issues that arrived and how many of them were
/// resolved within `horizon` weeks — read back from each week's `resolved_by_wait`, so no
/// issue needs to be followed. Weeks whose horizon runs past the end are incomplete; callers
/// take only complete ones.
pub fn arrival_cohorts(series: &[TickStats], horizon: usize) -> Vec<Cohort> {
    cohorts(series, horizon, |s| s.arrived, |s| &s.resolved_by_wait)
}

/// The same per week of discovery (report): the issues that became known that week and how many
/// were resolved within `horizon` weeks of it — what the hotline's return visit observes.
pub fn report_cohorts(series: &[TickStats], horizon: usize) -> Vec<Cohort> {
    cohorts(
        series,
        horizon,
        |s| s.discovered,
        |s| &s.resolved_by_report_wait,
    )
}

/// Cohorts of the issues that `entered` each week, with their resolutions read back from
/// `by_wait` (resolutions of the week by weeks since entry). Issues that entered before the
/// first week (the legacy backlog) belong to no cohort.
fn cohorts(
    series: &[TickStats],
    horizon: usize,
    entered: fn(&TickStats) -> u64,
    by_wait: fn(&TickStats) -> &[u64; WAIT_BINS],
) -> Vec<Cohort> {
    let horizon = horizon.min(WAIT_BINS - 2);
    let mut cohorts: Vec<Cohort> = series
        .iter()
        .map(|s| Cohort {
            arrived: entered(s),
            resolved: 0,
        })
        .collect();
    for (t, s) in series.iter().enumerate() {
        for wait in 0..=horizon.min(t) {
            cohorts[t - wait].resolved += by_wait(s)[wait];
        }
    }
    cohorts
}

/// The window's report cohorts as the hotline's return visit sees them: requests, those resolved
/// by the visit less the unsettleable share (true), and the same with metric inflation
/// (reported).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HotlineCohorts {
    pub requests: f64,
    pub resolved_true: f64,
    pub resolved_reported: f64,
}

impl HotlineCohorts {
    pub fn true_rate(&self) -> f64 {
        ratio(self.resolved_true, self.requests)
    }
    pub fn reported_rate(&self) -> f64 {
        ratio(self.resolved_reported, self.requests)
    }
}

/// Metric inflation (ODD §7.19): a figure `x` on a 0..1 scale as reported from week `tick` on,
/// `x + ι · (1 − x)` — the units ranked on it close part of the gap to 100 % without the service
/// changing. Applied to per-issue sums, so `x` is `value` out of `count`.
fn inflate(value: f64, count: f64, tick: usize, facts: &RunFacts) -> f64 {
    if tick >= facts.inflation_from as usize {
        value + facts.inflation * (count - value)
    } else {
        value
    }
}

/// The hotline's report cohorts, one per week of report (index `i` is week `i + 1`), seen at the
/// return visit: the unsettleable share counted unresolved, then metric inflation from
/// `inflation_from` (ODD §7.19). Weeks whose visit falls after the run are incomplete.
fn hotline_cohorts(series: &[TickStats], facts: &RunFacts) -> Vec<HotlineCohorts> {
    report_cohorts(series, facts.return_visit as usize)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let requests = c.arrived as f64;
            let resolved_true = (1.0 - facts.unsettleable) * c.resolved as f64;
            HotlineCohorts {
                requests,
                resolved_true,
                resolved_reported: inflate(resolved_true, requests, i + 1, facts),
            }
        })
        .collect()
}

/// The column a sweep's per-run time series adds after `timeseries_columns` (its cells empty
/// where `hotline_weekly` is NaN): the hotline's reported resolution rate by week of report.
pub fn hotline_weekly_column() -> Column {
    Column {
        name: HOTLINE_WEEKLY.into(),
        unit: "rate",
        en: "hotline resolution rate, by week of report".into(),
        zh: "热线回访解决率（按受理周）".into(),
    }
}

/// Name of `hotline_weekly_column`.
pub const HOTLINE_WEEKLY: &str = "hotline_resolution_weekly";

/// The hotline's reported resolution rate per week of report (ODD §7.19): the week's requests
/// resolved by the return visit as the hotline publishes it; NaN for weeks whose visit falls
/// after the run or that had no request. The trajectory a calibration's predictive band shows.
pub fn hotline_weekly(series: &[TickStats], facts: &RunFacts) -> Vec<f64> {
    let complete = series.len().saturating_sub(facts.return_visit as usize);
    hotline_cohorts(series, facts)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < complete && c.requests > 0.0 {
                c.reported_rate()
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// The complete arrival cohorts of the window: issues arriving from week `warmup + 1` to
/// `horizon` weeks before the end, with those resolved within `horizon` weeks. Empty when the
/// window is not longer than the horizon (its `arrived` is 0 then, and so is the rate).
pub fn window_cohort(series: &[TickStats], warmup: usize, horizon: usize) -> Cohort {
    window_total(&arrival_cohorts(series, horizon), warmup, horizon)
}

/// The complete cohorts of `cohorts` inside the window, summed.
fn window_total(cohorts: &[Cohort], warmup: usize, horizon: usize) -> Cohort {
    let complete = cohorts.len().saturating_sub(horizon);
    let mut total = Cohort::default();
    for c in cohorts.get(warmup..complete).unwrap_or(&[]) {
        total.arrived += c.arrived;
        total.resolved += c.resolved;
    }
    total
}

/// The share of government decisions (blocks, grid teams, departments) taken on watched
/// tasks: the scale of what superiors' attention reaches (MODEL §11.4).
pub fn watched_share(s: &TickStats) -> f64 {
    let government = ActorKind::ALL
        .iter()
        .enumerate()
        .filter(|(_, k)| k.is_government());
    let (mut watched, mut decisions) = (0, 0);
    for (k, _) in government {
        watched += s.watched[k];
        decisions += s.actions[k].iter().sum::<u64>();
    }
    ratio(watched as f64, decisions as f64)
}

impl Window {
    /// The issues of the window: those open when it starts plus those that arrive in it.
    fn issues(&self) -> f64 {
        self.total.arrived as f64 + self.open_at_start as f64
    }

    /// The share of all decisions that took action `a`.
    fn action_share(&self, a: usize) -> f64 {
        let decisions: u64 = self.total.actions.iter().flatten().sum();
        let taken = (0..N_KINDS).map(|k| self.total.actions[k][a]).sum::<u64>();
        ratio(taken as f64, decisions as f64)
    }

    fn costs(&self) -> [f64; 4] {
        [
            self.total.cost_transaction,
            self.total.cost_oversight,
            self.total.cost_paperwork,
            self.total.cost_programmes,
        ]
    }
}

/// Metrics of the measurement window (the weeks after the warm-up) from the per-tick stats,
/// aligned with `summary_columns()`. The issues of the window are those open when it starts
/// plus those that arrive in it.
pub fn summary_row(series: &[TickStats], facts: &RunFacts) -> Vec<f64> {
    let warmup = (facts.warmup as usize).min(series.len().saturating_sub(1));
    let (before, window) = series.split_at(warmup);
    let mut total = TickStats::default();
    for s in window {
        total.merge(s);
    }
    let w = Window {
        ticks: series.len(),
        warmup,
        total,
        last: window.last().cloned().unwrap_or_default(),
        open_at_start: before.last().map_or(facts.initial_backlog, |s| s.backlog),
        cohort: window_cohort(series, warmup, facts.cohort_horizon as usize),
        hotline: window_hotline(series, facts, warmup),
        satisfaction_reported: window
            .iter()
            .enumerate()
            .map(|(i, s)| inflate(s.satisfaction_sum, s.closed as f64, warmup + i + 1, facts))
            .sum(),
        facts: *facts,
    };
    summary_table().iter().map(|d| (d.value)(&w)).collect()
}

/// The window's complete report cohorts summed (ODD §7.19): the requests of the window that a
/// return visit `return_visit` weeks after the report can follow.
fn window_hotline(series: &[TickStats], facts: &RunFacts, warmup: usize) -> HotlineCohorts {
    let cohorts = hotline_cohorts(series, facts);
    let complete = cohorts.len().saturating_sub(facts.return_visit as usize);
    let mut total = HotlineCohorts::default();
    for c in cohorts.get(warmup..complete).unwrap_or(&[]) {
        total.requests += c.requests;
        total.resolved_true += c.resolved_true;
        total.resolved_reported += c.resolved_reported;
    }
    total
}

/// Index of a named summary column (for terminal output and tests).
pub fn summary_index(name: &str) -> Option<usize> {
    summary_columns().iter().position(|c| c.name == name)
}

/// Index of a named time-series column.
pub fn timeseries_index(name: &str) -> Option<usize> {
    timeseries_columns().iter().position(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_their_headers_even_when_empty() {
        let s = TickStats::default();
        assert_eq!(timeseries_row(&s).len(), timeseries_columns().len());
        assert!(timeseries_row(&s).iter().all(|x| x.is_finite()));
        let facts = RunFacts::default();
        assert_eq!(summary_row(&[], &facts).len(), summary_columns().len());
        assert!(summary_row(&[s], &facts).iter().all(|x| x.is_finite()));
    }

    #[test]
    fn occurrences_are_counted_apart_from_issues() {
        // Escalations, petitions and refusals are occurrences (件次, docs/GLOSSARY-ZH.md); the
        // issues that arose, were resolved or are open are issues (件).
        let unit = |cols: Vec<Column>, name: &str| {
            cols.into_iter()
                .find(|c| c.name == name)
                .map(|c| c.unit)
                .unwrap()
        };
        for name in [ts::ESCALATED, ts::PETITIONED, ts::REFUSED] {
            assert_eq!(unit(timeseries_columns(), name), "occurrences", "{name}");
        }
        for name in [
            summary::ESCALATIONS_TOTAL,
            summary::PETITIONS_TOTAL,
            summary::REFUSED_TOTAL,
        ] {
            assert_eq!(unit(summary_columns(), name), "occurrences", "{name}");
        }
        for name in [ts::ARRIVED, ts::RESOLVED, ts::BACKLOG] {
            assert_eq!(unit(timeseries_columns(), name), "issues", "{name}");
        }
    }

    #[test]
    fn fengqiao_indicators_nest() {
        let s = TickStats {
            resolved: 10,
            resolved_at_level: [1, 2, 3, 2, 2],
            resolved_below_city: 9,
            ..TickStats::default()
        };
        let row = timeseries_row(&s);
        let v = row[timeseries_index(ts::FENGQIAO_VILLAGE).unwrap()];
        let t = row[timeseries_index(ts::FENGQIAO_TOWN).unwrap()];
        let n = row[timeseries_index(ts::FENGQIAO_NO_UPWARD).unwrap()];
        assert!((v - 0.4).abs() < 1e-12 && (t - 0.7).abs() < 1e-12 && (n - 0.9).abs() < 1e-12);
    }

    /// Metric inflation closes ι of the gap to 100 % on the reported hotline figures from its
    /// first week on, and nowhere else: 10 requests a week, 6 resolved by the visit, 20 % of
    /// them unsettleable ⇒ true 0.48; with ι = 0.5 from week 3, reported 0.74 from week 3.
    #[test]
    fn metric_inflation_moves_only_reported_hotline_figures_from_its_week() {
        let week = |t: u32| {
            let mut s = TickStats {
                tick: t,
                discovered: 10,
                closed: 4,
                satisfaction_sum: 2.0,
                ..TickStats::default()
            };
            // Six of the week-before's requests resolved one week after their report.
            if t > 1 {
                s.resolved_by_report_wait[1] = 6;
            }
            s
        };
        let series: Vec<TickStats> = (1..=8).map(week).collect();
        let facts = RunFacts {
            return_visit: 1,
            unsettleable: 0.2,
            inflation: 0.5,
            inflation_from: 3,
            ..RunFacts::default()
        };
        let weekly = hotline_weekly(&series, &facts);
        assert!((weekly[0] - 0.48).abs() < 1e-12 && (weekly[1] - 0.48).abs() < 1e-12);
        for r in &weekly[2..7] {
            assert!((r - 0.74).abs() < 1e-12, "{weekly:?}");
        }
        assert!(
            weekly[7].is_nan(),
            "the last week's visit falls after the run"
        );
        let get = |row: &[f64], name: &str| row[summary_index(name).unwrap()];
        // Window weeks 5..=8: complete report weeks 5..=7, all inflated; closures 5..=8.
        let row = summary_row(&series, &RunFacts { warmup: 4, ..facts });
        assert!((get(&row, summary::HOTLINE_RESOLUTION_RATE) - 0.74).abs() < 1e-12);
        assert!((get(&row, summary::HOTLINE_RESOLUTION_TRUE) - 0.48).abs() < 1e-12);
        assert!((get(&row, summary::SATISFACTION_MEAN) - 0.5).abs() < 1e-12);
        assert!((get(&row, summary::SATISFACTION_REPORTED) - 0.75).abs() < 1e-12);
        // Window weeks 2..=8 straddle week 3: week 2 carries none.
        let row = summary_row(&series, &RunFacts { warmup: 1, ..facts });
        let expected = (0.48 + 5.0 * 0.74) / 6.0;
        assert!((get(&row, summary::HOTLINE_RESOLUTION_RATE) - expected).abs() < 1e-12);
        // Without inflation reported equals true, to the bit.
        let plain = RunFacts {
            inflation: 0.0,
            ..facts
        };
        let row = summary_row(&series, &plain);
        assert_eq!(
            get(&row, summary::HOTLINE_RESOLUTION_RATE),
            get(&row, summary::HOTLINE_RESOLUTION_TRUE)
        );
        assert_eq!(
            get(&row, summary::SATISFACTION_MEAN),
            get(&row, summary::SATISFACTION_REPORTED)
        );
    }
}
