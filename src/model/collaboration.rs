//! The collaboration game on one set of issues (MODEL §3 steps 3–5 and 7–8, §4; ODD §7.3–7.6).
//!
//! For every workable issue: build the coalition it requires, let each organisational member
//! choose substantive work, symbolic work or shirking (logit over dimensionless utilities plus
//! habit), ration every actor's capacity over the tasks it chose, turn delivered inputs into
//! progress, then let members learn from what they got. The same code runs a district's issues
//! in the parallel district phase and the city's issues in the city phase, through `Pools`.

use rand::Rng;
use rayon::prelude::*;

use super::entities::*;
use super::levers::Effective;
use super::params::Params;
use super::queue::{descending, BucketQueue};
use super::rng::Stream;
use super::roles::RoleTask;
use super::stats::TickStats;
use super::world::{District, Layout};
use crate::games::kernel::{self, Action, N_ACTIONS};

/// Access to the organisations and districts an issue set may touch.
pub trait Pools {
    fn org(&self, r: OrgRef) -> &Org;
    fn org_mut(&mut self, r: OrgRef) -> &mut Org;
    fn district(&self, d: u16) -> &District;
    fn district_mut(&mut self, d: u16) -> &mut District;
    /// Dense number of organisation `r`, in `OrgRef` order, below `org_slots()`.
    fn org_slot(&self, r: OrgRef) -> usize;
    fn org_slots(&self) -> usize;
}

/// A district alone: the parallel phase, where every reference stays inside the district.
pub struct DistrictPools<'a>(pub &'a mut District);

impl Pools for DistrictPools<'_> {
    fn org(&self, r: OrgRef) -> &Org {
        debug_assert_eq!(r.pool, self.0.index);
        &self.0.orgs[r.index as usize]
    }
    fn org_mut(&mut self, r: OrgRef) -> &mut Org {
        debug_assert_eq!(r.pool, self.0.index);
        &mut self.0.orgs[r.index as usize]
    }
    fn district(&self, d: u16) -> &District {
        debug_assert_eq!(d, self.0.index);
        self.0
    }
    fn district_mut(&mut self, d: u16) -> &mut District {
        debug_assert_eq!(d, self.0.index);
        self.0
    }
    fn org_slot(&self, r: OrgRef) -> usize {
        r.index as usize
    }
    fn org_slots(&self) -> usize {
        self.0.orgs.len()
    }
}

/// The city pool plus every district: the city phase, which runs after every district.
pub struct CityPools<'a> {
    city_orgs: &'a mut Vec<Org>,
    districts: &'a mut [District],
    /// First slot of each district's organisations; the city's own come after the last
    /// district's, as `OrgRef::CITY` sorts after every district.
    first_slot: Vec<usize>,
}

impl<'a> CityPools<'a> {
    pub fn new(city_orgs: &'a mut Vec<Org>, districts: &'a mut [District]) -> CityPools<'a> {
        let mut first_slot = Vec::with_capacity(districts.len() + 1);
        let mut next = 0;
        for d in districts.iter() {
            first_slot.push(next);
            next += d.orgs.len();
        }
        first_slot.push(next);
        CityPools {
            city_orgs,
            districts,
            first_slot,
        }
    }
}

impl Pools for CityPools<'_> {
    fn org(&self, r: OrgRef) -> &Org {
        if r.pool == OrgRef::CITY {
            &self.city_orgs[r.index as usize]
        } else {
            &self.districts[r.pool as usize].orgs[r.index as usize]
        }
    }
    fn org_mut(&mut self, r: OrgRef) -> &mut Org {
        if r.pool == OrgRef::CITY {
            &mut self.city_orgs[r.index as usize]
        } else {
            &mut self.districts[r.pool as usize].orgs[r.index as usize]
        }
    }
    fn district(&self, d: u16) -> &District {
        &self.districts[d as usize]
    }
    fn district_mut(&mut self, d: u16) -> &mut District {
        &mut self.districts[d as usize]
    }
    fn org_slot(&self, r: OrgRef) -> usize {
        let pool = if r.pool == OrgRef::CITY {
            self.districts.len()
        } else {
            r.pool as usize
        };
        self.first_slot[pool] + r.index as usize
    }
    fn org_slots(&self) -> usize {
        self.first_slot[self.districts.len()] + self.city_orgs.len()
    }
}

/// Largest coalition: territorial block, three departments, social org, enterprise,
/// residents and the other side of a cross-unit issue.
pub const MAX_MEMBERS: usize = 8;

/// One input an issue requires (MODEL §4.1).
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// The deciding organisation, or `None` for residents' participation and missing partners.
    pub org: Option<OrgRef>,
    pub kind: Option<ActorKind>,
    pub share: f64,
    /// Delivered fraction for members that do not decide (residents; 0 when missing).
    pub fixed_delivery: f64,
    /// Oversight weight the lead can bring to bear on this member (1 for the lead).
    pub clout: f64,
    pub summoned_department: bool,
    /// Which of the issue's inputs this member provides (`entities::role`).
    pub role: u8,
}

/// The coalition an issue requires this tick.
#[derive(Clone, Debug)]
pub struct Coalition {
    pub members: [Member; MAX_MEMBERS],
    pub n: usize,
    pub lead: usize,
    pub r: f64,
    pub departments: u32,
    pub deciders: u32,
}

impl Coalition {
    pub const EMPTY: Coalition = Coalition {
        members: [EMPTY_MEMBER; MAX_MEMBERS],
        n: 0,
        lead: 0,
        r: 1.0,
        departments: 0,
        deciders: 0,
    };
}

const EMPTY_MEMBER: Member = Member {
    org: None,
    kind: None,
    share: 0.0,
    fixed_delivery: 0.0,
    clout: 1.0,
    summoned_department: false,
    role: role::TERRITORIAL,
};

