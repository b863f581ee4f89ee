// The dispatch console: plan and assign, send commands and watch them acknowledged, switch
// the program. The board, the people and the sources come live from the wall feed.

import { act, api, config, el, fill, hhmm, label, t } from "./common.js";
import { WallFeed, showStatus } from "./feed.js";
import { BOARD_ORDER } from "./wallview.js";

const $ = (id) => document.getElementById(id);
const plan = $("plan");
const commandForm = $("command");
const sentIds = new Map(); // command id -> last known command (kept after acknowledgement)
let wall = null;

// -- planning and assigning ----------------------------------------------------------------------

plan.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = new FormData(plan);
  const due = f.get("due") ? new Date(f.get("due")).toISOString() : null;
  const body = {
    title: f.get("title"),
    brief: f.get("brief"),
    location: { name: f.get("location"), lat: Number(f.get("lat")), lon: Number(f.get("lon")) },
    priority: f.get("priority"),
    due,
    channels: f.getAll("channels"),
  };
  const done = await act(plan.querySelector("button[type=submit]"), (o) => api("POST", "/api/assignments", body, o), $("plan-status"));
  if (done) plan.reset();
});

function assignControls(a) {
  const select = el(
    "select",
    { "aria-label": t("console.reporter"), name: "reporter" },
    Object.values(wall.people).map((p) =>
      el("option", { value: p.name, selected: p.name === a.reporter }, `${p.display_name || p.name} · ${label("person", p.state)}`),
    ),
  );
  const button = el("button", { type: "button", class: "primary" }, t("console.assign"));
  button.addEventListener("click", () =>
    act(button, (o) => api("POST", `/api/assignments/${a.id}/assign`, { reporter: select.value }, o), $("board-status")),
  );
  return [select, button];
}

function cancelControls(a) {
  const reason = el("input", { placeholder: t("console.reason"), "aria-label": t("console.reason"), size: 8 });
  const button = el("button", { type: "button", class: "bad" }, t("console.cancel"));
  button.addEventListener("click", () => {
    if (!reason.value.trim()) return reason.focus();
    act(button, (o) => api("POST", `/api/assignments/${a.id}/cancel`, { reason: reason.value }, o), $("board-status"));
  });
  return [reason, button];
}

function job(a) {
  const actions = [];
  if (["planned", "declined", "assigned"].includes(a.state)) actions.push(...assignControls(a));
  if (a.state === "filed") {
    const close = el("button", { type: "button", class: "good" }, t("console.close"));
    close.addEventListener("click", () => act(close, (o) => api("POST", `/api/assignments/${a.id}/close`, {}, o), $("board-status")));
    actions.push(close);
  }
  return el(
    "div",
    { class: `job prio-${a.priority}`, dataset: { id: a.id, state: a.state } },
    el("span", { class: "title" }, a.title),
    el(
      "span",
      { class: "meta" },
      [a.location?.name, a.reporter, a.due ? `${t("reporter.due")} ${hhmm(a.due)}` : null, label("priority", a.priority)]
        .filter(Boolean)
        .join(" · "),
    ),
    a.declined_reason && a.state === "declined" ? el("span", { class: "meta" }, `${t("console.reason")}: ${a.declined_reason}`) : null,
    el("div", { class: "actions" }, actions),
    el("details", {}, el("summary", { class: "meta" }, t("console.cancel")), el("div", { class: "actions" }, cancelControls(a))),
  );
}

function renderBoard() {
  const lanes = BOARD_ORDER.map((state) => {
    const items = Object.values(wall.assignments).filter((a) => a.state === state);
    return el(
      "div",
      { class: "lane", dataset: { state } },
      el("h3", {}, el("span", {}, label("state", state)), el("b", {}, items.length)),
      items.map(job),
    );
  });
  // Keep what someone is typing or choosing: redraw only lanes whose content changed.
  const box = $("lanes");
  lanes.forEach((lane, i) => {
    const old = box.children[i];
    const sig = JSON.stringify(Object.values(wall.assignments).filter((a) => a.state === lane.dataset.state)) + Object.keys(wall.people).join();
    if (old && old.dataset.sig === sig) return;
    if (old?.contains(document.activeElement)) return;
    lane.dataset.sig = sig;
    old ? box.replaceChild(lane, old) : box.append(lane);
  });
}

// -- commands ------------------------------------------------------------------------------------

commandForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = new FormData(commandForm);
  const body = { to: f.get("to"), text: f.get("text") };
  if (f.get("assignment")) body.assignment = f.get("assignment");
  const done = await act(commandForm.querySelector("button[type=submit]"), (o) => api("POST", "/api/commands", body, o), $("command-status"));
  if (done) {
    sentIds.set(done.id, { id: done.id, to: body.to, text: body.text, state: "issued", issued_at: new Date().toISOString() });
    commandForm.elements.text.value = "";
    renderCommands();
  }
});

