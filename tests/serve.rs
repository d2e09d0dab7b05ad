//! `cogov serve` without a browser: the real binary on an ephemeral port, plain HTTP for the
//! page and the JSON endpoints, a WebSocket client for the class run, and `cogov run` of the
//! exported scenario against the server's own rows, byte for byte.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_cogov");

/// The page in headless Chromium (`tests/serve/browser.rs`).
#[path = "serve/browser.rs"]
mod browser;

/// A running `cogov serve --port 0 --no-open`, killed when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
    room: Option<String>,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--no-open"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cogov serve");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("cogov serve: http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"));
        let port: u16 = url
            .split('/')
            .next()
            .and_then(|h| h.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        // With --lan: `?room=CODE&teacher=KEY`; the socket and API carry both, as the page does.
        let room = url.split_once("?room=").map(|(_, c)| c.to_string());
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut out, &mut std::io::sink());
        });
        Served {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            room,
        }
    }

    /// (status, body) of a GET.
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, raw[split + 4..].to_vec())
    }

    fn get_text(&self, path: &str) -> String {
        let (status, body) = self.get(path);
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&body)
        );
        String::from_utf8(body).unwrap()
    }

    fn get_json(&self, path: &str) -> Value {
        serde_json::from_str(&self.get_text(path)).unwrap()
    }

    async fn socket(&self) -> Socket {
        let room = self
            .room
            .as_ref()
            .map_or(String::new(), |c| format!("?room={c}"));
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws{room}", self.addr))
            .await
            .expect("websocket handshake");
        Socket { ws }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Socket {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next message of `kind`, skipping others (status and the like).
    async fn next(&mut self, kind: &str) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no {kind} message within a minute"))
                .expect("socket open")
                .unwrap();
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["type"] == kind {
                    return v;
                }
                assert_ne!(
                    v["type"], "error",
                    "unexpected error while waiting for {kind}: {v}"
                );
            }
        }
    }

    async fn step(&mut self) -> Value {
        self.send(json!({"cmd": "step"})).await;
        self.next("week").await
    }

    async fn error_for(&mut self, text: &str) -> Value {
        self.send_text(text).await;
        let e = self.next_any().await;
        assert_eq!(e["type"], "error", "{text} → {e}");
        assert!(
            !e["en"].as_str().unwrap().is_empty() && !e["zh"].as_str().unwrap().is_empty(),
            "{e}"
        );
        e
    }

    async fn next_any(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .expect("a reply within a minute")
                .expect("socket open")
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }
}

#[test]
fn the_page_embeds_its_font_and_chart_library() {
    let s = Served::start(&[]);
    let page = s.get_text("/");
    assert!(page.contains("<html lang=\"zh\">"), "Chinese by default");
    for local in [
        "vendor/uPlot.iife.min.js",
        "vendor/uPlot.min.css",
        "app.js",
        "app.css",
    ] {
        assert!(
            page.contains(&format!("\"{local}\"")),
            "{local} not referenced"
        );
    }
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no CDN"
    );
    assert!(s.get_text("/app.css").contains("url(\"font.ttf\")"));
    let (status, font) = s.get("/font.ttf");
    assert_eq!(status, 200);
    let committed = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/CogovSansSC-Regular.ttf"),
    )
    .unwrap();
    assert!(
        font == committed,
        "the embedded font is the committed subset"
    );
    assert!(s.get_text("/vendor/uPlot.iife.min.js").contains("uPlot"));
    let app = s.get_text("/app.js");
    assert!(app.contains("English") && app.contains("建立城市"));
    assert_eq!(s.get("/nothing-here").0, 404);
}

