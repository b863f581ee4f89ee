// WHEP playback in the browser: play(url, token, videoElement, {onState}).
//
// The hub keeps a viewer's connection up while its source reconnects (the source's feed outlives
// the publisher's sessions), so the picture comes back by itself with the source's next key
// frame. If the viewer's own connection fails (a network change, the hub restarting), it plays
// again with backoff and DELETEs the old session.

import { deleteSession, negotiate, watchConnection, withBackoff } from "./whip.js";

class Player {
  constructor(url, token, video, options) {
    Object.assign(this, { url, token, video, pc: null, session: null, stopped: false });
    this.onState = options.onState || (() => {});
    this.iceServers = options.iceServers || [];
    this.gatherTimeout = options.gatherTimeout;
    this.maxBackoff = options.maxBackoff;
    this.recovering = null;
  }

  async connect() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const stream = new MediaStream();
    pc.addEventListener("track", (event) => {
      stream.addTrack(event.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
    });
    try {
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
      const { session, iceServers } = await negotiate(pc, this.url, this.token, this.gatherTimeout);
      if (iceServers.length) this.iceServers = iceServers;
      if (this.stopped) throw new Error("stopped");
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

  async stop() {
    this.stopped = true;
    this.pc?.close();
    this.pc = null;
    if (this.session) await deleteSession(this.session, this.token);
    this.session = null;
    this.onState("stopped");
  }
}

/**
 * Plays a WHEP resource in a <video> element. Resolves with a session ({stop()}) once connected;
 * rejects with a WhipError when the hub refuses for good (401/403, unknown source 404).
 * onState(state) hears "connecting", "live", "reconnecting", "stopped" and "error".
 */
export async function play(url, token, video, options = {}) {
  const player = new Player(url, token, video, options);
  player.onState("connecting");
  try {
    return await withBackoff(() => player.connect(), {
      isStopped: () => player.stopped,
      maxBackoff: options.maxBackoff,
    });
  } catch (error) {
    player.stopped = true;
    player.onState("error", error);
    throw error;
  }
}
