// Readable diffs of two JSON values (flag and segment documents): pretty-printed lines, an
// LCS line diff, removed lines marked "−" (class "del") and added ones "+" (class "add"),
// so the marking is text as well as colour; runs of unchanged lines are collapsed behind a
// button. Also the table of the API's changes, [{path, old, new}]. Shared by the audit view,
// the promotion view and the flag editor's conflict (412) view.

import { h } from "./dom.js";

/** Unchanged lines kept around each change. */
const CONTEXT = 3;
/** Above this many LCS cells (lines × lines after trimming), show "all removed, all added". */
const MAX_CELLS = 4_000_000;

/** The lines of a value as shown: pretty JSON, none for an absent value. */
const linesOf = (value) => (value === undefined || value === null ? [] : JSON.stringify(value, null, 2).split("\n"));

/**
 * The line diff of `a` and `b`: [{op: " " | "-" | "+", text}], common prefix and suffix
 * trimmed first, then a longest-common-subsequence table over what is left.
 */
export function diffLines(a, b) {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) endA--, endB--;
  const out = a.slice(0, start).map((text) => ({ op: " ", text }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    out.push(...midA.map((text) => ({ op: "-", text })), ...midB.map((text) => ({ op: "+", text })));
  } else {
    // lcs[i * (m + 1) + j]: the LCS length of midA[i..] and midB[j..].
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = midA[i] === midB[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) out.push({ op: " ", text: midA[i++] }), j++;
      else if (j < m && (i === n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) out.push({ op: "+", text: midB[j++] });
      else out.push({ op: "-", text: midA[i++] });
    }
    // Show removals before additions within one changed block (reads as "this became that").
    for (let k = start; k < out.length; k++) {
      if (out[k].op === " ") continue;
      let end = k;
      while (end < out.length && out[end].op !== " ") end++;
      const block = out.slice(k, end);
      out.splice(k, end - k, ...block.filter((l) => l.op === "-"), ...block.filter((l) => l.op === "+"));
      k = end;
    }
  }
  out.push(...a.slice(endA).map((text) => ({ op: " ", text })));
  return out;
}

const PREFIX = { " ": "  ", "-": "− ", "+": "+ " };
const CLASS = { " ": "ctx", "-": "del", "+": "add" };

/** One diff line as an element. */
const lineElement = ({ op, text }) => h("span", { class: `diff-line ${CLASS[op]}` }, h("span", { class: "diff-mark" }, PREFIX[op]), text);

/** A collapsed run of unchanged lines: a button that shows them in place. */
function collapsed(lines) {
  const hidden = h("span", { class: "diff-hidden", hidden: true }, lines.map(lineElement));
  const button = h("button", { type: "button", class: "link diff-more", "aria-expanded": "false" }, `⋯ ${lines.length} unchanged line${lines.length === 1 ? "" : "s"}`);
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    hidden.hidden = !open;
    button.textContent = open ? `Hide ${lines.length} unchanged line${lines.length === 1 ? "" : "s"}` : `⋯ ${lines.length} unchanged line${lines.length === 1 ? "" : "s"}`;
  });
  return h("span", { class: "diff-fold" }, button, hidden);
}

/**
 * A readable diff of `before` and `after` (either absent: null or undefined): a summary
 * ("2 lines removed, 3 added") and the lines, unchanged runs collapsed around the changes.
 */
export function renderDiff(before, after) {
  const a = linesOf(before);
  const b = linesOf(after);
  const lines = diffLines(a, b);
  const removed = lines.filter((l) => l.op === "-").length;
  const added = lines.filter((l) => l.op === "+").length;
  let summary;
  if (!a.length && !b.length) summary = "No document on either side.";
  else if (!a.length) summary = `Created: ${added} line${added === 1 ? "" : "s"} added.`;
  else if (!b.length) summary = `Removed: ${removed} line${removed === 1 ? "" : "s"} removed.`;
  else if (!removed && !added) summary = "No differences.";
  else summary = `${removed} line${removed === 1 ? "" : "s"} removed (−), ${added} added (+).`;

  // Which unchanged lines stay visible: those within CONTEXT of a change.
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.op === " ") return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(lines.length - 1, i + CONTEXT); k++) keep[k] = true;
  });
  const body = [];
  for (let i = 0; i < lines.length; ) {
    if (lines[i].op !== " " || keep[i]) {
      body.push(lineElement(lines[i++]));
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end].op === " " && !keep[end]) end++;
    const run = lines.slice(i, end);
    body.push(run.length <= 2 ? run.map(lineElement) : collapsed(run));
    i = end;
  }
  return h(
    "div",
    { class: "diff-view" },
    h("p", { class: "muted diff-summary" }, summary),
    lines.length ? h("pre", { class: "diff" }, h("code", {}, body)) : null,
  );
}

/** A JSON value as short text for a table cell; absent (null) as "(none)". */
function cell(value) {
  if (value === undefined || value === null) return h("span", { class: "muted" }, "(none)");
  return h("code", { class: "json" }, JSON.stringify(value));
}

/**
 * The API's changes [{path, old, new}] as a table (path, before, after). `options.strip`:
 * a path prefix left out (e.g. "flags.new-checkout." in a promotion of that flag).
 */
export function renderChanges(changes, { strip, caption } = {}) {
  if (!changes?.length) return h("p", { class: "muted" }, "No changes.");
  const path = (p) => {
    if (strip && p === strip.replace(/\.$/, "")) return "(the whole definition)";
    return strip && p.startsWith(strip) && p.length > strip.length ? p.slice(strip.length) : p || "(the whole document)";
  };
  return h(
    "div",
    { class: "changes-wrap" },
    h(
      "table",
      { class: "changes" },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Path"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
      h(
        "tbody",
        {},
        changes.map((c) =>
          h("tr", {}, h("th", { scope: "row" }, h("code", {}, path(c.path))), h("td", { class: "del", "data-label": "Before" }, cell(c.old)), h("td", { class: "add", "data-label": "After" }, cell(c.new))),
        ),
      ),
    ),
  );
}
