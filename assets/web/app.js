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
  projector: ["投影模式", "Projector mode"],
  lesson_notes: ["问题、观察要点与讨论题", "Question, what to watch, discussion"],
  question: ["问题：", "Question:"],
  watch: ["观察什么：", "What to watch:"],
  prompts: ["讨论：", "Discussion:"],
  handout: ["打印讲义", "Print the handout"],
  compare: ["与基线对比", "Compare with the baseline"],
  baseline_wait: ["基线（同一随机种子、不含课堂调整）计算中…", "Computing the baseline (same seed, without the class's changes)…"],
  baseline_line: ["虚线：基线（同一随机种子、不含课堂调整）；重复运行计算中…", "Dashed: the baseline (same seed, without the class's changes); replications being computed…"],
  baseline_band: ["虚线：基线（同一随机种子、不含课堂调整）；阴影：基线与另外{n}个随机种子的取值范围", "Dashed: the baseline (same seed, without the class's changes); shaded: its range with {n} other seeds"],
  export_png: ["图表（PNG）", "Charts (PNG)"],
  chart_map: ["城市地图", "City map"],
  map_by: ["着色", "Colour by"],
  map_backlog: ["未结事项（件/千人）", "Open issues per 1,000 residents"],
  map_trust: ["居民对政府的信任", "Residents' trust in government"],
  map_level: ["每格为一个{level}，粗线为区县边界；第{w}周", "Each cell is one of the {level}; thick lines bound districts; week {w}"],
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
// With --lan the teacher's requests carry the teacher's key as well as the room code.
const teacherKey = new URLSearchParams(location.search).get("teacher");
const roomQuery = room
  ? "?room=" + encodeURIComponent(room) + (teacherKey ? "&teacher=" + encodeURIComponent(teacherKey) : "")
  : "";
let lang = localStorage.getItem("cogov-lang") === "en" ? 1 : 0;
let presets = [], sections = [], columns = [], rows = [], marks = [], levers = {};
let charts = [], ws = null, errorTimer = null;
let baseline = null, cityMap = null, mapBy = "backlog", runSeed = null;
let projector = localStorage.getItem("cogov-projector") === "1";
const FONT = '"Cogov Sans SC", sans-serif';

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
  const l = p && p.lesson;
  $("lesson-notes").hidden = !l;
  if (!l) return;
  $("lesson-question").textContent = lang ? l.question_en : l.question_zh;
  $("lesson-watch").textContent = lang ? l.watch_en : l.watch_zh;
  const ol = $("lesson-prompts");
  ol.innerHTML = "";
  for (const q of lang ? l.prompts_en : l.prompts_zh) {
    const li = document.createElement("li");
    li.textContent = q;
    ol.appendChild(li);
  }
  $("handout").href = "handout/" + encodeURIComponent(p.id);
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

// The baseline (dashed, in each series' colour) and its band over replications (shaded).
function baselinePlugin(def) {
  return {
    hooks: {
      draw: [(u) => {
        if (!baseline || !$("compare").checked) return;
        const ix = (name) => columns.findIndex((c) => c.name === name);
        const tick = ix("tick");
        const ctx = u.ctx;
        const x = (r) => u.valToPos(r[tick], "x", true);
        ctx.save();
        ctx.beginPath();
        ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
        ctx.clip();
        def.columns.forEach((name, k) => {
          const i = ix(name);
          const colour = COLOURS[k % COLOURS.length];
          if (baseline.lo && baseline.hi) {
            ctx.globalAlpha = 0.13;
            ctx.fillStyle = colour;
            ctx.beginPath();
            baseline.hi.forEach((r, w) => { const px = x(r), py = u.valToPos(r[i], "y", true); w ? ctx.lineTo(px, py) : ctx.moveTo(px, py); });
            for (let w = baseline.lo.length - 1; w >= 0; w--) ctx.lineTo(x(baseline.lo[w]), u.valToPos(baseline.lo[w][i], "y", true));
            ctx.closePath();
            ctx.fill();
            ctx.globalAlpha = 1;
          }
          ctx.strokeStyle = colour;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          baseline.rows.forEach((r, w) => { const px = x(r), py = u.valToPos(r[i], "y", true); w ? ctx.lineTo(px, py) : ctx.moveTo(px, py); });
          ctx.stroke();
        });
        ctx.restore();
      }],
    },
  };
}

