// The editor of one flag or segment: structured controls and the JSON text kept in sync (the
// document object is the one source of both), client-side checks of what the format refuses,
// then saving in two steps: a dry run (lint warnings, the preview on sample contexts), then
// publishing with If-Match; a stale edit shows the conflict (412) with a diff instead of
// overwriting. Errors from the API are shown next to the control whose `data-path` names
// the path they report.

import { call, definitionPath, envPath } from "./api.js";
import { h, render, toast, apiError, fieldError } from "./dom.js";
import { renderDiff, renderChanges } from "./diff.js";
import { button, check, conditionsEditor, field, keysInput, select, serveEditor, valueInput } from "./rollout.js";
import { TYPES, convert, isDateOrInstant, lintLabel, problems, renameRefs, step } from "./summary.js";
import { tryItPanel } from "./tryit.js";

let generation = 0;
const NEW = {
  flags: () => ({ type: "boolean", enabled: true, variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: "off" } }),
  segments: () => ({ included: [], excluded: [], rules: [] }),
};
const one = (kind) => (kind === "flags" ? "flag" : "segment");
const isObject = (v) => !!v && typeof v === "object" && !Array.isArray(v);
const section = (title, ...children) => h("section", { class: "card part" }, h("h3", {}, title), ...children);
const hide = (el) => el && (el.hidden = true);

/** The editor view: `key` null creates. */
export async function show(main, ctx, { kind, key }) {
  const mine = ++generation;
  const env = ctx.env;
  render(main, h("p", { class: "muted" }, "Loading…"));
  const [def, segs, flags, lint] = await Promise.all([
    key == null ? null : call("GET", definitionPath(env, kind, key)),
    call("GET", envPath(env, "/segments")),
    kind === "flags" ? call("GET", envPath(env, "/flags")) : null,
    key == null ? null : call("GET", envPath(env, "/lint")),
  ]);
  if (mine !== generation) return;
  if (def && !def.ok) {
    return render(main, h("h2", {}, `${one(kind)} ${key}`), h("p", { class: "error", role: "alert" }, apiError(def)), h("p", {}, h("a", { href: `#/${kind}` }, `Back to the ${kind}`)));
  }
  const st = {
    ctx, env, kind, key, main, creating: key == null, jsonOk: true,
    doc: key == null ? NEW[kind]() : def.body,
    etag: def?.etag ?? null,
    readOnly: !ctx.canEdit(env),
    segments: segs.ok ? segs.body.segments.map((s) => s.key) : null,
    flags: flags?.ok ? flags.body.flags.filter((f) => f.key !== key) : [],
    warnings: lint?.ok ? lint.body.warnings.filter((w) => w.kind === one(kind) && w.key === key) : [],
  };
  layout(st);
}

function layout(st) {
  const { kind, env } = st;
  const Noun = kind === "flags" ? "Flag" : "Segment";
  st.heading = h("h2", { tabindex: -1 }, st.creating ? `New ${one(kind)} in ${env}` : `${Noun} ${st.key}`, h("span", { class: "muted" }, ` · ${env}`));
  st.top = h("div", { class: "top-error", role: "alert", tabindex: -1 });
  st.form = h("fieldset", { class: "form", disabled: st.readOnly });
  st.json = h("textarea", { id: "e-json", spellcheck: "false", readonly: st.readOnly, "aria-describedby": "e-json-hint" });
  st.json.value = JSON.stringify(st.doc, null, 2);
  st.json.addEventListener("input", () => (fromJson(st), st.tryIt?.changed()));
  st.review = h("section", { class: "card review", hidden: true, "aria-labelledby": "review-title" });
  st.conflict = h("section", { class: "card conflict", hidden: true, "aria-labelledby": "conflict-title" });
  st.keyInput = st.creating ? h("input", { id: "e-key", "data-path": "key", required: true, autocomplete: "off", spellcheck: "false", disabled: st.readOnly, oninput: () => (hide(st.review), st.tryIt?.changed()) }) : null;
  // "Try it" (flags): evaluated in the page for a test context, before and after the edit.
  st.tryIt = kind === "flags" ? tryItPanel({ ctx: st.ctx, env, readOnly: st.readOnly, key: () => (st.creating ? st.keyInput.value.trim() : st.key),
    getDocument: () => (st.jsonOk ? st.doc : null), dryRun: () => request(st, { dryRun: true }) }) : null;
  const actions = st.readOnly
    ? h("p", { class: "muted readonly" }, `Read-only: your token (${st.ctx.me?.role}) cannot change ${env}.`)
    : h("div", { class: "actions save" }, h("a", { href: `#/${kind}` }, "Cancel"), button("Review changes…", () => review(st), { id: "e-save", class: "primary" }));
  render(st.main,
    h("p", { class: "crumbs" }, h("a", { href: `#/${kind}` }, `← ${kind === "flags" ? "Flags" : "Segments"} in ${env}`),
      kind === "flags" && !st.creating ? [" · ", h("a", { href: `#/experiments/${encodeURIComponent(st.key)}` }, "Experiment results"),
        " · ", h("a", { href: `#/rollout/${encodeURIComponent(st.key)}` }, "Rollout plan and guard")] : null),
    st.heading, st.top,
    st.warnings.length ? h("ul", { class: "lint-list" }, st.warnings.map((w) => h("li", {}, h("span", { class: "badge lint" }, lintLabel(w)), " ", w.message))) : null,
    h("div", { class: "editor" },
      h("div", { class: "structured" }, st.keyInput && field("e-key", `${one(kind)} key`, st.keyInput), st.form),
      h("div", { class: "json" }, h("label", { for: "e-json" }, "Document (JSON)"),
        h("p", { id: "e-json-hint", class: "muted" }, "Edits here update the form, and the form's edits show here."), st.json)),
    st.tryIt?.element, actions, st.review, st.conflict);
  renderForm(st);
  st.heading.focus();
}

