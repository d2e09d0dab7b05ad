//! Charts and reports, drawn with plotters from the records that go to CSV, in English or
//! Chinese.
//!
//! A run's charts are built from its directory (`run::RunData::read`), a sweep's from its
//! directory (`sweep_dir::SweepData::read`), never from model state, so every picture can be
//! redrawn from the files (`cogov plot`); `OutputDir::read` tells the two apart by their
//! manifest. Chart functions build plain `figure::Figure` values; `render` draws them to PNG
//! or SVG with one shared style (`style`: Okabe–Ito colours, projector-sized text), and `page`
//! puts them on paper (size, resolution, PDF); `font`
//! embeds a CJK font so Chinese renders on machines with no fonts installed; `report`
//! assembles one self-contained HTML file. `sweep` holds the many-run charts as functions of
//! plain numbers; `sweep_dir` decides which of them a design gets.
//!
//! Left out on purpose: interactivity and scripts (reports must open offline and print), and
//! any I/O beyond reading an output directory — the CLI decides where files go.

pub mod calibration;
pub mod figure;
mod files;
pub mod font;
pub mod labels;
pub mod names;
pub mod outline;
pub mod page;
pub mod paired;
pub mod render;
pub mod report;
pub mod run;
pub mod style;
pub mod sweep;
pub mod sweep_dir;
mod text;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use figure::Figure;
pub use labels::Lang;
pub use paired::{Comparison, LeverForest};
pub use render::RenderError;
pub use run::{run_figures, RunData, RUN_CHARTS};
pub use sweep_dir::{sweep_figures, SweepData, KEY_METRICS};

/// Failures of reading, building or drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The input is not what a chart needs: not a run directory, a malformed file, a missing
    /// column. The user's to fix (exit 2).
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    /// A sweep manifest whose experiment the experiment loader refused (the message names
    /// the file).
    #[error("{0}")]
    Experiment(String),
    /// Plain data handed to a chart function is unusable (lengths differ, NaN).
    #[error("chart data: {0}")]
    Data(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl ChartError {
    /// True for mistakes in what the user asked for (exit 2), false for failures (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ChartError::Input { .. } | ChartError::Experiment(_) | ChartError::Data(_)
        )
    }
}

/// Which files to draw, and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Formats {
    pub png: bool,
    pub svg: bool,
    /// PDF, its text always as glyph outlines (`page`).
    pub pdf: bool,
    /// SVG text as glyph outlines (`outline`) rather than text in an embedded web font.
    pub outlines: bool,
    /// Draw each chart's title and subtitle (off when they go into a paper's caption).
    pub titles: bool,
    /// Every chart at this size on paper; each at its own layout's size (160 × 90 mm for most)
    /// if none.
    pub size: Option<page::Size>,
    /// PNG resolution (`page::DEFAULT_DPI`: a pixel a layout unit).
    pub dpi: u32,
}

impl Formats {
    /// What `cogov run`, `sweep`, `merge`, `compare` and `levers` draw, and `cogov plot` by
    /// default: PNG and SVG (web-font text), titled, at the layout's size.
    pub const BOTH: Formats = Formats {
        png: true,
        svg: true,
        pdf: false,
        outlines: false,
        titles: true,
        size: None,
        dpi: page::DEFAULT_DPI,
    };
}

/// One drawn chart file: its path relative to the run directory and its bytes.
#[derive(Clone, Debug)]
pub struct ChartFile {
    /// e.g. `charts/zh/issue_flow.svg`
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The directory, relative to a run directory, that holds the charts in `lang`.
pub fn chart_dir(lang: Lang) -> String {
    format!("charts/{}", lang.code())
}

/// Something whose charts can be drawn: a run or a sweep read back from its directory.
pub trait Charted {
    /// Every chart, in `lang`, in a fixed order.
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError>;
}

impl Charted for RunData {
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        run_figures(self, lang)
    }
}

impl Charted for SweepData {
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        sweep_figures(self, lang)
    }
}

