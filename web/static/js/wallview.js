// Draws a wall state (projections/wall.py) into the wall's markup (templates/_wall.html).
// Used live by the wall page and, for a past moment, by the wall's replay and the audit scrubber.

import { renderLeads } from "./wall_leads.js";
import { clock, duration, el, fill, hhmm, label, minutesSince, now, say, t } from "./common.js";

export const BOARD_ORDER = ["planned", "assigned", "accepted", "on_scene", "filed", "declined"];
const PEOPLE_ORDER = ["on_scene", "en_route", "assigned", "idle"];
const LEVELS = ["first", "second", "final"];
const WARN_MINUTES = 5;
const ALARM_MINUTES = 15;
const PER_STATE = 3;

const $ = (root, selector) => root.querySelector(selector);
const byTime = (key) => (a, b) => String(a[key] || "").localeCompare(String(b[key] || ""));

/**
 * Fills `body` with `build(limit)` for the largest limit (from `most` down) that fits without
 * scrolling: a wall has no mouse, so what does not fit is counted ("+3"), never hidden below.
 */
function fitted(body, most, build) {
  for (let limit = most; limit >= 0; limit--) {
    fill(body, build(limit));
    if (body.scrollHeight <= body.clientHeight + 1) return;
  }
}

const more = (hidden) => (hidden > 0 ? el("li", { class: "more" }, `+${hidden}`) : null);

/** Which outputs have this source on air now. */
function onAir(wall, source) {
  return Object.values(wall.outputs).filter((o) => o.state === "running" && o.on_air === source);
}

export function renderHeader(root, wall) {
  const live = Object.values(wall.sources).filter((s) => s.state === "live").length;
  $(root, "#live-count").textContent = live;
  const running = Object.values(wall.outputs).filter((o) => o.state === "running");
  fill(
    $(root, "#on-air"),
    running.length ? el("span", {}, `${t("wall.on_air")}: `) : null,
    running.map((o) =>
      el(
        "span",
        { class: `pgm ${o.failed_over ? "failed-over" : ""}` },
        el("b", {}, o.on_air === "slate" ? t("wall.slate") : o.on_air || "—"),
        ` → ${o.name}`,
        // Where it goes out: HLS always, RTMP when configured; a destination that fails is struck.
        ["hls", ...(o.rtmp ? ["rtmp"] : [])].map((d) =>
          el("span", { class: `dest ${(o.failing || []).includes(d) ? "down" : ""}` }, d.toUpperCase()),
        ),
      ),
    ),
  );
  const hour = now() - 3600 * 1000;
  const alerts = wall.alerts.filter((a) => a.severity !== "info" && Date.parse(a.at) >= hour);
  $(root, "#alert-count").textContent = alerts.length;
  $(root, "#alert-count").classList.toggle("hot", alerts.some((a) => a.severity === "critical"));
}

export function renderClock(root) {
  $(root, "#clock").textContent = clock();
}

export function renderBoard(root, wall) {
  const groups = Object.fromEntries(BOARD_ORDER.map((s) => [s, []]));
  for (const a of Object.values(wall.assignments)) (groups[a.state] ||= []).push(a);
  const rank = { urgent: 0, high: 1, normal: 2, low: 3 };
  for (const items of Object.values(groups)) {
    items.sort((a, b) => rank[a.priority] - rank[b.priority] || byTime("due")(a, b));
  }
  const rows = (limit) =>
    BOARD_ORDER.map((state) => {
      const items = groups[state];
      return el(
        "div",
        { class: `board-state state-${state}`, dataset: { state } },
        el("div", { class: "board-count" }, el("span", {}, label("state", state)), el("b", {}, items.length)),
        el("ul", {}, items.slice(0, limit).map(boardItem), more(items.length - limit)),
      );
    });
  fitted($(root, "#board .body"), PER_STATE, rows);
}

function boardItem(a) {
  const overdue = a.due && Date.parse(a.due) < now() && a.state !== "filed";
  const urgent = a.priority === "urgent" || a.priority === "high";
  return el(
    "li",
    { class: `prio-${a.priority} ${overdue ? "overdue" : ""}`, dataset: { id: a.id } },
    urgent ? el("i", { class: "prio" }, label("priority", a.priority)) : null,
    el("span", { class: "title" }, a.title),
    a.reporter ? el("span", { class: "who" }, a.reporter) : null,
    overdue ? el("span", { class: "late" }, t("wall.overdue")) : null,
  );
}

