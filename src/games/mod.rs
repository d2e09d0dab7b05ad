//! Payoff, choice rule and learning shared by the governance model and the canonical games
//! used to dock it against published results.
//!
//! `kernel` is the code the city model runs. The three games next to it — Nowak & May's
//! spatial prisoner's dilemma, the spatial public goods game of Szolnoki, Perc & Szabó and a
//! well-mixed public goods game — compute their payoffs with the kernel's linear public good
//! (`kernel::linear_aggregate`, the `r = 1` case of the CES aggregate) and imitate with its
//! choice rules (`kernel::fermi_adoption`, `kernel::proportional_imitation`), so that a docking
//! check exercises model code rather than a separate toy. Payoffs in these games depend only on
//! a player's strategy and a cooperator count, so each game tabulates the kernel once per run
//! and its inner loop reads the table: same numbers, no `exp` per step.
//!
//! Four more games dock the city's own decision rule (issue 13): `logit_game` (the linear
//! public goods game with altruism and the weakest link, decided by the kernel's logit over
//! pivotality), `bush_mosteller_pd` (Macy & Flache's learning rule beside the city's habits)
//! and `conditional_pgg` (conditional cooperation). They call the kernel through a
//! [`KernelFns`] value, play in rounds, and start from the city's defaults ([`city`]).
//!
//! Every game `cogov run` runs is a [`GameKind`]: its key table, `spec` and `values` live in
//! its own file, and `play` steps it.
//!
//! The games do no I/O; lattice files are parsed and printed here (`lattice`) and read and
//! written by the CLI.

pub mod bush_mosteller_pd;
pub mod conditional_pgg;
pub mod kernel;
pub mod lattice;
pub mod logit_game;
pub mod nowak_may;
pub mod play;
pub mod spatial_pgg;
pub mod well_mixed;

use rand::RngCore;

use bush_mosteller_pd::PairsSpec;
use conditional_pgg::ConditionalSpec;
use lattice::Lattice;
use logit_game::{Good, LogitSpec};
use spatial_pgg::PggParams;
use well_mixed::WellMixedParams;

/// The canonical games.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GameKind {
    NowakMay,
    SpatialPgg,
    WellMixed,
    /// Game 1 of issue 13: the linear public goods game with altruism, city logit.
    LogitPgg,
    /// Game 2: the binary weakest-link game, city logit over pivotality `Π p_j`.
    WeakestLink,
    /// Game 3: Bush–Mosteller pairs in a 2×2 dilemma (Macy & Flache's rule or the city's).
    BushMosteller,
    /// Game 4: conditional cooperation in a repeated linear public goods game.
    ConditionalPgg,
}

impl GameKind {
    pub const ALL: [GameKind; 7] = [
        GameKind::NowakMay,
        GameKind::SpatialPgg,
        GameKind::WellMixed,
        GameKind::LogitPgg,
        GameKind::WeakestLink,
        GameKind::BushMosteller,
        GameKind::ConditionalPgg,
    ];