function showBaselineNote() {
  const n = baseline ? baseline.replications : 0;
  $("baseline-note").textContent = !$("compare").checked || !columns.length || $("week").textContent === "–" ? ""
    : !baseline ? t("baseline_wait")
      : n ? t("baseline_band").replace("{n}", n) : t("baseline_line");
}

// With the baseline shown, the week axis spans the lesson and the value axis its band.
function xRange(u, min, max) {
  const end = baseline && $("compare").checked ? baseline.rows.length : 0;
  return [1, Math.max(max || 1, end, 2)];
}

function yRange(def) {
  if (def.range) return () => def.range;
  return (u, min, max) => {
    let hi = max || 0;
    if (baseline && $("compare").checked) {
      for (const name of def.columns) {
        const k = columns.findIndex((c) => c.name === name);
        for (const r of baseline.hi || baseline.rows) hi = Math.max(hi, r[k]);
      }
    }
    return [0, hi > 0 ? hi * 1.05 : 1];
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
    const size = projector ? { width: 780, height: 420, font: 18 } : { width: 520, height: 280, font: 12 };
    const axis = { font: size.font + "px " + FONT, labelFont: "bold " + size.font + "px " + FONT };
    const opts = {
      width: size.width, height: size.height,
      scales: { x: { time: false, range: xRange }, y: { range: yRange(def) } },
      axes: [Object.assign({ label: t("week_axis") }, axis), axis],
      series,
      plugins: [markerPlugin(), baselinePlugin(def)],
    };
    charts.push({ def, div, plot: new uPlot(opts, chartData(def), div) });
  }
  buildMap(box);
  showBaselineNote();
}

// ---- The city map: districts, streets, communities and grids as nested cells. ----

const BACKLOG_RAMP = ["#fff7bc", "#fec44f", "#fe9929", "#d95f0e", "#993404"];
const TRUST_RAMP = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"];

function ramp(stops, f) {
  f = Math.min(1, Math.max(0, f));
  const pos = f * (stops.length - 1), k = Math.min(stops.length - 2, Math.floor(pos)), a = pos - k;
  const c = (h, i) => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  const mix = [0, 1, 2].map((i) => Math.round(c(stops[k], i) * (1 - a) + c(stops[k + 1], i) * a));
  return "rgb(" + mix.join(",") + ")";
}

// Cells of `count` children inside a rectangle, as near square as the rectangle allows.
function split(rect, count, gap) {
  // The column count whose cells are nearest to square, with few empty places.
  let cols = 1, best = Infinity;
  for (let c = 1; c <= count; c++) {
    const r = Math.ceil(count / c);
    const score = Math.abs(Math.log((rect.w / c) / (rect.h / r))) + (r * c - count) / count;
    if (score < best) { best = score; cols = c; }
  }
  const rows = Math.ceil(count / cols);
  const w = (rect.w - gap * (cols - 1)) / cols, h = (rect.h - gap * (rows - 1)) / rows;
  const out = [];
  for (let j = 0; j < count; j++) {
    out.push({ x: rect.x + (j % cols) * (w + gap), y: rect.y + Math.floor(j / cols) * (h + gap), w, h });
  }
  return out;
}

function mapValues() {
  if (!cityMap) return { values: [], lo: 0, hi: 1 };
  if (mapBy === "trust") return { values: cityMap.trust, lo: 0, hi: 1 };
  const values = cityMap.backlog.map((b, i) => cityMap.residents[i] > 0 ? 1000 * b / cityMap.residents[i] : 0);
  return { values, lo: 0, hi: Math.max(1, ...values) };
}