export function renderCommands(root, wall) {
  const commands = Object.values(wall.commands).sort(byTime("issued_at"));
  const body = $(root, "#commands .body");
  if (!commands.length) return fill(body, el("p", { class: "calm" }, t("wall.no_commands")));
  const item = (c) => {
    const age = minutesSince(c.issued_at);
    const level = age >= ALARM_MINUTES ? "alarm" : age >= WARN_MINUTES ? "warn" : "fresh";
    return el(
      "li",
      { class: `age-${level} cmd-${c.state}`, dataset: { id: c.id } },
      el("span", { class: "to" }, c.to),
      el("span", { class: "text" }, c.text),
      el("span", { class: "age" }, `${age}${t("wall.min")}`),
      el("span", { class: "state" }, label("command", c.state)),
    );
  };
  // The oldest first: they are the ones to chase.
  fitted(body, commands.length, (limit) =>
    el("ul", { class: "commands" }, commands.slice(0, limit).map(item), more(commands.length - limit)),
  );
}

export function renderPeople(root, wall) {
  const people = Object.values(wall.people).sort(
    (a, b) => PEOPLE_ORDER.indexOf(a.state) - PEOPLE_ORDER.indexOf(b.state) || a.name.localeCompare(b.name),
  );
  const title = (id) => wall.assignments[id]?.title || wall.finished?.[id]?.title || "";
  const item = (p) =>
    el(
      "li",
      { class: `person person-${p.state}`, dataset: { name: p.name } },
      el("span", { class: "name" }, p.display_name || p.name, p.live ? el("i", { class: "dot live" }) : null),
      el("span", { class: "state" }, label("person", p.state)),
      el("span", { class: "since" }, p.state === "idle" ? "" : `${minutesSince(p.since)}${t("wall.min")}`),
      p.assignment ? el("span", { class: "where" }, title(p.assignment)) : null,
    );
  fitted($(root, "#people .body"), people.length, (limit) =>
    el("ul", { class: "people" }, people.slice(0, limit).map(item), more(people.length - limit)),
  );
}

export function renderReviews(root, wall) {
  const reviews = Object.values(wall.reviews);
  fill(
    $(root, "#reviews .body"),
    el(
      "div",
      { class: "levels" },
      LEVELS.map((level) => {
        const waiting = reviews.filter((r) => r.level_name === level).sort(byTime("since"));
        return el(
          "div",
          { class: `level level-${level}`, dataset: { level } },
          el("div", { class: "level-head" }, el("span", {}, label("level_short", level)), el("b", {}, waiting.length)),
          el(
            "ul",
            {},
            waiting.slice(0, 2).map((r) => el("li", {}, el("span", { class: "title" }, r.title))),
          ),
        );
      }),
    ),
  );
}

