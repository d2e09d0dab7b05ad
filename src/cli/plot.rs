//! `cogov plot DIR`: redraw the charts of a run or sweep directory from its files; the chart
//! step of `cogov run`, which draws into the staging directory before it is committed; and
//! the chart step of `cogov sweep` and `cogov merge`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::charts::{
    self, ChartError, ChartFile, Charted, Formats, Lang, OutputDir, RunData, SweepData,
};
use crate::experiment::Experiment;
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
    /// PNG and SVG
    Both,
    /// Text as glyph outlines, whatever --svg-text says
    Pdf,
}

#[derive(clap::Args, Debug)]
pub struct PlotArgs {
    /// A run directory (`cogov run`) or sweep directory (`cogov sweep`, `cogov merge`)
    /// （运行或批量实验的输出目录）
    pub dir: PathBuf,
    /// Language of titles, axes and legends; both if omitted （图表语言，省略则中英文都画）
    #[arg(long, value_enum)]
    pub lang: Option<ChartLang>,
    /// File formats, comma-separated (e.g. `png,pdf`); default PNG and SVG
    /// （文件格式，可用逗号分隔多个；默认PNG与SVG）
    #[arg(long, value_enum, value_delimiter = ',', default_value = "both")]
    pub format: Vec<ChartFormat>,
    /// Print nothing but errors （只输出错误）
    #[arg(long, short)]
    pub quiet: bool,
    /// How SVG files hold their text: real text in an embedded web font (the default;
    /// searchable, renders in browsers), or glyph outlines (renders in any SVG program, e.g.
    /// rsvg-convert, Inkscape, a journal's system). PDF text is always outlines
    /// （SVG文字形式：默认内嵌网页字体，或转为轮廓路径；PDF文字总是轮廓）
    #[arg(long, value_enum, default_value_t = SvgText::Webfont)]
    pub svg_text: SvgText,
    /// Leave out titles and subtitles (for a paper whose captions carry them) （不绘制标题与副标题）
    #[arg(long)]
    pub no_title: bool,
    /// Every chart at this size on paper, WIDTHxHEIGHT in mm, cm or in (e.g. 160x100mm,
    /// 6.3x4in); type keeps its size (6-10 pt). Default: each chart's own, 160x90 mm for most
    /// （图表成品尺寸，如160x100mm；字号不变；默认多为160x90mm）
    #[arg(long, value_name = "WxH")]
    pub size: Option<charts::page::Size>,
    /// PNG resolution in dots per inch; the default, 254, is 1600 pixels across 160 mm
    /// （PNG分辨率，默认254 dpi）
    #[arg(long, default_value_t = charts::page::DEFAULT_DPI,
          value_parser = clap::value_parser!(u32).range(
              i64::from(*charts::page::DPI_RANGE.start())..=i64::from(*charts::page::DPI_RANGE.end())))]
    pub dpi: u32,
}

/// How SVG files hold their text on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvgText {
    Webfont,
    Outlines,
}

/// Chart errors: the user's mistakes exit 2, failures of the machine exit 1.
pub fn chart_error(e: ChartError) -> CliError {
    if e.is_usage() {
        CliError::Config(e.to_string())
    } else {
        CliError::Runtime(e.to_string())
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ChartError {
    ChartError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn warn_missing_glyphs(data: &impl Charted, langs: &[Lang]) {
    let missing = charts::missing_glyphs(data, langs);
    if !missing.is_empty() {
        let chars: String = missing.iter().collect();
        eprintln!(
            "warning: the chart font lacks {chars:?}; PNG and PDF charts and outlined SVGs leave these characters out (other SVGs and reports fall back to system fonts)"
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
    write_charts(dir.staging_path(), &data, &Lang::ALL, Formats::BOTH, quiet)
        .map_err(chart_error)?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a chart is never
/// half-written (not synced: charts are derived data).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
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

/// Draws the charts of `data` into `dir/charts/<lang>/`, each file written atomically, and
/// returns what was written.
pub fn write_charts(
    dir: &Path,
    data: &impl Charted,
    langs: &[Lang],
    formats: Formats,
    quiet: bool,
) -> Result<Vec<ChartFile>, ChartError> {
    let files = charts::draw_charts(data, langs, formats)?;
    if !quiet {
        warn_missing_glyphs(data, langs);
    }
    for &lang in langs {
        let sub = dir.join(charts::chart_dir(lang));
        fs::create_dir_all(&sub).map_err(|e| io_error(&sub, e))?;
    }
    for f in &files {
        write_atomically(&dir.join(&f.path), &f.bytes)?;
    }
    Ok(files)
}

/// The chart step of `cogov sweep` and `cogov merge`: the charts of `exp` (both languages, PNG
/// and SVG) from the statistics just written to `dir`.
pub fn draw_sweep_charts(dir: &Path, exp: &Experiment, quiet: bool) -> Result<(), ChartError> {
    let data = SweepData::load(
        dir,
        exp.clone(),
        String::new(),
        env!("CARGO_PKG_VERSION").to_string(),
    )?;
    write_charts(dir, &data, &Lang::ALL, Formats::BOTH, quiet).map(|_| ())
}

pub fn plot(args: &PlotArgs) -> Result<(), CliError> {
    let data = OutputDir::read(&args.dir).map_err(chart_error)?;
    let langs: Vec<Lang> = match args.lang {
        Some(l) => vec![l.into()],
        None => Lang::ALL.to_vec(),
    };
    let asked = |f: ChartFormat| {
        args.format
            .iter()
            .any(|&a| a == f || a == ChartFormat::Both)
    };
    let formats = Formats {
        png: asked(ChartFormat::Png),
        svg: asked(ChartFormat::Svg),
        pdf: args.format.contains(&ChartFormat::Pdf),
        outlines: args.svg_text == SvgText::Outlines,
        titles: !args.no_title,
        size: args.size,
        dpi: args.dpi,
    };
    if !args.quiet && !formats.png && args.dpi != charts::page::DEFAULT_DPI {
        eprintln!("warning: --dpi sets the resolution of PNG files, and none is drawn (--format)");
    }
    let files = write_charts(&args.dir, &data, &langs, formats, args.quiet).map_err(chart_error)?;
    if let (Some(size), false) = (args.size, args.quiet) {
        let figures = charts::Charted::figures(&data, langs[0]).map_err(chart_error)?;
        let cramped: Vec<&str> = figures
            .iter()
            .filter(|f| charts::page::cramped(f, size))
            .map(|f| f.id.as_str())
            .collect();
        if !cramped.is_empty() {
            let (w, h) = charts::page::MIN_PANEL_MM;
            eprintln!(
                "warning: at {size} the panels of {} are smaller than {w}×{h} mm and may not hold their labels (type keeps its size); a larger --size fits them",
                cramped.join(", ")
            );
        }
    }
    if !args.quiet {
        for &lang in &langs {
            outln!(
                "{} charts 图表 ({}): {}",
                files
                    .iter()
                    .filter(|f| f.path.starts_with(&charts::chart_dir(lang)))
                    .count(),
                lang.code(),
                args.dir.join(charts::chart_dir(lang)).display()
            )?;
        }
    }
    Ok(())
}
