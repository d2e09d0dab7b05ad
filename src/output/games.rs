//! Output records of a game run (`cogov run scenarios/validation/…`): the columns of its
//! `timeseries.csv` and `summary.csv` with units and bilingual meanings, and the rows derived
//! from a `games::play::Played`. Its manifest is the shared one (`GameScenario::manifest`).
//!
//! A game run writes the same three files as a city run, so the same tools read both; the
//! columns differ because the games count strategies, not issues.

use super::records::{def, Column, ColumnDef};
use crate::games::play::{Played, StepRecord};
use crate::games::GameKind;

/// The columns of a game's `timeseries.csv`, in order, each with its value from one step.
fn timeseries_defs(kind: GameKind) -> Vec<ColumnDef<StepRecord>> {
    let mut c = vec![
        def(
            "step",
            if kind == GameKind::NowakMay {
                "generation"
            } else {
                "MCS"
            },
            "generation (Nowak–May) or Monte Carlo step; 0 is the initial state",
            "代数（Nowak–May）或蒙特卡洛步；0 为初始状态",
            |r: &StepRecord| r.step as f64,
        ),
        def(
            "cooperators",
            "players",
            "cooperators after this step",
            "本步后的合作者人数",
            |r: &StepRecord| r.cooperators as f64,
        ),
        def(
            "coop_fraction",
            "share",
            "cooperator share ρ_C",
            "合作者比例 ρ_C",
            |r: &StepRecord| r.fraction,
        ),
    ];
    if kind == GameKind::WellMixed {
        c.push(def(
            "mean_field_fraction",
            "share",
            "cooperator share of the mean-field (replicator) equation, RK4",
            "平均场（复制者）方程的合作者比例（RK4 积分）",
            |r: &StepRecord| r.mean_field.unwrap_or(0.0),
        ));
        c.push(def(
            "deviation",
            "share",
            "simulated minus mean-field share",
            "模拟比例减平均场比例",
            |r: &StepRecord| r.fraction - r.mean_field.unwrap_or(0.0),
        ));
    }
    c
}

/// Columns of a game's `timeseries.csv`, in order.
pub fn timeseries_columns(kind: GameKind) -> Vec<Column> {
    timeseries_defs(kind)
        .into_iter()
        .map(|d| d.column)
        .collect()
}

/// One `timeseries.csv` row per step.
pub fn timeseries_rows(played: &Played) -> impl Iterator<Item = Vec<f64>> + '_ {
    let defs = timeseries_defs(played.kind);
    played
        .series
        .iter()
        .map(move |r| defs.iter().map(|d| (d.value)(r)).collect())
}

/// The columns of a game's `summary.csv`, in order, each with its value from the run.
fn summary_defs(kind: GameKind) -> Vec<ColumnDef<Played>> {
    let mut c = vec![
        def(
            "players",
            "players",
            "sites of the lattice or players of the population",
            "格点数或参与者人数",
            |p: &Played| p.players as f64,
        ),
        def(
            "steps",
            "steps",
            "generations or Monte Carlo steps run",
            "运行的代数或蒙特卡洛步数",
            |p: &Played| steps(p) as f64,
        ),
        def(
            "updates",
            "updates",
            "players × steps: site updates (Nowak–May) or elementary steps",
            "参与者数 × 步数：格点更新数或基本步数",
            |p: &Played| p.players as f64 * steps(p) as f64,
        ),
        def(
            "final_coop_fraction",
            "share",
            "cooperator share after the last step",
            "最后一步后的合作者比例",
            |p: &Played| last_fraction(p),
        ),
        def(
            "mean_coop_fraction",
            "share",
            "mean cooperator share over the second half of the steps",
            "后一半步数的平均合作者比例",
            |p: &Played| second_half_mean(p),
        ),
        def(
            "min_coop_fraction",
            "share",
            "lowest share after step 0",
            "第 0 步之后的最低合作者比例",
            |p: &Played| {
                p.series
                    .iter()
                    .skip(1)
                    .map(|r| r.fraction)
                    .fold(last_fraction(p), f64::min)
            },
        ),
        def(
            "max_coop_fraction",
            "share",
            "highest share after step 0",
            "第 0 步之后的最高合作者比例",
            |p: &Played| {
                p.series
                    .iter()
                    .skip(1)
                    .map(|r| r.fraction)
                    .fold(last_fraction(p), f64::max)
            },
        ),
        def(
            "c_extinct_step",
            "step",
            "first step with no cooperator left, −1 if none",
            "合作者灭绝的第一步，未灭绝为 −1",
            |p: &Played| first_step(p, |c| c == 0),
        ),
        def(
            "d_extinct_step",
            "step",
            "first step with no defector left, −1 if none",
            "背叛者灭绝的第一步，未灭绝为 −1",
            |p: &Played| first_step(p, |c| c == p.players),
        ),
    ];
    if kind == GameKind::WellMixed {
        c.push(def(
            "max_abs_deviation",
            "share",
            "largest |simulated − mean-field share| over the run",
            "模拟与平均场比例之差的最大绝对值",
            |p: &Played| {
                p.series
                    .iter()
                    .filter_map(|r| r.mean_field.map(|m| (r.fraction - m).abs()))
                    .fold(0.0, f64::max)
            },
        ));
    }
    c
}

/// Mean share over steps `> steps/2` (the whole run when it has one step).
pub fn second_half_mean(played: &Played) -> f64 {
    let steps = played.series.len().saturating_sub(1);
    let tail: Vec<f64> = played
        .series
        .iter()
        .filter(|r| r.step as usize > steps / 2 || steps == 0)
        .map(|r| r.fraction)
        .collect();
    tail.iter().sum::<f64>() / tail.len().max(1) as f64
}

/// Columns of a game's `summary.csv`, in order.
pub fn summary_columns(kind: GameKind) -> Vec<Column> {
    summary_defs(kind).into_iter().map(|d| d.column).collect()
}

/// The one `summary.csv` row.
pub fn summary_row(played: &Played) -> Vec<f64> {
    summary_defs(played.kind)
        .iter()
        .map(|d| (d.value)(played))
        .collect()
}

/// Steps run (the series holds step 0 too).
fn steps(p: &Played) -> usize {
    p.series.len().saturating_sub(1)
}

/// The cooperator share after the last step.
fn last_fraction(p: &Played) -> f64 {
    p.series.last().map_or(0.0, |r| r.fraction)
}

/// The first step whose cooperator count satisfies `pred`, −1 if none.
fn first_step(p: &Played, pred: impl Fn(u64) -> bool) -> f64 {
    p.series
        .iter()
        .find(|r| pred(r.cooperators))
        .map_or(-1.0, |r| r.step as f64)
}

/// File names of the lattices a lattice game writes.
pub const INITIAL_LATTICE_FILE: &str = "initial_lattice.txt";
pub const FINAL_LATTICE_FILE: &str = "final_lattice.txt";
