// The wall's watch panels: who is on duty now and who leads, and the 舆情 warnings by level
// (unacknowledged first). Both come from the wall's own sections (projections/wall_watch.py).

import { el, fill, LEVEL_WORDS, minutesSince, now, say, t } from "./common.js";

const LEVELS = Object.keys(LEVEL_WORDS);
const STATE_ORDER = ["escalated", "raised", "acknowledged"];

/** Who is on duty at the wall's moment: every shift that holds it; the latest-started leads. */
export function onDuty(shifts, at = now()) {
  const holding = Object.values(shifts || {})
    .filter((s) => !s.cancelled && Date.parse(s.start) <= at && at < Date.parse(s.end))
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const people = [...new Set(holding.flatMap((s) => s.on_duty))];
  return { leader: holding.at(-1)?.leader || null, people };
}

function renderDuty(root, wall, at) {
  const body = root.querySelector("#duty .body");
  if (!body) return;
  const duty = onDuty(wall.shifts, at);
  fill(
    body,
    el("div", { class: "duty-leader" }, el("span", { class: "k" }, t("duty.leader")), " ", el("b", { id: "duty-leader" }, duty.leader || t("duty.nobody"))),
    el("div", { class: "duty-people", id: "duty-people" }, duty.people.length ? duty.people.join("、") : t("duty.nobody")),
  );
}

function renderOpinion(root, wall) {
  const body = root.querySelector("#opinion .body");
  if (!body) return;
  const warnings = Object.values(wall.warnings || {}).sort(
    (a, b) =>
      STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) ||
      LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
      String(b.raised_at).localeCompare(String(a.raised_at)),
  );
  const counts = LEVELS.map((level) =>
    el("span", { class: `lvl lvl-${level}` }, `${LEVEL_WORDS[level]} ${warnings.filter((w) => w.level === level).length}`),
  );
  const item = (w) =>
    el(
      "li",
      { class: `warning lvl-${w.level} state-${w.state}`, dataset: { id: w.id, level: w.level, state: w.state } },
      el("span", { class: "lvl" }, LEVEL_WORDS[w.level]),
      el("span", { class: "title" }, w.title),
      el("span", { class: "since" }, `${minutesSince(w.raised_at)}${t("wall.min")}`),
      w.state === "escalated" ? el("span", { class: "escalated" }, `${t("opinion.escalated_to")} ${w.escalated_to || t("duty.nobody")}`) : null,
      w.state === "acknowledged" ? el("span", { class: "acked" }, `${t("opinion.acknowledged_by")} ${w.acknowledged_by}`) : null,
      w.reasons?.length ? el("span", { class: "reason" }, say(w.reasons[0])) : null,
    );
  fill(body, el("div", { class: "levels" }, counts), el("ul", { class: "warnings" }, warnings.slice(0, 8).map(item)));
}

/** Draws both panels; `at` is the wall's moment (now, or the replayed time). */
export function renderWatch(root, wall, at = now()) {
  renderDuty(root, wall, at);
  renderOpinion(root, wall);
}
