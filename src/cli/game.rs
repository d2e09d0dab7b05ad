//! The terminal summary of a canonical game's run; `run.rs` runs games through the same
//! pipeline as the city (`run::Model`).

use std::path::Path;

use super::CliError;
use crate::games::play::{Played, LOCKED_IN};
use crate::games::GameKind;
use crate::output::games::{
    max_abs_deviation, played_steps, second_half_mean, second_half_mean_of,
};
use crate::scenario::game::GameScenario;

pub fn print_summary(
    sc: &GameScenario,
    played: &Played,
    dir: &Path,
    seconds: f64,
) -> Result<(), CliError> {
    let title = if sc.title_en.is_empty() {
        sc.name.clone()
    } else {
        format!("{} / {}", sc.title_en, sc.title_zh)
    };
    outln!("{title}")?;
    let kind = played.kind;
    outln!(
        "  {} ({} {}), {} {}, seed {} — {:.2} s",
        kind.name(),
        played.players,
        if kind.plays_rounds() {
            "members"
        } else {
            "players"
        },
        sc.ticks,
        kind.steps_name(),
        sc.seed,
        seconds
    )?;
    if kind.plays_rounds() {
        return print_rounds(played, dir);
    }
    let last = played.series.last().map_or(0.0, |r| r.fraction);
    outln!("  final cooperator share    最终合作者比例  {last:.4}")?;
    outln!(
        "  mean over second half     后半程平均      {:.4}",
        second_half_mean(played)
    )?;
    if let Some(r) = played.series.iter().find(|r| r.cooperators == 0) {
        outln!("  cooperators died out at {} {}", kind.step_name(), r.step)?;
    }
    if let Some(r) = played
        .series
        .iter()
        .find(|r| r.cooperators == played.players)
    {
        outln!("  defectors died out at {} {}", kind.step_name(), r.step)?;
    }
    if let Some(m) = played.series.last().and_then(|r| r.mean_field) {
        outln!(
            "  mean-field share          平均场比例      {m:.4} (max |deviation| {:.4})",
            max_abs_deviation(played)
        )?;
    }
    outln!("  output 输出: {}", dir.display())
}

/// The summary of a game of the city's decision rule: contributions round by round are noisy
/// and never absorbed, so it reports the first and last rounds, the second half's mean and what
/// the game is compared with (the logit equilibrium, the mean field, lock-in, beliefs).
fn print_rounds(played: &Played, dir: &Path) -> Result<(), CliError> {
    let first = played_steps(played).next().copied().unwrap_or_default();
    let last = played.series.last().copied().unwrap_or_default();
    outln!(
        "  contributing, round 1 → {}   贡献比例（首轮 → 末轮）  {:.4} → {:.4}",
        last.step,
        first.fraction,
        last.fraction
    )?;
    outln!(
        "  mean over second half        后半程平均              {:.4}",
        second_half_mean(played)
    )?;
    if let Some(e) = played.equilibrium {
        outln!("  logit equilibrium            logit 均衡              {e:.4}")?;
    }
    if let Some(m) = last.mean_field {
        outln!(
            "  mean field, last round       末轮平均场              {m:.4} (max |deviation| {:.4})",
            max_abs_deviation(played)
        )?;
    }
    if let (Some(b1), Some(b)) = (first.belief, last.belief) {
        outln!("  mean belief, first → last    平均信念（首轮 → 末轮）  {b1:.4} → {b:.4}")?;
    }
    if let Some(gap) = first.cc_gap {
        outln!("  conditional cooperators' contribution − belief, round 1   有条件合作者首轮贡献 − 信念  {gap:+.4}")?;
    }
    if played.kind == GameKind::ConditionalPgg && first.fraction > 0.0 {
        outln!(
            "  last / first round           末轮 / 首轮             {:.4}",
            last.fraction / first.fraction
        )?;
    }
    if last.mutual.is_some() {
        outln!(
            "  mutual cooperation, second half   后半程双方合作比例  {:.4}",
            second_half_mean_of(played, |r| r.mutual.unwrap_or(0.0))
        )?;
    }
    if let Some(l) = played.locked_in {
        outln!("  pairs locked in (both P(C) > {LOCKED_IN})   锁定合作的配对比例  {l:.4}")?;
    }
    outln!("  output 输出: {}", dir.display())
}
