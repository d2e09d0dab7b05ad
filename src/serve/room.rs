//! Role play in the classroom (issue 14 §3, HubNet-style): students join from their own
//! phones or laptops, each takes an organisation of the class's city, and each week chooses
//! substantive work, symbolic work or shirking for it; the choice replaces the model's draw
//! for that organisation that week (`model::roles`). Unclaimed organisations follow the model.
//!
//! Students talk to `/ws/play` (page `/play`); the session actor keeps the room (`Room`) beside
//! the run, so a student who reconnects with the token their browser keeps has their role back,
//! and a socket that closes mid-week loses nothing. Each week a student sees the tasks their
//! organisation will have and, for each, the model's own numbers (`Simulation::preview`): what
//! substantive work costs, the credit work earns and the chance of being caught. The teacher's
//! panel (`room.js`, on the teacher's socket) sees who has joined and who has chosen, broadcasts
//! a message, assigns and frees roles, advances the week (or lets it advance when everyone has
//! chosen) and asks for the debrief: the class's city beside the model-only city on the same
//! seed, and each role's record. The choices go into the exported scenario (`[[choices]]`), so
//! `cogov run` replays the class.
//! Every network message is checked here (`parse_student`, `parse_teacher`): a bad one gets a
//! bilingual error reply; a flood is cut to `MAX_PER_SECOND` messages a second.
//! With `--lan` the teacher's socket also wants the teacher's key (`serve::require_room`), which
//! only the teacher's address carries: students, who have the room code, cannot steer the class.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::session::{Action, BiError, Command, Out, Run, Session};
use super::AppState;
use crate::games::kernel::Action as Act;
use crate::model::roles::{ActorId, Choice, RoleKind, RoleTask};
use crate::model::world::World;
use crate::model::TickStats;
use crate::output::records::{timeseries_columns, timeseries_row};
use crate::scenario::choices::{action_of, action_word, actor_name, parse_actor, RoleChoice};

/// The students' page, its script, and the teacher's role-play panel.
pub const PLAY_HTML: &str = include_str!("../../assets/web/play.html");
pub const PLAY_JS: &str = include_str!("../../assets/web/play.js");
pub const ROOM_JS: &str = include_str!("../../assets/web/room.js");

/// Messages a student socket may send in one second; more are dropped (one error reply).
pub const MAX_PER_SECOND: u32 = 20;
/// Longest message from a student's socket, in bytes.
pub const MAX_MESSAGE: usize = 4 << 10;
/// Longest name a student may give, in characters, and longest teacher's message.
const MAX_NAME: usize = 40;
const MAX_TEXT: usize = 500;
/// Most students a room keeps (a class, with room for reconnecting browsers).
const MAX_STUDENTS: usize = 400;
/// Weeks of a role's record a student's view shows.
const RECENT_WEEKS: usize = 12;
/// Most organisations of one kind offered per district.
const MAX_PER_KIND: u32 = 8;

/// What the room asks of the session: a student's message (with the student's token, which
/// the socket layer adds) or a teacher's command.
#[derive(Clone, Debug, PartialEq)]
pub enum RoomAction {
    Join {
        name: String,
        token: Option<String>,
    },
    Claim {
        token: String,
        role: String,
    },
    Release {
        token: String,
    },
    Choose {
        token: String,
        action: Option<Act>,
    },
    /// The socket of `token` closed.
    Gone {
        token: String,
    },
    /// The teacher's view of the room.
    State,
    Broadcast {
        text: String,
    },
    /// Gives `role` to student `student` (their public number), or frees it (`None`).
    Assign {
        role: String,
        student: Option<u32>,
    },
    AutoAdvance {
        on: bool,
    },
    Debrief,
}

/// One organisation students may play.
#[derive(Clone, Debug)]
pub struct Role {
    pub actor: ActorId,
    pub en: String,
    pub zh: String,
}

/// A student's week: what they (or the model) did and what came of it.
#[derive(Clone, Debug, Default)]
struct WeekRecord {
    week: u32,
    chosen: Option<Act>,
    actions: [u32; 3],
    delivered: f64,
    resolved: u32,
}

