//! Reinforcement learning in the repeated prisoner's dilemma: Macy & Flache's Bush–Mosteller
//! rule as a reference, and the city's habit-inside-logit rule next to it (issue 13, game 3).
//!
//! Two players meet every round. **Macy & Flache (2002)** update the probability of the action
//! taken directly: with stimulus `s = (π − A)/sup_o |π_o − A|` (π the payoff, A the aspiration,
//! the supremum over the four outcomes), `p_a ← p_a + l·s·(1 − p_a)` when `s ≥ 0` and
//! `p_a ← p_a + l·s·p_a` when `s < 0`. Probabilities of exactly 0 and 1 are reached only in the
//! limit, and the outcomes that satisfy both players are self-reinforcing equilibria (SREs)
//! that runs lock into (Izquierdo, Izquierdo & Gotts 2008).
//!
//! **The city** (MODEL §4.2, §5) keeps a habit per action inside a logit: `P(a) ∝ exp(U(a)/β +
//! ρ(a))`, and `kernel::bush_mosteller` moves the habit of the action taken by
//! `habit_rate · (π − A)` (no normalisation), clipped to ±2. Here the utilities are 0, so only
//! the habits decide, as in the reference. The clip caps a player's probability of either
//! action at `e²/(e² + e⁻²) ≈ 0.982`, so the city's rule has no absorbing state: it can come
//! near mutual cooperation and stay there most of the time, never lock in.
//!
//! Like the city (revision 2, `model::tick::close_orgs`), the city's rule first forgets: every
//! habit loses the share `forgetting` of its strength each round (`kernel::forget_habits`,
//! Erev & Roth 1998), then learns. Forgetting bounds a habit at about
//! `habit_rate · |π − A| / forgetting`, so the clip no longer binds at the city's defaults.
//!
//! As a scenario (`cogov run scenarios/validation/bush_mosteller_*.toml`) the game is
//! `bush_mosteller` ([`KEYS`]): many independent [`Pair`]s, pair `i` drawing from its own
//! stream, so pair 0 of seed `s` is exactly the pair `validate::city_rule` plays with seed `s`.
//!
//! Both rules may habituate: `A ← A + h(π − A)` (the reference's, and the city's
//! `aspiration_rate`). Only the city's step goes through the kernel; the reference is written
//! out here on purpose, since it is what the kernel is compared with.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::logit_game::{fixed_points, FixedPoint};
use super::{
    city, unit_interval, GameKey, GameSpec, KernelFns, KeyKind, KeyValue, Refusal, Values,
    BUSH_MOSTELLER_UNIT,
};
use crate::model::rng::{stream, Purpose};

const fn payoff_key(
    key: &'static str,
    default: f64,
    en: &'static str,
    zh: &'static str,
) -> GameKey {
    GameKey {
        key,
        kind: KeyKind::Float {
            lo: -100.0,
            hi: 100.0,
            default,
        },
        en,
        zh,
    }
}

/// The `[game]` table of `bush_mosteller` (game 3), in manifest order.
pub const KEYS: &[GameKey] = &[
    GameKey {
        key: "rule",
        kind: KeyKind::Choice {
            options: &["city", "macy_flache"],
            default: "city",
        },
        en: "learning rule: city (habits inside the kernel's logit, with forgetting) or macy_flache (probabilities updated directly, the reference)",
        zh: "学习规则：city（核心 logit 中的习惯，带遗忘）或 macy_flache（直接更新概率，参照规则）",
    },
    GameKey {
        key: "pairs",
        kind: KeyKind::Int {
            lo: 1,
            hi: MAX_PAIRS,
            default: 200,
        },
        en: "independent pairs playing the repeated game",
        zh: "独立进行重复博弈的配对数",
    },
    payoff_key("T", 4.0, "temptation: defect against a cooperator", "诱惑：对合作者背叛的收益"),
    payoff_key("R", 3.0, "reward: mutual cooperation", "奖励：双方合作的收益"),
    payoff_key("P", 1.0, "punishment: mutual defection", "惩罚：双方背叛的收益"),
    payoff_key("S", 0.0, "sucker's payoff: cooperate against a defector", "受骗收益：对背叛者合作的收益"),
    GameKey {
        key: "rate",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: city::HABIT_RATE,
        },
        en: "learning rate: l of Macy & Flache, habit_rate of the city",
        zh: "学习率：Macy 与 Flache 的 l，城市模型的 habit_rate",
    },
    GameKey {
        key: "aspiration",
        kind: KeyKind::Float {
            lo: -100.0,
            hi: 100.0,
            default: 2.0,
        },
        en: "aspiration A at the start: payoffs above it reinforce the action taken",
        zh: "初始期望水平 A：高于它的收益强化所选行动",
    },
    GameKey {
        key: "habituation",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: 0.0,
        },
        en: "rate at which the aspiration moves toward the payoff (0: fixed; the city's aspiration_rate is 0.05)",
        zh: "期望水平向收益调整的速度（0 为固定；城市模型的 aspiration_rate 为 0.05）",
    },
    GameKey {
        key: "forgetting",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: city::HABIT_FORGETTING,
        },
        en: "share of every habit forgotten each round before learning (only with rule = \"city\"; the city's habit_forgetting)",
        zh: "每轮学习前遗忘的习惯比例（仅用于 rule = \"city\"；城市模型的 habit_forgetting）",
    },
];

