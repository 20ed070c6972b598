// cohesion serve: the page of one role (White, Blue, Red or the projector).
// It draws the role's view as the server's event stream delivers it, and sends commands and
// moves back. Everything it shows comes from the view: the server decides what each role
// may see. Text is always set as text; only the server's own SVG charts are inserted as markup.
"use strict";
const ROLE = document.body.dataset.role;
let view = null, version = 0, built = false, es = null, selected = null, colour = "stance";
const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "cls") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
const card = (id, title, ...kids) => h("section", { cls: "card", id }, h("h2", {}, title), ...kids);
const fix = (x, d = 3) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));
const signed = (x) => (x === null || x === undefined || Math.abs(x) < 0.0005 ? "" : (x > 0 ? "+" : "−") + Math.abs(x).toFixed(3));
const title = (c) => ({ white: "White", blue: "Blue", red: "Red", all: "all players" }[c] || c);

async function post(path, body) {
  try {
    const r = await fetch(`/api/${ROLE}/${path}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let j = {};
    try { j = await r.json(); } catch (_) { j = { error: `HTTP ${r.status}` }; }
    return { ok: r.ok && j.ok, status: r.status, ...j };
  } catch (e) {
    return { ok: false, error: "the server did not answer (it may be restarting): " + e };
  }
}
function show(el, r) {
  el.textContent = r.ok ? (r.text || "done") : r.error || "failed";
  el.className = "result" + (r.ok ? "" : " err");
}
async function cmd(line, out) {
  const r = await post("command", { line });
  if (out) show(out, r);
  return r;
}

// ---- the event stream, with reconnection ----
function connect() {
  if (es) es.close();
  es = new EventSource(`/api/${ROLE}/events`);
  es.addEventListener("state", (e) => {
    const d = JSON.parse(e.data);
    version = d.version; view = d.view;
    $("conn").textContent = "live"; $("conn").className = "conn live";
    render();
  });
  es.onerror = () => {
    $("conn").textContent = "reconnecting…"; $("conn").className = "conn down";
    if (es.readyState === EventSource.CLOSED) setTimeout(retry, 1500);
  };
}
async function retry() {
  try {
    const r = await fetch(`/api/${ROLE}/state`, { credentials: "same-origin" });
    if (r.status === 401 || r.status === 403) {
      $("conn").textContent = "link no longer valid: ask White for the current link";
      setTimeout(retry, 3000);
      return;
    }
  } catch (_) { setTimeout(retry, 1500); return; }
  connect();
}

// ---- the map: a tile grid, coloured by stance, threat or channel risk ----
function mix(a, b, t) {
  const p = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const [x, y] = [p(a), p(b)];
  return "#" + x.map((v, i) => Math.round(v + (y[i] - v) * Math.max(0, Math.min(1, t))).toString(16).padStart(2, "0")).join("");
}
function fill(a, mode) {
  if (mode === "threat") return mix("#fff5f0", "#a50f15", a.threat);
  if (mode === "channel") return a.channel ? "#d94701" : mix("#fff7ec", "#f16913", Math.sqrt(a.channel_risk) * 1.6);
  return a.stance < 0.5 ? mix("#018571", "#f5f5f5", a.stance * 2) : mix("#f5f5f5", "#7b3294", (a.stance - 0.5) * 2);
}
function value(a, mode) {
  if (mode === "threat") return fix(a.threat, 2);
  if (mode === "channel") return a.channel ? "OPEN" : fix(a.channel_risk, 2);
  return fix(a.stance, 2);
}
function mapSvg(allies, mode) {
  const S = 64, G = 4;
  // Empty rows and columns of the grid are dropped (a scenario with few allies stays compact).
  const cs = [...new Set(allies.map((a) => a.col))].sort((a, b) => a - b);
  const rs = [...new Set(allies.map((a) => a.row))].sort((a, b) => a - b);
  allies = allies.map((a) => ({ ...a, col: cs.indexOf(a.col), row: rs.indexOf(a.row) }));
  const cols = cs.length, rows = rs.length;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${cols * (S + G)} ${rows * (S + G)}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `map of the allies coloured by ${mode}`);
  for (const a of allies) {
    const x = a.col * (S + G), y = a.row * (S + G);
    const r = document.createElementNS(ns, "rect");
    for (const [k, v] of Object.entries({ x, y, width: S, height: S, rx: 5, fill: fill(a, mode) })) r.setAttribute(k, v);
    r.setAttribute("class", "ally" + (a.name === selected ? " sel" : ""));
    r.dataset.name = a.name;
    const t = document.createElementNS(ns, "title"); t.textContent = a.name; r.append(t);
    r.addEventListener("click", () => { selected = a.name; render(); });
    svg.append(r);
    if (a.channel) {
      const c = document.createElementNS(ns, "rect");
      for (const [k, v] of Object.entries({ x: x + 3, y: y + 3, width: S - 6, height: S - 6, rx: 4, class: "chan" })) c.setAttribute(k, v);
      svg.append(c);
    }
    const dark = mode === "threat" ? a.threat > 0.55 : mode === "stance" ? Math.abs(a.stance - 0.5) > 0.3 : a.channel;
    for (const [dy, txt, w] of [[24, a.iso, "bold"], [46, value(a, mode), "normal"]]) {
      const e = document.createElementNS(ns, "text");
      for (const [k, v] of Object.entries({ x: x + S / 2, y: y + dy, "text-anchor": "middle", "font-weight": w, fill: dark ? "#fff" : "#222" })) e.setAttribute(k, v);
      e.textContent = txt; svg.append(e);
    }
  }
  return svg;
}
const LEGEND = {
  stance: "stance: teal = engagement (0) · grey = middle · purple = confrontation (1)",
  threat: "threat perception: light = low · dark red = high",
  channel: "channel to Moscow: shade = chance of one next turn; dashed orange border = channel open",
};

// ---- parts every role may see ----
function stateTiles(v) {
  const s = v.sow;
  const tile = (l, x) => h("div", { cls: "tile" }, h("div", { cls: "lbl" }, l), h("div", { cls: "big" }, x));
  return [
    h("div", { cls: "tiles" }, tile("Cohesion", fix(s.cohesion)), tile("Credibility", fix(s.credibility)),
      tile("Mean threat", fix(s.threat_mean)), tile("Channels to Moscow", s.unilateral.length), tile("Label", s.label)),
    h("table", {},
      h("tr", {}, h("th", {}, "Dialogue"), h("td", {}, s.dialogue + (s.dialogue_cut ? " (Russia keeps its channels cut)" : ""))),
      h("tr", {}, h("th", {}, "Common line / consensus"), h("td", {}, `${fix(s.line)} / ${s.consensus ? "yes" : "NO"}`)),
      h("tr", {}, h("th", {}, "Risks next turn"), h("td", {}, `intimidation ${fix(s.intimidation_risk)} · aggression ${fix(s.aggression_risk, 4)} · attack on an ally ${fix(s.attack_risk, 5)}`)),
      h("tr", {}, h("th", {}, "Fracture / ally attacked / crises"), h("td", {},
        `${s.fracture_turn ? "turn " + s.fracture_turn : "none"} / `,
        s.attack_turn ? h("span", { cls: s.attack_set_by ? "forced" : "" }, `turn ${s.attack_turn} ${s.attack_set_by || ""}`) : "none",
        ` / ${s.crises}`))),
  ];
}
function allyPanel(v) {
  const a = v.allies.find((x) => x.name === selected) || v.allies[0];
  if (!a) return h("p", {}, "no allies");
  selected = a.name;
  const row = (k, x, d) => h("tr", {}, h("th", {}, k), h("td", {}, fix(x)), h("td", { cls: "muted" }, signed(d)));
  const hist = [];
  for (const c of v.closed) {
    for (const e of c.events) if (e.actor === a.name) hist.push(`turn ${c.turn}: [${e.kind}] ${e.detail}`);
    for (const l of (c.effects || "").split("\n")) if (l.startsWith(a.name + ":")) hist.push(`turn ${c.turn}: effect — ${l.slice(a.name.length + 2)}`);
  }
  return h("div", { id: "ally" },
    h("h3", {}, `${a.name} — ${a.exposure}, weight ${fix(a.weight)}`),
    h("table", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "now"), h("th", {}, "Δ last turn")),
      row("stance (0 engagement – 1 confrontation)", a.stance, a.delta.stance), row("threat perception", a.threat, a.delta.threat),
      row("resilience", a.resilience, a.delta.resilience), row("energy dependence", a.dependence, a.delta.dependence),
      row("inducements received", a.inducement), row("defence, % of GDP", a.defence)),
    h("p", {}, `Unilateral channel to Moscow: `, h("b", {}, a.channel ? "OPEN" : "closed"), ` · chance of one next turn at today's state ${fix(a.channel_risk)}`),
    h("div", {}, h("b", {}, "History"), hist.length ? h("pre", {}, hist.join("\n")) : h("p", { cls: "muted" }, "nothing yet")));
}
function turnCard(c) {
  if (!c) return h("p", { cls: "muted" }, "No turn adjudicated yet.");
  return h("div", {},
    h("h3", {}, `Turn ${c.turn}${c.date ? " (" + c.date + ")" : ""} — Blue played ${c.blue}`),
    h("table", {}, c.outcomes.map((o) => h("tr", {}, h("td", {}, o.key), h("td", {}, h("b", {}, o.value)),
      h("td", { cls: o.set_by ? "forced" : "muted" }, o.set_by ? `set by ${o.set_by}, not drawn` : `p ${fix(o.p, 4)}, drew ${fix(o.drew, 4)}`)))),
    c.overrides.length ? h("p", { cls: "forced" }, "White's overrides: " + c.overrides.map((o) => `${o.outcome} = ${o.value} (${o.reason})`).join("; ")) : null,
    h("pre", {}, c.events.map((e) => `[${e.kind}] ${e.actor ? e.actor + ": " : ""}${e.detail}`).join("\n")),
    h("b", {}, "Effects of the turn"), h("pre", {}, c.effects));
}
function timerText(t) {
  if (!t || !t.seconds) return "";
  const left = t.running_since_ms ? t.remaining_ms - (Date.now() - t.running_since_ms) : t.remaining_ms;
  const s = Math.max(0, Math.ceil(left / 1000));
  const txt = `⏱ ${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  return txt + (t.running_since_ms ? "" : " (paused)") + (s === 0 ? " — time" : "");
}
setInterval(() => { if (view) { const t = $("timer"); t.textContent = timerText(view.timer); t.className = t.textContent.endsWith("time") ? "late" : ""; } }, 500);

function messagesList(v) {
  if (!v.messages.length) return h("p", { cls: "muted" }, "No messages.");
  const earlier = v.messages_earlier ? [h("p", { cls: "muted" }, `${v.messages_earlier} earlier messages: see the transcript and the debrief.`)] : [];
  return h("div", { cls: "feed" }, earlier.concat(v.messages.map((m) => h("div", { cls: "msg" },
    h("b", {}, m.rfi ? `RFI #${m.seq} ` : m.reply_to ? `Answer to #${m.reply_to} ` : `#${m.seq} `),
    `${title(m.from)} → ${title(m.to)} (turn ${m.turn}): `, m.text,
    m.rfi ? h("span", { cls: "muted" }, m.answered_by ? ` — answered (#${m.answered_by})` : " — open") : null))));
}
function forecastsList(v, shareable) {
  if (!v.forecasts.length) return h("p", { cls: "muted" }, "No forecast yet.");
  return v.forecasts.slice().reverse().map((f) => {
    const d = h("div", { cls: "svg" }); d.innerHTML = f.svg;
    return h("details", { open: f === v.forecasts[v.forecasts.length - 1] },
      h("summary", {}, `#${f.seq} turn ${f.turn}: ${f.label} (${title(f.by)}${f.shared.length ? ", shared with " + f.shared.map(title).join(", ") : ", not shared"})`),
      d, h("pre", {}, f.text),
      shareable && (ROLE === "white" || f.by === ROLE) ? h("button", { onclick: () => cmd(`share ${f.seq} with=all`, $("fc-out")) }, "Share with all players") : null);
  });
}

