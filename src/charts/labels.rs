//! Every fixed word that appears on a chart or in a report, in English and Chinese.
//!
//! Kept in one table so that the font test (`tests/charts.rs`) can check that every character
//! of every label is in the embedded font, and so that a translation is edited in one place.
//! Column meanings, actor kinds and levels are not repeated here: they come from
//! `output::records`, the one definition of what an output means.

/// The language of a chart or report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// `en` or `zh`, as used in file names and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// Free text given in `en` and `zh` (either may be empty): the one in `lang`, else the other,
/// else `fallback`.
pub fn either<'a>(lang: Lang, en: &'a str, zh: &'a str, fallback: &'a str) -> &'a str {
    [lang.pick(en, zh), lang.pick(zh, en), fallback]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("")
}

/// A label in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L {
    pub en: &'static str,
    pub zh: &'static str,
}

impl L {
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }

    /// The label in `lang` with each `{name}` replaced by its value (templates such as
    /// `"{metric} by {parameter}"`, whose word order differs between the languages).
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        let mut out = self.get(lang).to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// "yes" or "no" (是／否), for a boolean in a report.
pub fn yes_no(b: bool) -> L {
    if b {
        R_YES
    } else {
        R_NO
    }
}

macro_rules! labels {
    ($($name:ident = $en:literal, $zh:literal;)*) => {
        $(pub const $name: L = L { en: $en, zh: $zh };)*
        /// Every label of this table, for the font-coverage test.
        pub const ALL: &[L] = &[$($name),*];
    };
}

