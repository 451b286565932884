// `edgeflag/devtools`: a development panel, the custom element <edgeflag-devtools>. It lists
// every flag with its value, variant and reason for a context, and flips flags: a flip is a
// local override (reason OVERRIDE), applied at once with client.override() and kept for
// reloads in localStorage (which a client with `overrides: { allow: true }` reads) and in the
// cookie the edge worker honours when ALLOW_OVERRIDES is set. Load it only in development,
// e.g. `import("edgeflag/devtools")`: nothing of it is in the core entry.
//
// Flag keys and values are text here, never markup: the panel is built with textContent.
// Importing it outside a browser (server-side rendering) defines nothing and does not throw.

import { formatOverrides, OVERRIDES_COOKIE, OVERRIDES_STORAGE_KEY, parseOverrides, overrideAs } from "./overrides.js";

/** The element's tag name. */
export const DEVTOOLS_TAG = "edgeflag-devtools";
const EVENTS = ["ready", "change", "stale", "error", "recovered"];
// As long as browsers keep a cookie (400 days): as long-lived as localStorage, in practice.
const COOKIE_MAX_AGE = 400 * 86_400;

const STYLE = `
:host { position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; font: 12px/1.4 system-ui, sans-serif; color: #111; }
details { background: #fff; border: 1px solid #999; border-radius: 6px; box-shadow: 0 2px 8px #0003; max-height: 70vh; overflow: auto; }
summary { cursor: pointer; padding: 6px 10px; font-weight: 600; }
table { border-collapse: collapse; margin: 0 8px 8px; }
th, td { text-align: left; padding: 2px 6px; border-top: 1px solid #ddd; vertical-align: middle; }
td.value { font-family: ui-monospace, monospace; max-width: 20em; overflow-wrap: anywhere; }
tr.override td.reason { color: #a40; font-weight: 600; }
input { width: 10em; font: inherit; }
button { font: inherit; }
`;

/**
 * The panel. Set `client` (a `createClient()` result) and optionally `context` (the
 * evaluation context to show flags for); it re-renders on every event of the client.
 */
export class EdgeflagDevtools extends (globalThis.HTMLElement ?? class {}) {
  #client;
  #context = {};
  #off;
  #open = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /** The client whose flags are shown. */
  get client() {
    return this.#client;
  }

  set client(client) {
    this.#client = client;
    if (this.isConnected) this.#subscribe();
    this.render();
  }

  /** The evaluation context the flags are shown for. */
  get context() {
    return this.#context;
  }

  set context(context) {
    this.#context = context ?? {};
    this.render();
  }

  /** Starts collapsed; `open` expands the panel. */
  static get observedAttributes() {
    return ["open"];
  }

  attributeChangedCallback() {
    this.#open = this.hasAttribute("open");
    this.render();
  }

  connectedCallback() {
    this.#subscribe();
    this.render();
  }

  disconnectedCallback() {
    this.#off?.();
    this.#off = undefined;
  }

