// The wall feed in the browser: WS /ws/wall, a snapshot then changes, reconnecting by itself.
//
// The hub sends {"type": "snapshot"} first (and again whenever this page fell too far behind),
// then {"type": "changes", from, position, changes}, heartbeats every few seconds,
// {"type": "failure"} if its projection stopped, and {"type": "store"} when the hub loses or
// regains its database (the snapshot carries that status too). A `changes.from` beyond our position means we
// missed something: we ask for a fresh snapshot. No message for three heartbeats means the
// connection is dead even if the socket does not say so (a cut mobile network, a sleeping NAT).

import { syncClock } from "./common.js";

const KEEP = { alerts: 50, publications: 50 }; // as projections/wall.py keeps them
const HEARTBEAT_TIMEOUT = 16000;
const BACKOFF = [500, 1000, 2000, 4000, 8000, 10000];

/** Applies one change to a wall state, as the hub's own mirror does (web/wall_fanout.py). */
export function applyChange(wall, change) {
  const [op, section] = change;
  if (op === "set") wall[section][change[2]] = change[3];
  else if (op === "del") delete wall[section][change[2]];
  else if (op === "push") {
    const items = wall[section];
    items.push(change[2]);
    items.splice(0, Math.max(0, items.length - (KEEP[section] || 50)));
  }
}

export class WallFeed {
  /**
   * onState(wall, position) after every snapshot or change; onStatus({state, retryAt, error,
   * store}) where state is connecting | live | behind | store | down | failed ("store": the hub
   * cannot use its database, so nothing new arrives until it is back; `store.since` says since when).
   */
  constructor({ scope = "wall", onState = () => {}, onStatus = () => {} } = {}) {
    this.scope = scope;
    this.onState = onState;
    this.onStatus = onStatus;
    this.wall = null;
    this.position = 0;
    this.ws = null;
    this.attempt = 0;
    this.heard = 0;
    this.head = 0;
    this.behind = false;
    this.failure = null;
    this.store = null; // {reachable, since, reason} as the hub last said
    this.closedByUs = false;
    this.retryTimer = null;
  }

  start() {
    this.connect();
    setInterval(() => this.watch(), 2000);
    addEventListener("online", () => this.reconnectNow());
    return this;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/wall${this.scope === "wall" ? "" : `?scope=${this.scope}`}`;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.status("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    this.heard = Date.now();
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.heard = Date.now();
      this.receive(JSON.parse(event.data));
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.scheduleReconnect();
    };
  }

  receive(message) {
    switch (message.type) {
      case "snapshot":
        this.attempt = 0;
        this.wall = message.wall;
        this.position = message.position;
        this.failure = message.failure;
        this.store = message.store || null;
        this.behind = false;
        syncClock(message.now);
        this.onState(this.wall, this.position);
        this.status(this.current());
        break;
      case "changes":
        if (!this.wall) return;
        if (message.from > this.position) {
          this.send({ type: "resync" }); // we missed a message: start again from a snapshot
          return;
        }
        for (const change of message.changes) applyChange(this.wall, change);
        this.position = message.position;
        this.wall.position = message.position;
        this.wall.as_at = message.as_at;
        this.onState(this.wall, this.position);
        break;
      case "heartbeat":
        syncClock(message.now);
        // Behind: a heartbeat ago the log had reached `head`, and the wall still has not.
        this.behind = this.head > 0 && message.position < this.head;
        this.head = message.head;
        this.position = Math.max(this.position, message.position);
        this.status(this.current());
        break;
      case "failure":
        this.failure = message.error;
        this.status("failed");
        break;
      case "store":
        this.store = { reachable: message.reachable, since: message.since, reason: message.reason };
        this.status(this.current());
        break;
    }
  }

  /** The state of a connected feed: the worst of what the hub said. */
  current() {
    if (this.failure) return "failed";
    if (this.store && !this.store.reachable) return "store";
    return this.behind ? "behind" : "live";
  }

  send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  watch() {
    if (this.ws && Date.now() - this.heard > HEARTBEAT_TIMEOUT) {
      const dead = this.ws;
      this.ws = null;
      dead.close();
      this.scheduleReconnect();
    }
  }

  scheduleReconnect() {
    const wait = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)] * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    const until = Date.now() + wait;
    this.status("down", until);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  reconnectNow() {
    if (this.ws) return;
    this.connect();
  }

  status(state, retryAt = null) {
    this.onStatus({ state, retryAt, error: this.failure, position: this.position, store: this.store });
  }
}

/** Shows a feed status in a page's banner element (hidden while the feed is live). */
export function showStatus(banner, status, t) {
  const words = {
    connecting: t("feed.connecting"),
    down: t("feed.down"),
    behind: t("feed.behind"),
    store: t("feed.store_down"),
    failed: t("feed.failed"),
  };
  banner.hidden = status.state === "live";
  banner.className = `banner banner-${status.state}`;
  banner.textContent = words[status.state] || "";
  document.body.dataset.feed = status.state;
}