labels! {
    WEEK = "Week", "周次";
    SEED = "seed", "随机种子";
    WEEKS = "weeks", "周";
    TOTAL = "total", "合计";

    ISSUE_FLOW = "Issue flow", "事项流量";
    FLOW_PANEL = "New and resolved issues", "新发与已解决事项";
    BACKLOG_PANEL = "Open issues", "未结事项";
    Y_ISSUES_PER_WEEK = "Issues per week", "事项数（件/周）";
    Y_OPEN_ISSUES = "Open issues at the end of the week", "当周结束时未结事项数（件）";
    S_ARRIVED = "arrived", "新发";
    S_RESOLVED = "resolved", "已解决";
    S_ABANDONED = "closed unresolved", "超期未解决关闭";
    S_BACKLOG = "open (all)", "未结（全部）";
    S_HIDDEN = "of which not yet discovered", "其中尚未发现";

    LEVELS = "Where issues are resolved", "事项在哪一级解决";
    Y_SHARE_RESOLVED = "Share of the week's resolved issues", "占本周已解决事项的比例";

    FENGQIAO = "Fengqiao indicators and skip-level petitions", "“枫桥经验”三项指标与越级上访";
    FENGQIAO_PANEL = "Where resolved issues were settled", "已解决事项在哪一级化解";
    S_VILLAGE = "small matters stay in the village (community/grid)", "小事不出村（社区/网格解决）";
    S_TOWN = "big matters stay in the town (street or below)", "大事不出镇（街道及以下解决）";
    S_NO_UPWARD = "stays in the district (never reached the city)", "矛盾不出区县（未上交市级）";
    PETITIONS_PANEL = "Skip-level petitions: whether conflicts are passed upward", "越级上访：矛盾是否上交";
    Y_PETITIONS = "Skip-level petitions per week", "越级上访（件次/周）";
    S_PETITIONS = "issues taken past their level by petition", "越级上访事项";

    ACTIONS = "Substantive work, symbolic work and shirking by actor kind", "各类主体的实质履职、形式应付与消极不作为";
    Y_SHARE_DECISIONS = "Share of decisions", "占行为选择的比例";

    MOTIVATION = "Intrinsic motivation by actor kind", "各类主体的内在动机";
    Y_MOTIVATION = "Mean intrinsic motivation (0–1)", "平均内在动机（0–1）";

    TRUST = "Trust and satisfaction", "信任与满意度";
    Y_MEAN_LEVEL = "Mean level (0–1)", "平均水平（0–1）";
    S_ORG_TRUST = "inter-organisational trust", "组织间信任";
    S_RESIDENT_TRUST = "resident trust in government", "居民对政府的信任";
    S_SATISFACTION = "satisfaction with issues closed", "办结事项满意度";

    COSTS = "Costs of governance", "治理成本";
    Y_EFFORT = "Effort units per week (person-weeks)", "工作量（人·周/周）";
    S_COST_TRANSACTION = "transaction", "协同交易成本";
    S_COST_OVERSIGHT = "oversight", "监督成本";
    S_COST_PAPERWORK = "paperwork and symbolic work", "填表留痕与形式工作";
    S_COST_PROGRAMMES = "lever programmes", "政策举措运行成本";

    RISKS = "Major risk events", "重大风险事件";
    Y_EVENTS = "Events per week", "事件数（次/周）";
    S_MAJOR_RISKS = "major risk events", "重大风险事件";

    MEAN = "mean", "均值";
    CI95 = "95% confidence interval", "95%置信区间";
    BASELINE = "baseline", "基线";
    SHADED = "shaded", "阴影";
    MORRIS_X = "μ* (mean absolute elementary effect)", "μ*（基本效应绝对值的均值）";
    MORRIS_Y = "σ (standard deviation of elementary effects)", "σ（基本效应的标准差）";
    SOBOL_S1 = "first-order index S1", "一阶指数S1";
    SOBOL_ST = "total index ST", "总效应指数ST";
    SOBOL_X = "share of the output's variance", "占输出方差的比例";
    BOOTSTRAP95 = "bootstrap 95% interval", "自助法95%区间";

    // Sweep charts: the key metrics (names for titles, axis labels with units).
    K_RESOLUTION = "Resolution rate", "解决率";
    A_RESOLUTION = "Resolution rate (share, 0–1)", "解决率（比例，0–1）";
    K_VILLAGE = "Small matters stay in the village", "小事不出村";
    A_VILLAGE = "Share resolved in community/grid (0–1)", "社区/网格解决的比例（0–1）";
    K_TOWN = "Big matters stay in the town", "大事不出镇";
    A_TOWN = "Share resolved at street or below (0–1)", "街道及以下解决的比例（0–1）";
    K_NO_UPWARD = "Stays in the district (never reached the city)", "矛盾不出区县（未上交市级）";
    A_NO_UPWARD = "Share resolved below the city (0–1)", "未上交市级（不出区县）即解决的比例（0–1）";
    K_PETITIONS = "Skip-level petitions", "越级上访";
    A_PETITIONS = "Skip-level petitions (occurrences)", "越级上访（件次）";
    K_RESIDENT_TRUST = "Resident trust in government", "居民对政府的信任";
    A_RESIDENT_TRUST = "Resident trust at the end (0–1)", "期末居民信任（0–1）";
    K_ORG_TRUST = "Inter-organisational trust", "组织间信任";
    A_ORG_TRUST = "Org. trust at the end (0–1)", "期末组织间信任（0–1）";
    K_SATISFACTION = "Satisfaction", "满意度";
    A_SATISFACTION = "Mean satisfaction (0–1)", "办结事项平均满意度（0–1）";
    A_RISKS = "Major risk events (count)", "重大风险事件数（次）";
    K_COST = "Total cost of governance", "治理总成本";
    A_COST = "Total cost (person-weeks)", "总成本（人·周）";

    // Sweep chart titles and subtitles: templates filled by `L::fill`.
    T_BY = "{metric} by {parameter}", "{metric}随{parameter}的变化";
    T_OVER = "{metric} over {x} and {y}", "{metric}：{x}×{y}";
    T_PACKAGES = "{metric} by policy package", "各政策组合的{metric}";
    T_SAMPLED = "{metric} across the sampled points", "各抽样点的{metric}";
    T_MORRIS = "Morris screening: {metric}", "Morris筛选：{metric}";
    SUB_MEANS = "{title} · mean of {reps} replications per point", "{title}，每点{reps}次重复的均值";
    SUB_AVERAGED = "averaged over {keys}", "对{keys}取平均";
    SUB_CELLS = "{title} · a cell: mean of {reps} replications", "{title}，每格为{reps}次重复的均值";
    SUB_PACKAGES = "{title} · {reps} replications per package", "{title}，每个组合重复{reps}次";
    SUB_SAMPLED = "{title} · Latin hypercube of {points} points, {reps} replications each", "{title}，拉丁超立方抽样{points}个点，每点重复{reps}次";
    S_SAMPLED = "a sampled point (mean of its replications); the other parameters differ too", "一个抽样点（各次重复的均值）；其他参数同时不同";
    SUB_MORRIS = "{title} · effects in {unit} per full range of a lever", "{title}，效应单位：政策举措取值全程对应的{unit}";
    T_SOBOL = "Sobol' indices: {metric}", "Sobol指数：{metric}";
    SUB_SOBOL = "{title} · {samples} base samples, means of {reps} replications · seed noise: {noise} of the variance", "{title}，基础样本{samples}个，每点取{reps}次重复的均值；随机种子噪声占方差的{noise}";
    BOOL_AXIS = "0 = off, 1 = on", "0=否，1=是";

    // Paired differences (sweeps on common random numbers, `cogov compare`, `cogov levers`).
    NO_DIFFERENCE = "no difference", "无差异";
    A_DIFFERENCE = "difference in {axis}", "{axis}之差";
    T_DIFF_PACKAGES = "{metric}: each package minus the baseline", "{metric}：各政策组合与基线之差";
    T_DIFF_GRID = "{metric}: each point minus the baseline", "{metric}：各设计点与基线之差";
    SUB_DIFF = "{title} · paired differences from “{baseline}” on {reps} common seeds, with 95% confidence intervals", "{title}，与“{baseline}”在{reps}个共同随机种子上的配对差值及95%置信区间";
    T_COMPARE = "{b} minus {a}", "{b}与{a}之差";
    SUB_COMPARE = "B − A on {reps} common seeds (paired), with 95% confidence intervals; A = {a}", "B − A，{reps}个共同随机种子上的配对差值及95%置信区间；A = {a}";
    T_LEVERS = "Every lever against the base: {metric}", "各项政策举措与基准情景之差：{metric}";
    SUB_LEVERS = "{title} · paired differences on {reps} common seeds, with 95% confidence intervals", "{title}，{reps}个共同随机种子上的配对差值及95%置信区间";
    DZ_NOTE = "d_z (in the printed table) = mean paired difference ÷ standard deviation of the differences: how consistently B beats A seed by seed, not how large the effect is: a tiny difference with little seed-to-seed spread has a large d_z, so read the difference in its own unit first.", "d_z（见输出表格）= 配对差值的均值 ÷ 差值的标准差：衡量B在各随机种子上是否一致地优于A，而非效应大小：差值很小但各种子间波动更小时d_z也会很大，应首先看以原单位表示的差值。";
    T_WEEKLY = "{metric}, week by week", "{metric}（逐周）";
    SUB_WEEKLY = "{title} · each week: mean of {reps} replications", "{title}，每周为{reps}次重复的均值";
    SUB_WEEKLY_PAIRED = "each week: mean of {reps} replications on the same seeds for A and B", "每周为{reps}次重复的均值，A与B共用随机种子";
    ONE_SEED = "one run, seed {seed}: one draw of chance, not an average", "单次运行（随机种子{seed}）：一次随机结果，并非平均值";
    MORRIS_LINES = "σ/μ* = 0.1, 0.5, 1 (below: nearly linear; above: non-linear or interacting)", "σ/μ* = 0.1、0.5、1（线下近似线性，线上为非线性或交互作用）";
    MORRIS_REST = "not labelled (smaller μ*): {list}", "未标注（μ*较小）：{list}";

    // Sweep reports.
    R_EXPERIMENT = "Experiment", "实验";
    R_DESIGN = "Design", "实验设计";
    R_DESIGN_KIND = "design", "设计类型";
    D_GRID = "full factorial grid", "全因子网格";
    D_PACKAGES = "policy packages", "政策组合";
    D_LHS = "Latin hypercube sample", "拉丁超立方抽样";
    D_MORRIS = "Morris elementary effects", "Morris基本效应筛选";
    D_SOBOL = "Sobol' indices (Saltelli design)", "Sobol指数（Saltelli抽样设计）";
    R_SAMPLES = "base samples", "基础样本数";
    R_SOBOL_NOTE = "Each cell: the first-order index S1 with the total index ST below (shares of the metric's variance).", "每格为一阶指数S1，下方为总效应指数ST（占指标方差的比例）。";
    R_POINTS = "design points", "设计点数";
    R_WEEKS_SIMULATED = "weeks simulated", "模拟周数";
    R_REPLICATIONS = "replications per point", "每点重复次数";
    R_RUNS = "runs", "运行次数";
    R_BASE_SEED = "base seed", "基础随机种子";
    R_CRN = "common random numbers", "共同随机数";
    R_TRAJECTORIES = "trajectories", "轨迹数";
    R_LEVELS = "grid levels", "网格水平数";
    R_YES = "yes", "是";
    R_NO = "no", "否";
    R_FACTORS = "Varied parameters", "变动的参数";
    R_VALUES = "values", "取值";
    R_RANGE = "range", "取值范围";
    R_PACKAGE = "package", "政策组合";
    R_SETTINGS = "settings", "设定";
    R_BASE_CHANGED = "Base scenario: parameters that differ from the defaults", "基准情景中与默认值不同的参数";
    R_POINT = "point", "设计点";
    R_LEVER = "lever", "政策举措";
    R_CI_NOTE = "Each cell: mean over the replications, with its 95% confidence interval below.", "每格为各次重复的均值，下方为95%置信区间。";
    R_MORRIS_NOTE = "Each cell: μ* (importance) with σ (non-linearity or interaction) below, in the metric's unit per full range of the lever.", "每格为μ*（重要性），下方为σ（非线性或交互作用），单位为政策举措取值全程对应的指标单位。";
    R_FIRST_ROWS = "The first {shown} of {total} points are shown; every point is in points.csv.", "仅列出{total}个设计点中的前{shown}个；全部见points.csv。";
    R_FAILED = "Runs that failed (left out of the means): {failed}; see runs.csv.", "失败的运行（未计入均值）：{failed}次，详见runs.csv。";
    R_REPRODUCE_SWEEP = "The manifest holds the experiment file (experiment_source) and the resolved base scenario. Run the experiment again with", "运行记录（manifest.json）中包含实验文件（experiment_source）与解析后的基准情景。可用以下命令重新运行本实验：";

    REPORT = "Report", "报告";
    R_SCENARIO = "Scenario", "情景";
    R_DESCRIPTION = "Description", "说明";
    R_NO_DESCRIPTION = "No description was given.", "未提供说明。";
    R_CHANGED = "Parameters that differ from the defaults", "与默认值不同的参数";
    R_NO_CHANGES = "None: every parameter has its default value.", "无：全部参数均为默认值。";
    R_PARAMETER = "parameter", "参数";
    R_VALUE = "value", "取值";
    R_DEFAULT = "default", "默认值";
    R_UNIT = "unit", "单位";
    R_MEANING = "meaning", "含义";
    R_MEANING_OTHER = "中文含义", "English meaning";
    R_INTERVENTIONS = "Interventions", "干预（改革）";
    R_NO_INTERVENTIONS = "None.", "无。";
    R_CHANGES = "changes", "调整";
    R_RESULTS = "Key results", "主要结果";
    R_COLUMN = "column", "列名";
    R_CHARTS = "Charts", "图表";
    R_FIGURE = "Figure", "图";

    R_CALIBRATION = "Calibration", "参数校准";
    C_VALUE = "Parameter value", "参数取值";
    C_DENSITY = "Density", "概率密度";
    C_POSTERIOR = "posterior", "后验";
    C_PRIOR = "prior", "先验";
    C_MARGINALS = "Prior and posterior of each fitted parameter", "各校准参数的先验与后验分布";
    C_MARGINALS_NOTE = "Bars: the weighted posterior particles of the last ABC-SMC generation; dashed line: the prior density.", "柱形：ABC-SMC 最后一代加权后验粒子；虚线：先验概率密度。";
    C_PAIRS = "Posterior particles, pairwise", "后验粒子两两散点图";
    C_PREDICTIVE = "Posterior predictive check of every target", "各校准目标的后验预测检验";
    C_PREDICTIVE_AXIS = "Predicted minus observed, in sd of observation error and discrepancy", "预测值减观测值（以观测误差与模型偏差的标准差为单位）";
    C_PREDICTIVE_90 = "posterior predictive median and 90% interval", "后验预测中位数与90%区间";
    C_PREDICTIVE_NOTE = "0 is the observed value. Each interval includes the observation error and model discrepancy stated in the calibration file.", "0 即观测值。各区间已计入校准文件所述的观测误差与模型偏差。";
    C_OBSERVED = "observed", "观测值";
    C_TOLERANCE = "Tolerance", "容许距离";
    C_GENERATION = "Generation", "代数";
    C_EFFICIENCY = "Acceptance rate and effective sample size", "接受率与有效样本量";
    C_SHARE = "Share", "比例";
    C_ACCEPTANCE = "acceptance rate", "接受率";
    C_ESS = "effective sample size / population", "有效样本量／粒子数";
    C_SCHEDULE = "ABC-SMC tolerance schedule", "ABC-SMC 容许距离序列";
    C_ESTIMATES = "Posterior estimates", "后验估计";
    C_PARAMETER = "Parameter", "参数";
    C_MEAN = "mean", "均值";
    C_SD = "sd", "标准差";
    C_INTERVAL_90 = "90% interval", "90%区间";
    C_CONTRACTION = "contraction", "收缩度";
    C_TARGET = "Target", "校准目标";
    C_MEDIAN = "predictive median", "预测中位数";
    C_PREDICTION = "Prediction of a second scenario against its observations", "第二情景的预测与观测值对比";
    C_PREDICTION_AXIS = "Predicted minus observed, in sd of the observation error", "预测值减观测值（以观测误差的标准差为单位）";
    C_PREDICTION_95 = "predictive median and 95% interval", "预测中位数与95%区间";
    C_PREDICTION_NOTE = "0 is the observed value. Each interval includes the observation error; a target is a hit when its observation lies inside the 95% interval. The scenario was predicted from the posterior, not fitted to these values.", "0 即观测值。各区间已计入观测误差；观测值落在95%区间内即为命中。该情景由后验预测，未用这些观测值拟合。";
    C_PREDICTION_SERIES = "Predicted weekly course of the second scenario", "第二情景的逐周预测走势";
    C_PREDICTION_SERIES_NOTE = "Line: median over the posterior draws; bands: their central 50% and 90%. Points: the observed prediction targets of that quantity, at the middle of the measurement window.", "实线：各后验抽样的中位数；色带：其中间50%与90%。圆点：该指标的预测目标观测值，画在统计窗口中部。";
    C_BAND_50 = "central 50% of draws", "中间50%的抽样";
    C_BAND_90 = "central 90% of draws", "中间90%的抽样";
    C_MEDIAN_DRAWS = "median of draws", "抽样中位数";
    C_HIT = "hit", "命中";
    C_MISS = "miss", "未命中";
    C_INTERVAL_95 = "95% interval", "95%区间";
    C_CONTRACTION_NOTE = "Contraction is 1 − posterior variance / prior variance: near 0 the data say little about the parameter, near 1 they pin it down.", "收缩度＝1－后验方差／先验方差：接近0表示数据对该参数几乎没有约束，接近1表示参数被数据确定。";
    R_MANIFEST = "Manifest (manifest.json)", "运行记录（manifest.json）";
    R_REPRODUCE = "Reproduce this run exactly with", "用以下命令可逐字节复现本次运行：";
    R_GENERATED = "Generated by cogov {version}.", "由 cogov {version} 生成。";
    R_FONT = "Text set in Cogov Sans SC, a subset of Noto Sans CJK SC (SIL Open Font License 1.1).", "文字字体为 Cogov Sans SC（Noto Sans CJK SC 的子集，SIL 开源字体许可证 1.1）。";
    R_CONTENTS = "Contents", "目录";
    R_GLOSSARY = "Glossary: levers and their policy sources", "术语表：政策举措及其政策出处";
    R_GLOSSARY_NOTE = "Each lever under its one Chinese name, with the document or practice it comes from (docs/GLOSSARY-ZH.md).", "每项政策举措（抓手）只用一个中文名称，并注明其所依据的政策文件或实践（见docs/GLOSSARY-ZH.md）。";
    R_SOURCE = "policy source", "政策出处";
}