/** The control to focus in `el` (itself, or the first control inside). */
const focusable = (el) => (el.matches("input, select, textarea, button") ? el : el.querySelector("input:not(:disabled), select, textarea, button:not(:disabled)")) ?? el;

/**
 * Rebuilds the structured controls from the document, keeping the focused control (the one
 * with its id; gone, as after a removal: the last button of its section, "Add ...").
 */
function renderForm(st) {
  const active = document.activeElement;
  const inside = active && st.form.contains(active);
  const focus = inside ? active.id : null;
  const part = inside ? [...st.form.querySelectorAll("section.part")].findIndex((s) => s.contains(active)) : -1;
  const attributes = new Set(["targetingKey", ...JSON.stringify(st.doc).matchAll(/"attribute":"([^"]*)"/g)].map((m) => (typeof m === "string" ? m : m[1])));
  render(st.form, h("legend", { class: "visually-hidden" }, "Definition"),
    h("datalist", { id: "e-attributes" }, [...attributes].map((a) => h("option", { value: a }))),
    st.kind === "flags" ? flagParts(st) : segmentParts(st));
  const again = focus && document.getElementById(focus);
  if (again && !again.disabled) again.focus();
  else if (inside) [...(st.form.querySelectorAll("section.part")[part]?.querySelectorAll(":scope > button") ?? [])].pop()?.focus();
}

/** The document changed through a control: the JSON follows; `structural` rebuilds the form. */
function changed(st, structural = false) {
  st.json.value = JSON.stringify(st.doc, null, 2);
  fieldError(st.json, null);
  st.jsonOk = true;
  hide(st.review);
  // An edit makes a shown conflict out of date: it goes back through Review.
  hide(st.conflict);
  if (structural) renderForm(st);
  st.tryIt?.changed();
}

/** The JSON text edited: valid, it becomes the document; not, the form waits for it. */
function fromJson(st) {
  hide(st.review);
  hide(st.conflict);
  let doc;
  try {
    doc = JSON.parse(st.json.value);
    if (!isObject(doc)) throw new Error(`the ${one(st.kind)} must be a JSON object`);
  } catch (e) {
    st.jsonOk = false;
    st.form.disabled = true;
    return fieldError(st.json, `Not valid: ${e.message}. The form is paused until the JSON is valid.`);
  }
  st.jsonOk = true;
  st.form.disabled = st.readOnly;
  fieldError(st.json, null);
  st.doc = doc;
  try {
    renderForm(st);
  } catch (e) {
    // Valid JSON of a shape the form cannot show (`"rules": {}`): the server judges it.
    st.form.disabled = true;
    fieldError(st.json, `The form cannot show this document (${e.message}); review it to see what the server says.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Flags

function flagParts(st) {
  const d = st.doc;
  const names = Object.keys(isObject(d.variants) ? d.variants : {});
  const firstOn = () => names.find((n) => n !== d.offVariant) ?? names[0];
  const drop = (prop, i) => {
    d[prop].splice(i, 1);
    if (!d[prop].length) delete d[prop];
    changed(st, true);
  };
  return [
    section("General",
      h("div", { class: "fields" },
        field("e-type", "Type", select("e-type", TYPES, d.type, "type", (t) => (convert(d, t), changed(st, true)))),
        field("e-off", "Off variant", select("e-off", names, d.offVariant, "offVariant", (v) => ((d.offVariant = v), changed(st))), "served when killed or a prerequisite fails")),
      check("e-enabled", "Enabled (unchecked: killed, everyone gets the off variant)", d.enabled !== false, (on) => ((d.enabled = on), changed(st)), "enabled")),
    section("Variants",
      names.map((name, i) => h("div", { class: "row", role: "group", "aria-label": `Variant ${name}` },
        field(`e-v${i}-name`, "Name", variantName(st, name, i)),
        field(`e-v${i}-value`, "Value", valueInput({ type: d.type, value: d.variants[name], id: `e-v${i}-value`, path: `variants${step(name)}`, onChange: (v) => ((d.variants[name] = v), changed(st)) })),
        button("Remove", () => removeVariant(st, name, i), { id: `e-v${i}-rm`, "aria-label": `Remove variant ${name}` }))),
      button("Add variant", () => {
        let n = names.length + 1;
        while (`variant-${n}` in (d.variants ?? {})) n++;
        (d.variants = isObject(d.variants) ? d.variants : {})[`variant-${n}`] = { boolean: false, string: "", number: 0, object: {} }[d.type] ?? "";
        changed(st, true);
      }, { id: "e-add-variant" })),
    section("Targets", h("p", { class: "muted" }, "Units (targetingKey) that get a variant before any rule."),
      (d.targets ?? []).map((t, i) => h("div", { class: "row", role: "group", "aria-label": `Target ${i + 1}` },
        field(`e-t${i}-variant`, "Variant", select(`e-t${i}-variant`, names, t.variant, `targets[${i}].variant`, (v) => ((t.variant = v), changed(st)))),
        field(`e-t${i}-keys`, "Keys (one per line)", keysInput(`e-t${i}-keys`, t.values, `targets[${i}].values`, (keys) => ((t.values = keys), changed(st)))),
        button("Remove", () => drop("targets", i), { "aria-label": `Remove target ${i + 1}` }))),
      button("Add target", () => ((d.targets ??= []).push({ variant: firstOn(), values: [] }), changed(st, true)), { id: "e-add-target" })),
    section("Rules", h("p", { class: "muted" }, "In order: the first rule whose conditions all hold serves."),
      (d.rules ?? []).map((r, i) => ruleBox(st, r, i)),
      button("Add rule", () => {
        const rules = (d.rules ??= []);
        let n = rules.length + 1;
        while (rules.some((r) => r.id === `rule-${n}`)) n++;
        rules.push({ id: `rule-${n}`, conditions: [{ attribute: "", op: "in", values: [] }], serve: { variant: firstOn() } });
        changed(st, true);
      }, { id: "e-add-rule" })),
    section("Default", serveEditor({ flag: d, get: () => d.defaultServe, id: "e-default", path: "defaultServe", legend: "Everyone else",
      onChange: (s) => ((d.defaultServe = s), changed(st)) })),
    section("Prerequisites", h("p", { class: "muted" }, "Flags that must land on one of these variants first (otherwise the off variant)."),
      (d.prerequisites ?? []).map((p, i) => prerequisite(st, p, i, () => drop("prerequisites", i))),
      button("Add prerequisite", () => ((d.prerequisites ??= []).push({ flag: st.flags[0]?.key ?? "", variants: [] }), changed(st, true)), { id: "e-add-prereq", disabled: !st.flags.length })),
    section("Metadata", h("div", { class: "fields" },
      metaInput(st, "team", "Owner team"), metaInput(st, "expiresAt", "Expires (YYYY-MM-DD or RFC 3339)", isDateOrInstant), metaInput(st, "description", "Description"))),
  ];
}

function variantName(st, name, i) {
  const d = st.doc;
  const input = h("input", { id: `e-v${i}-name`, value: name, required: true, spellcheck: "false" });
  input.addEventListener("change", () => {
    const next = input.value.trim();
    if (next === name) return fieldError(input, null);
    if (!next || next in d.variants) return fieldError(input, next ? `there is a variant "${next}" already` : "a name is required");
    d.variants = Object.fromEntries(Object.entries(d.variants).map(([k, v]) => [k === name ? next : k, v]));
    renameRefs(d, name, next);
    changed(st, true);
  });
  return input;
}

function removeVariant(st, name, i) {
  const probe = structuredClone(st.doc);
  renameRefs(probe, name, "\u0000");
  if (JSON.stringify(probe) !== JSON.stringify(st.doc)) {
    return fieldError(document.getElementById(`e-v${i}-rm`), `"${name}" is still served or named (off variant, a target, a rule or the default): change those first`);
  }
  delete st.doc.variants[name];
  changed(st, true);
}

function metaInput(st, key, text, valid) {
  const d = st.doc;
  const input = h("input", { id: `e-m-${key}`, value: d.metadata?.[key] ?? "", "data-path": `metadata.${key}`, oninput: () => {
    const v = input.value.trim();
    fieldError(input, v && valid && !valid(v) ? "a date (2027-01-31) or an RFC 3339 instant" : null);
    if (v) (d.metadata = isObject(d.metadata) ? d.metadata : {})[key] = v;
    else if (d.metadata) {
      delete d.metadata[key];
      if (!Object.keys(d.metadata).length) delete d.metadata;
    }
    changed(st);
  } });
  return field(input.id, text, input);
}

function prerequisite(st, p, i, remove) {
  const variants = [...new Set([...Object.keys(st.flags.find((f) => f.key === p.flag)?.flag?.variants ?? {}), ...(p.variants ?? [])])];
  return h("div", { class: "row", role: "group", "aria-label": `Prerequisite ${i + 1}` },
    field(`e-p${i}-flag`, "Flag", select(`e-p${i}-flag`, st.flags.map((f) => f.key), p.flag, `prerequisites[${i}].flag`, (k) => ((p.flag = k), (p.variants = []), changed(st, true)))),
    h("fieldset", { class: "choices", "data-path": `prerequisites[${i}].variants` }, h("legend", {}, "Must be one of"),
      variants.map((v, k) => check(`e-p${i}-v${k}`, v, (p.variants ?? []).includes(v), (on) => {
        p.variants = on ? [...(p.variants ?? []), v] : (p.variants ?? []).filter((x) => x !== v);
        changed(st);
      }))),
    button("Remove", remove, { "aria-label": `Remove prerequisite ${i + 1}` }));
}

function ruleBox(st, r, i) {
  const rules = st.doc.rules, id = `e-r${i}`, path = `rules[${i}]`;
  const idInput = h("input", { id: `${id}-id`, value: r.id ?? "", "data-path": `${path}.id`, spellcheck: "false", oninput: () => {
    r.id = idInput.value.trim();
    fieldError(idInput, !r.id ? "an id is required" : rules.some((o, k) => k !== i && o.id === r.id) ? "another rule has this id" : null);
    changed(st);
  } });
  const move = (to) => {
    rules.splice(to, 0, rules.splice(i, 1)[0]);
    changed(st, true);
    const [same, other] = to < i ? ["up", "down"] : ["down", "up"];
    const next = document.getElementById(`e-r${to}-${same}`);
    (next && !next.disabled ? next : document.getElementById(`e-r${to}-${other}`))?.focus();
  };
  return h("fieldset", { class: "rule", "data-path": path }, h("legend", {}, `Rule ${i + 1}: ${r.id ?? ""}`),
    field(idInput.id, "Rule id", idInput),
    conditionsEditor({ owner: r, prop: "conditions", path: `${path}.conditions`, id, title: "When all of these hold", segments: st.segments, onChange: (s) => changed(st, s) }),
    serveEditor({ flag: st.doc, get: () => r.serve, id: `${id}-s`, path: `${path}.serve`, onChange: (s) => ((r.serve = s), changed(st)) }),
    h("div", { class: "actions" },
      button("Move up", () => move(i - 1), { id: `${id}-up`, disabled: i === 0, "aria-label": `Move rule ${r.id} up` }),
      button("Move down", () => move(i + 1), { id: `${id}-down`, disabled: i === rules.length - 1, "aria-label": `Move rule ${r.id} down` }),
      button("Remove rule", () => (rules.splice(i, 1), rules.length || delete st.doc.rules, changed(st, true)), { "aria-label": `Remove rule ${r.id}` })));
}

// ---------------------------------------------------------------------------------------------
// Segments

function segmentParts(st) {
  const d = st.doc;
  const keys = (prop, text) => field(`e-${prop}`, text, keysInput(`e-${prop}`, d[prop], prop, (list) => ((d[prop] = list), changed(st))));
  return [
    section("Members", h("div", { class: "fields" }, keys("included", "Included keys (one per line)"), keys("excluded", "Excluded keys (one per line)"))),
    section("Rules", h("p", { class: "muted" }, "Otherwise a unit is a member when any rule holds (all of its conditions)."),
      (d.rules ?? []).map((_, i) => h("div", { class: "rule" },
        conditionsEditor({ owner: d.rules, prop: i, path: `rules[${i}]`, id: `e-sr${i}`, title: `Rule ${i + 1}: all of`, segments: st.segments, onChange: (s) => changed(st, s) }),
        button("Remove rule", () => (d.rules.splice(i, 1), changed(st, true)), { "aria-label": `Remove rule ${i + 1}` }))),
      button("Add rule", () => ((d.rules ??= []).push([{ attribute: "", op: "in", values: [] }]), changed(st, true)), { id: "e-add-rule" })),
  ];
}

// ---------------------------------------------------------------------------------------------
// Checks, errors, saving

/** Shows each [path, message] next to the control naming the longest prefix of the path. */
function place(st, problems) {
  const controls = [...st.main.querySelectorAll("[data-path]")];
  const byField = new Map(), top = [];
  for (const [path, message] of problems) {
    const at = controls.filter((c) => { const p = c.dataset.path; return path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`); })
      .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
    if (at) byField.set(at, [...(byField.get(at) ?? []), message]);
    else top.push(path ? `${path}: ${message}` : message);
  }
  for (const [control, messages] of byField) fieldError(control, messages.join("; "));
  render(st.top, top.map((m) => h("p", { class: "error" }, m)));
  const first = byField.keys().next().value;
  (first ? focusable(first) : st.top).focus();
}

