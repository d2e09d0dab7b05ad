// cogov classroom page: the teacher's screen. Talks to `cogov serve` over one WebSocket
// (commands out, weekly rows in) and two JSON endpoints (lessons, levers). Every word is in
// T below in both languages; lever and column meanings come from the server's tables.
"use strict";

const T = {
  title: ["cogov 课堂：市域社会治理协同共治仿真", "cogov classroom: collaborative governance simulation"],
  lang: ["English", "中文"],
  lesson: ["课例", "Lesson"],
  seed: ["随机种子", "Seed"],
  setup: ["建立城市", "Setup"],
  reset: ["重置", "Reset"],
  go: ["运行", "Go"],
  pause: ["暂停", "Pause"],
  step: ["单步（一周）", "Step (one week)"],
  speed: ["速度", "Speed"],
  week: ["当前周次", "Week"],
  of: ["课例时长", "lesson length"],
  weeks: ["周", "weeks"],
  levers: ["政策举措", "Levers"],
  export: ["导出", "Export"],
  export_toml: ["情景文件（TOML，可用 cogov run 复现）", "Scenario (TOML, reproduced by cogov run)"],
  export_csv: ["图表数据（CSV）", "Chart data (CSV)"],
  changes: ["已记录的调整", "Recorded changes"],
  connected: ["已连接", "connected"],
  reconnecting: ["连接中断，正在重连…", "connection lost, reconnecting…"],
  no_city: ["请选择课例并点击“建立城市”。", "Choose a lesson and press Setup."],
  chart_flow: ["事项流量：新发、解决、积压", "Issue flow: arrivals, resolved, backlog"],
  chart_fengqiao: ["“枫桥经验”三项指标", "The Fengqiao indicators"],
  chart_actions: ["行为选择：块与条的实质履职、形式应付、消极不作为", "Actions of blocks and departments: substantive, symbolic, shirking"],
  chart_trust: ["信任与满意度", "Trust and satisfaction"],
  week_axis: ["周", "week"],
  preset_change: ["课例预设", "lesson preset"],
  class_change: ["课堂调整", "class change"],
  from_week: ["第{w}周起", "from week {w}"],
  on: ["开", "on"],
  off: ["关", "off"],
};

const CHARTS = [
  { id: "flow", title: "chart_flow", columns: ["arrived", "resolved", "backlog"] },
  { id: "fengqiao", title: "chart_fengqiao", columns: ["fengqiao_village", "fengqiao_town", "fengqiao_no_upward"], range: [0, 1] },
  {
    id: "actions", title: "chart_actions", range: [0, 1],
    columns: ["substantive_share_block", "symbolic_share_block", "shirk_share_block",
      "substantive_share_department", "symbolic_share_department", "shirk_share_department"],
  },
  { id: "trust", title: "chart_trust", columns: ["org_trust", "resident_trust", "satisfaction"], range: [0, 1] },
];
// Okabe–Ito, as the static charts use.
const COLOURS = ["#0072B2", "#009E73", "#D55E00", "#56B4E9", "#E69F00", "#CC79A7"];
const DELAYS = [1000, 500, 200, 50, 0];

const room = new URLSearchParams(location.search).get("room");
const roomQuery = room ? "?room=" + encodeURIComponent(room) : "";
let lang = localStorage.getItem("cogov-lang") === "en" ? 1 : 0;
let presets = [], sections = [], columns = [], rows = [], marks = [], levers = {};
let charts = [], ws = null, errorTimer = null;

const $ = (id) => document.getElementById(id);
const t = (key) => T[key][lang];
const pick = (o, field) => o[field + (lang ? "_en" : "_zh")] || o[field + "_en"] || "";

function showError(e) {
  const box = $("error");
  box.textContent = lang ? e.en : e.zh;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, 8000);
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function renderTexts() {
  document.documentElement.lang = lang ? "en" : "zh";
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  $("lang").textContent = t("lang");
  renderPresets();
  renderLevers();
  renderChanges();
  buildCharts();
}

function renderPresets() {
  const sel = $("preset");
  const chosen = sel.value;
  sel.innerHTML = "";
  for (const p of presets) {
    const o = document.createElement("option");
    o.value = p.id;
    o.textContent = pick(p, "title") || p.id;
    sel.appendChild(o);
  }
  if (chosen) sel.value = chosen;
  showQuestion();
}

