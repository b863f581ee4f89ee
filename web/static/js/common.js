// What every page shares: its words, its settings, a DOM builder, times, and the API client.

const json = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");

/** The page's words, from the catalog of its language (web/locale, docs/i18n.md): t("wall.live").
 * A word used here is marked by writing it as t("…") with a literal, so the catalogs find it. */
const WORDS = json("i18n");
const word = (msgid) => WORDS[msgid] || msgid;
export const t = word;

/** The page's language, as the API should answer it (Accept-Language). */
export const language = document.documentElement.lang || "zh-CN";

/** A message of the read models ({"msg": id, "args": {...}}, events/messages.py) in the page's
 * words: places {name} are filled with the arguments, which may be messages or lists themselves. */
export function say(message) {
  const arg = (value) => {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.map(arg).join(word(", "));
    if (typeof value === "object" && "msg" in value) return say(value);
    return String(value);
  };
  return word(message.msg).replace(/\{(\w+)\}/g, (_, name) => arg(message.args?.[name]));
}

/** What the page was rendered with: me, roles, channels, priorities, and per-page settings. */
export const config = json("config");

/** el("div", {class: "x", onclick}, child, "text") — text is always text, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Replaces a container's children. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// -- time: the hub's clock, as the feed reports it, so a wall with a wrong clock ages right ------

let skew = 0; // hub time minus this machine's time, in ms
export function syncClock(hubNow) {
  const at = Date.parse(hubNow);
  if (!Number.isNaN(at)) skew = at - Date.now();
}
export const now = () => Date.now() + skew;

const two = (n) => String(n).padStart(2, "0");
export function clock(ms = now()) {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
export function hhmm(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}
export function dayTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getMonth() + 1}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
/** Whole minutes since `iso`. */
export const minutesSince = (iso) => (iso ? Math.max(0, Math.floor((now() - Date.parse(iso)) / 60000)) : 0);
/** "12:34" or "1:02:03" since `iso`. */
export function duration(iso) {
  return iso ? span((now() - Date.parse(iso)) / 1000) : "";
}
/** "12:34" or "1:02:03" for a number of seconds. */
export function span(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}
/** "640 KB", "12.5 MB", "1.2 GB". */
export function fileSize(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}
/** Where a clip came from: its source capture, the in and out points, and the crop. */
export function lineageFacts(l) {
  const points = `${Number(l.in).toFixed(1)}–${Number(l.out).toFixed(1)} s`;
  return [`${t("capture.cut_from")} ${String(l.source).slice(0, 8)}`, points, l.crop ? `${t("capture.vertical")} ${l.crop}` : null].filter(Boolean).join(" ");
}

/** What a capture is, in a line: upload, live recording or clip (and whence), length, size, whose, when. */
export function captureFacts(c) {
  const facts = [label("capture", c.kind), c.lineage ? lineageFacts(c.lineage) : null, c.duration != null ? span(c.duration) : null, fileSize(c.size), c.owner, dayTime(c.registered_at)];
  return facts.filter(Boolean).join(" · ");
}

// -- the API: JSON, the CSRF token, and idempotent retries -----------------------------------------

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A fresh Idempotency-Key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Calls the API. A write carries one Idempotency-Key for the whole user action, so a retry after
 * a lost answer returns the first answer instead of doing it twice. Network failures and
 * passing server trouble are retried with backoff; `onRetry(attempt)` lets the page say so.
 */
export async function api(method, path, body, { key, ifMatch, attempts = 6, onRetry } = {}) {
  const write = method !== "GET" && method !== "HEAD";
  const headers = { Accept: "application/json", "Accept-Language": language };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (write) {
    headers["Idempotency-Key"] = key || newKey();
    const token = csrf();
    if (token) headers["X-CSRF-Token"] = token;
  }
  if (ifMatch !== undefined) headers["If-Match"] = `"${ifMatch}"`;
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (error) {
      if (attempt >= attempts) throw new ApiError(0, "network", t("reporter.retrying"));
      onRetry?.(attempt);
      await sleep(Math.min(8000, 500 * 2 ** (attempt - 1)));
      continue;
    }
    if (RETRY_STATUS.has(response.status) && attempt < attempts) {
      onRetry?.(attempt);
      const wait = Number(response.headers.get("Retry-After")) * 1000;
      await sleep(wait || Math.min(8000, 500 * 2 ** (attempt - 1)));
      continue;
    }
    const text = await response.text();
    const data = text ? safeJson(text) : null;
    if (!response.ok) {
      const err = data?.error || {};
      if (response.status === 401) location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
      throw new ApiError(response.status, err.code || "http_error", err.message || response.statusText);
    }
    return data;
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Runs one user action: disables its button, keeps one key for its retries, shows the outcome
 * in `status`; answers the result, or null when it failed. */
export async function act(button, run, status) {
  const key = newKey();
  const label = button?.textContent;
  if (button) button.disabled = true;
  const say = (text, cls) => {
    if (!status) return;
    status.textContent = text;
    status.className = `status ${cls}`;
  };
  say("…", "busy");
  try {
    const result = await run({ key, onRetry: () => say(t("reporter.retrying"), "busy") });
    say(t("console.done"), "ok");
    return result;
  } catch (error) {
    say(`${t("console.failed")}: ${error.message}`, "bad");
    return null;
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = label;
    }
  }
}

/** Proposes the topic written in a proposal form (the meeting's, the phone page's) for `day`, as
 * one user action (see act); answers the new topic, or null. */
export function proposeTopic(form, day, status) {
  const f = new FormData(form);
  const body = {
    title: f.get("title"),
    angle: f.get("angle") || "",
    resources: f.get("resources") || "",
    channels: f.getAll("channels"),
    day,
  };
  return act(form.querySelector("button[type=submit]"), (o) => api("POST", "/api/topics", body, o), status);
}

/** Labels of a state, priority, level or channel id, via the page's words (the keys picked this
 * way are listed in web/catalogs.py, PICKED). */
export const label = (kind, id) => word(`${kind}.${id}`);

/** The 舆情 warning levels, most severe first, in the page's words (the wall, the 舆情 page). */
export const LEVEL_WORDS = {
  red: t("opinion.level.red"),
  orange: t("opinion.level.orange"),
  yellow: t("opinion.level.yellow"),
  blue: t("opinion.level.blue"),
};
