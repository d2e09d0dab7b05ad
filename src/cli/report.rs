//! `cogov report DIR`: one self-contained HTML report of a run or sweep directory.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use super::plot::{chart_error, ChartLang};
use super::CliError;
use crate::charts::{report, Lang, OutputDir};

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
    /// Print nothing but errors （只输出错误）
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn report(args: &ReportArgs) -> Result<(), CliError> {
    let lang: Lang = args.lang.into();
    let data = OutputDir::read(&args.dir).map_err(chart_error)?;
    let html = report::html_of(&data, lang).map_err(chart_error)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dir.join(format!("report_{}.html", lang.code())));
    if out.is_dir() {
        return Err(CliError::Config(format!(
            "{}: is a directory; give a file name such as report.html",
            out.display()
        )));
    }
    // Written beside the target and renamed, so a report is never half-written.
    let tmp = out.with_file_name(format!(
        ".{}.partial-{}",
        out.file_name()
            .map_or("report".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(html.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, &out));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(CliError::Runtime(format!("{}: {e}", out.display())));
    }
    if !args.quiet {
        println!(
            "report 报告: {} ({} KB)",
            out.display(),
            html.len().div_ceil(1024)
        );
    }
    Ok(())
}