/** Today's publishing matrix: the matrix read model when given, else the wall's publications. */
export function renderMatrix(root, wall, matrix) {
  const body = $(root, "#matrix .body");
  const today = new Date(now()).toDateString();
  const isToday = (iso) => iso && new Date(iso).toDateString() === today;
  if (matrix) {
    // A cell is the story's own publication there, else its product's (⚡: fast-tracked).
    const cellOf = (s, c) => {
      if (s.channels[c]) return s.channels[c];
      const p = (s.products || {})[c];
      if (!p || !["published", "retracted"].includes(p.state)) return null;
      const at = p.state === "published" ? p.published_at : p.retracted_at;
      return { state: p.state === "published" ? "live" : "retracted", at, fast: p.cleared === "fast_track" };
    };
    const stories = matrix.stories.filter((s) => matrix.channels.some((c) => isToday(cellOf(s, c.id)?.at)));
    if (!stories.length) return fill(body, el("p", { class: "calm" }, t("wall.nothing")));
    // Only the channels used today: fewer, wider columns that can be read from the hall.
    const channels = matrix.channels
      .map((c) => c.id)
      .filter((c) => stories.some((s) => isToday(cellOf(s, c)?.at)));
    return fill(
      body,
      el(
        "table",
        { class: "matrix", dataset: { columns: channels.length } },
        el("thead", {}, el("tr", {}, el("th", { class: "title" }), channels.map((c) => el("th", { title: label("channel", c) }, label("channel_short", c))))),
        el(
          "tbody",
          {},
          stories.slice(0, 6).map((s) =>
            el(
              "tr",
              {},
              el("th", { class: "title" }, s.title),
              channels.map((c) => {
                const cell = cellOf(s, c);
                const mark = !cell ? "" : cell.state === "live" ? (cell.fast ? "⚡" : "●") : "✕";
                return el("td", { class: cell ? `cell-${cell.state}` : "" }, mark);
              }),
            ),
          ),
        ),
      ),
    );
  }
  const published = wall.publications.filter((p) => isToday(p.at)).slice(-6).reverse();
  if (!published.length) return fill(body, el("p", { class: "calm" }, t("wall.nothing")));
  fill(
    body,
    el(
      "ul",
      { class: "publications" },
      published.map((p) =>
        el(
          "li",
          { class: `pub-${p.action}` },
          el("span", { class: "at" }, hhmm(p.at)),
          el("span", { class: "title" }, p.title),
          el("span", { class: "channels" }, p.channels.map((c) => label("channel", c)).join(" ")),
        ),
      ),
    ),
  );
}

export function renderTicker(root, wall) {
  const track = $(root, "#ticker .track");
  const alerts = wall.alerts.slice(-12).reverse();
  const items = alerts.length
    ? alerts.map((a) => el("span", { class: `alert sev-${a.severity}` }, el("b", {}, hhmm(a.at)), " ", say(a)))
    : [el("span", { class: "alert calm" }, t("wall.no_alerts"))];
  const text = alerts.map((a) => a.at + say(a)).join("|");
  if (track.dataset.text === text) return;
  track.dataset.text = text;
  fill(track, items);
  // Scroll only when the alerts do not fit; the speed stays readable whatever their length.
  requestAnimationFrame(() => {
    const overflow = track.scrollWidth > track.parentElement.clientWidth;
    track.classList.toggle("scrolling", overflow);
    if (overflow) {
      fill(track, items, items.map((n) => n.cloneNode(true)));
      track.style.animationDuration = `${Math.max(20, track.scrollWidth / 2 / 80)}s`;
    }
  });
}

/** Columns and rows (up to 4x4) whose tiles come closest to 16:9 in a `width` x `height` area. */
export function layout(n, width, height) {
  if (n <= 1 || !width || !height) return [1, 1];
  let best = [1, n];
  let bestMiss = Infinity;
  for (let cols = 1; cols <= 4; cols++) {
    const rows = Math.ceil(n / cols);
    if (rows > 4) continue;
    const miss = Math.abs(Math.log(width / cols / (height / rows) / (16 / 9)));
    if (miss < bestMiss) [best, bestMiss] = [[cols, rows], miss];
  }
  return best;
}

/** Live tiles, kept by source name so that a playing video survives every redraw. */
export class Tiles {
  constructor(root, { play } = {}) {
    this.grid = $(root, "#tiles");
    this.tiles = new Map();
    this.play = play; // (sourceName, videoElement, onState) => handle with stop(), or nothing
  }