struct Student {
    /// Public number, shown to the teacher (the token stays with the student's browser).
    id: u32,
    token: String,
    name: String,
    role: Option<ActorId>,
    /// The socket's channel while connected.
    link: Option<mpsc::UnboundedSender<Out>>,
}

/// The students, the roles offered and this week's choices. Lives in the session, beside the
/// run, for as long as the server.
#[derive(Default)]
pub struct Room {
    students: Vec<Student>,
    roles: Vec<Role>,
    /// This week's choices, by role.
    pending: BTreeMap<ActorId, Act>,
    /// Next week's tasks of every offered role (`Simulation::preview`).
    preview: BTreeMap<ActorId, Vec<RoleTask>>,
    /// Every week's record of every offered role.
    records: BTreeMap<ActorId, Vec<WeekRecord>>,
    message: Option<String>,
    auto_advance: bool,
}

/// The organisations a city offers: per district its streets, its departments, and up to
/// `MAX_PER_KIND` social organisations and enterprises spread over the district.
pub fn offered_roles(world: &World) -> Vec<Role> {
    let mut out = Vec::new();
    for d in 0..world.districts.len() as u16 {
        for kind in RoleKind::ALL {
            let count = world.role_count(d, kind);
            let k = count.min(MAX_PER_KIND);
            for i in 0..k {
                let n = (u64::from(i) * u64::from(count) / u64::from(k)) as u32;
                let actor = ActorId {
                    district: d,
                    kind,
                    n,
                };
                let (en, zh) = role_label(actor);
                out.push(Role { actor, en, zh });
            }
        }
    }
    out
}

/// A role's name in both languages (numbers from 1, as people count).
pub fn role_label(a: ActorId) -> (String, String) {
    let (d, n) = (a.district + 1, a.n + 1);
    match a.kind {
        RoleKind::Street => (
            format!("District {d} · street {n} (block authority)"),
            format!("第{d}区 · 第{n}街道（街道办事处）"),
        ),
        RoleKind::Department => (
            format!("District {d} · department {n}"),
            format!("第{d}区 · 第{n}职能部门"),
        ),
        RoleKind::SocialOrg => (
            format!("District {d} · social organisation {n}"),
            format!("第{d}区 · 社会组织{n}"),
        ),
        RoleKind::Enterprise => (
            format!("District {d} · enterprise {n}"),
            format!("第{d}区 · 企业{n}"),
        ),
    }
}

fn err(en: impl Into<String>, zh: impl Into<String>) -> BiError {
    BiError::new(en, zh)
}

/// A token: 16 characters from the OS-seeded hasher and the clock. It lets a browser take its
/// role back; a guessed one could take over a classmate's role, nothing more.
fn new_token(salt: u64) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt ^ i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        out.push_str(&format!("{:08x}", h.finish() as u32));
    }
    out
}

impl Room {
    /// A new city: the roles it offers; claims of organisations it still has are kept, this
    /// week's choices and the records start again.
    pub fn on_setup(&mut self, world: &World) {
        self.roles = offered_roles(world);
        let offered: Vec<ActorId> = self.roles.iter().map(|r| r.actor).collect();
        for s in &mut self.students {
            if s.role.is_some_and(|r| !offered.contains(&r)) {
                s.role = None;
            }
        }
        self.pending.clear();
        self.records.clear();
        self.preview.clear();
    }

    /// Whether any student has joined (without one, the teacher's socket hears nothing of
    /// the room unless it asks).
    pub fn is_active(&self) -> bool {
        !self.students.is_empty()
    }

    /// The organisations whose tasks the model records: every offered role.
    pub fn observed(&self, world: &World) -> Vec<crate::model::entities::OrgRef> {
        self.roles
            .iter()
            .filter_map(|r| world.org_of(r.actor))
            .collect()
    }

    /// Takes this week's choices for week `tick`: for the model and for the record.
    pub fn take_week(&mut self, tick: u32, world: &World) -> (Vec<Choice>, Vec<RoleChoice>) {
        let mut model = Vec::new();
        let mut record = Vec::new();
        for (&actor, &action) in &self.pending {
            if let Some(org) = world.org_of(actor) {
                model.push(Choice { tick, org, action });
                record.push(RoleChoice {
                    tick,
                    actor,
                    action,
                });
            }
        }
        self.pending.clear();
        (model, record)
    }