// ---- the layout, built once; render() fills it ----
function build() {
  const app = $("app"); app.textContent = "";
  const left = h("div", { cls: "col" }), right = h("div", { cls: "col" });
  app.append(left, right);
  if (ROLE === "projector") {
    left.append(card("state", "State of the world"), card("map", "The allies"), card("path", "Cohesion so far"));
    right.append(card("effects", "Injects this turn and their effect"), card("last-turn", "Last turn"), card("messages", "Messages to all"), card("forecasts", "Forecasts"));
    return;
  }
  const sel = h("select", { id: "colour", onchange: (e) => { colour = e.target.value; render(); } },
    ["stance", "threat", "channel"].map((c) => h("option", { value: c }, `colour by ${c === "channel" ? "channel risk" : c}`)));
  left.append(card("state", "State of the world"),
    h("section", { cls: "card", id: "map-card" }, h("h2", {}, "The allies ", sel), h("div", { id: "map" }), h("div", { id: "legend", cls: "legend" }), h("div", { id: "ally-panel" })),
    card("last-turn", "Last turn"), card("due", "Injects due this turn"));
  if (ROLE === "blue") right.append(blueForms());
  if (ROLE === "red") right.append(redForms());
  if (ROLE === "white") right.append(...whiteForms());
  right.append(forecastForms(), card("fc", "Forecasts", h("div", { id: "fc-list" })),
    card("messages", "Messages", h("div", { id: "msg-list" }), messageForm()),
    card("command", "Command", commandForm()), card("feed", "Record", h("div", { id: "feed-list", cls: "feed" })));
}
function commandForm() {
  const out = h("div", { cls: "result", id: "cmd-out" }, "Commands as at the prompt: status, allies, ally NAME, help…");
  const inp = h("input", { id: "cmd-line", size: 50, placeholder: ROLE === "white" ? "e.g. inject shock target=Estonia threat=0.2" : "e.g. ally Estonia" });
  return [h("form", { onsubmit: (e) => { e.preventDefault(); cmd(inp.value, out); } }, inp, h("button", { cls: "primary" }, "Run")), out];
}
function messageForm() {
  const to = h("select", { id: "msg-to" }, (ROLE === "white" ? ["all", "blue", "red"] : ["white", "all"]).map((c) => h("option", { value: c }, title(c))));
  const rfi = ROLE === "white" ? null : h("input", { type: "checkbox", id: "msg-rfi" });
  const text = h("input", { id: "msg-text", size: 40, placeholder: "message" });
  const out = h("div", { cls: "result" });
  return [h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const line = rfi && rfi.checked ? `rfi -- ${text.value}` : `msg ${to.value} -- ${text.value}`;
    const r = await cmd(line, out); if (r.ok) text.value = "";
  } }, "to ", to, rfi ? h("label", {}, rfi, " request for information (to White)") : null, text, h("button", {}, "Send")), out];
}
function forecastForms() {
  const n = h("input", { type: "number", id: "fc-n", value: 1000, min: 1, max: 100000 });
  const until = h("input", { type: "number", id: "fc-until", min: 1, placeholder: "end" });
  const mv = h("input", { id: "fc-move", size: 28, placeholder: ROLE === "red" ? "Blue move to test (default: levers in force)" : "move (default: Blue's current move)" });
  const out = h("div", { cls: "result", id: "fc-out" });
  return card("fc-form", "Ask for a forecast (private to you until shared)",
    h("form", { onsubmit: (e) => { e.preventDefault(); out.textContent = "running…"; cmd(`forecast ${mv.value} n=${n.value}${until.value ? " until=" + until.value : ""}`, out); } },
      mv, "n", n, "until turn", until, h("button", {}, "Forecast")), out);
}
function blueForms() {
  const box = h("div", { id: "blue-form" });
  const out = h("div", { cls: "result", id: "move-out" });
  return card("move", "Blue's move", h("div", { id: "pending" }), box, out);
}
function fillBlueForm(v) {
  const box = $("blue-form"); if (!box || box.dataset.done) return;
  box.dataset.done = "1";
  const pol = h("select", { id: "policy" }, h("option", { value: "" }, "(levers below only)"), v.policies.map((p) => h("option", { value: p.name, title: p.description }, p.name)));
  const inputs = v.levers.map((l) => {
    const cur = l.pending ?? l.value;
    const inp = l.kind === "choice" || l.kind === "bool"
      ? h("select", { name: l.name }, l.choices.map((c) => h("option", { value: c, selected: c === cur }, c)))
      : h("input", { name: l.name, type: "number", step: "any", min: l.min, max: l.max, value: cur });
    return h("label", { title: l.meaning }, l.name + " ", inp);
  });
  const why = h("textarea", { id: "move-why", placeholder: "rationale" });
  box.append(h("form", { onsubmit: async (e) => {
    e.preventDefault();
    // Only the levers that change: the move's label then says what Blue did.
    const levers = {};
    for (const el of box.querySelectorAll("[name]")) {
      const l = view.levers.find((x) => x.name === el.name);
      if (!l || String(l.pending ?? l.value) !== String(el.value)) levers[el.name] = el.value;
    }
    const body = { levers, rationale: why.value };
    if (pol.value) { body.policy = pol.value; for (const k of Object.keys(levers)) delete levers[k]; }
    show($("move-out"), await post("move", body));
  } }, h("label", {}, "policy option ", pol), ...inputs, why, h("button", { cls: "primary", id: "submit-move" }, "Submit move")));
}
function redForms() {
  const box = h("div", { id: "red-form" });
  return card("move", "Red's move (sealed until White adjudicates)", h("div", { id: "pending" }), box, h("div", { cls: "result", id: "move-out" }));
}
function fillRedForm(v) {
  const box = $("red-form"); if (!box || box.dataset.done) return;
  box.dataset.done = "1";
  const names = v.allies.map((a) => a.name);
  const checks = ["disinformation", "inducement", "intimidation", "aggression"].map((k) => h("label", {}, h("input", { type: "checkbox", name: k }), " " + k));
  const target = (k) => h("label", {}, k + " on ", h("select", { name: k }, h("option", { value: "" }, "none"), names.map((n) => h("option", { value: n }, n))));
  const why = h("textarea", { id: "move-why", placeholder: "rationale (sealed with the move)" });
  box.append(h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const moves = {};
    for (const el of box.querySelectorAll("input[type=checkbox]")) if (el.checked) moves[el.name] = true;
    for (const el of box.querySelectorAll("select")) if (el.value) moves[el.name] = el.value;
    show($("move-out"), await post("move", { moves, rationale: why.value }));
  } }, ...checks, target("hybrid"), target("attack"), why, h("button", { cls: "primary", id: "seal-move" }, "Seal move")));
}
function whiteForms() {
  const out = h("div", { cls: "result", id: "adj-out" });
  const why = h("input", { id: "adj-why", size: 30, placeholder: "rationale / reason" });
  const ok = h("input", { id: "ov-key", list: "outcome-keys", size: 18, placeholder: "outcome" });
  const ov = h("input", { id: "ov-value", size: 12, placeholder: "value" });
  const b = (label, f, id) => h("button", { type: "button", id, onclick: f }, label);
  return [
    card("pending-card", "Moves this turn", h("div", { id: "pending" })),
    card("adjudication", "Adjudication",
      h("div", { cls: "row" }, why, b("Commit (close the moves)", () => cmd(`commit -- ${why.value}`, out), "commit"),
        b("Accept (close the turn)", () => cmd(`accept -- ${why.value}`, out), "accept"), b("Reopen", () => cmd(`reopen -- ${why.value}`, out), "reopen")),
      h("div", { cls: "row" }, ok, h("datalist", { id: "outcome-keys" }), ov,
        b("Preview", () => cmd(`preview ${q(ok.value)} ${q(ov.value)}`, out), "preview"),
        b("Override", () => cmd(`override ${q(ok.value)} ${q(ov.value)} -- ${why.value}`, out), "override")),
      h("div", { id: "proposal" }), out),
    card("control", "Mode, timer, projector",
      h("div", { cls: "row" }, "mode ", ...["rigid", "semi-rigid", "free"].map((m) => b(m, () => cmd(`mode ${m}`, out))),
        " · timer ", h("input", { id: "timer-min", type: "number", value: 20, min: 1 }), " min ",
        b("start", () => cmd(`timer start ${$("timer-min").value}`, out)), b("pause", () => cmd("timer pause", out)),
        b("resume", () => cmd("timer resume", out)), b("stop", () => cmd("timer stop", out))),
      h("div", { id: "projector-form" })),
    card("msel", "MSEL", h("div", { id: "msel-list" }),
      h("div", { cls: "row" }, "in-stride inject: ", h("input", { id: "inj", size: 40, placeholder: "shock target=Estonia threat=0.2 at=3" }),
        b("Add", () => cmd(`inject ${$("inj").value} -- ${why.value}`, out)))),
    card("links", "Join links (carry secrets: hand each to its cell only)", h("div", { id: "links-list" })),
  ];
}
const q = (s) => (/\s/.test(s) ? `"${s}"` : s);
function fillWhite(v) {
  const dl = $("outcome-keys");
  if (dl && !dl.dataset.done) { dl.dataset.done = "1"; for (const k of v.outcome_keys) dl.append(h("option", { value: k })); }
  const out = $("adj-out");
  const p = $("proposal"); p.textContent = "";
  if (v.proposal) {
    p.append(h("b", {}, "The engine's proposal, with White's overrides"),
      h("table", {}, v.proposal.adjusted.outcomes.map((o) => h("tr", {}, h("td", {}, o.key), h("td", {}, h("b", {}, o.value)),
        h("td", { cls: o.set_by ? "forced" : "muted" }, o.set_by ? `set by ${o.set_by}` : `p ${fix(o.p, 4)}, drew ${fix(o.drew, 4)}`)))),
      h("b", {}, "What the overrides change"), h("pre", {}, v.proposal.changes));
  }
  const l = $("msel-list"); l.textContent = "";
  l.append(h("table", {}, v.msel.map((m) => h("tr", {}, h("td", {}, `#${m.id}`), h("td", {}, `turn ${m.turn}`), h("td", {}, m.status),
    h("td", {}, `${m.kind} “${m.name}”${m.in_stride ? " [in-stride]" : ""}`),
    h("td", {}, m.status === "scheduled" || m.status === "due now" ? [
      h("button", { onclick: () => cmd(`skip ${m.id}`, out) }, "skip"),
      h("button", { onclick: () => { const t = prompt(`Move inject #${m.id} to turn:`, m.turn + 1); if (t) cmd(`move ${m.id} to=${t}`, out); } }, "reschedule")] : null)))));
  const lk = $("links-list"); lk.textContent = "";
  lk.append(h("table", {}, v.links.map((x) => h("tr", {}, h("th", {}, x.role), h("td", {}, h("code", {}, x.url)),
    h("td", {}, h("button", { onclick: async () => { if (confirm(`Revoke the ${x.role} link and issue a new one?`)) show(out, await post("reissue", { role: x.role })); } }, "revoke & reissue"))))));
  const pf = $("projector-form"); pf.textContent = "";
  const items = ["state", "map", "allies", "path", "last-turn", "messages", "timer", "effects", ...v.forecasts.map((f) => `forecast:${f.seq}`)];
  const boxes = items.map((i) => h("label", {}, h("input", { type: "checkbox", value: i, checked: v.projector.show.includes(i) }), " " + i));
  const col = h("select", {}, ["stance", "threat", "channel"].map((c) => h("option", { value: c, selected: c === v.projector.colour }, c)));
  pf.append(h("div", { cls: "row" }, "projector shows: ", ...boxes, " map colour ", col,
    h("button", { onclick: () => cmd(`projector show=${boxes.map((b) => b.firstChild).filter((c) => c.checked).map((c) => c.value).join(",")} colour=${col.value}`, out) }, "Set projector")));
}
function pendingText(v) {
  const p = v.pending || {};
  const parts = [];
  if (p.blue !== undefined) parts.push(p.blue ? `Blue's move so far: ${p.blue.label}${p.blue.rationale ? " — " + p.blue.rationale : ""}` : "Blue has not moved this turn (levers in force stand).");
  if (p.red !== undefined && v.session.red === "human") parts.push(p.red ? `Red's sealed move: ${p.red.moves.map((m) => m.join("=")).join(" ") || "no hostile move"}${p.red.rationale ? " — " + p.red.rationale : ""}` : "Red has not moved this turn.");
  return parts.join("\n");
}