function clearErrors(st) {
  for (const el of st.main.querySelectorAll('[aria-invalid="true"]')) fieldError(el, null);
  render(st.top);
}

/** A refused request: next to the field it names (`field`, or the path in a load error). */
function refusedBy(st, res) {
  const b = res.body ?? {};
  const key = st.creating ? st.keyInput.value.trim() : st.key;
  const prefix = `${st.kind}${step(key)}`;
  let path = b.field?.replace(new RegExp(`^${one(st.kind)}\\.`), "");
  let message = b.message ?? apiError(res);
  if (!path && message.startsWith(prefix)) {
    const at = message.indexOf(": ", prefix.length);
    path = message.slice(prefix.length, at).replace(/^\./, "");
    message = message.slice(at + 2);
  }
  if (!path && res.status === 409 && st.creating) path = "key";
  place(st, [[path && path !== "body" ? path : "", path ? message : apiError(res)]]);
}

/** Sends `doc` (the reviewed copy when publishing, so what is published is what was reviewed). */
function request(st, { dryRun, ifMatch, doc = st.doc } = {}) {
  const query = dryRun ? { dryRun: "true" } : undefined;
  if (st.creating) return call("POST", envPath(st.env, `/${st.kind}`), { body: { key: st.keyInput.value.trim(), [one(st.kind)]: doc }, query });
  return call("PUT", definitionPath(st.env, st.kind, st.key), { body: doc, query, ifMatch });
}