    /// The name scenario files use (`[game] kind = ...`).
    pub fn name(self) -> &'static str {
        match self {
            GameKind::NowakMay => "nowak_may",
            GameKind::SpatialPgg => "spatial_pgg",
            GameKind::WellMixed => "well_mixed",
            GameKind::LogitPgg => "logit_pgg",
            GameKind::WeakestLink => "weakest_link",
            GameKind::BushMosteller => "bush_mosteller",
            GameKind::ConditionalPgg => "conditional_pgg",
        }
    }

    /// The game's parameter table (`[game]` keys besides `kind`), declared in its own file.
    pub fn keys(self) -> &'static [GameKey] {
        match self {
            GameKind::NowakMay => nowak_may::KEYS,
            GameKind::SpatialPgg => spatial_pgg::KEYS,
            GameKind::WellMixed => well_mixed::KEYS,
            GameKind::LogitPgg => logit_game::LINEAR_KEYS,
            GameKind::WeakestLink => logit_game::WEAKEST_LINK_KEYS,
            GameKind::BushMosteller => bush_mosteller_pd::KEYS,
            GameKind::ConditionalPgg => conditional_pgg::KEYS,
        }
    }

    /// The game that checked values of its table describe (the game's own `spec`).
    pub fn spec(self, values: &Values) -> Result<GameSpec, Refusal> {
        match self {
            GameKind::NowakMay => nowak_may::spec(values),
            GameKind::SpatialPgg => spatial_pgg::spec(values),
            GameKind::WellMixed => well_mixed::spec(values),
            GameKind::LogitPgg => logit_game::linear_spec(values),
            GameKind::WeakestLink => logit_game::weakest_link_spec(values),
            GameKind::BushMosteller => bush_mosteller_pd::spec(values),
            GameKind::ConditionalPgg => conditional_pgg::spec(values),
        }
    }

    /// What one step of the game is called.
    pub fn step_name(self) -> &'static str {
        match self {
            GameKind::NowakMay => "generation",
            GameKind::SpatialPgg | GameKind::WellMixed => "MCS",
            _ => "round",
        }
    }

    /// The same in the plural, for "N steps".
    pub fn steps_name(self) -> &'static str {
        match self {
            GameKind::NowakMay => "generations",
            GameKind::SpatialPgg | GameKind::WellMixed => "MCS",
            _ => "rounds",
        }
    }

    /// Whether a step is a round of choices (the games of the city's decision rule, whose
    /// series starts at round 1) rather than an imitation step from an initial state (step 0).
    pub fn plays_rounds(self) -> bool {
        self.step_name() == "round"
    }
}

/// The city's defaults (`behaviour.*` in `model/params.rs`) the games of its decision rule start
/// from, as constants so that the games' key tables can use them as defaults; a unit test holds
/// them equal to the parameter table.
pub mod city {
    /// `behaviour.choice_temperature`: the logit temperature β.
    pub const CHOICE_TEMPERATURE: f64 = 0.5;
    /// `behaviour.trust_gain_rate` = `behaviour.trust_loss_rate`: how fast beliefs move.
    pub const TRUST_RATE: f64 = 0.05;
    /// `behaviour.habit_rate`.
    pub const HABIT_RATE: f64 = 0.1;
    /// `behaviour.habit_forgetting`.
    pub const HABIT_FORGETTING: f64 = 0.1;
    /// `behaviour.aspiration_rate`.
    pub const ASPIRATION_RATE: f64 = 0.05;
    /// `behaviour.public_benefit`.
    pub const PUBLIC_BENEFIT: f64 = 4.0;
    /// `behaviour.motivation_mean`.
    pub const MOTIVATION_MEAN: f64 = 0.6;
    /// `behaviour.value_angle_sd`.
    pub const VALUE_ANGLE_SD: f64 = 0.6;
    /// `behaviour.free_rider_share`.
    pub const FREE_RIDER_SHARE: f64 = 0.3;
}

/// The type, range and default of one `[game]` key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyKind {
    Int {
        lo: i64,
        hi: i64,
        default: i64,
    },
    Float {
        lo: f64,
        hi: f64,
        default: f64,
    },
    Choice {
        options: &'static [&'static str],
        default: &'static str,
    },
    /// A lattice file of `0`/`1` lines; optional, no default.
    LatticeFile,
}

/// One key of a game's parameter table (the `[game]` table of its scenarios). Each game
/// declares its table in its own file (`KEYS`); the scenario loader checks every key against it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GameKey {
    pub key: &'static str,
    pub kind: KeyKind,
    pub en: &'static str,
    pub zh: &'static str,
}

/// Largest lattice side a scenario may ask for (10⁸ sites, a few hundred MB).
pub const MAX_SIDE: i64 = 10_000;

/// Largest population of a game of the city's decision rule (a few hundred MB of beliefs).
pub const MAX_AGENTS: i64 = 10_000_000;

