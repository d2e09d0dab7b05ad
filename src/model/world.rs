//! Building the city (ODD §5, initialisation) and the lever-derived quantities each tick uses.
//!
//! The city is a tree of districts; each district owns everything below it (its block, its
//! departments, streets, communities, grid teams, enterprises, social organisations, residents
//! and issues), so districts can step in parallel. The city block and city departments live in
//! the `City` pool and act only in the city phase, which follows the districts'.

use rand::Rng;
use rand_distr::{Distribution, Normal, Poisson};
use rayon::prelude::*;

use super::entities::*;
use super::params::Params;
use super::rng::{stream, Purpose, Stream};

/// Index ranges of a district's organisation pool.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub departments: u32,
    pub streets: u32,
    pub communities: u32,
    pub grids: u32,
    pub enterprises: u32,
    pub social_orgs: u32,
    pub n_departments: u32,
    pub n_streets: u32,
    pub n_communities: u32,
    pub n_grids: u32,
    pub n_enterprises: u32,
    pub n_social_orgs: u32,
}

impl Layout {
    pub const BLOCK: u32 = 0;
    pub fn department(&self, domain: u8) -> u32 {
        self.departments + domain as u32
    }
    pub fn street(&self, s: u32) -> u32 {
        self.streets + s
    }
    pub fn community(&self, c: u32) -> u32 {
        self.communities + c
    }
    pub fn grid_team(&self, g: u32) -> u32 {
        self.grids + g
    }
    pub fn enterprise(&self, e: u32) -> u32 {
        self.enterprises + e
    }
    pub fn social_org(&self, s: u32) -> u32 {
        self.social_orgs + s
    }
}

/// One district and everything it owns.
#[derive(Clone, Debug)]
pub struct District {
    pub index: u16,
    pub orgs: Vec<Org>,
    pub layout: Layout,
    pub community_of_grid: Vec<u32>,
    pub street_of_community: Vec<u32>,
    /// Residents of grid g are `grid_offset[g]..grid_offset[g+1]`.
    pub grid_offset: Vec<u32>,
    /// Enterprises of grid g are `grid_enterprises[g]..grid_enterprises[g+1]` (local indices).
    pub grid_enterprises: Vec<u32>,
    /// Social organisations of community c, likewise.
    pub community_social_orgs: Vec<u32>,
    pub residents: Residents,
    /// Σ over the grid's residents of (current trust − baseline); decays as a whole each tick.
    pub grid_trust_deviation: Vec<f64>,
    pub grid_participation: Vec<f64>,
    pub issues: Vec<Issue>,
    pub next_issue_id: u32,
    /// The city's attention slots this district may use this tick (watching L2 issues and
    /// accepting escalations to L1).
    pub city_attention_left: f64,
}

impl District {
    pub fn grid_population(&self, g: u32) -> u32 {
        self.grid_offset[g as usize + 1] - self.grid_offset[g as usize]
    }

    /// The organisation leading at `level` for an issue located in grid `g`.
    pub fn block_at(&self, level: Level, g: u32) -> u32 {
        let c = self.community_of_grid[g as usize];
        match level {
            Level::Grid => self.layout.grid_team(g),
            Level::Community => self.layout.community(c),
            Level::Street => self.layout.street(self.street_of_community[c as usize]),
            Level::District | Level::City => Layout::BLOCK,
        }
    }
}

/// The city's own pool: its block and departments, plus issues that reached L1 or span districts.
#[derive(Clone, Debug)]
pub struct City {
    pub orgs: Vec<Org>,
    pub issues: Vec<Issue>,
    pub next_issue_id: u32,
}

/// Gradual levers: their effect builds up over time after they are switched on (MODEL §6,
/// "time to build" / "transition time").
#[derive(Clone, Debug, Default)]
pub struct Ramps {
    pub trust_culture: f64,
    pub equal_partnership: f64,
    pub platform_government: f64,
}

impl Ramps {
    /// Gradual levers build up from week 1 unless the scenario declares them established
    /// before the run (MODEL §11.3).
    pub fn at_start(p: &Params) -> Ramps {
        let culture = |x: f64| if p.costs.culture_established { x } else { 0.0 };
        Ramps {
            trust_culture: culture(p.motivation.trust_culture),
            equal_partnership: culture(p.motivation.equal_partnership),
            platform_government: if p.costs.platform_established {
                p.institutions.platform_government
            } else {
                0.0
            },
        }
    }

