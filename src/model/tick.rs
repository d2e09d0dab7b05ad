//! One tick of the city (MODEL §3; ODD §3 process overview and scheduling).
//!
//! Order within a tick: interventions and ramps → per district in parallel: reset, arrival,
//! discovery, attention, collaboration (decide → ration → progress → learn), ageing,
//! escalation, petitions, major risks, closing → the city phase, after all districts, for
//! issues at L1 or spanning districts → per district in parallel: end-of-tick updates (trust,
//! reputation, motivation, values, look-back reviews) and observation. Districts only ever
//! touch their own state in the parallel phases, and every random draw comes from a (seed,
//! tick, unit, purpose) stream, so the result does not depend on the number of threads.

use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

use super::collaboration::{self, CityPools, DistrictPools, Pools, Scratch};
use super::entities::*;
use super::levers::Effective;
use super::params::{ParamValue, Params};
use super::queue::{descending, BucketQueue};
use super::rng::{stream, Purpose, Stream};
use super::roles::{Choice, RoleTask, RoleWeek};
use super::stats::{TickStats, WAIT_BINS};
use super::world::{District, World};
use crate::games::kernel::{self, Action, N_ACTIONS};

/// A change of parameters at the start of a given tick (a reform, MODEL §6).
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    pub tick: u32,
    pub changes: Vec<(String, ParamValue)>,
}

/// A running simulation: the world, the parameters in force and the clock.
#[derive(Clone)]
pub struct Simulation {
    pub params: Params,
    pub seed: u64,
    pub world: World,
    /// Ticks completed so far.
    pub tick: u32,
    interventions: Vec<Intervention>,
    /// Role play (`roles`): people's choices, each for its week, and the organisations whose
    /// tasks each week records. Both empty in a model-only run.
    pub choices: Vec<Choice>,
    pub observed: Vec<OrgRef>,
}

impl Simulation {
    /// Builds the city and its legacy backlog. Interventions must carry keys `Params::set`
    /// accepts (the scenario loader checks them); a key it refuses is skipped.
    pub fn new(params: Params, seed: u64, mut interventions: Vec<Intervention>) -> Simulation {
        interventions.sort_by_key(|i| i.tick);
        let mut world = World::new(&params, seed);
        let command = params.capability.city_front_line_command;
        let setup_eff = Effective::new(&params, &world.ramps, 0, &world.counts());
        for d in world.districts.iter_mut() {
            let mut rng = stream(seed, 0, d.index as u64, Purpose::Arrival);
            for g in 0..d.layout.n_grids {
                let n = poisson(&mut rng, params.issues.legacy_backlog_per_grid);
                for _ in 0..n {
                    let mut issue = new_issue(d, g, 0, &params, &mut rng, true);
                    issue.discover(0);
                    assign_start_level(&mut issue, &setup_eff, command, 0, &mut rng);
                    d.issues.push(issue);
                }
            }
        }
        // Legacy issues at L1 or spanning districts belong to the city queue.
        for d in world.districts.iter_mut() {
            let (city, local): (Vec<Issue>, Vec<Issue>) = std::mem::take(&mut d.issues)
                .into_iter()
                .partition(belongs_to_city);
            d.issues = local;
            world.city.issues.extend(city);
        }
        Simulation {
            params,
            seed,
            world,
            tick: 0,
            interventions,
            choices: Vec::new(),
            observed: Vec::new(),
        }
    }

    /// The tasks the observed organisations will have next week, with the model's appraisal of
    /// each, found by running the week on a copy with the choices made so far. Tasks in
    /// districts are exactly next week's (their appraisals read only last week's state); the
    /// city phase's come after the districts' work and can shift with what people choose.
    pub fn preview(&self) -> Vec<RoleTask> {
        let mut copy = self.clone();
        copy.step().role_tasks
    }

    /// Advances one tick and returns what happened in it.
    pub fn step(&mut self) -> TickStats {
        // The whole tick runs on a worker thread of the pool: the parallel steps inside it
        // then cost a job each, not a hand-over from the calling thread and back.
        rayon::scope(|_| self.step_in_pool())
    }

