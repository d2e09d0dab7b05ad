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
//! As a scenario (`cogov run scenarios/validation/conditional_pgg_*.toml`) the game is
//! `conditional_pgg` ([`KEYS`], in the city's terms: public benefit, value-angle spread,
//! motivation mean, type shares); [`ConditionalSpec::game`] turns them into a [`CondGame`] the
//! way `validate::conditional` builds its game at the city's defaults ([`ConditionalSpec::city`]).
//!
//! The game does no I/O; `validate::conditional` runs it and compares it with the literature.

use rand::RngCore;

use super::kernel::{Action, N_ACTIONS};
use super::{
    below, city, unit_interval, whole_groups, GameKey, GameSpec, KernelFns, KeyKind, KeyValue,
    Refusal, Values, CONDITIONAL_UNIT,
};
use crate::model::levers;
use crate::model::rng::{stream, Purpose};

/// Fischbacher, Gächter & Fehr (2001)'s share of conditional cooperators (about half; the
/// city's own default `behaviour.conditional_share` is 0).
pub const FGF_CONDITIONAL_SHARE: f64 = 0.5;

/// FGF 2001's share of free riders (about 30%, also the city's `behaviour.free_rider_share`).
pub const FGF_FREE_RIDER_SHARE: f64 = city::FREE_RIDER_SHARE;

/// Every member's belief before round 1 by default: even odds.
pub const START_BELIEF: f64 = 0.5;

/// Members by default: 500 groups of four.
pub const AGENTS: usize = 2_000;

/// The `[game]` table of `conditional_pgg` (game 4), in manifest order.
pub const KEYS: &[GameKey] = &[
    GameKey {
        key: "population",
        kind: KeyKind::Choice {
            options: &["types", "organisations"],
            default: "types",
        },
        en: "types: every member a pure type, as the lab classifies subjects; organisations: every member an organisation mixing the types in its staff, as the city models it",
        zh: "types：每名成员为单一类型（如实验分类）；organisations：每名成员为一个组织，其员工混合各类型（如城市模型）",
    },
    GameKey {
        key: "conditional_share",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: FGF_CONDITIONAL_SHARE,
        },
        en: "share of conditional cooperators (FGF 2001: about 0.5)",
        zh: "有条件合作者比例（FGF 2001：约 0.5）",
    },
    GameKey {
        key: "free_rider_share",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 0.95,
            default: FGF_FREE_RIDER_SHARE,
        },
        en: "share of free riders (motivation 0; FGF 2001: about 0.3); with the conditional share at most 1",
        zh: "搭便车者比例（动机为 0；FGF 2001：约 0.3）；与有条件合作者比例之和不超过 1",
    },
    GameKey {
        key: "public_benefit",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 100.0,
            default: city::PUBLIC_BENEFIT,
        },
        en: "value of the whole public good, as the city's behaviour.public_benefit",
        zh: "公共物品的总价值（同城市模型的 behaviour.public_benefit）",
    },
    GameKey {
        key: "value_angle_sd",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: std::f64::consts::PI,
            default: city::VALUE_ANGLE_SD,
        },
        en: "spread σ of the value angles; a member's value is public_benefit·e^(−σ²/2), the city's mean alignment",
        zh: "价值角离散度 σ；成员所得价值为 public_benefit·e^(−σ²/2)（城市模型的平均一致度）",
    },
    GameKey {
        key: "motivation_mean",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: city::MOTIVATION_MEAN,
        },
        en: "staff mean of intrinsic motivation, free riders (0) included, as the city's behaviour.motivation_mean",
        zh: "员工内在动机均值（含动机为 0 的搭便车者），同城市模型的 behaviour.motivation_mean",
    },
    GameKey::CHOICE_TEMPERATURE,
    GameKey::agents(AGENTS as i64),
    GameKey::BELIEF_RATE,
    GameKey::start_belief(START_BELIEF),
];

/// The game as a scenario runs it, in the city's terms (the number of rounds is the
/// scenario's `ticks`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConditionalSpec {
    pub population: Population,
    pub conditional_share: f64,
    pub free_rider_share: f64,
    pub public_benefit: f64,
    pub value_angle_sd: f64,
    pub motivation_mean: f64,
    pub beta: f64,
    pub agents: usize,
    pub belief_rate: f64,
    pub start_belief: f64,
}

