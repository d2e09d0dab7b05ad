// cogov role play, the student's page: join with a name, take an organisation, and each
// week choose substantive work, symbolic work or shirking for it. Talks to `cogov serve` over
// one WebSocket (/ws/play); the server keeps the role, so a reconnecting browser (same token,
// kept in localStorage) has it back. Every word is in T in both languages; the numbers shown
// are the model's own appraisal of each task.
"use strict";

const T = {
  title: ["cogov 课堂 · 角色扮演", "cogov classroom · role play"],
  lang: ["English", "中文"],
  join: ["加入课堂", "Join the class"],
  your_name: ["姓名", "Your name"],
  join_btn: ["加入", "Join"],
  pick_role: ["选择你扮演的组织", "Choose the organisation you play"],
  pick_help: ["每个角色是城市中的一个组织；未被选择的组织由模型决定。", "Each role is one organisation of the city; organisations nobody plays follow the model."],
  kind_street: ["街道办事处（块）", "Street offices (blocks)"],
  kind_department: ["区职能部门（条）", "District departments"],
  kind_social_org: ["社会组织", "Social organisations"],
  kind_enterprise: ["企业", "Enterprises"],
  week: ["本周：第", "This week:"],
  week_unit: ["周", ""],
  auto_on: ["（全部选择后自动进入下一周）", "(the week runs when everyone has chosen)"],
  how: ["本周你的所有任务都按你的选择执行。下表是模型对每项任务的估算。", "Your choice holds for every task this week. The table shows the model's appraisal of each task."],
  substantive: ["实质履职", "Substantive work"],
  substantive_help: ["真正投入工作，推动问题解决；耗费工作力量。", "Real work that moves the issue; costs capacity."],
  symbolic: ["形式应付", "Symbolic work"],
  symbolic_help: ["留下痕迹、应付考核，不推动解决。", "Leaves a record for evaluation, moves nothing."],
  shirk: ["消极不作为", "Shirk"],
  shirk_help: ["不投入；若被发现将受问责。", "No work; sanctioned if caught."],
  chosen: ["你的选择：", "Your choice: "],
  not_chosen: ["尚未选择（未选择则由模型决定）", "Not chosen yet (the model decides if you do not)"],
  release: ["放弃此角色", "Give up this role"],
  tasks: ["本周任务（模型估算）", "This week's tasks (the model's appraisal)"],
  no_tasks: ["本周没有分派给你的任务。", "No tasks for you this week."],
  issue: ["事项", "Issue"],
  severity: ["严重程度", "Severity"],
  watched: ["上级关注", "Watched"],
  need: ["实质履职所需工作量", "Effort substantive work takes"],
  tau: ["协同交易成本率", "Transaction cost rate"],
  credit: ["留痕得分", "Credit for a record"],
  progress_value: ["推进一单位的价值", "Value of a unit of progress"],
  p_detect: ["不作为被发现概率", "Chance shirking is caught"],
  city: ["市级", "city"],
  yes: ["是", "yes"],
  no: ["否", "no"],
  record: ["我的记录", "My record"],
  no_record: ["尚无记录。", "No weeks yet."],
  r_week: ["周", "Week"],
  r_choice: ["选择", "Choice"],
  r_model: ["模型决定", "the model"],
  r_actions: ["实质 / 形式 / 不作为（任务数）", "Substantive / symbolic / shirk (tasks)"],
  r_delivered: ["完成工作量", "Delivered"],
  r_resolved: ["已解决事项", "Resolved"],
  connected: ["已连接", "connected"],
  reconnecting: ["连接中断，正在重连…", "connection lost, reconnecting…"],
};

const room = new URLSearchParams(location.search).get("room");
const roomQuery = room ? "?room=" + encodeURIComponent(room) : "";
let lang = localStorage.getItem("cogov-lang") === "en" ? 1 : 0;
let ws = null, view = null, errorTimer = null, retry = 500;

const $ = (id) => document.getElementById(id);
const t = (key) => T[key][lang];
const fmt = (x, d = 2) => (typeof x === "number" ? x.toFixed(d) : "–");

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function showError(e) {
  const box = $("error");
  box.textContent = lang ? e.en : e.zh;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, 8000);
}

function cell(row, text, tag = "td") {
  const c = document.createElement(tag);
  c.textContent = text;
  row.appendChild(c);
}

function table(headers, rows) {
  const tb = document.createElement("table");
  const head = document.createElement("tr");
  headers.forEach((h) => cell(head, h, "th"));
  tb.appendChild(head);
  for (const r of rows) {
    const tr = document.createElement("tr");
    r.forEach((x) => cell(tr, x));
    tb.appendChild(tr);
  }
  return tb;
}

