// The editorial desk: the stories by state; a story written and revised in the browser (title,
// body, captures picked from the library, a clip cut from a picked video), its versions and what
// changed, submitted for review; and its products, one per channel, each edited within its
// channel's limits. Every save names the version it was made on (If-Match), so two editors on one
// story never overwrite each other silently: the second is told, and keeps their text to apply
// again.

import { act, api, captureFacts, dayTime, el, fill, label, t } from "./common.js";
import { clipControls } from "./clipper.js";
import { diffText } from "./diff.js";
import { channelProfiles, renderProduct, saving } from "./product.js";

const $ = (id) => document.getElementById(id);
let chosen = null;
const LIST_LIMIT = 200; // the newest; a desk with 10,000 stories stays quick (bench/desk_list.py)

async function listStories() {
  const state = $("filter").value;
  const q = new URLSearchParams({ limit: String(LIST_LIMIT) });
  if (state) q.set("state", state);
  const answer = await api("GET", `/api/stories?${q}`).catch((error) => ({ error }));
  if (answer.error) return fill($("stories"), el("li", { class: "error" }, answer.error.message));
  if (!answer.stories.length) return fill($("stories"), el("li", { class: "calm" }, t("desk.no_stories")));
  fill(
    $("stories"),
    answer.stories.map((s) => {
      const products = Object.values(s.products || {});
      const b = el(
        "button",
        { type: "button", "aria-pressed": String(s.id === chosen), dataset: { id: s.id } },
        s.title,
        el("span", { class: "lvl" }, [label("story_state", s.state), `${t("review.version")} ${s.revision}`, s.author, products.map((p) => `${label("channel_short", p.channel)}:${label("product_state", p.state)}`).join(" ")].filter(Boolean).join(" · ")),
      );
      b.addEventListener("click", () => openStory(s.id));
      return el("li", {}, b);
    }),
  );
}

const captureCache = new Map();
function capture(id) {
  if (!captureCache.has(id)) captureCache.set(id, api("GET", `/api/captures/${id}`).catch((error) => ({ id, error, filename: id.slice(0, 8), content_type: "" })));
  return captureCache.get(id);
}

/** The capture library, searched by words, reporter, kind and assignment; `pick` adds one. */
function library(pick, assignment) {
  const words = el("input", { type: "search", placeholder: t("desk.search_words"), "aria-label": t("desk.search_words") });
  const reporter = el("input", { type: "text", placeholder: t("desk.search_reporter"), "aria-label": t("desk.search_reporter") });
  const media = el("select", { "aria-label": t("desk.search_media") }, el("option", { value: "" }, t("desk.any_media")), ["photo", "video", "audio"].map((m) => el("option", { value: m }, label("media", m))));
  const mine = el("input", { type: "checkbox", checked: Boolean(assignment) });
  const found = el("ul", { class: "library" });
  const search = async () => {
    const q = new URLSearchParams({ limit: "50" });
    if (words.value.trim()) q.set("q", words.value.trim());
    if (reporter.value.trim()) q.set("reporter", reporter.value.trim());
    if (media.value) q.set("media", media.value);
    if (mine.checked && assignment) q.set("assignment", assignment);
    const answer = await api("GET", `/api/captures?${q}`).catch((error) => ({ error }));
    if (answer.error) return fill(found, el("li", { class: "error" }, answer.error.message));
    if (!answer.captures.length) return fill(found, el("li", { class: "calm" }, t("desk.nothing_found")));
    fill(
      found,
      answer.captures.map((c) => {
        const add = el("button", { type: "button", dataset: { capture: c.id } }, t("desk.add"));
        add.addEventListener("click", () => pick(c));
        return el("li", {}, add, ` ${c.filename} `, el("span", { class: "muted" }, captureFacts(c)));
      }),
    );
  };
  const go = el("button", { type: "button" }, t("desk.search"));
  go.addEventListener("click", search);
  words.addEventListener("keydown", (e) => e.key === "Enter" && search());
  search();
  return el(
    "details",
    { class: "library-box", open: true },
    el("summary", {}, t("desk.library")),
    el("div", { class: "row" }, words, reporter, media, assignment ? el("label", {}, mine, ` ${t("desk.this_assignment")}`) : null, go),
    found,
  );
}

function versionsView(story) {
  const versions = story.versions;
  if (versions.length < 2) return null;
  const current = versions[versions.length - 1];
  const base = el(
    "select",
    { "aria-label": t("review.version") },
    versions.slice(0, -1).map((v, i) => el("option", { value: i, selected: i === versions.length - 2 }, `${t("review.version")} ${v.revision} · ${v.by} · ${dayTime(v.at)}`)),
  );
  const diff = el("div", { class: "diff" });
  const redraw = () => {
    const from = versions[Number(base.value)];
    fill(diff, diffText(`${from.title}\n\n${from.body}`, `${current.title}\n\n${current.body}`).map(([op, text]) => (op === "=" ? text : el(op === "+" ? "ins" : "del", {}, text))));
  };
  base.addEventListener("change", redraw);
  redraw();
  return el("details", { class: "versions" }, el("summary", {}, t("desk.versions"), " ", base), diff);
}

