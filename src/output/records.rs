//! Output records: the columns of `timeseries.csv` and `summary.csv`, each with its unit and
//! a bilingual meaning, derived from the model's raw `TickStats`.
//!
//! The column tables here are the only definition of what a column means: the CSV header,
//! the README's column table (`cogov columns`) and chart labels all come from them.

use crate::model::entities::{ActorKind, N_KINDS};
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

fn col(
    name: impl Into<String>,
    unit: &'static str,
    en: impl Into<String>,
    zh: impl Into<String>,
) -> Column {
    Column {
        name: name.into(),
        unit,
        en: en.into(),
        zh: zh.into(),
    }
}

/// Columns of `timeseries.csv`, in order.
pub fn timeseries_columns() -> Vec<Column> {
    let mut c = vec![
        col("tick", "week", "week of the run", "周次"),
        col("arrived", "issues", "new issues that arose", "新发事项数"),
        col(
            "discovered",
            "issues",
            "issues discovered (by grid teams or reports)",
            "被发现（网格巡查或居民上报）的事项数",
        ),
        col("resolved", "issues", "issues resolved", "已解决事项数"),
        col(
            "abandoned",
            "issues",
            "issues closed unresolved at the maximum age",
            "超期未解决关闭的事项数",
        ),
        col(
            "backlog",
            "issues",
            "open issues at the end of the week, hidden included",
            "当周结束时未结事项数（含未发现）",
        ),
        col(
            "hidden",
            "issues",
            "open issues nobody has discovered yet",
            "尚未被发现的事项数",
        ),
        col(
            "mean_age",
            "weeks",
            "mean age of open issues",
            "未结事项平均积压周数",
        ),
        col(
            "escalated",
            "issues",
            "issues moved up one level past their deadline",
            "超期上交一级的事项数",
        ),
        col(
            "petitioned",
            "issues",
            "issues taken past their level by petition",
            "越级上访的事项数",
        ),
        col(
            "major_risks",
            "events",
            "issues that became major risk events",
            "演变为重大风险事件的事项数",
        ),
        col(
            "refused",
            "issues",
            "unlisted issues a listed lead refused (buck-passing)",
            "清单外事项被推诿次数",
        ),
    ];
    for (i, l) in ["l1", "l2", "l3", "l4", "l5"].iter().enumerate() {
        c.push(col(
            format!("resolved_share_{l}"),
            "share",
            format!(
                "share of this week's resolved issues settled at the {} level",
                LEVEL_EN[i]
            ),
            format!("本周已解决事项中在{}层级解决的比例", LEVEL_ZH[i]),
        ));
    }
    c.extend([
        col(
            "fengqiao_village",
            "share",
            "resolved at community/grid level (small matters stay in the village)",
            "在社区/网格解决的比例（小事不出村）",
        ),
        col(
            "fengqiao_town",
            "share",
            "resolved at street level or below (big matters stay in the town)",
            "在街道及以下解决的比例（大事不出镇）",
        ),
        col(
            "fengqiao_no_upward",
            "share",
            "resolved without ever reaching the city: stays in the district (whether conflicts are passed up shows in petitioned)",
            "从未上交到市级即解决的比例（矛盾不出区县；矛盾是否上交看越级上访）",
        ),
    ]);
    for (k, kind) in ActorKind::ALL.iter().enumerate() {
        for (a, act) in ACTION_SLUG.iter().enumerate() {
            c.push(col(
                format!("{act}_share_{}", kind.slug()),
                "share",
                format!(
                    "share of decisions by {} that were {}",
                    KIND_EN[k], ACTION_EN[a]
                ),
                format!("{}的{}占行为选择的比例", KIND_ZH[k], ACTION_ZH[a]),
            ));
        }
    }
    for (k, kind) in ActorKind::ALL.iter().enumerate() {
        c.push(col(
            format!("motivation_{}", kind.slug()),
            "0..1",
            format!("mean intrinsic motivation of {}", KIND_EN[k]),
            format!("{}平均内在动机", KIND_ZH[k]),
        ));
    }
    c.extend([
        col(
            "overloaded_share",
            "share",
            "substantive decisions capacity could not serve in full",
            "因工作力量不足未能完全落实的实质履职比例",
        ),
        col(
            "unsaturated_share",
            "share",
            "decisions whose choice probabilities all lay between 0.05 and 0.95",
            "各选项概率均在0.05至0.95之间的行为选择比例",
        ),
        col(
            "coalition_success_rate",
            "share",
            "coalition-weeks that made progress",
            "取得进展的专班·周比例",
        ),
        col(
            "conflicts_per_coalition_tick",
            "rate",
            "policy conflicts per coalition-week",
            "每专班·周的政策冲突次数",
        ),
        col(
            "formation_waits",
            "issues",
            "cross-domain issues still waiting for their coalition to form",
            "仍在等待组建专班的跨领域事项数",
        ),
        col(
            "org_trust",
            "0..1",
            "mean inter-organisational trust",
            "组织间平均信任",
        ),
        col(
            "resident_trust",
            "0..1",
            "mean resident trust in government",
            "居民对政府的平均信任",
        ),
        col(
            "satisfaction",
            "0..1",
            "mean satisfaction on issues closed this week",
            "本周办结事项的平均满意度",
        ),
        col(
            "cost_transaction",
            "effort units",
            "transaction cost of coalition work",
            "协同交易成本",
        ),
        col(
            "cost_oversight",
            "effort units",
            "oversight cost (attention, inspection, evaluation, measurement)",
            "监督成本（注意力、纪检、评估、测量）",
        ),
        col(
            "cost_paperwork",
            "effort units",
            "paperwork and symbolic work",
            "填表留痕与形式工作成本",
        ),
        col(
            "cost_programmes",
            "effort units",
            "running cost of lever programmes (systems, funding, meetings…)",
            "各项政策举措运行成本（系统、资助、会议等）",
        ),
        col(
            "effort_spent",
            "effort units",
            "effort spent on issues, overheads included",
            "投入事项的工作量（含开销）",
        ),
        col(
            "attention_used",
            "slots",
            "superiors' attention slots used",
            "已用上级注意力名额",
        ),
    ]);
    c
}

