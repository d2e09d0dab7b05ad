//! The teacher's screen in a real browser: headless Chromium (Debian's `chromium`, or the
//! binary named by `COGOV_CHROMIUM`), driven over the Chrome DevTools protocol on its
//! WebSocket. It loads the page from `cogov serve`, builds a city, steps it, moves a slider and
//! sees the chart change, sees the map and the baseline band drawn, and checks that the Chinese
//! text is rendered with the embedded font while the browser can see no Chinese font of its
//! own. Skipped (with a message) only where Chromium is not installed; under CI (`CI` set) a
//! missing Chromium fails, since `.ci/run` installs it. `COGOV_SCREENSHOT=path.png` keeps a
//! screenshot of the screen (the README's picture is taken so).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::Served;

#[path = "../common/chromium.rs"]
mod chromium_path;
use chromium_path::chromium;

/// Headless Chromium on `url`, killed when dropped; `debugger` is its DevTools address.
struct Browser {
    child: Child,
    debugger: String,
}

impl Browser {
    fn start(bin: &Path, url: &str, scratch: &Path) -> Browser {
        // Only a Latin font is visible to the browser, as on a classroom PC with no Chinese
        // font: Chinese can then render only through the page's embedded font.
        let fonts = scratch.join("fonts");
        std::fs::create_dir_all(&fonts).unwrap();
        let dejavu = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if dejavu.exists() {
            std::fs::copy(dejavu, fonts.join("DejaVuSans.ttf")).unwrap();
        }
        let conf = chromium_path::fontconfig(&fonts, scratch);
        let mut child = Command::new(bin)
            .env("FONTCONFIG_FILE", &conf)
            .env("HOME", scratch)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--window-size=1400,1000",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", scratch.join("profile").display()),
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut said = String::new();
        let debugger = loop {
            let mut line = String::new();
            if err.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("chromium exited without a DevTools address; it said:\n{said}");
            }
            if let Some(rest) = line.trim().strip_prefix("DevTools listening on ws://") {
                break rest.split('/').next().unwrap().to_string();
            }
            said.push_str(&line);
        };
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut err, &mut std::io::sink());
        });
        Browser { child, debugger }
    }

    /// The DevTools WebSocket of the page the browser opened.
    fn page_socket(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut s = TcpStream::connect(&self.debugger).unwrap();
            write!(
                s,
                "GET /json/list HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.debugger
            )
            .unwrap();
            // Chromium keeps the connection open: read the header, then Content-Length bytes.
            let mut r = BufReader::new(s);
            let mut length = 0;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap();
                    }
                }
                if line.trim().is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            r.read_exact(&mut body).unwrap();
            let targets: Value = serde_json::from_slice(&body).unwrap();
            if let Some(url) = targets
                .as_array()
                .unwrap()
                .iter()
                .find(|t| {
                    t["type"] == "page" && t["url"].as_str().unwrap_or("").starts_with("http")
                })
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            {
                return url.to_string();
            }
            assert!(Instant::now() < deadline, "no page target: {targets}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One DevTools session on a page.
struct Cdp {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    id: u64,
}

impl Cdp {
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let msg = json!({"id": self.id, "method": method, "params": params});
        self.ws
            .send(Message::Text(msg.to_string().into()))
            .await
            .unwrap();
        loop {
            let m = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{method}: no answer within a minute"))
                .expect("devtools socket open")
                .unwrap();
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == self.id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression (promises awaited).
    async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true.
    async fn wait_for(&mut self, expr: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while self.eval(expr).await != json!(true) {
            assert!(Instant::now() < deadline, "waited 90 s for {what} ({expr})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&mut self, id: &str) {
        self.eval(&format!("document.getElementById('{id}').click()"))
            .await;
    }

    async fn step_to(&mut self, week: u32) {
        self.click("step").await;
        self.wait_for(
            &format!("document.getElementById('week').textContent === '{week}'"),
            &format!("week {week}"),
        )
        .await;
    }
}

/// The PNG data URL of the `k`-th chart's canvas.
fn chart_png(k: usize) -> String {
    format!("document.querySelectorAll('#charts .uplot canvas')[{k}].toDataURL()")
}

#[tokio::test]
async fn the_teachers_screen_in_headless_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium (.ci/run installs Debian's chromium)"
        );
        eprintln!(
            "skipped: no Chromium here (apt-get install chromium, or set COGOV_CHROMIUM) — \
             the teacher's screen was not opened in a browser"
        );
        return;
    };
    let served = Served::start(&[]);
    let scratch = tempfile::tempdir().unwrap();
    let browser = Browser::start(&bin, &format!("http://{}/", served.addr), scratch.path());
    let (ws, _) = tokio_tungstenite::connect_async(browser.page_socket())
        .await
        .expect("devtools handshake");
    let mut page = Cdp { ws, id: 0 };

    page.wait_for(
        "document.querySelectorAll('#levers input').length > 20 && document.getElementById('conn').textContent !== ''",
        "the levers and the connection",
    )
    .await;
    // Chinese by default.
    assert_eq!(
        page.eval("document.querySelector('header h1').textContent")
            .await,
        "cogov 课堂：市域社会治理协同共治仿真"
    );
    page.eval("document.getElementById('preset').value = 'whistle_and_report'; document.getElementById('preset').dispatchEvent(new Event('change'))").await;
    assert!(page
        .eval("document.getElementById('lesson-question').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("吹哨"));
    page.click("setup").await;
    page.wait_for(
        "document.getElementById('week').textContent === '0'",
        "the city",
    )
    .await;
    for w in 1..=4 {
        page.step_to(w).await;
    }
    // The baseline and its band are drawn before the slider moves, so the only change the
    // charts see afterwards is the class's.
    page.wait_for(
        "document.getElementById('baseline-note').textContent.includes('阴影')",
        "the baseline band",
    )
    .await;
    page.eval("new Promise((r) => requestAnimationFrame(() => r(true)))")
        .await;
    let before = page.eval(&chart_png(2)).await;
    assert_eq!(before, page.eval(&chart_png(2)).await, "a still chart");

    // Move the incentive-compatibility slider to its top, as a hand would.
    let key = "motivation.incentive_compatibility";
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('#levers input[data-key=\"{key}\"]'); s.value = s.max; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return true; }})()"
    ))
    .await;
    page.wait_for(
        "document.getElementById('changes').textContent.includes('激励相容度κ = 1')",
        "the recorded class change, named in Chinese",
    )
    .await;
    page.step_to(5).await;
    page.step_to(6).await;
    page.eval("new Promise((r) => requestAnimationFrame(() => r(true)))")
        .await;
    let after = page.eval(&chart_png(2)).await;
    assert_ne!(
        before, after,
        "the actions chart changes (a marker at week 5, two more weeks)"
    );

    // The map: drawn, coloured, with its level named.
    let inked = page
        .eval(
            "(() => { const c = document.getElementById('map'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++; return n / (d.length / 4); })()",
        )
        .await
        .as_f64()
        .unwrap();
    assert!(inked > 0.3, "the map is coloured: {inked}");
    assert!(page
        .eval("document.getElementById('map-note').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("网格"));

    // The PNG export: every chart and the map, one above the other, with titles and legends.
    let png = page
        .eval("(() => { const c = chartsCanvas(); return [c.width, c.height, c.toDataURL('image/png').length]; })()")
        .await;
    let heights: f64 = page
        .eval("[...document.querySelectorAll('#charts .uplot canvas, #map')].reduce((h, c) => h + c.height, 0)")
        .await
        .as_f64()
        .unwrap();
    assert!(
        png[1].as_f64().unwrap() > heights && png[2].as_u64().unwrap() > 50_000,
        "the exported picture holds the charts and the map ({heights} px high): {png}"
    );

    // The Chinese text is drawn with the embedded font: it has loaded, and the title's glyphs
    // come from it (the browser has no other font with Chinese in it).
    assert_eq!(
        page.eval("document.fonts.ready.then(() => [...document.fonts].some((f) => f.family.replace(/\"/g, '') === 'Cogov Sans SC' && f.status === 'loaded'))").await,
        true,
        "the embedded font loaded"
    );
    page.call("DOM.enable", json!({})).await;
    page.call("CSS.enable", json!({})).await;
    let root = page.call("DOM.getDocument", json!({})).await["root"]["nodeId"].clone();
    // The title, a lever's name, a chart title, a chart legend (uPlot's own style) and the map's
    // note: every Chinese character in them is drawn from the embedded font.
    for selector in [
        "header h1",
        "#levers b",
        ".chart h2",
        ".u-legend .u-series:nth-child(2) .u-label",
        "#map-note",
    ] {
        let node = page
            .call(
                "DOM.querySelector",
                json!({"nodeId": root, "selector": selector}),
            )
            .await["nodeId"]
            .clone();
        let text = page
            .eval(&format!("document.querySelector('{selector}').textContent"))
            .await;
        let chinese = text
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count() as u64;
        assert!(chinese > 0, "{selector}: {text}");
        let fonts = page
            .call("CSS.getPlatformFontsForNode", json!({"nodeId": node}))
            .await;
        let used = fonts["fonts"].as_array().unwrap();
        assert!(
            used.iter().any(|f| f["isCustomFont"] == true
                && f["familyName"].as_str().unwrap_or("").contains("Cogov")
                && f["glyphCount"].as_u64().unwrap_or(0) >= chinese),
            "{selector} ({text}): its Chinese is set in the embedded font, but the fonts used were {used:?}"
        );
    }

    if let Some(path) = std::env::var_os("COGOV_SCREENSHOT") {
        // The README's picture: a few more weeks, the whole screen at three quarters size.
        for w in 7..=16 {
            page.step_to(w).await;
        }
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1720, "height": 1480, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        page.eval("new Promise((r) => setTimeout(() => r(true), 300))")
            .await;
        let shot = page
            .call(
                "Page.captureScreenshot",
                json!({"format": "png", "clip": {"x": 0, "y": 0, "width": 1720, "height": 1480, "scale": 0.62}}),
            )
            .await;
        std::fs::write(path, base64_decode(shot["data"].as_str().unwrap())).unwrap();
        page.call("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
    }

    // Projector mode enlarges the type.
    let size = "parseFloat(getComputedStyle(document.querySelector('aside')).fontSize)";
    let small = page.eval(size).await.as_f64().unwrap();
    page.click("projector").await;
    let large = page.eval(size).await.as_f64().unwrap();
    assert!(large >= 1.4 * small, "{small} → {large}");
    drop(browser);
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|q| {
            let n = q
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, d)| n | (*d as u32) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(q.len() - 1)
        })
        .collect()
}