function buildMap(box) {
  const div = document.createElement("div");
  div.className = "chart map";
  const h = document.createElement("h2");
  h.textContent = t("chart_map");
  div.appendChild(h);
  const by = document.createElement("label");
  by.className = "map-by";
  by.textContent = t("map_by") + " ";
  const sel = document.createElement("select");
  for (const [v, key] of [["backlog", "map_backlog"], ["trust", "map_trust"]]) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = t(key);
    sel.appendChild(o);
  }
  sel.value = mapBy;
  sel.addEventListener("change", () => { mapBy = sel.value; drawMap(); });
  by.appendChild(sel);
  div.appendChild(by);
  const canvas = document.createElement("canvas");
  canvas.id = "map";
  div.appendChild(canvas);
  const note = document.createElement("p");
  note.id = "map-note";
  note.className = "question";
  div.appendChild(note);
  box.appendChild(div);
  drawMap();
}

function drawMap() {
  const canvas = $("map");
  if (!canvas) return;
  const W = projector ? 780 : 520, H = projector ? 470 : 320, legendH = projector ? 64 : 46;
  const dpr = devicePixelRatio || 1;
  canvas.width = W * dpr;
  canvas.height = H * dpr;
  canvas.style.width = W + "px";
  canvas.style.height = H + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);
  $("map-note").textContent = "";
  if (!cityMap) return;
  const { values, lo, hi } = mapValues();
  const stops = mapBy === "trust" ? TRUST_RAMP : BACKLOG_RAMP;
  const shape = cityMap.shape;
  const gaps = [6, 2, 1, 0];
  const districts = [];
  const leaves = [];
  const walk = (rect, depth) => {
    const cells = split(rect, shape[depth], gaps[depth] || 0);
    if (depth === 0) districts.push(...cells);
    cells.forEach((c) => depth + 1 < shape.length ? walk(c, depth + 1) : leaves.push(c));
  };
  walk({ x: 4, y: 4, w: W - 8, h: H - legendH - 8 }, 0);
  leaves.forEach((c, i) => {
    ctx.fillStyle = ramp(stops, (values[i] - lo) / (hi - lo));
    ctx.fillRect(c.x, c.y, Math.max(0.5, c.w), Math.max(0.5, c.h));
  });
  ctx.strokeStyle = "#1f3b57";
  ctx.lineWidth = 2;
  ctx.font = (projector ? 18 : 12) + "px " + FONT;
  districts.forEach((d, k) => {
    ctx.strokeRect(d.x, d.y, d.w, d.h);
    const label = (lang ? "District " : "区县") + (k + 1);
    ctx.fillStyle = "rgba(255,255,255,0.8)";
    const tw = ctx.measureText(label).width;
    ctx.fillRect(d.x + 2, d.y + 2, tw + 6, (projector ? 22 : 16));
    ctx.fillStyle = "#1f3b57";
    ctx.fillText(label, d.x + 5, d.y + (projector ? 19 : 14));
  });
  // Legend: a gradient with its two ends and what it shows.
  const ly = H - legendH + 6, lw = Math.min(260, W / 2);
  for (let k = 0; k < lw; k++) {
    ctx.fillStyle = ramp(stops, k / (lw - 1));
    ctx.fillRect(8 + k, ly, 1, 12);
  }
  ctx.fillStyle = "#222";
  const fmt = (v) => mapBy === "trust" ? v.toFixed(1) : v.toFixed(v < 10 ? 1 : 0);
  ctx.fillText(fmt(lo), 8, ly + 12 + (projector ? 20 : 14));
  const hiText = fmt(hi);
  ctx.fillText(hiText, 8 + lw - ctx.measureText(hiText).width, ly + 12 + (projector ? 20 : 14));
  ctx.fillText(t(mapBy === "trust" ? "map_trust" : "map_backlog"), 16 + lw, ly + 11);
  $("map-note").textContent = t("map_level").replace("{level}", lang ? cityMap.level_en : cityMap.level_zh).replace("{w}", cityMap.week);
}

// ---- PNG export: every chart with its title and legend, and the map, in one picture. ----