function render() {
  document.documentElement.lang = lang ? "en" : "zh";
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  $("lang").textContent = t("lang");
  const joined = !!localStorage.getItem("cogov-play-token") && view;
  $("join").hidden = !!joined;
  if (!joined) { $("pick").hidden = true; $("mine").hidden = true; return; }
  $("message").hidden = !view.message;
  $("message").textContent = view.message || "";
  if (!view.role) {
    $("pick").hidden = false;
    $("mine").hidden = true;
    const box = $("roles");
    box.innerHTML = "";
    for (const kind of ["street", "department", "social_org", "enterprise"]) {
      const roles = view.free.filter((r) => r.kind === kind);
      if (!roles.length) continue;
      const h = document.createElement("h3");
      h.textContent = t("kind_" + kind);
      box.appendChild(h);
      for (const r of roles) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = lang ? r.en : r.zh;
        b.addEventListener("click", () => send({ cmd: "claim", role: r.id }));
        box.appendChild(b);
      }
    }
    return;
  }
  $("pick").hidden = true;
  $("mine").hidden = false;
  $("role-name").textContent = lang ? view.role.en : view.role.zh;
  $("week").textContent = lang ? " " + view.week : view.week + t("week_unit");
  $("auto").textContent = view.auto_advance ? t("auto_on") : "";
  for (const a of ["substantive", "symbolic", "shirk"]) {
    const b = $("c-" + a);
    b.innerHTML = "";
    b.appendChild(document.createTextNode(t(a)));
    const small = document.createElement("small");
    small.textContent = t(a + "_help");
    b.appendChild(small);
    b.classList.toggle("on", view.chosen === a);
  }
  $("chosen").textContent = view.chosen ? t("chosen") + t(view.chosen) : t("not_chosen");
  const tasks = $("tasks");
  tasks.innerHTML = "";
  if (!view.tasks.length) tasks.textContent = t("no_tasks");
  else {
    tasks.appendChild(table(
      [t("issue"), t("severity"), t("watched"), t("need"), t("tau"), t("credit"), t("progress_value"), t("p_detect")],
      view.tasks.map((k) => [
        (k.city ? t("city") + " " : "") + "#" + k.issue, fmt(k.severity, 1), k.watched ? t("yes") : t("no"),
        fmt(k.need), fmt(k.tau), fmt(k.trace_credit), fmt(k.value_per_progress), Math.round(k.p_detect * 100) + "%",
      ]),
    ));
  }
  const rec = $("record");
  rec.innerHTML = "";
  if (!view.record.length) rec.textContent = t("no_record");
  else {
    rec.appendChild(table(
      [t("r_week"), t("r_choice"), t("r_actions"), t("r_delivered"), t("r_resolved")],
      view.record.slice().reverse().map((w) => [
        w.week, w.chosen ? t(w.chosen) : t("r_model"), w.substantive + " / " + w.symbolic + " / " + w.shirk,
        fmt(w.delivered), w.resolved,
      ]),
    ));
  }
}

function connect() {
  const proto = location.protocol === "https:" ? "wss://" : "ws://";
  ws = new WebSocket(proto + location.host + "/ws/play" + roomQuery);
  ws.addEventListener("open", () => {
    retry = 500;
    $("conn").textContent = t("connected");
    const name = localStorage.getItem("cogov-play-name");
    const token = localStorage.getItem("cogov-play-token");
    if (name && token) send({ cmd: "join", name, token });
    render();
  });
  ws.addEventListener("message", (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === "welcome") localStorage.setItem("cogov-play-token", m.token);
    else if (m.type === "play") { view = m; render(); }
    else if (m.type === "error") showError(m);
  });
  ws.addEventListener("close", () => {
    $("conn").textContent = t("reconnecting");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 8000);
  });
}

$("lang").addEventListener("click", () => {
  lang = 1 - lang;
  localStorage.setItem("cogov-lang", lang ? "en" : "zh");
  render();
});
$("join-btn").addEventListener("click", () => {
  const name = $("name").value.trim();
  if (!name) return;
  localStorage.setItem("cogov-play-name", name);
  send({ cmd: "join", name, token: localStorage.getItem("cogov-play-token") });
});
for (const a of ["substantive", "symbolic", "shirk"]) {
  $("c-" + a).addEventListener("click", () => send({ cmd: "choose", action: view && view.chosen === a ? null : a }));
}
$("release").addEventListener("click", () => send({ cmd: "release" }));
$("name").value = localStorage.getItem("cogov-play-name") || "";
render();
connect();
