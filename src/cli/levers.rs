//! `cogov levers`: prints and writes `experiment::levers::lever_effects` — every lever of
//! MODEL §6 against a base scenario on common random numbers (MODEL §11.7), with each lever's
//! meaning, channel and cost from the parameter table. A lever that improves every key outcome
//! at lower total cost is marked FREE (MODEL §11.3: a genuine saving the ODD explains, or a
//! defect). `--out` writes every metric of every lever as CSV.

use std::path::PathBuf;

use super::experiment::{paired_cells, write_table, PAIRED_HEADER};
use super::run::output_error;
use super::CliError;
use crate::experiment::levers::{lever_effects, KEY_OUTCOMES};
use crate::model::params::spec_of;
use crate::output::place;
use crate::output::records::summary_columns;

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
    /// Replace the --out file if it exists （覆盖已存在的输出文件）
    #[arg(long)]
    pub force: bool,
}

pub fn levers(args: &LeversArgs) -> Result<(), CliError> {
    if args.reps < 2 {
        return Err(CliError::Config(
            "--reps: at least 2 replications are needed for a confidence interval".into(),
        ));
    }
    let base = super::run::load_scenario(args.base.as_deref(), None, args.ticks, &args.set)?;
    super::memory::guard(&base)?;
    if let Some(out) = &args.out {
        place::check_file_target(out, args.force, false).map_err(output_error)?;
    }
    let effects = lever_effects(&base, args.reps, args.seed);
    outln!(
        "Every lever against {} — {} paired replications (common random numbers), weeks {}–{}",
        base.name,
        args.reps,
        (base.params.observation.warmup_ticks + 1).min(base.ticks),
        base.ticks
    )?;
    outln!(
        "每项政策举措与基准情景“{}”配对比较（共同随机数，{}次重复）；差值后的 * 表示95%置信区间不含0；FREE/无代价 = 所有关键结果改善且总成本更低",
        base.name,
        args.reps
    )?;
    outln!(
        "{:<44} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>11}",
        "lever 政策举措",
        "resolved",
        "hotline",
        "risks",
        "res.trust",
        "org.trust",
        "satisf.",
        "cost"
    )?;
    for e in &effects {
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
    Ok(())
}
