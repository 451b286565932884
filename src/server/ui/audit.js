// #/audit: the audit trail (filtered through the API: env, flag, token, limit), newest first,
// each entry expandable to its before/after diff and its changes (and, for the automatic
// decisions of rollout plans and guards, the figures they were taken on); and the scheduled
// changes of the current environment, the pending ones cancellable by an editor.
//
// The filters live in the hash query (#/audit?env=staging&flag=x) when the router passes
// it on (`params.query`), so they survive a reload and can be linked; they are also kept in
// sessionStorage, which restores them for a plain #/audit.

import { call, envPath } from "./api.js";
import { apiError, confirmDialog, fieldError, h, render, toast } from "./dom.js";
import { renderChanges, renderDiff } from "./diff.js";
import { figuresView, pc } from "./experiments.js";
import { pct } from "./summary.js";

const STORE = "edgeflag-admin-audit-filters";
const FIELDS = ["env", "flag", "token", "limit"];
const DEFAULT_LIMIT = "100";

/** What each audit `source` means. */
const SOURCES = { admin: "admin API", file: "flags file", schedule: "schedule", tenants: "tenant columns", start: "start-up" };

let uid = 0;
/** The environment of the top switcher when the view was last shown (null before). */
let shownFor = null;

/** A timestamp as local time, the RFC 3339 text in its title and datetime. */
const when = (at) => {
  const date = new Date(at);
  const text = Number.isNaN(date.getTime()) ? String(at ?? "") : date.toLocaleString();
  return h("time", { datetime: at, title: at }, text);
};

/** The filters to start from: the hash query, else sessionStorage, else the defaults. */
function initialFilters(ctx, params) {
  const fromHash = params?.query ?? (location.hash.includes("?") ? location.hash.slice(location.hash.indexOf("?") + 1) : "");
  let source = new URLSearchParams(fromHash);
  if (![...source.keys()].some((k) => FIELDS.includes(k))) {
    try {
      source = new URLSearchParams(sessionStorage.getItem(STORE) ?? "");
    } catch {
      source = new URLSearchParams();
    }
  }
  const names = ctx.environments.map((e) => e.name);
  const env = source.get("env");
  return {
    env: env === "all" || names.includes(env) ? env : ctx.env ?? "all",
    flag: source.get("flag") ?? "",
    token: source.get("token") ?? "",
    limit: /^\d*$/.test(source.get("limit") ?? "x") ? source.get("limit") : DEFAULT_LIMIT,
  };
}

/** Keeps the filters: sessionStorage always; the hash only when the router routes queries. */
function keepFilters(filters, hashRouting) {
  const q = new URLSearchParams();
  // An empty limit (every entry) is kept too, so that it is not the default again on reload.
  for (const k of FIELDS) if (filters[k] !== "" || k === "limit") q.set(k, filters[k]);
  sessionStorage.setItem(STORE, q.toString());
  // replaceState: no hashchange, so the view is not shown again (focus stays where it is).
  if (hashRouting) history.replaceState(history.state, "", `#/audit?${q}`);
}

/** A row's detail toggle: a button with aria-expanded controlling the detail row. */
function toggle(label, detail, fill) {
  const button = h("button", { type: "button", class: "link disclosure", "aria-expanded": "false", "aria-controls": detail.id, "aria-label": label }, "Details");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (open && !detail.dataset.filled) fill(), (detail.dataset.filled = "1");
    detail.hidden = !open;
  });
  return button;
}