function renderCommands() {
  // A command leaves the wall when it is acknowledged; this page remembers the ones it saw.
  const open = wall?.commands || {};
  for (const c of Object.values(open)) {
    if (c.issued_by === config.me || sentIds.has(c.id)) sentIds.set(c.id, { ...c, seen: true });
  }
  for (const [id, c] of sentIds) {
    if (c.seen && !open[id]) sentIds.set(id, { ...c, state: "acknowledged" });
  }
  const items = [...sentIds.values()].sort((a, b) => String(b.issued_at).localeCompare(String(a.issued_at)));
  fill(
    $("sent"),
    items.slice(0, 20).map((c) =>
      el(
        "li",
        { dataset: { id: c.id, state: c.state } },
        el("span", {}, el("b", {}, c.to), `: ${c.text}`),
        el("span", { class: `chip ${c.state}` }, label("command", c.state)),
      ),
    ),
  );
  const people = Object.keys(wall?.people || {});
  fill($("people-list"), people.map((name) => el("option", { value: name })));
  const select = commandForm.elements.assignment;
  const chosen = select.value;
  fill(
    select,
    el("option", { value: "" }, t("console.none")),
    Object.values(wall?.assignments || {}).map((a) => el("option", { value: a.id, selected: a.id === chosen }, a.title)),
  );
}

// -- sources and the program switcher ---------------------------------------------------------------

const previews = new Map();
let whep = null;
import("./whep.js")
  .then((m) => {
    whep = m;
    if (wall) renderSources();
  })
  .catch(() => null);

/** Plays a preview over WHEP (the player reconnects by itself); again if it was refused. */
function preview(name, p) {
  if (!whep || p.playing) return;
  p.playing = true;
  whep
    .play(`/whep/${encodeURIComponent(name)}`, null, p.video, { onState: (state) => (p.node.dataset.video = state) })
    .then((session) => (p.stopped ? session.stop() : (p.session = session)))
    .catch(() => (p.playing = false));
}

function renderSources() {
  const box = $("sources");
  const live = Object.values(wall.sources).filter((s) => s.state !== "idle");
  const names = new Set(live.map((s) => s.name));
  for (const [name, p] of previews) {
    if (!names.has(name)) {
      p.stopped = true;
      p.session?.stop?.();
      p.node.remove();
      previews.delete(name);
    }
  }
  for (const s of live) {
    let p = previews.get(s.name);
    if (!p) {
      const video = el("video", { muted: true, autoplay: true, playsinline: true });
      video.muted = true;
      p = { node: el("div", { class: "source", dataset: { source: s.name } }, video, el("div", { class: "cap" })), video, session: null };
      previews.set(s.name, p);
      box.append(p.node);
    }
    if (s.state === "live") preview(s.name, p);
    const program = Object.values(wall.outputs).some((o) => o.on_air === s.name && o.state === "running");
    p.node.classList.toggle("on-program", program);
    fill(p.node.querySelector(".cap"), el("b", {}, s.name), el("span", {}, `${label("source", s.state)}${s.assignment_title ? ` · ${s.assignment_title}` : ""}`));
  }
  if (!live.length && !box.querySelector(".calm")) fill(box, el("p", { class: "calm" }, t("wall.no_sources")));
  else if (live.length) box.querySelector(".calm")?.remove();
}

const monitors = new Map();

/** Each output: its program monitor (the picture that goes out, over WHEP) and the switcher. */
function renderOutputs() {
  const live = Object.values(wall.sources).filter((s) => s.state === "live");
  const box = $("outputs");
  for (const [name, m] of monitors) {
    if (!wall.outputs[name]) {
      m.stopped = true;
      m.session?.stop?.();
      m.node.remove();
      monitors.delete(name);
    }
  }
  for (const o of Object.values(wall.outputs)) {
    let m = monitors.get(o.name);
    if (!m) {
      const video = el("video", { muted: true, autoplay: true, playsinline: true });
      video.muted = true;
      m = { node: el("div", { class: "output", dataset: { output: o.name } }, el("div", { class: "monitor" }, video), el("div", { class: "controls" })), video, session: null };
      monitors.set(o.name, m);
      box.append(m.node);
    }
    if (o.state === "running") preview(o.name, m);
    const onAir = o.on_air === "slate" ? t("wall.slate") : o.on_air || "—";
    fill(
      m.node.querySelector(".controls"),
      el("b", {}, o.name),
      el("span", { class: `muted ${o.failed_over ? "bad" : ""}` }, `${t("wall.pgm")} ${onAir} · ${t("console.backup")} ${o.backup || "—"}`),
      el(
        "div",
        { class: "buttons" },
        live.map((s) => {
          const button = el("button", { type: "button", class: o.on_air === s.name ? "on" : "" }, `${t("console.switch")} ${s.name}`);
          button.addEventListener("click", () =>
            act(button, (opts) => api("POST", `/api/outputs/${encodeURIComponent(o.name)}/switch`, { source: s.name }, opts), $("switch-status")),
          );
          return button;
        }),
      ),
    );
  }
}

new WallFeed({
  onState: (state) => {
    wall = state;
    renderBoard();
    renderCommands();
    renderSources();
    renderOutputs();
  },
  onStatus: (status) => showStatus($("banner"), status, t),
}).start();