    /// Records a week's tasks of every offered role.
    pub fn record_week(&mut self, world: &World, stats: &TickStats, chosen: &[RoleChoice]) {
        for r in &self.roles {
            let Some(org) = world.org_of(r.actor) else {
                continue;
            };
            let mut w = WeekRecord {
                week: stats.tick,
                chosen: chosen.iter().find(|c| c.actor == r.actor).map(|c| c.action),
                ..WeekRecord::default()
            };
            for t in stats.role_tasks.iter().filter(|t| t.org == org) {
                w.actions[t.action.index()] += 1;
                w.delivered += t.delivered;
                w.resolved += u32::from(t.resolved);
            }
            self.records.entry(r.actor).or_default().push(w);
        }
    }

    /// Next week's tasks of every offered role, from `tasks` (a preview).
    pub fn set_preview(&mut self, world: &World, tasks: Vec<RoleTask>) {
        self.preview.clear();
        for r in &self.roles {
            if let Some(org) = world.org_of(r.actor) {
                let mine: Vec<RoleTask> = tasks.iter().filter(|t| t.org == org).cloned().collect();
                self.preview.insert(r.actor, mine);
            }
        }
    }

    fn role(&self, name: &str) -> Result<&Role, BiError> {
        let unknown = || {
            err(
                format!("unknown role `{name}`: choose one of the roles listed"),
                format!("未知角色“{name}”：请从列出的角色中选择"),
            )
        };
        let actor = parse_actor(name).map_err(|_| unknown())?;
        self.roles
            .iter()
            .find(|r| r.actor == actor)
            .ok_or_else(unknown)
    }

    fn student(&self, token: &str) -> Result<usize, BiError> {
        self.students
            .iter()
            .position(|s| s.token == token)
            .ok_or_else(|| {
                err(
                    "join the room first (send your name)",
                    "请先加入课堂（输入姓名）",
                )
            })
    }

    fn holder(&self, actor: ActorId) -> Option<&Student> {
        self.students.iter().find(|s| s.role == Some(actor))
    }