impl Charted for calibration::CalibrationData {
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        Ok(calibration::calibration_figures(self, lang))
    }
}

/// An output directory read back: a run (`cogov run`) or a sweep (`cogov sweep`, `cogov
/// merge`), told apart by the `kind` of its manifest.
#[derive(Clone, Debug)]
pub enum OutputDir {
    Run(RunData),
    Sweep(SweepData),
    Calibration(calibration::CalibrationData),
}

impl OutputDir {
    pub fn read(dir: &Path) -> Result<OutputDir, ChartError> {
        let manifest = files::Manifest::read(dir)?;
        if manifest.kind == "sweep" {
            SweepData::from_manifest(dir, manifest).map(OutputDir::Sweep)
        } else if manifest.kind == "calibration" {
            calibration::CalibrationData::from_manifest(dir, manifest).map(OutputDir::Calibration)
        } else {
            RunData::from_manifest(dir, manifest).map(OutputDir::Run)
        }
    }
}

impl Charted for OutputDir {
    fn figures(&self, lang: Lang) -> Result<Vec<Figure>, ChartError> {
        match self {
            OutputDir::Run(r) => r.figures(lang),
            OutputDir::Sweep(s) => s.figures(lang),
            OutputDir::Calibration(c) => Ok(calibration::calibration_figures(c, lang)),
        }
    }
}

/// Draws every chart of `data` in each of `langs` and `formats`, in parallel; the order of
/// the result is fixed (language, chart, format) whatever the thread count. A PNG larger than
/// `page::MAX_PIXELS` is refused before anything is drawn.
pub fn draw_charts(
    data: &impl Charted,
    langs: &[Lang],
    formats: Formats,
) -> Result<Vec<ChartFile>, ChartError> {
    let mut jobs = Vec::new();
    for &lang in langs {
        for mut fig in data.figures(lang)? {
            if !formats.titles {
                fig.title.clear();
                fig.subtitle.clear();
            }
            if let Some(size) = formats.size {
                (fig.width, fig.height) = size.canvas();
            }
            if formats.png {
                let (w, h) = page::pixels(fig.width, fig.height, formats.dpi);
                if u64::from(w) * u64::from(h) > page::MAX_PIXELS {
                    return Err(ChartError::Data(format!(
                        "chart {} would be {w}×{h} pixels at {} dpi, more than {} million: lower --dpi or --size",
                        fig.id,
                        formats.dpi,
                        page::MAX_PIXELS / 1_000_000
                    )));
                }
            }
            for (ext, wanted) in [
                ("png", formats.png),
                ("svg", formats.svg),
                ("pdf", formats.pdf),
            ] {
                if wanted {
                    jobs.push((lang, fig.clone(), ext));
                }
            }
        }
    }
    jobs.par_iter()
        .map(|(lang, fig, ext)| {
            let bytes = match *ext {
                "png" => render::png(fig, formats.dpi)?,
                "pdf" => page::pdf(fig)?,
                _ => {
                    let svg = if formats.outlines {
                        outline::outline_svg(&render::svg(fig)?)
                    } else {
                        render::svg_standalone(fig)?
                    };
                    match formats.size {
                        Some(size) => page::with_size_mm(&svg, size),
                        None => svg,
                    }
                    .into_bytes()
                }
            };
            Ok(ChartFile {
                path: format!("{}/{}.{ext}", chart_dir(*lang), fig.id),
                bytes,
            })
        })
        .collect()
}

/// Characters in the charts of `data` that the embedded font lacks (they are left out of
/// PNGs; browsers fall back for SVG). Scenario and experiment titles, intervention labels and
/// package names are free text, so this is worth a warning.
pub fn missing_glyphs(data: &impl Charted, langs: &[Lang]) -> Vec<char> {
    let mut text = String::new();
    for &lang in langs {
        if let Ok(figs) = data.figures(lang) {
            for f in figs {
                text.extend(f.texts());
            }
        }
    }
    font::missing(&text)
}
