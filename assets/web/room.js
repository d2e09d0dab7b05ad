// cogov classroom, the teacher's role-play panel: who has joined and who has chosen this
// week, a message to every student, assigning and freeing roles, letting the week advance
// when everyone has chosen, and the debrief (the class's city beside the model-only city on
// the same seed, and each role's record). It adds itself to the teacher's page and keeps its
// own WebSocket to the session (/ws), so it needs nothing of app.js. Every word is in both
// languages; the language follows the page's switch (localStorage "cogov-lang").
"use strict";

(() => {
  const T = {
    title: ["角色扮演（学生加入）", "Role play (students join)"],
    join_at: ["学生用手机或电脑打开：", "Students open on a phone or laptop:"],
    students: ["学生", "Students"],
    none: ["尚无学生加入。", "No students yet."],
    n: ["编号", "No."],
    name: ["姓名", "Name"],
    role: ["角色", "Role"],
    chosen: ["本周已选", "Chosen"],
    online: ["在线", "Online"],
    count: ["已选 {c} / 已认领角色 {k}", "{c} of {k} claimed roles have chosen"],
    auto: ["全部选择后自动进入下一周", "Advance the week when everyone has chosen"],
    message: ["向全体学生发送消息", "Message to every student"],
    send: ["发送", "Send"],
    assign: ["分配角色", "Assign a role"],
    to_student: ["给学生编号（留空则收回）", "to student no. (empty frees it)"],
    assign_btn: ["分配", "Assign"],
    debrief: ["课后总结：课堂城市与模型城市对比", "Debrief: the class's city beside the model-only city"],
    debrief_btn: ["生成总结", "Debrief"],
    outcome: ["指标", "Outcome"],
    class_mean: ["课堂（均值）", "Class (mean)"],
    model_mean: ["仅模型（均值）", "Model only (mean)"],
    class_last: ["课堂（末周）", "Class (last week)"],
    model_last: ["仅模型（末周）", "Model only (last week)"],
    weeks_seed: ["共{w}周，随机种子{s}；两座城市使用相同种子与相同政策调整，唯一区别是学生的选择。", "{w} weeks, seed {s}; both cities share the seed and the lever changes, and differ only by the students' choices."],
    record_of: ["各角色记录", "Each role's record"],
    week: ["周", "week"],
    model: ["模型", "model"],
    substantive: ["实质", "substantive"],
    symbolic: ["形式", "symbolic"],
    shirk: ["不作为", "shirk"],
    resolved: ["解决", "resolved"],
    yes: ["是", "yes"],
    no: ["否", "no"],
  };
  const room = new URLSearchParams(location.search).get("room");
  const roomQuery = room ? "?room=" + encodeURIComponent(room) : "";
  // The teacher's socket also carries the teacher's key; the students' address never does.
  const teacherKey = new URLSearchParams(location.search).get("teacher");
  const teacherQuery = roomQuery + (room && teacherKey ? "&teacher=" + encodeURIComponent(teacherKey) : "");
  let state = null, debrief = null, error = null, ws = null, retry = 500;
  const lang = () => (localStorage.getItem("cogov-lang") === "en" ? 1 : 0);
  const t = (k) => T[k][lang()];
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const send = (m) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };

  const panel = el("section", undefined, "box");
  panel.id = "room-panel";
  (document.querySelector("aside") || document.body).appendChild(panel);

  function table(headers, rows) {
    const tb = el("table");
    tb.style.fontSize = "0.85em";
    tb.style.width = "100%";
    const h = el("tr");
    headers.forEach((x) => h.appendChild(el("th", x)));
    tb.appendChild(h);
    rows.forEach((r) => {
      const tr = el("tr");
      r.forEach((x) => tr.appendChild(el("td", String(x))));
      tb.appendChild(tr);
    });
    return tb;
  }

  function render() {
    panel.innerHTML = "";
    panel.appendChild(el("h2", t("title")));
    if (error) panel.appendChild(el("p", lang() ? error.en : error.zh, "error"));
    const url = location.origin + "/play" + roomQuery;
    const p = el("p", t("join_at") + " ");
    p.appendChild(el("b", url));
    panel.appendChild(p);
    if (state) {
      const roleName = {};
      state.roles.forEach((r) => { roleName[r.id] = lang() ? r.en : r.zh; });
      panel.appendChild(el("h3", t("students")));
      panel.appendChild(el("p", t("count").replace("{c}", state.chosen).replace("{k}", state.claimed)));
      if (!state.students.length) panel.appendChild(el("p", t("none")));
      else {
        panel.appendChild(table([t("n"), t("name"), t("role"), t("chosen"), t("online")],
          state.students.map((s) => [s.id, s.name, s.role ? roleName[s.role] || s.role : "–",
            s.chosen ? t("yes") : t("no"), s.online ? t("yes") : t("no")])));
      }
      const auto = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = state.auto_advance;
      box.addEventListener("change", () => send({ cmd: "auto_advance", on: box.checked }));
      auto.appendChild(box);
      auto.appendChild(document.createTextNode(" " + t("auto")));
      panel.appendChild(auto);

      panel.appendChild(el("h3", t("message")));
      const msg = el("input");
      msg.maxLength = 500;
      msg.style.width = "70%";
      msg.value = state.message || "";
      const sendBtn = el("button", t("send"));
      sendBtn.type = "button";
      sendBtn.addEventListener("click", () => send({ cmd: "broadcast", text: msg.value }));
      panel.appendChild(msg);
      panel.appendChild(sendBtn);

      panel.appendChild(el("h3", t("assign")));
      const sel = el("select");
      state.roles.forEach((r) => {
        const o = el("option", (lang() ? r.en : r.zh) + (r.holder ? " (" + r.holder + ")" : ""));
        o.value = r.id;
        sel.appendChild(o);
      });
      const who = el("input");
      who.type = "number";
      who.min = "1";
      who.placeholder = t("to_student");
      const assignBtn = el("button", t("assign_btn"));
      assignBtn.type = "button";
      assignBtn.addEventListener("click", () => send({
        cmd: "assign", role: sel.value, student: who.value === "" ? null : Number(who.value),
      }));
      panel.appendChild(sel);
      panel.appendChild(who);
      panel.appendChild(assignBtn);
    }
    panel.appendChild(el("h3", t("debrief")));
    const dBtn = el("button", t("debrief_btn"));
    dBtn.type = "button";
    dBtn.addEventListener("click", () => send({ cmd: "debrief" }));
    panel.appendChild(dBtn);
    if (debrief) {
      panel.appendChild(el("p", t("weeks_seed").replace("{w}", debrief.weeks).replace("{s}", debrief.seed)));
      const f = (x) => (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
      panel.appendChild(table([t("outcome"), t("class_mean"), t("model_mean"), t("class_last"), t("model_last")],
        debrief.outcomes.map((o) => [lang() ? o.en : o.zh, f(o.class.mean), f(o.model.mean), f(o.class.last), f(o.model.last)])));
      panel.appendChild(el("h3", t("record_of")));
      for (const r of debrief.roles) {
        panel.appendChild(el("p", (lang() ? r.en : r.zh) + (r.student ? " · " + r.student : "")));
        panel.appendChild(table([t("week"), t("chosen"), t("substantive"), t("symbolic"), t("shirk"), t("resolved")],
          r.weeks.map((w) => [w.week, w.chosen ? t(w.chosen) : t("model"), w.substantive, w.symbolic, w.shirk, w.resolved])));
      }
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws" + teacherQuery);
    ws.addEventListener("open", () => { retry = 500; send({ cmd: "room" }); });
    ws.addEventListener("message", (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === "room") { state = m; render(); }
      else if (m.type === "state") send({ cmd: "room" }); // a new city: its roles
      else if (m.type === "debrief") { debrief = m; error = null; render(); }
      else if (m.type === "error") { error = m; render(); }
    });
    ws.addEventListener("close", () => { setTimeout(connect, retry); retry = Math.min(retry * 2, 8000); });
  }

  const langButton = document.getElementById("lang");
  if (langButton) langButton.addEventListener("click", () => setTimeout(render, 0));
  render();
  connect();
})();