    /// The claimed roles and whether each has chosen this week.
    fn claimed(&self) -> impl Iterator<Item = (ActorId, bool)> + '_ {
        self.students
            .iter()
            .filter_map(|s| s.role)
            .map(|a| (a, self.pending.contains_key(&a)))
    }

    /// Whether every claimed role has chosen (and one at least is claimed).
    fn all_chosen(&self) -> bool {
        let mut any = false;
        for (_, chosen) in self.claimed() {
            if !chosen {
                return false;
            }
            any = true;
        }
        any
    }

    fn role_json(&self, r: &Role) -> Value {
        json!({
            "id": actor_name(r.actor),
            "kind": crate::scenario::choices::kind_slug(r.actor.kind),
            "en": r.en,
            "zh": r.zh,
            "holder": self.holder(r.actor).map(|s| s.id),
        })
    }

    /// The teacher's view: students, roles, who has chosen.
    pub fn teacher_json(&self, week: u32) -> Value {
        let students: Vec<Value> = self
            .students
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "online": s.link.is_some(),
                    "role": s.role.map(actor_name),
                    "chosen": s.role.is_some_and(|a| self.pending.contains_key(&a)),
                })
            })
            .collect();
        let roles: Vec<Value> = self.roles.iter().map(|r| self.role_json(r)).collect();
        let (claimed, chosen) = self
            .claimed()
            .fold((0, 0), |(c, k), (_, ch)| (c + 1, k + u32::from(ch)));
        json!({
            "type": "room",
            "week": week,
            "students": students,
            "roles": roles,
            "claimed": claimed,
            "chosen": chosen,
            "auto_advance": self.auto_advance,
            "message": self.message,
        })
    }

    /// A student's view: their role, next week's tasks with the model's numbers, their
    /// choice so far, their record, and the free roles while they have none.
    fn student_json(&self, s: &Student, week: u32, running: bool) -> Value {
        let mut v = json!({
            "type": "play",
            "student": s.id,
            "name": s.name,
            "week": week + 1,
            "running": running,
            "message": self.message,
            "auto_advance": self.auto_advance,
        });
        match s
            .role
            .and_then(|a| self.roles.iter().find(|r| r.actor == a))
        {
            Some(r) => {
                let tasks: Vec<Value> = self
                    .preview
                    .get(&r.actor)
                    .map(|ts| ts.iter().map(task_json).collect())
                    .unwrap_or_default();
                // The latest weeks only, so a view stays small all term; the debrief has all.
                let record: Vec<Value> = self
                    .records
                    .get(&r.actor)
                    .map(|ws| {
                        let from = ws.len().saturating_sub(RECENT_WEEKS);
                        ws[from..].iter().map(week_json).collect()
                    })
                    .unwrap_or_default();
                v["role"] = self.role_json(r);
                v["tasks"] = Value::Array(tasks);
                v["record"] = Value::Array(record);
                v["chosen"] = json!(self.pending.get(&r.actor).map(|a| action_word(*a)));
            }
            None => {
                let free: Vec<Value> = self
                    .roles
                    .iter()
                    .filter(|r| self.holder(r.actor).is_none())
                    .map(|r| self.role_json(r))
                    .collect();
                v["role"] = Value::Null;
                v["free"] = Value::Array(free);
            }
        }
        v
    }

    /// Sends every connected student their view; a closed link is dropped (the student keeps
    /// the role).
    pub fn send_views(&mut self, week: u32, running: bool) {
        let views: Vec<Option<Value>> = self
            .students
            .iter()
            .map(|s| s.link.as_ref().map(|_| self.student_json(s, week, running)))
            .collect();
        for (s, v) in self.students.iter_mut().zip(views) {
            if let (Some(link), Some(v)) = (&s.link, v) {
                if link.send(Out::Json(v)).is_err() {
                    s.link = None;
                }
            }
        }
    }

    fn send_view(&mut self, i: usize, week: u32, running: bool) {
        let v = self.student_json(&self.students[i], week, running);
        if let Some(link) = &self.students[i].link {
            if link.send(Out::Json(v)).is_err() {
                self.students[i].link = None;
            }
        }
    }
}

fn task_json(t: &RoleTask) -> Value {
    json!({
        "issue": t.issue,
        "city": t.issue_pool == crate::model::entities::OrgRef::CITY,
        "severity": t.severity,
        "watched": t.watched,
        "need": t.need,
        "tau": t.tau,
        "trace_credit": t.trace_credit,
        "value_per_progress": t.value_per_progress,
        "p_detect": t.p_detect,
        "attribution": t.attribution,
    })
}

fn week_json(w: &WeekRecord) -> Value {
    json!({
        "week": w.week,
        "chosen": w.chosen.map(action_word),
        "substantive": w.actions[0],
        "symbolic": w.actions[1],
        "shirk": w.actions[2],
        "delivered": w.delivered,
        "resolved": w.resolved,
    })
}

/// The outcomes the debrief sets side by side: (column, how to sum the weeks).
const DEBRIEF_COLUMNS: &[&str] = &[
    "resolved",
    "backlog",
    "substantive_share_block",
    "substantive_share_department",
    "shirk_share_department",
    "org_trust",
    "resident_trust",
    "satisfaction",
];

