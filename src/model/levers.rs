//! Lever-derived quantities for one tick (ODD §7, MODEL §6).
//!
//! Every lever of MODEL §6 is turned here into the numbers the process steps read: capacity
//! multipliers, authority thresholds, attention slots, detection hazards, credit weights and
//! the per-tick cost of running the lever. Computing them once per tick keeps the hot loops
//! free of lever logic and puts each lever's causal path in one readable place.

use super::entities::{ActorKind, Level, Org};
use super::params::{ParamValue, Params};
use super::roles::RoleWeek;
use super::world::{Ramps, World};

/// Organisation and unit counts the lever costs scale with.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub grids: u64,
    pub government_orgs: u64,
    pub nongov_orgs: u64,
    pub districts: u64,
    pub department_to_nongov_capacity: f64,
    /// Base capacity of all government bodies: the pool the budget is drawn from.
    pub government_capacity: f64,
}

impl World {
    /// The counts lever costs scale with, tallied once when the world is built.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Tallies `counts` from the organisations (`World::new`).
    pub(crate) fn tally(&self) -> Counts {
        let mut c = Counts {
            grids: self.n_grids,
            districts: self.districts.len() as u64,
            ..Counts::default()
        };
        c.department_to_nongov_capacity = self.department_to_nongov_capacity;
        let orgs = self
            .city
            .orgs
            .iter()
            .chain(self.districts.iter().flat_map(|d| &d.orgs));
        for o in orgs {
            if o.kind.is_government() {
                c.government_orgs += 1;
                c.government_capacity += o.base_capacity;
            } else {
                c.nongov_orgs += 1;
            }
        }
        c
    }
}

/// ψ from the type shares of an organisation's staff. Free riders value progress not at all;
/// their share is already in the organisation's motivation `m` (an aggregate over its staff),
/// so ψ is the conditional cooperators' share of the public-spirited rest.
pub fn conditionality(conditional_share: f64, free_rider_share: f64) -> f64 {
    let public_spirited = 1.0 - free_rider_share;
    if public_spirited <= 0.0 {
        0.0
    } else {
        (conditional_share / public_spirited).min(1.0)
    }
}

/// Numbers derived from the parameters and the ramps at the start of a tick.
#[derive(Clone, Debug)]
pub struct Effective {
    pub tick: u32,
    /// Capacity multipliers by role.
    pub grassroots_capacity: f64,
    pub upper_capacity: f64,
    pub department_capacity: f64,
    pub nongov_capacity: f64,
    /// Shares of capacity the programmes take (`capacity_of`, `programme_cost_of`):
    /// rule-of-law enforcement of departments', the value and trust-culture programmes of
    /// everyone's.
    pub enforcement_share: f64,
    pub value_programme_share: f64,
    pub trust_culture_share: f64,
    /// Share of a block authority's capacity its party committee spends coordinating (ODD §9.10).
    pub party_core_share: f64,
    /// Share of every government body's capacity that pays the week's money costs of levers
    /// (ODD §7.7: one budget).
    pub budget_share: f64,
    /// Share of grassroots government capacity eaten by paperwork (trace evaluation).
    pub paperwork_share: f64,
    /// Authority threshold (severity) by level number 1..=5 (index 0 unused).
    pub authority: [f64; 6],
    /// Attention slots of a superior at level number 1..=4 for watching.
    pub attention_slots: [f64; 6],
    /// Slots a superior at level number 1..=4 holds, for watching and look-back reviews
    /// together: what its attention costs it.
    pub attention_held: [f64; 6],
    /// Of the city's slots, what each district's L2 issues get and what front-line command keeps.
    pub city_slots_per_district: f64,
    pub city_command_slots: f64,
    pub progress_rate: f64,
    /// ψ: the share of an organisation's intrinsic value of progress that is conditional on
    /// what its partners are expected to deliver (ODD §7.6.5).
    pub conditionality: f64,
    pub sanction: f64,
    pub policy_conflict_q: f64,
    pub attribution: f64,
    pub symbolic_cover: f64,
    pub nongov_credit: f64,
    pub observation: f64,
    pub discovery_gain: f64,
    pub report_gain: f64,
    pub arrival_gain: f64,
    pub resistance_factor: f64,
    pub trust_gain_rate: f64,
    pub formation_delay: f64,
    pub grassroots_motivation_bonus: f64,
    pub review_tick: bool,
    pub attention_cost: f64,
    /// Effort units of lever running costs that do not depend on what happens this tick.
    pub fixed_programme_cost: f64,
    pub fixed_oversight_cost: f64,
    /// The organisations people play this week and their choices (role play; empty in a
    /// model-only run).
    pub roles: RoleWeek,
}