/// Builds the coalition for `issue` at its current level (MODEL §3 step 3, §4.4).
pub fn build_coalition<P: Pools>(
    pools: &P,
    issue: &Issue,
    p: &Params,
    in_city_phase: bool,
) -> Coalition {
    let d = pools.district(issue.district);
    let pool = d.index;
    let mut c = Coalition::EMPTY;
    let push = |c: &mut Coalition, m: Member| {
        if c.n < MAX_MEMBERS {
            c.members[c.n] = m;
            c.n += 1;
        }
    };
    let at_city = issue.level == Level::City;
    let territorial = if at_city {
        OrgRef {
            pool: OrgRef::CITY,
            index: 0,
        }
    } else {
        OrgRef {
            pool,
            index: d.block_at(issue.level, issue.grid),
        }
    };
    let block_kind = if issue.level == Level::Grid {
        ActorKind::GridTeam
    } else {
        ActorKind::Block
    };
    push(
        &mut c,
        Member {
            org: Some(territorial),
            kind: Some(block_kind),
            ..EMPTY_MEMBER
        },
    );

    let block_led = p.institutions.block_led;
    let whistle = block_led && p.process.whistle_and_report;
    for k in 0..issue.domain_count as usize {
        let dom = issue.domains[k];
        let r = if at_city {
            OrgRef {
                pool: OrgRef::CITY,
                index: 1 + dom as u32,
            }
        } else {
            OrgRef {
                pool,
                index: d.layout.department(dom),
            }
        };
        push(
            &mut c,
            Member {
                org: Some(r),
                kind: Some(ActorKind::Department),
                summoned_department: whistle,
                role: role::DEPARTMENT + k as u8,
                ..EMPTY_MEMBER
            },
        );
        c.departments += 1;
    }
    if issue.needs & NEEDS_SOCIAL_ORG != 0 {
        let com = d.community_of_grid[issue.grid as usize] as usize;
        let range = d.community_social_orgs[com]..d.community_social_orgs[com + 1];
        let best = best_by_reputation(d, range.map(|s| d.layout.social_org(s)), u32::MAX);
        if let Some(m) = partner(best, pool, ActorKind::SocialOrg, role::SOCIAL_ORG) {
            push(&mut c, m);
        }
    }
    if issue.needs & NEEDS_ENTERPRISE != 0 {
        let g = issue.grid as usize;
        let range = d.grid_enterprises[g]..d.grid_enterprises[g + 1];
        let opposing = if issue.opposing == u32::MAX {
            u32::MAX
        } else {
            d.layout.enterprise(issue.opposing)
        };
        let best = best_by_reputation(d, range.map(|e| d.layout.enterprise(e)), opposing);
        if let Some(m) = partner(best, pool, ActorKind::Enterprise, role::ENTERPRISE) {
            push(&mut c, m);
        }
    }
    if issue.needs & NEEDS_RESIDENTS != 0 {
        let g = issue.grid as usize;
        let pop = d.grid_population(issue.grid).max(1) as f64;
        let mean_trust =
            (p.residents.initial_trust + d.grid_trust_deviation[g] / pop).clamp(0.0, 1.0);
        let y = (p.residents.input_factor * d.grid_participation[g] * mean_trust).clamp(0.0, 1.0);
        push(
            &mut c,
            Member {
                fixed_delivery: y,
                role: role::RESIDENTS,
                ..EMPTY_MEMBER
            },
        );
    }
    if let Some(span) = issue.span_level {
        // The other side of a cross-unit issue: its block one level below the common ancestor.
        let other = if span == Level::City {
            OrgRef {
                pool: issue.span_unit as u16,
                index: Layout::BLOCK,
            }
        } else {
            OrgRef {
                pool,
                index: issue.span_unit,
            }
        };
        if in_city_phase || other.pool == pool {
            let kind = if span == Level::Community {
                ActorKind::GridTeam
            } else {
                ActorKind::Block
            };
            // Led by the common ancestor (or higher) it answers to the lead; otherwise it is a
            // peer that can only be moved through borrowed clout.
            let clout = if issue.level <= span {
                1.0
            } else {
                p.behaviour.department_clout
            };
            push(
                &mut c,
                Member {
                    org: Some(other),
                    kind: Some(kind),
                    clout,
                    role: role::OTHER_SIDE,
                    ..EMPTY_MEMBER
                },
            );
        }
    }

    // Lead: the department unless management is block-led (MODEL §3 step 3).
    c.lead = if c.departments > 0 && !block_led {
        1
    } else {
        0
    };
    let lead_is_department = c.lead != 0;
    for i in 0..c.n {
        let m = &mut c.members[i];
        if i == c.lead {
            m.clout = 1.0;
        } else if m.kind == Some(ActorKind::Department)
            || (lead_is_department && m.kind.is_some_and(|k| k.is_government()))
        {
            m.clout = m.clout.min(if lead_is_department {
                p.behaviour.department_clout
            } else if whistle {
                p.costs.whistle_clout
            } else {
                p.behaviour.department_clout
            });
        }
    }
    // Shares: the lead carries `lead_share`, the others split the rest.
    if c.n == 1 {
        c.members[0].share = 1.0;
    } else {
        let rest = (1.0 - p.behaviour.lead_share) / (c.n - 1) as f64;
        for i in 0..c.n {
            c.members[i].share = if i == c.lead {
                p.behaviour.lead_share
            } else {
                rest
            };
        }
    }
    c.r = if issue.is_cross_domain() {
        p.behaviour.complement_exponent
    } else {
        1.0
    };
    // Under complements a member whose input is complete has nothing left to decide: it
    // stands in the coalition as delivered (ODD §7.8).
    for m in c.members[..c.n].iter_mut() {
        if c.r < 1.0 && issue.inputs[m.role as usize] >= 1.0 {
            m.org = None;
            m.kind = None;
            m.fixed_delivery = 1.0;
        }
        if m.org.is_some() {
            c.deciders += 1;
        }
    }
    c
}

/// Under complements, the chance that a partner who delivers in a week with probability `q`
/// delivers at least once in the `horizon` weeks left before the issue is escalated away: the
/// inputs of a cross-domain issue add up over its life, so a partner need not deliver in the
/// same week (ODD §7.6.4).
pub fn completion_probability(q: f64, horizon: u32) -> f64 {
    1.0 - (1.0 - q.clamp(0.0, 1.0)).powi(horizon.max(1) as i32)
}

/// Weeks an issue has left at its level before its deadline escalates it (at least one).
pub fn weeks_left(issue: &Issue, tick: u32, p: &Params) -> u32 {
    p.issues
        .deadline_ticks
        .saturating_sub(tick.saturating_sub(issue.level_since_tick))
        .max(1)
}

/// The partner chosen for an input, if the neighbourhood has one. An input nobody nearby can
/// provide is not required: the issue is worked with what exists (under complements a missing
/// member would otherwise stall it for ever).
fn partner(best: Option<u32>, pool: u16, kind: ActorKind, role: u8) -> Option<Member> {
    best.map(|i| Member {
        org: Some(OrgRef { pool, index: i }),
        kind: Some(kind),
        role,
        ..EMPTY_MEMBER
    })
}

/// Non-government partners are chosen by public reputation (MODEL §5); ties go to the lower index.
fn best_by_reputation(
    d: &District,
    candidates: impl Iterator<Item = u32>,
    exclude: u32,
) -> Option<u32> {
    let mut best: Option<(f64, u32)> = None;
    for i in candidates {
        if i == exclude {
            continue;
        }
        let r = d.orgs[i as usize].reputation;
        if best.map_or(true, |(br, _)| r > br) {
            best = Some((r, i));
        }
    }
    best.map(|(_, i)| i)
}

/// One member's decision on one issue, kept for rationing and learning.
#[derive(Clone, Copy, Debug)]
pub struct Task {
    pub org: OrgRef,
    pub coalition: u32,
    pub member: u8,
    pub action: Action,
    pub watched: bool,
    pub utility: f64,
    /// Capacity a full substantive input takes this tick (work plus overheads).
    pub need: f64,
    /// Share of the need that is transaction cost, and the share that is meetings and
    /// commitment overhead (deliberation, operating constraints).
    pub tau_share: f64,
    pub overhead_share: f64,
    pub tau: f64,
    pub p_detect: f64,
    pub attribution: f64,
    /// (b/c)·(m·v + performance credit): the value of a unit of pivotal progress.
    pub value_per_progress: f64,
    pub trace_credit: f64,
    pub delivered: f64,
    pub served: bool,
    /// Every choice probability lay in 0.05..=0.95 (MODEL §4.2 scale check).
    pub unsaturated: bool,
}

impl Task {
    /// A placeholder for a task not yet decided.
    pub const EMPTY: Task = Task {
        org: OrgRef { pool: 0, index: 0 },
        coalition: 0,
        member: 0,
        action: Action::Shirk,
        watched: false,
        utility: 0.0,
        need: 0.0,
        tau_share: 0.0,
        overhead_share: 0.0,
        tau: 0.0,
        p_detect: 0.0,
        attribution: 0.0,
        value_per_progress: 0.0,
        trace_credit: 0.0,
        delivered: 0.0,
        served: false,
        unsaturated: false,
    };
}

/// Inputs the decision needs about one member, gathered before any state changes.
struct Appraisal {
    utilities: [f64; N_ACTIONS],
    tau: f64,
    p_detect: f64,
    attribution: f64,
    value_per_progress: f64,
    trace_credit: f64,
}