impl Session {
    /// Handles a role-play action.
    pub(super) fn room_action(
        &mut self,
        action: &RoomAction,
        reply: &mpsc::UnboundedSender<Out>,
    ) -> Result<(), BiError> {
        let week = self.run.as_ref().map_or(0, |r| r.sim.tick);
        let running = self.running;
        if matches!(action, RoomAction::Join { .. } | RoomAction::Assign { .. })
            && self.room.preview.is_empty()
        {
            if let Some(run) = &self.run {
                // The first student: next week's tasks were not worked out without one.
                compute_preview(&mut self.room, run);
            }
        }
        match action {
            RoomAction::Join { name, token } => {
                let name = clean_name(name)?;
                let known = token
                    .as_deref()
                    .and_then(|t| self.room.students.iter().position(|s| s.token == t));
                let i = match known {
                    Some(i) => {
                        self.room.students[i].name = name;
                        i
                    }
                    None => {
                        if self.room.students.len() >= MAX_STUDENTS {
                            return Err(err(
                                format!("the room is full ({MAX_STUDENTS} students)"),
                                format!("课堂已满（{MAX_STUDENTS}人）"),
                            ));
                        }
                        let id = self.room.students.len() as u32 + 1;
                        self.room.students.push(Student {
                            id,
                            token: new_token(u64::from(id)),
                            name,
                            role: None,
                            link: None,
                        });
                        self.room.students.len() - 1
                    }
                };
                let s = &mut self.room.students[i];
                s.link = Some(reply.clone());
                let _ = reply.send(Out::Json(
                    json!({"type": "welcome", "token": s.token, "student": s.id}),
                ));
                self.room.send_view(i, week, running);
            }
            RoomAction::Claim { token, role } => {
                let i = self.room.student(token)?;
                let actor = self.room.role(role)?.actor;
                if let Some(h) = self.room.holder(actor) {
                    if h.token != *token {
                        return Err(err(
                            format!("{role} is taken; choose another role"),
                            format!("角色“{role}”已被选，请另选"),
                        ));
                    }
                }
                self.room.students[i].role = Some(actor);
                self.room.send_views(week, running);
            }
            RoomAction::Release { token } => {
                let i = self.room.student(token)?;
                if let Some(a) = self.room.students[i].role.take() {
                    self.room.pending.remove(&a);
                }
                self.room.send_views(week, running);
            }
            RoomAction::Choose { token, action } => {
                let i = self.room.student(token)?;
                let Some(actor) = self.room.students[i].role else {
                    return Err(err("take a role before choosing", "请先选择角色，再作决定"));
                };
                if self.run.is_none() {
                    return Err(super::session::no_city());
                }
                match action {
                    Some(a) => self.room.pending.insert(actor, *a),
                    None => self.room.pending.remove(&actor),
                };
                self.room.send_view(i, week, running);
                if self.room.auto_advance && self.room.all_chosen() && !self.running {
                    self.step()?;
                }
            }
            RoomAction::Gone { token } => {
                if let Ok(i) = self.room.student(token) {
                    self.room.students[i].link = None;
                }
            }
            RoomAction::State => {
                let _ = reply.send(Out::Json(self.room.teacher_json(week)));
                return Ok(());
            }
            RoomAction::Broadcast { text } => {
                let text = text.trim();
                if text.chars().count() > MAX_TEXT {
                    return Err(err(
                        format!("message too long: at most {MAX_TEXT} characters"),
                        format!("消息过长：最多{MAX_TEXT}字"),
                    ));
                }
                self.room.message = (!text.is_empty()).then(|| text.to_string());
                self.room.send_views(week, running);
            }
            RoomAction::Assign { role, student } => {
                let actor = self.room.role(role)?.actor;
                for s in &mut self.room.students {
                    if s.role == Some(actor) {
                        s.role = None;
                    }
                }
                self.room.pending.remove(&actor);
                if let Some(id) = student {
                    let Some(s) = self.room.students.iter_mut().find(|s| s.id == *id) else {
                        return Err(err(
                            format!("no student number {id} in this room"),
                            format!("课堂中没有编号为{id}的学生"),
                        ));
                    };
                    if let Some(old) = s.role.replace(actor) {
                        self.room.pending.remove(&old);
                    }
                }
                self.room.send_views(week, running);
            }
            RoomAction::AutoAdvance { on } => {
                self.room.auto_advance = *on;
                self.room.send_views(week, running);
                if *on && self.room.all_chosen() && !self.running && self.run.is_some() {
                    self.step()?;
                }
            }
            RoomAction::Debrief => {
                let v = self.debrief()?;
                let _ = reply.send(Out::Json(v));
                return Ok(());
            }
        }
        // The week may have advanced (auto-advance).
        let week = self.run.as_ref().map_or(0, |r| r.sim.tick);
        self.broadcast(self.room.teacher_json(week));
        Ok(())
    }