    /// Moves each effective level toward its lever setting by 1/build_ticks per tick.
    pub fn advance(&mut self, p: &Params) {
        fn toward(x: &mut f64, target: f64, ticks: f64) {
            let step = if ticks <= 0.0 {
                f64::INFINITY
            } else {
                1.0 / ticks
            };
            *x += (target - *x).clamp(-step, step);
        }
        toward(
            &mut self.trust_culture,
            p.motivation.trust_culture,
            p.costs.culture_build_ticks,
        );
        toward(
            &mut self.equal_partnership,
            p.motivation.equal_partnership,
            p.costs.culture_build_ticks,
        );
        toward(
            &mut self.platform_government,
            p.institutions.platform_government,
            p.costs.platform_build_ticks,
        );
    }
}

/// The whole simulated city.
#[derive(Clone, Debug)]
pub struct World {
    pub city: City,
    pub districts: Vec<District>,
    pub ramps: Ramps,
    /// Base capacity of all departments over all non-government organisations, for the
    /// platform-government transfer.
    pub department_to_nongov_capacity: f64,
    pub n_grids: u64,
    pub n_orgs: u64,
    /// Organisation counts and the government's base capacity, fixed at set-up (base capacities
    /// never change), which lever costs scale with (`World::counts`).
    pub(crate) counts: super::levers::Counts,
}

/// Number of residents, grids and organisations a parameter set creates, known before
/// anything is allocated (for the memory guard).
#[derive(Clone, Copy, Debug)]
pub struct SizeEstimate {
    pub grids: u64,
    pub residents_max: u64,
    pub organisations: u64,
    pub bytes: u64,
}

/// Upper bound of what `World::new` allocates.
pub fn estimate_size(p: &Params) -> SizeEstimate {
    let t = &p.territory;
    let grids = t.districts as u64
        * t.streets_per_district as u64
        * t.communities_per_street as u64
        * t.grids_per_community as u64;
    let communities = grids / t.grids_per_community.max(1) as u64;
    let residents_max =
        (grids as f64 * t.residents_per_grid as f64 * (1.0 + t.residents_spread)).ceil() as u64;
    let organisations = grids * 2
        + (grids as f64 * t.enterprises_per_grid * 1.5) as u64
        + (communities as f64 * t.social_orgs_per_community * 1.5) as u64
        + communities
        + t.districts as u64 * (t.streets_per_district as u64 + t.domains as u64 + 1);
    // Issues in flight: about arrival × lifetime, with generous headroom.
    let issues =
        (residents_max as f64 * p.issues.arrival_per_1000 / 1000.0 * 20.0) as u64 + grids * 4;
    let bytes = residents_max * (Residents::BYTES_PER_RESIDENT as u64)
        + organisations * std::mem::size_of::<Org>() as u64
        + issues * std::mem::size_of::<Issue>() as u64 * 2
        + grids * 48;
    SizeEstimate {
        grids,
        residents_max,
        organisations,
        bytes,
    }
}

fn draw_org(
    rng: &mut Stream,
    kind: ActorKind,
    level: Level,
    capacity: f64,
    p: &Params,
    initial_trust: f64,
) -> Org {
    let b = &p.behaviour;
    let mut o = Org::new(kind, level, capacity);
    let m = if b.motivation_sd > 0.0 {
        Normal::new(b.motivation_mean, b.motivation_sd)
            .map(|n| n.sample(rng))
            .unwrap_or(b.motivation_mean)
    } else {
        b.motivation_mean
    };
    o.motivation = m.clamp(0.0, 1.0);
    o.motivation_base = o.motivation;
    let theta = if b.value_angle_sd > 0.0 {
        Normal::new(0.0, b.value_angle_sd)
            .map(|n| n.sample(rng))
            .unwrap_or(0.0)
    } else {
        0.0
    };
    o.set_value_angle(theta);
    o.trust = [initial_trust; N_KINDS];
    o.reputation = 0.5;
    o
}

fn poisson(rng: &mut Stream, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean)
        .map(|d| d.sample(rng) as u32)
        .unwrap_or(0)
}

