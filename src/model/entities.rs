//! Entities and their state variables (ODD §2): levels, organisations, issues and the
//! column-stored residents.
//!
//! Organisations number in the thousands and are plain structs; residents number in the
//! millions and live in compact columns addressed by their index inside a district, stored
//! grid-contiguous so that a grid's residents are one slice.

use crate::games::kernel::N_ACTIONS;

/// The five administrative levels (纵向五级), top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    City = 1,
    District = 2,
    Street = 3,
    Community = 4,
    Grid = 5,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::City,
        Level::District,
        Level::Street,
        Level::Community,
        Level::Grid,
    ];

    pub fn number(self) -> usize {
        self as usize
    }

    /// The level above (the city has none).
    pub fn up(self) -> Level {
        match self {
            Level::City | Level::District => Level::City,
            Level::Street => Level::District,
            Level::Community => Level::Street,
            Level::Grid => Level::Community,
        }
    }

    /// The level below (a grid has none).
    pub fn down(self) -> Level {
        match self {
            Level::City => Level::District,
            Level::District => Level::Street,
            Level::Street => Level::Community,
            Level::Community | Level::Grid => Level::Grid,
        }
    }

    pub fn from_number(n: usize) -> Level {
        match n {
            1 => Level::City,
            2 => Level::District,
            3 => Level::Street,
            4 => Level::Community,
            _ => Level::Grid,
        }
    }
}

/// Kinds of organisational actor. Government is split into territorial blocks (块, L1–L4),
/// grid teams (L5) and functional departments (条); residents are not organisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorKind {
    Block = 0,
    GridTeam = 1,
    Department = 2,
    Enterprise = 3,
    SocialOrg = 4,
}

pub const N_KINDS: usize = 5;

impl ActorKind {
    pub const ALL: [ActorKind; N_KINDS] = [
        ActorKind::Block,
        ActorKind::GridTeam,
        ActorKind::Department,
        ActorKind::Enterprise,
        ActorKind::SocialOrg,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_government(self) -> bool {
        matches!(
            self,
            ActorKind::Block | ActorKind::GridTeam | ActorKind::Department
        )
    }

    /// Snake-case name used in output column names.
    pub fn slug(self) -> &'static str {
        match self {
            ActorKind::Block => "block",
            ActorKind::GridTeam => "grid_team",
            ActorKind::Department => "department",
            ActorKind::Enterprise => "enterprise",
            ActorKind::SocialOrg => "social_org",
        }
    }
}

/// State of one organisational actor (ODD §2.2). Values are in 0..=1 unless noted.
#[derive(Clone, Debug)]
pub struct Org {
    pub kind: ActorKind,
    pub level: Level,
    /// Effort units per tick before lever multipliers.
    pub base_capacity: f64,
    /// Intrinsic motivation `m` and the base it relaxes to.
    pub motivation: f64,
    pub motivation_base: f64,
    /// Value angle `θ` in radians; the shared goal is at 0. Its cosine and sine are cached
    /// (`set_value_angle`) because value distances are needed for every pair in every coalition.
    pub value_angle: f64,
    pub value_cos: f64,
    pub value_sin: f64,
    /// Trust toward partners of each kind.
    pub trust: [f64; N_KINDS],
    /// Learned habits ρ for substantive, symbolic, shirk.
    pub habits: [f64; N_ACTIONS],
    pub aspiration: f64,
    /// Public track record.
    pub reputation: f64,
    /// Effort demanded of it last tick (drives the congestion cost).
    pub load_last: f64,
    /// Work asked of it last tick (every substantive and symbolic choice, served or not) as a
    /// multiple of its capacity: above 1 it is overloaded, which drives the overload cost.
    pub overload_last: f64,
    /// Work asked of it this tick.
    pub requested: f64,
    // --- per-tick scratch, reset at the start of each tick ---
    pub capacity: f64,
    pub capacity_left: f64,
    /// Attention slots left this tick (blocks at L1–L4): watching and accepting escalations.
    pub attention_left: f64,
    pub demand: f64,
    pub observed_sum: [f64; N_KINDS],
    pub observed_count: [f64; N_KINDS],
    pub pressure_sum: f64,
    pub delivered_sum: f64,
    pub task_count: f64,
    pub credited: f64,
    /// Payoffs of each action this tick (habits learn once per tick from their means).
    pub payoff_sum: [f64; N_ACTIONS],
    pub payoff_count: [f64; N_ACTIONS],
    // --- look-back review bookkeeping ---
    pub review_delivered: f64,
    pub review_tasks: f64,
    pub review_previous_rate: f64,
    /// Actions taken since the last look-back review, by action: what its verdict teaches.
    pub review_actions: [f64; N_ACTIONS],
}

impl Org {
    pub fn new(kind: ActorKind, level: Level, base_capacity: f64) -> Org {
        Org {
            kind,
            level,
            base_capacity,
            motivation: 0.5,
            motivation_base: 0.5,
            value_angle: 0.0,
            value_cos: 1.0,
            value_sin: 0.0,
            trust: [0.5; N_KINDS],
            habits: [0.0; N_ACTIONS],
            aspiration: 0.0,
            reputation: 0.5,
            load_last: 0.0,
            overload_last: 0.0,
            requested: 0.0,
            capacity: base_capacity,
            capacity_left: base_capacity,
            attention_left: 0.0,
            demand: 0.0,
            observed_sum: [0.0; N_KINDS],
            observed_count: [0.0; N_KINDS],
            pressure_sum: 0.0,
            delivered_sum: 0.0,
            task_count: 0.0,
            credited: 0.0,
            payoff_sum: [0.0; N_ACTIONS],
            payoff_count: [0.0; N_ACTIONS],
            review_delivered: 0.0,
            review_tasks: 0.0,
            review_previous_rate: -1.0,
            review_actions: [0.0; N_ACTIONS],
        }
    }