impl Effective {
    pub fn new(p: &Params, ramps: &Ramps, tick: u32, counts: &Counts) -> Effective {
        let n_grids = counts.grids;
        let n_districts = counts.districts;
        let dept_to_nongov = counts.department_to_nongov_capacity;
        let cap = &p.capacity;
        let l = &p.costs;
        let emp = p.institutions.grassroots_empowerment;
        let paperwork_share = l.trace_paperwork * (1.0 - p.motivation.performance_evaluation);
        let authority_gain = 1.0 + emp * l.empowerment_capacity;
        let review_tick = p.motivation.lookback_interval_ticks > 0
            && tick % p.motivation.lookback_interval_ticks == 0;
        // Superiors' attention: the lever, minus what reviews and party coordination take.
        let held_mult =
            p.tools.superior_attention * (1.0 - p.institutions.party_core * l.party_core_attention);
        let mut attention_mult = held_mult;
        if review_tick {
            attention_mult *= 1.0 - p.motivation.lookback_strength * l.lookback_attention;
        }
        let city_slots = cap.attention_city * attention_mult;
        let command_share = if p.capability.city_front_line_command {
            l.city_command_attention
        } else {
            0.0
        };
        let city_command_slots = city_slots * command_share;
        let city_slots_per_district =
            city_slots * (1.0 - command_share) / n_districts.max(1) as f64;

        let rol = p.capability.rule_of_law * l.rule_of_law_gain;
        let sharing = p.process.information_sharing;
        let systems = p.capability.intelligent_systems * l.systems_gain;
        let nongov_orgs = counts.nongov_orgs as f64;
        let gov_orgs = counts.government_orgs as f64;

        let fixed_programme_cost =
            p.capability.socialisation * l.socialisation_funding * nongov_orgs
                + p.capability.intelligent_systems * l.systems_cost * n_grids as f64
                + p.capability.professionalism * l.professionalism_cost * gov_orgs
                + sharing * l.sharing_cost * n_grids as f64;
        let fixed_oversight_cost =
            p.tools.discipline_inspection * l.inspection_cost * n_districts as f64
                + p.tools.third_party_evaluation * l.evaluation_fee * (gov_orgs + nongov_orgs);
        let budget_share = if counts.government_capacity > 0.0 {
            ((fixed_programme_cost + fixed_oversight_cost) / counts.government_capacity).min(1.0)
        } else {
            0.0
        };

        let enforcement_share = p.capability.rule_of_law * l.rule_of_law_enforcement;
        Effective {
            tick,
            grassroots_capacity: 1.0 + emp * l.empowerment_capacity,
            upper_capacity: 1.0 - emp * l.empowerment_upper_cost,
            department_capacity: (1.0 - ramps.platform_government * l.platform_transfer)
                * (1.0 - enforcement_share),
            nongov_capacity: (1.0 + p.capability.socialisation * l.socialisation_gain)
                * (1.0 + ramps.platform_government * l.platform_transfer * dept_to_nongov),
            enforcement_share,
            value_programme_share: p.motivation.value_programme * l.value_programme_capacity,
            trust_culture_share: p.motivation.trust_culture * l.trust_culture_capacity,
            budget_share,
            party_core_share: p.institutions.party_core * l.party_core_attention,
            paperwork_share,
            authority: [
                0.0,
                f64::INFINITY,
                cap.district_authority,
                cap.street_authority * authority_gain,
                cap.community_authority * authority_gain,
                cap.grid_authority * authority_gain,
            ],
            attention_slots: [
                0.0,
                city_slots,
                cap.attention_district * attention_mult,
                cap.attention_street * attention_mult,
                cap.attention_community * attention_mult,
                0.0,
            ],
            attention_held: [
                0.0,
                cap.attention_city * held_mult,
                cap.attention_district * held_mult,
                cap.attention_street * held_mult,
                cap.attention_community * held_mult,
                0.0,
            ],
            city_slots_per_district,
            city_command_slots,
            progress_rate: cap.progress_rate
                * (1.0 + p.capability.professionalism * l.professionalism_gain),
            conditionality: conditionality(
                p.behaviour.conditional_share,
                p.behaviour.free_rider_share,
            ),
            sanction: p.behaviour.sanction * (1.0 + rol),
            policy_conflict_q: p.behaviour.policy_conflict_q
                * (1.0 - p.process.deliberation * l.deliberation_conflict)
                * (1.0 - p.institutions.party_core * l.party_core_conflict),
            attribution: p.motivation.responsibility_lists
                + (1.0 - p.motivation.responsibility_lists) * p.process.operating_constraints,
            symbolic_cover: (1.0 - p.motivation.performance_evaluation)
                + p.motivation.performance_evaluation * p.behaviour.symbolic_cover_performance,
            nongov_credit: l.nongov_credit_hierarchy
                + (1.0 - l.nongov_credit_hierarchy) * ramps.equal_partnership,
            observation: (p.behaviour.observation_base
                + (1.0 - p.behaviour.observation_base)
                    * (0.7 * sharing + 0.3 * p.capability.intelligent_systems).min(1.0))
            .min(1.0),
            discovery_gain: 1.0 + systems,
            report_gain: 1.0 + 0.5 * systems + 0.5 * sharing,
            arrival_gain: 1.0 + sharing * l.sharing_demand,
            resistance_factor: (1.0 - p.process.negotiation * l.negotiation_effect)
                * (1.0 - (0.5 * rol).min(1.0)),
            trust_gain_rate: p.behaviour.trust_gain_rate
                * (1.0 + ramps.trust_culture * l.trust_culture_gain),
            formation_delay: p.behaviour.formation_delay_ticks * (1.0 - p.institutions.party_core),
            grassroots_motivation_bonus: emp * l.empowerment_motivation,
            review_tick,
            attention_cost: l.attention_cost,
            fixed_programme_cost,
            fixed_oversight_cost,
            roles: RoleWeek::default(),
        }
    }