  render(wall) {
    const order = { live: 0, interrupted: 1, idle: 2 };
    const sources = Object.values(wall.sources)
      .sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name))
      .slice(0, 16);
    const names = new Set(sources.map((s) => s.name));
    for (const [name, tile] of this.tiles) {
      if (!names.has(name)) {
        tile.handle?.stop?.();
        tile.node.remove();
        this.tiles.delete(name);
      }
    }
    const n = sources.length;
    const [cols, rows] = layout(n, this.grid.clientWidth, this.grid.clientHeight);
    this.grid.dataset.count = n;
    this.grid.style.setProperty("--cols", cols);
    this.grid.style.setProperty("--rows", rows);
    if (!n) {
      fill(this.grid, el("p", { class: "no-sources" }, t("wall.no_sources")));
      return;
    }
    this.grid.querySelector(".no-sources")?.remove();
    sources.forEach((source, index) => {
      let tile = this.tiles.get(source.name);
      if (!tile) {
        tile = this.create(source);
        this.tiles.set(source.name, tile);
      }
      this.update(tile, source, wall);
      if (this.grid.children[index] !== tile.node) this.grid.insertBefore(tile.node, this.grid.children[index] || null);
    });
  }

  create(source) {
    const video = el("video", { muted: true, autoplay: true, playsinline: true });
    video.muted = true;
    const node = el(
      "figure",
      { class: "tile", dataset: { source: source.name } },
      video,
      el("figcaption", {}, el("span", { class: "name" }), el("span", { class: "badge" })),
      el("div", { class: "under" }, el("span", { class: "assignment" }), el("span", { class: "timer" })),
      el("div", { class: "pgm-label" }),
      el("div", { class: "no-picture" }, t("wall.no_picture")),
    );
    return { node, video, handle: null, state: null };
  }

  update(tile, source, wall) {
    const programs = onAir(wall, source.name);
    const who = source.publisher || source.owner;
    const frozen = source.state === "live" && source.frozen;
    tile.node.className = ["tile", `tile-${source.state}`, programs.length && "on-program", frozen && "frozen"]
      .filter(Boolean)
      .join(" ");
    const named = !who || source.name.includes(who); // "wang.fang-phone" says whose it is
    tile.node.querySelector(".name").textContent = named ? source.name : `${source.name} · ${who}`;
    // A source that never went live is on standby; one that went live and stopped has ended.
    const state = source.state === "idle" && source.live_since === undefined ? "standby" : source.state;
    tile.node.querySelector(".badge").textContent = frozen
      ? `${label("source", state)} · ${t("wall.frozen")}`
      : label("source", state);
    tile.node.querySelector(".assignment").textContent = source.assignment_title || "";
    tile.node.dataset.since = source.state === "live" ? source.live_since || source.since : "";
    tile.node.querySelector(".pgm-label").textContent = programs.length
      ? `${t("wall.pgm")} ${programs.map((o) => o.name).join(" ")}`
      : "";
    if (source.state !== tile.state) {
      if (source.state === "live" && this.play && !tile.handle) {
        tile.handle = this.play(source.name, tile.video, (state) => (tile.node.dataset.video = state));
      } else if (source.state === "idle") {
        tile.handle?.stop?.();
        tile.handle = null;
      }
      tile.state = source.state;
    }
    this.tick(tile);
  }

  /** Time live, every second. */
  tick(tile = null) {
    for (const each of tile ? [tile] : this.tiles.values()) {
      each.node.querySelector(".timer").textContent = each.node.dataset.since ? duration(each.node.dataset.since) : "";
    }
  }
}

/** Everything but the tiles (which keep their videos) and the clock (which ticks by itself). */
export function renderPanels(root, wall, matrix) {
  renderHeader(root, wall);
  renderBoard(root, wall);
  renderCommands(root, wall);
  renderLeads(root, wall);
  renderPeople(root, wall);
  renderReviews(root, wall);
  renderMatrix(root, wall, matrix);
  renderTicker(root, wall);
  renderEmergency(root, wall);
}

/** The emergency alerts on air now, across the whole wall (their times are the clock's to judge). */
export function renderEmergency(root, wall) {
  const box = $(root, "#emergency");
  if (!box) return;
  const at = now();
  const live = Object.values(wall.emergency || {}).filter(
    (a) => Date.parse(a.effective) <= at && at < Date.parse(a.expires),
  );
  box.hidden = live.length === 0;
  fill(
    box,
    live.map((a) =>
      el(
        "div",
        { class: `emergency-alert severity-${a.severity.toLowerCase()}` },
        el("b", {}, t("wall.emergency")),
        el("span", { class: "headline" }, a.headline),
        el("span", { class: "area" }, a.area),
        el("span", { class: "until" }, `${t("wall.emergency_until")} ${hhmm(a.expires)}`),
        a.spoken === false ? el("span", { class: "mute" }, t("wall.emergency_no_voice")) : null,
      ),
    ),
  );
}