function showQuestion() {
  const p = presets.find((q) => q.id === $("preset").value);
  $("question").textContent = p ? pick(p, "description") : "";
  if (p && !$("seed").dataset.touched) $("seed").value = p.seed;
}

function renderLevers() {
  const box = $("levers");
  box.innerHTML = "";
  for (const s of sections) {
    const h = document.createElement("h3");
    h.textContent = lang ? s.en : s.zh;
    box.appendChild(h);
    for (const l of s.levers) {
      const div = document.createElement("div");
      div.className = "lever";
      const label = document.createElement("label");
      const value = levers[l.key] !== undefined ? levers[l.key] : l.default;
      const input = document.createElement("input");
      const shown = document.createElement("span");
      shown.className = "value";
      if (l.kind === "bool") {
        input.type = "checkbox";
        input.checked = !!value;
        shown.textContent = value ? t("on") : t("off");
        input.addEventListener("change", () => send({ cmd: "set", key: l.key, value: input.checked }));
      } else {
        input.type = "range";
        input.min = l.min;
        input.max = l.max;
        input.step = l.kind === "int" ? 1 : (l.max - l.min) / 100;
        input.value = value;
        shown.textContent = Number(value).toFixed(2);
        input.addEventListener("input", () => { shown.textContent = Number(input.value).toFixed(2); });
        input.addEventListener("change", () => send({ cmd: "set", key: l.key, value: Number(input.value) }));
      }
      input.dataset.key = l.key;
      label.appendChild(input);
      label.appendChild(shown);
      const name = document.createElement("b");
      name.textContent = lang ? l.name_en : l.name_zh;
      const meaning = document.createElement("div");
      meaning.className = "meaning";
      meaning.textContent = (lang ? l.en : l.zh) + " (" + l.key + ")";
      div.appendChild(name);
      div.appendChild(label);
      div.appendChild(meaning);
      box.appendChild(div);
    }
  }
}

function updateLeverValues(values) {
  levers = values || {};
  document.querySelectorAll("#levers input").forEach((input) => {
    const v = levers[input.dataset.key];
    if (v === undefined) return;
    const shown = input.nextSibling;
    if (input.type === "checkbox") {
      input.checked = !!v;
      shown.textContent = v ? t("on") : t("off");
    } else if (document.activeElement !== input) {
      input.value = v;
      shown.textContent = Number(v).toFixed(2);
    }
  });
}

function renderChanges() {
  const ol = $("changes");
  ol.innerHTML = "";
  for (const m of marks) {
    const li = document.createElement("li");
    const what = Object.entries(m.set).map(([k, v]) => leverName(k) + " = " + v).join(", ");
    li.textContent = t("from_week").replace("{w}", m.tick) + " · " + (m.class ? t("class_change") : t("preset_change")) + ": " + what;
    ol.appendChild(li);
  }
}

function leverName(key) {
  for (const s of sections) {
    const l = s.levers.find((l) => l.key === key);
    if (l) return lang ? l.name_en : l.name_zh;
  }
  return key;
}