impl ConditionalSpec {
    /// The game at the city's defaults with FGF 2001's type shares: every key at its default.
    pub fn city(population: Population) -> ConditionalSpec {
        ConditionalSpec {
            population,
            conditional_share: FGF_CONDITIONAL_SHARE,
            free_rider_share: FGF_FREE_RIDER_SHARE,
            public_benefit: city::PUBLIC_BENEFIT,
            value_angle_sd: city::VALUE_ANGLE_SD,
            motivation_mean: city::MOTIVATION_MEAN,
            beta: city::CHOICE_TEMPERATURE,
            agents: AGENTS,
            belief_rate: city::TRUST_RATE,
            start_belief: START_BELIEF,
        }
    }

    /// The game: the value of progress to a public-spirited member is `public_benefit` × the
    /// mean alignment max(0, cos θ), θ ~ N(0, σ²) (E[cos θ] = e^(−σ²/2); the max(0, ·) moves it
    /// by less than 1e-3 at the city's σ = 0.6), and the public-spirited members' motivation is
    /// the staff mean over the share that is not free riding.
    pub fn game(&self) -> CondGame {
        CondGame {
            conditional_share: self.conditional_share,
            free_rider_share: self.free_rider_share,
            value: self.public_benefit * (-self.value_angle_sd * self.value_angle_sd / 2.0).exp(),
            public_spirited_motivation: self.motivation_mean / (1.0 - self.free_rider_share),
            cost: 1.0,
            beta: self.beta,
            population: self.population,
        }
    }

    /// How the population plays `rounds` rounds.
    pub fn play(&self, rounds: u32) -> Play {
        Play {
            agents: self.agents,
            rounds,
            belief_rate: self.belief_rate,
            start_belief: self.start_belief,
        }
    }
}

/// `conditional_pgg` from its checked values: the shares sum to at most 1 and the population
/// splits into groups of four.
pub fn spec(v: &Values) -> Result<GameSpec, Refusal> {
    let (cs, fr) = (v.float("conditional_share"), v.float("free_rider_share"));
    if cs + fr > 1.0 {
        return Err(Refusal {
            key: "free_rider_share",
            message: format!(
                "with conditional_share {cs} the shares sum to {}, above 1",
                cs + fr
            ),
        });
    }
    let agents = v.int("agents") as usize;
    whole_groups(agents, GROUP)?;
    Ok(GameSpec::ConditionalPgg(ConditionalSpec {
        population: match v.text("population").as_str() {
            "organisations" => Population::Organisations,
            _ => Population::Types,
        },
        conditional_share: cs,
        free_rider_share: fr,
        public_benefit: v.float("public_benefit"),
        value_angle_sd: v.float("value_angle_sd"),
        motivation_mean: v.float("motivation_mean"),
        beta: v.float("beta"),
        agents,
        belief_rate: v.float("belief_rate"),
        start_belief: v.float("start_belief"),
    }))
}

/// The `[game]` values of a game, in table order (the inverse of `spec`).
pub fn values(s: &ConditionalSpec) -> Vec<(&'static str, KeyValue)> {
    let population = match s.population {
        Population::Types => "types",
        Population::Organisations => "organisations",
    };
    vec![
        ("population", KeyValue::Text(population.into())),
        ("conditional_share", KeyValue::Float(s.conditional_share)),
        ("free_rider_share", KeyValue::Float(s.free_rider_share)),
        ("public_benefit", KeyValue::Float(s.public_benefit)),
        ("value_angle_sd", KeyValue::Float(s.value_angle_sd)),
        ("motivation_mean", KeyValue::Float(s.motivation_mean)),
        ("beta", KeyValue::Float(s.beta)),
        ("agents", KeyValue::Int(s.agents as i64)),
        ("belief_rate", KeyValue::Float(s.belief_rate)),
        ("start_belief", KeyValue::Float(s.start_belief)),
    ]
}

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

/// What one round of a [`Session`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundStats {
    /// Share of members contributing.
    pub contribution: f64,
    /// Members contributing.
    pub contributors: usize,
    /// Mean belief held when deciding.
    pub belief: f64,
    /// Conditional cooperators' mean contribution minus their belief (types population; 0 for
    /// organisations).
    pub cc_gap: f64,
}

