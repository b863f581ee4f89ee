// WHEP playback in the browser: play(url, token, videoElement, {onState}).
//
// The hub keeps a viewer's connection up while its source reconnects (the source's feed outlives
// the publisher's sessions), so the picture comes back by itself with the source's next key
// frame. If the viewer's own connection fails (a network change, the hub restarting), it plays
// again with backoff and DELETEs the old session.

import { Connection } from "./whip.js";

class Player extends Connection {
  constructor(url, token, video, options) {
    super(url, token, options);
    this.video = video;
  }

  addMedia(pc) {
    const stream = new MediaStream();
    pc.addEventListener("track", (event) => {
      stream.addTrack(event.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
    });
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
  }
}

/**
 * Plays a WHEP resource in a <video> element. Resolves with a session ({stop()}) once connected;
 * rejects with a WhipError when the hub refuses for good (401/403, unknown source 404).
 * onState(state) hears "connecting", "live", "reconnecting", "stopped" and "error".
 */
export async function play(url, token, video, options = {}) {
  return new Player(url, token, video, options).start();
}
