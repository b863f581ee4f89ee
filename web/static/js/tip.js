// The public tip form: photos and a video go up first over tus (/tip/uploads, resumable on a
// weak phone link), their ids ride with the form; "use my location" fills the coordinates.
// Without this script the form still sends the text, the place and the contact.

import { el, fill, fileSize, t } from "./common.js";
import { TusUpload } from "./tus.js";

const form = document.getElementById("tip-form");
const picker = document.getElementById("tip-files");
const list = document.getElementById("tip-file-list");
const attachments = document.getElementById("attachments");
const send = document.getElementById("tip-send");
const done = [];
let pending = 0;

document.getElementById("tip-files-label").hidden = false;

picker.addEventListener("change", async () => {
  const files = [...picker.files].slice(0, 6 - done.length);
  picker.value = "";
  await Promise.all(files.map(upload));
});

async function upload(file) {
  const status = el("span", { class: "hint" }, t("tip.uploading"));
  const row = el("li", {}, `${file.name} (${fileSize(file.size)}) `, status);
  list.append(row);
  pending += 1;
  send.disabled = true;
  try {
    const url = await new TusUpload(file, {
      endpoint: "/tip/uploads",
      metadata: { filename: "", filetype: file.type },
      onProgress: (sent, total) => fill(status, `${Math.floor((100 * sent) / Math.max(total, 1))}%`),
    }).start();
    done.push(url.split("/").pop());
    attachments.value = done.join(",");
    fill(status, t("tip.uploaded"));
    row.dataset.state = "uploaded";
  } catch (error) {
    fill(status, t("tip.upload_failed"));
    row.dataset.state = "failed";
  } finally {
    pending -= 1;
    send.disabled = pending > 0;
  }
}

form.addEventListener("submit", (event) => {
  if (pending > 0) event.preventDefault();
});

const locate = document.getElementById("tip-locate");
if ("geolocation" in navigator) {
  locate.hidden = false;
  locate.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        document.getElementById("tip-lat").value = position.coords.latitude.toFixed(6);
        document.getElementById("tip-lon").value = position.coords.longitude.toFixed(6);
        fill(document.getElementById("tip-located"), t("tip.located"));
      },
      () => fill(document.getElementById("tip-located"), t("tip.not_located")),
    );
  });
}
