// Proposing a topic for the meeting (报题) from the phone page, and one's proposals with the
// meeting's decision on each.

import { api, el, fill, label, proposeTopic } from "./common.js";

const form = document.getElementById("propose");
const two = (n) => String(n).padStart(2, "0");
const d = new Date();
form.elements.day.value = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;

async function mine() {
  try {
    const { topics } = await api("GET", "/api/topics/mine");
    fill(
      document.getElementById("proposals"),
      topics.map((topic) => {
        const last = topic.decisions[topic.decisions.length - 1];
        return el("li", { dataset: { topic: topic.id } }, `${topic.day} · ${topic.title} · ${label("topic", topic.state)}`, last ? ` · ${last.reason}` : "");
      }),
    );
  } catch {
    // the list is a convenience; proposing still works
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const done = await proposeTopic(form, form.elements.day.value, document.getElementById("propose-status"));
  if (done) {
    const day = form.elements.day.value;
    form.reset();
    form.elements.day.value = day;
    mine();
  }
});

mine();
