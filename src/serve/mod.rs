//! `cogov serve`: the classroom's web server — a bilingual teacher's page with setup, go, step,
//! levers and live charts, over HTTP and one WebSocket per page.
//!
//! Everything the page needs (HTML, script, style, the uPlot chart library, the Chinese font)
//! is embedded in the binary, so it works offline from a USB stick. The simulation runs in the
//! session actor (`session.rs`) on its own thread; this module only routes requests, parses
//! what the network sends (every bad message gets a bilingual error reply, never a panic) and
//! forwards the session's weekly rows. With `--lan` the API and the socket want the room code
//! (`?room=…`); the static files do not, since they hold no class data.
//! `map.rs` sums the city up for the map, `baseline.rs` runs the lesson without the class's
//! changes (and a band of replications) in the background, `handout.rs` prints a lesson's
//! handout; `room.rs` runs role play (students' roles, the teacher's room commands, the debrief).

pub mod baseline;
pub mod handout;
pub mod map;
pub mod room;
pub mod session;

use std::net::{Ipv4Addr, SocketAddr};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use crate::charts::labels::Lang;
use crate::charts::names::param_name;
use crate::model::params::ParamKind;

use crate::scenario::{self, param_json, Scenario};
pub use session::{lever_specs, Action, BiError, Handle, Out, Preset};

const INDEX_HTML: &str = include_str!("../../assets/web/index.html");
const APP_JS: &str = include_str!("../../assets/web/app.js");
const APP_CSS: &str = include_str!("../../assets/web/app.css");
const UPLOT_JS: &str = include_str!("../../assets/web/vendor/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../../assets/web/vendor/uPlot.min.css");

/// The lesson presets, in the order the page lists them: (id, file text).
const LESSONS: &[(&str, &str)] = &[
    (
        "lazy_governance_unconstrained",
        include_str!("../../scenarios/lazy_governance_unconstrained.toml"),
    ),
    (
        "lazy_governance_constrained",
        include_str!("../../scenarios/lazy_governance_constrained.toml"),
    ),
    (
        "whistle_and_report",
        include_str!("../../scenarios/whistle_and_report.toml"),
    ),
    (
        "trust_trap_hysteresis",
        include_str!("../../scenarios/trust_trap_hysteresis.toml"),
    ),
    (
        "incentive_formalism",
        include_str!("../../scenarios/incentive_formalism.toml"),
    ),
    (
        "grassroots_empowerment",
        include_str!("../../scenarios/grassroots_empowerment.toml"),
    ),
    ("fengqiao", include_str!("../../scenarios/fengqiao.toml")),
    (
        "beijing_hotline",
        include_str!("../../scenarios/beijing_hotline.toml"),
    ),
    (
        "qingdao_pilot",
        include_str!("../../scenarios/qingdao_pilot.toml"),
    ),
    (
        "burden_reduction",
        include_str!("../../scenarios/burden_reduction.toml"),
    ),
    (
        "territorial_offload",
        include_str!("../../scenarios/territorial_offload.toml"),
    ),
    (
        "crowding_out",
        include_str!("../../scenarios/crowding_out.toml"),
    ),
    ("default", scenario::DEFAULT_SCENARIO),
];

/// The paper's lever sections, as the page groups the sliders: (seed section, en, zh).
const LEVER_GROUPS: &[(&str, &str, &str)] = &[
    ("1.1", "1.1 actors and structure", "1.1 主体结构"),
    ("1.2", "1.2 capability", "1.2 协同能力"),
    ("2.1", "2.1 motivation", "2.1 协同动力"),
    ("2.2", "2.2 institutions", "2.2 制度保障"),
    ("2.3", "2.3 tools", "2.3 常态化治理工具"),
    ("2.4", "2.4 process", "2.4 全流程协同联动机制"),
];

/// How the server is started.
#[derive(Clone, Debug)]
pub struct Options {
    /// 0 asks the system for a free port.
    pub port: u16,
    /// Serve the local network (0.0.0.0) behind a room code, instead of this computer only.
    pub lan: bool,
    /// A scenario of the teacher's own, listed first among the presets.
    pub extra: Option<Preset>,
}