/// Utilities of substantive, symbolic and shirking for member `i` (MODEL §4.2; ODD §7.4).
fn appraise<P: Pools>(
    pools: &P,
    issue: &Issue,
    c: &Coalition,
    i: usize,
    p: &Params,
    eff: &Effective,
) -> Appraisal {
    let m = &c.members[i];
    let me = pools.org(m.org.expect("deciding member"));
    let kind = me.kind;

    // Partners' delivery probabilities as this member sees them: its belief about each kind's
    // reliability (one estimate; reputation only chooses partners).
    let mut prob = [0.0; MAX_MEMBERS];
    let mut trust_sum = 0.0;
    let mut distance_sum = 0.0;
    let mut partners = 0.0;
    for (j, mj) in c.members[..c.n].iter().enumerate() {
        if j == i {
            continue;
        }
        prob[j] = match mj.org {
            Some(r) => {
                let o = pools.org(r);
                let t = me.trust[o.kind.index()];
                trust_sum += t;
                distance_sum += me.value_distance(o);
                partners += 1.0;
                t
            }
            None => mj.fixed_delivery,
        };
    }
    let shares: [f64; MAX_MEMBERS] = std::array::from_fn(|k| c.members[k].share);
    let pi = if c.r < 1.0 {
        let horizon = weeks_left(issue, eff.tick, p);
        let complete: [f64; MAX_MEMBERS] =
            std::array::from_fn(|j| completion_probability(prob[j], horizon));
        kernel::pivotality(&shares[..c.n], &complete[..c.n], i, c.r)
    } else {
        kernel::pivotality(&shares[..c.n], &prob[..c.n], i, c.r)
    };
    // Conditional cooperation: the intrinsic value of progress scales with what the partners
    // are expected to deliver (their mean delivery probability).
    let expected = if c.n > 1 {
        prob[..c.n].iter().sum::<f64>() / (c.n - 1) as f64
    } else {
        1.0
    };
    let pivotal_ratio = pi / m.share.max(1e-9);

    // Congestion (MODEL §4.3): the cost of a unit of work rises only once the work asked of the
    // actor exceeds its capacity (overtime, stress); within capacity its salaried staff cost
    // the same per task, and rationing already keeps it from doing more than it can.
    let congestion = 1.0 + p.behaviour.congestion_weight * (me.overload_last - 1.0).max(0.0);
    let benefit_cost = p.behaviour.public_benefit / (congestion * congestion).min(100.0);
    let credit_share = if kind.is_government() {
        1.0
    } else {
        eff.nongov_credit
    };
    let kappa = p.motivation.incentive_compatibility;
    let w_perf = p.motivation.performance_evaluation;
    let township = if m.summoned_department && p.process.township_evaluation {
        p.costs.township_credit
    } else {
        0.0
    };
    let value_per_progress = benefit_cost
        * (me.motivation
            * me.alignment()
            * kernel::conditional_weight(eff.conditionality, expected)
            + kappa * w_perf * credit_share
            + township);
    let trace_credit = kappa * (1.0 - w_perf) * credit_share;

    // Detection hazard: the tools that reach this kind, through the lead's clout.
    let gov = kind.is_government();
    let t = &p.tools;
    // A summoned department reports on site to the block that summoned it (吹哨报到): the
    // block watches its work on that issue as a superior watches (MODEL §11.5), through the
    // clout the summons gives it.
    let p_sup = if (issue.watched || m.summoned_department) && gov {
        t.attention_detection
    } else {
        0.0
    };
    let p_insp = if gov { t.discipline_inspection } else { 0.0 };
    let p_media = (t.media_pressure * issue.severity / 10.0).min(1.0);
    let p_eval = t.third_party_evaluation;
    let p_detect = kernel::detection_hazard(m.clout, p_sup, p_eval, p_insp, p_media);

    // Attribution Ã = a + (1 − a)/n, shifted by territorial liability.
    let n = c.deciders.max(1) as f64;
    let mut attribution = eff.attribution + (1.0 - eff.attribution) / n;
    if p.institutions.block_led && !p.institutions.limited_territorial_liability {
        if kind == ActorKind::Department {
            attribution *= 1.0 - p.costs.territorial_offload;
        } else if i == 0 {
            attribution += p.costs.territorial_offload * (1.0 - attribution);
        }
    }

    let b = &p.behaviour;
    let mean_trust = if partners > 0.0 {
        trust_sum / partners
    } else {
        1.0
    };
    let distance = if partners > 0.0 {
        distance_sum / partners
    } else {
        0.0
    };
    let sideways = if c.lead != 0 { b.tau_sideways } else { 0.0 };
    let tau = (b.tau_base + b.tau_trust * (1.0 - mean_trust) + b.tau_value * distance
        - p.process.deliberation * p.costs.deliberation_tau
        - p.process.information_sharing * p.costs.sharing_tau
        + sideways)
        .clamp(0.0, b.tau_max);

    let avoided = p_detect * eff.sanction * attribution;
    let noisy_blame =
        kappa * p.costs.blame_noise * p_detect * eff.sanction * (1.0 - eff.attribution);
    let u_sub =
        pivotal_ratio * value_per_progress + trace_credit + avoided - (1.0 + tau) - noisy_blame;
    let u_sym =
        trace_credit + avoided * eff.symbolic_cover - b.symbolic_cost * (1.0 + tau) - noisy_blame;
    Appraisal {
        utilities: [u_sub, u_sym, 0.0],
        tau,
        p_detect,
        attribution,
        value_per_progress,
        trace_credit,
    }
}

/// Choice probabilities (substantive, symbolic, shirk) of member `i` in the current state,
/// without drawing: the kernel as a function, for tests and analysis.
pub fn choice_probabilities<P: Pools>(
    pools: &P,
    issue: &Issue,
    c: &Coalition,
    i: usize,
    p: &Params,
    eff: &Effective,
) -> [f64; N_ACTIONS] {
    let a = appraise(pools, issue, c, i, p, eff);
    let org = pools.org(c.members[i].org.expect("deciding member"));
    kernel::logit_probabilities(&a.utilities, &org.habits, p.behaviour.choice_temperature)
}

/// Decides every deciding member of coalition `ci`, the k-th drawing with `uniforms[k]`, and
/// writes their tasks into `tasks` (one per decider, in member order).
#[allow(clippy::too_many_arguments)]
pub fn decide<P: Pools>(
    pools: &P,
    issue: &Issue,
    c: &Coalition,
    ci: u32,
    p: &Params,
    eff: &Effective,
    uniforms: &[f64],
    tasks: &mut [Task],
) {
    let effort = p.issues.effort_per_severity * issue.severity;
    let cross = issue.is_cross_domain();
    let mut k = 0;
    for i in 0..c.n {
        let Some(r) = c.members[i].org else { continue };
        let a = appraise(pools, issue, c, i, p, eff);
        let org = pools.org(r);
        let probs =
            kernel::logit_probabilities(&a.utilities, &org.habits, p.behaviour.choice_temperature);
        // A person playing this organisation overrides the draw; the draw's random number is
        // still used up, so nobody else's decision changes.
        let drawn = kernel::draw_action(&probs, uniforms[k]);
        let action = eff.roles.choice(r).unwrap_or(drawn);
        // Under complements the last delivery of an input only has its remainder to do.
        let rate = if c.r < 1.0 {
            let left = 1.0 - f64::from(issue.inputs[c.members[i].role as usize]);
            p.capacity.progress_rate.min(left)
        } else {
            p.capacity.progress_rate
        };
        let work = c.members[i].share * effort * rate;
        let meeting = if cross {
            p.process.deliberation * p.costs.deliberation_meeting
        } else {
            0.0
        };
        let commitments = p.process.operating_constraints * p.costs.constraints_overhead;
        tasks[k] = Task {
            org: r,
            coalition: ci,
            member: i as u8,
            action,
            // Summoned departments serve the summons first, as watched work (MODEL §11.5).
            watched: issue.watched || c.members[i].summoned_department,
            utility: a.utilities[action.index()],
            need: work * (1.0 + a.tau + meeting + commitments),
            tau_share: a.tau / (1.0 + a.tau + meeting + commitments),
            overhead_share: (meeting + commitments) / (1.0 + a.tau + meeting + commitments),
            tau: a.tau,
            p_detect: a.p_detect,
            attribution: a.attribution,
            value_per_progress: a.value_per_progress,
            trace_credit: a.trace_credit,
            delivered: 0.0,
            served: false,
            unsaturated: probs.iter().all(|q| (0.05..=0.95).contains(q)),
        };
        k += 1;
    }
}

/// Puts tasks in rationing order: by actor, watched first, then by utility (highest first),
/// then coalition and member. Tasks are appended coalition by coalition and member by member,
/// so their index stands for (coalition, member).
fn queue_tasks<P: Pools>(pools: &P, tasks: &[Task], queue: &mut BucketQueue) {
    queue.fill(pools.org_slots(), tasks.len(), |i| {
        let t = &tasks[i];
        let key = (u128::from(!t.watched) << 64) | u128::from(descending(t.utility));
        Some((pools.org_slot(t.org), key))
    });
}

/// Rations each actor's capacity over its tasks: watched tasks first, then by utility
/// (MODEL §4.3). Returns nothing; fills `delivered`/`served` and charges costs.
pub fn ration<P: Pools>(
    pools: &mut P,
    tasks: &mut [Task],
    queue: &mut BucketQueue,
    p: &Params,
    stats: &mut TickStats,
) {
    queue_tasks(pools, tasks, queue);
    for k in queue.items() {
        let t = &mut tasks[k];
        let org = pools.org_mut(t.org);
        let kind = org.kind.index();
        // Congestion (MODEL §4.3) is measured on the work an actor actually carries (its
        // utilisation), so an overloaded actor still works to capacity instead of giving up:
        // the backlog beyond capacity goes unserved through rationing.
        match t.action {
            Action::Substantive => {
                let y = if org.capacity_left >= t.need {
                    1.0
                } else {
                    (org.capacity_left / t.need.max(1e-12)).max(0.0)
                };
                if y < 1.0 {
                    stats.overloaded[kind] += 1;
                }
                org.capacity_left -= y * t.need;
                org.demand += y * t.need;
                org.requested += t.need;
                t.delivered = y;
                t.served = y > 0.0;
                stats.effort_spent += y * t.need;
                stats.cost_transaction += y * t.need * t.tau_share;
                stats.cost_programmes += y * t.need * t.overhead_share;
            }
            Action::Symbolic => {
                let need = t.need * p.behaviour.symbolic_cost;
                org.requested += need;
                if org.capacity_left >= need {
                    org.capacity_left -= need;
                    org.demand += need;
                    t.served = true;
                    stats.effort_spent += need;
                    stats.cost_paperwork += need;
                }
            }
            Action::Shirk => {}
        }
        stats.actions[kind][t.action.index()] += 1;
        stats.watched[kind] += u64::from(t.watched);
        stats.unsaturated += u64::from(t.unsaturated);
    }
}

