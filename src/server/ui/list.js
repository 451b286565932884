// The list of an environment's flags (or segments): status, serving summary, last change,
// lint badges inline, search and filters, and the kill switch. Rows are built once per view;
// searching and filtering only toggle `hidden`, so a thousand flags stay quick. The time from
// the data being there to the table laid out is `document.body.dataset.listRenderMs`.

import { call, definitionPath, envPath } from "./api.js";
import { h, render, toast, apiError, confirmDialog, fieldError } from "./dom.js";
import { lintByKey, status, summary, when } from "./summary.js";

let generation = 0;
/** The filters of each list, kept while the tab lives (back from the editor: the same view). */
const filters = { flags: { q: "", status: "", type: "", lint: "" }, segments: { q: "", lint: "" } };

const LINTS = { flags: ["expired", "unreachable rule", "ready to remove"], segments: ["unused segment"] };

/** The list view: `kind` is "flags" or "segments". */
export async function show(main, ctx, { kind }) {
  const mine = ++generation;
  const env = ctx.env;
  const noun = kind === "flags" ? "Flags" : "Segments";
  render(main, h("h2", {}, `${noun} in ${env}`), h("p", { class: "muted" }, "Loading…"));
  const [list, lint, scheduled] = await Promise.all([
    call("GET", envPath(env, `/${kind}`)),
    call("GET", envPath(env, "/lint")),
    kind === "flags" ? call("GET", envPath(env, "/scheduled")) : null,
  ]);
  if (mine !== generation) return;
  if (!list.ok) return render(main, h("h2", {}, `${noun} in ${env}`), h("p", { class: "error", role: "alert" }, apiError(list)));

  const started = performance.now();
  const st = {
    ctx, env, kind, editable: ctx.canEdit(env),
    lints: lint.ok ? lintByKey(lint.body.warnings) : new Map(),
    pending: new Map(),
    f: filters[kind],
  };
  for (const s of scheduled?.ok ? scheduled.body.scheduled : []) {
    if (s.kind !== "flag") continue;
    st.pending.set(s.key, [...(st.pending.get(s.key) ?? []), s]);
  }
  const items = list.body[kind] ?? [];
  st.rows = items.map((item) => (kind === "flags" ? flagRow(st, item) : segmentRow(st, item)));
  st.count = h("p", { id: "l-count", class: "muted", "aria-live": "polite" });
  st.body = h("tbody", { role: "rowgroup" }, st.rows.map((r) => r.el));
  const head = kind === "flags"
    ? ["Key", "Type", "Status", "Serving", "Last change", "Lint", st.editable ? "Kill switch" : null]
    : ["Key", "Members", "Lint", "Last change"];
  // Explicit roles: the flag table's rows are laid out as grids (see style.css).
  const table = h("table", { class: `flags list-${kind}${st.editable ? "" : " readonly-list"}`, role: "table", "aria-describedby": "l-count" },
    h("caption", { class: "visually-hidden" }, `${noun} in ${env}`),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, head.filter(Boolean).map((t) => h("th", { scope: "col", role: "columnheader" }, t)))), st.body);
  render(main,
    h("div", { class: "list-head" }, h("h2", {}, `${noun} in ${env}`),
      st.editable ? h("a", { class: "button primary", href: `#/new/${kind}`, id: "l-new" }, kind === "flags" ? "New flag" : "New segment") : null),
    st.editable ? null : h("p", { class: "muted readonly" }, `Read-only: your token (${ctx.me?.role}) cannot change ${env}, so there are no kill switches or edits here.`),
    toolbar(st),
    st.count,
    items.length ? h("div", { class: "table-wrap" }, table) : h("p", {}, `No ${kind} in ${env} yet.`));
  apply(st);
  void table.offsetHeight; // lay it out: part of what the measurement covers
  const ms = performance.now() - started;
  document.body.dataset.listRenderMs = ms.toFixed(1);
  main.dataset.rows = String(items.length);
}

/** The search box and the filters. */
function toolbar(st) {
  const { f, kind } = st;
  const choose = (id, label, key, options) => h("div", {},
    h("label", { for: id }, label),
    h("select", { id, onchange: (e) => ((f[key] = e.target.value), apply(st)) },
      [["", "All"], ...options.map((o) => (Array.isArray(o) ? o : [o, o]))].map(([v, t]) => h("option", { value: v, selected: f[key] === v }, t))));
  return h("div", { class: "toolbar", role: "search" },
    h("div", {}, h("label", { for: "l-search" }, "Search keys"),
      h("input", { id: "l-search", type: "search", value: f.q, autocomplete: "off", spellcheck: "false", oninput: (e) => ((f.q = e.target.value), apply(st)) })),
    kind === "flags" ? choose("l-status", "Status", "status", ["on", "off", "killed", "scheduled"]) : null,
    kind === "flags" ? choose("l-type", "Type", "type", ["boolean", "string", "number", "object"]) : null,
    choose("l-lint", "Lint", "lint", [["any", "any warning"], ...LINTS[kind]]));
}

