//! `cogov report DIR`: one self-contained HTML report of a run or sweep directory.

use std::path::PathBuf;

use super::plot::{chart_error, ChartLang};
use super::run::output_error;
use super::CliError;
use crate::charts::{report, Lang, OutputDir};
use crate::output::place;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A run directory (`cogov run`) or sweep directory (`cogov sweep`, `cogov merge`)
    /// （运行或批量实验的输出目录）
    pub dir: PathBuf,
    /// Output file (default: DIR/report_<lang>.html) （输出文件，默认 DIR/report_<语言>.html）
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Language of the report （报告语言）
    #[arg(long, value_enum, default_value_t = ChartLang::En)]
    pub lang: ChartLang,
    /// Replace the output file if it exists （覆盖已存在的输出文件）
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors （只输出错误）
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn report(args: &ReportArgs) -> Result<(), CliError> {
    let lang: Lang = args.lang.into();
    // The default file is the directory's own report, redrawn freely like its charts; a file
    // the user names is theirs, and replaced only with --force.
    let own = args.out.is_none();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dir.join(format!("report_{}.html", lang.code())));
    place::check_file_target(&out, args.force, own).map_err(output_error)?;
    let data = OutputDir::read(&args.dir).map_err(chart_error)?;
    let html = report::html_of(&data, lang).map_err(chart_error)?;
    place::write_file_atomically(&out, html.as_bytes(), args.force, own).map_err(output_error)?;
    if !args.quiet {
        outln!(
            "report 报告: {} ({} KB)",
            out.display(),
            html.len().div_ceil(1024)
        )?;
    }
    Ok(())
}