/// A server bound and ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    /// The bound address (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The room code clients must present, with `--lan`.
    pub room: Option<String>,
    /// With `--lan`, the key the teacher's screen must present besides the room code: students
    /// have the room code, so without it any of them could steer the class.
    pub teacher: Option<String>,
}

impl Server {
    /// Binds the port and starts the session; call inside a tokio runtime.
    pub async fn bind(opts: Options) -> std::io::Result<Server> {
        let mut presets = lesson_presets();
        if let Some(p) = opts.extra {
            presets.retain(|q| q.id != p.id);
            presets.insert(0, p);
        }
        let ip = if opts.lan {
            Ipv4Addr::UNSPECIFIED
        } else {
            Ipv4Addr::LOCALHOST
        };
        let listener = tokio::net::TcpListener::bind((ip, opts.port)).await?;
        let addr = listener.local_addr()?;
        let room = opts.lan.then(|| random_code(6));
        let teacher = opts.lan.then(|| random_code(12));
        let state = AppState {
            session: Handle::start(presets.clone())?,
            presets: std::sync::Arc::new(presets),
            room: room.clone(),
            teacher: teacher.clone(),
        };
        let api = Router::new()
            .route("/api/levers", get(levers))
            .route("/api/presets", get(presets_json))
            .route("/api/export/scenario.toml", get(export_toml))
            .route("/api/export/timeseries.csv", get(export_csv))
            .route("/ws", get(socket))
            .route("/ws/play", get(room::play_socket))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                require_room,
            ));
        let router = Router::new()
            .route(
                "/",
                get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
            )
            .route(
                "/app.js",
                get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
            )
            .route(
                "/app.css",
                get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
            )
            .route(
                "/vendor/uPlot.iife.min.js",
                get(|| async { asset("text/javascript; charset=utf-8", UPLOT_JS) }),
            )
            .route(
                "/vendor/uPlot.min.css",
                get(|| async { asset("text/css; charset=utf-8", UPLOT_CSS) }),
            )
            .route("/handout/{id}", get(handout))
            .route(
                "/play",
                get(|| async { asset("text/html; charset=utf-8", room::PLAY_HTML) }),
            )
            .route(
                "/play.js",
                get(|| async { asset("text/javascript; charset=utf-8", room::PLAY_JS) }),
            )
            .route(
                "/room.js",
                get(|| async { asset("text/javascript; charset=utf-8", room::ROOM_JS) }),
            )
            .route(
                "/font.ttf",
                get(|| async { asset("font/ttf", crate::charts::font::FONT_BYTES) }),
            )
            .merge(api)
            .with_state(state);
        Ok(Server {
            listener,
            router,
            addr,
            room,
            teacher,
        })
    }

    /// Serves until the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

/// The embedded lesson scenarios.
pub fn lesson_presets() -> Vec<Preset> {
    LESSONS
        .iter()
        .filter_map(|(id, text)| {
            let sc = scenario::load_lesson_str(text, &format!("scenarios/{id}.toml"));
            debug_assert!(sc.is_ok(), "embedded lesson {id} does not load");
            let (scenario, lesson) = sc.ok()?;
            Some(Preset {
                id: id.to_string(),
                scenario,
                lesson,
            })
        })
        .collect()
}

/// A preset from the teacher's own file, named by its file stem.
pub fn preset_of(path: &std::path::Path, scenario: Scenario) -> Preset {
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| scenario.name.clone());
    // The file has already been read and checked; a manifest has no lesson.
    let lesson = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| scenario::load_lesson_str(&text, &id).ok())
        .and_then(|(_, l)| l);
    Preset {
        id,
        scenario,
        lesson,
    }
}

#[derive(Clone)]
struct AppState {
    session: Handle,
    presets: std::sync::Arc<Vec<Preset>>,
    room: Option<String>,
    teacher: Option<String>,
}

fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn error_response(status: StatusCode, e: &BiError) -> Response {
    (status, axum::Json(e.json())).into_response()
}

/// `n` characters without look-alikes (no 0/O, 1/I/L), from the OS-seeded hasher. The room
/// code (6) only keeps strangers on the network out of the class; the teacher's key (12) keeps
/// the students, who have the room code, from steering it — neither is a cryptographic secret.
fn random_code(n: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut x = h.finish();
    // 31^12 < 2^64: one hash gives up to twelve characters.
    debug_assert!(n <= 12);
    (0..n)
        .map(|_| {
            let c = ALPHABET[(x % ALPHABET.len() as u64) as usize] as char;
            x /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// Whether a request is the teacher's: the class socket (it steers the run) and the exports.
fn teachers_only(path: &str) -> bool {
    path == "/ws" || path.starts_with("/api/export/")
}

/// Refuses API and socket requests without the room code, and the teacher's requests without
/// the teacher's key (with `--lan` only).
async fn require_room(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // Owned, so that nothing borrowed from the request lives across the await below.
    let (path, raw) = (
        req.uri().path().to_string(),
        req.uri().query().unwrap_or("").to_string(),
    );
    let query = |name: &str| {
        raw.split('&')
            .find_map(|kv| kv.strip_prefix(name))
            .map(str::to_ascii_uppercase)
    };
    if let (Some(key), true) = (&st.teacher, teachers_only(&path)) {
        if query("teacher=").as_deref() != Some(key.as_str()) {
            return error_response(
                StatusCode::FORBIDDEN,
                &BiError::new(
                    "this is the teacher's: open the teacher's address `cogov serve` printed (…&teacher=KEY); students join at /play",
                    "此功能仅限教师：请打开 cogov serve 打印的教师地址（…&teacher=密钥）；学生请从 /play 加入",
                ),
            );
        }
    }
    if let Some(code) = &st.room {
        let given = query("room=");
        if given.as_deref() != Some(code.as_str()) {
            return error_response(
                StatusCode::FORBIDDEN,
                &BiError::new(
                    "wrong or missing room code: open the address the teacher's screen shows (…?room=CODE)",
                    "房间码缺失或错误：请打开教师屏幕上显示的地址（…?room=房间码）",
                ),
            );
        }
    }
    next.run(req).await
}

/// The levers grouped by the paper's sections, with ranges and meanings from the parameter
/// table.
async fn levers() -> Response {
    let groups: Vec<Value> = LEVER_GROUPS
        .iter()
        .map(|(id, en, zh)| {
            let levers: Vec<Value> = lever_specs()
                .filter(|s| s.seed_section == *id)
                .map(|s| {
                    json!({
                        "key": s.key,
                        "kind": match s.kind { ParamKind::Bool => "bool", ParamKind::Integer => "int", ParamKind::Float => "float" },
                        "min": s.min,
                        "max": s.max,
                        "default": param_json(s.default),
                        "unit": s.unit,
                        "name_en": param_name(s.key, Lang::En),
                        "name_zh": param_name(s.key, Lang::Zh),
                        "en": s.en,
                        "zh": s.zh,
                    })
                })
                .collect();
            json!({"id": id, "en": en, "zh": zh, "levers": levers})
        })
        .collect();
    axum::Json(json!({ "sections": groups })).into_response()
}

async fn presets_json(State(st): State<AppState>) -> Response {
    let list: Vec<Value> = st
        .presets
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p.scenario.meta()).unwrap_or(Value::Null);
            v["id"] = json!(p.id);
            v["seed"] = json!(p.scenario.seed);
            v["ticks"] = json!(p.scenario.ticks);
            v["lesson"] = json!(p.lesson);
            v
        })
        .collect();
    axum::Json(json!({ "presets": list })).into_response()
}

/// A lesson's printable handout; no class data, so no room code.
async fn handout(
    State(st): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    match st.presets.iter().find(|p| p.id == id) {
        Some(p) => asset("text/html; charset=utf-8", handout::handout_html(p)),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no lesson `{id}` / 没有课例“{id}”\n"),
        )
            .into_response(),
    }
}