async function review(st) {
  clearErrors(st);
  hide(st.conflict);
  if (!st.jsonOk) return st.json.focus();
  let found = [];
  try {
    found = problems(st.doc, st.kind, st.segments);
  } catch {
    // A shape the checks do not know: the server's dry run names what is wrong.
  }
  if (st.creating && !st.keyInput.value.trim()) found.unshift(["key", "a key is required"]);
  if (found.length) return place(st, found);
  const save = document.getElementById("e-save");
  save.disabled = true;
  // What is reviewed is a copy: edits made while the dry run runs are not what it judged.
  const reviewed = JSON.parse(JSON.stringify(st.doc));
  const res = await request(st, { dryRun: true, doc: reviewed });
  save.disabled = false;
  if (!res.ok) return refusedBy(st, res);
  if (JSON.stringify(st.doc) !== JSON.stringify(reviewed)) {
    toast("The document changed during the review: review it again.");
    return;
  }
  st.reviewed = reviewed;
  const b = res.body;
  // A flag's preview is one flag's; a segment's, one per flag that uses it.
  const previews = b.preview?.flags ?? (b.preview ? [b.preview] : []);
  render(st.review,
    h("h3", { id: "review-title", tabindex: -1 }, "Review (nothing is published yet)"),
    b.changed ? null : h("p", {}, "No change: this is what is published now."),
    h("h4", {}, "Lint warnings"),
    b.warnings?.length ? h("ul", { class: "warnings" }, b.warnings.map((w) => h("li", {}, w))) : h("p", { class: "muted" }, "None."),
    h("h4", {}, "Preview on sample contexts"),
    previews.length ? previews.map((p) => preview(p, st.kind === "segments")) : h("p", { class: "muted" }, "No flag uses this segment."),
    b.changes?.length ? h("details", {}, h("summary", {}, `${b.changes.length} changed path${b.changes.length === 1 ? "" : "s"}`),
      renderChanges(b.changes, { strip: `${st.kind}${step(b.key)}.` })) : null,
    h("div", { class: "actions" }, button("Keep editing", () => (hide(st.review), document.getElementById("e-save")?.focus())),
      button(st.creating ? "Create" : "Publish", () => publish(st, st.etag), { id: "e-publish", class: "primary", disabled: !b.changed })));
  st.review.hidden = false;
  document.getElementById("review-title").focus();
}

