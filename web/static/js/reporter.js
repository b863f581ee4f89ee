// The reporter's phone: my commands (acknowledge), my assignments (accept, decline, check in,
// upload, file) and going live. Built for a flaky mobile network: every write keeps one
// Idempotency-Key across its retries, uploads resume, and the feed reconnects by itself.

import { act, api, captureFacts, config, dayTime, el, fileSize, fill, hhmm, label, language, newKey, now, t } from "./common.js";
import { WallFeed, showStatus } from "./feed.js";
import { TusUpload } from "./tus.js";

const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
const briefs = new Map(); // assignment id -> brief, fetched once
const cards = new Map(); // assignment id -> {node, sig}
let wall = null;
let seenCommands = new Set();

// -- commands --------------------------------------------------------------------------------------

function renderCommands() {
  const commands = Object.values(wall.commands).sort((a, b) => String(a.issued_at).localeCompare(String(b.issued_at)));
  const fresh = commands.some((c) => !seenCommands.has(c.id));
  seenCommands = new Set(commands.map((c) => c.id));
  if (fresh) navigator.vibrate?.([200, 100, 200]);
  fill(
    $("commands"),
    commands.map((c) => {
      const status = el("span", { class: "status" });
      const ack = el("button", { type: "button", class: "good" }, t("reporter.ack"));
      ack.addEventListener("click", () => act(ack, (o) => api("POST", `/api/commands/${c.id}/ack`, {}, o), status));
      const about = c.assignment && wall.assignments[c.assignment]?.title;
      return el(
        "div",
        { class: `command ${c.state}`, dataset: { id: c.id, state: c.state } },
        el("span", { class: "text" }, c.text),
        el("span", { class: "meta" }, [c.issued_by, hhmm(c.issued_at), about, label("command", c.state)].filter(Boolean).join(" · ")),
        el("div", {}, ack, status),
      );
    }),
  );
}

// -- assignments -----------------------------------------------------------------------------------

function button(text, cls, run, status) {
  const b = el("button", { type: "button", class: cls }, text);
  b.addEventListener("click", () => act(b, run, status));
  return b;
}

function checkIn(a, status) {
  const b = el("button", { type: "button", class: "primary" }, t("reporter.check_in"));
  b.addEventListener("click", () => {
    status.textContent = t("reporter.locating");
    status.className = "status busy";
    if (!navigator.geolocation) {
      status.textContent = t("reporter.no_location");
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const { latitude: lat, longitude: lon } = pos.coords;
        act(b, (o) => api("POST", `/api/assignments/${a.id}/check-in`, { lat, lon }, o), status);
      },
      (error) => {
        status.textContent = `${t("reporter.no_location")}: ${error.message}`;
        status.className = "status bad";
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 },
    );
  });
  return b;
}

function declineBox(a, status) {
  const reason = el("textarea", { placeholder: t("reporter.decline_reason"), "aria-label": t("reporter.decline_reason") });
  const send = el("button", { type: "button", class: "bad" }, t("reporter.decline"));
  send.addEventListener("click", () => {
    if (!reason.value.trim()) return reason.focus();
    act(send, (o) => api("POST", `/api/assignments/${a.id}/decline`, { reason: reason.value.trim() }, o), status);
  });
  return el("details", { class: "decline" }, el("summary", {}, t("reporter.decline")), reason, send);
}

function uploader(a) {
  const input = el("input", { type: "file", accept: "image/*,video/*,audio/*", multiple: true, "aria-label": t("reporter.upload") });
  const bar = el("i");
  const progress = el("div", { class: "progress", hidden: true }, bar);
  const status = el("span", { class: "status" });
  input.addEventListener("change", async () => {
    for (const file of input.files) {
      progress.hidden = false;
      status.textContent = `${t("reporter.uploading")} ${file.name}`;
      status.className = "status busy";
      const upload = new TusUpload(file, {
        metadata: { assignment: a.id },
        headers: { "Accept-Language": language, ...(csrf ? { "X-CSRF-Token": csrf } : {}) },
        newKey,
        onProgress: (done, total) => (bar.style.width = `${Math.round((100 * done) / total)}%`),
        onRetry: () => (status.textContent = t("reporter.resuming")),
      });
      try {
        await upload.start();
        bar.style.width = "100%";
        status.textContent = `${t("reporter.uploaded")} ${file.name}`;
        status.className = "status ok";
        loadCaptures();
      } catch (error) {
        const refused = error.code === "upload_refused";
        status.textContent = refused
          ? [`${t("reporter.refused")} ${file.name}`, whyRefused(error.detected_type), t("reporter.kept_types")].join(" · ")
          : `${t("console.failed")}: ${error.message}`;
        status.className = "status bad";
        progress.hidden = refused;
        if (refused) loadCaptures();
      }
    }
    input.value = "";
  });
  return el("label", { class: "upload" }, t("reporter.upload"), input, progress, status);
}

