// The emergency-broadcast desk: draft a CAP alert; a chief editor (never its author) approves or
// rejects it with a reason; an approved alert can be updated or cancelled by a new message.

import { act, api, config, dayTime, el, fill, label, t } from "./common.js";

const $ = (id) => document.getElementById(id);
const form = $("draft");
const approver = config.roles.includes("chief_editor") || config.roles.includes("admin");
const REFRESH = 5000;

/** A datetime-local value (the browser's zone) as RFC 3339 with its offset. */
function rfc3339(local) {
  if (!local) return null;
  const moment = new Date(local);
  const offset = -moment.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${hh}:${mm}`;
}

function localValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function resetForm() {
  form.reset();
  form.elements.msg_type.value = "Alert";
  form.elements.references.value = "";
  form.elements.expires.value = localValue(new Date(Date.now() + 2 * 3600 * 1000));
  $("refers").hidden = true;
  $("draft-reset").hidden = true;
  $("draft-title").textContent = t("emergency.draft");
}

/** Starts an Update or a Cancel of an approved alert: the form filled with it, referring to it. */
function follow(alert, type) {
  for (const name of ["headline", "event", "category", "area", "description", "instruction", "urgency", "severity", "certainty"]) {
    form.elements[name].value = alert[name] || "";
  }
  form.elements.msg_type.value = type;
  form.elements.references.value = alert.id;
  form.elements.expires.value = localValue(new Date(Date.parse(alert.expires)));
  form.elements.reason.value = "";
  $("refers").hidden = false;
  $("refers").textContent = `${label("emergency", type === "Cancel" ? "cancels" : "updates")}: ${alert.headline}`;
  $("draft-reset").hidden = false;
  $("draft-title").textContent = label("emergency", type === "Cancel" ? "cancel" : "update");
  form.scrollIntoView({ behavior: "smooth" });
}

function stateOf(a) {
  if (a.on_air) return "on_air";
  if (a.superseded_by) return "superseded";
  return a.state;
}

function decision(a) {
  if (a.state !== "drafted" || !approver || a.author === config.me) return null;
  const reason = el("input", { placeholder: t("emergency.reason"), maxlength: "2000" });
  const decide = (verb) => async (event) => {
    if (!reason.value.trim()) return reason.focus();
    const done = await act(event.target, (opts) => api("POST", `/api/alerts/${a.id}/${verb}`, { reason: reason.value }, opts), $("decide-status"));
    if (done) load();
  };
  return el(
    "div",
    { class: "decide" },
    reason,
    el("button", { type: "button", class: "primary", onclick: decide("approve") }, t("emergency.approve")),
    el("button", { type: "button", onclick: decide("reject") }, t("emergency.reject")),
  );
}

function item(a) {
  const state = stateOf(a);
  const followUps =
    a.state === "approved" && !a.superseded_by && a.msg_type !== "Cancel"
      ? el(
          "div",
          { class: "follow" },
          el("button", { type: "button", onclick: () => follow(a, "Update") }, t("emergency.update")),
          el("button", { type: "button", onclick: () => follow(a, "Cancel") }, t("emergency.cancel")),
        )
      : null;
  return el(
    "li",
    { class: `alert state-${state}`, dataset: { id: a.id } },
    el("div", { class: "head" }, el("b", {}, a.headline), el("span", { class: `pill ${state}` }, label("emergency", state))),
    el("div", { class: "muted" }, `${label("cap", a.msg_type)} · ${label("cap", a.severity)} · ${a.area} · ${dayTime(a.effective)} – ${dayTime(a.expires)}`),
    el("p", {}, a.description),
    el(
      "div",
      { class: "muted" },
      `${t("emergency.drafted_by")} ${a.author} (${a.draft_reason})`,
      a.approver ? ` · ${t("emergency.approved_by")} ${a.approver} (${a.decision_reason})` : "",
      a.state === "rejected" ? ` · ${t("emergency.rejected")}: ${a.decision_reason}` : "",
      a.aired_on.length ? ` · ${t("emergency.aired_on")} ${a.aired_on.join(", ")}` : "",
      a.spoken === false ? ` · ${t("wall.emergency_no_voice")}` : "",
    ),
    a.state === "approved" ? el("a", { href: `/cap/${a.id}.xml` }, "CAP") : null,
    decision(a),
    followUps,
  );
}

async function load() {
  try {
    const { alerts } = await api("GET", "/api/alerts");
    const box = $("alerts");
    if (box.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
    fill(box, alerts.length ? alerts.map(item) : el("li", { class: "calm" }, t("emergency.none")));
  } catch (error) {
    $("decide-status").textContent = error.message;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = form.elements;
  const body = {
    msg_type: f.msg_type.value,
    references: f.references.value ? [f.references.value] : [],
    headline: f.headline.value,
    event: f.event.value,
    category: f.category.value,
    area: f.area.value,
    description: f.description.value,
    instruction: f.instruction.value,
    urgency: f.urgency.value,
    severity: f.severity.value,
    certainty: f.certainty.value,
    expires: rfc3339(f.expires.value),
    reason: f.reason.value,
  };
  if (f.effective.value) body.effective = rfc3339(f.effective.value);
  const button = form.querySelector("button[type=submit]");
  const done = await act(button, (opts) => api("POST", "/api/alerts", body, opts), $("draft-status"));
  if (done) {
    resetForm();
    load();
  }
});
$("draft-reset").addEventListener("click", resetForm);

resetForm();
load();
setInterval(load, REFRESH);
