// A small tus 1.0 client (https://tus.io/protocols/resumable-upload): create with POST, send
// chunks with PATCH at the server's offset, and after any failure ask the server where it got to
// (HEAD → Upload-Offset) and go on from there. The upload's URL is kept in localStorage, so even a
// reload of the page resumes instead of starting again.

const VERSION = "1.0.0";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function b64(text) {
  const bytes = new TextEncoder().encode(String(text));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export class TusUpload {
  constructor(file, { endpoint = "/api/uploads", metadata = {}, chunkSize = 512 * 1024, headers = {}, newKey, onProgress, onRetry } = {}) {
    this.file = file;
    this.endpoint = endpoint;
    this.metadata = { filename: file.name, filetype: file.type || "application/octet-stream", ...metadata };
    this.chunkSize = chunkSize;
    this.headers = headers;
    this.newKey = newKey || (() => String(Math.random()).slice(2));
    this.onProgress = onProgress || (() => {});
    this.onRetry = onRetry || (() => {});
    this.fingerprint = `tus:${file.name}:${file.size}:${file.lastModified}:${JSON.stringify(metadata)}`;
  }

  /** Uploads the whole file; answers the upload's URL. */
  async start() {
    let url = localStorage.getItem(this.fingerprint);
    let offset = url ? await this.offsetOf(url) : null;
    if (offset === null) {
      url = await this.create();
      offset = 0;
    }
    for (let failures = 0; offset < this.file.size; ) {
      try {
        offset = await this.patch(url, offset);
        failures = 0;
        this.onProgress(offset, this.file.size);
      } catch (error) {
        if (error.fatal) throw error;
        failures += 1;
        this.onRetry(failures, error);
        await sleep(Math.min(10000, 500 * 2 ** Math.min(failures, 5)));
        const known = await this.offsetOf(url).catch(() => null);
        if (known !== null) offset = known;
      }
    }
    localStorage.removeItem(this.fingerprint);
    this.onProgress(this.file.size, this.file.size);
    return url;
  }

  async create() {
    const key = this.newKey(); // one key for the creation, however often it is retried
    const metadata = Object.entries(this.metadata)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => `${k} ${b64(v)}`)
      .join(",");
    for (let failures = 0; ; failures++) {
      let response;
      try {
        response = await fetch(this.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            ...this.headers,
            "Tus-Resumable": VERSION,
            "Upload-Length": String(this.file.size),
            "Upload-Metadata": metadata,
            "Idempotency-Key": key,
          },
        });
      } catch (error) {
        this.onRetry(failures + 1, error);
        await sleep(Math.min(10000, 500 * 2 ** Math.min(failures, 5)));
        continue;
      }
      if (response.status === 201) {
        const url = new URL(response.headers.get("Location"), location.href).pathname;
        localStorage.setItem(this.fingerprint, url);
        return url;
      }
      if (response.status >= 500) {
        await sleep(1000);
        continue;
      }
      throw await refusal(response, true);
    }
  }

  /** Where the server got to, or null when it does not know this upload any more. */
  async offsetOf(url) {
    const response = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: { ...this.headers, "Tus-Resumable": VERSION } });
    if (response.status === 404 || response.status === 410) {
      localStorage.removeItem(this.fingerprint);
      return null;
    }
    if (!response.ok) throw new Error(`HEAD ${response.status}`);
    return Number(response.headers.get("Upload-Offset"));
  }

  /** One key per chunk, kept for its retries (the offset makes a resent chunk harmless too). */
  keyFor(offset) {
    this.keys ||= new Map();
    if (!this.keys.has(offset)) this.keys.set(offset, this.newKey());
    return this.keys.get(offset);
  }

  async patch(url, offset) {
    const chunk = this.file.slice(offset, offset + this.chunkSize);
    const response = await fetch(url, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {
        ...this.headers,
        "Tus-Resumable": VERSION,
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
        "Idempotency-Key": this.keyFor(offset),
      },
      body: chunk,
    });
    if (response.status === 204) return Number(response.headers.get("Upload-Offset"));
    if (response.status === 409) {
      const known = await this.offsetOf(url); // offsets disagree: the server's wins
      if (known === null) throw Object.assign(new Error("the upload expired"), { fatal: true });
      return known;
    }
    throw await refusal(response, response.status < 500 && response.status !== 408 && response.status !== 429);
  }
}

/** The hub's answer as an Error with its code and details ({"error": {"code", "message", ...}}). */
async function refusal(response, fatal) {
  let said = {};
  try {
    said = (await response.json()).error || {};
  } catch {
    // not the hub's error shape: the status says what there is to say
  }
  const { message, ...details } = said;
  return Object.assign(new Error(message || `${response.status} ${response.statusText}`), { ...details, status: response.status, fatal });
}
