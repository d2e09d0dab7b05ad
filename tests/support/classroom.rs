//! A classroom server in this process and WebSocket clients for it, shared by `tests/room.rs`
//! and `benches/room.rs` (role play over the network, no browser).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// Starts `cogov serve` (localhost, a free port) on the current tokio runtime.
pub async fn start() -> SocketAddr {
    let server = cogov::serve::Server::bind(cogov::serve::Options {
        port: 0,
        lan: false,
        extra: None,
    })
    .await
    .expect("bind");
    let addr = server.addr;
    tokio::spawn(server.run());
    addr
}

pub struct Socket {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    /// A socket to `path` (`/ws` for the teacher, `/ws/play` for a student).
    pub async fn open(addr: SocketAddr, path: &str) -> Socket {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}{path}"))
            .await
            .expect("websocket handshake");
        Socket { ws }
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next message of type `kind` that `pred` accepts, skipping others; an error reply on
    /// the way fails the test.
    pub async fn next_where(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.next_any().await;
            if v["type"] == kind && pred(&v) {
                return v;
            }
            assert_ne!(
                v["type"], "error",
                "unexpected error while waiting for {kind}: {v}"
            );
        }
    }

    pub async fn next(&mut self, kind: &str) -> Value {
        self.next_where(kind, |_| true).await
    }

    pub async fn next_any(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .expect("a message within a minute")
                .expect("socket open")
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }

    /// The reply to `text`, which must be a bilingual error.
    pub async fn error_for(&mut self, text: &str) -> Value {
        self.send_text(text).await;
        let e = self.next_any().await;
        assert_eq!(e["type"], "error", "{text} → {e}");
        assert!(
            !e["en"].as_str().unwrap().is_empty() && !e["zh"].as_str().unwrap().is_empty(),
            "{e}"
        );
        e
    }
}

/// A student who has joined: their socket, token and public number.
pub struct Student {
    pub socket: Socket,
    pub token: String,
    pub id: u64,
}

impl Student {
    pub async fn join(addr: SocketAddr, name: &str, token: Option<&str>) -> Student {
        let mut socket = Socket::open(addr, "/ws/play").await;
        socket
            .send(json!({"cmd": "join", "name": name, "token": token}))
            .await;
        let w = socket.next("welcome").await;
        Student {
            socket,
            token: w["token"].as_str().unwrap().to_string(),
            id: w["student"].as_u64().unwrap(),
        }
    }

    /// The next view of the student's page.
    pub async fn view(&mut self) -> Value {
        self.socket.next("play").await
    }

    /// The next view for week `week` (the week about to be decided).
    pub async fn view_of_week(&mut self, week: u64) -> Value {
        self.socket.next_where("play", |v| v["week"] == week).await
    }
}