/// One row of `timeseries.csv`, aligned with `timeseries_columns()`.
pub fn timeseries_row(s: &TickStats) -> Vec<f64> {
    let resolved = s.resolved as f64;
    let mut v = vec![
        s.tick as f64,
        s.arrived as f64,
        s.discovered as f64,
        resolved,
        s.abandoned as f64,
        s.backlog as f64,
        s.hidden as f64,
        ratio(s.backlog_age_sum, s.backlog as f64),
        s.escalated as f64,
        s.petitioned as f64,
        s.major_risks as f64,
        s.refused as f64,
    ];
    for l in 0..5 {
        v.push(ratio(s.resolved_at_level[l] as f64, resolved));
    }
    let at = |a: usize, b: usize| (a..b).map(|l| s.resolved_at_level[l] as f64).sum::<f64>();
    v.push(ratio(at(3, 5), resolved));
    v.push(ratio(at(2, 5), resolved));
    v.push(ratio(s.resolved_below_city as f64, resolved));
    for k in 0..N_KINDS {
        let total: u64 = s.actions[k].iter().sum();
        for a in 0..3 {
            v.push(ratio(s.actions[k][a] as f64, total as f64));
        }
    }
    for k in 0..N_KINDS {
        v.push(ratio(s.motivation_sum[k], s.org_count[k]));
    }
    let substantive: u64 = (0..N_KINDS).map(|k| s.actions[k][0]).sum();
    v.push(ratio(
        s.overloaded.iter().sum::<u64>() as f64,
        substantive as f64,
    ));
    let decisions: u64 = s.actions.iter().flatten().sum();
    v.push(ratio(s.unsaturated as f64, decisions as f64));
    v.push(ratio(
        s.coalition_ticks_with_progress as f64,
        s.coalition_ticks as f64,
    ));
    v.push(ratio(s.conflicts as f64, s.coalition_ticks as f64));
    v.push(s.formation_waits as f64);
    v.push(ratio(s.org_trust_sum, s.org_trust_count));
    v.push(ratio(s.resident_trust_sum, s.residents));
    v.push(ratio(s.satisfaction_sum, s.closed as f64));
    v.extend([
        s.cost_transaction,
        s.cost_oversight,
        s.cost_paperwork,
        s.cost_programmes,
        s.effort_spent,
        s.attention_used,
    ]);
    v
}

