//! `cogov levers`: prints and writes `experiment::levers::lever_effects` — every lever of
//! MODEL §6 against a base scenario on common random numbers (MODEL §11.7), with each lever's
//! meaning, channel and cost from the parameter table. A lever that improves every key outcome
//! at lower total cost is marked FREE (MODEL §11.3: a genuine saving the ODD explains, or a
//! defect). `--out` writes every metric of every lever as CSV; `--charts` draws a forest plot
//! per key outcome; `--markdown` prints the ODD's lever table; `--robust` repeats the
//! comparison over the unanchored-parameter hypercube and reports how often signs and ranks hold.

use std::path::PathBuf;

use super::experiment::{paired_cells, write_table, PAIRED_HEADER};
use super::run::output_error;
use super::CliError;
use crate::experiment::levers::{
    lever_effects, robustness, LeverEffect, Robustness, KEY_OUTCOMES, RANK_TOLERANCE,
    ROBUST_POINTS, ROBUST_SPREAD,
};
use crate::model::params::spec_of;
use crate::output::records::summary_columns;
use crate::output::{format_value, place};
use crate::scenario::Scenario;

#[derive(clap::Args, Debug)]
pub struct LeversArgs {
    /// Base scenario (.toml); the embedded default city if omitted （基准情景，省略则用内置默认城市）
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Replications, on the same seeds for the base and every lever （重复次数，基准与各项政策举措共用随机种子）
    #[arg(long, default_value_t = 30)]
    pub reps: u32,
    /// Base seed of the replications （基础随机种子）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Weekly ticks (overrides the base scenario's) （模拟周数）
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Override a parameter of the base (repeatable) （覆盖基准情景参数，可重复）
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write every metric of every lever to this CSV file （另存为CSV）
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the --out and --robust-out files if they exist （覆盖已存在的输出文件）
    #[arg(long)]
    pub force: bool,
    /// Draw a forest plot per key outcome into DIR/charts/en and DIR/charts/zh (PNG and SVG)
    /// （将各关键结果的森林图绘制到 DIR/charts/en 与 DIR/charts/zh）
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Print the comparison as the Markdown table of docs/ODD.md instead of plain text
    /// （以docs/ODD.md中的Markdown表格输出）
    #[arg(long)]
    pub markdown: bool,
    /// Repeat the comparison over a Latin hypercube of the unanchored parameters at ±30% and
    /// report how often each lever's sign and rank hold （在未锚定参数±30%的拉丁超立方上重复比较，报告符号与排序的稳健性）
    #[arg(long)]
    pub robust: bool,
    /// Points of the --robust hypercube （稳健性检验的抽样点数）
    #[arg(long, default_value_t = ROBUST_POINTS, requires = "robust")]
    pub robust_points: u32,
    /// Replications per lever at each --robust point （稳健性检验每点的重复次数）
    #[arg(long, default_value_t = 2, requires = "robust")]
    pub robust_reps: u32,
    /// Also write the --robust table to this CSV file （另存稳健性结果为CSV）
    #[arg(long, value_name = "FILE", requires = "robust")]
    pub robust_out: Option<PathBuf>,
}

pub fn levers(args: &LeversArgs) -> Result<(), CliError> {
    if args.reps < 2 {
        return Err(CliError::Config(
            "--reps: at least 2 replications are needed for a confidence interval".into(),
        ));
    }
    let base = super::run::load_scenario(args.base.as_deref(), None, args.ticks, &args.set)?;
    super::memory::guard(&base)?;
    if args.robust && (args.robust_points < 2 || args.robust_reps < 2) {
        return Err(CliError::Config(
            "--robust-points and --robust-reps: at least 2 each".into(),
        ));
    }
    for out in [&args.out, &args.robust_out].into_iter().flatten() {
        place::check_file_target(out, args.force, false).map_err(output_error)?;
    }
    let effects = lever_effects(&base, args.reps, args.seed);
    if args.markdown {
        out!("{}", markdown_table(&base.name, args.reps, &effects))?;
    } else {
        print_table(&base, args.reps, &effects)?;
    }
    if let Some(dir) = &args.charts {
        let forest = crate::charts::LeverForest {
            base: base.name.clone(),
            reps: args.reps,
            outcomes: KEY_OUTCOMES.iter().map(|(c, _)| c.to_string()).collect(),
            levers: effects
                .iter()
                .map(|e| {
                    let ds = KEY_OUTCOMES.iter().map(|&(c, _)| *e.of(c)).collect();
                    (e.key.to_string(), ds)
                })
                .collect(),
        };
        super::plot::write_charts(
            dir,
            &forest,
            &crate::charts::Lang::ALL,
            crate::charts::Formats::BOTH,
            false,
        )
        .map_err(super::plot::chart_error)?;
    }
    if let Some(out) = &args.out {
        let cols = summary_columns();
        let rows = effects.iter().flat_map(|e| {
            cols.iter().zip(&e.differences).map(move |(c, d)| {
                let mut row = vec![e.key.to_string(), c.name.clone()];
                row.extend(paired_cells(d));
                row.push(e.is_free().to_string());
                row
            })
        });
        let mut header = vec!["lever", "metric"];
        header.extend(PAIRED_HEADER);
        header.push("free");
        write_table(out, args.force, &header, rows)?;
    }
    if args.robust {
        let held = robustness(
            &base,
            &effects,
            args.robust_points,
            args.robust_reps,
            args.seed,
        );
        print_robustness(args, &held)?;
        if let Some(out) = &args.robust_out {
            let rows = held.iter().flat_map(|r| {
                KEY_OUTCOMES.iter().enumerate().map(move |(o, (c, _))| {
                    vec![
                        r.key.to_string(),
                        c.to_string(),
                        r.sign[o].to_string(),
                        r.rank[o].to_string(),
                        format_value(r.sign_held[o]),
                        format_value(r.rank_held[o]),
                    ]
                })
            });
            let header = [
                "lever",
                "outcome",
                "sign_at_base",
                "rank_at_base",
                "sign_held_share",
                "rank_held_share",
            ];
            write_table(out, args.force, &header, rows)?;
        }
    }
    Ok(())
}