/// Refuses a population that does not split into groups of `group`.
pub fn whole_groups(agents: usize, group: usize) -> Result<(), Refusal> {
    if agents % group == 0 {
        Ok(())
    } else {
        Err(Refusal {
            key: "agents",
            message: format!(
                "must be a multiple of the group size {group}, got {agents} (try {})",
                (agents / group).max(1) * group
            ),
        })
    }
}

impl GameKey {
    /// `L`, the side of a lattice game, defaulting to `default`.
    pub const fn side(default: i64) -> GameKey {
        GameKey {
            key: "L",
            kind: KeyKind::Int {
                lo: lattice::MIN_SIDE as i64,
                hi: MAX_SIDE,
                default,
            },
            en: "lattice side (torus of L×L sites); ignored in favour of the file's size when init is given",
            zh: "格子边长（L×L 周期格子）；给出 init 时以文件为准",
        }
    }

    /// `p0`, the initial cooperator probability of a site, defaulting to `default`.
    pub const fn site_p0(default: f64) -> GameKey {
        GameKey {
            key: "p0",
            kind: KeyKind::Float {
                lo: 0.0,
                hi: 1.0,
                default,
            },
            en: "initial cooperator probability per site",
            zh: "初始合作者概率",
        }
    }

    /// `K`, the noise of a Fermi imitation rule (0.001..=100, default 0.5), with its meaning
    /// in this game.
    pub const fn fermi_noise(en: &'static str, zh: &'static str) -> GameKey {
        GameKey {
            key: "K",
            kind: KeyKind::Float {
                lo: 0.001,
                hi: 100.0,
                default: 0.5,
            },
            en,
            zh,
        }
    }

    /// `beta`, the logit temperature of a game of the city's decision rule (default the city's).
    pub const CHOICE_TEMPERATURE: GameKey = GameKey {
        key: "beta",
        kind: KeyKind::Float {
            lo: 0.01,
            hi: 10.0,
            default: city::CHOICE_TEMPERATURE,
        },
        en: "logit temperature β, in units of the cost of a contribution (the city's behaviour.choice_temperature)",
        zh: "logit 选择温度 β，以一次贡献的成本为单位（城市模型的 behaviour.choice_temperature）",
    };

    /// `agents`, the members of a population rematched into groups every round.
    pub const fn agents(default: i64) -> GameKey {
        GameKey {
            key: "agents",
            kind: KeyKind::Int {
                lo: 2,
                hi: MAX_AGENTS,
                default,
            },
            en: "members, rematched into random groups every round (a multiple of the group size)",
            zh: "成员人数，每轮随机重新分组（须为小组人数的整数倍）",
        }
    }

    /// `belief_rate`, how fast a member's belief moves toward what its partners did.
    pub const BELIEF_RATE: GameKey = GameKey {
        key: "belief_rate",
        kind: KeyKind::Float {
            lo: 0.0,
            hi: 1.0,
            default: city::TRUST_RATE,
        },
        en: "rate at which a belief moves toward the partners' observed contribution rate (kernel::update_trust, equal gain and loss; the city's trust rate)",
        zh: "信念向同组伙伴实际贡献率调整的速度（kernel::update_trust，升降同速；城市模型的信任更新率）",
    };

    /// `start_belief`, every member's belief before round 1.
    pub const fn start_belief(default: f64) -> GameKey {
        GameKey {
            key: "start_belief",
            kind: KeyKind::Float {
                lo: 0.0,
                hi: 1.0,
                default,
            },
            en: "every member's belief, before round 1, that a partner contributes",
            zh: "第 1 轮前每名成员认为伙伴会贡献的概率",
        }
    }

    /// `init`, the initial lattice file of a lattice game.
    pub const INIT: GameKey = GameKey {
        key: "init",
        kind: KeyKind::LatticeFile,
        en: "initial lattice file (L lines of 0/1, 1 = cooperator; the peers' --init-out), relative to the scenario file",
        zh: "初始格局文件（L 行 0/1，1 为合作者），相对情景文件",
    };
}