/// How many random numbers `assess` draws for a coalition and its tasks, in order: the policy
/// conflict (when departments can clash), one detection per task, then per task a blame draw
/// (unless it shirked) and one observation draw per member slot.
fn progress_draws(f: &Formed, tasks: &[Task]) -> usize {
    let conflict = usize::from(f.departments >= 2);
    let per_task: usize = tasks
        .iter()
        .map(|t| usize::from(t.action != Action::Shirk) + MAX_MEMBERS)
        .sum();
    conflict + tasks.len() + per_task
}

/// What one member learns from one coalition-tick.
#[derive(Clone, Copy, Debug)]
struct Lesson {
    payoff: f64,
    pressure: f64,
    /// Caught shirking: named where information is shared.
    named: bool,
    /// Bit j: it saw partner j's delivery (otherwise the coalition mean stands in).
    saw: u8,
}

/// Outcome of one coalition-tick: its progress and what each task's actor learns.
#[derive(Clone, Copy, Debug)]
struct Assessment {
    progress: f64,
    /// Complements: each member's input after this week, and whether all are complete.
    inputs: [f32; MAX_MEMBERS],
    complete: bool,
    conflict: bool,
    opposed: bool,
    lessons: [Lesson; MAX_MEMBERS],
}

/// Delivered fraction of each member: fixed for members that do not decide, the rationed
/// delivery of substantive work, nothing for symbolic work or shirking.
fn deliveries(members: &[Member], tasks: &[Task]) -> [f64; MAX_MEMBERS] {
    let mut y = [0.0; MAX_MEMBERS];
    for (y, m) in y.iter_mut().zip(members) {
        *y = m.fixed_delivery;
    }
    for t in tasks {
        y[t.member as usize] = if t.action == Action::Substantive {
            t.delivered
        } else {
            0.0
        };
    }
    y
}

fn mean_delivery(y: &[f64]) -> f64 {
    if y.is_empty() {
        0.0
    } else {
        y.iter().sum::<f64>() / y.len() as f64
    }
}

/// Turns delivered inputs into progress and works out what members learn (MODEL §4.1, §5;
/// ODD §7.5–7.6), drawing `uniforms` in the order `progress_draws` counts. Reads no actor's
/// state, so coalitions can be assessed in parallel; `learn` then applies the lessons in order.
fn assess(
    issue: &Issue,
    f: &Formed,
    members: &[Member],
    tasks: &[Task],
    p: &Params,
    eff: &Effective,
    uniforms: &[f64],
) -> Assessment {
    let mut next = 0;
    let mut draw = || {
        next += 1;
        uniforms[next - 1]
    };
    let n_members = members.len();
    let y = deliveries(members, tasks);
    let shares: [f64; MAX_MEMBERS] =
        std::array::from_fn(|k| members.get(k).map_or(0.0, |m| m.share));

    // Policy conflict among the departments involved (χ), opposing-party resistance (ω).
    let departments = u32::from(f.departments);
    let pairs = (departments * departments.saturating_sub(1) / 2) as i32;
    let chi = 1.0 - (1.0 - eff.policy_conflict_q).powi(pairs);
    let conflict = pairs > 0 && draw() < chi;
    let omega = if issue.opposing != u32::MAX {
        p.issues.opposing_resistance * eff.resistance_factor
    } else {
        0.0
    };
    let effort = p.issues.effort_per_severity * issue.severity;
    let realised = if conflict { 0.0 } else { 1.0 - omega };
    // Substitutes: this week's inputs make progress in proportion to their CES aggregate.
    // Complements: each input's delivered work accumulates over the issue's life and the
    // issue is done when all are complete (ODD §7.8).
    let cumulative = f.r < 1.0;
    let (mut before, mut after) = ([0.0; MAX_MEMBERS], [0.0; MAX_MEMBERS]);
    if cumulative {
        for (k, m) in members.iter().enumerate() {
            before[k] = f64::from(issue.inputs[m.role as usize]);
            after[k] = (before[k] + eff.progress_rate * y[k] * realised).min(1.0);
        }
    }
    let (q, progress, complete) = if cumulative {
        let q_before = kernel::ces_aggregate(&shares[..n_members], &before[..n_members], f.r);
        let q_after = kernel::ces_aggregate(&shares[..n_members], &after[..n_members], f.r);
        let complete = after[..n_members].iter().all(|&a| a >= 1.0);
        (q_after, effort * (q_after - q_before), complete)
    } else {
        let q = kernel::ces_aggregate(&shares[..n_members], &y[..n_members], f.r);
        (q, eff.progress_rate * effort * q * realised, false)
    };
    let mut out = Assessment {
        progress,
        inputs: std::array::from_fn(|k| after[k] as f32),
        complete,
        conflict,
        opposed: omega > 0.0,
        lessons: [Lesson {
            payoff: 0.0,
            pressure: 0.0,
            named: false,
            saw: 0,
        }; MAX_MEMBERS],
    };

    // Detection draws, then shared blame where attribution is diffuse.
    let mut detected = [false; MAX_MEMBERS];
    let mut any_shirker_detected = false;
    for t in tasks {
        let d = draw() < t.p_detect;
        detected[t.member as usize] = d;
        if d && t.action == Action::Shirk {
            any_shirker_detected = true;
        }
    }
    let n = u32::from(f.deciders).max(1) as f64;
    let shared_blame = if any_shirker_detected {
        eff.sanction * (1.0 - eff.attribution) / n
    } else {
        0.0
    };
    let kappa = p.motivation.incentive_compatibility;

    for (t, lesson) in tasks.iter().zip(out.lessons.iter_mut()) {
        let i = t.member as usize;
        // The member's own part of this week's progress, per unit of a full week's delivery.
        let marginal = if cumulative {
            let mut without = after;
            without[i] = before[i];
            (q - kernel::ces_aggregate(&shares[..n_members], &without[..n_members], f.r))
                / eff.progress_rate
        } else {
            let mut without = y;
            without[i] = 0.0;
            (q - kernel::ces_aggregate(&shares[..n_members], &without[..n_members], f.r)) * realised
        };
        let noise_blamed =
            t.action != Action::Shirk && draw() < kappa * p.costs.blame_noise * t.p_detect;
        let blame = if t.action != Action::Shirk {
            shared_blame
                + if noise_blamed {
                    eff.sanction * (1.0 - eff.attribution)
                } else {
                    0.0
                }
        } else {
            0.0
        };
        lesson.payoff = match t.action {
            Action::Substantive => {
                marginal / members[i].share.max(1e-9) * t.value_per_progress
                    + t.trace_credit * t.delivered
                    - (1.0 + t.tau) * t.delivered
                    - blame
            }
            Action::Symbolic => {
                let caught = if detected[i] {
                    eff.sanction * t.attribution * (1.0 - eff.symbolic_cover)
                } else {
                    0.0
                };
                // Unserved (no capacity left), it cost nothing and earned nothing.
                let (credit, cost) = if t.served {
                    (t.trace_credit, p.behaviour.symbolic_cost * (1.0 + t.tau))
                } else {
                    (0.0, 0.0)
                };
                credit - cost - caught - blame
            }
            Action::Shirk => {
                if detected[i] {
                    -eff.sanction * t.attribution
                } else {
                    0.0
                }
            }
        };
        // Observing partners: seen with probability `observation`, otherwise an unseen failure
        // is blamed on everyone (the coalition mean stands in).
        for j in 0..MAX_MEMBERS {
            lesson.saw |= u8::from(draw() < eff.observation) << j;
        }
        lesson.pressure = t.p_detect * eff.sanction * t.attribution + blame;
        lesson.named = detected[i] && t.action == Action::Shirk;
    }
    out
}