/// A unit of `output::records` in words, for axes and tables. Unknown units are shown as they
/// are (a test keeps this table complete).
pub fn unit(unit: &str, lang: Lang) -> String {
    let (en, zh) = match unit {
        "week" => ("week", "周"),
        "weeks" => ("weeks", "周"),
        "issues" => ("issues", "件"),
        // Counts of occurrences (escalations, petitions, refusals): 件次, as petition and
        // hotline statistics count them (docs/GLOSSARY-ZH.md).
        "occurrences" => ("occurrences", "件次"),
        "events" => ("events", "次"),
        "share" => ("share (0–1)", "比例（0–1）"),
        "0..1" => ("index (0–1)", "指数（0–1）"),
        "rate" => ("per coalition-week", "次/专班·周"),
        "effort units" => ("effort units (person-weeks)", "工作量（人·周）"),
        "slots" => ("attention slots", "注意力名额"),
        "residents" => ("residents", "人"),
        "grids" => ("grids", "个"),
        "organisations" => ("organisations", "个"),
        // Parameter units (`cogov params`); compound ones not listed are shown as they are.
        "count" => ("count", "个数"),
        "ticks" => ("weeks", "周"),
        "1/tick" => ("per week", "每周"),
        "probability" => ("probability", "概率"),
        "probability/tick" => ("probability per week", "每周概率"),
        "intensity" => ("intensity", "强度"),
        "multiplier" => ("multiplier", "倍数"),
        "factor" => ("factor", "系数"),
        "ratio" => ("ratio", "比率"),
        "share of cost" => ("share of cost", "占成本比例"),
        "eu/tick" => ("effort units per week", "工作量（人·周）/周"),
        "slots/tick" => ("attention slots per week", "注意力名额/周"),
        "trust" => ("trust (0–1)", "信任（0–1）"),
        "satisfaction" => ("satisfaction (0–1)", "满意度（0–1）"),
        "severity" => ("severity", "严重程度"),
        "utility" => ("utility", "效用"),
        "workers" => ("workers", "人"),
        other => (other, other),
    };
    lang.pick(en, zh).to_string()
}

