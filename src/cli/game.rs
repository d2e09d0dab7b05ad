//! The terminal summary of a canonical game's run; `run.rs` runs games through the same
//! pipeline as the city (`run::Model`).

use std::path::Path;

use super::CliError;
use crate::games::play::Played;
use crate::games::GameKind;
use crate::output::games::second_half_mean;
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
    let steps = match kind {
        GameKind::NowakMay => "generations",
        _ => "MCS",
    };
    outln!(
        "  {} ({} players), {} {steps}, seed {} — {:.2} s",
        kind.name(),
        played.players,
        sc.ticks,
        sc.seed,
        seconds
    )?;
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
        let worst = played
            .series
            .iter()
            .filter_map(|r| r.mean_field.map(|x| (r.fraction - x).abs()))
            .fold(0.0, f64::max);
        outln!("  mean-field share          平均场比例      {m:.4} (max |deviation| {worst:.4})")?;
    }
    outln!("  output 输出: {}", dir.display())
}