/// Counts a coalition-tick and lets each task's actor learn its lesson, in task order.
fn learn<P: Pools>(
    pools: &mut P,
    issue: &Issue,
    members: &[Member],
    tasks: &[Task],
    a: &Assessment,
    p: &Params,
    stats: &mut TickStats,
) {
    stats.coalition_ticks += 1;
    if a.progress > 0.0 {
        stats.coalition_ticks_with_progress += 1;
    }
    if a.conflict {
        stats.conflicts += 1;
    }
    if a.opposed {
        let effort = p.issues.effort_per_severity * issue.severity;
        stats.cost_programmes +=
            p.process.negotiation * p.costs.negotiation_cost * effort * p.capacity.progress_rate;
    }
    if issue.domain_count > 0 {
        for t in tasks {
            stats.listed_actions[t.action.index()] += 1;
        }
    }
    let kappa = p.motivation.incentive_compatibility;
    let y = deliveries(members, tasks);
    let mean_y = mean_delivery(&y[..members.len()]);
    for (t, lesson) in tasks.iter().zip(&a.lessons) {
        let i = t.member as usize;
        let org = pools.org_mut(t.org);
        org.payoff_sum[t.action.index()] += lesson.payoff;
        org.payoff_count[t.action.index()] += 1.0;
        org.pressure_sum += lesson.pressure;
        org.task_count += 1.0;
        if t.action == Action::Substantive {
            org.delivered_sum += t.delivered;
            org.credited += kappa * p.motivation.performance_evaluation * t.delivered;
        }
        if lesson.named {
            org.reputation =
                (org.reputation - p.costs.naming_penalty * p.process.information_sharing).max(0.0);
        }
        for (j, m) in members.iter().enumerate() {
            let Some(kind) = m.kind else { continue };
            if j == i {
                continue;
            }
            let seen = if lesson.saw & (1 << j) != 0 {
                y[j]
            } else {
                mean_y
            };
            org.observed_sum[kind.index()] += seen;
            org.observed_count[kind.index()] += 1.0;
        }
    }
}

/// Issues handled per block: the block's coalitions, decisions and lessons stay in the
/// core's own cache, and in the city phase a block is split between threads.
const BLOCK: usize = 256;

/// Coalitions per parallel job in the city phase: enough work to be worth a job.
const GRAIN: usize = 32;

// `Lesson::saw` holds one bit per member slot.
const _: () = assert!(MAX_MEMBERS <= 8);

/// A coalition formed this tick, kept compactly (its members in `Scratch::members`) until its
/// progress is known: a full `Coalition` has room for eight members, most have three.
#[derive(Clone, Copy, Debug)]
struct Formed {
    issue: u32,
    first_member: u32,
    first_task: u32,
    n: u8,
    departments: u8,
    deciders: u8,
    r: f64,
}

impl Formed {
    fn members<'m>(&self, members: &'m [Member]) -> &'m [Member] {
        &members[self.first_member as usize..][..self.n as usize]
    }

    fn tasks(&self) -> std::ops::Range<usize> {
        self.first_task as usize..self.first_task as usize + self.deciders as usize
    }
}

/// Buffers the collaboration phase reuses from tick to tick. They hold no model state: every
/// use clears them first.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    /// Positions of the issues whose coalitions can work this tick.
    ready: Vec<u32>,
    /// One block's coalitions as built.
    built: Vec<Coalition>,
    formed: Vec<Formed>,
    members: Vec<Member>,
    tasks: Vec<Task>,
    /// One block's random numbers, drawn in order before the block's (parallel) work.
    uniforms: Vec<f64>,
    /// Where each coalition's numbers start in `uniforms`.
    first_uniform: Vec<u32>,
    assessments: Vec<Assessment>,
    /// Rationing's queue; between collaborations it serves other queues (superiors' attention).
    pub queue: BucketQueue,
    /// After `collaborate`: whether the issue at each position was resolved.
    pub resolved: Vec<bool>,
}

/// Decide, ration, progress and learn for every workable issue (MODEL §3 steps 3–5 and 7–8);
/// `scratch.resolved` then says which were resolved.
///
/// Every coalition is built and decided before any capacity is rationed or any lesson learnt,
/// so building and deciding read state that nothing changes until they are all done (summons
/// change only spare capacity, which neither reads); assessing progress reads only the tasks
/// and the issue. Every random number is drawn in issue order before the work that uses it.
/// So with `parallel` (the city phase, which runs alone) that work goes in blocks of issues
/// split between threads, with the same outputs. Districts already run in parallel with each other:
/// they pass `false` and go coalition by coalition, which keeps each coalition in the cache
/// from building to deciding (blocks cost a district 13% more time on one thread).
#[allow(clippy::too_many_arguments)]
pub fn collaborate<P: Pools + Sync>(
    pools: &mut P,
    issues: &mut [Issue],
    p: &Params,
    eff: &Effective,
    rng: &mut Stream,
    in_city: bool,
    parallel: bool,
    stats: &mut TickStats,
    scratch: &mut Scratch,
) {
    let Scratch {
        ready,
        built,
        formed,
        members,
        tasks,
        uniforms,
        first_uniform,
        assessments,
        queue,
        resolved,
    } = scratch;
    ready.clear();
    formed.clear();
    members.clear();
    tasks.clear();
    for (k, issue) in issues.iter().enumerate() {
        if !issue.discovered {
            continue;
        }
        if eff.tick < issue.ready_tick {
            stats.formation_waits += 1;
            continue;
        }
        ready.push(k as u32);
    }

    // Forming coalitions and deciding.
    if parallel {
        for block in ready.chunks(BLOCK) {
            {
                let (pools, issues): (&P, &[Issue]) = (pools, issues);
                par_map_into(built, block, |&k, _| {
                    build_coalition(pools, &issues[k as usize], p, in_city)
                });
            }
            // In issue order: refusals, summons and the decisions' random numbers. Formed
            // coalitions move to the front of `built`.
            uniforms.clear();
            let block_formed = formed.len();
            let mut kept = 0;
            for (slot, &k) in block.iter().enumerate() {
                let issue = &mut issues[k as usize];
                if refuses(issue, p, rng) {
                    stats.refused += 1;
                    continue;
                }
                if kept != slot {
                    built.swap(kept, slot);
                }
                let c = &built[kept];
                kept += 1;
                let first_task = tasks.len() + uniforms.len();
                form(pools, k, issue, c, first_task, p, stats, formed, members);
                uniforms.extend((0..c.deciders).map(|_| rng.random::<f64>()));
            }
            let first_task = tasks.len();
            tasks.resize(first_task + uniforms.len(), Task::EMPTY);
            let (pools, issues): (&P, &[Issue]) = (pools, issues);
            let this_block = (&formed[block_formed..], block_formed);
            let out = &mut tasks[first_task..];
            par_decide(
                pools,
                issues,
                this_block,
                &built[..kept],
                uniforms,
                out,
                p,
                eff,
            );
        }
    } else {
        for &k in ready.iter() {
            let issue = &mut issues[k as usize];
            if refuses(issue, p, rng) {
                stats.refused += 1;
                continue;
            }
            let c = build_coalition(pools, issue, p, in_city);
            let first_task = tasks.len();
            form(pools, k, issue, &c, first_task, p, stats, formed, members);
            let d = c.deciders as usize;
            let mut u = [0.0; MAX_MEMBERS];
            u[..d].fill_with(|| rng.random::<f64>());
            tasks.resize(first_task + d, Task::EMPTY);
            let ci = (formed.len() - 1) as u32;
            decide(
                pools,
                issue,
                &c,
                ci,
                p,
                eff,
                &u[..d],
                &mut tasks[first_task..],
            );
        }
    }

    ration(pools, tasks, queue, p, stats);

    // Progress and learning.
    resolved.clear();
    resolved.resize(issues.len(), false);
    if parallel {
        for block in formed.chunks(BLOCK) {
            uniforms.clear();
            first_uniform.clear();
            for f in block {
                first_uniform.push(uniforms.len() as u32);
                let n = progress_draws(f, &tasks[f.tasks()]);
                uniforms.extend((0..n).map(|_| rng.random::<f64>()));
            }
            {
                let (issues, members, tasks): (&[Issue], &[Member], &[Task]) =
                    (issues, members, tasks);
                let (uniforms, first_uniform): (&[f64], &[u32]) = (uniforms, first_uniform);
                par_map_into(assessments, block, |f, j| {
                    let u = &uniforms[first_uniform[j] as usize..];
                    let issue = &issues[f.issue as usize];
                    assess(issue, f, f.members(members), &tasks[f.tasks()], p, eff, u)
                });
            }
            for (a, f) in assessments.iter().zip(block) {
                settle(pools, issues, f, members, tasks, a, p, stats, resolved);
            }
        }
    } else {
        let mut u = [0.0; MAX_PROGRESS_DRAWS];
        for f in formed.iter() {
            let n = progress_draws(f, &tasks[f.tasks()]);
            u[..n].fill_with(|| rng.random::<f64>());
            let (issue, tasks_f) = (&issues[f.issue as usize], &tasks[f.tasks()]);
            let a = assess(issue, f, f.members(members), tasks_f, p, eff, &u[..n]);
            settle(pools, issues, f, members, tasks, &a, p, stats, resolved);
        }
    }
    if !eff.roles.is_empty() {
        record_roles(issues, formed, tasks, resolved, in_city, eff, stats);
    }
}