#[test]
fn levers_and_lessons_come_from_the_tables_and_scenarios() {
    let s = Served::start(&[]);
    let levers = s.get_json("/api/levers");
    let sections = levers["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1.1", "1.2", "2.1", "2.2", "2.3", "2.4"]);
    let mut n = 0;
    for g in sections {
        assert!(!g["zh"].as_str().unwrap().is_empty());
        for l in g["levers"].as_array().unwrap() {
            let key = l["key"].as_str().unwrap();
            let spec = cogov::model::param_specs()
                .iter()
                .find(|p| p.key == key)
                .unwrap_or_else(|| panic!("{key} is not a parameter"));
            assert_eq!(l["min"].as_f64(), Some(spec.min), "{key}");
            assert_eq!(l["max"].as_f64(), Some(spec.max), "{key}");
            assert_eq!(l["zh"], spec.zh, "{key}");
            assert_eq!(l["en"], spec.en, "{key}");
            assert!(
                !l["name_zh"].as_str().unwrap().contains('.'),
                "{key} has a short name"
            );
            assert_eq!(spec.seed_section, g["id"], "{key}");
            n += 1;
        }
    }
    assert_eq!(n, cogov::serve::lever_specs().count());
    let presets = s.get_json("/api/presets");
    let wr = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "whistle_and_report")
        .expect("the whistle-and-report lesson");
    assert_eq!(wr["title_zh"], "第26周起实行“吹哨报到”");
    assert!(wr["description_en"].as_str().unwrap().contains("week 26"));
}