  // Every event that can change a value or the status; subscribed while in the document.
  #subscribe() {
    this.#off?.();
    const client = this.#client;
    const offs = client ? EVENTS.map((e) => client.on(e, () => this.render())) : [];
    this.#off = () => offs.forEach((off) => off());
  }

  /**
   * Overrides `key` with `value` (`undefined` releases it): at once in the client, and for
   * the next page load in localStorage and the worker's cookie.
   */
  flip(key, value) {
    const stored = storedOverrides();
    if (value === undefined) stored.delete(key);
    else stored.set(key, value);
    keep(stored);
    this.#client?.override(key, value);
  }

  /** Releases every override: the client's, localStorage's and the cookie's. */
  reset() {
    keep(new Map());
    this.#client?.clearOverrides();
  }

  /** Draws the panel from the client's current results. */
  render() {
    const root = this.shadowRoot;
    if (!root || !this.isConnected) return;
    const details = el("details");
    details.open = this.#open;
    details.addEventListener("toggle", () => (this.#open = details.open));
    const all = this.#client ? this.#client.all(this.#context) : {};
    const keys = Object.keys(all).sort();
    const status = this.#client ? this.#client.status : "no client";
    details.append(el("summary", `edgeflag · ${keys.length} flags · ${status}`));
    const table = el("table");
    table.append(row("th", ["flag", "value", "variant", "reason", ""]));
    for (const key of keys) table.append(this.#row(key, all[key]));
    const reset = el("button", "reset all overrides");
    reset.addEventListener("click", () => this.reset());
    details.append(table, reset);
    const style = el("style", STYLE);
    root.replaceChildren(style, details);
  }

  #row(key, d) {
    const overridden = d.reason === "OVERRIDE";
    const tr = row("td", [key, d.value === null ? "—" : JSON.stringify(d.value), d.variant ?? "", d.errorCode ?? d.reason, ""]);
    tr.dataset.flag = key;
    tr.className = overridden ? "override" : "";
    tr.cells[1].className = "value";
    tr.cells[3].className = "reason";
    const controls = tr.cells[4];
    if (typeof d.value === "boolean") {
      const flip = el("button", d.value ? "turn off" : "turn on");
      flip.dataset.action = "flip";
      flip.addEventListener("click", () => this.flip(key, !d.value));
      controls.append(flip);
    } else {
      const input = el("input");
      input.placeholder = "new value";
      input.dataset.action = "set";
      input.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        const [entry] = parseOverrides(`v:${encodeURIComponent(input.value)}`).values.values();
        const value = overrideAs(entry, d.value === null ? undefined : typeof d.value);
        if (value === undefined) input.setCustomValidity(`not a ${typeof d.value}`), input.reportValidity();
        else this.flip(key, value);
      });
      controls.append(input);
    }
    if (overridden) {
      const release = el("button", "release");
      release.dataset.action = "release";
      release.addEventListener("click", () => this.flip(key, undefined));
      controls.append(release);
    }
    return tr;
  }
}

/**
 * The panel for `client`: the one already in the page, else a new one added to the body;
 * `context` is the evaluation context to show. Defines <edgeflag-devtools> if it is not yet.
 */
export function showDevtools(client, { context, open = false } = {}) {
  define();
  const panel = [...document.querySelectorAll(DEVTOOLS_TAG)].find((p) => p.client === client) ?? document.createElement(DEVTOOLS_TAG);
  if (open) panel.setAttribute("open", "");
  if (!panel.isConnected) document.body.append(panel);
  panel.context = context;
  panel.client = client;
  return panel;
}

/** Defines the custom element (idempotent; nothing outside a browser, e.g. during SSR). */
export function define() {
  const registry = globalThis.customElements;
  if (registry && !registry.get(DEVTOOLS_TAG)) registry.define(DEVTOOLS_TAG, EdgeflagDevtools);
}

function storedOverrides() {
  try {
    const { values } = parseOverrides(localStorage.getItem(OVERRIDES_STORAGE_KEY));
    return new Map([...values].map(([k, e]) => [k, e.value]));
  } catch {
    return new Map();
  }
}

// The same text in localStorage and (percent-encoded once more, for cookie syntax) the cookie.
function keep(overrides) {
  const text = formatOverrides(overrides);
  try {
    if (text) localStorage.setItem(OVERRIDES_STORAGE_KEY, text);
    else localStorage.removeItem(OVERRIDES_STORAGE_KEY);
  } catch {
    // Storage can be unavailable (sandboxed frames, private modes): the flip still applies now.
  }
  const expires = `; Max-Age=${text ? COOKIE_MAX_AGE : 0}`;
  document.cookie = `${OVERRIDES_COOKIE}=${encodeURIComponent(text)}; Path=/; SameSite=Lax${expires}`;
}

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(cell, texts) {
  const tr = el("tr");
  for (const text of texts) tr.append(el(cell, text));
  return tr;
}

define();