/// Largest number of pairs.
pub const MAX_PAIRS: i64 = 10_000_000;

/// The game as a scenario runs it: the learning setting and how many pairs play it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairsSpec {
    pub learning: Learning,
    pub pairs: usize,
}

/// `bush_mosteller` from its checked values: forgetting goes with the city's rule only, and the
/// reference needs some payoff away from the aspiration (its stimulus divides by the largest
/// |π − A|).
pub fn spec(v: &Values) -> Result<GameSpec, Refusal> {
    let rule = match v.text("rule").as_str() {
        "macy_flache" if v.given("forgetting") => {
            return Err(Refusal {
                key: "forgetting",
                message: "applies only to rule = \"city\" (the reference does not forget); remove it or set the rule".into(),
            })
        }
        "macy_flache" => Rule::MacyFlache,
        _ => Rule::CityHabits,
    };
    let dilemma = Dilemma {
        t: v.float("T"),
        r: v.float("R"),
        p: v.float("P"),
        s: v.float("S"),
    };
    let aspiration = v.float("aspiration");
    if rule == Rule::MacyFlache && dilemma.scale(aspiration) == 0.0 {
        return Err(Refusal {
            key: "aspiration",
            message: format!("equals every payoff ({aspiration}), so the reference's stimulus is undefined; move it or a payoff"),
        });
    }
    Ok(GameSpec::BushMosteller(PairsSpec {
        learning: Learning {
            dilemma,
            rule,
            rate: v.float("rate"),
            aspiration,
            habituation: v.float("habituation"),
            forgetting: if rule == Rule::CityHabits {
                v.float("forgetting")
            } else {
                0.0
            },
        },
        pairs: v.int("pairs") as usize,
    }))
}

/// The `[game]` values of a game, in table order (the inverse of `spec`).
pub fn values(s: &PairsSpec) -> Vec<(&'static str, KeyValue)> {
    let l = &s.learning;
    let rule = match l.rule {
        Rule::CityHabits => "city",
        Rule::MacyFlache => "macy_flache",
    };
    let mut out = vec![
        ("rule", KeyValue::Text(rule.into())),
        ("pairs", KeyValue::Int(s.pairs as i64)),
        ("T", KeyValue::Float(l.dilemma.t)),
        ("R", KeyValue::Float(l.dilemma.r)),
        ("P", KeyValue::Float(l.dilemma.p)),
        ("S", KeyValue::Float(l.dilemma.s)),
        ("rate", KeyValue::Float(l.rate)),
        ("aspiration", KeyValue::Float(l.aspiration)),
        ("habituation", KeyValue::Float(l.habituation)),
    ];
    if l.rule == Rule::CityHabits {
        out.push(("forgetting", KeyValue::Float(l.forgetting)));
    }
    out
}

/// A symmetric 2×2 social dilemma: temptation, reward, punishment, sucker's payoff.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dilemma {
    pub t: f64,
    pub r: f64,
    pub p: f64,
    pub s: f64,
}

impl Dilemma {
    /// The prisoner's dilemma Macy & Flache and Izquierdo et al. use: [4, 3, 1, 0].
    pub const PD: Dilemma = Dilemma {
        t: 4.0,
        r: 3.0,
        p: 1.0,
        s: 0.0,
    };

    /// Payoff of a player who cooperated or not against a partner who did or not.
    pub fn payoff(&self, own: bool, other: bool) -> f64 {
        match (own, other) {
            (true, true) => self.r,
            (true, false) => self.s,
            (false, true) => self.t,
            (false, false) => self.p,
        }
    }

