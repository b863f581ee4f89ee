// Marking in and out on a video capture and asking for a clip (full picture, or 9:16 for the
// short-video outlets); the clip's progress follows until it is a capture of its own.

import { act, api, el, t } from "./common.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const at = (seconds) => (seconds == null ? "–" : `${seconds.toFixed(1)} s`);

/** The clip controls for one capture, read from its <video> element's playing position. */
export function clipControls(capture, video) {
  let start = null;
  let end = null;
  const points = el("span", { class: "muted" });
  const status = el("span", { class: "status" });
  const show = () => (points.textContent = `${t("clip.in")} ${at(start)} · ${t("clip.out")} ${at(end)}`);
  const mark = (which) => () => {
    if (which === "in") start = video.currentTime;
    else end = video.currentTime;
    show();
  };
  const markIn = el("button", { type: "button" }, t("clip.mark_in"));
  const markOut = el("button", { type: "button" }, t("clip.mark_out"));
  const vertical = el("input", { type: "checkbox" });
  const make = el("button", { type: "button" }, t("clip.make"));
  markIn.addEventListener("click", mark("in"));
  markOut.addEventListener("click", mark("out"));
  make.addEventListener("click", async () => {
    const body = { capture: capture.id, start: start ?? 0, end: end ?? capture.duration ?? video.duration, crop: vertical.checked ? "9:16" : null };
    const asked = await act(make, (o) => api("POST", "/api/clips", body, o), status);
    if (asked) follow(asked.id, status);
  });
  show();
  return el(
    "div",
    { class: "row clipper" },
    markIn,
    markOut,
    points,
    el("label", {}, vertical, ` ${t("clip.vertical")}`),
    make,
    status,
  );
}

/** Says the clip's state until it is done or failed. */
async function follow(id, status) {
  for (;;) {
    const clip = await api("GET", `/api/clips/${id}`).catch(() => null);
    if (clip) {
      const words = { queued: t("clip.queued"), working: `${t("clip.working")} ${clip.progress}%`, done: t("clip.done"), failed: `${t("clip.failed")}: ${clip.reason}` };
      status.textContent = words[clip.state];
      status.className = `status ${clip.state === "failed" ? "bad" : clip.state === "done" ? "ok" : "busy"}`;
      if (clip.state === "done" || clip.state === "failed") return clip;
    }
    await sleep(1000);
  }
}
