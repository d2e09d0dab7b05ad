//! `cogov plot DIR`: redraw the charts of a run directory from its files; and the chart step of
//! `cogov run`, which draws into the staging directory before it is committed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::charts::{self, ChartError, ChartFile, Formats, Lang, RunData};
use crate::output::AtomicDir;

/// Chart language on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartLang {
    En,
    Zh,
}

impl From<ChartLang> for Lang {
    fn from(l: ChartLang) -> Lang {
        match l {
            ChartLang::En => Lang::En,
            ChartLang::Zh => Lang::Zh,
        }
    }
}

/// Chart file format on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartFormat {
    Png,
    Svg,
    Both,
}

#[derive(clap::Args, Debug)]
pub struct PlotArgs {
    /// A run directory written by `cogov run` （`cogov run` 的输出目录）
    pub dir: PathBuf,
    /// Language of titles, axes and legends; both if omitted （图表语言，省略则中英文都画）
    #[arg(long, value_enum)]
    pub lang: Option<ChartLang>,
    /// File format （文件格式）
    #[arg(long, value_enum, default_value_t = ChartFormat::Both)]
    pub format: ChartFormat,
    /// Print nothing but errors （只输出错误）
    #[arg(long, short)]
    pub quiet: bool,
}

/// Chart errors: the user's mistakes exit 2, failures of the machine exit 1.
pub fn chart_error(e: ChartError) -> CliError {
    if e.is_usage() {
        CliError::Config(e.to_string())
    } else {
        CliError::Runtime(e.to_string())
    }
}

fn io_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::Runtime(format!("{}: {e}", path.display()))
}

fn warn_missing_glyphs(data: &RunData, langs: &[Lang]) {
    let missing = charts::missing_glyphs(data, langs);
    if !missing.is_empty() {
        let chars: String = missing.iter().collect();
        eprintln!(
            "warning: the chart font lacks {chars:?}; PNG charts leave these characters out (SVG and reports fall back to system fonts)"
        );
    }
}

/// Draws the run charts (both languages, PNG and SVG) into `charts/` of a run's staging
/// directory, after its CSV files and manifest are written, so the charts come from the files.
///
/// Unlike the CSV files and the manifest, chart files are not synced one by one: they are
/// derived data (`cogov plot` redraws them), and 28 fsyncs would multiply the time of a small
/// run. The directory still appears only when complete, with the rest of the run.
pub fn draw_into_staging(dir: &AtomicDir, quiet: bool) -> Result<(), CliError> {
    let data = RunData::read(dir.staging_path()).map_err(chart_error)?;
    let files = charts::draw_run_charts(&data, &Lang::ALL, Formats::BOTH).map_err(chart_error)?;
    if !quiet {
        warn_missing_glyphs(&data, &Lang::ALL);
    }
    for lang in Lang::ALL {
        let sub = dir.staging_path().join(charts::chart_dir(lang));
        fs::create_dir_all(&sub).map_err(|e| io_error(&sub, e))?;
    }
    for ChartFile { path, bytes } in files {
        let path = dir.staging_path().join(path);
        fs::write(&path, bytes).map_err(|e| io_error(&path, e))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a chart is never
/// half-written (not synced: charts are derived data).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let tmp = path.with_extension(format!(
        "{}.partial-{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    Ok(())
}

pub fn plot(args: &PlotArgs) -> Result<(), CliError> {
    let data = RunData::read(&args.dir).map_err(chart_error)?;
    let langs: Vec<Lang> = match args.lang {
        Some(l) => vec![l.into()],
        None => Lang::ALL.to_vec(),
    };
    let formats = match args.format {
        ChartFormat::Png => Formats {
            png: true,
            svg: false,
        },
        ChartFormat::Svg => Formats {
            png: false,
            svg: true,
        },
        ChartFormat::Both => Formats::BOTH,
    };
    let files = charts::draw_run_charts(&data, &langs, formats).map_err(chart_error)?;
    if !args.quiet {
        warn_missing_glyphs(&data, &langs);
    }
    for &lang in &langs {
        let sub = args.dir.join(charts::chart_dir(lang));
        fs::create_dir_all(&sub).map_err(|e| io_error(&sub, e))?;
    }
    for f in &files {
        write_atomically(&args.dir.join(&f.path), &f.bytes)?;
    }
    if !args.quiet {
        for &lang in &langs {
            println!(
                "{} charts 图表 ({}): {}",
                files
                    .iter()
                    .filter(|f| f.path.starts_with(&charts::chart_dir(lang)))
                    .count(),
                lang.code(),
                args.dir.join(charts::chart_dir(lang)).display()
            );
        }
    }
    Ok(())
}
