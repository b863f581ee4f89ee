// WHIP publishing (RFC 9725) from the browser: publish(url, token, stream, {onState}).
//
// It prefers H.264 (phones encode it in hardware and the hub relays it untouched), gathers every
// ICE candidate before sending the offer (the hub answers PATCH with 405: no trickle), and
// publishes again by itself after a failure or a network change, with backoff. The old session is
// DELETEd once the new one is up, so the hub reports the source "interrupted" then "resumed".

const PERMANENT = new Set([400, 401, 403, 404, 413, 415]); // retrying cannot help
const DISCONNECTED_GRACE = 2000; // "disconnected" often heals by itself; "failed" never does

export class WhipError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function authorization(token) {
  if (token) return { Authorization: `Bearer ${token}` };
  // Signed in by cookie on one of the hub's pages: its writes carry the session's CSRF token.
  const csrf = globalThis.document?.querySelector('meta[name="csrf-token"]')?.content;
  return csrf ? { "X-CSRF-Token": csrf } : {};
}

/** Resolves when ICE gathering is complete, or after `timeout` ms with what was gathered. */
export function iceGathered(pc, timeout = 3000) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeout);
  });
}

/** ICE servers announced in `Link: <url>; rel="ice-server"` headers (RFC 9725 §4.6). */
export function iceServersFromLinks(header) {
  const servers = [];
  for (const [, url, params] of (header || "").matchAll(/<([^>]+)>([^<]*)/g)) {
    const attrs = Object.fromEntries([...params.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => m.slice(1)));
    if (attrs.rel !== "ice-server") continue;
    const server = { urls: url };
    if (attrs.username) Object.assign(server, { username: attrs.username, credential: attrs.credential });
    servers.push(server);
  }
  return servers;
}

/** Offer, gather, POST, answer: returns the session's URL and any announced ICE servers. */
export async function negotiate(pc, url, token, gatherTimeout) {
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc, gatherTimeout);
  const endpoint = new URL(url, document.baseURI);
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/sdp", ...authorization(token) },
    body: pc.localDescription.sdp,
  });
  if (response.status !== 201) {
    const body = await response.json().catch(() => ({}));
    throw new WhipError(response.status, body.error?.message || response.statusText);
  }
  const session = new URL(response.headers.get("Location"), endpoint).href;
  const iceServers = iceServersFromLinks(response.headers.get("Link"));
  await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
  return { session, iceServers };
}

/** Ends a session (RFC 9725 §4.4); best effort, as the network may be what failed. */
export async function deleteSession(session, token) {
  try {
    await fetch(session, { method: "DELETE", headers: authorization(token), keepalive: true });
  } catch {
    // the hub ends it anyway when its media stops
  }
}

function preferH264(transceiver) {
  const capabilities = window.RTCRtpReceiver?.getCapabilities?.("video");
  if (!capabilities || !transceiver.setCodecPreferences) return;
  // Constrained baseline with packetization-mode=1 first: what the hub's H.264 path takes.
  const rank = (codec) => {
    if (codec.mimeType.toLowerCase() !== "video/h264") return 3;
    const fmtp = codec.sdpFmtpLine || "";
    if (!fmtp.includes("packetization-mode=1")) return 2;
    return fmtp.includes("profile-level-id=42e01f") ? 0 : 1;
  };
  try {
    transceiver.setCodecPreferences([...capabilities.codecs].sort((a, b) => rank(a) - rank(b)));
  } catch {
    // an older browser: it keeps its own order (VP8), which the hub takes as well
  }
}

/**
 * Asks the encoder to keep the frame rate and lower the resolution when the uplink narrows: a
 * reporter's picture on 1 Mbit/s should keep moving rather than turn into sharp stills.
 */
function keepFrameRate(track, sender) {
  if ("contentHint" in track && !track.contentHint) track.contentHint = "motion";
  const parameters = sender.getParameters?.();
  if (!parameters || !sender.setParameters) return;
  parameters.degradationPreference = "maintain-framerate";
  sender.setParameters(parameters).catch(() => {
    // a browser that does not take the preference keeps its own ("balanced"), with the hint above
  });
}