/** The definitions an entry's changes touch (a promotion names no single key): "flag a", ... */
function touched(changes) {
  const seen = new Set();
  for (const c of changes ?? []) {
    const m = /^(flags|segments)(?:\.([^.[]+)|\[("(?:[^"\\]|\\.)*")\])/.exec(c.path ?? "");
    if (!m) continue;
    let key = m[2];
    if (key === undefined) {
      try {
        key = JSON.parse(m[3]);
      } catch {
        key = m[3];
      }
    }
    seen.add(JSON.stringify([m[1] === "flags" ? "flag" : "segment", key]));
  }
  return [...seen].map((pair) => JSON.parse(pair));
}

/** The key cell of an entry without one (a promotion, a reload): what its changes touch. */
function keysOf(entry) {
  const list = touched(entry.changes);
  if (!list.length) return h("span", { class: "muted" }, "—");
  const shown = list.slice(0, 4).map(([kind, key], i) => [i ? ", " : "", h("span", { class: "muted" }, `${kind} `), h("code", {}, key)]);
  return [shown, list.length > 4 ? h("span", { class: "muted" }, ` and ${list.length - 4} more`) : null];
}

/** An automatic decision's gist, under its action: the weight it set, or the rate that killed. */
const figuresLine = (f) => f && h("span", { class: "muted figures-line" },
  f.weight != null ? ` weight ${pct(f.weight)}` : f.rate != null ? ` ${f.variant}: ${f.metric} ${pc(f.rate)} > ${pc(f.maxRate)}` : null);

/** One audit entry: its row, and its detail row (the diff and the changes), hidden. */
function entryRows(entry) {
  const id = `audit-detail-${++uid}`;
  const detailCell = h("td", { colspan: 7 });
  const detail = h("tr", { id, class: "audit-detail", hidden: true }, detailCell);
  const fill = () => {
    const hasDocs = entry.before != null || entry.after != null;
    render(
      detailCell,
      entry.figures ? [h("h4", {}, "Decided on"), figuresView(entry.figures)] : null,
      h("div", { class: "grid2 audit-parts" },
        h("div", {}, h("h4", {}, "Before / after"), hasDocs ? renderDiff(entry.before, entry.after) : h("p", { class: "muted" }, `No single document for a ${entry.action} entry: its changes are listed.`)),
        h("div", {}, h("h4", {}, "Changes"), renderChanges(entry.changes))),
      h("p", { class: "muted" }, `Entry ${entry.seq}${entry.prev ? `, chained to the entry before it (SHA-256 ${String(entry.prev).slice(0, 12)}…)` : ", the first of the chain"}.`),
    );
  };
  const versions = entry.oldVersion != null || entry.newVersion != null ? `${entry.oldVersion ?? "—"} → ${entry.newVersion ?? "—"}` : "—";
  const label = `Details of entry ${entry.seq}: ${entry.action} ${entry.key ?? ""} in ${entry.environment}`;
  const row = h(
    "tr",
    { dataset: { seq: entry.seq, key: entry.key ?? "", token: entry.token ?? "", env: entry.environment ?? "" } },
    h("td", { "data-label": "When" }, when(entry.at)),
    h("td", { "data-label": "Environment" }, entry.environment ?? "—"),
    h("td", { "data-label": "Who" }, entry.token ?? h("span", { class: "muted" }, "no token"), h("span", { class: "muted" }, ` via ${SOURCES[entry.source] ?? entry.source ?? "?"}`)),
    h("td", { "data-label": "Action" }, h("span", { class: `badge action-${entry.action}` }, entry.action), figuresLine(entry.figures)),
    h("td", { "data-label": "Key" }, entry.key ? [entry.kind ? h("span", { class: "muted" }, `${entry.kind} `) : null, h("code", {}, entry.key)] : keysOf(entry)),
    h("td", { "data-label": "Versions", class: "versions" }, versions),
    h("td", {}, toggle(label, detail, fill)),
  );
  return [row, detail];
}

export async function show(main, ctx, params) {
  const hashRouting = params?.query !== undefined;
  const filters = initialFilters(ctx, params);
  // Switched at the top while here: a filter that followed the old environment follows.
  if (shownFor && shownFor !== ctx.env && filters.env === shownFor) filters.env = ctx.env;
  shownFor = ctx.env;
  const names = ctx.environments.map((e) => e.name);
  const env = h("select", { id: "audit-env", name: "env" }, h("option", { value: "all", selected: filters.env === "all" }, "All environments"), names.map((n) => h("option", { value: n, selected: filters.env === n }, n)));
  const flag = h("input", { id: "audit-flag", name: "flag", type: "search", value: filters.flag, autocomplete: "off", spellcheck: "false", placeholder: "exact key" });
  const tokenInput = h("input", { id: "audit-token", name: "token", type: "search", value: filters.token, autocomplete: "off", spellcheck: "false", placeholder: "token name" });
  const limit = h("input", { id: "audit-limit", name: "limit", type: "number", min: "1", step: "1", value: filters.limit, inputmode: "numeric", placeholder: "all" });
  const byField = { env, flag, token: tokenInput, limit };
  const top = h("div", { class: "audit-top" });
  const status = h("p", { class: "muted", id: "audit-status", "aria-live": "polite" });
  const tbody = h("tbody", { id: "audit-entries" });
  const scheduledTop = h("div", {});
  const scheduledBody = h("tbody", { id: "scheduled-entries" });
  const scheduledStatus = h("p", { class: "muted", "aria-live": "polite" });

  const form = h(
    "form",
    { class: "toolbar audit-filters", role: "search", novalidate: true, "aria-label": "Filter the audit log", onsubmit: (e) => (e.preventDefault(), load()) },
    h("div", {}, h("label", { for: "audit-env" }, "Environment"), env),
    h("div", {}, h("label", { for: "audit-flag" }, "Flag key"), flag),
    h("div", {}, h("label", { for: "audit-token" }, "Token name"), tokenInput),
    h("div", {}, h("label", { for: "audit-limit" }, "Newest entries"), limit),
    h("div", { class: "toolbar-buttons" },
      h("button", { type: "submit", class: "primary" }, "Apply filters"),
      h("button", { type: "button", onclick: () => {
        env.value = ctx.env ?? "all";
        flag.value = tokenInput.value = "";
        limit.value = DEFAULT_LIMIT;
        load();
      } }, "Reset")),
  );

  render(
    main,
    h("h2", {}, "Audit"),
    h("section", { "aria-labelledby": "audit-log-title" },
      h("h3", { id: "audit-log-title" }, "Audit log"),
      form,
      top,
      status,
      h("div", { class: "table-wrap", id: "audit-table" }, h("table", { class: "audit stack" },
        h("caption", { class: "visually-hidden" }, "Audit entries, newest first"),
        h("thead", {}, h("tr", {}, ["When", "Environment", "Who", "Action", "Key", "Versions (old → new)"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Details")))),
        tbody))),
    h("section", { "aria-labelledby": "scheduled-title", class: "scheduled" },
      h("h3", { id: "scheduled-title", tabindex: "-1" }, `Scheduled changes in ${ctx.env}`),
      h("p", { class: "muted" }, "Changes stored to be applied at an instant to come, and what became of them. Switch the environment at the top for another one's."),
      h("div", { class: "toolbar-buttons" }, h("button", { type: "button", onclick: () => loadScheduled() }, "Refresh")),
      scheduledTop,
      scheduledStatus,
      h("div", { class: "table-wrap", id: "scheduled-table" }, h("table", { class: "scheduled-table stack" },
        h("caption", { class: "visually-hidden" }, `Scheduled changes of ${ctx.env}`),
        h("thead", {}, h("tr", {}, ["ID", "Due", "Action", "Key", "Who", "State", "Result"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Cancel")))),
        scheduledBody))),
  );

  async function load() {
    for (const field of Object.values(byField)) fieldError(field, null);
    render(top);
    const current = { env: env.value, flag: flag.value.trim(), token: tokenInput.value.trim(), limit: limit.value.trim() };
    if (current.limit !== "" && !(/^\d+$/.test(current.limit) && Number(current.limit) >= 1)) return fieldError(limit, "A whole number of entries, at least 1 (e.g. 100), or empty for all.");
    keepFilters(current, hashRouting);
    status.textContent = "Loading…";
    const query = { env: current.env === "all" ? undefined : current.env, flag: current.flag, token: current.token, limit: current.limit };
    const result = await call("GET", "/admin/audit", { query });
    if (!result.ok) {
      status.textContent = "";
      render(tbody);
      const field = byField[result.body?.field];
      if (field) fieldError(field, apiError(result));
      else render(top, h("p", { class: "error", role: "alert" }, "The audit log could not be read: ", apiError(result)));
      return;
    }
    const entries = [...(result.body ?? [])].reverse();
    const more = current.limit && entries.length >= Number(current.limit) ? ` (the newest ${current.limit}; older ones exist: raise the number to see them)` : "";
    status.textContent = entries.length ? `${entries.length} entr${entries.length === 1 ? "y" : "ies"}, newest first${more}.` : "No entries match these filters.";
    render(tbody, entries.map(entryRows));
    main.querySelector("#audit-table").hidden = !entries.length;
  }

  async function loadScheduled() {
    render(scheduledTop);
    const result = await call("GET", envPath(ctx.env, "/scheduled"), { query: { all: "true" } });
    if (!result.ok) {
      render(scheduledBody);
      scheduledStatus.textContent = "";
      render(scheduledTop, h("p", { class: "error", role: "alert" }, "The scheduled changes could not be read: ", apiError(result)));
      return;
    }
    // Pending first, the next due on top; then the others, the latest first.
    const due = (r) => Date.parse(r.at) || 0;
    const rows = [...(result.body.scheduled ?? [])].sort((a, b) =>
      (a.state === "pending") !== (b.state === "pending") ? (a.state === "pending" ? -1 : 1) : a.state === "pending" ? due(a) - due(b) : due(b) - due(a) || b.id - a.id);
    const pending = rows.filter((r) => r.state === "pending").length;
    scheduledStatus.textContent = rows.length ? `${rows.length} scheduled change${rows.length === 1 ? "" : "s"}, ${pending} pending.` : "No scheduled changes.";
    main.querySelector("#scheduled-table").hidden = !rows.length;
    const editable = ctx.canEdit(ctx.env);
    render(scheduledBody, rows.map((r) => {
      const cancel = r.state === "pending" && editable
        ? h("button", { type: "button", class: "danger", "aria-label": `Cancel scheduled change ${r.id} (${r.action} ${r.key})`, onclick: () => cancelChange(r) }, "Cancel")
        : null;
      return h("tr", { dataset: { id: r.id, state: r.state } },
        h("td", { "data-label": "ID" }, String(r.id)),
        h("td", { "data-label": "Due" }, when(r.at)),
        h("td", { "data-label": "Action" }, r.action, r.body ? h("code", { class: "json muted" }, ` ${JSON.stringify(r.body)}`) : null),
        h("td", { "data-label": "Key" }, h("span", { class: "muted" }, `${r.kind} `), h("code", {}, r.key)),
        h("td", { "data-label": "Who" }, r.createdBy, h("span", { class: "muted" }, " at "), when(r.createdAt)),
        h("td", { "data-label": "State" }, h("span", { class: `badge state-${r.state}` }, r.state)),
        h("td", { "data-label": "Result" }, r.result ?? h("span", { class: "muted" }, "—")),
        h("td", {}, cancel ?? (r.state === "pending" ? h("span", { class: "muted" }, "editors only") : null)),
      );
    }));
  }

  async function cancelChange(r) {
    const production = /^prod(uction)?$/i.test(ctx.env);
    const ok = await confirmDialog(
      `Cancel scheduled change ${r.id}?`,
      `${r.action} of ${r.kind} ${r.key} in ${ctx.env}, due ${new Date(r.at).toLocaleString()}, will not be applied.${production ? " This is production." : ""}`,
      "Cancel the change",
      "Keep it",
    );
    if (!ok) return;
    const result = await call("DELETE", envPath(ctx.env, `/scheduled/${encodeURIComponent(r.id)}`));
    if (result.ok) toast(`Scheduled change ${r.id} cancelled.`);
    await loadScheduled();
    if (!result.ok) render(scheduledTop, h("p", { class: "error", role: "alert" }, `Change ${r.id} was not cancelled: `, apiError(result)));
    document.getElementById("scheduled-title")?.focus?.();
  }

  await Promise.all([load(), loadScheduled()]);
}