/// Records the week's tasks of the organisations people play, with the model's appraisal.
fn record_roles(
    issues: &[Issue],
    formed: &[Formed],
    tasks: &[Task],
    resolved: &[bool],
    in_city: bool,
    eff: &Effective,
    stats: &mut TickStats,
) {
    for t in tasks.iter().filter(|t| eff.roles.plays(t.org)) {
        let k = formed[t.coalition as usize].issue as usize;
        let issue = &issues[k];
        stats.role_tasks.push(RoleTask {
            org: t.org,
            issue: issue.id,
            issue_pool: if in_city {
                OrgRef::CITY
            } else {
                issue.district
            },
            severity: issue.severity,
            watched: t.watched,
            action: t.action,
            chosen: eff.roles.choice(t.org).is_some(),
            need: t.need,
            tau: t.tau,
            trace_credit: t.trace_credit,
            value_per_progress: t.value_per_progress,
            p_detect: t.p_detect,
            attribution: t.attribution,
            delivered: t.delivered,
            resolved: resolved[k],
        });
    }
}

/// The most random numbers one coalition-tick's progress draws (eight tasks, none shirking).
const MAX_PROGRESS_DRAWS: usize = 1 + MAX_MEMBERS * (MAX_MEMBERS + 2);

/// Registers a coalition that works this tick, its tasks to start at `first_task`: summons
/// its departments, keeps it compactly and charges the measurement of its work.
#[allow(clippy::too_many_arguments)]
fn form<P: Pools>(
    pools: &mut P,
    k: u32,
    issue: &mut Issue,
    c: &Coalition,
    first_task: usize,
    p: &Params,
    stats: &mut TickStats,
    formed: &mut Vec<Formed>,
    members: &mut Vec<Member>,
) {
    summon(pools, issue, c, p, stats);
    formed.push(Formed {
        issue: k,
        first_member: members.len() as u32,
        first_task: first_task as u32,
        n: c.n as u8,
        departments: c.departments as u8,
        deciders: c.deciders as u8,
        r: c.r,
    });
    members.extend_from_slice(&c.members[..c.n]);
    // The lead keeps the record of who contributed what (measurement, ODD §9.5) and, when it
    // is a block leading departments across domains, coordinates them (ODD §9.12): both from
    // its own capacity this week.
    let measurement = p.costs.measurement_cost
        * p.motivation.incentive_compatibility
        * p.motivation.performance_evaluation;
    let coordination = if p.institutions.block_led && issue.is_cross_domain() {
        let work = p.issues.effort_per_severity * issue.severity * p.capacity.progress_rate;
        let departments_share: f64 = c.members[..c.n]
            .iter()
            .filter(|m| m.kind == Some(ActorKind::Department))
            .map(|m| m.share)
            .sum();
        p.costs.block_coordination * departments_share * work
    } else {
        0.0
    };
    if measurement + coordination > 0.0 {
        if let Some(lead) = c.members[c.lead].org {
            pools.org_mut(lead).capacity_left -= measurement + coordination;
        }
        stats.cost_oversight += measurement;
        stats.cost_transaction += coordination;
    }
}

/// Applies an assessed coalition-tick: its members learn and its issue progresses.
#[allow(clippy::too_many_arguments)]
fn settle<P: Pools>(
    pools: &mut P,
    issues: &mut [Issue],
    f: &Formed,
    members: &[Member],
    tasks: &[Task],
    a: &Assessment,
    p: &Params,
    stats: &mut TickStats,
    resolved: &mut [bool],
) {
    let k = f.issue as usize;
    learn(
        pools,
        &issues[k],
        f.members(members),
        &tasks[f.tasks()],
        a,
        p,
        stats,
    );
    let issue = &mut issues[k];
    issue.progress += a.progress;
    if f.r < 1.0 {
        for (m, &input) in f.members(members).iter().zip(&a.inputs) {
            issue.inputs[m.role as usize] = input;
        }
        resolved[k] = a.complete;
    } else if issue.progress >= p.issues.effort_per_severity * issue.severity {
        resolved[k] = true;
    }
}

/// Responsibility lists are rigid: an issue no listed domain owns gets pushed away (推诿).
fn refuses(issue: &Issue, p: &Params, rng: &mut Stream) -> bool {
    let lists = p.motivation.responsibility_lists;
    issue.domain_count == 0 && lists > 0.0 && rng.random::<f64>() < lists * p.costs.list_rigidity
}

/// Whistle and report (吹哨报到): under block-led management the departments of a coalition
/// are summoned once per issue and report on site, which diverts capacity whatever they
/// then choose.
fn summon<P: Pools>(
    pools: &mut P,
    issue: &mut Issue,
    c: &Coalition,
    p: &Params,
    st: &mut TickStats,
) {
    if !(p.institutions.block_led
        && p.process.whistle_and_report
        && !issue.summoned
        && c.departments > 0)
    {
        return;
    }
    issue.summoned = true;
    let mut evaluated = 0.0;
    for m in &c.members[..c.n] {
        if let (Some(r), Some(ActorKind::Department)) = (m.org, m.kind) {
            let o = pools.org_mut(r);
            o.capacity_left -= p.costs.whistle_response;
            st.cost_programmes += p.costs.whistle_response;
            evaluated += 1.0;
        }
    }
    // The summoning block evaluates each department it summoned (街乡考核评价), in its own time.
    if p.process.township_evaluation {
        let cost = evaluated * p.costs.township_evaluation_cost;
        if let Some(block) = c.members[0].org {
            pools.org_mut(block).capacity_left -= cost;
        }
        st.cost_oversight += cost;
    }
}

/// Replaces `out` with `f(input[j], j)` for every `j`, split between threads.
fn par_map_into<T: Send, U: Sync>(
    out: &mut Vec<T>,
    input: &[U],
    f: impl Fn(&U, usize) -> T + Sync + Send,
) {
    out.clear();
    out.par_extend(
        input
            .par_iter()
            .enumerate()
            .with_min_len(GRAIN)
            .map(|(j, x)| f(x, j)),
    );
}

/// Decides the coalitions `formed` (numbered from the second element; `coalitions` in
/// full), each writing its tasks into its own part of `tasks` with its own part of
/// `uniforms`, halves on two threads.
#[allow(clippy::too_many_arguments)]
fn par_decide<P: Pools + Sync>(
    pools: &P,
    issues: &[Issue],
    (formed, first_coalition): (&[Formed], usize),
    coalitions: &[Coalition],
    uniforms: &[f64],
    tasks: &mut [Task],
    p: &Params,
    eff: &Effective,
) {
    if formed.len() > GRAIN {
        let mid = formed.len() / 2;
        let split = (formed[mid].first_task - formed[0].first_task) as usize;
        let (u_left, u_right) = uniforms.split_at(split);
        let (t_left, t_right) = tasks.split_at_mut(split);
        let (f_left, f_right) = formed.split_at(mid);
        let (c_left, c_right) = coalitions.split_at(mid);
        let left = (f_left, first_coalition);
        let right = (f_right, first_coalition + mid);
        rayon::join(
            || par_decide(pools, issues, left, c_left, u_left, t_left, p, eff),
            || par_decide(pools, issues, right, c_right, u_right, t_right, p, eff),
        );
        return;
    }
    let mut at = 0;
    for (j, (f, c)) in formed.iter().zip(coalitions).enumerate() {
        let d = f.deciders as usize;
        let (issue, ci) = (&issues[f.issue as usize], (first_coalition + j) as u32);
        decide(
            pools,
            issue,
            c,
            ci,
            p,
            eff,
            &uniforms[at..at + d],
            &mut tasks[at..at + d],
        );
        at += d;
    }
}

