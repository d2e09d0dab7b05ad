//! Role play (issue 14 §3): organisations whose weekly choice comes from a person instead of
//! the model's logit, given to the model as data.
//!
//! A `Choice` says that organisation `org` takes `action` on every task it decides in week
//! `tick`; `Simulation::choices` holds the class's choices of every week, so the record of a
//! class is the data that replays it. An observed organisation (`Simulation::observed`) is
//! one a person plays: each week the model records its tasks (`RoleTask`, in
//! `TickStats::role_tasks`) with the numbers its own appraisal computed — what substantive work
//! costs, the credit work earns, the chance of being caught — so a player sees the model's
//! reasons and never a second copy of its utility. With no choices and nothing observed the
//! model draws and records exactly what it did before.
//! Left out on purpose: naming organisations in text (`scenario::choices`) and who plays what
//! (`serve::room`).

use super::entities::OrgRef;
use super::world::World;
use crate::games::kernel::Action;

/// The kinds of organisation a person can play: a street's block authority (街道), a district
/// department (职能部门), a social organisation and an enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    Street,
    Department,
    SocialOrg,
    Enterprise,
}

impl RoleKind {
    pub const ALL: [RoleKind; 4] = [
        RoleKind::Street,
        RoleKind::Department,
        RoleKind::SocialOrg,
        RoleKind::Enterprise,
    ];
}

/// An organisation as people name it: its district, its kind and its number among the
/// district's organisations of that kind (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId {
    pub district: u16,
    pub kind: RoleKind,
    pub n: u32,
}

/// One person's choice for one week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The week (1-based tick) the choice holds for.
    pub tick: u32,
    pub org: OrgRef,
    pub action: Action,
}

/// The played organisations of one week, sorted: each with its choice, or `None` where the
/// model decides but its tasks are still recorded.
#[derive(Clone, Debug, Default)]
pub struct RoleWeek {
    entries: Vec<(OrgRef, Option<Action>)>,
}

impl RoleWeek {
    /// The week `tick` of `observed` organisations and `choices` (of any weeks; only those of
    /// `tick` count, the last one given for an organisation wins).
    pub fn new(observed: &[OrgRef], choices: &[Choice], tick: u32) -> RoleWeek {
        let mut entries: Vec<(OrgRef, Option<Action>)> =
            observed.iter().map(|&o| (o, None)).collect();
        for c in choices.iter().filter(|c| c.tick == tick) {
            entries.retain(|(o, _)| *o != c.org);
            entries.push((c.org, Some(c.action)));
        }
        entries.sort_by_key(|(o, _)| *o);
        entries.dedup_by_key(|(o, _)| *o);
        RoleWeek { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `org` is played this week (its tasks are recorded).
    pub fn plays(&self, org: OrgRef) -> bool {
        self.entries.binary_search_by_key(&org, |(o, _)| *o).is_ok()
    }

    /// The action a person chose for `org` this week, if any.
    pub fn choice(&self, org: OrgRef) -> Option<Action> {
        if self.entries.is_empty() {
            return None;
        }
        let i = self.entries.binary_search_by_key(&org, |(o, _)| *o).ok()?;
        self.entries[i].1
    }
}

/// One task of a played organisation in one week, with the appraisal the model made of it
/// (`collaboration::appraise`) and what came of it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleTask {
    pub org: OrgRef,
    /// The issue's serial number in its pool, and the pool (a district, or `OrgRef::CITY`).
    pub issue: u32,
    pub issue_pool: u16,
    pub severity: f64,
    /// Whether a superior or a summons watched the work.
    pub watched: bool,
    pub action: Action,
    /// Whether a person chose the action (else the model drew it).
    pub chosen: bool,
    /// Capacity a full substantive input takes this week (work plus overheads).
    pub need: f64,
    /// Transaction cost per unit of work (τ): what makes substantive work dear.
    pub tau: f64,
    /// Credit for a visible trace of work (substantive or symbolic).
    pub trace_credit: f64,
    /// Value of a unit of pivotal progress: intrinsic motivation plus performance credit.
    pub value_per_progress: f64,
    /// Chance that shirking or symbolic work is detected this week.
    pub p_detect: f64,
    /// Share of the blame that falls on this member when the issue fails.
    pub attribution: f64,
    /// Fraction of the substantive input delivered (0 for symbolic work and shirking).
    pub delivered: f64,
    /// Whether the issue was resolved this week.
    pub resolved: bool,
}

impl World {
    /// The organisation `a` names, if this city has it.
    pub fn org_of(&self, a: ActorId) -> Option<OrgRef> {
        let d = self.districts.get(a.district as usize)?;
        let l = &d.layout;
        let (count, index) = match a.kind {
            RoleKind::Street => (l.n_streets, l.street(a.n)),
            RoleKind::Department => (l.n_departments, l.department(a.n.min(255) as u8)),
            RoleKind::SocialOrg => (l.n_social_orgs, l.social_org(a.n)),
            RoleKind::Enterprise => (l.n_enterprises, l.enterprise(a.n)),
        };
        (a.n < count).then_some(OrgRef {
            pool: a.district,
            index,
        })
    }

    /// How many organisations of `kind` district `d` has.
    pub fn role_count(&self, d: u16, kind: RoleKind) -> u32 {
        let Some(d) = self.districts.get(d as usize) else {
            return 0;
        };
        let l = &d.layout;
        match kind {
            RoleKind::Street => l.n_streets,
            RoleKind::Department => l.n_departments,
            RoleKind::SocialOrg => l.n_social_orgs,
            RoleKind::Enterprise => l.n_enterprises,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(i: u32) -> OrgRef {
        OrgRef { pool: 0, index: i }
    }

    #[test]
    fn a_week_keeps_only_its_own_choices_and_the_last_one_wins() {
        let choices = [
            Choice {
                tick: 3,
                org: org(5),
                action: Action::Shirk,
            },
            Choice {
                tick: 4,
                org: org(5),
                action: Action::Substantive,
            },
            Choice {
                tick: 4,
                org: org(5),
                action: Action::Symbolic,
            },
        ];
        let w = RoleWeek::new(&[org(9), org(5)], &choices, 4);
        assert_eq!(w.choice(org(5)), Some(Action::Symbolic));
        assert_eq!(w.choice(org(9)), None);
        assert!(w.plays(org(9)) && !w.plays(org(1)));
        let w = RoleWeek::new(&[], &choices, 5);
        assert!(w.is_empty());
    }
}