async function productsView(story, captures) {
  const box = el("div", { class: "products" });
  const answer = await api("GET", `/api/products?story=${story.id}`).catch(() => ({ products: [] }));
  const profiles = await channelProfiles();
  const taken = new Set(answer.products.map((p) => p.channel));
  for (const p of answer.products.sort((a, b) => a.channel.localeCompare(b.channel))) {
    const card = el("article", { class: "product card", dataset: { product: p.id } });
    box.append(card);
    renderProduct(card, p.id, { captures, onChange: listStories });
  }
  const free = Object.values(profiles).filter((c) => !taken.has(c.id));
  if (!free.length || story.id === undefined) return box;
  const channel = el("select", { "aria-label": t("desk.channel") }, free.map((c) => el("option", { value: c.id }, label("channel", c.id))));
  const status = el("span", { class: "status" });
  const make = el("button", { type: "button", class: "primary" }, t("desk.make_product"));
  make.addEventListener("click", async () => {
    const profile = profiles[channel.value];
    const body = { channel: channel.value, title: story.title.slice(0, profile.title_max), body: story.body.slice(0, profile.body_max) };
    if (await act(make, (o) => api("POST", `/api/stories/${story.id}/products`, body, o), status)) openStory(story.id);
  });
  box.append(el("div", { class: "row make-product" }, channel, make, status));
  return box;
}

/** The story editor: a new story (no id) or the current version of one. */
async function openStory(id) {
  chosen = id;
  document.querySelectorAll("#stories button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.id === id)));
  let story = { title: "", body: "", captures: [], versions: [], state: "draft", version: undefined, assignment: null };
  if (id) {
    try {
      story = await api("GET", `/api/stories/${id}`);
    } catch (error) {
      return fill($("story"), el("p", { class: "error" }, error.message));
    }
  }
  const picked = await Promise.all(story.captures.map(capture));
  const title = el("input", { type: "text", id: "story-title", value: story.title, "aria-label": t("desk.title") });
  const body = el("textarea", { id: "story-body", rows: 12, "aria-label": t("desk.body") });
  body.value = story.body;
  const chosenList = el("ul", { class: "captures picked" });
  const showPicked = () =>
    fill(
      chosenList,
      picked.length
        ? picked.map((c, i) => {
            const drop = el("button", { type: "button" }, t("desk.remove"));
            drop.addEventListener("click", () => (picked.splice(i, 1), showPicked()));
            // A picked video carries the clip tool (clipper.js): the clip made joins the library.
            const video = !c.error && c.content_type.startsWith("video/") ? el("video", { src: c.file, controls: true, preload: "metadata" }) : null;
            // A picked photo shows itself, so the editor sees which picture the story carries.
            const photo = !c.error && c.content_type.startsWith("image/") ? el("img", { src: c.file, alt: c.filename, loading: "lazy", class: "thumb" }) : null;
            return el("li", { dataset: { capture: c.id } }, photo, el("span", {}, c.filename), el("span", { class: "muted" }, c.error ? c.error.message : captureFacts(c)), drop, video, video ? clipControls(c, video) : null);
          })
        : el("li", { class: "calm" }, t("review.no_captures")),
    );
  showPicked();
  const pick = (c) => {
    if (!picked.some((p) => p.id === c.id)) picked.push(c);
    captureCache.set(c.id, Promise.resolve(c));
    showPicked();
  };
  const status = el("span", { class: "status", id: "story-status", role: "status" });
  const save = el("button", { type: "button", class: "primary", id: "save-story" }, t("desk.save"));
  save.addEventListener("click", async () => {
    const sent = { title: title.value, body: body.value, captures: picked.map((c) => c.id) };
    const done = await act(
      save,
      async (o) => {
        if (!id) return api("POST", "/api/stories", sent, o);
        return saving(() => api("PUT", `/api/stories/${id}`, sent, { ...o, ifMatch: story.version }));
      },
      status,
    );
    if (done) {
      await listStories();
      openStory(done.id);
    }
  });
  const submit = el("button", { type: "button", id: "submit-story" }, t("desk.submit"));
  submit.addEventListener("click", async () => {
    if (await act(submit, (o) => api("POST", `/api/stories/${id}/submit`, {}, o), status)) (await listStories(), openStory(id));
  });
  fill(
    $("story"),
    el("h2", {}, id ? story.title : t("desk.new_story")),
    id ? el("p", { class: "muted" }, `${label("story_state", story.state)} · ${t("review.version")} ${story.revision} · ${story.authors.join(", ")}`) : null,
    el("label", {}, t("desk.title"), title),
    el("label", {}, t("desk.body"), body),
    el("h3", {}, t("review.captures")),
    chosenList,
    library(pick, story.assignment),
    el("div", { class: "row" }, save, id && ["draft", "returned"].includes(story.state) ? submit : null, status),
    id ? versionsView(story) : null,
    id ? [el("h3", {}, t("desk.products")), await productsView(story, picked.filter((c) => !c.error))] : null,
  );
}

$("filter").addEventListener("change", listStories);
$("new-story").addEventListener("click", () => openStory(null));
listStories();
const wanted = new URLSearchParams(location.search).get("story");
if (wanted) openStory(wanted);
