//! The class's session: one simulation owned by one thread (the actor), driven by commands.
//!
//! The web layer never touches the model: it sends a `Command` and gets back `Out` values,
//! either on the requester's own channel (errors, exports) or on the broadcast every open
//! socket listens to (weeks, status, the recorded interventions). The session lives as long as
//! the server, so a socket that closes mid-week loses nothing: a reconnecting page gets the
//! whole state again. A lever moved at week `w` is applied to the parameters before week
//! `w + 1` runs, which is exactly what an intervention at tick `w + 1` does inside
//! `Simulation::step`; the export records it so, and `cogov run` repeats the class run.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::{broadcast, mpsc};

use crate::model::params::{param_specs, Mutability, ParamKind, ParamSpec, ParamValue};
use crate::model::{Intervention, Simulation, TickStats};
use crate::output::records::{timeseries_columns, timeseries_row};
use crate::output::write_csv;
use crate::run::first_non_finite;
use crate::scenario::choices::RoleChoice;

use super::room::{self, Room, RoomAction};
use crate::scenario::{
    param_json, scenario_toml, set_error_message, LabelledIntervention, Lesson, Scenario, MAX_TICKS,
};
use crate::serve::baseline::Baseline;
use crate::serve::map::city_map;

/// The parameter sections that hold the paper's levers (capability, motivation, institutions,
/// tools, process); the teacher's screen shows these and only these can be moved.
pub const LEVER_SECTIONS: &[&str] = &[
    "capability",
    "motivation",
    "institutions",
    "tools",
    "process",
];

/// The lever specs, in table order.
pub fn lever_specs() -> impl Iterator<Item = &'static ParamSpec> {
    param_specs().iter().filter(|s| {
        LEVER_SECTIONS
            .iter()
            .any(|sec| s.key.split('.').next() == Some(sec))
    })
}

/// A lesson preset: a scenario the teacher can build the city from.
#[derive(Clone, Debug)]
pub struct Preset {
    /// The scenario's file stem, e.g. `whistle_and_report`.
    pub id: String,
    pub scenario: Scenario,
    /// Its question, what to watch and its discussion prompts, when the file has them.
    pub lesson: Option<Lesson>,
}

/// An error for the page, in both languages.
#[derive(Clone, Debug, PartialEq)]
pub struct BiError {
    pub en: String,
    pub zh: String,
}

impl BiError {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> BiError {
        BiError {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn json(&self) -> Value {
        json!({"type": "error", "en": self.en, "zh": self.zh})
    }
}

/// What the session sends back: a JSON message for a socket, or an export for HTTP.
#[derive(Clone, Debug)]
pub enum Out {
    Json(Value),
    Error(BiError),
    Export {
        name: String,
        toml: String,
        csv: String,
    },
}

/// A request to the session. `reply` is the requester's own channel.
pub struct Command {
    pub action: Action,
    pub reply: mpsc::UnboundedSender<Out>,
}

/// What the teacher (or a test) asks for; read from the network by `serve::parse_action`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Action {
    /// The whole state, for a page that has just connected.
    Snapshot,
    Setup {
        preset: String,
        #[serde(default)]
        seed: Option<u64>,
    },
    Step,
    Go,
    Pause,
    Reset,
    Speed {
        delay_ms: u64,
    },
    Set {
        key: String,
        #[serde(deserialize_with = "param_value")]
        value: ParamValue,
    },
    Export,
    /// Role play (`room.rs`); built by its parsers, never read directly from JSON.
    #[serde(skip)]
    Room(RoomAction),
}

/// A lever's value from JSON: a boolean or a number (integers stay integers, as in TOML).
fn param_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ParamValue, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(ParamValue::Bool(b)),
        Value::Number(n) => Ok(match n.as_i64() {
            Some(i) => ParamValue::Int(i),
            None => ParamValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        }),
        other => Err(D::Error::custom(format!(
            "the value must be a number or true/false, got {other}"
        ))),
    }
}

pub(super) fn no_city() -> BiError {
    BiError::new(
        "no city yet: choose a lesson and press setup first",
        "尚未建立城市：请先选择课例并点击“建立城市”",
    )
}

/// Longest pause between two weeks of `go` (five seconds).
pub const MAX_DELAY_MS: u64 = 5000;

/// The simulation and everything recorded about the class run.
pub(super) struct Run {
    preset: String,
    /// The preset as built, with the chosen seed; its interventions are the preset's own.
    pub(super) base: Scenario,
    pub(super) sim: Simulation,
    pub(super) series: Vec<TickStats>,
    /// The class's changes, one intervention per week at most, in week order.
    class: Vec<Intervention>,
    /// The students' choices (role play), in week order.
    pub(super) choices: Vec<RoleChoice>,
    /// Set when a week left finite arithmetic: the run stops there.
    broken: Option<BiError>,
    /// The same preset and seed without the class's changes, with its band.
    baseline: Baseline,
}