    fn step_in_pool(&mut self) -> TickStats {
        self.tick += 1;
        let tick = self.tick;
        for iv in self.interventions.iter().filter(|iv| iv.tick == tick) {
            for (key, value) in &iv.changes {
                let applied = self.params.set(key, *value);
                debug_assert!(applied.is_ok(), "intervention {key} was not validated");
            }
        }
        let culture_before = self.world.ramps.trust_culture;
        self.world.ramps.advance(&self.params);
        // A trust culture lifts trust as it builds up, as an established one lifted the
        // initial trust; withdrawing it stops the gains but takes no earned trust back.
        let lift = (self.world.ramps.trust_culture - culture_before).max(0.0)
            * self.params.costs.trust_culture_initial;
        if lift > 0.0 {
            self.world.lift_trust(lift);
        }
        let counts = self.world.counts();
        let mut eff = Effective::new(&self.params, &self.world.ramps, tick, &counts);
        eff.roles = RoleWeek::new(&self.observed, &self.choices, tick);
        let p = &self.params;
        let seed = self.seed;

        let outcomes: Vec<(TickStats, Vec<Issue>)> = self
            .world
            .districts
            .par_iter_mut()
            .map(|d| district_work(d, p, &eff, seed))
            .collect();
        let mut stats = TickStats {
            tick,
            ..TickStats::default()
        };
        for (s, outbox) in outcomes {
            stats.merge(&s);
            self.world.city.issues.extend(outbox);
        }
        city_work(&mut self.world, p, &eff, seed, &mut stats);

        let closing: Vec<TickStats> = self
            .world
            .districts
            .par_iter_mut()
            .map(|d| district_close(d, p, &eff))
            .collect();
        for s in &closing {
            stats.merge(s);
        }
        let mut city_close = TickStats::default();
        close_orgs(&mut self.world.city.orgs, p, &eff, &mut city_close);
        observe_issues(&self.world.city.issues, tick, &mut city_close);
        stats.merge(&city_close);
        stats.cost_programmes += eff.fixed_programme_cost;
        stats.cost_oversight += eff.fixed_oversight_cost;
        stats.tick = tick;
        stats
    }
}

fn poisson(rng: &mut Stream, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean)
        .map(|d| d.sample(rng) as u32)
        .unwrap_or(0)
}

fn belongs_to_city(issue: &Issue) -> bool {
    issue.level == Level::City || issue.span_level == Some(Level::City)
}

/// Current trust of resident `i`, relaxed lazily from when it was last touched (MODEL §5).
fn resident_trust(d: &District, i: u32, tick: u32, p: &Params) -> f64 {
    let base = p.residents.initial_trust;
    let r = &d.residents;
    let dt = tick.saturating_sub(r.last_tick[i as usize] as u32) as i32;
    base + (r.trust[i as usize] as f64 - base) * (1.0 - p.residents.trust_relax_rate).powi(dt)
}

/// Touches resident `i` of grid `g`: applies `change` to its current trust and keeps the
/// grid's running sum exact.
fn adjust_resident_trust(
    d: &mut District,
    g: u32,
    i: u32,
    tick: u32,
    p: &Params,
    change: impl FnOnce(f64) -> f64,
) {
    let current = resident_trust(d, i, tick, p);
    let new = (change(current).clamp(0.0, 1.0)) as f32;
    d.grid_trust_deviation[g as usize] += new as f64 - current;
    d.residents.trust[i as usize] = new;
    d.residents.last_tick[i as usize] = tick.min(u16::MAX as u32) as u16;
}

/// Draws a new issue in grid `g` (MODEL §2.4; ODD §7.1).
fn new_issue(
    d: &mut District,
    g: u32,
    tick: u32,
    p: &Params,
    rng: &mut Stream,
    legacy: bool,
) -> Issue {
    let ip = &p.issues;
    let lo = d.grid_offset[g as usize];
    let pop = d.grid_population(g);
    let complainant = lo + rng.random_range(0..pop.max(1));
    // Its grievance count is written below, after the other draws have hidden the fetch.
    d.residents.prefetch(complainant);
    let mut domains = [0u8; MAX_DOMAINS];
    let n_domains = p.territory.domains as u8;
    let domain_count = if rng.random::<f64>() < ip.emerging_share {
        0
    } else if rng.random::<f64>() < ip.cross_domain_share && n_domains >= 2 {
        if n_domains >= 3 && rng.random::<f64>() < 0.3 {
            3
        } else {
            2
        }
    } else {
        1
    };
    let mut k = 0;
    while k < domain_count as usize {
        let dom = rng.random_range(0..n_domains);
        if !domains[..k].contains(&dom) {
            domains[k] = dom;
            k += 1;
        }
    }
    let mut severity =
        ip.severity_min * rng.random::<f64>().max(1e-12).powf(-1.0 / ip.severity_tail);
    if legacy {
        severity *= ip.legacy_severity_factor;
    }
    let mut needs = 0;
    if rng.random::<f64>() < ip.needs_social_org_share {
        needs |= NEEDS_SOCIAL_ORG;
    }
    if rng.random::<f64>() < ip.needs_enterprise_share {
        needs |= NEEDS_ENTERPRISE;
    }
    if rng.random::<f64>() < ip.needs_residents_share {
        needs |= NEEDS_RESIDENTS;
    }
    let (e_lo, e_hi) = (
        d.grid_enterprises[g as usize],
        d.grid_enterprises[g as usize + 1],
    );
    let opposing = if rng.random::<f64>() < ip.opposing_party_share && e_hi > e_lo {
        e_lo + rng.random_range(0..e_hi - e_lo)
    } else {
        u32::MAX
    };
    let (span_level, span_unit) = if rng.random::<f64>() < ip.cross_unit_share {
        draw_span(d, g, p, rng)
    } else {
        (None, u32::MAX)
    };
    let id = d.next_issue_id;
    d.next_issue_id += 1;
    let open = &mut d.residents.open_grievances[complainant as usize];
    *open = open.saturating_add(1);
    Issue {
        id,
        district: d.index,
        grid: g,
        complainant,
        domains,
        domain_count,
        needs,
        opposing,
        span_level,
        span_unit,
        severity,
        progress: 0.0,
        inputs: [0.0; N_ROLES],
        born_tick: tick,
        level_since_tick: tick,
        ready_tick: tick,
        level: Level::Grid,
        top_level: Level::Grid,
        discovered: false,
        discovered_tick: 0,
        legacy,
        escalations: 0,
        petitioned: false,
        major_risk: false,
        summoned: false,
        watched: false,
    }
}