    /// True for the units grassroots empowerment strengthens (L3–L5 government).
    pub fn is_grassroots(org: &Org) -> bool {
        org.kind.is_government() && org.level >= Level::Street
    }

    /// Capacity of `org` this tick after every lever that moves capacity.
    pub fn capacity_of(&self, org: &Org) -> f64 {
        let mut c = self.after_programmes(org);
        match org.kind {
            ActorKind::Enterprise | ActorKind::SocialOrg => c *= self.nongov_capacity,
            ActorKind::Department => c *= self.department_capacity * self.upper_capacity,
            ActorKind::Block | ActorKind::GridTeam => {
                if org.level >= Level::Street {
                    c *= self.grassroots_capacity * (1.0 - self.paperwork_share);
                } else {
                    c *= self.upper_capacity;
                }
            }
        }
        (c - self.attention_cost_of(org)).max(0.0)
    }

    /// What holding its attention slots costs a superior this tick (ODD §7.5).
    pub fn attention_cost_of(&self, org: &Org) -> f64 {
        if org.kind == ActorKind::Block {
            self.attention_held[org.level.number()] * self.attention_cost
        } else {
            0.0
        }
    }

    /// Base capacity less what the programmes, the budget and (in block authorities) party
    /// coordination take.
    fn after_programmes(&self, org: &Org) -> f64 {
        let mut c = org.base_capacity
            * (1.0 - self.value_programme_share)
            * (1.0 - self.trust_culture_share);
        if org.kind.is_government() {
            c *= 1.0 - self.budget_share;
        }
        if org.kind == ActorKind::Block {
            c *= 1.0 - self.party_core_share;
        }
        c
    }

    /// Effort units a week the capacity-share programmes take from `org`, reported as programme
    /// cost: rule-of-law enforcement (departments), the value and trust-culture programmes
    /// (everyone) and party coordination (block authorities), each on base capacity.
    pub fn programme_cost_of(&self, org: &Org) -> f64 {
        let mut share = 0.0;
        if org.kind == ActorKind::Department {
            share += self.enforcement_share;
        }
        share += self.value_programme_share + self.trust_culture_share;
        if org.kind == ActorKind::Block {
            share += self.party_core_share;
        }
        org.base_capacity * share
    }

    /// Capacity lost to paperwork (reported as paperwork cost).
    pub fn paperwork_of(&self, org: &Org) -> f64 {
        if Self::is_grassroots(org) {
            self.after_programmes(org) * self.grassroots_capacity * self.paperwork_share
        } else {
            0.0
        }
    }
}

/// One lever of MODEL §6 at a strong setting: what `cogov levers` and the lever audit switch on
/// against a base scenario. Its meaning, channel and cost are the description of `key` in the
/// parameter table (`params.rs`), so they are written once. `set` includes the levers it works
/// through (`inert_levers`).
#[derive(Clone, Copy, Debug)]
pub struct LeverSetting {
    pub key: &'static str,
    pub set: &'static [(&'static str, ParamValue)],
}