    /// The class's city beside the model-only city (the same scenario, seed and lever changes,
    /// without the students' choices), and each role's record.
    fn debrief(&self) -> Result<Value, BiError> {
        let run = self.run.as_ref().ok_or_else(super::session::no_city)?;
        if run.series.is_empty() {
            return Err(err(
                "nothing to debrief yet: run at least one week",
                "尚无可总结的内容：请至少运行一周",
            ));
        }
        let mut model_only = super::session::class_scenario(run);
        model_only.choices.clear();
        let other = crate::run::simulate(&model_only, |_, _| {});
        let columns = timeseries_columns();
        let class_rows: Vec<Vec<f64>> = run.series.iter().map(timeseries_row).collect();
        let model_rows: Vec<Vec<f64>> = other.series.iter().map(timeseries_row).collect();
        let outcomes: Vec<Value> = DEBRIEF_COLUMNS
            .iter()
            .filter_map(|name| {
                let j = columns.iter().position(|c| c.name == *name)?;
                let c = &columns[j];
                let stat = |rows: &[Vec<f64>]| {
                    let mean = rows.iter().map(|r| r[j]).sum::<f64>() / rows.len().max(1) as f64;
                    let last = rows.last().map_or(0.0, |r| r[j]);
                    json!({"mean": mean, "last": last})
                };
                Some(json!({
                    "column": c.name, "en": c.en, "zh": c.zh, "unit": c.unit,
                    "class": stat(&class_rows), "model": stat(&model_rows),
                }))
            })
            .collect();
        let roles: Vec<Value> = self
            .room
            .roles
            .iter()
            .filter_map(|r| {
                let rec = self.room.records.get(&r.actor)?;
                let played = rec.iter().any(|w| w.chosen.is_some());
                let holder = self.room.holder(r.actor).map(|s| s.name.clone());
                if !played && holder.is_none() {
                    return None;
                }
                let mut v = self.room.role_json(r);
                v["student"] = json!(holder);
                v["weeks"] = Value::Array(rec.iter().map(week_json).collect());
                Some(v)
            })
            .collect();
        Ok(json!({
            "type": "debrief",
            "weeks": run.sim.tick,
            "seed": run.base.seed,
            "outcomes": outcomes,
            "roles": roles,
        }))
    }
}

/// Before week `tick` runs: the week's choices go to the model and into the run's record.
pub(super) fn before_week(room: &mut Room, run: &mut Run) {
    let tick = run.sim.tick + 1;
    let (model, record) = room.take_week(tick, &run.sim.world);
    run.sim.choices.extend(model);
    run.choices.extend(record);
}

/// After a week: its record, next week's preview, and every student's view.
pub(super) fn after_week(room: &mut Room, run: &Run, stats: &TickStats, running: bool) {
    let tick = stats.tick;
    let chosen: Vec<RoleChoice> = run
        .choices
        .iter()
        .filter(|c| c.tick == tick)
        .copied()
        .collect();
    room.record_week(&run.sim.world, stats, &chosen);
    refresh_preview(room, run);
    room.send_views(run.sim.tick, running);
}

/// Next week's tasks of every offered role (nothing to do without students).
pub(super) fn refresh_preview(room: &mut Room, run: &Run) {
    if room.students.is_empty() {
        room.preview.clear();
        return;
    }
    compute_preview(room, run);
}

fn compute_preview(room: &mut Room, run: &Run) {
    let tasks = run.sim.preview();
    room.set_preview(&run.sim.world, tasks);
}

fn clean_name(name: &str) -> Result<String, BiError> {
    let name: String = name.trim().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(err(
            format!("give a name of 1 to {MAX_NAME} characters"),
            format!("请输入1至{MAX_NAME}个字的姓名"),
        ));
    }
    Ok(name)
}

/// Fields of one object, refusing any not in `allowed`.
fn fields<'a>(
    v: &'a Value,
    cmd: &str,
    allowed: &[&str],
) -> Result<&'a serde_json::Map<String, Value>, BiError> {
    let o = v
        .as_object()
        .ok_or_else(|| malformed("expected a JSON object"))?;
    if let Some(k) = o
        .keys()
        .find(|k| *k != "cmd" && !allowed.contains(&k.as_str()))
    {
        return Err(err(
            format!("malformed `{cmd}` message: unknown field `{k}`"),
            format!("“{cmd}”指令格式错误：未知字段“{k}”"),
        ));
    }
    Ok(o)
}