    pub fn set_value_angle(&mut self, theta: f64) {
        self.value_angle = theta;
        self.value_cos = theta.cos();
        self.value_sin = theta.sin();
    }

    /// Alignment `v = max(0, cos(θ − θ*))` with the shared goal.
    pub fn alignment(&self) -> f64 {
        self.value_cos.max(0.0)
    }

    /// Value distance `1 − cos(θ_i − θ_j)` to another organisation.
    pub fn value_distance(&self, other: &Org) -> f64 {
        1.0 - (self.value_cos * other.value_cos + self.value_sin * other.value_sin)
    }
}

/// Where an organisation lives: the city's own pool or a district's pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgRef {
    /// `CITY` for the city block and city departments, else the district index.
    pub pool: u16,
    pub index: u32,
}

impl OrgRef {
    pub const CITY: u16 = u16::MAX;
}

/// Needs an issue can have beyond the government (bit flags).
pub const NEEDS_SOCIAL_ORG: u8 = 1;
pub const NEEDS_ENTERPRISE: u8 = 2;
pub const NEEDS_RESIDENTS: u8 = 4;

/// Maximum domains of one issue.
pub const MAX_DOMAINS: usize = 3;

/// A governance issue (ODD §2.4). Kept small: no heap data, so the active list is one
/// contiguous vector per district.
#[derive(Clone, Debug)]
pub struct Issue {
    /// Serial number inside its district (or the city), for deterministic ordering.
    pub id: u32,
    pub district: u16,
    /// Grid and complainant, as indices inside the district.
    pub grid: u32,
    pub complainant: u32,
    pub domains: [u8; MAX_DOMAINS],
    /// 0 = an emerging issue no domain owns.
    pub domain_count: u8,
    pub needs: u8,
    /// Opposing enterprise (district-local index), or `u32::MAX`.
    pub opposing: u32,
    /// For cross-unit issues: level of the lowest common ancestor and the other side's unit
    /// (district-local index at the level below it; a district index when the LCA is the city).
    pub span_level: Option<Level>,
    pub span_unit: u32,
    pub severity: f64,
    pub progress: f64,
    /// Complements only: the completed fraction of each input's share, by role
    /// (`Role`), accumulated over the issue's life (ODD §7.8).
    pub inputs: [f32; N_ROLES],
    pub born_tick: u32,
    pub level_since_tick: u32,
    /// First tick the coalition can work (formation delay of cross-domain issues).
    pub ready_tick: u32,
    pub level: Level,
    /// Highest level (smallest number) the issue ever reached.
    pub top_level: Level,
    pub discovered: bool,
    /// Week the issue became known (reported or found); 0 for the legacy backlog. The hotline's
    /// return visit counts from here (ODD §7.19).
    pub discovered_tick: u32,
    pub legacy: bool,
    pub escalations: u8,
    pub petitioned: bool,
    pub major_risk: bool,
    pub summoned: bool,
    /// Set by the attention phase for this tick.
    pub watched: bool,
}

/// Number of input roles an issue can require: the territorial lead, up to three departments,
/// a social organisation, an enterprise, residents and the other side of a cross-unit issue.
pub const N_ROLES: usize = 8;

/// Role slots in `Issue::inputs`.
pub mod role {
    pub const TERRITORIAL: u8 = 0;
    /// Departments take `DEPARTMENT + k` for the issue's k-th domain.
    pub const DEPARTMENT: u8 = 1;
    pub const SOCIAL_ORG: u8 = 4;
    pub const ENTERPRISE: u8 = 5;
    pub const RESIDENTS: u8 = 6;
    pub const OTHER_SIDE: u8 = 7;
}

impl Issue {
    pub fn is_cross_domain(&self) -> bool {
        self.domain_count >= 2
    }

    pub fn age(&self, tick: u32) -> u32 {
        tick.saturating_sub(self.born_tick)
    }

    /// Marks the issue known from `tick`; returns whether it was not known before.
    pub fn discover(&mut self, tick: u32) -> bool {
        let new = !self.discovered;
        if new {
            self.discovered = true;
            self.discovered_tick = tick;
        }
        new
    }
}

/// Residents of one district in columns (ODD §2.3). 11 bytes each; everything else about
/// them (grid means) is kept incrementally per grid.
#[derive(Clone, Debug, Default)]
pub struct Residents {
    /// Trust in government as stored at `last_tick`; relaxes lazily toward the baseline.
    pub trust: Vec<f32>,
    pub participation: Vec<f32>,
    pub last_tick: Vec<u16>,
    pub open_grievances: Vec<u8>,
}

impl Residents {
    pub fn len(&self) -> usize {
        self.trust.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trust.is_empty()
    }

    /// Bytes of state per resident (for the memory guard and the README figure).
    pub const BYTES_PER_RESIDENT: usize = 4 + 4 + 2 + 1;

    /// Asks the CPU to start loading resident `i`'s columns. Issues touch their complainants
    /// in random order, so in a city too big for the last-level cache each touch would wait
    /// on memory; loops over issues call this a few issues ahead. It changes no value.
    #[inline]
    pub fn prefetch(&self, i: u32) {
        let i = i as usize;
        if i < self.trust.len() {
            prefetch_line(&self.trust[i]);
            prefetch_line(&self.participation[i]);
            prefetch_line(&self.last_tick[i]);
            prefetch_line(&self.open_grievances[i]);
        }
    }
}

/// A cache prefetch hint for the line holding `x` (no effect on other targets).
#[inline(always)]
fn prefetch_line<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and reads nothing into the program.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            x as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}