// Vertical dashed lines at the weeks interventions take effect.
function markerPlugin() {
  return {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([5, 4]);
        ctx.lineWidth = 1.5;
        for (const m of marks) {
          const x = u.valToPos(m.tick, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.class ? "#D55E00" : "#777";
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
}

function columnLabel(name) {
  const c = columns.find((c) => c.name === name);
  return c ? (lang ? c.en : c.zh) : name;
}

function chartData(def) {
  const ix = (name) => columns.findIndex((c) => c.name === name);
  const tick = ix("tick");
  const data = [rows.map((r) => r[tick])];
  for (const name of def.columns) {
    const i = ix(name);
    data.push(rows.map((r) => r[i]));
  }
  return data;
}

function buildCharts() {
  const box = $("charts");
  box.innerHTML = "";
  charts = [];
  if (!columns.length) return;
  for (const def of CHARTS) {
    const div = document.createElement("div");
    div.className = "chart";
    const h = document.createElement("h2");
    h.textContent = t(def.title);
    div.appendChild(h);
    box.appendChild(div);
    const series = [{ label: t("week_axis") }].concat(def.columns.map((name, i) => ({
      label: columnLabel(name),
      stroke: COLOURS[i % COLOURS.length],
      width: 2,
      dash: def.id === "actions" && i >= 3 ? [6, 3] : undefined,
    })));
    const opts = {
      width: 520, height: 280,
      scales: { x: { time: false }, y: def.range ? { range: def.range } : {} },
      axes: [{ label: t("week_axis") }, {}],
      series,
      plugins: [markerPlugin()],
    };
    charts.push({ def, plot: new uPlot(opts, chartData(def), div) });
  }
}

function redrawCharts() {
  for (const c of charts) c.plot.setData(chartData(c.def));
}

function setWeek(week, length) {
  $("week").textContent = week;
  if (length !== undefined) $("length").textContent = "/ " + t("of") + " " + length + " " + t("weeks");
}

function onMessage(msg) {
  switch (msg.type) {
    case "state":
      columns = msg.columns || [];
      rows = msg.rows || [];
      marks = msg.interventions || [];
      if (msg.preset) {
        $("preset").value = msg.preset;
        showQuestion();
      }
      if (msg.seed !== undefined) $("seed").value = msg.seed;
      $("speed").value = Math.max(0, DELAYS.indexOf(msg.delay_ms));
      setWeek(msg.week !== undefined ? msg.week : "–", msg.length);
      if (msg.week === undefined) $("length").textContent = t("no_city");
      levers = msg.levers || {};
      renderLevers();
      renderChanges();
      buildCharts();
      break;
    case "week":
      if (msg.week === rows.length + 1) {
        rows.push(msg.row);
        redrawCharts();
      } else if (msg.week > rows.length + 1) {
        send({ cmd: "snapshot" });
      }
      setWeek(msg.week);
      updateLeverValues(msg.levers);
      break;
    case "interventions":
      marks = msg.interventions;
      renderChanges();
      updateLeverValues(msg.levers);
      redrawCharts();
      break;
    case "status":
      setWeek(msg.week);
      break;
    case "export":
      download(msg.name + ".toml", msg.toml, "application/toml");
      break;
    case "error":
      showError(msg);
      break;
  }
}

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(proto + "://" + location.host + "/ws" + roomQuery);
  ws.onopen = () => { $("conn").textContent = t("connected"); };
  ws.onmessage = (ev) => {
    try { onMessage(JSON.parse(ev.data)); } catch (e) { console.error(e); }
  };
  ws.onclose = () => {
    $("conn").textContent = t("reconnecting");
    setTimeout(connect, 1000);
  };
}

// Fetched rather than navigated to, so that an error shows on the page instead of replacing it.
async function exportCsv() {
  const r = await fetch("api/export/timeseries.csv" + roomQuery);
  if (!r.ok) {
    showError(await r.json());
    return;
  }
  const name = (presets.find((p) => p.id === $("preset").value) || { id: "cogov" }).id;
  download(name + "-timeseries.csv", await r.text(), "text/csv");
}

async function getJson(path) {
  const r = await fetch(path + roomQuery);
  const body = await r.json();
  if (!r.ok) throw body;
  return body;
}

async function start() {
  $("lang").addEventListener("click", () => {
    lang = 1 - lang;
    localStorage.setItem("cogov-lang", lang ? "en" : "zh");
    renderTexts();
  });
  $("preset").addEventListener("change", () => { delete $("seed").dataset.touched; showQuestion(); });
  $("seed").addEventListener("input", () => { $("seed").dataset.touched = "1"; });
  $("setup").addEventListener("click", () => {
    const seed = parseInt($("seed").value, 10);
    send(Number.isFinite(seed) && seed >= 0 ? { cmd: "setup", preset: $("preset").value, seed } : { cmd: "setup", preset: $("preset").value });
  });
  $("reset").addEventListener("click", () => send({ cmd: "reset" }));
  $("go").addEventListener("click", () => send({ cmd: "go" }));
  $("pause").addEventListener("click", () => send({ cmd: "pause" }));
  $("step").addEventListener("click", () => send({ cmd: "step" }));
  $("speed").addEventListener("change", () => send({ cmd: "speed", delay_ms: DELAYS[Number($("speed").value)] }));
  $("export-toml").addEventListener("click", () => send({ cmd: "export" }));
  $("export-csv").addEventListener("click", exportCsv);
  try {
    presets = (await getJson("api/presets")).presets;
    sections = (await getJson("api/levers")).sections;
  } catch (e) {
    showError(e && e.en ? e : { en: String(e), zh: String(e) });
  }
  renderTexts();
  connect();
}

start();
