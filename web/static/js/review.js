// Three-level review: the queue at my level (live from the wall feed), the story with what
// changed since the version before, and approve or reject with a reason. The decision carries
// the story's version (If-Match), so nobody approves a text they have not seen. A product (one
// story on one channel) waits in the same queue; its panel (product.js) approves the digest of
// its exact content, and offers what comes next: fast track, schedule, publish, retract.

import { act, api, captureFacts, config, dayTime, el, fill, label, minutesSince, t } from "./common.js";
import { clipControls } from "./clipper.js";
import { diffText } from "./diff.js";
import { WallFeed, showStatus } from "./feed.js";
import { renderProduct } from "./product.js";

const LEVEL_OF_ROLE = { editor: "first", desk_head: "second", chief_editor: "final" };
const clips = ["editor", "desk_head", "chief_editor", "admin"].some((r) => config.roles.includes(r));
const mine = config.roles.includes("admin")
  ? ["first", "second", "final"]
  : config.roles.map((r) => LEVEL_OF_ROLE[r]).filter(Boolean);
const $ = (id) => document.getElementById(id);
let chosen = null;

function renderQueue(wall) {
  const waiting = Object.values(wall.reviews)
    .filter((r) => mine.includes(r.level_name))
    .sort((a, b) => String(a.since).localeCompare(String(b.since)));
  if (!waiting.length) return fill($("queue"), el("li", { class: "calm" }, t("review.empty")));
  fill(
    $("queue"),
    waiting.map((r) => {
      const b = el(
        "button",
        { type: "button", "aria-pressed": String(r.id === chosen), dataset: { id: r.id } },
        r.title,
        el("span", { class: "lvl" }, [r.channel ? label("channel", r.channel) : null, label("level", r.level_name), r.revision ? `${t("review.version")} ${r.revision}` : null, `${minutesSince(r.since)}${t("wall.min")}`].filter(Boolean).join(" · ")),
      );
      b.dataset.kind = r.kind || "story";
      b.addEventListener("click", () => (r.kind === "product" ? openProduct(r.id) : open(r.id)));
      return el("li", {}, b);
    }),
  );
  if (chosen && !waiting.some((r) => r.id === chosen) && !productShown) {
    chosen = null;
    fill($("story"), el("p", { class: "calm" }, t("review.pick")));
  }
}

// The captures the story uses, each playable (or viewable) in place, with what it is and whose.
function capturePlayer(c) {
  const kind = c.content_type.split("/")[0];
  if (kind === "image") return el("img", { src: c.file, alt: c.filename, loading: "lazy" });
  if (kind === "video") return el("video", { src: c.file, controls: true, preload: "metadata" });
  if (kind === "audio") return el("audio", { src: c.file, controls: true, preload: "metadata" });
  return null;
}

const captureCache = new Map(); // capture id -> its answer (a capture never changes)

function capture(id) {
  if (!captureCache.has(id)) captureCache.set(id, api("GET", `/api/captures/${id}`).catch((error) => ({ id, error })));
  return captureCache.get(id);
}

// The current version's captures, marked when the compared version did not have them, and the
// ones that version had and this one dropped, struck through.
async function renderCaptures(box, ids, before) {
  const dropped = before ? before.filter((id) => !ids.includes(id)) : [];
  if (!ids.length && !dropped.length) return fill(box, el("li", { class: "calm" }, t("review.no_captures")));
  const [shown, gone] = await Promise.all([Promise.all(ids.map(capture)), Promise.all(dropped.map(capture))]);
  const item = (c, change) => {
    if (c.error) return el("li", { class: "error" }, `${c.id.slice(0, 8)}: ${c.error.message}`);
    const player = change === "removed" ? null : capturePlayer(c);
    return el(
      "li",
      { class: change ? `capture-${change}` : "" },
      change ? el("span", { class: `tag ${change}` }, label("review", `capture_${change}`)) : null,
      player,
      change === "removed" ? el("del", {}, c.filename) : el("a", { href: c.file, download: c.filename }, c.filename),
      el("span", { class: "muted" }, captureFacts(c)),
      clips && player?.tagName === "VIDEO" ? clipControls(c, player) : null,
    );
  };
  fill(box, shown.map((c) => item(c, before && !before.includes(c.id) ? "added" : null)), gone.map((c) => item(c, "removed")));
}