#[cfg(test)]
mod tests {
    //! Kernel tests with the state held fixed (MODEL §8, "must pass").
    use super::*;
    use crate::model::params::Params;
    use crate::model::world::World;

    fn small_params() -> Params {
        let mut p = Params::default();
        p.territory.districts = 1;
        p.territory.streets_per_district = 1;
        p.territory.communities_per_street = 2;
        p.territory.grids_per_community = 2;
        p.territory.residents_per_grid = 50;
        p
    }

    fn issue_in(d: &District, domains: &[u8], level: Level) -> Issue {
        let mut i = blank_issue(d);
        i.domains = [0; MAX_DOMAINS];
        for (k, dom) in domains.iter().enumerate() {
            i.domains[k] = *dom;
        }
        i.domain_count = domains.len() as u8;
        i.needs = 0;
        i.opposing = u32::MAX;
        i.span_level = None;
        i.level = level;
        i.severity = 2.0;
        i.watched = true;
        i
    }

    fn blank_issue(d: &District) -> Issue {
        Issue {
            id: 0,
            district: d.index,
            grid: 0,
            complainant: 0,
            domains: [0; MAX_DOMAINS],
            domain_count: 1,
            needs: 0,
            opposing: u32::MAX,
            span_level: None,
            span_unit: u32::MAX,
            severity: 2.0,
            progress: 0.0,
            inputs: [0.0; N_ROLES],
            born_tick: 0,
            level_since_tick: 0,
            ready_tick: 0,
            level: Level::Grid,
            top_level: Level::Grid,
            discovered: true,
            discovered_tick: 0,
            legacy: false,
            escalations: 0,
            petitioned: false,
            major_risk: false,
            summoned: false,
            watched: true,
        }
    }

    fn p_substantive(p: &Params, issue_domains: &[u8], member: usize) -> f64 {
        let mut world = World::new(p, 7);
        let eff = Effective::new(p, &world.ramps, 1, &world.counts());
        let d = &mut world.districts[0];
        for o in d.orgs.iter_mut() {
            o.capacity = eff.capacity_of(o);
        }
        let issue = issue_in(d, issue_domains, Level::Grid);
        let pools = DistrictPools(d);
        let c = build_coalition(&pools, &issue, p, false);
        choice_probabilities(&pools, &issue, &c, member, p, &eff)[0]
    }