impl World {
    /// Builds the city for `params` with every random draw taken from `seed`'s setup streams.
    pub fn new(p: &Params, seed: u64) -> World {
        let t = &p.territory;
        let ramps = Ramps::at_start(p);
        // A trust culture built before the run has already lifted trust; one that builds up
        // lifts it week by week (`Simulation::step`).
        let initial_trust = (p.behaviour.initial_trust
            + ramps.trust_culture * p.costs.trust_culture_initial)
            .min(1.0);
        let mut city_rng = stream(seed, 0, u64::MAX, Purpose::Setup);
        let mut city_orgs = vec![draw_org(
            &mut city_rng,
            ActorKind::Block,
            Level::City,
            p.capacity.city_block,
            p,
            initial_trust,
        )];
        for _ in 0..t.domains {
            city_orgs.push(draw_org(
                &mut city_rng,
                ActorKind::Department,
                Level::City,
                p.capacity.city_department,
                p,
                initial_trust,
            ));
        }
        // Each district draws from its own setup stream, so building them in parallel gives
        // the same city whatever the thread count.
        let districts: Vec<District> = (0..t.districts)
            .into_par_iter()
            .map(|d| build_district(p, seed, d as u16, initial_trust))
            .collect();

        let mut dept_cap = 0.0;
        let mut nongov_cap = 0.0;
        let mut n_orgs = city_orgs.len() as u64;
        let mut n_grids = 0;
        for d in &districts {
            n_orgs += d.orgs.len() as u64;
            n_grids += d.layout.n_grids as u64;
            for o in &d.orgs {
                match o.kind {
                    ActorKind::Department => dept_cap += o.base_capacity,
                    ActorKind::Enterprise | ActorKind::SocialOrg => nongov_cap += o.base_capacity,
                    _ => {}
                }
            }
        }
        let mut world = World {
            city: City {
                orgs: city_orgs,
                issues: Vec::new(),
                next_issue_id: 0,
            },
            districts,
            ramps,
            department_to_nongov_capacity: if nongov_cap > 0.0 {
                dept_cap / nongov_cap
            } else {
                0.0
            },
            n_grids,
            n_orgs,
            counts: super::levers::Counts::default(),
        };
        world.counts = world.tally();
        world
    }

    /// Adds `delta` to every organisation's trust toward every partner kind.
    pub fn lift_trust(&mut self, delta: f64) {
        let orgs = self
            .city
            .orgs
            .iter_mut()
            .chain(self.districts.iter_mut().flat_map(|d| d.orgs.iter_mut()));
        for o in orgs {
            for t in o.trust.iter_mut() {
                *t = (*t + delta).clamp(0.0, 1.0);
            }
        }
    }

    pub fn resident_count(&self) -> u64 {
        self.districts
            .iter()
            .map(|d| d.residents.len() as u64)
            .sum()
    }
}

