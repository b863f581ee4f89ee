// The video wall: live from the wall feed, or as it was at `?at=` (replay). No mouse needed.

import { api, config, el, fill, hhmm, syncClock, t } from "./common.js";
import { WallFeed } from "./feed.js";
import { Tiles, renderClock, renderPanels } from "./wallview.js";
import { renderWatch } from "./wallwatch.js";

const root = document.getElementById("wall");
const banner = document.getElementById("banner");
const MATRIX_EVERY = 60000;

/** Plays a source on a tile over WHEP once the media engine's player is there. */
function player() {
  let module = null;
  const loading = import("./whep.js").then((m) => (module = m)).catch(() => null);
  return (source, video, onState) => {
    const handle = {
      session: null,
      stopped: false,
      stop() {
        this.stopped = true;
        this.session?.stop();
      },
    };
    loading.then(async () => {
      if (!module || handle.stopped) return;
      try {
        // The page is signed in by cookie: no token, the hub takes the session (same origin).
        const session = await module.play(`/whep/${encodeURIComponent(source)}`, null, video, {
          onState,
        });
        if (handle.stopped) session.stop();
        else handle.session = session;
      } catch (error) {
        onState("error");
      }
    });
    return handle;
  };
}

function showBanner(kind, text) {
  root.dataset.state = kind;
  banner.hidden = !text;
  banner.className = `banner banner-${kind}`;
  banner.textContent = text || "";
}

function replay() {
  const at = config.at;
  api("GET", `/api/wall?at=${encodeURIComponent(at)}`)
    .then((wall) => {
      const moment = wall.replay_at || wall.as_at;
      if (moment) syncClock(moment);
      const tiles = new Tiles(root);
      renderPanels(root, wall, null);
      renderWatch(root, wall, Date.parse(moment || wall.as_at));
      tiles.render(wall);
      renderClock(root);
      const when = moment ? hhmm(moment) : "—";
      // The same words in both languages: nobody in the hall may take a replay for the present.
      showBanner("replay", `REPLAY ${when} / 回溯 · ${t("wall.replay_position")} ${wall.position}`);
      document.title = `REPLAY ${when} / 回溯`;
    })
    .catch((error) => showBanner("failed", `${t("error")}: ${error.message}`));
}

function live() {
  const tiles = new Tiles(root, { play: player() });
  let wall = null;
  let matrix = null;
  let pending = false;
  let status = { state: "connecting" };
  let publications = "";

  const draw = () => {
    pending = false;
    if (!wall) return;
    renderPanels(root, wall, matrix);
    renderWatch(root, wall);
    tiles.render(wall);
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      setTimeout(draw, 30);
    }
  };
  const loadMatrix = () =>
    api("GET", "/api/matrix")
      .then((m) => {
        matrix = m;
        schedule();
      })
      .catch(() => (matrix = null)); // not there: the wall's own publications stand in

  const say = () => {
    const since = status.store?.since ? ` · ${t("feed.since")} ${hhmm(status.store.since)}` : "";
    const words = {
      connecting: t("feed.connecting"),
      behind: t("feed.behind"),
      // Until the hub can use its database again: what the wall shows is as at that moment.
      store: `${t("feed.store_down")}${since}`,
      failed: `${t("feed.failed")}${status.error ? ` (${status.error})` : ""}`,
    };
    if (status.state === "down") {
      const wait = Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000));
      const last = wall?.as_at ? ` · ${t("feed.updated")} ${hhmm(wall.as_at)}` : "";
      showBanner("down", `${t("feed.down")} · ${wait} ${t("feed.retry_in")}${last}`);
    } else {
      showBanner(status.state, words[status.state] || "");
    }
  };

  new WallFeed({
    onState: (state) => {
      wall = state;
      const latest = JSON.stringify(state.publications.at(-1) || null);
      if (latest !== publications) {
        publications = latest; // something was published or retracted: the matrix moved
        loadMatrix();
      }
      schedule();
    },
    onStatus: (s) => {
      status = s;
      say();
    },
  }).start();

  setInterval(() => {
    renderClock(root);
    tiles.tick();
    if (status.state === "down") say();
  }, 1000);
  setInterval(schedule, 15000); // ages and overdue marks move with the clock
  setInterval(loadMatrix, MATRIX_EVERY);
}

fill(document.getElementById("clock"), el("span", {}, "--:--:--"));
if (config.at) replay();
else live();