function card(a) {
  const status = el("span", { class: "status" });
  const buttons = [];
  const extra = [];
  if (a.state === "assigned") {
    buttons.push(button(t("reporter.accept"), "good", (o) => api("POST", `/api/assignments/${a.id}/accept`, {}, o), status));
    extra.push(declineBox(a, status));
  }
  if (a.state === "accepted") buttons.push(checkIn(a, status));
  if (a.state === "on_scene") {
    buttons.push(button(t("reporter.file"), "primary", (o) => api("POST", `/api/assignments/${a.id}/file`, {}, o), status));
  }
  if (["accepted", "on_scene"].includes(a.state)) extra.push(uploader(a));
  const where = a.location ? `${a.location.name} (${Number(a.location.lat).toFixed(4)}, ${Number(a.location.lon).toFixed(4)})` : "";
  return el(
    "article",
    { class: `task prio-${a.priority}`, dataset: { id: a.id, state: a.state } },
    el("h3", {}, el("span", { class: "chip state" }, label("state", a.state)), a.title),
    el(
      "p",
      { class: "meta" },
      [where, label("priority", a.priority)].filter(Boolean).join(" · "),
      a.due ? el("span", { class: Date.parse(a.due) < now() ? "overdue" : "" }, ` · ${t("reporter.due")} ${dayTime(a.due)}`) : null,
    ),
    briefs.get(a.id) ? el("p", { class: "brief" }, briefs.get(a.id)) : null,
    el("div", { class: "buttons" }, buttons),
    extra,
    status,
  );
}

function renderTasks() {
  const box = $("tasks");
  const mine = Object.values(wall.assignments).filter((a) => a.reporter === config.me && a.state !== "declined");
  if (!mine.length) {
    cards.clear();
    return fill(box, el("p", { class: "calm" }, t("reporter.none")));
  }
  box.querySelector(".calm")?.remove();
  const ids = new Set(mine.map((a) => a.id));
  for (const [id, c] of cards) if (!ids.has(id)) (c.node.remove(), cards.delete(id));
  for (const a of mine) {
    const sig = JSON.stringify(a) + (briefs.get(a.id) || "");
    const old = cards.get(a.id);
    if (old?.sig === sig) continue;
    if (old?.node.querySelector(".progress:not([hidden])") && old.state === a.state) continue; // an upload is running
    const node = card(a);
    old ? old.node.replaceWith(node) : box.append(node);
    cards.set(a.id, { node, sig, state: a.state });
    if (!briefs.has(a.id)) fetchBrief(a.id);
  }
  // What waits for me first (to accept, to check in, on scene), then the most urgent.
  const step = { assigned: 0, accepted: 1, on_scene: 2, filed: 3 };
  const rank = { urgent: 0, high: 1, normal: 2, low: 3 };
  mine
    .sort((a, b) => step[a.state] - step[b.state] || rank[a.priority] - rank[b.priority])
    .forEach((a) => box.append(cards.get(a.id).node));
}

function fetchBrief(id) {
  briefs.set(id, "");
  api("GET", `/api/assignments/${id}`)
    .then((detail) => {
      briefs.set(id, detail?.brief || detail?.assignment?.brief || "");
      if (wall) renderTasks();
    })
    .catch(() => null);
}

// -- going live ------------------------------------------------------------------------------------

let live = null;
const liveButton = $("go-live");
const liveStatus = $("live-status");