async fn export(st: &AppState, toml: bool) -> Response {
    match st.session.ask(Action::Export).await {
        Ok(Out::Export { name, toml: t, csv }) => {
            let (body, file, kind) = if toml {
                (t, format!("{name}.toml"), "application/toml; charset=utf-8")
            } else {
                (
                    csv,
                    format!("{name}-timeseries.csv"),
                    "text/csv; charset=utf-8",
                )
            };
            let disposition = format!("attachment; filename=\"{file}\"");
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Ok(Out::Error(e)) | Err(e) => error_response(StatusCode::CONFLICT, &e),
        Ok(Out::Json(_)) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &BiError::new("unexpected reply from the session", "会话返回了意外的响应"),
        ),
    }
}

async fn export_toml(State(st): State<AppState>) -> Response {
    export(&st, true).await
}

async fn export_csv(State(st): State<AppState>) -> Response {
    export(&st, false).await
}

async fn socket(State(st): State<AppState>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(64 << 10)
        .on_upgrade(move |socket| client(socket, st))
}

/// One page's socket: its messages go to the session, the session's events come back. When
/// it closes, only this loop ends; the session and its run stay.
async fn client(mut socket: WebSocket, st: AppState) {
    let mut events = st.session.events.subscribe();
    let (reply, mut replies) = mpsc::unbounded_channel();
    let ask = |action: Action| {
        st.session.commands.send(session::Command {
            action,
            reply: reply.clone(),
        })
    };
    if ask(Action::Snapshot).is_err() {
        return;
    }
    loop {
        let out = tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => match parse_action(text.as_str()) {
                    Ok(action) => {
                        if ask(action).is_err() {
                            break;
                        }
                        continue;
                    }
                    Err(e) => e.json(),
                },
                Some(Ok(Message::Binary(_))) => binary_refused().json(),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => break,
            },
            Some(out) = replies.recv() => match out {
                Out::Json(v) => v,
                Out::Error(e) => e.json(),
                Out::Export { name, toml, csv } => json!({"type": "export", "name": name, "toml": toml, "csv": csv}),
            },
            ev = events.recv() => match ev {
                Ok(v) => v,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // This page fell behind: it gets the whole state again.
                    if ask(Action::Snapshot).is_err() {
                        break;
                    }
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
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
}

/// Every command with the fields it takes besides `cmd` (serde does not refuse extra fields
/// of unit variants in a tagged enum, so they are checked here).
const COMMANDS: &[(&str, &[&str])] = &[
    ("snapshot", &[]),
    ("setup", &["preset", "seed"]),
    ("step", &[]),
    ("go", &[]),
    ("pause", &[]),
    ("reset", &[]),
    ("speed", &["delay_ms"]),
    ("set", &["key", "value"]),
    ("export", &[]),
];

/// The reply to binary data on a socket.
fn binary_refused() -> BiError {
    BiError::new(
        "expected a text message holding JSON, got binary data",
        "应为包含 JSON 的文本消息，收到二进制数据",
    )
}

/// A network message's JSON and its `cmd` string (one of `names`), or a bilingual reason why not.
fn json_command(text: &str, names: &[&str]) -> Result<(Value, String), BiError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        BiError::new(
            format!("malformed message: not JSON ({e})"),
            format!("消息格式错误：不是合法的 JSON（{e}）"),
        )
    })?;
    match v.get("cmd") {
        Some(Value::String(c)) => {
            let c = c.clone();
            Ok((v, c))
        }
        _ => Err(BiError::new(
            format!(
                "malformed message: expected an object with a \"cmd\" string, one of: {}",
                names.join(", ")
            ),
            format!(
                "消息格式错误：应为含 \"cmd\" 字符串的对象，可选：{}",
                names.join("、")
            ),
        )),
    }
}