const fn strong(key: &'static str, set: &'static [(&'static str, ParamValue)]) -> LeverSetting {
    LeverSetting { key, set }
}

/// Every lever of MODEL §6, in the order of the parameter table's lever sections.
pub const LEVER_SETTINGS: &[LeverSetting] = {
    use ParamValue::{Bool, Float, Int};
    &[
        strong(
            "capability.city_front_line_command",
            &[("capability.city_front_line_command", Bool(false))],
        ),
        strong(
            "capability.socialisation",
            &[("capability.socialisation", Float(1.0))],
        ),
        strong(
            "capability.intelligent_systems",
            &[("capability.intelligent_systems", Float(1.0))],
        ),
        strong(
            "capability.rule_of_law",
            &[("capability.rule_of_law", Float(1.0))],
        ),
        strong(
            "capability.professionalism",
            &[("capability.professionalism", Float(1.0))],
        ),
        strong(
            "motivation.value_programme",
            &[("motivation.value_programme", Float(1.0))],
        ),
        strong(
            "motivation.trust_culture",
            &[("motivation.trust_culture", Float(1.0))],
        ),
        strong(
            "motivation.equal_partnership",
            &[("motivation.equal_partnership", Float(1.0))],
        ),
        strong(
            "motivation.incentive_compatibility",
            &[("motivation.incentive_compatibility", Float(0.8))],
        ),
        strong(
            "motivation.responsibility_lists",
            &[("motivation.responsibility_lists", Float(1.0))],
        ),
        strong(
            "motivation.performance_evaluation",
            &[("motivation.performance_evaluation", Float(1.0))],
        ),
        strong(
            "motivation.lookback_interval_ticks",
            &[("motivation.lookback_interval_ticks", Int(13))],
        ),
        strong(
            "institutions.grassroots_empowerment",
            &[("institutions.grassroots_empowerment", Float(1.0))],
        ),
        strong(
            "institutions.party_core",
            &[("institutions.party_core", Float(1.0))],
        ),
        strong(
            "institutions.platform_government",
            &[("institutions.platform_government", Float(1.0))],
        ),
        strong(
            "institutions.block_led",
            &[("institutions.block_led", Bool(true))],
        ),
        strong(
            "institutions.limited_territorial_liability",
            &[
                ("institutions.block_led", Bool(true)),
                ("institutions.limited_territorial_liability", Bool(true)),
            ],
        ),
        strong(
            "tools.superior_attention",
            &[("tools.superior_attention", Float(2.0))],
        ),
        strong(
            "tools.discipline_inspection",
            &[("tools.discipline_inspection", Float(0.1))],
        ),
        strong(
            "tools.media_pressure",
            &[("tools.media_pressure", Float(0.1))],
        ),
        strong(
            "tools.third_party_evaluation",
            &[("tools.third_party_evaluation", Float(0.1))],
        ),
        strong(
            "process.deliberation",
            &[("process.deliberation", Float(1.0))],
        ),
        strong(
            "process.negotiation",
            &[("process.negotiation", Float(1.0))],
        ),
        strong(
            "process.information_sharing",
            &[("process.information_sharing", Float(1.0))],
        ),
        strong(
            "process.operating_constraints",
            &[("process.operating_constraints", Float(1.0))],
        ),
        strong(
            "process.whistle_and_report",
            &[
                ("institutions.block_led", Bool(true)),
                ("process.whistle_and_report", Bool(true)),
            ],
        ),
        strong(
            "process.township_evaluation",
            &[
                ("institutions.block_led", Bool(true)),
                ("process.whistle_and_report", Bool(true)),
                ("process.township_evaluation", Bool(true)),
            ],
        ),
    ]
};

/// A lever switched on that does nothing because it works through another lever that is off
/// (MODEL §11.5: such a combination is warned about, never silently run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InertLever {
    /// The key that has no effect.
    pub key: &'static str,
    /// The key it needs switched on.
    pub needs: &'static str,
}

/// The levers of `p` that are on but inert, in a fixed order.
pub fn inert_levers(p: &Params) -> Vec<InertLever> {
    let mut out = Vec::new();
    let block_led = p.institutions.block_led;
    if p.process.whistle_and_report && !block_led {
        // Only a block lead can summon departments (`collaboration::summon`).
        out.push(InertLever {
            key: "process.whistle_and_report",
            needs: "institutions.block_led",
        });
    }
    if p.institutions.limited_territorial_liability && !block_led {
        // It bounds the territorial liability that block-led management creates (ODD §7.6.7).
        out.push(InertLever {
            key: "institutions.limited_territorial_liability",
            needs: "institutions.block_led",
        });
    }
    if p.process.township_evaluation && !(block_led && p.process.whistle_and_report) {
        // Townships evaluate the departments they summon, and only those.
        out.push(InertLever {
            key: "process.township_evaluation",
            needs: "process.whistle_and_report",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lever that works through another is reported inert exactly while that one is off.
    #[test]
    fn levers_that_need_another_are_inert_without_it() {
        let mut p = Params::default();
        assert!(inert_levers(&p).is_empty());
        p.process.whistle_and_report = true;
        p.process.township_evaluation = true;
        p.institutions.limited_territorial_liability = true;
        let keys: Vec<&str> = inert_levers(&p).iter().map(|l| l.key).collect();
        assert_eq!(
            keys,
            [
                "process.whistle_and_report",
                "institutions.limited_territorial_liability",
                "process.township_evaluation"
            ]
        );
        p.institutions.block_led = true;
        assert!(inert_levers(&p).is_empty());
    }
}
