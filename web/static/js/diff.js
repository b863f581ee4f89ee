// A small text diff for reviewers: lines first, then words (or single Han characters, since
// Chinese has no spaces) inside the lines that changed. Longest common subsequence, with the
// common head and tail taken off first so that a long story with a small edit stays cheap.

const TOKEN = /[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+|\s+/gu;
const MAX_CELLS = 4_000_000;

/** [["=", text] | ["-", text] | ["+", text], ...] turning `a` into `b`, item by item. */
export function diffItems(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle = x.length * y.length > MAX_CELLS ? [...x.map((s) => ["-", s]), ...y.map((s) => ["+", s])] : lcs(x, y);
  return [...a.slice(0, head).map((s) => ["=", s]), ...middle, ...a.slice(a.length - tail).map((s) => ["=", s])];
}

function lcs(x, y) {
  const n = x.length;
  const m = y.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i, j) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] = x[i] === y[j] ? table[at(i + 1, j + 1)] + 1 : Math.max(table[at(i + 1, j)], table[at(i, j + 1)]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) (out.push(["=", x[i]]), i++, j++);
    else if (table[at(i + 1, j)] >= table[at(i, j + 1)]) out.push(["-", x[i++]]);
    else out.push(["+", y[j++]]);
  }
  while (i < n) out.push(["-", x[i++]]);
  while (j < m) out.push(["+", y[j++]]);
  return out;
}

/** A line diff whose changed stretches are refined to words: [[op, text], ...]. */
export function diffText(before, after) {
  const lines = diffItems(lines_(before), lines_(after));
  const out = [];
  for (let k = 0; k < lines.length; ) {
    if (lines[k][0] === "=") {
      out.push(lines[k++]);
      continue;
    }
    let removed = "";
    let added = "";
    while (k < lines.length && lines[k][0] !== "=") {
      if (lines[k][0] === "-") removed += lines[k][1];
      else added += lines[k][1];
      k++;
    }
    out.push(...diffItems(removed.match(TOKEN) || [], added.match(TOKEN) || []));
  }
  return merge(out);
}

const lines_ = (text) => String(text || "").match(/[^\n]*\n|[^\n]+$/g) || [];

function merge(parts) {
  const out = [];
  for (const [op, text] of parts) {
    if (out.length && out[out.length - 1][0] === op) out[out.length - 1][1] += text;
    else out.push([op, text]);
  }
  return out;
}