function mySource() {
  return Object.values(wall?.sources || {}).find((s) => s.owner === config.me);
}

liveButton.addEventListener("click", async () => {
  if (live) return stopLive();
  const source = mySource();
  if (!source) {
    liveStatus.textContent = t("reporter.no_source");
    liveStatus.className = "status bad";
    return;
  }
  liveButton.disabled = true;
  try {
    const { publish } = await import("./whip.js");
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      audio: true,
    });
    const preview = $("preview");
    preview.srcObject = stream;
    preview.parentElement.hidden = false;
    const session = await publish(`/whip/${encodeURIComponent(source.name)}`, null, stream, {
      onState: (state) => (liveStatus.textContent = state),
    });
    live = { stream, session };
    liveButton.textContent = t("reporter.stop_live");
    liveStatus.className = "status ok";
  } catch (error) {
    liveStatus.textContent = `${t("console.failed")}: ${error.message}`;
    liveStatus.className = "status bad";
  } finally {
    liveButton.disabled = false;
  }
});

async function stopLive() {
  const { stream, session } = live;
  live = null;
  await session?.stop();
  stream.getTracks().forEach((track) => track.stop());
  $("preview").parentElement.hidden = true;
  liveButton.textContent = t("reporter.go_live");
  liveStatus.textContent = "";
  awaitRecording();
}

// -- my captures: what reached the hub (uploads, and the recordings of my live streams) -----------

const SHOWN_CAPTURES = 8;

let newest = null; // the id of the newest capture shown

/** Why the hub did not keep a file, in the reader's words: what its content turned out to be. */
function whyRefused(detectedType) {
  return detectedType ? `${t("reporter.refused_type")} ${detectedType}` : t("reporter.unknown_type");
}

function captureItem(c) {
  return el(
    "li",
    {},
    el("b", {}, c.filename),
    el("span", { class: "muted" }, captureFacts(c)),
    c.stories.length ? el("span", { class: "used" }, `${t("reporter.used_in")} ${c.stories.length}`) : null,
  );
}

function refusedItem(r) {
  return el(
    "li",
    { class: "refused" },
    el("b", {}, r.filename),
    el("span", { class: "tag refused" }, t("reporter.refused")),
    el("span", { class: "muted" }, [whyRefused(r.detected_type), fileSize(r.size), dayTime(r.refused_at)].join(" · ")),
  );
}

/** My captures and the uploads the hub refused, newest first; answers whether a capture came. */
async function loadCaptures() {
  const [found, refused] = await Promise.all([
    api("GET", "/api/captures").catch(() => null),
    api("GET", "/api/captures/refused").catch(() => null),
  ]);
  if (!found) return false; // offline: keep what is shown; the next upload or stream looks again
  const changed = (found.captures[0]?.id ?? null) !== newest;
  newest = found.captures[0]?.id ?? null;
  const mine = [
    ...found.captures.map((c) => ({ at: c.registered_at, item: () => captureItem(c) })),
    ...(refused?.refused || []).map((r) => ({ at: r.refused_at, item: () => refusedItem(r) })),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, SHOWN_CAPTURES);
  fill($("captures"), mine.length ? mine.map((m) => m.item()) : el("li", { class: "calm" }, t("reporter.no_captures")));
  return changed;
}

/** The hub registers a stream's recording once it has ended: look every 2 s for half a minute. */
async function awaitRecording() {
  for (let i = 0; i < 15; i++) {
    await new Promise((done) => setTimeout(done, 2000));
    if (await loadCaptures()) return;
  }
}

let feedState = null;

// -- the feed --------------------------------------------------------------------------------------

new WallFeed({
  scope: "mine",
  onState: (state) => {
    wall = state;
    renderCommands();
    renderTasks();
  },
  onStatus: (status) => {
    showStatus($("banner"), status, t);
    if (status.state === "live" && feedState !== "live") loadCaptures(); // back online: look again
    feedState = status.state;
    const net = $("net");
    net.textContent = status.state === "live" ? `● ${t("feed.live")}` : label("feed", status.state);
    net.className = `netstate ${status.state === "live" ? "" : "down"}`;
  },
}).start();