/// A checked value of a game's table.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    Int(i64),
    Float(f64),
    Text(String),
}

/// The checked values of one game's table, defaults filled in, as the game's `spec` reads
/// them; an initial lattice read from a file comes separately.
pub struct Values {
    keys: &'static [GameKey],
    given: Vec<Option<KeyValue>>,
    init: Option<Lattice>,
}

impl Values {
    /// `given[i]` is the value of `keys[i]` when the scenario set it.
    pub fn new(
        keys: &'static [GameKey],
        given: Vec<Option<KeyValue>>,
        init: Option<Lattice>,
    ) -> Values {
        debug_assert_eq!(keys.len(), given.len());
        Values { keys, given, init }
    }

    fn index(&self, key: &str) -> usize {
        self.keys
            .iter()
            .position(|k| k.key == key)
            .expect("a key of the game's own table")
    }

    /// Whether the scenario set `key` (rather than leaving its default).
    pub fn given(&self, key: &str) -> bool {
        self.given[self.index(key)].is_some()
    }

    fn value(&self, key: &str) -> KeyValue {
        let i = self.index(key);
        self.given[i].clone().unwrap_or(match self.keys[i].kind {
            KeyKind::Int { default, .. } => KeyValue::Int(default),
            KeyKind::Float { default, .. } => KeyValue::Float(default),
            KeyKind::Choice { default, .. } => KeyValue::Text(default.to_string()),
            KeyKind::LatticeFile => unreachable!("a lattice file has no value but the lattice"),
        })
    }

    pub fn int(&self, key: &str) -> i64 {
        match self.value(key) {
            KeyValue::Int(i) => i,
            other => unreachable!("{key} checked as an integer: {other:?}"),
        }
    }

    pub fn float(&self, key: &str) -> f64 {
        match self.value(key) {
            KeyValue::Float(x) => x,
            other => unreachable!("{key} checked as a number: {other:?}"),
        }
    }

    pub fn text(&self, key: &str) -> String {
        match self.value(key) {
            KeyValue::Text(t) => t,
            other => unreachable!("{key} checked as a string: {other:?}"),
        }
    }

    /// The side and initial lattice of a lattice game whose side is `side_key`: an `init`
    /// lattice fixes the side, and a side given beside it must agree.
    pub fn lattice(&self, side_key: &'static str) -> Result<(usize, Option<Lattice>), Refusal> {
        let side = self.int(side_key);
        match &self.init {
            Some(l) if self.given(side_key) && side as usize != l.side() => Err(Refusal {
                key: side_key,
                message: format!(
                    "is {side} but the init file is a {}×{} lattice; drop {side_key} or make them agree",
                    l.side(),
                    l.side()
                ),
            }),
            Some(l) => Ok((l.side(), Some(l.clone()))),
            None => Ok((side as usize, None)),
        }
    }
}

/// Why a game refuses values that each pass their key's range: the key to blame and what is
/// wrong (the loader adds the file and line).
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub key: &'static str,
    pub message: String,
}

/// A fully specified game (validated by the scenario loader): everything but the seed and the
/// number of steps.
#[derive(Clone, Debug, PartialEq)]
pub enum GameSpec {
    NowakMay {
        side: usize,
        b: f64,
        p0: f64,
        /// Start here instead of drawing a lattice with `p0`.
        init: Option<Lattice>,
    },
    SpatialPgg {
        side: usize,
        params: PggParams,
        p0: f64,
        init: Option<Lattice>,
    },
    WellMixed {
        params: WellMixedParams,
        p0: f64,
    },
    /// The linear public goods game or the weakest link (`spec.good` tells which).
    Logit(LogitSpec),
    BushMosteller(PairsSpec),
    ConditionalPgg(ConditionalSpec),
}