    /// Largest |π − A| over the four outcomes: the reference's stimulus scale.
    fn scale(&self, aspiration: f64) -> f64 {
        [self.t, self.r, self.p, self.s]
            .iter()
            .map(|x| (x - aspiration).abs())
            .fold(0.0, f64::max)
    }
}

/// Which learning rule both players use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Macy & Flache's probabilities, updated directly (the reference).
    MacyFlache,
    /// The city's habits inside a logit (`kernel::bush_mosteller`, `kernel::logit_probabilities`).
    CityHabits,
}

/// A learning setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Learning {
    pub dilemma: Dilemma,
    pub rule: Rule,
    /// Learning rate: l of the reference, `habit_rate` of the city.
    pub rate: f64,
    /// Aspiration at the start.
    pub aspiration: f64,
    /// Rate at which the aspiration moves toward the payoff (0: fixed).
    pub habituation: f64,
    /// Share of every habit forgotten each round before learning (the city's
    /// `behaviour.habit_forgetting`; Erev & Roth 1998's recency). The reference ignores it.
    pub forgetting: f64,
}

/// One player's state under either rule.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Player {
    /// Probability of cooperating (reference).
    p_cooperate: f64,
    /// Habits (city): substantive = cooperate, shirk = defect; symbolic unused.
    habits: [f64; N_ACTIONS],
    aspiration: f64,
}

/// Utilities of the city's rule here: none, so that only habits decide; symbolic not offered.
const HABITS_ONLY: [f64; N_ACTIONS] = [0.0, f64::NEG_INFINITY, 0.0];

impl Player {
    fn new(aspiration: f64) -> Player {
        Player {
            p_cooperate: 0.5,
            habits: [0.0; N_ACTIONS],
            aspiration,
        }
    }

    fn cooperation_probability(&self, rule: Rule, k: &KernelFns) -> f64 {
        match rule {
            Rule::MacyFlache => self.p_cooperate,
            // With no utilities the temperature does not matter; 1 keeps habits in their units.
            Rule::CityHabits => (k.logit_probabilities)(&HABITS_ONLY, &self.habits, 1.0)[0],
        }
    }

    fn learn(&mut self, l: &Learning, k: &KernelFns, cooperated: bool, payoff: f64) {
        match l.rule {
            Rule::MacyFlache => {
                let a = self.aspiration;
                let stimulus = (payoff - a) / l.dilemma.scale(a);
                let mut p_taken = if cooperated {
                    self.p_cooperate
                } else {
                    1.0 - self.p_cooperate
                };
                p_taken += if stimulus >= 0.0 {
                    l.rate * stimulus * (1.0 - p_taken)
                } else {
                    l.rate * stimulus * p_taken
                };
                self.p_cooperate = if cooperated { p_taken } else { 1.0 - p_taken };
                self.aspiration = a + l.habituation * (payoff - a);
            }
            Rule::CityHabits => {
                // As `model::tick::close_orgs` does every week: all habits forget, then the
                // habit of the action taken learns from its payoff.
                (k.forget_habits)(&mut self.habits, l.forgetting);
                let action = if cooperated {
                    Action::Substantive
                } else {
                    Action::Shirk
                };
                self.aspiration = (k.bush_mosteller)(
                    &mut self.habits,
                    action,
                    payoff,
                    self.aspiration,
                    l.rate,
                    l.habituation,
                );
            }
        }
    }
}

/// What one pair did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    /// Share of rounds in the window in which both cooperated.
    pub mutual_cooperation: f64,
    /// Mean probability of cooperating over the window (both players).
    pub mean_p: f64,
    /// Each player's probability of cooperating after the last round.
    pub final_p: [f64; 2],
}

/// One pair playing the repeated game round after round. Pair `index` of a run with seed
/// `seed` draws round `t`'s two uniforms from the stream `(seed, t, unit)`, the unit
/// [`BUSH_MOSTELLER_UNIT`] for pair 0 and below it by `index · 2²⁴` for the others (still far
/// above any city unit and apart from the other games' units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    players: [Player; 2],
    seed: u64,
    unit: u64,
    round: u32,
}

/// What one round of a pair did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairRound {
    /// Each player's probability of cooperating when it chose.
    pub p: [f64; 2],
    /// Whether each cooperated.
    pub cooperated: [bool; 2],
}

