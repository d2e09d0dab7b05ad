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
//! Both rules may habituate: `A ← A + h(π − A)` (the reference's, and the city's
//! `aspiration_rate`). Only the city's step goes through the kernel; the reference is written
//! out here on purpose, since it is what the kernel is compared with.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::logit_game::{fixed_points, FixedPoint};
use super::{unit_interval, KernelFns, BUSH_MOSTELLER_UNIT};
use crate::model::rng::{stream, Purpose};

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

/// Plays `rounds` rounds from `seed`, averaging over rounds `window.0 + 1 ..= window.1`
/// (1-based). Round `t` draws its two uniforms from stream `(seed, t)`.
pub fn play(l: &Learning, k: &KernelFns, rounds: u32, window: (u32, u32), seed: u64) -> Run {
    let mut players = [Player::new(l.aspiration); 2];
    let (mut both, mut p_sum) = (0.0, 0.0);
    for t in 1..=rounds {
        let mut rng = stream(seed, t, BUSH_MOSTELLER_UNIT, Purpose::Decision);
        let p = players.map(|pl| pl.cooperation_probability(l.rule, k));
        let c = p.map(|p| unit_interval(rng.next_u64()) < p);
        if t > window.0 && t <= window.1 {
            p_sum += p[0] + p[1];
            both += f64::from(u8::from(c[0] && c[1]));
        }
        for i in 0..2 {
            let payoff = l.dilemma.payoff(c[i], c[1 - i]);
            players[i].learn(l, k, c[i], payoff);
        }
    }
    let counted = (window.1 - window.0) as f64;
    Run {
        mutual_cooperation: both / counted,
        mean_p: p_sum / (2.0 * counted),
        final_p: players.map(|pl| pl.cooperation_probability(l.rule, k)),
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
