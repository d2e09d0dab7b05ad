//! Conditional cooperation in a repeated linear public goods game, played with the city's own
//! rule (issue 13, game 4): the docking ground for the conditional-cooperation weight of
//! revision 2 (MODEL §11.2; ODD §7.6.5) against Fischbacher & Gächter (2010).
//!
//! A member contributes (the kernel's `Substantive`) or keeps (`Shirk`); the share of members
//! contributing is the share of the endowment contributed. Its utility is the city's for an
//! ordinary (`r = 1`) issue with no credit, sanction or transaction cost:
//!
//! `U(contribute) = (Π_i / s_i) · value · m · conditional_weight(ψ, b̄) − cost`, `U(keep) = 0`,
//!
//! with `Π_i` from `kernel::pivotality` (for `r = 1` it is `s_i`, so the ratio is 1), `value`
//! the value of progress to a public-spirited member (the city's `B · v`), `m` the member's
//! intrinsic motivation, `b̄` the mean of its beliefs about its partners and ψ its conditional
//! weight (`kernel::conditional_weight`). It chooses with `kernel::logit_probabilities` and
//! `kernel::draw_action`; after each round every member moves its belief toward the mean
//! contribution of its partners that round with `kernel::update_trust` (the city's trust rule,
//! equal gain and loss rates). Groups are rematched at random every round, as in FG's
//! C-experiment.
//!
//! Two populations with the same published type shares (conditional cooperators `cc`, free
//! riders `fr`, the rest unconditional):
//! - **types**: each member is a pure type, as the lab classifies subjects — free riders have
//!   m = 0, conditional cooperators ψ = 1, the rest ψ = 0;
//! - **organisations**: each member is an organisation as the city models it — its staff mixes
//!   the types, m is the staff mean `(1 − fr)·m_ps`, and ψ = `levers::conditionality(cc, fr)`.
//!   The mean intrinsic term of the types equals the organisation's (a unit test checks it),
//!   but the logit of a mean is not the mean of logits, so the two populations differ.
//!
//! The game does no I/O; `validate::conditional` runs it and compares it with the literature.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::{below, unit_interval, KernelFns, CONDITIONAL_UNIT};
use crate::model::levers;
use crate::model::rng::{stream, Purpose};

/// Group size: four, the standard design of these experiments (the retrieved text of FG 2010
/// does not state it; see docs/VALIDATION.md).
pub const GROUP: usize = 4;

/// Utility that keeps symbolic work out of the choice (the kernel's logit gives it weight 0).
const NOT_OFFERED: f64 = f64::NEG_INFINITY;

/// How the type shares enter the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    /// Pure types, one per member.
    Types,
    /// Every member an organisation with the types mixed in its staff (the city's form).
    Organisations,
}

/// A conditional-cooperation public goods game.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CondGame {
    /// Share of conditional cooperators among all members (or staff).
    pub conditional_share: f64,
    /// Share of free riders.
    pub free_rider_share: f64,
    /// Value of the whole public good to a fully motivated, conditionally unweighted member
    /// (the city's `B · v`).
    pub value: f64,
    /// Intrinsic motivation of a public-spirited member (free riders have 0).
    pub public_spirited_motivation: f64,
    /// Cost of contributing (the city's `1 + τ` with τ = 0).
    pub cost: f64,
    /// Logit temperature (the city's `behaviour.choice_temperature`).
    pub beta: f64,
    pub population: Population,
}

/// What one member weighs: its motivation m and conditional weight ψ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Member {
    pub motivation: f64,
    pub psi: f64,
    /// 0 conditional cooperator, 1 free rider, 2 unconditional, 3 organisation.
    pub kind: u8,
}

impl CondGame {
    /// The member at position `index` of `agents`: in the types population the first `cc`
    /// share are conditional cooperators, the next `fr` share free riders, the rest
    /// unconditional (positions are shuffled into groups every round, so the order is
    /// immaterial).
    pub fn member(&self, index: usize, agents: usize) -> Member {
        match self.population {
            Population::Organisations => Member {
                motivation: (1.0 - self.free_rider_share) * self.public_spirited_motivation,
                psi: levers::conditionality(self.conditional_share, self.free_rider_share),
                kind: 3,
            },
            Population::Types => {
                let x = (index as f64 + 0.5) / agents as f64;
                if x < self.conditional_share {
                    Member {
                        motivation: self.public_spirited_motivation,
                        psi: 1.0,
                        kind: 0,
                    }
                } else if x < self.conditional_share + self.free_rider_share {
                    Member {
                        motivation: 0.0,
                        psi: 0.0,
                        kind: 1,
                    }
                } else {
                    Member {
                        motivation: self.public_spirited_motivation,
                        psi: 0.0,
                        kind: 2,
                    }
                }
            }
        }
    }

