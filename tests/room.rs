//! Role play (issue 14 §3) over HTTP and WebSocket without a browser: students join, take
//! organisations and choose for them; the teacher sees, broadcasts, assigns, advances and
//! debriefs; the exported class run is replayed byte for byte by `cogov run`; bad input,
//! floods and closed sockets get an error or are dropped and the class goes on. The model's
//! hook is checked directly too: a choice replaces the draw, observing changes nothing.

mod support;

use std::time::Duration;

use futures_util::SinkExt;

use cogov::games::kernel::Action;
use cogov::model::roles::{ActorId, Choice, RoleKind};
use cogov::model::Simulation;
use cogov::output::records::timeseries_row;
use cogov::scenario::Scenario;
use serde_json::{json, Value};
use support::classroom::{start, Socket, Student};

const BIN: &str = env!("CARGO_BIN_EXE_cogov");

/// `cogov run FILE --out OUT --no-charts` on `threads` threads (the default when `None`), which
/// must succeed.
fn cogov_run(file: &std::path::Path, out: &std::path::Path, threads: Option<&str>) {
    let mut cmd = std::process::Command::new(BIN);
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n);
    }
    let status = cmd
        .args(["run", "--no-charts", "--out"])
        .arg(out)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

async fn teacher_with_city(addr: std::net::SocketAddr, seed: u64) -> Socket {
    let mut t = Socket::open(addr, "/ws").await;
    t.send(json!({"cmd": "setup", "preset": "default", "seed": seed}))
        .await;
    t.next_where("state", |v| v["seed"] == seed).await;
    t
}

/// Claims `role` and waits for the view that shows it held.
async fn claim(s: &mut Student, role: &str) -> Value {
    s.socket.send(json!({"cmd": "claim", "role": role})).await;
    s.socket
        .next_where("play", |v| v["role"]["id"] == role)
        .await
}