/// The plain-text table: a row per lever, the difference in each key outcome and in total
/// cost, starred where the 95% interval excludes 0, with the lever's meaning below.
fn print_table(base: &Scenario, reps: u32, effects: &[LeverEffect]) -> Result<(), CliError> {
    outln!(
        "Every lever against {} — {} paired replications (common random numbers), weeks {}–{}",
        base.name,
        reps,
        (base.params.observation.warmup_ticks + 1).min(base.ticks),
        base.ticks
    )?;
    outln!(
        "每项政策举措与基准情景“{}”配对比较（共同随机数，{}次重复）；差值后的 * 表示95%置信区间不含0；FREE/无代价 = 所有关键结果改善且总成本更低",
        base.name,
        reps
    )?;
    let mut head = format!("{:<44}", "lever 政策举措");
    for (c, _) in KEY_OUTCOMES {
        head += &format!(" {:>10}", short_outcome(c));
    }
    outln!("{head} {:>11}", "cost")?;
    for e in effects {
        let cell = |c: &str| {
            let d = e.of(c);
            let star = if d.ci_lo > 0.0 || d.ci_hi < 0.0 {
                "*"
            } else {
                " "
            };
            (d.difference, star)
        };
        let mut line = format!("{:<44}", e.key);
        for (c, _) in KEY_OUTCOMES {
            let (d, star) = cell(c);
            line += &format!(" {d:>+9.4}{star}");
        }
        let (d, star) = cell("cost_total");
        line += &format!(" {d:>+10.0}{star}");
        if e.is_free() {
            line += "  FREE/无代价";
        }
        outln!("{line}")?;
        if let Some(spec) = spec_of(e.key) {
            outln!("    {} / {}", spec.en, spec.zh)?;
        }
    }
    Ok(())
}

/// The ODD's lever table (docs/ODD.md §12, between `<!-- levers:begin -->` and
/// `<!-- levers:end -->`): each lever's mean difference from the base with its 95% interval
/// for every key outcome and total cost, and whether it is free.
pub fn markdown_table(base: &str, reps: u32, effects: &[LeverEffect]) -> String {
    let columns: Vec<&str> = KEY_OUTCOMES
        .iter()
        .map(|(c, _)| *c)
        .chain(["cost_total"])
        .collect();
    let mut t = format!(
        "Every lever against `{base}`, {reps} paired replications (common random numbers): mean difference [95% interval]; `cogov levers --reps {reps} --markdown` prints this table.\n\n| lever |"
    );
    for c in &columns {
        t += &format!(" `{c}` |");
    }
    t += " free |\n|---|";
    t += &"---|".repeat(columns.len() + 1);
    t += "\n";
    for e in effects {
        t += &format!("| `{}` |", e.key);
        for c in &columns {
            let d = e.of(c);
            let digits = if *c == "cost_total" || *c == "major_risks_total" {
                0
            } else {
                3
            };
            t += &format!(
                " {:+.digits$} [{:+.digits$}, {:+.digits$}] |",
                d.difference, d.ci_lo, d.ci_hi
            );
        }
        t += if e.is_free() { " yes |\n" } else { " |\n" };
    }
    t
}

/// How often each lever's sign and rank held over the hypercube, one line per lever.
fn print_robustness(args: &LeversArgs, held: &[Robustness]) -> Result<(), CliError> {
    outln!(
        "\nRobustness: {} Latin-hypercube points over the unanchored parameters at ±{:.0}%, {} paired replications a lever at each; per key outcome, the share of points where the lever's sign (+/−) and its rank (within {} places) are those at the base",
        args.robust_points,
        100.0 * ROBUST_SPREAD,
        args.robust_reps,
        RANK_TOLERANCE
    )?;
    outln!(
        "稳健性：在未锚定参数±{:.0}%范围内的{}个拉丁超立方抽样点上（每点每项举措{}次配对重复），各关键结果上与基准处符号相同、排序相差不超过{}位的抽样点比例",
        100.0 * ROBUST_SPREAD,
        args.robust_points,
        args.robust_reps,
        RANK_TOLERANCE
    )?;
    let mut head = format!("{:<44}", "lever 政策举措");
    for (c, _) in KEY_OUTCOMES {
        head += &format!(" {:>16}", short_outcome(c));
    }
    outln!("{head}")?;
    let mut sub = format!("{:<44}", "");
    for _ in KEY_OUTCOMES {
        sub += &format!(" {:>16}", "sign sign%/rank%");
    }
    outln!("{sub}")?;
    for r in held {
        let mut line = format!("{:<44}", r.key);
        for o in 0..KEY_OUTCOMES.len() {
            let s = match r.sign[o] {
                1 => '+',
                -1 => '−',
                _ => '0',
            };
            line += &format!(
                " {:>5} {:>4.0}%/{:>3.0}%",
                s,
                100.0 * r.sign_held[o],
                100.0 * r.rank_held[o]
            );
        }
        outln!("{line}")?;
    }
    Ok(())
}

/// A key outcome's name as a short column heading.
fn short_outcome(column: &str) -> &'static str {
    match column {
        "resolution_rate" => "resolved",
        "hotline_resolution_rate" => "hotline",
        "major_risks_total" => "risks",
        "resident_trust_final" => "res.trust",
        "org_trust_final" => "org.trust",
        "satisfaction_mean" => "satisf.",
        _ => "?",
    }
}