    #[test]
    fn substantive_work_does_not_fall_when_kappa_rises_under_performance_evaluation() {
        let mut prev = 0.0;
        for k in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let mut p = small_params();
            p.motivation.performance_evaluation = 1.0;
            p.motivation.incentive_compatibility = k;
            let ps = p_substantive(&p, &[0], 0);
            assert!(ps >= prev - 1e-12, "kappa {k}: {ps} < {prev}");
            prev = ps;
        }
    }

    #[test]
    fn substantive_work_does_not_fall_when_attribution_rises() {
        let mut prev = 0.0;
        for a in [0.0, 0.5, 1.0] {
            let mut p = small_params();
            p.motivation.responsibility_lists = a;
            p.tools.discipline_inspection = 0.1;
            let ps = p_substantive(&p, &[0, 1], 1);
            assert!(ps >= prev - 1e-12, "a {a}: {ps} < {prev}");
            prev = ps;
        }
    }

    /// P(substantive) of `member` on an issue with `domains`, every organisation trusting every
    /// kind at `trust`, after `setup` has changed the district (ODD §7.6, state held fixed).
    fn p_substantive_at(
        p: &Params,
        domains: &[u8],
        member: usize,
        trust: f64,
        setup: &dyn Fn(&mut District),
    ) -> f64 {
        let mut world = World::new(p, 7);
        let eff = Effective::new(p, &world.ramps, 1, &world.counts());
        let d = &mut world.districts[0];
        for o in d.orgs.iter_mut() {
            o.capacity = eff.capacity_of(o);
            o.trust = [trust; N_KINDS];
        }
        setup(d);
        let issue = issue_in(d, domains, Level::Grid);
        let pools = DistrictPools(d);
        let c = build_coalition(&pools, &issue, p, false);
        choice_probabilities(&pools, &issue, &c, member, p, &eff)[0]
    }

    /// Stated before it ran (revision 2, ODD §7.6.4–7.6.5): trust held at 0.2 vs 0.8 raises
    /// P(substantive) on a complementary issue through pivotality, and on an ordinary issue
    /// through conditional cooperation; each channel vanishes when switched off (complements
    /// made substitutes, ψ = 0), leaving only transaction cost (τ_T·Δtrust = 0.09 of cost, a
    /// rise of at most 0.05). Expected sizes at the defaults with ψ = 1: ordinary +0.15 or
    /// more, complementary +0.15 or more. The 2×2 interaction is printed, not asserted.
    #[test]
    fn trust_raises_substantive_work_through_pivotality_and_conditional_cooperation() {
        let p_at = |trust: f64, conditional: bool, complements: bool, domains: &[u8]| {
            let mut p = small_params();
            p.behaviour.conditional_share = if conditional { 0.7 } else { 0.0 };
            p.behaviour.free_rider_share = 0.3;
            if !complements {
                p.behaviour.complement_exponent = 1.0;
            }
            p_substantive_at(&p, domains, 1, trust, &|_| {})
        };
        let gain =
            |c: bool, r: bool, domains: &[u8]| p_at(0.8, c, r, domains) - p_at(0.2, c, r, domains);
        let ordinary_cc = gain(true, true, &[0]);
        let ordinary_plain = gain(false, true, &[0]);
        assert!(ordinary_cc >= 0.15, "ordinary issue, ψ = 1: {ordinary_cc}");
        assert!(
            ordinary_plain.abs() <= 0.05,
            "ordinary, ψ = 0: {ordinary_plain}"
        );
        let both = gain(true, true, &[0, 1]);
        let pivotal_only = gain(false, true, &[0, 1]);
        let cc_only = gain(true, false, &[0, 1]);
        let neither = gain(false, false, &[0, 1]);
        eprintln!(
            "trust 0.2 -> 0.8 on a cross-domain issue: both {both:.3}, pivotality only \
             {pivotal_only:.3}, conditional cooperation only {cc_only:.3}, neither {neither:.3}, \
             interaction {:.3}",
            both - pivotal_only - cc_only + neither
        );
        assert!(pivotal_only >= 0.15, "complements, ψ = 0: {pivotal_only}");
        assert!(neither.abs() <= 0.05, "neither channel: {neither}");
    }

    /// Stated before it ran: under complements a partner who delivers with weekly probability
    /// q completes within h weeks with probability 1 − (1 − q)^h: exactly q with one week
    /// left, rising with the weeks left.
    #[test]
    fn completion_probability_is_the_weekly_rate_over_the_weeks_left() {
        assert!((completion_probability(0.3, 1) - 0.3).abs() < 1e-12);
        assert!((completion_probability(0.3, 4) - (1.0 - 0.7f64.powi(4))).abs() < 1e-12);
        assert!(completion_probability(0.3, 4) > completion_probability(0.3, 2));
        assert_eq!(completion_probability(1.0, 3), 1.0);
        assert_eq!(completion_probability(0.0, 3), 0.0);
    }

    /// Stated before it ran (ODD §7.7): congestion raises the cost of work only once the work
    /// asked of an actor exceeds its capacity. Asked for 0.9 of its capacity, the lead's
    /// P(substantive) is what it is with nothing asked; asked for twice its capacity, it falls.
    #[test]
    fn congestion_costs_only_beyond_capacity() {
        let p = small_params();
        let ps = |overload: f64| {
            p_substantive_at(&p, &[0], 1, 0.5, &|d: &mut District| {
                for o in d.orgs.iter_mut() {
                    o.overload_last = overload;
                }
            })
        };
        assert!((ps(0.9) - ps(0.0)).abs() < 1e-12);
        assert!(ps(2.0) < ps(0.9) - 0.05, "{} vs {}", ps(2.0), ps(0.9));
    }

    /// Stated before it ran (ODD §7.10): with forgetting φ = 0.1 and no reinforcement, a habit
    /// at the clip falls below half its strength within 7 weeks; with φ = 0 it stays.
    #[test]
    fn unreinforced_habits_fade() {
        let mut h = [kernel::HABIT_CLIP, -kernel::HABIT_CLIP, 0.0];
        for _ in 0..7 {
            kernel::forget_habits(&mut h, 0.1);
        }
        assert!(h[0] < 0.5 * kernel::HABIT_CLIP && h[1] > -0.5 * kernel::HABIT_CLIP);
        let mut kept = [kernel::HABIT_CLIP; 3];
        kernel::forget_habits(&mut kept, 0.0);
        assert_eq!(kept, [kernel::HABIT_CLIP; 3]);
    }

    /// Stated before it ran (ODD §7.6.1): an input nobody nearby can provide is not required,
    /// so a cross-domain issue that needs a social organisation in a community without one
    /// forms without that member instead of stalling for ever.
    #[test]
    fn a_missing_partner_is_not_required() {
        let mut p = small_params();
        p.territory.social_orgs_per_community = 0.0;
        let world = World::new(&p, 7);
        let d = &world.districts[0];
        let mut issue = issue_in(d, &[0, 1], Level::Grid);
        issue.needs = NEEDS_SOCIAL_ORG;
        let c = build_coalition(&DistrictPools(&mut d.clone()), &issue, &p, false);
        assert_eq!(c.n, 3, "grid team and two departments");
        assert!(c.members[..c.n].iter().all(|m| m.org.is_some()));
    }

    #[test]
    fn deliberation_and_the_coordinating_core_lower_the_conflict_probability() {
        let base = Params::default();
        let world = World::new(&small_params(), 1);
        let q0 = Effective::new(&base, &world.ramps, 1, &world.counts()).policy_conflict_q;
        let mut p = base.clone();
        p.process.deliberation = 1.0;
        let q1 = Effective::new(&p, &world.ramps, 1, &world.counts()).policy_conflict_q;
        p.institutions.party_core = 1.0;
        let q2 = Effective::new(&p, &world.ramps, 1, &world.counts()).policy_conflict_q;
        assert!(q1 < q0 && q2 < q1);
    }

    #[test]
    fn trace_evaluation_makes_symbolic_work_pay() {
        let sym = |w: f64| {
            let mut p = small_params();
            p.motivation.performance_evaluation = w;
            p.motivation.incentive_compatibility = 1.0;
            let mut world = World::new(&p, 7);
            let eff = Effective::new(&p, &world.ramps, 1, &world.counts());
            let d = &mut world.districts[0];
            for o in d.orgs.iter_mut() {
                o.capacity = eff.capacity_of(o);
            }
            let issue = issue_in(d, &[0], Level::Grid);
            let pools = DistrictPools(d);
            let c = build_coalition(&pools, &issue, &p, false);
            choice_probabilities(&pools, &issue, &c, 0, &p, &eff)[1]
        };
        assert!(sym(0.0) > sym(1.0));
    }

    fn task(org: OrgRef, coalition: u32, member: u8, watched: bool, utility: f64) -> Task {
        Task {
            org,
            coalition,
            member,
            action: Action::Substantive,
            watched,
            utility,
            need: 1.0,
            ..Task::EMPTY
        }
    }

    /// Rationing order by its definition: sorting every task field by field.
    fn order_by_definition(tasks: &[Task]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&tasks[a], &tasks[b]);
            x.org
                .cmp(&y.org)
                .then(y.watched.cmp(&x.watched))
                .then(y.utility.total_cmp(&x.utility))
                .then(x.coalition.cmp(&y.coalition))
                .then(x.member.cmp(&y.member))
        });
        order
    }

    proptest::proptest! {
        /// The bucketed queue gives exactly the order of the full sort, in a district and in
        /// the city phase (where the city's own organisations come last), with tied, negative
        /// and signed-zero utilities.
        #[test]
        fn the_rationing_queue_orders_tasks_as_the_full_sort_does(
            draws in proptest::collection::vec(
                (0u16..3, 0u32..6, proptest::bool::ANY, 0usize..6, 1u8..4),
                0..60,
            )
        ) {
            let mut p = small_params();
            p.territory.districts = 2;
            let mut world = World::new(&p, 3);
            let utilities = [-1.5, -0.0, 0.0, 0.25, 0.25, 3.0];
            let mut tasks = Vec::new();
            let (mut coalition, mut member) = (0u32, 0u8);
            for &(pool, index, watched, u, step) in &draws {
                // Tasks arrive coalition by coalition, member by member.
                if step == 1 {
                    coalition += 1;
                    member = 0;
                } else {
                    member += 1;
                }
                let pool = if pool == 2 { OrgRef::CITY } else { pool };
                tasks.push(task(OrgRef { pool, index }, coalition, member, watched, utilities[u]));
            }
            let expected = order_by_definition(&tasks);
            let mut queue = BucketQueue::default();
            let city = CityPools::new(&mut world.city.orgs, &mut world.districts);
            queue_tasks(&city, &tasks, &mut queue);
            proptest::prop_assert_eq!(queue.items().collect::<Vec<_>>(), expected);

            let local: Vec<Task> = tasks.iter().filter(|t| t.org.pool == 0).copied().collect();
            let expected = order_by_definition(&local);
            queue_tasks(&DistrictPools(&mut world.districts[0]), &local, &mut queue);
            proptest::prop_assert_eq!(queue.items().collect::<Vec<_>>(), expected);
        }
    }

    /// The city phase's blocks, split between threads, give exactly what going coalition by
    /// coalition on one thread gives: the same tasks, progress, lessons and counts.
    #[test]
    fn the_parallel_blocks_equal_the_coalition_by_coalition_pass() {
        let mut p = Params::default();
        // Every discovered issue goes to the city, and many span districts.
        p.capacity.grid_authority = 0.0;
        p.capacity.community_authority = 0.0;
        p.capacity.street_authority = 0.0;
        p.capacity.district_authority = 0.0;
        p.issues.cross_unit_share = 0.5;
        // Refusals (compaction of a block), summons (capacity taken between building and
        // deciding) and public naming (reputation changed while learning).
        p.motivation.responsibility_lists = 1.0;
        p.institutions.block_led = true;
        p.process.whistle_and_report = true;
        p.process.information_sharing = 1.0;
        let mut sim = crate::model::Simulation::new(p.clone(), 5, Vec::new());
        for _ in 0..5 {
            sim.step();
        }
        let n = sim.world.city.issues.len();
        assert!(n > 3 * BLOCK, "only {n} city issues");
        let run = |parallel: bool, threads: usize| {
            let mut world = sim.world.clone();
            let eff = Effective::new(&p, &world.ramps, 6, &world.counts());
            let mut issues = std::mem::take(&mut world.city.issues);
            let mut rng =
                crate::model::rng::stream(5, 6, u64::MAX, crate::model::rng::Purpose::CityPhase);
            let mut stats = TickStats::default();
            let mut scratch = Scratch::default();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut pools = CityPools::new(&mut world.city.orgs, &mut world.districts);
                collaborate(
                    &mut pools,
                    &mut issues,
                    &p,
                    &eff,
                    &mut rng,
                    true,
                    parallel,
                    &mut stats,
                    &mut scratch,
                );
            });
            let orgs: Vec<&Vec<Org>> = world.districts.iter().map(|d| &d.orgs).collect();
            (
                format!("{issues:?}"),
                format!("{orgs:?} {:?}", world.city.orgs),
                format!("{stats:?}"),
                scratch.resolved,
                format!("{:?}", scratch.tasks),
            )
        };
        let one_by_one = run(false, 1);
        let blocks = run(true, 3);
        for needed in ["refused: 0,", "conflicts: 0,"] {
            assert!(!one_by_one.2.contains(needed), "a weak test: {needed}");
        }
        assert!(
            one_by_one.0.contains("summoned: true"),
            "a weak test: no summons"
        );
        assert!(
            one_by_one.3.iter().any(|&r| r),
            "nothing resolved: a weak test"
        );
        assert_eq!(one_by_one.0, blocks.0, "issues differ");
        assert_eq!(one_by_one.1, blocks.1, "organisations differ");
        assert_eq!(one_by_one.2, blocks.2, "counts differ");
        assert_eq!(one_by_one.3, blocks.3, "resolutions differ");
        assert_eq!(one_by_one.4, blocks.4, "tasks differ");
    }

    #[test]
    fn a_missing_partner_stalls_a_cross_domain_issue() {
        let c_shares = [0.4, 0.3, 0.3];
        assert_eq!(
            kernel::ces_aggregate(
                &c_shares,
                &[1.0, 1.0, 0.0],
                Params::default().behaviour.complement_exponent
            ),
            0.0
        );
    }
}
