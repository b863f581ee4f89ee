// The duty editor's leads page: pick a lead, then route it to a department with a due date,
// record the department's answer, mark it a duplicate, or turn it into an assignment or a topic.
// Everything people typed is put in as text (el(), never HTML).

import { act, api, config, dayTime, el, fill, label, t } from "./common.js";

const list = document.getElementById("lead-list");
const pane = document.getElementById("lead");
const filter = document.getElementById("lead-filter");
let leads = [];
let departments = [];
let current = null;

const pct = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`);
const isOpen = (lead) => lead.state === "received" || lead.state === "routed";

async function load() {
  const query = filter.value === "overdue" ? "?overdue=true" : "";
  const [found, deps, rates] = await Promise.all([
    api("GET", `/api/leads${query}`),
    api("GET", "/api/departments"),
    api("GET", "/api/leads/rates"),
  ]);
  leads = filter.value === "open" ? found.leads.filter(isOpen) : found.leads;
  departments = deps.departments;
  fill(document.getElementById("lead-counts"), `${t("wall.leads_open")} ${found.open} · ${t("wall.leads_overdue")} ${found.overdue}`);
  renderList();
  renderRates(rates.rates);
  renderDepartments();
  if (current) show(leads.find((lead) => lead.id === current) || null);
}

function renderList() {
  if (!leads.length) return fill(list, el("li", { class: "calm" }, t("leads.none")));
  fill(
    list,
    leads.map((lead) =>
      el(
        "li",
        {
          dataset: { id: lead.id, state: lead.state },
          "aria-current": String(lead.id === current),
          onclick: () => {
            current = lead.id;
            renderList();
            show(lead);
          },
        },
        el("b", {}, label("tip.kind", lead.kind)),
        " ",
        el("span", { class: lead.level > 0 ? "overdue" : "" }, label("tip.state", lead.state)),
        " · ",
        dayTime(lead.received_at),
        el("div", { class: "text" }, lead.text.slice(0, 120)),
      ),
    ),
  );
}

function field(labelText, input) {
  return el("label", {}, labelText, " ", input);
}

function show(lead) {
  if (!lead) return fill(pane, el("p", { class: "calm" }, t("leads.pick")));
  const status = el("span", { class: "status" });
  const post = (action, body) => (button) =>
    act(button, (opts) => api("POST", `/api/leads/${lead.id}/${action}`, body(), opts), status).then((r) => r && load());
  const parts = [
    el("h2", {}, label("tip.kind", lead.kind), " · ", label("tip.state", lead.state)),
    el("p", { class: "text", id: "lead-text" }, lead.text),
    el("dl", {},
      el("dt", {}, t("leads.contact")), el("dd", { id: "lead-contact" }, lead.contact || "—"),
      el("dt", {}, t("leads.place")), el("dd", {}, lead.location?.name || "—"),
      el("dt", {}, t("leads.channel")), el("dd", {}, `${lead.channel} · ${lead.source}${lead.source_ref ? ` · ${lead.source_ref}` : ""}`),
      el("dt", {}, t("leads.department")), el("dd", {}, lead.department_name || "—"),
      el("dt", {}, t("leads.due")), el("dd", {}, lead.due ? dayTime(lead.due) : "—"),
    ),
    lead.attachments.length
      ? el("p", {}, lead.attachments.map((a, i) =>
          el("a", { href: `/api/leads/${lead.id}/files/${a.id}`, target: "_blank", rel: "noopener", class: "attachment" }, `${t("leads.file")} ${i + 1} (${a.content_type})`, " ")))
      : null,
    lead.answer ? el("p", { class: "text answer" }, `${t("leads.answer")}: `, lead.answer) : null,
  ];
  if (lead.state === "received" || lead.state === "routed") {
    const dep = el("select", { id: "route-department" }, departments.map((d) => el("option", { value: d.name }, d.name)));
    const due = el("input", { id: "route-due", type: "datetime-local" });
    const soon = new Date(Date.now() + 3 * 86400000);
    due.value = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const note = el("input", { id: "route-note", maxlength: 2000, placeholder: t("leads.note") });
    const answer = el("textarea", { id: "answer-text", rows: 3, maxlength: 5000 });
    const title = el("input", { id: "make-title", maxlength: 200, value: lead.text.slice(0, 40) });
    const reporter = el("input", { id: "make-reporter", maxlength: 40, placeholder: t("leads.reporter") });
    const other = el("select", { id: "duplicate-of" }, leads.filter((l) => l.id !== lead.id).map((l) => el("option", { value: l.id }, l.text.slice(0, 40))));
    const button = (id, text, run) => {
      const b = el("button", { type: "button", id }, text);
      b.addEventListener("click", () => run(b));
      return b;
    };
    parts.push(
      el("form", { class: "route" },
        field(t("leads.department"), dep), field(t("leads.due"), due), note,
        button("route", t("leads.route"), post("route", () => ({ department: dep.value, due: new Date(due.value).toISOString(), note: note.value })))),
      el("form", { class: "answer" },
        field(t("leads.answer"), answer),
        button("answer", t("leads.record_answer"), post("answer", () => ({ answer: answer.value })))),
      el("form", { class: "make" },
        field(t("leads.title"), title), reporter,
        button("make-assignment", t("leads.make_assignment"), post("assignment", () => {
          const body = { title: title.value };
          if (reporter.value.trim()) body.reporter = reporter.value.trim();
          return body;
        })),
        button("make-topic", t("leads.make_topic"), post("topic", () => ({ title: title.value })))),
      el("form", { class: "duplicate" },
        field(t("leads.duplicate_of"), other),
        button("duplicate", t("leads.mark_duplicate"), post("duplicate", () => ({ of: other.value })))),
    );
  }
  parts.push(status);
  fill(pane, ...parts);
}

function renderRates(rows) {
  fill(
    document.querySelector("#rates tbody"),
    rows.map((r) =>
      el("tr", {}, el("td", {}, r.month), el("td", {}, r.department), el("td", {}, r.routed), el("td", {}, r.answered),
        el("td", {}, pct(r.reply_rate)), el("td", {}, pct(r.on_time_rate))),
    ),
  );
}

function renderDepartments() {
  fill(
    document.getElementById("departments"),
    departments.map((d) => el("li", {}, el("b", {}, d.name), " ", d.contacts)),
  );
}

const form = document.getElementById("department-form");
if ((config.roles || []).includes("admin")) {
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { name: document.getElementById("department-name").value, contacts: document.getElementById("department-contacts").value };
    act(form.querySelector("button"), (opts) => api("POST", "/api/departments", body, opts), document.getElementById("department-status")).then((r) => r && load());
  });
}

filter.addEventListener("change", load);
load();
setInterval(load, 30000);