pub(super) struct Session {
    presets: Vec<Preset>,
    pub(super) run: Option<Run>,
    pub(super) running: bool,
    /// `go` stops by itself at this week (the preset's length, or the limit of a run).
    go_until: u32,
    delay_ms: u64,
    events: broadcast::Sender<Value>,
    pub(super) room: Room,
}

/// Runs the session until every command sender is gone. Meant for its own thread.
pub fn run_session(
    presets: Vec<Preset>,
    commands: Receiver<Command>,
    events: broadcast::Sender<Value>,
) {
    let mut s = Session {
        presets,
        run: None,
        running: false,
        go_until: 0,
        delay_ms: 200,
        events,
        room: Room::default(),
    };
    loop {
        let cmd = if s.running {
            match commands.recv_timeout(Duration::from_millis(s.delay_ms)) {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        };
        match cmd {
            Some(c) => {
                if let Err(e) = s.handle(&c.action, &c.reply) {
                    let _ = c.reply.send(Out::Error(e));
                }
            }
            None => {
                if let Err(e) = s.step() {
                    s.running = false;
                    s.broadcast(e.json());
                    s.status();
                }
            }
        }
    }
}

impl Session {
    pub(super) fn broadcast(&self, v: Value) {
        // No socket listening is not an error: the session keeps its state for the next one.
        let _ = self.events.send(v);
    }

    fn handle(
        &mut self,
        action: &Action,
        reply: &mpsc::UnboundedSender<Out>,
    ) -> Result<(), BiError> {
        match action {
            Action::Snapshot => {
                let _ = reply.send(Out::Json(self.snapshot()));
            }
            Action::Setup { preset, seed } => self.setup(preset, *seed)?,
            Action::Reset => {
                let run = self.run_ref()?;
                let (preset, seed) = (run.preset.clone(), run.base.seed);
                self.setup(&preset, Some(seed))?;
            }
            Action::Step => {
                self.running = false;
                self.step()?;
            }
            Action::Go => {
                let run = self.run_ref()?;
                if let Some(e) = &run.broken {
                    return Err(e.clone());
                }
                let week = run.sim.tick;
                let length = run.base.ticks;
                self.go_until = if week < length { length } else { MAX_TICKS };
                self.running = true;
                self.status();
            }
            Action::Pause => {
                self.running = false;
                self.status();
            }
            Action::Speed { delay_ms } => {
                if *delay_ms > MAX_DELAY_MS {
                    return Err(BiError::new(
                        format!("speed: delay_ms must be in 0..={MAX_DELAY_MS}, got {delay_ms}"),
                        format!("速度：delay_ms 须在 0 至 {MAX_DELAY_MS} 之间，收到 {delay_ms}"),
                    ));
                }
                self.delay_ms = *delay_ms;
                self.status();
            }
            Action::Set { key, value } => self.set(key, *value)?,
            Action::Export => {
                let (name, toml, csv) = self.export()?;
                let _ = reply.send(Out::Export { name, toml, csv });
            }
            Action::Room(r) => self.room_action(r, reply)?,
        }
        Ok(())
    }

    fn run_ref(&self) -> Result<&Run, BiError> {
        self.run.as_ref().ok_or_else(no_city)
    }

    fn setup(&mut self, preset: &str, seed: Option<u64>) -> Result<(), BiError> {
        let Some(p) = self.presets.iter().find(|p| p.id == preset) else {
            let ids: Vec<&str> = self.presets.iter().map(|p| p.id.as_str()).collect();
            return Err(BiError::new(
                format!(
                    "unknown lesson `{preset}`; expected one of: {}",
                    ids.join(", ")
                ),
                format!("未知课例“{preset}”；可选：{}", ids.join("、")),
            ));
        };
        let mut base = p.scenario.clone();
        if let Some(s) = seed {
            base.seed = s;
        }
        let mut sim = Simulation::new(base.params.clone(), base.seed, base.model_interventions());
        self.room.on_setup(&sim.world);
        sim.observed = self.room.observed(&sim.world);
        self.running = false;
        // Reset keeps the baseline already computed for the same lesson and seed.
        let baseline = match self.run.take() {
            Some(old) if old.baseline.scenario == base => old.baseline,
            _ => Baseline::start(base.clone(), self.events.clone()),
        };
        let run = Run {
            preset: p.id.clone(),
            base,
            sim,
            series: Vec::new(),
            class: Vec::new(),
            choices: Vec::new(),
            broken: None,
            baseline,
        };
        room::refresh_preview(&mut self.room, &run);
        self.run = Some(run);
        self.broadcast(self.snapshot());
        if self.room.is_active() {
            self.room.send_views(0, false);
            self.broadcast(self.room.teacher_json(0));
        }
        Ok(())
    }

    /// One week; the row goes to every socket.
    pub(super) fn step(&mut self) -> Result<(), BiError> {
        let run = self.run.as_mut().ok_or_else(no_city)?;
        if let Some(e) = &run.broken {
            return Err(e.clone());
        }
        if run.sim.tick >= MAX_TICKS {
            return Err(BiError::new(
                format!("the run has reached its limit of {MAX_TICKS} weeks; press reset"),
                format!("运行已达{MAX_TICKS}周上限，请点击“重置”"),
            ));
        }
        room::before_week(&mut self.room, run);
        let stats = run.sim.step();
        let row = timeseries_row(&stats);
        if let Some((column, value)) = first_non_finite(&row) {
            let week = stats.tick;
            let e = BiError::new(
                format!("week {week}: the simulation left finite arithmetic ({column} = {value}); the run stops here, press reset"),
                format!("第{week}周：模拟出现非有限数值（{column} = {value}），运行在此停止，请点击“重置”"),
            );
            run.broken = Some(e.clone());
            return Err(e);
        }
        let week = run.sim.tick;
        let map = city_map(&run.sim);
        if self.running && week >= self.go_until {
            self.running = false;
        }
        room::after_week(&mut self.room, run, &stats, self.running);
        run.series.push(stats);
        let levers = lever_values(&run.sim);
        self.broadcast(json!({"type": "week", "week": week, "row": row, "levers": levers}));
        if self.room.is_active() {
            self.broadcast(self.room.teacher_json(week));
        }
        self.broadcast(map);
        if !self.running {
            self.status();
        }
        Ok(())
    }

    fn status(&self) {
        let week = self.run.as_ref().map_or(0, |r| r.sim.tick);
        self.broadcast(json!({"type": "status", "running": self.running, "delay_ms": self.delay_ms, "week": week}));
    }

    /// Moves a lever now; recorded as (part of) the class's intervention at the next week.
    fn set(&mut self, key: &str, value: ParamValue) -> Result<(), BiError> {
        let run = self.run.as_mut().ok_or_else(no_city)?;
        let Some(spec) = lever_specs().find(|s| s.key == key) else {
            let en = set_error_message(key, &crate::model::params::SetError::UnknownKey, "");
            return Err(BiError::new(
                format!("{key}: not a lever: {en}"),
                format!("{key}：不是政策举措（可调参数见左侧各组）"),
            ));
        };
        debug_assert_eq!(spec.mutability, Mutability::Dynamic);
        let got = match value {
            ParamValue::Float(x) => format!("{x}"),
            other => other.to_string(),
        };
        if let Err(e) = run.sim.params.clone().set(key, value) {
            let expected = match spec.kind {
                ParamKind::Bool => "开关（true/false）".to_string(),
                _ => format!("{} 至 {} 之间的数值", spec.min, spec.max),
            };
            return Err(BiError::new(
                format!("{key}: {}", set_error_message(key, &e, &got)),
                format!("{key}：应为{expected}，收到 {got}"),
            ));
        }
        let _ = run.sim.params.set(key, value);
        let value = run.sim.params.get(key).unwrap_or(value);
        let tick = run.sim.tick + 1;
        match run.class.last_mut() {
            Some(iv) if iv.tick == tick => {
                iv.changes.retain(|(k, _)| k != key);
                iv.changes.push((key.to_string(), value));
            }
            _ => run.class.push(Intervention {
                tick,
                changes: vec![(key.to_string(), value)],
            }),
        }
        // The students' numbers (detection, credit) move with the levers.
        room::refresh_preview(&mut self.room, run);
        self.room.send_views(run.sim.tick, self.running);
        let list = interventions_json(run);
        let levers = lever_values(&run.sim);
        self.broadcast(json!({"type": "interventions", "interventions": list, "levers": levers}));
        Ok(())
    }

    /// The class run as a scenario (preset + class changes, ticks = weeks run) and its rows.
    fn export(&self) -> Result<(String, String, String), BiError> {
        let run = self.run_ref()?;
        if run.series.is_empty() {
            return Err(BiError::new(
                "nothing to export yet: run at least one week",
                "尚无可导出内容：请至少运行一周",
            ));
        }
        let sc = class_scenario(run);
        let mut csv = Vec::new();
        write_csv(
            &mut csv,
            &timeseries_columns(),
            run.series.iter().map(timeseries_row),
        )
        .map_err(|e| BiError::new(format!("export: {e}"), format!("导出失败：{e}")))?;
        let csv = String::from_utf8(csv).unwrap_or_default();
        Ok((sc.name.clone(), scenario_toml(&sc), csv))
    }

    fn snapshot(&self) -> Value {
        let columns: Vec<Value> = timeseries_columns()
            .into_iter()
            .map(|c| json!({"name": c.name, "unit": c.unit, "en": c.en, "zh": c.zh}))
            .collect();
        let mut v = json!({
            "type": "state",
            "running": self.running,
            "delay_ms": self.delay_ms,
            "columns": columns,
        });
        if let Some(run) = &self.run {
            let rows: Vec<Vec<f64>> = run.series.iter().map(timeseries_row).collect();
            v["preset"] = json!(run.preset);
            v["seed"] = json!(run.base.seed);
            v["length"] = json!(run.base.ticks);
            v["week"] = json!(run.sim.tick);
            v["rows"] = json!(rows);
            v["interventions"] = interventions_json(run);
            v["levers"] = lever_values(&run.sim);
            v["map"] = city_map(&run.sim);
            v["baseline"] = run.baseline.message().unwrap_or(Value::Null);
        }
        v
    }
}

/// The scenario `cogov run` repeats the class run with. The class's change at week `t` was
/// applied before the preset's own interventions of week `t` (it was set before the step that
/// applied them), so it is listed first; changes after the last week had no effect and are
/// left out, as are the preset's later interventions.
pub(super) fn class_scenario(run: &Run) -> Scenario {
    let weeks = run.sim.tick;
    let mut sc = run.base.clone();
    sc.ticks = weeks;
    sc.choices = run.choices.clone();
    let mut all: Vec<(u32, bool, LabelledIntervention)> = run
        .class
        .iter()
        .map(|iv| (iv.tick, false, class_label(iv)))
        .chain(
            run.base
                .interventions
                .iter()
                .map(|l| (l.intervention.tick, true, l.clone())),
        )
        .filter(|(tick, _, _)| *tick <= weeks)
        .collect();
    all.sort_by_key(|(tick, preset, _)| (*tick, *preset));
    sc.interventions = all.into_iter().map(|(_, _, l)| l).collect();
    sc
}

fn class_label(iv: &Intervention) -> LabelledIntervention {
    let week = iv.tick - 1;
    LabelledIntervention {
        label_en: format!("class change after week {week}"),
        label_zh: format!("课堂调整（第{week}周后）"),
        intervention: iv.clone(),
    }
}

/// The preset's interventions and the class's, as a manifest records them, each marked with
/// whether the class made it.
fn interventions_json(run: &Run) -> Value {
    let mut sc = run.base.clone();
    let preset = sc.interventions.len();
    sc.interventions.extend(run.class.iter().map(class_label));
    let records = sc.manifest("classroom").interventions.unwrap_or_default();
    let list: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            v["class"] = json!(i >= preset);
            v
        })
        .collect();
    Value::Array(list)
}