/// A cross-unit issue's common ancestor level and the other side's unit (MODEL §4.4).
fn draw_span(d: &District, g: u32, p: &Params, rng: &mut Stream) -> (Option<Level>, u32) {
    let t = &p.territory;
    let u = rng.random::<f64>();
    let c = d.community_of_grid[g as usize];
    let s = d.street_of_community[c as usize];
    let sibling = |own: u32, first: u32, count: u32, rng: &mut Stream| {
        first + (own - first + 1 + rng.random_range(0..count - 1)) % count
    };
    if u < 0.5 && t.grids_per_community > 1 {
        let first = c * t.grids_per_community;
        (
            Some(Level::Community),
            d.layout
                .grid_team(sibling(g, first, t.grids_per_community, rng)),
        )
    } else if u < 0.8 && t.communities_per_street > 1 {
        let first = s * t.communities_per_street;
        (
            Some(Level::Street),
            d.layout
                .community(sibling(c, first, t.communities_per_street, rng)),
        )
    } else if u < 0.95 && t.streets_per_district > 1 {
        (
            Some(Level::District),
            d.layout.street(sibling(s, 0, t.streets_per_district, rng)),
        )
    } else if t.districts > 1 {
        (
            Some(Level::City),
            sibling(d.index as u32, 0, t.districts, rng),
        )
    } else {
        (None, u32::MAX)
    }
}

/// Assignment on discovery: the lowest level whose authority covers the severity, no lower
/// than the common ancestor of a cross-unit issue (MODEL §3 step 3).
fn assign_start_level(
    issue: &mut Issue,
    eff: &Effective,
    command: bool,
    tick: u32,
    rng: &mut Stream,
) {
    let mut level = Level::City;
    for n in (2..=5).rev() {
        if issue.severity <= eff.authority[n] {
            level = Level::from_number(n);
            break;
        }
    }
    if let Some(span) = issue.span_level {
        let span_lead = if span == Level::City && !command {
            Level::District
        } else {
            span
        };
        level = level.min(span_lead);
    }
    issue.level = level;
    issue.top_level = issue.top_level.min(level);
    issue.level_since_tick = tick;
    let delay = if issue.is_cross_domain() {
        eff.formation_delay
    } else {
        0.0
    };
    issue.ready_tick = tick + (delay + rng.random::<f64>()).floor() as u32;
}

fn reset_orgs(orgs: &mut [Org], eff: &Effective, stats: &mut TickStats) {
    for o in orgs.iter_mut() {
        o.capacity = eff.capacity_of(o);
        o.capacity_left = o.capacity;
        o.attention_left = if o.kind == ActorKind::Block {
            eff.attention_slots[o.level.number()].round()
        } else {
            0.0
        };
        // The slots a superior holds, for watching and reviews, cost its own time.
        stats.cost_oversight += eff.attention_cost_of(o);
        o.demand = 0.0;
        o.requested = 0.0;
        o.observed_sum = [0.0; N_KINDS];
        o.observed_count = [0.0; N_KINDS];
        o.pressure_sum = 0.0;
        o.delivered_sum = 0.0;
        o.task_count = 0.0;
        o.credited = 0.0;
        o.payoff_sum = [0.0; 3];
        o.payoff_count = [0.0; 3];
        stats.cost_paperwork += eff.paperwork_of(o);
    }
}

