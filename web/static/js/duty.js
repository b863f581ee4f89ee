// The duty roster: who is on duty now and who leads, the shifts ahead (set by the desk),
// handovers signed by both people, and the safe-broadcast inspection ticked item by item.

import { act, api, config, dayTime, el, fill, t } from "./common.js";

const $ = (id) => document.getElementById(id);
const CHECK_WORDS = {
  signal: t("duty.check.signal"),
  backup_path: t("duty.check.backup_path"),
  recording: t("duty.check.recording"),
  output: t("duty.check.output"),
};
const CHECKS = Object.keys(CHECK_WORDS);
const may = (...roles) => config.roles.includes("admin") || roles.some((r) => config.roles.includes(r));
const iso = (local) => new Date(local).toISOString();

function renderNow(now) {
  $("now-leader").textContent = now.leader || t("duty.nobody");
  $("now-people").textContent = now.on_duty.length ? now.on_duty.join("、") : t("duty.nobody");
}

function renderShifts(shifts) {
  if (!shifts.length) return fill($("shifts"), el("tr", {}, el("td", { colspan: 4, class: "calm" }, t("duty.no_shifts"))));
  fill(
    $("shifts"),
    shifts.map((s) =>
      el(
        "tr",
        { class: s.cancelled ? "cancelled" : null },
        el("td", {}, dayTime(s.start)),
        el("td", {}, dayTime(s.end)),
        el("td", {}, s.on_duty.join("、")),
        el("td", {}, s.leader),
      ),
    ),
  );
}

function listed(items, what) {
  return items.length ? `${what} ${items.length}` : null;
}

function renderHandovers(handovers) {
  fill(
    $("handovers"),
    handovers.map((h) => {
      const facts = [
        `${h.leaving} → ${h.arriving}`,
        dayTime(h.written_at),
        listed(h.open_warnings, t("duty.open_warnings")),
        listed(h.overdue, t("duty.overdue")),
        listed(h.on_air, t("duty.on_air")),
        h.countersigned_at ? `${t("duty.countersigned")} ${dayTime(h.countersigned_at)}` : t("duty.unsigned"),
      ].filter(Boolean);
      const item = el("li", { dataset: { id: h.id } }, el("div", {}, facts.join(" · ")), h.note ? el("p", { class: "note" }, h.note) : null);
      if (!h.countersigned_at && h.arriving === config.me) {
        item.append(...postButton("countersign", t("duty.countersign"), `/api/duty/handovers/${h.id}/countersign`));
      }
      return item;
    }),
  );
}

/** A button that POSTs to `path` and then loads the roster again, and its status beside it. */
function postButton(cls, words, path) {
  const status = el("span", { class: "status" });
  const button = el("button", { type: "button", class: cls }, words);
  button.addEventListener("click", () => act(button, (o) => api("POST", path, {}, o), status).then((ok) => ok && load()));
  return [button, status];
}

function tickForm(inspection, item) {
  const finding = el("input", { name: "finding", placeholder: t("duty.finding") });
  const status = el("span", { class: "status" });
  const tick = (ok) => (event) =>
    act(event.target, (o) => api("POST", `/api/duty/inspections/${inspection.id}/items`, { item, ok, finding: finding.value }, o), status).then((done) => done && load());
  return el(
    "div",
    { class: "tick", dataset: { item } },
    el("b", {}, CHECK_WORDS[item]),
    finding,
    el("button", { type: "button", class: "ok", onclick: tick(true) }, t("duty.in_order")),
    el("button", { type: "button", class: "bad", onclick: tick(false) }, t("duty.not_in_order")),
    status,
  );
}

function renderInspections(inspections) {
  fill(
    $("inspections"),
    inspections.map((i) => {
      const ticked = i.items.map((x) =>
        el("div", { class: x.ok ? "ok" : "bad" }, `${CHECK_WORDS[x.item]} · ${x.ok ? t("duty.in_order") : t("duty.not_in_order")} · ${dayTime(x.at)}${x.finding ? ` · ${x.finding}` : ""}`),
      );
      const item = el("li", { dataset: { id: i.id } }, el("div", {}, `${i.inspector} · ${dayTime(i.started_at)} · ${i.completed_at ? t("duty.complete") : t("duty.open")}`), ticked);
      if (!i.completed_at && i.inspector === config.me) {
        const done = new Set(i.items.map((x) => x.item));
        CHECKS.filter((c) => !done.has(c)).forEach((c) => item.append(tickForm(i, c)));
        item.append(...postButton("complete", t("duty.complete_inspection"), `/api/duty/inspections/${i.id}/complete`));
      }
      return item;
    }),
  );
}

async function load() {
  const roster = await api("GET", "/api/duty");
  renderNow(roster.now);
  renderShifts(roster.shifts);
  renderHandovers(roster.handovers);
  renderInspections(roster.inspections);
}

$("schedule").hidden = !may("desk_head", "chief_editor");
$("schedule").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = new FormData(event.target);
  const body = {
    start: iso(f.get("start")),
    end: iso(f.get("end")),
    on_duty: String(f.get("on_duty")).split(/[,，、\s]+/).filter(Boolean),
    leader: String(f.get("leader")).trim(),
  };
  act(event.submitter, (o) => api("POST", "/api/duty/shifts", body, o), $("schedule-status")).then((ok) => ok && load());
});
$("handover").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = new FormData(event.target);
  const body = { arriving: String(f.get("arriving")).trim(), note: String(f.get("note")) };
  act(event.submitter, (o) => api("POST", "/api/duty/handovers", body, o), $("handover-status")).then((ok) => ok && load());
});
$("inspect").addEventListener("click", (event) =>
  act(event.target, (o) => api("POST", "/api/duty/inspections", {}, o), $("inspect-status")).then((ok) => ok && load()),
);
load();
setInterval(load, 30000);