/** One flag's dry-run preview: the share that changes, and the count per variant. */
function preview(p, named) {
  const variants = [...new Set([...Object.keys(p.before ?? {}), ...Object.keys(p.after ?? {})])];
  const what = named ? `${p.flag}: the value` : "The value";
  return [
    h("p", { class: "share", "data-share": p.share, "data-flag": p.flag }, `${what} changes for ${p.changed} of ${p.sampled} sample contexts (${+(p.share * 100).toFixed(1)}%).`),
    h("table", { class: "preview" }, h("caption", { class: "visually-hidden" }, `${p.flag}: sample contexts per variant, before and after`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Variant"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
      h("tbody", {}, variants.map((v) => h("tr", {}, h("th", { scope: "row" }, v), h("td", {}, p.before?.[v] ?? 0), h("td", {}, p.after?.[v] ?? 0))))),
  ];
}

async function publish(st, etag) {
  for (const b of st.main.querySelectorAll(".review button, .conflict button")) b.disabled = true;
  const res = await request(st, { ifMatch: st.creating ? undefined : etag ?? undefined, doc: st.reviewed ?? st.doc });
  if (res.status === 412) return conflict(st, res);
  hide(st.review);
  hide(st.conflict);
  if (!res.ok) return refusedBy(st, res);
  const key = st.creating ? st.keyInput.value.trim() : st.key;
  toast(`Published ${one(st.kind)} ${key} in ${st.env}: version ${res.body.version}`);
  if (st.creating) return st.ctx.go(`#/${st.kind}/${encodeURIComponent(key)}`);
  await show(st.main, st.ctx, { kind: st.kind, key });
}

function conflict(st, res) {
  hide(st.review);
  const current = res.body?.current ?? null;
  const etag = res.etag ?? res.body?.etag ?? null;
  render(st.conflict,
    h("h3", { id: "conflict-title", tabindex: -1 }, `Conflict: this ${one(st.kind)} changed since you loaded it`),
    h("p", {}, current ? "Nothing was published. The current version (theirs) compared with your edit (mine):" : "It was archived since you loaded it; nothing was published."),
    current ? h("div", { class: "conflict-diff" }, renderDiff(current, st.doc)) : null,
    h("div", { class: "actions" },
      current ? button("Reload theirs", () => {
        st.doc = structuredClone(current);
        st.etag = etag;
        hide(st.conflict);
        changed(st, true);
        st.heading.focus();
        toast("Loaded the current version: your edit is gone");
      }, { id: "e-theirs" }) : h("a", { href: `#/${st.kind}` }, "Back to the list"),
      current && etag ? button("Overwrite with mine", () => publish(st, etag), { id: "e-mine", class: "danger" }) : null));
  st.conflict.hidden = false;
  document.getElementById("conflict-title").focus();
}