/// Arrival, discovery, attention, collaboration and ageing for one district. Returns the
/// tick's counts and the issues that leave for the city phase.
fn district_work(
    d: &mut District,
    p: &Params,
    eff: &Effective,
    seed: u64,
) -> (TickStats, Vec<Issue>) {
    let tick = eff.tick;
    let mut st = TickStats::default();
    reset_orgs(&mut d.orgs, eff, &mut st);
    d.city_attention_left = eff.city_slots_per_district.round();
    let keep = 1.0 - p.residents.trust_relax_rate;
    for dev in d.grid_trust_deviation.iter_mut() {
        *dev *= keep;
    }

    // 1. Arrival: Poisson per grid on its population.
    let mut rng = stream(seed, tick, d.index as u64, Purpose::Arrival);
    for g in 0..d.layout.n_grids {
        let mean =
            p.issues.arrival_per_1000 * d.grid_population(g) as f64 / 1000.0 * eff.arrival_gain;
        let n = poisson(&mut rng, mean);
        for _ in 0..n {
            let issue = new_issue(d, g, tick, p, &mut rng, false);
            d.issues.push(issue);
            st.arrived += 1;
        }
    }

    // 2. Discovery by grid teams (free capacity, systems) or the complainant's report (trust).
    let mut rng = stream(seed, tick, d.index as u64, Purpose::Discovery);
    let mut issues = std::mem::take(&mut d.issues);
    let command = p.capability.city_front_line_command;
    for k in 0..issues.len() {
        if let Some(ahead) = issues.get(k + PREFETCH_AHEAD) {
            if !ahead.discovered {
                d.residents.prefetch(ahead.complainant);
            }
        }
        let issue = &mut issues[k];
        if issue.discovered {
            continue;
        }
        let team = &d.orgs[d.layout.grid_team(issue.grid) as usize];
        let free = (1.0 - team.load_last / team.capacity.max(1e-9)).clamp(0.0, 1.0);
        let p_grid = (p.behaviour.discovery_base * free * eff.discovery_gain).min(1.0);
        let trust = resident_trust(d, issue.complainant, tick, p);
        let participation = d.residents.participation[issue.complainant as usize] as f64;
        let p_report = (p.behaviour.report_base * participation * trust * eff.report_gain).min(1.0);
        if rng.random::<f64>() < 1.0 - (1.0 - p_grid) * (1.0 - p_report) {
            issue.discover(tick);
            st.discovered += 1;
            assign_start_level(issue, eff, command, tick, &mut rng);
        }
    }
    // 3. Escalation of overdue issues, then attention: both draw on superiors' slots.
    for issue in issues.iter_mut() {
        escalate_if_overdue(d, issue, p, eff, &mut st);
    }
    // In place, in order: the issue list keeps its buffer from tick to tick.
    let leaves = |i: &Issue| i.discovered && belongs_to_city(i);
    let mut outbox = Vec::new();
    issues.retain(|i| {
        let goes = leaves(i);
        if goes {
            outbox.push(i.clone());
        }
        !goes
    });
    let mut scratch = SCRATCH.take();
    allocate_attention(d, &mut issues, &mut scratch.queue, &mut st);

    // 4–6. Collaboration.
    let mut rng = stream(seed, tick, d.index as u64, Purpose::Decision);
    {
        let mut pools = DistrictPools(d);
        collaboration::collaborate(
            &mut pools,
            &mut issues,
            p,
            eff,
            &mut rng,
            false,
            false,
            &mut st,
            &mut scratch,
        );
    }

    // 7. Ageing, risk, petitions, escalation, closing.
    let mut rng = stream(seed, tick, d.index as u64, Purpose::Ageing);
    let mut pools = DistrictPools(d);
    let resolved = &scratch.resolved;
    age_issues(
        &mut pools,
        &mut issues,
        resolved,
        leaves,
        &mut outbox,
        p,
        eff,
        &mut rng,
        &mut st,
    );
    d.issues = issues;
    SCRATCH.set(scratch);
    (st, outbox)
}

/// How many issues ahead the loops over a district's issues prefetch their complainants.
const PREFETCH_AHEAD: usize = 8;

/// Superiors' limited attention (MODEL §4.3): petitions first, then escalated, then severe,
/// then oldest.
fn allocate_attention(
    d: &mut District,
    issues: &mut [Issue],
    queue: &mut BucketQueue,
    st: &mut TickStats,
) {
    // A district keeps its issues in arrival order, so an issue's position stands for its
    // serial number (the tie-break) in the queue's index bits.
    debug_assert!(issues.windows(2).all(|w| w[0].id < w[1].id));
    // The superior's slot in the queue: its block, or the city's slots after all blocks.
    let city = d.orgs.len();
    let superior = |d: &District, issue: &Issue| match issue.level {
        Level::Grid | Level::Community | Level::Street => {
            d.block_at(issue.level.up(), issue.grid) as usize
        }
        _ => city,
    };
    for issue in issues.iter_mut() {
        issue.watched = false;
    }
    queue.fill(city + 1, issues.len(), |k| {
        let issue = &issues[k];
        if !issue.discovered {
            return None;
        }
        let key = attention_key(issue.petitioned, issue.escalations, issue.severity);
        Some((superior(d, issue), key))
    });
    for k in queue.items() {
        let issue = &mut issues[k];
        let superior = superior(d, issue);
        let left = if superior == city {
            &mut d.city_attention_left
        } else {
            &mut d.orgs[superior].attention_left
        };
        if *left >= 1.0 {
            *left -= 1.0;
            issue.watched = true;
            st.attention_used += 1.0;
        }
    }
}