/// Units `unit` translates (for the completeness test).
pub const KNOWN_UNITS: &[&str] = &[
    "week",
    "weeks",
    "issues",
    "occurrences",
    "events",
    "share",
    "0..1",
    "rate",
    "effort units",
    "slots",
    "residents",
    "grids",
    "organisations",
    "count",
    "ticks",
    "1/tick",
    "probability",
    "probability/tick",
    "intensity",
    "multiplier",
    "factor",
    "ratio",
    "share of cost",
    "eu/tick",
    "slots/tick",
    "trust",
    "satisfaction",
    "severity",
    "utility",
    "workers",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::records::{summary_columns, timeseries_columns};

    #[test]
    fn every_output_unit_has_words_in_both_languages() {
        for c in timeseries_columns().iter().chain(summary_columns().iter()) {
            assert!(
                KNOWN_UNITS.contains(&c.unit),
                "unit {:?} of {} has no translation",
                c.unit,
                c.name
            );
        }
        for u in KNOWN_UNITS {
            assert!(!unit(u, Lang::Zh).is_empty() && !unit(u, Lang::En).is_empty());
        }
    }

    #[test]
    fn labels_are_complete_in_both_languages() {
        for l in ALL {
            assert!(!l.en.trim().is_empty() && !l.zh.trim().is_empty(), "{l:?}");
        }
    }
}