fn build_district(p: &Params, seed: u64, d: u16, initial_trust: f64) -> District {
    let t = &p.territory;
    let c = &p.capacity;
    let mut rng = stream(seed, 0, d as u64, Purpose::Setup);
    let n_streets = t.streets_per_district;
    let n_communities = n_streets * t.communities_per_street;
    let n_grids = n_communities * t.grids_per_community;

    let mut orgs = Vec::new();
    let mut layout = Layout::default();
    orgs.push(draw_org(
        &mut rng,
        ActorKind::Block,
        Level::District,
        c.district_block,
        p,
        initial_trust,
    ));
    layout.departments = orgs.len() as u32;
    layout.n_departments = t.domains;
    for _ in 0..t.domains {
        orgs.push(draw_org(
            &mut rng,
            ActorKind::Department,
            Level::District,
            c.district_department,
            p,
            initial_trust,
        ));
    }
    layout.streets = orgs.len() as u32;
    layout.n_streets = n_streets;
    for _ in 0..n_streets {
        orgs.push(draw_org(
            &mut rng,
            ActorKind::Block,
            Level::Street,
            c.street_block,
            p,
            initial_trust,
        ));
    }
    layout.communities = orgs.len() as u32;
    layout.n_communities = n_communities;
    for _ in 0..n_communities {
        orgs.push(draw_org(
            &mut rng,
            ActorKind::Block,
            Level::Community,
            c.community_block,
            p,
            initial_trust,
        ));
    }
    layout.grids = orgs.len() as u32;
    layout.n_grids = n_grids;
    // Grid team capacity scales with its workers; drawn per grid around the mean.
    let mut grid_workers = Vec::with_capacity(n_grids as usize);
    for _ in 0..n_grids {
        let w = poisson(&mut rng, t.grid_workers_per_grid).max(1) as f64;
        grid_workers.push(w);
    }
    for w in &grid_workers {
        orgs.push(draw_org(
            &mut rng,
            ActorKind::GridTeam,
            Level::Grid,
            w * c.grid_worker_effort,
            p,
            initial_trust,
        ));
    }

    let community_of_grid: Vec<u32> = (0..n_grids).map(|g| g / t.grids_per_community).collect();
    let street_of_community: Vec<u32> = (0..n_communities)
        .map(|k| k / t.communities_per_street)
        .collect();

    // Enterprises per grid and social organisations per community: Poisson counts.
    layout.enterprises = orgs.len() as u32;
    let mut grid_enterprises = vec![0u32];
    for _ in 0..n_grids {
        let n = poisson(&mut rng, t.enterprises_per_grid);
        for _ in 0..n {
            orgs.push(draw_org(
                &mut rng,
                ActorKind::Enterprise,
                Level::Grid,
                c.enterprise,
                p,
                initial_trust,
            ));
        }
        grid_enterprises.push(grid_enterprises.last().copied().unwrap_or(0) + n);
    }
    layout.n_enterprises = *grid_enterprises.last().unwrap_or(&0);
    layout.social_orgs = orgs.len() as u32;
    let mut community_social_orgs = vec![0u32];
    for _ in 0..n_communities {
        let n = poisson(&mut rng, t.social_orgs_per_community);
        for _ in 0..n {
            orgs.push(draw_org(
                &mut rng,
                ActorKind::SocialOrg,
                Level::Community,
                c.social_org,
                p,
                initial_trust,
            ));
        }
        community_social_orgs.push(community_social_orgs.last().copied().unwrap_or(0) + n);
    }
    layout.n_social_orgs = *community_social_orgs.last().unwrap_or(&0);

    // Residents, grid-contiguous.
    let mut grid_offset = Vec::with_capacity(n_grids as usize + 1);
    grid_offset.push(0u32);
    let spread = t.residents_spread;
    for _ in 0..n_grids {
        let factor = 1.0 + spread * (2.0 * rng.random::<f64>() - 1.0);
        let pop = ((t.residents_per_grid as f64 * factor).round() as u32).max(1);
        grid_offset.push(grid_offset.last().copied().unwrap_or(0) + pop);
    }
    let n_res = *grid_offset.last().unwrap_or(&0) as usize;
    let mut residents = Residents {
        trust: Vec::with_capacity(n_res),
        participation: Vec::with_capacity(n_res),
        last_tick: vec![0; n_res],
        open_grievances: vec![0; n_res],
    };
    let base = p.residents.initial_trust;
    let pm = p.residents.participation_mean;
    let mut grid_trust_deviation = vec![0.0; n_grids as usize];
    let mut grid_participation = vec![0.0; n_grids as usize];
    for g in 0..n_grids as usize {
        for _ in grid_offset[g]..grid_offset[g + 1] {
            // Trust ±0.2 around the baseline; participation from a Beta-like triangular draw.
            let tr = (base + 0.2 * (rng.random::<f64>() - 0.5) * 2.0).clamp(0.0, 1.0);
            let pa = (pm * (rng.random::<f64>() + rng.random::<f64>())).clamp(0.0, 1.0);
            residents.trust.push(tr as f32);
            residents.participation.push(pa as f32);
            grid_trust_deviation[g] += tr as f32 as f64 - base;
            grid_participation[g] += pa as f32 as f64;
        }
        let pop = (grid_offset[g + 1] - grid_offset[g]).max(1) as f64;
        grid_participation[g] /= pop;
    }

    District {
        index: d,
        orgs,
        layout,
        community_of_grid,
        street_of_community,
        grid_offset,
        grid_enterprises,
        community_social_orgs,
        residents,
        grid_trust_deviation,
        grid_participation,
        issues: Vec::new(),
        next_issue_id: 0,
        city_attention_left: 0.0,
    }
}