/// An issue's place in its superior's queue, smallest first: petitioned, then more
/// escalations, then higher severity (ties go to the earlier issue).
fn attention_key(petitioned: bool, escalations: u8, severity: f64) -> u128 {
    (u128::from(!petitioned) << 72)
        | (u128::from(u8::MAX - escalations) << 64)
        | u128::from(descending(severity))
}

/// Escalation past the deadline (MODEL §3 step 6). It queues with the superior whatever its
/// attention slots (MODEL §11.4: attention decides which work is watched, it is not a gate);
/// the unit it leaves is marked down for it.
fn escalate_if_overdue(
    d: &mut District,
    issue: &mut Issue,
    p: &Params,
    eff: &Effective,
    st: &mut TickStats,
) {
    let tick = eff.tick;
    if !issue.discovered {
        return;
    }
    if issue.level == Level::City || tick - issue.level_since_tick < p.issues.deadline_ticks {
        return;
    }
    let leaving = d.block_at(issue.level, issue.grid) as usize;
    let o = &mut d.orgs[leaving];
    o.reputation = (o.reputation - p.behaviour.escalation_reputation_cost).max(0.0);
    o.pressure_sum += p.behaviour.escalation_pressure * eff.sanction;
    issue.level = issue.level.up();
    issue.top_level = issue.top_level.min(issue.level);
    issue.level_since_tick = tick;
    issue.escalations = issue.escalations.saturating_add(1);
    st.escalated += 1;
}