impl GameSpec {
    pub fn kind(&self) -> GameKind {
        match self {
            GameSpec::NowakMay { .. } => GameKind::NowakMay,
            GameSpec::SpatialPgg { .. } => GameKind::SpatialPgg,
            GameSpec::WellMixed { .. } => GameKind::WellMixed,
            GameSpec::Logit(s) => match s.good {
                Good::Linear { .. } => GameKind::LogitPgg,
                Good::WeakestLink { .. } => GameKind::WeakestLink,
            },
            GameSpec::BushMosteller(_) => GameKind::BushMosteller,
            GameSpec::ConditionalPgg(_) => GameKind::ConditionalPgg,
        }
    }

    /// The values of the game's table that describe this game, in table order (`init`, a
    /// lattice, is not among them): the inverse of `GameKind::spec`.
    pub fn values(&self) -> Vec<(&'static str, KeyValue)> {
        match self {
            GameSpec::NowakMay { side, b, p0, .. } => nowak_may::values(*side, *b, *p0),
            GameSpec::SpatialPgg {
                side, params, p0, ..
            } => spatial_pgg::values(*side, params, *p0),
            GameSpec::WellMixed { params, p0 } => well_mixed::values(params, *p0),
            GameSpec::Logit(s) => logit_game::values(s),
            GameSpec::BushMosteller(s) => bush_mosteller_pd::values(s),
            GameSpec::ConditionalPgg(s) => conditional_pgg::values(s),
        }
    }

    /// The lattice side of a lattice game.
    pub fn lattice_side(&self) -> Option<usize> {
        match self {
            GameSpec::NowakMay { side, .. } | GameSpec::SpatialPgg { side, .. } => Some(*side),
            _ => None,
        }
    }

    /// The initial lattice given explicitly, if any.
    pub fn initial_lattice(&self) -> Option<&Lattice> {
        match self {
            GameSpec::NowakMay { init, .. } | GameSpec::SpatialPgg { init, .. } => init.as_ref(),
            _ => None,
        }
    }

    /// Starts a lattice game from `lattice` (its side becomes the game's side).
    pub fn set_initial_lattice(&mut self, lattice: Lattice) {
        match self {
            GameSpec::NowakMay { side, init, .. } | GameSpec::SpatialPgg { side, init, .. } => {
                *side = lattice.side();
                *init = Some(lattice);
            }
            _ => {}
        }
    }

    /// Players in the game.
    pub fn players(&self) -> usize {
        match self {
            GameSpec::NowakMay { side, .. } | GameSpec::SpatialPgg { side, .. } => side * side,
            GameSpec::WellMixed { params, .. } => params.population,
            GameSpec::Logit(s) => s.agents,
            GameSpec::BushMosteller(s) => 2 * s.pairs,
            GameSpec::ConditionalPgg(s) => s.agents,
        }
    }
}

use crate::model::rng::Stream;

/// Unit ids that key the games' random streams (`model::rng::stream`): far above any
/// organisation or grid id, one per game, so no two games and no city unit share numbers.
pub(crate) const NOWAK_MAY_UNIT: u64 = u64::MAX - 0x4E4D;
pub(crate) const SPATIAL_PGG_UNIT: u64 = u64::MAX - 0x5047;
pub(crate) const WELL_MIXED_UNIT: u64 = u64::MAX - 0x574D;
pub(crate) const LOGIT_GAME_UNIT: u64 = u64::MAX - 0x4C47;
pub(crate) const BUSH_MOSTELLER_UNIT: u64 = u64::MAX - 0x424D;
pub(crate) const CONDITIONAL_UNIT: u64 = u64::MAX - 0x4343;

