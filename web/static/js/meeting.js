// The topic meeting (选题会): the day's proposals, a decision with its reason for each, assignments
// made from an approved topic in one step, and the minutes to print or download.

import { act, api, config, el, fill, hhmm, label, proposeTopic, t } from "./common.js";

const $ = (id) => document.getElementById(id);
const DECIDERS = ["desk_head", "chief_editor", "admin"];
const ASSIGNERS = ["dispatcher", "desk_head", "chief_editor", "admin"];
const may = (roles) => config.roles.some((r) => roles.includes(r));
const two = (n) => String(n).padStart(2, "0");
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
};

const params = new URLSearchParams(location.search);
let day = params.get("day") || today();
$("day").value = day;

function setDay(value) {
  day = value;
  const query = new URLSearchParams(location.search);
  query.set("day", day);
  history.replaceState(null, "", `?${query}`);
  $("export-md").href = `/api/topics/minutes?day=${day}&format=md`;
  $("export-csv").href = `/api/topics/minutes?day=${day}&format=csv`;
  load();
}

$("day-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setDay($("day").value || today());
});
$("print").addEventListener("click", () => window.print());

$("propose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = $("propose");
  const done = await proposeTopic(form, day, $("propose-status"));
  if (done) {
    form.reset();
    load();
  }
});

async function load() {
  try {
    const held = await api("GET", `/api/topics?day=${day}`);
    fill($("topics"), held.topics.length ? held.topics.map(topicCard) : el("p", { class: "calm" }, t("meeting.none")));
    $("minutes-day").textContent = held.day;
    fill($("minutes"), held.minutes.map(minuteItem));
  } catch (error) {
    fill($("topics"), el("p", { class: "bad" }, error.message));
  }
}

function topicCard(topic) {
  const facts = [
    `${t("meeting.by")} ${topic.proposer}`,
    label("origin", topic.origin),
    topic.channels.map((c) => label("channel", c)).join(" · "),
  ].filter(Boolean);
  return el(
    "article",
    { class: `topic ${topic.state}`, dataset: { topic: topic.id } },
    el("h3", {}, topic.title, " ", el("span", { class: "tag" }, label("topic", topic.state))),
    el("p", { class: "muted" }, facts.join(" · ")),
    topic.angle ? el("p", {}, `${t("meeting.angle")}: ${topic.angle}`) : null,
    topic.resources ? el("p", {}, `${t("meeting.resources")}: ${topic.resources}`) : null,
    topic.decisions.length ? el("ul", { class: "decisions" }, topic.decisions.map(decisionLine)) : null,
    topic.assignments.length ? el("ul", { class: "made" }, topic.assignments.map(assignmentLine)) : null,
    ["proposed", "deferred"].includes(topic.state) && may(DECIDERS) ? decideForm(topic) : null,
    topic.state === "approved" && may(ASSIGNERS) ? assignForm(topic) : null,
  );
}

const decisionLine = (d) =>
  el("li", {}, `${label("decision", d.decision)} · ${d.by} ${hhmm(d.at)} · ${d.reason}`, d.next_day ? ` → ${d.next_day}` : "");

const assignmentLine = (a) => el("li", {}, `${a.title} → ${a.reporter || "—"} (${label("state", a.state)})`);

function decideForm(topic) {
  const reason = el("textarea", { name: "reason", required: true, maxlength: 2000, placeholder: t("meeting.reason") });
  const status = el("span", { class: "status" });
  const button = (decision) =>
    el("button", {
      type: "button",
      class: decision === "approve" ? "primary" : "",
      dataset: { decision },
      onclick: async (event) => {
        if (!reason.value.trim()) {
          reason.reportValidity();
          return;
        }
        const body = { decision, reason: reason.value };
        const done = await act(event.target, (o) => api("POST", `/api/topics/${topic.id}/decision`, body, o), status);
        if (done) load();
      },
    }, label("decision", decision));
  return el("div", { class: "decide" }, reason, el("p", {}, button("approve"), button("defer"), button("drop"), status));
}

function assignForm(topic) {
  const rows = el("div", { class: "assign-rows" });
  const addRow = () =>
    rows.append(
      el(
        "div",
        { class: "row assign-row" },
        el("label", {}, t("meeting.reporter"), el("input", { name: "reporter", maxlength: 40 })),
        el("label", {}, t("console.location"), el("input", { name: "location", required: true })),
        el("label", {}, t("console.lat"), el("input", { name: "lat", type: "number", step: "any", min: -90, max: 90, required: true })),
        el("label", {}, t("console.lon"), el("input", { name: "lon", type: "number", step: "any", min: -180, max: 180, required: true })),
      ),
    );
  addRow();
  const status = el("span", { class: "status" });
  const form = el(
    "form",
    { class: "assign" },
    el("h4", {}, t("meeting.make_assignments")),
    rows,
    el("p", {}, el("button", { type: "button", onclick: addRow }, t("meeting.another")), " ",
      el("button", { type: "submit", class: "primary" }, t("meeting.assign")), status),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const assignments = [...rows.querySelectorAll(".assign-row")].map((row) => {
      const value = (name) => row.querySelector(`[name=${name}]`).value.trim();
      const item = { location: { name: value("location"), lat: Number(value("lat")), lon: Number(value("lon")) } };
      if (value("reporter")) item.reporter = value("reporter");
      return item;
    });
    const done = await act(form.querySelector("button[type=submit]"), (o) => api("POST", `/api/topics/${topic.id}/assignments`, { assignments }, o), status);
    if (done) load();
  });
  return form;
}

function minuteItem(m) {
  return el(
    "li",
    {},
    el("strong", {}, m.title),
    ` — ${label("decision", m.decision)} (${m.by}, ${hhmm(m.at)}): ${m.reason}`,
    m.next_day ? ` → ${m.next_day}` : "",
    m.assignments.length ? el("ul", {}, m.assignments.map(assignmentLine)) : null,
  );
}

setDay(day);