/// Columns of `summary.csv` (whole-run metrics), in order.
pub fn summary_columns() -> Vec<Column> {
    vec![
        col("ticks", "weeks", "weeks simulated", "模拟周数"),
        col(
            "window_start",
            "week",
            "first week of the measurement window the other columns cover (after the warm-up)",
            "其余各列所统计测量窗口的起始周（预热期之后）",
        ),
        col(
            "residents",
            "residents",
            "residents in the city",
            "居民数",
        ),
        col("grids", "grids", "grids in the city", "网格数"),
        col(
            "organisations",
            "organisations",
            "organisational actors",
            "组织主体数",
        ),
        col(
            "issues_total",
            "issues",
            "issues in the run: the legacy backlog plus all arrivals",
            "本次运行的事项总数（历史遗留加新发）",
        ),
        col(
            "resolved_total",
            "issues",
            "issues resolved",
            "已解决事项总数",
        ),
        col(
            "resolution_rate",
            "share",
            "resolved / issues of the window (open at its start or arriving in it)",
            "解决率（窗口内已解决/窗口期初未结及新发事项数）",
        ),
        col(
            "hotline_resolution_rate",
            "share",
            "hotline-style resolution rate: requests resolved by the return visit, less those no agency could settle",
            "热线口径解决率：回访时已解决的诉求比例（扣除无法解决的诉求）",
        ),
        col(
            "mean_weeks_to_resolve",
            "weeks",
            "mean weeks from arrival to resolution",
            "从发生到解决的平均周数",
        ),
        col(
            "fengqiao_village",
            "share",
            "resolved at community/grid level (小事不出村)",
            "小事不出村：在社区/网格解决的比例",
        ),
        col(
            "fengqiao_town",
            "share",
            "resolved at street level or below (大事不出镇)",
            "大事不出镇：在街道及以下解决的比例",
        ),
        col(
            "fengqiao_no_upward",
            "share",
            "resolved without reaching the city: stays in the district (whether conflicts are passed up shows in petitions_total)",
            "矛盾不出区县：未上交市级即解决的比例（矛盾是否上交看越级上访次数）",
        ),
        col(
            "escalations_total",
            "issues",
            "escalations past deadlines",
            "超期上交次数",
        ),
        col("petitions_total", "issues", "petitions", "越级上访次数"),
        col(
            "major_risks_total",
            "events",
            "major risk events",
            "重大风险事件数",
        ),
        col(
            "refused_total",
            "issues",
            "refusals of unlisted issues",
            "清单外事项被推诿次数",
        ),
        col(
            "backlog_final",
            "issues",
            "open issues at the end",
            "期末未结事项数",
        ),
        col(
            "substantive_share",
            "share",
            "share of all decisions that were substantive",
            "实质履职占全部行为选择的比例",
        ),
        col(
            "symbolic_share",
            "share",
            "share of all decisions that were symbolic",
            "形式应付占全部行为选择的比例",
        ),
        col(
            "shirk_share",
            "share",
            "share of all decisions that were shirking",
            "消极不作为（卸责）占全部行为选择的比例",
        ),
        col(
            "coalition_success_rate",
            "share",
            "coalition-weeks that made progress",
            "取得进展的专班·周比例",
        ),
        col(
            "conflicts_per_coalition_tick",
            "rate",
            "policy conflicts per coalition-week",
            "每专班·周的政策冲突次数",
        ),
        col(
            "org_trust_final",
            "0..1",
            "inter-organisational trust at the end",
            "期末组织间信任",
        ),
        col(
            "resident_trust_final",
            "0..1",
            "resident trust at the end",
            "期末居民信任",
        ),
        col(
            "satisfaction_mean",
            "0..1",
            "mean satisfaction over all closed issues",
            "全部办结事项平均满意度",
        ),
        col(
            "cost_transaction_total",
            "effort units",
            "transaction cost",
            "协同交易成本合计",
        ),
        col(
            "cost_oversight_total",
            "effort units",
            "oversight cost",
            "监督成本合计",
        ),
        col(
            "cost_paperwork_total",
            "effort units",
            "paperwork cost",
            "填表留痕与形式工作成本合计",
        ),
        col(
            "cost_programmes_total",
            "effort units",
            "lever programme cost",
            "政策举措运行成本合计",
        ),
        col("cost_total", "effort units", "all costs", "总成本"),
        col(
            "effort_total",
            "effort units",
            "effort spent on issues",
            "投入事项的工作量合计",
        ),
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
    pub residents: u64,
    pub grids: u64,
    pub organisations: u64,
    pub initial_backlog: u64,
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
    let last = window.last().cloned().unwrap_or_default();
    let open_at_start = before.last().map_or(facts.initial_backlog, |s| s.backlog);
    let resolved = total.resolved as f64;
    let issues = total.arrived as f64 + open_at_start as f64;
    let at = |a: usize, b: usize| {
        (a..b)
            .map(|l| total.resolved_at_level[l] as f64)
            .sum::<f64>()
    };
    let decisions: u64 = total.actions.iter().flatten().sum();
    let by_action = |a: usize| (0..N_KINDS).map(|k| total.actions[k][a]).sum::<u64>() as f64;
    let costs = [
        total.cost_transaction,
        total.cost_oversight,
        total.cost_paperwork,
        total.cost_programmes,
    ];
    vec![
        series.len() as f64,
        (warmup + 1) as f64,
        facts.residents as f64,
        facts.grids as f64,
        facts.organisations as f64,
        issues,
        resolved,
        ratio(resolved, issues),
        hotline_resolution_rate(&total, facts),
        ratio(total.resolved_age_sum, resolved),
        ratio(at(3, 5), resolved),
        ratio(at(2, 5), resolved),
        ratio(total.resolved_below_city as f64, resolved),
        total.escalated as f64,
        total.petitioned as f64,
        total.major_risks as f64,
        total.refused as f64,
        last.backlog as f64,
        ratio(by_action(0), decisions as f64),
        ratio(by_action(1), decisions as f64),
        ratio(by_action(2), decisions as f64),
        ratio(
            total.coalition_ticks_with_progress as f64,
            total.coalition_ticks as f64,
        ),
        ratio(total.conflicts as f64, total.coalition_ticks as f64),
        ratio(last.org_trust_sum, last.org_trust_count),
        ratio(last.resident_trust_sum, last.residents),
        ratio(total.satisfaction_sum, total.closed as f64),
        costs[0],
        costs[1],
        costs[2],
        costs[3],
        costs.iter().sum(),
        total.effort_spent,
    ]
}

/// The hotline's resolution rate (ODD §7.19): the share of requests a return visit
/// `return_visit` weeks after arrival finds resolved, less the requests no agency could settle.
/// Estimated on the window's closures as a share of its arrivals, which in a steady state is the
/// share of an arrival cohort resolved within the visit.
fn hotline_resolution_rate(total: &TickStats, facts: &RunFacts) -> f64 {
    let visit = (facts.return_visit as usize).min(total.resolved_by_wait.len() - 2);
    let within: u64 = total.resolved_by_wait[..=visit].iter().sum();
    (1.0 - facts.unsettleable) * ratio(within as f64, total.arrived as f64).min(1.0)
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
    fn fengqiao_indicators_nest() {
        let s = TickStats {
            resolved: 10,
            resolved_at_level: [1, 2, 3, 2, 2],
            resolved_below_city: 9,
            ..TickStats::default()
        };
        let row = timeseries_row(&s);
        let v = row[timeseries_index("fengqiao_village").unwrap()];
        let t = row[timeseries_index("fengqiao_town").unwrap()];
        let n = row[timeseries_index("fengqiao_no_upward").unwrap()];
        assert!((v - 0.4).abs() < 1e-12 && (t - 0.7).abs() < 1e-12 && (n - 0.9).abs() < 1e-12);
    }
}
