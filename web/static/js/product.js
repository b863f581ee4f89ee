// A product (one story on one channel) as the desk and the review page show it: its content,
// edited within the channel's limits, the approvals it holds and the digest each approved, and
// the buttons of what may be done to it now (submit, approve or reject, fast track, schedule,
// cancel, publish, retract), each asking for the reason where the hub needs one. An edit carries
// the version it was made on (If-Match): an editor who saved over someone else's change is told
// so and keeps their text.

import { act, api, config, dayTime, el, fill, label, t } from "./common.js";

const NEW_MEDIA = ["website", "app", "wechat", "weibo", "douyin"];
const LEVEL_ROLE = { first: "editor", second: "desk_head", final: "chief_editor" };
const has = (...roles) => config.roles.includes("admin") || roles.some((r) => config.roles.includes(r));
const holds = (role) => config.roles.includes(role); // reviews name real people: no admin shortcut
const DESK = ["editor", "desk_head", "chief_editor"];

let profiles = null;

/** The channels' profiles (limits and what each needs), by channel id, read once per page. */
export function channelProfiles() {
  profiles ||= api("GET", "/api/channels").then((a) => Object.fromEntries(a.channels.map((c) => [c.id, c])));
  return profiles;
}

/** What a channel takes, in a line. */
export function limitsLine(profile) {
  const parts = [`${t("product.title_max")} ${profile.title_max}`, `${t("product.body_max")} ${profile.body_max}`];
  if (profile.requires_cover) parts.push(t("product.needs_cover"));
  if (profile.requires_vertical_video) parts.push(t("product.needs_vertical"));
  if (profile.script_slot_seconds) parts.push(`${t("product.slot")} ${profile.script_slot_seconds} s`);
  return parts.join(" · ");
}

/** An edit refused because someone saved first (412) says so in words a person can act on. */
export async function saving(run) {
  try {
    return await run();
  } catch (error) {
    if (error.status !== 412) throw error;
    const conflict = new Error(`${t("desk.conflict")} (${error.message})`);
    conflict.status = 412;
    throw conflict;
  }
}

function counted(field, max) {
  const count = el("span", { class: "count muted" });
  const update = () => {
    count.textContent = `${field.value.length} / ${max}`;
    count.classList.toggle("over", field.value.length > max);
  };
  field.addEventListener("input", update);
  update();
  return count;
}

function scriptEditor(segments, slot) {
  const rows = el("tbody");
  const total = el("span", { class: "count" });
  const sum = () => {
    const seconds = [...rows.querySelectorAll("input[type=number]")].reduce((s, i) => s + (Number(i.value) || 0), 0);
    total.textContent = `${t("product.script_total")} ${seconds.toFixed(1)} / ${slot} s`;
    total.className = Math.abs(seconds - slot) <= 0.05 ? "count ok" : "count over";
  };
  const add = (s = { kind: "voice", text: "", seconds: 10 }) => {
    const kind = el("select", { "aria-label": t("product.segment_kind") }, ["voice", "sync"].map((k) => el("option", { value: k, selected: s.kind === k }, label("segment", k))));
    const text = el("input", { type: "text", value: s.text, "aria-label": t("product.segment_text") });
    const seconds = el("input", { type: "number", min: "0.1", step: "0.1", value: s.seconds, "aria-label": t("product.segment_seconds") });
    const drop = el("button", { type: "button", title: t("product.segment_remove") }, "✕");
    const row = el("tr", {}, el("td", {}, kind), el("td", {}, text), el("td", {}, seconds), el("td", {}, drop));
    seconds.addEventListener("input", sum);
    drop.addEventListener("click", () => (row.remove(), sum()));
    rows.append(row);
    sum();
  };
  segments.forEach(add);
  const more = el("button", { type: "button" }, t("product.segment_add"));
  more.addEventListener("click", () => add());
  sum();
  const read = () =>
    [...rows.children].map((row) => {
      const [kind, text, seconds] = row.querySelectorAll("select, input");
      return { kind: kind.value, text: text.value, seconds: Number(seconds.value) };
    });
  const node = el("div", { class: "script" }, el("table", {}, rows), el("div", { class: "row" }, more, total));
  return { node, read };
}

function editor(p, profile, captures, status, done) {
  const title = el("input", { type: "text", value: p.title, name: "title", "aria-label": t("desk.title") });
  const body = el("textarea", { rows: 6, name: "body", "aria-label": t("desk.body") });
  body.value = p.body;
  const media = captures.map((c) => {
    const box = el("input", { type: "checkbox", value: c.id, checked: p.media.includes(c.id) });
    return { box, node: el("label", { class: "pick" }, box, ` ${c.filename}`) };
  });
  const photos = captures.filter((c) => c.content_type.startsWith("image/"));
  const cover = el(
    "select",
    { name: "cover", "aria-label": t("product.cover") },
    el("option", { value: "" }, t("product.no_cover")),
    photos.map((c) => el("option", { value: c.id, selected: p.cover === c.id }, c.filename)),
  );
  const script = profile.script_slot_seconds ? scriptEditor(p.script, profile.script_slot_seconds) : null;
  const save = el("button", { type: "button", class: "primary" }, t("desk.save_product"));
  save.addEventListener("click", async () => {
    const sent = {
      title: title.value,
      body: body.value,
      media: media.filter((m) => m.box.checked).map((m) => m.box.value),
      cover: cover.value || null,
      script: script ? script.read() : [],
    };
    const ok = await act(save, (o) => saving(() => api("PUT", `/api/products/${p.id}`, sent, { ...o, ifMatch: p.version })), status);
    if (ok) done();
  });
  return el(
    "div",
    { class: "product-edit" },
    el("label", {}, t("desk.title"), " ", counted(title, profile.title_max), title),
    el("label", {}, t("desk.body"), " ", counted(body, profile.body_max), body),
    captures.length ? el("fieldset", {}, el("legend", {}, t("product.media")), media.map((m) => m.node)) : null,
    el("label", {}, t("product.cover"), cover),
    script ? el("fieldset", {}, el("legend", {}, t("product.script")), script.node) : null,
    el("div", { class: "row" }, save),
  );
}