/// A population playing the game round after round, rematched into random groups of four.
#[derive(Clone, Debug)]
pub struct Session {
    game: CondGame,
    k: KernelFns,
    members: Vec<Member>,
    n_cc: f64,
    belief: Vec<f64>,
    order: Vec<usize>,
    belief_rate: f64,
    seed: u64,
    round: u32,
}

impl Session {
    pub fn new(game: &CondGame, k: &KernelFns, play: &Play, seed: u64) -> Session {
        debug_assert!(play.agents % GROUP == 0);
        let members: Vec<Member> = (0..play.agents)
            .map(|i| game.member(i, play.agents))
            .collect();
        let n_cc = members.iter().filter(|m| m.kind == 0).count().max(1) as f64;
        Session {
            game: *game,
            k: *k,
            members,
            n_cc,
            belief: vec![play.start_belief; play.agents],
            order: (0..play.agents).collect(),
            belief_rate: play.belief_rate,
            seed,
            round: 0,
        }
    }

    /// The members, in position order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Plays the next round. Round `t` (0-based) draws one stream: the random matching (a
    /// Fisher–Yates shuffle), then one uniform per member in group order.
    pub fn step(&mut self) -> RoundStats {
        let (game, k) = (&self.game, &self.k);
        let agents = self.members.len();
        let mut rng = stream(self.seed, self.round, CONDITIONAL_UNIT, Purpose::Decision);
        self.round += 1;
        for i in (1..self.order.len()).rev() {
            self.order.swap(i, below(&mut rng, i as u64 + 1) as usize);
        }
        let held = self.belief.iter().sum::<f64>() / agents as f64;
        let mut contributed = 0.0;
        let mut gap = 0.0;
        let mut y = [0.0; GROUP];
        for group in self.order.chunks_exact(GROUP) {
            for (slot, &a) in group.iter().enumerate() {
                let probs = game.choice(k, &self.members[a], self.belief[a]);
                let action = (k.draw_action)(&probs, unit_interval(rng.next_u64()));
                y[slot] = if action == Action::Substantive {
                    1.0
                } else {
                    0.0
                };
                if self.members[a].kind == 0 {
                    gap += y[slot] - self.belief[a];
                }
            }
            let total: f64 = y.iter().sum();
            contributed += total;
            for (slot, &a) in group.iter().enumerate() {
                let observed = (total - y[slot]) / (GROUP - 1) as f64;
                self.belief[a] =
                    (k.update_trust)(self.belief[a], observed, self.belief_rate, self.belief_rate);
            }
        }
        RoundStats {
            contribution: contributed / agents as f64,
            contributors: contributed as usize,
            belief: held,
            cc_gap: if game.population == Population::Types {
                gap / self.n_cc
            } else {
                0.0
            },
        }
    }
}

/// Plays `play.rounds` rounds of a [`Session`] from `seed`.
pub fn play(game: &CondGame, k: &KernelFns, play: &Play, seed: u64) -> Series {
    let mut session = Session::new(game, k, play, seed);
    let mut out = Series {
        contribution: Vec::new(),
        belief: Vec::new(),
        cc_gap: Vec::new(),
    };
    for _ in 0..play.rounds {
        let r = session.step();
        out.contribution.push(r.contribution);
        out.belief.push(r.belief);
        out.cc_gap.push(r.cc_gap);
    }
    out
}

/// The mean-field contribution rate in rounds 1..=`rounds`, through the kernel: every member
/// holds the mean belief b, the population contributes the mean of its members' choice
/// probabilities at b, and b moves toward it by `update_trust`. (`validate::conditional`
/// writes the same mean field out by hand, independently of the kernel, for its check.)
pub fn mean_field(game: &CondGame, k: &KernelFns, members: &[Member], play: &Play) -> Vec<f64> {
    let sub = Action::Substantive.index();
    let mut b = play.start_belief;
    (0..play.rounds)
        .map(|_| {
            let c = members
                .iter()
                .map(|m| game.choice(k, m, b)[sub])
                .sum::<f64>()
                / members.len() as f64;
            b = (k.update_trust)(b, c, play.belief_rate, play.belief_rate);
            c
        })
        .collect()
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