#[tokio::test]
async fn a_class_run_streams_weeks_records_a_lever_and_exports_it() {
    let s = Served::start(&[]);
    let mut ws = s.socket().await;
    let hello = ws.next("state").await;
    assert!(hello.get("week").is_none(), "no city before setup");
    ws.send(json!({"cmd": "setup", "preset": "whistle_and_report", "seed": 7}))
        .await;
    let state = ws.next("state").await;
    assert_eq!(state["week"], 0);
    assert_eq!(state["seed"], 7);
    let columns = state["columns"].as_array().unwrap().clone();
    assert_eq!(columns[0]["name"], "tick");
    for w in 1..=3 {
        let week = ws.step().await;
        assert_eq!(week["week"], w);
        let row = week["row"].as_array().unwrap();
        assert_eq!(row.len(), columns.len());
        assert_eq!(row[0].as_f64(), Some(w as f64));
    }
    ws.send(json!({"cmd": "set", "key": "motivation.incentive_compatibility", "value": 0.8}))
        .await;
    let recorded = ws.next("interventions").await;
    assert_eq!(
        recorded["levers"]["motivation.incentive_compatibility"],
        0.8
    );
    let class: Vec<&Value> = recorded["interventions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["class"] == true)
        .collect();
    assert_eq!(class.len(), 1);
    assert_eq!(
        class[0]["tick"], 4,
        "a change after week 3 takes effect in week 4"
    );
    assert_eq!(ws.step().await["week"], 4);
    ws.send(json!({"cmd": "export"})).await;
    let export = ws.next("export").await;
    let toml = export["toml"].as_str().unwrap();
    let sc = cogov::scenario::load_str(toml, "export.toml").expect("the export loads");
    assert_eq!((sc.seed, sc.ticks), (7, 4));
    assert_eq!(sc.name, "whistle_and_report");
    assert_eq!(
        sc.interventions.len(),
        1,
        "the week-26 reform lies beyond the run: {toml}"
    );
    let iv = &sc.interventions[0].intervention;
    assert_eq!(iv.tick, 4);
    assert_eq!(
        iv.changes,
        [(
            "motivation.incentive_compatibility".to_string(),
            cogov::model::ParamValue::Float(0.8)
        )]
    );
    let csv = export["csv"].as_str().unwrap();
    assert_eq!(csv.lines().count(), 5, "a header and four weeks");

    // Reset rebuilds the same lesson and seed, without the class's changes.
    ws.send(json!({"cmd": "reset"})).await;
    let state = ws.next("state").await;
    assert_eq!(
        (state["week"].as_u64(), state["seed"].as_u64()),
        (Some(0), Some(7))
    );
    assert_eq!(state["levers"]["motivation.incentive_compatibility"], 0.3);
    assert!(state["interventions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["class"] == false));
}

#[tokio::test]
async fn bad_messages_get_bilingual_errors_and_the_session_survives() {
    let s = Served::start(&[]);
    let mut ws = s.socket().await;
    ws.next("state").await;
    let e = ws.error_for("{\"cmd\": \"step\"").await;
    assert!(
        e["en"].as_str().unwrap().starts_with("malformed message"),
        "{e}"
    );
    let e = ws.error_for("{\"cmd\": \"fly\"}").await;
    assert!(
        e["en"].as_str().unwrap().contains("unknown command `fly`"),
        "{e}"
    );
    ws.error_for("[1, 2]").await;
    let e = ws.error_for("{\"cmd\": \"step\"}").await;
    assert!(e["en"].as_str().unwrap().contains("setup"), "{e}");
    ws.error_for("{\"cmd\": \"setup\", \"preset\": \"atlantis\"}")
        .await;
    ws.send(json!({"cmd": "setup", "preset": "default"})).await;
    ws.next("state").await;
    let e = ws
        .error_for("{\"cmd\": \"set\", \"key\": \"tools.warp_drive\", \"value\": 1}")
        .await;
    assert!(e["en"].as_str().unwrap().contains("not a lever"), "{e}");
    let e = ws
        .error_for("{\"cmd\": \"set\", \"key\": \"territory.districts\", \"value\": 3}")
        .await;
    assert!(e["en"].as_str().unwrap().contains("not a lever"), "{e}");
    let e = ws
        .error_for(
            "{\"cmd\": \"set\", \"key\": \"motivation.incentive_compatibility\", \"value\": 1.5}",
        )
        .await;
    assert!(
        e["en"]
            .as_str()
            .unwrap()
            .contains("must be in 0..=1, got 1.5"),
        "{e}"
    );
    ws.error_for("{\"cmd\": \"set\", \"key\": \"process.whistle_and_report\", \"value\": 0.5}")
        .await;
    ws.error_for("{\"cmd\": \"set\", \"key\": \"process.whistle_and_report\", \"value\": \"yes\"}")
        .await;
    ws.error_for("{\"cmd\": \"speed\", \"delay_ms\": -1}").await;
    ws.error_for("{\"cmd\": \"go\", \"extra\": 1}").await;
    ws.ws
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(ws.next_any().await["type"], "error");

    // Run, and drop the socket in the middle of it: the session keeps going and keeps its run.
    ws.send(json!({"cmd": "speed", "delay_ms": 0})).await;
    ws.send(json!({"cmd": "go"})).await;
    ws.next("week").await;
    drop(ws);
    let mut again = s.socket().await;
    let state = again.next("state").await;
    let week = state["week"].as_u64().unwrap();
    assert!(week >= 1, "{state}");
    assert_eq!(state["rows"].as_array().unwrap().len() as u64, week);
    again.send(json!({"cmd": "pause"})).await;
    let status = again.next("status").await;
    assert_eq!(status["running"], false);
}

/// The heart of the export: the class run, with a lever moved at week 10 and another at week
/// 25 against the preset's own reform at week 26, repeated by `cogov run` to the byte.
#[tokio::test]
async fn an_exported_class_run_is_reproduced_byte_for_byte_by_cogov_run() {
    let s = Served::start(&[]);
    let mut ws = s.socket().await;
    ws.next("state").await;
    ws.send(json!({"cmd": "setup", "preset": "whistle_and_report"}))
        .await;
    ws.next("state").await;
    let mut streamed = Vec::new();
    for week in 1..=30 {
        if week == 11 {
            ws.send(json!({"cmd": "set", "key": "tools.media_pressure", "value": 0.6}))
                .await;
            ws.next("interventions").await;
        }
        if week == 26 {
            // Set before the week the preset switches it on: the preset's reform wins, as in
            // the model, where the preset's intervention of week 26 comes after the class's.
            ws.send(json!({"cmd": "set", "key": "institutions.block_led", "value": false}))
                .await;
            ws.next("interventions").await;
            ws.send(json!({"cmd": "set", "key": "capability.socialisation", "value": 0.5}))
                .await;
            ws.next("interventions").await;
        }
        streamed.push(ws.step().await["row"].clone());
    }
    let (_, csv) = s.get("/api/export/timeseries.csv");
    let toml = s.get_text("/api/export/scenario.toml");
    assert!(
        toml.contains("tick = 11") && toml.contains("tick = 26"),
        "{toml}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("class.toml");
    std::fs::write(&file, &toml).unwrap();
    let out = dir.path().join("run");
    let status = Command::new(BIN)
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "-q",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let ran = std::fs::read(out.join("timeseries.csv")).unwrap();
    assert!(
        ran == csv,
        "cogov run of the export differs from the class run"
    );

    // And the rows the page plotted are the same numbers (within the last digit: serde_json's
    // default parser, used here, is not correctly rounded; a browser's JSON.parse is).
    let text = String::from_utf8(ran).unwrap();
    for (line, row) in text.lines().skip(1).zip(&streamed) {
        let cells: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        let row: Vec<f64> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(cells.len(), row.len());
        for (a, b) in cells.iter().zip(&row) {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
        }
    }
    assert_eq!(text.lines().count(), 31);
}

#[test]
fn lan_mode_wants_the_room_code() {
    let s = Served::start(&["--lan"]);
    let room = s.room.clone().expect("a room code in the printed address");
    let code = room.split('&').next().unwrap().to_string();
    assert_eq!(code.len(), 6);
    let (status, body) = s.get("/api/levers");
    assert_eq!(status, 403);
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert!(e["en"].as_str().unwrap().contains("room code"), "{e}");
    assert!(e["zh"].as_str().unwrap().contains("房间码"), "{e}");
    assert_eq!(s.get("/api/levers?room=WRONG1").0, 403);
    assert_eq!(s.get(&format!("/api/levers?room={code}")).0, 200);
    assert_eq!(s.get("/").0, 200, "the page itself holds no class data");
}

/// With `--lan` the students have the room code, so the teacher's socket and the exports want
/// the teacher's key too; the students' socket does not, and the students' address the server
/// prints never carries the key.
#[test]
fn lan_mode_keeps_the_class_controls_to_the_teacher() {
    let s = Served::start(&["--lan"]);
    let (code, key) = s
        .room
        .as_deref()
        .and_then(|r| r.split_once("&teacher="))
        .map(|(c, k)| (c.to_string(), k.to_string()))
        .expect("the teacher's address carries the room code and the teacher's key");
    assert_eq!((code.len(), key.len()), (6, 12));
    for path in [
        "/ws",
        "/api/export/scenario.toml",
        "/api/export/timeseries.csv",
    ] {
        let (status, body) = s.get(&format!("{path}?room={code}"));
        assert_eq!(status, 403, "{path} without the teacher's key");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert!(e["en"].as_str().unwrap().contains("teacher"), "{e}");
        assert!(e["zh"].as_str().unwrap().contains("教师"), "{e}");
        assert_eq!(
            s.get(&format!("{path}?room={code}&teacher=WRONGKEY0000")).0,
            403
        );
        assert_ne!(
            s.get(&format!("{path}?room={code}&teacher={key}")).0,
            403,
            "{path} with the teacher's key"
        );
        assert_eq!(
            s.get(&format!("{path}?teacher={key}")).0,
            403,
            "{path}: the key does not replace the room code"
        );
    }
    // The students' socket wants the room code only (a plain GET is not an upgrade, but it
    // passes the gate).
    assert_ne!(s.get(&format!("/ws/play?room={code}")).0, 403);
}

#[test]
fn a_bad_scenario_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[motivation]\nincentive_compatibility = 4\n").unwrap();
    let out = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--no-open",
            "--scenario",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("incentive_compatibility"), "{err}");
}

/// Every character the page can show in Chinese is in the embedded font (the page asks for it
/// first), and the page keeps to the terms of ZH-TERMS (政策举措, not 杠杆).
#[test]
fn the_page_uses_only_characters_the_font_has_and_the_agreed_terms() {
    let s = Served::start(&[]);
    let mut shown = s.get_text("/") + &s.get_text("/app.js");
    // Role play's pages too: the students' page and the teacher's panel.
    for page in ["/play", "/play.js", "/room.js"] {
        shown += &s.get_text(page);
    }
    shown += &s.get_text("/api/levers");
    shown += &s.get_text("/api/presets");
    let face = ttf_parser::Face::parse(cogov::charts::font::FONT_BYTES, 0).unwrap();
    let missing: std::collections::BTreeSet<char> = shown
        .chars()
        .filter(|c| !c.is_ascii() && face.glyph_index(*c).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "the font lacks {:?}; add them with assets/fonts/make_subset.py",
        missing.iter().collect::<String>()
    );
    for old in ["杠杆", "决策", "功劳", "全过程机制", "周龄"] {
        assert!(!shown.contains(old), "{old} is shown");
    }
}

#[test]
fn the_teachers_own_scenario_is_listed_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("my_lesson.toml");
    std::fs::write(
        &file,
        "[scenario]\ntitle_zh = \"我的课例\"\ntitle_en = \"My lesson\"\nticks = 12\n",
    )
    .unwrap();
    let s = Served::start(&["--scenario", file.to_str().unwrap()]);
    let presets = s.get_json("/api/presets");
    let first = &presets["presets"][0];
    assert_eq!(
        (first["id"].as_str(), first["ticks"].as_u64()),
        (Some("my_lesson"), Some(12))
    );
    assert_eq!(first["title_zh"], "我的课例");
}

/// The teacher's screen beyond the charts: the map each week, the baseline with its band, the
/// lessons' questions and prompts, and their handouts.
#[tokio::test]
async fn the_map_the_baseline_band_and_the_handouts() {
    let s = Served::start(&[]);
    let mut ws = s.socket().await;
    ws.next("state").await;
    ws.send(json!({"cmd": "setup", "preset": "whistle_and_report", "seed": 11}))
        .await;
    let state = ws.next("state").await;
    assert_eq!(
        state["map"]["shape"],
        json!([4, 4, 6, 4]),
        "the default city, by grid"
    );
    let mut class = Vec::new();
    for w in 1..=3 {
        class.push(ws.step().await["row"].clone());
        let map = ws.next("map").await;
        assert_eq!(map["week"], w);
        assert_eq!(map["backlog"].as_array().unwrap().len(), 4 * 4 * 6 * 4);
        let open: u64 = map["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap())
            .sum();
        let backlog = state["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["name"] == "backlog")
            .unwrap();
        assert_eq!(
            Some(open as f64),
            class.last().unwrap()[backlog].as_f64(),
            "the map counts the week's backlog"
        );
    }
    // The band comes after the baseline's own line; without class changes the baseline is the
    // class run itself, and it lies inside its band.
    let band = loop {
        let b = ws.next("baseline").await;
        if b["replications"] == cogov::serve::baseline::REPLICATIONS {
            break b;
        }
    };
    assert_eq!(band["seed"], 11);
    let rows = band["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 52, "the lesson's length");
    for (w, row) in class.iter().enumerate() {
        assert_eq!(&rows[w], row, "week {}", w + 1);
    }
    let (lo, hi) = (
        band["lo"].as_array().unwrap(),
        band["hi"].as_array().unwrap(),
    );
    let mut wider = 0;
    for w in 0..rows.len() {
        for c in 0..rows[w].as_array().unwrap().len() {
            let (l, x, h) = (lo[w][c].as_f64(), rows[w][c].as_f64(), hi[w][c].as_f64());
            if let (Some(l), Some(x), Some(h)) = (l, x, h) {
                assert!(l <= x && x <= h, "week {} column {c}: {l} {x} {h}", w + 1);
                wider += (h > l) as u32;
            }
        }
    }
    assert!(
        wider > 100,
        "other seeds give other runs: {wider} cells differ"
    );
    // A page that connects later gets the band in its snapshot.
    let mut late = s.socket().await;
    assert_eq!(
        late.next("state").await["baseline"]["replications"],
        band["replications"]
    );

    // Every lesson of the issue, with its question and two or three prompts, and a handout.
    let presets = s.get_json("/api/presets");
    let ids: Vec<&str> = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in [
        "lazy_governance_unconstrained",
        "whistle_and_report",
        "trust_trap_hysteresis",
        "incentive_formalism",
        "grassroots_empowerment",
        "fengqiao",
        "beijing_hotline",
        "qingdao_pilot",
        "burden_reduction",
        "territorial_offload",
    ] {
        let p = presets["presets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("no lesson {id} among {ids:?}"));
        let prompts = p["lesson"]["prompts_zh"].as_array().unwrap();
        assert!((2..=3).contains(&prompts.len()), "{id}");
        let handout = s.get_text(&format!("/handout/{id}"));
        for text in [
            &p["lesson"]["question_zh"],
            &p["lesson"]["watch_en"],
            &prompts[0],
        ] {
            let text = cogov::charts::report::esc(text.as_str().unwrap());
            assert!(handout.contains(&text), "{id}: {text}");
        }
    }
    let (status, body) = s.get("/handout/nonesuch");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("没有课例"));
}