/// A message from the network → an `Action`, or a bilingual reason why not.
pub fn parse_action(text: &str) -> Result<Action, BiError> {
    let mut names: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
    names.extend(room::TEACHER_COMMANDS);
    let (v, cmd) = json_command(text, &names)?;
    if let Some(room) = room::parse_teacher(&v) {
        return room;
    }
    let Some((_, fields)) = COMMANDS.iter().find(|(c, _)| *c == cmd) else {
        return Err(BiError::new(
            format!(
                "unknown command `{cmd}`; expected one of: {}",
                names.join(", ")
            ),
            format!("未知指令“{cmd}”；可选：{}", names.join("、")),
        ));
    };
    if let Some(extra) = v.as_object().and_then(|o| {
        o.keys()
            .find(|k| *k != "cmd" && !fields.contains(&k.as_str()))
    }) {
        let takes = if fields.is_empty() {
            "no other fields".to_string()
        } else {
            fields.join(", ")
        };
        return Err(BiError::new(
            format!("malformed `{cmd}` message: unknown field `{extra}`; it takes {takes}"),
            format!("“{cmd}”指令格式错误：未知字段“{extra}”"),
        ));
    }
    serde_json::from_value(v).map_err(|e| {
        BiError::new(
            format!("malformed `{cmd}` message: {e}"),
            format!("“{cmd}”指令格式错误：{e}"),
        )
    })
}

/// The address to show on the classroom network: the interface the default route uses (a UDP
/// socket's `connect` sends nothing), or none when offline.
pub fn lan_address() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    Some(s.local_addr().ok()?.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::ParamValue;

    #[test]
    fn every_lesson_loads_and_writes_back_equal_and_every_lever_has_a_group() {
        assert_eq!(lesson_presets().len(), LESSONS.len());
        for p in lesson_presets() {
            let text = scenario::scenario_toml(&p.scenario);
            assert_eq!(
                scenario::load_str(&text, &p.id).unwrap(),
                p.scenario,
                "{text}"
            );
        }
        for s in lever_specs() {
            assert!(
                LEVER_GROUPS.iter().any(|(id, _, _)| *id == s.seed_section),
                "{} has no group",
                s.key
            );
        }
    }

    #[test]
    fn bad_messages_are_refused_in_both_languages() {
        for bad in [
            "{",
            "[]",
            "{\"cmd\": 3}",
            "{\"cmd\": \"fly\"}",
            "{\"cmd\": \"speed\"}",
            "{\"cmd\": \"set\", \"key\": \"a\", \"value\": \"x\"}",
        ] {
            let e = parse_action(bad).unwrap_err();
            assert!(!e.en.is_empty() && !e.zh.is_empty(), "{bad}");
        }
        assert_eq!(
            parse_action("{\"cmd\": \"set\", \"key\": \"k\", \"value\": 0.5}").unwrap(),
            Action::Set {
                key: "k".into(),
                value: ParamValue::Float(0.5)
            }
        );
    }

    proptest::proptest! {
        /// Whatever arrives, parsing answers with an action or a bilingual error.
        #[test]
        fn any_message_is_an_action_or_an_error(
            text in ".{0,80}",
            cmd in proptest::sample::select(vec!["setup", "set", "speed", "go", "x"]),
            field in proptest::sample::select(vec!["preset", "seed", "key", "value", "delay_ms", "cmd"]),
            value in proptest::sample::select(vec!["1", "-1", "1e999", "\"a\"", "null", "[]", "{}", "true", "0.5"]),
        ) {
            if let Err(e) = parse_action(&text) {
                proptest::prop_assert!(!e.en.is_empty() && !e.zh.is_empty());
            }
            let msg = format!("{{\"cmd\": \"{cmd}\", \"{field}\": {value}}}");
            if let Err(e) = parse_action(&msg) {
                proptest::prop_assert!(!e.en.is_empty() && !e.zh.is_empty());
            }
        }
    }

    #[test]
    fn room_codes_are_six_unambiguous_characters() {
        let c = random_code(6);
        assert_eq!(c.len(), 6);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
    }
}