thread_local! {
    /// The collaboration buffers, one set per thread rather than one per district (and one for
    /// the city phase). They hold no model state (every use clears them first), and a set per
    /// thread stays in the cache from one district to the next: with a set per district, a
    /// city too big for the last-level cache fetched each district's buffers from memory
    /// every week (a 64-district city paid 20% more per district for the same work).
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Ages every issue in order, in place: drops those that close and moves those `leaves` picks
/// to `outbox`. `resolved[k]` says whether issue `k` was resolved this tick.
#[allow(clippy::too_many_arguments)]
fn age_issues<P: Pools>(
    pools: &mut P,
    issues: &mut Vec<Issue>,
    resolved: &[bool],
    leaves: impl Fn(&Issue) -> bool,
    outbox: &mut Vec<Issue>,
    p: &Params,
    eff: &Effective,
    rng: &mut Stream,
    st: &mut TickStats,
) {
    debug_assert_eq!(resolved.len(), issues.len());
    let mut kept = 0;
    for (k, &done) in resolved.iter().enumerate() {
        if let Some(ahead) = issues.get(k + PREFETCH_AHEAD) {
            pools
                .district(ahead.district)
                .residents
                .prefetch(ahead.complainant);
        }
        if let Some(issue) = age_issue(pools, issues[k].clone(), done, p, eff, rng, st) {
            if leaves(&issue) {
                outbox.push(issue);
            } else {
                issues[kept] = issue;
                kept += 1;
            }
        }
    }
    issues.truncate(kept);
}

/// Ageing, major risks, petitions, escalation and closing of one issue (MODEL §3 steps 5–6).
/// Returns the issue if it stays open.
fn age_issue<P: Pools>(
    pools: &mut P,
    mut issue: Issue,
    resolved: bool,
    p: &Params,
    eff: &Effective,
    rng: &mut Stream,
    st: &mut TickStats,
) -> Option<Issue> {
    let tick = eff.tick;
    if resolved {
        close_issue(pools, &issue, true, p, tick, st);
        return None;
    }
    let d_index = issue.district;
    // Risk accumulates until it materialises as a major risk event; after that the issue is
    // what it is (growth without end made a years-old issue thousands of times its size).
    if !issue.major_risk {
        let grown = (issue.severity * (1.0 + p.issues.severity_growth))
            .min(p.issues.major_risk_severity.max(issue.severity));
        // Work done covers a smaller share of a grown issue (complements count shares).
        let shrink = (issue.severity / grown) as f32;
        for input in issue.inputs.iter_mut() {
            *input *= shrink;
        }
        issue.severity = grown;
    }
    if !issue.major_risk && issue.severity >= p.issues.major_risk_severity {
        issue.major_risk = true;
        st.major_risks += 1;
        let d = pools.district_mut(d_index);
        let (lo, hi) = (
            d.grid_offset[issue.grid as usize],
            d.grid_offset[issue.grid as usize + 1],
        );
        for i in lo..hi {
            adjust_resident_trust(d, issue.grid, i, tick, p, |t| {
                t - p.residents.major_risk_trust_shock
            });
        }
        // A major risk surfaces and is taken over at district level at least.
        if issue.discover(tick) {
            st.discovered += 1;
        }
        if issue.level > Level::District {
            issue.level = Level::District;
            issue.top_level = issue.top_level.min(Level::District);
            issue.level_since_tick = tick;
            issue.escalations = issue.escalations.saturating_add(1);
            st.escalated += 1;
        }
    }
    // An open grievance erodes its complainant's trust whether or not anyone has seen it.
    let d = pools.district_mut(d_index);
    adjust_resident_trust(d, issue.grid, issue.complainant, tick, p, |t| {
        t - p.residents.grievance_erosion
    });
    let trust = resident_trust(d, issue.complainant, tick, p);
    let age = issue.age(tick);
    if age >= p.issues.max_age_ticks {
        close_issue(pools, &issue, false, p, tick, st);
        return None;
    }
    // Petition (上访): low trust and an old grievance skip levels.
    if !issue.petitioned
        && age >= p.residents.petition_age_ticks
        && trust < p.residents.petition_trust
        && issue.level > Level::City
        && rng.random::<f64>() < p.residents.petition_rate
    {
        issue.petitioned = true;
        st.petitioned += 1;
        if issue.discover(tick) {
            st.discovered += 1;
        }
        issue.level = if issue.level > Level::District {
            Level::District
        } else {
            Level::City
        };
        issue.top_level = issue.top_level.min(issue.level);
        issue.level_since_tick = tick;
        let d = pools.district_mut(d_index);
        adjust_resident_trust(d, issue.grid, issue.complainant, tick, p, |t| {
            t - p.residents.petition_trust_cost
        });
        return Some(issue);
    }
    Some(issue)
}

/// Closes an issue, resolved or abandoned, and lets its complainant judge it (MODEL §5).
fn close_issue<P: Pools>(
    pools: &mut P,
    issue: &Issue,
    resolved: bool,
    p: &Params,
    tick: u32,
    st: &mut TickStats,
) {
    let age = issue.age(tick) as f64;
    let satisfaction = if resolved {
        (1.0 - p.residents.wait_penalty * age
            - p.residents.escalation_penalty * issue.escalations as f64)
            .clamp(0.0, 1.0)
    } else {
        0.0
    };
    let d = pools.district_mut(issue.district);
    adjust_resident_trust(d, issue.grid, issue.complainant, tick, p, |t| {
        t + p.residents.trust_learning * (satisfaction - t)
    });
    let open = &mut d.residents.open_grievances[issue.complainant as usize];
    *open = open.saturating_sub(1);
    st.closed += 1;
    st.satisfaction_sum += satisfaction;
    if resolved {
        st.resolved += 1;
        st.resolved_at_level[issue.level.number() - 1] += 1;
        if issue.top_level > Level::City {
            st.resolved_below_city += 1;
        }
        st.resolved_age_sum += age;
        st.resolved_by_wait[(age as usize).min(WAIT_BINS - 1)] += 1;
        let since_report = tick.saturating_sub(issue.discovered_tick) as usize;
        st.resolved_by_report_wait[since_report.min(WAIT_BINS - 1)] += 1;
    } else {
        st.abandoned += 1;
    }
}

/// The city phase, after all districts: issues at L1 and issues that span districts.
fn city_work(world: &mut World, p: &Params, eff: &Effective, seed: u64, st: &mut TickStats) {
    let tick = eff.tick;
    reset_orgs(&mut world.city.orgs, eff, st);
    let mut issues = std::mem::take(&mut world.city.issues);
    for issue in issues.iter_mut() {
        if issue.level == Level::District
            && tick - issue.level_since_tick >= p.issues.deadline_ticks
        {
            issue.level = Level::City;
            issue.top_level = Level::City;
            issue.level_since_tick = tick;
            issue.escalations = issue.escalations.saturating_add(1);
            st.escalated += 1;
        }
    }
    // Front-line command watches the city's most pressing issues. Which issues those are does
    // not depend on their order among themselves (the order is total), so a selection does.
    for i in issues.iter_mut() {
        i.watched = false;
    }
    let slots = eff.city_command_slots.round().max(0.0) as usize;
    if slots > 0 {
        let mut order: Vec<usize> = (0..issues.len()).collect();
        if slots < order.len() {
            order.select_nth_unstable_by(slots - 1, |&a, &b| {
                let (x, y) = (&issues[a], &issues[b]);
                y.petitioned
                    .cmp(&x.petitioned)
                    .then(y.severity.total_cmp(&x.severity))
                    .then(x.district.cmp(&y.district))
                    .then(x.id.cmp(&y.id))
            });
            order.truncate(slots);
        }
        for k in order {
            issues[k].watched = true;
            st.attention_used += 1.0;
        }
    }
    let mut rng = stream(seed, tick, u64::MAX, Purpose::CityPhase);
    let mut scratch = SCRATCH.take();
    {
        let mut pools = CityPools::new(&mut world.city.orgs, &mut world.districts);
        collaboration::collaborate(
            &mut pools,
            &mut issues,
            p,
            eff,
            &mut rng,
            true,
            true,
            st,
            &mut scratch,
        );
    }
    let mut pools = CityPools::new(&mut world.city.orgs, &mut world.districts);
    // Nothing leaves the city's queue.
    let (resolved, mut none) = (&scratch.resolved, Vec::new());
    age_issues(
        &mut pools,
        &mut issues,
        resolved,
        |_| false,
        &mut none,
        p,
        eff,
        &mut rng,
        st,
    );
    world.city.issues = issues;
    SCRATCH.set(scratch);
}

/// End-of-tick updates of a district's organisations and its observation (MODEL §5).
fn district_close(d: &mut District, p: &Params, eff: &Effective) -> TickStats {
    let mut st = TickStats::default();
    close_orgs(&mut d.orgs, p, eff, &mut st);
    observe_issues(&d.issues, eff.tick, &mut st);
    let base = p.residents.initial_trust;
    for g in 0..d.layout.n_grids as usize {
        let pop = d.grid_population(g as u32) as f64;
        // The running sum is exact up to rounding; clamp so rounding never leaves 0..=1.
        st.resident_trust_sum += (base * pop + d.grid_trust_deviation[g]).clamp(0.0, pop);
        st.residents += pop;
    }
    st
}

fn observe_issues(issues: &[Issue], tick: u32, st: &mut TickStats) {
    for i in issues {
        st.backlog += 1;
        if !i.discovered {
            st.hidden += 1;
        }
        st.backlog_age_sum += i.age(tick) as f64;
    }
}

/// Trust, reputation, motivation, values and look-back reviews (MODEL §5; ODD §7.8–7.9).
fn close_orgs(orgs: &mut [Org], p: &Params, eff: &Effective, st: &mut TickStats) {
    let b = &p.behaviour;
    let visibility = b.visibility_base
        + (1.0 - b.visibility_base)
            * p.process
                .information_sharing
                .max(p.tools.third_party_evaluation);
    let review_mean = if eff.review_tick {
        let (mut sum, mut n) = (0.0, 0.0);
        for o in orgs.iter().filter(|o| o.kind.is_government()) {
            let tasks = o.review_tasks + o.task_count;
            if tasks > 0.0 {
                sum += (o.review_delivered + o.delivered_sum) / tasks;
                n += 1.0;
            }
        }
        if n > 0.0 {
            sum / n
        } else {
            0.0
        }
    } else {
        0.0
    };
    let strength = p.motivation.lookback_strength;
    for o in orgs.iter_mut() {
        // Habits learn once per tick from the mean payoff of each action taken (MODEL §5), so
        // an actor with many tasks does not learn faster than one with few; all habits forget.
        kernel::forget_habits(&mut o.habits, b.habit_forgetting);
        for a in Action::ALL {
            let n = o.payoff_count[a.index()];
            if n > 0.0 {
                o.aspiration = kernel::bush_mosteller(
                    &mut o.habits,
                    a,
                    o.payoff_sum[a.index()] / n,
                    o.aspiration,
                    b.habit_rate,
                    b.aspiration_rate,
                );
            }
        }
        for k in 0..N_KINDS {
            if o.observed_count[k] > 0.0 {
                let seen = o.observed_sum[k] / o.observed_count[k];
                o.trust[k] =
                    kernel::update_trust(o.trust[k], seen, eff.trust_gain_rate, b.trust_loss_rate);
            }
        }
        let grassroots = Effective::is_grassroots(o);
        if o.task_count > 0.0 {
            let rate = o.delivered_sum / o.task_count;
            o.reputation += b.reputation_rate * visibility * (rate - o.reputation);
        }
        // Crowding-out: pressure beyond intrinsic value erodes motivation; recognition and
        // the base (raised by better posts and pay at the grassroots) pull it back.
        let media = p.tools.media_pressure * p.costs.media_crowding * 0.1;
        let paperwork = if grassroots { eff.paperwork_share } else { 0.0 };
        // Pressure per task; an escalation's pressure counts even in a week without tasks.
        let pressure = o.pressure_sum / o.task_count.max(1.0) + media + paperwork;
        let intrinsic = o.motivation * o.alignment();
        if pressure > intrinsic + b.crowding_threshold {
            o.motivation -= b.crowding_rate * (pressure - intrinsic - b.crowding_threshold);
        }
        if o.task_count > 0.0 {
            o.motivation += b.recognition_rate * o.credited / o.task_count;
        }
        let base = (o.motivation_base
            + if grassroots {
                eff.grassroots_motivation_bonus
            } else {
                0.0
            })
        .min(1.0);
        o.motivation += b.motivation_relax_rate * (base - o.motivation);
        o.motivation = o.motivation.clamp(0.0, 1.0);
        if p.motivation.value_programme > 0.0 {
            o.set_value_angle(
                o.value_angle * (1.0 - p.motivation.value_programme * p.costs.value_rotation),
            );
        }
        o.load_last = o.demand;
        o.overload_last = o.requested / o.capacity.max(1e-9);
        o.review_delivered += o.delivered_sum;
        o.review_tasks += o.task_count;
        for a in Action::ALL {
            o.review_actions[a.index()] += o.payoff_count[a.index()];
        }
        if eff.review_tick && o.kind.is_government() {
            look_back(o, review_mean, strength, eff.sanction, p);
        }
        st.org_trust_sum += o.trust.iter().sum::<f64>() / N_KINDS as f64;
        st.org_trust_count += 1.0;
        st.motivation_sum[o.kind.index()] += o.motivation;
        st.org_count[o.kind.index()] += 1.0;
        st.cost_programmes += eff.programme_cost_of(o);
    }
}

/// Look-back review (回头看, MODEL §5; ODD §7.15): an evaluation of the period since the last
/// review. Its verdict — commendation for improvers, criticism for laggards, each weighing
/// `strength` times the sanction — is learned like any other payoff, by the actions the
/// organisation took in the period (revision 2 step 8: the first model edited habits
/// directly); the public verdict also moves motivation and reputation, and the review corrects
/// value drift.
fn look_back(o: &mut Org, mean_rate: f64, strength: f64, sanction: f64, p: &Params) {
    let c = &p.costs;
    if o.review_tasks <= 0.0 {
        return;
    }
    let rate = o.review_delivered / o.review_tasks;
    let improved = o.review_previous_rate >= 0.0 && rate > o.review_previous_rate;
    let lagging = rate < mean_rate;
    let weight = strength * sanction;
    let mut verdict = [0.0; N_ACTIONS];
    if improved {
        o.motivation = (o.motivation + c.lookback_recognition * strength).min(1.0);
        verdict[Action::Substantive.index()] += weight;
    }
    if lagging {
        verdict[Action::Shirk.index()] -= weight;
        verdict[Action::Symbolic.index()] -= 0.5 * weight;
        o.reputation = (o.reputation - c.lookback_naming * strength).max(0.0);
    }
    for a in Action::ALL {
        if o.review_actions[a.index()] > 0.0 && verdict[a.index()] != 0.0 {
            // Experienced relative to what the organisation expected: the verdict itself.
            kernel::bush_mosteller(
                &mut o.habits,
                a,
                o.aspiration + verdict[a.index()],
                o.aspiration,
                p.behaviour.habit_rate,
                0.0,
            );
        }
    }
    o.set_value_angle(o.value_angle * (1.0 - c.lookback_value_correction * strength));
    o.review_previous_rate = rate;
    o.review_delivered = 0.0;
    o.review_tasks = 0.0;
    o.review_actions = [0.0; N_ACTIONS];
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Superiors' queue key orders issues as its definition does: petitioned first, then
        /// more escalations, then higher severity, then the earlier serial number.
        #[test]
        fn the_attention_key_orders_as_its_definition(
            draws in proptest::collection::vec(
                (proptest::bool::ANY, 0u8..=255, 0usize..5),
                0..40,
            )
        ) {
            let severities = [0.0, 0.5, 0.5, 3.0, 1e9];
            let issues: Vec<(bool, u8, f64, u32)> = draws
                .iter()
                .enumerate()
                .map(|(id, &(petitioned, escalations, s))| {
                    (petitioned, escalations, severities[s], id as u32)
                })
                .collect();
            let mut by_definition = issues.clone();
            by_definition.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(b.1.cmp(&a.1))
                    .then(b.2.total_cmp(&a.2))
                    .then(a.3.cmp(&b.3))
            });
            let key = |&(petitioned, escalations, severity, id): &(bool, u8, f64, u32)| {
                (attention_key(petitioned, escalations, severity), id)
            };
            let mut by_key = issues.clone();
            by_key.sort_by_key(key);
            proptest::prop_assert_eq!(by_key, by_definition);
        }
    }
}