    /// Choice probabilities of `member` believing each partner contributes with `belief`.
    pub fn choice(&self, k: &KernelFns, member: &Member, belief: f64) -> [f64; N_ACTIONS] {
        let shares = [1.0 / GROUP as f64; GROUP];
        let p = [belief; GROUP];
        let pivotal_ratio = (k.pivotality)(&shares, &p, 0, 1.0) / shares[0];
        let u = pivotal_ratio
            * self.value
            * member.motivation
            * (k.conditional_weight)(member.psi, belief)
            - self.cost;
        (k.logit_probabilities)(&[u, NOT_OFFERED, 0.0], &[0.0; N_ACTIONS], self.beta)
    }
}

/// How the population plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Play {
    /// Members, a multiple of the group size.
    pub agents: usize,
    pub rounds: u32,
    /// Rate at which a belief moves toward the partners' observed contribution.
    pub belief_rate: f64,
    /// Every member's belief before round 1.
    pub start_belief: f64,
}

/// Per-round means of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Share of members contributing, round by round.
    pub contribution: Vec<f64>,
    /// Mean belief held when deciding, round by round (FG elicited beliefs before the choice).
    pub belief: Vec<f64>,
    /// Conditional cooperators' contribution minus their belief, round by round (types
    /// population; 0 for organisations).
    pub cc_gap: Vec<f64>,
}

/// Plays `play.rounds` rounds from `seed`. Round `t` draws one stream: the random matching (a
/// Fisher–Yates shuffle), then one uniform per member in group order.
pub fn play(game: &CondGame, k: &KernelFns, play: &Play, seed: u64) -> Series {
    debug_assert!(play.agents % GROUP == 0);
    let members: Vec<Member> = (0..play.agents)
        .map(|i| game.member(i, play.agents))
        .collect();
    let n_cc = members.iter().filter(|m| m.kind == 0).count().max(1) as f64;
    let mut belief = vec![play.start_belief; play.agents];
    let mut order: Vec<usize> = (0..play.agents).collect();
    let mut out = Series {
        contribution: Vec::new(),
        belief: Vec::new(),
        cc_gap: Vec::new(),
    };
    for round in 0..play.rounds {
        let mut rng = stream(seed, round, CONDITIONAL_UNIT, Purpose::Decision);
        for i in (1..order.len()).rev() {
            order.swap(i, below(&mut rng, i as u64 + 1) as usize);
        }
        out.belief
            .push(belief.iter().sum::<f64>() / play.agents as f64);
        let mut contributed = 0.0;
        let mut gap = 0.0;
        let mut y = [0.0; GROUP];
        for group in order.chunks_exact(GROUP) {
            for (slot, &a) in group.iter().enumerate() {
                let probs = game.choice(k, &members[a], belief[a]);
                let action = (k.draw_action)(&probs, unit_interval(rng.next_u64()));
                y[slot] = if action == Action::Substantive {
                    1.0
                } else {
                    0.0
                };
                if members[a].kind == 0 {
                    gap += y[slot] - belief[a];
                }
            }
            let total: f64 = y.iter().sum();
            contributed += total;
            for (slot, &a) in group.iter().enumerate() {
                let observed = (total - y[slot]) / (GROUP - 1) as f64;
                belief[a] =
                    (k.update_trust)(belief[a], observed, play.belief_rate, play.belief_rate);
            }
        }
        out.contribution.push(contributed / play.agents as f64);
        out.cc_gap.push(if game.population == Population::Types {
            gap / n_cc
        } else {
            0.0
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::games::kernel;

    fn game(population: Population) -> CondGame {
        CondGame {
            conditional_share: 0.5,
            free_rider_share: 0.3,
            value: 4.0,
            public_spirited_motivation: 0.8,
            cost: 1.0,
            beta: 0.5,
            population,
        }
    }

    #[test]
    fn the_types_average_to_the_citys_organisation() {
        // Mean over types of m·((1 − ψ) + ψ·b̄) = the organisation's m·((1 − ψ_org) + ψ_org·b̄).
        let (types, orgs) = (game(Population::Types), game(Population::Organisations));
        let agents = 1000;
        for b in [0.0, 0.3, 0.75, 1.0] {
            let mean: f64 = (0..agents)
                .map(|i| {
                    let m = types.member(i, agents);
                    m.motivation * kernel::conditional_weight(m.psi, b)
                })
                .sum::<f64>()
                / agents as f64;
            let o = orgs.member(0, agents);
            let org = o.motivation * kernel::conditional_weight(o.psi, b);
            assert!((mean - org).abs() < 1e-9, "{b}: {mean} vs {org}");
        }
    }

    #[test]
    fn a_run_is_a_function_of_its_seed() {
        let g = game(Population::Types);
        let p = Play {
            agents: 40,
            rounds: 10,
            belief_rate: 0.05,
            start_belief: 0.5,
        };
        let k = KernelFns::CITY;
        assert_eq!(play(&g, &k, &p, 3), play(&g, &k, &p, 3));
        assert_ne!(play(&g, &k, &p, 3), play(&g, &k, &p, 4));
    }
}
