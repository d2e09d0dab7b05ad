//! Output records of a game run (`cogov run scenarios/validation/…`): the columns of its
//! `timeseries.csv` and `summary.csv` with units and bilingual meanings, and the rows derived
//! from a `games::play::Played`. Its manifest is the shared one (`GameScenario::manifest`).
//!
//! A game run writes the same three files as a city run, so the same tools read both; the
//! columns differ because the games count strategies, not issues.

use super::records::Column;
use crate::games::play::Played;
use crate::games::GameKind;

fn col(name: &str, unit: &'static str, en: &str, zh: &str) -> Column {
    Column {
        name: name.to_string(),
        unit,
        en: en.to_string(),
        zh: zh.to_string(),
    }
}

/// Columns of a game's `timeseries.csv`, in order.
pub fn timeseries_columns(kind: GameKind) -> Vec<Column> {
    let mut c = vec![
        col(
            "step",
            if kind == GameKind::NowakMay {
                "generation"
            } else {
                "MCS"
            },
            "generation (Nowak–May) or Monte Carlo step; 0 is the initial state",
            "代数（Nowak–May）或蒙特卡洛步；0 为初始状态",
        ),
        col(
            "cooperators",
            "players",
            "cooperators after this step",
            "本步后的合作者人数",
        ),
        col(
            "coop_fraction",
            "share",
            "cooperator share ρ_C",
            "合作者比例 ρ_C",
        ),
    ];
    if kind == GameKind::WellMixed {
        c.push(col(
            "mean_field_fraction",
            "share",
            "cooperator share of the mean-field (replicator) equation, RK4",
            "平均场（复制者）方程的合作者比例（RK4 积分）",
        ));
        c.push(col(
            "deviation",
            "share",
            "simulated minus mean-field share",
            "模拟比例减平均场比例",
        ));
    }
    c
}

/// One `timeseries.csv` row per step.
pub fn timeseries_rows(played: &Played) -> impl Iterator<Item = Vec<f64>> + '_ {
    played.series.iter().map(|r| {
        let mut row = vec![r.step as f64, r.cooperators as f64, r.fraction];
        if let Some(m) = r.mean_field {
            row.push(m);
            row.push(r.fraction - m);
        }
        row
    })
}

/// Columns of a game's `summary.csv`, in order.
pub fn summary_columns(kind: GameKind) -> Vec<Column> {
    let mut c = vec![
        col(
            "players",
            "players",
            "sites of the lattice or players of the population",
            "格点数或参与者人数",
        ),
        col(
            "steps",
            "steps",
            "generations or Monte Carlo steps run",
            "运行的代数或蒙特卡洛步数",
        ),
        col(
            "updates",
            "updates",
            "players × steps: site updates (Nowak–May) or elementary steps",
            "参与者数 × 步数：格点更新数或基本步数",
        ),
        col(
            "final_coop_fraction",
            "share",
            "cooperator share after the last step",
            "最后一步后的合作者比例",
        ),
        col(
            "mean_coop_fraction",
            "share",
            "mean cooperator share over the second half of the steps",
            "后一半步数的平均合作者比例",
        ),
        col(
            "min_coop_fraction",
            "share",
            "lowest share after step 0",
            "第 0 步之后的最低合作者比例",
        ),
        col(
            "max_coop_fraction",
            "share",
            "highest share after step 0",
            "第 0 步之后的最高合作者比例",
        ),
        col(
            "c_extinct_step",
            "step",
            "first step with no cooperator left, −1 if none",
            "合作者灭绝的第一步，未灭绝为 −1",
        ),
        col(
            "d_extinct_step",
            "step",
            "first step with no defector left, −1 if none",
            "背叛者灭绝的第一步，未灭绝为 −1",
        ),
    ];
    if kind == GameKind::WellMixed {
        c.push(col(
            "max_abs_deviation",
            "share",
            "largest |simulated − mean-field share| over the run",
            "模拟与平均场比例之差的最大绝对值",
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

/// The one `summary.csv` row.
pub fn summary_row(played: &Played) -> Vec<f64> {
    let steps = played.series.len().saturating_sub(1);
    let after: Vec<f64> = played.series.iter().skip(1).map(|r| r.fraction).collect();
    let first = |pred: &dyn Fn(u64) -> bool| {
        played
            .series
            .iter()
            .find(|r| pred(r.cooperators))
            .map_or(-1.0, |r| r.step as f64)
    };
    let last = played.series.last().map_or(0.0, |r| r.fraction);
    let mut row = vec![
        played.players as f64,
        steps as f64,
        played.players as f64 * steps as f64,
        last,
        second_half_mean(played),
        after.iter().cloned().fold(last, f64::min),
        after.iter().cloned().fold(last, f64::max),
        first(&|c| c == 0),
        first(&|c| c == played.players),
    ];
    if played.kind == GameKind::WellMixed {
        row.push(
            played
                .series
                .iter()
                .filter_map(|r| r.mean_field.map(|m| (r.fraction - m).abs()))
                .fold(0.0, f64::max),
        );
    }
    row
}

/// File names of the lattices a lattice game writes.
pub const INITIAL_LATTICE_FILE: &str = "initial_lattice.txt";
pub const FINAL_LATTICE_FILE: &str = "final_lattice.txt";