// The picture itself (a canvas), apart from its download so that it can be checked.
function chartsCanvas() {
  const dpr = devicePixelRatio || 1;
  const pad = 12 * dpr, titleH = 28 * dpr, lineH = 18 * dpr;
  const blocks = charts.map((c) => ({
    title: t(c.def.title), canvas: c.plot.ctx.canvas,
    legend: c.plot.series.slice(1).map((s, k) => ({ label: s.label, colour: COLOURS[k % COLOURS.length], dash: !!s.dash })),
  }));
  if ($("map")) blocks.push({ title: t("chart_map"), canvas: $("map"), legend: [], note: $("map-note").textContent });
  const note = $("baseline-note").textContent;
  const heights = blocks.map((b) => titleH + b.canvas.height + b.legend.length * lineH + (b.note ? lineH : 0) + pad);
  const width = Math.max(...blocks.map((b) => b.canvas.width)) + 2 * pad;
  const out = document.createElement("canvas");
  out.width = width;
  out.height = heights.reduce((a, b) => a + b, pad) + (note ? lineH : 0) + lineH;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = "#222";
  let y = pad;
  const p = presets.find((q) => q.id === $("preset").value);
  ctx.font = 13 * dpr + "px " + FONT;
  ctx.fillText((p ? pick(p, "title") : "cogov") + " · " + t("week") + " " + $("week").textContent, pad, y + 13 * dpr);
  y += lineH;
  blocks.forEach((b) => {
    ctx.font = "bold " + 15 * dpr + "px " + FONT;
    ctx.fillStyle = "#222";
    ctx.fillText(b.title, pad, y + 18 * dpr);
    y += titleH;
    ctx.drawImage(b.canvas, pad, y);
    y += b.canvas.height;
    ctx.font = 12 * dpr + "px " + FONT;
    for (const l of b.legend) {
      ctx.strokeStyle = l.colour;
      ctx.lineWidth = 2 * dpr;
      ctx.setLineDash(l.dash ? [6 * dpr, 3 * dpr] : []);
      ctx.beginPath();
      ctx.moveTo(pad, y + 10 * dpr);
      ctx.lineTo(pad + 24 * dpr, y + 10 * dpr);
      ctx.stroke();
      ctx.fillStyle = "#222";
      ctx.fillText(l.label, pad + 30 * dpr, y + 14 * dpr);
      y += lineH;
    }
    ctx.setLineDash([]);
    if (b.note) {
      ctx.fillText(b.note, pad, y + 14 * dpr);
      y += lineH;
    }
    y += pad;
  });
  if (note) ctx.fillText(note, pad, y + 14 * dpr);
  return out;
}

function exportPng() {
  const p = presets.find((q) => q.id === $("preset").value);
  chartsCanvas().toBlob((blob) => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (p ? p.id : "cogov") + "-week" + $("week").textContent + ".png";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, "image/png");
}

function setProjector(on) {
  projector = on;
  localStorage.setItem("cogov-projector", on ? "1" : "0");
  document.body.classList.toggle("projector", on);
  buildCharts();
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
      baseline = msg.baseline || null;
      runSeed = msg.seed === undefined ? null : msg.seed;
      cityMap = msg.map || null;
      renderLevers();
      renderChanges();
      buildCharts();
      break;
    case "map":
      cityMap = msg;
      drawMap();
      break;
    case "baseline":
      if (msg.seed === runSeed) {
        baseline = msg;
        redrawCharts();
        showBaselineNote();
      }
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
  $("export-png").addEventListener("click", exportPng);
  $("compare").addEventListener("change", () => { redrawCharts(); showBaselineNote(); });
  $("projector").addEventListener("click", () => setProjector(!projector));
  document.body.classList.toggle("projector", projector);
  try {
    presets = (await getJson("api/presets")).presets;
    sections = (await getJson("api/levers")).sections;
  } catch (e) {
    showError(e && e.en ? e : { en: String(e), zh: String(e) });
  }
  // Canvas text (axes, map, PNG) needs the embedded font loaded before it is drawn.
  try { await document.fonts.load("16px " + FONT, "协同共治"); } catch (e) { console.error(e); }
  renderTexts();
  connect();
}

start();