async fn choose(s: &mut Student, action: &str) {
    s.socket
        .send(json!({"cmd": "choose", "action": action}))
        .await;
    s.socket.next_where("play", |v| v["chosen"] == action).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn students_play_roles_and_cogov_run_replays_the_class_byte_for_byte() {
    let addr = start().await;
    let mut teacher = teacher_with_city(addr, 11).await;
    let mut a = Student::join(addr, "张三", None).await;
    let first = a.view().await;
    let free = first["free"].as_array().unwrap();
    assert!(free.len() >= 60, "roles for a class of 60: {}", free.len());
    for kind in ["street", "department", "social_org", "enterprise"] {
        assert!(free.iter().any(|r| r["kind"] == kind), "no {kind} role");
    }
    assert!(free
        .iter()
        .all(|r| r["zh"].as_str().unwrap().contains('区')));
    let mut b = Student::join(addr, "Li", None).await;
    let mut c = Student::join(addr, "王五", None).await;
    let va = claim(&mut a, "d0/street/1").await;
    claim(&mut b, "d1/department/0").await;
    claim(&mut c, "d2/enterprise/0").await;
    // What the student sees comes from the model's appraisal: finite numbers in range.
    for t in va["tasks"].as_array().unwrap() {
        let p = t["p_detect"].as_f64().unwrap();
        assert!(
            (0.0..=1.0).contains(&p) && t["need"].as_f64().unwrap() >= 0.0,
            "{t}"
        );
    }
    // Four weeks: the street shirks, the department works, the enterprise is symbolic in
    // weeks 1-2 and the model decides for it afterwards.
    for week in 1..=4u64 {
        choose(&mut a, "shirk").await;
        choose(&mut b, "substantive").await;
        if week <= 2 {
            choose(&mut c, "symbolic").await;
        }
        teacher.send(json!({"cmd": "step"})).await;
        teacher.next_where("week", |v| v["week"] == week).await;
        let v = a.view_of_week(week + 1).await;
        let rec = v["record"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(rec["week"], week);
        assert_eq!(rec["chosen"], "shirk");
        // The choice replaced the model's on every task of that week.
        assert_eq!(
            (rec["substantive"].as_u64(), rec["symbolic"].as_u64()),
            (Some(0), Some(0)),
            "{rec}"
        );
        assert_eq!(v["chosen"], Value::Null, "a new week starts unchosen");
    }
    let v = c.view_of_week(5).await;
    let rec = v["record"].as_array().unwrap();
    assert_eq!(rec[0]["chosen"], "symbolic");
    assert_eq!(rec[3]["chosen"], Value::Null, "week 4 was the model's");

    teacher.send(json!({"cmd": "export"})).await;
    let export = teacher.next("export").await;
    let toml = export["toml"].as_str().unwrap();
    assert!(
        toml.contains("[[choices]]") && toml.contains("\"d0/street/1\" = \"shirk\""),
        "{toml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("class.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("out");
    cogov_run(&file, &out, None);
    let replayed = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert_eq!(
        replayed,
        export["csv"].as_str().unwrap(),
        "replay differs from the class run"
    );
    // And the manifest of that replay replays it again.
    let again = dir.path().join("again");
    cogov_run(&out.join("manifest.json"), &again, None);
    assert_eq!(
        std::fs::read_to_string(again.join("timeseries.csv")).unwrap(),
        replayed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teacher_sees_choices_broadcasts_assigns_and_can_let_the_week_advance_itself() {
    let addr = start().await;
    let mut teacher = teacher_with_city(addr, 3).await;
    let mut a = Student::join(addr, "A", None).await;
    let mut b = Student::join(addr, "B", None).await;
    claim(&mut a, "d0/street/0").await;
    teacher
        .send(json!({"cmd": "assign", "role": "d3/social_org/0", "student": b.id}))
        .await;
    b.socket
        .next_where("play", |v| v["role"]["id"] == "d3/social_org/0")
        .await;
    choose(&mut a, "substantive").await;
    teacher.send(json!({"cmd": "room"})).await;
    let room = teacher
        .next_where("room", |v| v["claimed"] == 2 && v["chosen"] == 1)
        .await;
    let names: Vec<&str> = room["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A", "B"]);
    teacher
        .send(json!({"cmd": "broadcast", "text": "请讨论：为什么要做实事？"}))
        .await;
    let v = b
        .socket
        .next_where("play", |v| v["message"] == "请讨论：为什么要做实事？")
        .await;
    assert_eq!(v["week"], 1);
    // With auto-advance on, the week runs when the last claimed role has chosen.
    teacher
        .send(json!({"cmd": "auto_advance", "on": true}))
        .await;
    choose(&mut b, "shirk").await;
    teacher.next_where("week", |v| v["week"] == 1).await;
    b.view_of_week(2).await;
    // Freeing a role gives the organisation back to the model.
    teacher
        .send(json!({"cmd": "assign", "role": "d3/social_org/0", "student": null}))
        .await;
    let v = b.socket.next_where("play", |v| v["role"].is_null()).await;
    assert!(v["free"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "d3/social_org/0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_who_reconnects_keeps_the_role_and_a_closed_socket_loses_no_choice() {
    let addr = start().await;
    let mut teacher = teacher_with_city(addr, 5).await;
    let mut a = Student::join(addr, "A", None).await;
    claim(&mut a, "d1/street/2").await;
    choose(&mut a, "symbolic").await;
    let token = a.token.clone();
    drop(a); // the socket closes mid-week
    teacher
        .next_where("room", |v| v["students"][0]["online"] == false)
        .await;
    teacher.send(json!({"cmd": "step"})).await;
    teacher.next_where("week", |v| v["week"] == 1).await;
    let mut back = Student::join(addr, "A", Some(&token)).await;
    assert_eq!(back.token, token);
    let v = back.view().await;
    assert_eq!(v["role"]["id"], "d1/street/2");
    assert_eq!(v["record"][0]["chosen"], "symbolic", "{v}");
    // Another browser cannot take the role.
    let mut other = Student::join(addr, "B", None).await;
    other.view().await;
    other
        .socket
        .error_for(&json!({"cmd": "claim", "role": "d1/street/2"}).to_string())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_unknown_roles_and_floods_get_errors_and_the_class_goes_on() {
    let addr = start().await;
    let mut teacher = teacher_with_city(addr, 9).await;
    let mut anon = Socket::open(addr, "/ws/play").await;
    anon.error_for("{\"cmd\": \"choose\", \"action\": \"shirk\"}")
        .await; // before joining
    let mut s = Student::join(addr, "A", None).await;
    s.view().await;
    for bad in [
        "not json",
        "[1,2]",
        "{\"cmd\": \"reset\"}",
        "{\"cmd\": \"claim\", \"role\": \"d99/street/0\"}",
        "{\"cmd\": \"claim\", \"role\": \"mayor\"}",
        "{\"cmd\": \"choose\", \"action\": \"shirk\"}", // no role yet
        "{\"cmd\": \"join\", \"name\": \"\"}",
        "{\"cmd\": \"choose\", \"action\": \"nap\"}",
    ] {
        s.socket.error_for(bad).await;
    }
    s.socket
        .ws
        .send(tokio_tungstenite::tungstenite::Message::Binary(
            vec![0u8, 1, 2].into(),
        ))
        .await
        .map_err(|e| e.to_string())
        .unwrap();
    assert_eq!(s.socket.next_any().await["type"], "error");
    for bad in [
        "{\"cmd\": \"assign\", \"role\": \"d0/street/0\", \"student\": 999}",
        "{\"cmd\": \"assign\", \"role\": \"nowhere\", \"student\": 1}",
        "{\"cmd\": \"broadcast\"}",
        "{\"cmd\": \"auto_advance\", \"on\": \"yes\"}",
    ] {
        // The teacher's socket also carries the room's news; the error comes among it.
        teacher.send_text(bad).await;
        let e = teacher.next("error").await;
        assert!(!e["en"].as_str().unwrap().is_empty() && !e["zh"].as_str().unwrap().is_empty());
    }
    // A flood: 300 messages at once; at most 20 a second are answered, then one error, the
    // rest dropped.
    for _ in 0..300 {
        s.socket.send_text("{\"cmd\": \"release\"}").await;
    }
    let mut errors = 0;
    let mut views = 0;
    while let Ok(Some(Ok(m))) = tokio::time::timeout(
        Duration::from_millis(1500),
        futures_util::StreamExt::next(&mut s.socket.ws),
    )
    .await
    {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = m {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            match v["type"].as_str() {
                Some("error") => errors += 1,
                Some("play") => views += 1,
                _ => {}
            }
        }
    }
    assert!((1..=3).contains(&errors), "{errors} flood errors");
    assert!(views <= 3 * 20 + 3, "{views} views answered of a flood");
    // A message far over the size limit closes that socket only.
    let mut big = Student::join(addr, "B", None).await;
    big.socket.send_text(&"x".repeat(10_000)).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match futures_util::StreamExt::next(&mut big.socket.ws).await {
                None | Some(Err(_)) => break true,
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => break true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(closed, "an oversized message did not close its socket");
    // The class goes on: the flooded student still plays, the teacher still steps.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    claim(&mut s, "d0/street/0").await;
    choose(&mut s, "shirk").await;
    teacher.send(json!({"cmd": "step"})).await;
    teacher.next_where("week", |v| v["week"] == 1).await;
    s.view_of_week(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debrief_sets_the_class_city_beside_the_model_only_city() {
    let addr = start().await;
    let mut teacher = teacher_with_city(addr, 21).await;
    teacher.send(json!({"cmd": "debrief"})).await;
    teacher.next("error").await; // nothing run yet
    let mut students = Vec::new();
    for (i, role) in ["d0/street/0", "d0/street/1", "d0/street/2", "d0/street/3"]
        .iter()
        .enumerate()
    {
        let mut s = Student::join(addr, &format!("S{i}"), None).await;
        claim(&mut s, role).await;
        students.push(s);
    }
    for week in 1..=6u64 {
        for s in &mut students {
            choose(s, "shirk").await;
        }
        teacher.send(json!({"cmd": "step"})).await;
        teacher.next_where("week", |v| v["week"] == week).await;
    }
    teacher.send(json!({"cmd": "debrief"})).await;
    let d = teacher.next("debrief").await;
    assert_eq!(d["weeks"], 6);
    let outcomes = d["outcomes"].as_array().unwrap();
    assert!(outcomes.len() >= 6);
    let mut differs = false;
    for o in outcomes {
        for side in ["class", "model"] {
            assert!(o[side]["mean"].as_f64().unwrap().is_finite(), "{o}");
        }
        assert!(!o["zh"].as_str().unwrap().is_empty());
        differs |= o["class"]["mean"] != o["model"]["mean"];
    }
    assert!(
        differs,
        "every street of district 1 shirking for six weeks changed nothing: {d}"
    );
    let roles = d["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 4);
    for r in roles {
        assert_eq!(r["weeks"].as_array().unwrap().len(), 6);
        assert!(r["student"].as_str().unwrap().starts_with('S'));
        assert!(r["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["chosen"] == "shirk"));
    }
}

/// The model's hook directly: a person's choice replaces the draw on every task of that week
/// (and only that week); observing an organisation records its tasks and changes nothing.
#[test]
fn a_choice_replaces_the_draw_and_observing_changes_nothing() {
    let sc = Scenario {
        seed: 4,
        ticks: 6,
        ..Scenario::default()
    };
    let plain = cogov::run::simulate(&sc, |_, _| {});
    let mut sim = Simulation::new(sc.params.clone(), sc.seed, Vec::new());
    let street = sim
        .world
        .org_of(ActorId {
            district: 0,
            kind: RoleKind::Street,
            n: 0,
        })
        .unwrap();
    sim.observed = vec![street];
    let mut watched = Vec::new();
    for _ in 0..3 {
        watched.push(sim.step());
    }
    for (w, p) in watched.iter().zip(&plain.series) {
        assert_eq!(
            timeseries_row(w),
            timeseries_row(p),
            "observing changed week {}",
            w.tick
        );
    }
    let tasks: usize = watched.iter().map(|w| w.role_tasks.len()).sum();
    assert!(tasks > 0, "a street block had no task in three weeks");
    assert!(watched
        .iter()
        .flat_map(|w| &w.role_tasks)
        .all(|t| t.org == street && !t.chosen));
    // Week 4 chosen: every task of the street is shirked; week 5 is the model's again.
    sim.choices.push(Choice {
        tick: 4,
        org: street,
        action: Action::Shirk,
    });
    let w4 = sim.step();
    assert!(!w4.role_tasks.is_empty());
    assert!(w4
        .role_tasks
        .iter()
        .all(|t| t.action == Action::Shirk && t.chosen));
    let w5 = sim.step();
    assert!(w5.role_tasks.iter().all(|t| !t.chosen));
}

/// The students' page and the teacher's panel are served and embedded, offline (no CDN); that
/// every character they can show in Chinese is in the embedded font is checked in
/// tests/serve.rs with the teacher's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_play_page_and_the_room_panel_are_embedded_offline() {
    use std::io::{Read, Write};
    let addr = start().await;
    let get = move |path: &'static str| {
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
            let mut raw = String::new();
            s.read_to_string(&mut raw).unwrap();
            assert!(
                raw.starts_with("HTTP/1.0 200") || raw.starts_with("HTTP/1.1 200"),
                "{path}: {raw}"
            );
            raw
        })
        .join()
        .unwrap()
    };
    let index = get("/");
    assert!(
        index.contains("\"room.js\""),
        "the teacher's page loads the panel"
    );
    let play = get("/play");
    assert!(play.contains("<html lang=\"zh\">") && play.contains("\"play.js\""));
    let shown = play + &get("/play.js") + &get("/room.js");
    assert!(
        !shown.contains("http://") && !shown.contains("https://"),
        "no CDN"
    );
    // Their characters and terms are checked with the teacher's page, in
    // tests/serve.rs (`the_page_uses_only_characters_the_font_has_and_the_agreed_terms`).
}

/// A class run replays the same on one thread and on two (choices are applied inside the
/// parallel decisions of the city phase too).
#[test]
fn a_run_with_choices_is_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("class.toml");
    std::fs::write(
        &file,
        "[scenario]\nseed = 8\nticks = 12\n\n[[choices]]\ntick = 2\nactors = { \"d0/street/0\" = \"shirk\", \"d1/department/3\" = \"symbolic\", \"d2/social_org/1\" = \"substantive\" }\n\n[[choices]]\ntick = 7\nactors = { \"d0/street/0\" = \"substantive\", \"d3/enterprise/2\" = \"shirk\" }\n",
    )
    .unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        cogov_run(&file, &out, Some(threads));
        outputs.push(std::fs::read(out.join("timeseries.csv")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}