fn malformed(what: &str) -> BiError {
    err(
        format!("malformed message: {what}"),
        format!("消息格式错误：{what}"),
    )
}

fn string_field(
    o: &serde_json::Map<String, Value>,
    cmd: &str,
    key: &str,
) -> Result<String, BiError> {
    match o.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(err(
            format!("malformed `{cmd}` message: `{key}` must be a string"),
            format!("“{cmd}”指令格式错误：“{key}”应为字符串"),
        )),
    }
}

/// What a student's socket may send: `join` (name, optional token), `claim` (role),
/// `release`, `choose` (action: substantive, symbolic, shirk, or null to take it back).
pub const STUDENT_COMMANDS: &[&str] = &["join", "claim", "release", "choose"];

/// A student's message → a `RoomAction` (the token is filled in by the socket).
pub fn parse_student(text: &str, token: &str) -> Result<RoomAction, BiError> {
    let (v, cmd) = super::json_command(text, STUDENT_COMMANDS)?;
    let token = token.to_string();
    match cmd.as_str() {
        "join" => {
            let o = fields(&v, &cmd, &["name", "token"])?;
            let name = string_field(o, &cmd, "name")?;
            let token = match o.get("token") {
                None | Some(Value::Null) => None,
                Some(Value::String(t)) if t.len() <= 64 => Some(t.clone()),
                _ => return Err(malformed("`token` must be the string the server gave")),
            };
            Ok(RoomAction::Join { name, token })
        }
        "claim" => {
            let o = fields(&v, &cmd, &["role"])?;
            Ok(RoomAction::Claim {
                token,
                role: string_field(o, &cmd, "role")?,
            })
        }
        "release" => {
            fields(&v, &cmd, &[])?;
            Ok(RoomAction::Release { token })
        }
        "choose" => {
            let o = fields(&v, &cmd, &["action"])?;
            let action = match o.get("action") {
                Some(Value::Null) => None,
                Some(Value::String(s)) if action_of(s).is_some() => action_of(s),
                _ => {
                    return Err(err(
                        "malformed `choose` message: `action` must be \"substantive\", \"symbolic\", \"shirk\" or null",
                        "“choose”指令格式错误：action 应为 substantive、symbolic、shirk 或 null",
                    ))
                }
            };
            Ok(RoomAction::Choose { token, action })
        }
        other => Err(err(
            format!(
                "unknown command `{other}`; expected one of: {}",
                STUDENT_COMMANDS.join(", ")
            ),
            format!("未知指令“{other}”；可选：{}", STUDENT_COMMANDS.join("、")),
        )),
    }
}

/// The teacher's role-play commands (on the teacher's socket, beside `serve::COMMANDS`).
pub const TEACHER_COMMANDS: &[&str] = &["room", "broadcast", "assign", "auto_advance", "debrief"];

/// A teacher's role-play message, or `None` when `cmd` is not one of `TEACHER_COMMANDS`.
pub fn parse_teacher(v: &Value) -> Option<Result<Action, BiError>> {
    let cmd = v.get("cmd")?.as_str()?;
    if !TEACHER_COMMANDS.contains(&cmd) {
        return None;
    }
    let parsed = (|| -> Result<RoomAction, BiError> {
        Ok(match cmd {
            "room" => {
                fields(v, cmd, &[])?;
                RoomAction::State
            }
            "debrief" => {
                fields(v, cmd, &[])?;
                RoomAction::Debrief
            }
            "broadcast" => {
                let o = fields(v, cmd, &["text"])?;
                RoomAction::Broadcast {
                    text: string_field(o, cmd, "text")?,
                }
            }
            "assign" => {
                let o = fields(v, cmd, &["role", "student"])?;
                let student = match o.get("student") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= u32::MAX as u64) => {
                        n.as_u64().map(|n| n as u32)
                    }
                    _ => {
                        return Err(malformed(
                            "`student` must be a student's number, or null to free the role",
                        ))
                    }
                };
                RoomAction::Assign {
                    role: string_field(o, cmd, "role")?,
                    student,
                }
            }
            _ => {
                let o = fields(v, cmd, &["on"])?;
                let Some(Value::Bool(on)) = o.get("on") else {
                    return Err(malformed("`on` must be true or false"));
                };
                RoomAction::AutoAdvance { on: *on }
            }
        })
    })();
    Some(parsed.map(Action::Room))
}