function actions(p, status, done) {
  const reason = el("textarea", { rows: 2, placeholder: t("product.reason"), "aria-label": t("product.reason") });
  const when = el("input", { type: "datetime-local", "aria-label": t("product.publish_at") });
  const buttons = [];
  const button = (action, words, cls, run, needsReason = false) => {
    const b = el("button", { type: "button", class: cls, dataset: { action } }, words);
    b.addEventListener("click", async () => {
      if (needsReason && !reason.value.trim()) {
        status.textContent = t("product.reason_needed");
        status.className = "status bad";
        return reason.focus();
      }
      if ((await act(b, (o) => run(reason.value.trim(), o), status)) !== null) done();
    });
    buttons.push(b);
  };
  const post = (path, body) => (r, o) => api("POST", `/api/products/${p.id}/${path}`, body?.(r), o);
  const waiting = p.review_level_name;
  if (["draft", "returned"].includes(p.state) && has(...DESK)) button("submit", t("product.submit"), "", post("submit"));
  if (p.state === "in_review" && waiting && holds(LEVEL_ROLE[waiting])) {
    button("approve", t("product.approve"), "good", post("reviews", (r) => ({ decision: "approve", reason: r })));
    button("reject", t("product.reject"), "bad", post("reviews", (r) => ({ decision: "reject", reason: r })), true);
  }
  if (["draft", "returned", "in_review"].includes(p.state) && NEW_MEDIA.includes(p.channel) && holds("chief_editor"))
    button("fast_track", t("product.fast_track"), "warn", post("fast-track", (r) => ({ reason: r })), true);
  if (p.cleared && ["approved", "retracted"].includes(p.state) && has(...DESK)) {
    button("publish", t("product.publish"), "good", post("publish"));
    button("schedule", t("product.schedule"), "", (r, o) => {
      if (!when.value) throw new Error(t("product.publish_at_needed"));
      return api("POST", `/api/products/${p.id}/schedule`, { publish_at: new Date(when.value).toISOString() }, o);
    });
  }
  if (p.state === "scheduled" && has(...DESK)) button("unschedule", t("product.unschedule"), "", post("unschedule", (r) => ({ reason: r })), true);
  if (p.state === "published" && has("desk_head", "chief_editor")) button("retract", t("product.retract"), "bad", post("retract", (r) => ({ reason: r })), true);
  if (!buttons.length) return null;
  const scheduling = buttons.some((b) => b.dataset.action === "schedule");
  return el("div", { class: "decision" }, reason, scheduling ? el("label", {}, t("product.publish_at"), " ", when) : null, el("div", { class: "row" }, buttons, status));
}

function approvalsLine(p) {
  if (p.fast_track) return el("p", { class: "flag fast" }, `⚡ ${t("product.fast_tracked")} · ${p.fast_track.by}: ${p.fast_track.reason}`);
  if (!p.approvals.length) return null;
  return el(
    "ul",
    { class: "approvals" },
    p.approvals.map((a) =>
      el("li", { class: a.digest === p.digest ? "ok" : "stale" }, `${label("level", a.level_name)} ✓ ${a.reviewer} · ${a.digest.slice(0, 12)}`),
    ),
  );
}

/** Shows product `id` in `box`; `captures` (capture answers) are the media it may carry. */
export async function renderProduct(box, id, { captures = [], editable = true, onChange } = {}) {
  let p, all;
  try {
    [p, all] = await Promise.all([api("GET", `/api/products/${id}`), channelProfiles()]);
  } catch (error) {
    return fill(box, el("p", { class: "error" }, error.message));
  }
  const profile = all[p.channel];
  const status = el("span", { class: "status", role: "status" });
  const done = () => {
    renderProduct(box, id, { captures, editable, onChange });
    onChange?.();
  };
  const stateLine = [label("product_state", p.state), p.review_level_name ? label("level", p.review_level_name) : null, p.publish_at ? `${t("product.publish_at")} ${dayTime(p.publish_at)}` : null, p.publications ? `${t("product.publications")} ${p.publications}` : null];
  box.dataset.state = p.state;
  box.dataset.channel = p.channel;
  fill(
    box,
    el("h3", {}, label("channel", p.channel), " ", el("span", { class: `pill state-${p.state}` }, stateLine.filter(Boolean).join(" · "))),
    el("p", { class: "muted" }, limitsLine(profile), " · ", `${t("product.digest")} ${p.digest.slice(0, 12)}`),
    editable && has(...DESK) ? editor(p, profile, captures, status, done) : el("div", { class: "product-text" }, el("h4", {}, p.title), el("p", {}, p.body)),
    approvalsLine(p),
    actions(p, status, done) || status,
    p.history.length
      ? el(
          "details",
          {},
          el("summary", {}, t("review.history")),
          el("ul", { class: "history" }, p.history.map((h) => el("li", {}, `${dayTime(h.at)} ${h.actor}: ${label("product_action", h.action)}${h.reason ? ` — ${h.reason}` : ""}`))),
        )
      : null,
  );
}
