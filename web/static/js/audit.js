// The audit trail: the timeline by person or subject, and a scrubber that shows the wall as it
// was at any position of the log (GET /api/wall?at=), with a link to open that moment on the wall.

import { api, dayTime, el, fill, hhmm, syncClock, t } from "./common.js";
import { Tiles, renderClock, renderPanels } from "./wallview.js";

const $ = (id) => document.getElementById(id);
const frame = $("frame");
const wallRoot = $("wall");
const scrub = $("scrub");
const tiles = new Tiles(wallRoot);
let timer = null;
let asked = 0;

function fit() {
  const inner = wallRoot;
  inner.style.transform = `scale(${frame.clientWidth / 1280})`;
}
addEventListener("resize", fit);
fit();

async function show(position) {
  const ticket = ++asked;
  const wall = await api("GET", `/api/wall?at=${position}`).catch(() => null);
  if (!wall || ticket !== asked) return; // a later move of the scrubber wins
  if (wall.as_at) syncClock(wall.as_at);
  renderPanels(wallRoot, wall, null);
  tiles.render(wall);
  renderClock(wallRoot);
  const when = wall.as_at ? `${dayTime(wall.as_at)}` : "—";
  $("scrub-at").textContent = `${when} · ${t("wall.replay_position")} ${wall.position}`;
  $("open-wall").href = `/wall?at=${wall.position}`;
  const banner = wallRoot.querySelector(".banner");
  banner.hidden = false;
  banner.className = "banner banner-replay";
  banner.textContent = `REPLAY ${wall.as_at ? hhmm(wall.as_at) : ""} / 回溯`;
  wallRoot.dataset.state = "replay";
  document.querySelectorAll("#timeline tr").forEach((tr) => tr.setAttribute("aria-selected", String(Number(tr.dataset.position) === wall.position)));
}

scrub.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => show(Number(scrub.value)), 120);
});

async function load() {
  const f = new FormData($("filter"));
  const query = new URLSearchParams({ limit: "1000" });
  for (const name of ["actor", "subject"]) if (f.get(name)) query.set(name, f.get(name).trim());
  const found = await api("GET", `/api/audit?${query}`).catch((error) => ({ error }));
  if (found.error) return fill($("timeline"), el("tr", {}, el("td", { colspan: 6, class: "error" }, found.error.message)));
  const entries = found.entries;
  if (!entries.length) return fill($("timeline"), el("tr", {}, el("td", { colspan: 6, class: "calm" }, t("audit.empty"))));
  fill(
    $("timeline"),
    entries
      .slice()
      .reverse()
      .map((e) => {
        const row = el(
          "tr",
          { dataset: { position: e.position } },
          el("td", { class: "when" }, dayTime(e.recorded_at)),
          el("td", { class: "when" }, e.position),
          el("td", {}, e.actor),
          el("td", {}, e.action),
          el("td", {}, e.summary),
          el("td", {}, e.reason || ""),
        );
        row.addEventListener("click", () => {
          scrub.value = e.position;
          show(e.position);
        });
        return row;
      }),
  );
}

$("filter").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

api("GET", "/api/events?limit=1").then((page) => {
  scrub.max = page.head;
  scrub.value = page.head;
  show(page.head);
});
load();