impl Pair {
    pub fn new(l: &Learning, seed: u64, index: u64) -> Pair {
        Pair {
            players: [Player::new(l.aspiration); 2],
            seed,
            unit: BUSH_MOSTELLER_UNIT - (index << 24),
            round: 0,
        }
    }

    /// Each player's probability of cooperating now.
    pub fn cooperation_probabilities(&self, l: &Learning, k: &KernelFns) -> [f64; 2] {
        self.players.map(|pl| pl.cooperation_probability(l.rule, k))
    }

    /// Plays the next round: both choose, then both learn from their payoffs.
    pub fn step(&mut self, l: &Learning, k: &KernelFns) -> PairRound {
        self.round += 1;
        let mut rng = stream(self.seed, self.round, self.unit, Purpose::Decision);
        let p = self.cooperation_probabilities(l, k);
        let c = p.map(|p| unit_interval(rng.next_u64()) < p);
        for i in 0..2 {
            let payoff = l.dilemma.payoff(c[i], c[1 - i]);
            self.players[i].learn(l, k, c[i], payoff);
        }
        PairRound { p, cooperated: c }
    }
}

/// Plays `rounds` rounds of pair 0 from `seed`, averaging over rounds
/// `window.0 + 1 ..= window.1` (1-based).
pub fn play(l: &Learning, k: &KernelFns, rounds: u32, window: (u32, u32), seed: u64) -> Run {
    let mut pair = Pair::new(l, seed, 0);
    let (mut both, mut p_sum) = (0.0, 0.0);
    for t in 1..=rounds {
        let r = pair.step(l, k);
        if t > window.0 && t <= window.1 {
            p_sum += r.p[0] + r.p[1];
            both += f64::from(u8::from(r.cooperated[0] && r.cooperated[1]));
        }
    }
    let counted = (window.1 - window.0) as f64;
    Run {
        mutual_cooperation: both / counted,
        mean_p: p_sum / (2.0 * counted),
        final_p: pair.cooperation_probabilities(l, k),
    }
}

/// Expected change of the reference's probability of cooperating when both players cooperate
/// with probability `p` and the aspiration is fixed: the four outcomes, each weighted by its
/// probability and run through the reference's own update.
pub fn expected_motion(l: &Learning, p: f64) -> f64 {
    let mut motion = 0.0;
    for (own, other) in [(true, true), (true, false), (false, true), (false, false)] {
        let prob = (if own { p } else { 1.0 - p }) * (if other { p } else { 1.0 - p });
        let mut pl = Player {
            p_cooperate: p,
            ..Player::new(l.aspiration)
        };
        pl.learn(
            &Learning {
                habituation: 0.0,
                ..*l
            },
            &KernelFns::CITY,
            own,
            l.dilemma.payoff(own, other),
        );
        motion += prob * (pl.p_cooperate - p);
    }
    motion
}

/// Symmetric self-correcting equilibria (SCEs) of the reference: interior points where the
/// expected motion vanishes and points back toward them.
pub fn self_correcting_equilibria(l: &Learning) -> Vec<FixedPoint> {
    fixed_points(|p| p + expected_motion(l, p))
        .into_iter()
        .filter(|f| f.stable && f.p > 1e-6 && f.p < 1.0 - 1e-6)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(rate: f64, aspiration: f64) -> Learning {
        Learning {
            dilemma: Dilemma::PD,
            rule: Rule::MacyFlache,
            rate,
            aspiration,
            habituation: 0.0,
            forgetting: 0.0,
        }
    }

    #[test]
    fn the_expected_motion_matches_its_closed_form() {
        // With A = 2 the stimuli are R: 1/2, S: −1, T: 1, P: −1/2, and the symmetric expected
        // motion is l(1 − p)(1/2 − p − p²).
        let l = reference(0.25, 2.0);
        for p in [0.1, 0.37, 0.6, 0.9] {
            let want = 0.25 * (1.0 - p) * (0.5 - p - p * p);
            assert!((expected_motion(&l, p) - want).abs() < 1e-12);
        }
    }

    #[test]
    fn probabilities_stay_probabilities_and_habits_stay_clipped() {
        for rule in [Rule::MacyFlache, Rule::CityHabits] {
            let l = Learning {
                rule,
                ..reference(0.9, 2.0)
            };
            let run = play(&l, &KernelFns::CITY, 300, (0, 300), 1);
            assert!(run.final_p.iter().all(|p| (0.0..=1.0).contains(p)));
            if rule == Rule::CityHabits {
                assert!(run.final_p.iter().all(|p| *p <= 0.9821));
            }
        }
    }
}