/// The kernel functions the docking games of the city's decision rule call, held as values so
/// that a test can hand a game a deliberately broken one and see its check fail. Outside that
/// test the games always get [`KernelFns::CITY`], the very functions the city calls.
#[derive(Clone, Copy, Debug)]
pub struct KernelFns {
    pub pivotality: fn(&[f64], &[f64], usize, f64) -> f64,
    pub ces_aggregate: fn(&[f64], &[f64], f64) -> f64,
    pub logit_probabilities:
        fn(&[f64; kernel::N_ACTIONS], &[f64; kernel::N_ACTIONS], f64) -> [f64; kernel::N_ACTIONS],
    pub draw_action: fn(&[f64; kernel::N_ACTIONS], f64) -> kernel::Action,
    pub update_trust: fn(f64, f64, f64, f64) -> f64,
    pub bush_mosteller:
        fn(&mut [f64; kernel::N_ACTIONS], kernel::Action, f64, f64, f64, f64) -> f64,
    pub forget_habits: fn(&mut [f64; kernel::N_ACTIONS], f64),
    pub conditional_weight: fn(f64, f64) -> f64,
}

impl KernelFns {
    /// The functions `model::collaboration` and `model::tick` call.
    pub const CITY: KernelFns = KernelFns {
        pivotality: kernel::pivotality,
        ces_aggregate: kernel::ces_aggregate,
        logit_probabilities: kernel::logit_probabilities,
        draw_action: kernel::draw_action,
        update_trust: kernel::update_trust,
        bush_mosteller: kernel::bush_mosteller,
        forget_habits: kernel::forget_habits,
        conditional_weight: kernel::conditional_weight,
    };
}

/// The total payoff a member of a linear public good receives per unit of benefit when `n` of
/// the `group` inputs it shares in are contributed: the kernel's linear aggregate with unit
/// weights over `n` ones and `group − n` zeros, i.e. exactly `n`. Index `n` in `0..=group`.
pub fn contributed_units(group: usize) -> Vec<f64> {
    let weights = vec![1.0; group];
    let mut delivered = vec![0.0; group];
    (0..=group)
        .map(|n| {
            delivered.iter_mut().enumerate().for_each(|(j, y)| {
                *y = if j < n { 1.0 } else { 0.0 };
            });
            kernel::linear_aggregate(&weights, &delivered)
        })
        .collect()
}

/// A uniform number in `[0, 1)` from the top 53 bits of `bits` (the same mapping rand uses).
#[inline]
pub fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n > 0`) by Lemire's multiply-and-reject method: unbiased, and
/// it almost never needs a second draw. Written out here rather than taken from rand so that
/// the games' trajectories do not depend on how a rand release samples ranges.
#[inline]
pub fn below(rng: &mut Stream, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Params;
    use crate::model::rng::{stream, Purpose};

    #[test]
    fn the_city_constants_are_the_parameter_defaults() {
        let b = Params::default().behaviour;
        assert_eq!(city::CHOICE_TEMPERATURE, b.choice_temperature);
        assert_eq!(city::TRUST_RATE, b.trust_gain_rate);
        assert_eq!(city::TRUST_RATE, b.trust_loss_rate);
        assert_eq!(city::HABIT_RATE, b.habit_rate);
        assert_eq!(city::HABIT_FORGETTING, b.habit_forgetting);
        assert_eq!(city::ASPIRATION_RATE, b.aspiration_rate);
        assert_eq!(city::PUBLIC_BENEFIT, b.public_benefit);
        assert_eq!(city::MOTIVATION_MEAN, b.motivation_mean);
        assert_eq!(city::VALUE_ANGLE_SD, b.value_angle_sd);
        assert_eq!(city::FREE_RIDER_SHARE, b.free_rider_share);
    }

    #[test]
    fn contributed_units_are_exact_counts() {
        for g in [5, 9, 25] {
            let t = contributed_units(g);
            assert_eq!(t.len(), g + 1);
            for (n, v) in t.iter().enumerate() {
                assert_eq!(*v, n as f64);
            }
        }
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = stream(1, 0, 0, Purpose::Setup);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_400..10_600).contains(&c)),
            "{counts:?}"
        );
        assert!((0..1000).all(|_| unit_interval(rng.next_u64()) < 1.0));
    }
}