function renderDiff(box, before, after) {
  fill(
    box,
    diffText(before, after).map(([op, text]) => (op === "=" ? text : el(op === "+" ? "ins" : "del", {}, text))),
  );
}

let productShown = false; // a decided product stays on screen: its next step is here too

async function openProduct(id) {
  chosen = id;
  productShown = true;
  document.querySelectorAll("#queue button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.id === id)));
  const box = el("div", { class: "product", dataset: { product: id } });
  fill($("story"), box);
  const p = await api("GET", `/api/products/${id}`).catch(() => null);
  const captures = p ? await Promise.all([...p.media, ...(p.cover ? [p.cover] : [])].map(capture)) : [];
  await renderProduct(box, id, { captures: captures.filter((c) => !c.error), editable: false });
  const shown = el("ul", { class: "captures" }, captures.filter((c) => !c.error).map((c) => el("li", {}, capturePlayer(c), el("span", {}, c.filename))));
  box.after(el("h3", {}, t("review.captures")), shown);
}

async function open(id) {
  chosen = id;
  productShown = false;
  document.querySelectorAll("#queue button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.id === id)));
  const story = await api("GET", `/api/stories/${id}`).catch((error) => ({ error }));
  if (story.error) return fill($("story"), el("p", { class: "error" }, story.error.message));
  const versions = story.versions;
  const current = versions[versions.length - 1];
  const base = el(
    "select",
    { "aria-label": t("review.version") },
    versions.slice(0, -1).map((v, i) =>
      el("option", { value: i, selected: i === versions.length - 2 }, `${t("review.version")} ${v.revision} · ${v.by} · ${dayTime(v.at)}`),
    ),
  );
  const diff = el("div", { class: "diff" });
  const media = el("ul", { class: "captures" });
  const redraw = () => {
    const text = `${current.title}\n\n${current.body}`;
    if (versions.length < 2) {
      renderCaptures(media, current.captures, null);
      return fill(diff, text); // a first version: nothing to compare
    }
    const from = versions[Number(base.value)];
    renderCaptures(media, current.captures, from.captures);
    renderDiff(diff, `${from.title}\n\n${from.body}`, text);
  };
  base.addEventListener("change", redraw);
  redraw();

  const reason = el("textarea", { placeholder: t("review.reason"), "aria-label": t("review.reason") });
  const status = el("span", { class: "status" });
  const decide = (decision) => (button) => {
    if (decision === "reject" && !reason.value.trim()) {
      status.textContent = t("review.reason_needed");
      status.className = "status bad";
      return reason.focus();
    }
    const body = { decision, reason: reason.value.trim() };
    act(button, (o) => api("POST", `/api/stories/${id}/reviews`, body, { ...o, ifMatch: story.version }), status);
  };
  const approve = el("button", { type: "button", class: "good" }, t("review.approve"));
  const reject = el("button", { type: "button", class: "bad" }, t("review.reject"));
  approve.addEventListener("click", () => decide("approve")(approve));
  reject.addEventListener("click", () => decide("reject")(reject));

  fill(
    $("story"),
    el("h2", {}, story.title),
    el("p", { class: "muted" }, `${label("level", story.review_level_name || "first")} · ${t("review.version")} ${story.revision} · ${story.authors.join(", ")}`),
    el("h3", {}, t("review.changes"), " ", versions.length > 1 ? base : null),
    diff,
    el("h3", {}, t("review.captures")),
    media,
    el("div", { class: "decision" }, reason, el("div", { class: "row" }, approve, reject, status)),
    story.reviews.length
      ? [
          el("h3", {}, t("review.history")),
          el(
            "ul",
            { class: "history" },
            story.reviews.map((r) =>
              el("li", {}, `${dayTime(r.at)} ${label("level", r.level_name)} ${r.reviewer}: ${r.decision === "approve" ? t("review.approve") : t("review.reject")}${r.reason ? ` — ${r.reason}` : ""}`),
            ),
          ),
        ]
      : null,
  );
}

new WallFeed({
  onState: (wall) => renderQueue(wall),
  onStatus: (status) => showStatus($("banner"), status, t),
}).start();
