//! Square lattices of two strategies and their text form.
//!
//! The text form is the one the Python peers write with `nm_numpy.py --init-out/--final-out`:
//! `L` lines of `L` characters `0` (defector) or `1` (cooperator), row `i` on line `i + 1`.
//! A lattice loaded from such a file lets a cogov run start exactly where a peer started and
//! be compared with the peer's final state site by site. Parsing is strict and says where a
//! file is wrong; reading the file from disk is the caller's business.

use rand::Rng;

use crate::model::rng::Stream;

/// Strategy byte of a cooperator; a defector is 0.
pub const COOPERATOR: u8 = 1;

/// An `side × side` torus of strategies in row-major order (site `i·side + j`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lattice {
    side: usize,
    cells: Vec<u8>,
}

/// Why a lattice file was refused; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LatticeError {
    #[error("the lattice file is empty")]
    Empty,
    #[error("line {line}: expected only 0 and 1, found {found:?}")]
    BadCharacter { line: usize, found: char },
    #[error("line {line}: expected {expected} sites (the first line's length), found {found}")]
    RaggedRow {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("expected a square lattice: {rows} lines of {side} sites")]
    NotSquare { rows: usize, side: usize },
    #[error("the lattice side must be at least {min}, got {side}")]
    TooSmall { side: usize, min: usize },
}

/// Smallest side the lattice games accept: below 3 a site's neighbourhood repeats sites.
pub const MIN_SIDE: usize = 3;

impl Lattice {
    /// A lattice from row-major cells (each 0 or 1).
    pub fn from_cells(side: usize, cells: Vec<u8>) -> Lattice {
        assert_eq!(cells.len(), side * side, "cells must be side²");
        debug_assert!(cells.iter().all(|&c| c <= 1));
        Lattice { side, cells }
    }

    /// Every site a cooperator.
    pub fn all_cooperators(side: usize) -> Lattice {
        Lattice::from_cells(side, vec![COOPERATOR; side * side])
    }

    /// Every site a defector.
    pub fn all_defectors(side: usize) -> Lattice {
        Lattice::from_cells(side, vec![0; side * side])
    }

    /// Each site a cooperator with probability `p0`, decided by one uniform draw per site in
    /// row-major order (the order the peers use with their own generator).
    pub fn random(side: usize, p0: f64, rng: &mut Stream) -> Lattice {
        let cells = (0..side * side)
            .map(|_| u8::from(rng.random::<f64>() < p0))
            .collect();
        Lattice::from_cells(side, cells)
    }

    /// Parses the peers' text form. Trailing whitespace on a line and a final newline are
    /// allowed; anything else that is not `0` or `1` is refused.
    pub fn parse(text: &str) -> Result<Lattice, LatticeError> {
        let mut side = None;
        let mut cells = Vec::new();
        let mut rows = 0;
        // Trailing blank lines end the lattice; found once, so that many blank lines cost
        // linear time, not quadratic.
        let last_row = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .last()
            .map(|(n, _)| n);
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_end();
            if line.is_empty() && !last_row.is_some_and(|last| n <= last) {
                break;
            }
            let mut count = 0;
            for ch in line.chars() {
                match ch {
                    '0' => cells.push(0),
                    '1' => cells.push(COOPERATOR),
                    other => {
                        return Err(LatticeError::BadCharacter {
                            line: n + 1,
                            found: other,
                        })
                    }
                }
                count += 1;
            }
            let expected = *side.get_or_insert(count);
            if count != expected {
                return Err(LatticeError::RaggedRow {
                    line: n + 1,
                    expected,
                    found: count,
                });
            }
            rows += 1;
        }
        let side = side.ok_or(LatticeError::Empty)?;
        if rows != side {
            return Err(LatticeError::NotSquare { rows, side });
        }
        if side < MIN_SIDE {
            return Err(LatticeError::TooSmall {
                side,
                min: MIN_SIDE,
            });
        }
        Ok(Lattice { side, cells })
    }

    /// The text form: `side` lines of `0`/`1`, each ending in a newline.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(self.side * (self.side + 1));
        for row in self.cells.chunks(self.side) {
            s.extend(row.iter().map(|&c| if c == COOPERATOR { '1' } else { '0' }));
            s.push('\n');
        }
        s
    }

    pub fn side(&self) -> usize {
        self.side
    }

    pub fn cells(&self) -> &[u8] {
        &self.cells
    }

    pub fn cells_mut(&mut self) -> &mut [u8] {
        &mut self.cells
    }

    pub fn into_cells(self) -> Vec<u8> {
        self.cells
    }

    /// Number of cooperators.
    pub fn cooperators(&self) -> usize {
        count_cooperators(&self.cells)
    }

    /// Sets site `(i, j)`.
    pub fn set(&mut self, i: usize, j: usize, strategy: u8) {
        self.cells[i * self.side + j] = strategy;
    }
}

/// Number of cooperator bytes in `cells`.
pub fn count_cooperators(cells: &[u8]) -> usize {
    // Summing in u32 blocks lets the compiler vectorise without overflowing a byte.
    cells
        .chunks(1 << 16)
        .map(|c| c.iter().map(|&x| x as u32).sum::<u32>() as usize)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{stream, Purpose};

    #[test]
    fn text_round_trips() {
        let mut rng = stream(5, 0, 0, Purpose::Setup);
        let l = Lattice::random(7, 0.5, &mut rng);
        assert_eq!(Lattice::parse(&l.to_text()).unwrap(), l);
        assert_eq!(l.to_text().lines().count(), 7);
    }

    #[test]
    fn bad_files_say_where() {
        assert_eq!(Lattice::parse(""), Err(LatticeError::Empty));
        assert_eq!(
            Lattice::parse("010\n0x0\n000\n"),
            Err(LatticeError::BadCharacter {
                line: 2,
                found: 'x'
            })
        );
        assert_eq!(
            Lattice::parse("010\n00\n000\n"),
            Err(LatticeError::RaggedRow {
                line: 2,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            Lattice::parse("010\n000\n"),
            Err(LatticeError::NotSquare { rows: 2, side: 3 })
        );
        assert!(matches!(
            Lattice::parse("01\n10\n"),
            Err(LatticeError::TooSmall { .. })
        ));
        assert!(Lattice::parse("010\r\n000\r\n111\r\n\n").is_ok());
    }
}
