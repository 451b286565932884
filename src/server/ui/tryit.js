// "Try it": the flag being edited, evaluated in this page for a context you type, with the npm
// package browsers run (the backend serves it at /admin/sdk/ when started with --admin-sdk),
// as published and with your edit, side by side. The two snapshots come from a dry run of the
// edit (nothing is published): the environment's document before and after, signed by a
// preview key that exists only in the server's memory, which this page trusts for this and
// nothing else. After the first "Evaluate" it is live: an edit of the flag or of the context
// evaluates again (debounced). Nothing here throws: a missing package, a refused edit or an
// invalid context is said in the panel.

import { h, render, fieldError, apiError } from "./dom.js";

const SDK = "/admin/sdk/index.js";
const NO_SDK = "Start edgeflag serve with --admin-sdk DIR (the npm package, e.g. pkg/) to evaluate here.";
const DEBOUNCE_MS = 400;

/** The package, imported once per page (again after a failure). */
let loading = null;
function loadSdk() {
  loading ??= import(SDK).then((sdk) => {
    if (typeof sdk.Evaluator !== "function") throw new Error(`${SDK} does not export Evaluator`);
    try {
      sdk.bucket("try-it", "probe"); // a wasm call: fails when the WebAssembly did not start
    } catch (e) {
      throw new Error(`its WebAssembly did not start (${e?.message ?? e})`);
    }
    return sdk;
  }).catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** What the panel was doing per flag, kept across the editor's re-renders (after publishing). */
const kept = new Map();

/** The default context: a targetingKey and every attribute the flag reads, empty. */
function defaultContext(doc) {
  const attributes = { targetingKey: "user-1" };
  for (const m of JSON.stringify(doc ?? {}).matchAll(/"(?:attribute|by)":("(?:[^"\\]|\\.)*")/g)) {
    const name = JSON.parse(m[1]);
    if (name && !(name in attributes)) attributes[name] = "";
  }
  return JSON.stringify(attributes, null, 2);
}

/** One side's evaluation: { details }, { missing } (not in that snapshot) or { failed }. */
function evaluate(sdk, tryIt, envelope, key, attributes) {
  if (envelope == null) return { missing: true };
  let evaluator, context;
  try {
    evaluator = new sdk.Evaluator({ publicKeys: [tryIt.publicKey], owner: tryIt.owner, environment: tryIt.environment });
    evaluator.load(envelope);
    context = evaluator.context(attributes);
    if (context.invalidReason) return { invalid: context.invalidReason };
    const details = evaluator.details(key, context, null);
    return details.errorCode === "FLAG_NOT_FOUND" ? { missing: true } : { details };
  } catch (e) {
    return { failed: `${e?.code ? `${e.code}: ` : ""}${e?.message ?? e}` };
  } finally {
    try {
      context?.free();
      evaluator?.free();
    } catch {
      // Already released: nothing to do.
    }
  }
}

/** The four lines shown per side, as text. */
function lines(side) {
  if (side.missing) return { value: "not published yet", variant: "—", reason: "—", rule: "—" };
  if (side.failed) return { value: `not evaluated: ${side.failed}`, variant: "—", reason: "—", rule: "—" };
  const d = side.details;
  const rule = d.ruleIndex != null ? `${d.ruleId ?? "(no id)"} (rule ${d.ruleIndex + 1})`
    : d.reason === "TARGETING_MATCH" ? "a target" : d.reason === "SPLIT" || d.reason === "STATIC" ? "the default" : "—";
  return {
    value: d.errorCode ? `error ${d.errorCode}${d.errorMessage ? `: ${d.errorMessage}` : ""}` : JSON.stringify(d.value),
    variant: d.variant ?? "—",
    reason: d.reason ?? "—",
    rule,
  };
}

const ROWS = [["value", "Value"], ["variant", "Variant"], ["reason", "Reason"], ["rule", "Rule"]];

/**
 * The panel. `key()`: the flag's key (empty while a new flag has none); `getDocument()`: the
 * edited document, or null while its JSON is not valid; `dryRun()`: the editor's dry run of
 * the current edit (resolves the API's { ok, status, body }). Returns { element, changed }:
 * call `changed()` whenever the document (or the key) changes.
 */
export function tryItPanel({ ctx, env, readOnly, key, getDocument, dryRun }) {
  const element = h("section", { class: "card tryit", "aria-labelledby": "t-title" }, h("h3", { id: "t-title" }, "Try it"));
  const say = (...children) => (render(element, element.firstChild, ...children), { element, changed() {} });
  if (ctx.me?.sdk !== true) return say(h("p", { class: "t-explain" }, NO_SDK));
  if (readOnly) return say(h("p", { class: "muted t-explain" }, `Try it evaluates a dry run of your edit, which needs a token that may edit ${env}.`));

  const memory = kept.get(`${env}\n${key()}`) ?? {};
  let suggested = defaultContext(getDocument());
  const input = h("textarea", { id: "t-context", class: "small", rows: 5, spellcheck: "false", "aria-describedby": "t-context-hint" });
  input.value = memory.context ?? suggested;
  const go = h("button", { type: "button", id: "t-eval", class: "primary" }, "Evaluate");
  const status = h("p", { id: "t-status", class: "t-status", role: "status", "aria-live": "polite" });
  const result = h("div", { class: "t-result" });
  render(element, element.firstChild,
    h("p", { class: "muted" }, "This flag evaluated in the page with the npm package, as published and with your edit (a dry run: nothing is published)."),
    h("div", { class: "field" }, h("label", { for: "t-context" }, "Context (JSON)"), input,
      h("p", { id: "t-context-hint", class: "muted" }, "The attributes to evaluate for; targetingKey is the unit rollouts bucket by. Ctrl+Enter evaluates.")),
    h("div", { class: "actions t-actions" }, go), status, result);

  let live = !!memory.live, timer = null, seq = 0, cache = null, sdk = null;
  const remember = () => kept.set(`${env}\n${key()}`, { context: input.value, live });

  /** The context typed, or null (the error shown next to it). */
  function context() {
    try {
      const value = JSON.parse(input.value);
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("a context is a JSON object");
      fieldError(input, null);
      return value;
    } catch (e) {
      fieldError(input, `Not valid: ${e.message}`);
      return null;
    }
  }

  const unavailable = (why) => {
    live = false;
    clearTimeout(timer);
    say(h("p", { class: "t-explain" }, `The npm package could not be loaded from ${SDK}${why ? ` (${why})` : ""}. ${NO_SDK}`));
  };

  async function run() {
    clearTimeout(timer);
    const mine = ++seq;
    const current = () => mine === seq && element.isConnected;
    try {
      const attributes = context();
      if (!attributes) return render(status, "Fix the context to evaluate.");
      const doc = getDocument();
      if (!doc) return render(status, "The document (JSON) is not valid: fix it to evaluate.");
      const flag = key();
      if (!flag) return render(status, "Enter the flag's key to evaluate it.");
      remember();
      if (!sdk) {
        render(status, "Loading the npm package…");
        try {
          sdk = await loadSdk();
        } catch (e) {
          return element.isConnected && unavailable(e?.message ?? String(e));
        }
        if (!current()) return;
      }
      const text = `${flag}\n${JSON.stringify(doc)}`;
      if (cache?.text !== text) {
        render(status, "Evaluating…");
        element.setAttribute("aria-busy", "true");
        const res = await dryRun();
        if (!current()) return;
        element.removeAttribute("aria-busy");
        if (!res.ok) {
          render(result);
          return render(status, h("span", { class: "error" }, `The server refuses this edit, so it cannot be evaluated: ${apiError(res)}`));
        }
        if (!res.body?.tryIt?.after) {
          render(result);
          return render(status, h("span", { class: "error" }, "This server's dry run has no tryIt snapshots (an older edgeflag serve?)."));
        }
        cache = { text, tryIt: res.body.tryIt };
      }
      const { tryIt } = cache;
      const before = evaluate(sdk, tryIt, tryIt.before, flag, attributes);
      const after = evaluate(sdk, tryIt, tryIt.after, flag, attributes);
      const invalid = after.invalid ?? before.invalid;
      if (invalid) {
        fieldError(input, `The package refuses this context: ${invalid}`);
        render(result);
        return render(status, "Fix the context to evaluate.");
      }
      show(before, after);
    } catch (e) {
      // Never thrown out of the panel: said here.
      if (current()) render(status, h("span", { class: "error" }, `Could not evaluate: ${e?.message ?? e}`));
    } finally {
      if (current()) element.removeAttribute("aria-busy");
    }
  }

  function show(before, after) {
    const a = lines(before), b = lines(after);
    const differs = ROWS.filter(([k]) => a[k] !== b[k]).map(([k]) => k);
    render(result, h("table", { class: "tryit-table", "data-differs": differs.length ? differs.join(" ") : false },
      h("caption", { class: "visually-hidden" }, `${key()} for this context: published and with your edit`),
      h("thead", {}, h("tr", {}, h("td", {}), h("th", { scope: "col" }, "Published"), h("th", { scope: "col" }, "Your edit"))),
      h("tbody", {}, ROWS.map(([k, label]) => {
        const changed = differs.includes(k);
        return h("tr", { class: changed ? "differs" : false, "data-row": k },
          h("th", { scope: "row" }, label),
          h("td", { class: "t-before" }, a[k]),
          h("td", { class: "t-after" }, b[k], changed ? h("span", { class: "badge changed" }, "changed") : null));
      }))));
    const summary = before.missing ? `Not published yet: your edit serves ${b.value}.`
      : a.value !== b.value ? `Your edit changes the value for this context: ${a.value} → ${b.value}.`
      : differs.length ? `Same value (${b.value}); your edit changes the ${differs.join(" and ")}.`
      : `Same result as published: ${b.value}.`;
    render(status, summary, live ? h("span", { class: "muted" }, " Live: edits evaluate again.") : null);
  }

  const later = () => {
    clearTimeout(timer);
    if (live) timer = setTimeout(() => element.isConnected && run(), DEBOUNCE_MS);
  };
  go.addEventListener("click", () => {
    live = true;
    run();
  });
  input.addEventListener("input", () => {
    const ok = context();
    remember();
    if (ok) later();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      live = true;
      run();
    }
  });
  if (live) run();
  // Load the package now, so that a missing one is said at once.
  else loadSdk().then((m) => (sdk = m), (e) => element.isConnected && unavailable(e?.message ?? String(e)));

  return {
    element,
    /** The document or the key changed: a new default context if untouched, and again if live. */
    changed() {
      const doc = getDocument();
      if (doc && input.value === suggested) {
        suggested = defaultContext(doc);
        input.value = suggested;
      }
      later();
    },
  };
}
