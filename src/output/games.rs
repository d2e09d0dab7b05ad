//! Output records of a game run (`cogov run scenarios/validation/…`): the columns of its
//! `timeseries.csv` and `summary.csv` with units and bilingual meanings, and the rows derived
//! from a `games::play::Played`. Its manifest is the shared one (`GameScenario::manifest`).
//!
//! A game run writes the same three files as a city run, so the same tools read both; the
//! columns differ because the games count strategies, not issues.

use super::records::{def, Column, ColumnDef};
use crate::games::play::{Played, StepRecord};
use crate::games::GameKind;

/// Whether a game records a mean-field share beside the simulated one.
fn has_mean_field(kind: GameKind) -> bool {
    matches!(
        kind,
        GameKind::WellMixed | GameKind::LogitPgg | GameKind::WeakestLink | GameKind::ConditionalPgg
    )
}

/// Whether a game's members hold beliefs (the logit and conditional games).
fn has_beliefs(kind: GameKind) -> bool {
    matches!(
        kind,
        GameKind::LogitPgg | GameKind::WeakestLink | GameKind::ConditionalPgg
    )
}

/// The columns of a game's `timeseries.csv`, in order, each with its value from one step.
fn timeseries_defs(kind: GameKind) -> Vec<ColumnDef<StepRecord>> {
    let rounds = kind.plays_rounds();
    let mut c = vec![
        def(
            "step",
            kind.step_name(),
            "generation (Nowak–May), Monte Carlo step, or round (the games of the city's decision rule); 0 is the initial state of an imitation game",
            "代数（Nowak–May）、蒙特卡洛步或轮次（城市决策规则的博弈）；模仿博弈的 0 为初始状态",
            |r: &StepRecord| r.step as f64,
        ),
        def(
            "cooperators",
            "players",
            if rounds {
                "members who contributed (cooperated) in this round"
            } else {
                "cooperators after this step"
            },
            if rounds {
                "本轮贡献（合作）的成员人数"
            } else {
                "本步后的合作者人数"
            },
            |r: &StepRecord| r.cooperators as f64,
        ),
        def(
            "coop_fraction",
            "share",
            if rounds {
                "share of members contributing (cooperating) in this round"
            } else {
                "cooperator share ρ_C"
            },
            if rounds {
                "本轮贡献（合作）成员比例"
            } else {
                "合作者比例 ρ_C"
            },
            |r: &StepRecord| r.fraction,
        ),
    ];
    if has_mean_field(kind) {
        c.push(def(
            "mean_field_fraction",
            "share",
            if rounds {
                "mean-field contribution rate: every member holding the mean belief, through the kernel's response"
            } else {
                "cooperator share of the mean-field (replicator) equation, RK4"
            },
            if rounds {
                "平均场贡献率：全体成员持平均信念时核心函数给出的贡献概率"
            } else {
                "平均场（复制者）方程的合作者比例（RK4 积分）"
            },
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
    if has_beliefs(kind) {
        c.push(def(
            "mean_belief",
            "probability",
            "members' mean belief, when choosing, that a partner contributes",
            "成员选择时认为伙伴会贡献的平均信念",
            |r: &StepRecord| r.belief.unwrap_or(0.0),
        ));
    }
    match kind {
        GameKind::LogitPgg | GameKind::WeakestLink => c.push(def(
            "public_good",
            "share",
            "mean realised public good Q of a group (kernel::ces_aggregate of its inputs)",
            "各小组实现的公共物品 Q 的均值（kernel::ces_aggregate）",
            |r: &StepRecord| r.public_good.unwrap_or(0.0),
        )),
        GameKind::BushMosteller => {
            c.push(def(
                "mean_p_cooperate",
                "probability",
                "players' mean probability of cooperating when choosing",
                "参与者选择时的平均合作概率",
                |r: &StepRecord| r.p_cooperate.unwrap_or(0.0),
            ));
            c.push(def(
                "mutual_cooperation",
                "share",
                "share of pairs in which both cooperated",
                "双方都合作的配对比例",
                |r: &StepRecord| r.mutual.unwrap_or(0.0),
            ));
        }
        GameKind::ConditionalPgg => c.push(def(
            "cc_gap",
            "share",
            "conditional cooperators' contribution minus their belief (types population; 0 for organisations)",
            "有条件合作者的贡献减其信念（types 总体；organisations 为 0）",
            |r: &StepRecord| r.cc_gap.unwrap_or(0.0),
        )),
        _ => {}
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
            "sites of the lattice, players of the population or members",
            "格点数、参与者人数或成员人数",
            |p: &Played| p.players as f64,
        ),
        def(
            "steps",
            "steps",
            "generations, Monte Carlo steps or rounds run",
            "运行的代数、蒙特卡洛步数或轮数",
            |p: &Played| steps(p) as f64,
        ),
        def(
            "updates",
            "updates",
            "players × steps: site updates (Nowak–May), elementary steps or choices",
            "参与者数 × 步数：格点更新数、基本步数或选择次数",
            |p: &Played| p.players as f64 * steps(p) as f64,
        ),
        def(
            "final_coop_fraction",
            "share",
            "cooperator (contributing) share after the last step",
            "最后一步后的合作（贡献）者比例",
            |p: &Played| last_fraction(p),
        ),
        def(
            "mean_coop_fraction",
            "share",
            "mean cooperator (contributing) share over the second half of the steps",
            "后一半步数的平均合作（贡献）者比例",
            |p: &Played| second_half_mean(p),
        ),
        def(
            "min_coop_fraction",
            "share",
            "lowest share after step 0",
            "第 0 步之后的最低合作者比例",
            |p: &Played| {
                played_steps(p)
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
                played_steps(p)
                    .map(|r| r.fraction)
                    .fold(last_fraction(p), f64::max)
            },
        ),
    ];
    if !kind.plays_rounds() {
        c.push(def(
            "c_extinct_step",
            "step",
            "first step with no cooperator left, −1 if none",
            "合作者灭绝的第一步，未灭绝为 −1",
            |p: &Played| first_step(p, |c| c == 0),
        ));
        c.push(def(
            "d_extinct_step",
            "step",
            "first step with no defector left, −1 if none",
            "背叛者灭绝的第一步，未灭绝为 −1",
            |p: &Played| first_step(p, |c| c == p.players),
        ));
    }
    if has_mean_field(kind) {
        c.push(def(
            "max_abs_deviation",
            "share",
            "largest |simulated − mean-field share| over the run",
            "模拟与平均场比例之差的最大绝对值",
            |p: &Played| max_abs_deviation(p),
        ));
    }
    if has_beliefs(kind) {
        c.push(def(
            "first_belief",
            "probability",
            "mean belief held in the first round",
            "第一轮的平均信念",
            |p: &Played| played_steps(p).next().and_then(|r| r.belief).unwrap_or(0.0),
        ));
        c.push(def(
            "final_belief",
            "probability",
            "mean belief held in the last round",
            "最后一轮的平均信念",
            |p: &Played| p.series.last().and_then(|r| r.belief).unwrap_or(0.0),
        ));
    }
    match kind {
        GameKind::LogitPgg | GameKind::WeakestLink => c.push(def(
            "equilibrium",
            "probability",
            "symmetric logit equilibrium the start belief leads to: the stable fixed point of the kernel's response in its basin",
            "初始信念所在吸引域的对称 logit 均衡（核心响应函数的稳定不动点）",
            |p: &Played| p.equilibrium.unwrap_or(0.0),
        )),
        GameKind::BushMosteller => {
            c.push(def(
                "mean_mutual_cooperation",
                "share",
                "mean share of pairs both cooperating over the second half of the rounds",
                "后一半轮次中双方都合作的配对平均比例",
                |p: &Played| second_half_mean_of(p, |r| r.mutual.unwrap_or(0.0)),
            ));
            c.push(def(
                "final_p_cooperate",
                "probability",
                "players' mean probability of cooperating in the last round",
                "最后一轮参与者的平均合作概率",
                |p: &Played| p.series.last().and_then(|r| r.p_cooperate).unwrap_or(0.0),
            ));
            c.push(def(
                "locked_in_share",
                "share",
                "share of pairs with both players' probability of cooperating above 0.99 after the last round",
                "最后一轮后双方合作概率均高于 0.99 的配对比例",
                |p: &Played| p.locked_in.unwrap_or(0.0),
            ));
        }
        GameKind::ConditionalPgg => {
            c.push(def(
                "first_coop_fraction",
                "share",
                "share contributing in the first round",
                "第一轮贡献比例",
                |p: &Played| played_steps(p).next().map_or(0.0, |r| r.fraction),
            ));
            c.push(def(
                "first_cc_gap",
                "share",
                "conditional cooperators' contribution minus belief in the first round (types; 0 for organisations)",
                "第一轮有条件合作者的贡献减信念（types；organisations 为 0）",
                |p: &Played| played_steps(p).next().and_then(|r| r.cc_gap).unwrap_or(0.0),
            ));
        }
        _ => {}
    }
    c
}

/// The records after step 0 (every record of a game that plays rounds).
pub fn played_steps(p: &Played) -> impl Iterator<Item = &StepRecord> {
    p.series.iter().filter(|r| r.step >= 1)
}

/// Largest |simulated − mean-field share| over the run (0 without a mean field).
pub fn max_abs_deviation(p: &Played) -> f64 {
    p.series
        .iter()
        .filter_map(|r| r.mean_field.map(|m| (r.fraction - m).abs()))
        .fold(0.0, f64::max)
}

/// Mean share over steps `> steps/2` (the whole run when it has one step).
pub fn second_half_mean(played: &Played) -> f64 {
    second_half_mean_of(played, |r| r.fraction)
}

/// Mean of `value` over steps `> steps/2` (the whole run when it has one step).
pub fn second_half_mean_of(played: &Played, value: impl Fn(&StepRecord) -> f64) -> f64 {
    let steps = steps(played) as usize;
    let tail: Vec<f64> = played
        .series
        .iter()
        .filter(|r| r.step as usize > steps / 2 || steps == 0)
        .map(value)
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

/// Steps run: the last step's number (an imitation game's series holds step 0 too).
fn steps(p: &Played) -> u32 {
    p.series.last().map_or(0, |r| r.step)
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