/// The levers' values in force, by key.
fn lever_values(sim: &Simulation) -> Value {
    let mut m = Map::new();
    for s in lever_specs() {
        if let Some(v) = sim.params.get(s.key) {
            m.insert(s.key.to_string(), param_json(v));
        }
    }
    Value::Object(m)
}

/// A handle to the session thread.
#[derive(Clone)]
pub struct Handle {
    pub commands: Sender<Command>,
    pub events: broadcast::Sender<Value>,
}

impl Handle {
    /// Starts the session on its own thread.
    pub fn start(presets: Vec<Preset>) -> std::io::Result<Handle> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (events, _) = broadcast::channel(1024);
        let ev = events.clone();
        std::thread::Builder::new()
            .name("cogov-session".into())
            .spawn(move || run_session(presets, rx, ev))?;
        Ok(Handle {
            commands: tx,
            events,
        })
    }

    /// Sends `action` and waits for the first reply (for HTTP requests).
    pub async fn ask(&self, action: Action) -> Result<Out, BiError> {
        let (reply, mut rx) = mpsc::unbounded_channel();
        self.commands
            .send(Command { action, reply })
            .map_err(|_| BiError::new("the session has stopped", "会话已停止"))?;
        rx.recv()
            .await
            .ok_or_else(|| BiError::new("no reply from the session", "会话无响应"))
    }
}