// An inject's target and severity, as the due list names them.
function dueFields(d) {
  const f = Object.fromEntries(d.fields || []);
  return (f.target ? ` on ${f.target}` : "") + (f.severity ? `, severity ${f.severity}` : "");
}
function effectsList(v) {
  return (v.effects || []).map((e) => h("div", { cls: "item" }, h("b", {}, e.inject), h("pre", {}, e.text)));
}

function render() {
  const v = view; if (!v) return;
  if (!built) { build(); built = true; }
  const s = v.session;
  $("headline").textContent = `${s.scenario} — ${s.phase === "over" ? "session over" : `turn ${s.turn} of ${s.horizon}${s.date ? " (" + s.date + ")" : ""} · ${s.phase}`} · ${s.mode} adjudication`;
  const put = (id, ...kids) => { const e = $(id); if (!e) return; const hd = e.querySelector("h2"); e.textContent = ""; if (hd) e.append(hd); e.append(...kids.flat()); };
  if (ROLE === "projector") {
    const show = new Set(v.projector.show);
    const vis = (id, on) => { const e = $(id); if (e) e.style.display = on ? "" : "none"; };
    vis("state", show.has("state")); vis("map", show.has("map") || show.has("allies")); vis("path", show.has("path"));
    vis("last-turn", show.has("last-turn")); vis("messages", show.has("messages")); vis("forecasts", v.forecasts.length > 0);
    vis("effects", show.has("effects") && (v.effects || []).length > 0);
    put("effects", effectsList(v));
    $("timer").style.display = show.has("timer") ? "" : "none";
    put("state", stateTiles(v));
    put("map", show.has("map") ? [mapSvg(v.allies, v.projector.colour), h("div", { cls: "legend" }, LEGEND[v.projector.colour])] : [],
      show.has("allies") ? h("table", {}, v.allies.map((a) => h("tr", {}, h("td", {}, a.name), h("td", {}, `stance ${fix(a.stance, 2)}`), h("td", {}, `threat ${fix(a.threat, 2)}`), h("td", {}, a.channel ? "channel OPEN" : "")))) : []);
    const pd = h("div", { cls: "svg" }); pd.innerHTML = v.path_svg; put("path", pd);
    put("last-turn", turnCard(v.closed[v.closed.length - 1]));
    put("messages", messagesList(v));
    put("forecasts", forecastsList(v, false));
    return;
  }
  put("state", stateTiles(v));
  const m = $("map"); m.textContent = ""; m.append(mapSvg(v.allies, colour));
  $("legend").textContent = LEGEND[colour];
  const ap = $("ally-panel"); ap.textContent = ""; ap.append(allyPanel(v));
  put("last-turn", turnCard(v.closed[v.closed.length - 1]));
  put("due", v.due.length ? h("ul", {}, v.due.map((d) => h("li", {}, `${d.kind}${dueFields(d)} — ${d.name}${d.date ? " (" + d.date + ")" : ""}`))) : h("p", { cls: "muted" }, "none"),
    ROLE === "white" && (v.effects || []).length ? [h("b", {}, "Effects of this turn's in-stride injects"), ...effectsList(v)] : []);
  const pe = $("pending"); if (pe) { pe.textContent = ""; pe.append(h("pre", {}, pendingText(v))); }
  if (ROLE === "blue") fillBlueForm(v);
  if (ROLE === "red") fillRedForm(v);
  if (ROLE === "white") fillWhite(v);
  const fl = $("fc-list"); fl.textContent = ""; fl.append(...[forecastsList(v, true)].flat());
  const ml = $("msg-list"); ml.textContent = ""; ml.append(messagesList(v));
  const feed = $("feed-list");
  const atEnd = feed.scrollTop + feed.clientHeight >= feed.scrollHeight - 20;
  feed.textContent = "";
  if (ROLE === "white" && v.preamble) feed.append(h("pre", { cls: "item" }, v.preamble));
  for (const it of v.feed) feed.append(h("pre", { cls: "item", "data-seq": it.seq }, it.text));
  if (atEnd) feed.scrollTop = feed.scrollHeight;
}

connect();