/** Repeats `attempt` with exponential backoff until it succeeds, stops, or fails for good. */
export async function withBackoff(attempt, { isStopped, maxBackoff = 10000 }) {
  for (let delay = 500; !isStopped(); delay = Math.min(delay * 2, maxBackoff)) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof WhipError && PERMANENT.has(error.status)) throw error;
      await sleep(delay);
    }
  }
  return null;
}

/** Watches a connection; calls `lost` once it has failed or stayed disconnected too long. */
export function watchConnection(pc, lost) {
  let timer = null;
  pc.addEventListener("connectionstatechange", () => {
    clearTimeout(timer);
    if (pc.connectionState === "failed" || pc.connectionState === "closed") lost();
    else if (pc.connectionState === "disconnected") timer = setTimeout(lost, DISCONNECTED_GRACE);
  });
}

/**
 * A connection to a WHIP or WHEP resource that comes back by itself: what a publisher and a
 * player share. Each adds its own media to a new peer connection (`addMedia`).
 */
export class Connection {
  constructor(url, token, options) {
    Object.assign(this, { url, token, pc: null, session: null, stopped: false, recovering: null });
    this.onState = options.onState || (() => {});
    this.iceServers = options.iceServers || [];
    this.gatherTimeout = options.gatherTimeout;
    this.maxBackoff = options.maxBackoff;
  }

  async connect() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    try {
      this.addMedia(pc);
      const { session, iceServers } = await negotiate(pc, this.url, this.token, this.gatherTimeout);
      if (iceServers.length) this.iceServers = iceServers; // used from the next attempt on
      if (this.stopped) throw new WhipError(0, "stopped");
      const previous = this.session;
      Object.assign(this, { pc, session });
      watchConnection(pc, () => pc === this.pc && this.recover());
      this.onState("live");
      if (previous) deleteSession(previous, this.token);
      return this;
    } catch (error) {
      pc.close();
      throw error;
    }
  }

  /** Connects again on a new connection; the old one is closed first so the hub may take over. */
  recover() {
    if (this.recovering || this.stopped) return this.recovering;
    this.pc?.close();
    this.pc = null;
    this.onState("reconnecting");
    const options = { isStopped: () => this.stopped, maxBackoff: this.maxBackoff };
    this.recovering = withBackoff(() => this.connect(), options)
      .catch((error) => this.onState("error", error))
      .finally(() => (this.recovering = null));
    return this.recovering;
  }

  release() {
    this.stopped = true;
    this.pc?.close();
    this.pc = null;
  }

  async stop() {
    this.release();
    if (this.session) await deleteSession(this.session, this.token);
    this.session = null;
    this.onState("stopped");
  }

  /** Connects, with backoff; resolves with this connection once live, or rejects for good. */
  async start() {
    this.onState("connecting");
    try {
      return await withBackoff(() => this.connect(), {
        isStopped: () => this.stopped,
        maxBackoff: this.maxBackoff,
      });
    } catch (error) {
      this.release();
      this.onState("error", error);
      throw error;
    }
  }
}

class Publisher extends Connection {
  constructor(url, token, stream, options) {
    super(url, token, options);
    this.stream = stream;
    this.onNetworkChange = () => this.pc && this.recover();
    window.addEventListener("online", this.onNetworkChange);
    navigator.connection?.addEventListener?.("change", this.onNetworkChange);
  }

  addMedia(pc) {
    for (const track of this.stream.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [this.stream] });
      if (track.kind === "video") {
        preferH264(transceiver);
        keepFrameRate(track, transceiver.sender);
      }
    }
  }

  release() {
    window.removeEventListener("online", this.onNetworkChange);
    navigator.connection?.removeEventListener?.("change", this.onNetworkChange);
    super.release();
  }
}

/**
 * Publishes a MediaStream over WHIP. Resolves with a session ({stop()}) once live; rejects with a
 * WhipError when the hub refuses for good (bad token 401/403, unknown source 404, bad offer 400).
 * onState(state) hears "connecting", "live", "reconnecting", "stopped" and "error".
 */
export async function publish(url, token, stream, options = {}) {
  return new Publisher(url, token, stream, options).start();
}
