//! Role play under load (issue 14 §4): 60 simulated students on one `cogov serve`, each a
//! WebSocket client playing one organisation of the default city, with auto-advance on. One
//! iteration is a week's round trip: every student chooses → the last choice advances the
//! week (the week itself, its record and next week's preview of every role) → every student
//! has received the new week's view. Target: under 200 ms on 2 cores. The server runs in this
//! process on a two-thread tokio runtime, as `cogov serve` does.

#[path = "../tests/support/classroom.rs"]
mod classroom;

use std::time::Duration;

use classroom::{start, Socket, Student};
use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::StreamExt;
use serde_json::json;

const STUDENTS: usize = 60;

fn week_round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut students = rt.block_on(async {
        let addr = start().await;
        let mut teacher = Socket::open(addr, "/ws").await;
        teacher
            .send(json!({"cmd": "setup", "preset": "default", "seed": 1}))
            .await;
        teacher.next_where("state", |v| v["seed"] == 1).await;
        let mut students = Vec::new();
        for i in 0..STUDENTS {
            students.push(Student::join(addr, &format!("学生{i}"), None).await);
        }
        let free = students[0].view().await["free"].as_array().unwrap().clone();
        assert!(free.len() >= STUDENTS, "{} roles", free.len());
        for (s, role) in students.iter_mut().zip(&free) {
            s.socket
                .send(json!({"cmd": "claim", "role": role["id"]}))
                .await;
            s.socket
                .next_where("play", |v| v["role"]["id"] == role["id"])
                .await;
        }
        teacher
            .send(json!({"cmd": "auto_advance", "on": true}))
            .await;
        // The teacher's page reads every week's row as it comes; so does this one.
        tokio::spawn(async move { while teacher.ws.next().await.is_some() {} });
        students
    });
    let mut week = 1u64;
    let mut group = c.benchmark_group("room");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("week_round_trip_60_students", |b| {
        b.iter(|| {
            rt.block_on(async {
                for (i, s) in students.iter_mut().enumerate() {
                    let action = ["substantive", "symbolic", "shirk"][(i + week as usize) % 3];
                    s.socket
                        .send(json!({"cmd": "choose", "action": action}))
                        .await;
                }
                for s in students.iter_mut() {
                    s.view_of_week(week + 1).await;
                }
            });
            week += 1;
        })
    });
    group.finish();
}

criterion_group!(benches, week_round_trip);
criterion_main!(benches);
