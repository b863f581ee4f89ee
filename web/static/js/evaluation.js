// The evaluation (评, 考核): a period's figures per person and per desk, the points by the centre's
// rule, two charts (ECharts, vendored in /static/vendor/echarts) and the CSV export. `at` shows
// the page as the log stood at a past moment.

import { api, el, fill, label, span, t } from "./common.js";

const $ = (id) => document.getElementById(id);
const form = $("period");
const charts = {};

function query() {
  const f = new FormData(form);
  const q = new URLSearchParams();
  for (const name of ["start", "end"]) if (f.get(name)) q.set(name, f.get(name));
  const at = f.get("at");
  if (at) q.set("at", new Date(at).toISOString());
  return q;
}

function fromLocation() {
  const q = new URLSearchParams(location.search);
  for (const name of ["start", "end"]) if (q.get(name)) form.elements[name].value = q.get(name);
  const at = q.get("at");
  if (at && !Number.isNaN(Date.parse(at))) {
    const d = new Date(at);
    form.elements.at.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = query();
  history.replaceState(null, "", `?${q}`);
  load(q);
});

async function load(q) {
  $("export").href = `/api/evaluation/export?${q}`;
  try {
    const found = await api("GET", `/api/evaluation?${q}`);
    show(found);
  } catch (error) {
    $("summary").textContent = error.message;
    $("summary").className = "bad";
  }
}

const COLUMNS = [
  ["assignments_done", t("evaluation.assignments_done")],
  ["captures", t("evaluation.captures")],
  ["products", t("evaluation.products")],
  ["products_per_capture", t("evaluation.products_per_capture")],
  ["publications_total", t("evaluation.publications")],
  ["median_to_first_publication_s", t("evaluation.median_first")],
  ["fast_tracks", t("evaluation.fast_tracks")],
  ["adoptions", t("evaluation.adoptions")],
  ["points", t("evaluation.points")],
];

function cell(row, key) {
  const value = row[key];
  if (key === "median_to_first_publication_s") return value == null ? "—" : span(value);
  if (key === "adoptions") return String(Object.values(value).reduce((a, b) => a + b, 0));
  return String(value);
}

function table(node, rows, channels, firstHead) {
  const head = el("tr", {}, el("th", {}, firstHead), COLUMNS.map(([, words]) => el("th", {}, words)), channels.map((c) => el("th", {}, label("channel", c))));
  const body = rows.map((row) =>
    el("tr", { dataset: { name: row.name } }, el("td", {}, row.name), COLUMNS.map(([key]) => el("td", { dataset: { key } }, cell(row, key))), channels.map((c) => el("td", {}, String(row.publications[c] || 0)))),
  );
  fill(node, el("thead", {}, head), el("tbody", {}, body.length ? body : el("tr", {}, el("td", { colspan: 1 + COLUMNS.length + channels.length, class: "calm" }, t("evaluation.nothing")))));
}

function show(found) {
  form.elements.start.value = found.start;
  form.elements.end.value = found.end;
  const used = found.channels.filter((c) => found.people.some((p) => p.publications[c]));
  const summary = `${found.start} — ${found.end} · ${t("evaluation.publications")} ${found.totals.publications_total} · ${t("evaluation.points")} ${found.totals.points}`;
  $("summary").className = found.at ? "replay" : "muted";
  $("summary").textContent = found.at ? `${t("evaluation.as_at")} ${found.at} · ${summary}` : summary;
  table($("people"), found.people, used, t("evaluation.person"));
  table($("desks"), found.desks, used, t("evaluation.desk"));
  showRule(found.rule);
  chart("points-chart", {
    tooltip: {},
    xAxis: { type: "category", data: found.people.map((p) => p.name) },
    yAxis: { type: "value" },
    series: [{ type: "bar", name: t("evaluation.points"), data: found.people.map((p) => p.points) }],
  });
  chart("channels-chart", {
    tooltip: { trigger: "axis" },
    legend: { data: used.map((c) => label("channel", c)) },
    xAxis: { type: "category", data: found.people.map((p) => p.name) },
    yAxis: { type: "value", minInterval: 1 },
    series: used.map((c) => ({ type: "bar", stack: "all", name: label("channel", c), data: found.people.map((p) => p.publications[c] || 0) })),
  });
}

function showRule(rule) {
  const rows = [
    ...Object.entries(rule.channels).map(([c, points]) => [label("channel", c), points]),
    [t("evaluation.captures"), rule.capture],
    [t("evaluation.fast_tracks"), rule.fast_track],
    ...Object.entries(rule.adoption).map(([level, points]) => [`${t("evaluation.adoptions")} · ${label("adoption", level)}`, points]),
    ...Object.entries(rule.desks).map(([desk, members]) => [`${t("evaluation.desk")} · ${desk}`, members.join(", ")]),
  ];
  fill($("rule"), el("tbody", {}, rows.map(([what, value]) => el("tr", {}, el("td", {}, what), el("td", {}, String(value))))));
}

function chart(id, option) {
  const echarts = window.echarts;
  if (!echarts) return; // the page's figures stand without the charts
  const node = $(id);
  charts[id] = charts[id] || echarts.init(node, "dark", { renderer: "canvas" });
  charts[id].setOption({ backgroundColor: "transparent", ...option }, true);
  node.dataset.ready = "true";
}

addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
fromLocation();
load(new URLSearchParams(location.search));
