// The 舆情 page: warnings by level (unacknowledged first), acknowledged by the person on duty or
// turned into an assignment in one step; the feeds with their health, the rules, the latest items.
// The wall feed says when something changed; the page then reads /api/opinion again.

import { act, api, config, dayTime, el, fill, LEVEL_WORDS, minutesSince, say, t } from "./common.js";
import { WallFeed } from "./feed.js";

const $ = (id) => document.getElementById(id);
const STATE_WORDS = {
  raised: t("opinion.state.raised"),
  escalated: t("opinion.state.escalated"),
  acknowledged: t("opinion.state.acknowledged"),
};
const may = (...roles) => config.roles.includes("admin") || roles.some((r) => config.roles.includes(r));

function warning(w) {
  const status = el("span", { class: "status" });
  const actions = [];
  if (w.state !== "acknowledged") {
    const ack = el("button", { type: "button", class: "ack" }, t("opinion.acknowledge"));
    ack.addEventListener("click", () => act(ack, (o) => api("POST", `/api/opinion/warnings/${w.id}/ack`, {}, o), status).then((ok) => ok && load()));
    actions.push(ack);
  }
  if (may("dispatcher")) {
    const assign = el("button", { type: "button", class: "assign" }, t("opinion.to_assignment"));
    const body = { location: { name: w.title.slice(0, 200), lat: 0, lon: 0 } };
    assign.addEventListener("click", () => act(assign, (o) => api("POST", `/api/opinion/warnings/${w.id}/assignment`, body, o), status).then((ok) => ok && load()));
    actions.push(assign);
  }
  if (may("reporter", "dispatcher", "editor", "desk_head", "chief_editor") && !w.topic) {
    const topic = el("button", { type: "button", class: "topic" }, t("opinion.to_topic"));
    const d = new Date();
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    topic.addEventListener("click", () => act(topic, (o) => api("POST", `/api/opinion/warnings/${w.id}/topic`, { day }, o), status).then((ok) => ok && load()));
    actions.push(topic);
  }
  return el(
    "li",
    { class: `warning lvl-${w.level} state-${w.state}`, dataset: { id: w.id, level: w.level, state: w.state } },
    el("span", { class: "lvl" }, LEVEL_WORDS[w.level]),
    el("b", { class: "title" }, w.title),
    el("span", { class: "state" }, STATE_WORDS[w.state] || w.state),
    el("span", { class: "since" }, `${minutesSince(w.raised_at)}${t("wall.min")}`),
    w.escalated_to ? el("span", {}, `${t("opinion.escalated_to")} ${w.escalated_to}`) : null,
    w.acknowledged_by ? el("span", {}, `${t("opinion.acknowledged_by")} ${w.acknowledged_by}`) : null,
    w.repeats ? el("span", {}, `${t("opinion.repeats")} ${w.repeats}`) : null,
    el("div", { class: "reasons" }, w.reasons.map((r) => el("div", { class: "reason" }, say(r)))),
    ...actions,
    status,
  );
}

function render(desk) {
  fill($("warnings"), desk.warnings.length ? desk.warnings.map(warning) : el("li", { class: "calm" }, t("opinion.none")));
  fill(
    $("feeds"),
    desk.feeds.map((f) => {
      const h = f.health;
      const state = f.failing || h?.state === "failing" ? t("opinion.feed.failing") : t("opinion.feed.ok");
      const facts = [f.name, f.kind, state, h?.failures ? `${t("opinion.feed.failures")} ${h.failures}` : null, f.error || h?.last_error];
      return el("li", { class: f.failing ? "bad" : "ok", dataset: { feed: f.name } }, facts.filter(Boolean).join(" · "));
    }),
  );
  fill(
    $("rules"),
    desk.rules.map((r) => el("li", {}, el("span", { class: `lvl lvl-${r.level}` }, LEVEL_WORDS[r.level]), ` ${r.name}: ${[...r.terms, ...r.places].join("、")}`)),
  );
  fill(
    $("items"),
    desk.items.map((i) => el("li", { dataset: { id: i.id } }, i.level ? el("span", { class: `lvl lvl-${i.level}` }, LEVEL_WORDS[i.level]) : null, ` ${i.title} · ${i.feed} · ${dayTime(i.collected_at)}`)),
  );
}

async function load() {
  render(await api("GET", "/api/opinion"));
}

let pending = null;
new WallFeed({
  onState: (wall) => {
    const key = JSON.stringify(wall.warnings || {});
    if (key === pending) return;
    pending = key;
    load();
  },
  onStatus: () => {},
}).start();
load();
setInterval(load, 30000);
