// Incoming submissions (来稿) from lower-level hubs: read, then adopt or not with a reason.
import { act, api, dayTime, el, fill, t } from "./common.js";

const list = document.getElementById("submissions");

function decision(item) {
  if (item.state !== "received") {
    const said = { adopted: t("submissions.adopted"), not_adopted: t("submissions.not_adopted"),
      withdrawn: t("submissions.withdrawn") }[item.state] || item.state;
    return el("p", { class: "calm" }, said, item.reason ? ` — ${item.reason}` : "",
      item.decided_by ? ` (${item.decided_by})` : "");
  }
  const reason = el("input", { type: "text", maxlength: "2000", placeholder: t("submissions.reason") });
  const status = el("span", { class: "status" });
  const decide = (adopted) => (event) =>
    act(event.currentTarget, (opts) =>
      api("POST", `/api/submissions/${item.id}/decision`, { adopted, reason: reason.value }, opts), status)
      .then((done) => done && load());
  return el("div", { class: "actions" },
    el("button", { type: "button", class: "primary", onclick: decide(true) }, t("submissions.adopt")),
    reason,
    el("button", { type: "button", onclick: decide(false) }, t("submissions.decline")),
    status);
}

function row(item) {
  return el("li", { class: "submission" },
    el("h3", {}, item.headline),
    el("p", { class: "calm" }, `${t("submissions.origin")}: ${item.origin} · ${dayTime(item.received_at)}`),
    el("p", { class: "body" }, item.body),
    ...item.renditions.map((href) => el("p", {}, el("a", { href, rel: "noopener noreferrer" }, href))),
    decision(item));
}

async function load() {
  const { submissions } = await api("GET", "/api/submissions");
  fill(list, submissions.length ? submissions.map(row) : el("li", { class: "calm" }, t("submissions.none")));
}

load();