/// `/ws/play`: one student's socket.
pub(super) async fn play_socket(State(st): State<AppState>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_MESSAGE)
        .on_upgrade(move |socket| student(socket, st))
}

/// A student's socket: messages go to the session with the student's token once they have
/// joined; the session's replies and views come back. Floods beyond `MAX_PER_SECOND` are
/// dropped with one error reply a second. When the socket closes the session is told, and the
/// student keeps the role.
async fn student(mut socket: WebSocket, st: AppState) {
    let (reply, mut replies) = mpsc::unbounded_channel();
    let ask = |action: RoomAction| {
        st.session.commands.send(Command {
            action: Action::Room(action),
            reply: reply.clone(),
        })
    };
    let mut token: Option<String> = None;
    let mut window = (Instant::now(), 0u32);
    loop {
        let out = tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if window.0.elapsed() >= Duration::from_secs(1) {
                        window = (Instant::now(), 0);
                    }
                    window.1 += 1;
                    if window.1 > MAX_PER_SECOND {
                        if window.1 == MAX_PER_SECOND + 1 {
                            err(
                                format!("too many messages: at most {MAX_PER_SECOND} a second; the rest are dropped"),
                                format!("消息过于频繁：每秒最多{MAX_PER_SECOND}条，其余已丢弃"),
                            ).json()
                        } else {
                            continue;
                        }
                    } else {
                        match parse_student(text.as_str(), token.as_deref().unwrap_or("")) {
                            Ok(action) => {
                                if token.is_none() && !matches!(action, RoomAction::Join { .. }) {
                                    err("join the room first (send your name)", "请先加入课堂（输入姓名）").json()
                                } else {
                                    if ask(action).is_err() {
                                        break;
                                    }
                                    continue;
                                }
                            }
                            Err(e) => e.json(),
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => super::binary_refused().json(),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => break,
            },
            Some(out) = replies.recv() => match out {
                Out::Json(v) => {
                    if v["type"] == "welcome" {
                        token = v["token"].as_str().map(str::to_string);
                    }
                    v
                }
                Out::Error(e) => e.json(),
                Out::Export { .. } => continue,
            },
        };
        if socket
            .send(Message::Text(out.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    if let Some(token) = token {
        let _ = ask(RoomAction::Gone { token });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_student_messages_are_refused_in_both_languages() {
        for bad in [
            "{",
            "[]",
            "{\"cmd\": 3}",
            "{\"cmd\": \"fly\"}",
            "{\"cmd\": \"join\"}",
            "{\"cmd\": \"join\", \"name\": 7}",
            "{\"cmd\": \"claim\"}",
            "{\"cmd\": \"claim\", \"role\": \"x\", \"extra\": 1}",
            "{\"cmd\": \"choose\", \"action\": \"nap\"}",
            "{\"cmd\": \"choose\"}",
        ] {
            let e = parse_student(bad, "t").unwrap_err();
            assert!(!e.en.is_empty() && !e.zh.is_empty(), "{bad}");
        }
        assert_eq!(
            parse_student("{\"cmd\": \"choose\", \"action\": \"shirk\"}", "t").unwrap(),
            RoomAction::Choose {
                token: "t".into(),
                action: Some(Act::Shirk)
            }
        );
        assert!(parse_teacher(&json!({"cmd": "step"})).is_none());
        assert!(
            parse_teacher(&json!({"cmd": "assign", "role": "d0/street/0", "student": -1}))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn roles_name_real_organisations_without_repeats() {
        let p = crate::model::Params::default();
        let world = World::new(&p, 1);
        let roles = offered_roles(&world);
        let mut actors: Vec<ActorId> = roles.iter().map(|r| r.actor).collect();
        assert!(actors.iter().all(|a| world.org_of(*a).is_some()));
        let n = actors.len();
        actors.sort();
        actors.dedup();
        assert_eq!(actors.len(), n);
        assert!(
            n >= 60,
            "a class of 60 needs 60 roles, the default city offers {n}"
        );
    }
}