/** Shows the rows the filters let through. */
function apply(st) {
  const { f } = st;
  const q = f.q.trim().toLowerCase();
  let shown = 0;
  for (const r of st.rows) {
    const visible = (!q || r.search.includes(q))
      && (!f.status || (f.status === "scheduled" ? r.scheduled : r.status === f.status))
      && (!f.type || r.type === f.type)
      && (!f.lint || (f.lint === "any" ? r.lint.length > 0 : r.lint.includes(f.lint)));
    if (r.el.hidden === visible) r.el.hidden = !visible;
    if (visible) shown++;
  }
  const noun = st.kind === "flags" ? "flag" : "segment";
  st.count.textContent = shown === st.rows.length ? `${shown} ${noun}${shown === 1 ? "" : "s"}` : `Showing ${shown} of ${st.rows.length} ${noun}s`;
}

/** The lint badges of one definition (the message is read out, and shown as a tooltip). */
function badges(found) {
  return found.map((w) => h("span", { class: "badge lint", title: w.message }, w.label, h("span", { class: "visually-hidden" }, `: ${w.message}`)));
}

/** A cell, a row header cell, a row (with their roles). */
const td = (attrs, ...children) => h("td", { role: "cell", ...attrs }, ...children);
const th = (...children) => h("th", { scope: "row", role: "rowheader", class: "key" }, ...children);
const tr = (attrs, ...children) => h("tr", { role: "row", ...attrs }, ...children);

const changedCell = (item) => td({ class: "changed" },
  h("time", { datetime: item.updatedAt }, when(item.updatedAt)), item.updatedBy ? h("span", { class: "muted" }, ` by ${item.updatedBy}`) : null);

function flagRow(st, item) {
  const flag = item.flag ?? {};
  const found = st.lints.get(`flag:${item.key}`) ?? [];
  const pending = st.pending.get(item.key) ?? [];
  const state = status(flag);
  const r = { item, search: item.key.toLowerCase(), status: state, type: flag.type, scheduled: pending.length > 0, lint: found.map((w) => w.label) };
  const link = h("a", { href: `#/flags/${encodeURIComponent(item.key)}` }, item.key);
  r.el = tr({ "data-key": item.key, "data-status": state },
    th(link, flag.trackEvents ? [" ", h("a", { class: "muted results", href: `#/experiments/${encodeURIComponent(item.key)}`, "aria-label": `Experiment results of ${item.key}` }, "results")] : null),
    td({ class: "type" }, flag.type ?? ""),
    td({ class: "status" }, h("span", { class: `badge ${state}` }, state),
      pending.map((s) => [" ", h("span", { class: "badge scheduled" }, "scheduled"),
        h("span", { class: "muted when" }, ` ${s.action} at ${when(s.at)}`)])),
    td({ class: "serving" }, summary(flag)),
    changedCell(item),
    td({ class: "lint" }, badges(found)),
    st.editable ? td({ class: "kill" }, killButton(st, r)) : null);
  return r;
}

function killButton(st, r) {
  const killed = r.item.flag?.enabled === false;
  const button = h("button", { type: "button", class: killed ? "" : "danger", "aria-label": `${killed ? "Re-enable" : "Kill"} ${r.item.key}`, onclick: () => toggle(st, r, button) },
    killed ? "Re-enable" : "Kill");
  return button;
}

/** The kill switch: POST .../kill, or PATCH {"enabled": true}; confirmed in production. */
async function toggle(st, r, button) {
  const { key, flag } = r.item;
  const kill = flag.enabled !== false;
  // Production by any of its usual names (as the promote and audit views judge it).
  if (/^prod(uction)?$/i.test(st.env)) {
    const ok = await confirmDialog(
      kill ? `Kill ${key} in ${st.env}?` : `Re-enable ${key} in ${st.env}?`,
      kill ? `Everyone gets "${flag.offVariant}" (its off variant) within a second.` : `It serves as configured again: ${summary({ ...flag, enabled: true })}.`,
      kill ? "Kill" : "Re-enable");
    if (!ok) return button.focus();
  }
  button.disabled = true;
  const path = definitionPath(st.env, "flags", key);
  const res = kill ? await call("POST", `${path}/kill`) : await call("PATCH", path, { body: { enabled: true } });
  if (!res.ok) {
    button.disabled = false;
    fieldError(button, apiError(res));
    return button.focus();
  }
  const lint = await call("GET", envPath(st.env, "/lint"));
  if (lint.ok) st.lints = lintByKey(lint.body.warnings);
  const next = flagRow(st, { ...r.item, flag: res.body.document, etag: res.etag, updatedAt: new Date().toISOString(), updatedBy: st.ctx.me?.name });
  st.rows[st.rows.indexOf(r)] = next;
  r.el.replaceWith(next.el);
  apply(st);
  next.el.querySelector(".kill button")?.focus();
  toast(`${key} ${kill ? "killed" : "re-enabled"} in ${st.env} (version ${res.body.version})`);
}

function segmentRow(st, item) {
  const seg = item.segment ?? {};
  const found = st.lints.get(`segment:${item.key}`) ?? [];
  const n = (list, what) => `${list?.length ?? 0} ${what}`;
  const r = { item, search: item.key.toLowerCase(), lint: found.map((w) => w.label) };
  r.el = tr({ "data-key": item.key },
    th(h("a", { href: `#/segments/${encodeURIComponent(item.key)}` }, item.key)),
    td({}, `${n(seg.included, "included")}, ${n(seg.excluded, "excluded")}, ${n(seg.rules, seg.rules?.length === 1 ? "rule" : "rules")}`),
    td({ class: "lint" }, badges(found)),
    changedCell(item));
  return r;
}
