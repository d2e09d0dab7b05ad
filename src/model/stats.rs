//! What one tick produced (ODD §7 observation): raw counts and sums, merged across districts
//! in a fixed order. Shares and means are derived from these in `output/`, so the model
//! keeps no derived state that could drift.

use super::entities::N_KINDS;
use super::roles::RoleTask;
use crate::games::kernel::N_ACTIONS;

/// Counts and sums of one tick (or of several ticks, when merged).
/// Bins of `TickStats::resolved_by_wait`: whole weeks 0..=25 and one for 26 and more.
pub const WAIT_BINS: usize = 27;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickStats {
    pub tick: u32,
    pub arrived: u64,
    pub discovered: u64,
    pub resolved: u64,
    pub abandoned: u64,
    pub escalated: u64,
    pub petitioned: u64,
    pub major_risks: u64,
    /// Issues a listed lead refused this tick (推诿 on unlisted issues).
    pub refused: u64,
    /// Open issues at the end of the tick, hidden ones included.
    pub backlog: u64,
    pub hidden: u64,
    pub backlog_age_sum: f64,
    /// Resolved this tick by the level it was resolved at (index 0 = L1 … 4 = L5).
    pub resolved_at_level: [u64; 5],
    /// Resolved this tick without ever having reached the city (矛盾不上交).
    pub resolved_below_city: u64,
    /// Resolved within the run whose wait (ticks since arrival) is summed here.
    pub resolved_age_sum: f64,
    /// Resolved this tick by their wait in whole weeks (0..=25; the last bin holds 26 and
    /// more): what an observer counting "resolved within k weeks" needs (ODD §7.19).
    pub resolved_by_wait: [u64; WAIT_BINS],
    /// The same by weeks since the issue became known (reported or found): what the hotline's
    /// return visit, which counts from the call, observes (ODD §7.19).
    pub resolved_by_report_wait: [u64; WAIT_BINS],
    /// Decisions by actor kind and action (substantive, symbolic, shirk).
    pub actions: [[u64; N_ACTIONS]; N_KINDS],
    /// Decisions on watched tasks (a superior's attention or a summons), by actor kind: the
    /// watched share lazy governance is measured against (MODEL §11.4).
    pub watched: [u64; N_KINDS],
    /// Decisions whose three choice probabilities all lay in 0.05..=0.95 (MODEL §4.2 scale
    /// check: the logit stays out of saturation).
    pub unsaturated: u64,
    /// Substantive decisions that capacity could not serve in full, by kind.
    pub overloaded: [u64; N_KINDS],
    pub coalition_ticks: u64,
    pub coalition_ticks_with_progress: u64,
    pub conflicts: u64,
    pub formation_waits: u64,
    pub org_trust_sum: f64,
    pub org_trust_count: f64,
    pub motivation_sum: [f64; N_KINDS],
    pub org_count: [f64; N_KINDS],
    pub resident_trust_sum: f64,
    pub residents: f64,
    pub satisfaction_sum: f64,
    pub closed: u64,
    pub cost_transaction: f64,
    pub cost_oversight: f64,
    pub cost_paperwork: f64,
    pub cost_programmes: f64,
    pub effort_spent: f64,
    pub attention_used: f64,
    /// Decisions on issues in listed domains (lists can only bite there), by action.
    pub listed_actions: [u64; N_ACTIONS],
    /// The tasks of the organisations people play (role play), in district order, the city
    /// phase's last; empty in a model-only run.
    pub role_tasks: Vec<RoleTask>,
}

impl TickStats {
    /// Adds `other` into `self`; call in a fixed order so float sums are reproducible.
    pub fn merge(&mut self, o: &TickStats) {
        self.arrived += o.arrived;
        self.discovered += o.discovered;
        self.resolved += o.resolved;
        self.abandoned += o.abandoned;
        self.escalated += o.escalated;
        self.petitioned += o.petitioned;
        self.major_risks += o.major_risks;
        self.refused += o.refused;
        self.unsaturated += o.unsaturated;
        for k in 0..N_KINDS {
            self.watched[k] += o.watched[k];
        }
        self.backlog += o.backlog;
        self.hidden += o.hidden;
        self.backlog_age_sum += o.backlog_age_sum;
        for i in 0..5 {
            self.resolved_at_level[i] += o.resolved_at_level[i];
        }
        self.resolved_below_city += o.resolved_below_city;
        self.resolved_age_sum += o.resolved_age_sum;
        for (mine, theirs) in self.resolved_by_wait.iter_mut().zip(&o.resolved_by_wait) {
            *mine += theirs;
        }
        for (mine, theirs) in self
            .resolved_by_report_wait
            .iter_mut()
            .zip(&o.resolved_by_report_wait)
        {
            *mine += theirs;
        }
        for k in 0..N_KINDS {
            for a in 0..N_ACTIONS {
                self.actions[k][a] += o.actions[k][a];
            }
            self.overloaded[k] += o.overloaded[k];
            self.motivation_sum[k] += o.motivation_sum[k];
            self.org_count[k] += o.org_count[k];
        }
        for a in 0..N_ACTIONS {
            self.listed_actions[a] += o.listed_actions[a];
        }
        self.coalition_ticks += o.coalition_ticks;
        self.coalition_ticks_with_progress += o.coalition_ticks_with_progress;
        self.conflicts += o.conflicts;
        self.formation_waits += o.formation_waits;
        self.org_trust_sum += o.org_trust_sum;
        self.org_trust_count += o.org_trust_count;
        self.resident_trust_sum += o.resident_trust_sum;
        self.residents += o.residents;
        self.satisfaction_sum += o.satisfaction_sum;
        self.closed += o.closed;
        self.cost_transaction += o.cost_transaction;
        self.cost_oversight += o.cost_oversight;
        self.cost_paperwork += o.cost_paperwork;
        self.cost_programmes += o.cost_programmes;
        self.effort_spent += o.effort_spent;
        self.attention_used += o.attention_used;
        self.role_tasks.extend_from_slice(&o.role_tasks);
    }
}
