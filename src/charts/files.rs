//! Reading an output directory back: its manifest and its CSV files, with errors that name the
//! file and say what was expected. Shared by the run and sweep readers, so both refuse bad
//! files the same way and neither ever panics on them.

use std::fs;
use std::path::{Path, PathBuf};

use super::ChartError;

pub(super) fn input(path: &Path, message: impl Into<String>) -> ChartError {
    ChartError::Input {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

pub(super) fn read_text(path: &Path) -> Result<String, ChartError> {
    fs::read_to_string(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => {
            input(path, "not found; is this a cogov run or sweep directory?")
        }
        // Cut in the middle of a character, or not text at all: the file's fault.
        std::io::ErrorKind::InvalidData => input(path, "not UTF-8 text; is the file damaged?"),
        _ => ChartError::Io {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// `manifest.json` of an output directory, read and parsed (`output::manifest::Manifest`, the
/// one reader).
pub(super) struct Manifest {
    pub path: PathBuf,
    pub text: String,
    pub manifest: crate::output::manifest::Manifest,
    /// `kind`: `run` for `cogov run`, `sweep` for `cogov sweep` and `cogov merge`.
    pub kind: String,
    pub cogov_version: String,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest, ChartError> {
        if !dir.is_dir() {
            return Err(input(
                dir,
                "not a directory; expected a cogov run or sweep directory",
            ));
        }
        let path = dir.join("manifest.json");
        let text = read_text(&path)?;
        let manifest = crate::output::manifest::Manifest::parse(&text, "")
            .map_err(|e| input(&path, e.message))?;
        let (kind, cogov_version) = (manifest.kind.clone(), manifest.cogov_version.clone());
        Ok(Manifest {
            path,
            text,
            manifest,
            kind,
            cogov_version,
        })
    }
}

impl Manifest {
    /// The refusal of a manifest that is neither a run's nor a sweep's.
    pub fn unknown_kind(&self) -> ChartError {
        input(
            &self.path,
            format!(
                "kind is {:?}; expected \"run\" (written by `cogov run`) or \"sweep\" (written by `cogov sweep` or `cogov merge`)",
                self.kind
            ),
        )
    }
}

/// A CSV file read into memory: its header and records as text, parsed to numbers on demand.
pub(super) struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub records: Vec<csv::StringRecord>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table, ChartError> {
        let text = read_text(path)?;
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .map_err(|e| input(path, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let records = r
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| input(path, e.to_string()))?;
        Ok(Table {
            path: path.to_path_buf(),
            header,
            records,
        })
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Result<usize, ChartError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            input(
                &self.path,
                format!("no column `{name}` (written by another cogov version?)"),
            )
        })
    }

    /// The text in row `row` (0-based, after the header), column `col`.
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.records[row].get(col).unwrap_or("")
    }

    /// The finite number in row `row`, column `col`.
    pub fn number(&self, row: usize, col: usize) -> Result<f64, ChartError> {
        let v = self.text(row, col);
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                input(
                    &self.path,
                    format!(
                        "line {}: column {}: expected a number, got {v:?}",
                        row + 2,
                        self.header.get(col).map_or("?", String::as_str)
                    ),
                )
            })
    }
}

/// Reads a CSV of numbers into (header, rows); an empty cell is NaN (a gap).
pub(super) fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>), ChartError> {
    let table = Table::read(path)?;
    let rows = (0..table.records.len())
        .map(|i| {
            (0..table.records[i].len())
                .map(|j| match table.text(i, j) {
                    // A gap: a quantity not defined that week (a sweep run's hotline rate
                    // whose return visit falls after the run).
                    "" => Ok(f64::NAN),
                    _ => table.number(i, j),
                })
                .collect::<Result<Vec<f64>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((table.header, rows))
}
